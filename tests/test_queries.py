"""Store queries (analysis.queries) give the same answers as the frame functions of
analysis.aggregate on the same filter, through the roll-ups and without them."""
from __future__ import annotations

import dataclasses
import os
import shutil

import numpy as np
import pandas as pd
import pytest

from analysis import aggregate, evidence_tier, queries as q
from analysis.criteria import Criteria, index_token, keyword_where
from analysis.headline import headline
from analysis.rollups import write_rollups
from analysis.search import search_articles
from factories import make_corpus, write_store

EXTRA = [
    # punctuation, quotes and SQL in the text, for keyword and search tests
    {"article_id": "odd-00", "published": pd.Timestamp("2024-06-20 10:30"),
     "title": "O'Brien's 100% deal", "source": "memory:odd", "encoding": "utf-8", "warning": "",
     "text": "Prices rose 50% after O'Brien spoke; the U.S. market fell sharply.\n\n"
             "Market Moves:\n\nTraders said it's a terrible week. DROP TABLE articles; was "
             "written on a sign, and the river valley mood was grim."},
    {"article_id": "odd-01", "published": pd.Timestamp("2024-07-02 23:59:59"),
     "title": "Late night", "source": "memory:odd1", "encoding": "utf-8", "warning": "",
     "text": "The storm passed quietly at midnight and nobody was hurt."},
]


@pytest.fixture(scope="session")
def result():
    from analysis import analyze

    corpus = pd.concat([make_corpus(), pd.DataFrame(EXTRA)], ignore_index=True)
    return analyze(corpus, n_topics=3)


@pytest.fixture(scope="session")
def store_dirs(result, tmp_path_factory):
    with_rollups = write_store(result, tmp_path_factory.mktemp("store") / "s")
    write_rollups(with_rollups)
    raw = write_store(result, tmp_path_factory.mktemp("raw") / "s")
    return {"rollups": with_rollups, "raw": raw}


@pytest.fixture(scope="session", params=["rollups", "raw"])
def store(request, store_dirs):
    s = q.Store(store_dirs[request.param])
    assert s.use_rollups == (request.param == "rollups")
    yield s
    s.close()


CRITERIA = [
    Criteria(),
    Criteria(start="2024-06-10", end="2024-06-30"),
    Criteria(start="2024-06-10", end="2024-06-30", include_undated=True),
    Criteria(end="2024-07-02"),
    Criteria(start="2024-06-12 12:00"),
    Criteria(topics=[0, 2]),
    Criteria(sentiment=(-1.0, 0.0)),
    Criteria(sentiment=(0.1, 1.0), topics=[1]),
    Criteria(keyword="river"),
    Criteria(keyword="RIVER valley"),
    Criteria(keyword="market moves"),  # a heading: in the text, in no sentence
    Criteria(keyword="u.s."),
    Criteria(keyword="rive"),  # not a whole word: nothing
    Criteria(keyword="storm", start="2024-06-15", topics=[0, 1, 2]),
]


def _ids(c):
    return "|".join(str(x) for x in (c.start, c.end, c.topics, c.sentiment, c.keyword,
                                     c.include_undated) if x is not None) or "all"


def _view(result, c):
    return result.filter(**c.filter_kwargs())


@pytest.mark.parametrize("c", CRITERIA, ids=_ids)
def test_headline_equals_the_frames(store, result, c):
    v = _view(result, c)
    want = headline(v.articles, v.sentences, v.topics)
    got = q.headline(store, c)
    assert (got.n_articles, got.n_sentences, got.undated, got.n_topics_present, got.n_topics,
            got.first, got.last) == (want.n_articles, want.n_sentences, want.undated,
                                     want.n_topics_present, want.n_topics, want.first,
                                     want.last)
    np.testing.assert_allclose([got.mean_compound, got.pos_share, got.neg_share],
                               [want.mean_compound, want.pos_share, want.neg_share],
                               rtol=1e-9, equal_nan=True)
    if c == Criteria():
        assert got.n_articles == len(result.articles) > 0


@pytest.mark.parametrize("freq", ["hour", "day", "week", "month"])
@pytest.mark.parametrize("c", CRITERIA[:9], ids=_ids)
def test_timeline_equals_the_frames(store, result, c, freq):
    v = _view(result, c)
    want = aggregate.timeline(v.articles, v.sentences, freq=freq)
    got = q.timeline(store, c, freq)
    assert not got.attrs  # the period is the caller's, never in attrs
    pd.testing.assert_frame_equal(got, want, check_dtype=True, rtol=1e-9)


@pytest.mark.parametrize("c", CRITERIA[:9], ids=_ids)
def test_topic_timeline_equals_the_frames(store, result, c):
    v = _view(result, c)
    want = aggregate.topic_timeline(v.articles, v.article_topics, freq="week")
    got = q.topic_timeline(store, c, "week")
    # The frames label a topic that no article of the view leads by its id; the store
    # knows every topic's label.
    unlabeled = want["topic_label"] == want["topic_id"].astype(str)
    labels = store.topics.set_index("topic_id")["label"]
    assert (got.loc[unlabeled, "topic_label"] == got.loc[unlabeled, "topic_id"].map(labels)).all()
    want.loc[unlabeled, "topic_label"] = got.loc[unlabeled, "topic_label"]
    pd.testing.assert_frame_equal(got, want, rtol=1e-9)


def test_auto_freq_is_resolved_as_the_frames_do(store, result):
    for c in (Criteria(), Criteria(start="2024-06-10", end="2024-06-11")):
        v = _view(result, c)
        assert q.resolve_freq(store, c) == aggregate.auto_freq(v.articles["published"])


@pytest.mark.parametrize("c", CRITERIA, ids=_ids)
def test_topic_table_and_mix_equal_the_frames(store, result, c):
    v = _view(result, c)
    got = q.topic_table(store, c)
    cols = ["topic_id", "label", "n_articles", "share", "compound", "pos_share", "neg_share"]
    pd.testing.assert_frame_equal(got[cols].reset_index(drop=True),
                                  v.topics[cols].reset_index(drop=True), rtol=1e-9)
    want = aggregate.topic_sentiment(v.articles, v.sentences)
    want = want[want["topic_id"] >= 0].reset_index(drop=True)
    got = q.topic_sentiment(store, c)
    got = got[got["topic_id"] >= 0].reset_index(drop=True)
    pd.testing.assert_frame_equal(got, want[got.columns], rtol=1e-9, check_dtype=False)


def test_renames_reach_every_label(store):
    names = {0: "Renamed zero", 1: "  "}
    assert q.topic_table(store, names=names).set_index("topic_id").loc[0, "label"] == \
        "Renamed zero"
    assert set(q.topic_timeline(store, freq="week", names=names).query("topic_id == 0")
               ["topic_label"]) == {"Renamed zero"}
    page, _ = q.articles_page(store, Criteria(topics=[0]), names=names)
    assert set(page["topic_label"]) == {"Renamed zero"}
    assert q.topic_table(store, names=names).set_index("topic_id").loc[1, "label"] == \
        store.topics.set_index("topic_id").loc[1, "label"]


def test_remembered_answers_are_bounded_and_recently_used_kept(store_dirs):
    st = q.Store(store_dirs["rollups"])
    calls = []
    st.remember("span", lambda: calls.append("span") or "the span")
    for i in range(q.REMEMBER + 20):  # one key per tracked query a user typed
        st.remember(("whats_new", i), lambda i=i: i)
        assert st.remember("span", lambda: calls.append("span") or "again") == "the span"
    assert calls == ["span"]  # used all along: kept, made once
    assert len(st._remembered) == q.REMEMBER
    assert st.remember(("whats_new", 0), lambda: "remade") == "remade"  # the oldest went
    st.close()


@pytest.mark.parametrize("of", ["sentences", "articles"])
@pytest.mark.parametrize("c", CRITERIA[:9], ids=_ids)
def test_histograms_equal_numpy(store, result, c, of):
    v = _view(result, c)
    values = (v.sentences if of == "sentences" else v.articles)["compound"].dropna()
    want, edges = np.histogram(values.clip(-1, 1), bins=np.linspace(-1, 1, 22))
    got = q.sentiment_histogram(store, c, of=of)
    np.testing.assert_array_equal(got["n"].to_numpy(), want)
    np.testing.assert_allclose(got["low"].to_numpy(), edges[:-1])


@pytest.mark.parametrize("c", CRITERIA[:9], ids=_ids)
def test_histograms_come_from_the_day_rollups(store_dirs, result, c, tmp_path):
    """With the roll-ups, both histograms are sums of the day roll-up's (or a filtered
    view's) per-bin counts: with every sentence row made to raise when read they still
    answer, the same counts as NumPy over the view's frames; other bin counts read the
    sentences."""
    s = q.Store(store_dirs["rollups"])
    assert s.use_rollups
    s.con.execute("CREATE OR REPLACE VIEW sentences AS SELECT * REPLACE (if(compound > -9, "
                  "error('a sentence was read')::DOUBLE, compound) AS compound) FROM sentences_r")
    v = _view(result, c)
    for of in ("sentences", "articles"):
        values = (v.sentences if of == "sentences" else v.articles)["compound"].dropna()
        want, _ = np.histogram(values.clip(-1, 1), bins=np.linspace(-1, 1, 22))
        np.testing.assert_array_equal(q.sentiment_histogram(s, c, of=of)["n"].to_numpy(), want)
    with pytest.raises(Exception):
        q.sentiment_histogram(s, c, of="sentences", bins=10)
    s.close()


def test_label_counts(store, result):
    got = q.label_counts(store, Criteria(topics=[1]))
    v = _view(result, Criteria(topics=[1]))
    want = v.sentences["label"].value_counts()
    assert got.set_index("label")["n_sentences"].to_dict() == {
        k: int(want.get(k, 0)) for k in ("negative", "neutral", "positive")}


@pytest.mark.parametrize("search", ["", "flood", "FLOOD", "ood", "flood waters", "50%", "o'brien",
                                    "_", "storm story 1"])
def test_article_search_and_pages(store, result, search):
    c = Criteria(start="2024-06-01")
    v = _view(result, c)
    want = search_articles(v.articles, search).sort_values(
        ["compound", "published", "article_id"], ascending=[False, True, True],
        na_position="last")
    pages, totals = [], set()
    for offset in range(0, len(want) + 5, 5):  # full pages, the last one, one beyond
        page, total = q.articles_page(store, c, search=search, sort="compound",
                                      descending=True, offset=offset, limit=5)
        pages.append(page)
        totals.add(total)
    got = pd.concat(pages, ignore_index=True)
    assert totals == {len(want)}
    assert got["article_id"].tolist() == want["article_id"].tolist()
    assert list(got.columns) == ["published", "title", "topic_id", "topic_label", "compound",
                                 "label", "n_sentences", "article_id"]


def test_search_articles_on_frames():
    arts = pd.DataFrame({"title": ["Flood", "x", None], "text": ["a", "The FLOODS", "b"]})
    assert search_articles(arts, " flood ").index.tolist() == [0, 1]
    assert search_articles(arts, "").index.tolist() == [0, 1, 2]
    assert search_articles(arts, ".*").empty  # plain text, not a regex


def test_article_page_sort_is_checked(store):
    with pytest.raises(ValueError, match="sort must be one of"):
        q.articles_page(store, sort="text; DROP TABLE articles")


@pytest.mark.parametrize("kwargs", [
    {}, {"label": "negative"}, {"label": "positive"}, {"keyword": "river"},
    {"keyword": "river valley"}, {"topic_id": 1}, {"period": "2024-06-10", "freq": "week"},
])
@pytest.mark.parametrize("c", [Criteria(), Criteria(sentiment=(-0.5, 0.5)),
                               Criteria(start="2024-06-05", keyword="storm")])
def test_evidence_equals_the_frames(store, result, c, kwargs):
    v = _view(result, c)
    want = aggregate.evidence(v.articles, v.sentences, n=12, **kwargs)
    got = q.evidence(store, c, n=12, **kwargs)
    cols = ["article_id", "sentence_id", "text", "compound", "label", "published", "title",
            "topic_id", "topic_label", "start", "end", "section"]
    pd.testing.assert_frame_equal(got[cols], want[cols], check_dtype=False)


@pytest.mark.parametrize("keyword", [None, "river", "flooded homes"])
@pytest.mark.parametrize("c", [Criteria(), Criteria(sentiment=(-0.5, 0.5)),
                               Criteria(start="2024-06-05", keyword="storm")])
def test_evidence_by_label_is_each_label_s_evidence(store, c, keyword):
    lists = q.evidence_by_label(store, c, ("negative", "positive", "neutral"), keyword=keyword,
                                n=7)
    assert list(lists) == ["negative", "positive", "neutral"]
    for label, got in lists.items():
        want = q.evidence(store, c, label=label, keyword=keyword, n=7)
        # an empty list's columns keep object dtype on one path, str on the other
        pd.testing.assert_frame_equal(got, want, check_dtype=not want.empty,
                                      check_index_type=not want.empty)


@pytest.mark.parametrize("freq", ["week", "day"])
def test_evidence_by_label_of_two_periods(store, freq):
    c = Criteria(sentiment=(-0.9, 0.9))
    busiest = q.timeline(store, c, freq).sort_values("n_articles", ascending=False)
    periods = list(busiest.iloc[:2, 0])          # the two busiest periods, any order
    lists = q.evidence_by_label(store, c, ("negative", "positive"), periods=periods,
                                freq=freq, n=6)
    for (label, got), period in zip(lists.items(), periods):
        want = q.evidence(store, c, label=label, period=period, freq=freq, n=6)
        assert not want.empty
        pd.testing.assert_frame_equal(got, want)


def test_article_for_the_reader(store, result):
    row, sents = q.article(store, "odd-00")
    want = result.articles.set_index("article_id").loc["odd-00"]
    assert row["text"] == want["text"] and row["title"] == want["title"]
    ws = result.sentences[result.sentences["article_id"] == "odd-00"]
    assert sents["text"].tolist() == ws["text"].tolist()
    assert all(row["text"][s:e] == t for s, e, t in zip(sents["start"], sents["end"],
                                                          sents["text"]))
    missing, none = q.article(store, "no-such-article")
    assert missing is None and none.empty


def test_map_sample_is_deterministic_and_reports_its_size(store, store_dirs, result):
    c = Criteria(topics=[0, 1])
    sample, total = q.map_sample(store, c, n=5)
    assert total == int(result.articles["topic_id"].isin([0, 1]).sum()) > 5
    assert len(sample) == 5 and set(sample["topic_id"]) <= {0, 1}
    assert sample[["x", "y"]].notna().all().all()
    again = q.Store(store.path)
    pd.testing.assert_frame_equal(q.map_sample(again, c, n=5)[0], sample)
    everything, total = q.map_sample(store, c, n=1000)
    assert len(everything) == total


HOSTILE = ["x'); DROP VIEW articles; --", "' OR 1=1 --", "%", "_", "\\", "?", "$1",
           "a\"b", "river' OR '1'='1"]


@pytest.mark.parametrize("text", HOSTILE)
def test_user_text_is_bound_never_sql(store, result, text):
    from analysis.keyword_query import QueryError, parse_query

    c = Criteria(keyword=text)
    try:
        parse_query(text)
    except QueryError:
        # A malformed keyword query is refused the same way by both paths, with the
        # reason; nothing reaches SQL.
        with pytest.raises(QueryError):
            _view(result, c)
        with pytest.raises(QueryError):
            q.headline(store, c)
    else:
        v = _view(result, c)
        assert q.headline(store, c).n_articles == len(v.articles)
    page, total = q.articles_page(store, search=text)
    assert total == len(search_articles(result.articles, text))
    try:
        want = len(aggregate.evidence(result.articles, result.sentences, keyword=text, n=10))
    except QueryError:
        with pytest.raises(QueryError):
            q.evidence(store, keyword=text)
    else:
        assert len(q.evidence(store, keyword=text)) == want
    # nothing was dropped or altered
    assert q.headline(store).n_articles == len(result.articles)


def test_date_filter_prunes_month_partitions(store_dirs, result, tmp_path):
    """With July's files unreadable, a June filter still answers: it never opens them.
    (The day roll-ups, a row per day and topic, are read whole when the store opens:
    an unreadable one is a StoreError naming its file then.)"""
    for kind in ("rollups", "raw"):
        folder = tmp_path / kind
        shutil.copytree(store_dirs[kind], folder)
        day_rollups = [folder / "rollups" / name for name in ("daily", "topic_weights")]
        for path in folder.rglob("month=2024-07/*.parquet"):
            if any(path.is_relative_to(d) for d in day_rollups):
                continue
            # same size and time: the roll-up state still takes them for current
            st = path.stat()
            path.write_bytes(b"x" * st.st_size)
            os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
        s = q.Store(folder)
        assert s.use_rollups == (kind == "rollups")
        c = Criteria(start="2024-06-01", end="2024-06-30")
        v = _view(result, c)
        assert q.headline(s, c).n_articles == len(v.articles)
        assert q.timeline(s, c, "day")["n_articles"].sum() == len(v.articles)
        assert q.articles_page(s, c)[1] == len(v.articles)
        assert len(q.evidence(s, c, n=None)) == len(v.sentences)
        assert len(q.evidence(s, Criteria(start="2024-06-01", end="2024-06-30",
                                          keyword="river"), n=None)) > 0
        with pytest.raises(Exception):
            q.headline(s, Criteria(start="2024-07-01")
                       if kind == "raw" else Criteria(start="2024-07-01", sentiment=(0, 1)))
    bad = next((tmp_path / "rollups" / "rollups" / "daily").rglob("month=2024-07/*.parquet"))
    st = bad.stat()
    bad.write_bytes(b"x" * st.st_size)
    os.utime(bad, ns=(st.st_atime_ns, st.st_mtime_ns))
    with pytest.raises(q.StoreError, match="day roll-ups cannot be read.*month=2024-07"):
        q.Store(tmp_path / "rollups")


def test_not_a_store(tmp_path):
    with pytest.raises(q.StoreError, match="not an archive store"):
        q.Store(tmp_path)
    (tmp_path / "articles").mkdir()
    with pytest.raises(q.StoreError, match="no articles Parquet files"):
        q.Store(tmp_path)


def test_criteria_are_checked_and_normalised():
    assert Criteria(topics=[2, 1, 2]).topics == (1, 2)
    assert Criteria(sentiment=(-1, 1)).sentiment is None
    assert Criteria(keyword="  ").keyword is None
    assert Criteria(topics=[3]) == Criteria(topics=(3,))
    with pytest.raises(ValueError, match="low <= high"):
        Criteria(sentiment=(0.5, -0.5))


def test_map_sample_is_the_same_with_or_without_rollups(store_dirs):
    a = q.map_sample(q.Store(store_dirs["rollups"]), n=7)[0]
    b = q.map_sample(q.Store(store_dirs["raw"]), n=7)[0]
    assert a["article_id"].tolist() == b["article_id"].tolist()
    pd.testing.assert_frame_equal(a, b, check_dtype=False)


def test_sessions_query_one_store_at_once(store_dirs):
    """Threads (Streamlit sessions) share one Store; each gets its own answers."""
    from concurrent.futures import ThreadPoolExecutor

    s = q.Store(store_dirs["rollups"])
    views = [Criteria(), Criteria(topics=[0]), Criteria(keyword="river"),
             Criteria(sentiment=(-1.0, 0.0)), Criteria(start="2024-06-20"),
             Criteria(keyword="storm", topics=[1, 2])] * 4

    def answer(c):
        return (q.headline(s, c).n_articles, len(q.evidence(s, c, n=5)),
                q.articles_page(s, c, search="the")[1], len(q.timeline(s, c, "week")))

    serial = [answer(c) for c in views]
    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(answer, views)) == serial


def test_evidence_folds_wire_copies(result, tmp_path):
    """Every article twice (a second id, an hour later): each sentence is listed once,
    with 2 copies, and the lists are the unfolded lists without the repeats."""
    copy = dataclasses.replace(
        result,
        articles=result.articles.assign(article_id=result.articles["article_id"] + "-copy",
                                        published=result.articles["published"]
                                        + pd.Timedelta(hours=1)),
        sentences=result.sentences.assign(article_id=result.sentences["article_id"] + "-copy"),
        article_topics=result.article_topics.assign(
            article_id=result.article_topics["article_id"] + "-copy"))
    folder = write_store(result, tmp_path / "s", chunk="0")
    write_store(copy, folder, chunk="1")
    store = q.Store(folder)
    folded = q.evidence_by_label(store, Criteria(), ("negative", "positive"), n=5, fold=4)
    for label, got in folded.items():
        plain = q.evidence(store, Criteria(), label=label, n=40)
        # the distinct sentences among the strongest n * fold = 20, in order
        want = plain.head(20).drop_duplicates("text").head(5)
        assert got["text"].tolist() == want["text"].tolist()
        assert got["article_id"].tolist() == want["article_id"].tolist()   # the first copy
        # counted among each label's strongest n * fold rows: a lower bound
        every = plain.groupby("text")["text"].size()[got["text"]].to_numpy()
        # (the last may have its copy past the cut)
        assert got["copies"].iloc[0] >= 2 and (got["copies"] <= every).all()
        assert (got["copies"] >= 1).all() and got["copies"].dtype == "int64"


TRACKED = [["river", "storm OR flood*", "market AND NOT storm"],
           ['"river valley"', "u.s.", "election"], ["rive"]]


@pytest.mark.parametrize("queries", TRACKED, ids=lambda qs: "|".join(qs))
@pytest.mark.parametrize("c", [Criteria(), Criteria(topics=[0, 2]),
                               Criteria(start="2024-06-10", keyword="storm OR river"),
                               Criteria(sentiment=(-0.5, 0.9))], ids=_ids)
def test_keyword_series_and_summary_equal_the_frames(store, result, c, queries):
    from analysis.keywords import keyword_series, keyword_summary

    v = _view(result, c)
    want = keyword_series(v.articles, v.sentences, queries, freq="week")
    got = q.keyword_series(store, c, queries, "week")
    assert got.attrs["freq"] == "week"
    pd.testing.assert_frame_equal(got, want, rtol=1e-9)
    pd.testing.assert_frame_equal(q.keyword_summary(store, c, queries),
                                  keyword_summary(v.articles, v.sentences, queries), rtol=1e-9)


def test_keyword_series_counts_something(store):
    # The parity above would also hold for two empty answers.
    s = q.keyword_summary(store, Criteria(), TRACKED[0]).set_index("keyword")
    assert (s.loc[["river", "storm OR flood*"], "n_articles"] > 0).all()
    assert (s.loc[["river", "storm OR flood*"], "n_sentences"] > 0).all()


@pytest.mark.parametrize("word", ["river", "RIVER", "moves", "late", "storm", "o'brien",
                                  "river valley", "zzznothing"])
@pytest.mark.parametrize("c", [Criteria(), Criteria(start="2024-06-10", end="2024-06-30")])
def test_keyword_match_sets_equal_the_regex_over_the_text(store_dirs, word, c):
    """A one-word keyword's match set is read from the token index alone (no text read);
    it holds the same articles (title, heading or text) and sentences as the regex over
    the full text, in the months of the date range."""
    s = q.Store(store_dirs["rollups"])
    assert (index_token(word) is not None) == (" " not in word and "'" not in word)
    for kind, src in (("article", "articles"), ("sentence", "sentences")):
        table, cols = s._matches(kind, word, c)
        got = s.frame(f"SELECT {cols} FROM {table} ORDER BY ALL")
        cond, params = keyword_where(word, "x", False, kind, c)
        mine = ", ".join(f"x.{col.strip()}" for col in cols.split(","))
        lo, hi = ("2024-06", "2024-06") if c.start is not None else ("0", "z")
        want = s.frame(f"SELECT DISTINCT {mine} FROM {src} x WHERE {cond} AND x.month "
                       f"BETWEEN ? AND ? ORDER BY ALL", params + [lo, hi])
        pd.testing.assert_frame_equal(got, want)
        if kind == "article" and c.start is None and word != "zzznothing":
            assert len(got) > 0  # the test means something: each word is somewhere
    s.close()


@pytest.mark.parametrize("n, fold", [(1, 1), (5, 1), (20, 1), (10, 8)])
@pytest.mark.parametrize("c, keyword", [
    (Criteria(), None), (Criteria(topics=(1,)), None), (Criteria(sentiment=(-0.5, 0.5)), None),
    (Criteria(sentiment=(-0.5, 0.5)), "river"), (Criteria(start="2024-06-05", keyword="storm"),
                                                 "storm"),
    (Criteria(), "flooded homes")])
def test_strongest_first_evidence_equals_the_store_files(store_dirs, c, keyword, n, fold):
    """With the roll-ups, each label's strongest sentences are looked for above strengths
    tried in turn (0.9, 0.6, 0.3, then all), or in a keyword's own table; whichever step
    answers, the lists are those of the store's own files (the frames' order)."""
    s, raw = q.Store(store_dirs["rollups"]), q.Store(store_dirs["raw"])
    asked = []
    frame = s.frame
    s.frame = lambda sql, params=(): (asked.append(sql), frame(sql, params))[1]
    got = q.evidence_by_label(s, c, keyword=keyword, n=n, fold=fold)
    want = q.evidence_by_label(raw, c, keyword=keyword, n=n, fold=fold)
    for label in ("negative", "positive"):
        pd.testing.assert_frame_equal(got[label], want[label], check_dtype=False)
    steps = sum("AS _branch" in sql for sql in asked)  # the roll-up's or the tier's
    if c == Criteria() and keyword is None:
        # the data has no sentence of 0.9, 11 negative and 16 positive ones of 0.6, 28
        # and 37 of 0.3: the store's counts pick, per label, a strength that answers
        assert steps == 1
    s.close()
    raw.close()


@pytest.mark.parametrize("limit", [1, 3, 10, 30])
@pytest.mark.parametrize("c", [Criteria(topics=(1,)), Criteria(keyword="river"),
                               Criteria(sentiment=(-0.2, 0.2)),
                               Criteria(start="2024-06-20", end="2024-06-30")])
def test_strongest_hits_asked_again_lower_down_are_the_view_s_top(store_dirs, c, limit):
    """Told the view is the whole store (so it starts too strong for a narrow view), the
    strongest-first walk asks the short lists again at lower strengths and still ends
    with each label's top ``limit`` of the view, as one pass over all its sentences."""
    s = q.Store(store_dirs["rollups"])
    where, params = q._evidence_where(s, c, None, None, None, None)
    labels, bounds = ["negative", "positive"], [None, None]
    asked = []
    frame = s.frame
    s.frame = lambda sql, params=(): (asked.append(sql), frame(sql, params))[1]
    got = q._strongest_hits(s, where, params, labels, bounds, limit, share=1.0)
    s.frame = frame
    want = q._label_hits(s, where, params, labels, bounds, limit)
    pd.testing.assert_frame_equal(got.reset_index(drop=True), want, check_dtype=False)
    if limit == 10:  # a short list at the first strength, asked again lower down
        assert len(asked) == 2
    s.close()


def test_a_kept_keyword_s_filters_read_only_its_own_rows(store_dirs, result):
    """Once a keyword is typed, the filters changed around it (sentiment, topics, dates)
    sum the keyword's own article and topic-weight rows: with every other article and
    weight row made to fail when read, the headline, topic table, topic timeline and
    histograms of those filters still answer, equal to the frames."""
    s = q.Store(store_dirs["rollups"])
    q.headline(s, Criteria(keyword="river"))  # the keyword's rows, made on first use
    q.topic_table(s, Criteria(keyword="river"))
    for view, table in (("articles", "articles_r"), ("article_topics", "article_topics_r")):
        s.con.execute(f"CREATE OR REPLACE VIEW {view} AS SELECT * REPLACE (if(topic_id > -9, "
                      f"error('{view} read')::BIGINT, topic_id) AS topic_id) FROM {table}")
    for c in (Criteria(keyword="river", sentiment=(-0.5, 0.9)),
              Criteria(keyword="river", topics=(0, 1)),
              Criteria(keyword="river", start="2024-06-12")):
        v = _view(result, c)
        want = headline(v.articles, v.sentences, v.topics)
        assert q.headline(s, c).n_articles == want.n_articles > 0
        assert q.headline(s, c).n_sentences == want.n_sentences
        table = q.topic_table(s, c).set_index("topic_id")
        assert table["n_articles"].to_dict() == v.topics.set_index("topic_id")["n_articles"].to_dict()
        q.topic_timeline(s, c, "day")
        for of in ("sentences", "articles"):
            values = (v.sentences if of == "sentences" else v.articles)["compound"].dropna()
            n, _ = np.histogram(values.clip(-1, 1), bins=np.linspace(-1, 1, 22))
            np.testing.assert_array_equal(q.sentiment_histogram(s, c, of=of)["n"].to_numpy(), n)
    with pytest.raises(Exception, match="read"):
        q.headline(s, Criteria(sentiment=(-0.5, 0.9)))  # no keyword: the archive's rows
    s.close()


@pytest.mark.parametrize("c", [Criteria(keyword="river", sentiment=(-0.5, 0.9)),
                               Criteria(keyword="storm", topics=(0, 1))])
def test_a_common_keyword_keeps_no_copy_and_answers_the_same(store_dirs, result, c,
                                                             monkeypatch):
    """A keyword with more articles (sentences) than the caps keeps no rows of its own:
    its views read the archive's rows, with the same answers."""
    monkeypatch.setattr(q, "KEEP_ARTICLES", 0)
    monkeypatch.setattr(q, "KEEP_SENTENCES", 0)
    s = q.Store(store_dirs["rollups"])
    v = _view(result, c)
    assert q.headline(s, c).n_articles == len(v.articles) > 0
    got = q.evidence_by_label(s, c, keyword=c.keyword, n=5, fold=8)
    raw = q.Store(store_dirs["raw"])
    want = q.evidence_by_label(raw, c, keyword=c.keyword, n=5, fold=8)
    for label in ("negative", "positive"):
        pd.testing.assert_frame_equal(got[label], want[label], check_dtype=False)
    pd.testing.assert_frame_equal(q.sentiment_histogram(s, c), q.sentiment_histogram(raw, c))
    assert not [k for k in s._match_tables if k[0] == "k"]  # no keyword rows kept
    s.close()
    raw.close()


def test_evicted_tables_outlive_the_queries_that_hold_them(store_dirs, monkeypatch):
    """Kept per-filter tables beyond the cache are dropped only after a grace period: a
    query another session started with a table's name does not fail when the table is
    evicted meanwhile; after the grace, the next eviction drops it."""
    s = q.Store(store_dirs["rollups"])
    monkeypatch.setattr(s, "VIEW_CACHE", 1)
    first = s.view_table(("t", 1), "SELECT 1 AS x", [])
    s.view_table(("t", 2), "SELECT 2 AS x", [])  # evicts the first
    assert first not in s._view_tables.values()
    assert s.one(f"SELECT x FROM {first}")[0] == 1  # still there for whoever holds it
    monkeypatch.setattr(s, "RETIRE_SECONDS", 0.0)
    s.view_table(("t", 3), "SELECT 3 AS x", [])  # the next eviction drops the old ones
    with pytest.raises(Exception):
        s.one(f"SELECT x FROM {first}")
    # made again under the same key: it is back and is not dropped by a later eviction
    again = s.view_table(("t", 1), "SELECT 1 AS x", [])
    assert again == first and s.one(f"SELECT x FROM {again}")[0] == 1
    s.close()


def test_a_kept_keyword_s_strongest_rows_serve_every_date_range(store_dirs):
    """A one-word keyword's strongest-sentence rows are kept once for the whole store: a
    date change after it, or the Over time tab's period lists (each a new span), build
    no table of their own, and their lists equal the store's own files'."""
    s, raw = q.Store(store_dirs["rollups"]), q.Store(store_dirs["raw"])
    q.evidence_by_label(s, Criteria(keyword="storm"), keyword="storm", n=5, fold=8)
    kept = {k for k in s._match_tables if k[0] == "k" and k[1] == "strongest"}
    assert len(kept) == 1
    dated = Criteria(keyword="storm", start="2024-06-05")
    for kwargs in ({}, {"periods": [pd.Timestamp("2024-06-10"), pd.Timestamp("2024-06-17")],
                        "freq": "week"}):
        got = q.evidence_by_label(s, dated, keyword="storm", n=5, fold=8, **kwargs)
        want = q.evidence_by_label(raw, dated, keyword="storm", n=5, fold=8, **kwargs)
        for label in ("negative", "positive"):
            pd.testing.assert_frame_equal(got[label], want[label], check_dtype=False)
    assert {k for k in s._match_tables if k[0] == "k" and k[1] == "strongest"} == kept
    s.close()
    raw.close()


@pytest.mark.parametrize("backend", ["rollups", "raw"])
def test_evidence_rows_read_for_one_filter_serve_the_next(store_dirs, backend):
    """The full rows (text, title) of evidence sentences read for one filter are kept
    (Store.row_pool): a neighbouring filter reads only the rows it lacks, and its lists
    equal those of a store opened afresh."""
    s = q.Store(store_dirs[backend])
    filters = [Criteria(), Criteria(sentiment=(-0.5, 0.5)), Criteria(topics=(1,)),
               Criteria(keyword="river"), Criteria()]
    for c in filters:
        q.evidence_by_label(s, c, n=5, fold=8)
    asked = []
    frame = s.frame
    s.frame = lambda sql, params=(): (asked.append(sql), frame(sql, params))[1]
    for c in filters:
        got = q.evidence_by_label(s, c, n=5, fold=8)
        fresh = q.Store(store_dirs[backend])
        want = q.evidence_by_label(fresh, c, n=5, fold=8)
        fresh.close()
        for label in ("negative", "positive"):
            pd.testing.assert_frame_equal(got[label], want[label])
    # every row and title was read before: no text or title read again
    assert not [sql for sql in asked if "x.text" in sql or "x.title" in sql]
    s.close()


TIER_VIEWS = [Criteria(), Criteria(sentiment=(-0.5, 0.5)), Criteria(sentiment=(0.1, 1.0)),
              Criteria(sentiment=(-1.0, -0.2), topics=(0, 1)), Criteria(topics=(2,)),
              Criteria(start="2024-06-10", end="2024-06-30"), Criteria(keyword="river"),
              Criteria(keyword="storm", sentiment=(-0.3, 1.0)), Criteria(outlets=("",))]


@pytest.mark.parametrize("tier_rows", [10**6, 30])
@pytest.mark.parametrize("c", TIER_VIEWS, ids=_ids)
def test_evidence_from_the_in_memory_tier_equals_the_store_files(store_dirs, c, tier_rows,
                                                                 monkeypatch):
    """The strongest sentences above the tier's strength are read from memory, the
    sentiment range tested on each row's article compound: the lists equal those of the
    store's own files, for the overview's two lists and for period lists, whether the
    tier holds every strength the walk asks (a million rows) or only the strongest (30
    rows: the walk goes on below it in the roll-up).  An outlet filter reads the
    roll-up (the tier holds no outlet)."""
    monkeypatch.setattr(evidence_tier, "TIER_ROWS", tier_rows)
    s, raw = q.Store(store_dirs["rollups"]), q.Store(store_dirs["raw"])
    asked = []
    frame = s.frame
    s.frame = lambda sql, params=(): (asked.append(sql), frame(sql, params))[1]
    cases = [dict(labels=("negative", "positive")),
             dict(labels=("negative", "positive"), periods=[pd.Timestamp("2024-06-10"),
                                                            pd.Timestamp("2024-06-17")],
                  freq="week")]
    for kwargs in cases:
        for n, fold in ((3, 1), (10, 8)):
            got = q.evidence_by_label(s, c, n=n, fold=fold, **kwargs)
            want = q.evidence_by_label(raw, c, n=n, fold=fold, **kwargs)
            for label in ("negative", "positive"):
                pd.testing.assert_frame_equal(got[label], want[label], check_dtype=False)
    tier = [name for key, name in s._kept_tables.items() if key[1] == "tier"]
    from_tier = [sql for sql in asked if tier and f"FROM {tier[0]} s" in sql]
    assert bool(from_tier) == (not c.outlets)
    s.close()
    raw.close()


def test_the_tier_holds_the_strongest_rows_that_fit(store_dirs, monkeypatch):
    """The tier's strength is the weakest of the walk's strengths whose rows fit in
    TIER_ROWS; none fits: no tier, and the roll-up answers alone."""
    s = q.Store(store_dirs["rollups"])
    counts = q._strength_counts(s)  # 0.9: none; 0.6: 11 + 16; 0.3: 28 + 37
    assert evidence_tier.tier(s, q._STRENGTHS, counts).strength == 0.3
    monkeypatch.setattr(evidence_tier, "TIER_ROWS", 30)
    found = evidence_tier.tier(s, q._STRENGTHS, counts)
    assert found.strength == 0.6
    assert s.one(f"SELECT count(*) FROM {found.table}")[0] == 27
    assert s.one(f"SELECT min(abs(compound)) FROM {found.table}")[0] >= 0.6
    s.close()
    s = q.Store(store_dirs["rollups"])
    monkeypatch.setattr(evidence_tier, "TIER_ROWS", -1)
    assert evidence_tier.tier(s, q._STRENGTHS, counts) is None
    assert q._tiered(s, Criteria(), None) is None
    s.close()


@pytest.mark.parametrize("freq, narrow", [("day", True), ("week", True), ("month", False)])
@pytest.mark.parametrize("c", [Criteria(), Criteria(topics=(1,)), Criteria(keyword="storm"),
                               Criteria(sentiment=(-0.2, 1.0))], ids=_ids)
def test_a_short_period_s_evidence_is_read_in_time_order(store_dirs, c, freq, narrow,
                                                         monkeypatch):
    """A period of a week or less (the Over time tab's lowest and highest) is read from
    the time-ordered sentences copy, all its sentences at once, instead of down the
    strengths of the strength-ordered roll-up; the lists are the store files' either way."""
    monkeypatch.setattr(evidence_tier, "TIER_ROWS", -1)  # no tier: the roll-ups alone
    s, raw = q.Store(store_dirs["rollups"]), q.Store(store_dirs["raw"])
    asked = []
    frame = s.frame
    s.frame = lambda sql, params=(): (asked.append(sql), frame(sql, params))[1]
    periods = [pd.Timestamp("2024-06-10"), pd.Timestamp("2024-06-17")]
    for n, fold in ((2, 1), (10, 8)):
        got = q.evidence_by_label(s, c, ("negative", "positive"), n=n, fold=fold,
                                  periods=periods, freq=freq)
        want = q.evidence_by_label(raw, c, ("negative", "positive"), n=n, fold=fold,
                                   periods=periods, freq=freq)
        for label in ("negative", "positive"):
            pd.testing.assert_frame_equal(got[label], want[label], check_dtype=False)
    in_time_order = [sql for sql in asked if "FROM sentences s WHERE" in sql and "_branch" in sql]
    assert bool(in_time_order) == narrow
    s.close()
    raw.close()


def test_the_caller_s_headline_spares_the_walk_a_query(store_dirs, monkeypatch):
    """The strongest-first walk starts where the view's share of sentences says; given
    the view's headline (the dashboard has it), it does not ask for it again, and the
    lists are the same."""
    s = q.Store(store_dirs["rollups"])
    c = Criteria(topics=(1,), sentiment=(-0.5, 1.0))
    h = q.headline(s, c)
    want = q.evidence_by_label(s, c, n=5, fold=8)
    s.answers.clear()
    fresh = q.Store(store_dirs["rollups"])
    real = q.headline
    monkeypatch.setattr(q, "headline", lambda store, crit=Criteria(): (
        real(store, crit) if crit == Criteria() else pytest.fail("headline asked again")))
    got = q.evidence_by_label(fresh, c, n=5, fold=8, view=h)
    for label in ("negative", "positive"):
        pd.testing.assert_frame_equal(got[label], want[label])
    s.close()
    fresh.close()


def test_opening_a_store_does_not_wait_for_the_tier(store_dirs):
    """The whole store's lists (the first view after opening) come from the roll-up's
    strongest row groups; the tier is made by the first filtered list."""
    s = q.Store(store_dirs["rollups"])
    q.evidence_by_label(s, Criteria(), n=5, fold=8)
    assert not s._kept_tables
    q.evidence_by_label(s, Criteria(topics=(1,)), n=5, fold=8)
    assert [key for key in s._kept_tables if key[1] == "tier"]
    s.close()
