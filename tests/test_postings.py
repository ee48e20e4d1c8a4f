"""analysis.postings: the token index's grouping gives what DuckDB's GROUP BY gave."""
from __future__ import annotations

import random

import duckdb
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


def test_split_words_cuts_as_the_regular_expression_did():
    """split_words gives the words (and their texts) of DuckDB's
    regexp_split_to_array(text, '[^\\pL\\pN_]+'), empty pieces left out: ASCII,
    multi-byte letters and punctuation, a 4-byte emoji, combining marks, a NULL, an
    empty text, words at a text's ends (no word runs into the next text)."""
    from analysis import rollups
    from analysis.postings import split_words

    texts = ["Hello, world!", None, "", "über-café naïve 日本語 x_y 12.5 “quoted” — dash😀ok",
             "a", "  lead", "trail  ", "istanbul ß ǅ Ⅻ ½", "\u0301combining e\u0301", "end",
             "start", "١٢٣ ٣"]
    con = duckdb.connect()
    asked = []

    def word_chars(points):
        asked.append(list(points))
        return con.execute("SELECT list_transform(?::VARCHAR[], "
                           f"lambda c: regexp_full_match(c, '{rollups._WORD_CHAR}'))",
                           [[chr(int(p)) for p in points]]).fetchone()[0]

    words, parent = split_words(pa.array(texts, pa.string()).slice(0), word_chars)
    split = con.execute(f"SELECT list_transform(?::VARCHAR[], lambda x: "
                        f"regexp_split_to_array(x, '{rollups._TOKEN_SPLIT}'))",
                        [texts]).fetchone()[0]
    want = [(i, w) for i, ws in enumerate(split) for w in ws or [] if w]
    assert list(zip(parent.tolist(), words.to_pylist())) == want
    assert all(p >= 128 for p in asked[0])       # ASCII is decided without asking
    # a slice of the texts (an offset into the buffers) cuts the same way
    words, parent = split_words(pa.array(texts, pa.string()).slice(3, 2), word_chars)
    assert words.to_pylist()[-1] == "a" and parent.tolist()[-1] == 1


@pytest.fixture(scope="module")
def duck():
    con = duckdb.connect()
    yield con
    con.close()


@settings(max_examples=150, deadline=None)
@given(texts=st.lists(st.one_of(st.none(), st.text(alphabet=st.characters(
    blacklist_categories=("Cs",)), max_size=40)), max_size=12))
def test_split_words_agrees_with_duckdb_on_any_text(duck, texts):
    """Any text (any code point but surrogates, NULLs): split_words and DuckDB's split
    give the same words of the same texts."""
    from analysis import rollups
    from analysis.postings import split_words

    con = duck
    words, parent = split_words(pa.array(texts, pa.string()), rollups._word_chars(con))
    split = con.execute(f"SELECT list_transform(?::VARCHAR[], lambda x: "
                        f"regexp_split_to_array(x, '{rollups._TOKEN_SPLIT}'))",
                        [texts]).fetchone()[0] if texts else []
    want = [(i, w) for i, ws in enumerate(split) for w in ws or [] if w]
    assert list(zip(parent.tolist(), words.to_pylist())) == want


@pytest.mark.parametrize("n_words", [12, 70_000])
def test_keys_in_ascending_order_group_as_sql(n_words, monkeypatch):
    """The roll-up streams its pairs by ascending key: grouped by a radix sort on the
    word alone (two 16-bit passes past 65,536 words), step by step, the table is the
    SQL's; pairs out of key order fall back to the full sort, with the same table."""
    import analysis.postings as postings

    monkeypatch.setattr(postings, "_STEP", 1000)
    rng = random.Random(11)
    words = ["", "a", "b", "the", "zoë", "ünïcode", "日本", "_x", "10", "Zeta", "zeta", "ß"]
    words += [f"w{i}" for i in range(n_words - len(words))]
    tokens = [rng.choice(words) for _ in range(8000)] + words      # every word at least once
    keys = sorted(rng.randrange(3000) for _ in tokens)
    pairs = pa.table({"token": pa.array(tokens, pa.string()), "key": pa.array(keys, pa.int64())})
    want = _duckdb_postings(pairs)
    builder = postings.PostingsBuilder(max_key=3000)
    for batch in pairs.to_batches(max_chunksize=777):
        builder.add(batch)
    assert builder._keys_ascending
    got = builder.table()
    assert got.column("token").to_pylist() == want.column("token").to_pylist()
    assert got.column("keys").to_pylist() == want.column("keys").to_pylist()
    # One batch with a key below the last one seen: no longer in order.
    builder = postings.PostingsBuilder(max_key=3000)
    batches = pairs.to_batches(max_chunksize=777)
    for batch in batches[1:2] + batches[:1] + batches[2:]:
        builder.add(batch)
    assert not builder._keys_ascending
    assert builder.table().column("keys").to_pylist() == want.column("keys").to_pylist()


@pytest.mark.parametrize("n_values", [1, 300, 1 << 16, (1 << 16) + 1, 5_000_000])
def test_stable_order_is_a_stable_argsort(n_values):
    import numpy as np

    from analysis.postings import _stable_order

    values = np.random.default_rng(n_values).integers(0, n_values, 20_000)
    assert (_stable_order(values, n_values) == np.argsort(values, kind="stable")).all()
