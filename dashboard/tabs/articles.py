"""Articles tab: the article table and the sentence-by-sentence reader."""
from __future__ import annotations

from functools import partial

import pandas as pd
import streamlit as st

from analysis import reports
from dashboard import charts, reader
from dashboard.interaction import select_article
from dashboard.widgets import chip, csv_download, html_line, note, plot

ss = st.session_state
LABEL_MARKS = {"negative": "▼ negative", "neutral": "· neutral", "positive": "▲ positive"}


def tab_articles(view, named) -> None:
    arts = view.articles
    search = st.text_input("Search titles and text", key="w_search",
                           placeholder="type to narrow the table").strip()
    table = arts
    if search:
        needle = search.lower()
        table = arts[arts["title"].str.lower().str.contains(needle, regex=False, na=False)
                     | arts["text"].str.lower().str.contains(needle, regex=False, na=False)]
    cols = ["published", "title", "topic_label", "compound", "label", "n_sentences",
            "article_id"]
    shown = table.reindex(columns=cols).sort_values(["published", "article_id"],
                                                     na_position="last").reset_index(drop=True)
    shown["label"] = shown["label"].map(LABEL_MARKS).fillna(shown["label"])
    ids = shown["article_id"].astype(str).tolist()
    st.caption(f"{len(shown):,} article(s). Click a column header to sort; select a row to "
               "read the article.")
    st.dataframe(
        shown, hide_index=True, width="stretch", height=min(420, 38 + 35 * max(len(shown), 1)),
        key="art_table", on_select=partial(select_article, ids), selection_mode="single-row",
        column_config={
            # Widths chosen to fit 1,400 px with the sidebar open: the title takes what
            # is left, the id keeps enough room to be told apart.
            "published": st.column_config.DatetimeColumn("date", format="YYYY-MM-DD HH:mm",
                                                         width=125),
            "title": st.column_config.TextColumn("title", width="large"),
            "topic_label": st.column_config.TextColumn("topic", width=170),
            "compound": st.column_config.NumberColumn("sentiment", format="%+.3f", width=80,
                                                      help="mean sentence compound, -1 to +1"),
            "label": st.column_config.TextColumn("label", width=85),
            "n_sentences": st.column_config.NumberColumn("sentences", width=75),
            "article_id": st.column_config.TextColumn("id", width=150),
        })
    csv_download("Articles CSV (the rows above)", "articles",
                 lambda: reports.report_frames(view)["articles"].set_index("article_id")
                 .loc[shown["article_id"]].reset_index(), "dl_articles")
    art = ss.get("art")
    if not art:
        note("Select an article in the table to read it sentence by sentence.")
        return
    row = named.articles[named.articles["article_id"] == art]
    if row.empty:
        note("The article in the link is not in this corpus.")
        return
    row = row.iloc[0]
    if art not in set(arts["article_id"]):
        st.caption("This article is outside the current filter.")
    sents = named.sentences[named.sentences["article_id"] == art]
    meta = [chip(row["published"].strftime("%Y-%m-%d %H:%M") if pd.notna(row["published"])
                 else "undated", "published"),
            chip(charts.short(row["topic_label"], 50), "topic"),
            chip("–" if pd.isna(row["compound"]) else f"{row['compound']:+.3f} ({row['label']})",
                 "mean sentiment"),
            chip(f"{len(sents)}", "sentences"), chip(str(row["article_id"]), "id")]
    st.divider()
    html_line(meta)
    st.html(reader.legend_html())
    left, right = st.columns([3, 2])
    with left:
        st.html(reader.article_html(row["text"], sents, title=row["title"]))
    with right:
        if len(sents) >= 2:
            plot(charts.sentiment_arc(sents, rolling=3, title="Sentiment arc"), key="a_arc")
        else:
            note("The sentiment arc needs at least two sentences.")
        csv_download("This article's sentences CSV", f"article-{art}"[:60],
                      lambda: sents, "dl_article")
