"""The sentences behind the current view ("What drives these numbers")."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis import aggregate
from dashboard import reader
from dashboard.widgets import csv_download, note

EVIDENCE_ROWS = 10


def evidence_table(ev: pd.DataFrame, key: str) -> None:
    """Evidence sentences as an escaped HTML list (wraps long sentences)."""
    st.html(reader.evidence_html(ev))


def evidence_section(view, key: str, *, label=None, keyword=None, what="evidence",
                     intro: str | None = None) -> None:
    """The sentences behind the current view: most negative and most positive first."""
    if intro:
        st.caption(intro)
    if view.sentences.empty:
        note("No sentences in the current filter.")
        return
    neg = aggregate.evidence(view.articles, view.sentences, label="negative", keyword=keyword,
                             n=EVIDENCE_ROWS)
    pos = aggregate.evidence(view.articles, view.sentences, label="positive", keyword=keyword,
                             n=EVIDENCE_ROWS)
    if label in ("negative", "positive", "neutral"):
        sel = aggregate.evidence(view.articles, view.sentences, label=label, keyword=keyword,
                                 n=EVIDENCE_ROWS * 2)
        st.markdown(f"**{label.title()} sentences** (from the chart you clicked)")
        evidence_table(sel, f"{key}_sel")
    c1, c2 = st.columns(2)
    with c1:
        st.markdown(":red[**Most negative**]")
        if neg.empty:
            st.caption("No negative sentence.")
        else:
            evidence_table(neg, f"{key}_neg")
    with c2:
        st.markdown(":green[**Most positive**]")
        if pos.empty:
            st.caption("No positive sentence.")
        else:
            evidence_table(pos, f"{key}_pos")

    def frame():
        return aggregate.evidence(view.articles, view.sentences, keyword=keyword, label=label)

    csv_download("Evidence CSV (all matching sentences, strongest first)", what, frame,
                 f"dl_{key}")
