"""End to end in a real browser: `streamlit run dashboard/app.py` driven by headless
Chromium through Playwright.  Skips when /usr/bin/chromium is absent.

Screenshots (light and dark theme) go to ``$SCREENSHOT_DIR``, default
``<tmp>/news-analytics-screens/``, for a person to look at.
"""
from __future__ import annotations

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

pytestmark = [
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium"),
    pytest.mark.timeout(600),
]

# The loader turns HTML into text (decoding entities), so an HTML article that quotes
# markup yields literal "<script>" text; a plain .txt keeps a lone <img ...> as written.
XSS_HTML = ("<p>Officials said the storm flooded the valley. "
            "&lt;script&gt;window.__xss=1&lt;/script&gt; "
            '&lt;img src=x onerror="window.__xss=2"&gt; '
            "Read [click](javascript:alert(1)) and **bold** claims.</p>\n"
            "<p>The Escape:</p>\n"
            "<p>Rescuers praised the brave volunteers who saved many families.</p>\n")
XSS_PLAIN = ('<img src=x onerror="window.__xss=3"> Title with [a link](javascript:alert(2)) '
             "**bold**\n\nStorm waters rose over the valley. Volunteers helped the families.\n")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A running dashboard (cache in a temporary folder); yields its base URL."""
    pytest.importorskip("playwright.sync_api")
    tmp = tmp_path_factory.mktemp("browser")
    port = _free_port()
    env = dict(os.environ, NEWS_ANALYTICS_CACHE=str(tmp / "cache"))
    log = open(tmp / "streamlit.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "dashboard/app.py", "--server.headless",
         "true", "--server.port", str(port), "--browser.gatherUsageStats", "false"],
        cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(f"{url}/_stcore/health", timeout=1)
                break
            except OSError:
                if proc.poll() is not None:
                    pytest.fail((tmp / "streamlit.log").read_text())
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

    def make(scheme="light", width=1500, height=1800):
        ctx = browser.new_context(viewport={"width": width, "height": height},
                                  color_scheme=scheme)
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


def no_exception(page):
    boxes = page.locator('[data-testid="stException"]')
    assert boxes.count() == 0, boxes.first.inner_text()


def shot(page, name):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def open_tab(page, name):
    page.get_by_role("tab", name=name, exact=True).click()
    settle(page)
    no_exception(page)


def banner(page) -> str:
    return page.locator(".na-chips").first.inner_text()


def test_filter_and_reader_on_seeds(server, page_factory):
    page = page_factory()
    page.goto(server + "/", timeout=180_000)
    page.wait_for_selector('[data-testid="stMetric"]', timeout=180_000)
    settle(page)
    no_exception(page)
    before = banner(page)
    shot(page, "seeds-overview-light")
    # change a filter: the keyword box in the sidebar
    box = page.get_by_label("Keyword", exact=True)
    box.fill("election")
    box.press("Enter")
    settle(page)
    no_exception(page)
    after = banner(page)
    assert after != before and "election" in after
    assert "q=election" in page.url
    # open an article: select the first row of the articles table
    open_tab(page, "Articles")
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.wait_for()
    bb = grid.bounding_box()
    page.mouse.click(bb["x"] + 18, bb["y"] + 35 + 17)  # checkbox column, first row
    settle(page)
    no_exception(page)
    page.wait_for_selector(".na-reader span.na-s", timeout=30_000)
    assert "art=" in page.url
    spans = page.locator(".na-reader span.na-s")
    assert spans.count() >= 2
    assert "compound" in spans.first.get_attribute("title")
    shot(page, "seeds-reader-light")


def test_chart_click_filters_and_can_be_undone(server, page_factory):
    page = page_factory()
    page.goto(server + "/", timeout=180_000)
    page.wait_for_selector('[data-testid="stMetric"]', timeout=180_000)
    settle(page)
    charts = page.locator('[data-testid="stPlotlyChart"]')
    assert charts.count() >= 2
    click_first(page, 1, ".bars path")  # "Articles per topic" on the overview
    assert "topics=" in page.url
    assert "topics" in banner(page)
    page.get_by_role("button", name="Undo last chart click").click()
    settle(page)
    assert "topics=" not in page.url


def click_first(page, chart_index: int, selector: str):
    """Click the first bar / point of the n-th Plotly chart on the page."""
    chart = page.locator('[data-testid="stPlotlyChart"]').nth(chart_index)
    mark = chart.locator(selector).first
    mark.scroll_into_view_if_needed()
    bb = mark.bounding_box()
    x, y = bb["x"] + bb["width"] / 2, bb["y"] + bb["height"] / 2
    page.mouse.move(x, y)
    page.wait_for_timeout(300)
    page.mouse.click(x, y)
    settle(page)
    no_exception(page)


def test_timeline_click_filters_to_period(server, page_factory, news_folder):
    page = page_factory()
    page.goto(f"{server}/?src={urllib.parse.quote(str(news_folder))}&tab=Over+time&freq=week",
              timeout=180_000)
    page.wait_for_selector('[data-testid="stPlotlyChart"]', timeout=180_000)
    settle(page)
    click_first(page, 0, ".bars path")  # articles per week
    # the first week starts on the first article's day, so only the end is narrowed
    assert "end=2024-06-09" in page.url
    assert "dates" in banner(page)
    shot(page, "multi-over-time-after-click-light")


def test_every_tab_multi_article_light_and_dark(server, page_factory, news_folder):
    for scheme in ("light", "dark"):
        page = page_factory(scheme)
        page.goto(f"{server}/?src={urllib.parse.quote(str(news_folder))}", timeout=180_000)
        page.wait_for_selector('[data-testid="stMetric"]', timeout=180_000)
        settle(page)
        no_exception(page)
        assert "18 of 18" in banner(page)
        for tab in ("Overview", "Over time", "Topics", "Sentiment", "Articles",
                    "Skipped inputs"):
            open_tab(page, tab)
            shot(page, f"multi-{tab.lower().replace(' ', '-')}-{scheme}")


def test_article_text_is_never_markup(server, page_factory, tmp_path):
    folder = tmp_path / "xss"
    folder.mkdir()
    (folder / "news-01062024-120000.txt").write_text(
        "news-01062024-120000\n\n" + XSS_HTML, encoding="utf-8")
    (folder / "news-02062024-120000.txt").write_text(
        "news-02062024-120000\n\n" + XSS_PLAIN, encoding="utf-8")
    page = page_factory()
    url = (f"{server}/?src={urllib.parse.quote(str(folder))}&tab=Articles"
           "&art=news-01062024-120000")
    page.goto(url, timeout=180_000)
    page.wait_for_selector(".na-reader", timeout=180_000)
    settle(page)
    no_exception(page)
    assert page.evaluate("() => window.__xss") is None
    assert page.locator('img[src="x"]').count() == 0
    assert page.evaluate(
        "() => [...document.querySelectorAll('script')].some(s => s.textContent.includes('__xss'))"
    ) is False
    assert page.locator('a[href^="javascript"]').count() == 0
    reader_text = page.locator(".na-reader").inner_text()
    assert "<script>window.__xss=1</script>" in reader_text
    assert '<img src=x onerror="window.__xss=2">' in reader_text
    assert "[click](javascript:alert(1))" in reader_text
    assert "**bold**" in reader_text
    assert page.locator(".na-reader strong, .na-reader b").count() == 0
    assert page.locator(".na-reader h4").first.inner_text() == "The Escape:"
    shot(page, "xss-reader-light")
    # a hostile title (and text) in the other article, then every tab
    page.goto(url.replace("news-01062024", "news-02062024"), timeout=180_000)
    page.wait_for_selector(".na-reader h3", timeout=180_000)
    settle(page)
    no_exception(page)
    title = page.locator(".na-reader h3").inner_text()
    assert title.startswith('<img src=x onerror="window.__xss=3">') and "**bold**" in title
    for tab in ("Overview", "Over time", "Topics", "Sentiment", "Skipped inputs"):
        open_tab(page, tab)
        assert page.evaluate("() => window.__xss") is None, tab
        assert page.locator('img[src="x"]').count() == 0, tab
        assert page.locator('a[href^="javascript"]').count() == 0, tab
    shot(page, "xss-skipped-light")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_whats_new_alert_click_filters_every_view(server, page_factory, scheme):
    page = page_factory(scheme)
    page.goto(server + "/", timeout=180_000)
    page.wait_for_selector('[data-testid="stMetric"]', timeout=180_000)
    settle(page)
    no_exception(page)
    page.get_by_text("What's new:", exact=False).first.wait_for()
    alert = page.get_by_role("button", name="kestrel", exact=False).first
    assert "05 Aug 2024" in alert.inner_text()
    alert.click()
    settle(page)
    no_exception(page)
    chips = banner(page)
    assert "Showing 6 of 50" in chips and "2024-08-05" in chips
    assert "start=2024-08-05" in page.url and "topics=" in page.url
    assert page.get_by_text("Evidence for", exact=False).count() == 1
    shot(page, f"seeds-whats-new-{scheme}")
    page.get_by_role("button", name="Undo last chart click").click()
    settle(page)
    assert "topics=" not in page.url
