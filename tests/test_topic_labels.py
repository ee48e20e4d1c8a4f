"""Tests for analysis.topic_labels: topic labels from their best terms."""
from __future__ import annotations

import numpy as np
import pytest

from analysis.topic_labels import label_of, same_family, topic_label


@pytest.mark.parametrize("terms, expected", [
    (["prime", "prime minister", "minister", "election", "vote"], "prime · minister · election"),
    (["prime minister", "minister", "prime", "labour", "party"], "prime minister · labour · party"),
    (["film", "films", "award", "awards", "actor"], "film · award · actor"),
    (["russian", "ukraine", "ukrainian", "russia", "soldiers"], "russian · ukraine · soldiers"),
    (["kestrel", "bay", "kestrel bay", "tamsin", "storm"], "kestrel · bay · tamsin"),
    (["bank"], "bank"),
    ([], "(no terms)"),
])
def test_label_never_repeats_a_word_or_a_family(terms, expected):
    assert topic_label(terms) == expected


def test_a_strong_bigram_replaces_its_word():
    terms = ["kestrel", "bay", "kestrel bay", "tamsin", "storm"]
    assert topic_label(terms, weights=[1.0, 0.9, 0.8, 0.5, 0.4]) == "kestrel bay · tamsin · storm"
    # a weak bigram does not
    assert topic_label(terms, weights=[1.0, 0.9, 0.3, 0.5, 0.4]) == "kestrel · bay · tamsin"


def test_label_of_a_weight_vector():
    terms = np.array(["bay", "kestrel", "kestrel bay", "storm", "zero"], dtype=object)
    h = np.array([0.9, 1.0, 0.8, 0.5, 0.0])
    assert label_of(h, terms) == "kestrel bay · storm"


@pytest.mark.parametrize("a, b, same", [
    ("russia", "russian", True), ("ukraine", "ukrainian", True), ("election", "elections", True),
    ("bank", "banks", True), ("interest", "international", False), ("oil", "oilseed", False),
    ("US", "USA", False), ("trade", "trade", True), ("match", "market", False),
])
def test_same_family(a, b, same):
    assert same_family(a, b) is same
