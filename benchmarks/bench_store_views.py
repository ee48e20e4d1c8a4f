"""Benchmark: the store queries of a dashboard filter change, without Streamlit.

    python benchmarks/bench_store_views.py --store DIR [--code ROOT]

Replays ``bench_dashboard.py``'s sequence (per tab, 15 filter changes: keyword /
sentiment / topic / dates / clear, the keyword kept until the clear) through
:class:`analysis.views.StoreViews` as each tab's rerun calls it (``prefetch`` first,
then the tab's answers), and prints per tab the wall and the CPU time (this process,
DuckDB's threads included) of each change: what the server spends on queries, apart
from drawing.  ``--code ROOT`` imports ``analysis`` from another checkout (an older
commit, for a before/after on one machine).  The calls mirror dashboard/tabs/*.py as of
this commit; on a shared machine the CPU column is the steadier one.
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time

from common import REPO  # noqa: E402  (puts the repo on sys.path)

WORDS = ["oil", "bank", "trade", "profit", "dollar", "coffee", "gold", "tax"]
TABS = ("Overview", "Over time", "Topics", "Sentiment", "Articles")


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _p95(values):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(0.95 * (len(values) - 1))))]


def rerun(views_mod, store, criteria, tab: str) -> None:
    """The StoreViews calls of one rerun of ``tab`` (dashboard/app.py and the tab)."""
    v = views_mod.StoreViews(store, criteria)
    if "``freq`` None" in (views_mod.StoreViews.prefetch.__doc__ or ""):
        # the period-free queries before the headline, as dashboard/page.py starts them
        # (a --code checkout from before that takes a period only)
        v.prefetch(tab, None, min_period_articles=10, evidence_rows=10, clicked_label=None)
    h = v.headline()
    freq = views_mod.resolve_freq(v, "auto")
    v.prefetch(tab, freq, min_period_articles=10, evidence_rows=10, clicked_label=None)
    if h.n_articles == 0:
        return
    if tab == "Overview":
        v.label_counts()
        v.topic_table()
        v.evidence_by_label(("negative", "positive"), n=10)
    elif tab == "Over time":
        tl = v.timeline(freq)
        v.topic_table()
        v.topic_timeline(freq)
        ext = views_mod.extreme_periods(tl, 10)
        if ext.empty:
            v.evidence_by_label(("negative", "positive"), n=10)
        else:
            which = ["negative" if w == "lowest" else "positive" for w in ext["which"]]
            v.evidence_by_label(which, periods=list(ext["period"]), freq=freq, n=10)
    elif tab == "Topics":
        v.topic_table()
        v.topic_sentiment()
    elif tab == "Sentiment":
        v.histogram("sentences")
        v.histogram("articles")
    else:
        v.articles_page(limit=100)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", required=True)
    parser.add_argument("--code", default=str(REPO), help="checkout whose analysis/ to time")
    parser.add_argument("--reruns", type=int, default=15)
    args = parser.parse_args(argv)
    sys.path.insert(0, args.code)
    import pandas as pd
    from analysis import queries, views as views_mod
    from analysis.criteria import Criteria

    store = queries.Store(args.store)
    first, last = views_mod.StoreViews(store, Criteria()).span()
    lo, hi = first.normalize(), last.normalize()
    n_topics = max(1, len(store.topics))
    load = os.getloadavg()[0]
    wall, cpu = {}, {}
    for tab in TABS:
        state: dict = {}
        rerun(views_mod, store, Criteria(), tab)
        wall[tab], cpu[tab] = [], []
        for i in range(args.reruns):
            k = i % 5
            if k == 0:
                state["keyword"] = WORDS[i % len(WORDS)]
            elif k == 1:
                state["sentiment"] = (-1.0 + (i % 7) / 10, 1.0)
            elif k == 2:
                state["topics"] = ((i // 5) % n_topics,)
            elif k == 3:
                state["start"], state["end"] = lo + pd.Timedelta(days=i % 5), hi
            else:
                state = {}
            t, c = time.perf_counter(), _cpu()
            rerun(views_mod, store, Criteria(**state), tab)
            wall[tab].append(time.perf_counter() - t)
            cpu[tab].append(_cpu() - c)
    print(f"code {args.code}, store {args.store}: load average {load:.1f} -> "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    for tab in TABS:
        print(f"  {tab:<10} wall median {statistics.median(wall[tab]) * 1e3:5.0f} p95 "
              f"{_p95(wall[tab]) * 1e3:5.0f} ms   cpu median {statistics.median(cpu[tab]) * 1e3:5.0f}"
              f" p95 {_p95(cpu[tab]) * 1e3:5.0f} ms")
    w = [t for v in wall.values() for t in v]
    c = [t for v in cpu.values() for t in v]
    print(f"  {'all tabs':<10} wall median {statistics.median(w) * 1e3:5.0f} p95 "
          f"{_p95(w) * 1e3:5.0f} ms   cpu median {statistics.median(c) * 1e3:5.0f} p95 "
          f"{_p95(c) * 1e3:5.0f} ms   cpu total {sum(c):.1f} s")


if __name__ == "__main__":
    main()
