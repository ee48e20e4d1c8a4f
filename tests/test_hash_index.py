"""analysis.hash_index: the archive's article keys, compact, as a dict would answer."""
from __future__ import annotations

import random

import numpy as np

import analysis.hash_index as hash_index
from analysis.hash_index import HashIndex


def test_answers_as_a_dict_across_folds(monkeypatch):
    monkeypatch.setattr(hash_index, "_MIN_FOLD", 16)   # fold often
    rng = random.Random(7)
    index, truth = HashIndex(), {}
    pool = [rng.randrange(-2 ** 63, 2 ** 63) for _ in range(400)] + [0, -1, 2 ** 63 - 1, -2 ** 63]
    for value in range(120):
        batch = rng.sample(pool, rng.randrange(0, 12))
        index.add(batch, value)
        truth.update(dict.fromkeys(batch, value))            # a later value wins
        probe = rng.sample(pool, 30) + [rng.randrange(-2 ** 63, 2 ** 63)]
        got = index.find(np.array(probe, dtype=np.int64)).tolist()
        assert got == [truth.get(k, -1) for k in probe]
    assert len(index._keys) > 0                                # folded at least once


def test_empty():
    index = HashIndex()
    assert index.find(np.zeros(0, dtype=np.int64)).tolist() == []
    assert index.find([5]).tolist() == [-1]
    index.add([], 3)
    assert index.find([5]).tolist() == [-1]
