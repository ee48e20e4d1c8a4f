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
from view_checks import assert_same_figures
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


def _same_evidence_and_pages(fv, sv, search: str) -> None:
    """Both backends list the same strongest sentences and the same article page."""
    for label in ("negative", "positive"):
        e1, e2 = fv.evidence(label=label, n=5), sv.evidence(label=label, n=5)
        assert list(e1["text"]) == list(e2["text"])
    page1, n1 = fv.articles_page(search, 0, None)
    page2, n2 = sv.articles_page(search, 0, 1000)
    assert n1 == n2 and list(page1["article_id"]) == list(page2["article_id"])
    for offset in (0, 2, n1, n1 + 3):  # full, last and empty pages of two rows
        assert sv.articles_page(search, offset, 2)[1] == n1


@pytest.mark.parametrize("c", CRITERIA, ids=str)
def test_backends_agree(result, store, c):
    fv, sv = _pair(result, store, c)
    assert_same_figures(fv, sv)
    _same_evidence_and_pages(fv, sv, "the")
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


def test_timelines_say_how_much_of_each_period_the_view_covers(result, store):
    dates = result.articles["published"].dropna().sort_values()
    start = dates.iloc[len(dates) // 3].date()  # a day with articles
    for c in (Criteria(), Criteria(start=start)):
        fv, sv = _pair(result, store, c)
        a, b = fv.timeline("week"), sv.timeline("week")
        pd.testing.assert_series_equal(a["coverage"], b["coverage"])
        assert a["coverage"].iloc[1:-1].eq(1.0).all()   # whole weeks between
        assert a["coverage"].iloc[-1] < 1.0               # the corpus stops mid-week
    # the filter's first day cuts its week: covered from that day on
    monday = pd.Timestamp(start) - pd.Timedelta(days=pd.Timestamp(start).weekday())
    assert a["period"].iloc[0] == monday
    assert a["coverage"].iloc[0] == pytest.approx(1 - pd.Timestamp(start).weekday() / 7)


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


A_RANGE = (pd.Timestamp("2024-06-01"), pd.Timestamp("2024-06-16"))
B_RANGE = (pd.Timestamp("2024-06-17"), pd.Timestamp("2024-07-08"))


@pytest.mark.parametrize("c", [Criteria(), Criteria(topics=[0, 1]), Criteria(keyword="the"),
                               Criteria(start="2024-06-20", end="2024-06-25")], ids=str)
def test_compare_is_compare_periods_on_both_backends(result, store, c):
    from analysis.compare import compare_periods
    # the sidebar's dates give way to the two ranges; the other criteria apply to both
    base = result.filter(**dataclasses.replace(c, start=None, end=None).filter_kwargs())
    expected = compare_periods(base.articles, base.sentences, A_RANGE, B_RANGE)
    fv, sv = _pair(result, store, c)
    for views in (fv, sv):
        got = views.compare(A_RANGE, B_RANGE)
        assert list(got["component"]) == list(expected["component"])
        assert list(got["name"]) == list(expected["name"])
        pd.testing.assert_frame_equal(got[["topic_id", "n_a", "n_b"]],
                                      expected[["topic_id", "n_a", "n_b"]])
        np.testing.assert_allclose(got["contribution"], expected["contribution"], atol=1e-12)
        parts = got[got["component"].isin(["mix", "within"])]["contribution"].sum()
        assert parts == pytest.approx(got["contribution"].iloc[0], abs=1e-12)
    word = expected.loc[expected["component"] == "word", "name"].iloc[0]
    ev_f = fv.compare_sentences(word, B_RANGE)
    ev_s = sv.compare_sentences(word, B_RANGE)
    assert list(ev_f["text"]) == list(ev_s["text"])
    assert len(ev_f) and ev_f["published"].dt.normalize().between(*B_RANGE).all()
    assert ev_f["text"].str.lower().str.contains(word).all()


def test_compare_refuses_an_empty_range_and_adds_changes_to_the_report(result, store):
    import io
    import zipfile
    fv, sv = _pair(result, store, Criteria())
    empty = (pd.Timestamp("2023-01-01"), pd.Timestamp("2023-01-31"))
    for views in (fv, sv):
        with pytest.raises(ValueError, match="holds no article"):
            views.compare(empty, B_RANGE)
        with zipfile.ZipFile(io.BytesIO(views.report_zip("week", compare=(A_RANGE, B_RANGE)))) as zf:
            changes = pd.read_csv(zf.open("changes.csv"), encoding="utf-8-sig")
        assert changes["component"].iloc[0] == "total"
        assert list(changes.columns) == ["component", "name", "topic_id", "share_a", "share_b",
                                         "sentiment_a", "sentiment_b", "contribution"]
        with zipfile.ZipFile(io.BytesIO(views.report_zip("week"))) as zf:
            assert "changes.csv" not in zf.namelist()
        with zipfile.ZipFile(io.BytesIO(views.report_zip("week", compare=(empty, B_RANGE)))) as zf:
            assert "changes.csv" not in zf.namelist()


@pytest.mark.parametrize("c", CRITERIA[:4], ids=str)
@pytest.mark.parametrize("tab", ["Overview", "Over time", "Topics", "Sentiment"])
def test_store_prefetch_starts_the_tabs_queries_and_answers_the_same(store, c, tab):
    from concurrent.futures import Future

    def answers(v, freq):
        """The tab's answers, as its charts and evidence lists ask for them."""
        if tab == "Overview":
            return {"labels": v.label_counts(), "table": v.topic_table(),
                    **v.evidence_by_label(n=5)}
        if tab == "Over time":
            ext = extreme_periods(v.timeline(freq), 1)
            whiches = ["negative" if w == "lowest" else "positive" for w in ext["which"]]
            return {"timeline": v.timeline(freq), "topic_timeline": v.topic_timeline(freq),
                    **v.evidence_by_label(whiches, periods=list(ext["period"]), freq=freq,
                                          n=5)}
        if tab == "Topics":
            return {"topic_sentiment": v.topic_sentiment()}
        return {of: v.histogram(of) for of in ("sentences", "articles")}

    # Each side asked of DuckDB, not recalled from the store's answers (an earlier
    # test's, or the other side's).
    store.answers.clear()
    cold = StoreViews(store, c)
    freq = resolve_freq(cold, "auto")
    expected = answers(cold, freq)
    store.answers.clear()
    warm = StoreViews(store, c)
    warm.prefetch(tab, freq, min_period_articles=1, evidence_rows=5)
    started = [k for k, v in warm._memo.items() if isinstance(v, Future)]
    if warm.headline().n_articles:
        assert started, "the tab's queries are started ahead"
    got = answers(warm, freq)
    if tab == "Over time":
        ext = extreme_periods(cold.timeline(freq), 1)
        whiches = ["negative" if w == "lowest" else "positive" for w in ext["which"]]
        if len(ext):  # the prefetch stored the tab's evidence under the key it asks for
            assert not isinstance(warm._memo[("ev", tuple(whiches), None, 5,
                                              tuple(ext["period"]), freq)], Future)
    assert got.keys() == expected.keys()
    for name in got:
        pd.testing.assert_frame_equal(got[name], expected[name])


def test_store_answers_are_kept_per_filter_and_names(store):
    """A filter drawn before (another tab, "Clear filters", another session) is answered
    from the store's answers; another filter or other topic names are asked anew."""
    store.answers.clear()
    c = CRITERIA[1]
    first = StoreViews(store, c).topic_table()
    assert StoreViews(store, c).topic_table() is first  # kept: not asked again
    assert StoreViews(store, Criteria()).topic_table() is not first
    tid = int(first["topic_id"].iloc[0])
    renamed = StoreViews(store, c, {tid: "renamed"}).topic_table()
    assert renamed is not first
    assert renamed.loc[renamed["topic_id"] == tid, "label"].iloc[0] == "renamed"
    assert len(store.answers) <= store.ANSWER_CACHE


@pytest.fixture(scope="module")
def seeds_pair(tmp_path_factory):
    """The demo corpus (its Kestrel Bay week is a real spike) in memory and as a store."""
    from pathlib import Path

    from analysis import analyze
    from analysis.corpus import read_source

    corpus, _ = read_source(Path(__file__).resolve().parents[1] / "seeds")
    result = analyze(corpus)
    folder = write_store(result, tmp_path_factory.mktemp("seeds") / "s")
    write_rollups(folder)
    s = queries.Store(folder)
    yield result, s
    s.close()


@pytest.mark.parametrize("freq", ["auto", "day", "week"])
def test_store_alerts_are_the_frames_alerts(seeds_pair, freq):
    from analysis.alerts import alert_evidence, alert_freq, detect_alerts, topic_trends

    result, s = seeds_pair
    used, found, trends = StoreViews(s, Criteria()).whats_new(freq)
    assert used == alert_freq(freq, result.articles["published"])
    want = detect_alerts(result.articles, result.sentences, freq=used,
                         topics=result.topics).head(50)
    pd.testing.assert_frame_equal(found.reset_index(drop=True), want.reset_index(drop=True),
                                  check_dtype=False)
    if freq == "week":
        assert len(found) and "kestrel" in found["name"].iloc[0].lower()
    pd.testing.assert_frame_equal(trends, topic_trends(result.articles, freq=used),
                                  check_dtype=False)
    for alert in found.head(3).to_dict("records"):
        ev = StoreViews(s, Criteria()).alert_evidence(alert, used, n=5)
        ref = alert_evidence(alert, result.articles, result.sentences, freq=used,
                             topics=result.topics, n=5)
        assert list(ev["text"]) == list(ref["text"]) and len(ev)


TRACKED = ["Kestrel Bay", "storm OR flood*", "bank AND NOT Kestrel"]


@pytest.mark.parametrize("freq", ["auto", "week"])
def test_tracked_queries_alert_alike_on_both_backends(seeds_pair, freq):
    """Tracked queries are alert series on a store too (from per-period sums): the
    same alerts and evidence as the frames', the whole store and a filtered view."""
    import io
    import zipfile

    from analysis.alerts import alert_evidence, alert_freq, alerts_table, detect_alerts

    result, s = seeds_pair
    used, found, _ = StoreViews(s, Criteria()).whats_new(freq, tuple(TRACKED))
    want = detect_alerts(result.articles, result.sentences, freq=used, topics=result.topics,
                         keywords=TRACKED).head(50)
    pd.testing.assert_frame_equal(found.reset_index(drop=True), want.reset_index(drop=True),
                                  check_dtype=False)
    keyword = found[found["scope"] == "keyword"]
    assert len(keyword) and "Kestrel Bay" in set(keyword["name"])  # its week is a spike
    for alert in keyword.head(2).to_dict("records"):
        ev = StoreViews(s, Criteria()).alert_evidence(alert, used, n=5)
        ref = alert_evidence(alert, result.articles, result.sentences, freq=used,
                             topics=result.topics, n=5)
        assert list(ev["text"]) == list(ref["text"]) and len(ev)
    # a filtered view: the alerts of its own articles, on both backends and in the zip
    c = Criteria(end=pd.Timestamp("2024-08-11"))
    fv, sv = _pair(result, s, c)
    a, b = fv.alerts(freq, TRACKED), sv.alerts(freq, TRACKED)
    assert a.attrs["freq"] == b.attrs["freq"] == alert_freq(freq, fv.view.articles["published"])
    pd.testing.assert_frame_equal(a, b, check_dtype=False)
    assert len(a) and (a["period_start"] <= "2024-08-11").all()
    late = Criteria(start=pd.Timestamp("2024-08-01"))  # no 5 periods of baseline left
    for views in _pair(result, s, late):
        assert views.alerts("week", TRACKED).empty
    for views in (fv, sv):
        with zipfile.ZipFile(io.BytesIO(views.report_zip("month", tracked=TRACKED,
                                                         alert_freq=freq))) as zf:
            got = pd.read_csv(zf.open("alerts.csv"), encoding="utf-8-sig")
        assert list(got["name"]) == list(alerts_table(a)["name"])


# --------------------------------------------------------------------------- outlets
@pytest.fixture(scope="module")
def outlet_result():
    """The three-theme corpus from three outlets (one article without one)."""
    from analysis import analyze
    corpus = make_corpus()
    corpus["outlet"] = (["Wire", "Herald", "Gazette", "Wire"] * 10)[:len(corpus)]
    corpus.loc[3, "outlet"] = ""
    return analyze(corpus, n_topics=3)


@pytest.fixture(scope="module", params=["rollups", "own files"])
def outlet_store(outlet_result, tmp_path_factory, request):
    """The same corpus as a store, queried through its roll-ups and without them."""
    folder = write_store(outlet_result, tmp_path_factory.mktemp("outlets") / "s")
    if request.param == "rollups":
        write_rollups(folder)
    s = queries.Store(folder)
    assert s.use_rollups == (request.param == "rollups")
    yield s
    s.close()


OUTLET_CRITERIA = [Criteria(), Criteria(outlets=["Wire"]),
                   Criteria(outlets=["Herald", ""], topics=[0, 1]),
                   Criteria(outlets=["Wire", "Gazette"], keyword="river"),
                   Criteria(outlets=["Gazette"], start="2024-06-10", end="2024-06-30",
                            sentiment=(-0.5, 1.0))]


@pytest.mark.parametrize("c", OUTLET_CRITERIA, ids=str)
def test_backends_agree_on_outlets(outlet_result, outlet_store, c):
    fv, sv = _pair(outlet_result, outlet_store, c)
    h1, h2 = fv.headline(), sv.headline()
    assert (h1.n_articles, h1.n_sentences) == (h2.n_articles, h2.n_sentences)
    if c.outlets:
        assert 0 < h1.n_articles < len(outlet_result.articles)
    pd.testing.assert_frame_equal(fv.outlets(), sv.outlets())
    if c.outlets:
        assert set(fv.outlets()["outlet"]) <= set(c.outlets)
    for freq in ("day", "week", "month"):
        a, b = fv.outlet_timeline(freq), sv.outlet_timeline(freq)
        pd.testing.assert_frame_equal(a, b)
        assert a.attrs["freq"] == b.attrs["freq"] == freq
        assert a["n_articles"].sum() == h1.n_articles - h1.undated
    pd.testing.assert_frame_equal(fv.outlet_topic_grid(), sv.outlet_topic_grid())
    pd.testing.assert_frame_equal(fv.outlet_topic_grid(2), sv.outlet_topic_grid(2))
    freq = resolve_freq(fv, "week")
    a, b = fv.timeline(freq), sv.timeline(freq)
    pd.testing.assert_frame_equal(a[["period", "n_articles", "n_sentences"]],
                                  b[["period", "n_articles", "n_sentences"]])
    pd.testing.assert_frame_equal(fv.topic_table()[["topic_id", "n_articles"]].reset_index(drop=True),
                                  sv.topic_table()[["topic_id", "n_articles"]].reset_index(drop=True))
    _same_evidence_and_pages(fv, sv, "")


def test_outlet_filter_reaches_every_export(outlet_result, outlet_store):
    import io
    import zipfile

    c = Criteria(outlets=["Herald"])
    fv, sv = _pair(outlet_result, outlet_store, c)
    for views in (fv, sv):
        with zipfile.ZipFile(io.BytesIO(views.report_zip("week"))) as zf:
            arts = pd.read_csv(io.BytesIO(zf.read("articles.csv")), encoding="utf-8-sig")
            sents = pd.read_csv(io.BytesIO(zf.read("sentences.csv")), encoding="utf-8-sig")
            summary = zf.read("summary.txt").decode("utf-8")
        assert set(arts["outlet"]) == {"Herald"}, views.backend
        assert set(sents["outlet"]) == {"Herald"}, views.backend
        assert "outlets Herald" in summary, views.backend
        ids = arts["article_id"].tolist()[:2]
        one = pd.read_csv(io.BytesIO(views.articles_csv(ids)), encoding="utf-8-sig")
        assert list(one["outlet"]) == ["Herald", "Herald"], views.backend


def test_outlet_criteria_normalised():
    assert Criteria(outlets=["b", "a", "b"]).outlets == ("a", "b")
    assert Criteria(outlets=[]).outlets is None
    assert Criteria(outlets=["a"]) == Criteria(outlets=("a",))
    assert Criteria(outlets=[""]).outlets == ("",)
    with pytest.raises(TypeError):
        Criteria(outlets="Wire")
    assert Criteria(outlets=["x"]).describe()["outlets"] == ["x"]


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


def test_store_prefetch_without_a_period_starts_before_the_headline(store):
    """``prefetch(tab, None)`` (called before the headline) starts the tab's period-free
    queries without asking for the headline; called again with the period, the rest."""
    from concurrent.futures import Future

    store.answers.clear()
    c = CRITERIA[1]
    v = StoreViews(store, c)
    v.prefetch("Over time", None, min_period_articles=1, evidence_rows=5)
    assert "headline" not in v._memo
    assert [k for k in v._memo if isinstance(v._memo[k], Future)] == ["table"]
    freq = resolve_freq(v, "auto")
    v.prefetch("Over time", freq, min_period_articles=1, evidence_rows=5)
    assert {("timeline", freq), ("topic_timeline", freq), ("time_ev", freq)} <= set(v._memo)
    store.answers.clear()
    pd.testing.assert_frame_equal(v.topic_table(), StoreViews(store, c).topic_table())
    store.answers.clear()
    v = StoreViews(store, c)
    v.prefetch("Overview", None, evidence_rows=5)
    assert "headline" not in v._memo
    assert {"labels", "table", ("ev", ("negative", "positive"), None, 5, None, None)} \
        == set(v._memo)
    for started in v._memo.values():  # done before the store closes
        started.result()


def test_over_time_prefetch_of_a_view_without_two_full_periods_makes_its_own_lists(store):
    """Fewer than two periods of ``min_period_articles``: the tab lists the view's own
    strongest sentences, and the prefetch makes exactly those (the list is not asked
    again, one after the other, when the tab draws)."""
    from concurrent.futures import Future

    store.answers.clear()
    v = StoreViews(store, Criteria())
    freq = resolve_freq(v, "auto")
    v.prefetch("Over time", freq, min_period_articles=10 ** 9, evidence_rows=5)
    v._memo[("time_ev", freq)].result()
    plain = ("ev", ("negative", "positive"), None, 5, None, None)
    made = v._memo[plain]
    assert not isinstance(made, Future)
    assert v.evidence_by_label(("negative", "positive"), n=5) is made
    store.answers.clear()
    fresh = StoreViews(store, Criteria()).evidence_by_label(("negative", "positive"), n=5)
    for label in ("negative", "positive"):
        pd.testing.assert_frame_equal(made[label], fresh[label])
