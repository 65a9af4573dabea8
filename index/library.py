"""The whole answering path in one object: articles → passages → index → answers.

Every channel (Telegram, the REPL, the JSON command line) holds one Library
and calls `ask`; nothing about ranking lives outside the index package.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from index.answer import Answer, Hit, make_hit
from index.documents import Document, load_documents
from index.passages import Passage, build_passages
from index.search import MAX_QUESTION_CHARS, Searcher

DEFAULT_SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def seeds_folder(explicit: str | os.PathLike | None = None) -> Path:
    """--seeds beats ARTICLE_DIR beats the bundled seeds/ folder."""
    if explicit:
        return Path(explicit)
    if os.environ.get("ARTICLE_DIR"):
        return Path(os.environ["ARTICLE_DIR"])
    return DEFAULT_SEEDS


@dataclass
class Library:
    """The loaded articles and their index."""

    documents: list[Document]
    passages: list[Passage]
    searcher: Searcher

    @classmethod
    def load(cls, folder: str | os.PathLike | None = None) -> "Library":
        documents = load_documents(seeds_folder(folder))
        return cls.from_documents(documents)

    @classmethod
    def from_documents(cls, documents: list[Document]) -> "Library":
        passages = build_passages(documents)
        return cls(documents=documents, passages=passages, searcher=Searcher(passages))

    @property
    def titles(self) -> list[str]:
        return [d.title for d in self.documents]

    def ask(self, question: str, k: int = 3) -> Answer:
        """The best passage and up to k-1 alternatives, or a reasoned refusal with near misses."""
        k = max(1, k)
        truncated = len(question) > MAX_QUESTION_CHARS
        if not question.strip():
            return Answer(question=question, answered=False, hits=(), reason="empty", truncated=truncated)
        query = self.searcher.query(question)
        ranked = self.searcher.rank(query, limit=k)
        decision = self.searcher.decide(query, ranked)
        terms = {t: w * self.searcher.words.idf_weight(t) for t, w in query.words.items()}
        hits = tuple(make_hit(self.passages[r.row], r.score, terms) for r in ranked[:k])
        return Answer(question=question, answered=decision.answered, hits=hits, reason=decision.reason,
                      truncated=truncated)

    def get(self, passage_id: str) -> Passage | None:
        return next((p for p in self.passages if p.id == passage_id), None)

    def neighbours(self, passage_id: str, radius: int = 1) -> list[Passage]:
        """The passage with up to `radius` passages of the same document on each side."""
        for i, passage in enumerate(self.passages):
            if passage.id == passage_id:
                same = [p for p in self.passages[max(0, i - radius): i + radius + 1] if p.document == passage.document]
                return same
        return []

    def hit_for(self, question: str, passage_id: str) -> Hit | None:
        """The hit for a given passage under a question (for paging through alternatives)."""
        answer = self.ask(question, k=len(self.passages))
        return next((h for h in answer.hits if h.passage.id == passage_id), None)


def example_questions(library: Library, count: int = 3) -> list[str]:
    """Questions this article can answer, made from its own salient words, spread over the article.

    Each candidate is asked for real and kept only if the library answers it,
    so a suggestion never leads a reader into a refusal.
    """
    body = [(i, p) for i, p in enumerate(library.passages) if p.kind == "body"]
    if not body:
        return []
    step = max(1, len(body) // (count * 2))
    found: list[str] = []
    used: set[str] = set()
    for i, _ in body[::step] + body:
        term = _salient_term(library, i, used)
        if term is None:
            continue
        used.add(term)
        question = f"关于“{term}”，文章里怎么说？"
        if library.ask(question, k=1).answered:
            found.append(question)
        if len(found) >= count:
            break
    return found


def _salient_term(library: Library, row: int, used: set[str]) -> str | None:
    index = library.searcher.words
    tokens = library.searcher.word_tokens[row]
    candidates = [t for t in dict.fromkeys(tokens)
                  if len(t) >= 2 and not any(ch.isdigit() for ch in t) and t not in used and t.isalpha()]
    if not candidates:
        return None
    return max(candidates, key=lambda t: (float(index.weights[t].max()) if t in index.weights else 0.0, -tokens.index(t)))
