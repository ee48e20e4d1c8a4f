"""dashboard.outlet_charts: figure structure of the Outlets tab's charts."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.outlets import MIN_CELL_ARTICLES, outlet_timeline, outlet_topic_sentiment
from dashboard import outlet_charts as oc
from dashboard.charts import NEG, NEU, POS, sentiment_color


def _articles(spec):
    """Articles from ``[(outlet, topic_id, n, compound)]``, one a day from 3 June."""
    rows = []
    for outlet, topic, n, compound in spec:
        for _ in range(n):
            rows.append({"article_id": f"a{len(rows)}", "outlet": outlet, "topic_id": topic,
                         "topic_label": f"topic <{topic}>", "compound": compound,
                         "published": pd.Timestamp("2024-06-03") + pd.Timedelta(days=len(rows))})
    return pd.DataFrame(rows)


@pytest.fixture
def grid():
    return outlet_topic_sentiment(_articles([
        ("Wire", 0, 6, -0.6), ("Wire", 1, 2, 0.5), ("<b>Herald</b>", 0, 5, 0.4),
        ("<b>Herald</b>", 1, 7, 0.0), ("", 1, 1, 0.2)]))


def test_heatmap_colours_reliable_cells_and_greys_the_rest(grid):
    fig = oc.outlet_topic_heatmap(grid)
    traces = {t.name: t for t in fig.data}
    assert set(traces) == {"sentiment colours", "greyed", "sentiment", "too few articles"}
    col, grey = traces["sentiment"], traces["too few articles"]
    paint, greyed = traces["sentiment colours"], traces["greyed"]
    assert paint.type == greyed.type == "heatmap"
    assert all(t.type == "scatter" and t.marker.symbol == "square" for t in (col, grey))
    # counts in the cells; 5 or more coloured on the sentiment scale, fewer greyed
    assert sorted(map(int, col.text)) == [5, 6, 7]
    assert sorted(map(int, grey.text)) == [1, 2]
    assert all(int(v) >= MIN_CELL_ARTICLES for v in col.text)
    assert paint.showscale and [list(c) for c in paint.colorscale] == oc.SENTIMENT_CELL_SCALE
    assert not greyed.showscale and {c[1] for c in greyed.colorscale} == {oc.GREY_CELL}
    z, zg = np.array(paint.z, dtype=float), np.array(greyed.z, dtype=float)
    values = {int(n): z[y, x] for n, x, y in zip(col.text, col.x, col.y)}
    assert values[6] == pytest.approx(-oc.CELL_RANGE)  # clipped to the scale's end
    assert values[5] == pytest.approx(oc.CELL_RANGE) and values[7] == 0
    # a greyed cell has no colour, a coloured cell no grey; the empty cell neither
    for x, y in zip(grey.x, grey.y):
        assert np.isnan(z[y, x]) and zg[y, x] == 0
    for x, y in zip(col.x, col.y):
        assert np.isnan(zg[y, x])
    assert np.isfinite(z).sum() + np.isfinite(zg).sum() == 5 < z.size
    # labels escaped; the unknown outlet named; topic rows top to bottom
    assert list(fig.layout.xaxis.ticktext) == ["&lt;b&gt;Herald&lt;/b&gt;", "Wire",
                                               oc.UNKNOWN]
    assert list(fig.layout.yaxis.ticktext) == ["topic &lt;0&gt;", "topic &lt;1&gt;"]
    assert fig.layout.yaxis.range[0] > fig.layout.yaxis.range[1]
    # customdata: the raw outlet and the topic id, for the click
    cd = {(r[0], int(r[1])) for t in (col, grey) for r in t.customdata}
    assert cd == {("Wire", 0), ("Wire", 1), ("<b>Herald</b>", 0), ("<b>Herald</b>", 1), ("", 1)}
    assert "too few" in grey.hovertemplate and "mean sentiment" in col.hovertemplate


def test_heatmap_keeps_the_largest_outlets_and_a_blank_for_empty_cells(grid):
    fig = oc.outlet_topic_heatmap(grid, n_outlets=1)
    assert list(fig.layout.xaxis.ticktext) == ["&lt;b&gt;Herald&lt;/b&gt;"]
    assert sum(len(t.text) for t in fig.data if t.type == "scatter") == 2
    empty = grid.assign(n_articles=np.where(grid["outlet"] == "", 0, grid["n_articles"]))
    fig = oc.outlet_topic_heatmap(empty)
    assert sum(len(t.text) for t in fig.data if t.type == "scatter") == 4  # empty: nothing


def test_cell_scale_agrees_with_sentiment_color():
    scale = oc.SENTIMENT_CELL_SCALE
    assert scale[0] == [0.0, NEG] and scale[-1] == [1.0, POS]
    assert [p for p, c in scale if c == NEU] == pytest.approx([0.5 - 0.05 / 0.7, 0.5 + 0.05 / 0.7])
    assert all(a[0] <= b[0] for a, b in zip(scale, scale[1:]))
    assert oc._text_color(-0.9) == "#ffffff" and oc._text_color(0.0) == "#111111"
    assert sentiment_color(0.0) == NEU


def test_share_area_folds_the_rest_and_stacks_shares():
    arts = _articles([(f"Outlet {i}", 0, 10 - i, 0.1) for i in range(5)])
    tl = outlet_timeline(arts, freq="week")
    fig = oc.outlet_share_area(tl, "week", n=3)
    names = [t.name for t in fig.data]
    assert names == ["Outlet 0", "Outlet 1", "Outlet 2", oc.OTHER_OUTLETS]
    assert all(t.stackgroup == "share" for t in fig.data)
    assert fig.data[-1].line.color == oc.OTHER_COLOR
    assert len({t.line.color for t in fig.data}) == 4
    # per drawn period the stacked shares sum to 1
    total = pd.concat([pd.Series(t.y, index=pd.to_datetime(t.x)) for t in fig.data]) \
        .groupby(level=0).sum()
    assert np.allclose(total.to_numpy(), 1.0)
    folded = oc.fold_outlets(tl, 3)
    other = folded[folded["outlet"] == oc.OTHER_OUTLETS]
    assert other["n_articles"].sum() == 7 + 6  # Outlet 3 and Outlet 4
    assert fig.layout.yaxis.tickformat == ".0%"


def test_share_area_names_the_unknown_outlet_and_escapes():
    tl = outlet_timeline(_articles([("", 0, 3, 0.0), ("<i>x</i>", 0, 2, 0.0)]), freq="day")
    fig = oc.outlet_share_area(tl, "day")
    assert [t.name for t in fig.data] == [oc.UNKNOWN, "&lt;i&gt;x&lt;/i&gt;"]
