"""The whole answering path in one object: articles → passages → index → answers.

Every channel (Telegram, the REPL, the JSON command line) holds one Library
and calls `ask`; nothing about ranking lives outside the index package.
"""

from __future__ import annotations

import copy
import os
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from index import lexicon, pinyin, tokens
from index.answer import Answer, make_hit
from index.bm25 import BM25, TermIds, TokenRows
from index.cache import IndexCache, articles_key, cache_folder, gc_paused
from index.documents import Document, article_files, over_size_limit, read_documents, warn_skipped
from index.passages import Passage, build_passages
from index.search import MAX_QUESTION_CHARS, Searcher

DEFAULT_SEEDS = Path(__file__).resolve().parent.parent / "seeds"
LAZY_DICTIONARY_BYTES = 2_000_000  # below this much article text, a build reads jieba's dictionary lazily too


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
    skipped: tuple[str, ...] = ()  # why each file of the folder that is no article was left out
    _rows: dict[str, int] | None = field(default=None, repr=False, compare=False)

    @classmethod
    def load(cls, folder: str | os.PathLike | None = None, cache: bool = True) -> "Library":
        """The articles of the folder, indexed; from the on-disk cache when the same articles were indexed
        by the same code before (see index.cache), else built (and saved for next time)."""
        root = seeds_folder(folder)
        files = article_files(root)
        size = sum(s for s in map(_size, files) if not over_size_limit(s))  # a file too large is skipped unread
        if not cache:
            return cls._build(root)
        store = IndexCache(cache_folder())
        try:
            key = _key(root, files)
        except OSError:  # unreadable now: building reports it properly
            return cls._build(root)
        library = store.load(root, key)
        if isinstance(library, cls):
            warn_skipped(library.skipped)  # as the build did: every load says what it left out
            lexicon.install(store.folder)  # jieba's dictionary read as questions need it
            pinyin.install(store.folder)  # characters' syllables without importing pypinyin
            return library
        if size <= LAZY_DICTIONARY_BYTES:
            lexicon.install(store.folder)
        else:
            lexicon.use_full()  # segmenting much text: faster with the whole dictionary in memory
        pinyin.install(store.folder)
        library = cls._build(root)
        try:
            unchanged = _key(root, article_files(root)) == key
        except (OSError, ValueError):
            unchanged = False
        if unchanged:  # an article edited during the build is not saved under the old key
            store.save(root, key, library)
        lexicon.save(store.folder)
        pinyin.save(store.folder)  # once per cache folder and pypinyin
        return library

    @classmethod
    def _build(cls, root: Path) -> "Library":
        """The folder's articles indexed, warning of (and remembering) each file that is no article."""
        documents, skipped = read_documents(root)
        warn_skipped(skipped)
        library = cls.from_documents(documents)
        library.skipped = tuple(skipped)
        return library

    @classmethod
    def from_documents(cls, documents: list[Document]) -> "Library":
        passages = build_passages(documents)
        with _Progress(len(passages)), tokens.shared_segmentation(), gc_paused():
            searcher = Searcher(passages)
        return cls(documents=documents, passages=passages, searcher=searcher)

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
        ranked, decision = self.searcher.search(query, limit=k)
        terms = {t: w * self.searcher.words.idf_weight(t) for t, w in query.words.items()}
        holds = self.searcher.holds_what_is_asked(query)
        hits = tuple(make_hit(self.passages[r.row], r.score, terms, holds) for r in ranked[:k])
        return Answer(question=question, answered=decision.answered, hits=hits, reason=decision.reason,
                      truncated=truncated)

    def _row(self, passage_id: str) -> int | None:
        if self._rows is None:
            rows: dict[str, int] = {}
            for i, passage in enumerate(self.passages):
                rows.setdefault(passage.id, i)
            self._rows = rows
        return self._rows.get(passage_id)

    def get(self, passage_id: str) -> Passage | None:
        row = self._row(passage_id)
        return None if row is None else self.passages[row]

    def neighbours(self, passage_id: str, radius: int = 1) -> list[Passage]:
        """The passage with up to `radius` passages of the same document on each side."""
        i = self._row(passage_id)
        if i is None:
            return []
        passage = self.passages[i]
        return [p for p in self.passages[max(0, i - radius): i + radius + 1] if p.document == passage.document]

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state["_rows"] = None  # rebuilt on demand
        state["searcher"] = _packed(self.searcher, len(self.passages))
        return state


PACK_MIN_ROWS = 5000  # libraries this large save their BM25 term dicts as TermIds


def _packed(searcher: Searcher, passages: int) -> Searcher:
    """The searcher as it is saved when the library is large: the BM25 indexes' term dicts as TermIds,
    which the expander's vocabulary and bigram set (those same dicts) and the token rows share."""
    if passages < PACK_MIN_ROWS:
        return searcher
    replaced: dict[str, object] = {}
    dicts: dict[int, TermIds] = {}  # id of a term dict → its TermIds
    compact: dict[int, BM25] = {}  # id of an index → its copy with TermIds
    for name, value in vars(searcher).items():
        if isinstance(value, BM25) and isinstance(value.terms, dict) and value.terms:
            copied = replaced[name] = compact[id(value)] = copy.copy(value)
            copied.terms = dicts[id(value.terms)] = TermIds(value.terms)
    for name, value in vars(searcher).items():
        if isinstance(value, TokenRows) and id(value.index) in compact:
            replaced[name] = value.on(compact[id(value.index)])
    expander = getattr(searcher, "expander", None)
    if expander is not None and any(id(value) in dicts for value in vars(expander).values()):
        expander = replaced["expander"] = copy.copy(expander)
        for name, value in vars(expander).items():
            if id(value) in dicts:
                setattr(expander, name, dicts[id(value)])
    if not replaced:
        return searcher
    saved = copy.copy(searcher)
    vars(saved).update(replaced)
    return saved


def _key(root: Path, files: list[Path]) -> str:
    """The cache key of the folder's articles; a file over the size limit is keyed by its size, not read."""
    return articles_key(root, files, too_large=over_size_limit)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


class _Progress:
    """A progress line on stderr while an index is built, when stderr is a terminal and the build is large.

    It reads how many passages have been segmented so far (each passage is
    segmented twice: words, then bigrams), then says what is left (expansions).
    """

    MIN_PASSAGES = 2000

    def __init__(self, passages: int) -> None:
        self.passages = passages
        self.shown = passages >= self.MIN_PASSAGES and _stderr_is_terminal()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> "_Progress":
        if self.shown:
            self._start = tokens.segmented()
            self._began = time.monotonic()
            self._thread = threading.Thread(target=self._run, name="index-progress", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._thread is not None:
            self._stop.set()
            self._thread.join()
            self._draw(final=True)

    def _run(self) -> None:
        while not self._stop.wait(0.25):
            self._draw()

    def _draw(self, final: bool = False) -> None:
        done = min(1.0, (tokens.segmented() - self._start) / (2 * self.passages))
        elapsed = time.monotonic() - self._began
        bar = "#" * int(done * 30)
        if final:
            status = "完成 (done)"
        elif done < 1.0:
            left = elapsed / done * (1 - done) if done > 0.02 else None
            status = f"约剩 {left:.0f} s" if left is not None else ""
        else:
            status = "同义词与读音… (synonyms, sounds)"
        line = f"\r建立索引 {self.passages} 段 [{bar:<30}] {done:4.0%} {elapsed:5.0f} s {status}"
        sys.stderr.write(line.ljust(90) + ("\n" if final else ""))
        sys.stderr.flush()


def _stderr_is_terminal() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


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


_TOPIC_TAGS = frozenset({"n", "nz", "nt", "nr", "ns", "vn", "an"})  # jieba's tags for nouns and nominal uses


def _salient_term(library: Library, row: int, used: set[str]) -> str | None:
    """The passage's weightiest word that jieba's dictionary lists as naming a thing (网格, 志愿者): a
    question about 一场 or 正式 asks nothing, and the words jieba does not know are mostly its own
    guesses at a cut (智控促). With no such word, the weightiest word of any kind."""
    index = library.searcher.words
    tokens = library.searcher.word_tokens[row]
    candidates = [t for t in dict.fromkeys(tokens)
                  if len(t) >= 2 and not any(ch.isdigit() for ch in t) and t not in used and t.isalpha()]
    if not candidates:
        return None
    ranked = sorted(candidates, key=lambda t: (-(float(index.weights[t].max()) if t in index.weights else 0.0),
                                               tokens.index(t)))
    return next((t for t in ranked if lexicon.tag_of(t) in _TOPIC_TAGS), ranked[0])
