"""The sidebar's Themes filter and the theme/headline columns of the Topics tab (AppTest)."""
from __future__ import annotations

from test_app import _app, _csv, _download, _metric, _ok, _open_tab


def test_theme_filter_selects_the_topics_of_the_theme(cache_dir):
    at = _app({"k": "10"})            # seeds with 10 topics: 3 themes
    at.run()
    _ok(at)
    total = int(_metric(at, "Articles"))
    _open_tab(at, "Topics")
    topics = _csv(_download(at, "dl_topics")[1])
    assert {"headline", "theme_id", "theme_label"} <= set(topics.columns)
    assert topics["headline"].fillna("").str.len().gt(0).all()
    assert topics["theme_id"].nunique() == 3
    themes = at.multiselect(key="w_themes")
    assert len(themes.options) == 3 and "topics)" in themes.options[0]
    themes.select(1).run()
    _ok(at)
    _open_tab(at, "Overview")
    members = sorted(topics.loc[topics["theme_id"] == 1, "topic_id"].astype(int))
    assert sorted(at.session_state["w_topics"]) == members
    n = int(_metric(at, "Articles"))
    assert n == int(topics.loc[topics["theme_id"] == 1, "n_articles"].sum()) and n < total
    assert at.multiselect(key="w_themes").value == [1]
    # clearing the topic filter clears the theme shown
    at.multiselect(key="w_topics").set_value([]).run()
    _ok(at)
    assert at.multiselect(key="w_themes").value == []
