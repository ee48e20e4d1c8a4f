"""The sentences behind the current view ("What drives these numbers")."""
from __future__ import annotations

import urllib.parse

import pandas as pd
import streamlit as st

from analysis import aggregate
from dashboard import reader
from dashboard.widgets import chip, csv_download, html_line, note

EVIDENCE_ROWS = 10


def _reader_link(article_id: str) -> str:
    """This page's URL (every view setting is in it) with the article open in the
    reader: following it reloads the page in the same view, on the Articles tab."""
    params = {**st.query_params.to_dict(), "art": article_id, "tab": "Articles"}
    return "?" + urllib.parse.urlencode(params)


def evidence_table(ev: pd.DataFrame, key: str) -> None:
    """Evidence sentences as an escaped HTML list (wraps long sentences); each title
    opens its article in the reader."""
    st.html(reader.evidence_html(ev, href=_reader_link))


def evidence_section(view, key: str, *, label=None, keyword=None, what="evidence",
                     intro: str | None = None) -> None:
    """The sentences behind the current view: most negative and most positive first."""
    if intro:
        st.caption(intro)
    if view.sentences.empty:
        note("No sentences in the current filter.")
        return
    # One merge and sort per rerun; every list below is a slice of it (filtering a
    # frame sorted by strength keeps it sorted).
    ev = aggregate.keyword_evidence(view, keyword=keyword)
    if aggregate.filter_keyword(view) and not keyword:
        html_line([chip(aggregate.filter_keyword(view), "Only sentences containing")])

    def strongest(which, n=None):
        rows = ev[ev["label"] == which]
        return (rows if n is None else rows.head(n)).reset_index(drop=True)

    if label in ("negative", "positive", "neutral"):
        # Only the clicked label's list: the two columns below would repeat it.
        st.markdown(f"**{label.title()} sentences** (from the chart you clicked)")
        evidence_table(strongest(label, EVIDENCE_ROWS * 2), f"{key}_sel")
        csv_download("Evidence CSV (all matching sentences, strongest first)", what,
                     lambda: strongest(label), f"dl_{key}")
        return
    for column, which, title in zip(st.columns(2), ("negative", "positive"),
                                    (":red[**Most negative**]", ":green[**Most positive**]")):
        with column:
            st.markdown(title)
            rows = strongest(which, EVIDENCE_ROWS)
            if rows.empty:
                st.caption(f"No {which} sentence.")
            else:
                evidence_table(rows, f"{key}_{which[:3]}")

    def frame():
        return ev if label is None else strongest(label)

    csv_download("Evidence CSV (all matching sentences, strongest first)", what, frame,
                 f"dl_{key}")
