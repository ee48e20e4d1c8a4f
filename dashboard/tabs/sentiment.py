"""Sentiment tab: distributions and a keyword tracked over time."""
from __future__ import annotations

from functools import partial

import streamlit as st

from analysis.keyword_query import QueryError
from dashboard import charts
from dashboard.evidence import evidence_section
from dashboard.interaction import select_period, select_sentiment_bin, view_widget
from dashboard.widgets import bytes_download, csv_download, note, plot



def tab_sentiment(views, state, freq: str) -> None:
    """``views``: :mod:`analysis.views` of the current filter; ``freq`` the resolved period."""
    h = views.headline()
    if h.n_sentences == 0:
        note("No sentences in the current filter.")
        return
    c1, c2 = st.columns(2)
    with c1:
        plot(charts.sentiment_histogram(views.histogram("sentences"), title="Sentence sentiment",
                                        unit="sentences"), key="s_hist_sent")
    with c2:
        if h.n_articles < 2:
            note("The article distribution needs at least two articles.")
        else:
            plot(charts.sentiment_histogram(views.histogram("articles"), title="Article sentiment "
                                            "(mean of its sentences)", unit="articles"),
                 key="s_hist_art", on_select=partial(select_sentiment_bin, "s_hist_art"))
            st.caption("Click or drag over bars to filter articles to that sentiment range.")
    bytes_download("Sentences CSV (all sentences in the filter)", "sentences",
                   views.sentences_csv, "dl_sentences")
    # The strongest sentences of the view are on the Overview and Over time tabs
    # ("What drives these numbers"); this tab lists those of the tracked keyword.
    st.subheader("Track a keyword")
    kw = st.text_input("Keyword or phrase to follow over time", placeholder="e.g. Ukraine",
                       **view_widget("track")).strip()
    if not kw:
        st.caption("Type a word to see how the sentences that mention it turn over time.")
        return
    try:
        mentions = views.keyword_mentions(kw)
    except QueryError as exc:
        note(str(exc))
        return
    if not mentions:
        note("No sentence in the current filter mentions this keyword.")
        return
    kt = views.keyword_timeline(kw, freq)
    if h.n_articles - h.undated < 2 or len(kt) < 2:
        note("The keyword timeline needs mentions in at least two periods.")
    else:
        plot(charts.keyword_timeline(kt, kw, freq, rolling=int(state["roll"])), key="s_kw",
             on_select=partial(select_period, "s_kw", freq))
        csv_download("Keyword time series CSV", "keyword-timeline", lambda: kt, "dl_kw")
    st.caption(f"{mentions:,} sentence(s) mention it.")
    evidence_section(views, "ev_kw", keyword=kw, what="keyword-sentences")
