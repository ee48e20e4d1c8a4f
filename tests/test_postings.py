"""analysis.postings: the token index's grouping gives what DuckDB's GROUP BY gave."""
from __future__ import annotations

import random

import duckdb
import pyarrow as pa
import pytest

from analysis.postings import group_postings


def _duckdb_postings(pairs: pa.Table) -> pa.Table:
    # The SQL the roll-up used before the grouping moved to NumPy.
    con = duckdb.connect()
    con.register("pairs", pairs)
    return con.sql("SELECT token, list(DISTINCT key ORDER BY key) AS keys FROM pairs "
                   "WHERE token <> '' GROUP BY token ORDER BY token").to_arrow_table()


@pytest.mark.parametrize("big_keys", [False, True])
def test_grouping_matches_sql(big_keys):
    rng = random.Random(3)
    words = ["", "a", "b", "the", "zoë", "ünïcode", "日本", "_x", "10", "Zeta", "zeta", "ß"]
    top = 2 ** 60 if big_keys else 5000   # big: the pairs do not fit one int64 (lexsort)
    tokens = [rng.choice(words) for _ in range(3000)]
    keys = [rng.randrange(top) if rng.random() < 0.2 else rng.randrange(40) for _ in tokens]
    pairs = pa.table({"token": pa.array(tokens, pa.string()), "key": pa.array(keys, pa.int64())})
    got = group_postings(pairs)
    want = _duckdb_postings(pairs)
    assert got.column("token").to_pylist() == want.column("token").to_pylist()
    assert got.column("keys").to_pylist() == want.column("keys").to_pylist()


def test_empty_and_only_empty_tokens():
    for tokens in ([], ["", ""]):
        pairs = pa.table({"token": pa.array(tokens, pa.string()),
                          "key": pa.array(range(len(tokens)), pa.int64())})
        got = group_postings(pairs)
        assert got.num_rows == 0
        assert got.schema.field("keys").type.value_type == pa.int64()
