"""dashboard.keyword_charts: the tracked queries' figures, built from analysis.keywords'
own series on small frames with known answers."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.keywords import keyword_series
from dashboard import keyword_charts as kc
from dashboard.charts import sentiment_color


def _corpus():
    """Four days: oil in 2 + 0 + 1 + 0 articles, <gold> in 1 + 1 + 0 + 0 (the query is
    the literal token, markup a chart must escape); one sentence each."""
    spec = [("2024-06-03", "Oil prices fell sharply, a terrible day."),
            ("2024-06-03", "Oil is up and traders are happy."),
            ("2024-06-03", "<gold> shone, a wonderful rally."),
            ("2024-06-04", "<gold> held steady."),
            ("2024-06-05", "Oil was flat."),
            ("2024-06-06", "Markets were quiet.")]
    arts = pd.DataFrame({"article_id": [f"a{i}" for i in range(len(spec))],
                         "published": pd.to_datetime([d for d, _ in spec]),
                         "title": [""] * len(spec), "text": [t for _, t in spec]})
    from analysis.sentiment import score_sentences

    sents = pd.DataFrame({"article_id": arts["article_id"], "sentence_id": 0,
                          "text": arts["text"]})
    sents = score_sentences(sents)
    return arts, sents


@pytest.fixture
def series():
    arts, sents = _corpus()
    return keyword_series(arts, sents, ["oil", "<gold>"], freq="day")


def test_volume_one_line_per_query_in_the_order_typed(series):
    fig = kc.keyword_volume(series, "day")
    assert [t.name for t in fig.data] == ["oil", "&lt;gold&gt;"]  # escaped for Plotly's HTML
    assert list(fig.data[0].y) == [2, 0, 1, 0] and list(fig.data[1].y) == [1, 1, 0, 0]
    assert fig.data[0].line.color == kc.query_color(0) != fig.data[1].line.color
    # the click payload: period ISO, the (escaped) query, its label, the count
    cd = fig.data[1].customdata
    assert cd[0][0].startswith("2024-06-03") and cd[0][1] == "&lt;gold&gt;"
    assert [int(r[3]) for r in cd] == [1, 1, 0, 0]
    rolled = kc.keyword_volume(series, "day", rolling=2)
    assert list(rolled.data[0].y) == [2, 1, 0.5, 0.5] and "rolling" in rolled.layout.title.text


def test_share_of_voice_stacks_to_one_and_skips_silent_periods(series):
    fig = kc.keyword_share(series, "day")
    assert all(t.stackgroup == "share" for t in fig.data)
    oil, gold = fig.data
    assert list(oil.y) == pytest.approx([2 / 3, 0.0, 1.0])
    assert list(gold.y) == pytest.approx([1 / 3, 1.0, 0.0])
    assert len(oil.x) == 3  # 6 June: no query matched, left out rather than drawn as 0/0


def test_sentiment_lines_leave_out_periods_without_a_mention(series):
    fig = kc.keyword_sentiment(series, "day")
    oil, gold = fig.data[0], fig.data[1]
    want = series[(series["keyword"] == "oil") & series["compound"].notna()]
    assert len(oil.x) == len(want) == 2
    assert list(oil.y) == pytest.approx(want["compound"].tolist())
    # marker fill on the sentiment scale, ring in the query's colour, size by sentences
    assert list(oil.marker.color) == [sentiment_color(v) for v in want["compound"]]
    assert oil.marker.line.color == kc.query_color(0)
    assert oil.marker.size[0] > oil.marker.size[1]  # 2 sentences on 3 June, 1 on 5 June
    assert [int(r[3]) for r in oil.customdata] == want["n_sentences"].tolist()
    assert len(gold.x) == 2 and fig.layout.yaxis.range == (-1.05, 1.05)


def test_colours_repeat_only_after_the_palette():
    n = len(kc.OUTLET_PALETTE)
    assert len({kc.query_color(i) for i in range(n)}) == n
    assert kc.query_color(n) == kc.query_color(0)
    assert not np.isin(["#d62728", "#2ca02c"], kc.OUTLET_PALETTE).any()


def test_share_leaves_out_periods_of_too_few_matching_articles(series):
    fig = kc.keyword_share(series, "day", min_articles=3)  # only 3 June has 3 (2 + 1)
    assert [len(t.x) for t in fig.data] == [1, 1]
    assert not any(len(t.x) for t in kc.keyword_share(series, "day", min_articles=4).data)


def test_a_quoted_phrase_reads_as_typed_and_markup_stays_text():
    arts, sents = _corpus()
    arts.loc[0, "text"] = "Oil <b>prices</b> fell sharply, a terrible day."
    sents.loc[0, "text"] = arts.loc[0, "text"]
    s = keyword_series(arts, sents, ['"oil prices"', "<b>"], freq="day")
    fig = kc.keyword_volume(s, "day")
    # Plotly shows &quot; as typed: quotes are left alone, angle brackets escaped
    assert [t.name for t in fig.data] == ['"oil prices"', "&lt;b&gt;"]
    assert fig.data[0].customdata[0][1] == '"oil prices"'
