"""End to end in a real browser on an archive store: `streamlit run dashboard/app.py --
--store DIR` (every view a DuckDB query, :class:`analysis.views.StoreViews`) driven by
headless Chromium through Playwright, as ``test_browser.py`` does for folders: every
tab, the keyword and typed-dates filters, every clickable chart (click and box select),
undo, the reader, evidence links, renames, the URL and the downloads.  Skips when
/usr/bin/chromium or Playwright is absent.

One server and one store for the module.  Screenshots of every tab (light and dark)
go to ``$SCREENSHOT_DIR`` (default ``<tmp>/news-analytics-screens/``) as
``store-<tab>-<scheme>.png``.
"""
from __future__ import annotations

import datetime as dt
import urllib.parse
import zipfile

import pandas as pd
import pytest

from browser_helpers import (CHROMIUM, act, banner, box_select, browser,  # noqa: F401
                             chart, click_mark, drawn, no_exception, open_tab, params, serve,
                             shot, topics_set)

pytestmark = [
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium"),
    pytest.mark.timeout(600),
]

TABS = ("Overview", "Over time", "Topics", "Sentiment", "Articles", "Skipped inputs")
SPAN = (dt.date(2024, 6, 3), dt.date(2024, 7, 8))  # first and last day of the corpus
N = 18  # dated articles of tests/factories.make_corpus


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory):
    """A store indexed (3 topics) from the tests' multi-article folder (the
    ``news_folder`` fixture's articles), with one empty file the index skips."""
    from factories import index_news_store

    return index_news_store(tmp_path_factory.mktemp("store-browser"))


@pytest.fixture(scope="module")
def server(tmp_path_factory, store_dir):
    """The dashboard opened on the store by ``--store`` (private cache); its base URL."""
    pytest.importorskip("playwright.sync_api")
    with serve(tmp_path_factory.mktemp("store-server"), ["--store", store_dir]) as url:
        yield url


@pytest.fixture(scope="module")
def contexts(browser):
    """One browser context per colour scheme for the module: its pages share the HTTP
    and code caches, so a page opens in about a second, not three."""
    made = {}

    def get(scheme):
        if scheme not in made:
            made[scheme] = browser.new_context(viewport={"width": 1500, "height": 1800},
                                               color_scheme=scheme)
        return made[scheme]

    yield get
    for ctx in made.values():
        ctx.close()


@pytest.fixture
def page_factory(contexts):
    """``make(scheme="light")``: a new page (a new Streamlit session) in the module's
    context of that scheme; closed after the test."""
    pages = []

    def make(scheme="light"):
        pages.append(contexts(scheme).new_page())
        return pages[-1]

    yield make
    for page in pages:
        page.close()


@pytest.fixture(scope="module")
def queries_store(store_dir):
    from analysis import queries
    return queries.Store(store_dir)


def goto(page, server, query: str = ""):
    """Open the page with ``query`` (no ``src``: the server's ``--store`` is the
    source) and wait for its charts."""
    page.goto(f"{server}/?{query}", timeout=180_000)
    page.wait_for_selector('[data-testid="stPlotlyChart"], [data-testid="stDataFrame"]',
                           timeout=180_000)
    drawn(page)
    no_exception(page)


def shown(page) -> int:
    """The number of articles the banner says are shown."""
    return int(banner(page).split("Showing")[1].split("of")[0].replace(",", ""))


def dates(page) -> tuple:
    p = params(page)
    return (dt.date.fromisoformat(p["start"]) if "start" in p else SPAN[0],
            dt.date.fromisoformat(p["end"]) if "end" in p else SPAN[1])


def narrowed_dates(page, at_most_days=None):
    assert "start" in params(page) or "end" in params(page), page.url
    lo, hi = dates(page)
    assert lo <= hi
    if at_most_days is not None:
        assert (hi - lo).days <= at_most_days, (lo, hi)
    return lo, hi


def undo(page, gone: str):
    """Click "Undo last chart click": the URL loses ``gone`` and shows every article."""
    act(page, page.get_by_role("button", name="Undo last chart click").click)
    assert gone not in params(page), page.url
    assert shown(page) == N


def sidebar(page):
    return page.locator('[data-testid="stSidebar"]')


# --------------------------------------------------------------------------- every tab
def test_every_tab_on_the_store_light_and_dark(server, page_factory, store_dir):
    for scheme in ("light", "dark"):
        page = page_factory(scheme)
        page.set_viewport_size({"width": 1500, "height": 2800})  # a whole tab a shot
        goto(page, server)
        assert f"{N} of {N}" in banner(page)
        assert "Archive store" in sidebar(page).inner_text()
        commands = sidebar(page).locator("code")
        assert commands.count() >= 2
        for i in range(commands.count()):  # a command is never broken across lines
            assert commands.nth(i).evaluate("e => e.getClientRects().length") == 1, \
                commands.nth(i).text_content()
        assert params(page).get("src") == str(store_dir)  # --store, kept in the link
        charts = {}
        for tab in TABS:
            open_tab(page, tab, quick=True)
            panel = page.locator('[role="tabpanel"]:visible').first
            charts[tab] = panel.locator('[data-testid="stPlotlyChart"]').count()
            shot(page, f"store-{tab.lower().replace(' ', '-')}-{scheme}")
            if tab == "Skipped inputs" and scheme == "light":
                assert "1 skipped" in panel.inner_text()
                assert f"relative to {store_dir.parent / 'news'}, the folder the store was " \
                    "indexed from" in panel.inner_text()
                with page.expect_download() as info:
                    panel.get_by_role("button", name="Skipped inputs CSV").click()
                rows = pd.read_csv(info.value.path(), encoding="utf-8-sig")
                assert [p.rsplit("/", 1)[-1] for p in rows["source"]] == ["broken.txt"]
        assert all(charts[t] >= 2 for t in ("Overview", "Over time", "Topics", "Sentiment")), \
            charts


# --------------------------------------------------------------------------- sidebar
def test_keyword_and_typed_dates_filter_the_store(server, page_factory, queries_store):
    from analysis import queries
    from analysis.criteria import Criteria

    page = page_factory()
    goto(page, server)
    before = banner(page)
    box = page.get_by_label("Keyword", exact=True)
    box.fill("river")
    act(page, lambda: box.press("Enter"))
    after = banner(page)
    assert after != before and "river" in after
    assert params(page).get("q") == "river"
    want = queries.headline(queries_store, Criteria(keyword="river")).n_articles
    assert 0 < want < N and shown(page) == want
    dates_box = page.get_by_label("…or type dates", exact=True)
    dates_box.fill("2024-06-10 to 2024-06-23")
    act(page, lambda: dates_box.press("Enter"))
    assert params(page).get("start") == "2024-06-10" and params(page).get("end") == "2024-06-23"
    assert "dates" in banner(page) and dates_box.input_value() == ""
    want = queries.headline(queries_store, Criteria(keyword="river", start=dt.date(2024, 6, 10),
                                                    end=dt.date(2024, 6, 23))).n_articles
    assert shown(page) == want
    dates_box.fill("next Tuesday")
    act(page, lambda: dates_box.press("Enter"))
    assert "Could not read 'next Tuesday'" in sidebar(page).inner_text()
    assert params(page).get("start") == "2024-06-10"
    # the report is of the filtered view
    with page.expect_download() as info:
        sidebar(page).get_by_role("button", name="Download report (zip)").click()
    assert info.value.suggested_filename.endswith(".zip")
    with zipfile.ZipFile(info.value.path()) as zf:
        assert {"articles.csv", "sentences.csv", "topics.csv", "timeline.csv",
                "summary.txt"} <= set(zf.namelist())
        arts = pd.read_csv(zf.open("articles.csv"), encoding="utf-8-sig")
        summary = zf.read("summary.txt").decode("utf-8-sig")
    assert len(arts) == want and f"articles analysed: {want}" in summary
    assert arts["published"].str[:10].between("2024-06-10", "2024-06-23").all()
    # the whole view comes back from its link, in a new session
    url = page.url
    again = page_factory()
    again.goto(url, timeout=180_000)
    again.wait_for_selector('[data-testid="stMetric"]', timeout=180_000)
    drawn(again)
    no_exception(again)
    assert banner(again) == banner(page)
    assert again.get_by_label("Keyword", exact=True).input_value() == "river"
    assert params(again) == params(page)
    act(again, sidebar(again).get_by_role("button", name="Clear filters").click)
    assert not {"q", "start", "end"} & set(params(again)), again.url
    assert shown(again) == N and again.get_by_label("Keyword", exact=True).input_value() == ""


# --------------------------------------------------------------------------- chart clicks
# Every chart whose caption invites a click is clicked, undone and box-selected, one
# page per tab (a page load costs more than the clicks): only real selection events
# carry the browser's form of ``customdata``, which AppTest cannot produce.
def topic_click_undo_box(page, key, box=True):
    click_mark(page, key, quick=True)
    assert len(topics_set(page)) == 1, key
    assert "topics" in banner(page) and shown(page) < N, key
    undo(page, "topics")
    if box:  # (charts of one callback and one kind of mark are box-selected once)
        box_select(page, key, x=(0.0, 1.0), y=(0.0, 0.5), quick=True)
        assert topics_set(page), key
        undo(page, "topics")


def test_overview_charts_click_undo_and_box(server, page_factory):
    page = page_factory()
    goto(page, server)
    topic_click_undo_box(page, "ov_topics")
    click_mark(page, "ov_labels", quick=True)  # the largest bar: positive
    heading = page.get_by_text("(from the chart you clicked)")
    assert heading.count() == 1 and heading.first.inner_text().startswith("Positive sentences")
    assert shown(page) == N  # a label lists sentences, it filters nothing
    box_select(page, "ov_labels", x=(0.0, 1.0), y=(0.0, 0.3), quick=True)  # the negative bar
    assert page.get_by_text("Negative sentences (from the chart you clicked)").count() == 1


def test_topics_charts_click_undo_and_box(server, page_factory):
    page = page_factory()
    goto(page, server, "tab=Topics")
    labels_inside_the_plot(page, "tp_map")
    for key, box in (("tp_size", True), ("tp_sent", False), ("tp_mix", False),
                     ("tp_map", True)):
        topic_click_undo_box(page, key, box)


def labels_inside_the_plot(page, key):
    """Every line of every bubble label is drawn inside the plot area (Plotly clips
    text at its edges: a label above the top bubble lost its first line)."""
    fig = chart(page, key)
    area = fig.locator(".nsewdrag").first.bounding_box()
    lines = fig.locator(".textpoint tspan.line")
    assert lines.count() >= 3
    for i in range(lines.count()):
        bb = lines.nth(i).bounding_box()
        assert area["y"] <= bb["y"] and bb["y"] + bb["height"] <= area["y"] + area["height"], \
            (lines.nth(i).text_content(), bb, area)
        assert area["x"] <= bb["x"] and bb["x"] + bb["width"] <= area["x"] + area["width"], \
            (lines.nth(i).text_content(), bb, area)


def test_sentiment_charts_click_undo_and_box(server, page_factory, queries_store):
    from analysis import queries

    page = page_factory()
    goto(page, server, "tab=Sentiment&freq=week&track=match")
    with page.expect_download() as info:
        page.get_by_role("button", name="Sentences CSV (all sentences in the filter)").click()
    rows = pd.read_csv(info.value.path(), encoding="utf-8-sig")
    assert len(rows) == queries.headline(queries_store).n_sentences
    click_mark(page, "s_hist_art", quick=True)
    lo, hi = (float(v) for v in params(page)["sent"].split(","))
    assert 0.095 < hi - lo <= 0.12  # one bin of 21 over -1..1, widened to 0.01 steps
    assert "sentiment" in banner(page)
    assert 1 <= shown(page) < N  # the tallest bin's articles, all of them
    undo(page, "sent")
    box_select(page, "s_hist_art", x=(0.5, 1.0), quick=True)
    lo, hi = (float(v) for v in params(page)["sent"].split(","))
    assert -0.2 < lo < hi <= 1.0
    undo(page, "sent")
    click_mark(page, "s_kw_sent", which="middle", quick=True)  # the tracked query's line
    narrowed_dates(page, at_most_days=6)
    undo(page, "end")
    box_select(page, "s_kw_sent", x=(0.3, 0.7), quick=True)
    narrowed_dates(page)


def test_over_time_charts_click_undo_and_box(server, page_factory):
    page = page_factory()
    goto(page, server, "tab=Over+time&freq=week&split=1")
    # (charts of one callback and one kind of mark are box-selected once)
    for key, box in (("t_volume", True), ("t_sent", False)):  # bars, then points
        click_mark(page, key, which="middle", quick=True)
        lo, hi = narrowed_dates(page, at_most_days=6)
        assert lo.weekday() == 0 and hi.weekday() == 6, key  # one Monday-to-Sunday week
        assert "dates" in banner(page) and shown(page) < N
        undo(page, "end")
        if box:
            box_select(page, key, x=(0.3, 0.7), quick=True)
            lo, hi = narrowed_dates(page)
            assert (hi - lo).days >= 6 and (lo, hi) != SPAN, key
            undo(page, "end")
    for key, box in (("t_tvol", True), ("t_tsent", False)):  # one line per topic
        click_mark(page, key, which="middle", quick=True)
        assert len(topics_set(page)) == 1, key
        narrowed_dates(page, at_most_days=6)
        undo(page, "topics")
        if box:
            box_select(page, key, x=(0.3, 0.7), quick=True)
            # the box holds some topics' points, or every topic's (then no topic filter)
            assert "topics" not in params(page) or topics_set(page)
            narrowed_dates(page)
            undo(page, "end")
    # Topic shares are drawn for periods of 10 articles or more: June (12) by month.
    page.get_by_role("combobox", name="Period").click()  # opens the list: no rerun
    act(page, page.get_by_role("option", name="month", exact=True).click)
    assert params(page).get("freq") == "month"
    click_mark(page, "t_share", which="middle", quick=True)
    assert len(topics_set(page)) == 1
    narrowed_dates(page, at_most_days=29)
    undo(page, "topics")
    box_select(page, "t_share", x=(0.1, 0.4), quick=True)
    narrowed_dates(page)


def test_article_map_click_opens_reader(server, page_factory):
    page = page_factory()
    goto(page, server, "tab=Topics&map=articles")
    click_mark(page, "tp_amap", which="middle", quick=True)
    assert params(page).get("tab") == "Articles" and params(page).get("art")
    page.wait_for_selector(".na-reader span.na-s", timeout=60_000)


# --------------------------------------------------------------------------- reader
def test_articles_table_opens_the_reader_and_downloads(server, page_factory, queries_store):
    from analysis import queries

    page = page_factory()
    goto(page, server, "tab=Articles")
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.wait_for()
    bb = grid.bounding_box()
    act(page, lambda: page.mouse.click(bb["x"] + 18, bb["y"] + 35 + 17))  # first row's box
    page.wait_for_selector(".na-reader span.na-s", timeout=30_000)
    art = params(page).get("art")
    first, _ = queries.articles_page(queries_store, limit=1)
    assert art == first["article_id"].iloc[0]
    spans = page.locator(".na-reader span.na-s")
    _, sents = queries.article(queries_store, art)
    assert spans.count() == len(sents) >= 2
    assert "compound" in spans.first.get_attribute("title")
    shot(page, "store-reader-light")
    with page.expect_download() as info:
        page.get_by_role("button", name="This article's sentences CSV").click()
    rows = pd.read_csv(info.value.path(), encoding="utf-8-sig")
    assert len(rows) == len(sents) and set(rows["article_id"]) == {art}
    with page.expect_download() as info:
        page.get_by_role("button", name="Articles CSV (the rows above)").click()
    rows = pd.read_csv(info.value.path(), encoding="utf-8-sig")
    assert len(rows) == N and rows["article_id"].iloc[0] == art


def test_evidence_link_opens_the_reader(server, page_factory):
    page = page_factory()
    goto(page, server)
    link = page.locator('a[title="Open in the reader"]').first
    title = link.inner_text()
    assert title
    link.click()  # a link: the page loads again, in the reader
    page.wait_for_selector(".na-reader span.na-s", timeout=60_000)
    drawn(page)
    no_exception(page)
    assert params(page).get("tab") == "Articles" and params(page).get("art")
    assert page.locator(".na-reader h3").inner_text() == title


# --------------------------------------------------------------------------- renames, report
def test_rename_reaches_the_charts_the_exports_and_the_link(server, page_factory,
                                                           queries_store):
    page = page_factory()
    goto(page, server, "tab=Topics")
    form = page.locator('[data-testid="stForm"]')
    form.get_by_label("New name").fill("Renamed topic")  # the topic picked first: id 0
    act(page, form.get_by_role("button", name="Rename", exact=True).click)
    tid = int(queries_store.topics.sort_values("topic_id")["topic_id"].iloc[0])
    assert params(page).get("names") == f'{{"{tid}":"Renamed topic"}}'
    for key in ("tp_size", "tp_sent", "tp_mix", "tp_map", "tp_terms"):
        assert "Renamed topic" in chart(page, key).inner_text(), key
    with page.expect_download() as info:
        page.get_by_role("button", name="Topics CSV (the table above: the report's topics.csv)"
                         ).click()
    topics = pd.read_csv(info.value.path(), encoding="utf-8-sig")
    assert topics.loc[topics["topic_id"] == tid, "label"].tolist() == ["Renamed topic"]
    open_tab(page, "Overview", quick=True)
    assert "Renamed topic" in chart(page, "ov_topics").inner_text()
    with page.expect_download() as info:
        sidebar(page).get_by_role("button", name="Download report (zip)").click()
    with zipfile.ZipFile(info.value.path()) as zf:
        arts = pd.read_csv(zf.open("articles.csv"), encoding="utf-8-sig")
    assert len(arts) == N
    assert (arts["topic_label"] == "Renamed topic").sum() == (arts["topic_id"] == tid).sum() > 0
    # the link keeps the name: a new session on it, filtered to the topic, says it
    again = page_factory()
    again.goto(page.url + f"&topics={tid}&tab=Over+time", timeout=180_000)
    again.wait_for_selector('[data-testid="stPlotlyChart"]', timeout=180_000)
    drawn(again)
    no_exception(again)
    assert "Renamed topic" in banner(again)
    assert "Renamed topic" in sidebar(again).inner_text()  # the topic filter's chip


# --------------------------------------------------------------------------- the source
def test_typing_another_store_path_opens_it(server, page_factory, store_dir, tmp_path):
    """The store's folder typed as the source path opens that store; the previous
    store's topic filter, dates, names and open article go, the keyword stays."""
    import shutil

    other = shutil.copytree(store_dir, tmp_path / "other-store")
    page = page_factory()
    goto(page, server, "topics=2&q=river&end=2024-06-30&art=x&names=%7B%222%22%3A%22Mine%22%7D")
    assert "Mine" in banner(page) and "dates" in banner(page)
    box = page.get_by_label("Folder or file path", exact=True)
    box.fill(str(other))
    act(page, lambda: box.press("Enter"))
    p = params(page)
    assert p.get("src") == str(other) and p.get("q") == "river"
    assert not {"topics", "names", "end", "art"} & set(p), p
    assert f"Archive store {other}: {N} articles" in sidebar(page).inner_text()
    assert "keyword" in banner(page) and "topics" not in banner(page)

