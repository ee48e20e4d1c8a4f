"""Outlets tab: share of voice per outlet over time, an outlet × topic grid of mean
sentiment (click a cell to filter to that outlet and topic) and the sentences behind
the view.  Every figure comes from the views (``outlets()``, ``outlet_timeline(freq)``,
``outlet_topic_grid()``, :mod:`analysis.views`)."""
from __future__ import annotations

from functools import partial

import streamlit as st

from analysis.outlets import MIN_CELL_ARTICLES
from analysis.topic_groups import fold_outlet_topic_grid
from dashboard import outlet_charts
from dashboard.grouping import grouping_control
from dashboard.evidence import evidence_section
from dashboard.interaction import select_outlet_topic
from dashboard.widgets import csv_download, note, outlet_name, plot

#: Outlets drawn by name in the share of voice (the rest are folded) and in the grid.
SHARE_OUTLETS = 8
GRID_OUTLETS = 12

NO_OUTLETS = ("This corpus names no outlet, so there is nothing to set side by side. An "
              "article's outlet comes from a table's outlet, source, publisher or site "
              "column, else the domain of its URL column; for a folder of .txt articles, "
              "from its sub-folders with `--outlet-from-folder` (command line).")


def tab_outlets(views, state, freq: str) -> None:
    """``views``: :mod:`analysis.views` of the current filter; ``freq`` the concrete
    period resolved for this run."""
    counts = views.outlets()
    named = counts[counts["outlet"] != ""]
    if not state.get("outlets") and len(counts) < 2:
        if named.empty:
            note(NO_OUTLETS)
        else:
            note(f"Every article in view is from one outlet, "
                 f"{outlet_name(named['outlet'].iloc[0])}: there is nothing to set side by "
                 "side." + ("" if not any(state.get(k) for k in ("topics", "q", "start", "end"))
                            else " Clear filters to see every outlet."))
        return
    if counts.empty:
        note("No article matches the current filter.")
        return
    h = views.headline()
    if len(counts) == 1:  # its share of voice is 100 % in every period: no chart
        st.caption(f"The filter keeps one outlet, {outlet_name(counts['outlet'].iloc[0])}: "
                   "pick more in the sidebar (or Clear filters) to compare outlets' share "
                   "of voice.")
    elif h.n_articles - h.undated < 1:
        note("No dated article in the current filter: no share of voice over time.")
    else:
        timeline = views.outlet_timeline(freq)
        plot(outlet_charts.outlet_share_area(timeline, freq, n=SHARE_OUTLETS), key="ol_share")
        more = len(counts) - SHARE_OUTLETS
        st.caption(f"Each outlet's share of the articles of each {freq} (Period setting on "
                   "the Over time tab)"
                   + (f"; the {SHARE_OUTLETS} outlets with most articles by name, the other "
                      f"{more:,} as “{outlet_charts.OTHER_OUTLETS}”." if more > 0 else ".")
                   + (f" {h.undated:,} undated article(s) are left out." if h.undated else ""))
        csv_download("Share of voice CSV (every outlet and period)", "outlet-share",
                     lambda: timeline, "dl_outlet_share")
    grid = views.outlet_topic_grid()
    groups = grouping_control(views.all_topics)
    drawn = grid if groups is None else fold_outlet_topic_grid(grid, groups, MIN_CELL_ARTICLES)
    plot(outlet_charts.outlet_topic_heatmap(drawn, n_outlets=GRID_OUTLETS,
                                            min_articles=MIN_CELL_ARTICLES),
         key="ol_grid", on_select=partial(select_outlet_topic, "ol_grid", groups))
    hidden = len(counts) - GRID_OUTLETS
    st.caption(f"Each cell: the articles of an outlet whose dominant topic is that topic "
               f"(the number) and their mean sentiment (the colour). Cells with fewer than "
               f"{MIN_CELL_ARTICLES} articles are greyed, not coloured: their mean is noise; "
               "a blank cell has no article. Click a cell to filter to that outlet and "
               "topic, or to every topic of a theme (Undo last chart click in the sidebar "
               "goes back)."
               + (f" The {GRID_OUTLETS} outlets with most articles are drawn; the other "
                  f"{hidden:,} are in the CSV." if hidden > 0 else ""))
    csv_download("Outlet × topic CSV (every outlet)", "outlet-topic", lambda: grid,
                 "dl_outlet_topic")
    st.subheader("What drives these numbers")
    evidence_section(views, "ol_ev", what="evidence-outlets",
                     intro="The strongest sentences of the current view: after a click on a "
                           "cell, of that outlet and topic.")
