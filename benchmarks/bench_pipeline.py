"""End-to-end and per-stage timing of ``analyze`` on the shared corpora.

Prints, for bbc.jsonl and reuters-dev.jsonl: corpus size, VADER's own single-process
time on the same sentences (the floor), the whole pipeline (load -> split -> score ->
topics -> aggregates, n_topics given) with every core, its ratio to the floor (best of
``--repeat`` runs in this process, whose worker pool is then running, and the first
run in a new process, which starts the pool), each
stage run alone in one process, the extra cost of choosing k automatically, and topic
NMI/ARI against the BBC categories.

    python benchmarks/bench_pipeline.py [--repeat 3]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score  # noqa: E402
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer  # noqa: E402

from analysis import aggregate, analyze, load_corpus, workers  # noqa: E402
from analysis.sentences import split_sentences  # noqa: E402
from analysis.sentiment import score_sentences  # noqa: E402
from analysis.topics import TopicModel  # noqa: E402

CORPORA = ROOT.parent / "shared" / "corpora"


def best(fn, repeat):
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), statistics.median(times), out


def vader_floor(texts):
    analyzer = SentimentIntensityAnalyzer()
    for t in texts:
        analyzer.polarity_scores(t)


def load_serial(path):
    """``load_corpus`` with its clean-up kept in this process."""
    saved, workers.PARALLEL_MIN_CHARS = workers.PARALLEL_MIN_CHARS, float("inf")
    try:
        return load_corpus(path)
    finally:
        workers.PARALLEL_MIN_CHARS = saved


def whole(path, k):
    corpus = load_corpus(path)
    result = analyze(corpus, n_topics=k)
    freq = "week" if result.articles["published"].notna().any() else "day"
    aggregate.timeline(result.articles, result.sentences, freq=freq)
    aggregate.topic_timeline(result.articles, result.article_topics, freq=freq)
    return result


COLD = """
import sys, time
sys.path.insert(0, {root!r})
sys.path.insert(0, {here!r})
from bench_pipeline import whole
t = time.perf_counter()
whole({path!r}, {k})
print(time.perf_counter() - t)
"""


def cold(path, k):
    """``whole`` once in a new Python process: the worker pool is started inside it."""
    code = COLD.format(root=str(ROOT), here=str(Path(__file__).parent), path=str(path), k=k)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def bench(name, k, repeat):
    path = CORPORA / name
    corpus = load_corpus(path)
    sents = split_sentences(corpus)
    texts = sents["text"].tolist()
    print(f"\n== {name}: {len(corpus)} articles, {len(texts)} sentences, "
          f"{corpus['text'].str.len().sum() / 1e6:.1f} M chars, {os.cpu_count()} cores")
    floor, _, _ = best(lambda: vader_floor(texts), repeat)
    first = min(cold(path, k) for _ in range(repeat))
    total, total_med, result = best(lambda: whole(path, k), repeat)
    print(f"VADER alone, 1 process (floor):  {floor:6.2f} s")
    print(f"whole pipeline, k={k}:            {total:6.2f} s (median {total_med:.2f})  "
          f"ratio {total / floor:.2f}x  (workers already running)")
    print(f"  first run in a new process:    {first:6.2f} s  ratio {first / floor:.2f}x  "
          f"(includes starting the workers)")
    stages = {
        "load": lambda: load_serial(path),
        "split": lambda: split_sentences(corpus),
        "score (with split input)": lambda: score_sentences(sents),
        f"topics k={k}": lambda: TopicModel(n_topics=k).fit(corpus["text"].tolist(),
                                                              corpus["article_id"].tolist()),
    }
    for stage, fn in stages.items():
        t, _, _ = best(fn, repeat)
        print(f"  stage {stage:28s} {t:6.2f} s (1 process)")
    t_auto, _, auto = best(lambda: analyze(load_corpus(path), n_topics=None), 1)
    print(f"whole pipeline, automatic k:     {t_auto:6.2f} s  (chose k={auto.params['n_topics_chosen']}, "
          f"+{t_auto - total:.2f} s over k given)")
    figures = {"articles": len(corpus), "sentences": len(texts), "floor_s": round(floor, 3),
               "pipeline_s": round(total, 3), "ratio": round(total / floor, 3),
               "first_run_s": round(first, 3), "first_run_ratio": round(first / floor, 3),
               "auto_k_s": round(t_auto, 3), "auto_k": auto.params["n_topics_chosen"]}
    if "category" in pd.read_json(path, lines=True, nrows=1).columns:
        cats = pd.read_json(path, lines=True)[["id", "category"]].rename(columns={"id": "article_id"})
        for label, res in ((f"k={k}", result), (f"auto k={auto.params['n_topics_chosen']}", auto)):
            m = res.articles.merge(cats, on="article_id")
            nmi = normalized_mutual_info_score(m["category"], m["topic_id"])
            ari = adjusted_rand_score(m["category"], m["topic_id"])
            print(f"topics vs categories, {label}: NMI {nmi:.3f}  ARI {ari:.3f}")
            figures[f"nmi {label}"] = round(nmi, 3)
            figures[f"ari {label}"] = round(ari, 3)
    return figures


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if not CORPORA.exists():
        sys.exit(f"needs {CORPORA} (the shared corpora)")
    out = {"bbc": bench("bbc.jsonl", 5, args.repeat),
           "reuters-dev": bench("reuters-dev.jsonl", 10, args.repeat)}
    print("\n" + json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
