"""Tests for analysis.keyword_query: the boolean keyword language."""
import duckdb
import numpy as np
import pandas as pd
import pytest

from analysis.keyword_query import QueryError, parse_query

TEXTS = pd.Series([
    "OPEC cut oil output, Saudi officials said.",     # 0 oil opec saudi
    "Palm oil prices rose; OPEC met.",                # 1 oil opec "palm oil"
    "Saudi oil exports fell.",                        # 2 oil saudi
    "The foil factory and the opec-like cartel.",     # 3 not 'oil'; 'opec' before a hyphen
    None,                                             # 4 missing text
    "",                                               # 5 empty
    "Interest\n rates rose as the central bank met.",  # 6 phrase across a line break
    "Flooded streets, floods and a flood warning.",   # 7 prefix
], dtype=object)


@pytest.mark.parametrize("query, rows", [
    ("oil", [0, 1, 2]),
    ("OIL", [0, 1, 2]),
    ("oil AND (opec OR saudi) NOT palm", [0, 2]),
    ("oil (opec OR saudi) NOT palm", [0, 2]),          # side by side means AND
    ('oil NOT "palm oil"', [0, 2]),
    ("opec OR saudi", [0, 1, 2, 3]),
    ("saudi OR opec AND palm", [0, 1, 2]),             # AND binds tighter than OR
    ("(saudi OR opec) AND palm", [1]),
    ('"interest rates"', [6]),
    ('"interest rate"', []),                           # whole words only
    ("flood", [7]),
    ("flood*", [7]),
    ("floo*", [7]),
    ("opec-like", [3]),
    ("(.*)", []),                                      # text, never a regex
    ("oil and gas", []),                               # lower-case 'and' is a word
])
def test_matches_whole_words_with_boolean_operators(query, rows):
    q = parse_query(query)
    mask = q.mask(TEXTS)
    assert mask.dtype == bool and len(mask) == len(TEXTS)
    assert list(np.flatnonzero(mask)) == rows
    assert [q.matches(t) for t in TEXTS.fillna("")] == list(mask)


def test_prefix_needs_two_letters_and_is_a_prefix_only_then():
    assert parse_query("econom*").terms[0].prefix
    assert not parse_query("e*").terms[0].prefix
    assert parse_query("e*").mask(pd.Series(["e* here", "economy"])).tolist() == [True, False]


def test_mask_over_several_columns_takes_them_together():
    q = parse_query("oil AND opec")
    title = pd.Series(["Oil report", "Nothing"])
    body = pd.Series(["OPEC met.", "OPEC met."])
    assert q.mask(title, body).tolist() == [True, False]
    assert q.mask(body).tolist() == [False, False]


def test_positive_terms_and_mentions():
    q = parse_query('oil AND (opec OR saudi) NOT "palm oil"')
    assert [str(t) for t in q.terms] == ["oil", "opec", "saudi", '"palm oil"']
    assert [str(t) for t in q.positive_terms] == ["oil", "opec", "saudi"]
    assert q.mentions(pd.Series(["Saudi.", "Palm.", "OPEC"])).tolist() == [True, False, True]
    assert str(q) == 'oil AND (opec OR saudi) AND NOT "palm oil"'
    assert parse_query(str(q)) == q


@pytest.mark.parametrize("query, message", [
    ("", "nothing to search for"),
    ("   ", "nothing to search for"),
    ("oil AND", "AND needs a word or phrase after it, found the end of the query"),
    ("oil OR OR gas", "OR needs a word or phrase after it, found 'OR' at position 8"),
    ("NOT", "NOT needs a word or phrase"),
    ("(oil", r"'\(' at position 1 is not closed"),
    ("oil)", r"'\)' at position 4 has no matching '\('"),
    ('"palm oil', "the quote at position 1 is not closed"),
    ('""', 'empty phrase "" at position 1'),
    ("()", "empty parentheses at position 1"),
    ("NOT palm", "only NOT terms"),
])
def test_malformed_queries_say_where_and_why(query, message):
    with pytest.raises(QueryError, match=message):
        parse_query(query)
    with pytest.raises(ValueError):  # QueryError is a ValueError: the CLI's one-line error
        parse_query(query)


@pytest.mark.parametrize("query", [
    "oil", "oil AND (opec OR saudi) NOT palm", '"interest rates"', "flood*", "(.*)",
    "opec-like", "oil and gas", "saudi OR opec AND palm",
])
def test_duckdb_predicate_selects_the_same_rows(query):
    q = parse_query(query)
    frame = pd.DataFrame({"id": range(len(TEXTS)), "text": TEXTS,
                          "title": ["Oil"] + [""] * (len(TEXTS) - 1)})
    con = duckdb.connect()
    con.register("t", frame)
    for cols in (["text"], ["title", "text"]):
        pred, params = q.sql(*cols)
        assert "?" in pred and query not in pred or query == "oil"  # patterns are parameters
        got = [r[0] for r in con.execute(f"SELECT id FROM t WHERE {pred} ORDER BY id",
                                         params).fetchall()]
        expected = list(np.flatnonzero(q.mask(*(frame[c] for c in cols))))
        assert got == expected, (cols, pred)


def test_sql_quotes_column_names():
    pred, params = parse_query("oil").sql('we"ird')
    assert '"we""ird"' in pred and len(params) == 1
