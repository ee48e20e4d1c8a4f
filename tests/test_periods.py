"""Period arithmetic: one list of periods, clicks turned into date ranges."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from analysis import aggregate
from analysis.periods import (FREQS, auto_freq_for_span, check_freq, period_coverage,
                              period_range, with_coverage)


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


def test_period_coverage_first_and_last_periods_are_partial():
    starts = pd.to_datetime(["2024-06-01", "2024-07-01", "2024-08-01"])
    first, last = pd.Timestamp("2024-06-16"), pd.Timestamp("2024-08-08 12:00")
    got = period_coverage(starts, "month", first, last)
    assert got[0] == pytest.approx(15 / 30) and got[1] == 1.0
    assert got[2] == pytest.approx(7.5 / 31)
    # a date without a time covers its day; hours are partial too
    assert period_coverage(starts[2:], "month", first, pd.Timestamp("2024-08-08"))[0] == \
        pytest.approx(8 / 31)
    assert period_coverage(pd.to_datetime(["2024-08-08 10:00"]), "hour", first,
                           pd.Timestamp("2024-08-08 10:15"))[0] == pytest.approx(0.25)
    # no dates: nothing to say, every period whole
    assert period_coverage(starts, "month", None, pd.NaT).tolist() == [1.0, 1.0, 1.0]


def test_a_date_filter_narrows_the_coverage():
    starts = pd.to_datetime(["2024-06-03", "2024-06-10", "2024-06-17"])
    first, last = pd.Timestamp("2024-06-01 09:00"), pd.Timestamp("2024-06-30 18:00")
    assert period_coverage(starts, "week", first, last).tolist() == [1.0, 1.0, 1.0]
    got = period_coverage(starts, "week", first, last, dt.date(2024, 6, 5), dt.date(2024, 6, 18))
    assert got == pytest.approx([5 / 7, 1.0, 2 / 7])  # Wed-Sun, whole, Mon-Tue
    tl = pd.DataFrame({"period": starts, "n_articles": [7, 7, 2]})
    assert with_coverage(tl, "week", first, last, None, dt.date(2024, 6, 18))[
        "coverage"].tolist() == pytest.approx([1.0, 1.0, 2 / 7])
