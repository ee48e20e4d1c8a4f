"""Tests for analysis.topic_quality, through TopicModel.k_scores_: coherence, diversity and
the elbow score that chooses k.

The themed corpus and the bbc fixture are those of test_topics.py.
"""
from __future__ import annotations

from analysis.topics import TopicModel
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
    assert model.k_scores_["k"].tolist() == list(range(4, 11))
