"""Tests for analysis.dates: news stamps and date columns."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import pytest

from analysis.dates import parse_dates, parse_news_stamp


@pytest.mark.parametrize(
    "values, dayfirst, expected",
    [
        (["03/04/2024", "25/12/2024"], None, ["2024-04-03", "2024-12-25"]),
        (["03/04/2024", "12/25/2024"], None, ["2024-03-04", "2024-12-25"]),
        (["03/04/2024"], True, ["2024-04-03"]),
        ([20240822, 1724300764.0], None, ["2024-08-22", "2024-08-22 04:26:04"]),
        ([datetime(2024, 8, 22), pd.Timestamp("2024-08-22 06:00", tz="Europe/Berlin")], None,
         ["2024-08-22", "2024-08-22 04:00"]),
    ],
)
def test_parse_dates(values, dayfirst, expected):
    published, warnings = parse_dates(values, dayfirst=dayfirst)
    assert published.dtype == "datetime64[ns]"
    assert list(published) == [pd.Timestamp(e) for e in expected]
    assert warnings == [""] * len(values)


def test_parse_dates_timezone_aware_column():
    series = pd.Series(pd.to_datetime(["2024-08-22 06:26:04+02:00"], utc=True)).dt.tz_convert("Europe/Berlin")
    published, _ = parse_dates(series)
    assert list(published) == [pd.Timestamp("2024-08-22 04:26:04")]


@pytest.mark.parametrize("value", ["March", "04:26", "hello", True, 12345, "1800-01-01", "2999-01-01"])
def test_parse_dates_rejects(value):
    published, warnings = parse_dates([value])
    assert pd.isna(published[0]) and warnings[0].endswith("published left unknown")


def test_parse_news_stamp():
    assert parse_news_stamp("news-22082024-042604") == (datetime(2024, 8, 22, 4, 26, 4), "")
    value, warning = parse_news_stamp("news-01012030-000000", now=datetime(2024, 1, 1))
    assert value is None and "is in the future" in warning
