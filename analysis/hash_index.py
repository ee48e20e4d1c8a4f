"""A compact map from 64-bit hashes to small ints: the archive's article keys.

An index run de-duplicates every new article against the whole archive by the hashes
of its id and of its text (:func:`analysis.indexer._dedup`).  Held in Python dicts,
a million articles' two maps cost about 170 MB of the main process, for the whole run;
here they are sorted NumPy arrays (12 bytes a key) and a small dict of the latest
additions, folded into the arrays when it has grown by a quarter.
"""
from __future__ import annotations

import numpy as np

__all__ = ["HashIndex"]

#: The dict of recent additions is folded in once it holds this many keys, or a
#: quarter of the arrays' size if that is more (so folding costs O(n log n) in all).
_MIN_FOLD = 1 << 16


class HashIndex:
    """``hash -> value`` (int64 keys, int32 values, a later value wins).  Looked up a
    batch at a time (:meth:`find`)."""

    def __init__(self):
        self._keys = np.zeros(0, dtype=np.int64)     # sorted, distinct
        self._values = np.zeros(0, dtype=np.int32)
        self._recent: dict[int, int] = {}

    def add(self, keys, value: int) -> None:
        """Map every key of ``keys`` (an iterable of ints) to ``value``."""
        self._recent.update(dict.fromkeys(np.asarray(keys, dtype=np.int64).tolist(), int(value)))
        if len(self._recent) >= max(_MIN_FOLD, len(self._keys) // 4):
            self._fold()

    def find(self, keys) -> np.ndarray:
        """The value of each key of ``keys`` (int64 array), ``-1`` where absent."""
        keys = np.asarray(keys, dtype=np.int64)
        out = np.full(len(keys), -1, dtype=np.int64)
        if len(self._keys) and len(keys):
            i = np.minimum(np.searchsorted(self._keys, keys), len(self._keys) - 1)
            hit = self._keys[i] == keys
            out[hit] = self._values[i[hit]]
        if self._recent:
            get = self._recent.get
            for j, key in enumerate(keys.tolist()):
                value = get(key)
                if value is not None:
                    out[j] = value
        return out

    def _fold(self) -> None:
        keys = np.concatenate([self._keys, np.fromiter(self._recent, dtype=np.int64,
                                                       count=len(self._recent))])
        values = np.concatenate([self._values, np.fromiter(self._recent.values(), dtype=np.int32,
                                                           count=len(self._recent))])
        self._recent = {}
        order = np.argsort(keys, kind="stable")
        keys, values = keys[order], values[order]
        # Equal keys: the last (the recent one) wins.
        last = np.r_[keys[1:] != keys[:-1], True] if len(keys) else np.zeros(0, dtype=bool)
        self._keys, self._values = keys[last], values[last]
