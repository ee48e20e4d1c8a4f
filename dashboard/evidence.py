"""The sentences behind the current view ("What drives these numbers")."""
from __future__ import annotations

import urllib.parse

import pandas as pd
import streamlit as st

from analysis.periods import period_name
from analysis.views import extreme_periods
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


def evidence_section(views, key: str, *, label=None, keyword=None, what="evidence",
                     intro: str | None = None) -> None:
    """The sentences behind the current view (``views``, :mod:`analysis.views`): most
    negative and most positive first; with a keyword only the sentences that mention it."""
    if intro:
        st.caption(intro)
    if views.headline().n_sentences == 0:
        note("No sentences in the current filter.")
        return
    if views.criteria.keyword and not keyword:
        html_line([chip(views.criteria.keyword, "Only sentences containing")])

    if label in ("negative", "positive", "neutral"):
        # Only the clicked label's list: the two columns below would repeat it.
        st.markdown(f"**{label.title()} sentences** (from the chart you clicked)")
        evidence_table(views.evidence(label=label, keyword=keyword, n=EVIDENCE_ROWS * 2),
                       f"{key}_sel")
        csv_download("Evidence CSV (all matching sentences, strongest first)", what,
                     lambda: views.evidence(label=label, keyword=keyword), f"dl_{key}")
        return
    lists = views.evidence_by_label(("negative", "positive"), keyword=keyword, n=EVIDENCE_ROWS)
    for column, which, title in zip(st.columns(2), ("negative", "positive"),
                                    (":red[**Most negative**]", ":green[**Most positive**]")):
        with column:
            st.markdown(title)
            rows = lists[which]
            if rows.empty:
                st.caption(f"No {which} sentence.")
            else:
                evidence_table(rows, f"{key}_{which[:3]}")
    csv_download("Evidence CSV (all matching sentences, strongest first)", what,
                 lambda: views.evidence(keyword=keyword), f"dl_{key}")


def period_evidence_section(views, timeline: pd.DataFrame, freq: str, key: str,
                            min_articles: int) -> None:
    """What moved the line: the most negative sentences of the period with the lowest
    mean sentiment and the most positive of the one with the highest (periods of at
    least ``min_articles`` articles), so this tab explains its own chart instead of
    repeating the Overview's list; the view's strongest sentences when fewer than two
    periods qualify."""
    ext = extreme_periods(timeline, min_articles)
    if ext.empty:  # one period in view (say, after a click on it): its own sentences
        evidence_section(views, key, what="evidence-time",
                         intro=f"Fewer than two periods of {min_articles} or more articles "
                               "in view: the strongest sentences of the whole view.")
        return
    whiches = ["negative" if w == "lowest" else "positive" for w in ext["which"]]
    lists = views.evidence_by_label(whiches, periods=list(ext["period"]), freq=freq,
                                    n=EVIDENCE_ROWS)
    for column, (_, row), which in zip(st.columns(2), ext.iterrows(), whiches):
        colour = "red" if which == "negative" else "green"
        with column:
            st.markdown(f":{colour}[**{row['which'].title()} {freq}: "
                        f"{period_name(row['period'], freq)}**]")
            st.caption(f"mean sentiment {row['compound']:+.3f} over {row['n_articles']:,} "
                       f"articles; its most {which} sentences")
            rows = lists[which]
            if rows.empty:
                st.caption(f"No {which} sentence.")
            else:
                evidence_table(rows, f"{key}_{which[:3]}")
