"""Period arithmetic (hour, day, week, month): one list of periods and the functions
that turn a time into its period and a period into a date range."""
from __future__ import annotations

import datetime as dt

import pandas as pd

__all__ = ["FREQS", "check_freq", "auto_freq_for_span", "period_range"]

#: Period names accepted everywhere, with the pandas period they map to (weeks start
#: on Monday, as ISO weeks and DuckDB's ``date_trunc('week', …)`` do).
FREQS = {"hour": "h", "day": "D", "week": "W-SUN", "month": "M"}


def check_freq(freq: str) -> str:
    """``freq`` itself when it names a period; else ValueError naming what is allowed."""
    if freq not in FREQS:
        raise ValueError(f"freq must be one of {sorted(FREQS) + ['auto']}, got {freq!r}")
    return freq


def auto_freq_for_span(first, last, n_dated: int, max_periods: int = 120) -> str:
    """The finest period (hour, day, week) with at most ``max_periods`` periods from
    ``first`` to ``last`` and at least one of the ``n_dated`` articles per period on
    average; else month; ``day`` when nothing is dated."""
    if first is None or last is None or n_dated == 0:
        return "day"
    first, last = pd.Timestamp(first), pd.Timestamp(last)
    for freq in ("hour", "day", "week"):
        n_periods = len(pd.period_range(first, last, freq=FREQS[freq]))
        if n_periods <= max_periods and n_dated >= n_periods:
            return freq
    return "month"


def period_range(start, freq: str) -> tuple[dt.date, dt.date]:
    """First and last day of the ``freq`` period that ``start`` (ISO text or a time)
    falls in: what a click on that period of a chart filters to."""
    ts = pd.Timestamp(start)
    period = pd.Period(ts, freq=FREQS[check_freq(freq)])
    return period.start_time.date(), period.end_time.date()
