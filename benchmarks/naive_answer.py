"""The naive way to answer a question about an article, as the baseline for start-up and latency.

    python benchmarks/naive_answer.py "东湖街道有多少个小区" [SEEDS_DIR]

jieba words, the article split on blank lines, rank_bm25's BM25Okapi, the
best block printed.  No cache, no normalization, no expansion: what a first
script doing the same job would do.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import jieba
from rank_bm25 import BM25Okapi

jieba.setLogLevel(60)
SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def blocks_of(folder: Path) -> list[str]:
    """The article's blocks: the text of every .txt/.md file split on blank lines."""
    blocks: list[str] = []
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() in (".txt", ".md"):
            text = path.read_text(encoding="utf-8")
            blocks.extend(b.strip() for b in re.split(r"\n\s*\n", text) if b.strip())
    return blocks


class NaiveIndex:
    def __init__(self, blocks: list[str]) -> None:
        self.blocks = blocks
        self.bm25 = BM25Okapi([jieba.lcut(block) for block in blocks])

    def best(self, question: str) -> str:
        scores = self.bm25.get_scores(jieba.lcut(question))
        return self.blocks[max(range(len(scores)), key=scores.__getitem__)]


def main() -> None:
    question = sys.argv[1] if len(sys.argv) > 1 else "东湖街道有多少个小区"
    folder = Path(sys.argv[2]) if len(sys.argv) > 2 else SEEDS
    print(NaiveIndex(blocks_of(folder)).best(question))


if __name__ == "__main__":
    main()
