"""Skipped inputs tab: what the loader skipped or warned about."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.widgets import csv_download


def tab_skipped(loaded, named) -> None:
    sk = named.skipped  # the result's: a source reopened from the index is not re-read
    warned = named.articles[named.articles.get("warning", pd.Series("", index=named.articles.index))
                            .fillna("").astype(str).str.len() > 0] \
        if "warning" in named.articles else named.articles.iloc[0:0]
    if sk.empty and not loaded.warnings and warned.empty:
        st.badge("0 skipped", icon=":material/check:", color="green")
        return
    st.badge(f"{len(sk)} skipped", color="orange" if len(sk) else "green")
    if len(sk):
        st.dataframe(sk, hide_index=True, width="stretch", key="sk_table")
        csv_download("Skipped inputs CSV", "skipped", lambda: sk, "dl_skipped")
    if loaded.warnings:
        st.markdown("**Loader warnings**")
        st.dataframe(pd.DataFrame({"warning": list(loaded.warnings)}), hide_index=True,
                     key="sk_warn")
    if not warned.empty:
        st.markdown("**Articles read with a warning**")
        st.dataframe(warned[["article_id", "source", "warning"]], hide_index=True,
                     width="stretch", key="sk_art_warn")
