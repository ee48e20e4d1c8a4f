"""Tests for analysis.criteria.Criteria.report_args: a dashboard filter as the options of
``python -m analysis report``, read back by the real command-line parser."""
from __future__ import annotations

import pandas as pd
import pytest

from analysis import cli
from analysis.criteria import Criteria

TOPICS = pd.DataFrame({"topic_id": [0, 1, 2], "label": ["oil · opec", "bank · rates", "film"],
                       "terms": ["oil, opec", "bank, rates", "film"]})


def _parsed(args: list[str]) -> Criteria:
    ns = cli.build_parser().parse_args(["report", "SRC", "--out", "OUT", *args])
    return Criteria(**cli._criteria(ns, TOPICS))


@pytest.mark.parametrize("c", [
    Criteria(),
    Criteria(start="2024-03-01", end="2024-03-31"),
    Criteria(start=pd.Timestamp("2024-03-01 06:30"), topics=(2, 0)),
    Criteria(keyword='"central bank" AND NOT rates*', sentiment=(-0.5, 0.25)),
    Criteria(outlets=("Reuters", ""), sentiment=(0.05, 1.0), end="2025-01-06"),
])
def test_report_args_say_the_same_filter(c):
    assert _parsed(c.report_args()) == c


def test_undated_with_dates_cannot_be_said():
    with pytest.raises(ValueError, match="undated"):
        Criteria(start="2024-01-01", include_undated=True).report_args()
