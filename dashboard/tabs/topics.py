"""Topics tab: terms, size and sentiment per topic, maps, the rename form, the table."""
from __future__ import annotations

from functools import partial

import streamlit as st

from analysis.topic_groups import fold_topic_sentiment, fold_topic_table
from dashboard import charts
from dashboard.grouping import grouping_control
from dashboard import state as vs
from dashboard.interaction import open_article_from_map, select_topics, view_widget
from dashboard.widgets import csv_download, note, plot

ss = st.session_state


def rename_form(all_topics) -> None:
    topics = all_topics.sort_values("topic_id")
    # One dict for the options' names (indexing the frame per option cost ~1 ms each).
    labels = dict(zip(topics["topic_id"].astype(int), topics["label"]))
    with st.form("rename", clear_on_submit=True, border=True):
        st.markdown("**Rename a topic** (the name is used in every chart, table and export)")
        c1, c2 = st.columns([2, 3])
        tid = c1.selectbox("Topic", list(labels), key="w_rn_topic",
                           format_func=lambda t: f"{t}: " + charts.short(labels[t], 40))
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


@st.cache_resource(max_entries=16, show_spinner=False)
def _terms_figure(topics):
    """The top-terms small multiples of a topics frame, built once per frame (the
    model's terms do not change with the filter; building twenty subplots costs about
    60 ms, a third of a Topics rerun on an archive).  The figure is only read."""
    return charts.topic_terms(topics)


@st.cache_resource(max_entries=16, show_spinner=False)
def _k_figure(k_scores, chosen):
    """The k-choice panels, built once per model (about 50 ms of every rerun)."""
    return charts.k_scores(k_scores, chosen)


def tab_topics(views) -> None:
    """``views``: :mod:`analysis.views` of the current filter."""
    all_topics = views.all_topics
    topics = views.topic_table().sort_values("topic_id")
    present = topics[topics["n_articles"] > 0]
    if len(all_topics) == 0:
        note("The topic model found no topics in this corpus.")
        return
    plot(_terms_figure(all_topics), key="tp_terms")
    if present.empty:
        note("No topic has articles in the current filter.")
    else:
        groups = grouping_control(all_topics)
        bars = present if groups is None else fold_topic_table(present, groups)
        by = "topic" if groups is None else "topic or theme"
        c1, c2 = st.columns(2)
        with c1:
            plot(charts.topic_size(bars, title=f"Articles per {by}"), key="tp_size",
                 on_select=partial(select_topics, "tp_size", groups=groups))
        with c2:
            plot(charts.topic_mean_sentiment(bars, title=f"Mean sentiment per {by}"),
                 key="tp_sent", on_select=partial(select_topics, "tp_sent", groups=groups))
        ts = views.topic_sentiment()
        ts = ts[ts["topic_id"] >= 0]
        if not ts.empty:
            mix = ts if groups is None else fold_topic_sentiment(ts, groups)
            plot(charts.topic_sentiment_mix(mix, title=f"Sentence sentiment by {by}"),
                 key="tp_mix", on_select=partial(select_topics, "tp_mix", 2, groups))
            csv_download("Topic × sentiment CSV", "topic-sentiment", lambda: ts, "dl_topic_sent")
        st.caption(f"Click a bar to filter to that {by} (a theme: all of its topics; on the "
                   "sentiment-mix chart, also to list those sentences under Overview).")
    st.subheader("Map")
    kind = st.radio("Show", list(vs.MAPS), format_func=vs.MAPS.get, horizontal=True,
                    label_visibility="collapsed", **view_widget("map"))
    if kind == "topics":
        tmap = views.topic_map()
        if len(tmap) < 2:
            note("The map needs at least two topics.")
        else:
            plot(charts.topic_map(tmap, topics if len(present) else all_topics),
                 key="tp_map", on_select=partial(select_topics, "tp_map"))
            st.caption("Bubbles close together share vocabulary (TF-IDF/NMF space); size = "
                       "articles. A bubble whose label has no room shows its topic number (the "
                       "number in the bars above); hover for its label. Click a bubble to "
                       "filter to that topic.")
    else:
        positions, articles, total = views.article_map()
        if len(positions) < 2:
            note("The article map needs at least two articles in the current filter.")
        else:
            plot(charts.article_map(positions, articles,
                                    color_by="sentiment" if kind == "sentiment" else "topic"),
                 key="tp_amap", on_select=partial(open_article_from_map, "tp_amap"),
                 mode=("points",))
            sample = (f" A fixed sample of {len(positions):,} of the {total:,} articles in view "
                      "is drawn (the same articles every time for this filter)."
                      if total > len(positions) else "")
            st.caption("Nearby articles use similar words. Click one to open it in the reader "
                       "(Articles tab)." + sample)
    rename_form(all_topics)
    table = views.topics_export()
    st.dataframe(table, hide_index=True, width="stretch", key="tp_table", column_config={
        "topic_id": st.column_config.NumberColumn("id", width=36),
        # Fits the ~940 px of the main column at 1,400 px with the sidebar open (926 px
        # in all): every figure column stays on screen, long labels, headlines and terms
        # are cut in the cell and whole in its tooltip.
        "label": st.column_config.TextColumn("topic", width=150),
        "headline": st.column_config.TextColumn(
            "headline", width=120, help="Title of the topic's most typical article"),
        "theme_id": None,
        "theme_label": st.column_config.TextColumn("theme", width=80,
                                                   help="Group of related topics"),
        "terms": st.column_config.TextColumn("top terms", width=120),
        "n_articles": st.column_config.NumberColumn("articles", width=58),
        "share": st.column_config.NumberColumn("share", format="percent", width=54,
                                               help="share of the shown articles (dominant topic)"),
        "weight_share": st.column_config.NumberColumn(
            "weight", format="percent", width=54,
            help="summed topic weight of the shown articles / articles"),
        "compound": st.column_config.NumberColumn("sentiment", format="%+.3f", width=66,
                                                  help="mean article compound, -1 to +1"),
        "pos_share": st.column_config.NumberColumn("positive", format="percent", width=60),
        "neg_share": st.column_config.NumberColumn("negative", format="percent", width=62),
        "coherence": st.column_config.NumberColumn("coherence", format="%.3f", width=66),
    })
    csv_download("Topics CSV (the table above: the report's topics.csv)", "topics",
                 lambda: table, "dl_topics")
    k_scores = views.k_scores()
    if len(k_scores):
        with st.expander("How was the number of topics chosen?"):
            plot(_k_figure(k_scores, views.params().get("n_topics_chosen")), key="tp_k")
            st.dataframe(k_scores, hide_index=True, key="tp_ktable")
