"""Synthetic Chinese passages for the benchmarks, from jieba's own dictionary (fixed seed).

Words are drawn by their frequency in jieba's dict.txt, so common words (的, 了,
是) are common and rare ones rare, as in real text; a passage is one or more
clauses of them, 20-150 characters, ending in 。.  Nothing here is tuned:
the point is a corpus of realistic size, vocabulary and term distribution.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import numpy as np


@lru_cache(maxsize=1)
def dictionary() -> tuple[list[str], np.ndarray]:
    """jieba's dictionary words and their probabilities."""
    import jieba

    path = Path(os.path.dirname(jieba.__file__)) / "dict.txt"
    words: list[str] = []
    counts: list[int] = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            parts = line.split(" ")
            if len(parts) >= 2:
                words.append(parts[0])
                counts.append(int(parts[1]))
    freq = np.array(counts, dtype=np.float64)
    return words, freq / freq.sum()


def passages(count: int, seed: int = 7, shortest: int = 20, longest: int = 150) -> list[str]:
    """`count` passages of `shortest`..`longest` characters, the same for the same seed."""
    return ["".join(words) for words in passage_words(count, seed, shortest, longest)]


def passage_words(count: int, seed: int = 7, shortest: int = 20, longest: int = 150) -> list[list[str]]:
    """The words each passage is made of (punctuation included), in order."""
    words, probability = dictionary()
    rng = np.random.default_rng(seed)
    stream = rng.choice(len(words), size=count * 60, p=probability)
    lengths = rng.integers(shortest, longest + 1, size=count)
    clause = rng.integers(4, 13, size=count * 60)
    out: list[list[str]] = []
    position = 0
    for target in lengths:
        pieces: list[str] = []
        size = 0
        since_comma = 0
        while size < target - 1:
            if position >= len(stream):
                stream = rng.choice(len(words), size=count * 60, p=probability)
                position = 0
            word = words[stream[position]]
            if since_comma >= clause[position % len(clause)] and size + len(word) + 1 < target - 1:
                pieces.append("，")
                size += 1
                since_comma = 0
            position += 1
            if size + len(word) > target - 1:
                word = word[: target - 1 - size]
            pieces.append(word)
            size += len(word)
            since_comma += 1
        pieces.append("。")
        out.append(pieces)
    return out


def tokens(count: int, seed: int = 7) -> list[list[str]]:
    """A tokenized corpus: the content words of each passage (no stopwords, no punctuation)."""
    from index.tokens import is_content

    return [[w for w in words if is_content(w)] for words in passage_words(count, seed)]


def queries(corpus: list[list[str]], count: int, seed: int = 11) -> list[list[str]]:
    """Questions made of 2-6 words of a random passage, some with a word the corpus may lack."""
    words, _ = dictionary()
    rng = np.random.default_rng(seed)
    out: list[list[str]] = []
    while len(out) < count:
        tokens = list(dict.fromkeys(corpus[int(rng.integers(len(corpus)))]))
        if not tokens:
            continue
        picked = [tokens[i] for i in rng.choice(len(tokens), size=min(len(tokens), int(rng.integers(2, 7))),
                                                 replace=False)]
        if rng.random() < 0.3:
            picked.append(words[int(rng.integers(len(words)))])
        out.append(picked)
    return out


def write_articles(folder: Path, count: int, per_file: int = 1000, seed: int = 7) -> None:
    """`count` passages as article files of `per_file` paragraphs each, a title line first."""
    folder.mkdir(parents=True, exist_ok=True)
    texts = passages(count, seed=seed, shortest=45)
    for number, start in enumerate(range(0, count, per_file)):
        body = "\n\n".join(texts[start:start + per_file])
        (folder / f"synthetic_{number:04d}.txt").write_text(f"合成文章第{number}篇\n\n{body}\n", encoding="utf-8")
