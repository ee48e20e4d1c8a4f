"""Sentiment tab: distributions and a keyword tracked over time."""
from __future__ import annotations

from functools import partial

import streamlit as st

from analysis import aggregate, reports
from analysis.keyword_query import QueryError
from dashboard import charts
from dashboard.evidence import evidence_section
from dashboard.interaction import select_period, select_sentiment_bin, view_widget
from dashboard.widgets import csv_download, note, plot



def tab_sentiment(view, state, freq: str) -> None:
    arts, sents = view.articles, view.sentences
    if sents.empty:
        note("No sentences in the current filter.")
        return
    c1, c2 = st.columns(2)
    with c1:
        plot(charts.sentiment_histogram(sents["compound"], title="Sentence sentiment",
                                        unit="sentences"), key="s_hist_sent")
    with c2:
        if len(arts) < 2:
            note("The article distribution needs at least two articles.")
        else:
            plot(charts.sentiment_histogram(arts["compound"], title="Article sentiment "
                                            "(mean of its sentences)", unit="articles"),
                 key="s_hist_art", on_select=partial(select_sentiment_bin, "s_hist_art"))
            st.caption("Click or drag over bars to filter articles to that sentiment range.")
    csv_download("Sentences CSV (all sentences in the filter)", "sentences",
                 lambda: reports.report_frames(view)["sentences"], "dl_sentences")
    # The strongest sentences of the view are on the Overview and Over time tabs
    # ("What drives these numbers"); this tab lists those of the tracked keyword.
    st.subheader("Track a keyword")
    kw = st.text_input("Keyword or phrase to follow over time", placeholder="e.g. Ukraine",
                       **view_widget("track")).strip()
    if not kw:
        st.caption("Type a word to see how the sentences that mention it turn over time.")
        return
    try:
        hits = aggregate.keyword_sentences(sents, kw)
    except QueryError as exc:
        note(str(exc))
        return
    if hits.empty:
        note("No sentence in the current filter mentions this keyword.")
        return
    kt = aggregate.keyword_timeline(arts, sents, kw, freq=freq)
    if arts["published"].notna().sum() < 2 or len(kt) < 2:
        note("The keyword timeline needs mentions in at least two periods.")
    else:
        plot(charts.keyword_timeline(kt, kw, freq, rolling=int(state["roll"])), key="s_kw",
             on_select=partial(select_period, "s_kw", freq))
        csv_download("Keyword time series CSV", "keyword-timeline", lambda: kt, "dl_kw")
    st.caption(f"{len(hits):,} sentence(s) mention it.")
    evidence_section(view, "ev_kw", keyword=kw, what="keyword-sentences")
