"""Period arithmetic: one list of periods, clicks turned into date ranges."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from analysis import aggregate
from analysis.periods import FREQS, auto_freq_for_span, check_freq, period_range


@pytest.mark.parametrize("start,freq,want", [
    ("2024-07-03T14:00:00", "hour", (dt.date(2024, 7, 3), dt.date(2024, 7, 3))),
    ("2024-07-03", "day", (dt.date(2024, 7, 3), dt.date(2024, 7, 3))),
    ("2024-07-01", "week", (dt.date(2024, 7, 1), dt.date(2024, 7, 7))),
    ("2024-07-03", "week", (dt.date(2024, 7, 1), dt.date(2024, 7, 7))),  # Monday to Sunday
    ("2024-12-30", "week", (dt.date(2024, 12, 30), dt.date(2025, 1, 5))),
    ("2024-02-01", "month", (dt.date(2024, 2, 1), dt.date(2024, 2, 29))),
])
def test_period_range(start, freq, want):
    assert period_range(start, freq) == want
    assert period_range(pd.Timestamp(start), freq) == want


def test_period_names_are_checked():
    with pytest.raises(ValueError, match=r"freq must be one of .*got 'year'"):
        period_range("2024-01-01", "year")
    assert check_freq("week") == "week"
    assert aggregate.FREQS is FREQS


def test_auto_freq_for_span_matches_the_series_version():
    times = pd.Series(pd.date_range("2024-01-01", periods=300, freq="7h"))
    for n in (2, 40, 300):
        part = times.iloc[:n]
        assert auto_freq_for_span(part.min(), part.max(), len(part)) == \
            aggregate.auto_freq(part)
    assert auto_freq_for_span(None, None, 0) == "day"
