"""The token index's lists: ``(token, key)`` rows grouped into one row per token.

The roll-ups' ``postings`` table (:mod:`analysis.rollups`) holds, per word of a month,
the sorted distinct keys of the sentences (and titles, section headings) holding it.
DuckDB splits the texts into words (its ``lower`` and regular expression define what a
word is); the grouping is done here with NumPy: a ``DISTINCT`` over the month's
(token, key) pairs, then ``GROUP BY token`` with ``list(key ORDER BY key)``, was two
thirds of the month's roll-up in DuckDB, and a sort of packed integers is a few times
cheaper.  The table is the one that SQL gave, row for row.
"""
from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["group_postings", "POSTINGS_TYPE"]

#: The ``keys`` column's type (DuckDB's list type, so the table is the same as before).
POSTINGS_TYPE = pa.list_(pa.field("l", pa.int64()))


def group_postings(pairs: pa.Table) -> pa.Table:
    """``pairs`` (``token`` string, ``key`` int64 ≥ 0; duplicates allowed) as one row
    per non-empty token, in binary (UTF-8 byte) order as DuckDB sorts strings: ``token``
    and ``keys``, its distinct keys in ascending order."""
    encoded = pc.dictionary_encode(pairs.column("token")).combine_chunks()
    words = encoded.dictionary
    order = pc.array_sort_indices(words).to_numpy()
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order), dtype=np.int64)
    codes = rank[encoded.indices.to_numpy(zero_copy_only=False)]
    keys = pairs.column("key").to_numpy().astype(np.int64, copy=False)
    empty = pc.index(words, "").as_py()
    if empty >= 0:
        keep = codes != rank[empty]
        codes, keys = codes[keep], keys[keep]
    codes, keys = _distinct_sorted(codes, keys, len(order))
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]]) if len(codes) else \
        np.zeros(0, dtype=np.int64)
    offsets = pa.array(np.r_[starts, len(codes)].astype(np.int32))
    tokens = words.take(pa.array(order[codes[starts]], type=pa.int64()))
    lists = pa.ListArray.from_arrays(offsets, pa.array(keys, type=pa.int64()), type=POSTINGS_TYPE)
    return pa.table({"token": tokens.cast(pa.string()), "keys": lists})


def _distinct_sorted(codes: np.ndarray, keys: np.ndarray, n_codes: int):
    """The distinct (code, key) pairs, sorted by code then key."""
    if not len(codes):
        return codes, keys
    if keys.min() < 0:
        raise ValueError("postings keys must not be negative")
    shift = max(int(keys.max()).bit_length(), 1)
    if int(n_codes).bit_length() + shift <= 62:
        # Both in one int64 (a month's keys need about 36 bits, its words 17): one
        # sort of plain integers.  np.unique would hash first (several times slower).
        packed = np.sort((codes << shift) | keys)
        packed = packed[np.r_[True, packed[1:] != packed[:-1]]]
        return packed >> shift, packed & ((1 << shift) - 1)
    o = np.lexsort((keys, codes))
    codes, keys = codes[o], keys[o]
    new = np.r_[True, (codes[1:] != codes[:-1]) | (keys[1:] != keys[:-1])]
    return codes[new], keys[new]
