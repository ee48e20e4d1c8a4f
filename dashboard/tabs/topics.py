"""Topics tab: terms, size and sentiment per topic, maps, the rename form, the table."""
from __future__ import annotations

from functools import partial

import streamlit as st

from analysis import aggregate
from dashboard import charts
from dashboard.interaction import open_article_from_map, select_topics
from dashboard.widgets import csv_download, note, plot

ss = st.session_state


def rename_form(named) -> None:
    topics = named.topics.sort_values("topic_id")
    with st.form("rename", clear_on_submit=True, border=True):
        st.markdown("**Rename a topic** (the name is used in every chart, table and export)")
        c1, c2 = st.columns([2, 3])
        tid = c1.selectbox("Topic", topics["topic_id"].astype(int).tolist(), key="w_rn_topic",
                           format_func=lambda t: f"{t}: " + charts.short(
                               topics.set_index("topic_id").loc[t, "label"], 40))
        new = c2.text_input("New name", key="w_rn_name", max_chars=80)
        b1, b2 = st.columns(2)
        ok = b1.form_submit_button("Rename", type="primary")
        reset = b2.form_submit_button("Reset all names")
    if ok and new.strip():
        ss.setdefault("names", {})[int(tid)] = new.strip()
        st.rerun()
    if reset and ss.get("names"):
        ss["names"] = {}
        st.rerun()


def tab_topics(view, named, result) -> None:
    topics = view.topics.sort_values("topic_id")
    present = topics[topics["n_articles"] > 0]
    if len(named.topics) == 0:
        note("The topic model found no topics in this corpus.")
        return
    plot(charts.topic_terms(named.topics), key="tp_terms")
    if present.empty:
        note("No topic has articles in the current filter.")
    else:
        c1, c2 = st.columns(2)
        with c1:
            plot(charts.topic_size(present), key="tp_size",
                 on_select=partial(select_topics, "tp_size"))
        with c2:
            plot(charts.topic_mean_sentiment(present), key="tp_sent",
                 on_select=partial(select_topics, "tp_sent"))
        ts = aggregate.topic_sentiment(view.articles, view.sentences)
        ts = ts[ts["topic_id"] >= 0]
        if not ts.empty:
            plot(charts.topic_sentiment_mix(ts), key="tp_mix",
                 on_select=partial(select_topics, "tp_mix", 2))
            csv_download("Topic × sentiment CSV", "topic-sentiment", lambda: ts, "dl_topic_sent")
        st.caption("Click a bar to filter to that topic (and, on the sentiment-mix chart, to "
                   "list those sentences under Overview).")
    st.subheader("Map")
    kind = st.radio("Show", ["Topics", "Articles by topic", "Articles by sentiment"],
                    key="w_map", horizontal=True, label_visibility="collapsed")
    if kind == "Topics":
        if len(result.topic_map) < 2:
            note("The map needs at least two topics.")
        else:
            plot(charts.topic_map(result.topic_map, view.topics if len(present) else named.topics),
                 key="tp_map", on_select=partial(select_topics, "tp_map"))
            st.caption("Bubbles close together share vocabulary (TF-IDF/NMF space); size = "
                       "articles. Click a bubble to filter to that topic.")
    else:
        if len(view.article_map) < 2:
            note("The article map needs at least two articles in the current filter.")
        else:
            plot(charts.article_map(view.article_map, view.articles,
                                    color_by="sentiment" if "sentiment" in kind else "topic"),
                 key="tp_amap", on_select=partial(open_article_from_map, "tp_amap"),
                 mode=("points",))
            st.caption("Nearby articles use similar words. Click one to open it in the reader "
                       "(Articles tab).")
    rename_form(named)
    # The label, its representative headline and its theme first: what a reader scans.
    first = [c for c in ("topic_id", "label", "headline", "theme_label") if c in topics]
    shown = topics[first + [c for c in topics.columns if c not in first
                            and c not in ("term_weights", "representative_id", "theme_id")]]
    st.dataframe(shown, hide_index=True, width="stretch", key="tp_table", column_config={
        "share": st.column_config.NumberColumn(format="percent"),
        "weight_share": st.column_config.NumberColumn(format="percent"),
        "pos_share": st.column_config.NumberColumn(format="percent"),
        "neg_share": st.column_config.NumberColumn(format="percent"),
        "compound": st.column_config.NumberColumn(format="%+.3f"),
        "coherence": st.column_config.NumberColumn(format="%.3f"),
        "headline": st.column_config.TextColumn(
            "headline", help="Title of the topic's most typical article"),
        "theme_label": st.column_config.TextColumn("theme", help="Group of related topics"),
    })
    csv_download("Topics CSV", "topics", lambda: topics, "dl_topics")
    if len(result.k_scores):
        with st.expander("How was the number of topics chosen?"):
            plot(charts.k_scores(result.k_scores, result.params.get("n_topics_chosen")),
                 key="tp_k")
            st.dataframe(result.k_scores, hide_index=True, key="tp_ktable")
