"""analysis.row_pool: rows read by key, kept for the next caller."""
from __future__ import annotations

import pandas as pd

from analysis.row_pool import RowPool


def _rows(keys):
    return pd.DataFrame({"month": [m for m, _ in keys], "art": [a for _, a in keys],
                         "text": [f"{m}/{a}" for m, a in keys]})


def test_only_missing_keys_are_fetched_and_rows_come_back_whole():
    pool = RowPool(["month", "art"], max_rows=10)
    asked = []

    def fetch(missing):
        asked.append(list(zip(missing["month"], missing["art"])))
        return _rows(list(zip(missing["month"], missing["art"])))

    first = pd.DataFrame({"month": ["a", "a", "b"], "art": [1, 2, 1]})
    got = pool.get(first, fetch)
    assert sorted(zip(got["month"], got["art"], got["text"])) == [
        ("a", 1, "a/1"), ("a", 2, "a/2"), ("b", 1, "b/1")]
    second = pd.DataFrame({"month": ["a", "c", "a"], "art": [2, 7, 2]})  # a duplicate key
    got = pool.get(second, fetch)
    assert asked == [[("a", 1), ("a", 2), ("b", 1)], [("c", 7)]]
    assert sorted(zip(got["month"], got["art"])) == [("a", 2), ("c", 7)]
    assert list(got.columns) == ["month", "art", "text"]
    pool.get(second, fetch)  # everything kept: nothing fetched
    assert len(asked) == 2


def test_a_key_the_store_lacks_is_absent_and_the_size_is_bounded():
    pool = RowPool(["month", "art"], max_rows=3)
    got = pool.get(pd.DataFrame({"month": ["a"], "art": [1]}), lambda m: _rows([]))
    assert got.empty
    for i in range(5):
        pool.get(pd.DataFrame({"month": ["a"], "art": [i]}),
                 lambda m: _rows(list(zip(m["month"], m["art"]))))
    assert len(pool) == 3  # the most recently added
    fetched = []
    pool.get(pd.DataFrame({"month": ["a", "a"], "art": [0, 4]}),
             lambda m: (fetched.extend(m["art"]), _rows(list(zip(m["month"], m["art"]))))[1])
    assert fetched == [0]


def test_no_keys_ask_the_fetch_for_its_own_empty_frame():
    # the caller's empty frame keeps the fetch's column types (a store's empty read),
    # not the kept rows' types
    pool = RowPool(["month", "art"])
    pool.get(pd.DataFrame({"month": ["a"], "art": [1]}), lambda m: _rows([("a", 1)]))
    empty = pd.DataFrame({"month": pd.Series(dtype=object), "art": pd.Series(dtype="int64"),
                          "text": pd.Series(dtype="float64")})
    got = pool.get(pd.DataFrame({"month": [], "art": []}), lambda m: empty)
    assert got.empty and got["text"].dtype == "float64"


def test_take_gives_each_key_s_row_in_order_or_none():
    pool = RowPool(["month", "art"], max_rows=4)
    asked = []

    def fetch(missing):
        asked.append(len(missing))
        found = [(m, a) for m, a in zip(missing["month"], missing["art"]) if a != 99]
        return _rows(found)

    keys = pd.DataFrame({"month": ["b", "a", "b"], "art": [2, 1, 2]})
    got = pool.take(keys, fetch)
    assert list(got["text"]) == ["b/2", "a/1", "b/2"] and asked == [2]
    assert list(pool.take(keys.iloc[::-1], fetch)["text"]) == ["b/2", "a/1", "b/2"]
    assert asked == [2]  # kept
    assert pool.take(pd.DataFrame({"month": ["a"], "art": [99]}), fetch) is None  # no row
    assert pool.take(keys.iloc[:0], fetch) is None  # no keys: the caller's merge
    many = pd.DataFrame({"month": ["c"] * 5, "art": range(5)})
    assert pool.take(many, fetch) is None and asked[-1] == 1  # more than it keeps: unread
