"""List the inputs of an archive source with their size and modification time.

A folder is walked recursively in sorted path order (``os.scandir``: one ``stat`` per
file, no file opened, so a re-run over a million unchanged files stays cheap).
``.txt`` files are articles, ``.csv/.tsv/.jsonl/.ndjson/.json/.parquet`` files are
tables (daily exports), and everything else (hidden files and folders, links to
folders, other suffixes) is listed as ignored with its reason, the same reasons
:func:`analysis.corpus.read_source` gives.  A single file is a source of one input.
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np
import pandas as pd

from .corpus import TABLE_SUFFIXES, SourceError

__all__ = ["scan_inputs", "file_digest", "SCAN_COLUMNS"]

#: ``path`` (str, relative to the source folder, ``/``-separated), ``kind`` (str:
#: txt | table | ignored), ``size`` (int64), ``mtime_ns`` (int64), ``reason`` (str).
SCAN_COLUMNS = ["path", "kind", "size", "mtime_ns", "reason"]


def file_digest(path) -> str:
    """SHA-256 of a file's content (hex)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


_TXT = ("txt", "")


def _kind(name: str) -> tuple[str, str]:
    if name.endswith(".txt") and not name.startswith("."):
        return _TXT     # the common case, first: a million of them in a big archive
    if name.startswith("."):
        return "ignored", "ignored: hidden file"
    suffix = os.path.splitext(name)[1].lower()
    if suffix == ".txt":
        return "txt", ""
    if suffix in TABLE_SUFFIXES:
        return "table", ""
    return "ignored", "ignored: not a .txt file or a table"


def scan_inputs(source) -> tuple[Path, pd.DataFrame]:
    """``(root, inputs)``: the source's folder (absolute) and one row per input, sorted
    by path (columns :data:`SCAN_COLUMNS`).  Raises :class:`SourceError` when the source
    does not exist or holds no article file or table."""
    src = Path(source).absolute()
    if not src.exists():
        raise SourceError(f"source {source} does not exist")
    rows: list[tuple] = []
    if src.is_file():
        kind, reason = _kind(src.name)
        if kind == "ignored":
            raise SourceError(f"unsupported file type {src.suffix or '(none)'!r} for {source}: "
                              f"expected a folder, .txt or {', '.join(sorted(TABLE_SUFFIXES))}")
        st = src.stat()
        rows.append((src.name, kind, st.st_size, st.st_mtime_ns, ""))
        root = src.parent
    else:
        root = src
        _walk(root, "", rows)
    frame = pd.DataFrame(rows, columns=SCAN_COLUMNS)
    frame["size"] = frame["size"].astype(np.int64)
    frame["mtime_ns"] = frame["mtime_ns"].astype(np.int64)
    # The walk visits each folder's entries by name, which is path order unless a name
    # sorts below "/" ("2023-notes.txt" beside "2023/"): sorted only then.
    if not frame["path"].is_monotonic_increasing:
        frame = frame.sort_values("path", kind="stable")
    frame = frame.reset_index(drop=True)
    if not (frame["kind"] != "ignored").any():
        raise SourceError(f"no .txt files or tables in {source}")
    return root, frame


def _walk(root: Path, rel: str, rows: list) -> None:
    folder = os.path.join(root, rel) if rel else str(root)
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        rows.append((rel or ".", "ignored", 0, 0, f"cannot read folder: {exc.strerror or exc}"))
        return
    for entry in entries:
        path = f"{rel}/{entry.name}" if rel else entry.name
        try:
            if entry.is_dir(follow_symlinks=False):
                if entry.name.startswith("."):
                    rows.append((path, "ignored", 0, 0, "ignored: hidden folder (not read)"))
                else:
                    _walk(root, path, rows)
                continue
            if entry.is_symlink() and entry.is_dir():
                rows.append((path, "ignored", 0, 0, "ignored: link to a folder (not followed)"))
                continue
            kind, reason = _kind(entry.name)
            st = entry.stat()
            rows.append((path, kind, st.st_size, st.st_mtime_ns, reason))
        except OSError as exc:
            rows.append((path, "ignored", 0, 0, f"cannot read file: {exc.strerror or exc}"))
