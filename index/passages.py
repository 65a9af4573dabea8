"""Documents → passages: the units the bot answers with.

A passage is what a reader sees as an answer, so it must be whole sentences
and short enough to read in a chat bubble: at most MAX_CHARS characters of
article text.  A paragraph that fits stays whole; a longer one becomes a run
of sentence windows.  Headings are not passages of their own: they open the
first passage of their section and stay attached to every passage as context.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.documents import Document

MAX_CHARS = 300
MAX_HEADINGS = 100  # characters of headings a passage opens with; a longer heading is read as a paragraph
_SENTENCE = re.compile(r"[^。！？!?；;]*(?:[。！？!?；;]+[”’」』）)]*|$)")
_CLAUSE = re.compile(r"[^，,、：:]*(?:[，,、：:]+|$)")


@dataclass(frozen=True)
class Passage:
    """One answerable piece of an article, with where it came from."""

    id: str
    document: str
    title: str
    section: str | None
    text: str
    kind: str  # "body" | "caption" | "front"
    start: int  # character offsets into the document's repaired text (blocks joined by "\n")
    end: int

    def sentences(self) -> list[str]:
        """The sentences of the shown text, punctuation kept; a heading line counts as one."""
        return sentences_by_line(self.text)


def sentences_by_line(text: str) -> list[str]:
    """The sentences of a passage's text, line by line: a heading line, a list item, counts as one."""
    return [sentence for line in text.split("\n") for sentence in split_sentences(line)]


def split_sentences(text: str) -> list[str]:
    """Split after 。！？；(and their closing quotes), keeping the punctuation."""
    return [s for s in (m.group(0).strip() for m in _SENTENCE.finditer(text)) if s]


def _split_long(sentence: str, limit: int) -> list[str]:
    """A single sentence over the limit is cut at clause commas, then hard at the limit."""
    pieces: list[str] = []
    current = ""
    for clause in (m.group(0) for m in _CLAUSE.finditer(sentence)):
        while len(clause) > limit:
            pieces.append(clause[:limit])
            clause = clause[limit:]
        if current and len(current) + len(clause) > limit:
            pieces.append(current)
            current = ""
        current += clause
    if current:
        pieces.append(current)
    return [p for p in pieces if p]


def windows(text: str, limit: int = MAX_CHARS) -> list[str]:
    """Pack consecutive sentences into windows of at most `limit` characters, balanced in size."""
    if len(text) <= limit:
        return [text]
    sentences: list[str] = []
    lines = text.split("\n")  # a list's items: a window ends between them, and keeps their line breaks
    for n, line in enumerate(lines):
        room = limit if n == len(lines) - 1 else limit - 1  # for the line break after it
        for sentence in split_sentences(line):
            sentences.extend(_split_long(sentence, room) if len(sentence) > room else [sentence])
        if n < len(lines) - 1 and sentences:
            sentences[-1] += "\n"
    count = -(-len(text) // limit)  # as few windows as the length needs
    while True:
        target = len(text) / count
        packed = _pack(sentences, target, limit)
        if all(len(w) <= limit for w in packed):
            return packed
        count += 1


def _pack(sentences: list[str], target: float, limit: int) -> list[str]:
    out: list[str] = []
    current = ""
    for sentence in sentences:
        if current and (len(current) + len(sentence) > limit or len(current) >= target):
            out.append(current)
            current = ""
        current += sentence
    if current:
        out.append(current)
    return out


def _last_lines(headings: str) -> str:
    """The innermost headings that fit in MAX_HEADINGS (a run of headings with no text under them)."""
    lines = headings.split("\n")
    while len(lines) > 1 and len("\n".join(lines)) > MAX_HEADINGS:
        lines.pop(0)
    return "\n".join(lines)


def build_passages(documents: list[Document]) -> list[Passage]:
    """All passages of all documents, ids stable across runs: '<document>#<n>'."""
    passages: list[Passage] = []
    for document in documents:
        passages.extend(_document_passages(document))
    return passages


def _document_passages(document: Document) -> list[Passage]:
    out: list[Passage] = []
    section: str | None = None
    pending_heading: str | None = None
    front: list[str] = []
    offset = 0

    def add(text: str, kind: str, start: int) -> None:
        out.append(Passage(
            id=f"{document.name}#{len(out) + 1}", document=document.name, title=document.title,
            section=section, text=text, kind=kind, start=start, end=start + len(text),
        ))

    for block in document.blocks:
        start = offset
        offset += len(block.text) + 1
        if block.kind in ("title", "subtitle", "byline"):
            front.append(block.text)
            continue
        if front:
            add("\n".join(front)[:MAX_CHARS], "front", 0)
            front = []
        if block.kind == "heading" and len(block.text) <= MAX_HEADINGS:
            section = block.text  # right under another heading (二、 over （一）), both open the passage
            pending_heading = _last_lines(f"{pending_heading}\n{block.text}" if pending_heading else block.text)
            continue
        if block.kind == "caption":
            add(block.text[:MAX_CHARS], "caption", start)
            continue
        prefix = f"{pending_heading}\n" if pending_heading else ""
        pending_heading = None
        position = start
        for i, window in enumerate(windows(block.text, MAX_CHARS - len(prefix))):
            add((prefix if i == 0 else "") + window.rstrip("\n"), "body", position)
            position += len(window)  # a window cut between list items ends with the line break
    if front:
        add("\n".join(front)[:MAX_CHARS], "front", 0)
    return out
