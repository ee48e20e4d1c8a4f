"""Tests for analysis.topic_labels: topic labels from their best terms."""
from __future__ import annotations

import pytest

from analysis.topic_labels import topic_label


@pytest.mark.parametrize("terms, expected", [
    (["prime", "prime minister", "minister", "election", "vote"], "prime · minister · election"),
    (["prime minister", "minister", "prime", "labour", "party"], "prime minister · labour · party"),
    (["film", "films", "award", "awards", "actor"], "film · award · actor"),
    (["bank"], "bank"),
    ([], "(no terms)"),
])
def test_label_never_repeats_a_word(terms, expected):
    assert topic_label(terms) == expected
