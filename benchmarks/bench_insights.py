"""Cost of alerts, period comparison, keyword tracking and overrides at archive scale.

Setup (not timed): BBC and Reuters-dev are analysed once (k=5 and k=10), then their
analysed frames are copied with new ids, new publication dates spread over a year
(``--days``) and 20 outlets until the wanted size, so every copy is a real analysed
article.  Timed: each function on 10k and 100k articles (``--sizes``), best of
``--repeat``.  Prints figures with corpus size, and the process's PSS.

    python benchmarks/bench_insights.py [--sizes 10000 100000] [--repeat 3]
"""
from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd
import psutil

from common import CORPORA  # noqa: F401  (puts the repository on sys.path)

from analysis import analyze, load_corpus
from analysis.alerts import alert_evidence, detect_alerts, topic_trends
from analysis.compare import compare_periods, word_sentences
from analysis.keywords import keyword_series
from analysis.overrides import apply_overrides, new_override, read_overrides

KEYWORDS = ["oil AND (opec OR saudi)", "election OR vote*", '"interest rates"']


def base_frames():
    parts = []
    offset = 0
    for name, k in (("bbc.jsonl", 5), ("reuters-dev.jsonl", 10)):
        result = analyze(load_corpus(CORPORA / name), n_topics=k)
        arts = result.articles.copy()
        arts["topic_id"] = arts["topic_id"] + offset
        arts["corpus"] = name.split("-")[0].split(".")[0]
        topics = result.topics.assign(topic_id=result.topics["topic_id"] + offset)
        parts.append((arts, result.sentences, topics))
        offset += k
    return parts


def scaled(parts, n_articles: int, days: int, seed: int = 0):
    """``n_articles`` analysed articles made of copies of the base frames."""
    rng = np.random.default_rng(seed)
    arts = pd.concat([p[0] for p in parts], ignore_index=True)
    sents = pd.concat([p[1] for p in parts], ignore_index=True)
    topics = pd.concat([p[2] for p in parts], ignore_index=True)
    copies = -(-n_articles // len(arts))
    a_rows, s_rows = [], []
    by_article = sents.groupby("article_id", sort=False).indices
    for c in range(copies):
        a = arts.copy()
        a["article_id"] = a["article_id"] + f"#{c}"
        a_rows.append(a)
        s = sents.copy()
        s["article_id"] = s["article_id"] + f"#{c}"
        s_rows.append(s)
    a = pd.concat(a_rows, ignore_index=True).iloc[:n_articles].copy()
    keep = set(a["article_id"])
    s = pd.concat(s_rows, ignore_index=True)
    s = s[s["article_id"].isin(keep)].reset_index(drop=True)
    start = pd.Timestamp("2025-01-01")
    a["published"] = start + pd.to_timedelta(rng.integers(0, days * 86400, len(a)), unit="s")
    a["outlet"] = a["corpus"] + "-" + pd.Series(rng.integers(0, 10, len(a))).astype(str).to_numpy()
    del by_article
    return a, s, topics


def best(fn, repeat):
    times = []
    out = None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), out


def pss_mb() -> float:
    proc = psutil.Process()
    total = proc.memory_full_info().pss
    for child in proc.children(recursive=True):
        try:
            total += child.memory_full_info().pss
        except psutil.Error:
            pass
    return total / 1e6


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--days", type=int, default=365)
    args = parser.parse_args()
    parts = base_frames()
    print(f"base: {sum(len(p[0]) for p in parts):,} analysed articles "
          f"({', '.join(str(len(p[0])) for p in parts)}), {sum(len(p[1]) for p in parts):,} sentences")
    half = pd.Timestamp("2025-01-01") + pd.Timedelta(days=args.days // 2)
    range_a = (pd.Timestamp("2025-01-01"), half - pd.Timedelta(days=1))
    range_b = (half, pd.Timestamp("2025-01-01") + pd.Timedelta(days=args.days - 1))
    for n in args.sizes:
        arts, sents, topics = scaled(parts, n, args.days)
        print(f"\n== {len(arts):,} articles, {len(sents):,} sentences, {arts['outlet'].nunique()} "
              f"outlets, {topics['topic_id'].nunique()} topics, {args.days} days ==")
        for freq in ("day", "week"):
            t, alerts = best(lambda: detect_alerts(arts, sents, freq=freq, topics=topics), args.repeat)
            print(f"detect_alerts freq={freq} (all/topic/outlet): {t:.2f} s, {len(alerts)} alerts")
        t, alerts = best(lambda: detect_alerts(arts, sents, freq="day", topics=topics,
                                               keywords=KEYWORDS), args.repeat)
        print(f"detect_alerts freq=day + {len(KEYWORDS)} keyword queries: {t:.2f} s, "
              f"{len(alerts)} alerts")
        if len(alerts):
            t, ev = best(lambda: alert_evidence(alerts.iloc[0], arts, sents, freq="day",
                                                topics=topics), args.repeat)
            print(f"alert_evidence (strongest alert): {t:.3f} s, {len(ev)} sentences")
        t, _ = best(lambda: topic_trends(arts, freq="week"), args.repeat)
        print(f"topic_trends freq=week: {t:.3f} s")
        t, ks = best(lambda: keyword_series(arts, sents, KEYWORDS, freq="week"), args.repeat)
        print(f"keyword_series {len(KEYWORDS)} queries, week: {t:.2f} s")
        t, ch = best(lambda: compare_periods(arts, sents, range_a, range_b), args.repeat)
        n_words = (ch["component"] == "word").sum()
        parts_sum = ch.loc[ch["component"].isin(["mix", "within"]), "contribution"].sum()
        total = ch.loc[ch["component"] == "total", "contribution"].item()
        print(f"compare_periods two half-years: {t:.2f} s ({n_words} words; mix+within "
              f"{parts_sum:+.6f} = total {total:+.6f})")
        word = ch.loc[ch["component"] == "word", "name"].iloc[0]
        t, _ = best(lambda: word_sentences(arts, sents, word, range_b), args.repeat)
        print(f"word_sentences {word!r}: {t:.3f} s")
        ov = read_overrides("/nonexistent")
        rng = np.random.default_rng(1)
        picks = sents.iloc[rng.choice(len(sents), 100, replace=False)]
        for row in picks.itertuples(index=False):
            ov = new_override(ov, "sentence", row.article_id, sentence_text=row.text, score=-0.5)
        from analysis.result import AnalysisResult
        empty = pd.DataFrame()
        result = AnalysisResult(articles=arts, sentences=sents, topics=topics,
                                article_topics=pd.DataFrame({"article_id": arts["article_id"],
                                                             "topic_id": arts["topic_id"],
                                                             "weight": 1.0}),
                                skipped=empty, k_scores=empty, topic_map=empty,
                                article_map=empty, params={})
        t, _ = best(lambda: apply_overrides(result, ov), args.repeat)
        print(f"apply_overrides 100 sentence overrides: {t:.2f} s")
        print(f"process PSS: {pss_mb():.0f} MB")


if __name__ == "__main__":
    main()
