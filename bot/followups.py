"""Messages that ask for more of the last answer rather than a new question (下一个, 还有吗): the REPL and
the Telegram handlers both take them as /more."""

from __future__ import annotations

import unicodedata

from index.tokens import normalize

# matched as the whole message once punctuation, symbols and spaces are dropped (and Traditional
# characters read as Simplified)
FOLLOW_UPS = frozenset({
    "下一个", "下一条", "下一段", "换一个", "换一条", "换一段", "再换一个", "再来一个",
    "还有吗", "还有呢", "还有没有", "还有别的吗", "还有其他的吗", "更多", "next", "more",
})
FOLLOW_UP_CHARS = max(len(phrase) for phrase in FOLLOW_UPS)


def is_follow_up(said: str) -> bool:
    """Whether a message only asks for more of the last answer: the whole of it, punctuation, symbols and
    spaces aside, is one of FOLLOW_UPS (下一个, 还有吗？, 換一個, More!)."""
    if len(said) > 3 * FOLLOW_UP_CHARS:
        return False
    folded = "".join(ch for ch in normalize(said) if unicodedata.category(ch)[0] not in "PSZC")
    return folded in FOLLOW_UPS
