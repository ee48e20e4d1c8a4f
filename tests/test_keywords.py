"""Tests for analysis.keywords: several tracked queries per period."""
import numpy as np
import pandas as pd
import pytest

from analysis import aggregate
from analysis.keywords import (keyword_evidence, keyword_matches, keyword_series,
                               keyword_summary, mentioning_sentences, parse_queries,
                               split_queries)


def _frames():
    d = pd.Timestamp("2024-07-01 09:00")
    arts = pd.DataFrame({
        "article_id": ["a", "b", "c", "d"],
        "published": [d, d, d + pd.Timedelta(days=2), pd.NaT],
        "title": ["Oil news", "Markets", "Palm oil", "Undated"],
        "text": ["OPEC met. Oil fell sharply. The weather was nice.",
                 "Gold rose. Oil and OPEC were calm.",
                 "Palm oil rose. OPEC said nothing.",
                 "Oil and OPEC again."],
    })
    sents = pd.DataFrame({
        "article_id": ["a", "a", "a", "b", "b", "c", "c", "d"],
        "sentence_id": np.array([0, 1, 2, 0, 1, 0, 1, 0], dtype=np.int64),
        "text": ["OPEC met.", "Oil fell sharply.", "The weather was nice.", "Gold rose.",
                 "Oil and OPEC were calm.", "Palm oil rose.", "OPEC said nothing.",
                 "Oil and OPEC again."],
        "compound": [0.0, -0.6, 0.5, 0.4, 0.2, 0.3, 0.0, 0.1],
    })
    sents["label"] = np.where(sents["compound"] >= 0.05, "positive",
                              np.where(sents["compound"] <= -0.05, "negative", "neutral"))
    arts["compound"] = arts["article_id"].map(sents.groupby("article_id")["compound"].mean())
    arts["topic_id"] = np.int64(0)
    arts["topic_label"] = "t"
    return arts, sents


def test_series_counts_articles_and_scores_only_mentioning_sentences():
    arts, sents = _frames()
    out = keyword_series(arts, sents, ["oil NOT palm", "gold"], freq="day")
    assert out.attrs["freq"] == "day"
    assert list(out.columns) == ["period", "keyword", "n_articles", "share_of_voice",
                                 "n_sentences", "compound", "pos_share", "neg_share"]
    assert len(out) == 3 * 2  # 3 days (one quiet) x 2 queries; the undated article left out
    day1 = out[out["period"] == "2024-07-01"].set_index("keyword")
    assert day1.loc["oil NOT palm", "n_articles"] == 2
    assert day1.loc["gold", "n_articles"] == 1
    assert day1.loc["oil NOT palm", "share_of_voice"] == pytest.approx(2 / 3)
    # Sentences mentioning oil in a and b: -0.6 and 0.2 (not "OPEC met." nor the weather).
    assert day1.loc["oil NOT palm", "n_sentences"] == 2
    assert day1.loc["oil NOT palm", "compound"] == pytest.approx(-0.2)
    assert day1.loc["oil NOT palm", "neg_share"] == pytest.approx(0.5)
    day3 = out[out["period"] == "2024-07-03"].set_index("keyword")
    assert day3["n_articles"].sum() == 0 and (day3["share_of_voice"] == 0).all()


def test_boolean_query_sentences_need_the_article_to_match():
    arts, sents = _frames()
    _, hits = keyword_matches(arts, sents, "oil AND opec")
    # c is "palm oil" + OPEC: it matches too; "The weather was nice." never mentions a term.
    assert set(zip(hits["article_id"], hits["sentence_id"])) == {
        ("a", 0), ("a", 1), ("b", 1), ("c", 0), ("c", 1), ("d", 0)}
    standalone = aggregate.keyword_sentences(sents, "oil AND opec")
    assert set(zip(standalone["article_id"], standalone["sentence_id"])) == set(
        zip(hits["article_id"], hits["sentence_id"]))
    assert aggregate.keyword_sentences(sents, "gold AND palm").empty


def test_evidence_strongest_first_within_the_period():
    arts, sents = _frames()
    ev = keyword_evidence(arts, sents, "oil", period="2024-07-01", freq="day")
    assert ev["text"].tolist() == ["Oil fell sharply.", "Oil and OPEC were calm."]
    assert keyword_evidence(arts, sents, "oil", n=1)["text"].tolist() == ["Oil fell sharply."]


def test_bad_query_is_an_error():
    arts, sents = _frames()
    with pytest.raises(ValueError, match="AND needs a word"):
        keyword_series(arts, sents, ["oil AND"])
    with pytest.raises(ValueError, match="at least one keyword query"):
        keyword_series(arts, sents, [])


def test_a_query_given_twice_is_one_series():
    arts, sents = _frames()
    once = keyword_series(arts, sents, ["oil"], freq="day")
    twice = keyword_series(arts, sents, ["oil", "oil"], freq="day")
    pd.testing.assert_frame_equal(once, twice)


def test_summary_counts_the_whole_view_undated_included():
    arts, sents = _frames()
    out = keyword_summary(arts, sents, ["oil NOT palm", "gold", "silver"])
    assert list(out["keyword"]) == ["oil NOT palm", "gold", "silver"]
    row = out.set_index("keyword").loc["oil NOT palm"]
    # a, b and the undated d; sentences -0.6, 0.2 and 0.1
    assert row["n_articles"] == 3 and row["n_sentences"] == 3
    assert row["compound"] == pytest.approx((-0.6 + 0.2 + 0.1) / 3)
    assert row["pos_share"] == pytest.approx(2 / 3) and row["neg_share"] == pytest.approx(1 / 3)
    silver = out.set_index("keyword").loc["silver"]
    assert silver["n_articles"] == 0 and silver["n_sentences"] == 0
    assert np.isnan(silver["compound"])
    assert out["n_articles"].dtype == np.int64 and out["compound"].dtype == np.float64


def test_summary_is_the_series_summed_when_all_is_dated():
    arts, sents = _frames()
    arts, sents = arts[arts["article_id"] != "d"], sents[sents["article_id"] != "d"]
    series = keyword_series(arts, sents, ["oil", "opec"], freq="day")
    summary = keyword_summary(arts, sents, ["oil", "opec"]).set_index("keyword")
    summed = series.groupby("keyword")[["n_articles", "n_sentences"]].sum()
    pd.testing.assert_frame_equal(summed, summary[["n_articles", "n_sentences"]],
                                  check_names=False, check_index_type=False)


def test_mentioning_sentences_need_the_title_or_text_to_match():
    arts, sents = _frames()
    arts = arts.assign(title=["Oil news", "Markets", "Palm oil", "Gold"])
    # d names gold only in its title: its sentence mentions oil, which counts;
    # b: "Gold rose." and "Oil and OPEC were calm."
    rows = mentioning_sentences(arts, sents, "gold AND oil")
    assert set(zip(rows["article_id"], rows["sentence_id"])) == {("b", 0), ("b", 1), ("d", 0)}
    assert list(rows.columns) == list(sents.columns)


def test_queries_are_one_a_line_and_bad_ones_are_named():
    assert split_queries(" oil AND (opec OR saudi)\n\n dollar \noil AND (opec OR saudi)\n") == \
        ["oil AND (opec OR saudi)", "dollar"]
    assert split_queries(["a", " b ", ""]) == ["a", "b"]
    good, problems = parse_queries("oil\noil AND\n(gold\nwheat OR grain")
    assert good == ["oil", "wheat OR grain"]
    assert len(problems) == 2
    assert "'oil AND'" in problems[0] and "'(gold'" in problems[1]
    good, problems = parse_queries([f"w{i}" for i in range(5)], limit=3)
    assert good == ["w0", "w1", "w2"] and len(problems) == 2 and "'w3'" in problems[0]
