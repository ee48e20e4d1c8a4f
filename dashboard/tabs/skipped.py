"""Skipped inputs tab: what the loader skipped or warned about."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.widgets import csv_download


def warned_articles(articles: pd.DataFrame) -> pd.DataFrame:
    """Articles read with a loader warning (``warning`` column not empty)."""
    if "warning" not in articles:
        return articles.iloc[0:0]
    return articles[articles["warning"].fillna("").astype(str).str.len() > 0]


def relative_sources(sk: pd.DataFrame, label: str) -> tuple[pd.DataFrame, str]:
    """``sk`` with paths inside the opened folder or file shown from it (in ``source``
    and in ``reason``, which may name the kept duplicate), and a caption saying so ('' if
    no path was shortened): the root is said once instead of on every row."""
    label = str(label).rstrip("/")
    # A table file's rows are "file:line N"; a folder's files are "folder/name".
    root = label + ":" if any(str(v).startswith(label + ":") for v in sk["source"]) \
        else label + "/"
    source = sk["source"].astype(str)
    shown = sk.assign(
        source=source.map(lambda v: v[len(root):] if v.startswith(root) else v),
        reason=sk["reason"].astype(str).str.replace(root, "", regex=False))
    if not (shown["source"] != source).any():
        return sk, ""
    if root.endswith(":"):
        return shown, f"Rows of {label}."
    return shown, f"Paths are relative to {label}/."


def tab_skipped(sk: pd.DataFrame, warnings: tuple, warned: pd.DataFrame, label: str,
                indexed_from: str | None = None) -> None:
    """What was skipped (``source``, ``reason`` rows), loader ``warnings`` and the
    articles read with a warning, for the source opened as ``label``; for an archive
    store, ``indexed_from`` is the folder it was indexed from (its inputs' paths are
    shown from there, not from the store's folder)."""
    if sk.empty and not warnings and warned.empty:
        st.badge("0 skipped", icon=":material/check:", color="green")
        return
    st.badge(f"{len(sk)} skipped", color="orange" if len(sk) else "green")
    if len(sk):
        # Paths inside the opened folder (a store: the folder it was indexed from) are
        # shown from it, the folder said once: a long root cut the names off.
        shown, note = relative_sources(sk, str(indexed_from or label))
        if note and indexed_from:
            note = (f"Paths are relative to `{str(indexed_from).rstrip('/')}`, the folder "
                    "the store was indexed from.")
        if note:
            st.caption(note)
        st.dataframe(shown, hide_index=True, width="stretch", key="sk_table", column_config={
            "source": st.column_config.TextColumn("input", width="medium"),
            "reason": st.column_config.TextColumn("reason", width="large")})
        csv_download("Skipped inputs CSV", "skipped", lambda: sk, "dl_skipped")
    if warnings:
        st.markdown("**Loader warnings**")
        st.dataframe(pd.DataFrame({"warning": list(warnings)}), hide_index=True,
                     key="sk_warn")
    if not warned.empty:
        st.markdown("**Articles read with a warning**")
        st.dataframe(warned[["article_id", "source", "warning"]], hide_index=True,
                     width="stretch", key="sk_art_warn")
