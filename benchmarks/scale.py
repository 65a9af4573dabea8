"""Scale: our BM25 against rank_bm25 on synthetic corpora of 1k, 10k and 100k passages.

    python benchmarks/scale.py                      # BM25 at 1k, 10k, 100k passages
    python benchmarks/scale.py --sizes 1000,10000   # fewer sizes
    python benchmarks/scale.py --library 100000     # also the whole Library (articles → answers) at that size

For each size (same seed, same tokenized corpus and queries for both sides):
index build time, save + load time (pickle to a file), query p50/p99 for the
top 10 (each query's least time of 3 runs), the growth of RSS while building
(RSS+), and rank_bm25's get_scores p50 (timed the same way) with the same variant and
parameters (BM25Okapi, k1 1.5, b 0.75, epsilon 0.25), the speed-up, and
whether every top 10 is the same.

--library N writes N synthetic paragraphs as article files under /tmp, then
in fresh processes: Library.load with an empty cache (the build), Library.load
again (the saved index), and questions through Library.ask, who-questions about
common posts (书记是谁) timed apart.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import ROOT, median, ms, peak_rss_mb, percentile, rss_mb, timed

import numpy as np
from rank_bm25 import BM25Okapi

import synthetic
from index.bm25 import BM25


def top_rows(scores: np.ndarray, k: int) -> list[int]:
    """The k best rows with a positive score, best first, ties in row order (scores rounded to 1e-9)."""
    positive = np.flatnonzero(scores > 0)
    order = np.lexsort((positive, -np.round(scores[positive], 9)))
    return [int(r) for r in positive[order[:k]]]


def our_top(index: BM25, query: list[str], k: int) -> list[int]:
    if hasattr(index, "top"):
        rows, _ = index.top(query, k)
        return [int(r) for r in rows]
    return top_rows(index.scores(query), k)


def bench_bm25(size: int, queries: int, reference_queries: int) -> dict:
    corpus = synthetic.tokens(size)
    questions = synthetic.queries(corpus, queries)
    out: dict = {"size": size, "postings": sum(len(set(d)) for d in corpus)}
    before = rss_mb()
    out["build"], index = timed(BM25.build, corpus, variant="okapi", k1=1.5, b=0.75, epsilon=0.25)
    out["memory_mb"] = rss_mb() - before
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bm25.pickle"
        start = time.perf_counter()
        with path.open("wb") as file:
            pickle.dump(index, file, protocol=pickle.HIGHEST_PROTOCOL)
        out["save"] = time.perf_counter() - start
        out["file_mb"] = path.stat().st_size / 1e6
        start = time.perf_counter()
        with path.open("rb") as file:
            pickle.load(file)
        out["load"] = time.perf_counter() - start
    for query in questions[:20]:  # warm-up
        our_top(index, query, 10)
    times = query_times(index, questions)
    out["p50"], out["p99"] = percentile(times, 0.5), percentile(times, 0.99)

    out["ref_build"], reference = timed(BM25Okapi, corpus)
    ref_times, same = [], 0
    checked = questions[:reference_queries]
    for query in checked:
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            expected = reference.get_scores(query)
            best = min(best, time.perf_counter() - start)
        ref_times.append(best)
        same += our_top(index, query, 10) == top_rows(expected, 10)
    out["ref_p50"] = median(ref_times)
    out["same_top10"] = f"{same}/{len(checked)}"

    lucene = BM25.build(corpus, variant="lucene", k1=1.2, b=0.5)  # what the Searcher uses
    out["lucene_p50"] = percentile(query_times(lucene, questions), 0.5)
    return out


def query_times(index: BM25, questions: list[list[str]], repeats: int = 3) -> list[float]:
    """Each query's time for its top 10: the least of `repeats` runs (what the query costs, not what
    other processes on the machine cost it)."""
    times = []
    for query in questions:
        best = float("inf")
        for _ in range(repeats):
            start = time.perf_counter()
            our_top(index, query, 10)
            best = min(best, time.perf_counter() - start)
        times.append(best)
    return times


def print_bm25(rows: list[dict]) -> None:
    print("BM25 (variant okapi, k1 1.5, b 0.75; rank_bm25 BM25Okapi on the same tokens and queries)")
    header = (f"{'passages':>9} {'postings':>10} {'build':>9} {'save':>8} {'load':>8} {'file':>8} {'RSS+':>8} "
              f"{'p50':>9} {'p99':>9} {'rank_bm25':>10} {'speed-up':>9} {'top10 same':>11} {'lucene p50':>11}")
    print(header)
    for r in rows:
        print(f"{r['size']:>9} {r['postings']:>10} {r['build']:>8.2f}s {r['save']:>7.3f}s {r['load']:>7.3f}s "
              f"{r['file_mb']:>6.1f}MB {r['memory_mb']:>6.0f}MB {r['p50'] * 1000:>7.3f}ms {r['p99'] * 1000:>7.3f}ms "
              f"{r['ref_p50'] * 1000:>8.1f}ms {r['ref_p50'] / r['p50']:>8.0f}x {r['same_top10']:>11} "
              f"{r['lucene_p50'] * 1000:>9.3f}ms")
    print("(rank_bm25 build for reference: " + ", ".join(f"{r['size']}: {r['ref_build']:.2f}s" for r in rows) + ")")


# --- the whole Library -------------------------------------------------------------------------

_POSTS = ("书记", "主任", "局长", "负责人", "组长", "经理", "校长", "院长", "部长", "队长")


def _timed_ask(library, question: str) -> float:
    start = time.perf_counter()
    library.ask(question)
    return time.perf_counter() - start


def library_child(folder: str, questions: int) -> None:
    """Run in a fresh process: load the Library, then ask; print figures as JSON."""
    start = time.perf_counter()
    from index.library import Library

    imported = time.perf_counter()
    library = Library.load(folder)
    loaded = time.perf_counter()
    rng = random.Random(5)
    asked = []
    for _ in range(questions):
        passage = library.passages[rng.randrange(len(library.passages))]
        words = [w for w in library.searcher.word_tokens[library.passages.index(passage)] if len(w) >= 2]
        picked = rng.sample(words, min(len(words), rng.randint(2, 4))) if words else ["东湖"]
        asked.append("".join(picked) + rng.choice(["是什么？", "有多少？", "在哪里？", "怎么样"]))
    for question in asked[:5]:
        library.ask(question)
    times = [_timed_ask(library, question) for question in asked]
    # Who-questions about common posts (书记是谁, and the same after a word of some passage): the check for a
    # post the article never fills reads every passage holding the post, so on a large folder they may be
    # the costliest questions; each is asked three times, the first time counting in the maximum.
    who = []
    for post in _POSTS:
        words = [w for w in library.searcher.word_tokens[rng.randrange(len(library.passages))] if len(w) >= 2]
        who += [post + "是谁？", (rng.choice(words) if words else "") + post + "是谁？"]
    who_times = [_timed_ask(library, question) for question in who * 3]
    print(json.dumps({"import": imported - start, "load": loaded - imported, "passages": len(library.passages),
                      "p50": percentile(times, 0.5), "p99": percentile(times, 0.99),
                      "who_p50": percentile(who_times, 0.5), "who_max": max(who_times),
                      "rss_after_load_mb": rss_mb(), "peak_rss_mb": peak_rss_mb()}))


def bench_library(size: int, questions: int) -> None:
    folder = Path(tempfile.gettempdir()) / f"article-qa-scale-{size}"
    cache = Path(tempfile.gettempdir()) / f"article-qa-scale-{size}-cache"
    if not (folder / "done").exists():
        shutil.rmtree(folder, ignore_errors=True)
        synthetic.write_articles(folder, size)
        (folder / "done").write_text("")
    shutil.rmtree(cache, ignore_errors=True)
    env = dict(os.environ, INDEX_CACHE_DIR=str(cache), PYTHONPATH=str(ROOT))
    print(f"\nLibrary on {size} synthetic paragraphs in {folder} (cache {cache})")
    for label in ("first load (builds, saves)", "restart (loads the saved index)"):
        start = time.perf_counter()
        result = subprocess.run([sys.executable, __file__, "--library-child", str(folder), "--questions",
                                 str(questions)], env=env, capture_output=True, text=True)
        wall = time.perf_counter() - start
        if result.returncode != 0:
            print(f"  {label}: failed\n{result.stderr[-3000:]}")
            return
        figures = json.loads(result.stdout.strip().splitlines()[-1])
        print(f"  {label}: process {wall:.1f}s, Library.load {figures['load']:.2f}s "
              f"({figures['passages']} passages), ask p50 {ms(figures['p50'])} p99 {ms(figures['p99'])}, "
              f"who-questions p50 {ms(figures['who_p50'])} max {ms(figures['who_max'])}, "
              f"RSS after load {figures['rss_after_load_mb']:.0f} MB, peak RSS {figures['peak_rss_mb']:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--queries", type=int, default=300, help="queries timed on our index")
    parser.add_argument("--reference-queries", type=int, default=20, help="queries timed (and compared) on rank_bm25")
    parser.add_argument("--library", type=int, action="append", default=[], help="also load a Library of N passages")
    parser.add_argument("--questions", type=int, default=100)
    parser.add_argument("--library-child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.library_child:
        library_child(args.library_child, args.questions)
        return
    rows = []
    for size in (int(s) for s in args.sizes.split(",") if s):
        rows.append(bench_bm25(size, args.queries, args.reference_queries))
        print(f"  ... {size} passages done", file=sys.stderr)
    if rows:
        print_bm25(rows)
    for size in args.library:
        bench_library(size, args.questions)


if __name__ == "__main__":
    main()
