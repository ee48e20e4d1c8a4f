"""The archive at scale: ``index`` of N seed-format files against one-core vaderSentiment.

    python benchmarks/bench_scale.py N [--topics 20] [--jobs 2] [--floor-fraction 1.0]
                                       [--dask-parity 5000] [--data /work/data]

Makes (once) N article files under ``DATA/scale-N`` (``scale_corpus.py``: shared BBC
and Reuters articles with new dates and distinct text, in ``YYYY/MM/DD/`` folders), then
prints, each with N and the machine's load average when it was measured:

* ``index`` (a new process, ``--topics`` given, every core) wall time and its CPU
  seconds (workers included); the peak PSS of its whole process tree, sampled every
  0.2 s in another run of the same command (sampling PSS costs the run it watches
  CPU: see ``TreePss``), with that run's time;
* vaderSentiment's ``polarity_scores`` on one core over the same sentences (read back
  from the store), and the ratio index / vaderSentiment; also the CPU ratio, the
  index's CPU seconds over two cores against the floor's CPU seconds (what the wall
  ratio would be on two idle cores with the work spread perfectly).  ``--floor-fraction F`` times
  every (1/F)-th sentence and scales the time by 1/F (for 1M articles, where the full
  floor alone takes about half an hour);
* an incremental run after adding 1 % new files (later dates), the whole command;
* with ``--dask-parity M``: ``index`` of M articles with ``--engine dask`` (a
  LocalCluster of 2 workers) and the local engine, and whether the ``articles`` rows
  (id, compound, topic_id) are identical.

The store is built in ``DATA/bench-store-N`` and, when ``DATA/store-N`` does not exist
yet, moved there with a ``DATA/store-N.done`` marker for others to reuse.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil

from common import REPO

import scale_corpus  # noqa: E402  (benchmarks/ is on sys.path when run as a script)


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


class TreePss:
    """Peak PSS (MB) of a process and all its descendants, and their CPU seconds (user +
    system, the last value seen of each process: a process's last 0.2 s at most are
    missed), sampled in a thread.

    ``pss=False``: CPU seconds only.  Reading a process's PSS (``smaps_rollup``) makes
    the kernel walk its page tables, about 3 ms per process and sample: for an index
    run's five processes every 0.2 s, 7 % of a core taken from the run it measures (on
    100k articles, 26.8 s unobserved against 28.6 s observed, three runs each).  So the
    time is measured in a run without it, the memory in another run of the same command.
    """

    def __init__(self, pid: int, every: float = 0.2, pss: bool = True):
        self.pid, self.every, self.peak, self.pss = pid, every, 0.0, pss
        self.cpu: dict = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop.is_set():
            try:
                root = psutil.Process(self.pid)
                procs = [root] + root.children(recursive=True)
            except psutil.Error:
                break
            total = 0
            for p in procs:
                try:
                    if self.pss:
                        total += p.memory_full_info().pss
                    t = p.cpu_times()
                    self.cpu[(p.pid, p.create_time())] = t.user + t.system
                except psutil.Error:
                    pass
            self.peak = max(self.peak, total / 1e6)
            self._stop.wait(self.every)

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return self.peak


#: CPU seconds of the process tree of the last run_index (see TreePss).
LAST_CPU = {"s": 0.0}


def run_index(source: Path, store: Path, *extra, pss: bool = False) -> tuple[float, float, str]:
    """``index`` of ``source`` into ``store``: ``(seconds, peak PSS in MB or 0.0 without
    pss, stdout)``; the CPU seconds of its process tree go in ``LAST_CPU``."""
    cmd = [sys.executable, "-m", "analysis", "index", str(source), "--store", str(store), *extra]
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    pss = TreePss(proc.pid, pss=pss)
    out, err = proc.communicate()
    seconds = time.perf_counter() - t
    peak = pss.stop()
    LAST_CPU["s"] = sum(pss.cpu.values())
    if proc.returncode:
        sys.exit(f"index failed ({proc.returncode}):\n{err[-3000:]}")
    return seconds, peak, out


def vader_floor(store: Path, fraction: float) -> tuple[float, int]:
    """Seconds of vaderSentiment on one core over the store's sentences (every
    (1/fraction)-th when fraction < 1, time scaled up), and the sentence count; its CPU
    seconds (scaled the same way) go in ``FLOOR_CPU``."""
    import pyarrow.dataset as ds
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    step = max(1, round(1 / fraction))
    data = ds.dataset(store / "sentences", format="parquet", partitioning="hive")
    seconds, cpu, n, seen = 0.0, 0.0, 0, 0
    for batch in data.to_batches(columns=["text"], batch_size=65536):
        texts = batch.column(0).to_pylist()[(-seen) % step::step]
        seen += batch.num_rows
        t, c = time.perf_counter(), time.process_time()
        for s in texts:
            analyzer.polarity_scores(s)
        seconds += time.perf_counter() - t
        cpu += time.process_time() - c
        n += len(texts)
    FLOOR_CPU["s"] = cpu * step
    return seconds * step, seen


#: CPU seconds of the last vader_floor.
FLOOR_CPU = {"s": 0.0}


def remove_added(folder: Path, n: int) -> int:
    """Delete the files an earlier incremental figure added (published at or after
    article ``n``'s time), so the corpus is N articles again; returns how many."""
    cutoff = scale_corpus.START + scale_corpus.timedelta(seconds=n * scale_corpus.step(n))
    removed = 0
    for path in folder.glob("*/*/*/*.txt"):
        y, m, d = (int(x) for x in path.parent.relative_to(folder).parts)
        if (y, m, d) < (cutoff.year, cutoff.month, cutoff.day):
            continue
        when = scale_corpus.datetime.strptime(path.stem[5:], "%d%m%Y-%H%M%S")
        if when >= cutoff:
            path.unlink()
            removed += 1
    return removed


def ensure_corpus(n: int, data: Path) -> Path:
    folder = data / f"scale-{n}"
    marker = data / f"scale-{n}.complete"
    if not marker.exists():
        t = time.perf_counter()
        scale_corpus.make(n, str(folder))
        marker.write_text(str(n))
        print(f"made {n} files in {folder} in {time.perf_counter() - t:.1f} s")
    else:
        removed = remove_added(folder, n)
        if removed:
            print(f"removed {removed} files added by an earlier incremental run")
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("n", type=int)
    parser.add_argument("--topics", type=int, default=20)
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--floor-fraction", type=float, default=1.0)
    parser.add_argument("--dask-parity", type=int, default=0, metavar="M")
    parser.add_argument("--data", type=Path, default=Path("/work/data"))
    args = parser.parse_args()
    if not scale_corpus.CORPORA.exists():
        sys.exit(f"needs {scale_corpus.CORPORA} (the shared corpora)")
    n, data = args.n, args.data
    jobs = ["--jobs", str(args.jobs)] if args.jobs else []
    figures = {"n": n, "topics": args.topics, "cores": os.cpu_count()}
    source = ensure_corpus(n, data)
    store = data / f"bench-store-{n}"
    shutil.rmtree(store, ignore_errors=True)

    # Memory first, in a store of its own (see TreePss: sampling PSS slows the run).
    memory_store = data / f"bench-store-{n}-memory"
    shutil.rmtree(memory_store, ignore_errors=True)
    figures["memory_load"] = load()
    observed, peak, _ = run_index(source, memory_store, "--topics", str(args.topics), *jobs,
                                  pss=True)
    shutil.rmtree(memory_store, ignore_errors=True)
    figures.update(index_peak_pss_mb=round(peak), index_observed_s=round(observed, 2))
    print(f"N={n}: peak PSS of the index's process tree {peak:.0f} MB (that run, sampled "
          f"every 0.2 s: {observed:.1f} s; {figures['memory_load']})")

    figures["index_load"] = load()
    seconds, _, out = run_index(source, store, "--topics", str(args.topics), *jobs)
    meta = json.loads((store / "store.json").read_text())
    figures.update(index_s=round(seconds, 2), index_cpu_s=round(LAST_CPU["s"], 1),
                   articles=meta["totals"]["articles"], sentences=meta["totals"]["sentences"],
                   sample=meta["model"]["sample_size"], fit_s=meta["model"]["fit_seconds"])
    print(f"N={n}: index {seconds:.1f} s ({LAST_CPU['s']:.1f} s of CPU, process tree) "
          f"({figures['articles']} articles, {figures['sentences']} sentences, k={args.topics}, "
          f"sample {figures['sample']}, fit {figures['fit_s']:.1f} s; {figures['index_load']})")

    figures["floor_load"] = load()
    floor, n_sent = vader_floor(store, args.floor_fraction)
    # On a machine shared with other jobs, wall times measure the load as much as the
    # code: the CPU ratio (the index's CPU over both cores against the floor's CPU) is
    # the wall ratio the index would have with two idle cores and perfect spreading.
    figures.update(vader_1core_s=round(floor, 2), vader_1core_cpu_s=round(FLOOR_CPU["s"], 2),
                   floor_fraction=args.floor_fraction, ratio=round(seconds / floor, 3),
                   cpu_ratio_2_cores=round(LAST_CPU["s"] / (2 * FLOOR_CPU["s"]), 3)
                   if FLOOR_CPU["s"] else None)
    print(f"N={n}: vaderSentiment on 1 core over the same {n_sent} sentences {floor:.1f} s"
          + (f" (every {round(1 / args.floor_fraction)}th sentence timed, scaled)"
             if args.floor_fraction < 1 else "")
          + f"; index / vaderSentiment = {seconds / floor:.2f}x ({figures['floor_load']}); "
          f"CPU: floor {FLOOR_CPU['s']:.1f} s, index {figures['index_cpu_s']:.1f} s, "
          f"index CPU / (2 x floor CPU) = {figures['cpu_ratio_2_cores']}")

    figures["rerun_load"] = load()
    again, _, _ = run_index(source, store, *jobs)
    figures["nothing_changed_s"] = round(again, 2)
    print(f"N={n}: re-run with nothing changed {again:.2f} s ({figures['rerun_load']})")

    added = max(1, n // 100)
    scale_corpus.make(n + added, str(source), start=n, n_total=n)
    figures["incremental_load"] = load()
    inc, _, _ = run_index(source, store, *jobs)
    figures.update(incremental_files=added, incremental_s=round(inc, 2),
                   incremental_share=round(inc / seconds, 4))
    print(f"N={n}: incremental run after adding {added} files (1 %): {inc:.2f} s = "
          f"{100 * inc / seconds:.1f} % of the first run (limit: 5 % or 4 s) ({figures['incremental_load']})")

    if args.dask_parity:
        m = args.dask_parity
        small = ensure_corpus(m, data)
        a, b = data / f"bench-parity-local-{m}", data / f"bench-parity-dask-{m}"
        for s in (a, b):
            shutil.rmtree(s, ignore_errors=True)
        figures["parity_load"] = load()
        t_local, _, _ = run_index(small, a, "--topics", str(args.topics), "--jobs", "2")
        t_dask, p_dask, _ = run_index(small, b, "--topics", str(args.topics), "--jobs", "2",
                                      "--engine", "dask", pss=True)
        import duckdb
        q = ("SELECT article_id, compound, topic_id FROM read_parquet('{}/articles/*/*.parquet', "
             "hive_partitioning=true) ORDER BY article_id")
        fa, fb = duckdb.sql(q.format(a)).df(), duckdb.sql(q.format(b)).df()
        same = bool(fa.equals(fb))
        figures.update(parity_n=m, parity_identical=same, parity_rows=len(fa),
                       local_s=round(t_local, 2), dask_s=round(t_dask, 2), dask_peak_pss_mb=round(p_dask))
        print(f"N={m}: Dask LocalCluster (2 workers) {t_dask:.1f} s vs local {t_local:.1f} s; "
              f"articles rows (id, compound, topic_id) identical: {same} ({len(fa)} rows; "
              f"{figures['parity_load']})")
        for s in (a, b):
            shutil.rmtree(s, ignore_errors=True)

    final = data / f"store-{n}"
    if not final.exists():
        store.rename(final)
        (data / f"store-{n}.done").write_text(json.dumps(figures, indent=1))
        print(f"store kept in {final} (marker {final}.done)")
    else:
        shutil.rmtree(store, ignore_errors=True)
    print(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
