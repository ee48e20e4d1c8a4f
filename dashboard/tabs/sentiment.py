"""Sentiment tab: distributions and keyword queries tracked side by side."""
from __future__ import annotations

from functools import partial

import streamlit as st

from analysis.keywords import MAX_QUERIES, parse_queries
from dashboard import charts, keyword_charts
from dashboard.charts import short
from dashboard.evidence import evidence_section
from dashboard.tabs.over_time import MIN_SHARE_ARTICLES  # as for topic shares
from dashboard.interaction import select_keyword_period, select_sentiment_bin, view_widget
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
    if views.download_fits():
        bytes_download("Sentences CSV (all sentences in the filter)", "sentences",
                       views.sentences_csv, "dl_sentences")
    else:
        st.caption(f"{h.n_sentences:,} sentences: too many to download here; the sidebar's "
                   "Report command writes them (sentences.csv).")
    # The strongest sentences of the view are on the Overview and Over time tabs
    # ("What drives these numbers"); this tab lists those of the tracked queries.
    track_section(views, state, h, freq)


def track_section(views, state, h, freq: str) -> None:
    """Several keyword queries side by side: a summary table, articles per period, share
    of voice between them, the sentiment of the sentences that mention each, and the
    sentences behind the one picked (or clicked)."""
    st.subheader("Track keywords")
    text = st.text_area("Keywords or queries to follow, one per line",
                        placeholder="oil AND (opec OR saudi) NOT palm\ndollar\n\"interest rates\"",
                        height=96, help=QUERY_HELP, **view_widget("track"))
    tracked, problems = parse_queries(text)
    for problem in problems:  # a bad line never hides the good ones
        st.warning(problem, icon=":material/warning:")
    if not tracked:
        st.caption(f"Type up to {MAX_QUERIES} words, phrases or boolean queries, one per line, "
                   "to compare how often each is in the news and how the sentences that "
                   "mention it turn over time.")
        return
    summary = views.keyword_summary(tracked)
    st.dataframe(summary, hide_index=True, width="stretch", column_config=SUMMARY_COLUMNS)
    if not summary["n_articles"].any():
        note("No article in the current filter matches these queries.")
        return
    roll = int(state["roll"])
    series = views.keyword_series(tracked, freq)
    if h.n_articles - h.undated < 2 or series["period"].nunique() < 2:
        note("The keyword charts need dated articles in at least two periods.")
    else:
        plot(keyword_charts.keyword_volume(series, freq, rolling=roll), key="s_kw_vol",
             on_select=partial(select_keyword_period, "s_kw_vol", freq, tracked))
        if len(tracked) > 1:
            share = keyword_charts.keyword_share(series, freq, min_articles=MIN_SHARE_ARTICLES)
            if any(len(t.x) for t in share.data):
                plot(share, key="s_kw_share",
                     on_select=partial(select_keyword_period, "s_kw_share", freq, tracked))
                st.caption(f"Share of voice: periods in which the queries match fewer than "
                           f"{MIN_SHARE_ARTICLES} articles are left out.")
            else:
                note(f"Share of voice needs periods in which the queries match at least "
                     f"{MIN_SHARE_ARTICLES} articles: pick a longer period (Over time tab) "
                     "or widen the filters.")
        plot(keyword_charts.keyword_sentiment(series, freq, rolling=roll), key="s_kw_sent",
             on_select=partial(select_keyword_period, "s_kw_sent", freq, tracked))
        st.caption("Click a point to filter to its period and read that query's sentences "
                   "below.")
        csv_download("Keywords CSV (each query per period)", "keywords", lambda: series,
                     "dl_kw")
    if st.session_state.get("w_track_pick") not in tracked:
        st.session_state["w_track_pick"] = tracked[0]
    pick = st.radio("Sentences behind", tracked, horizontal=True, key="w_track_pick",
                    format_func=lambda q: short(q, 40)) if len(tracked) > 1 else tracked[0]
    evidence_section(views, "ev_kw", keyword=pick, what="keyword-sentences")


#: Columns of the tracked-queries table.
SUMMARY_COLUMNS = {
    "keyword": st.column_config.TextColumn("query"),
    "n_articles": st.column_config.NumberColumn("articles", format="localized"),
    "n_sentences": st.column_config.NumberColumn("sentences mentioning it", format="localized"),
    "compound": st.column_config.NumberColumn("mean sentence sentiment", format="%+.3f"),
    "pos_share": st.column_config.NumberColumn("positive", format="percent"),
    "neg_share": st.column_config.NumberColumn("negative", format="percent"),
}

QUERY_HELP = ("One query a line. Words match whole words, case-insensitive; "
              "\"quoted phrases\" match in order; `flood*` matches a prefix; combine with "
              "AND, OR, NOT and parentheses (`oil AND (opec OR saudi) NOT palm`). An article "
              "counts when its title and text match; the sentiment is that of the sentences "
              "that mention a query's words, not of the whole article.")
