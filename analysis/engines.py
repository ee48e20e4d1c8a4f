"""Where the per-chunk tasks of an index run execute: this process, local worker
processes, or a Dask ``distributed`` cluster, behind one small interface.

An engine has ``submit(fn, *args) -> future``, ``wait(futures) -> (done, pending)``
(returns as soon as one is done) and ``n_workers``; futures have ``result()``.  The
functions are the same module-level functions on every engine
(:mod:`analysis.index_tasks`), so the output does not depend on where they ran.
"""
from __future__ import annotations

import concurrent.futures as cf
import importlib
from contextlib import contextmanager

from . import workers

__all__ = ["engine", "EngineError", "start_local_early", "TASK_MODULES"]

#: What the tasks import (scikit-learn, blingfire, VADER, DuckDB): imported once before
#: the workers exist, so they share it (:func:`_import_task_modules`, :func:`start_local_early`).
TASK_MODULES = ("analysis.index_tasks", "analysis.pipeline", "analysis.rollups",
                "analysis.sentiment", "analysis.topic_store")


class EngineError(RuntimeError):
    """The engine cannot run the work (cluster unreachable, a worker died)."""


class _Inline:
    """Runs each task at submit time in this process (one job, or tiny inputs)."""

    n_workers = 1

    def submit(self, fn, *args):
        future = cf.Future()
        try:
            future.set_result(fn(*args))
        except BaseException as exc:  # surfaced by result(), like a pool's future
            future.set_exception(exc)
        return future

    def wait(self, futures):
        return set(futures), set()


class _Local:
    """The process pool of :mod:`analysis.workers`."""

    def __init__(self, executor, n_workers):
        self._executor = executor
        self.n_workers = n_workers

    def submit(self, fn, *args):
        return self._executor.submit(fn, *args)

    def wait(self, futures):
        done, pending = cf.wait(futures, return_when=cf.FIRST_COMPLETED)
        return done, pending


class _Dask:
    def __init__(self, client):
        self._client = client
        self.n_workers = max(1, sum(w.get("nthreads", 1) for w in
                                    client.scheduler_info()["workers"].values()))

    def submit(self, fn, *args):
        # pure=False: a task writes files, it must run even if the arguments repeat.
        return self._client.submit(fn, *args, pure=False)

    def wait(self, futures):
        from distributed import wait
        done, pending = wait(list(futures), return_when="FIRST_COMPLETED")
        return set(done), set(pending)


def _import_task_modules() -> None:
    """Import what the tasks import (scikit-learn, blingfire, VADER, DuckDB) here, before
    a fork pool forks its workers: once for all of them instead of once in each (about a
    second and a half of CPU per worker), and the pages are shared, not copied.  Not for
    a fork server or spawned workers, which would not inherit them."""
    if workers.start_method() == "fork":
        for name in TASK_MODULES:
            importlib.import_module(name)


def _n_workers(n_jobs: int | None) -> int:
    """Worker processes for ``n_jobs`` (None: every core this process may use)."""
    return workers.available_cores() if n_jobs is None else n_jobs


def start_local_early(n_jobs: int | None = None) -> None:
    """Have the local engine's workers forked from a server that starts importing the
    task modules now, on another core, while this process goes on (``index`` imports
    pandas and scans its source meanwhile): on an increment of a day's files that import
    was a third of the run.  Nothing to do for one worker, which runs in this process."""
    n = _n_workers(n_jobs)
    if n > 1:
        workers.start_server_early(list(TASK_MODULES))


@contextmanager
def engine(kind: str = "local", n_jobs: int | None = None, scheduler: str | None = None):
    """An engine for the duration of a ``with`` block.

    ``kind="local"``: ``n_jobs`` worker processes (default every core; 1 runs in this
    process).  ``kind="dask"``: the Dask cluster at ``scheduler``
    (``tcp://host:8786``), or a ``LocalCluster`` of ``n_jobs`` single-threaded worker
    processes started (and stopped) here.
    """
    if kind == "local":
        n = _n_workers(n_jobs)
        if n <= 1:
            yield _Inline()
            return
        _import_task_modules()
        with workers.pool(n) as executor:
            try:
                yield _Local(executor, n)
            except workers.BrokenProcessPool as exc:
                workers.discard_pool(executor)
                raise EngineError("a worker process died (out of memory?); run the same "
                                  "command again to continue where it stopped") from exc
        return
    if kind != "dask":
        raise ValueError(f"engine must be 'local' or 'dask', got {kind!r}")
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:  # pragma: no cover - dask is in requirements.txt
        raise EngineError("--engine dask needs dask[distributed] (pip install -r requirements.txt)") from exc
    if scheduler:
        try:
            client = Client(scheduler, timeout="10s")
        except (OSError, TimeoutError) as exc:
            raise EngineError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from exc
        try:
            yield _Dask(client)
        finally:
            client.close()
        return
    n = _n_workers(n_jobs)
    # One thread per worker process: VADER and the tokenizers are pure Python (the GIL),
    # so threads would not add throughput.
    with LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        yield _Dask(client)
