"""Headline figures: one function for the Overview, summary.txt and the store."""
from __future__ import annotations

import math

import pandas as pd

from analysis.headline import headline, span_text
from analysis.reports import summary_text
from factories import make_corpus


def test_headline_of_frames():
    from analysis import analyze

    r = analyze(make_corpus(), n_topics=3)
    h = headline(r.articles, r.sentences, r.topics)
    assert (h.n_articles, h.n_sentences, h.undated, h.n_topics) == (
        len(r.articles), len(r.sentences), 1, 3)
    assert h.mean_compound == r.sentences["compound"].mean()
    assert h.pos_share == (r.sentences["label"] == "positive").mean()
    assert h.first == r.articles["published"].min()
    assert h.n_topics_present == r.articles.loc[r.articles["topic_id"] >= 0, "topic_id"].nunique()
    text = summary_text(r)
    assert f"articles analysed: {h.n_articles}\n" in text
    assert f"mean sentence sentiment: {h.mean_compound:+.3f}\n" in text
    frame = h.frame().set_index("figure")["value"]
    assert frame["undated articles"] == 1 and frame["articles"] == len(r.articles)


def test_headline_of_nothing():
    empty = make_corpus().iloc[0:0].assign(topic_id=pd.Series(dtype="int64"))
    sents = pd.DataFrame({"compound": pd.Series(dtype=float), "label": pd.Series(dtype=object)})
    h = headline(empty, sents)
    assert h.n_articles == 0 and h.first is None and math.isnan(h.mean_compound)
    assert span_text(h.first, h.last) == ("Date span", "no dates")


def test_span_text():
    t = pd.Timestamp
    assert span_text(t("2024-06-03 08:00"), t("2024-06-03 20:00")) == (
        "Date span (2024)", "03 Jun 2024")
    assert span_text(t("2024-06-03"), t("2024-07-15")) == ("Date span (2024)", "03 Jun – 15 Jul")
    assert span_text(t("2023-12-03"), t("2024-01-15")) == ("Date span", "Dec ’23 – Jan ’24")
