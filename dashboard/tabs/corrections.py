"""Corrections tab: every override of the source (what, old → new value, note, when),
an Undo button per row and a CSV of the list."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import charts
from dashboard.corrections import show_message, undo
from dashboard.widgets import csv_download, note

#: Rows drawn with their own Undo button (the CSV has them all).
SHOWN = 200


def _when(ts) -> str:
    return "" if pd.isna(ts) else pd.Timestamp(ts).strftime("%Y-%m-%d %H:%M")


def tab_corrections(corr) -> None:
    """``corr``: the source's :class:`dashboard.corrections.Corrections`."""
    show_message()
    listing = corr.listing()
    st.caption(f"Corrections are stored in `{corr.path}`, keyed by article id and sentence "
               "text, so they survive a re-analysis or refit. Every figure, alert and export "
               "counts them (exports have an `overridden` column).")
    if listing.empty:
        note("No corrections yet. Open an article in the Articles tab and use “Correct this "
             "article” under the text.")
        return
    gone = int((~listing["applies"]).sum())
    st.markdown(f"**{len(listing):,} correction(s)**"
                + (f" · {gone} no longer find their target and are not applied" if gone else ""))
    head = st.columns([3.2, 1.4, 1.4, 1.6, 1.2, 0.9])
    for col, text in zip(head, ("What", "Was", "Now", "Note", "When")):
        col.markdown(f"**{text}**")
    for row in listing.head(SHOWN).itertuples(index=False):
        cells = st.columns([3.2, 1.4, 1.4, 1.6, 1.2, 0.9], vertical_alignment="center")
        title = charts.short(row.title or row.article_id, 60)
        what = (f"“{charts.short(row.what, 110)}”" if row.kind == "sentence"
                else row.what.capitalize())
        with cells[0]:
            st.button(title, key=f"ov_open_{row.override_id}", type="tertiary",
                      help="open the article in the reader", on_click=_open,
                      args=(row.article_id,))
            st.caption(what + ("" if row.applies else f" — not applied: {row.reason}"))
        cells[1].markdown(row.old)
        cells[2].markdown(f"**{row.new}**")
        cells[3].markdown(row.note or "–")
        cells[4].markdown(_when(row.created))
        cells[5].button("Undo", key=f"ov_undo_{row.override_id}", icon=":material/undo:",
                        on_click=undo, args=(corr, int(row.override_id)))
    if len(listing) > SHOWN:
        st.caption(f"The newest {SHOWN} shown; the CSV lists all {len(listing):,}.")
    csv_download("Corrections CSV", "corrections", lambda: listing, "dl_corrections")


def _open(article_id: str) -> None:
    """Open the article in the reader (Articles tab)."""
    st.session_state["art"] = article_id
    st.session_state["tab"] = "Articles"
