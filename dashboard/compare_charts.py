"""The Compare tab's charts: one function per figure, ``(changes frame, options) -> go.Figure``.

Each takes the frame of :func:`analysis.compare.compare_periods` (as the views'
``compare(a, b)`` returns it: a ``total`` row, ``mix`` and ``within`` rows per topic,
``word`` rows) and follows the conventions of :mod:`dashboard.charts` (escaped labels,
red/green for sentiment, topic colours, ``customdata`` on clickable bars).  No
Streamlit here.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.charts import BAR_LABEL_MAX, NEG, NEU, POS, _base, short, topic_color
from dashboard.charts import esc  # the charts' escaping, to match their labels

__all__ = ["change_waterfall", "share_shift", "word_shift", "waterfall_steps", "OTHER"]

#: The folded rest of a component's topics.
OTHER = "other topics"
#: Colour of the waterfall's sum bars (neither good nor bad news).
SUM_COLOR = "#4c78a8"


def _topic_name(row, n: int | None = None) -> str:
    """A topic's label and id, the label cut to ``n`` characters (the id never)."""
    tid = int(row["topic_id"])
    label = str(row["name"]) if n is None else short(row["name"], n)
    return label if tid < 0 else f"{label} ({tid})"


def waterfall_steps(changes: pd.DataFrame, n_topics: int = 5) -> pd.DataFrame:
    """The bars of :func:`change_waterfall`, top to bottom: per component (``mix`` then
    ``within``) its ``n_topics`` largest topic contributions and the rest folded into
    one :data:`OTHER` step, each component closed by its sum.  Columns ``component``,
    ``measure`` ("relative" step or "total" running sum), ``name`` (topic label and id),
    ``short`` (the same with the label cut for the axis),
    ``topic_id`` (−2 for a fold or a sum), ``value``, ``share_a``, ``share_b``,
    ``sentiment_a``, ``sentiment_b``, ``n_topics`` (topics in the step)."""
    rows = []
    for component, closing in (("mix", "Topic-mix effect"), ("within", "Total change")):
        part = changes[changes["component"] == component]
        part = part.reindex(part["contribution"].abs().sort_values(
            ascending=False, kind="stable").index)
        # A topic present in one range only has no within-topic part: a +0.000 step
        # says nothing, so zero steps are folded (and a fold of zeros is left out).
        moved = part["contribution"].abs() > 1e-12
        top = part[moved].head(n_topics)
        rest = part.drop(top.index)
        for _, r in top.iterrows():
            rows.append({"component": component, "measure": "relative", "name": _topic_name(r),
                         "short": _topic_name(r, BAR_LABEL_MAX - 16),
                         "topic_id": int(r["topic_id"]), "value": float(r["contribution"]),
                         "share_a": r["share_a"], "share_b": r["share_b"],
                         "sentiment_a": r["sentiment_a"], "sentiment_b": r["sentiment_b"],
                         "n_topics": 1})
        if len(rest) and (rest["contribution"].abs() > 1e-12).any():
            rows.append({"component": component, "measure": "relative",
                         "name": f"{OTHER} ({len(rest)})", "short": f"{OTHER} ({len(rest)})",
                         "topic_id": -2,
                         "value": float(rest["contribution"].sum()),
                         "share_a": float(rest["share_a"].sum()),
                         "share_b": float(rest["share_b"].sum()),
                         "sentiment_a": np.nan, "sentiment_b": np.nan, "n_topics": len(rest)})
        running = float(sum(r["value"] for r in rows if r["measure"] == "relative"))
        rows.append({"component": component, "measure": "total", "name": closing,
                     "short": closing,
                     "topic_id": -2, "value": running, "share_a": np.nan, "share_b": np.nan,
                     "sentiment_a": np.nan, "sentiment_b": np.nan, "n_topics": len(part)})
    return pd.DataFrame(rows)


def _fmt(v, spec: str, missing: str = "–") -> str:
    return missing if v is None or pd.isna(v) else format(float(v), spec)


def change_waterfall(changes: pd.DataFrame, n_topics: int = 5,
                     title: str = "Why mean sentiment changed from A to B") -> go.Figure:
    """A horizontal waterfall of the decomposition: the largest topic-mix steps, the rest
    folded, their sum ("Topic-mix effect"), then the within-topic steps, ending on the
    total change, which is drawn from zero so the steps visibly add up to it.  Green
    steps raise the mean, red ones lower it."""
    steps = waterfall_steps(changes, n_topics)
    kind = {"mix": "topic mix", "within": "within topic"}
    labels = []
    for r in steps.itertuples():
        if r.measure == "total":
            labels.append(f"<b>= {esc(r.name)}</b>")
        else:
            labels.append(f"{kind[r.component]}: {esc(r.short)}")
    # Category labels must be unique: the same topic has a mix and a within step.
    hover = []
    for r in steps.itertuples():
        if r.measure == "total":
            what = ("sum of the topic-mix steps" if r.component == "mix" else
                    "mix + within: the change in mean sentiment")
            hover.append(f"<b>{esc(r.name)}</b><br>{what}: {r.value:+.4f}")
        elif r.component == "mix":
            hover.append(f"<b>{esc(r.name)}</b><br>share {_fmt(r.share_a, '.1%')} → "
                         f"{_fmt(r.share_b, '.1%')}<br>topic mix: {r.value:+.4f}")
        else:
            hover.append(f"<b>{esc(r.name)}</b><br>sentiment {_fmt(r.sentiment_a, '+.3f')} → "
                         f"{_fmt(r.sentiment_b, '+.3f')}<br>within topic: {r.value:+.4f}")
    # Three decimals, four when every step is below 0.01 (else half read "-0.002").
    digits = 3 if steps["value"].abs().max() >= 0.01 else 4
    fig = go.Figure(go.Waterfall(
        orientation="h", measure=list(steps["measure"]), y=labels,
        x=[float(v) for v in steps["value"]],
        text=[f"{v:+.{digits}f}" for v in steps["value"]], textposition="outside",
        increasing=dict(marker=dict(color=POS)), decreasing=dict(marker=dict(color=NEG)),
        totals=dict(marker=dict(color=SUM_COLOR)),
        connector=dict(line=dict(color=NEU, width=1, dash="dot")),
        hovertext=hover, hoverinfo="text", name="",
    ))
    fig.update_yaxes(autorange="reversed", type="category")
    values = np.cumsum(np.where(steps["measure"] == "relative", steps["value"], 0.0))
    lim = max(float(np.max(np.abs(np.concatenate([values, steps["value"].to_numpy()])))), 1e-3)
    fig.update_xaxes(title_text="change in mean article sentiment (compound)",
                     range=[-lim * 1.35, lim * 1.35], zeroline=True, zerolinecolor=NEU)
    return _base(fig, title, height=max(300, 70 + 30 * len(steps)), showlegend=False)


def share_shift(changes: pd.DataFrame, n: int = 12,
                title: str = "Topics whose share rose and fell") -> go.Figure:
    """Diverging horizontal bars of each topic's share of B minus its share of A
    (percentage points), largest rise on top, largest fall at the bottom; the ``n``
    largest moves.  Topic colours; customdata = (topic id, label, share A, share B)."""
    t = changes[changes["component"] == "mix"].copy()
    t["delta"] = t["share_b"] - t["share_a"]
    t = t.reindex(t["delta"].abs().sort_values(ascending=False, kind="stable").index).head(n)
    t = t.sort_values(["delta", "topic_id"], ascending=[False, True], kind="stable")
    names = [esc(_topic_name(r, BAR_LABEL_MAX - 5)) for _, r in t.iterrows()]
    fig = go.Figure()
    fig.add_bar(
        x=t["delta"].to_numpy(float) * 100, y=names, orientation="h",
        marker_color=[topic_color(i) for i in t["topic_id"]],
        text=[f"{d * 100:+.1f} pts" for d in t["delta"]], textposition="outside",
        customdata=np.column_stack([t["topic_id"].astype(int), [esc(v) for v in t["name"]],
                                    t["share_a"].astype(float), t["share_b"].astype(float)]),
        hovertemplate="%{customdata[1]}<br>share %{customdata[2]:.1%} → %{customdata[3]:.1%}"
                      "<br>%{x:+.1f} percentage points<extra></extra>", name="",
    )
    fig.update_yaxes(autorange="reversed", type="category")
    lim = max(float(t["delta"].abs().max() * 100) if len(t) else 1.0, 0.5)
    fig.update_xaxes(title_text="share of B − share of A (percentage points)",
                     range=[-lim * 1.4, lim * 1.4], zeroline=True, zerolinecolor=NEU)
    return _base(fig, title, height=max(240, 70 + 28 * len(t)), showlegend=False)


def word_shift(changes: pd.DataFrame, n: int = 20,
               title: str = "Words that moved sentiment") -> go.Figure:
    """Word shift: horizontal bars of the ``n`` words with the largest contributions
    (change in occurrences per sentence × VADER valence), largest on top; green pushed
    the mean up, red pulled it down.  An arrow after the word says whether it became
    more (↑) or less (↓) frequent in B.  customdata = (word, occurrences A, occurrences
    B, valence, per sentence A, per sentence B): a click lists the word's sentences."""
    w = changes[changes["component"] == "word"]
    w = w.reindex(w["contribution"].abs().sort_values(ascending=False, kind="stable").index).head(n)
    up = (w["share_b"] > w["share_a"]).to_numpy()
    names = [f"{esc(word)} {'↑' if u else '↓'}" for word, u in zip(w["name"], up)]
    vals = w["contribution"].to_numpy(float)
    fig = go.Figure()
    fig.add_bar(
        x=vals, y=names, orientation="h",
        marker_color=[POS if v > 0 else NEG for v in vals],
        # After a click the other words stay readable on the dark theme too.
        selected=dict(marker=dict(opacity=1.0)), unselected=dict(marker=dict(opacity=0.45)),
        customdata=np.column_stack([[esc(v) for v in w["name"]], w["n_a"].astype(int),
                                    w["n_b"].astype(int), w["valence"].astype(float),
                                    w["share_a"].astype(float), w["share_b"].astype(float)]),
        hovertemplate="<b>%{customdata[0]}</b> (VADER valence %{customdata[3]:+.1f})<br>"
                      "%{customdata[1]} → %{customdata[2]} occurrences "
                      "(%{customdata[4]:.4f} → %{customdata[5]:.4f} per sentence)<br>"
                      "contribution %{x:+.4f}<extra></extra>", name="",
    )
    fig.update_yaxes(autorange="reversed", type="category")
    lim = max(float(np.abs(vals).max()) if len(vals) else 1e-3, 1e-4)
    fig.update_xaxes(title_text="contribution (Δ per sentence × valence)",
                     range=[-lim * 1.15, lim * 1.15], zeroline=True, zerolinecolor=NEU)
    return _base(fig, title, height=max(260, 70 + 24 * len(w)), showlegend=False,
                 selectable=True)
