"""The worker processes that loading, splitting, scoring and topic fitting share.

One process pool per process, started on first use and kept: a freshly forked worker
spends its first task faulting in pages and warming caches (on bbc that was a tenth of
the whole pipeline), so reading a corpus and analysing it, or analysing a second
corpus in the dashboard, reuse warm workers.  Idle workers hold memory, so they are
stopped after :data:`IDLE_SECONDS` without use.  Work sent here must be a pure,
module-level function: it may run in any worker, or in this process when the pool
cannot be used (a worker died).

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
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager


__all__ = ["available_cores", "pool", "chunk_bounds", "shutdown_pool", "discard_pool", "map_chunks",
           "BrokenProcessPool", "PARALLEL_MIN_CHARS", "IDLE_SECONDS"]

#: Below this many characters of text, handing work to the pool costs more than it saves.
PARALLEL_MIN_CHARS = 400_000

_LOCK = threading.Lock()
#: Idle workers are stopped after this many seconds (they hold memory).
IDLE_SECONDS = 300.0
_POOL: dict = {}   # pool, n (workers), pid (owner), users (open blocks), last_used, timer


def available_cores() -> int:
    """Cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


#: What a fork server imports before it forks workers (the task modules).
_SERVER_PRELOAD = ["analysis.pipeline"]
_EARLY_SERVER: dict = {}   # preload: the modules of a server started by start_server_early


def _context():
    if os.name != "posix":
        return mp.get_context("spawn")
    if _EARLY_SERVER.get("pid") == os.getpid():
        ctx = mp.get_context("forkserver")
        ctx.set_forkserver_preload(_EARLY_SERVER["preload"])
        return ctx
    if threading.current_thread() is threading.main_thread():
        return mp.get_context("fork")
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(_SERVER_PRELOAD)
    return ctx


def start_server_early(preload: list[str]) -> None:
    """Start the fork server now, importing ``preload`` in a process of its own, and make
    this process's pools fork their workers from it.

    For a command that will need workers after reading its inputs (``index``): the
    server imports scikit-learn, DuckDB and the rest (about a second and a half) on
    another core while this process imports pandas and scans the source, instead of this
    process importing them before a fork pool forks.  The server exits with this process.
    """
    if os.name != "posix":
        return
    from multiprocessing import forkserver

    _EARLY_SERVER.update(pid=os.getpid(), preload=list(preload))
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(list(preload))
    forkserver.ensure_running()


def start_method() -> str:
    """How a pool made now, from this thread, would start its workers."""
    return _context().get_start_method()


#: Seconds between a worker's checks that the process that started it is alive.
PARENT_CHECK_SECONDS = 1.0


def _exit_with_parent(owner: int) -> None:
    """Worker initializer: leave when the process that made the pool (``owner``) dies.
    A pool's workers otherwise outlive an owner killed with SIGKILL (the OOM killer,
    ``kill -9`` on an ``index`` run), each holding its memory, idle, for ever, and a
    resumed run would start two more beside them.  A daemon thread watches: a forked
    worker's parent is the owner (reparenting means it is gone); a fork server's worker
    is the server's child, and the server lives as long as its workers hold its pipe, so
    that worker watches the owner itself."""
    parent = os.getppid()

    def watch():
        while os.getppid() == parent and (parent == owner or not _gone(owner)):
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def _gone(pid: int) -> bool:
    """Whether process ``pid`` has ended (a zombie waiting for its parent has)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(") ", 1)[-1][:1] == "Z"
    except FileNotFoundError:
        return True
    except OSError:     # no /proc: ask the kernel
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
        return False


def _new_pool(n_jobs: int) -> ProcessPoolExecutor:
    executor = ProcessPoolExecutor(n_jobs, mp_context=_context(), initializer=_exit_with_parent,
                                   initargs=(os.getpid(),))
    # Forked workers share this process's memory until they write to it, and a garbage
    # collection writes to every object it visits: frozen objects are never visited, so
    # the workers do not copy pages just to collect.  A fork pool forks all its workers
    # inside the first submit, so freezing around it is enough.
    gc.freeze()
    try:
        executor.submit(int)
    finally:
        gc.unfreeze()
    return executor


@contextmanager
def pool(n_jobs: int):
    """This process's pool of ``n_jobs`` workers, for the duration of a ``with`` block.

    The pool is made on first use and kept for the next block; it is remade for another
    size when idle, and stopped after :data:`IDLE_SECONDS` without use.  If another
    thread is using it at another size, this block gets a pool of its own.
    """
    with _LOCK:
        current = _POOL.get("pool")
        # A pool made by a parent process (we are a fork of it) cannot be used here.
        if current is not None and _POOL["pid"] != os.getpid():
            _POOL.clear()
            current = None
        if current is not None and _POOL["n"] != n_jobs and _POOL["users"] == 0:
            current.shutdown(wait=False, cancel_futures=True)
            _POOL.clear()
            current = None
        if current is None:
            _POOL.update(pool=_new_pool(n_jobs), n=n_jobs, pid=os.getpid(), users=0)
        shared = _POOL["n"] == n_jobs
        if shared:
            _POOL["users"] += 1
            executor = _POOL["pool"]
    if not shared:
        executor = _new_pool(n_jobs)
    try:
        yield executor
    finally:
        if not shared:
            executor.shutdown(wait=False, cancel_futures=True)
        else:
            with _LOCK:
                if _POOL.get("pool") is executor:
                    _POOL["users"] -= 1
                    _POOL["last_used"] = time.monotonic()
                    _schedule_idle_check()


def _schedule_idle_check() -> None:
    # Called with _LOCK held.  A daemon timer: it never keeps the process alive.
    timer = _POOL.get("timer")
    if timer is not None:
        timer.cancel()
    timer = threading.Timer(IDLE_SECONDS, _stop_if_idle)
    timer.daemon = True
    _POOL["timer"] = timer
    timer.start()


def _stop_if_idle() -> None:
    with _LOCK:
        executor = _POOL.get("pool")
        if (executor is None or _POOL["users"] or _POOL["pid"] != os.getpid()
                or time.monotonic() - _POOL.get("last_used", 0.0) < IDLE_SECONDS * 0.99):
            return
        _POOL.clear()
    executor.shutdown(wait=False, cancel_futures=True)


def shutdown_pool(wait: bool = True) -> None:
    """Stop the workers (the next parallel task starts new ones)."""
    with _LOCK:
        executor = _POOL.get("pool") if _POOL.get("pid") == os.getpid() else None
        timer = _POOL.get("timer")
        _POOL.clear()
    if timer is not None:
        timer.cancel()
    if executor is not None:
        executor.shutdown(wait=wait, cancel_futures=True)


def discard_pool(executor: ProcessPoolExecutor) -> None:
    """Forget ``executor`` after it broke (a worker died), so the next block makes a new
    one."""
    with _LOCK:
        if _POOL.get("pool") is executor:
            timer = _POOL.get("timer")
            if timer is not None:
                timer.cancel()
            _POOL.clear()
    executor.shutdown(wait=False, cancel_futures=True)


atexit.register(shutdown_pool, False)


def chunk_bounds(weights, n_chunks: int) -> list[tuple[int, int]]:
    """``(start, stop)`` of at most ``n_chunks`` contiguous, non-empty chunks of roughly
    equal total weight."""
    import numpy as np   # here: ``index`` imports this module before anything heavy

    weights = np.asarray(weights, dtype=np.float64)
    cuts = np.searchsorted(np.cumsum(weights),
                           np.linspace(0, weights.sum(), n_chunks + 1)[1:-1])
    edges = [0, *sorted({int(c) for c in cuts}), len(weights)]
    return [(a, b) for a, b in zip(edges[:-1], edges[1:]) if b > a]


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
    # Inside a pool worker (an index chunk reading a table file) a pool of its own
    # would be forked while the parent's pool lock is held and wait on it forever.
    nested = mp.parent_process() is not None
    if nested or n_jobs <= 1 or total < min_size or len(items) < 2:
        return fn(items)
    bounds = chunk_bounds(weights, n_jobs * chunks_per_job)
    with pool(n_jobs) as executor:
        try:
            futures = [executor.submit(fn, items[a:b]) for a, b in bounds]
            out = []
            for f in futures:
                out.extend(f.result())
            return out
        except BrokenProcessPool:
            discard_pool(executor)
    return fn(items)
