"""Typed date ranges (analysis.date_range)."""
import datetime as dt

import pytest

from analysis.date_range import DateRangeError, parse_date_range

D = dt.date
FIRST, LAST = D(2024, 6, 4), D(2024, 9, 6)


@pytest.mark.parametrize("text, expected", [
    ("2024-07-01 to 2024-07-31", (D(2024, 7, 1), D(2024, 7, 31))),
    ("2024-07-01 – 2024-07-31", (D(2024, 7, 1), D(2024, 7, 31))),
    ("2024-07-01 - 2024-07-05", (D(2024, 7, 1), D(2024, 7, 5))),
    ("2024-07-01..2024-07-05", (D(2024, 7, 1), D(2024, 7, 5))),
    ("from 2024-07-01 to 2024-07-10", (D(2024, 7, 1), D(2024, 7, 10))),
    ("between 1 Jul 2024 and 4 Jul 2024", (D(2024, 7, 1), D(2024, 7, 4))),
    # each side covers what it names: a month is its whole month
    ("Jul 2024 to Aug 2024", (D(2024, 7, 1), D(2024, 8, 31))),
    ("July 2024", (D(2024, 7, 1), D(2024, 7, 31))),
    ("2024-07", (D(2024, 7, 1), D(2024, 7, 31))),
    ("2024 August", (D(2024, 8, 1), D(2024, 8, 31))),
    ("Sept 2024", (D(2024, 9, 1), D(2024, 9, 6))),      # clipped to the corpus end
    ("2024-07-04", (D(2024, 7, 4), D(2024, 7, 4))),
    ("July 4, 2024", (D(2024, 7, 4), D(2024, 7, 4))),
    ("  2024-07-04  ", (D(2024, 7, 4), D(2024, 7, 4))),
    ("2024", (FIRST, LAST)),
    ("all", (FIRST, LAST)),
    ("since 2024-08-15", (D(2024, 8, 15), LAST)),
    ("until July 2024", (FIRST, D(2024, 7, 31))),
    # relative ranges end at the corpus's last date, not today
    ("last 7 days", (D(2024, 8, 31), LAST)),
    ("last week", (D(2024, 8, 31), LAST)),
    ("Last 2 months", (D(2024, 7, 7), LAST)),
    ("past 1 year", (FIRST, LAST)),
])
def test_a_typed_range_reads_as_a_person_means_it(text, expected):
    assert parse_date_range(text, FIRST, LAST) == expected


@pytest.mark.parametrize("text, says", [
    ("", "Type a date range"),
    ("garbage", "Could not read 'garbage'"),
    ("July", "not a whole date"),
    ("4 July", "not a whole date"),
    ("2024-13", "no month 13"),
    ("2024-08-01 to 2024-07-01", "starts (2024-08-01) after it ends (2024-07-01)"),
    ("2023", "the corpus runs from 2024-06-04 to 2024-09-06"),
    ("2024-07-01 to 2024-07-02 to 2024-07-03", "more than two dates"),
    ("2024-07-01 to ", "Could not read"),
    ("last 0 days", "at least 1"),
])
def test_what_is_not_a_range_of_the_corpus_says_why(text, says):
    with pytest.raises(DateRangeError) as err:
        parse_date_range(text, FIRST, LAST)
    assert says in str(err.value)
