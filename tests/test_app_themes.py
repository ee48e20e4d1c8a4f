"""Themes in the dashboard's per-topic charts (AppTest): the demo corpus at k=12 has
three themes; the Topics and Over time charts show themes by default, topics on
request, or one theme opened; the setting is in the URL and follows the tabs."""
from __future__ import annotations

import json

import pytest

from analysis.topic_groups import THEME_BASE

from app_helpers import app as _app, ok as _ok


def _figures(at) -> dict:
    return {c.proto.id.rsplit("-", 1)[-1]: json.loads(c.proto.spec)
            for c in at.get("plotly_chart")}


def _bars(fig) -> list[str]:
    return list(fig["data"][0]["y"])


@pytest.fixture
def at(cache_dir):
    at = _app({"k": "12", "tab": "Topics"})
    at.run()
    _ok(at)
    return at


def _control(at):
    return next(s for s in at.selectbox if s.label == "Charts show")


def test_topics_tab_shows_themes_then_topics_then_one_theme_opened(at):

    control = _control(at)
    assert control.value == "themes"
    themes = [o for o in control.options if o.startswith("Themes, ")]
    assert len(themes) >= 2
    figs = _figures(at)
    size = figs["tp_size"]
    assert all(label.endswith("topics)") for label in _bars(size))
    assert sum(size["data"][0]["x"]) == 50  # every article of the demo corpus, once
    assert "theme" in figs["tp_size"]["layout"]["title"]["text"]
    assert len(_bars(figs["tp_mix"])) == len(themes)

    _control(at).set_value("topics").run()
    _ok(at)
    assert len(_bars(_figures(at)["tp_size"])) == 12
    assert at.query_params["group"] in ("topics", ["topics"])

    first = _control(at).options.index(themes[0])
    opened = list(dict.fromkeys(["themes", "topics", *[str(i) for i in range(len(themes))]]))
    _control(at).set_value(opened[first]).run()
    _ok(at)
    bars = _bars(_figures(at)["tp_size"])
    n_in = int(themes[0].rsplit("(", 1)[1].split()[0])  # "… opened (7 topics)"
    assert len(bars) == n_in + len(themes) - 1  # its topics, the other themes folded
    assert sum(_figures(at)["tp_size"]["data"][0]["x"]) == 50


def test_over_time_draws_the_same_grouping_and_a_bad_url_value_is_themes(cache_dir):
    at = _app({"k": "12", "tab": "Over time", "freq": "month", "group": "topics"})
    at.run()
    _ok(at)
    assert _control(at).value == "topics"
    share = _figures(at)["t_share"]
    assert len(share["data"]) > 3
    _control(at).set_value("themes").run()
    _ok(at)
    share = _figures(at)["t_share"]
    ids = {int(cd[1]) for t in share["data"] for cd in t["customdata"]}
    assert ids and all(i >= THEME_BASE for i in ids)  # a point's id is its theme's
    assert "group" not in at.query_params  # the default is left out of the URL
    # a theme number this corpus does not have falls back to themes, and says so
    at = _app({"k": "12", "tab": "Over time", "group": "99"})
    at.run()
    _ok(at)
    assert _control(at).value == "themes"
    assert [t.value for t in at.toast if "group=99 is not a theme" in t.value]


def test_a_corpus_whose_themes_are_its_topics_has_no_control(cache_dir):
    at = _app({"tab": "Topics"})  # the demo corpus: 7 topics, each its own theme
    at.run()
    _ok(at)
    assert not [s for s in at.selectbox if s.label == "Charts show"]
    assert all(not b.endswith("topics)") for b in _bars(_figures(at)["tp_size"]))


def test_the_overview_follows_the_setting_made_on_the_topics_tab(at):
    _control(at).set_value("topics").run()
    at.session_state["tab"] = "Overview"
    at.run()
    _ok(at)
    assert len(_bars(_figures(at)["ov_topics"])) == 12
    at.session_state["tab"] = "Topics"
    at.run()
    _control(at).set_value("themes").run()
    at.session_state["tab"] = "Overview"
    at.run()
    _ok(at)
    bars = _bars(_figures(at)["ov_topics"])
    assert 2 <= len(bars) < 12 and all(b.endswith("topics)") for b in bars)
