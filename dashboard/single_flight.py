"""Single flight: one piece of work run once for every session that asks for it at once.

When several sessions ask for the same missing result (a source to read, a result to
load from disk, a corpus to analyse), one background thread does the work and every
session waits for it, replaying its progress reports in its own thread, then gets the
same value or the same error.  No Streamlit here: the caches of :mod:`dashboard.data`
use it.
"""
from __future__ import annotations

import threading
from typing import Callable

__all__ = ["Flight", "single_flight"]


class Flight:
    """One piece of work in progress: its latest progress report and its outcome,
    guarded by a condition that the waiting sessions sleep on."""

    def __init__(self):
        self.cond = threading.Condition()
        self.report: tuple | None = None  # latest progress(*args)
        self.done = False
        self.value = None
        self.error: BaseException | None = None

    def run(self, work: Callable, finish: Callable[[], None]) -> None:
        def report(*args):
            with self.cond:
                self.report = args
                self.cond.notify_all()

        try:
            self.value = work(report)
        except BaseException as exc:  # handed to every waiter, never lost
            self.error = exc
        finally:
            finish()
            with self.cond:
                self.done = True
                self.cond.notify_all()

    def wait(self, progress: Callable | None):
        """Block until done, calling ``progress`` (in the caller's thread) with each new
        report; return the value or raise the error.  An exception from ``progress``
        (e.g. Streamlit stopping this session's run) leaves the work running."""
        seen = None
        while True:
            with self.cond:
                self.cond.wait_for(lambda: self.done or (progress is not None
                                                         and self.report is not seen))
                done, seen = self.done, self.report
            if done:
                break
            progress(*seen)
        if self.error is not None:
            raise self.error
        return self.value


def single_flight(flights: dict, lock, key: tuple, work: Callable,
                  progress: Callable | None = None):
    """``work(report)`` run once for concurrent callers with the same ``key``.

    The first caller starts it in a background thread (owned by no session, so a
    session that reruns or closes does not abort it) and every caller, the first one
    included, waits for it with its own ``progress`` callback.  ``flights`` holds the
    work in progress by key, guarded by ``lock``; other keys are never blocked: the
    lock is held only to look the flight up."""
    with lock:
        flight = flights.get(key)
        new = flight is None
        if new:
            flight = flights[key] = Flight()

    def finish():
        with lock:
            flights.pop(key, None)

    if new:
        threading.Thread(target=flight.run, args=(work, finish), daemon=True,
                         name=f"news-analytics-{key[0]}").start()
    return flight.wait(progress)
