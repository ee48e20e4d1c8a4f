"""One writer at a time on an archive store, across processes.

``index`` (a nightly job, say) and an analyst's correction in an open dashboard both
rewrite a store's part files and roll-ups; two ``index`` runs on one store would each
commit the same chunks.  :func:`store_writer` holds an OS file lock
(``DIR/.writer.lock``, :mod:`filelock`: ``flock`` on POSIX, so the kernel releases it
when the holder dies, even by SIGKILL, and a killed run never leaves the store locked)
and records who holds it (``DIR/.writer.json``: what, process id, since when), so a
second writer is told plainly who is writing instead of waiting or corrupting the store.
Readers (queries, reports) take no lock: every file is replaced atomically.
"""
from __future__ import annotations

import contextlib
import json
import logging
import os
import time
from pathlib import Path

import filelock

__all__ = ["StoreBusy", "store_writer", "current_writer", "LOCK_NAME"]

LOCK_NAME = ".writer.lock"
_HOLDER_NAME = ".writer.json"
_LOG = logging.getLogger(__name__)


class StoreBusy(ValueError):
    """Another process is writing the store; the message says which and since when."""


def _read_holder(store) -> dict | None:
    """The holder file's ``{"what", "pid", "since"}``, None when absent or unreadable."""
    try:
        info = json.loads((Path(store) / _HOLDER_NAME).read_text())
        return {"what": str(info["what"]), "pid": int(info["pid"]), "since": float(info["since"])}
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _holder(store: Path) -> str:
    info = _read_holder(store)
    if info is None:
        return "another process"
    since = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(info["since"]))
    return f"{info['what']} (process {info['pid']}, since {since})"


@contextlib.contextmanager
def store_writer(store, what: str, timeout: float = 0.0):
    """Hold the store's writer lock while the block runs.

    Parameters
    ----------
    store : the store folder (created if missing).
    what : who writes, for the message another writer gets (``"index"``,
        ``"a dashboard correction"``).
    timeout : seconds to wait for a writer that holds it (0: do not wait).

    Raises
    ------
    StoreBusy
        When another process (or another thread of this one) holds it past ``timeout``.
    """
    store = Path(store)
    store.mkdir(parents=True, exist_ok=True)
    # Not thread-local and not re-entrant across objects: a second writer in this same
    # process (another session's correction while one is applied) is refused like
    # another process is.  No soft-lock fallback: a soft lock outlives a killed holder.
    lock = filelock.FileLock(store / LOCK_NAME, thread_local=False, fallback_to_soft=False)
    try:
        lock.acquire(timeout=timeout)
    except filelock.Timeout:
        raise StoreBusy(f"{store} is being written by {_holder(store)}; "
                        "try again when it has finished") from None
    except (NotImplementedError, OSError) as exc:
        if isinstance(exc, PermissionError):
            raise
        # A file system without locks (some network mounts): write unguarded, as before.
        _LOG.warning("cannot lock %s (%s); writing without the writer lock", store, exc)
        yield
        return
    try:
        holder = store / _HOLDER_NAME
        tmp = holder.with_name(holder.name + f".{os.getpid()}")
        tmp.write_text(json.dumps({"what": what, "pid": os.getpid(), "since": time.time()}))
        os.replace(tmp, holder)
        yield
    finally:
        # Gone before the lock is: a holder file of a live process means it writes.
        (store / _HOLDER_NAME).unlink(missing_ok=True)
        lock.release()


def current_writer(store) -> dict | None:
    """Who is writing ``store`` now: ``{"what", "pid", "since"}`` (``since`` in epoch
    seconds), or None.  Read from the holder file, never by trying the lock (a probe
    would make a starting ``index`` fail); the file is removed on release, and a
    killed holder's is left behind, so its process must be alive too.  A stat when no
    one writes: cheap enough for every rerun of the dashboard."""
    info = _read_holder(store)
    if info is None:
        return None
    try:
        os.kill(info["pid"], 0)
    except ProcessLookupError:
        return None
    except PermissionError:     # alive, another user's
        pass
    return info
