"""Our BM25 against rank_bm25 0.2.2, the reference: same scores, same top-10, on random corpora."""

from __future__ import annotations

import random

import numpy as np
import pytest
from rank_bm25 import BM25L, BM25Okapi, BM25Plus

from index.bm25 import BM25, Corpus, _postings

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


def _reference_top10(scores: np.ndarray) -> list[int]:
    """rank_bm25's ranking: best first, equal scores in row order; only passages with a positive score."""
    rounded = np.round(scores, 9)
    order = [int(r) for r in np.lexsort((np.arange(len(scores)), -rounded)) if scores[r] > 0]
    return order[:10]


@pytest.mark.parametrize("variant", ["okapi", "l", "plus"])
def test_top10_matches_rank_bm25_with_ties(variant: str):
    """Many short documents from a small vocabulary: plenty of exactly equal scores to order by row."""
    rng = random.Random(7)
    corpus = [rng.choices([f"w{i}" for i in range(12)], k=rng.randint(1, 4)) for _ in range(400)]
    corpus += [["w1", "w2"]] * 30  # identical documents tie exactly
    ours = BM25.build(corpus, variant=variant, k1=1.2, b=0.5)
    reference = REFERENCE[variant](corpus, k1=1.2, b=0.5)
    for _ in range(30):
        query = rng.choices([f"w{i}" for i in range(14)], k=rng.randint(1, 4))
        expected = reference.get_scores(query)
        rows, scores = ours.top(query, 10)
        assert [int(r) for r in rows] == _reference_top10(expected)
        assert np.allclose(scores, expected[rows], atol=1e-9)


def test_top_selects_exactly_like_a_full_sort():
    rng = np.random.default_rng(3)
    from index.bm25 import top_k

    for size, k in ((0, 5), (5, 10), (1000, 1), (1000, 10), (1000, 1000), (5000, 1), (5000, 10), (5000, 3000)):
        scores = np.round(rng.random(size) * 4, 1) - 1  # negatives, zeros and many ties
        rows, values = top_k(scores, k)
        expected = [r for r in np.lexsort((np.arange(size), -scores)) if scores[r] > 0][:k]
        assert rows.tolist() == expected and values.tolist() == scores[expected].tolist()


def _dict_index(corpus: list[list[str]], k1: float, b: float) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """The default ('lucene') variant the plain way: a dict of postings, term by term."""
    from collections import Counter
    import math

    lengths = np.array([len(d) for d in corpus], dtype=np.float64)
    norm = 1 - b + b * lengths / (lengths.mean() or 1.0)
    postings: dict[str, tuple[list[int], list[int]]] = {}
    for row, doc in enumerate(corpus):
        for term, count in Counter(doc).items():
            postings.setdefault(term, ([], []))[0].append(row)
            postings[term][1].append(count)
    rows, weights = {}, {}
    for term, (r, c) in postings.items():
        idf = math.log(1 + (len(corpus) - len(r) + 0.5) / (len(r) + 0.5))
        f = np.array(c, dtype=np.float64)
        rows[term] = np.array(r)
        weights[term] = idf * f * (k1 + 1) / (f + k1 * norm[r])
    return rows, weights


def test_default_variant_views_and_weights_are_exactly_the_plain_computation():
    corpus = _corpus(5, docs=500, vocabulary=300) + [[]]
    ours = BM25.build(corpus, k1=1.2, b=0.5)
    rows, weights = _dict_index(corpus, k1=1.2, b=0.5)
    assert list(ours.rows) == list(rows) and len(ours.rows) == len(rows) and ours.vocabulary == set(rows)
    for term in rows:
        assert term in ours.rows and term in ours.weights
        assert ours.rows[term].tolist() == rows[term].tolist() and ours.rows.get(term).tolist() == rows[term].tolist()
        assert ours.weights[term].tobytes() == weights[term].tobytes()  # bit for bit
        assert ours.idf_weight(term) == float(weights[term].max())
        assert ours.document_frequency(term) == len(rows[term])
        assert ours.baseline[term] == 0.0
    assert "nope" not in ours.rows and ours.rows.get("nope") is None and ours.idf_weight("nope") == 0.0
    query = {"w1": 1.0, "w7": 0.8, "w250": 0.5, "nope": 1.0}
    expected = np.zeros(len(corpus))
    for term, weight in query.items():
        if term in rows:
            expected[rows[term]] += weight * weights[term]
    assert ours.scores(query).tobytes() == expected.tobytes()


def test_an_index_survives_pickling():
    import pickle

    corpus = _corpus(9, docs=200, vocabulary=100)
    ours = BM25.build(corpus, variant="plus")
    again = pickle.loads(pickle.dumps(ours, protocol=pickle.HIGHEST_PROTOCOL))
    query = ["w1", "w3", "w3", "w99"]
    assert again.scores(query).tobytes() == ours.scores(query).tobytes()
    assert again.top(query, 5)[0].tolist() == ours.top(query, 5)[0].tolist()


def _random_terms(rng: random.Random, count: int) -> list[str]:
    alphabet = "东湖街道社区ab1\U00020000\U0010ffff"
    return list(dict.fromkeys("".join(rng.choice(alphabet) for _ in range(rng.randint(1, 7))) for _ in range(count)))


@pytest.mark.parametrize("collide", [False, True])
def test_term_ids_answer_as_the_dict(monkeypatch, collide):
    import pickle

    from index import bm25

    if collide:  # every term longer than three characters gets the same key: found by comparing the terms
        monkeypatch.setattr(bm25, "_term_key", lambda t, key=bm25._term_key: key(t) if len(t) <= 3 else -1)
    rng = random.Random(5)
    terms = {term: column for column, term in enumerate(_random_terms(rng, 3000))}
    ids = pickle.loads(pickle.dumps(bm25.TermIds(terms), protocol=pickle.HIGHEST_PROTOCOL))
    assert list(ids) == list(terms) and len(ids) == len(terms) and ids == terms
    assert [ids.name(c) for c in range(len(terms))] == list(terms) == list(ids.names) == ids.names_of(list(range(len(terms))))
    assert ids.names[-1] == list(terms)[-1] and ids.names[1:3] == list(terms)[1:3]
    for term in list(terms) + _random_terms(random.Random(6), 3000) + [""]:
        assert ids.get(term) == terms.get(term) and (term in ids) == (term in terms)
        assert ids.get(term, -1) == terms.get(term, -1)
    with pytest.raises(KeyError):
        ids["不在"]


def test_an_index_with_term_ids_scores_the_same():
    from index.bm25 import TermIds

    corpus = _corpus(4, docs=200, vocabulary=150)
    ours = BM25.build(corpus)
    compact = BM25.build(corpus)
    compact.terms = TermIds(compact.terms)
    for query in (["w1", "w3", "w3", "w99"], {"w2": 0.5, "w140": 1.0, "x": 1.0}):
        assert compact.scores(query).tobytes() == ours.scores(query).tobytes()
    assert all(compact.idf_weight(t) == ours.idf_weight(t) for t in ["w1", "w50", "x"])
    assert dict(compact.rows.items()).keys() == dict(ours.rows.items()).keys()


def test_postings_are_what_np_unique_gives_and_a_corpus_indexes_as_its_lists():
    rng = np.random.default_rng(4)
    lengths = rng.integers(0, 12, size=500)
    ids = rng.integers(0, 40, size=int(lengths.sum())).astype(np.int32)
    keys, counts = np.unique(ids.astype(np.int64) * len(lengths) + np.repeat(np.arange(len(lengths)), lengths),
                             return_counts=True)
    columns, rows, got = _postings(ids, lengths)
    assert np.array_equal(columns, keys // len(lengths)) and np.array_equal(rows, keys % len(lengths))
    assert np.array_equal(got, counts) and rows.dtype == np.int32
    corpus = _corpus(5, docs=200, vocabulary=100) + [[]]
    built, from_lists = BM25.build(Corpus.of(corpus)), BM25.build(corpus)
    assert built.terms == from_lists.terms and list(built.terms) == list(from_lists.terms)
    for name in ("indptr", "indices", "data", "bases", "peaks"):
        assert np.array_equal(getattr(built, name), getattr(from_lists, name))
