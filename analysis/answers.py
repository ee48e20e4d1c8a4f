"""A bounded memory of view answers, shared by the sessions of one opened store.

A dashboard rerun asks the store views (:class:`analysis.views.StoreViews`) for the
answers of one filter: headline, label counts, topic table, timelines, evidence …  The
same filter comes back often: switching tabs keeps the filter and asks for its
headline and topic table again, "Clear filters" and "Undo" return to a filter already
drawn, and several sessions open the same view.  An answer depends only on the store's
files, the filter, the topic names and its own arguments, so it is kept here under
those (the caller builds the key) and asked of DuckDB once.

The store's files change only by an index run or a correction, after which the
dashboard opens the store again, with a new, empty memory (:class:`analysis.queries.Store`
holds one).  Answers are frames shared by every caller: read, never modified (as the
in-memory backend's frames already are).
"""
from __future__ import annotations

import threading
from collections import OrderedDict

import pandas as pd

__all__ = ["Answers", "weight"]

_MISSING = object()


def weight(value) -> int:
    """Rough bytes held by an answer: its frames' columns (a dict's or tuple's frames
    summed); anything else counts as small.  Object columns are counted with their
    strings (``deep``): an evidence list's texts are most of its bytes, and a shallow
    count sees 8 bytes a row."""
    if isinstance(value, pd.DataFrame):
        return int(value.memory_usage(index=True, deep=True).sum())
    if isinstance(value, dict):
        return sum(weight(v) for v in value.values()) + 64
    if isinstance(value, (tuple, list)):
        return sum(weight(v) for v in value) + 64
    return 256


class Answers:
    """Least recently used answers, at most ``size`` of them and ``max_bytes`` in all
    (by :func:`weight`: a day-by-topic timeline of a long archive is a megabyte, an
    evidence list a few kilobytes); safe across threads."""

    def __init__(self, size: int, max_bytes: int = 64 << 20):
        self.size = int(size)
        self.max_bytes = int(max_bytes)
        self.bytes = 0
        self._items: OrderedDict = OrderedDict()  # key -> (value, weight)
        self._lock = threading.Lock()

    def get(self, key, default=None):
        """The answer kept under ``key`` (now the most recently used), else ``default``."""
        with self._lock:
            item = self._items.get(key, _MISSING)
            if item is _MISSING:
                return default
            self._items.move_to_end(key)
            return item[0]

    def put(self, key, value) -> None:
        """Keep ``value`` under ``key``; the least recently used beyond ``size`` answers
        or ``max_bytes`` go (an answer bigger than ``max_bytes`` is not kept)."""
        w = weight(value)
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self.bytes -= old[1]
            if w > self.max_bytes:
                return
            self._items[key] = (value, w)
            self.bytes += w
            while len(self._items) > self.size or self.bytes > self.max_bytes:
                self.bytes -= self._items.popitem(last=False)[1][1]

    def clear(self) -> None:
        """Forget every answer."""
        with self._lock:
            self._items.clear()
            self.bytes = 0

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def __contains__(self, key) -> bool:
        with self._lock:
            return key in self._items
