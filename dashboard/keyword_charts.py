"""The tracked keywords' charts: one function per figure, ``(tidy frame, options) -> go.Figure``.

They take the frames of :mod:`analysis.keywords` (as the views' ``keyword_series(queries,
freq)`` and ``keyword_summary(queries)`` return them) and follow the conventions of
:mod:`dashboard.charts`.  A query keeps one colour in every chart (its position in the
list the user typed keys :data:`dashboard.outlet_charts.OUTLET_PALETTE`, which has no red,
green or grey: those mean sentiment).  Clickable markers carry ``customdata`` =
(period ISO, query, period label, ...).  No Streamlit here.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.charts import (NEU, _base, _iso, _period_labels, _rolling, _time_axis, esc,
                              sentiment_color, short)
from dashboard.outlet_charts import OUTLET_PALETTE

__all__ = ["query_color", "keyword_volume", "keyword_share", "keyword_sentiment"]


def query_color(position: int) -> str:
    """The colour of the query typed at ``position`` (0-based)."""
    return OUTLET_PALETTE[int(position) % len(OUTLET_PALETTE)]


def _queries(series: pd.DataFrame) -> list[str]:
    # In the order typed: the series lists every period's queries in that order.
    return list(dict.fromkeys(series["keyword"].astype(str)))


def _customdata(part: pd.DataFrame, query: str, freq: str, *extra) -> np.ndarray:
    return np.column_stack([_iso(part["period"]), [query] * len(part),
                            _period_labels(part["period"], freq), *extra])


def keyword_volume(series: pd.DataFrame, freq: str | None = None, rolling: int = 1,
                   title: str = "Articles matching each query") -> go.Figure:
    """One line per query of ``n_articles`` per period (an article counts once for each
    query it matches); ``customdata`` = (period ISO, query, period label, articles)."""
    freq = freq or series.attrs.get("freq") or "day"
    fig = go.Figure()
    for i, query in enumerate(_queries(series)):
        part = series[series["keyword"] == query].sort_values("period")
        y = part["n_articles"].astype(float)
        if rolling and rolling > 1:
            y = _rolling(y, rolling)
        fig.add_scatter(
            x=part["period"], y=y, mode="lines+markers", name=esc(short(query, 30)),
            line=dict(color=query_color(i), width=2), marker=dict(size=6, color=query_color(i)),
            customdata=_customdata(part, esc(query), freq, part["n_articles"].astype(int)),
            hovertemplate="<b>%{customdata[1]}</b><br>%{customdata[2]}<br>"
                          "%{customdata[3]:,} articles<extra></extra>",
        )
    suffix = f" (rolling mean, {rolling})" if rolling and rolling > 1 else ""
    fig.update_yaxes(title_text="articles", rangemode="tozero")
    return _time_axis(_base(fig, title + suffix, height=340, selectable=True), freq,
                      series["period"])


def keyword_share(series: pd.DataFrame, freq: str | None = None, min_articles: int = 1,
                  title: str = "Share of voice between the queries") -> go.Figure:
    """Stacked area of each query's ``share_of_voice`` (its articles over the queries'
    articles of the period); periods where the queries matched fewer than
    ``min_articles`` articles are left out (no share at all, or one of 2 articles: noise
    drawn as a swing from 0 to 100 %).  ``customdata`` = (period ISO, query, period
    label, articles).  No trace has a point when no period qualifies."""
    freq = freq or series.attrs.get("freq") or "day"
    total = series.groupby("period")["n_articles"].transform("sum")
    s = series[total >= max(int(min_articles), 1)]
    fig = go.Figure()
    for i, query in enumerate(_queries(series)):
        part = s[s["keyword"] == query].sort_values("period")
        color = query_color(i)
        fig.add_scatter(
            x=part["period"], y=part["share_of_voice"].astype(float), mode="lines+markers",
            stackgroup="share", name=esc(short(query, 30)), line=dict(color=color, width=0.5),
            fillcolor=color, marker=dict(size=5, color=color),
            customdata=_customdata(part, esc(query), freq, part["n_articles"].astype(int)),
            hovertemplate="<b>%{customdata[1]}</b><br>%{customdata[2]}<br>"
                          "%{y:.0%} of the queries' articles (%{customdata[3]:,})<extra></extra>",
        )
    fig.update_yaxes(title_text="share of the matching articles", tickformat=".0%",
                     range=[0, 1])
    fig.update_traces(stackgaps="interpolate")
    return _time_axis(_base(fig, title, height=320, selectable=True), freq, series["period"])


def keyword_sentiment(series: pd.DataFrame, freq: str | None = None, rolling: int = 1,
                      title: str = "Sentiment of the sentences that mention each query"
                      ) -> go.Figure:
    """One line per query of the mean compound of the sentences that mention it (not
    of the whole article), markers sized by those sentences and ringed in the query's
    colour, filled on the diverging scale; periods without a mention are gaps bridged
    by the line.  ``customdata`` = (period ISO, query, period label, sentences, articles)."""
    freq = freq or series.attrs.get("freq") or "day"
    ref = max(int(series["n_sentences"].max()) if len(series) else 1, 1)
    fig = go.Figure()
    for i, query in enumerate(_queries(series)):
        part = series[(series["keyword"] == query) & series["compound"].notna()]
        part = part.sort_values("period")
        y = part["compound"].astype(float)
        if rolling and rolling > 1:
            y = _rolling(y, rolling)
        n = part["n_sentences"].astype(int)
        fig.add_scatter(
            x=part["period"], y=y, mode="lines+markers", name=esc(short(query, 30)),
            connectgaps=True, line=dict(color=query_color(i), width=2),
            marker=dict(size=[6 + 14 * math.sqrt(v / ref) for v in n],
                        color=[sentiment_color(v) for v in part["compound"]],
                        line=dict(width=2, color=query_color(i))),
            customdata=_customdata(part, esc(query), freq, n, part["n_articles"].astype(int)),
            hovertemplate="<b>%{customdata[1]}</b><br>%{customdata[2]}<br>"
                          "mean compound %{y:+.3f}<br>%{customdata[3]:,} sentences in "
                          "%{customdata[4]:,} articles<extra></extra>",
        )
    fig.add_hline(y=0, line=dict(color=NEU, width=1, dash="dash"))
    suffix = f" (rolling mean, {rolling})" if rolling and rolling > 1 else ""
    fig.update_yaxes(title_text="compound (−1 … +1)", range=[-1.05, 1.05])
    return _time_axis(_base(fig, title + suffix, height=360, selectable=True), freq,
                      series["period"])
