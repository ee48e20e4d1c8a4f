"""analysis.topic_groups: which group a topic is drawn in, and folds that sum exactly."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import aggregate
from analysis.topic_groups import (THEME_BASE, fold_topic_sentiment, fold_topic_table,
                                   fold_topic_timeline, has_themes, member_topics,
                                   parse_grouping, topic_groups)

TOPICS = pd.DataFrame({"topic_id": [0, 1, 2, 3], "label": ["goal", "match", "bank", "rates"],
                       "theme_id": [1, 1, 0, 0], "theme_label": ["sport"] * 2 + ["money"] * 2})


def test_groupings_of_topics_themes_and_an_expanded_theme():
    assert topic_groups(TOPICS, "topics")["group_id"].tolist() == [0, 1, 2, 3]
    g = topic_groups(TOPICS, "themes")
    assert g["group_id"].tolist() == [THEME_BASE + 1] * 2 + [THEME_BASE] * 2
    assert g["group_label"].tolist() == ["sport", "sport", "money", "money"]
    assert g["n_topics"].tolist() == [2, 2, 2, 2]
    g = topic_groups(TOPICS, "1")  # sport expanded, money folded
    assert g["group_id"].tolist() == [0, 1, THEME_BASE, THEME_BASE]
    assert g["group_label"].tolist() == ["goal", "match", "money", "money"]
    assert g["n_topics"].tolist() == [1, 1, 2, 2]


def test_a_grouping_that_cannot_be_is_topics():
    assert parse_grouping("7", TOPICS) == "topics"  # no theme 7
    assert parse_grouping("nonsense", TOPICS) == "topics"
    assert parse_grouping("0", TOPICS) == "0"
    one_each = TOPICS.assign(theme_id=[0, 1, 2, 3])
    assert not has_themes(one_each) and parse_grouping("themes", one_each) == "topics"
    assert not has_themes(TOPICS.drop(columns=["theme_id", "theme_label"]))


def test_member_topics_turns_clicked_groups_into_topic_ids():
    g = topic_groups(TOPICS, "1")
    assert member_topics([THEME_BASE], g) == [2, 3]
    assert member_topics([0, THEME_BASE], g) == [0, 2, 3]
    assert member_topics([-1], g) == [-1]  # "no topic" stands for itself
    assert member_topics([3], None) == [3]


def test_fold_topic_table_sums_counts_and_weights_means_by_articles():
    table = TOPICS.assign(n_articles=[3, 1, 4, 0], share=[0.375, 0.125, 0.5, 0.0],
                          compound=[0.5, -0.3, -0.2, np.nan], terms="x")
    out = fold_topic_table(table, topic_groups(TOPICS, "themes"))
    assert out["topic_id"].tolist() == [THEME_BASE, THEME_BASE + 1]
    assert out["label"].tolist() == ["money", "sport"]
    assert out["n_articles"].tolist() == [4, 4] and out["share"].tolist() == [0.5, 0.5]
    assert out["compound"].tolist() == pytest.approx([-0.2, (3 * 0.5 - 0.3) / 4])
    assert out["n_topics"].tolist() == [2, 2]
    assert "terms" not in out  # does not sum


@pytest.fixture(scope="module")
def seeds():
    from pathlib import Path

    from analysis import analyze
    from analysis.corpus import read_source

    corpus, _ = read_source(Path(__file__).resolve().parents[1] / "seeds")
    return analyze(corpus, n_topics=7)


def _relabelled(result, groups):
    """The result's frames with every topic id replaced by its group's: what a model
    with those groups as topics would give."""
    to = dict(zip(groups["topic_id"], groups["group_id"]))
    names = dict(zip(groups["group_id"], groups["group_label"]))
    arts = result.articles.assign(topic_id=result.articles["topic_id"].map(to).fillna(-1)
                                  .astype(np.int64))
    arts["topic_label"] = arts["topic_id"].map(names).fillna("(no topic)")
    at = result.article_topics.assign(topic_id=result.article_topics["topic_id"].map(to))
    at = at.groupby(["article_id", "topic_id"], as_index=False)["weight"].sum()
    return arts, at, names


def test_folds_equal_the_frames_computed_with_themes_as_topics(seeds):
    topics = seeds.topics.assign(theme_id=[0, 0, 1, 1, 1, 2, 2],
                                 theme_label=["a", "a", "b", "b", "b", "c", "c"])
    for grouping in ("themes", "1"):
        groups = topic_groups(topics, grouping)
        arts, at, names = _relabelled(seeds, groups)
        want = aggregate.topic_timeline(arts, at, freq="week", topic_labels=names)
        got = fold_topic_timeline(aggregate.topic_timeline(seeds.articles, seeds.article_topics,
                                                           freq="week"), groups)
        pd.testing.assert_frame_equal(got.reset_index(drop=True), want.reset_index(drop=True),
                                      check_dtype=False, rtol=1e-9)
        want = aggregate.topic_sentiment(arts, seeds.sentences)
        got = fold_topic_sentiment(aggregate.topic_sentiment(seeds.articles, seeds.sentences),
                                   groups)
        sizes = groups.drop_duplicates("group_id").set_index("group_id")["n_topics"]
        assert (got["n_topics"] == got["topic_id"].map(sizes)).all()
        got = got.drop(columns="n_topics")
        pd.testing.assert_frame_equal(got.reset_index(drop=True), want.reset_index(drop=True),
                                      check_dtype=False)
        table = fold_topic_table(aggregate.topic_summary(topics, seeds.articles,
                                                         seeds.sentences), groups)
        by_group = arts.groupby("topic_id")["compound"].agg(["size", "mean"])
        assert table.set_index("topic_id")["n_articles"].to_dict() == by_group["size"].to_dict()
        assert table.set_index("topic_id")["compound"].to_numpy() == pytest.approx(
            by_group["mean"].to_numpy())


def test_fold_outlet_grid_sums_cells_and_recolours_what_is_now_enough():
    from analysis.topic_groups import fold_outlet_topic_grid

    grid = pd.DataFrame({"outlet": ["Wire"] * 4, "topic_id": [0, 1, 2, 3],
                         "topic_label": ["goal", "match", "bank", "rates"],
                         "n_articles": [3, 2, 0, 4], "compound": [0.5, 0.0, np.nan, -0.2]})
    grid["reliable"] = grid["n_articles"] >= 5
    out = fold_outlet_topic_grid(grid, topic_groups(TOPICS, "themes"), min_articles=5)
    assert list(out.columns) == list(grid.columns)
    rows = out.set_index("topic_id")
    assert rows.loc[THEME_BASE + 1, "n_articles"] == 5 and rows.loc[THEME_BASE, "n_articles"] == 4
    assert rows.loc[THEME_BASE + 1, "compound"] == pytest.approx(0.3)  # (3×0.5 + 2×0) / 5
    assert rows.loc[THEME_BASE, "compound"] == pytest.approx(-0.2)     # the empty cell adds nothing
    assert rows["reliable"].to_dict() == {THEME_BASE: False, THEME_BASE + 1: True}
    assert rows.loc[THEME_BASE + 1, "topic_label"] == "sport"


def test_module_examples():
    import doctest

    import analysis.topic_groups as module

    assert doctest.testmod(module).failed == 0


def _random_timeline(seed: int, n_topics: int = 9, n_periods: int = 40) -> pd.DataFrame:
    """A topic timeline with awkward floats (sums whose rounding depends on the order
    and compensation), missing compounds, zero weights and a "no topic" row."""
    rng = np.random.default_rng(seed)
    periods = pd.date_range("2024-01-01", periods=n_periods, freq="W-MON").astype("datetime64[us]")
    rows = [(p, t) for p in periods for t in list(range(n_topics)) + [-1]]
    n = len(rows)
    weight = rng.random(n) * 10.0 ** rng.integers(-6, 4, n)
    weight[rng.random(n) < 0.1] = 0.0
    compound = rng.uniform(-1, 1, n)
    compound[rng.random(n) < 0.15] = np.nan
    ttl = pd.DataFrame({"period": [r[0] for r in rows], "topic_id": [r[1] for r in rows],
                        "topic_label": [f"t{r[1]}" for r in rows],
                        "n_articles": rng.integers(0, 50, n).astype(np.int64),
                        "weight": weight, "share": rng.random(n) / 3, "compound": compound})
    ttl.attrs["freq"] = "week"
    return ttl


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_numpy_fold_is_pandas_groupby_bit_for_bit(seed):
    """The numpy fold (every rerun of the Over time tab) gives pandas' groupby frame:
    same rows, types and float bits (Kahan-compensated sums in row order)."""
    from analysis.topic_groups import _fold, _fold_pandas

    ttl = _random_timeline(seed)
    topics = pd.DataFrame({"topic_id": range(9), "label": [f"t{i}" for i in range(9)],
                           "theme_id": [0, 0, 0, 1, 1, 2, 2, 2, 2],
                           "theme_label": ["a", "a", "a", "b", "b", "c", "c", "c", "c"]})
    for grouping in ("themes", "topics", "1", "2"):
        groups = topic_groups(topics, grouping)
        for frame, keys, label, sums, means in [
                (ttl, ["period", "topic_id"], "topic_label", ("n_articles", "weight", "share"),
                 {"compound": "weight"}),
                (ttl[ttl["period"] == ttl["period"].iloc[0]].drop(columns="period")
                 .rename(columns={"topic_label": "label"}), ["topic_id"], "label",
                 ("n_articles", "share"), {"compound": "n_articles"})]:
            fast = _fold(frame, groups, keys, label, sums, means)
            slow = _fold_pandas(frame, groups, keys, label, sums, means)
            pd.testing.assert_frame_equal(fast, slow, check_exact=True)
        pd.testing.assert_frame_equal(fold_topic_timeline(ttl, groups),
                                      _fold_pandas(ttl, groups, ["period", "topic_id"],
                                                   "topic_label", ("n_articles", "weight", "share"),
                                                   {"compound": "weight"})[list(ttl.columns)],
                                      check_exact=True)
    empty = ttl.iloc[:0]
    groups = topic_groups(topics, "themes")
    pd.testing.assert_frame_equal(
        _fold(empty, groups, ["period", "topic_id"], "topic_label", ("weight",), None),
        _fold_pandas(empty, groups, ["period", "topic_id"], "topic_label", ("weight",), None))
