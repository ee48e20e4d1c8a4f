"""Shared pieces of the real-browser tests (``test_browser.py`` on folders,
``test_browser_store.py`` on an archive store): a `streamlit run` server, headless
Chromium through Playwright, and the helpers that drive the page (wait for a rerun,
click a chart mark, box-select, read the URL and the filter banner).

Screenshots go to ``$SCREENSHOT_DIR``, default ``<tmp>/news-analytics-screens/``.
"""
from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = Path(os.environ.get("SCREENSHOT_DIR")
                 or Path(tempfile.gettempdir()) / "news-analytics-screens")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-quic"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serve(tmp: Path, app_args=()):
    """`streamlit run dashboard/app.py [-- app_args]` on a free port, its result cache
    in ``tmp/cache``; yields the base URL and stops the server on exit."""
    port = _free_port()
    env = dict(os.environ, NEWS_ANALYTICS_CACHE=str(tmp / "cache"))
    log_path = tmp / "streamlit.log"
    log = open(log_path, "w")
    cmd = [sys.executable, "-m", "streamlit", "run", "dashboard/app.py", "--server.headless",
           "true", "--server.port", str(port), "--browser.gatherUsageStats", "false"]
    if app_args:
        cmd += ["--", *map(str, app_args)]
    proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(f"{url}/_stcore/health", timeout=1)
                break
            except OSError:
                if proc.poll() is not None:
                    pytest.fail(log_path.read_text())
                time.sleep(0.25)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page_factory(browser, tmp_path):
    contexts = []

    def make(scheme="light", width=1500, height=1800, **options):
        ctx = browser.new_context(viewport={"width": width, "height": height},
                                  color_scheme=scheme, **options)
        contexts.append(ctx)
        return ctx.new_page()

    yield make
    for ctx in contexts:
        ctx.close()


def settle(page, timeout=180_000):
    """Wait until the script has finished running and the page is drawn."""
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]',
                           timeout=timeout)
    page.wait_for_timeout(400)
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]',
                           timeout=timeout)
    page.wait_for_timeout(600)


IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
# Armed before the action: resolves when the app's script state has gone to "running"
# and back to "notRunning" (as benchmarks/bench_browser.py waits for a rerun), or after
# 5 s when the action started none.
_ARM_RERUN = """() => { const app = document.querySelector('[data-testid="stApp"]');
  window.__rerun = new Promise(done => { let seen = false;
    const obs = new MutationObserver(() => {
      const s = app.getAttribute('data-test-script-state');
      if (s === 'running') seen = true;
      else if (seen && s === 'notRunning') { obs.disconnect(); done(true); }
    });
    obs.observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
    setTimeout(() => { obs.disconnect(); done(false); }, 5000); }); }"""
_TWO_FRAMES = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"
_CHARTS_DRAWN = ("() => [...document.querySelectorAll('[data-testid=\"stPlotlyChart\"]')]"
                 ".every(e => e.querySelector('.main-svg'))")


def drawn(page, timeout=180_000):
    """Wait until no script runs and every chart on the page has been drawn."""
    page.wait_for_selector(IDLE, timeout=timeout)
    page.wait_for_function(_CHARTS_DRAWN, timeout=timeout)
    page.evaluate(_TWO_FRAMES)
    page.wait_for_timeout(50)
    page.wait_for_selector(IDLE, timeout=timeout)


def act(page, action, timeout=180_000):
    """Do ``action()`` (a click, a key press, a drag) and wait for the rerun it starts,
    observed rather than guessed (quicker than :func:`settle`'s fixed pauses), and for
    the page to be drawn; no exception box."""
    from playwright.sync_api import Error as PlaywrightError

    page.evaluate(_ARM_RERUN)
    action()
    try:
        page.evaluate("() => window.__rerun")
    except PlaywrightError as exc:
        # Chromium dropped the awaited promise with the frame's old script context (seen
        # once in CI on a tab switch): the rerun is under way or done, drawn() waits.
        if "garbage collected" not in str(exc):
            raise
    drawn(page, timeout)
    no_exception(page)


def no_exception(page):
    boxes = page.locator('[data-testid="stException"]')
    assert boxes.count() == 0, boxes.first.inner_text()


def shot(page, name):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def open_tab(page, name, quick=False):
    tab = page.get_by_role("tab", name=name, exact=True)
    if quick:
        if tab.get_attribute("aria-selected") == "true":  # open already: no rerun
            drawn(page)
            return no_exception(page)
        return act(page, tab.click)
    tab.click()
    settle(page)
    no_exception(page)


def banner(page) -> str:
    return page.locator(".na-chips").first.inner_text()


def click_first(page, chart_index: int, selector: str):
    """Click the first bar / point of the n-th Plotly chart on the page."""
    chart = page.locator('[data-testid="stPlotlyChart"]').nth(chart_index)
    mark = chart.locator(selector).first
    mark.scroll_into_view_if_needed()
    click_box(page, mark.bounding_box())


def click_box(page, bb, quick=False):
    """Hover, then click the centre of the box ``bb``; wait for the rerun; no exception.
    ``quick``: wait by observing the rerun (:func:`act`), not with fixed pauses."""
    x, y = bb["x"] + bb["width"] / 2, bb["y"] + bb["height"] / 2
    page.mouse.move(x, y)
    page.wait_for_timeout(300)
    if quick:
        return act(page, lambda: page.mouse.click(x, y))
    page.mouse.click(x, y)
    settle(page)
    no_exception(page)


def chart(page, key):
    loc = page.locator(f".st-key-{key} .js-plotly-plot").first
    loc.wait_for(timeout=60_000)
    loc.scroll_into_view_if_needed()
    return loc


def click_mark(page, key, which="largest", quick=False):
    """Click one bar or marker of the chart with ``key`` (the largest bar, or the middle
    marker of a line)."""
    marks = chart(page, key).locator(".bars path, .points path")
    boxes = [b for b in (marks.nth(i).bounding_box() for i in range(marks.count()))
             if b and b["width"] > 1 and b["height"] > 1]
    assert boxes, f"no mark drawn on {key}"
    if which == "largest":
        bb = max(boxes, key=lambda b: b["width"] * b["height"])
    else:  # the marker nearest the middle of the plot area
        area = chart(page, key).locator(".nsewdrag").first.bounding_box()
        cx, cy = area["x"] + area["width"] / 2, area["y"] + area["height"] / 2
        bb = min(boxes, key=lambda b: (b["x"] + b["width"] / 2 - cx) ** 2
                 + (b["y"] + b["height"] / 2 - cy) ** 2)
    click_box(page, bb, quick=quick)


def box_select(page, key, x=(0.3, 0.7), y=(0.0, 1.0), quick=False):
    """Pick the box-select tool in the chart's toolbar (a drag pans otherwise, so that a
    click still selects one point) and drag a box over the fractions ``x`` and ``y`` of
    the plot area."""
    fig = chart(page, key)
    fig.hover()
    fig.locator('.modebar-btn[data-val="select"]').first.click()
    area = fig.locator(".nsewdrag").first.bounding_box()
    x0, x1 = (area["x"] + area["width"] * f for f in x)
    y0, y1 = (area["y"] + 1 + (area["height"] - 2) * f for f in y)
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move((x0 + x1) / 2, (y0 + y1) / 2, steps=5)
    page.mouse.move(x1, y1, steps=5)
    if quick:
        return act(page, page.mouse.up)
    page.mouse.up()
    settle(page)
    no_exception(page)


def params(page) -> dict:
    """The page URL's query string, the last value of each key."""
    return {k: v[-1] for k, v in urllib.parse.parse_qs(urllib.parse.urlparse(page.url).query)
            .items()}


def topics_set(page):
    assert "topics" in params(page), page.url
    return [int(t) for t in params(page)["topics"].split(",")]
