"""Is a word anywhere in a long text?  Answered by binary search instead of a scan.

`word in text` reads the whole text when the word is not there: at 100,000
passages the article text is ten million characters, and asking a question
tests a few dozen words (sound-alikes, stand-ins), about 90 ms.  Here the
text's positions are sorted once, at index time, by the first few characters
that start there (a suffix array cut at a fixed width); finding a word is
then a binary search among them.  A word longer than that width is looked up
by its rarest window and confirmed at each place that window occurs.

The answer is always exactly `word in text`.  A short text is simply
scanned, which is quicker than searching.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right

import numpy as np

SCAN_BELOW = 50_000  # characters: a text shorter than this is scanned (`in` is then quicker)
MAX_WIDTH = 8  # characters sorted on, at most
MAX_CANDIDATES = 20_000  # a long word whose every window is this common: scanning is as quick
_CODE_POINTS = 0x110000


class Substrings:
    """`word in substrings` is `word in text`; texts of SCAN_BELOW characters or more are not scanned."""

    def __init__(self, text: str, scan_below: int | None = None) -> None:
        self.text = text
        self.width = 0  # 0: scan
        self.positions: np.ndarray | None = None
        self._view: memoryview | None = None
        if len(text) >= max(SCAN_BELOW if scan_below is None else scan_below, 2):
            self.width, self.positions = _sorted_positions(text)

    def __contains__(self, word: str) -> bool:
        if self.positions is None or not isinstance(word, str):
            return word in self.text
        size = len(word)
        if size == 0:
            return True
        text, width = self.text, self.width
        if size <= width:
            at = self._first(word)
            return at < len(self._positions) and text.startswith(word, self._positions[at])
        # the window of the word that starts fewest places in the text, then the word at each of them
        best: tuple[int, int, int] | None = None
        for offset in range(size - width + 1):
            gram = word[offset:offset + width]
            first, end = self._first(gram), self._end(gram)
            if first == end:
                return False
            if best is None or end - first < best[1] - best[0]:
                best = (first, end, offset)
        first, end, offset = best  # type: ignore[misc]
        if end - first > MAX_CANDIDATES:
            return word in text
        positions = self._positions
        return any(text.startswith(word, positions[i] - offset) for i in range(first, end)
                   if positions[i] >= offset)

    @property
    def _positions(self) -> memoryview:
        """The sorted positions as a memoryview: indexing it gives plain ints, quickly."""
        if self._view is None:
            self._view = memoryview(self.positions)  # type: ignore[arg-type]
        return self._view

    def _first(self, gram: str) -> int:
        """The first sorted position whose text starts with `gram` or after it (len(gram) <= width)."""
        text, size = self.text, len(gram)
        return bisect_left(self._positions, gram, key=lambda p: text[p:p + size])

    def _end(self, gram: str) -> int:
        """One past the last sorted position whose text starts with `gram` (len(gram) <= width)."""
        text, size = self.text, len(gram)
        return bisect_right(self._positions, gram, key=lambda p: text[p:p + size])

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state["_view"] = None
        return state


def _sorted_positions(text: str) -> tuple[int, np.ndarray]:
    """Every position of the text, sorted by the `width` characters starting there (as strings compare).

    Characters become their rank among the text's distinct characters (so the
    order is the code point order); `width` of them fit one 63-bit key, the
    end of the text counting as lower than any character, as a shorter string
    compares lower.
    """
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    if len(codes) > _CODE_POINTS // 8:  # a table of every code point is quicker than sorting the text
        present = np.zeros(_CODE_POINTS, dtype=np.int32)
        present[codes] = 1
        ranks = np.cumsum(present, dtype=np.int32)  # a character's rank, from 1
        distinct = int(ranks[-1])
        ids = ranks[codes].astype(np.int64)
        del present, ranks
    else:
        alphabet = np.unique(codes)
        distinct = len(alphabet)
        ids = np.searchsorted(alphabet, codes).astype(np.int64) + 1
    del codes
    bits = distinct.bit_length()
    width = min(MAX_WIDTH, 63 // bits)
    keys = np.zeros(len(ids), dtype=np.int64)
    for i in range(width):
        keys <<= bits
        if i < len(ids):
            keys[:len(ids) - i] |= ids[i:]
    del ids
    dtype = np.int32 if len(text) < 2**31 else np.int64
    return width, np.argsort(keys).astype(dtype)
