"""Clicks to view state: chart-click callbacks that set the filter widgets, undo and
clear, and the sync between the widgets' session state and the URL (through
:mod:`dashboard.state`)."""
from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pandas as pd
import streamlit as st

from analysis.periods import period_range
from analysis.topic_groups import member_topics
from dashboard import data
from dashboard import state as vs
from dashboard.charts import esc  # the charts' escaping, to match their labels

ss = st.session_state


def _points(key: str) -> list[dict]:
    event = ss.get(key)
    if not event:
        return []
    try:
        return list(event["selection"]["points"])
    except (KeyError, TypeError):
        return []


def _custom(point: dict, i: int):
    """Item ``i`` of a selected point's ``customdata``.

    The browser sends a row of a numeric ``customdata`` array (Plotly's typed arrays)
    as an object ``{"0": lo, "1": hi}``, a row of a mixed one as a list and a 1-D one
    as a bare value; all three are read here."""
    cd = point.get("customdata")
    if cd is None:
        return None
    if isinstance(cd, dict):
        try:
            cd = [cd[k] for k in sorted(cd, key=int)]
        except (TypeError, ValueError):
            return None
    elif not isinstance(cd, (list, tuple)):
        cd = [cd]
    return cd[i] if len(cd) > i else None


FILTER_WIDGETS = ("w_dates", "w_topics", "w_outlets", "w_sent", "w_q")


def _remember_filters() -> None:
    ss.setdefault("_undo", []).append({k: ss.get(k) for k in FILTER_WIDGETS})
    del ss["_undo"][:-10]


def undo_click() -> None:
    if ss.get("_undo"):
        prev = ss["_undo"].pop()
        for k, v in prev.items():
            if v is None:
                ss.pop(k, None)
            else:
                ss[k] = v


def clear_filters() -> None:
    _remember_filters()
    for k in FILTER_WIDGETS:
        ss.pop(k, None)
    ss["w_sent"] = (-1.0, 1.0)
    ss["w_q"] = ""
    ss["w_topics"] = []
    ss["w_outlets"] = []
    ss["_clear_dates"] = True
    ss["w_dates_text"] = ""
    ss.pop("_dates_error", None)


def _period_range(iso: str, freq: str) -> tuple[dt.date, dt.date]:
    """The clicked period as dates: from the point's own start (a first period may
    start on the first article's day) to the period's end."""
    lo, hi = period_range(iso, freq)
    return max(lo, pd.Timestamp(iso).date()), hi


def select_period(key: str, freq: str) -> None:
    """Chart click on a period (bar / point): filter the date range to it."""
    periods = [_custom(p, 0) for p in _points(key)]
    periods = [p for p in periods if p]
    if not periods:
        return
    _remember_filters()
    ranges = [_period_range(p, freq) for p in periods]
    ss["w_dates"] = (min(r[0] for r in ranges), max(r[1] for r in ranges))
    ss["_clicked"] = f"{len(periods)} period(s) from a chart"


def select_keyword_period(key: str, freq: str, tracked: list[str]) -> None:
    """Click on a tracked query's point (customdata = period ISO, escaped query): filter
    the dates to the period(s) and show that query's sentences."""
    select_period(key, freq)
    by_shown = {esc(q): q for q in tracked}
    clicked = {by_shown.get(_custom(p, 1)) for p in _points(key)} - {None}
    if len(clicked) == 1:
        ss["w_track_pick"] = clicked.pop()


def select_period_topic(key: str, freq: str, groups=None) -> None:
    """Chart click on a topic's period (stacked area, topic lines): filter to both (a
    theme's point, with ``groups`` of :mod:`analysis.topic_groups`: to its topics)."""
    pts = [p for p in _points(key) if _custom(p, 0)]
    if not pts:
        return
    _remember_filters()
    ranges = [_period_range(_custom(p, 0), freq) for p in pts]
    ss["w_dates"] = (min(r[0] for r in ranges), max(r[1] for r in ranges))
    ss["w_topics"] = member_topics({int(_custom(p, 1)) for p in pts}, groups)


def select_topics(key: str, label_index: int | None = None, groups=None) -> None:
    """Chart click on topic bars / bubbles (customdata[0] = topic id, or a folded
    theme's id: its topics, from ``groups``)."""
    pts = _points(key)
    ids = member_topics({int(_custom(p, 0)) for p in pts if _custom(p, 0) is not None}, groups)
    if not ids:
        return
    _remember_filters()
    ss["w_topics"] = ids
    if label_index is not None:
        labels = {_custom(p, label_index) for p in pts}
        if len(labels) == 1:
            ss["ev_label"] = labels.pop()


def select_outlet_topic(key: str, groups=None) -> None:
    """Click on an outlet × topic cell (customdata[0] = outlet, [1] = topic id, or a
    folded theme's: its topics, from ``groups``): filter to that outlet and topic (a
    box over several cells: to all of theirs)."""
    pts = [p for p in _points(key) if _custom(p, 0) is not None and _custom(p, 1) is not None]
    if not pts:
        return
    _remember_filters()
    ss["w_outlets"] = sorted({str(_custom(p, 0)) for p in pts})
    ss["w_topics"] = member_topics({int(_custom(p, 1)) for p in pts}, groups)
    ss["_clicked"] = "a cell of the outlet × topic chart"


def select_sentiment_bin(key: str) -> None:
    """Click on article-sentiment histogram bars: filter the sentiment range to them."""
    pts = _points(key)
    lows = [float(_custom(p, 0)) for p in pts if _custom(p, 0) is not None]
    highs = [float(_custom(p, 1)) for p in pts if _custom(p, 1) is not None]
    if not lows:
        return
    _remember_filters()
    # Outwards to 0.01, so the range holds every article of the bins (rounding the
    # low edge 0.0476 to 0.05 would drop an article at 0.048).
    lo = math.floor(round(min(lows) * 100, 6)) / 100
    hi = math.ceil(round(max(highs) * 100, 6)) / 100
    ss["w_sent"] = (max(-1.0, lo), min(1.0, hi))


def select_label(key: str) -> None:
    pts = _points(key)
    labels = [_custom(p, 0) for p in pts if _custom(p, 0)]
    if labels:
        ss["ev_label"] = labels[0]


def open_article_from_map(key: str) -> None:
    pts = _points(key)
    ids = [_custom(p, 0) for p in pts if _custom(p, 0)]
    if ids:
        ss["art"] = str(ids[0])
        ss["tab"] = "Articles"


def select_article(ids: list[str]) -> None:
    event = ss.get("art_table")
    try:
        rows = list(event["selection"]["rows"])
    except (KeyError, TypeError):
        rows = []
    if rows and rows[0] < len(ids):
        ss["art"] = ids[rows[0]]


def view_widget(name: str) -> dict:
    """``key`` and ``on_change`` for the widget of the view setting ``name``
    (:data:`dashboard.state.VIEW_KEYS`).

    Streamlit forgets a widget's value on a run that does not draw it (its tab is
    closed), so the setting itself lives in ``v_<name>``: copied into the widget before
    it is drawn and back when the user changes it."""
    wkey = f"w_{name}"
    ss[wkey] = ss.get(f"v_{name}", vs.DEFAULTS[name])

    def keep():
        ss[f"v_{name}"] = ss[wkey]

    return {"key": wkey, "on_change": keep}


# --------------------------------------------------------------------------- URL sync
def init_from_url() -> None:
    """On a session's first run, copy the URL's state into the widgets' state."""
    if ss.get("_init"):
        return
    ss["_init"] = True
    st_, problems = vs.from_params(st.query_params.to_dict())
    ss["_url_problems"] = problems
    args = data.cli_args()
    root = data.data_root()
    if st_["src"]:
        ss["w_path"] = st_["src"]
    elif args.store or args.source:
        ss["w_path"] = args.store or args.source
    elif root is not None:
        ss["w_path"] = str(root)
    if args.cache_dir and "w_cache" not in ss:
        ss["w_cache"] = args.cache_dir
    ss["k_applied"] = st_["k"]
    ss["w_k"] = "Auto" if st_["k"] is None else st_["k"]
    ss["_url_dates"] = (st_["start"], st_["end"])
    ss["w_topics"] = list(st_["topics"])
    ss["w_outlets"] = list(st_["outlets"])
    ss["w_sent"] = tuple(st_["sent"])
    ss["w_q"] = st_["q"]
    for name in vs.VIEW_KEYS:
        ss[f"v_{name}"] = st_[name]
    ss["names"] = dict(st_["names"])
    ss["art"] = st_["art"]
    ss["tab"] = st_["tab"] or vs.TABS[0]


def current_state(span) -> dict:
    start = end = None
    dates = ss.get("w_dates")
    if dates and len(dates) == 2 and span[0] is not None:
        if dates[0] > span[0]:
            start = dates[0]
        if dates[1] < span[1]:
            end = dates[1]
    src = ss.get("w_path", "").strip()
    return {
        "src": src if ss.get("w_mode") != "Upload files" and src and
        Path(src).expanduser().resolve() != data.DEFAULT_SOURCE.resolve() else None,
        "k": ss.get("k_applied"), "start": start, "end": end,
        "topics": list(ss.get("w_topics") or []),
        "outlets": list(ss.get("w_outlets") or []), "sent": tuple(ss.get("w_sent", (-1.0, 1.0))),
        "q": ss.get("w_q", ""),
        **{name: ss.get(f"v_{name}", vs.DEFAULTS[name]) for name in vs.VIEW_KEYS},
        "names": dict(ss.get("names") or {}), "art": ss.get("art"), "tab": ss.get("tab"),
    }


def sync_url(state: dict) -> None:
    params = vs.to_params(state)
    if params != st.query_params.to_dict():
        st.query_params.from_dict(params)
