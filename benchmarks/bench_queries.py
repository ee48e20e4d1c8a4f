"""Time the store queries (analysis.queries) the dashboard's tabs make, on an archive store.

    python benchmarks/bench_queries.py --store /work/data/q-store-100000

1. **reopen**: a fresh process imports ``analysis.queries``, opens the store and answers
   the first view (Overview: headline, label counts, topic table, evidence), timed from
   the process start to the last answer.
2. **filter changes**: a fixed sequence of filters (date ranges, topics, sentiment
   ranges, keywords and phrases, search text, combinations), each answered for every
   tab; prints p50/p95 per query function, per tab, and over all (tab, filter change)
   pairs; a keyword's first use (its match set built) is included.
3. **memory**: PSS of this process after the run (DuckDB's buffers included).

The machine is shared: the load average is printed beside the figures, and the CPU time
of this process beside the wall time.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from common import REPO  # noqa: E402  (puts the repo on sys.path)


def _pct(values, p):
    values = sorted(values)
    if not values:
        return float("nan")
    k = min(len(values) - 1, max(0, int(round(p / 100 * (len(values) - 1)))))
    return values[k]


def reopen(store: Path) -> tuple[float, float]:
    """(seconds from process start to the first view, seconds of that in Store())."""
    code = f"""
import time, sys
t0 = time.perf_counter()
sys.path.insert(0, {str(REPO)!r})
from analysis import queries as q
t1 = time.perf_counter()
s = q.Store({str(store)!r})
t2 = time.perf_counter()
c = q.Criteria()
h = q.headline(s, c); q.label_counts(s, c); q.topic_table(s, c)
q.evidence(s, c, label="negative"); q.evidence(s, c, label="positive")
t3 = time.perf_counter()
print(t3 - t0, t2 - t1)
"""
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    wall = time.perf_counter() - start  # interpreter start included
    return wall, float(out[1])


def tabs(q, s, c, freq, keyword_track):
    """Per tab, the calls its rerun makes (name, thunk)."""
    return {
        "Overview": [
            ("headline", lambda: q.headline(s, c)),
            ("label_counts", lambda: q.label_counts(s, c)),
            ("topic_table", lambda: q.topic_table(s, c)),
            ("evidence", lambda: q.evidence(s, c, label="negative")),
            ("evidence", lambda: q.evidence(s, c, label="positive")),
        ],
        "Over time": [
            ("timeline", lambda: q.timeline(s, c, freq)),
            ("topic_timeline", lambda: q.topic_timeline(s, c, freq)),
            ("evidence", lambda: q.evidence(s, c, label="negative")),
            ("evidence", lambda: q.evidence(s, c, label="positive")),
        ],
        "Topics": [
            ("topic_table", lambda: q.topic_table(s, c)),
            ("topic_sentiment", lambda: q.topic_sentiment(s, c)),
            ("map_sample", lambda: q.map_sample(s, c, n=2000)),
        ],
        "Sentiment": [
            ("sentiment_histogram", lambda: q.sentiment_histogram(s, c, "sentences")),
            ("sentiment_histogram", lambda: q.sentiment_histogram(s, c, "articles")),
            ("evidence", lambda: q.evidence(s, c, label="negative")),
            ("evidence", lambda: q.evidence(s, c, label="positive")),
            ("keyword_summary", lambda: q.keyword_summary(s, c, [keyword_track, "market"])),
            ("keyword_series", lambda: q.keyword_series(s, c, [keyword_track, "market"], freq)),
            ("evidence_keyword", lambda: q.evidence(s, c, keyword=keyword_track)),
        ],
        "Articles": [
            ("articles_page", lambda: q.articles_page(s, c, limit=50)),
            ("articles_page_sorted", lambda: q.articles_page(s, c, sort="compound",
                                                             descending=True, limit=50)),
        ],
    }


def filters(q, s, keywords):
    h = q.headline(s)
    first, last = h.first, h.last
    span = last - first
    mid = first + span / 2
    out = [
        ("all", q.Criteria()),
        ("last quarter", q.Criteria(start=(last - span / 8).normalize())),
        ("one month", q.Criteria(start=mid.normalize(), end=(mid + (last - first) / 24).normalize())),
        ("topic 0", q.Criteria(topics=[0])),
        ("topics 1,2,3", q.Criteria(topics=[1, 2, 3])),
        ("negative", q.Criteria(sentiment=(-1.0, -0.05))),
        ("positive, topic 1", q.Criteria(sentiment=(0.05, 1.0), topics=[1])),
    ]
    for kw in keywords:
        out.append((f"keyword {kw!r}", q.Criteria(keyword=kw)))
        out.append((f"keyword {kw!r} + topic 0 + half", q.Criteria(keyword=kw, topics=[0],
                                                                 start=mid.normalize())))
    out.append(("half + negative", q.Criteria(start=mid.normalize(), sentiment=(-1.0, 0.0))))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--keywords", nargs="*", default=["oil", "government", "oil prices"])
    parser.add_argument("--search", nargs="*", default=["profit", "bank rate"])
    args = parser.parse_args()
    import psutil

    from analysis import queries as q

    wall, open_s = reopen(args.store)
    s = q.Store(args.store)
    h = q.headline(s)
    n_art, n_sent = h.n_articles, h.n_sentences
    print(f"store {args.store}: {n_art:,} articles, {n_sent:,} sentences, "
          f"{len(s.topics)} topics, rollups {'current' if s.use_rollups else 'NOT current'}")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"reopen (fresh process to first view) {wall:.2f} s  [Store() {open_s:.2f} s]  "
          f"{n_art:,} articles")
    per_fn: dict[str, list[float]] = {}
    per_tab: dict[str, list[float]] = {}
    cpu_tab: list[float] = []
    track = args.keywords[0]
    for name, c in filters(q, s, args.keywords):
        freq = q.resolve_freq(s, c)
        for tab, calls in tabs(q, s, c, freq, track).items():
            t_tab, c_tab = time.perf_counter(), time.process_time()
            for fn, call in calls:
                t = time.perf_counter()
                call()
                per_fn.setdefault(fn, []).append(time.perf_counter() - t)
            per_tab.setdefault(tab, []).append(time.perf_counter() - t_tab)
            cpu_tab.append(time.process_time() - c_tab)
    for text in args.search:
        for c in (q.Criteria(), q.Criteria(topics=[0])):
            t = time.perf_counter()
            q.articles_page(s, c, search=text)
            per_fn.setdefault("articles_page_search", []).append(time.perf_counter() - t)
    ids = q.articles_page(s, limit=5)[0]["article_id"]
    for art in ids:
        t = time.perf_counter()
        q.article(s, art)
        per_fn.setdefault("article (reader)", []).append(time.perf_counter() - t)
    print(f"\n{'query':26s} {'n':>4s} {'p50 ms':>8s} {'p95 ms':>8s} {'max ms':>8s}")
    for fn, ts in per_fn.items():
        print(f"{fn:26s} {len(ts):4d} {_pct(ts, 50) * 1e3:8.1f} {_pct(ts, 95) * 1e3:8.1f} "
              f"{max(ts) * 1e3:8.1f}")
    print(f"\n{'tab (one filter change)':26s} {'n':>4s} {'p50 ms':>8s} {'p95 ms':>8s} {'max ms':>8s}")
    every = []
    for tab, ts in per_tab.items():
        every += ts
        print(f"{tab:26s} {len(ts):4d} {_pct(ts, 50) * 1e3:8.1f} {_pct(ts, 95) * 1e3:8.1f} "
              f"{max(ts) * 1e3:8.1f}")
    print(f"\nall tabs median {statistics.median(every) * 1e3:.0f} ms p95 "
          f"{_pct(every, 95) * 1e3:.0f} ms (filter change, queries only; CPU p95 "
          f"{_pct(cpu_tab, 95) * 1e3:.0f} ms) on {n_art:,} articles")
    pss = psutil.Process().memory_full_info().pss
    print(f"memory: PSS {pss / 2**20:.0f} MiB (this process: Python, pandas, DuckDB) "
          f"on {n_art:,} articles")


if __name__ == "__main__":
    main()
