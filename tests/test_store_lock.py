"""Tests for analysis.store_lock: one writer at a time on a store, across processes,
and a killed writer never leaves the store locked."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from analysis.indexer import index_archive
from analysis.overrides import add_override, overrides_path
from analysis.store_lock import StoreBusy, store_writer
from analysis.store_overrides import ensure_applied

from factories import index_news_store

REPO = Path(__file__).resolve().parents[1]

def test_a_second_writer_is_told_who_writes(tmp_path, holder):
    proc = holder(tmp_path / "store")
    t = time.perf_counter()
    with pytest.raises(StoreBusy, match=rf"being written by index \(process {proc.pid}, since"):
        with store_writer(tmp_path / "store", "a dashboard correction", timeout=0.3):
            pass
    assert time.perf_counter() - t >= 0.3            # it waited as long as asked


def test_in_one_process_a_second_writer_is_refused_too(tmp_path):
    with store_writer(tmp_path, "a dashboard correction"):
        with pytest.raises(StoreBusy, match="a dashboard correction"):
            with store_writer(tmp_path, "index"):
                pass
    with store_writer(tmp_path, "index"):             # released on the way out
        pass


def test_a_killed_writer_leaves_the_store_unlocked(tmp_path, holder):
    proc = holder(tmp_path / "store")
    proc.kill()                                     # SIGKILL the holder; its child lives on
    proc.wait()
    with store_writer(tmp_path / "store", "index"):
        pass


def test_index_and_corrections_wait_for_no_one(tmp_path, holder):
    store = index_news_store(tmp_path)
    art = sorted(p.stem for p in (tmp_path / "news").glob("news-*.txt"))[0]
    add_override(overrides_path(store), "article", art, label="negative")
    proc = holder(store)
    with pytest.raises(StoreBusy, match=f"process {proc.pid}"):
        index_archive(tmp_path / "news", store, n_topics=3, n_jobs=1)
    with pytest.raises(StoreBusy):
        ensure_applied(store)
    out = subprocess.run([sys.executable, "-m", "analysis", "index", str(tmp_path / "news"),
                          "--store", str(store), "--jobs", "1"], cwd=REPO,
                         capture_output=True, text=True)
    assert out.returncode != 0 and "being written by index" in out.stderr
    assert "Traceback" not in out.stderr
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert ensure_applied(store) is not None        # now applied
    assert index_archive(tmp_path / "news", store, n_topics=3, n_jobs=1).new_inputs == 0


def test_current_writer_is_a_live_holder_only(tmp_path, holder):
    from analysis.store_lock import current_writer

    assert current_writer(tmp_path / "store") is None
    proc = holder(tmp_path / "store")
    got = current_writer(tmp_path / "store")
    assert got["what"] == "index" and got["pid"] == proc.pid
    assert abs(got["since"] - time.time()) < 60
    os.killpg(proc.pid, signal.SIGKILL)             # its holder file stays behind ...
    proc.wait()
    assert (tmp_path / "store" / ".writer.json").exists()
    assert current_writer(tmp_path / "store") is None   # ... but names no live process
    with store_writer(tmp_path / "store", "a dashboard correction"):
        assert current_writer(tmp_path / "store")["what"] == "a dashboard correction"
    assert current_writer(tmp_path / "store") is None
