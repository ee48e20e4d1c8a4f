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
        # Paths inside the opened folder are shown from it (the folder is said once).
        root = str(loaded.label).rstrip("/") + "/"
        shown = sk.assign(source=sk["source"].astype(str).map(
            lambda v: v[len(root):] if v.startswith(root) else v))
        if (shown["source"] != sk["source"].astype(str)).any():
            st.caption("Paths are relative to the opened folder.")
        st.dataframe(shown, hide_index=True, width="stretch", key="sk_table", column_config={
            "source": st.column_config.TextColumn("input", width="medium"),
            "reason": st.column_config.TextColumn("reason", width="large")})
        csv_download("Skipped inputs CSV", "skipped", lambda: sk, "dl_skipped")
    if loaded.warnings:
        st.markdown("**Loader warnings**")
        st.dataframe(pd.DataFrame({"warning": list(loaded.warnings)}), hide_index=True,
                     key="sk_warn")
    if not warned.empty:
        st.markdown("**Articles read with a warning**")
        st.dataframe(warned[["article_id", "source", "warning"]], hide_index=True,
                     width="stretch", key="sk_art_warn")
