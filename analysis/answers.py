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

__all__ = ["Answers"]

_MISSING = object()


class Answers:
    """Least recently used answers, at most ``size`` of them; safe across threads."""

    def __init__(self, size: int):
        self.size = int(size)
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key, default=None):
        """The answer kept under ``key`` (now the most recently used), else ``default``."""
        with self._lock:
            value = self._items.get(key, _MISSING)
            if value is _MISSING:
                return default
            self._items.move_to_end(key)
            return value

    def put(self, key, value) -> None:
        """Keep ``value`` under ``key``; the least recently used beyond ``size`` go."""
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        """Forget every answer."""
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def __contains__(self, key) -> bool:
        with self._lock:
            return key in self._items
