"""Benchmark: what a user waits for in a real browser (headless Chromium, Playwright).

Run from the repository root::

    python benchmarks/bench_browser.py [CORPUS] [--changes 3]
    python benchmarks/bench_browser.py --store DIR [--changes 3]

CORPUS defaults to ``../shared/corpora/reuters-dev.jsonl``.  The dashboard is served by
``streamlit run`` on a free port with an empty cache folder; prints, with the corpus
size:

* cold: page open → first chart drawn (read + analyse + save + draw);
* restart: the server stopped and started again, page open → first chart (the result
  comes from the disk cache; the source is not read again);
* warm page: a second page open on the running server → first chart, and → every
  chart of the Overview drawn;
* filter change (keyword typed + Enter) → every chart of the tab redrawn (the rerun
  over and two more frames painted), median and max per tab.

Times are wall clock in the browser, Plotly drawing included.  Set-up (the cache
folder, the server start) is outside the timed regions.
"""
from __future__ import annotations

import argparse
import os
import socket
import statistics
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
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
TABS = ("Overview", "Over time", "Topics", "Sentiment")
WORDS = ("oil", "bank", "trade", "profit", "dollar", "gold")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``streamlit run dashboard/app.py`` on a free port, with the given cache folder."""

    def __init__(self, cache: Path, log: Path):
        self.port = _free_port()
        env = dict(os.environ, NEWS_ANALYTICS_CACHE=str(cache))
        self.log = open(log, "a")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "dashboard/app.py", "--server.headless",
             "true", "--server.port", str(self.port), "--browser.gatherUsageStats", "false"],
            cwd=REPO, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self.url = f"http://127.0.0.1:{self.port}"
        for _ in range(400):
            try:
                urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=1)
                return
            except OSError:
                if self.proc.poll() is not None:
                    raise SystemExit(f"server did not start: see {log}")
                time.sleep(0.25)
        raise SystemExit("server did not answer in 100 s")

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


_TWO_FRAMES = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"
# Armed before the key press: resolves when the app's script state has gone to "running"
# and back to "notRunning". Polling for the running state instead misses a rerun that
# is over before the first poll, and then waits out its timeout (a false 5 s).
_ARM_RERUN = """() => { const app = document.querySelector('[data-testid="stApp"]');
  window.__rerun = new Promise(done => { let seen = false;
    new MutationObserver((_, obs) => {
      const s = app.getAttribute('data-test-script-state');
      if (s === 'running') seen = true;
      else if (seen && s === 'notRunning') { obs.disconnect(); done(); }
    }).observe(app, {attributes: true, attributeFilter: ['data-test-script-state']}); }); }"""


def _open(page, url, timeout_ms):
    t = time.perf_counter()
    page.goto(url, timeout=timeout_ms)
    page.wait_for_selector('[data-testid="stPlotlyChart"] .main-svg', timeout=timeout_ms)
    first = time.perf_counter() - t
    page.wait_for_selector(IDLE, timeout=timeout_ms)
    page.wait_for_function("() => [...document.querySelectorAll('[data-testid=\"stPlotlyChart\"]')]"
                           ".every(e => e.querySelector('.main-svg'))", timeout=timeout_ms)
    return first, time.perf_counter() - t


def _settle(page):
    page.wait_for_selector(IDLE, timeout=600_000)
    page.wait_for_timeout(300)
    page.wait_for_selector(IDLE, timeout=600_000)


def _change(page, word) -> float:
    """Type a keyword and press Enter; seconds until the rerun has finished and the
    browser has drawn the next two frames (Plotly draws every changed chart while the
    rerun's deltas arrive, before those frames)."""
    box = page.get_by_label("Keyword", exact=True)
    box.fill(word)
    page.evaluate(_ARM_RERUN)
    t = time.perf_counter()
    box.press("Enter")
    page.evaluate("() => window.__rerun")
    page.evaluate(_TWO_FRAMES)
    elapsed = time.perf_counter() - t
    _settle(page)
    return elapsed


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", nargs="?", default=str(DEFAULT))
    parser.add_argument("--store", metavar="DIR", help="an archive store (python -m analysis "
                        "index) instead of CORPUS: opened, not analysed")
    parser.add_argument("--changes", type=int, default=3, help="filter changes per tab")
    args = parser.parse_args(argv)
    corpus = Path(args.store or args.corpus).resolve()
    if not corpus.exists():
        raise SystemExit(f"corpus not found: {corpus}")
    from playwright.sync_api import sync_playwright

    tmp = Path(tempfile.mkdtemp(prefix="bench-browser-"))
    cache, log = tmp / "cache", tmp / "streamlit.log"
    query = "/?src=" + urllib.parse.quote(str(corpus))
    out = {}
    with sync_playwright() as p:
        # Playwright gives each launch a fresh temporary profile (--user-data-dir).
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)

        def page():
            return browser.new_context(viewport={"width": 1400, "height": 1600}).new_page()

        server = Server(cache, log)
        try:
            out["cold"] = _open(page(), server.url + query, 1_800_000)
        finally:
            server.stop()
        server = Server(cache, log)
        try:
            out["restart"] = _open(page(), server.url + query, 600_000)
            pg = page()
            out["warm"] = _open(pg, server.url + query, 600_000)
            n_articles = pg.locator(".na-chips").first.inner_text().split(" of ")[-1].split()[0]
            changes = {}
            for tab in TABS:
                pg.get_by_role("tab", name=tab, exact=True).click()
                _settle(pg)
                times = []
                for i in range(args.changes):
                    times.append(_change(pg, WORDS[(i + len(changes)) % len(WORDS)]))
                changes[tab] = (times, pg.locator('[data-testid="stPlotlyChart"]').count())
                pg.get_by_label("Keyword", exact=True).fill("")
                pg.get_by_label("Keyword", exact=True).press("Enter")
                _settle(pg)
        finally:
            server.stop()
        browser.close()

    print(f"corpus: {corpus.name}: {n_articles} articles (real Chromium, 1400x1600)")
    for name, what in (("cold", "page open → first chart, empty cache"),
                       ("restart", "server restarted, page open → first chart"),
                       ("warm", "second page on the running server → first chart")):
        first, every = out[name]
        print(f"{name:<8} {first:7.2f} s  ({what}; every chart drawn {every:.2f} s)")
    print(f"filter change (keyword + Enter) → every chart of the tab redrawn, "
          f"{args.changes} changes per tab:")
    for tab, (times, n) in changes.items():
        print(f"  {tab:<10} median {statistics.median(times):6.2f} s   max {max(times):6.2f} s"
              f"   ({n} charts)")


if __name__ == "__main__":
    main()
