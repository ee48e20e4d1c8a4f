"""Benchmark: server-side rerun time of the dashboard, measured with AppTest.

Run from the repository root::

    python benchmarks/bench_dashboard.py [CORPUS] [--reruns 15]
    python benchmarks/bench_dashboard.py --store DIR [--reruns 15]

CORPUS defaults to ``../shared/corpora/reuters-dev.jsonl`` (4,584 Reuters articles);
``--store DIR`` opens an archive store instead (every view a DuckDB query; "cold" is
then the first open, nothing is analysed).  Prints, with the corpus size:

* cold: first page run on an empty cache folder (read + analyse + save + draw);
* warm from disk: first run of a fresh session after the in-memory caches are
  cleared (the result is loaded from the Parquet cache);
* rerun after a filter change (keyword, sentiment range, topic, date range, back to
  none), median and p95, for the Overview tab and for each of the other tabs;
* the peak PSS of the process (the app runs in it) over the whole run.

Set-up (writing nothing but the cache folder) happens outside the timed regions; the
topic model has a fixed random_state.
"""
from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path


from common import CORPORA, REPO  # noqa: E402  (puts the repo on sys.path)

APP = str(REPO / "dashboard" / "app.py")
DEFAULT = CORPORA / "reuters-dev.jsonl"


def _p95(values):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(0.95 * (len(values) - 1))))]


def _timed(at) -> float:
    t = time.perf_counter()
    at.run()
    elapsed = time.perf_counter() - t
    if at.exception:
        raise SystemExit(f"app raised: {[e.message for e in at.exception]}")
    return elapsed


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", nargs="?", default=str(DEFAULT))
    parser.add_argument("--store", metavar="DIR", help="an archive store (python -m analysis "
                        "index) instead of CORPUS: opened, not analysed")
    parser.add_argument("--reruns", type=int, default=15, help="filter changes per tab")
    parser.add_argument("--detail", action="store_true",
                        help="also print every rerun's time with the kind of its change")
    args = parser.parse_args(argv)
    corpus = Path(args.store or args.corpus)
    if not corpus.exists():
        raise SystemExit(f"corpus not found: {corpus}")

    import logging
    import os

    logging.getLogger("streamlit").setLevel(logging.ERROR)
    os.environ["NEWS_ANALYTICS_CACHE"] = tempfile.mkdtemp(prefix="bench-dash-cache-")
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    def session():
        at = AppTest.from_file(APP, default_timeout=1800)
        at.query_params["src"] = str(corpus)
        return at

    from bench_scale import TreePss

    memory = TreePss(os.getpid())
    at = session()
    cold = _timed(at)
    def exact(label):  # the metric shows 99.6k; its tooltip has the exact figure
        return int(next(m.proto.help for m in at.metric if m.label == label)
                   .split()[0].replace(",", ""))

    n_articles, n_sentences = exact("Articles"), exact("Sentences")

    st.cache_resource.clear()  # drop the in-memory results: the next run reads Parquet
    at = session()
    warm = _timed(at)

    lo, hi = at.date_input(key="w_dates").value
    topics = at.multiselect(key="w_topics").options

    def changes():
        """Filter changes that cycle through every kind of criterion."""
        words = ["oil", "bank", "trade", "profit", "dollar", "coffee", "gold", "tax"]
        i = 0
        while True:
            k = i % 5
            if k == 0:
                yield "keyword", lambda a, w=words[i % len(words)]: a.text_input(key="w_q").input(w)
            elif k == 1:
                yield "sentiment", lambda a, x=(i % 7) / 10: a.slider(key="w_sent").set_range(
                    -1.0 + x, 1.0)
            elif k == 2:
                yield "topic", lambda a: a.multiselect(key="w_topics").set_value(
                    [(i // 5) % max(1, len(topics))])
            elif k == 3:
                yield "dates", lambda a, d=i % 5: a.date_input(key="w_dates").set_value(
                    (lo + dt.timedelta(days=d), hi))
            else:
                yield "clear", lambda a: (a.text_input(key="w_q").input(""),
                                          a.slider(key="w_sent").set_range(-1.0, 1.0),
                                          a.multiselect(key="w_topics").set_value([]),
                                          a.date_input(key="w_dates").set_value((lo, hi)))
            i += 1

    results, detail = {}, {}
    for tab in ("Overview", "Over time", "Topics", "Sentiment", "Articles"):
        at.session_state["tab"] = tab
        _timed(at)
        times, kinds = [], []
        gen = changes()
        for _ in range(args.reruns):
            kind, change = next(gen)
            change(at)
            times.append(_timed(at))
            kinds.append(kind)
        results[tab] = times
        detail[tab] = kinds

    print(f"corpus: {corpus.name}: {n_articles:,} articles, {n_sentences:,} sentences")
    print(f"cold (read + analyse + save + draw): {cold:8.2f} s")
    print(f"warm (fresh session, result from the Parquet cache): {warm:8.2f} s")
    print(f"filter-change rerun, {args.reruns} changes per tab (keyword / sentiment / topic / "
          "dates / clear):")
    for tab, times in results.items():
        print(f"  {tab:<10} median {statistics.median(times) * 1000:7.0f} ms   "
              f"p95 {_p95(times) * 1000:7.0f} ms   max {max(times) * 1000:7.0f} ms")
        if args.detail:
            print("             " + " ".join(f"{kind[:5]} {t * 1000:.0f}"
                                             for kind, t in zip(detail[tab], times)))
    every = [t for times in results.values() for t in times]
    print(f"  {'all tabs':<10} median {statistics.median(every) * 1000:7.0f} ms   "
          f"p95 {_p95(every) * 1000:7.0f} ms")
    # AppTest runs the app in this process, so its memory is the server's.
    print(f"server memory: PSS {memory.stop():,.0f} MB at peak, process tree sampled every "
          f"0.2 s; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
