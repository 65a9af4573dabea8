"""Per-question latency in process: Library.ask over the dev questions, p50 and p99.

    python benchmarks/latency.py [--rounds 20] [--questions FILE.jsonl] [--seeds DIR] [--profile]

The library is loaded once; every question is asked `rounds` times (after a
warm-up round) and each call timed.  The baseline, measured in the same run on
the same questions and article, is the naive way (benchmarks/naive_answer.py):
jieba words of the question, rank_bm25's BM25Okapi get_scores over the
article's blank-line blocks, the best block.  --profile prints the cProfile of
the asking instead.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import time
from pathlib import Path

from _common import ROOT, ms, percentile

DEV = ROOT.parent / "shared" / "eval" / "dev.jsonl"
HELDOUT = ROOT / "tests" / "data" / "heldout.jsonl"


def questions_of(path: Path) -> list[str]:
    return [json.loads(line)["question"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--questions", type=Path, default=DEV if DEV.exists() else HELDOUT)
    parser.add_argument("--seeds", type=Path, default=ROOT / "seeds")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--sort", default="tottime", help="cProfile sort key (with --profile)")
    parser.add_argument("--lines", type=int, default=30, help="cProfile lines shown (with --profile)")
    args = parser.parse_args()

    from index.library import Library

    import naive_answer

    library = Library.load(args.seeds)
    questions = questions_of(args.questions)
    naive = naive_answer.NaiveIndex(naive_answer.blocks_of(args.seeds))
    for question in questions:  # warm-up: jieba, caches
        library.ask(question)
        naive.best(question)

    if args.profile:
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(args.rounds):
            for question in questions:
                library.ask(question)
        profile.disable()
        pstats.Stats(profile).sort_stats(args.sort).print_stats(args.lines)
        return

    ours: list[float] = []
    theirs: list[float] = []
    for _ in range(args.rounds):
        for question in questions:
            start = time.perf_counter()
            library.ask(question)
            middle = time.perf_counter()
            naive.best(question)
            theirs.append(time.perf_counter() - middle)
            ours.append(middle - start)
    print(f"{len(questions)} questions from {args.questions.name} × {args.rounds} rounds, "
          f"{len(library.passages)} passages")
    print(f"{'':<26}{'p50':>12}{'p99':>12}{'mean':>12}")
    print(f"{'Library.ask (k=3)':<26}{ms(percentile(ours, 0.5)):>12}{ms(percentile(ours, 0.99)):>12}"
          f"{ms(sum(ours) / len(ours)):>12}")
    print(f"{'naive (rank_bm25 Okapi)':<26}{ms(percentile(theirs, 0.5)):>12}{ms(percentile(theirs, 0.99)):>12}"
          f"{ms(sum(theirs) / len(theirs)):>12}")
    print(f"ratio p50 ours/naive: {percentile(ours, 0.5) / percentile(theirs, 0.5):.2f}   "
          f"target p50 ≤ 0.5 ms: {'met' if percentile(ours, 0.5) <= 0.0005 else 'NOT met'}")


if __name__ == "__main__":
    main()
