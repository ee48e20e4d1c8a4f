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


@pytest.mark.parametrize("big_keys", [False, True])
def test_batches_give_the_same_table(big_keys, monkeypatch):
    """Pairs added in batches (as a month's roll-up streams them) group as one table
    does; with small steps so the step-wise passes cross their boundaries."""
    import analysis.postings as postings

    monkeypatch.setattr(postings, "_STEP", 7)
    rng = random.Random(5)
    words = ["", "a", "b", "the", "zoë", "ünïcode", "日本", "_x", "10", "Zeta", "zeta", "ß"]
    top = 2 ** 60 if big_keys else 5000
    tokens = [rng.choice(words) for _ in range(2000)]
    keys = [rng.randrange(top) if rng.random() < 0.2 else rng.randrange(40) for _ in tokens]
    pairs = pa.table({"token": pa.array(tokens, pa.string()), "key": pa.array(keys, pa.int64())})
    builder = postings.PostingsBuilder(max_key=max(keys))
    for batch in pairs.to_batches(max_chunksize=137):
        builder.add(batch)
    got = builder.table()
    want = _duckdb_postings(pairs)
    assert got.column("token").to_pylist() == want.column("token").to_pylist()
    assert got.column("keys").to_pylist() == want.column("keys").to_pylist()


def test_vocabulary_outgrowing_the_packed_bits_switches_to_pairs():
    """Keys near 2**60 leave a packed pair two bits of token number: the fifth word
    switches the builder to unpacked pairs, with the same table as the SQL."""
    from analysis.postings import PostingsBuilder

    top = 2 ** 59
    tokens = ["w1", "w2", "w1", "w3", "w4", "w5", "w6", "w2"]
    keys = [top, 1, 2, top - 1, 5, 5, 0, 1]
    pairs = pa.table({"token": pa.array(tokens, pa.string()), "key": pa.array(keys, pa.int64())})
    builder = PostingsBuilder(max_key=top)
    for batch in pairs.to_batches(max_chunksize=3):
        builder.add(batch)
    assert builder._pairs is not None
    got = builder.table()
    want = _duckdb_postings(pairs)
    assert got.column("keys").to_pylist() == want.column("keys").to_pylist()


def test_key_above_the_bound_is_refused():
    from analysis.postings import PostingsBuilder

    builder = PostingsBuilder(max_key=10)
    with pytest.raises(ValueError):
        builder.add(pa.table({"token": ["a"], "key": pa.array([11], pa.int64())}))
