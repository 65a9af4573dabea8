"""Ranked passages → the answer every channel shows.

One record for Telegram, the REPL and the JSON command line alike: the best
passage with its best sentence and the matched words located in its text
(as character spans, so each channel marks them its own way), up to k
alternatives, and whether the article answers at all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from index.asks import is_heading_line
from index.passages import Passage, sentences_by_line
from index.tokens import normalize

Span = tuple[int, int]


@dataclass(frozen=True)
class Hit:
    """One passage offered as an answer."""

    passage: Passage
    score: float
    sentence: str  # the sentence of passage.text that best answers
    sentence_span: Span
    matched: tuple[str, ...]  # question words (or their stand-ins) found in the passage
    spans: tuple[Span, ...]  # where they stand in passage.text, sorted, not overlapping


@dataclass(frozen=True)
class Answer:
    """What the article says to a question."""

    question: str
    answered: bool
    hits: tuple[Hit, ...]  # best first; when not answered, near misses (may be empty)
    reason: str  # "ok" | "partial" | "empty" | "no_words" | "vague" | records.SMALL_TALK | "not_in_article"
    # (index.records.Decision says what each means)
    truncated: bool = False  # the question was cut to its start

    @property
    def best(self) -> Hit | None:
        return self.hits[0] if self.answered and self.hits else None


def make_hit(passage: Passage, score: float, terms: dict[str, float],
             holds_answer: Callable[[str], bool] | None = None) -> Hit:
    """Locate the terms in the passage and pick its best sentence (see best_sentence)."""
    spans = find_spans(passage.text, terms)
    normalized_text = _layout(passage.text)[0]
    matched = tuple(t for t in terms if t in normalized_text)
    sentence, sentence_span = best_sentence(passage.text, spans, terms, holds_answer)
    return Hit(passage=passage, score=score, sentence=sentence, sentence_span=sentence_span,
               matched=matched, spans=spans)


def find_spans(text: str, terms: dict[str, float]) -> tuple[Span, ...]:
    """Spans of the terms in text, longest first so that 志愿者 wins over 志愿; never overlapping.

    Terms are in normalized form; the text is searched in normalized form too,
    which keeps offsets when normalization maps one character to one.
    """
    normalized_text, same_length, _ = _layout(text)
    if not same_length:
        return ()
    taken = bytearray(len(text))  # 1 where a span already is
    spans: list[Span] = []
    for term in sorted(terms, key=len, reverse=True):
        start = normalized_text.find(term)
        while start >= 0:
            end = start + len(term)
            if taken.find(1, start, end) < 0:
                spans.append((start, end))
                taken[start:end] = b"\x01" * (end - start)
            start = normalized_text.find(term, end)
    return tuple(sorted(spans))


def best_sentence(text: str, spans: tuple[Span, ...], terms: dict[str, float],
                  holds_answer: Callable[[str], bool] | None = None) -> tuple[str, Span]:
    """The sentence with the most matched weight; the first sentence when none matches.

    For a question asking a kind of answer (a sum, a day, a figure), `holds_answer` tells whether a
    sentence (normalized) holds one, and the matching sentences that do come first: the marked sentence
    is what the reader reads, and 补贴分两次拨付：…拨付70% answers 先拨付多少比例 where the heading
    补贴标准提高到每台20万元 shares as many of its words.
    """
    best: tuple[tuple[bool, float], str, Span] | None = None
    weighted = [(t, w * len(t)) for t, w in terms.items()]
    sentences = _layout(text)[2]
    # a heading line that matches (门票) heads the lines under it: the item 成人票：每人60元 answers 门票多少钱
    # though it matches nothing itself (a sentence inside a paragraph is not such an item)
    headed = (len(sentences) > 1 and "\n" in text and text.startswith(sentences[0][0])
              and is_heading_line(sentences[0][0]) and any(t in sentences[0][2] for t, _ in weighted))
    for sentence, span, inside in sentences:
        weight = sum(value for t, value in weighted if t in inside)
        item = headed and span[0] > 0 and text[span[0] - 1] == "\n" and text[span[1]:span[1] + 1] in ("", "\n")
        key = (holds_answer is not None and (weight > 0 or item) and holds_answer(inside), weight)
        if best is None or key > best[0]:
            best = (key, sentence, span)
    if best is None:
        return text, (0, len(text))
    return best[1], best[2]


@lru_cache(maxsize=8192)
def _layout(text: str) -> tuple[str, bool, tuple[tuple[str, Span, str], ...]]:
    """What answering needs of a passage's text, worked out once per text.

    The normalized text, whether normalizing kept every offset, and each
    sentence with its span in the text and the normalized text of that span
    (the original when normalizing changed the length).
    """
    normalized_text = normalize(text)
    same_length = len(normalized_text) == len(text)
    searchable = normalized_text if same_length else text
    sentences: list[tuple[str, Span, str]] = []
    position = 0
    for sentence in sentences_by_line(text):
        start = text.find(sentence, position)
        end = start + len(sentence)
        position = end
        sentences.append((sentence, (start, end), searchable[start:end]))
    return normalized_text, same_length, tuple(sentences)

