"""Passages + question → ranked hits, and whether the article answers at all.

Two BM25 fields are searched: jieba words (precise matches, with synonyms
and sound-alikes added for question words the article lacks) and character
bigrams (what segmentation cut differently).  Each field's score is divided
by the most the question could score in it, so the blend and the decision
to decline read the same on any article, long or short.

Declining rests on coverage, not on a raw score: how much of what the
question asks (each word weighted by how specific it is in general Chinese,
from jieba's dictionary frequencies) the article contains at all, and how
much of it the best passage contains.  A question whose specific words the
article never uses (拱墅区, 方舱医院) is not answered by a passage that
merely shares the common ones.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import jieba
import numpy as np

from index.bm25 import BM25
from index.expand import Expander
from index.passages import Passage
from index.tokens import bigrams, normalize, question_text, stopwords, tokenize, words

WORD_SHARE = 0.6  # blend: words field vs bigram field, each normalized per question
MIN_COVERAGE = 0.55  # share of the question's weight the article must contain
MIN_PASSAGE_COVERAGE = 0.35  # share of the question's weight the best passage must contain
MAX_QUESTION_CHARS = 500


@dataclass(frozen=True)
class Ranked:
    """A passage's place in the ranking for one question."""

    row: int
    score: float
    coverage: float  # share of the question's weight found in this passage


@dataclass
class Query:
    """A question in the index's terms: its own words, the expansions, and their bigrams."""

    text: str
    terms: list[str]
    term_weights: dict[str, float]  # general specificity of each question word
    words: dict[str, float]  # words field query, expansions included with weight < 1
    grams: dict[str, float]
    stand_ins: dict[str, dict[str, float]]  # missing question word → article words standing in for it
    found: dict[str, float] = field(default_factory=dict)  # question word → how well the article has it


@dataclass(frozen=True)
class Decision:
    answered: bool
    reason: str  # "ok" | "empty" | "no_words" | "not_in_article"
    coverage: float


def specificity(term: str) -> float:
    """How specific a word is in general Chinese: log inverse frequency in jieba's dictionary.

    Numbers are specific.  A word the dictionary lacks is judged by its known
    parts (建了 is as specific as 建), and only a word with no known part at
    all (a rare name) counts as the rarest.
    """
    if any(ch.isdigit() for ch in term):
        return 12.0
    dictionary = jieba.dt
    if not dictionary.initialized:
        dictionary.initialize()
    frequency = dictionary.FREQ.get(term)
    if not frequency and len(term) > 1:
        parts = [p for p in jieba.lcut(term, HMM=False) if p != term]
        known = [specificity(p) for p in parts if p not in stopwords() and dictionary.FREQ.get(p)]
        if known:
            return max(known)
        if parts and all(p in stopwords() for p in parts):
            return 1.0
    return max(math.log(dictionary.total / (frequency or 1)), 1.0)


def passage_text_for_index(passage: Passage) -> str:
    """What is indexed: the section heading is context for every passage under it."""
    if passage.section and not passage.text.startswith(passage.section):
        return f"{passage.section}\n{passage.text}"
    return passage.text


class Searcher:
    """BM25 over two fields of the passages, with query expansion and a decline rule."""

    def __init__(self, passages: list[Passage], variant: str = "lucene", k1: float = 1.2, b: float = 0.5) -> None:
        self.passages = passages
        texts = [passage_text_for_index(p) for p in passages]
        self.word_tokens = [tokenize(t) for t in texts]
        self.gram_tokens = [bigrams(normalize(t)) for t in texts]
        self.words = BM25.build(self.word_tokens, variant=variant, k1=k1, b=b)
        self.grams = BM25.build(self.gram_tokens, variant=variant, k1=k1, b=b)
        self.expander = Expander(self.words.vocabulary)

    def query(self, question: str) -> Query:
        text = question_text(question[:MAX_QUESTION_CHARS])
        terms = list(dict.fromkeys(words(text)))
        stand_ins = self.expander.stand_ins(terms, text)
        query_words = {t: 1.0 for t in terms}
        for found in stand_ins.values():
            for word, weight in found.items():
                query_words[word] = max(query_words.get(word, 0.0), weight)
        query_grams: dict[str, float] = {}
        for word, weight in query_words.items():
            for gram in bigrams(word):
                query_grams[gram] = max(query_grams.get(gram, 0.0), weight)
        query = Query(text=text, terms=terms, term_weights={t: specificity(t) for t in terms},
                      words=query_words, grams=query_grams, stand_ins=stand_ins)
        query.found = {t: self._found(t, stand_ins.get(t, {})) for t in terms}
        return query

    def _found(self, term: str, stand_ins: dict[str, float]) -> float:
        """1 when the article uses the word; less when only a stand-in or its pieces are there."""
        if term in self.words.rows:
            return 1.0
        return max(max(stand_ins.values(), default=0.0), self._pieces_share(term, self.grams.rows))

    @staticmethod
    def _pieces_share(term: str, grams: object) -> float:
        """A 3+ character word cut differently still counts, a little, for the bigrams of it present."""
        term_grams = bigrams(term)
        if len(term) < 3 or not term_grams:
            return 0.0
        return 0.8 * sum(g in grams for g in term_grams) / len(term_grams)  # type: ignore[operator]

    def rank(self, query: Query) -> list[Ranked]:
        """All passages with any score, best first; ties keep article order."""
        if not query.words:
            return []
        word_scores = _normalized(self.words, query.words)
        gram_scores = _normalized(self.grams, query.grams)
        blended = WORD_SHARE * word_scores + (1 - WORD_SHARE) * gram_scores
        order = np.lexsort((np.arange(len(blended)), -blended))
        return [Ranked(int(r), float(blended[r]), self._passage_coverage(query, int(r)))
                for r in order if blended[r] > 0]

    def _passage_coverage(self, query: Query, row: int) -> float:
        tokens = set(self.word_tokens[row])
        grams = set(self.gram_tokens[row])
        total = sum(query.term_weights.values()) or 1.0
        got = 0.0
        for term, weight in query.term_weights.items():
            if term in tokens:
                got += weight
                continue
            stand_in = max((w for word, w in query.stand_ins.get(term, {}).items() if word in tokens), default=0.0)
            got += weight * max(stand_in, self._pieces_share(term, grams))
        return got / total

    def decide(self, query: Query, ranked: list[Ranked]) -> Decision:
        if not query.terms:
            return Decision(False, "no_words", 0.0)
        total = sum(query.term_weights.values())
        coverage = sum(query.term_weights[t] * query.found[t] for t in query.terms) / total
        if not ranked or coverage < MIN_COVERAGE or ranked[0].coverage < MIN_PASSAGE_COVERAGE:
            return Decision(False, "not_in_article", coverage)
        return Decision(True, "ok", coverage)


def _normalized(index: BM25, query: dict[str, float]) -> np.ndarray:
    """Scores divided by the most this question could score in this field (0 when nothing matches)."""
    scores = index.scores(query)
    best = sum(weight * index.idf_weight(term) for term, weight in query.items())
    return scores / best if best > 0 else scores
