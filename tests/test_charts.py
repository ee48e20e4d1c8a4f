"""dashboard.charts: each chart function on small synthetic frames (README.md (Frames))."""
from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from analysis.views import histogram, label_counts
from dashboard import charts
from dashboard.charts import NEG, NEU, POS


@pytest.fixture
def timeline():
    periods = pd.date_range("2024-06-03", periods=6, freq="W-MON")
    tl = pd.DataFrame({
        "period": periods,
        "n_articles": np.array([3, 0, 5, 2, 4, 1], dtype=np.int64),
        "n_sentences": np.array([30, 0, 50, 20, 40, 10], dtype=np.int64),
        "compound": [-0.4, np.nan, 0.1, 0.0, 0.45, -0.2],
        "compound_se": [0.2, np.nan, 0.1, 0.15, 0.12, 0.3],
        "article_compound": [-0.5, np.nan, 0.1, 0.0, 0.5, -0.2],
        "pos_share": [0.1, np.nan, 0.4, 0.3, 0.6, 0.2],
        "neg_share": [0.7, np.nan, 0.3, 0.3, 0.1, 0.4],
    })
    return tl


@pytest.fixture
def topics():
    return pd.DataFrame({
        "topic_id": np.array([0, 1, 2], dtype=np.int64),
        "label": ["storm · flood · river", "election · vote · party with a very long label indeed",
                  "<b>club</b> · match"],
        "terms": ["storm,flood,river", "election,vote,party", "club,match"],
        "term_weights": ["0.9,0.5,0.2", "0.8,0.4,0.1", "0.7,0.3"],
        "n_articles": np.array([5, 3, 2], dtype=np.int64),
        "share": [0.5, 0.3, 0.2], "weight_share": [0.45, 0.35, 0.2],
        "coherence": [0.1, 0.2, 0.05], "compound": [-0.4, 0.0, 0.3],
        "pos_share": [0.1, 0.3, 0.5], "neg_share": [0.6, 0.3, 0.1],
    })


@pytest.fixture
def topic_timeline(topics):
    periods = pd.date_range("2024-06-03", periods=4, freq="W-MON")
    rows = []
    for p in periods:
        for t, lab in zip(topics["topic_id"], topics["label"]):
            rows.append({"period": p, "topic_id": int(t), "topic_label": lab, "n_articles": 1,
                         "weight": 1.0, "share": 1 / 3, "compound": 0.1 * (t - 1)})
    return pd.DataFrame(rows)


def test_sentiment_color_is_diverging():
    assert charts.sentiment_color(-1) == NEG
    assert charts.sentiment_color(1) == POS
    assert charts.sentiment_color(0) == NEU
    assert charts.sentiment_color(float("nan")) == NEU
    r, g, _ = charts._hex_to_rgb(charts.sentiment_color(-0.3))
    assert r > g
    r, g, _ = charts._hex_to_rgb(charts.sentiment_color(0.3))
    assert g > r


def test_topic_color_is_stable_and_not_sentiment():
    assert charts.topic_color(3) == charts.topic_color(np.int64(3))
    assert charts.topic_color(-1) == charts.NO_TOPIC_COLOR
    assert NEG not in charts.TOPIC_PALETTE and POS not in charts.TOPIC_PALETTE
    assert len(set(charts.TOPIC_PALETTE)) == len(charts.TOPIC_PALETTE) >= 20


def test_short_and_esc():
    assert charts.short("x" * 40, 10) == "x" * 9 + "…"
    assert charts.short("abc", 10) == "abc"
    assert charts.esc("<script>") == "&lt;script&gt;"
    assert charts.esc(None) == "" and charts.esc(float("nan")) == ""


def test_volume_timeline_has_bars_rolling_mean_and_period_customdata(timeline):
    fig = charts.volume_timeline(timeline, "week", rolling=3)
    assert isinstance(fig, go.Figure)
    bar = fig.data[0]
    assert bar.type == "bar" and list(bar.y) == [3, 0, 5, 2, 4, 1]
    assert bar.customdata[0][0] == "2024-06-03T00:00:00"
    names = [t.name for t in fig.data]
    assert any(n.startswith("rolling mean (3 weeks)") for n in names)
    rolling = fig.data[1]
    assert rolling.y[2] == pytest.approx((3 + 0 + 5) / 3)


def test_volume_timeline_marks_partial_periods_and_keeps_them_out_of_the_mean(timeline):
    tl = timeline.assign(coverage=[0.5, 1, 1, 1, 1, 0.2])
    fig = charts.volume_timeline(tl, "week", rolling=3)
    bar, rolling = fig.data[0], fig.data[1]
    assert list(bar.marker.opacity) == [charts.PARTIAL_OPACITY, 1, 1, 1, 1,
                                        charts.PARTIAL_OPACITY]
    assert "partial week: 20% of it in view" in bar.customdata[5][3]
    assert bar.customdata[2][3] == ""
    assert np.isnan(rolling.y[0]) and np.isnan(rolling.y[5])
    assert rolling.y[3] == pytest.approx((0 + 5 + 2) / 3)  # whole weeks only
    assert list(bar.y) == [3, 0, 5, 2, 4, 1]  # the counts themselves are not scaled


def test_volume_timeline_without_rolling(timeline):
    fig = charts.volume_timeline(timeline, rolling=1)
    assert len(fig.data) == 1


def test_sentiment_timeline_colours_negative_red_positive_green(timeline):
    fig = charts.sentiment_timeline(timeline, "week", rolling=2)
    pts = next(t for t in fig.data if t.name == "mean sentiment")
    assert pts.type == "scatter" and "markers" in pts.mode
    colors = list(pts.marker.color)
    assert colors[0] == charts.sentiment_color(-0.4)
    r, g, _ = charts._hex_to_rgb(colors[0])
    assert r > 150 and g < 100  # red
    r, g, _ = charts._hex_to_rgb(colors[4])
    assert g > r  # green
    assert colors[3] == NEU
    assert any("rolling mean" in (t.name or "") for t in fig.data)
    # zero reference line
    assert any(s.y0 == 0 and s.y1 == 0 for s in fig.layout.shapes)


def test_topic_timelines_one_trace_per_topic_in_topic_colours(topic_timeline, topics):
    for fn in (charts.topic_volume_timeline, charts.topic_sentiment_timeline):
        fig = fn(topic_timeline)
        assert len(fig.data) == 3
        assert [t.line.color for t in fig.data] == [charts.topic_color(i) for i in range(3)]
        assert all("markers" in t.mode for t in fig.data)  # selectable
    fig = charts.topic_volume_timeline(topic_timeline, rolling=2)
    assert "rolling" in fig.layout.title.text


def test_topic_share_area_is_stacked_and_selectable(topic_timeline):
    fig = charts.topic_share_area(topic_timeline, "week", min_articles=1)
    assert all(t.stackgroup == "share" for t in fig.data)
    assert all("markers" in t.mode for t in fig.data)
    assert fig.data[1].customdata[0][1] == "1"
    assert fig.layout.yaxis.tickformat == ".0%"


def test_long_labels_truncated_but_full_on_hover(topic_timeline):
    fig = charts.topic_share_area(topic_timeline, "week", min_articles=1)
    name = fig.data[1].name
    assert name.endswith("…") and len(name) <= charts.LABEL_MAX
    assert "very long label indeed" in fig.data[1].customdata[0][2]


def test_topic_labels_are_escaped(topics, topic_timeline):
    fig = charts.topic_size(topics)
    assert all("<b>" not in y for y in fig.data[0].y)
    assert any("&lt;b&gt;" in y for y in fig.data[0].y)
    fig = charts.topic_share_area(topic_timeline, "week", min_articles=1)
    assert "<b>" not in fig.data[2].name


def test_topic_terms_small_multiples(topics):
    fig = charts.topic_terms(topics, n_terms=5, cols=2)
    assert len(fig.data) == 3
    first = fig.data[0]
    assert list(first.y) == ["river", "flood", "storm"]  # best at the top
    assert list(first.x) == [0.2, 0.5, 0.9]
    assert first.marker.color == charts.topic_color(0)
    titles = [a.text for a in fig.layout.annotations]
    assert titles[0].startswith("0: storm")


def test_topic_terms_numeric_terms_stay_categories():
    t = pd.DataFrame({"topic_id": [0], "label": ["tonnes"], "terms": ["tonnes,000,1986"],
                      "term_weights": ["0.5,0.4,0.3"]})
    fig = charts.topic_terms(t)
    assert fig.layout.yaxis.type == "category"
    assert list(fig.data[0].y) == ["1986", "000", "tonnes"]


def test_histogram_default_bins_centre_neutral_bin_grey():
    fig = charts.sentiment_histogram(histogram([0.0] * 5 + [0.6]))
    bar = fig.data[0]
    centre = len(bar.x) // 2
    assert abs(bar.x[centre]) < 1e-9 and bar.y[centre] == 5
    assert bar.marker.color[centre] == NEU


def test_topic_share_area_leaves_out_empty_periods(topic_timeline):
    tt = topic_timeline.copy()
    empty = tt["period"] == tt["period"].iloc[-1]
    tt.loc[empty, ["weight", "share"]] = 0.0
    fig = charts.topic_share_area(tt, "week", min_articles=1)
    assert len(fig.data[0].x) == tt["period"].nunique() - 1


def test_topic_terms_handles_missing_weights():
    t = pd.DataFrame({"topic_id": [0], "label": ["a"], "terms": ["a,b"], "term_weights": [""]})
    fig = charts.topic_terms(t)
    assert len(fig.data[0].y) == 2


def test_topic_size_and_sentiment_bars(topics):
    fig = charts.topic_size(topics)
    bar = fig.data[0]
    assert list(bar.x) == [5, 3, 2]
    assert list(bar.marker.color) == [charts.topic_color(i) for i in range(3)]
    assert [c[0] for c in bar.customdata] == [0, 1, 2]
    fig = charts.topic_mean_sentiment(topics)
    colors = list(fig.data[0].marker.color)
    assert colors[0] == charts.sentiment_color(-0.4)
    assert charts._hex_to_rgb(colors[0])[0] > 150  # negative is red
    assert colors[1] == NEU
    assert charts._hex_to_rgb(colors[2])[1] > charts._hex_to_rgb(colors[2])[0]


def test_renamed_label_appears(topics):
    renamed = topics.assign(label=["Floods", "Elections", "Football"])
    fig = charts.topic_size(renamed)
    assert any("Elections" in y for y in fig.data[0].y)
    fig = charts.topic_map(pd.DataFrame({"topic_id": [0, 1, 2], "x": [0, 1, 2], "y": [0, 1, 0]}),
                           renamed)
    assert "Football" in list(fig.data[0].text)


def test_topic_sentiment_mix_grouped_in_sentiment_colours():
    ts = pd.DataFrame({
        "topic_id": [0, 0, 0, 1, 1, 1], "topic_label": ["a"] * 3 + ["b"] * 3,
        "label": ["negative", "neutral", "positive"] * 2,
        "n_sentences": [5, 3, 2, 0, 1, 1], "share": [0.5, 0.3, 0.2, 0, 0.5, 0.5],
    })
    fig = charts.topic_sentiment_mix(ts)
    assert fig.layout.barmode == "group"
    assert [t.name for t in fig.data] == ["negative", "neutral", "positive"]
    assert [t.marker.color for t in fig.data] == [NEG, NEU, POS]
    assert fig.data[0].customdata[0][2] == "negative"


def test_topic_map_bubbles(topics):
    tm = pd.DataFrame({"topic_id": [0, 1, 2], "x": [0.0, 1.0, 2.0], "y": [0.0, 1.0, 0.5]})
    fig = charts.topic_map(tm, topics)
    s = fig.data[0]
    assert s.type == "scatter" and "markers" in s.mode
    assert s.marker.size[0] > s.marker.size[2]  # bigger topic, bigger bubble
    assert list(s.marker.color) == [charts.topic_color(i) for i in range(3)]


def test_topic_map_close_labels_do_not_overlap(topics):
    tm = pd.DataFrame({"topic_id": [0, 1, 2], "x": [0.0, 0.01, 1.0], "y": [0.0, 0.02, 1.0]})
    fig = charts.topic_map(tm, topics)
    pos = list(fig.data[0].textposition)
    assert pos[0] != pos[1] and pos[2] == "top center"
    # on the area the chart places them on, no label box overlaps another
    s = fig.data[0]
    box, _, _ = charts._label_boxes(tm["x"].to_numpy(float), tm["y"].to_numpy(float),
                                    s.marker.size, s.text, 640 * 0.72, 380 * 0.62)
    a, b = box(0, pos[0]), box(1, pos[1])
    assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3])


def test_rolling_mean_skips_empty_periods():
    s = pd.Series([1.0, np.nan, 3.0, np.nan, 5.0])
    out = charts._rolling(s, 2)
    assert out[2] == 2.0 and out[4] == 4.0 and np.isnan(out[1])


def test_article_map_by_topic_and_by_sentiment():
    arts = pd.DataFrame({"article_id": ["a", "b", "c"], "title": ["A", "B", "<i>C</i>"],
                         "topic_id": [0, 1, 1], "topic_label": ["t0", "t1", "t1"],
                         "compound": [-0.5, 0.2, np.nan]})
    am = pd.DataFrame({"article_id": ["a", "b", "c"], "x": [0, 1, 2], "y": [1, 0, 1]})
    fig = charts.article_map(am, arts, color_by="topic")
    assert len(fig.data) == 2 and fig.data[1].marker.color == charts.topic_color(1)
    assert fig.data[1].customdata[1][1] == "&lt;i&gt;C&lt;/i&gt;"
    fig = charts.article_map(am, arts, color_by="sentiment")
    assert len(fig.data) == 1 and fig.data[0].marker.colorscale[0][1] == NEG
    # the colour scale spans the articles' extent (±0.5), so -0.5 is full red
    assert (fig.data[0].marker.cmin, fig.data[0].marker.cmax) == (-0.5, 0.5)


def test_article_map_by_sentiment_tells_mild_articles_apart():
    """Articles' mean compounds of ±0.3 were all one grey on a −1…1 scale (seen on the
    store's Topics tab): the scale is their extent, at least ±0.25."""
    arts = pd.DataFrame({"article_id": list("abcd"), "title": list("ABCD"),
                         "topic_id": [0, 0, 1, 1], "topic_label": ["t0", "t0", "t1", "t1"],
                         "compound": [-0.236, 0.02, 0.21, 0.357]})
    am = pd.DataFrame({"article_id": list("abcd"), "x": [0, 1, 2, 3], "y": [1, 0, 1, 0]})
    marker = charts.article_map(am, arts, color_by="sentiment").data[0].marker
    assert (marker.cmin, marker.cmax) == (-0.4, 0.4)
    tiny = arts.assign(compound=[0.01, -0.02, 0.0, np.nan])
    marker = charts.article_map(am, tiny, color_by="sentiment").data[0].marker
    assert (marker.cmin, marker.cmax) == (-0.25, 0.25)


def test_sentiment_histogram_bins_and_colours():
    fig = charts.sentiment_histogram(histogram([-0.9, -0.85, 0.0, 0.01, 0.9, np.nan], bins=10))
    bar = fig.data[0]
    assert sum(bar.y) == 5
    assert bar.y[0] == 2 and bar.y[-1] == 1
    assert bar.marker.color[0] == charts.sentiment_color(-0.9)
    assert charts._hex_to_rgb(bar.marker.color[0])[0] > 150
    assert charts._hex_to_rgb(bar.marker.color[-1])[1] > 100
    assert bar.customdata[0][0] == -1.0


def test_sentiment_histogram_empty():
    fig = charts.sentiment_histogram(histogram([]))
    assert sum(fig.data[0].y) == 0


def test_label_bar():
    s = pd.DataFrame({"label": ["negative", "positive", "positive", "neutral"]})
    fig = charts.label_bar(label_counts(s))
    assert list(fig.data[0].x) == [1, 1, 2]
    assert list(fig.data[0].marker.color) == [NEG, NEU, POS]


def test_sentiment_arc():
    s = pd.DataFrame({"sentence_id": [2, 0, 1], "compound": [0.5, -0.5, 0.0],
                      "text": ["c", "<a>", "b"]})
    fig = charts.sentiment_arc(s)
    assert list(fig.data[0].x) == [0, 1, 2]
    assert fig.data[0].marker.color[0] == charts.sentiment_color(-0.5)
    assert fig.data[0].customdata[0][1] == "&lt;a&gt;"
    assert len(fig.data) == 2
    # sentences are counted in whole numbers (two sentences were ticked 0, 0.5, 1)
    assert fig.layout.xaxis.dtick == 1 and fig.layout.xaxis.tickformat == "d"
    long = pd.DataFrame({"sentence_id": range(40), "compound": 0.1, "text": "x"})
    assert charts.sentiment_arc(long).layout.xaxis.dtick is None


def test_k_scores_one_panel_per_measure_with_chosen_k_marked():
    ks = pd.DataFrame({"k": [4, 5, 6], "reconstruction_error": [64.0, 61.0, 60.5],
                       "coherence": [0.1, 0.2, 0.15], "diversity": [0.9, 0.8, 0.7],
                       "n_iter": [20, 77, 41], "note": ["a", "b", "c"],
                       "chosen": [False, True, False]})
    fig = charts.k_scores(ks, chosen=5)
    lines = [t for t in fig.data if t.mode == "lines+markers"]
    assert [t.name for t in lines] == ["reconstruction_error", "coherence", "diversity", "n_iter"]
    assert len({t.yaxis for t in lines}) == 4  # each measure on its own axis
    stars = [t for t in fig.data if t.mode == "markers"]
    assert [list(t.x) for t in stars] == [[5]] * 4 and stars[3].y[0] == 77
    assert [a.text for a in fig.layout.annotations][:4] == [
        "reconstruction error", "coherence", "diversity", "n iter"]
    assert "k = 5" in fig.layout.title.text
    # a measure added later gets its own panel without a change here
    more = charts.k_scores(ks.assign(stability=[0.5, 0.7, 0.6]), chosen=5)
    assert len([t for t in more.data if t.mode == "lines+markers"]) == 5


def test_every_figure_serialises(timeline, topics, topic_timeline):
    for fig in (charts.volume_timeline(timeline), charts.sentiment_timeline(timeline),
                charts.topic_share_area(topic_timeline), charts.topic_terms(topics)):
        assert fig.to_json()


def test_time_charts_share_one_axis_with_ticks_on_period_starts(timeline):
    vol = charts.volume_timeline(timeline, "week")
    sent = charts.sentiment_timeline(timeline, "week")
    assert vol.layout.xaxis.range == sent.layout.xaxis.range
    assert vol.layout.margin.l == sent.layout.margin.l == charts.TIME_MARGIN_L
    ticks = pd.to_datetime(list(vol.layout.xaxis.tickvals))
    assert (ticks.day_of_week == 0).all()  # Mondays, where the weekly bars start
    assert vol.layout.xaxis.ticktext[0] == "3 Jun"
    assert vol.data[0].customdata[0][1] == "week of Mon 3 Jun 2024"


def test_sentiment_timeline_shows_counts_band_and_a_steady_axis(timeline):
    fig = charts.sentiment_timeline(timeline, "week", rolling=1)
    pts = next(t for t in fig.data if t.name == "mean sentiment")
    sizes = list(pts.marker.size)
    assert sizes[2] > sizes[0] > sizes[5]  # 5, 3 and 1 articles
    band = [t for t in fig.data if t.name == "95 % band" or t.fill == "tonexty"]
    assert band and band[0].y[0] == pytest.approx(-0.4 - 1.96 * 0.2)
    assert fig.layout.yaxis.range[1] == pytest.approx(charts.SENTIMENT_RANGE * 1.02)
    calm = timeline.assign(compound=timeline["compound"] / 10)  # tiny swings: same axis
    assert charts.sentiment_timeline(calm, "week").layout.yaxis.range == fig.layout.yaxis.range


def test_topic_share_area_leaves_out_thin_periods_legend_in_topic_order(topic_timeline):
    thin = charts.topic_share_area(topic_timeline, "week", min_articles=4)
    assert len(thin.data) == 0  # 3 articles a week
    fig = charts.topic_share_area(topic_timeline, "week", min_articles=3)
    assert [t.customdata[0][1] for t in fig.data] == ["0", "1", "2"]
    assert fig.layout.legend.traceorder == "normal"


def test_topic_map_labels_wrap_instead_of_cut_and_avoid_each_other():
    tm = pd.DataFrame({"topic_id": [0, 1, 2], "x": [0.0, 0.02, 1.0], "y": [0.0, 0.01, 1.0]})
    topics = pd.DataFrame({"topic_id": [0, 1, 2], "n_articles": [10, 10, 5],
                           "compound": [0.1, -0.1, 0.0],
                           "label": ["exports · imports · trade deficit · tariffs",
                                     "oil · crude · opec", "gold"]})
    fig = charts.topic_map(tm, topics)
    text = fig.data[0].text
    assert text[0] == "exports · imports · trade<br>deficit · tariffs"  # whole, on two lines
    pos = list(fig.data[0].textposition)
    assert pos[0] != pos[1]  # two bubbles on top of each other: labels on other sides
    assert fig.data[0].marker.line.color == charts.OUTLINE


def test_topic_map_leaves_room_for_the_labels_of_the_top_and_bottom_bubbles():
    """A two-line label above the top bubble (or below the bottom one) stays inside the
    plot area: with a fixed 18 % padding its first line was clipped (seen on a store)."""
    tm = pd.DataFrame({"topic_id": [0, 1, 2], "x": [1.0, 0.0, 2.0], "y": [1.0, 0.0, 0.2]})
    topics = pd.DataFrame({"topic_id": [0, 1, 2], "n_articles": [6, 6, 6],
                           "compound": [0.1, -0.1, 0.0],
                           "label": ["football · match · celebrated stadium",
                                     "river · storm · flooded homes",
                                     "election · party · voters queued"]})
    fig = charts.topic_map(tm, topics)
    s = fig.data[0]
    lo, hi = fig.layout.yaxis.range
    plot_h = fig.layout.height - fig.layout.margin.t - fig.layout.margin.b
    for y, d, text, pos in zip(s.y, s.marker.size, s.text, s.textposition):
        label_h = 17 * (text.count("<br>") + 1)
        if pos == "top center":
            assert (hi - y) / (hi - lo) * plot_h >= d / 2 + label_h, (text, pos)
        if pos == "bottom center":
            assert (y - lo) / (hi - lo) * plot_h >= d / 2 + label_h, (text, pos)
    assert "top center" in s.textposition  # the case that was cut


def test_label_bar_percentages_readable_on_the_grey_bar():
    s = pd.DataFrame({"label": ["negative", "neutral", "neutral", "positive"]})
    fig = charts.label_bar(label_counts(s))
    colors = list(fig.data[0].textfont.color)
    assert colors[1] == "#111111" and colors[0] == colors[2] == "#ffffff"


def test_topic_map_ranges_hold_the_labels_at_the_edges():
    # The top bubble is the biggest and carries a two-line label above it: the y range
    # must leave that label's height above the bubble (before, a fixed 18 % pad cut it).
    tm = pd.DataFrame({"topic_id": [0, 1, 2, 3], "x": [0.5, 0.0, 1.0, 0.5],
                       "y": [1.0, 0.0, 0.0, 0.4]})
    topics = pd.DataFrame({"topic_id": [0, 1, 2, 3], "n_articles": [40, 5, 5, 5],
                           "compound": [0.0] * 4,
                           "label": ["vaccine · trial · veyra biologics", "a", "b", "c"]})
    fig = charts.topic_map(tm, topics)
    s = fig.data[0]
    assert s.textposition[0] == "top center" and s.cliponaxis is False
    lo, hi = fig.layout.yaxis.range
    px_per_unit = 380 / (hi - lo)  # the plot area is about 380 px tall
    room_above = (hi - 1.0) * px_per_unit
    assert room_above >= s.marker.size[0] / 2 + 2 * 16, room_above
    xlo, xhi = fig.layout.xaxis.range
    assert xlo < 0.0 and xhi > 1.0


def test_topic_map_crowded_labels_never_cover_each_other():
    # 20 topics crowded together (as on a wire): a label that has no free place is the
    # topic's number in its bubble, the hover still names it; placed labels cover no
    # other label and no other bubble.
    rng = np.random.default_rng(0)
    n = 20
    tm = pd.DataFrame({"topic_id": range(n), "x": rng.normal(size=n), "y": rng.normal(size=n)})
    topics = pd.DataFrame({"topic_id": range(n), "n_articles": rng.integers(5, 500, n),
                           "compound": 0.0,
                           "label": [f"term{i} · other word · third term" for i in range(n)]})
    fig = charts.topic_map(tm, topics)
    s = fig.data[0]
    pos, text = list(s.textposition), list(s.text)
    numbered = [i for i in range(n) if pos[i] == "middle center"]
    assert numbered and len(numbered) < n
    assert all(text[i] == str(i) for i in numbered)
    assert all(f"term{i}" in s.customdata[i][1] for i in range(n))
    box, bubbles, _ = charts._label_boxes(tm["x"].to_numpy(float), tm["y"].to_numpy(float),
                                          s.marker.size, [t if p != "middle center" else ""
                                                          for t, p in zip(text, pos)],
                                          640 * 0.72, 380 * 0.62)
    placed = {i: box(i, pos[i]) for i in range(n) if i not in numbered}

    def hits(a, b):
        return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]

    for i, a in placed.items():
        assert not any(hits(a, b) for j, b in placed.items() if j != i)
        assert not any(hits(a, bubbles[j]) for j in range(n) if j != i)


def test_folded_themes_are_named_by_their_size_and_coloured_apart():
    from analysis.topic_groups import THEME_BASE, fold_topic_table, topic_groups

    topics = pd.DataFrame({"topic_id": [0, 1, 2], "label": ["goal", "match", "bank"],
                           "theme_id": [0, 0, 1], "theme_label": ["sport", "sport", "money"],
                           "n_articles": [3, 2, 4], "share": [1 / 3, 2 / 9, 4 / 9],
                           "compound": [0.1, 0.2, -0.3]})
    opened = fold_topic_table(topics, topic_groups(topics, "1"))  # money opened
    fig = charts.topic_size(opened)
    assert list(fig.data[0].y) == ["bank (2)", "sport (2 topics)"]  # topics, then themes
    colours = list(fig.data[0].marker.color)
    assert colours[1] == charts.topic_color(THEME_BASE) != charts.topic_color(0)
    assert colours[1] not in charts.TOPIC_PALETTE and colours[0] == charts.topic_color(2)


def test_period_texts_name_each_period_as_the_row_by_row_helpers_do():
    periods = pd.Series(pd.to_datetime(["2024-06-10", "2024-06-03", "2024-06-10", "2024-06-17",
                                        "2024-06-03"]))
    for freq in ("day", "week", "month"):
        iso, labels = charts._period_texts(periods, freq)
        assert list(iso) == charts._iso(periods)
        assert list(labels) == charts._period_labels(periods, freq)
    assert [len(a) for a in charts._period_texts(periods.iloc[:0], "week")] == [0, 0]


def test_fast_figures_serialise_as_the_validated_ones(timeline, topics, topic_timeline):
    """Every chart built by ``_figure`` gives the validated figure's JSON (synthetic
    frames; tests/test_app_store.py compares every chart of every tab on a store)."""
    import plotly.io as pio

    arts = pd.DataFrame({"article_id": ["a", "b", "c"], "title": ["A", "B", "<i>C</i>"],
                         "topic_id": [0, 1, 1], "topic_label": ["t0", "t1", "t1"],
                         "compound": [-0.5, 0.2, np.nan]})
    am = pd.DataFrame({"article_id": ["a", "b", "c"], "x": [0, 1, 2], "y": [1, 0, 1]})

    def every():
        hist = histogram(pd.Series([-0.9, -0.2, 0.0, 0.1, 0.6]))
        return [charts.volume_timeline(timeline, "week"), charts.sentiment_timeline(timeline, "week"),
                charts.volume_timeline(timeline.assign(coverage=[0.5, 1, 1, 1, 1, 0.2]), "week"),
                charts.topic_volume_timeline(topic_timeline, "week", rolling=2),
                charts.topic_sentiment_timeline(topic_timeline, "week"),
                charts.topic_share_area(topic_timeline, "week", min_articles=1),
                charts.topic_size(topics), charts.topic_mean_sentiment(topics),
                charts.sentiment_histogram(hist),
                charts.topic_sentiment_mix(pd.DataFrame({
                    "topic_id": [0, 0, 0, 1, 1, 1], "topic_label": ["a"] * 3 + ["b"] * 3,
                    "label": ["negative", "neutral", "positive"] * 2,
                    "n_sentences": [5, 3, 2, 0, 1, 1], "share": [0.5, 0.3, 0.2, 0, 0.5, 0.5]})),
                charts.topic_map(pd.DataFrame({"topic_id": [0, 1, 2], "x": [0.0, 1.0, 2.0],
                                               "y": [0.0, 1.0, 0.5]}), topics),
                charts.article_map(am, arts, color_by="topic"),
                charts.article_map(am, arts, color_by="sentiment"),  # a colour bar's title
                charts.label_bar(label_counts(pd.DataFrame({"label": ["negative", "neutral"]}))),
                charts.sentiment_arc(pd.DataFrame({"sentence_id": [2, 0, 1],
                                                   "compound": [0.5, -0.5, 0.0],
                                                   "text": ["c", "<a>", "b"]}))]

    fast = every()
    with charts.validating():
        slow = every()
    assert all(isinstance(f, go.Figure) for f in fast)
    for f, s in zip(fast, slow):
        lazy = pio.to_json(f.to_dict(), validate=False)  # from the spec, no Plotly state
        assert lazy == pio.to_json(s.to_dict(), validate=False)
        assert f.to_json() == s.to_json()
        assert len(f.data) == len(s.data) and "_spec" not in f.__dict__  # state made
        assert pio.to_json(f.to_dict(), validate=False) == lazy  # and from that state
