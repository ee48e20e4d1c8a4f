"""Tests for analysis.topic_themes: themes above topics, and the theme columns a fitted
TopicModel and an analysis carry."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.topic_themes import MAX_THEMES, default_n_themes, topic_themes
from analysis.topics import TopicModel

TERMS = ["goal", "match", "league", "bank", "rates", "inflation", "vaccine", "trial"]
# Two sport topics, two economy topics, one health topic.
H = np.array([
    [1.0, 0.8, 0.3, 0.0, 0.0, 0.0, 0.0, 0.0],
    [0.2, 0.9, 1.0, 0.0, 0.0, 0.0, 0.0, 0.1],
    [0.0, 0.0, 0.0, 1.0, 0.7, 0.2, 0.0, 0.0],
    [0.0, 0.0, 0.0, 0.3, 0.8, 1.0, 0.0, 0.0],
    [0.0, 0.0, 0.0, 0.0, 0.0, 0.1, 1.0, 0.9],
])


def test_related_topics_share_a_theme():
    th = topic_themes(H, TERMS, [10, 9, 20, 5, 3], n_themes=3)
    assert list(th.columns) == ["topic_id", "theme_id", "theme_label"]
    assert th["topic_id"].dtype == np.int64 and th["theme_id"].dtype == np.int64
    g = th["theme_id"].tolist()
    assert g[0] == g[1] and g[2] == g[3] and len({g[0], g[2], g[4]}) == 3
    # numbered by articles: economy 25, sport 19, health 3
    assert g[2] == 0 and g[0] == 1 and g[4] == 2
    labels = dict(zip(th["theme_id"], th["theme_label"]))
    assert set(labels[1].split(" · ")) <= {"goal", "match", "league"}
    assert "match" in labels[1]                       # the term both sport topics share
    assert set(labels[0].split(" · ")) <= {"bank", "rates", "inflation"}


def test_a_theme_of_unrelated_topics_is_named_by_its_largest_topics():
    # Four topics that share one faint word in pairs, asked for two themes: each theme
    # joins two topics with one word in common; one topic's words would name it as if
    # it were both.
    unrelated = np.zeros((4, 8))
    for t, (own, faint) in enumerate([(0, 2), (1, 2), (3, 5), (4, 5)]):
        unrelated[t, own], unrelated[t, faint] = 1.0, 0.05
    th = topic_themes(unrelated, TERMS, [5, 9, 2, 7], n_themes=2)
    for theme, rows in th.groupby("theme_id"):
        label = rows["theme_label"].iloc[0]
        own = {0: "goal", 1: "match", 2: "bank", 3: "rates"}
        firsts = [own[t] for t in sorted(rows["topic_id"], key=lambda t: -[5, 9, 2, 7][t])]
        assert label == " / ".join(firsts), (theme, label)


def test_words_every_topic_has_name_no_theme():
    # "said" is in every topic's top terms: it is not what a theme of several is about.
    terms = TERMS + ["said"]
    with_said = np.column_stack([H, np.full(len(H), 0.95)])
    th = topic_themes(with_said, terms, [10, 9, 20, 5, 3], n_themes=3)
    several = th[th.groupby("theme_id")["topic_id"].transform("size") > 1]
    assert len(several) == 4 and not any("said" in lab for lab in several["theme_label"])
    assert set(several["theme_label"]) == {"match · league", "rates · bank"}


def test_deterministic_and_order_of_terms_only_matters_through_the_matrix():
    a = topic_themes(H, TERMS, [10, 9, 20, 5, 3], n_themes=2)
    b = topic_themes(H.copy(), list(TERMS), [10, 9, 20, 5, 3], n_themes=2)
    pd.testing.assert_frame_equal(a, b)
    assert a["theme_id"].nunique() == 2


@pytest.mark.parametrize("k, expected", [(0, 0), (1, 1), (5, 5), (8, 8), (9, 3), (12, 3),
                                         (25, 5), (40, 6), (200, MAX_THEMES)])
def test_default_number_of_themes(k, expected):
    assert default_n_themes(k) == expected


def test_no_topics_and_one_theme():
    empty = topic_themes(np.zeros((0, 3)), ["a", "b", "c"], [])
    assert empty.empty and list(empty.columns) == ["topic_id", "theme_id", "theme_label"]
    one = topic_themes(H, TERMS, [1] * 5, n_themes=1)
    assert one["theme_id"].tolist() == [0] * 5
    many = topic_themes(H, TERMS, [1] * 5, n_themes=50)        # clipped to k
    assert many["theme_id"].nunique() == 5


def test_model_topics_carry_their_theme():
    from test_topics import THEMES
    model = TopicModel(n_topics=3, n_themes=2).fit(THEMES)
    t = model.topics_
    assert model.n_themes_ == 2 and t["theme_id"].nunique() == 2
    assert t["theme_id"].dtype == np.int64
    assert t.groupby("theme_id")["theme_label"].nunique().eq(1).all()
    # the largest theme first
    sizes = t.groupby("theme_id")["n_articles"].sum()
    assert sizes.is_monotonic_decreasing


def test_module_examples():
    import doctest

    import analysis.topic_themes as module

    assert doctest.testmod(module).failed == 0
