"""Quality, stability and speed of ``analysis.topics.TopicModel`` on the shared corpora.

Corpora are read as a user would (``load_corpus``: duplicates dropped) and fitted on
``topic_documents`` (title + text).  Prints, with corpus sizes:

* **BBC** (5 categories): NMI / ARI / largest-topic share of the dominant topic against
  the categories at k=5 and with k chosen, fit times;
* **Reuters-dev**, split in two halves by a hash of the article id (develop on one,
  check on the other; both are printed): the single-code articles alone (the shape of an
  unseen Reuters-21578 test set) with k chosen and k given, and the whole half (articles
  with 0 or several codes included) scored on its single-code articles; the real share
  of ``earn`` beside the largest topic's share;
* what the title adds (text only / title once / title twice, k given);
* **stability**: a fit on a 90 % subsample (hash of the id) against the full fit, k
  fixed to the full fit's, topics matched one to one (Hungarian assignment on the
  topic-term cosine): mean and lowest cosine;
* the cost of choosing k (one process; ``analyze`` spreads the NMF fits over its
  workers).

    python benchmarks/bench_topics.py [--quick]

``--quick`` skips the title comparison and the k-given grid.  Times are CPU seconds of
this process (wall time on the shared 2-core machine moves with the other jobs) and wall
seconds.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import platform
import time
import warnings

from common import CORPORA

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import sklearn  # noqa: E402
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score  # noqa: E402

from analysis import load_corpus  # noqa: E402
from analysis.topic_documents import topic_documents  # noqa: E402
from analysis.topic_quality import match_topics  # noqa: E402
from analysis.topics import TopicModel, auto_k_range  # noqa: E402


def labelled(name, key):
    """Corpus frame of ``name`` with the raw file's ``key`` field as ``codes`` (a list)."""
    corpus = load_corpus(CORPORA / name)
    with (CORPORA / name).open(encoding="utf-8") as fh:
        raw = {str(r["id"]): r[key] for r in map(json.loads, fh)}
    codes = corpus["article_id"].map(raw)
    corpus["codes"] = codes.map(lambda v: v if isinstance(v, list) else [v])
    corpus["half"] = [int(hashlib.sha1(i.encode()).hexdigest(), 16) % 2
                      for i in corpus["article_id"]]
    return corpus.reset_index(drop=True)


def fit(corpus, **params):
    warnings.simplefilter("ignore")
    t, c = time.perf_counter(), time.process_time()
    model = TopicModel(**params).fit(topic_documents(corpus), corpus["article_id"].tolist())
    return model, time.perf_counter() - t, time.process_time() - c


def scores(model, corpus):
    """NMI, ARI and largest-topic share on the single-code articles."""
    single = (corpus["codes"].map(len) == 1).to_numpy()
    truth = corpus.loc[single, "codes"].map(lambda v: v[0]).to_numpy()
    dom = model.dominant()["topic_id"].to_numpy()[single]
    largest = np.bincount(dom[dom >= 0]).max() / len(dom)
    return (normalized_mutual_info_score(truth, dom), adjusted_rand_score(truth, dom), largest)


def line(what, corpus, model, wall, cpu):
    nmi, ari, largest = scores(model, corpus)
    fmt = (f", format topic {int((model.dominant()['topic_id'] == model.format_topic_).sum())}"
           if model.format_topic_ >= 0 else "")
    print(f"  {what:<34} k={model.n_topics_:<3} NMI {nmi:.3f}  ARI {ari:.3f}  "
          f"largest {largest:.0%}  themes {model.n_themes_}  {cpu:5.1f} s cpu "
          f"({wall:.1f} s wall){fmt}")
    return nmi, ari


def stability(corpus, k):
    keep = (np.array([int(hashlib.sha1(("sub" + i).encode()).hexdigest(), 16) % 10
                      for i in corpus["article_id"]]) != 0)
    full, *_ = fit(corpus, n_topics=k)
    sub, *_ = fit(corpus[keep], n_topics=k)
    m = match_topics(full.topic_term_, full.vectorizer_.get_feature_names_out(),
                     sub.topic_term_, sub.vectorizer_.get_feature_names_out())
    return int(keep.sum()), m["cosine"].mean(), m["cosine"].min()


def stability_and_topics(corpus, model):
    """Print the 90 % subsample stability at the model's k, then its topics."""
    n, mean, low = stability(corpus, model.n_topics_)
    print(f"  stability: 90 % subsample ({n:,}) at k={model.n_topics_}: mean matched cosine "
          f"{mean:.3f}, lowest {low:.3f}")
    with pd.option_context("display.width", 160, "display.max_colwidth", 60):
        print(model.topics_[["topic_id", "label", "theme_label", "n_articles"]]
              .to_string(index=False))


def titles_compare(corpus, k):
    """NMI at k given reading the text only, the title once, the title twice."""
    out = []
    texts = corpus["text"].fillna("").tolist()
    titles = corpus["title"].fillna("").tolist()
    for name, docs in (("text only", texts),
                       ("title + text", topic_documents(corpus)),
                       ("title twice + text", [f"{t}\n\n{d}" for t, d in
                                               zip(titles, topic_documents(corpus))])):
        model = TopicModel(n_topics=k).fit(docs, corpus["article_id"].tolist())
        out.append(f"{name} {scores(model, corpus)[0]:.3f}")
    return " · ".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="skip the title and k-given grids")
    args = ap.parse_args()
    if not (CORPORA / "bbc.jsonl").exists():
        raise SystemExit(f"{CORPORA / 'bbc.jsonl'} not found: the benchmark needs ../shared "
                         f"beside the checkout")
    print(f"python {platform.python_version()}, scikit-learn {sklearn.__version__}, "
          f"pandas {pd.__version__}")

    bbc = labelled("bbc.jsonl", "category")
    print(f"\n== bbc.jsonl: {len(bbc):,} articles (duplicates dropped), 5 categories")
    line("k=5", bbc, *fit(bbc, n_topics=5))
    auto, wall, cpu = fit(bbc)
    line("k chosen", bbc, auto, wall, cpu)
    print(f"  chosen by: {auto.chosen_by_}")
    for h in (0, 1):
        half = bbc[bbc["half"] == h]
        line(f"half {h} ({len(half):,}), k chosen", half, *fit(half))
    stability_and_topics(bbc, auto)

    if not (CORPORA / "reuters-dev.jsonl").exists():
        return
    reu = labelled("reuters-dev.jsonl", "topics")
    single = reu["codes"].map(len) == 1
    print(f"\n== reuters-dev.jsonl: {len(reu):,} articles (duplicates dropped), "
          f"{int(single.sum()):,} with one code ({reu.loc[single, 'codes'].str[0].nunique()} "
          f"codes)")
    for h in (0, 1):
        half = reu[reu["half"] == h]
        one = half[half["codes"].map(len) == 1]
        earn = (one["codes"].str[0] == "earn").mean()
        print(f" half {h}: {len(half):,} articles, {len(one):,} single-code "
              f"(earn {earn:.0%} of them)")
        model, wall, cpu = fit(one)
        line("single-code, k chosen", one, model, wall, cpu)
        print(f"    chosen by: {model.chosen_by_}")
        # An unseen Reuters-21578 set of 6,481 single-code articles searches 5..40 on a
        # 1,000-article sample: the half (about 1,000) over that range is its analogue.
        lo, hi = auto_k_range(6_481)
        line(f"single-code, k chosen in {lo}..{hi}", one, *fit(one, k_range=(lo, hi)))
        if not args.quick:
            for k in (10, 20, 30):
                line(f"single-code, k={k}", one, *fit(one, n_topics=k))
        line("whole half, k chosen", half, *fit(half))
        if not args.quick:
            print(f"    NMI at k=20, single-code: {titles_compare(one, 20)}")
    whole, wall, cpu = fit(reu)
    print(" whole file:")
    line("k chosen", reu, whole, wall, cpu)
    stability_and_topics(reu, whole)


if __name__ == "__main__":
    main()
