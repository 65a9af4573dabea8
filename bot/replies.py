"""Answers → Telegram messages: HTML that fits the length limit, and the buttons under it.

Pure functions with no network calls, so every shape a reader can see is easy
to test. Everything from the article or the reader is escaped; trimming cuts
the passage's plain text before marking it up, so a tag is never cut in half.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, replace
from functools import lru_cache

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InlineQueryResultArticle, InputTextMessageContent
from telegram.constants import ParseMode

from bot.render import TELEGRAM_LIMIT, in_latin_only, passage_html, source_line
from bot.texts import text
from index.answer import Answer, Hit
from index.library import Library

CANDIDATES = 5  # passages a reader can page through with 换一个
QUESTION_SHOWN = 200  # characters of the question repeated in an inline answer
TITLE_CHARS = 30  # characters of the best sentence used as an inline result's title


def utf16_len(value: str) -> int:
    """Telegram counts message length in UTF-16 code units."""
    return len(value.encode("utf-16-le")) // 2


def shorten(value: str, limit: int) -> str:
    value = " ".join(value.split())
    return value if len(value) <= limit else value[: limit - 1] + "…"


def candidates(answer: Answer) -> tuple[Hit, ...]:
    """The hits a reader may page through: best first, none repeating another's text.

    Two passages with the same text would make 换一个 an edit that changes nothing,
    which Telegram refuses ("message is not modified").
    """
    return _distinct(answer) if answer.answered else ()


def near_misses(answer: Answer) -> tuple[Hit, ...]:
    """For a question the article does not answer: the passages that came closest, which a reader may
    still ask to see (the ranking declines some questions the article does answer)."""
    return _distinct(answer) if not answer.answered and answer.reason == "not_in_article" else ()


def answer_note(answer: Answer) -> str | None:
    """The caveat shown above an answer's passages: none for a plain answer; for an answer found only
    in part, that it may answer part of the question; for near misses, that the article does not answer."""
    if not answer.answered:
        return "nearest_note"
    return "partial_note" if answer.reason == "partial" else None


def _distinct(answer: Answer) -> tuple[Hit, ...]:
    seen: set[str] = set()
    out: list[Hit] = []
    for hit in answer.hits[:CANDIDATES]:
        if hit.passage.text not in seen:
            seen.add(hit.passage.text)
            out.append(hit)
    return tuple(out)


def cut_hit(hit: Hit, chars: int) -> Hit:
    """The hit with its passage cut to `chars` characters plus "…", marks clipped to match."""
    passage = replace(hit.passage, text=hit.passage.text[:chars] + "…")
    start, end = hit.sentence_span
    spans = tuple((a, min(b, chars)) for a, b in hit.spans if a < chars)
    return replace(hit, passage=passage, sentence_span=(min(start, chars), min(end, chars)), spans=spans)


def fitted_passage_html(hit: Hit, budget: int) -> str:
    """passage_html(hit), trimmed from the end until it takes at most `budget` UTF-16 units."""
    whole = passage_html(hit)
    if utf16_len(whole) <= budget:
        return whole
    low, high = 0, len(hit.passage.text)  # the longest cut that fits lies in [low, high)
    while high - low > 1:
        middle = (low + high) // 2
        if utf16_len(passage_html(cut_hit(hit, middle))) <= budget:
            low = middle
        else:
            high = middle
    return passage_html(cut_hit(hit, low))


def footer_html(hit: Hit, lang: str) -> str:
    return f"<i>{html.escape(text('footer', lang, source=source_line(hit)))}</i>"


def answer_html(hit: Hit, lang: str, *, truncated: bool = False, question: str | None = None,
                note: str | None = None) -> str:
    """The passage (best sentence bold, matched words underlined) and where it comes from; `note`, the
    key of a caveat the reader is told first (answer_note)."""
    head = ""
    if truncated:
        head += f"<i>{html.escape(text('truncated', lang))}</i>\n\n"
    if note:
        head += f"<i>{html.escape(text(note, lang))}</i>\n\n"
    if question:
        head += f"<i>{html.escape(text('inline_question', lang, question=shorten(question, QUESTION_SHOWN)))}</i>\n\n"
    tail = "\n\n" + footer_html(hit, lang)
    budget = TELEGRAM_LIMIT - utf16_len(head) - utf16_len(tail)
    return head + fitted_passage_html(hit, budget) + tail


def context_html(library: Library, hit: Hit, lang: str) -> str:
    """The passage between its neighbours in the article, the shown one marked as in the answer."""
    neighbours = library.neighbours(hit.passage.id, radius=1)
    if not any(p.id == hit.passage.id and p.text == hit.passage.text for p in neighbours):
        neighbours = []  # the article was reloaded and changed: show what the reader saw
    pieces = [passage_html(hit) if p.id == hit.passage.id else html.escape(p.text) for p in neighbours]
    head = f"<b>{html.escape(text('context_header', lang))}</b>\n\n"
    tail = "\n\n" + footer_html(hit, lang)
    whole = head + "\n\n".join(pieces or [passage_html(hit)]) + tail
    if utf16_len(whole) <= TELEGRAM_LIMIT:
        return whole
    budget = TELEGRAM_LIMIT - utf16_len(head) - utf16_len(tail)
    return head + fitted_passage_html(hit, budget) + tail


LISTED = 10  # names (article titles, files) spelled out in /start, /about and /reload; the rest only counted
NAME_CHARS = 80  # characters of each name listed


def listing(names: list[str] | tuple[str, ...], lang: str, separator: str | None = None) -> str:
    """Names joined for a message, at most LISTED of NAME_CHARS each, then how many there are in all:
    a folder of hundreds of articles must not make /start or /about longer than Telegram takes."""
    separator = separator if separator is not None else ("、" if lang == "zh" else ", ")
    shown = separator.join(shorten(name, NAME_CHARS) for name in names[:LISTED])
    return shown if len(names) <= LISTED else text("list_more", lang, shown=shown, count=len(names))


def plain_html(key: str, lang: str, **values: object) -> str:
    """An interface text as HTML, the values (article titles, questions) escaped."""
    return text(key, lang, **{k: html.escape(str(v)) for k, v in values.items()})


# -- buttons ----------------------------------------------------------------------------------------
#
# Callback data stays far below Telegram's 64 bytes: the message the button sits
# on identifies the answer (its candidates are kept in chat_data), so the data
# only says what to do and which candidate was on screen when it was pressed.
# Carrying the index makes a double press idempotent instead of skipping one.


@dataclass(frozen=True)
class Press:
    """What a pressed button asks for."""

    action: str  # "next" | "context" | "vote" | "example" | "nearest"
    index: int
    vote: int = 0


_ACTIONS = {"n": "next", "c": "context", "f": "vote", "q": "example", "m": "nearest"}


def parse_press(data: str | None) -> Press | None:
    """Callback data back into a Press; None for data this bot never made (or an older version made)."""
    parts = (data or "").split(":")
    if not parts or parts[0] not in _ACTIONS or len(parts) not in (2, 3):
        return None
    try:
        index = int(parts[1])
    except ValueError:
        return None
    action = _ACTIONS[parts[0]]
    if action == "vote":
        if len(parts) != 3 or parts[2] not in ("+", "-"):
            return None
        return Press(action, index, 1 if parts[2] == "+" else -1)
    return Press(action, index) if len(parts) == 2 and index >= 0 else None


@lru_cache(maxsize=64)  # index < CANDIDATES, a few languages; PTB's objects are immutable, so shared safely
def answer_keyboard(index: int, lang: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([
        [InlineKeyboardButton(text("button_next", lang), callback_data=f"n:{index}"),
         InlineKeyboardButton(text("button_context", lang), callback_data=f"c:{index}")],
        [InlineKeyboardButton(text("button_up", lang), callback_data=f"f:{index}:+"),
         InlineKeyboardButton(text("button_down", lang), callback_data=f"f:{index}:-")],
    ])


def examples_keyboard(examples: list[tuple[int, str]], nearest_in: str | None = None) -> InlineKeyboardMarkup | None:
    """One button per example question; pressing it asks the question. With `nearest_in` (a language),
    a last button shows the passage that came closest to a declined question."""
    rows = [[InlineKeyboardButton(q, callback_data=f"q:{i}")] for i, q in examples]
    if nearest_in is not None:
        rows.append([InlineKeyboardButton(text("button_nearest", nearest_in), callback_data="m:0")])
    return InlineKeyboardMarkup(rows) if rows else None


# -- inline mode ------------------------------------------------------------------------------------


def inline_results(answer: Answer, lang: str) -> list[InlineQueryResultArticle]:
    """The top passages as articles a reader can send into any chat, or one saying there is none."""
    hits = candidates(answer)
    if not hits:
        message = InputTextMessageContent(plain_html("inline_none", lang), parse_mode=ParseMode.HTML)
        hint = text("ask_in_chinese", lang) if in_latin_only(answer.question) else None
        return [InlineQueryResultArticle(id="none", title=text("inline_none", lang), description=hint,
                                         input_message_content=message)]
    return [
        InlineQueryResultArticle(
            id=str(i),
            title=shorten(hit.sentence, TITLE_CHARS),
            description=source_line(hit),
            input_message_content=InputTextMessageContent(
                answer_html(hit, lang, question=answer.question), parse_mode=ParseMode.HTML
            ),
        )
        for i, hit in enumerate(hits)
    ]
