"""The records ranking and declining pass between them: a question in the index's terms (Query), a
passage's place in the ranking (Ranked) and whether the article answers (Decision)."""

from __future__ import annotations

from dataclasses import dataclass, field


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
    wants_number: bool = False  # the question asks how many / how much
    found: dict[str, float] = field(default_factory=dict)  # question word → how well the article has it
    counted: dict[str, float] = field(default_factory=dict)  # how-many questions: the thing counted, its stand-ins


# the reasons a whole message of small talk gets (你好, 谢谢, 再见, 好的): each channel replies in kind
SMALL_TALK = frozenset({"greeting", "thanks", "farewell", "acknowledged"})


@dataclass(frozen=True)
class Decision:
    answered: bool
    reason: str  # "ok" | "partial" (answered, less than half the question found) | "empty" | "no_words" (no words
    # at all) | "vague" (only question words: 为什么) | SMALL_TALK (greeting, thanks…) | "not_in_article"
    coverage: float
