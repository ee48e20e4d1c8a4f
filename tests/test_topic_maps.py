"""Tests for analysis.topic_maps: topic_map and article_map of a fitted TopicModel.

The themed corpus and its fitted model are the fixtures of test_topics.py.
"""
from __future__ import annotations

import numpy as np

from analysis.topic_maps import article_map, topic_map
from analysis.topics import TopicModel
from test_topics import ECONOMY, SPORT, THEME_OF, THEMES, corpus, fitted  # noqa: F401 (fixtures)


def test_k_one_maps():
    model = TopicModel(n_topics=1).fit(THEMES)
    assert model.n_topics_ == 1
    assert topic_map(model)[["x", "y"]].to_numpy().tolist() == [[0.0, 0.0]]
    am = article_map(model)
    assert am[["x", "y"]].notna().all().all() and len(am) == 15
    assert (model.dominant()["topic_id"] == 0).all()


def test_maps(fitted, corpus):
    tm = topic_map(fitted)
    assert list(tm.columns) == ["topic_id", "x", "y"]
    assert tm["topic_id"].tolist() == [0, 1, 2] and np.isfinite(tm[["x", "y"]]).all().all()
    assert tm[["x", "y"]].round(9).drop_duplicates().shape[0] == 3
    am = article_map(fitted, corpus[1])
    assert list(am.columns) == ["article_id", "x", "y"]
    assert am["article_id"].tolist() == corpus[1]
    assert am[["x", "y"]].iloc[15:].isna().all().all()        # no topic weight: no place
    xy = am[["x", "y"]].iloc[:15].to_numpy()
    # nearby = similar: each article is nearer its own theme's centre than the others'
    centres = np.array([xy[np.array(THEME_OF) == g].mean(axis=0) for g in range(3)])
    nearest = np.linalg.norm(xy[:, None, :] - centres[None], axis=2).argmin(axis=1)
    assert nearest.tolist() == THEME_OF
    two = TopicModel(n_topics=2).fit(SPORT + ECONOMY)
    assert topic_map(two)["y"].tolist() == [0.0, 0.0]
