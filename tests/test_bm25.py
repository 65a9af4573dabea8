"""Our BM25 against rank_bm25 0.2.2, the reference: same scores, same top-10, on random corpora."""

from __future__ import annotations

import random

import numpy as np
import pytest
from rank_bm25 import BM25L, BM25Okapi, BM25Plus

from index.bm25 import BM25

REFERENCE = {"okapi": BM25Okapi, "l": BM25L, "plus": BM25Plus}


def _corpus(seed: int, docs: int, vocabulary: int) -> list[list[str]]:
    rng = random.Random(seed)
    words = [f"w{i}" for i in range(vocabulary)]
    weights = [1 / (i + 1) for i in range(vocabulary)]  # Zipf-like, so some terms are in most documents
    return [rng.choices(words, weights, k=rng.randint(1, 30)) for _ in range(docs)]


@pytest.mark.parametrize("variant", ["okapi", "l", "plus"])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_scores_and_top10_match_rank_bm25(variant: str, seed: int):
    corpus = _corpus(seed, docs=300, vocabulary=200)
    ours = BM25.build(corpus, variant=variant)
    reference = REFERENCE[variant](corpus)
    rng = random.Random(seed + 100)
    for _ in range(20):
        query = rng.choices([f"w{i}" for i in range(220)], k=rng.randint(1, 5))  # some terms unseen
        expected = reference.get_scores(query)
        got = ours.scores(query)
        assert np.allclose(got, expected, atol=1e-9)
        top = lambda s: list(np.lexsort((np.arange(len(s)), -np.round(s, 9)))[:10])  # noqa: E731
        assert top(got) == top(expected)


def test_common_terms_never_score_negative_in_the_default_variant():
    corpus = [["a", "b"], ["a", "c"], ["a", "d"]]
    scores = BM25.build(corpus).scores(["a"])
    assert (scores > 0).all()
    assert (BM25.build(corpus, variant="okapi").scores(["a"]) <= 0).all()  # the pitfall we avoid


def test_empty_corpus_and_unknown_terms():
    assert BM25.build([]).scores(["x"]).shape == (0,)
    index = BM25.build([["a"], ["b"]])
    assert (index.scores(["zzz"]) == 0).all()


def test_unknown_variant_is_refused():
    with pytest.raises(ValueError):
        BM25.build([["a"]], variant="bm99")
