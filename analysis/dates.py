"""Publication dates: ``news-DDMMYYYY-HHMMSS`` stamps and table date columns.

:func:`parse_news_stamp` reads the stamp in the header or file name of a seed-format
text file; :func:`parse_dates` parses a whole column of dates in the common formats.
A date that is impossible, before 1900 or in the future is left unknown with a warning.
"""

from __future__ import annotations

import math
import re
from datetime import datetime, timedelta
from typing import Any, Iterable, Sequence

import numpy as np
import pandas as pd
from dateutil import parser as dateutil_parser

__all__ = ["parse_news_stamp", "parse_dates"]

EARLIEST_DATE = datetime(1900, 1, 1)

_STAMP_RE = re.compile(r"^news-(\d{2})(\d{2})(\d{4})-(\d{2})(\d{2})(\d{2})$")
# Anything that looks like the header format, to report malformed ones.
_STAMP_LIKE_RE = re.compile(r"^news-\d+-\d+$", re.I)
_MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


def _latest_date(now: datetime | None = None) -> datetime:
    return (now or datetime.now()) + timedelta(days=1)


def _range_problem(value: datetime, now: datetime | None = None) -> str:
    """'' when value is a plausible publication time, else why not."""
    if value < EARLIEST_DATE:
        return "is before 1900"
    if value > _latest_date(now):
        return "is in the future"
    return ""


def parse_news_stamp(
    stamp: str, *, where: str = "", now: datetime | None = None
) -> tuple[datetime | None, str]:
    """Parse ``news-DDMMYYYY-HHMMSS``; return ``(datetime or None, warning or '')``.

    ``where`` (e.g. ``"header"``) is named in the warning.

    >>> parse_news_stamp("news-22082024-042604")
    (datetime.datetime(2024, 8, 22, 4, 26, 4), '')
    >>> parse_news_stamp("news-31022024-000000")[1]
    "impossible date in 'news-31022024-000000' (31 Feb 2024); published left unknown"
    """
    quoted = f"{where} '{stamp}'" if where else f"'{stamp}'"
    m = _STAMP_RE.match(stamp.strip())
    if not m:
        return None, f"{quoted} is not in the form news-DDMMYYYY-HHMMSS; published left unknown"
    day, month, year, hour, minute, second = (int(g) for g in m.groups())
    try:
        value = datetime(year, month, day, hour, minute, second)
    except ValueError:
        if 1 <= month <= 12:
            what = f"{day} {_MONTHS[month - 1]} {year}"
        else:
            what = f"day {day}, month {month}, year {year}"
        if not (hour < 24 and minute < 60 and second < 60):
            what += f", time {hour:02d}:{minute:02d}:{second:02d}"
        return None, f"impossible date in {quoted} ({what}); published left unknown"
    problem = _range_problem(value, now)
    if problem:
        return None, f"date {value:%Y-%m-%d %H:%M:%S} in {quoted} {problem}; published left unknown"
    return value, ""


_NUMERIC_RE = re.compile(r"^[+-]?\d+(?:\.\d+)?$")
_SLASH_DATE_RE = re.compile(r"^\s*(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2,4})\b")


def _auto_dayfirst(strings: Iterable[str]) -> bool:
    """True when some ``a/b/yyyy`` value can only be day-first (a > 12)."""
    for s in strings:
        m = _SLASH_DATE_RE.match(s)
        if m and int(m.group(1)) > 12:
            return True
    return False


def _number_to_datetime(v: float) -> datetime | None:
    """Epoch seconds or milliseconds by magnitude, or an integer YYYYMMDD."""
    if v != v or math.isinf(v):
        return None
    if float(v).is_integer() and 19000101 <= v <= 21001231:
        try:
            return datetime.strptime(str(int(v)), "%Y%m%d")
        except ValueError:
            pass
    if 1e8 <= abs(v) < 1e11:
        seconds = v
    elif 1e11 <= abs(v) < 1e14:
        seconds = v / 1000
    else:
        return None
    return datetime(1970, 1, 1) + timedelta(seconds=seconds)


def _to_naive_utc(value: Any) -> datetime | None:
    """A datetime-like value as a naive datetime (aware ones converted to UTC)."""
    ts = pd.Timestamp(value)
    if ts is pd.NaT:
        return None
    if ts.tzinfo is not None:
        ts = ts.tz_convert("UTC").tz_localize(None)
    return ts.to_pydatetime()


def _parse_one(value: Any, dayfirst: bool) -> datetime | None:
    """Parse one non-ISO date value; None when it is not a date."""
    if isinstance(value, (datetime, pd.Timestamp, np.datetime64)):
        return _to_naive_utc(value)
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        return _number_to_datetime(float(value))
    if not isinstance(value, str):
        return None
    s = value.strip()
    if _NUMERIC_RE.match(s):
        return _number_to_datetime(float(s))
    if _STAMP_RE.match(s):
        return parse_news_stamp(s)[0]
    try:
        # Year 1 as the default exposes values without a year ("March", "04:26").
        parsed = dateutil_parser.parse(s, dayfirst=dayfirst, default=datetime(1, 1, 1))
    except (ValueError, OverflowError, TypeError):
        return None
    if parsed.year == 1:
        return None
    return _to_naive_utc(parsed)


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, (float, np.floating, np.datetime64)) and pd.isna(value):
        return True
    if isinstance(value, str) and not value.strip():
        return True
    return False


def parse_dates(
    values: Sequence[Any] | pd.Series,
    *,
    dayfirst: bool | None = None,
    now: datetime | None = None,
) -> tuple[pd.Series, list[str]]:
    """Parse a column of publication dates robustly, value by value.

    Accepts ISO 8601 (with or without time; with a timezone it is converted to UTC and
    the timezone dropped), day-first or month-first dates (``dayfirst=None`` means
    auto: day-first when some ``a/b/yyyy`` value has a > 12), epoch seconds or
    milliseconds (numbers or digit strings, chosen by magnitude), ``YYYYMMDD``
    integers, ``news-DDMMYYYY-HHMMSS`` and datetime objects.

    Returns ``(published, warnings)``: a ``datetime64[ns]`` Series (positional index)
    with NaT where the value is missing, unparseable, before 1900 or more than a day in
    the future, and a list of warning strings ('' when none; missing values get none).
    """
    items = list(values)
    n = len(items)
    if isinstance(values, pd.Series) and pd.api.types.is_datetime64_any_dtype(values.dtype):
        series = values.reset_index(drop=True)
        if getattr(series.dt, "tz", None) is not None:
            series = series.dt.tz_convert("UTC").dt.tz_localize(None)
        items = [None if v is pd.NaT else v.to_pydatetime() for v in series]

    result: list[datetime | None] = [None] * n
    warnings = [""] * n
    todo = [i for i, v in enumerate(items) if not _is_missing(v)]

    # Fast path: vectorised ISO 8601 for string values that are not plain numbers.
    iso_idx = [i for i in todo if isinstance(items[i], str) and not _NUMERIC_RE.match(items[i].strip())]
    if iso_idx:
        parsed = pd.to_datetime(
            pd.Series([items[i].strip() for i in iso_idx], dtype=object),
            format="ISO8601", utc=True, errors="coerce",
        ).dt.tz_localize(None)
        done = set()
        for i, ts in zip(iso_idx, parsed):
            if ts is not pd.NaT:
                result[i] = ts.to_pydatetime()
                done.add(i)
        todo = [i for i in todo if i not in done]

    if todo:
        if dayfirst is None:
            dayfirst = _auto_dayfirst(items[i] for i in todo if isinstance(items[i], str))
        for i in todo:
            result[i] = _parse_one(items[i], dayfirst)
            if result[i] is None:
                warnings[i] = f"unparseable date {_short_repr(items[i])}; published left unknown"

    for i, value in enumerate(result):
        if value is not None:
            problem = _range_problem(value, now)
            if problem:
                result[i] = None
                warnings[i] = f"date {_short_repr(items[i])} {problem}; published left unknown"
    return pd.Series(result, dtype="datetime64[ns]"), warnings


def _short_repr(value: Any, limit: int = 60) -> str:
    text = value if isinstance(value, str) else str(value)
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    return f"'{text}'"
