"""The Outlets tab's charts: one function per figure, ``(tidy frame, options) -> go.Figure``.

They take the frames of :mod:`analysis.outlets` (as the views' ``outlet_timeline(freq)``
and ``outlet_topic_grid()`` return them) and follow the conventions of
:mod:`dashboard.charts` (escaped labels, the diverging sentiment colours, ``customdata``
on clickable markers).  No Streamlit here.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from analysis.outlets import MIN_CELL_ARTICLES
from dashboard.charts import (NEG, NEU, POS, OUTLINE, _base, _hex_to_rgb, _iso, _period_labels,
                              _time_axis, esc, sentiment_color, short)

__all__ = ["OTHER_OUTLETS", "UNKNOWN", "OUTLET_PALETTE", "GREY_CELL", "fold_outlets",
           "outlet_share_area", "outlet_topic_heatmap", "top_outlets", "SENTIMENT_CELL_SCALE"]

#: The folded rest of the outlets.
OTHER_OUTLETS = "other outlets"
#: How an article without an outlet is named.
UNKNOWN = "(unknown outlet)"
#: Outlet colours by rank (no red or green: those mean sentiment; no grey: the fold).
OUTLET_PALETTE = ["#4c78a8", "#f58518", "#72b7b2", "#b279a2", "#eeca3b", "#9d755d",
                  "#ff9da6", "#439894", "#5254a3", "#e377c2", "#17becf", "#bcbd22"]
OTHER_COLOR = "#a0a0a0"
#: Fill of a cell with too few articles to colour: a see-through grey that reads on the
#: light and the dark theme (its count is drawn in the theme's own text colour).
GREY_CELL = "rgba(128,128,128,0.18)"
#: Mean sentiment beyond which a cell's colour is full red or green (as
#: :func:`dashboard.charts.sentiment_color` saturates).
CELL_RANGE = 0.35


def _name(outlet) -> str:
    return str(outlet) if outlet else UNKNOWN


def top_outlets(frame: pd.DataFrame, n: int) -> list[str]:
    """The ``n`` outlets of ``frame`` (``outlet``, ``n_articles`` rows) with the most
    articles, ties by name."""
    tot = frame.groupby("outlet")["n_articles"].sum().reset_index()
    tot = tot.sort_values(["n_articles", "outlet"], ascending=[False, True], kind="stable")
    return tot["outlet"].head(int(n)).tolist()


def fold_outlets(timeline: pd.DataFrame, n: int = 8) -> pd.DataFrame:
    """``timeline`` (:func:`analysis.outlets.outlet_timeline`) with every outlet beyond
    the ``n`` with most articles summed into one :data:`OTHER_OUTLETS` row per period
    (its ``compound`` is the article-weighted mean of the folded outlets').  Column
    ``rank`` (int) orders the outlets, the fold last."""
    keep = top_outlets(timeline, n)
    rank = {o: i for i, o in enumerate(keep)}
    t = timeline.copy()
    folded = ~t["outlet"].isin(keep)
    t["rank"] = t["outlet"].map(rank).fillna(len(keep)).astype(int)
    if folded.any():
        rest = t[folded].assign(_w=lambda d: d["compound"] * d["n_articles"],
                                _nw=lambda d: d["n_articles"].where(d["compound"].notna(), 0))
        rest = rest.groupby("period", as_index=False).agg(
            n_articles=("n_articles", "sum"), share=("share", "sum"), _w=("_w", "sum"),
            _nw=("_nw", "sum"))
        rest["compound"] = rest["_w"] / rest["_nw"].replace(0, np.nan)
        rest = rest.drop(columns=["_w", "_nw"]).assign(outlet=OTHER_OUTLETS, rank=len(keep))
        t = pd.concat([t[~folded], rest], ignore_index=True)
    t.attrs = dict(timeline.attrs)
    return t.sort_values(["rank", "period"], kind="stable").reset_index(drop=True)


def outlet_share_area(timeline: pd.DataFrame, freq: str | None = None, n: int = 8,
                      title: str = "Share of voice per outlet") -> go.Figure:
    """Stacked area of each outlet's share of the period's articles, the ``n`` outlets
    with most articles and the rest folded into :data:`OTHER_OUTLETS` (grey).  Periods
    without articles are left out (no share to draw); the axis spans every period.
    ``customdata`` = (period ISO, outlet, period label, articles)."""
    freq = freq or timeline.attrs.get("freq") or "day"
    t = fold_outlets(timeline, n)
    total = t.groupby("period")["n_articles"].transform("sum")
    t = t[total > 0]
    fig = go.Figure()
    for (rank, outlet), part in t.groupby(["rank", "outlet"], sort=True):
        color = OTHER_COLOR if outlet == OTHER_OUTLETS and rank >= n else \
            OUTLET_PALETTE[int(rank) % len(OUTLET_PALETTE)]
        name = outlet if rank >= n and outlet == OTHER_OUTLETS else _name(outlet)
        fig.add_scatter(
            x=part["period"], y=part["share"].astype(float), mode="lines+markers",
            stackgroup="share", name=esc(short(name, 24)),
            line=dict(color=color, width=0.5), fillcolor=color,
            marker=dict(size=6, color=color),
            customdata=np.column_stack([_iso(part["period"]), [esc(name)] * len(part),
                                        _period_labels(part["period"], freq),
                                        part["n_articles"].astype(int)]),
            hovertemplate="<b>%{customdata[1]}</b><br>%{customdata[2]}<br>"
                          "%{y:.0%} of the articles (%{customdata[3]:,})<extra></extra>",
        )
    fig.update_yaxes(title_text="share of the period's articles", tickformat=".0%",
                     range=[0, 1])
    fig.update_traces(stackgaps="interpolate")
    fig = _base(fig, title, height=380)
    # Outlet names are long and many: a column on the right, never over the title.
    fig.update_layout(legend=dict(traceorder="normal", orientation="v", x=1.01, xanchor="left",
                                  y=1, yanchor="top"))
    return _time_axis(fig, freq, timeline["period"])


def _cell_scale() -> list:
    """The colour scale of :func:`dashboard.charts.sentiment_color` over
    ``-CELL_RANGE..CELL_RANGE``: grey inside VADER's neutral band (±0.05), at least 40 %
    tinted outside it, full colour from ±0.35."""
    def mix(t, to):
        a, b = _hex_to_rgb(NEU), _hex_to_rgb(to)
        return "#%02x%02x%02x" % tuple(round(a[i] + (b[i] - a[i]) * t) for i in range(3))

    def pos(x):
        return (x + CELL_RANGE) / (2 * CELL_RANGE)

    knee = 0.4 * CELL_RANGE  # where the tint leaves its 40 % floor
    return [[0.0, NEG], [pos(-knee), mix(0.4, NEG)], [pos(-0.05), mix(0.4, NEG)],
            [pos(-0.05), NEU], [pos(0.05), NEU], [pos(0.05), mix(0.4, POS)],
            [pos(knee), mix(0.4, POS)], [1.0, POS]]


SENTIMENT_CELL_SCALE = _cell_scale()


def _text_color(value) -> str:
    """Black or white, whichever has the higher contrast (WCAG 2) on the cell colour of
    ``value``."""
    def channel(c):
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in _hex_to_rgb(sentiment_color(value)))
    lum = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return "#111111" if (lum + 0.05) / 0.05 >= 1.05 / (lum + 0.05) else "#ffffff"


def outlet_topic_heatmap(grid: pd.DataFrame, n_outlets: int = 12,
                         min_articles: int = MIN_CELL_ARTICLES,
                         title: str = "Mean sentiment by outlet and topic") -> go.Figure:
    """Outlet (columns, the ``n_outlets`` with most articles) × topic (rows) grid of
    ``grid`` (:func:`analysis.outlets.outlet_topic_sentiment`), each cell with its
    article count.

    Two heatmap traces paint the cells: ``"sentiment colours"`` (mean article sentiment
    on the app's diverging scale, with a colour bar) for cells of at least
    ``min_articles`` articles (``reliable``), ``"greyed"`` (one light grey) for the
    others; an empty cell is left blank.  Above them, two scatter traces of square
    markers carry the counts and ``customdata`` = (outlet, topic id, topic label,
    articles, mean sentiment, outlet as shown): ``"sentiment"`` and ``"too few
    articles"``, the click targets (a heatmap cell cannot be selected)."""
    keep = top_outlets(grid, n_outlets)
    col = {o: i for i, o in enumerate(keep)}
    topics = grid[["topic_id", "topic_label"]].drop_duplicates("topic_id").sort_values("topic_id")
    row = {int(t): i for i, t in enumerate(topics["topic_id"])}
    cells = grid[grid["outlet"].isin(keep) & (grid["n_articles"] > 0)].copy()
    cells["x"] = cells["outlet"].map(col)
    cells["y"] = cells["topic_id"].astype(int).map(row)
    ok = (cells["reliable"] if "reliable" in cells else cells["n_articles"] >= int(min_articles))
    ok = ok & cells["compound"].notna()
    n_rows, n_cols = max(len(row), 1), max(len(keep), 1)
    row_px = 44
    fig = go.Figure()
    for name, part in (("sentiment colours", cells[ok]), ("greyed", cells[~ok])):
        z = np.full((n_rows, n_cols), np.nan)
        z[part["y"].to_numpy(int), part["x"].to_numpy(int)] = (
            part["compound"].astype(float).clip(-CELL_RANGE, CELL_RANGE)
            if name == "sentiment colours" else 0.0)
        if name == "sentiment colours":
            paint = dict(colorscale=SENTIMENT_CELL_SCALE, zmin=-CELL_RANGE, zmax=CELL_RANGE,
                         showscale=True,
                         colorbar=dict(title=dict(text="mean<br>sentiment", side="top"),
                                       tickvals=[-CELL_RANGE, 0, CELL_RANGE],
                                       ticktext=[f"≤ −{CELL_RANGE:g}", "0", f"≥ +{CELL_RANGE:g}"],
                                       lenmode="pixels", len=150, thickness=14,
                                       yanchor="top", y=1))
        else:
            paint = dict(colorscale=[[0, GREY_CELL], [1, GREY_CELL]], zmin=0, zmax=1,
                         showscale=False)
        fig.add_heatmap(z=z, x=list(range(n_cols)), y=list(range(n_rows)), name=name,
                        xgap=3, ygap=3, hoverinfo="skip", **paint)
    for name, part in (("sentiment", cells[ok]), ("too few articles", cells[~ok])):
        custom = np.column_stack([
            part["outlet"].astype(str).to_numpy(object), part["topic_id"].astype(int),
            [esc(v) for v in part["topic_label"]], part["n_articles"].astype(int),
            part["compound"].astype(float).round(4),
            [esc(_name(o)) for o in part["outlet"]]]) if len(part) else None
        if name == "sentiment":
            hover = ("<b>%{customdata[5]}</b><br>%{customdata[2]}<br>%{customdata[3]:,} "
                     "articles · mean sentiment %{customdata[4]:+.3f}<extra></extra>")
            textfont = dict(color=[_text_color(v) for v in part["compound"]], size=13)
        else:
            hover = ("<b>%{customdata[5]}</b><br>%{customdata[2]}<br>%{customdata[3]:,} "
                     f"article(s): too few for a mean (a colour needs {int(min_articles)} "
                     "or more)<extra></extra>")
            textfont = dict(size=13)  # the theme's own text colour, on light grey
        # Transparent squares the size of a cell's height: the click and hover targets.
        fig.add_scatter(x=part["x"], y=part["y"], mode="markers+text", name=name,
                        text=[f"{int(v):,}" for v in part["n_articles"]],
                        textposition="middle center", textfont=textfont,
                        marker=dict(symbol="square", size=row_px - 8,
                                    color="rgba(0,0,0,0)", line=dict(width=0)),
                        customdata=custom, hovertemplate=hover, showlegend=False)
    fig.update_xaxes(tickvals=list(range(len(keep))),
                     ticktext=[esc(short(_name(o), 18)) for o in keep], side="bottom",
                     automargin=True,
                     range=[-0.5, n_cols - 0.5], showgrid=False, zeroline=False,
                     fixedrange=True)
    fig.update_yaxes(tickvals=list(range(len(row))),
                     ticktext=[esc(short(lab, 34)) for lab in topics["topic_label"]],
                     range=[n_rows - 0.5, -0.5], showgrid=False, zeroline=False,
                     fixedrange=True)
    fig = _base(fig, title, height=max(300, 120 + row_px * n_rows), showlegend=False)
    fig.update_layout(plot_bgcolor="rgba(0,0,0,0)")
    return fig
