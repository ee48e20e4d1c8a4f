"""Every chart of the dashboard: one function per chart, ``(tidy frame, options) -> go.Figure``.

No Streamlit here: the functions take the frames documented in README.md (Frames) (or
the aggregates of :mod:`analysis.aggregate`) and return Plotly figures, so they are
tested by asserting on ``fig.data`` / ``fig.layout``.

Conventions shared by every chart
---------------------------------
* One diverging sentiment scale everywhere: red negative, grey neutral, green positive
  (:data:`NEG`, :data:`NEU`, :data:`POS`, :func:`sentiment_color`).
* A topic has the same colour in every chart: :func:`topic_color` keys a fixed
  qualitative palette (without red or green, which mean sentiment) by ``topic_id``.
* Long topic labels are truncated on axes and legends (:func:`short`); hovers show the
  full label.
* Text from the corpus (titles, sentences, topic labels) is HTML-escaped before Plotly
  sees it (:func:`esc`): Plotly renders a subset of HTML in labels and hovers.
* Traces that the app makes clickable are ``bar`` or ``scatter`` traces with markers
  (Streamlit's selection events work on those) and carry ``customdata`` that says what
  a point stands for: a period start (ISO date), a topic id, a sentiment range.
"""
from __future__ import annotations

import contextlib
import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots
from _plotly_utils.basevalidators import copy_to_readonly_numpy_array, to_scalar_or_list
from _plotly_utils.utils import convert_to_base64

from analysis.periods import period_name
from analysis.topic_groups import THEME_BASE
from dashboard import escape

def esc(value) -> str:
    """Corpus or user text for a Plotly label or hover (:func:`dashboard.escape.esc`
    without quote escaping: Plotly shows ``&quot;`` as typed)."""
    return escape.esc(value, quote=False)


__all__ = [
    "NEG", "NEU", "POS", "SENTIMENT_SCALE", "LABEL_COLORS", "TOPIC_PALETTE", "NO_TOPIC_COLOR",
    "sentiment_color", "topic_color", "short", "esc",
    "volume_timeline", "sentiment_timeline", "topic_volume_timeline", "topic_sentiment_timeline",
    "topic_share_area", "topic_terms", "topic_size", "topic_mean_sentiment", "topic_sentiment_mix",
    "topic_map", "article_map", "sentiment_histogram", "label_bar",
    "sentiment_arc", "k_scores",
]

NEG = "#d62728"
NEU = "#9a9a9a"
POS = "#2ca02c"
#: Plotly colour scale from −1 (red) through 0 (grey) to +1 (green).
SENTIMENT_SCALE = [[0.0, NEG], [0.5, NEU], [1.0, POS]]
LABEL_COLORS = {"negative": NEG, "neutral": NEU, "positive": POS}
LABEL_ORDER = ["negative", "neutral", "positive"]

#: Qualitative palette for topics; no pure red or green (those mean sentiment), no grey.
#: Folded themes (:mod:`analysis.topic_groups`): deep tones, none red, green or grey
#: (those mean sentiment), apart from the topics' so an opened theme's topics differ.
THEME_PALETTE = ["#2b5d8a", "#c0620f", "#6a3d9a", "#8c510a", "#1b7f79", "#a6365f",
                 "#5e6b1f", "#33437a"]
TOPIC_PALETTE = [
    "#1f77b4", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#393b79",
    "#e6550d", "#7b4173", "#6baed6", "#fdae6b", "#9e9ac8", "#c49c94", "#f7b6d2", "#8c6d31",
    "#9edae5", "#5254a3", "#d6616b", "#ce6dbd",
]
NO_TOPIC_COLOR = "#bdbdbd"

VOLUME_COLOR = "#4c78a8"
#: Mid grey, dashed and thick enough to read on the light and the dark theme.
ROLLING_COLOR = "#8a8a8a"
LABEL_MAX = 28
#: Topic labels on the y-axis of horizontal bars have the chart's left side to themselves.
BAR_LABEL_MAX = 44
#: Bubble outline that shows on the light and the dark theme.
OUTLINE = "rgba(128,128,128,0.95)"
_FONT = dict(size=13)


# --------------------------------------------------------------------------- helpers
def short(label, n: int = LABEL_MAX) -> str:
    """``label`` cut to ``n`` characters with an ellipsis (for axes and legends)."""
    text = "" if label is None else str(label)
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def _hex_to_rgb(color: str) -> tuple[int, int, int]:
    color = color.lstrip("#")
    return tuple(int(color[i:i + 2], 16) for i in (0, 2, 4))


def sentiment_color(value) -> str:
    """Colour of a compound score on the diverging scale (NaN → neutral grey)."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value):
        return NEU
    x = max(-1.0, min(1.0, float(value)))
    if abs(x) < 0.05:  # VADER's neutral band
        return NEU
    # Saturate quickly: a mean compound of ±0.35 is already a strong signal, and
    # anything outside the neutral band is visibly tinted.
    t = min(1.0, max(0.4, abs(x) / 0.35))
    a = _hex_to_rgb(NEU)
    b = _hex_to_rgb(POS if x > 0 else NEG)
    rgb = tuple(round(a[i] + (b[i] - a[i]) * t) for i in range(3))
    return "#%02x%02x%02x" % rgb


def topic_color(topic_id) -> str:
    """Fixed colour of a topic id (the same in every chart); −1 / missing → grey; a
    folded theme (:data:`analysis.topic_groups.THEME_BASE` + theme id) → its own
    darker colour, apart from the topics'."""
    try:
        tid = int(topic_id)
    except (TypeError, ValueError):
        return NO_TOPIC_COLOR
    if tid < 0:
        return NO_TOPIC_COLOR
    if tid >= THEME_BASE:
        return THEME_PALETTE[(tid - THEME_BASE) % len(THEME_PALETTE)]
    return TOPIC_PALETTE[tid % len(TOPIC_PALETTE)]


def _tag(tid: int, n_topics=None) -> str:
    """What follows a label on a bar: the topic number (as in the terms panels and the
    table), or how many topics a folded theme holds."""
    if int(tid) < THEME_BASE:
        return f" ({int(tid)})"
    return f" ({int(n_topics)} topics)" if n_topics is not None else " (theme)"


def _rolling(values: pd.Series, window: int) -> pd.Series:
    """Trailing mean over the last ``window`` values that exist (NaN periods, i.e.
    periods without articles, are skipped rather than breaking the line)."""
    present = values.dropna()
    return present.rolling(window, min_periods=1, center=False).mean().reindex(values.index)


_TICK_FMT = {"hour": "%H:00<br>%-d %b", "day": "%-d %b", "week": "%-d %b", "month": "%b %Y"}


def _period_labels(periods: pd.Series, freq: str) -> list[str]:
    """Hover names of periods: "week of Mon 3 Jun 2024", "Tue 4 Jun 2024", "June 2024"."""
    return [period_name(p, freq) for p in periods]


def _iso(periods) -> list[str]:
    return [pd.Timestamp(p).isoformat() for p in periods]


def _period_texts(periods, freq: str) -> tuple[np.ndarray, np.ndarray]:
    """``(_iso(periods), _period_labels(periods, freq))`` as string arrays, each
    distinct period named once (a topic timeline repeats every period per topic)."""
    codes, uniques = pd.factorize(pd.Series(periods).reset_index(drop=True), sort=False)
    if len(codes) and (codes < 0).any():  # a missing period: name each one
        return np.array(_iso(periods)), np.array(_period_labels(periods, freq))
    if not len(uniques):
        return np.array([], dtype=str), np.array([], dtype=str)
    return (np.array(_iso(uniques))[codes],
            np.array(_period_labels(uniques, freq))[codes])


def _merge(base: dict, extra: dict) -> dict:
    """``base`` with ``extra`` laid over it, nested dicts merged key by key (as
    ``Figure.update_layout`` merges): a new dict."""
    out = dict(base)
    for k, v in extra.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def _layout(title: str | None = None, height: int = 360, selectable: bool = False,
            **layout) -> dict:
    """The layout every chart shares (title, height, margins, font, legend), with
    ``layout`` laid over it: :func:`_base` as a dict, for :func:`_figure`."""
    # ``clickmode`` / ``dragmode`` are left unset on purpose: Streamlit sets them when
    # selections are on (a preset ``dragmode="select"`` turns click-to-select off).
    return _merge(dict(
        title=dict(text=esc(title), x=0, xanchor="left") if title else None,
        height=height,
        margin=dict(l=10, r=10, t=50 if title else 20, b=10),
        font=_FONT,
        hoverlabel=dict(align="left"),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="right", x=1),
    ), layout)


#: Whether :func:`_figure` builds through Plotly's validators (see :func:`validating`).
_VALIDATE = False


@contextlib.contextmanager
def validating():
    """Within it, :func:`_figure` builds every figure through Plotly's validators (the
    slow path the fast one is tested equal to; an unknown property raises there)."""
    global _VALIDATE
    before, _VALIDATE = _VALIDATE, True
    try:
        yield
    finally:
        _VALIDATE = before


def _coerce(value):
    """``value`` of a figure spec as Plotly's validators store it: arrays (pandas or
    numpy) as read-only numpy copies, lists and tuples as lists of plain scalars, dicts
    with their keys sorted (the validators set properties in alphabetical order), their
    ``None`` values and empty dicts left out (unset properties), a ``title`` given as a
    string as ``{"text": …}``.  Enough for the specs of this module (angles, named
    colour scales and the like would need their validators: not used here); the tests
    compare every chart with its validated figure."""
    if isinstance(value, dict):
        out = {}
        for k in sorted(value):
            v = value[k]
            if v is None:
                continue
            if k == "title" and isinstance(v, str):
                v = {"text": v}  # every ``title`` is a Title object; a string is its text
            v = _coerce(v)
            if isinstance(v, dict) and not v:
                continue
            out[k] = v
        return out
    if isinstance(value, (list, tuple)):
        if any(isinstance(v, (dict, list, tuple)) for v in value):
            return [_coerce(v) for v in value]
        return to_scalar_or_list(list(value))
    if isinstance(value, (pd.Series, pd.Index, np.ndarray)):
        if isinstance(value.dtype, np.dtype) and value.dtype.kind in "uifMO":
            # What copy_to_readonly_numpy_array gives an array of numbers, naive dates or
            # objects (a C-ordered read-only copy), without its narwhals round trip: a
            # third of a many-trace chart's build.  Other dtypes take Plotly's way.
            out = np.array(np.asarray(value), copy=True, order="C")
            out.flags["WRITEABLE"] = False
            return out
        return copy_to_readonly_numpy_array(value)
    return value


def _copy_tree(value):
    """A copy of a spec's dicts and lists, sharing their leaves (read-only arrays,
    strings, numbers): what :meth:`Figure.to_dict` needs of a deep copy."""
    if isinstance(value, dict):
        return {k: _copy_tree(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy_tree(v) if isinstance(v, (dict, list, tuple)) else v for v in value]
    if isinstance(value, tuple):
        return tuple(_copy_tree(v) if isinstance(v, (dict, list, tuple)) else v for v in value)
    return value


class Figure(go.Figure):
    """A ``go.Figure`` built without Plotly's validators from a spec already in the
    validators' form (:func:`_coerce`).  Its Plotly state is made only when something
    other than ``to_dict`` (what ``st.plotly_chart`` sends) asks for it (``fig.data``,
    ``fig.layout``, ``update_layout``, pickling …): Plotly's constructor deep-copies
    every trace, a fifth of a many-trace chart's cost on every rerun.  ``to_dict``
    copies the spec's containers instead of deep-copying every value.  Its JSON is the
    validated figure's (tests/test_charts.py compares them on a real store)."""

    #: The default template's JSON for :meth:`_initialize_layout_template` (None: Plotly's way).
    _default_template = None

    @classmethod
    def lazy(cls, spec: dict, template: dict | None) -> "Figure":
        """The figure of ``spec`` (``{"data": [...], "layout": {...}}``, coerced) with
        the default ``template`` JSON, its Plotly state made on first use."""
        fig = cls.__new__(cls)
        fig.__dict__["_spec"] = (spec, template)
        return fig

    def __getattr__(self, name):
        # Reached only for an attribute the object lacks: a lazy figure's Plotly state
        # (every attribute Plotly's constructor sets) is made here, once.
        spec = self.__dict__.pop("_spec", None)
        if spec is None:
            raise AttributeError(name)
        self._default_template = spec[1]
        Figure.__init__(self, spec[0], _validate=False)
        return getattr(self, name)

    def _initialize_layout_template(self):
        # Plotly deep-copies the whole default template (a few thousand values) into
        # every figure it builds: here a copy of its containers, set where Plotly sets it
        # (last, unless the layout has its own), once.
        template, self._default_template = self._default_template, None
        if template is None:
            return super()._initialize_layout_template()
        if self._layout.get("template") is None:
            self._layout["template"] = _copy_tree(template)

    def to_dict(self):
        lazy = self.__dict__.get("_spec")
        if lazy is not None:
            (spec, template), frames = lazy, []
            res = {"data": _copy_tree(spec["data"]), "layout": _copy_tree(spec["layout"])}
        else:
            template = None
            res = {"data": _copy_tree(self._data), "layout": _copy_tree(self._layout)}
            frames = [_copy_tree(frame._props) for frame in self._frame_objs]
        if frames:
            res["frames"] = frames
        # the template holds no arrays: set after the walk that encodes them
        convert_to_base64(res)
        if template is not None and res["layout"].get("template") is None:
            res["layout"]["template"] = _copy_tree(template)
        return res


def _figure(data: list[dict], layout: dict) -> go.Figure:
    """The figure of ``data`` (trace dicts, each with its ``type``) and ``layout``, built
    in one go.  Plotly's validators (and its incremental calls, ``add_bar``,
    ``update_layout`` …, which validate and deep-copy the figure at each call) cost
    5-20 ms a chart on every rerun; the spec is put in the form they would give it
    (:func:`_coerce`: the same JSON) and set as it is (:class:`Figure`).  Under
    :func:`validating`, the validated ``go.Figure`` of the same spec."""
    if _VALIDATE:
        return go.Figure({"data": data, "layout": layout})
    traces = []
    for trace in data:
        spec = _coerce({k: v for k, v in trace.items() if k != "type"})
        spec["type"] = trace["type"]  # set last, as the trace classes do
        traces.append(spec)
    return Figure.lazy({"data": traces, "layout": _coerce(layout)}, _template_json())


_TEMPLATES: dict = {}


def _template_json() -> dict | None:
    """The default Plotly template (``plotly.io.templates.default``) as the JSON a
    figure carries, made once per template name (None: no default template)."""
    import plotly.io as pio

    name = pio.templates.default
    if name is None or not isinstance(name, str):
        return None
    if name not in _TEMPLATES:
        _TEMPLATES[name] = pio.templates[name].to_plotly_json()
    return _TEMPLATES[name]


def _base(fig: go.Figure, title: str | None = None, height: int = 360, selectable: bool = False,
          **layout) -> go.Figure:
    """:func:`_layout` applied to a figure built call by call (the subplot charts)."""
    fig.update_layout(**_layout(title, height, selectable, **layout))
    return fig


#: The axes of the maps: no ticks, title, zero line or grid (positions mean nothing).
_BARE_AXIS = dict(showticklabels=False, title=dict(text=None), zeroline=False, showgrid=False)
_HLINE_ZERO = dict(type="line", x0=0, x1=1, xref="x domain", y0=0, y1=0, yref="y",
                   line=dict(color=NEU, width=1, dash="dash"))
"""The dashed zero line of the sentiment charts (``fig.add_hline(y=0, …)`` as a shape)."""


def _freq(freq: str | None) -> str:
    return freq or "day"


_PERIOD = {"hour": pd.Timedelta(hours=1), "day": pd.Timedelta(days=1),
           "week": pd.Timedelta(days=7), "month": pd.Timedelta(days=30)}
#: Left margin of every time chart, so stacked time charts line their plot areas up.
TIME_MARGIN_L = 80


def _time_layout(freq: str, periods) -> dict:
    """One x-axis for every time chart of a timeline: the same range (half a period
    either side of the first and last period), ticks on period starts (a week's tick
    is its Monday) and the same left margin, so charts drawn one above the other line
    up.  A layout dict for :func:`_merge` (empty without a period)."""
    starts = pd.DatetimeIndex(sorted(set(pd.to_datetime(pd.Series(periods)).dropna().unique())))
    if starts.empty:
        return {}
    step = max(1, math.ceil(len(starts) / 12))
    ticks = starts[::step]
    half = _PERIOD.get(freq, pd.Timedelta(days=1)) / 2
    return dict(xaxis=dict(type="date", range=[starts[0] - half, starts[-1] + half],
                           tickvals=list(ticks),
                           ticktext=[t.strftime(_TICK_FMT.get(freq, "%-d %b")) for t in ticks],
                           title=dict(text=None)),
                yaxis=dict(automargin=False), margin=dict(l=TIME_MARGIN_L))


def _time_axis(fig: go.Figure, freq: str, periods) -> go.Figure:
    """:func:`_time_layout` applied to a figure built call by call (every x- and y-axis)."""
    axes = _time_layout(freq, periods)
    if not axes:
        return fig
    fig.update_xaxes(**axes["xaxis"])
    fig.update_yaxes(**axes["yaxis"])
    fig.update_layout(margin=axes["margin"])
    return fig


def _topic_axis(topics: pd.DataFrame, label_col: str = "label"):
    ids = topics["topic_id"].astype(int).tolist()
    labels = topics[label_col].astype(str).tolist()
    return ids, labels


# --------------------------------------------------------------------------- time
def volume_timeline(timeline: pd.DataFrame, freq: str | None = None, rolling: int = 3,
                    title: str = "Articles per period") -> go.Figure:
    """Bars of ``n_articles`` per ``period`` with a rolling mean line.

    ``timeline`` is :func:`analysis.aggregate.timeline`'s frame, ``freq`` the concrete
    period it was made with; with a ``coverage`` column (the views'), a period the view
    only partly covers (the corpus or the date filter starts or stops inside it) is a
    paler bar that says so, and stays out of the rolling mean: a week the data has just
    begun is not a drop.  Bars carry the period start (ISO) as ``customdata[0]`` so a
    click can filter to it; the x-axis is the one :func:`sentiment_timeline` draws for
    the same timeline.
    """
    freq = _freq(freq)
    tl = timeline.sort_values("period")
    iso, labels = _period_texts(tl["period"], freq)
    coverage = (tl["coverage"].to_numpy(dtype=float) if "coverage" in tl
                else np.ones(len(tl)))
    partial = coverage < 1
    notes = [f"<br><i>partial {freq}: {max(c, 0.01):.0%} of it in view</i>" if p else ""
             for p, c in zip(partial, coverage)]
    data = [dict(
        type="bar", x=tl["period"], y=tl["n_articles"], name="articles",
        marker=dict(color=VOLUME_COLOR,
                    opacity=np.where(partial, PARTIAL_OPACITY, 1.0).tolist()),
        customdata=np.column_stack([iso, labels, tl["n_sentences"], notes]),
        hovertemplate="%{customdata[1]}<br>%{y} articles, %{customdata[2]} sentences"
                      "%{customdata[3]}<extra></extra>",
    )]
    if rolling and rolling > 1 and len(tl) > 1:
        whole = tl["n_articles"].astype(float).where(~partial)
        data.append(dict(
            type="scatter", x=tl["period"], y=_rolling(whole, rolling),
            mode="lines", name=f"rolling mean ({rolling} {freq}s)",
            line=dict(color=ROLLING_COLOR, width=2.5, dash="dash"), hoverinfo="skip",
        ))
    layout = _layout(title, selectable=True,
                     yaxis=dict(title=dict(text="articles"), rangemode="tozero"))
    return _figure(data, _merge(layout, _time_layout(freq, tl["period"])))


#: Opacity of a bar the view covers only part of (:func:`volume_timeline`).
PARTIAL_OPACITY = 0.4


#: Sentiment axis of the mean-sentiment charts: fixed, so a filter or a quiet period
#: does not zoom noise into a dip; widened to the whole scale only when needed.
SENTIMENT_RANGE = 0.5


def sentiment_timeline(timeline: pd.DataFrame, freq: str | None = None, rolling: int = 3,
                       column: str = "compound",
                       title: str = "Mean sentence sentiment per period") -> go.Figure:
    """Mean compound per period: markers sized by the period's articles and coloured on
    the diverging scale, a 95 % band (``compound_se``, when the frame has it), a
    rolling mean and a zero line, on a fixed axis (±:data:`SENTIMENT_RANGE`, ±1 when a
    mean is beyond it).  Empty periods (NaN) leave a gap."""
    freq = _freq(freq)
    tl = timeline.sort_values("period")
    iso, labels = _period_texts(tl["period"], freq)
    values = tl[column].astype(float)
    n = tl["n_articles"].astype(int)
    ref = max(int(n.max()) if len(n) else 1, 1)
    data = []
    if "compound_se" in tl and column == "compound":
        half = 1.96 * tl["compound_se"].astype(float)
        lo, hi = (values - half).clip(-1, 1), (values + half).clip(-1, 1)
        data.append(dict(type="scatter", x=tl["period"], y=hi, mode="lines", line=dict(width=0),
                         hoverinfo="skip", showlegend=False, connectgaps=False))
        data.append(dict(type="scatter", x=tl["period"], y=lo, mode="lines", line=dict(width=0),
                         fill="tonexty", fillcolor="rgba(154,154,154,0.28)", hoverinfo="skip",
                         name="95 % band", connectgaps=False))
        band = np.column_stack([lo.round(3), hi.round(3)])
    else:
        band = np.column_stack([values, values])
    data.append(dict(
        type="scatter", x=tl["period"], y=values, mode="lines+markers", name="mean sentiment",
        line=dict(color=NEU, width=1), connectgaps=True,
        marker=dict(size=[5 + 17 * math.sqrt(v / ref) for v in n],
                    color=[sentiment_color(v) for v in values],
                    line=dict(width=0.5, color="#444")),
        customdata=np.column_stack([iso, labels, tl["n_sentences"], n, band]),
        hovertemplate="%{customdata[1]}<br>mean compound %{y:+.3f} "
                      "(95 %: %{customdata[4]:+.2f} … %{customdata[5]:+.2f})<br>"
                      "%{customdata[3]} articles, %{customdata[2]} sentences<extra></extra>",
    ))
    if rolling and rolling > 1 and values.notna().sum() > 1:
        data.append(dict(
            type="scatter", x=tl["period"], y=_rolling(values, rolling), mode="lines",
            connectgaps=True, name=f"rolling mean ({rolling} {freq}s with articles)",
            line=dict(color=ROLLING_COLOR, width=2.5, dash="dash"), hoverinfo="skip",
        ))
    lim = SENTIMENT_RANGE
    if values.notna().any() and float(np.nanmax(np.abs(values))) > SENTIMENT_RANGE * 0.95:
        lim = 1.0
    layout = _layout(title, selectable=True, shapes=[_HLINE_ZERO],
                     yaxis=dict(title=dict(text="compound (−1 … +1)"),
                                range=[-lim * 1.02, lim * 1.02], zeroline=False))
    return _figure(data, _merge(layout, _time_layout(freq, tl["period"])))


def _by_topic(ttl: pd.DataFrame, freq: str, columns: list[str]):
    """``(topic_id, rows, iso, labels)`` of each topic of a topic timeline, topics in
    order, rows by period (``ttl.sort_values("period").groupby("topic_id")``): ``rows``
    maps each of ``columns`` to its values (numpy arrays, not a frame per topic: a
    chart draws 20 topics on every rerun), with the periods' :func:`_period_texts`
    (each period named once for every topic)."""
    tt = ttl.sort_values("period")
    iso, labels = _period_texts(tt["period"], freq)
    arrays = {col: tt[col].to_numpy() for col in columns}
    for tid, pos in sorted(tt.groupby("topic_id", sort=True).indices.items()):
        yield tid, {col: a[pos] for col, a in arrays.items()}, iso[pos], labels[pos]


def _topic_lines(ttl: pd.DataFrame, value: str, freq: str | None, rolling: int, title: str,
                 ytitle: str, hover_fmt: str, **layout) -> go.Figure:
    """One line per topic of ``ttl[value]``; ``layout`` laid over the chart's own."""
    freq = _freq(freq)
    data = []
    for tid, rows, iso, labels in _by_topic(ttl, freq, ["period", "topic_label", value]):
        label, count = str(rows["topic_label"][0]), len(iso)
        y = rows[value].astype(float)
        if rolling and rolling > 1:
            y = _rolling(pd.Series(y), rolling)
        data.append(dict(
            type="scatter", x=rows["period"], y=y, mode="lines+markers", name=esc(short(label)),
            connectgaps=True, line=dict(color=topic_color(tid), width=2),
            marker=dict(size=6, color=topic_color(tid)),
            customdata=np.column_stack([iso, [int(tid)] * count, [esc(label)] * count, labels]),
            hovertemplate="%{customdata[2]}<br>%{customdata[3]}<br>" + hover_fmt + "<extra></extra>",
        ))
    base = _layout(title, height=380, selectable=True, yaxis=dict(title=dict(text=ytitle)))
    return _figure(data, _merge(_merge(base, _time_layout(freq, ttl["period"])), layout))


def topic_volume_timeline(topic_timeline: pd.DataFrame, freq: str | None = None,
                          rolling: int = 1, title: str = "Articles per period by topic") -> go.Figure:
    """One line per topic (topic colours) of ``n_articles`` (dominant topic) per period."""
    suffix = f" (rolling mean, {rolling})" if rolling and rolling > 1 else ""
    return _topic_lines(topic_timeline, "n_articles", freq, rolling, title + suffix, "articles",
                        "%{y:.1f} articles", yaxis=dict(rangemode="tozero"))


def topic_sentiment_timeline(topic_timeline: pd.DataFrame, freq: str | None = None,
                             rolling: int = 1,
                             title: str = "Mean sentiment per period by topic") -> go.Figure:
    """One line per topic of the topic-weighted mean article compound per period, on
    the same fixed axis as :func:`sentiment_timeline`."""
    suffix = f" (rolling mean, {rolling})" if rolling and rolling > 1 else ""
    vals = topic_timeline["compound"].astype(float)
    lim = 1.0 if vals.notna().any() and float(np.nanmax(np.abs(vals))) > SENTIMENT_RANGE * 0.95 \
        else SENTIMENT_RANGE
    return _topic_lines(topic_timeline, "compound", freq, rolling, title + suffix,
                        "compound (−1 … +1)", "mean compound %{y:+.3f}", shapes=[_HLINE_ZERO],
                        yaxis=dict(range=[-lim * 1.02, lim * 1.02]))


def topic_share_area(topic_timeline: pd.DataFrame, freq: str | None = None,
                     min_articles: int = 10,
                     title: str = "Topic share over time") -> go.Figure:
    """Stacked area of each topic's ``share`` (summed topic weight) per period.

    Periods with fewer than ``min_articles`` articles are left out (a share of 3
    articles is noise); the axis still spans every period.  Legend in topic order, as
    in every other chart.  Scatter traces with a ``stackgroup`` and markers, so points
    are selectable; ``customdata`` = (period ISO, topic id, label, period label).
    """
    freq = _freq(freq)
    # A period without any topic weight has no share: leave it out (not a drop to 0%).
    total = topic_timeline.groupby("period")["weight"].transform("sum")
    n = topic_timeline.groupby("period")["n_articles"].transform("sum")
    tt = topic_timeline[(total > 0) & (n >= min_articles)]
    data = []
    for tid, rows, iso, labels in _by_topic(tt, freq, ["period", "topic_label", "share"]):
        label, count = str(rows["topic_label"][0]), len(iso)
        data.append(dict(
            type="scatter", x=rows["period"], y=rows["share"].astype(float),
            mode="lines+markers", stackgroup="share", name=esc(short(label)),
            line=dict(color=topic_color(tid), width=0.5),
            fillcolor=topic_color(tid), marker=dict(size=7, color=topic_color(tid)),
            customdata=np.column_stack([iso, [int(tid)] * count, [esc(label)] * count, labels]),
            hovertemplate="%{customdata[2]}<br>%{customdata[3]}<br>share %{y:.0%}<extra></extra>",
            stackgaps="interpolate",
        ))
    layout = _layout(title, height=400, selectable=True,
                     yaxis=dict(title=dict(text="share of topic weight"), tickformat=".0%",
                                range=[0, 1]),
                     legend=dict(traceorder="normal"))
    return _figure(data, _merge(layout, _time_layout(freq, topic_timeline["period"])))


# --------------------------------------------------------------------------- topics
def _weights(row) -> tuple[list[str], list[float]]:
    terms = [t.strip() for t in str(row.get("terms", "") or "").split(",") if t.strip()]
    raw = [w.strip() for w in str(row.get("term_weights", "") or "").split(",") if w.strip()]
    weights = []
    for w in raw:
        try:
            weights.append(float(w))
        except ValueError:
            weights.append(float("nan"))
    n = min(len(terms), len(weights)) if weights else len(terms)
    if not weights:
        weights = [float("nan")] * n
    return terms[:n], weights[:n]


def topic_terms(topics: pd.DataFrame, n_terms: int = 8, cols: int = 4,
                title: str = "Top terms per topic") -> go.Figure:
    """Small multiples: each topic's top terms as horizontal bars of their NMF weight."""
    topics = topics.sort_values("topic_id")
    n = max(len(topics), 1)
    cols = max(1, min(cols, n))
    rows = math.ceil(n / cols)
    titles = [esc(short(f"{int(r.topic_id)}: {r.label}", 34)) for r in topics.itertuples()]
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=titles or None,
                        horizontal_spacing=0.12, vertical_spacing=min(0.12, 0.5 / rows))
    for i, (_, row) in enumerate(topics.iterrows()):
        terms, weights = _weights(row)
        terms, weights = terms[:n_terms], weights[:n_terms]
        tid = int(row["topic_id"])
        fig.add_bar(
            x=weights[::-1], y=[esc(t) for t in terms[::-1]], orientation="h",
            marker_color=topic_color(tid), name=esc(short(row["label"])), showlegend=False,
            customdata=[[tid, esc(row["label"])]] * len(terms),
            hovertemplate="%{customdata[1]}<br>%{y}: %{x:.3f}<extra></extra>",
            row=i // cols + 1, col=i % cols + 1,
        )
    fig.update_xaxes(showticklabels=False)
    fig.update_yaxes(type="category")  # terms such as "000" or "1986" are words here
    fig.update_annotations(font_size=12)
    fig = _base(fig, title, height=max(260, 230 * rows))
    fig.update_layout(margin=dict(l=10, r=10, t=70, b=10))
    return fig


def _topic_bars(topics: pd.DataFrame, x: list, colors: list, hover: str, title: str,
                xtitle: str, extra=None, **xaxis) -> go.Figure:
    """Horizontal bars, one per topic; ``xaxis`` laid over the x-axis's own layout."""
    topics = topics.reset_index(drop=True)
    ids, labels = _topic_axis(topics)
    custom = [[tid, esc(lab)] + (list(extra[i]) if extra is not None else [])
              for i, (tid, lab) in enumerate(zip(ids, labels))]
    sizes = topics["n_topics"].tolist() if "n_topics" in topics else [None] * len(ids)
    data = [dict(
        type="bar", x=x, y=[esc(short(lab, BAR_LABEL_MAX)) + _tag(tid, n)
                            for tid, lab, n in zip(ids, labels, sizes)],
        orientation="h",
        marker=dict(color=colors), customdata=custom,
        hovertemplate="%{customdata[1]}<br>" + hover + "<extra></extra>", name="",
    )]
    return _figure(data, _layout(title, height=max(260, 60 + 30 * len(topics)),
                                 showlegend=False, selectable=True,
                                 yaxis=dict(autorange="reversed", type="category"),
                                 xaxis=dict(title=dict(text=xtitle), **xaxis)))


def topic_size(topics: pd.DataFrame, title: str = "Articles per topic") -> go.Figure:
    """Horizontal bars of ``n_articles`` per topic in topic colours (customdata[0] = id)."""
    t = topics.sort_values("topic_id")
    share = t["share"].astype(float) if "share" in t else pd.Series(np.nan, index=t.index)
    return _topic_bars(t, t["n_articles"].tolist(), [topic_color(i) for i in t["topic_id"]],
                       "%{x} articles (%{customdata[2]:.0%})", title, "articles",
                       extra=[[s] for s in share])


def topic_mean_sentiment(topics: pd.DataFrame, title: str = "Mean sentiment per topic") -> go.Figure:
    """Horizontal bars of each topic's mean article compound, coloured red/grey/green."""
    t = topics.sort_values("topic_id")
    vals = t["compound"].astype(float)
    lim = max(0.2, float(np.nanmax(np.abs(vals))) * 1.15) if vals.notna().any() else 1.0
    return _topic_bars(t, vals.tolist(), [sentiment_color(v) for v in vals],
                       "mean compound %{x:+.3f}", title, "compound (−1 … +1)",
                       range=[-lim, lim], zeroline=True, zerolinecolor=NEU)


def topic_sentiment_mix(topic_sentiment: pd.DataFrame,
                        title: str = "Sentence sentiment by topic") -> go.Figure:
    """Topic × sentiment: grouped horizontal bars of the share of negative / neutral /
    positive sentences per topic (grouped, not stacked: stacked bars do not report
    selections in Streamlit).  customdata = (topic id, label, sentiment label, count)."""
    ts = topic_sentiment.sort_values("topic_id")
    data = []
    order = ts.drop_duplicates("topic_id")
    ylab = {int(r.topic_id): esc(short(r.topic_label, BAR_LABEL_MAX))
            + _tag(r.topic_id, getattr(r, "n_topics", None))
            for r in order.itertuples()}
    for label in LABEL_ORDER:
        part = ts[ts["label"] == label]
        data.append(dict(
            type="bar", x=part["share"].astype(float), y=[ylab[int(t)] for t in part["topic_id"]],
            orientation="h", name=label, marker=dict(color=LABEL_COLORS[label]),
            customdata=np.column_stack([part["topic_id"].astype(int),
                                        [esc(v) for v in part["topic_label"]],
                                        [label] * len(part), part["n_sentences"]]),
            hovertemplate="%{customdata[1]}<br>%{customdata[2]}: %{x:.0%} "
                          "(%{customdata[3]} sentences)<extra></extra>",
        ))
    return _figure(data, _layout(title, height=max(300, 80 + 55 * len(order)), selectable=True,
                                 barmode="group", bargap=0.25,
                                 yaxis=dict(autorange="reversed", type="category"),
                                 xaxis=dict(title=dict(text="share of the topic's sentences"),
                                            tickformat=".0%")))


def _padded(values: pd.Series, pad: float) -> list[float]:
    """Axis range around ``values`` with room for bubbles and their labels."""
    lo, hi = float(values.min()), float(values.max())
    span = hi - lo or 1.0
    return [lo - span * pad, hi + span * pad]


def _wrap(label: str, width: int = 26, lines: int = 2) -> str:
    """A bubble label on up to ``lines`` lines of about ``width`` characters (escaped),
    broken between words, so long labels are not cut where there is room."""
    words, out, cur = str(label).split(), [], ""
    for w in words:
        if cur and len(cur) + 1 + len(w) > width:
            out.append(cur)
            cur = w
        else:
            cur = f"{cur} {w}".strip()
    out.append(cur)
    if len(out) > lines:
        out = out[:lines - 1] + [short(" ".join(out[lines - 1:]), width)]
    return "<br>".join(esc(line) for line in out)


_PLACES = ("top center", "bottom center", "middle right", "middle left",
           "top right", "top left", "bottom right", "bottom left")


def _label_boxes(x: np.ndarray, y: np.ndarray, sizes, texts, width_px: float,
                 height_px: float):
    """Screen geometry of bubble labels: a ``box(i, where)`` function giving the label
    box of bubble ``i`` at a text position (one of ``_PLACES``), and the bubbles' own
    boxes, in px on a ``width_px`` × ``height_px`` area onto which the data span is
    mapped."""
    n = len(x)
    sizes = np.full(n, 20.0) if sizes is None else np.asarray(sizes, float)
    texts = [""] * n if texts is None else [str(t) for t in texts]
    span_x, span_y = float(np.ptp(x)) or 1.0, float(np.ptp(y)) or 1.0
    px = (x - x.min()) / span_x * width_px
    py = (y.max() - y) / span_y * height_px  # screen y grows downwards

    def box(i, where):
        lines = texts[i].split("<br>")
        w = 7.2 * max(len(t) for t in lines) + 4
        h = 16 * len(lines) + 2
        r = sizes[i] / 2 + 2
        d = r * 0.7  # a corner place starts at the bubble's diagonal
        cx, cy = px[i], py[i]
        return {"top center": (cx - w / 2, cy - r - h, cx + w / 2, cy - r),
                "bottom center": (cx - w / 2, cy + r, cx + w / 2, cy + r + h),
                "middle right": (cx + r, cy - h / 2, cx + r + w, cy + h / 2),
                "middle left": (cx - r - w, cy - h / 2, cx - r, cy + h / 2),
                "top right": (cx + d, cy - d - h, cx + d + w, cy - d),
                "top left": (cx - d - w, cy - d - h, cx - d, cy - d),
                "bottom right": (cx + d, cy + d, cx + d + w, cy + d + h),
                "bottom left": (cx - d - w, cy + d, cx - d, cy + d + h)}[where]

    bubbles = [(px[j] - sizes[j] / 2, py[j] - sizes[j] / 2, px[j] + sizes[j] / 2,
                py[j] + sizes[j] / 2) for j in range(n)]
    return box, bubbles, sizes


def _label_positions(x: np.ndarray, y: np.ndarray, sizes=None, texts=None,
                     width_px: float = 640, height_px: float = 380) -> list[str | None]:
    """Text positions for bubble labels, placed greedily (biggest bubble first) at the
    first of ``_PLACES`` whose estimated box overlaps no label already placed and no
    other bubble; None for a bubble with no free place (its label would cover another).
    ``sizes`` are marker diameters in px; positions are estimated on a ``width_px`` ×
    ``height_px`` plot area."""
    n = len(x)
    if n < 2:
        return ["top center"] * n
    box, bubbles, sizes = _label_boxes(x, y, sizes, texts, width_px, height_px)

    def hits(a, b):
        return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]

    pos: list[str | None] = [None] * n
    placed: list[tuple] = []
    for i in sorted(range(n), key=lambda k: -sizes[k]):
        for where in _PLACES:
            candidate = box(i, where)
            if not any(hits(candidate, p) for p in placed) and not any(
                    hits(candidate, bubbles[j]) for j in range(n) if j != i):
                pos[i] = where
                placed.append(candidate)
                break
    return pos


def _ranges_with_labels(x: np.ndarray, y: np.ndarray, sizes, texts, positions,
                        width_px: float, height_px: float, margin_px: float = 8):
    """Axis ranges (x, y) in data units that hold every bubble and its placed label: the
    data span is mapped onto ``width_px`` × ``height_px`` and the ranges grow by what
    sticks out of that area, so a label above the top bubble is not cut by the edge."""
    box, bubbles, _ = _label_boxes(x, y, sizes, texts, width_px, height_px)
    boxes = bubbles + [box(i, p) for i, p in enumerate(positions) if p is not None]
    left = max(0.0, -min(b[0] for b in boxes)) + margin_px
    right = max(0.0, max(b[2] for b in boxes) - width_px) + margin_px
    top = max(0.0, -min(b[1] for b in boxes)) + margin_px
    bottom = max(0.0, max(b[3] for b in boxes) - height_px) + margin_px
    span_x, span_y = float(np.ptp(x)) or 1.0, float(np.ptp(y)) or 1.0
    xr = [float(x.min()) - left / width_px * span_x, float(x.max()) + right / width_px * span_x]
    yr = [float(y.min()) - bottom / height_px * span_y, float(y.max()) + top / height_px * span_y]
    return xr, yr


def topic_map(topic_map: pd.DataFrame, topics: pd.DataFrame,
              title: str = "Topic map (nearby = similar)") -> go.Figure:
    """Topics as bubbles at their 2-D map position, sized by articles, in topic colours,
    labelled where the label has room (else the topic's number, in the bubble; the hover
    always names it); customdata = (topic id, label, articles, mean compound)."""
    m = topic_map.merge(topics[["topic_id", "label", "n_articles", "compound"]],
                        on="topic_id", how="left").sort_values("topic_id")
    sizes = m["n_articles"].fillna(0).astype(float)
    ref = max(float(sizes.max()), 1.0)
    diameters = [14 + 46 * math.sqrt(s / ref) for s in sizes]
    texts = [_wrap(lab) for lab in m["label"].fillna("")]
    xs, ys = m["x"].to_numpy(float), m["y"].to_numpy(float)
    # Labels and bubbles keep their px size whatever the scale: the data span gets the
    # inner part of the ~640 × 380 px plot area, the ranges the rest, as the labels need.
    inner = (640 * 0.72, 380 * 0.62)
    positions = _label_positions(xs, ys, diameters, texts, *inner)
    if len(m) > 1:
        x_range, y_range = _ranges_with_labels(xs, ys, diameters, texts, positions, *inner)
    else:
        x_range, y_range = _padded(m["x"], 0.22), _padded(m["y"], 0.18)
    ids = m["topic_id"].astype(int).tolist()
    data = [dict(
        type="scatter", x=m["x"], y=m["y"], mode="markers+text", cliponaxis=False,
        text=[t if p else str(tid) for t, p, tid in zip(texts, positions, ids)],
        textposition=[p or "middle center" for p in positions],
        marker=dict(size=diameters,
                    color=[topic_color(t) for t in m["topic_id"]], opacity=0.8,
                    line=dict(width=1.5, color=OUTLINE)),
        customdata=np.column_stack([m["topic_id"].astype(int), [esc(v) for v in m["label"].fillna("")],
                                    sizes.astype(int), m["compound"].astype(float)]),
        hovertemplate="%{customdata[1]}<br>%{customdata[2]} articles<br>"
                      "mean compound %{customdata[3]:+.3f}<extra></extra>",
        name="topics",
    )]
    return _figure(data, _layout(title, height=460, showlegend=False, selectable=True,
                                 xaxis=dict(_BARE_AXIS, range=x_range),
                                 yaxis=dict(_BARE_AXIS, range=y_range)))


def article_map(article_map: pd.DataFrame, articles: pd.DataFrame, color_by: str = "topic",
                title: str = "Article map (nearby = similar)") -> go.Figure:
    """Articles as points at their 2-D map position, coloured by topic (one trace per
    topic, topic colours) or by sentiment (diverging); customdata = (article id, title,
    topic id, topic label, compound)."""
    m = article_map.merge(articles[["article_id", "title", "topic_id", "topic_label", "compound"]],
                          on="article_id", how="inner")
    data = []

    def custom(part):
        return np.column_stack([part["article_id"].astype(str),
                                [esc(short(t, 80)) for t in part["title"].fillna("")],
                                part["topic_id"].astype(int),
                                [esc(v) for v in part["topic_label"].fillna("")],
                                part["compound"].astype(float)])

    hover = ("%{customdata[1]}<br>topic: %{customdata[3]}<br>"
             "compound %{customdata[4]:+.3f}<extra></extra>")
    if color_by == "sentiment":
        # An article's mean compound is rarely beyond ±0.4: on a −1…1 scale every point
        # was the same grey.  The scale spans the articles' own extent, symmetric around
        # 0 (at least ±0.25; the colour bar says the range).
        values = m["compound"].astype(float)
        top = float(values.abs().max()) if values.notna().any() else 0.0
        extent = min(1.0, max(0.25, math.ceil(round(top * 20, 6)) / 20))
        data.append(dict(
            type="scatter", x=m["x"], y=m["y"], mode="markers", name="articles",
            marker=dict(size=7, color=values.fillna(0), cmin=-extent, cmax=extent,
                        colorscale=SENTIMENT_SCALE, showscale=True,
                        colorbar=dict(title="compound", thickness=12)),
            customdata=custom(m), hovertemplate=hover,
        ))
    else:
        for tid, part in m.groupby("topic_id", sort=True):
            data.append(dict(
                type="scatter", x=part["x"], y=part["y"], mode="markers",
                name=esc(short(part["topic_label"].iloc[0])),
                marker=dict(size=7, color=topic_color(tid), opacity=0.8),
                customdata=custom(part), hovertemplate=hover,
            ))
    return _figure(data, _layout(title, height=460, selectable=True, xaxis=_BARE_AXIS,
                                 yaxis=_BARE_AXIS))


# --------------------------------------------------------------------------- sentiment
def sentiment_histogram(hist: pd.DataFrame, title: str = "Sentiment distribution",
                        unit: str = "sentences") -> go.Figure:
    """Bars of a compound histogram (``low``, ``high``, ``n`` per bin, as
    :func:`analysis.views.histogram` and the store query give it), each bar coloured by
    its centre on the diverging scale; customdata = (bin low, bin high).  An odd number
    of bins keeps a bin centred on 0, so neutral sentences get a grey bar."""
    lows, highs = hist["low"].to_numpy(float), hist["high"].to_numpy(float)
    centres = (lows + highs) / 2
    width = float(highs[0] - lows[0]) if len(hist) else 0.1
    data = [dict(
        type="bar", x=centres, y=hist["n"].to_numpy(), width=width * 0.95,
        marker=dict(color=[sentiment_color(c) for c in centres]),
        customdata=np.column_stack([lows, highs]),
        hovertemplate="%{customdata[0]:+.2f} … %{customdata[1]:+.2f}<br>%{y} " + unit
                      + "<extra></extra>", name=unit,
    )]
    return _figure(data, _layout(title, height=320, showlegend=False, selectable=True,
                                 xaxis=dict(title=dict(text="compound"), range=[-1.05, 1.05],
                                            dtick=0.25),
                                 yaxis=dict(title=dict(text=unit))))


def label_bar(counts: pd.DataFrame, title: str = "Sentences by sentiment") -> go.Figure:
    """Count of negative / neutral / positive sentences from a label-counts frame
    (``label``, ``n_sentences``; :func:`analysis.views.label_counts`); customdata = label."""
    counts = counts.set_index("label")["n_sentences"].reindex(LABEL_ORDER, fill_value=0)
    total = max(int(counts.sum()), 1)
    data = [dict(
        type="bar", x=counts.values, y=LABEL_ORDER, orientation="h",
        marker=dict(color=[LABEL_COLORS[k] for k in LABEL_ORDER]),
        text=[f"{v / total:.0%}" for v in counts.values], textposition="inside",
        # Dark text on the grey neutral bar, white on red and green: readable on both
        # themes (the bar colours are the same on both).
        textfont=dict(color=["#ffffff", "#111111", "#ffffff"], size=13),
        insidetextanchor="start",
        customdata=[[k] for k in LABEL_ORDER],
        hovertemplate="%{y}: %{x} sentences<extra></extra>", name="",
    )]
    return _figure(data, _layout(title, height=220, showlegend=False, selectable=True,
                                 yaxis=dict(autorange="reversed"),
                                 xaxis=dict(title=dict(text="sentences"))))


def sentiment_arc(sentences: pd.DataFrame, rolling: int = 3,
                  title: str = "Sentiment arc") -> go.Figure:
    """One article's sentences in order: compound per sentence (coloured markers) and a
    rolling mean; customdata = (sentence id, escaped text)."""
    s = sentences.sort_values("sentence_id")
    values = s["compound"].astype(float)
    data = [dict(
        type="scatter", x=s["sentence_id"], y=values, mode="lines+markers", name="sentence",
        line=dict(color=NEU, width=1),
        marker=dict(size=8, color=[sentiment_color(v) for v in values]),
        customdata=np.column_stack([s["sentence_id"], [esc(short(t, 90)) for t in s["text"]]]),
        hovertemplate="sentence %{customdata[0]}: %{y:+.3f}<br>%{customdata[1]}<extra></extra>",
    )]
    if rolling and rolling > 1 and len(s) > 2:
        data.append(dict(type="scatter", x=s["sentence_id"],
                         y=values.rolling(rolling, min_periods=1).mean(),
                         mode="lines", name=f"rolling mean ({rolling} sentences)",
                         line=dict(color=ROLLING_COLOR, width=2.5, dash="dash"),
                         hoverinfo="skip"))
    # Whole sentence numbers only: a short article's axis was ticked 0, 0.5, 1.
    return _figure(data, _layout(title, height=280, shapes=[_HLINE_ZERO],
                                 xaxis=dict(title=dict(text="sentence"),
                                            dtick=1 if len(s) <= 12 else None, tickformat="d"),
                                 yaxis=dict(title=dict(text="compound"), range=[-1.05, 1.05])))


def k_scores(k_scores: pd.DataFrame, chosen: int | None = None,
             title: str = "Choosing the number of topics") -> go.Figure:
    """One small panel per numeric measure of ``k_scores`` (whatever columns it has
    besides ``k``, e.g. reconstruction error, coherence, diversity, iterations) against
    ``k``, each on its own y-axis, with the chosen k marked in every panel.  Columns
    that flag the choice (``chosen``, boolean) are not drawn as measures."""
    fig = go.Figure()
    if "k" not in k_scores or k_scores.empty:
        return _base(fig, title, height=200)
    ks = k_scores.sort_values("k")
    measures = [c for c in ks.columns if c != "k" and c != "chosen"
                and pd.api.types.is_numeric_dtype(ks[c]) and not pd.api.types.is_bool_dtype(ks[c])]
    cols = max(1, min(3, len(measures)))
    rows = max(1, math.ceil(len(measures) / cols))
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=[esc(m.replace("_", " "))
                                                              for m in measures],
                        horizontal_spacing=0.08, vertical_spacing=0.22)
    for i, col in enumerate(measures):
        r, c = i // cols + 1, i % cols + 1
        fig.add_scatter(x=ks["k"], y=ks[col], mode="lines+markers", name=esc(col),
                        line=dict(color=TOPIC_PALETTE[i % len(TOPIC_PALETTE)]),
                        hovertemplate="k=%{x}: %{y:.3g}<extra>" + esc(col) + "</extra>",
                        showlegend=False, row=r, col=c)
        if chosen is not None and (ks["k"] == chosen).any():
            y = ks.loc[ks["k"] == chosen, col].iloc[0]
            fig.add_scatter(x=[chosen], y=[y], mode="markers", showlegend=False,
                            marker=dict(size=13, symbol="star", color="#f2b701",
                                        line=dict(width=1, color="#333")),
                            hovertemplate=f"chosen k={chosen}<extra></extra>", row=r, col=c)
        if chosen is not None:
            fig.add_vline(x=chosen, line=dict(color=NEU, dash="dash"), row=r, col=c)
    fig.update_xaxes(dtick=1, title_text=None)
    fig.update_annotations(font_size=12)
    fig = _base(fig, title + (f" (chosen: k = {chosen})" if chosen is not None else ""),
                height=60 + 210 * rows, showlegend=False)
    fig.update_layout(margin=dict(l=10, r=10, t=80, b=10))
    return fig
