"""``report --store``: the CSV export of an archive store, streamed.

    python benchmarks/bench_report.py --store DIR [--out OUT] [-- extra report options]

Runs ``python -m analysis report --store DIR --out OUT`` in a new process and prints,
with the store's article and sentence counts and the load average: wall time, CPU
seconds and peak PSS of the process tree (sampled every 0.2 s, ``bench_scale.TreePss``),
and the size of each CSV written.  The issue's bound: 1M articles must not need 1M rows
in memory at once, so the peak must not grow with the archive.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import REPO

from bench_scale import TreePss, load  # noqa: E402  (benchmarks/ is on sys.path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", required=True, type=Path)
    parser.add_argument("--out", type=Path, default=None,
                        help="where the CSVs go (default: a temporary folder, removed after)")
    args, extra = parser.parse_known_args()
    extra = [x for x in extra if x != "--"]
    import json

    meta = json.loads((args.store / "store.json").read_text())
    totals = meta.get("totals") or {}
    out = args.out or Path(tempfile.mkdtemp(prefix="bench-report-"))
    print(f"store {args.store}: {totals.get('articles', '?'):,} articles, "
          f"{totals.get('sentences', '?'):,} sentences; {load()}", flush=True)
    cmd = [sys.executable, "-m", "analysis", "report", "--store", str(args.store),
           "--out", str(out), *extra]
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    pss = TreePss(proc.pid)
    _, err = proc.communicate()
    seconds, peak = time.perf_counter() - t, pss.stop()
    if proc.returncode:
        sys.exit(f"report failed ({proc.returncode}):\n{err[-3000:]}")
    print(f"report --store: {seconds:.1f} s wall, {sum(pss.cpu.values()):.1f} s CPU, "
          f"peak PSS {peak:,.0f} MB ({load()})")
    for f in sorted(out.iterdir()):
        print(f"  {f.name}: {f.stat().st_size / 1e6:,.1f} MB")
    if args.out is None:
        shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    os.chdir(REPO)
    main()
