"""Over time tab: volume and sentiment timelines, per-topic timelines."""
from __future__ import annotations

from functools import partial

import pandas as pd
import streamlit as st

from analysis.topic_groups import fold_topic_timeline
from dashboard import charts
from dashboard.grouping import grouping_control
from dashboard import state as vs
from dashboard.evidence import period_evidence_section
from dashboard.interaction import select_period, select_period_topic, view_widget
from dashboard.widgets import csv_download, note, plot

#: Fewest articles in a period for its topic shares to be drawn (fewer is noise).
MIN_SHARE_ARTICLES = 10


def topic_lines_shown(table: pd.DataFrame, state) -> pd.DataFrame:
    """The topics the per-topic charts draw, from the view's topic table: those of the
    topic filter, else those that are some shown article's dominant topic (a topic
    present only through small weights of other articles draws no line).  Columns
    ``topic_id``, ``label``."""
    topics = table[["topic_id", "label"]]
    if state["topics"]:
        return topics[topics["topic_id"].isin([int(t) for t in state["topics"]])]
    return topics[table["n_articles"] > 0]


def tab_time(views, state, freq: str) -> None:
    """``views``: :mod:`analysis.views` of the current filter; ``freq`` is the concrete
    period (hour, day, week, month) resolved for this run."""
    c1, c2, c3 = st.columns([1, 1, 1])
    c1.selectbox("Period", list(vs.FREQS), **view_widget("freq"),
                 format_func=lambda f: f"auto ({freq})" if f == "auto" else f)
    c2.slider("Rolling mean (periods)", 1, 12, **view_widget("roll"))
    split = c3.toggle("Split by topic", **view_widget("split"))
    h = views.headline()
    if h.n_articles - h.undated < 2:
        note("Time charts need at least two dated articles in the current filter. "
             "Widen the filters or open a bigger corpus.")
        return
    tl = views.timeline(freq)
    roll = int(state["roll"])
    if len(tl) < 2:
        note(f"All articles in the current filter fall in one {freq}: pick a shorter period "
             "above, or widen the date range (“Undo last chart click” or “Clear filters” in "
             "the sidebar). The sentences behind this period are listed below.")
    else:
        plot(charts.volume_timeline(tl, freq, rolling=roll), key="t_volume",
             on_select=partial(select_period, "t_volume", freq))
        plot(charts.sentiment_timeline(tl, freq, rolling=roll), key="t_sent",
             on_select=partial(select_period, "t_sent", freq))
        partly = (" Paler bars are periods the view covers only in part (the data or the "
                  "date filter starts or stops inside them): their counts are not a drop, "
                  "and the rolling mean leaves them out." if tl["coverage"].lt(1).any()
                  else "")
        st.caption("Marker size = articles in the period; the grey band is the 95 % "
                   "uncertainty of the mean. Click a bar or point (or pick the box tool "
                   "and drag) to filter to those periods and read the sentences behind "
                   f"them below (“What moved the line”).{partly}")
    csv_download("Time series CSV", f"timeline-{freq}", lambda: tl, "dl_timeline")
    shown = topic_lines_shown(views.topic_table(), state)
    ttl = views.topic_timeline(freq, dict(zip(shown["topic_id"], shown["label"])))
    ttl = ttl[ttl["topic_id"].isin(shown["topic_id"])]
    if len(tl) >= 2 and not ttl.empty:
        groups = grouping_control(views.all_topics)
        drawn = ttl if groups is None else fold_topic_timeline(ttl, groups)
        by = "topic" if groups is None else "topic or theme"
        pick = partial(select_period_topic, freq=freq, groups=groups)
        if split:
            plot(charts.topic_volume_timeline(drawn, freq, rolling=roll,
                                              title=f"Articles per period by {by}"),
                 key="t_tvol", on_select=partial(pick, "t_tvol"))
            plot(charts.topic_sentiment_timeline(drawn, freq, rolling=roll,
                                                 title=f"Mean sentiment per period by {by}"),
                 key="t_tsent", on_select=partial(pick, "t_tsent"))
        share = charts.topic_share_area(drawn, freq, min_articles=MIN_SHARE_ARTICLES,
                                        title=f"{by.capitalize()} share over time")
        if share.data:
            plot(share, key="t_share", on_select=partial(pick, "t_share"))
            st.caption(f"Periods with fewer than {MIN_SHARE_ARTICLES} articles are left out. "
                       f"Click a point of the area to filter to that {by} in that period.")
        else:
            note(f"Topic share needs periods of at least {MIN_SHARE_ARTICLES} articles: pick "
                 "a longer period above or widen the filters.")
    if not ttl.empty:
        csv_download("Topic time series CSV", f"topic-timeline-{freq}", lambda: ttl,
                     "dl_topic_timeline")
    st.subheader("What moved the line")
    period_evidence_section(views, tl, freq, "ev_time", MIN_SHARE_ARTICLES)
