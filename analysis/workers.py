"""The worker processes that loading, splitting, scoring and topic fitting share.

One process pool per process, started on first use and kept: a freshly forked worker
spends its first task faulting in pages and warming caches (on bbc that was a tenth of
the whole pipeline), so reading a corpus and analysing it, or analysing a second
corpus in the dashboard, reuse warm workers.  Work sent here must be a pure,
module-level function: it may run in any worker, or in this process when the pool
cannot be used.

The start method follows from where the pool is first needed.  ``fork`` is the
cheapest, but forking a multi-threaded process (a Streamlit server) can deadlock on a
lock held by another thread, so off the main thread a fork server is used: a clean
process that has imported this package once and forks workers on demand.  Its preload
list replaces the default ``["__main__"]``, so the caller's script (the dashboard
page) is never re-imported by a worker.
"""
from __future__ import annotations

import atexit
import gc
import multiprocessing as mp
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

__all__ = ["available_cores", "get_pool", "shutdown_pool", "discard_pool", "map_chunks", "BrokenProcessPool",
           "PARALLEL_MIN_CHARS"]

#: Below this many characters of text, handing work to the pool costs more than it saves.
PARALLEL_MIN_CHARS = 400_000

_LOCK = threading.Lock()
_POOL: dict = {}          # {"pool": ProcessPoolExecutor, "n": int, "pid": int}


def available_cores() -> int:
    """Cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _context():
    if os.name != "posix":
        return mp.get_context("spawn")
    if threading.current_thread() is threading.main_thread():
        return mp.get_context("fork")
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(["analysis.pipeline"])
    return ctx


def get_pool(n_jobs: int) -> ProcessPoolExecutor:
    """This process's pool of ``n_jobs`` workers (made, or remade for another size)."""
    with _LOCK:
        current = _POOL.get("pool")
        # A pool made by a parent process (we are a fork of it) cannot be used here.
        if current is not None and _POOL["n"] == n_jobs and _POOL["pid"] == os.getpid():
            return current
        if current is not None and _POOL["pid"] == os.getpid():
            current.shutdown(wait=False, cancel_futures=True)
        ctx = _context()
        pool = ProcessPoolExecutor(n_jobs, mp_context=ctx)
        # Forked workers share this process's memory until they write to it, and a
        # garbage collection writes to every object it visits: frozen objects are never
        # visited, so the workers do not copy pages just to collect.  A fork pool forks
        # all its workers inside the first submit, so freezing around it is enough.
        gc.freeze()
        try:
            pool.submit(int)
        finally:
            gc.unfreeze()
        _POOL.update(pool=pool, n=n_jobs, pid=os.getpid())
        return pool


def shutdown_pool(wait: bool = True) -> None:
    """Stop the workers (the next parallel task starts new ones)."""
    with _LOCK:
        pool = _POOL.pop("pool", None)
        if pool is not None and _POOL.get("pid") == os.getpid():
            pool.shutdown(wait=wait, cancel_futures=True)
        _POOL.clear()


def discard_pool(pool: ProcessPoolExecutor) -> None:
    """Forget ``pool`` after it broke (a worker died), so the next call makes a new one."""
    with _LOCK:
        if _POOL.get("pool") is pool:
            _POOL.clear()
    pool.shutdown(wait=False, cancel_futures=True)


atexit.register(shutdown_pool, False)


def map_chunks(fn, items: list, n_jobs: int | None = None, *, size=None,
               min_size: int | None = None, chunks_per_job: int = 4) -> list:
    """``fn(items)`` computed on contiguous chunks of ``items`` in the pool.

    ``fn`` takes a list and returns a list of the same length (a pure, module-level
    function).  ``size(item)`` measures an item (default 1); the work runs in this
    process when the total is below ``min_size`` (default :data:`PARALLEL_MIN_CHARS`),
    with one job, or when a worker dies.  Results are in the order of ``items``.
    """
    n_jobs = available_cores() if n_jobs is None else n_jobs
    min_size = PARALLEL_MIN_CHARS if min_size is None else min_size
    weights = [size(x) for x in items] if size else [1] * len(items)
    total = sum(weights)
    if n_jobs <= 1 or total < min_size or len(items) < 2:
        return fn(items)
    n_chunks = min(len(items), n_jobs * chunks_per_job)
    bounds, acc, step = [0], 0, total / n_chunks
    for i, w in enumerate(weights):
        acc += w
        if acc >= step * len(bounds) and i + 1 < len(items):
            bounds.append(i + 1)
    bounds.append(len(items))
    pool = get_pool(n_jobs)
    try:
        futures = [pool.submit(fn, items[a:b]) for a, b in zip(bounds[:-1], bounds[1:]) if b > a]
        out = []
        for f in futures:
            out.extend(f.result())
        return out
    except BrokenProcessPool:
        discard_pool(pool)
        return fn(items)
