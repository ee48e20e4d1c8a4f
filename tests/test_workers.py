"""The shared worker pool: results, reuse, and recovery when a worker dies."""
import os

import pandas as pd
import pytest

from analysis import analyze, load_corpus, workers

PARENT = os.getpid()


def _pids(items):
    return [(x, os.getpid()) for x in items]


def _die_in_worker(items):
    if os.getpid() != PARENT:
        os._exit(1)          # a worker killed mid-task (out of memory, kill -9)
    return [x * 2 for x in items]


def test_map_chunks_runs_in_workers_and_keeps_order():
    items = list(range(100))
    out = workers.map_chunks(_pids, items, n_jobs=2, min_size=0)
    assert [x for x, _ in out] == items
    pids = {p for _, p in out}
    assert PARENT not in pids and len(pids) >= 1
    # The same warm workers serve the next call.
    with workers.pool(2) as first:
        pass
    again = {p for _, p in workers.map_chunks(_pids, items, n_jobs=2, min_size=0)}
    with workers.pool(2) as second:
        assert second is first
        assert again <= {p.pid for p in second._processes.values()}


def test_map_chunks_stays_here_for_small_work():
    out = workers.map_chunks(_pids, list(range(10)), n_jobs=2, size=lambda x: 1, min_size=1000)
    assert {p for _, p in out} == {PARENT}
    assert workers.map_chunks(_pids, [], n_jobs=2, min_size=0) == []


def test_a_dead_worker_falls_back_to_this_process_and_the_pool_is_remade():
    items = list(range(50))
    assert workers.map_chunks(_die_in_worker, items, n_jobs=2, min_size=0) == [x * 2 for x in items]
    # The broken pool was dropped: the next call gets live workers.
    out = workers.map_chunks(_pids, items, n_jobs=2, min_size=0)
    assert PARENT not in {p for _, p in out}


def test_analyze_completes_when_the_workers_are_killed(monkeypatch):
    from factories import make_corpus

    corpus = make_corpus(60)
    monkeypatch.setattr("analysis.pipeline.PARALLEL_MIN_CHARS", 0)
    want = analyze(corpus, n_topics=3, n_jobs=1)
    with workers.pool(2) as pool:
        list(pool.map(abs, [1, 2]))               # make sure the workers exist
        for process in list(pool._processes.values()):
            process.kill()
            process.join()
    got = analyze(corpus, n_topics=3, n_jobs=2)
    pd.testing.assert_frame_equal(got.sentences, want.sentences)
    pd.testing.assert_frame_equal(got.topics, want.topics)


def test_parallel_table_reading_equals_serial(tmp_path, monkeypatch):
    from factories import make_corpus

    frame = make_corpus(80)
    frame["text"] = frame["text"].str.replace(". ", ".\n", regex=False)   # hard-wrapped
    path = tmp_path / "export.jsonl"
    frame.to_json(path, orient="records", lines=True, date_format="iso")
    monkeypatch.setattr(workers, "PARALLEL_MIN_CHARS", 10**12)
    serial = load_corpus(path)
    monkeypatch.setattr(workers, "PARALLEL_MIN_CHARS", 0)
    parallel = load_corpus(path)
    pd.testing.assert_frame_equal(parallel, serial)
    pd.testing.assert_frame_equal(parallel.attrs["skipped"], serial.attrs["skipped"])


def _started(executor):
    list(executor.map(abs, [1, 2]))
    return list(executor._processes.values())


def test_shutdown_pool_stops_the_workers():
    with workers.pool(2) as executor:
        processes = _started(executor)
    workers.shutdown_pool()
    for p in processes:
        p.join(timeout=10)
    assert all(not p.is_alive() for p in processes)
    with workers.pool(2) as again:
        assert again is not executor


def test_idle_workers_are_stopped_but_not_while_in_use(monkeypatch):
    import time

    workers.shutdown_pool()
    monkeypatch.setattr(workers, "IDLE_SECONDS", 0.3)
    with workers.pool(2) as executor:
        processes = _started(executor)
        time.sleep(0.8)                          # in use: never stopped
        assert all(p.is_alive() for p in processes)
    time.sleep(1.0)                              # idle past the limit
    for p in processes:
        p.join(timeout=10)
    assert all(not p.is_alive() for p in processes)
    with workers.pool(2) as fresh:
        assert fresh is not executor


def test_another_size_in_use_elsewhere_gets_its_own_pool():
    with workers.pool(2) as shared:
        with workers.pool(3) as other:
            assert other is not shared
            assert len(_started(other)) == 3
        with workers.pool(2) as same:
            assert same is shared


def test_chunk_bounds_cover_every_item_once_in_order():
    for weights, n in (([1] * 10, 4), ([5, 1, 1, 1], 8), ([3], 2), ([], 3), ([0, 0, 7, 0], 2)):
        bounds = workers.chunk_bounds(weights, n)
        assert [i for a, b in bounds for i in range(a, b)] == list(range(len(weights)))
        assert all(b > a for a, b in bounds) and len(bounds) <= max(n, 1)


_POOL_USER = r"""
import os, sys, time
from analysis import workers
if "early" in sys.argv:
    workers.start_server_early(["analysis.sentiment"])
with workers.pool(2) as executor:
    assert executor.submit(abs, -1).result() == 1
os.write(1, b"ready\n")
time.sleep(60)
"""


def _children(pid: int) -> list[int]:
    return [int(p) for t in os.listdir(f"/proc/{pid}/task")
            for p in open(f"/proc/{pid}/task/{t}/children").read().split()]


@pytest.mark.parametrize("early", [False, True], ids=["fork", "early-server"])
def test_workers_leave_when_their_parent_is_killed(early):
    # An index run killed with SIGKILL must not leave its workers behind, idle and
    # holding memory, for a resumed run to start two more beside.  With the fork server
    # ``index`` starts first (workers.start_server_early), the workers are the server's
    # children: the server and they must go too.
    import signal
    import subprocess
    import sys
    import time

    proc = subprocess.Popen([sys.executable, "-c", _POOL_USER] + (["early"] if early else []),
                            stdout=subprocess.PIPE, text=True,
                            cwd=os.path.dirname(os.path.dirname(__file__)))
    assert proc.stdout.readline() == "ready\n"
    pids = _children(proc.pid)
    if early:
        # this process's children: the fork server (and multiprocessing's resource
        # tracker); the workers are the server's
        servers = [p for p in pids if "forkserver" in open(f"/proc/{p}/cmdline").read()]
        assert len(servers) == 1
        pids = servers + _children(servers[0])
        assert len(pids) == 3
    assert len(pids) == 2 + early and all(_alive(p) for p in pids)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 10 * workers.PARENT_CHECK_SECONDS
    while any(_alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = [p for p in pids if _alive(p)]
    for p in left:                               # not left behind by a failing run either
        os.kill(p, signal.SIGKILL)
    assert not left


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:   # a zombie waits for init: gone for us
            return fh.read().split(") ")[-1][0] != "Z"
    except FileNotFoundError:
        return False
