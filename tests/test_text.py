"""Tests for analysis.text: paragraphs, headings, HTML detection and titles."""

from __future__ import annotations

import pytest

from analysis.text import clean_text, is_heading, looks_like_html, make_title, split_blocks


def test_ticker_in_angle_brackets_is_not_html():
    assert not looks_like_html("Burlington <BR> and First Interstate <I> said <shu> it had")
    assert looks_like_html("<p>One</p>")


@pytest.mark.parametrize(
    "raw, paragraphs",
    [
        ("One\ntwo.\n\n\n\nThree.", ["One two.", "Three."]),
        ("Tabs\tand\u00a0nbsp   here.", ["Tabs and nbsp here."]),
        # Reuters: paragraphs begin with indented lines, wrapped lines are not indented.
        ("First line\nwraps here.\n    Second para\nwraps too.\n    Third.\n    Fourth.",
         ["First line wraps here.", "Second para wraps too.", "Third.", "Fourth."]),
        # Uniform indentation is not a paragraph signal.
        ("    Indented\n    block of text.", ["Indented block of text."]),
        # A Title-Case wrapped line is not a heading in hard-wrapped text.
        ("Texas Commerce Bancshares Inc's Texas\nCommerce Bank-Houston said it filed.",
         ["Texas Commerce Bancshares Inc's Texas Commerce Bank-Houston said it filed."]),
        # A colon line inside a wrapped sentence is not a heading.
        ("the proposal by the European\nCommission:\nit said.", ["the proposal by the European Commission: it said."]),
        ("Oilseed export registrations were:\nSunflowerseed 15.0", ["Oilseed export registrations were: Sunflowerseed 15.0"]),
        # Headings after a finished sentence, with or without a blank line.
        ("Intro ends.\nThe Escape:\nHe ran.", ["Intro ends.", "The Escape:", "He ran."]),
        ("The Aftermath\n" + "Long line. " * 12, ["The Aftermath", ("Long line. " * 12).strip()]),
        # Lines too long to be hard wraps are paragraphs.
        ("A" * 120 + ".\nNext paragraph.", ["A" * 120 + ".", "Next paragraph."]),
        ("Items:\n - first item\n - second item", ["Items:", "- first item", "- second item"]),
    ],
    ids=["blank-lines", "spaces", "reuters", "uniform-indent", "wrapped-title-case",
         "wrapped-colon", "lowercase-colon", "heading-mid-block", "title-heading", "long-lines", "bullets"],
)
def test_split_blocks(raw, paragraphs):
    assert split_blocks(raw) == paragraphs
    assert clean_text(raw) == "\n\n".join(paragraphs)


@pytest.mark.parametrize(
    "line, expected",
    [
        ("The Escape:", True), ("In Conclusion:", True), ("What Comes Next:", True),
        ("The Aftermath", True), ("Q3 Results:", True),
        ("Oilseed export registrations were:", False), ("He said:", False),
        ("Asked what the level was, he replied:", False), ("Net 807,000 vs 2,858,000", False),
        ("A sentence that ends.", False), ("", False), ("lowercase start:", False),
        ("One Two Three Four Five Six Seven Eight Nine:", False),
    ],
)
def test_is_heading(line, expected):
    assert is_heading(line) is expected


@pytest.mark.parametrize(
    "text, title",
    [
        ("Short Headline Here\n\nBody sentence one.", "Short Headline Here"),
        ("The Escape:\n\nHe ran away. Then more.", "He ran away."),
        ("First sentence is short. Second one.", "First sentence is short."),
        ("", ""),
    ],
)
def test_make_title(text, title):
    assert make_title(text) == title
