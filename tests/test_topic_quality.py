"""Tests for analysis.topic_quality, through TopicModel.k_scores_: coherence, diversity and
the elbow score that chooses k.

The themed corpus and the bbc fixture are those of test_topics.py.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from analysis.topics import TopicModel, auto_k_range
from test_topics import _scores, bbc, corpus  # noqa: F401 (fixtures)


def test_auto_k_finds_three_themes(corpus):
    texts, ids = corpus
    model = TopicModel(k_range=(2, 5)).fit(texts, ids)
    assert model.n_topics_ == 3
    assert "elbow" in model.chosen_by_
    ks = model.k_scores_
    assert ks["k"].tolist() == [2, 3, 4, 5]
    assert ks["chosen"].sum() == 1 and ks.loc[ks["chosen"], "k"].item() == 3
    assert list(ks.columns) == ["k", "coherence", "diversity", "reconstruction_err", "gain",
                                "elbow", "n_iter", "chosen"]
    assert ks["reconstruction_err"].is_monotonic_decreasing


def test_bbc_auto_k(bbc):
    texts, ids, cats = bbc
    model = TopicModel().fit(texts, ids)
    assert 4 <= model.n_topics_ <= 8, model.k_scores_
    nmi, ari = _scores(model, cats)
    assert nmi >= 0.80, (model.n_topics_, nmi, ari)
    # The range grows with the corpus (5..24 for 2,225 articles) on a grid of k.
    assert auto_k_range(len(texts)) == (5, 24)
    assert model.k_scores_["k"].tolist() == [5, 6, 7, 8, 9, 10, 12, 14, 17, 20, 24]


def test_a_wire_gets_tens_of_topics_not_its_genres():
    """Reuters-dev's single-code articles (47 codes, earnings 46 %): the elbow of the
    first few topics (its genres) must not win; the topics must match the codes."""
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    from analysis import load_corpus
    from analysis.topic_documents import topic_documents
    path = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "reuters-dev.jsonl"
    if not path.exists():
        pytest.skip(f"{path} is absent")
    with path.open(encoding="utf-8") as fh:
        codes = {str(r["id"]): r["topics"] for r in map(json.loads, fh)}
    corpus = load_corpus(path)
    corpus = corpus[corpus["article_id"].map(lambda i: len(codes[i]) == 1)]
    model = TopicModel().fit(topic_documents(corpus), corpus["article_id"].tolist())
    truth = corpus["article_id"].map(lambda i: codes[i][0])
    dom = model.dominant()["topic_id"]
    nmi, ari = normalized_mutual_info_score(truth, dom), adjusted_rand_score(truth, dom)
    assert model.n_topics_ >= 12, model.k_scores_
    assert nmi >= 0.55 and ari >= 0.35, (model.n_topics_, nmi, ari)
    assert model.format_topic_ >= 0
    largest = dom.value_counts(normalize=True).max()
    assert largest <= (truth == "earn").mean(), largest      # no topic above earn's share


@pytest.mark.parametrize("n, expected", [(10, (4, 10)), (50, (4, 10)), (999, (4, 16)),
                                         (1_000, (5, 16)), (2_092, (5, 23)), (4_516, (5, 34)),
                                         (10_000, (5, 40)), (1_000_000, (5, 40))])
def test_auto_k_range_grows_with_the_corpus(n, expected):
    assert auto_k_range(n) == expected


def test_k_grid():
    from analysis.topics import _k_grid
    assert _k_grid(4, 10) == list(range(4, 11))
    assert _k_grid(4, 40) == [4, 5, 6, 7, 8, 9, 10, 12, 14, 17, 20, 24, 29, 35, 40]
    assert _k_grid(2, 2) == [2]


def test_elbow_on_a_grid_uses_gain_per_topic():
    from analysis.topic_quality import gain_and_elbow
    errs = {0: 10.0, 4: 6.0, 5: 5.0, 6: 4.8, 8: 4.4}
    g, e = gain_and_elbow(errs, 6)
    assert g == pytest.approx(0.2) and e == pytest.approx(0.2 / 0.2)    # (4.8 - 4.4) / 2
    g, e = gain_and_elbow(errs, 5)
    assert g == pytest.approx(1.0) and e == pytest.approx(5.0)
    assert gain_and_elbow(errs, 4)[0] == pytest.approx(1.0)             # (10 - 6) / 4
    assert np.isnan(gain_and_elbow(errs, 8)[1])                          # no next k


def test_auto_k_searches_a_sample_then_fits_all(corpus):
    texts, ids = corpus
    texts = [t for t in texts if t]
    full = TopicModel(k_range=(2, 4)).fit(texts)
    sampled = TopicModel(k_range=(2, 4), search_units=10).fit(texts)
    assert "searched on 10 of" in sampled.chosen_by_
    assert sampled.doc_topic_.shape == full.doc_topic_.shape
    given = TopicModel(n_topics=sampled.n_topics_).fit(texts)
    np.testing.assert_array_equal(sampled.doc_topic_, given.doc_topic_)   # one full fit


def test_match_topics_pairs_the_same_topics(corpus):
    from analysis.topic_quality import match_topics
    texts, ids = corpus
    texts = [t for t in texts if t]
    full = TopicModel(n_topics=3).fit(texts)
    terms = full.vectorizer_.get_feature_names_out()
    # the same model, rows shuffled and a vocabulary in another order: perfect match
    perm = [2, 0, 1]
    m = match_topics(full.topic_term_, terms, full.topic_term_[perm][:, ::-1], terms[::-1])
    assert list(m.columns) == ["topic_a", "topic_b", "cosine"]
    assert m["cosine"].to_numpy() == pytest.approx([1.0, 1.0, 1.0])
    assert dict(zip(m["topic_a"], m["topic_b"])) == {perm[j]: j for j in range(3)}


def test_subsample_topics_match_the_full_fit(corpus):
    """Stability: a fit on 90 % of the articles finds the same topics (mean cosine of the
    matched topic-term vectors >= 0.8); the shared corpora's figures are in benchmarks/."""
    from analysis.topic_quality import match_topics
    from test_topics import THEMES
    texts = THEMES * 2
    full = TopicModel(n_topics=3).fit(texts)
    keep = [i for i in range(len(texts)) if i % 10 != 3]          # 90 %
    sub = TopicModel(n_topics=3).fit([texts[i] for i in keep])
    m = match_topics(full.topic_term_, full.vectorizer_.get_feature_names_out(),
                     sub.topic_term_, sub.vectorizer_.get_feature_names_out())
    assert len(m) == 3 and m["cosine"].mean() >= 0.8
