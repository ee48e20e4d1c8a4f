"""dashboard.compare_charts: the Compare tab's figures on a planted comparison."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.compare import compare_periods
from dashboard.charts import NEG, POS
from dashboard.compare_charts import (OTHER, change_waterfall, share_shift, waterfall_steps,
                                      word_shift)

A = ("2024-01-01", "2024-01-31")
B = ("2024-02-01", "2024-02-29")
LABELS = {0: "Floods & storms", 1: "Elections <b>", 2: "Football", 3: "Markets", 4: "Health",
          5: "Weather", 6: "Courts", 7: "Vanished topic", 8: "New topic"}
# (period, topic, compound, articles, text)
SPEC = [("a", 0, -0.2, 6, "The storm was terrible."), ("b", 0, -0.6, 9, "A terrible, awful storm."),
        ("a", 1, 0.1, 5, "A good debate."), ("b", 1, 0.3, 3, "A good, happy debate."),
        ("a", 2, 0.5, 4, "A great win."), ("b", 2, 0.4, 4, "A great win."),
        ("a", 3, -0.1, 3, "Prices fell."), ("b", 3, 0.2, 2, "Prices rose, good."),
        ("a", 4, 0.0, 2, "Doctors met."), ("b", 4, -0.3, 4, "A sad day."),
        ("a", 5, 0.2, 2, "Sunny."), ("b", 5, 0.25, 3, "Sunny."),
        ("a", 6, -0.4, 2, "Guilty."), ("b", 6, -0.35, 2, "Guilty."),
        ("a", 7, 0.6, 3, "Lovely."), ("b", 8, -0.7, 3, "Horrible.")]


@pytest.fixture(scope="module")
def changes():
    arts, sents = [], []
    for period, topic, compound, count, text in SPEC:
        day = pd.Timestamp("2024-01-10" if period == "a" else "2024-02-10")
        for i in range(count):
            aid = f"{period}{topic}-{i}"
            arts.append({"article_id": aid, "published": day + pd.Timedelta(hours=i),
                         "title": "t", "topic_id": topic, "topic_label": LABELS[topic],
                         "compound": compound})
            sents.append({"article_id": aid, "sentence_id": 0, "text": text,
                          "compound": compound, "label": "neutral"})
    a, s = pd.DataFrame(arts), pd.DataFrame(sents)
    a["topic_id"] = a["topic_id"].astype(np.int64)
    s["sentence_id"] = s["sentence_id"].astype(np.int64)
    return compare_periods(a, s, A, B)


def test_waterfall_steps_add_up_to_the_total_and_fold_the_rest(changes):
    total = changes["contribution"].iloc[0]
    steps = waterfall_steps(changes, n_topics=3)
    rel = steps[steps["measure"] == "relative"]
    assert rel["value"].sum() == pytest.approx(total, abs=1e-12)
    sums = steps[steps["measure"] == "total"].set_index("name")["value"]
    mix = changes.loc[changes["component"] == "mix", "contribution"].sum()
    assert sums["Topic-mix effect"] == pytest.approx(mix, abs=1e-12)
    assert sums["Total change"] == pytest.approx(total, abs=1e-12)
    # three named steps per component, the rest folded into one
    for comp in ("mix", "within"):
        part = rel[rel["component"] == comp]
        assert (part["topic_id"] >= 0).sum() == 3
        assert part["name"].str.startswith(OTHER).sum() == 1
    # a vanished or a new topic has no within-topic part: never a named +0.000 step
    within = rel[(rel["component"] == "within") & (rel["topic_id"] >= 0)]
    assert (within["value"].abs() > 1e-12).all()


def test_waterfall_figure_is_labelled_and_sums_visibly(changes):
    fig = change_waterfall(changes, n_topics=3)
    (trace,) = fig.data
    assert trace.type == "waterfall" and trace.orientation == "h"
    measures, x, y = list(trace.measure), np.array(trace.x, float), list(trace.y)
    assert measures[-1] == "total" and "Total change" in y[-1]
    assert x[-1] == pytest.approx(changes["contribution"].iloc[0], abs=1e-12)
    rel = np.array([m == "relative" for m in measures])
    assert x[rel].sum() == pytest.approx(x[-1], abs=1e-12)
    assert len(set(y)) == len(y)  # categories are unique
    named = [lab for lab in y if "(" in lab and OTHER not in lab]
    assert any("Floods &amp; storms (0)" in lab for lab in named)  # labels, escaped
    assert "Elections <b>" not in " ".join(y)
    # the axis holds every running sum
    lo, hi = fig.layout.xaxis.range
    assert lo < np.cumsum(np.where(rel, x, 0)).min() and hi > 0


def test_share_shift_bars_are_share_b_minus_share_a(changes):
    fig = share_shift(changes)
    (bar,) = fig.data
    mix = changes[changes["component"] == "mix"].set_index("topic_id")
    delta = (mix["share_b"] - mix["share_a"]) * 100
    ids = [int(row[0]) for row in bar.customdata]
    np.testing.assert_allclose(bar.x, delta.loc[ids].to_numpy())
    assert list(bar.x) == sorted(bar.x, reverse=True)  # largest rise on top
    assert any(y.startswith("New topic (8)") for y in bar.y)
    assert bar.text[0].endswith("pts") and bar.text[0].startswith("+")


def test_word_shift_colours_by_sign_and_carries_the_word(changes):
    fig = word_shift(changes, n=5)
    (bar,) = fig.data
    words = changes[changes["component"] == "word"]
    top = words.reindex(words["contribution"].abs().sort_values(ascending=False).index).head(5)
    assert [row[0] for row in bar.customdata] == list(top["name"])
    assert list(bar.marker.color) == [POS if v > 0 else NEG for v in top["contribution"]]
    assert abs(bar.x[0]) == pytest.approx(top["contribution"].abs().max())
    # "horrible" is new in B (↑) and pulls down (red); "lovely" vanished (↓), also down
    (bar,) = word_shift(changes).data
    words = [row[0] for row in bar.customdata]
    i, j = words.index("horrible"), words.index("lovely")
    assert bar.y[i] == "horrible ↑" and bar.marker.color[i] == NEG
    assert bar.y[j] == "lovely ↓" and bar.marker.color[j] == NEG
