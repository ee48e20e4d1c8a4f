"""Speed and quality of ``analysis.topics.TopicModel`` on the shared corpora.

Prints, for bbc.jsonl (2,225 articles, 5 categories): corpus size, the TF-IDF step alone,
the whole fit with k=5 and its NMI/ARI against the categories, the fit with k chosen
automatically (k chosen, NMI/ARI, time, extra cost over k=5) and the k_scores table; then
the same timings for reuters-dev.jsonl (no NMI/ARI: its topic codes are sparse).
Times are the best of ``--repeat`` runs; data is loaded outside the timed region.

    python benchmarks/bench_topics.py [--repeat 3] [--no-reuters]
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402
import sklearn  # noqa: E402
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score  # noqa: E402

from analysis.topics import TopicModel, article_map, topic_map  # noqa: E402

CORPORA = ROOT.parent / "shared" / "corpora"


def load(name):
    with (CORPORA / name).open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def best_of(fn, repeat):
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), out


def scores(model, labels):
    dom = model.dominant()["topic_id"]
    return normalized_mutual_info_score(labels, dom), adjusted_rand_score(labels, dom)


def bench(name, rows, repeat, labels=None):
    texts = [r["text"] for r in rows]
    ids = [str(r["id"]) for r in rows]
    words = sum(len(t.split()) for t in texts)
    print(f"\n== {name}: {len(texts):,} articles, {words:,} words")

    t_vec, X = best_of(lambda: _vectorize(texts), repeat)
    print(f"TF-IDF alone           {t_vec:6.2f} s   ({X.shape[0]:,} x {X.shape[1]:,}, "
          f"{X.nnz:,} non-zeros)")

    t5, m5 = best_of(lambda: TopicModel(n_topics=5).fit(texts, ids), repeat)
    line = f"fit k=5                {t5:6.2f} s"
    if labels is not None:
        nmi, ari = scores(m5, labels)
        line += f"   NMI {nmi:.3f}  ARI {ari:.3f}"
    print(line)

    t_auto, auto = best_of(lambda: TopicModel().fit(texts, ids), repeat)
    line = (f"fit auto k (4..10)     {t_auto:6.2f} s   chose k={auto.n_topics_} "
            f"(+{t_auto - t5:.2f} s over k=5, {len(auto.k_scores_) + 2} NMF fits)")
    if labels is not None:
        nmi, ari = scores(auto, labels)
        line += f"   NMI {nmi:.3f}  ARI {ari:.3f}"
    print(line)
    print(f"chosen by: {auto.chosen_by_}")

    t_maps, _ = best_of(lambda: (topic_map(auto), article_map(auto)), repeat)
    t_frames, _ = best_of(lambda: (auto.article_topics_frame(), auto.dominant()), repeat)
    print(f"topic_map+article_map  {t_maps:6.3f} s   article_topics_frame+dominant "
          f"{t_frames:6.3f} s")

    with pd.option_context("display.width", 120, "display.precision", 4):
        print("\nk_scores_:")
        print(auto.k_scores_.to_string(index=False))
        print("\ntopics (auto):")
        print(auto.topics_[["topic_id", "label", "n_articles", "share", "coherence"]]
              .to_string(index=False))


def _vectorize(texts):
    """The TF-IDF step of ``fit`` alone (default parameters, article units)."""
    model = TopicModel()
    model.unit_ = "article"
    return model._fit_vectorizer(texts)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3, help="runs per timing (best is shown)")
    ap.add_argument("--no-reuters", action="store_true", help="skip reuters-dev.jsonl")
    args = ap.parse_args()
    if not (CORPORA / "bbc.jsonl").exists():
        sys.exit(f"{CORPORA / 'bbc.jsonl'} not found: the benchmark needs ../shared beside "
                 f"the checkout")
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"python {platform.python_version()}, scikit-learn {sklearn.__version__}, "
          f"pandas {pd.__version__}, {cores} cores, best of {args.repeat}")
    bbc = load("bbc.jsonl")
    bench("bbc.jsonl", bbc, args.repeat, labels=[r["category"] for r in bbc])
    if not args.no_reuters and (CORPORA / "reuters-dev.jsonl").exists():
        bench("reuters-dev.jsonl", load("reuters-dev.jsonl"), args.repeat)


if __name__ == "__main__":
    main()
