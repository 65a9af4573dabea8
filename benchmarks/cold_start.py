"""Start-up: the whole process of answering one question, ours against the naive script, in pairs.

    python benchmarks/cold_start.py [--runs 7] [--question "东湖街道有多少个小区"]

A = `python -m bot ask QUESTION` (the bot; its index cache is warmed once first,
in a cache folder of its own), B = `python benchmarks/naive_answer.py QUESTION`
(jieba + rank_bm25, no cache).  They run alternately A B A B … so that both see
the same machine load; the medians, their ratio and each one's peak RSS are
printed.  Also reported: ours with an empty cache folder (the very first
start: the index is built and jieba's dictionary loaded whole, then both are
saved) and with the index rebuilt (after an article or the code changed).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import ROOT, median

GNU_TIME = Path("/usr/bin/time")


def run(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall time (s) and peak RSS (MB) of one run of the command."""
    if GNU_TIME.exists():
        command = [str(GNU_TIME), "-f", "%M", *command]
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    result = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stderr[-2000:]}")
    if GNU_TIME.exists():
        peak_kb = float(result.stderr.strip().splitlines()[-1])
    else:  # the largest child so far: right when this child is the largest, else an upper bound
        peak_kb = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    return wall, peak_kb / 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="pairs of runs (default 7)")
    parser.add_argument("--question", default="东湖街道有多少个小区")
    args = parser.parse_args()

    cache = Path(tempfile.mkdtemp(prefix="article-qa-cold-start-"))
    env = dict(os.environ, INDEX_CACHE_DIR=str(cache))
    ours = [sys.executable, "-m", "bot", "ask", args.question]
    naive = [sys.executable, str(ROOT / "benchmarks" / "naive_answer.py"), args.question]
    try:
        empty = []
        for _ in range(3):
            shutil.rmtree(cache, ignore_errors=True)
            empty.append(run(ours, env))  # builds and fills the cache
        rebuilt = []
        for _ in range(3):
            for entry in cache.glob("*.pickle"):
                entry.unlink()  # as after an article or the code changed: the index is built again
            rebuilt.append(run(ours, env))
        a: list[tuple[float, float]] = []
        b: list[tuple[float, float]] = []
        for _ in range(args.runs):
            a.append(run(ours, env))
            b.append(run(naive, env))
    finally:
        shutil.rmtree(cache, ignore_errors=True)

    def line(label: str, runs: list[tuple[float, float]]) -> str:
        return (f"{label:<48}{median([t for t, _ in runs]):>8.3f} s  (min {min(t for t, _ in runs):.3f}) "
                f"{median([m for _, m in runs]):>7.0f} MB")

    print(f"whole process, question {args.question!r}, {args.runs} pairs, medians; peak RSS")
    print(line("A  python -m bot ask (index cache warm)", a))
    print(line("B  naive_answer.py (jieba + rank_bm25)", b))
    print(line("   python -m bot ask, empty cache folder (3 runs)", empty))
    print(line("   python -m bot ask, index rebuilt (3 runs)", rebuilt))
    ratio = median([t for t, _ in a]) / median([t for t, _ in b])
    print(f"ratio A/B {ratio:.2f}  (target ≤ 0.50: {'met' if ratio <= 0.5 else 'NOT met'})")


if __name__ == "__main__":
    main()
