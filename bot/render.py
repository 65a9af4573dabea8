"""An answer → what each channel shows: plain text, a terminal with colour, Telegram HTML, JSON.

Marks are placed from the hit's character spans, and everything that comes
from the article or the reader is escaped before any tag is added.
"""

from __future__ import annotations

import html
import os
import re
from typing import Callable, TextIO

from index.answer import Answer, Hit

TELEGRAM_LIMIT = 4096
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")  # Chinese characters
LATIN_WORD = re.compile(r"[A-Za-z\u00c0-\u024f]{2,}")


def has_chinese(value: str) -> bool:
    return HAN.search(value) is not None


def in_latin_only(question: str) -> bool:
    """Whether a question is written in Latin letters with no Chinese character at all (What time does the
    library open?): the article is searched in Chinese, so such a question can only be declined, and every
    channel adds to the decline that the reader should ask in Chinese."""
    return not has_chinese(question) and LATIN_WORD.search(question) is not None


def _marked(hit: Hit, open_sentence: str, close_sentence: str, open_term: str, close_term: str,
            escape: Callable[[str], str]) -> str:
    """The passage with its best sentence and matched terms wrapped, every piece of text escaped.

    Term marks are clipped at the sentence's edges so that tags always nest.
    """
    text = hit.passage.text
    s_start, s_end = hit.sentence_span
    parts = [(0, s_start, False), (s_start, s_end, True), (s_end, len(text), False)]
    out: list[str] = []
    for start, end, is_sentence in parts:
        if end <= start:
            continue
        body = _mark_terms(text, start, end, hit.spans, open_term, close_term, escape)
        out.append(f"{open_sentence}{body}{close_sentence}" if is_sentence else body)
    return "".join(out)


def _mark_terms(text: str, start: int, end: int, spans: tuple[tuple[int, int], ...], open_term: str,
                close_term: str, escape: Callable[[str], str]) -> str:
    out: list[str] = []
    position = start
    for a, b in spans:
        a, b = max(a, start), min(b, end)
        if b <= a or a < position:
            continue
        out.append(escape(text[position:a]))
        out.append(f"{open_term}{escape(text[a:b])}{close_term}")
        position = b
    out.append(escape(text[position:end]))
    return "".join(out)


def passage_html(hit: Hit) -> str:
    """Telegram HTML: the best sentence bold, matched terms underlined."""
    return _marked(hit, "<b>", "</b>", "<u>", "</u>", html.escape)


def passage_ansi(hit: Hit) -> str:
    """Terminal: the best sentence bold, matched terms yellow."""
    return _marked(hit, "\033[1m", "\033[22m", "\033[33m", "\033[39m", lambda s: s)


def use_color(out: TextIO) -> bool:
    """Bold and colour only on a terminal that shows them: not when piped, not under NO_COLOR (any
    non-empty value, no-color.org) and not on TERM=dumb, where escape codes would print as garbage."""
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    return out.isatty()


def passage_terminal(hit: Hit, out: TextIO) -> str:
    """The passage as `out` can show it: with colour (passage_ansi) or plain (passage_plain)."""
    return passage_ansi(hit) if use_color(out) else passage_plain(hit)


def passage_plain(hit: Hit) -> str:
    """Plain text: the best sentence between 【 】."""
    text = hit.passage.text
    start, end = hit.sentence_span
    if end <= start:
        return text
    return f"{text[:start]}【{text[start:end]}】{text[end:]}"


def source_line(hit: Hit) -> str:
    """《title》 · section — where the passage comes from."""
    passage = hit.passage
    parts = [f"《{passage.title}》"]
    if passage.section:
        parts.append(passage.section)
    return " · ".join(parts)


def answer_json(answer: Answer) -> dict[str, object]:
    """The JSON shape other tools rely on (python -m bot ask --json)."""
    return {
        "question": answer.question,
        "answered": answer.answered,
        "passages": [
            {
                "id": h.passage.id,
                "document": h.passage.document,
                "section": h.passage.section,
                "text": h.passage.text,
                "sentence": h.sentence,
                "score": round(h.score, 6),
            }
            for h in answer.hits
        ],
    }


def fit(text: str, limit: int = TELEGRAM_LIMIT) -> str:
    """Cut plain text to a limit, marking the cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
