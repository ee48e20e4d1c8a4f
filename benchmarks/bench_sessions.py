"""Benchmark: many browser sessions at once on one corpus, against a real server.

Run from the repository root (needs Debian's ``chromium`` and the ``playwright``
package; Playwright's own browser download is not used)::

    python benchmarks/bench_sessions.py [JSONL] [--articles 1000] [--sessions 1 5 10 20]
    python benchmarks/bench_sessions.py --store DIR [--sessions 1 5 10 20]

Writes about ``--articles`` Reuters articles (default
``../shared/corpora/reuters-dev.jsonl``) into a temporary folder in the seed format
(``news-DDMMYYYY-HHMMSS.txt``: id line, blank line, text; articles published in the
same second as an earlier one are skipped).  Then, for each number of sessions N, on a
fresh ``streamlit run dashboard/app.py --server.headless true -- --source FOLDER``
with an empty cache folder:

* **cold**: N headless-Chromium pages (one browser, one context each = one
  session each) open at the same moment, each with its own keyword in the link
  (``?q=…``); timed until every page has drawn, with no script running;
* **filter change**: every page types another keyword into the sidebar at once;
  timed until every page has drawn again.

Per step it reports the time until all pages were drawn, the server's CPU time in
that interval (the rest is the browser's, on the same machine), the analyses the server ran
(its "analysed N article(s)" log lines: should be 1), the server's resident memory
(``/proc/<pid>/status`` VmRSS; with its descendant processes' Pss, if any, in
brackets) and the errors: pages showing an exception (``stException``) or an
``st.error``, pages whose "Articles" figure differs from
``AnalysisResult.filter(keyword=…)`` on the server's own cached result, and time-outs.

With ``--store DIR`` the server opens an archive store (``python -m analysis index``;
``-- --store DIR``) instead: nothing is analysed, every view is a DuckDB query, and each
page's "Articles" figure is checked against the store's own headline query for its
keyword (``analysis.views.StoreViews``).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path


from common import CORPORA, REPO  # noqa: E402  (puts the repo on sys.path)

DEFAULT = CORPORA / "reuters-dev.jsonl"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-quic"]
KEYWORDS = ["oil", "bank", "trade", "profit", "dollar", "coffee", "gold", "tax", "wheat",
            "shares", "dividend", "interest rates", "Japan", "OPEC", "sugar", "grain",
            "merger", "loan", "crude", "exports"]
TIMEOUT_MS = 600_000
DRAWN = '[data-testid="stApp"][data-test-script-state="notRunning"]'
ANALYSED = re.compile(r"analysed \d+ article\(s\) in")


# --------------------------------------------------------------------------- corpus
def write_corpus(jsonl: Path, folder: Path, n: int) -> int:
    """Write up to ``n`` articles in the seed format; returns how many were written."""
    import pandas as pd

    folder.mkdir(parents=True, exist_ok=True)
    written = 0
    with open(jsonl, encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            text = (row.get("text") or "").strip()
            when = pd.to_datetime(row.get("date"), errors="coerce")
            if not text or pd.isna(when):
                continue
            name = f"news-{when:%d%m%Y-%H%M%S}"
            path = folder / f"{name}.txt"
            if path.exists():  # same second as an earlier article: the name would clash
                continue
            path.write_text(f"{name}\n\n{text}\n", encoding="utf-8")
            written += 1
            if written >= n:
                break
    return written


# --------------------------------------------------------------------------- server
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``streamlit run dashboard/app.py`` on a free port with its own cache folder."""

    def __init__(self, source: Path, work: Path, flag: str = "--source"):
        self.cache = work / "cache"
        self.log_path = work / "streamlit.log"
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ, NEWS_ANALYTICS_CACHE=str(self.cache))
        self._log = open(self.log_path, "w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "dashboard/app.py",
             "--server.headless", "true", "--server.port", str(self.port),
             "--browser.gatherUsageStats", "false", "--", flag, str(source)],
            cwd=REPO, env=env, stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=1)
                return
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise SystemExit(f"server did not start:\n{self.log_path.read_text()}")
                time.sleep(0.2)

    def analyses(self) -> int:
        return len(ANALYSED.findall(self.log_path.read_text(errors="replace")))

    def rss_mb(self) -> tuple[float, float]:
        """Resident memory of the server process (RSS) and of all its descendants (the
        fork server, its workers, the resource tracker), in MB.  The descendants share
        pages with each other, so they are counted by proportional set size (Pss: each
        shared page split among the processes sharing it) where the kernel reports it."""
        def status_kb(pid, key) -> float:
            for name in (f"/proc/{pid}/smaps_rollup", f"/proc/{pid}/status"):
                try:
                    for line in Path(name).read_text().splitlines():
                        if line.startswith(key + ":"):
                            return int(line.split()[1]) / 1024
                except OSError:
                    continue
            return 0.0

        parents = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    ppid = int(Path(entry, "stat").read_text().rsplit(")", 1)[1].split()[1])
                except (OSError, IndexError, ValueError):
                    continue
                parents.setdefault(ppid, []).append(int(entry.name))
        descendants, todo = [], [self.proc.pid]
        while todo:
            for kid in parents.get(todo.pop(), []):
                descendants.append(kid)
                todo.append(kid)
        kids = sum(status_kb(k, "Pss") or status_kb(k, "VmRSS") for k in descendants)
        return status_kb(self.proc.pid, "VmRSS"), kids

    def cpu_s(self) -> float:
        """CPU seconds used so far by the server and its finished children."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self._log.close()


# --------------------------------------------------------------------------- pages
async def _drawn(page) -> None:
    """The script has run to the end and the overview figures are on the page."""
    await page.wait_for_selector('[data-testid="stMetric"]', timeout=TIMEOUT_MS)
    await page.wait_for_selector(DRAWN, timeout=TIMEOUT_MS)
    await page.wait_for_timeout(300)  # a rerun queued right after the first run
    await page.wait_for_selector(DRAWN, timeout=TIMEOUT_MS)


async def _check(page, want: int | None) -> list[str]:
    problems = []
    n_exc = await page.locator('[data-testid="stException"]').count()
    if n_exc:
        problems.append(f"{n_exc} exception(s)")
    n_err = await page.locator('[data-testid="stAlertContentError"]').count()
    if n_err:
        problems.append(f"{n_err} error box(es)")
    if want is not None:
        metric = page.locator('[data-testid="stMetric"]', has_text="Articles").first
        got = (await metric.locator('[data-testid="stMetricValue"]').inner_text()).strip()
        from dashboard.tabs.overview import _count  # 11.5k from 10,000 on

        if got != _count(want):
            problems.append(f"Articles {got}, expected {want}")
    return problems


async def _open(browser, url: str) -> dict:
    ctx = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await ctx.new_page()
    t = time.perf_counter()
    await page.goto(url, timeout=TIMEOUT_MS)
    await _drawn(page)
    return {"ctx": ctx, "page": page, "seconds": time.perf_counter() - t}


async def _change_keyword(page, word: str) -> float:
    t = time.perf_counter()
    box = page.get_by_label("Keyword", exact=True)
    await box.fill(word)
    await box.press("Enter")
    # the run that applies the new keyword writes it into the link
    await page.wait_for_function("w => new URLSearchParams(location.search).get('q') === w",
                                 arg=word, timeout=TIMEOUT_MS)
    await _drawn(page)
    return time.perf_counter() - t


async def _gather(coros) -> tuple[list, list[str]]:
    """Results of the coroutines run at once, and the errors of those that failed."""
    out = await asyncio.gather(*coros, return_exceptions=True)
    errors = [f"{type(r).__name__}: {str(r).splitlines()[0] if str(r) else ''}"
              for r in out if isinstance(r, BaseException)]
    return out, errors


async def run_step(browser, source: Path, n: int, work: Path, archive: bool = False) -> dict:
    from analysis import store

    server = Server(source, work, "--store" if archive else "--source")
    try:
        row = {"sessions": n, "rss_idle": server.rss_mb()[0]}
        urls = [f"{server.url}/?q={urllib.parse.quote_plus(KEYWORDS[i % len(KEYWORDS)])}"
                for i in range(n)]
        t, cpu = time.perf_counter(), server.cpu_s()
        opened, errors = await _gather(_open(browser, u) for u in urls)
        row["cold_s"] = time.perf_counter() - t
        row["cold_cpu"] = server.cpu_s() - cpu
        row["analyses_cold"] = server.analyses()
        row["rss_cold"] = server.rss_mb()
        if archive:
            from analysis.criteria import Criteria
            from analysis.queries import Store
            from analysis.views import StoreViews

            archive_store = Store(source)
            row["articles"] = StoreViews(archive_store, Criteria(), {}).n_total()

            def want(word):
                return StoreViews(archive_store, Criteria(keyword=word), {}).headline().n_articles
        else:
            keys = [p.name for p in server.cache.iterdir() if not p.name.startswith(".")]
            result = store.load_result(server.cache, keys[0]) if len(keys) == 1 else None
            if result is None:
                errors.append(f"expected one cached result, found {len(keys)}")
            row["articles"] = None if result is None else len(result.articles)

            def want(word):
                return None if result is None else len(result.filter(keyword=word).articles)

        pages = [(i, o) for i, o in enumerate(opened) if isinstance(o, dict)]
        checks, errs = await _gather(_check(o["page"], want(KEYWORDS[i % len(KEYWORDS)]))
                                     for i, o in pages)
        errors += errs + [f"page {i} ({KEYWORDS[i % len(KEYWORDS)]}): {p}"
                          for (i, _), c in zip(pages, checks) if isinstance(c, list) for p in c]

        # every session changes its filter at the same moment
        second = {i: KEYWORDS[(i + 7) % len(KEYWORDS)] for i, _ in pages}
        t, cpu = time.perf_counter(), server.cpu_s()
        _, errs = await _gather(_change_keyword(o["page"], second[i]) for i, o in pages)
        row["change_s"] = time.perf_counter() - t
        row["change_cpu"] = server.cpu_s() - cpu
        errors += errs
        checks, errs = await _gather(_check(o["page"], want(second[i])) for i, o in pages)
        errors += errs + [f"page {i} ({second[i]}): {p}"
                          for (i, _), c in zip(pages, checks) if isinstance(c, list) for p in c]
        row["analyses"] = server.analyses()
        row["rss_change"] = server.rss_mb()
        row["errors"] = errors
        for _, o in pages:
            await o["ctx"].close()
        return row
    finally:
        server.stop()


def _mb(pair) -> str:
    main, kids = pair
    return f"{main:6.0f}" + (f" (+{kids:.0f})" if kids >= 1 else "")


async def amain(args) -> None:
    from playwright.async_api import async_playwright

    jsonl = Path(args.store or args.corpus)
    if not jsonl.exists():
        raise SystemExit(f"not found: {jsonl}")
    work = Path(tempfile.mkdtemp(prefix="bench-sessions-"))
    try:
        if args.store:
            source, written, chars = jsonl.resolve(), 0, 0
        else:
            source = work / "articles"
            written = write_corpus(jsonl, source, args.articles)
            chars = sum(p.stat().st_size for p in source.iterdir())
        rows = []
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            try:
                for n in args.sessions:
                    step = work / f"step-{n}"
                    step.mkdir()
                    row = await run_step(browser, source, n, step, archive=bool(args.store))
                    rows.append(row)
                    print(f"  {n} session(s): cold {row['cold_s']:.1f} s, change "
                          f"{row['change_s']:.1f} s, analyses {row['analyses']}, "
                          f"errors {len(row['errors'])}", file=sys.stderr, flush=True)
            finally:
                await browser.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)

    shown = rows[0]["articles"] if rows and rows[0]["articles"] else written
    if args.store:
        print(f"archive store: {jsonl}: {shown:,} articles (opened, not analysed); "
              f"{os.cpu_count()} CPU(s)")
    else:
        print(f"corpus: {jsonl.name}: {written:,} files written ({chars / 1e6:.1f} MB), "
              f"{shown:,} articles analysed; {os.cpu_count()} CPU(s)")
    print("each step: a fresh server and an empty cache folder; N pages open at once, each "
          "with its own keyword, then all change keyword at once")
    head = (f"{'sessions':>8} | {'all drawn, cold':>15} | {'server CPU':>10} | {'analyses':>8} | "
            f"{'RSS idle MB':>11} | {'RSS after cold MB':>17} | {'all drawn, filter change':>24} | "
            f"{'server CPU':>10} | {'RSS after change MB':>19} | errors")
    print(head)
    print("-" * len(head))
    for r in rows:
        print(f"{r['sessions']:>8} | {r['cold_s']:>13.1f} s | {r['cold_cpu']:>8.1f} s | "
              f"{r['analyses']:>8} | {r['rss_idle']:>11.0f} | {_mb(r['rss_cold']):>17} | "
              f"{r['change_s']:>22.1f} s | {r['change_cpu']:>8.1f} s | "
              f"{_mb(r['rss_change']):>19} | {len(r['errors'])}")
    for r in rows:
        for e in r["errors"][:10]:
            print(f"  {r['sessions']} session(s): {e}")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", nargs="?", default=str(DEFAULT))
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--store", metavar="DIR", help="an archive store (python -m analysis "
                        "index) instead of CORPUS: opened, not analysed")
    parser.add_argument("--sessions", type=int, nargs="+", default=[1, 5, 10, 20])
    asyncio.run(amain(parser.parse_args(argv)))


if __name__ == "__main__":
    main()
