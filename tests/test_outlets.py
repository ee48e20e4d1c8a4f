"""Tests for analysis.outlets (and the outlet filter / evidence in analysis.aggregate)."""
import numpy as np
import pandas as pd
import pytest

from analysis import aggregate
from analysis.outlets import outlet_timeline, outlet_topic_sentiment


def _articles():
    day = pd.Timestamp("2024-07-01")
    rows = [
        # (day offset, outlet, topic, compound)
        (0, "bbc", 0, 0.5), (0, "bbc", 1, -0.5), (0, "cnn", 0, 0.1),
        (1, "cnn", 0, -0.2), (1, "cnn", 1, -0.4),
        (3, "bbc", 0, 0.3),
    ]
    return pd.DataFrame({
        "article_id": [f"a{i}" for i in range(len(rows))],
        "published": [day + pd.Timedelta(days=d) for d, *_ in rows],
        "title": ["t"] * len(rows),
        "outlet": [o for _, o, _, _ in rows],
        "topic_id": np.array([t for *_, t, _ in rows], dtype=np.int64),
        "topic_label": [f"topic {t}" for *_, t, _ in rows],
        "compound": [c for *_, c in rows],
    })


def test_outlet_timeline_share_of_voice():
    tl = outlet_timeline(_articles(), freq="day")
    assert tl.attrs["freq"] == "day"
    assert len(tl) == 4 * 2  # 4 days (one quiet) x 2 outlets
    day0 = tl[tl["period"] == "2024-07-01"].set_index("outlet")
    assert day0.loc["bbc", "n_articles"] == 2 and day0.loc["bbc", "share"] == pytest.approx(2 / 3)
    assert day0.loc["bbc", "compound"] == pytest.approx(0.0)
    quiet = tl[tl["period"] == "2024-07-03"]
    assert (quiet["n_articles"] == 0).all() and (quiet["share"] == 0).all()
    shares = tl.groupby("period")["share"].sum()
    assert np.allclose(shares[shares > 0], 1.0)


def test_outlet_topic_grid_counts_and_reliability():
    grid = outlet_topic_sentiment(_articles(), min_articles=2)
    assert len(grid) == 4
    cell = grid.set_index(["outlet", "topic_id"])
    assert cell.loc[("bbc", 0), "n_articles"] == 2
    assert cell.loc[("bbc", 0), "compound"] == pytest.approx(0.4)
    assert bool(cell.loc[("bbc", 0), "reliable"]) and not bool(cell.loc[("bbc", 1), "reliable"])
    assert grid["n_articles"].sum() == len(_articles())
    with pytest.raises(ValueError, match="min_articles must be a positive integer; got 0"):
        outlet_topic_sentiment(_articles(), min_articles=0)


def test_frames_without_outlet_count_as_unknown():
    arts = _articles().drop(columns="outlet")
    assert set(outlet_timeline(arts, freq="day")["outlet"]) == {""}
    assert aggregate.article_outlets(arts).eq("").all()


def test_filter_and_evidence_by_outlet():
    from analysis import analyze
    from factories import make_corpus
    corpus = make_corpus()
    corpus["outlet"] = np.where(corpus.index % 2 == 0, "even", "odd")
    result = analyze(corpus, n_topics=3, n_jobs=1)
    assert (result.articles["outlet"] == corpus["outlet"]).all()
    even = result.filter(outlets=["even"])
    assert len(even.articles) == (corpus["outlet"] == "even").sum()
    assert set(even.sentences["article_id"]) <= set(even.articles["article_id"])
    assert even.params["filter"]["outlets"] == ["even"]
    ev = aggregate.evidence(result.articles, result.sentences, outlet="odd")
    odd_ids = set(corpus.loc[corpus["outlet"] == "odd", "article_id"])
    assert len(ev) and set(ev["article_id"]) <= odd_ids
