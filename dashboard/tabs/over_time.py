"""Over time tab: volume and sentiment timelines, per-topic timelines."""
from __future__ import annotations

from functools import partial

import streamlit as st

from analysis import aggregate
from dashboard import charts
from dashboard import state as vs
from dashboard.evidence import evidence_section
from dashboard.interaction import select_period, select_period_topic, view_widget
from dashboard.widgets import csv_download, note, plot

ss = st.session_state


def tab_time(view, state) -> None:
    arts = view.articles
    c1, c2, c3 = st.columns([1, 1, 1])
    c1.selectbox("Period", list(vs.FREQS), **view_widget("freq"))
    c2.slider("Rolling mean (periods)", 1, 12, **view_widget("roll"))
    split = c3.toggle("Split by topic", **view_widget("split"))
    dated = arts["published"].notna().sum()
    if dated < 2:
        note("Time charts need at least two dated articles in the current filter. "
             "Widen the filters or open a bigger corpus.")
        return
    freq = state["freq"]
    tl = aggregate.timeline(arts, view.sentences, freq=freq)
    rfreq = tl.attrs["freq"]
    roll = int(state["roll"])
    if len(tl) < 2:
        note(f"All articles in the current filter fall in one {rfreq}: pick a shorter period "
             "above, or widen the date range (“Undo last chart click” or “Clear filters” in "
             "the sidebar). The sentences behind this period are listed below.")
    else:
        plot(charts.volume_timeline(tl, rolling=roll), key="t_volume",
             on_select=partial(select_period, "t_volume", rfreq))
        plot(charts.sentiment_timeline(tl, rolling=roll), key="t_sent",
             on_select=partial(select_period, "t_sent", rfreq))
        st.caption("Click a bar or point (or drag a box) to filter to those periods and read "
                   "the sentences behind them under “What drives these numbers” below.")
    csv_download("Time series CSV", f"timeline-{rfreq}", lambda: tl, "dl_timeline")
    ttl = aggregate.topic_timeline(arts, view.article_topics, freq=freq)
    if len(tl) >= 2 and not ttl.empty:
        if split:
            plot(charts.topic_volume_timeline(ttl, rolling=roll), key="t_tvol",
                 on_select=partial(select_period_topic, "t_tvol", rfreq))
            plot(charts.topic_sentiment_timeline(ttl, rolling=roll), key="t_tsent",
                 on_select=partial(select_period_topic, "t_tsent", rfreq))
        plot(charts.topic_share_area(ttl), key="t_share",
             on_select=partial(select_period_topic, "t_share", rfreq))
        st.caption("Click a point of the area to filter to that topic in that period.")
    if not ttl.empty:
        csv_download("Topic time series CSV", f"topic-timeline-{rfreq}", lambda: ttl,
                     "dl_topic_timeline")
    st.subheader("What drives these numbers")
    evidence_section(view, "ev_time", what="evidence-time")
