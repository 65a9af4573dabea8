"""BM25 over tokenized passages, with each term's weights precomputed.

rank_bm25 recomputes every passage's score term by term at query time; here
the weights are computed once, at build, into one compressed sparse column
matrix (passages × terms): for each term, the rows of the passages that
contain it and their weights, side by side in three flat arrays.  A question
costs only the postings of its own terms, and the whole index is a handful of
numpy arrays and one term → column dict, quick to save and to load.

The formulas follow rank_bm25 0.2.2 exactly for its three variants (tests
hold the two side by side), and add one of our own:

- "okapi": rank_bm25's BM25Okapi.  A term in more than half of the passages
  gets a negative IDF, which rank_bm25 floors to epsilon × mean IDF (0 or
  negative on small corpora).
- "l": BM25L as rank_bm25 0.2.2 computes it (times the term frequency, so
  passages without the term get 0; later releases differ).
- "plus": BM25Plus.  Its delta gives passages that do not contain a term a
  positive score for it, a constant per term kept apart as a baseline.
- "lucene": Okapi's saturation with the IDF log(1 + (N - n + 0.5)/(n + 0.5)),
  never negative, so a common word never lowers a score.  The default: on a
  corpus of a few dozen passages half the words are 'common'.
"""

from __future__ import annotations

import math
import zlib
from array import array
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

VARIANTS = ("okapi", "l", "plus", "lucene")
_EMPTY_ROWS = np.zeros(0, dtype=np.int32)
_EMPTY_FLOATS = np.zeros(0, dtype=np.float64)
_SORT_ALL = 1024  # up to this many candidates a full sort is quicker than selecting first


class _Column(Mapping):
    """A read-only term → value view of one of the index's per-term arrays (rows, weights, baseline)."""

    __slots__ = ("_terms", "_get")

    def __init__(self, terms: dict[str, int], get: Callable[[int], object]) -> None:
        self._terms = terms
        self._get = get

    def __getitem__(self, term: str) -> object:
        return self._get(self._terms[term])

    def get(self, term: str, default: object = None) -> object:
        column = self._terms.get(term)
        return default if column is None else self._get(column)

    def __contains__(self, term: object) -> bool:
        return term in self._terms

    def __iter__(self) -> Iterator[str]:
        return iter(self._terms)

    def __len__(self) -> int:
        return len(self._terms)


class TermIds(Mapping):
    """term → column, as the dict BM25.build makes, held in a few arrays and one string.

    A large index has a million terms (character bigrams); unpickling them as a
    dict means creating and hashing a million strings, most of a restart.  Here
    each term is a 63-bit key (up to three characters: their code points side by
    side, so no two terms share one; longer: a CRC-32, confirmed against the
    term), the keys are sorted, and a lookup is a binary search.  Terms are
    iterated in column order, as the dict was.  Recent lookups are remembered.
    """

    MEMO = 65536  # lookups remembered, then forgotten all at once

    def __init__(self, terms: Mapping[str, int]) -> None:
        names = sorted(terms, key=terms.__getitem__)
        if [terms[name] for name in names] != list(range(len(names))):
            raise ValueError("columns must be 0 … n-1")
        self._joined = "".join(names)
        self._offsets = np.zeros(len(names) + 1, dtype=np.int64)
        np.cumsum([len(name) for name in names], out=self._offsets[1:])
        keys = np.fromiter((_term_key(name) for name in names), dtype=np.int64, count=len(names))
        order = np.argsort(keys, kind="stable")
        self._keys = keys[order]
        self._columns = order.astype(np.int32 if len(names) < 2**31 else np.int64)
        self._views()

    def _views(self) -> None:
        self._key_view = memoryview(self._keys)
        self._column_view = memoryview(self._columns)
        self._offset_view = memoryview(self._offsets)
        self._memo: dict[str, int | None] = {}

    def name(self, column: int) -> str:
        """The term of a column."""
        return self._joined[self._offset_view[column]:self._offset_view[column + 1]]

    def names_of(self, columns: list[int]) -> list[str]:
        """The terms of several columns."""
        joined, offsets = self._joined, self._offset_view
        return [joined[offsets[c]:offsets[c + 1]] for c in columns]

    @property
    def names(self) -> Sequence[str]:
        """The terms in column order, each made when asked for."""
        return _Names(self)

    def get(self, term: object, default: object = None) -> object:
        memo = self._memo
        try:
            column = memo[term]  # type: ignore[index]
        except KeyError:
            column = self._find(term) if isinstance(term, str) else None
            if len(memo) >= self.MEMO:
                memo.clear()
            memo[term] = column  # type: ignore[index]
        return default if column is None else column

    def _find(self, term: str) -> int | None:
        key = _term_key(term)
        keys = self._key_view
        at = bisect_left(keys, key)
        while at < len(keys) and keys[at] == key:
            column = self._column_view[at]
            if len(term) <= 3 or self.name(column) == term:
                return column
            at += 1
        return None

    def __getitem__(self, term: str) -> int:
        column = self.get(term)
        if column is None:
            raise KeyError(term)
        return column  # type: ignore[return-value]

    def __contains__(self, term: object) -> bool:
        return self.get(term) is not None

    def __iter__(self) -> Iterator[str]:
        return iter(self.names)

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def __getstate__(self) -> dict:
        return {name: self.__dict__[name] for name in ("_joined", "_offsets", "_keys", "_columns")}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._views()


class _Names(Sequence):
    __slots__ = ("_ids",)

    def __init__(self, ids: TermIds) -> None:
        self._ids = ids

    def __getitem__(self, column):  # type: ignore[override]
        if isinstance(column, slice):
            return [self[c] for c in range(*column.indices(len(self)))]
        if column < 0:
            column += len(self)
        if not 0 <= column < len(self):
            raise IndexError(column)
        return self._ids.name(column)

    def __len__(self) -> int:
        return len(self._ids)


def _term_key(term: str) -> int:
    """Up to three characters: their code points (+1) in base 2**21, never negative; longer: -1 - CRC-32."""
    if len(term) <= 3:
        key = 0
        for ch in term:
            key = (key << 21) | (ord(ch) + 1)
        return key
    return -1 - zlib.crc32(term.encode("utf-8", "surrogatepass"))


class Corpus:
    """Tokenized passages as term ids, added one passage at a time: what BM25.build indexes.

    Terms are numbered in order of first appearance (they become the index's
    columns), and a token is 4 bytes in one flat array.  Kept as Python
    strings in a list per passage, with a set per passage beside them, the
    tokens of 100,000 passages took 1.3 GB of the 2.5 GB a build peaked at.
    """

    def __init__(self) -> None:
        self.terms: dict[str, int] = {}
        self._ids = array("i")  # a C int: np.int32
        self._ends = array("q")

    @classmethod
    def of(cls, rows: Iterable[Iterable[str]]) -> "Corpus":
        corpus = cls()
        for row in rows:
            corpus.add(row)
        return corpus

    def add(self, tokens: Iterable[str]) -> None:
        """The next passage's tokens."""
        terms = self.terms
        assign = terms.setdefault
        self._ids.extend(assign(token, len(terms)) for token in tokens)
        self._ends.append(len(self._ids))

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """Where each passage's ids start (and, last, where the ids end), and the ids: a view of the
        corpus's own, not a copy, so no passage can be added after."""
        offsets = np.zeros(len(self._ends) + 1, dtype=np.int64)
        offsets[1:] = self._ends
        return offsets, np.frombuffer(self._ids, dtype=np.int32)

    def __len__(self) -> int:
        return len(self._ends)


@dataclass
class BM25:
    """An inverted BM25 index: a passages × terms matrix of weights in compressed sparse column form.

    Column c (term `terms[t] == c`) holds rows `indices[indptr[c]:indptr[c + 1]]` (ascending) with
    weights `data[...]` at the same places; `bases[c]` is what every passage gets for the term
    (BM25Plus only) and `peaks[c]` the largest weight in the column.
    """

    variant: str = "lucene"
    k1: float = 1.5
    b: float = 0.75
    delta: float = 0.5  # BM25L/BM25Plus; rank_bm25 defaults: L 0.5, Plus 1
    epsilon: float = 0.25  # BM25Okapi's IDF floor
    size: int = 0
    terms: Mapping[str, int] = field(default_factory=dict)  # a dict, or TermIds (large indexes, as saved)
    indptr: np.ndarray = field(default_factory=lambda: np.zeros(1, dtype=np.int64))
    indices: np.ndarray = field(default_factory=lambda: _EMPTY_ROWS)
    data: np.ndarray = field(default_factory=lambda: _EMPTY_FLOATS)
    bases: np.ndarray = field(default_factory=lambda: _EMPTY_FLOATS)
    peaks: np.ndarray = field(default_factory=lambda: _EMPTY_FLOATS)

    @classmethod
    def build(cls, corpus: "Corpus | list[list[str]]", variant: str = "lucene", k1: float = 1.5, b: float = 0.75,
              delta: float | None = None, epsilon: float = 0.25) -> "BM25":
        """The index of the passages' tokens (its `terms` is the corpus's own dict when given a Corpus)."""
        if variant not in VARIANTS:
            raise ValueError(f"unknown BM25 variant {variant!r}; one of {VARIANTS}")
        if delta is None:
            delta = 1.0 if variant == "plus" else 0.5
        index = cls(variant=variant, k1=k1, b=b, delta=delta, epsilon=epsilon, size=len(corpus))
        if not len(corpus):
            return index
        if not isinstance(corpus, Corpus):
            corpus = Corpus.of(corpus)
        terms = corpus.terms
        offsets, ids = corpus.arrays()
        lengths = np.diff(offsets)
        average = lengths.astype(np.float64).mean() or 1.0
        norm = 1 - b + b * lengths.astype(np.float64) / average

        columns, rows, counts = _postings(ids, lengths)
        df = np.bincount(columns, minlength=len(terms))
        del columns  # a large index's arrays of postings are most of its build's memory: each freed once used
        indptr = np.zeros(len(terms) + 1, dtype=np.int64)
        np.cumsum(df, out=indptr[1:])

        idf = index._idf(list(terms), df)
        f = counts.astype(np.float64)
        del counts
        data, bases = index._term_weights(np.repeat(idf, df), idf, f, norm[rows])
        index.terms = terms
        index.indptr, index.indices, index.data, index.bases = indptr, rows, data, bases
        index.peaks = np.maximum.reduceat(data, indptr[:-1]) if len(data) else _EMPTY_FLOATS
        return index

    def _idf(self, terms: list[str], df: np.ndarray) -> np.ndarray:
        """IDF per term, computed with math.log term by term as rank_bm25 does."""
        n = self.size
        counts = df.tolist()
        if self.variant == "okapi":
            idf = [math.log(n - d + 0.5) - math.log(d + 0.5) for d in counts]
            floor = self.epsilon * (sum(idf) / len(idf)) if idf else 0.0
            idf = [(floor if v < 0 else v) for v in idf]
        elif self.variant == "l":
            idf = [math.log(n + 1) - math.log(d + 0.5) for d in counts]
        elif self.variant == "plus":
            idf = [math.log((n + 1) / d) for d in counts]
        else:
            idf = [math.log(1 + (n - d + 0.5) / (d + 0.5)) for d in counts]
        return np.array(idf, dtype=np.float64)

    def _term_weights(self, idf: np.ndarray, term_idf: np.ndarray, f: np.ndarray,
                      norm: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Weights for the postings (idf per posting), minus the baseline every passage gets (per term)."""
        k1, delta = self.k1, self.delta
        if self.variant == "l":
            # rank_bm25 0.2.2 multiplies by the term frequency, so a passage without the term gets 0
            ctd = f / norm
            return idf * f * (k1 + 1) * (ctd + delta) / (k1 + ctd + delta), np.zeros(len(term_idf))
        if self.variant == "plus":
            base = term_idf * delta
            per_posting = idf * delta
            return idf * (delta + f * (k1 + 1) / (k1 * norm + f)) - per_posting, base
        return idf * f * (k1 + 1) / (f + k1 * norm), np.zeros(len(term_idf))

    # --- term → array views, as dicts of arrays would give them ---------------------------------

    def _rows_of(self, column: int) -> np.ndarray:
        return self.indices[self.indptr[column]:self.indptr[column + 1]]

    def _weights_of(self, column: int) -> np.ndarray:
        return self.data[self.indptr[column]:self.indptr[column + 1]]

    @property
    def rows(self) -> Mapping[str, np.ndarray]:
        """term → rows of the passages that contain it (ascending)."""
        return _Column(self.terms, self._rows_of)

    @property
    def weights(self) -> Mapping[str, np.ndarray]:
        """term → its weights in those passages (same order as rows)."""
        return _Column(self.terms, self._weights_of)

    @property
    def baseline(self) -> Mapping[str, float]:
        """term → what every passage gets for it (non-zero for BM25Plus only)."""
        return _Column(self.terms, lambda column: float(self.bases[column]))

    @property
    def vocabulary(self) -> set[str]:
        return set(self.terms)

    @property
    def nbytes(self) -> int:
        """Bytes held in the arrays (the term dict not counted)."""
        return sum(a.nbytes for a in (self.indptr, self.indices, self.data, self.bases, self.peaks))

    def document_frequency(self, term: str) -> int:
        column = self.terms.get(term)
        return 0 if column is None else int(self.indptr[column + 1] - self.indptr[column])

    def idf_weight(self, term: str) -> float:
        """The largest weight a term gives any passage: how much finding it is worth."""
        column = self.terms.get(term)
        return 0.0 if column is None else float(self.peaks[column]) + float(self.bases[column])

    # --- scoring -----------------------------------------------------------------------------------

    def scores(self, query: dict[str, float] | list[str]) -> np.ndarray:
        """Score every passage; a list counts repeated terms as rank_bm25 does, a dict gives weights."""
        if isinstance(query, list):
            query = dict(Counter(query))
        terms, indptr, indices, data, bases = self.terms, self.indptr, self.indices, self.data, self.bases
        if self.variant != "plus":  # no baselines: all the postings summed at once, in the same order
            rows, values = [], []
            for term, weight in query.items():
                column = terms.get(term)
                if column is not None:
                    start, end = indptr[column], indptr[column + 1]
                    rows.append(indices[start:end])
                    values.append(weight * data[start:end])
            if not rows:
                return np.zeros(self.size)
            return np.bincount(np.concatenate(rows), np.concatenate(values), minlength=self.size)
        out = np.zeros(self.size)
        for term, weight in query.items():
            column = terms.get(term)
            if column is None:
                continue
            start, end = indptr[column], indptr[column + 1]
            out[indices[start:end]] += weight * data[start:end]
            if bases[column]:
                out += weight * bases[column]
        return out

    def top(self, query: dict[str, float] | list[str], k: int = 10) -> tuple[np.ndarray, np.ndarray]:
        """The k best passages with a positive score: (rows, scores), best first, ties in row order."""
        return top_k(self.scores(query), k)


class TokenRows(Sequence):
    """A per-passage list of token lists (or token sets) kept as term ids of a BM25 index's vocabulary.

    Millions of short strings, lists and sets are what made a large library
    take gigabytes to build and seconds to load; as two numpy arrays the same
    data is small and loads at once, and a row is decoded (then kept) only when
    it is asked for.  The lists and the sets of the same tokens share the arrays.
    """

    def __init__(self, index: BM25, offsets: np.ndarray, ids: np.ndarray, as_set: bool) -> None:
        self.index = index
        self.offsets = offsets
        self.ids = ids
        self.as_set = as_set
        self._terms: list[str] | None = None
        self._decoded: dict[int, object] = {}

    @classmethod
    def of(cls, index: BM25, corpus: Corpus) -> tuple["TokenRows", "TokenRows"]:
        """The corpus's token lists and token sets, read through the index built from it.

        Their list of terms by column is made now, with the index: made at the
        first question, a list of a million terms would be young, and the next
        garbage collections would walk it (0.1 s at 100,000 passages).
        """
        offsets, ids = corpus.arrays()
        lists, sets = cls(index, offsets, ids, as_set=False), cls(index, offsets, ids, as_set=True)
        lists._terms = sets._terms = list(corpus.terms)
        return lists, sets

    def on(self, index: BM25) -> "TokenRows":
        """The same rows read through another index of the same terms (one with TermIds, as saved)."""
        return TokenRows(index, self.offsets, self.ids, self.as_set)

    def _decode(self, row: int) -> object:
        columns = self.ids[self.offsets[row]:self.offsets[row + 1]].tolist()
        terms = self.index.terms
        if isinstance(terms, TermIds):
            tokens = terms.names_of(columns)
        else:
            if self._terms is None:
                self._terms = list(terms)
            tokens = [self._terms[i] for i in columns]
        return frozenset(tokens) if self.as_set else tokens

    def __getitem__(self, row):  # type: ignore[override]
        if isinstance(row, slice):
            return [self[i] for i in range(*row.indices(len(self)))]
        if row < 0:
            row += len(self)
        if not 0 <= row < len(self):
            raise IndexError(row)
        value = self._decoded.get(row)
        if value is None:
            value = self._decoded[row] = self._decode(row)
        return value

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __eq__(self, other: object) -> bool:
        return isinstance(other, (list, TokenRows)) and len(self) == len(other) and list(self) == list(other)

    def __reduce__(self):
        return (TokenRows, (self.index, self.offsets, self.ids, self.as_set))


def _postings(ids: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each distinct (term id, row) of the tokens, by term then row, and how often the term is in the row.

    Every token becomes one int64 key (term id × rows + row), sorted in place:
    what np.unique computes, without the copy it sorts, the largest array of a
    large index's build.
    """
    passages = len(lengths)
    keys = ids.astype(np.int64)
    keys *= passages
    keys += np.repeat(np.arange(passages, dtype=np.int64), lengths)
    keys.sort()
    first = np.ones(len(keys), dtype=bool)  # where a key differs from the one before
    np.not_equal(keys[1:], keys[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    counts = np.diff(starts, append=len(keys))
    keys = keys[starts]
    return keys // passages, (keys % passages).astype(np.int32), counts


def top_k(scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows of the k highest positive scores and the scores, best first; equal scores keep row order.

    Among many candidates, selection is linear (argpartition) and only the k
    chosen are sorted; at the boundary, among rows scoring exactly the k-th
    best score, the first rows win.  A few candidates are simply sorted.
    """
    rows = np.flatnonzero(scores > 0)
    if k <= 0 or not len(rows):
        return _EMPTY_ROWS.astype(np.int64), _EMPTY_FLOATS
    values = scores[rows]
    if len(rows) > max(k, _SORT_ALL):
        kth = values[np.argpartition(-values, k - 1)[k - 1]]
        above = values > kth
        tied = np.flatnonzero(values == kth)[: k - int(above.sum())]
        keep = np.concatenate((np.flatnonzero(above), tied))
        rows, values = rows[keep], values[keep]
    order = np.lexsort((rows, -values))[:k]
    return rows[order], values[order]
