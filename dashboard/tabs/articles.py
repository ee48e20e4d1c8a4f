"""Articles tab: the article table and the sentence-by-sentence reader."""
from __future__ import annotations

from functools import partial

import pandas as pd
import streamlit as st

from dashboard import charts, reader
from dashboard.corrections import correction_form
from dashboard.interaction import select_article
from dashboard.widgets import bytes_download, chip, csv_download, html_line, note, plot

ss = st.session_state
LABEL_MARKS = {"negative": "▼ negative", "neutral": "· neutral", "positive": "▲ positive"}


def _page_controls(total: int, page_rows: int) -> None:
    """The page picker of a table too big to send at once (its value is ``w_page``)."""
    pages = max(1, -(-total // page_rows))
    c1, c2 = st.columns([1, 3])
    c1.number_input(f"Page (of {pages:,})", min_value=1, max_value=pages, step=1,
                    key="w_page")
    c2.caption(f"{page_rows:,} articles a page, by publication date. Search or filter to "
               "narrow the table.")


def tab_articles(views, corrections=None) -> None:
    """``views``: :mod:`analysis.views` of the current filter; ``corrections``: the
    source's :class:`dashboard.corrections.Corrections` (None: no correction form)."""
    search = st.text_input("Search titles and text", key="w_search",
                           placeholder="type to narrow the table").strip()
    page_rows = views.page_rows
    offset = 0 if page_rows is None else (int(ss.get("w_page") or 1) - 1) * page_rows
    shown, total = views.articles_page(search, offset, page_rows)
    if offset and offset >= total:  # a narrower filter has fewer pages: back to the first
        ss["w_page"], offset = 1, 0
        shown, total = views.articles_page(search, 0, page_rows)
    if page_rows is not None and total > page_rows:
        _page_controls(total, page_rows)
    shown = shown.drop(columns="topic_id")
    shown["label"] = shown["label"].map(LABEL_MARKS).fillna(shown["label"])
    ids = shown["article_id"].astype(str).tolist()
    what = (f"{total:,} article(s)" if len(shown) == total else
            f"{total:,} article(s); rows {offset + 1:,}–{offset + len(shown):,} shown")
    st.caption(f"{what}. Click a column header to sort; select a row to read the article.")
    st.dataframe(
        shown, hide_index=True, width="stretch", height=min(420, 38 + 35 * max(len(shown), 1)),
        key="art_table", on_select=partial(select_article, ids), selection_mode="single-row",
        column_config={
            # Widths that fit the ~940 px of the main column at 1,400 px with the sidebar
            # open (checkbox column included): every column, the id too, stays visible.
            "published": st.column_config.DatetimeColumn("date", format="YYYY-MM-DD HH:mm",
                                                         width=118),
            "title": st.column_config.TextColumn("title", width=268),
            "topic_label": st.column_config.TextColumn("topic", width=150),
            "compound": st.column_config.NumberColumn("sentiment", format="%+.3f", width=72,
                                                      help="mean sentence compound, -1 to +1"),
            "label": st.column_config.TextColumn("label", width=82),
            "n_sentences": st.column_config.NumberColumn("sentences", width=68),
            "article_id": st.column_config.TextColumn("id", width=130),
        })
    bytes_download("Articles CSV (the rows above)", "articles",
                   lambda: views.articles_csv(ids), "dl_articles")
    art = ss.get("art")
    if not art:
        note("Select an article in the table to read it sentence by sentence.")
        return
    row, sents, in_view = views.article(art)
    if row is None:
        note("The article in the link is not in this corpus.")
        return
    if not in_view:
        st.caption("This article is outside the current filter.")
    if corrections is not None:
        row, sents = corrections.marked(row, sents)
    fixed = bool(row.get("overridden", False))
    meta = [chip(row["published"].strftime("%Y-%m-%d %H:%M") if pd.notna(row["published"])
                 else "undated", "published"),
            chip(charts.short(row["topic_label"], 50), "topic"),
            chip("–" if pd.isna(row["compound"]) else f"{row['compound']:+.3f} ({row['label']})",
                 "mean sentiment"),
            chip(f"{len(sents)}", "sentences"), chip(str(row["article_id"]), "id")]
    if isinstance(row.get("outlet"), str) and row["outlet"]:
        meta.insert(1, chip(charts.short(row["outlet"], 50), "outlet"))
    if fixed:  # the figures above include an analyst's correction
        meta.append(chip("✎ corrected", "analyst"))
    st.divider()
    html_line(meta)
    st.html(reader.legend_html())
    left, right = st.columns([3, 2])
    with left:
        st.html(reader.article_html(row["text"], sents, title=row["title"]))
        if corrections is not None:
            correction_form(corrections, row, sents, views.all_topics)
    with right:
        if len(sents) >= 2:
            plot(charts.sentiment_arc(sents, rolling=3, title="Sentiment arc"), key="a_arc")
        else:
            note("The sentiment arc needs at least two sentences.")
        csv_download("This article's sentences CSV", f"article-{art}"[:60],
                      lambda: sents, "dl_article")
