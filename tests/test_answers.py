"""analysis.answers: the bounded memory of view answers shared by a store's sessions."""
from __future__ import annotations

import threading

import pandas as pd

from analysis.answers import Answers, weight


def test_least_recently_used_go_first_and_the_size_is_kept():
    a = Answers(2)
    a.put("x", 1)
    a.put("y", 2)
    assert a.get("x") == 1  # x is now the most recently used
    a.put("z", 3)
    assert "y" not in a and a.get("x") == 1 and a.get("z") == 3
    assert len(a) == 2
    assert a.get("y", "missing") == "missing"
    a.clear()
    assert len(a) == 0


def test_threads_share_it_safely():
    a = Answers(50)

    def work(i):
        for j in range(500):
            a.put((i, j % 60), j)
            a.get((i, (j * 7) % 60))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(a) == 50


def test_bytes_are_bounded_too():
    frame = pd.DataFrame({"x": range(1000)})  # 8 kB of values
    a = Answers(100, max_bytes=3 * weight(frame))
    for i in range(5):
        a.put(i, frame)
    assert len(a) == 3 and a.bytes == 3 * weight(frame)
    assert 0 not in a and 4 in a
    a.put("big", pd.DataFrame({"x": range(10_000)}))  # more than all: not kept
    assert "big" not in a and len(a) == 3
    a.put(4, frame.head(1))  # replaced: its own bytes only
    assert a.bytes == 2 * weight(frame) + weight(frame.head(1))
    assert weight({"a": frame, "b": frame}) > 2 * weight(frame)


def test_text_columns_weigh_their_strings():
    # an evidence list's object column of long texts: counted by its strings, not
    # by its 8-byte pointers, so the byte bound holds for text-heavy answers
    texts = pd.DataFrame({"text": pd.Series(["x" * 2000] * 100, dtype=object)})
    assert weight(texts) > 100 * 2000
    a = Answers(100, max_bytes=3 * 100 * 2000)
    for i in range(5):
        a.put(i, texts)
    assert len(a) <= 2 and a.bytes <= a.max_bytes
