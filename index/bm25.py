"""BM25 over tokenized passages, with each term's weights precomputed.

rank_bm25 recomputes every passage's score term by term at query time; here
each term keeps a postings list (passage rows, precomputed weights), so a
question costs only the postings of its own terms.  The formulas follow
rank_bm25 0.2.2 exactly for its three variants (tests hold the two side by
side), and add one of our own:

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
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

VARIANTS = ("okapi", "l", "plus", "lucene")


@dataclass
class BM25:
    """An inverted BM25 index: term → (passage rows, weights), plus a per-term baseline."""

    variant: str = "lucene"
    k1: float = 1.5
    b: float = 0.75
    delta: float = 0.5  # BM25L/BM25Plus; rank_bm25 defaults: L 0.5, Plus 1
    epsilon: float = 0.25  # BM25Okapi's IDF floor
    size: int = 0
    rows: dict[str, np.ndarray] = field(default_factory=dict)
    weights: dict[str, np.ndarray] = field(default_factory=dict)
    baseline: dict[str, float] = field(default_factory=dict)

    @classmethod
    def build(cls, corpus: list[list[str]], variant: str = "lucene", k1: float = 1.5, b: float = 0.75,
              delta: float | None = None, epsilon: float = 0.25) -> "BM25":
        if variant not in VARIANTS:
            raise ValueError(f"unknown BM25 variant {variant!r}; one of {VARIANTS}")
        if delta is None:
            delta = 1.0 if variant == "plus" else 0.5
        index = cls(variant=variant, k1=k1, b=b, delta=delta, epsilon=epsilon, size=len(corpus))
        if not corpus:
            return index
        lengths = np.array([len(doc) for doc in corpus], dtype=np.float64)
        average = lengths.mean() or 1.0
        norm = 1 - b + b * lengths / average
        postings: dict[str, tuple[list[int], list[int]]] = {}
        for row, doc in enumerate(corpus):
            for term, count in Counter(doc).items():
                rows, counts = postings.setdefault(term, ([], []))
                rows.append(row)
                counts.append(count)
        idf = index._idf({term: len(rows) for term, (rows, _) in postings.items()})
        for term, (rows, counts) in postings.items():
            r = np.array(rows, dtype=np.int32)
            f = np.array(counts, dtype=np.float64)
            index.rows[term] = r
            index.weights[term], index.baseline[term] = index._term_weights(idf[term], f, norm[r])
        return index

    def _idf(self, df: dict[str, int]) -> dict[str, float]:
        n = self.size
        if self.variant == "okapi":
            idf = {t: math.log(n - d + 0.5) - math.log(d + 0.5) for t, d in df.items()}
            floor = self.epsilon * (sum(idf.values()) / len(idf)) if idf else 0.0
            return {t: (floor if v < 0 else v) for t, v in idf.items()}
        if self.variant == "l":
            return {t: math.log(n + 1) - math.log(d + 0.5) for t, d in df.items()}
        if self.variant == "plus":
            return {t: math.log((n + 1) / d) for t, d in df.items()}
        return {t: math.log(1 + (n - d + 0.5) / (d + 0.5)) for t, d in df.items()}

    def _term_weights(self, idf: float, f: np.ndarray, norm: np.ndarray) -> tuple[np.ndarray, float]:
        """Weights for passages containing the term, minus the baseline every passage gets."""
        k1, delta = self.k1, self.delta
        if self.variant == "l":
            # rank_bm25 0.2.2 multiplies by the term frequency, so a passage without the term gets 0
            ctd = f / norm
            return idf * f * (k1 + 1) * (ctd + delta) / (k1 + ctd + delta), 0.0
        if self.variant == "plus":
            base = idf * delta
            return idf * (delta + f * (k1 + 1) / (k1 * norm + f)) - base, base
        return idf * f * (k1 + 1) / (f + k1 * norm), 0.0

    @property
    def vocabulary(self) -> set[str]:
        return set(self.rows)

    def idf_weight(self, term: str) -> float:
        """The largest weight a term gives any passage: how much finding it is worth."""
        weights = self.weights.get(term)
        return float(weights.max()) + self.baseline.get(term, 0.0) if weights is not None else 0.0

    def scores(self, query: dict[str, float] | list[str]) -> np.ndarray:
        """Score every passage; a list counts repeated terms as rank_bm25 does, a dict gives weights."""
        if isinstance(query, list):
            query = dict(Counter(query))
        out = np.zeros(self.size)
        for term, weight in query.items():
            rows = self.rows.get(term)
            if rows is None:
                continue
            out[rows] += weight * self.weights[term]
            if self.baseline.get(term):
                out += weight * self.baseline[term]
        return out
