"""A small cache of what the page derives from a shared, unchanging frame on every rerun.

The topics frame of a source, the alerts of a store and the like are answers kept by
:mod:`analysis.views` (one object for every rerun and session until the source or the
topic names change); the page turned them into widget options, groups and texts again
at each rerun (a few ms each, on every filter change).  :func:`per_frame` keeps those
derived values keyed by the frame's identity: the frame itself is held with its value,
so its id cannot be reused by another object while the entry lives, and the least
recently used entries go beyond :data:`MAX_ENTRIES` (memory stays flat however many
sessions there are).  The frames are never changed in place (the views' answers are
shared), so a value made from one stays right.
"""
from __future__ import annotations

import functools
import threading
from collections import OrderedDict

import pandas as pd

__all__ = ["per_frame", "MAX_ENTRIES"]

#: Entries kept per cached function.
MAX_ENTRIES = 16


def per_frame(fn):
    """``fn(*args)`` kept per args: frames (pandas objects) by identity, held with the
    value; other args by value (hashable).  ``fn.cache_clear()`` empties it."""
    cache: OrderedDict = OrderedDict()
    lock = threading.Lock()

    @functools.wraps(fn)
    def wrapper(*args):
        held = tuple(a for a in args if isinstance(a, _FRAMES))
        key = tuple(("frame", id(a)) if isinstance(a, _FRAMES) else a for a in args)
        with lock:
            hit = cache.get(key)
            if hit is not None and all(x is y for x, y in zip(hit[0], held)):
                cache.move_to_end(key)
                return hit[1]
        value = fn(*args)
        with lock:
            cache[key] = (held, value)
            cache.move_to_end(key)
            while len(cache) > MAX_ENTRIES:
                cache.popitem(last=False)
        return value

    wrapper.cache_clear = cache.clear
    return wrapper


_FRAMES = (pd.DataFrame, pd.Series)
