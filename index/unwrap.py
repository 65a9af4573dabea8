"""Text copied out of a PDF or a fixed-width export keeps that page's line breaks: join them again.

Such a text has no sign of where a paragraph ends but this: the lines of a
paragraph fill the page's width and its last line does not. So the width is
found first, as the one most lines reach and no line goes past, and only
then is a line that reaches it joined with the line after it. A paragraph's
last line is short, a new paragraph is often indented, and a blank line ends
one anyway. An article written one paragraph to a line has no such width
(its lines are as long as their paragraphs), and is left as it is.
"""

from __future__ import annotations

import unicodedata
from bisect import bisect_left
from collections import Counter
from itertools import accumulate

from index.markdown import ITEM, read_line

MIN_WIDTH = 20  # display columns (10 Chinese characters): a shorter line is a heading or a caption, not a wrap
MIN_WRAPPED = 5  # lines at the width: fewer could be chance
MIN_SHARE = 0.4  # of the lines at least MIN_WIDTH wide
MAX_OVER = 0.05  # share of such lines allowed past the width (a hanging full stop, a long URL)
MAX_WIDTH = 240  # display columns: no page is wider


def display_width(text: str) -> int:
    """Columns on a page: a Chinese character or a full-width sign takes two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _slack(width: int) -> int:
    """How far short of the width a full line may end: a word or a sign that did not fit moved on."""
    return max(4, width // 10)


def wrap_width(lines: list[str]) -> int | None:
    """The width the text was wrapped at, or None when its lines were not wrapped."""
    widths = [w for w in (_width(line) for line in lines) if w >= MIN_WIDTH]
    if len(widths) < MIN_WRAPPED:
        return None
    counts = Counter(widths)
    sizes = sorted(counts)
    below = list(accumulate(counts[w] for w in sizes))  # lines no wider than sizes[i]
    best, reached = 0, 0
    for i, width in enumerate(sizes):
        if width > MAX_WIDTH:
            break
        shorter = bisect_left(sizes, width - _slack(width))  # first width within the slack
        at = below[i] - (below[shorter - 1] if shorter else 0)
        if at > reached or at == reached and width > best:
            best, reached = width, at
    over = len(widths) - below[sizes.index(best)] if best else 0
    if reached < MIN_WRAPPED or reached < MIN_SHARE * len(widths) or over > MAX_OVER * len(widths):
        return None
    return best


def unwrap(lines: list[str]) -> list[str]:
    """The lines with each wrapped paragraph on one line again; blank lines stay where they were."""
    width = wrap_width(lines)
    if width is None:
        return lines
    out: list[str] = []
    full = False  # the last line read reached the width: the next line continues it
    for line in lines:
        stripped = line.strip()
        if full and stripped and not _indented(line) and read_line(stripped, False)[1] != ITEM:  # an item starts anew
            out[-1] += joiner(out[-1], stripped) + stripped
        else:
            out.append(line)
        full = bool(stripped) and _width(line) >= width - _slack(width)
    return out


def _width(line: str) -> int:
    """The columns a line takes on the page, its indentation included. A line longer than any page is
    wide (its length is enough to say so): counting its columns would read every paragraph's every character."""
    line = line.rstrip()
    return len(line) if len(line) > MAX_WIDTH else display_width(line)


def _indented(line: str) -> bool:
    """A paragraph's first line is often indented (two full-width spaces in Chinese typesetting)."""
    return line[:1] in (" ", "\t", "\u3000")


def joiner(left: str, right: str) -> str:
    """A space between two Latin words; nothing in Chinese text, where a line may end inside a number."""
    tail, head = left.rstrip()[-1:], right[:1]
    latin = tail.isascii() and tail.isalnum() and head.isascii() and head.isalnum()
    return " " if latin and not any(display_width(ch) == 2 for ch in left[-40:]) else ""
