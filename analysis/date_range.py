"""Typed date ranges: what a user writes where a date range is asked for.

:func:`parse_date_range` turns text such as ``2024-07-01 to 2024-07-31``, ``July 2024``,
``2024``, ``Jul 2024 – Sep 2024``, ``since 2024-07-15`` or ``last 30 days`` into an
inclusive ``(start, end)`` pair of :class:`datetime.date`, clipped to the corpus's span.

* Each side of a range covers what it names: a year its whole year, a month its whole
  month, a day that day; so ``Jul 2024 to Sep 2024`` runs from 1 July to 30 September.
* Sides are joined by ``to``, ``until``, ``through``, ``..``, an en or em dash, or a
  hyphen with spaces around it (``2024-07-01 - 2024-07-31``).
* ``last N days|weeks|months|years`` (and ``last week``, ``past month``) end at the
  corpus's **last** date, not today: an archive is read after the fact.
* ``from A to B``, ``between A and B``; ``since``/``from``/``after`` DATE runs to the end of the corpus; ``until``/``to``/``before``
  DATE from its start; ``all`` is the whole span.
* Single dates are read by :mod:`dateutil` (ISO, ``4 Jul 2024``, ``July 4, 2024``, and
  ``07/04/2024`` month first unless the first number cannot be a month).

Anything else raises :class:`DateRangeError` with a message that quotes the text and says
what is accepted; so does a range that ends before it starts or misses the corpus.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re

from dateutil import parser as dateutil_parser
from dateutil.relativedelta import relativedelta

__all__ = ["DateRangeError", "parse_date_range", "EXAMPLES"]

EXAMPLES = "2024-07-01 to 2024-07-31 · July 2024 · 2024 · since 2024-07-15 · last 30 days"

_MONTH_NAMES = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTH_NAMES.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_MONTH_NAMES["sept"] = 9

_SEPARATOR = re.compile(r"\s+(?:to|until|till|through|thru|-)\s+|\s*(?:\.\.|–|—)\s*", re.I)
_RELATIVE = re.compile(r"^(?:last|past|previous)\s+(\d+\s*)?(day|week|month|year)s?$", re.I)
_OPEN_START = re.compile(r"^(?:since|from|after|starting)\s+(.+)$", re.I)
_OPEN_END = re.compile(r"^(?:until|till|to|before|up\s+to|through)\s+(.+)$", re.I)
_BETWEEN = re.compile(r"^between\s+(.+)$", re.I)
_FROM = re.compile(r"^from\s+(.+)$", re.I)
_YEAR = re.compile(r"^(\d{4})$")
_YEAR_MONTH = re.compile(r"^(\d{4})[-/.](\d{1,2})$")
_MONTH_YEAR_NUM = re.compile(r"^(\d{1,2})[-/.](\d{4})$")
_MONTH_YEAR = re.compile(r"^([A-Za-z]+)\.?,?\s+(\d{4})$")
_YEAR_MONTH_NAME = re.compile(r"^(\d{4})\s+([A-Za-z]+)\.?$")


class DateRangeError(ValueError):
    """Typed text that is not a date range of the corpus; the message says why."""


def _month(year: int, month: int, text: str) -> tuple[dt.date, dt.date]:
    if not 1 <= month <= 12:
        raise DateRangeError(f"'{text}': there is no month {month}.")
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def _covered(text: str) -> tuple[dt.date, dt.date]:
    """First and last day that one side of a range names (a year, a month or a day)."""
    t = text.strip().strip(",")
    if m := _YEAR.match(t):
        y = int(m.group(1))
        return dt.date(y, 1, 1), dt.date(y, 12, 31)
    if m := _YEAR_MONTH.match(t):
        return _month(int(m.group(1)), int(m.group(2)), text)
    if m := _MONTH_YEAR_NUM.match(t):
        return _month(int(m.group(2)), int(m.group(1)), text)
    for pattern, name_at, year_at in ((_MONTH_YEAR, 1, 2), (_YEAR_MONTH_NAME, 2, 1)):
        m = pattern.match(t)
        if m and m.group(name_at).lower() in _MONTH_NAMES:
            return _month(int(m.group(year_at)), _MONTH_NAMES[m.group(name_at).lower()], text)
    try:
        # Two different defaults: a date that dateutil completes from its default (no
        # day, or no year) parses differently under each, so it is not a whole date.
        a = dateutil_parser.parse(t, default=dt.datetime(2000, 1, 1))
        b = dateutil_parser.parse(t, default=dt.datetime(2001, 2, 2))
    except (ValueError, OverflowError):
        raise DateRangeError(f"Could not read '{text}' as a date. Try one of: {EXAMPLES}.")
    if a.date() != b.date():
        raise DateRangeError(f"'{text}' is not a whole date (say the year, month and day, "
                             "or a month such as July 2024).")
    return a.date(), a.date()


def _relative(count: int, unit: str, last: dt.date) -> dt.date:
    """Start of the ``count`` last ``unit``s that end on ``last`` (inclusive)."""
    step = {"day": relativedelta(days=count), "week": relativedelta(weeks=count),
            "month": relativedelta(months=count), "year": relativedelta(years=count)}[unit]
    return last - step + dt.timedelta(days=1)


def _range_parts(t: str) -> list[str]:
    """The sides of a two-sided range (one element when ``t`` is not one)."""
    if m := _BETWEEN.match(t):
        return re.split(r"\s+and\s+", m.group(1), flags=re.I)
    if m := _FROM.match(t):
        parts = _SEPARATOR.split(m.group(1))
        return parts if len(parts) > 1 else [t]
    return _SEPARATOR.split(t)


def _fmt(d: dt.date) -> str:
    return d.isoformat()


def parse_date_range(text: str, first: dt.date, last: dt.date) -> tuple[dt.date, dt.date]:
    """``(start, end)``, inclusive, that ``text`` names, clipped to the corpus span
    ``first``..``last``.

    Raises :class:`DateRangeError` when the text is empty or unreadable, when the range
    ends before it starts, or when it holds no day of the corpus.
    """
    t = " ".join(str(text or "").split())
    if not t:
        raise DateRangeError(f"Type a date range, e.g. {EXAMPLES}.")
    if t.lower() in ("all", "everything", "all dates", "any"):
        return first, last
    if m := _RELATIVE.match(t):
        count = int(m.group(1)) if m.group(1) else 1
        if count < 1:
            raise DateRangeError(f"'{text}': the count must be at least 1.")
        start, end = _relative(count, m.group(2).lower(), last), last
    elif len(parts := _range_parts(t)) > 1:
        if len(parts) > 2:
            raise DateRangeError(f"'{text}' has more than two dates; a range is a start "
                                 "and an end, e.g. 2024-07-01 to 2024-07-31.")
        if not parts[0].strip() or not parts[1].strip():
            raise DateRangeError(f"'{text}' is missing a date on one side.")
        start, end = _covered(parts[0])[0], _covered(parts[1])[1]
    elif m := _OPEN_START.match(t):
        start, end = _covered(m.group(1))[0], last
    elif m := _OPEN_END.match(t):
        start, end = first, _covered(m.group(1))[1]
    else:
        start, end = _covered(t)
    if start > end:
        raise DateRangeError(f"'{text}' starts ({_fmt(start)}) after it ends ({_fmt(end)}).")
    if end < first or start > last:
        raise DateRangeError(f"No article is dated {_fmt(start)} – {_fmt(end)}: the corpus "
                             f"runs from {_fmt(first)} to {_fmt(last)}.")
    return max(start, first), min(end, last)
