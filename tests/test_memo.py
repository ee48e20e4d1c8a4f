"""dashboard.memo.per_frame: values kept per frame object, bounded, never stale."""
from __future__ import annotations

import pandas as pd

from dashboard import memo


def test_per_frame_keeps_a_value_per_frame_object_and_args():
    calls = []

    @memo.per_frame
    def size(frame, extra):
        calls.append(extra)
        return len(frame) + extra

    a = pd.DataFrame({"x": [1, 2]})
    assert size(a, 1) == 3 and size(a, 1) == 3 and calls == [1]
    assert size(a, 2) == 4 and calls == [1, 2]
    b = a.copy()  # equal content, another object: asked again
    assert size(b, 1) == 3 and calls == [1, 2, 1]


def test_per_frame_is_bounded_and_a_reused_id_is_not_a_hit():
    @memo.per_frame
    def first(frame):
        return frame["x"].iloc[0]

    for i in range(3 * memo.MAX_ENTRIES):
        assert first(pd.DataFrame({"x": [i]})) == i
    # the frames above are gone and their ids may be reused by the new ones (each
    # kept entry holds its own frame, so a reused id is never taken for it)
    assert first(pd.DataFrame({"x": [-5]})) == -5
