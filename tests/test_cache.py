"""The on-disk index cache, the lazily read jieba dictionary, the saved pinyin table and the quick-import switches.

None of them may change an answer: a cached library answers as a built one,
a changed article or damaged file is rebuilt, the lazy dictionary holds
jieba's own values, the pinyin table pypinyin's, and pypinyin without its
phrase table reads single characters as with it.
"""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import jieba
import pytest

import index.library as library_module
from index import cache, lexicon, pinyin, tokens
from index.bm25 import TermIds
from index.library import Library

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = "东湖街道\n\n东湖街道辖区共有小区80个，志愿者2138人。\n\n街道还开展了核酸检测，共检测440人。\n"
QUESTIONS = ["东湖街道有多少个小区", "志愿者有多少人", "检测了多少人", "拱墅区有多少个网格"]


def _answers(library: Library) -> list:
    return [(a.answered, a.reason, [(h.passage.id, h.score, h.sentence, h.spans) for h in a.hits])
            for a in (library.ask(q) for q in QUESTIONS)]


@pytest.fixture
def article(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "a.txt").write_text(ARTICLE, encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def bucket_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """jieba's dictionary as a bucket file, written once (from jieba's own full loading)."""
    lexicon.use_full()
    folder = tmp_path_factory.mktemp("lexicon")
    assert lexicon.save(folder)
    return folder / lexicon.file_name()


@pytest.fixture(scope="session")
def pinyin_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The characters' syllables as a table file, written once."""
    folder = tmp_path_factory.mktemp("pinyin")
    assert pinyin.save(folder)
    return folder / pinyin.file_name()


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bucket_file: Path, pinyin_file: Path) -> Path:
    """An index cache folder of the test's own, holding the jieba bucket file and the pinyin table already."""
    folder = tmp_path / "cache"
    folder.mkdir()
    os.link(bucket_file, folder / bucket_file.name)
    os.link(pinyin_file, folder / pinyin_file.name)
    monkeypatch.setenv(cache.ENV, str(folder))
    return folder


def _entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.pickle"))


def _count_builds(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    builds: list[int] = []
    original = Library.from_documents.__func__  # type: ignore[attr-defined]

    def counting(cls, documents):
        builds.append(1)
        return original(cls, documents)

    monkeypatch.setattr(Library, "from_documents", classmethod(counting))
    return builds


def test_a_saved_library_is_loaded_not_rebuilt_and_answers_the_same(article, store, monkeypatch):
    builds = _count_builds(monkeypatch)
    built = Library.load(article)
    assert len(builds) == 1 and len(_entries(store)) == 1
    again = Library.load(article)
    assert len(builds) == 1, "the second load must come from the cache"
    assert _answers(again) == _answers(built) == _answers(Library.load(article, cache=False))
    assert again.get(built.passages[1].id) == built.passages[1]


def test_an_edited_article_is_rebuilt_and_its_old_entry_removed(article, store, monkeypatch):
    builds = _count_builds(monkeypatch)
    Library.load(article)
    first = _entries(store)
    (article / "a.txt").write_text(ARTICLE.replace("80", "95"), encoding="utf-8")
    edited = Library.load(article)
    assert len(builds) == 2
    assert "95" in edited.ask("东湖街道有多少个小区").hits[0].passage.text
    assert _entries(store) != first and len(_entries(store)) == 1
    (article / "b.md").write_text("另一篇\n\n新的文章讲公园里新修了三座桥。\n", encoding="utf-8")
    assert any("桥" in p.text for p in Library.load(article).passages) and len(builds) == 3


def test_a_skipped_file_is_warned_of_on_every_load_the_cached_one_too(article, store, monkeypatch, caplog):
    """A binary file beside the article: each load, built or from the cache, warns of it once."""
    (article / "fake.txt").write_bytes(b"\x00\x01binary" * 100)
    builds = _count_builds(monkeypatch)
    for _ in range(2):
        caplog.clear()
        library = Library.load(article)
        assert [d.name for d in library.documents] == ["a"]
        assert [r.getMessage()[:10] for r in caplog.records if r.levelname == "WARNING"] == ["fake.txt: "]
    assert len(builds) == 1 and len(_entries(store)) == 1


def test_a_file_over_the_size_limit_is_skipped_on_every_load_and_never_read(article, store, monkeypatch, caplog):
    """It is keyed by its size alone: reading it would cost what the limit spares. Grown under the limit,
    it is an article (the key changed)."""
    monkeypatch.setattr("index.documents.MAX_FILE_BYTES", 1000)
    (article / "big.txt").write_text("大文件\n\n" + "公园里新修了三座桥。" * 60, encoding="utf-8")
    builds = _count_builds(monkeypatch)
    read_bytes = Path.read_bytes

    def never_the_big_one(path: Path) -> bytes:
        assert path.name != "big.txt", "a file over the limit was read"
        return read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", never_the_big_one)
    for _ in range(2):
        caplog.clear()
        library = Library.load(article)
        assert [d.name for d in library.documents] == ["a"]
        [warning] = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
        assert warning.startswith("big.txt: 文件过大 (")
    assert len(builds) == 1 and len(_entries(store)) == 1
    monkeypatch.setattr("index.documents.MAX_FILE_BYTES", 10_000)
    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    assert [d.name for d in Library.load(article).documents] == ["a", "big"] and len(builds) == 2


def test_a_damaged_entry_is_rebuilt(article, store, monkeypatch):
    built = Library.load(article)
    [entry] = _entries(store)
    for damage in (b"", b"not a pickle at all", entry.read_bytes()[:100], pickle.dumps(("other", "key"))):
        entry.write_bytes(damage)
        builds = _count_builds(monkeypatch)
        assert _answers(Library.load(article)) == _answers(built)
        assert builds == [1] and entry.exists() and entry.read_bytes() != damage


def test_an_unwritable_cache_folder_falls_back_to_building_in_memory(article, tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv(cache.ENV, str(blocker / "cache"))  # cannot be created: a file is in the way
    builds = _count_builds(monkeypatch)
    first = Library.load(article)
    assert _answers(Library.load(article)) == _answers(first)
    assert len(builds) == 2


def test_the_key_covers_folder_contents_and_code(article, tmp_path, monkeypatch):
    files = sorted(article.iterdir())
    key = cache.articles_key(article, files)
    assert cache.articles_key(article, files) == key
    copy = tmp_path / "copy"
    copy.mkdir()
    (copy / "a.txt").write_bytes((article / "a.txt").read_bytes())
    assert cache.articles_key(copy, sorted(copy.iterdir())) != key  # passages remember their file path
    (article / "a.txt").write_text(ARTICLE + "\n", encoding="utf-8")
    assert cache.articles_key(article, files) != key
    package = tmp_path / "package"
    package.mkdir()
    for source in Path(cache.__file__).parent.glob("*.py"):
        (package / source.name).write_bytes(source.read_bytes())
    monkeypatch.setattr(cache, "_PACKAGE", package)
    cache.code_key.cache_clear()
    try:
        before = cache.code_key()
        (package / "search.py").write_text((package / "search.py").read_text() + "\n# tuned\n")
        cache.code_key.cache_clear()
        assert cache.code_key() != before
    finally:
        cache.code_key.cache_clear()


def test_progress_is_drawn_only_on_a_terminal(article, store, monkeypatch, capsys):
    Library.load(article, cache=False)
    assert capsys.readouterr().err == ""
    monkeypatch.setattr(library_module, "_stderr_is_terminal", lambda: True)
    monkeypatch.setattr(library_module._Progress, "MIN_PASSAGES", 1)
    Library.load(article, cache=False)
    err = capsys.readouterr().err
    assert "建立索引" in err and "100%" in err and err.endswith("\n")


def test_shared_segmentation_gives_the_same_tokens():
    texts = ["东湖街道辖区共有小区80个", "志愿者服务超过145056小时", "东湖街道辖区共有小区80个"]
    alone = [(tokens.tokenize(t), tokens.bigrams(tokens.normalize(t))) for t in texts]
    with tokens.shared_segmentation():
        shared = [(tokens.tokenize(t), tokens.bigrams(tokens.normalize(t))) for t in texts]
    assert shared == alone


# --- jieba's dictionary, read lazily ------------------------------------------------------------

def test_lazy_freq_behaves_as_the_dict_it_was_written_from(tmp_path):
    freq = {"东": 10, "东湖": 5, "东湖街": 0, "东湖街道": 3, "a": 1, "ab": 0, "小区": 7, "小": 20}
    path = tmp_path / "d.dict"
    lexicon.write(path, freq, 46)
    fallbacks: list[int] = []
    lazy = lexicon.LazyFreq(path, lambda: fallbacks.append(1) or dict(freq))
    assert lazy.total == 46 and lazy.loaded == 0
    for word in list(freq) + ["东西", "zz", "", "湖"]:
        assert (word in lazy) == (word in freq)
        assert lazy.get(word) == freq.get(word)
        assert lazy.get(word, -1) == freq.get(word, -1)
        if word in freq:
            assert lazy[word] == freq[word]
        else:
            with pytest.raises(KeyError):
                lazy[word]
    assert 5 not in lazy
    lazy["东风"] = 2
    assert lazy["东风"] == 2
    assert dict.fromkeys(lazy) .keys() == {**freq, "东风": 2}.keys() and len(lazy) == len(freq) + 1
    assert fallbacks == []


def test_a_damaged_bucket_falls_back_to_the_full_dictionary(tmp_path):
    freq = {"东": 10, "东湖": 5, "小": 20}
    path = tmp_path / "d.dict"
    lexicon.write(path, freq, 35)
    data = bytearray(path.read_bytes())
    data[-1] ^= 0xFF  # the last bucket's last byte
    path.write_bytes(bytes(data))
    full = dict(freq)
    lazy = lexicon.LazyFreq(path, lambda: full)
    assert all(lazy.get(w) == freq[w] for w in freq)
    header = bytearray(path.read_bytes())
    header[30] ^= 0xFF
    path.write_bytes(bytes(header))
    with pytest.raises((ValueError, EOFError, TypeError)):
        lexicon.LazyFreq(path, lambda: full)


def test_the_lazy_dictionary_is_jiebas_own(bucket_file):
    """Every entry and the total as jieba loads them, so segmentation and frequencies are the same."""
    lexicon.use_full()
    full = jieba.dt
    path = bucket_file
    lazy = jieba.Tokenizer()
    lazy.FREQ = lexicon.LazyFreq(path, lambda: pytest.fail("no fallback expected"))
    lazy.total = lazy.FREQ.total
    lazy.initialized = True
    assert lazy.total == full.total
    words = list(full.FREQ.items())
    assert all(lazy.FREQ.get(w) == f for w, f in words[::7])
    text = (ROOT / "seeds").glob("*.txt").__next__().read_text(encoding="utf-8")
    text += "拱墅区方舱医院自原者发烧了怎么办？進出檢查過的人次總共多少"
    assert lazy.lcut(text) == full.lcut(text)
    assert lazy.lcut(text, HMM=False) == full.lcut(text, HMM=False)


def test_a_library_from_the_cache_reads_jiebas_dictionary_lazily(article, store):
    lexicon.use_full()
    expected = [[a.answered] + [h.passage.id for h in a.hits] for a in map(Library.load(article).ask, QUESTIONS)]
    script = f"""
import json, sys
import jieba
from index.library import Library
library = Library.load({str(article)!r})
answers = [[a.answered] + [h.passage.id for h in a.hits] for a in map(library.ask, {QUESTIONS!r})]
print(json.dumps([type(jieba.dt.FREQ).__name__, "pypinyin" in sys.modules, answers]))
"""
    run = lambda: json.loads(subprocess.run(  # noqa: E731
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True).stdout)
    assert run() == ["LazyFreq", False, expected]  # from the cache filled above; syllables from the table
    [entry] = _entries(store)
    entry.unlink()
    assert run() == ["LazyFreq", False, expected]  # built afresh, the lazy dictionary segmenting the article


# --- quick imports ------------------------------------------------------------------------------

def test_pypinyin_without_phrases_reads_single_characters_as_with_them():
    from index.expand import fuzzy_pinyin

    pinyin.lazy_pinyin()  # imports pypinyin without the phrase table (unless a test imported it before)

    text = "".join(sorted(set((ROOT / "seeds").glob("*.txt").__next__().read_text(encoding="utf-8"))))
    text += "银行长重行乐还传会了着的地得朝藏参差都"
    script = ("from pypinyin import lazy_pinyin; import sys, json; "
              "print(json.dumps([lazy_pinyin(c, errors='ignore') for c in sys.argv[1]]))")
    with_phrases = subprocess.run([sys.executable, "-c", script, text], capture_output=True, text=True,
                                  check=True).stdout
    from pypinyin import lazy_pinyin

    assert json.loads(with_phrases) == [lazy_pinyin(c, errors="ignore") for c in text]
    assert fuzzy_pinyin("自原者") == fuzzy_pinyin("志愿者")


def test_the_pinyin_table_is_pypinyins_own(tmp_path, monkeypatch):
    monkeypatch.setattr(pinyin, "RANGES", ((0x4E00, 0x5200), (0x3400, 0x3420)))
    monkeypatch.setattr(pinyin, "_table", None)
    lazy_pinyin = pinyin.lazy_pinyin()
    assert pinyin.save(tmp_path)
    path = tmp_path / pinyin.file_name()
    expected = {ch: (lazy_pinyin(ch, errors="ignore") or [None])[0]
                for start, end in pinyin.RANGES for ch in map(chr, range(start, end))}
    assert pinyin._table == expected
    monkeypatch.setattr(pinyin, "_table", None)
    monkeypatch.setattr(pinyin, "_lazy_pinyin", lambda *a, **k: pytest.fail("pypinyin asked"))
    assert pinyin.install(tmp_path) and pinyin._table == expected
    assert all(pinyin.syllable(ch) == value for ch, value in expected.items())
    monkeypatch.setattr(pinyin, "_lazy_pinyin", lazy_pinyin)
    assert pinyin.syllable("\u9fa0") == lazy_pinyin("\u9fa0", errors="ignore")[0]  # not in the table: asked
    monkeypatch.setattr(pinyin, "_table", None)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    assert not pinyin.install(tmp_path) and pinyin._table is None  # damaged: pypinyin is asked instead
    path.unlink()
    assert not pinyin.install(tmp_path)


def test_the_switches_are_undone_after_the_imports():
    pinyin.lazy_pinyin()
    assert sys.modules.get("pkg_resources", "absent") is not None  # importable again by anyone
    assert "PYPINYIN_NO_PHRASES" not in os.environ


def test_a_large_library_saves_its_token_lists_as_arrays_and_answers_the_same(article, monkeypatch):
    built = Library.load(article, cache=False)
    monkeypatch.setattr(library_module, "PACK_MIN_ROWS", 1)
    again = pickle.loads(pickle.dumps(built, protocol=pickle.HIGHEST_PROTOCOL))
    packed = {name: value for name, value in vars(again.searcher).items() if isinstance(value, library_module.TokenRows)}
    assert {"word_tokens", "gram_tokens", "token_sets", "gram_sets"} <= set(packed)
    for name, rows in packed.items():
        original = getattr(built.searcher, name)
        assert rows == original and list(rows) == original and rows[-1] == original[-1]
        assert rows[1:3] == original[1:3] and len(rows) == len(original)
    assert _answers(again) == _answers(built)
    assert _answers(pickle.loads(pickle.dumps(again))) == _answers(built)  # saved again: still packed, same
    searcher = pickle.loads(pickle.dumps(built, protocol=pickle.HIGHEST_PROTOCOL)).searcher
    assert searcher.token_sets.ids is searcher.word_tokens.ids  # the sets share the lists' arrays
    # the term dicts are saved as TermIds, which the expander's vocabulary and bigram set share
    assert isinstance(searcher.words.terms, TermIds) and isinstance(searcher.grams.terms, TermIds)
    assert searcher.expander.vocabulary is searcher.words.terms and searcher.expander.grams is searcher.grams.terms
    assert searcher.words.terms == built.searcher.words.terms and searcher.gram_tokens.index is searcher.grams
    assert isinstance(built.searcher.words.terms, dict)  # the library in memory is left as it was
