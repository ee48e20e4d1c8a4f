"""The line of chips above the tabs that says which filters are on."""
from __future__ import annotations

import streamlit as st

from dashboard import charts
from dashboard.widgets import chip, html_line, outlet_name

ss = st.session_state


def filter_banner(views, state) -> None:
    """``views``: :mod:`analysis.views` of the current filter."""
    n, total = views.headline().n_articles, views.n_total()
    parts = [chip(f"{n:,} of {total:,} articles", "Showing")]
    if state["start"] or state["end"]:
        dates = ss.get("w_dates") or (state["start"], state["end"])
        a = (state["start"] or dates[0]).isoformat()
        b = (state["end"] or dates[1]).isoformat()
        parts.append(chip(f"{a} → {b}", "dates"))
    if state["topics"]:
        topics = views.all_topics
        labels = dict(zip(topics["topic_id"].astype(int), topics["label"]))
        labels[-1] = "(no topic)"
        parts.append(chip(", ".join(charts.short(labels.get(t, str(t)), 30)
                                    for t in state["topics"]), "topics"))
    if state.get("outlets"):
        parts.append(chip(", ".join(charts.short(outlet_name(o), 30) for o in state["outlets"]),
                          "outlets"))
    if tuple(state["sent"]) != (-1.0, 1.0):
        parts.append(chip(f"{state['sent'][0]:+.2f} … {state['sent'][1]:+.2f}", "sentiment"))
    if state["q"]:
        parts.append(chip(f"“{state['q']}”", "keyword"))
    html_line(parts)
