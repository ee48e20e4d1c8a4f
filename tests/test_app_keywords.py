"""Tracked keywords side by side (Sentiment tab) under AppTest, on a folder and on a store:
the summary table and the series are the analysis' own, bad lines are named, the
charts and the CSV follow the queries typed, the evidence follows the pick."""
from __future__ import annotations

import io

import pandas as pd
import pytest

from analysis import queries
from analysis.criteria import Criteria
from analysis.keywords import SERIES_COLUMNS

from app_helpers import app as _app, ok as _ok

QUERIES = "storm OR flood*\nelection\nmatch AND NOT storm\noil AND\n"
GOOD = ["storm OR flood*", "election", "match AND NOT storm"]


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory):
    from factories import index_news_store

    return index_news_store(tmp_path_factory.mktemp("archive"))


def _track(at, text):
    at.session_state["tab"] = "Sentiment"
    at.run()
    _ok(at)
    at.text_area(key="w_track").input(text).run()
    _ok(at)
    return at


def _summary(at) -> pd.DataFrame:
    frames = [d.value for d in at.dataframe if "n_sentences" in d.value.columns]
    assert len(frames) == 1
    return frames[0]


def _chart_keys(at) -> set:
    return {c.proto.id for c in at.get("plotly_chart")}


def _series_csv(at) -> pd.DataFrame:
    name, make = at.session_state["_downloads"]["dl_kw"]
    assert name.startswith("news-keywords-") and name.endswith(".csv")
    return pd.read_csv(io.BytesIO(make()), encoding="utf-8-sig")


def _check_page(at, want_summary: pd.DataFrame):
    assert any("'oil AND'" in w.value for w in at.warning)  # the bad line, named
    got = _summary(at)
    assert list(got["keyword"]) == GOOD
    pd.testing.assert_frame_equal(got.reset_index(drop=True), want_summary, check_dtype=False)
    assert (got["n_articles"] > 0).all()
    # two histograms, volume and sentiment; the share of voice needs periods of 10
    # matching articles, which this small corpus does not have: said instead
    assert len(at.get("plotly_chart")) == 4
    assert any("Share of voice needs periods" in i.value for i in at.info)
    series = _series_csv(at)
    assert list(series.columns) == SERIES_COLUMNS
    assert list(dict.fromkeys(series["keyword"])) == GOOD
    # an article that matches none of the other queries: the series add up to the table
    assert series.groupby("keyword")["n_articles"].sum().loc[GOOD].tolist() == \
        got["n_articles"].tolist()
    # the evidence follows the query picked
    at.radio(key="w_track_pick").set_value("election").run()
    _ok(at)
    _, make = at.session_state["_downloads"]["dl_ev_kw"]
    ev = pd.read_csv(io.BytesIO(make()), encoding="utf-8-sig")
    assert len(ev) and ev["text"].str.contains("election", case=False).all()
    html = " ".join(h.proto.body for h in at.get("html"))
    assert "election" in html.lower()


def test_tracks_several_queries_on_a_folder(news_folder, cache_dir):
    from analysis.corpus import read_source
    from analysis.keywords import keyword_summary
    from analysis.pipeline import analyze

    at = _app({"src": str(news_folder)})
    at.run()
    _ok(at)
    _track(at, QUERIES)
    corpus, _ = read_source(news_folder)
    result = analyze(corpus)
    _check_page(at, keyword_summary(result.articles, result.sentences, GOOD))
    assert at.query_params["track"] in (QUERIES.strip(), [QUERIES.strip()])


def test_tracks_several_queries_on_a_store(store_dir, cache_dir):
    at = _app({"src": str(store_dir)})
    at.run()
    _ok(at)
    _track(at, QUERIES)
    _check_page(at, queries.keyword_summary(queries.Store(store_dir), Criteria(), GOOD))


def test_nothing_typed_or_nothing_found_says_so(news_folder, cache_dir):
    at = _app({"src": str(news_folder)})
    at.run()
    _ok(at)
    _track(at, "")
    assert any("one per line" in c.value for c in at.caption)
    _track(at, "zeppelin")
    assert any("No article in the current filter matches" in i.value for i in at.info)
