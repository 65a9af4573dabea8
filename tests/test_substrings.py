"""Substrings: the sorted-positions lookup says exactly what `word in text` says, and the index built on it
answers exactly as the scanning one."""

from __future__ import annotations

import json
import random

import pytest

from core_fixtures import HELDOUT_SET, ROOT, seeds_library  # noqa: F401  (fixture)
from index import substrings
from index.documents import load_documents
from index.expand import _CJK_RUN
from index.library import Library
from index.substrings import Substrings

ALPHABETS = ["ab", "abc", "东湖街道社区", "a\ud800b\U00010000c\n", "志愿者自原者发热发烧 ，。0123"]


def _words(rng: random.Random, text: str, alphabet: str) -> list[str]:
    out = []
    for _ in range(100):
        if text and rng.random() < 0.5:  # a piece of the text, sometimes with its last character changed
            start = rng.randrange(len(text))
            word = text[start:start + rng.randrange(0, 16)]
            if word and rng.random() < 0.3:
                word = word[:-1] + rng.choice(alphabet)
        else:
            word = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 16)))
        out.append(word)
    return out


@pytest.mark.parametrize("width, candidates", [(substrings.MAX_WIDTH, substrings.MAX_CANDIDATES), (2, 3), (3, 0)])
def test_agrees_with_in_on_random_words_and_texts(monkeypatch, width, candidates):
    monkeypatch.setattr(substrings, "MAX_WIDTH", width)
    monkeypatch.setattr(substrings, "MAX_CANDIDATES", candidates)
    rng = random.Random(width)
    for _ in range(100):
        alphabet = rng.choice(ALPHABETS + ["".join(chr(rng.randrange(0x20, 0x2FFFF)) for _ in range(30))])
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 400)))
        found = Substrings(text, scan_below=0)
        assert found.positions is not None or len(text) < 2
        for word in _words(rng, text, alphabet):
            assert (word in found) == (word in text), (text, word)


def test_a_long_text_ranks_its_characters_by_table():
    rng = random.Random(7)
    alphabet = "".join(chr(rng.randrange(0x4E00, 0x4F00)) for _ in range(60)) + "\U00020000"
    text = "".join(rng.choice(alphabet) for _ in range(substrings._CODE_POINTS // 8 + 1000))
    found = Substrings(text)
    assert found.positions is not None and found.width == min(substrings.MAX_WIDTH, 63 // 6)
    for word in _words(rng, text, alphabet):
        assert (word in found) == (word in text), word


def test_a_short_text_is_scanned_and_a_saved_one_still_answers():
    import pickle

    assert Substrings("东湖街道").positions is None
    text = "东湖街道辖区共有小区80个" * 10
    found = pickle.loads(pickle.dumps(Substrings(text, scan_below=0)))
    assert "小区80个东湖" in found and "小区81个" not in found and "" in found


def test_the_index_answers_the_same_with_or_without_scanning(monkeypatch, seeds_library):
    monkeypatch.setattr(substrings, "SCAN_BELOW", 0)
    searching = Library.from_documents(load_documents(ROOT / "seeds"))
    expander, scanning = searching.searcher.expander, seeds_library.searcher.expander
    assert expander.substrings.positions is not None and scanning.substrings.positions is None
    questions = [json.loads(line)["question"] for line in HELDOUT_SET.read_text(encoding="utf-8").splitlines()
                 if line.strip()]
    pieces = {run[i:i + size] for q in questions for run in _CJK_RUN.findall(q) for size in range(1, 7)
              for i in range(len(run) - size + 1)}
    assert len(pieces) > 1000
    for piece in pieces:
        assert expander.has(piece) == scanning.has(piece), piece
    assert expander.thesaurus == scanning.thesaurus and expander.containing == scanning.containing
    for question in questions:
        assert searching.ask(question) == seeds_library.ask(question)
