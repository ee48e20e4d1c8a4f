"""analysis.views: the in-memory and the store backends answer every view the same."""
from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from analysis import queries
from analysis.criteria import Criteria
from analysis.rollups import write_rollups
from analysis.views import (FrameViews, StoreViews, extreme_periods, histogram, is_store,
                            label_counts, resolve_freq)
from factories import make_corpus, write_store


@pytest.fixture(scope="module")
def result():
    from analysis import analyze
    return analyze(make_corpus(), n_topics=3)


@pytest.fixture(scope="module")
def store(result, tmp_path_factory):
    folder = write_store(result, tmp_path_factory.mktemp("views") / "s")
    write_rollups(folder)
    s = queries.Store(folder)
    yield s
    s.close()


CRITERIA = [Criteria(), Criteria(topics=[1]), Criteria(start="2024-06-10", end="2024-06-30"),
            Criteria(keyword="river"), Criteria(sentiment=(0.0, 1.0))]


def _pair(result, store, c):
    view = result.filter(**c.filter_kwargs())
    return FrameViews(result, view, c), StoreViews(store, c)


@pytest.mark.parametrize("c", CRITERIA, ids=str)
def test_backends_agree(result, store, c):
    fv, sv = _pair(result, store, c)
    h1, h2 = fv.headline(), sv.headline()
    assert h1.mean_compound == pytest.approx(h2.mean_compound, nan_ok=True)
    assert dataclasses.replace(h1, mean_compound=0) == dataclasses.replace(h2, mean_compound=0)
    pd.testing.assert_frame_equal(fv.label_counts(), sv.label_counts())
    for of in ("sentences", "articles"):
        pd.testing.assert_frame_equal(fv.histogram(of), sv.histogram(of))
    freq = resolve_freq(fv, "auto")
    assert freq == resolve_freq(sv, "auto")
    a, b = fv.timeline(freq), sv.timeline(freq)
    pd.testing.assert_frame_equal(a[["period", "n_articles", "n_sentences"]],
                                  b[["period", "n_articles", "n_sentences"]])
    np.testing.assert_allclose(a["compound"], b["compound"], equal_nan=True)
    for label in ("negative", "positive"):
        e1, e2 = fv.evidence(label=label, n=5), sv.evidence(label=label, n=5)
        assert list(e1["text"]) == list(e2["text"])
    page1, n1 = fv.articles_page("the", 0, None)
    page2, n2 = sv.articles_page("the", 0, 1000)
    assert n1 == n2 and list(page1["article_id"]) == list(page2["article_id"])
    assert fv.n_total() == sv.n_total() and fv.span() == sv.span()


def test_period_evidence_is_of_that_period(result, store):
    fv, sv = _pair(result, store, Criteria())
    tl = fv.timeline("week")
    ext = extreme_periods(tl, 1)
    assert list(ext["which"]) == ["lowest", "highest"]
    assert ext["compound"].iloc[0] == tl["compound"].min()
    assert ext["compound"].iloc[1] == tl["compound"].max()
    start = ext["period"].iloc[0]
    for views in (fv, sv):
        ev = views.evidence(label="negative", period=start, freq="week", n=5)
        assert len(ev) and ev["published"].between(start, start + pd.Timedelta(days=7)).all()
        assert (ev["label"] == "negative").all()


def test_extreme_periods_needs_two_full_periods():
    tl = pd.DataFrame({"period": pd.date_range("2024-01-01", periods=3, freq="D"),
                       "compound": [0.5, -0.5, 0.1], "n_articles": [20, 3, 20]})
    ext = extreme_periods(tl, 10)
    # the −0.5 day has 3 articles: noise, not the lowest period
    assert ext.set_index("which")["compound"].to_dict() == {"lowest": 0.1, "highest": 0.5}
    assert extreme_periods(tl, 21).empty


def test_histogram_and_label_counts():
    h = histogram([-1.0, -0.95, 0.0, 1.0, np.nan], bins=4)
    assert list(h["n"]) == [2, 0, 1, 1] and h["low"].iloc[0] == -1.0
    lc = label_counts(pd.DataFrame({"label": ["positive", "negative", "positive"]}))
    assert list(lc["n_sentences"]) == [1, 0, 2]
    assert lc["share"].sum() == pytest.approx(1.0)


def test_store_article_and_exports(result, store):
    c = Criteria(topics=[0])
    fv, sv = _pair(result, store, c)
    inside = fv.articles_page()[0]["article_id"].iloc[0]
    outside = result.articles.loc[result.articles["topic_id"] != 0, "article_id"].iloc[0]
    for views in (fv, sv):
        row, sents, in_view = views.article(inside)
        assert in_view and row["article_id"] == inside and len(sents)
        assert views.article(outside)[2] is False
        assert views.article("no-such-id")[0] is None
    ids = list(fv.articles_page()[0]["article_id"][:3])
    a = pd.read_csv(pd.io.common.BytesIO(fv.articles_csv(ids)), encoding="utf-8-sig")
    b = pd.read_csv(pd.io.common.BytesIO(sv.articles_csv(ids)), encoding="utf-8-sig")
    assert list(a["article_id"]) == list(b["article_id"]) == ids
    assert is_store(store.path) and not is_store(store.path / "articles")


def test_evidence_lists_fold_repeated_sentences():
    from analysis.views import distinct_sentences
    ev = pd.DataFrame({"text": ["War.", "War.", "Peace.", "War.", "Calm."],
                       "compound": [-0.9, -0.9, -0.8, -0.9, -0.1]})
    out = distinct_sentences(ev, 2)
    assert out["text"].tolist() == ["War.", "Peace."]
    assert out["copies"].tolist() == [3, 1] and out["copies"].dtype == "int64"


def test_store_says_the_folder_it_was_indexed_from(store, tmp_path):
    # write_store writes no "source" (a fixture, not an indexer): None, not a guess
    assert StoreViews(store, Criteria()).indexed_from() is None
    from analysis.indexer import index_archive
    from factories import write_seed_format

    frame = make_corpus()
    write_seed_format(frame[frame["published"].notna()].head(6), tmp_path / "news")
    index_archive(tmp_path / "news", tmp_path / "store", n_topics=2, n_jobs=1)
    s = queries.Store(tmp_path / "store")
    try:
        assert StoreViews(s, Criteria()).indexed_from() == str(tmp_path / "news")
    finally:
        s.close()
