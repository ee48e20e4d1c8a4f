"""Overview tab: headline figures, label and topic bars, evidence sentences."""
from __future__ import annotations

from functools import partial

import pandas as pd
import streamlit as st

from analysis.headline import span_text
from dashboard import charts
from dashboard.evidence import evidence_section
from analysis.topic_groups import fold_topic_table
from dashboard.grouping import current_groups
from dashboard.interaction import select_label, select_topics
from dashboard.widgets import csv_download, note, plot

ss = st.session_state


def _count(n: int) -> str:
    # Five digits and more do not fit the narrow metric columns: 28.9k, 1.2M (the exact
    # figure is in the help tooltip).
    if n < 10_000:
        return f"{n:,}"
    if n < 1_000_000:
        return f"{n / 1000:.1f}k" if n < 100_000 else f"{n / 1000:.0f}k"
    return f"{n / 1e6:.1f}M"


def tab_overview(views, n_skipped: int) -> None:
    """``views``: :mod:`analysis.views` of the current filter; ``n_skipped`` inputs skipped."""
    # The same figures as the CLI's summary.txt (analysis.headline): drawn, not computed.
    h = views.headline()
    first, last = h.first, h.last
    c = st.columns([1, 1, 2.4, 1.1, 1, 1, 1])
    c[0].metric("Articles", _count(h.n_articles), help=f"{h.n_articles:,} articles")
    c[1].metric("Sentences", _count(h.n_sentences), help=f"{h.n_sentences:,} sentences")
    span_label, span = span_text(first, last)
    c[2].metric(span_label, span, help=None if first is None else
                f"{first:%Y-%m-%d %H:%M} to {last:%Y-%m-%d %H:%M}")
    mean, pos, neg = h.mean_compound, h.pos_share, h.neg_share
    c[3].metric("Mean sentiment", "–" if pd.isna(mean) else f"{mean:+.3f}")
    c[4].metric("Positive", "–" if pd.isna(pos) else f"{pos:.0%}",
                help="Share of sentences with compound ≥ 0.05")
    c[5].metric("Negative", "–" if pd.isna(neg) else f"{neg:.0%}",
                help="Share of sentences with compound ≤ −0.05")
    # "10 of 10" was cut to "10 o…" in the narrow column at 1,400 px.
    c[6].metric("Topics", f"{h.n_topics_present}/{h.n_topics}",
                help=f"{h.n_topics_present} of the {h.n_topics} topics have articles in the view")
    undated = h.undated
    extra = []
    if undated:
        extra.append(f"{undated} undated article(s) are counted but not on time charts.")
    if n_skipped:
        extra.append(f"{n_skipped:,} input(s) skipped: see the Skipped inputs tab.")
    if extra:
        st.caption(" ".join(extra))
    if h.n_articles == 0:
        note("No article matches the current filter. Clear or widen the filters in the sidebar.")
        return
    left, right = st.columns([2, 3])
    with left:
        plot(charts.label_bar(views.label_counts()), key="ov_labels", on_select=partial(select_label, "ov_labels"))
        st.caption("Click a bar to list those sentences below.")
    with right:
        table = views.topic_table()
        present = table[table["n_articles"] > 0]
        groups = current_groups(views.all_topics)
        if groups is None:
            plot(charts.topic_size(present), key="ov_topics",
                 on_select=partial(select_topics, "ov_topics"))
            st.caption("Click a topic to filter to it.")
        else:
            plot(charts.topic_size(fold_topic_table(present, groups),
                                   title="Articles per topic or theme"), key="ov_topics",
                 on_select=partial(select_topics, "ov_topics", groups=groups))
            st.caption("Click a theme to filter to its topics (themes or topics: “Charts "
                       "show” on the Topics tab).")

    csv_download("Headline figures CSV", "overview", h.frame, "dl_overview")
    st.subheader("What drives these numbers")
    evidence_section(views, "ev_overview", label=ss.get("ev_label"), what="evidence",
                     intro="The sentences behind the current view, strongest first. Click a "
                           "chart anywhere to narrow the view, then read the sentences here.")
