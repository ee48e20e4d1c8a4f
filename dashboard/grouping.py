"""The "Charts show" control: per-topic charts by theme, by topic, or by theme with one
theme opened into its topics (:mod:`analysis.topic_groups` does the folding)."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis.topic_groups import has_themes, parse_grouping, topic_groups
from dashboard.charts import short
from dashboard.interaction import view_widget
from dashboard.memo import per_frame
from dashboard.state import DEFAULTS

ss = st.session_state


def current_groups(all_topics: pd.DataFrame) -> pd.DataFrame | None:
    """The groups of the current setting, for a chart drawn where the control is not
    (the Overview): as :func:`grouping_control` returns them."""
    return _groups(all_topics, str(ss.get("v_group", DEFAULTS["group"])))


def grouping_control(all_topics: pd.DataFrame, container=st) -> pd.DataFrame | None:
    """Draw the control in ``container`` when themes group several topics, and return
    the groups to fold the view's per-topic frames into (``topic_groups``), or None
    when the charts draw topics as they are."""
    control = _control(all_topics)
    if control is None:
        return None
    options, labels = control
    widget = view_widget("group")
    if ss[widget["key"]] not in options:  # a theme of another corpus, a stale URL
        # Said, as the other parts of a link that cannot be followed are (app.main).
        st.toast(f"Ignored part of the link: group={ss[widget['key']]} is not a theme of "
                 "this corpus; the charts show every theme")
        ss[widget["key"]] = "themes"
    value = container.selectbox(
        "Charts show", options, format_func=labels.get,
        help="Themes group related topics (a hierarchy of the topics' term vectors), so "
             "charts of many topics stay readable; open one theme to see its topics beside "
             "the other themes. Clicking a theme filters to all of its topics.", **widget)
    return _groups(all_topics, value)


@per_frame
def _control(all_topics: pd.DataFrame):
    """``(options, labels)`` of the control over ``all_topics``, None without themes."""
    if not has_themes(all_topics):
        return None
    themes = (all_topics[["theme_id", "theme_label", "topic_id"]]
              .groupby(["theme_id", "theme_label"], as_index=False).size()
              .sort_values("theme_id"))
    names = {str(int(r.theme_id)): (str(r.theme_label), int(r.size))
             for r in themes.itertuples()}
    options = ["themes", "topics", *names]
    labels = {"themes": f"Themes ({len(names)})", "topics": f"Topics ({len(all_topics)})",
              **{t: f"Themes, “{short(lab, 28)}” opened ({n} topics)"
                 for t, (lab, n) in names.items()}}
    return options, labels


@per_frame
def _groups(all_topics: pd.DataFrame, value) -> pd.DataFrame | None:
    """The groups of the setting ``value`` (None: topics as they are)."""
    grouping = parse_grouping(value, all_topics)
    return None if grouping == "topics" else topic_groups(all_topics, grouping)


__all__ = ["grouping_control", "current_groups"]
