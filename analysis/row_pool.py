"""Rows already read from a store, kept by key so the next filter does not read them again.

The evidence lists of neighbouring filters share most of their sentences: narrowing the
sentiment range, opening a topic, or the Over time tab's period lists after the
Overview's, pick again many of the strongest sentences drawn a click before.  Reading a
sentence's full row (its text) costs a Parquet row group decoded per month and label,
whatever the number of rows wanted, so the rows read are kept here (a bounded number,
the most recently added) and only the keys not kept are asked of DuckDB.

A :class:`RowPool` holds one frame: every row it was given, unique by its key columns.
Rows are the store's, which only an index run or a correction changes, and either one
reopens the store with new, empty pools (:class:`analysis.queries.Store` holds them).
"""
from __future__ import annotations

import threading

import pandas as pd

__all__ = ["RowPool"]


def _keys(frame: pd.DataFrame, on: list[str]) -> list[tuple]:
    """The ``on`` values of each row of ``frame`` as tuples of Python scalars (an int64
    and an int32 key compare equal, as the store's and the caller's may differ)."""
    return list(zip(*(frame[col].tolist() for col in on)))


class RowPool:
    """Rows by the key columns ``on``, at most ``max_rows`` (least recently added go
    first); safe across threads (the frame is replaced, never changed in place).

    The rows' keys are a dict of tuples, not a pandas index: a pool is asked for a few
    dozen keys a few times per rerun, where a MultiIndex costs milliseconds to build
    and to look up."""

    def __init__(self, on: list[str], max_rows: int = 4096):
        self.on = list(on)
        self.max_rows = int(max_rows)
        self._rows: pd.DataFrame | None = None
        self._keys: list[tuple] = []  # the rows' keys, in row order
        self._where: dict[tuple, int] = {}  # key -> row position, made once per _add
        self._lock = threading.Lock()

    def __len__(self) -> int:
        rows = self._rows
        return 0 if rows is None else len(rows)

    def take(self, keys: pd.DataFrame, fetch) -> pd.DataFrame | None:
        """The row of each of ``keys`` (a frame with the ``on`` columns, and whatever
        else ``fetch`` needs), in the order of ``keys`` (a key given twice, twice), the
        rows not kept read with ``fetch(missing keys)`` (their rows, ``on`` columns
        included; a key it does not find is simply absent).  None when some key has no
        row, or for no keys: the caller then merges what :meth:`get` gives."""
        if keys.empty:
            return None
        wanted = _keys(keys, self.on)
        rows, where = self._snapshot()
        found = [where.get(key, -1) for key in wanted]
        if -1 in found:
            absent = [i for i, pos in enumerate(found) if pos < 0]
            missing = keys.iloc[absent].drop_duplicates(self.on)
            if len(missing) > self.max_rows:  # more than it keeps: read once, by get
                return None
            self._add(fetch(missing))
            rows, where = self._snapshot()
            found = [where.get(key, -1) for key in wanted]
            if -1 in found:  # not in the store, or more keys than the pool holds
                return None
        return rows.iloc[found].reset_index(drop=True)

    def get(self, keys: pd.DataFrame, fetch) -> pd.DataFrame:
        """The rows of ``keys`` as :meth:`take` reads them, unique by ``on``, in no
        particular order (merge them on ``on``); no keys: ``fetch``'s own empty frame
        (its column types, as without a pool)."""
        keys = keys.drop_duplicates(self.on)
        rows, where = self._snapshot()
        if keys.empty or rows is None:
            found, missing = None, keys
        else:
            at = [where.get(key, -1) for key in _keys(keys, self.on)]
            found = rows.iloc[[pos for pos in at if pos >= 0]]
            missing = keys.iloc[[i for i, pos in enumerate(at) if pos < 0]]
        if found is not None and missing.empty:
            return found.reset_index(drop=True)
        new = fetch(missing).drop_duplicates(self.on)
        self._add(new)
        if found is None or found.empty:
            return new.reset_index(drop=True)
        return pd.concat([found, new], ignore_index=True)

    def _snapshot(self) -> tuple[pd.DataFrame | None, dict]:
        with self._lock:
            return self._rows, self._where

    def _add(self, new: pd.DataFrame) -> None:
        if new.empty or self.max_rows <= 0:
            return
        with self._lock:
            rows = self._rows
            if rows is not None and list(rows.columns) != list(new.columns):
                return  # another shape (cannot happen for one caller): keep the old
            merged = new if rows is None else pd.concat([rows, new], ignore_index=True)
            keys = _keys(new, self.on) if rows is None else self._keys + _keys(new, self.on)
            last = {key: i for i, key in enumerate(keys)}  # a key added again: its last row
            keep = sorted(last.values())[-self.max_rows:]
            if len(keep) < len(keys):
                merged, keys = merged.iloc[keep], [keys[i] for i in keep]
            self._rows = merged.reset_index(drop=True)
            self._keys = keys
            self._where = {key: i for i, key in enumerate(keys)}
