"""Make an N-article archive store for ``bench_queries.py`` from the shared corpora.

Analyses Reuters-dev + BBC once (20 topics; the result is cached beside the output),
then writes copies of it (new ids, publication times spread over two years) in the
store layout of ``python -m analysis index`` (/work/wt/STORE_LAYOUT.md) with the test
fixture writer, one part file per copy and month, and the roll-ups.  A stand-in until
an indexed archive of that size exists; the numbers in it are real VADER/NMF output.

    python benchmarks/make_query_store.py 100000 /work/data/q-store-100000
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from common import CORPORA, REPO  # noqa: E402  (puts the repo on sys.path)

sys.path.insert(0, str(REPO / "tests"))


def base_result(cache: Path):
    from analysis import analyze, read_source
    from analysis.store import load_result, save_result

    key = "query-bench-base-v1"
    result = load_result(cache, key)
    if result is None:
        corpus = pd.concat([read_source(CORPORA / "reuters-dev.jsonl")[0],
                            read_source(CORPORA / "bbc.jsonl")[0]], ignore_index=True)
        corpus.attrs = {}
        result = analyze(corpus, n_topics=20)
        save_result(result, cache, key)
    return result


def copy_of(result, i: int, n_rows: int):
    """Copy ``i``: ids suffixed, publication times spread over 2024-2025."""
    arts = result.articles.iloc[:n_rows].copy()
    pos = np.arange(len(arts), dtype=np.int64)
    minutes = (pos * 7919 + i * 104729) % (730 * 24 * 60)
    arts["published"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(minutes, unit="min")
    suffix = f"~{i}"
    ids = dict(zip(result.articles["article_id"].iloc[:n_rows], arts["article_id"] + suffix))
    arts["article_id"] = arts["article_id"] + suffix
    sents = result.sentences[result.sentences["article_id"].isin(ids)].copy()
    sents["article_id"] = sents["article_id"].map(ids)
    at = result.article_topics[result.article_topics["article_id"].isin(ids)].copy()
    at["article_id"] = at["article_id"].map(ids)
    import dataclasses
    return dataclasses.replace(result, articles=arts.reset_index(drop=True),
                               sentences=sents.reset_index(drop=True),
                               article_topics=at.reset_index(drop=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int)
    parser.add_argument("out", type=Path)
    args = parser.parse_args()
    from factories import write_store
    from analysis.rollups import write_rollups

    t = time.perf_counter()
    result = base_result(args.out.parent / "q-base-cache")
    print(f"base: {len(result.articles):,} articles analysed/loaded in "
          f"{time.perf_counter() - t:.1f} s", flush=True)
    base = len(result.articles)
    done = 0
    i = 0
    while done < args.n:
        rows = min(base, args.n - done)
        write_store(copy_of(result, i, rows), args.out, chunk=f"{i:04d}")
        done += rows
        i += 1
        print(f"{done:,} articles written", flush=True)
    t = time.perf_counter()
    write_rollups(args.out)
    print(f"rollups in {time.perf_counter() - t:.1f} s; store {args.out} with {done:,} articles")


if __name__ == "__main__":
    main()
