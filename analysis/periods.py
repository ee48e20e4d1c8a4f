"""Period arithmetic (hour, day, week, month): one list of periods and the functions
that turn a time into its period and a period into a date range."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

__all__ = ["FREQS", "PERIOD_CHOICES", "MIN_ARTICLES_PER_PERIOD", "check_freq", "auto_freq_for_span",
           "period_range", "period_name", "PERIOD_NAME_FORMATS", "period_coverage",
           "with_coverage"]

#: Period names accepted everywhere, with the pandas period they map to (weeks start
#: on Monday, as ISO weeks and DuckDB's ``date_trunc('week', …)`` do).
FREQS = {"hour": "h", "day": "D", "week": "W-SUN", "month": "M"}
#: The periods a user picks from, "auto" first (the dashboard's selector, the CLI's --freq).
PERIOD_CHOICES = ("auto", *FREQS)


#: Fewest articles per period (on average over the span) that "auto" aims for: below
#: it a bar is a handful of articles and the mean sentiment line is mostly noise.
MIN_ARTICLES_PER_PERIOD = 10


def check_freq(freq: str) -> str:
    """``freq`` itself when it names a period; else ValueError naming what is allowed."""
    if freq not in FREQS:
        raise ValueError(f"freq must be one of {sorted(FREQS) + ['auto']}, got {freq!r}")
    return freq


def auto_freq_for_span(first, last, n_dated: int, min_articles: int = MIN_ARTICLES_PER_PERIOD,
                       max_periods: int = 120) -> str:
    """The finest period (hour, day, week, month) with enough articles per period, for
    ``n_dated`` articles from ``first`` to ``last``.

    Picks the finest period giving at most ``max_periods`` periods and on average at
    least ``min_articles`` articles in each, and at least three periods (a 5-day window
    of 550 articles is shown by day, not as 110 hourly bars of 1 to 7 articles).  A
    corpus too small for that anywhere gets the finest period with at least one article
    per period on average; month otherwise; ``day`` when nothing is dated.
    """
    if first is None or last is None or n_dated == 0 or pd.isna(first) or pd.isna(last):
        return "day"
    first, last = pd.Timestamp(first), pd.Timestamp(last)
    n_periods = {f: len(pd.period_range(first, last, freq=FREQS[f])) for f in FREQS}
    for least, fewest in ((min_articles, 3), (1, 1)):  # 2 points make no line
        for freq in FREQS:  # finest first
            n = n_periods[freq]
            if fewest <= n <= max_periods and n_dated >= least * n:
                return freq
    return "month"


def period_range(start, freq: str) -> tuple[dt.date, dt.date]:
    """First and last day of the ``freq`` period that ``start`` (ISO text or a time)
    falls in: what a click on that period of a chart filters to."""
    ts = pd.Timestamp(start)
    period = pd.Period(ts, freq=FREQS[check_freq(freq)])
    return period.start_time.date(), period.end_time.date()


#: How a period is named to a reader (hover texts, evidence headings), by period.
PERIOD_NAME_FORMATS = {"hour": "%a %-d %b %Y, %H:00", "day": "%a %-d %b %Y",
                       "week": "week of %a %-d %b %Y", "month": "%B %Y"}


def period_name(start, freq: str) -> str:
    """A period's name from its start: "week of Mon 3 Jun 2024", "Tue 4 Jun 2024",
    "June 2024"."""
    return pd.Timestamp(start).strftime(PERIOD_NAME_FORMATS.get(freq, "%Y-%m-%d"))


def _end_exclusive(t) -> pd.Timestamp:
    """The first moment after an inclusive end: a midnight (a date without a time, as
    most table exports and the date filter give it) covers its whole day."""
    t = pd.Timestamp(t)
    return t + pd.Timedelta(days=1) if t == t.normalize() else t


def period_coverage(starts, freq: str, first, last, start=None, end=None) -> np.ndarray:
    """Per period (its ``starts``), the share of its time a view covers: the corpus runs
    from its first to its last publication time (``first``, ``last``), and a date
    filter (``start``, ``end``, inclusive) narrows that, so the first and last periods
    are usually partial (an archive indexed every day ends mid-week) and their counts
    are not comparable with whole periods.

    A ``last`` or ``end`` at midnight is a date without a time: it covers its whole
    day.  Returns float64 in 0..1 (all 1 when ``first`` or ``last`` is missing).

    >>> period_coverage(pd.to_datetime(["2024-06-03", "2024-06-10"]), "week",
    ...                 pd.Timestamp("2024-06-03"), pd.Timestamp("2024-06-11 12:00")).round(3)
    array([1.   , 0.214])
    """
    starts = pd.DatetimeIndex(pd.to_datetime(starts))
    out = np.ones(len(starts))
    if not len(starts) or first is None or last is None or pd.isna(first) or pd.isna(last):
        return out
    lo, hi = pd.Timestamp(first), _end_exclusive(last)
    if start is not None and not pd.isna(start):
        lo = max(lo, pd.Timestamp(start))
    if end is not None and not pd.isna(end):
        hi = min(hi, _end_exclusive(end))
    ends = pd.DatetimeIndex((starts.to_period(FREQS[check_freq(freq)]) + 1).start_time)
    ns = lambda t: t.as_unit("ns").asi8  # noqa: E731  (times as int64 nanoseconds)
    covered = (np.minimum(ns(ends), hi.as_unit("ns").value)
               - np.maximum(ns(starts), lo.as_unit("ns").value))
    return np.clip(covered / (ns(ends) - ns(starts)), 0.0, 1.0)


def with_coverage(timeline: pd.DataFrame, freq: str, first, last, start=None,
                  end=None) -> pd.DataFrame:
    """``timeline`` (a frame with ``period``) with a ``coverage`` column (float64):
    :func:`period_coverage` of each period."""
    out = timeline.copy()
    out["coverage"] = (period_coverage(out["period"], freq, first, last, start, end)
                       if len(out) else np.zeros(0))
    return out
