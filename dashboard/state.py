"""The dashboard's view state and its query-string form, as pure functions.

The state is a plain dict (see :data:`DEFAULTS`)::

    src    str | None     folder or file the corpus is read from (None: the default seeds)
    k      int | None     number of topics (None: chosen from the data)
    start  date | None    first publication date shown (inclusive)
    end    date | None    last publication date shown (inclusive)
    topics list[int]      topic ids shown (empty: all)
    outlets list[str]     outlets shown (empty: all; "" = articles without an outlet)
    sent   (float, float) range of the article mean compound shown
    q      str            keyword (whole word or phrase) in title or text
    freq   str            period of the time charts: auto, hour, day, week, month
    roll   int            rolling-mean window in periods (1: none)
    split  bool           per-topic time charts shown (Over time tab)
    track  str            keyword queries followed over time, one per line (Sentiment tab)
    map    str            map shown on the Topics tab: one of MAPS
    group  str            per-topic charts show "themes" (when themes group several
                          topics), "topics", or a theme id: themes, that one opened
    cmp_a  (date, date) | None  period A of the Compare tab (None: the default ranges)
    cmp_b  (date, date) | None  period B of the Compare tab
    names  dict[int, str] topic renames
    art    str | None     article open in the reader
    tab    str | None     tab shown

:func:`to_params` turns it into ``{name: str}`` for ``st.query_params`` (defaults left
out, so a plain URL means the default view); :func:`from_params` reads such a mapping
back, ignoring values it cannot read (a hand-edited URL never breaks the page) and
reporting them in the second item it returns.
"""
from __future__ import annotations

import datetime as dt
import json
import math
from typing import Any, Mapping

from analysis.periods import PERIOD_CHOICES

__all__ = ["DEFAULTS", "FREQS", "MAPS", "VIEW_KEYS", "COMPARE_KEYS", "TABS", "range_param",
           "outlets_param", "parse_outlets_param",
           "parse_range_param", "K_MAX", "K_MIN", "default_state", "to_params",
           "from_params", "filter_kwargs", "is_filtered", "clear_filters"]

FREQS = PERIOD_CHOICES
#: The Topics tab's maps: URL value → the label on the page.
MAPS = {"topics": "Topics", "articles": "Articles by topic",
        "sentiment": "Articles by sentiment"}
TABS = ("Overview", "Over time", "Topics", "Outlets", "Sentiment", "Compare", "Articles",
        "Corrections", "Skipped inputs")
#: The numbers of topics the sidebar offers: up to the top of the automatic range
#: (``analysis.topics.K_MAX``, a test keeps them equal; not imported here, to keep this
#: module free of scikit-learn), so a user can pick any k the automatic choice can.
K_MIN, K_MAX = 2, 40

DEFAULTS: dict[str, Any] = {
    "src": None, "k": None, "start": None, "end": None, "topics": [], "outlets": [],
    "sent": (-1.0, 1.0),
    "q": "", "freq": "auto", "roll": 3, "split": False, "track": "", "map": "topics",
    "group": "themes",
    "cmp_a": None, "cmp_b": None, "names": {}, "art": None, "tab": None,
}

#: View settings drawn by a tab's own widgets (not filters): kept in session state
#: under ``v_<name>`` whether or not their tab is open.
VIEW_KEYS = ("freq", "roll", "split", "track", "map", "group", "cmp_a", "cmp_b")
#: The compare ranges: ``cmp_a=2024-06-01:2024-06-30`` in the URL.
COMPARE_KEYS = ("cmp_a", "cmp_b")

#: The keys that restrict which articles are shown (cleared by "Clear filters").
FILTER_KEYS = ("start", "end", "topics", "outlets", "sent", "q")


def default_state() -> dict:
    """A fresh copy of :data:`DEFAULTS`."""
    return {k: (list(v) if isinstance(v, list) else dict(v) if isinstance(v, dict) else v)
            for k, v in DEFAULTS.items()}


def _fmt_float(x: float) -> str:
    return f"{x:g}"


def to_params(state: Mapping[str, Any]) -> dict[str, str]:
    """Query-string form of ``state``: ``{name: str}``, default values omitted."""
    s = {**DEFAULTS, **state}
    out: dict[str, str] = {}
    if s["src"]:
        out["src"] = str(s["src"])
    if s["k"] is not None:
        out["k"] = str(int(s["k"]))
    for key in ("start", "end"):
        if s[key] is not None:
            out[key] = _as_date(s[key]).isoformat()
    if s["topics"]:
        out["topics"] = ",".join(str(int(t)) for t in sorted(set(int(t) for t in s["topics"])))
    if s["outlets"]:
        out["outlets"] = outlets_param(s["outlets"])
    lo, hi = s["sent"]
    if (float(lo), float(hi)) != DEFAULTS["sent"]:
        out["sent"] = f"{_fmt_float(float(lo))},{_fmt_float(float(hi))}"
    if s["q"] and str(s["q"]).strip():
        out["q"] = str(s["q"]).strip()
    if s["freq"] != DEFAULTS["freq"]:
        out["freq"] = str(s["freq"])
    if int(s["roll"]) != DEFAULTS["roll"]:
        out["roll"] = str(int(s["roll"]))
    if s["split"]:
        out["split"] = "1"
    if s["track"] and str(s["track"]).strip():
        out["track"] = str(s["track"]).strip()
    if s["map"] != DEFAULTS["map"] and s["map"] in MAPS:
        out["map"] = str(s["map"])
    if str(s["group"]) != DEFAULTS["group"]:
        out["group"] = str(s["group"])
    for key in COMPARE_KEYS:
        if s[key]:
            out[key] = range_param(s[key])
    names = {int(k): str(v) for k, v in (s["names"] or {}).items() if str(v).strip()}
    if names:
        out["names"] = json.dumps({str(k): names[k] for k in sorted(names)}, ensure_ascii=False,
                                  separators=(",", ":"))
    if s["art"]:
        out["art"] = str(s["art"])
    if s["tab"] and s["tab"] != TABS[0]:
        out["tab"] = str(s["tab"])
    return out


def outlets_param(outlets) -> str:
    """Outlet names as the URL writes them: ``Herald,Wire`` (sorted), or a JSON list
    when a name would not survive that (empty, with a comma, starting with ``[``, or
    with spaces at either end)."""
    names = sorted({str(o) for o in outlets})
    if any(not n or "," in n or n.startswith("[") or n != n.strip() for n in names):
        return json.dumps(names, ensure_ascii=False, separators=(",", ":"))
    return ",".join(names)


def parse_outlets_param(text: str) -> list[str]:
    """The inverse of :func:`outlets_param` (raises ``ValueError`` on a bad JSON list)."""
    text = str(text)
    if text.startswith("["):
        raw = json.loads(text)
        if not isinstance(raw, list) or not all(isinstance(o, str) for o in raw):
            raise ValueError(text)
        return sorted({o[:200] for o in raw})
    return sorted({o.strip()[:200] for o in text.split(",") if o.strip()})


def range_param(period) -> str:
    """``(start, end)`` as the URL writes a compare range: ``2024-06-01:2024-06-30``."""
    return f"{_as_date(period[0]).isoformat()}:{_as_date(period[1]).isoformat()}"


def parse_range_param(text: str) -> tuple[dt.date, dt.date]:
    """The inverse of :func:`range_param` (raises ``ValueError``)."""
    start, end = (dt.date.fromisoformat(p.strip()[:10]) for p in str(text).split(":"))
    if end < start:
        raise ValueError(text)
    return start, end


def _as_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if hasattr(value, "date") and callable(value.date):  # pandas Timestamp
        return value.date()
    return dt.date.fromisoformat(str(value)[:10])


def _first(value) -> str:
    # st.query_params gives the last value of a repeated key as str; a plain dict of
    # lists (urllib.parse.parse_qs) gives lists.
    if isinstance(value, (list, tuple)):
        return str(value[-1]) if value else ""
    return str(value)


def from_params(params: Mapping[str, Any]) -> tuple[dict, list[str]]:
    """State read from a query-string mapping, and a list of what was ignored and why.

    Unknown keys are ignored silently; known keys with unreadable values are ignored
    and reported (``"k: not a number of topics from 2 to 20: 'x'"``)."""
    state = default_state()
    problems: list[str] = []

    def bad(key, why, raw):
        problems.append(f"{key}: {why}: {raw!r}")

    p = {k: _first(v) for k, v in params.items()}
    if p.get("src", "").strip():
        state["src"] = p["src"].strip()
    if "k" in p:
        try:
            k = int(p["k"])
            if not K_MIN <= k <= K_MAX:
                raise ValueError
            state["k"] = k
        except ValueError:
            bad("k", f"not a number of topics from {K_MIN} to {K_MAX}", p["k"])
    for key in ("start", "end"):
        if key in p:
            try:
                state[key] = dt.date.fromisoformat(p[key].strip()[:10])
            except ValueError:
                bad(key, "not a date (YYYY-MM-DD)", p[key])
    if state["start"] and state["end"] and state["start"] > state["end"]:
        bad("end", "before start", p.get("end"))
        state["end"] = None
    if "topics" in p and p["topics"].strip():
        ids = []
        for part in p["topics"].split(","):
            try:
                ids.append(int(part))
            except ValueError:
                bad("topics", "not a topic id", part)
        state["topics"] = sorted(set(t for t in ids if t >= -1))
    if "outlets" in p and p["outlets"].strip():
        try:
            state["outlets"] = parse_outlets_param(p["outlets"])
        except ValueError:
            bad("outlets", "not a list of outlets (comma-separated or a JSON list)",
                p["outlets"])
    if "sent" in p:
        try:
            lo, hi = (float(x) for x in p["sent"].split(","))
            if not (math.isfinite(lo) and math.isfinite(hi)) or not -1 <= lo <= hi <= 1:
                raise ValueError
            state["sent"] = (lo, hi)
        except ValueError:
            bad("sent", "not a range 'low,high' within -1..1", p["sent"])
    if p.get("q", "").strip():
        state["q"] = p["q"].strip()[:200]
    if "freq" in p:
        if p["freq"] in FREQS:
            state["freq"] = p["freq"]
        else:
            bad("freq", f"not one of {', '.join(FREQS)}", p["freq"])
    if "roll" in p:
        try:
            roll = int(p["roll"])
            if not 1 <= roll <= 52:
                raise ValueError
            state["roll"] = roll
        except ValueError:
            bad("roll", "not a window from 1 to 52", p["roll"])
    if "split" in p:
        if p["split"] in ("0", "1"):
            state["split"] = p["split"] == "1"
        else:
            bad("split", "not 0 or 1", p["split"])
    if p.get("track", "").strip():
        state["track"] = p["track"].strip()[:2000]
    if "map" in p:
        if p["map"] in MAPS:
            state["map"] = p["map"]
        else:
            bad("map", f"not one of {', '.join(MAPS)}", p["map"])
    if "group" in p:  # a theme id is checked against the corpus's themes where drawn
        if p["group"] in ("topics", "themes") or p["group"].isdigit():
            state["group"] = p["group"]
        else:
            bad("group", "not topics, themes or a theme number", p["group"])
    for key in COMPARE_KEYS:
        if key in p:
            try:
                state[key] = parse_range_param(p[key])
            except ValueError:
                bad(key, "not a date range START:END (YYYY-MM-DD:YYYY-MM-DD)", p[key])
    if "names" in p:
        try:
            raw = json.loads(p["names"])
            if not isinstance(raw, dict):
                raise ValueError
            state["names"] = {int(k): str(v)[:120] for k, v in raw.items() if str(v).strip()}
        except (ValueError, TypeError):
            bad("names", "not a JSON object of topic id to name", p["names"])
    if p.get("art", "").strip():
        state["art"] = p["art"].strip()
    if "tab" in p:
        if p["tab"] in TABS:
            state["tab"] = p["tab"]
        else:
            bad("tab", "not a tab", p["tab"])
    return state, problems


def filter_kwargs(state: Mapping[str, Any]) -> dict:
    """Keyword arguments for :func:`analysis.aggregate.filter_result` (``start``, ``end``,
    ``topics``, ``sentiment``, ``keyword``, ``outlets``), ``None`` for criteria left at
    their default."""
    s = {**DEFAULTS, **state}
    lo, hi = s["sent"]
    return {
        "start": s["start"],
        "end": s["end"],
        "topics": sorted(int(t) for t in s["topics"]) or None,
        "sentiment": None if (float(lo), float(hi)) == DEFAULTS["sent"] else (float(lo), float(hi)),
        "keyword": str(s["q"]).strip() or None,
        "outlets": sorted({str(o) for o in s["outlets"]}) or None,
    }


def is_filtered(state: Mapping[str, Any]) -> bool:
    """True when any filter criterion differs from its default."""
    return any(v is not None for v in filter_kwargs(state).values())


def clear_filters(state: Mapping[str, Any]) -> dict:
    """Copy of ``state`` with every filter criterion back to its default."""
    out = dict(state)
    for key in FILTER_KEYS:
        out[key] = default_state()[key]
    return out
