"""Shared fixtures: paths, a multi-article folder in the seed format, a private cache."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


@pytest.fixture
def news_folder(tmp_path) -> Path:
    """A folder of dated ``news-DDMMYYYY-HHMMSS.txt`` articles on three clear themes
    over six weeks (from ``tests/factories.make_corpus``)."""
    import pandas as pd
    from factories import make_corpus, write_seed_format

    frame = make_corpus()
    frame = frame[frame["published"].notna()].reset_index(drop=True)
    # one minute apart per row, so no two articles share a file name
    frame["published"] = frame["published"] + pd.to_timedelta(frame.index, unit="min")
    folder = tmp_path / "news"
    write_seed_format(frame, folder)
    return folder


@pytest.fixture
def cache_dir(tmp_path, monkeypatch) -> Path:
    """A private result cache: ``NEWS_ANALYTICS_CACHE`` points into ``tmp_path``."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("NEWS_ANALYTICS_CACHE", str(folder))
    return folder


# Holds the writer lock as "index" and forks a child that outlives it, as the index's
# worker pool does: the lock must go with the holder, not with the child.
_HOLDER = r"""
import os, sys, time
from analysis.store_lock import store_writer
with store_writer(sys.argv[1], "index"):
    if os.fork() == 0:
        os.write(1, b"child\n")    # after the fork, as a worker is long before a kill
        time.sleep(60)
        os._exit(0)
    os.write(1, b"held\n")
    time.sleep(60)
"""


@pytest.fixture
def holder():
    """``start(store)`` starts a process holding ``store``'s writer lock as ``index``
    (:mod:`analysis.store_lock`) and returns it; every one is killed at the end."""
    procs = []

    def start(store):
        proc = subprocess.Popen([sys.executable, "-c", _HOLDER, str(store)], cwd=REPO,
                                stdout=subprocess.PIPE, text=True, start_new_session=True)
        assert {proc.stdout.readline().strip() for _ in range(2)} == {"held", "child"}
        procs.append(proc)
        return proc

    yield start
    for proc in procs:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()
