"""End to end in a real browser: `streamlit run dashboard/app.py` driven by headless
Chromium through Playwright.  Skips when /usr/bin/chromium is absent.

Screenshots (light and dark theme) go to ``$SCREENSHOT_DIR``, default
``<tmp>/news-analytics-screens/``, for a person to look at.  The server, browser and
page helpers are shared with ``test_browser_store.py`` (``browser_helpers.py``).
"""
from __future__ import annotations

import urllib.parse

import pytest

from browser_helpers import (CHROMIUM, banner, box_select, browser, chart,  # noqa: F401
                             click_box, click_first, click_mark, no_exception, open_tab,
                             page_factory, params, serve, settle, shot, topics_set)

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


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A running dashboard (cache in a temporary folder); yields its base URL."""
    pytest.importorskip("playwright.sync_api")
    with serve(tmp_path_factory.mktemp("browser")) as url:
        yield url


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


def test_tables_fit_the_page_at_1400_px(server, page_factory):
    """The Topics and Articles tables need no sideways scroll at 1,400 px with the
    sidebar open: every column, the article id and the coherence included, is on
    screen (their widths once added up to 1,122 and 944 px in a 938 px column)."""
    page = page_factory(width=1400, height=2000)
    for tab in ("Topics", "Articles"):
        page.goto(f"{server}/?tab={tab}", timeout=180_000)
        page.wait_for_selector('[data-testid="stDataFrame"]', timeout=180_000)
        settle(page)
        no_exception(page)
        grid = page.locator('[data-testid="stDataFrame"]').first
        scroll, client = grid.evaluate(
            "e => { const s = e.querySelector('.dvn-scroller'); return [s.scrollWidth, s.clientWidth] }")
        assert scroll <= client, (tab, scroll, client)


def test_typed_dates_apply_on_enter_and_on_tab(server, page_factory):
    """Streamlit's date picker applies typed digits only when the whole field loses
    focus; the typed-dates field applies on Enter and on Tab."""
    page = page_factory()
    page.goto(server + "/", timeout=180_000)
    page.wait_for_selector('[data-testid="stMetric"]', timeout=180_000)
    settle(page)
    box = page.get_by_label("…or type dates", exact=True)
    box.fill("July 2024")
    box.press("Enter")
    settle(page)
    no_exception(page)
    assert "start=2024-07-01" in page.url and "end=2024-07-31" in page.url, page.url
    assert "dates" in banner(page)
    assert box.input_value() == ""
    box.fill("2024-08-05 to 2024-08-11")
    box.press("Tab")
    settle(page)
    no_exception(page)
    assert "start=2024-08-05" in page.url and "end=2024-08-11" in page.url, page.url
    box.fill("next Tuesday")
    box.press("Enter")
    settle(page)
    assert "Could not read 'next Tuesday'" in page.locator('[data-testid="stSidebar"]').inner_text()
    assert "start=2024-08-05" in page.url


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


# --------------------------------------------------------------------------- chart clicks
# Every chart whose caption invites a click is clicked and box-selected in the browser:
# only real selection events carry the browser's form of ``customdata`` (a numeric row
# arrives as {"0": lo, "1": hi}), which AppTest cannot produce.
SPAN = ("2024-06-03", "2024-07-08")  # first and last day of the news_folder corpus


def dates(page) -> tuple:
    import datetime as dt

    p = params(page)
    return (dt.date.fromisoformat(p.get("start", SPAN[0])),
            dt.date.fromisoformat(p.get("end", SPAN[1])))


def open_view(page, server, folder, query: str):
    page.goto(f"{server}/?src={urllib.parse.quote(str(folder))}&{query}", timeout=180_000)
    page.wait_for_selector('[data-testid="stPlotlyChart"]', timeout=180_000)
    settle(page)
    no_exception(page)


def narrowed_dates(page, at_most_days=None):
    lo, hi = dates(page)
    assert "start" in params(page) or "end" in params(page), page.url
    assert lo <= hi
    if at_most_days is not None:
        assert (hi - lo).days <= at_most_days, (lo, hi)
    return lo, hi


def test_article_sentiment_histogram_click_and_box(server, page_factory, news_folder):
    page = page_factory()
    open_view(page, server, news_folder, "tab=Sentiment")
    click_mark(page, "s_hist_art")
    lo, hi = (float(v) for v in params(page)["sent"].split(","))
    assert 0.095 < hi - lo <= 0.12  # one bin of 21 over -1..1, widened to 0.01 steps
    assert "sentiment" in banner(page)
    shown = int(banner(page).split("Showing")[1].split("of")[0].replace(",", ""))
    assert 1 <= shown < 18  # the tallest bin's articles, all of them
    open_view(page, server, news_folder, "tab=Sentiment")
    box_select(page, "s_hist_art", x=(0.5, 1.0))
    lo, hi = (float(v) for v in params(page)["sent"].split(","))
    assert -0.2 < lo < hi <= 1.0


@pytest.mark.parametrize("key", ["t_volume", "t_sent"])
def test_timeline_click_and_box(server, page_factory, news_folder, key):
    page = page_factory()
    open_view(page, server, news_folder, "tab=Over+time&freq=week")
    click_mark(page, key, which="middle")
    lo, hi = narrowed_dates(page, at_most_days=6)
    assert lo.weekday() == 0 and hi.weekday() == 6  # one Monday-to-Sunday week
    open_view(page, server, news_folder, "tab=Over+time&freq=week")
    box_select(page, key, x=(0.3, 0.7))
    lo, hi = narrowed_dates(page)
    assert (hi - lo).days >= 6 and (lo, hi) != tuple(map(__import__("datetime").date
                                                         .fromisoformat, SPAN))


# Topic shares are drawn for periods of 10 articles or more: June (12) by month.
@pytest.mark.parametrize("key,freq,days,box", [("t_share", "month", 29, (0.1, 0.4)),
                                               ("t_tvol", "week", 6, (0.3, 0.7)),
                                               ("t_tsent", "week", 6, (0.3, 0.7))])
def test_topic_timeline_click_and_box(server, page_factory, news_folder, key, freq, days, box):
    page = page_factory()
    query = f"tab=Over+time&freq={freq}&split=1"
    open_view(page, server, news_folder, query)
    click_mark(page, key, which="middle")
    assert len(topics_set(page)) == 1
    narrowed_dates(page, at_most_days=days)
    open_view(page, server, news_folder, query)
    box_select(page, key, x=box)
    # the box holds some topics' points, or every topic's (then there is no topic filter)
    assert "topics" not in params(page) or topics_set(page)
    assert "topics" in banner(page) or "topics" not in params(page)
    narrowed_dates(page)


@pytest.mark.parametrize("tab,key", [("Overview", "ov_topics"), ("Topics", "tp_size"),
                                     ("Topics", "tp_sent"), ("Topics", "tp_mix"),
                                     ("Topics", "tp_map")])
def test_topic_chart_click_and_box(server, page_factory, news_folder, tab, key):
    page = page_factory()
    open_view(page, server, news_folder, f"tab={tab}")
    click_mark(page, key)
    assert len(topics_set(page)) == 1
    assert "topics" in banner(page)
    open_view(page, server, news_folder, f"tab={tab}")
    box_select(page, key, x=(0.0, 1.0), y=(0.0, 0.5))
    assert topics_set(page)


def test_label_bar_click_and_box_list_sentences(server, page_factory, news_folder):
    page = page_factory()
    open_view(page, server, news_folder, "tab=Overview")
    click_mark(page, "ov_labels")
    heading = page.get_by_text("(from the chart you clicked)")
    assert heading.count() == 1
    assert "sentences" in heading.first.inner_text()
    open_view(page, server, news_folder, "tab=Overview")
    box_select(page, "ov_labels", x=(0.0, 1.0), y=(0.0, 0.3))  # the negative bar
    assert page.get_by_text("Negative sentences (from the chart you clicked)").count() == 1


def test_article_map_click_opens_reader(server, page_factory, news_folder):
    page = page_factory()
    open_view(page, server, news_folder, "tab=Topics")
    page.get_by_text("Articles by topic", exact=True).click()
    settle(page)
    click_mark(page, "tp_amap", which="middle")
    assert params(page).get("tab") == "Articles" and params(page).get("art")
    page.wait_for_selector(".na-reader", timeout=60_000)


def test_keyword_timeline_click_and_box(server, page_factory, news_folder):
    page = page_factory()
    query = "tab=Sentiment&freq=week&track=match"
    open_view(page, server, news_folder, query)
    click_mark(page, "s_kw_sent", which="middle")
    narrowed_dates(page, at_most_days=6)
    open_view(page, server, news_folder, query)
    box_select(page, "s_kw_sent", x=(0.3, 0.7))
    narrowed_dates(page)


def test_tracked_queries_side_by_side_click_picks_period_and_query(server, page_factory,
                                                                   news_folder):
    """Two tracked queries: a click on one's point filters to its week and lists that
    query's sentences; a malformed line is named and the others still drawn."""
    queries = ["storm OR flood*", "election"]
    track = urllib.parse.quote("\n".join(queries + ["oil AND"]))
    page = page_factory()
    open_view(page, server, news_folder, f"tab=Sentiment&freq=week&track={track}")
    assert "'oil AND'" in page.locator('[data-testid="stAlert"]').first.inner_text()
    for key in ("s_kw_vol", "s_kw_sent"):
        assert chart(page, key).locator(".scatterlayer .trace").count() >= 2
    click_mark(page, "s_kw_vol", which="middle")
    narrowed_dates(page, at_most_days=6)
    picked = [q for q in queries if page.get_by_role("radio", name=q, exact=True).is_checked()]
    assert len(picked) == 1
    words = ("storm", "flood") if picked[0] != "election" else ("election",)
    ev = page.locator('[data-testid="stMain"]').inner_text().split("Sentences behind")[-1].lower()
    assert any(w in ev for w in words), ev[:300]
    no_exception(page)


def test_view_settings_survive_tab_round_trips(server, page_factory, news_folder):
    """Period, rolling mean, split, tracked keyword and map stay set (and in the URL)
    while their tab is closed."""
    page = page_factory()
    open_view(page, server, news_folder, "tab=Over+time")
    page.get_by_role("combobox", name="Period").click()
    page.get_by_role("option", name="month", exact=True).click()
    settle(page)
    page.get_by_text("Split by topic").click()
    settle(page)
    assert params(page).get("freq") == "month" and params(page).get("split") == "1"
    open_tab(page, "Articles")
    assert params(page).get("freq") == "month" and params(page).get("split") == "1"
    open_tab(page, "Sentiment")
    box = page.get_by_role("textbox", name="Keywords or queries to follow, one per line")
    box.fill("storm")
    box.press("Control+Enter")
    settle(page)
    open_tab(page, "Topics")
    page.get_by_text("Articles by sentiment", exact=True).click()
    settle(page)
    open_tab(page, "Overview")
    p = params(page)
    assert (p.get("freq"), p.get("split"), p.get("track"), p.get("map")) == \
        ("month", "1", "storm", "sentiment")
    open_tab(page, "Over time")
    assert page.locator(".st-key-t_tvol .js-plotly-plot").count() == 1  # split still on
    assert page.get_by_role("combobox", name="Period").input_value() == "month"
    open_tab(page, "Sentiment")
    assert page.get_by_role("textbox", name="Keywords or queries to follow, one per line").input_value() == "storm"
    open_tab(page, "Topics")
    assert page.locator(".st-key-tp_amap .js-plotly-plot").count() == 1


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_whats_new_alert_click_filters_every_view(server, page_factory, scheme):
    page = page_factory(scheme)
    page.goto(server + "/", timeout=180_000)
    page.wait_for_selector('[data-testid="stMetric"]', timeout=180_000)
    settle(page)
    no_exception(page)
    page.get_by_text("What's new:", exact=False).first.wait_for()
    alert = page.get_by_role("button", name="kestrel", exact=False).first
    assert "week of Mon 5 Aug 2024" in alert.inner_text()
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


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_compare_tab_word_click_lists_its_sentences(server, page_factory, news_folder, scheme):
    """The Compare tab opened by URL: clicking a word's bar lists its sentences in A and
    in B, with links to the reader; no exception box."""
    page = page_factory(scheme, height=3000)
    open_view(page, server, news_folder,
              "tab=Compare&cmp_a=2024-06-03:2024-06-16&cmp_b=2024-06-17:2024-07-08")
    assert page.get_by_text("Why mean sentiment changed from A to B").count() == 1
    assert chart(page, "cmp_waterfall").locator(".waterfalllayer path").count() >= 5
    assert page.get_by_text("In A", exact=False).count() == 0
    click_mark(page, "cmp_words")
    assert page.locator('[data-testid="stMarkdownContainer"]', has_text="In A (2024-06-03").count() == 1
    assert page.locator('[data-testid="stMarkdownContainer"]', has_text="In B (2024-06-17").count() == 1
    links = page.locator('a[href*="tab=Articles"][href*="art="]')
    assert links.count() >= 1
    assert params(page).get("cmp_a") == "2024-06-03:2024-06-16"
    shot(page, f"multi-compare-{scheme}")


@pytest.mark.parametrize("scheme", ["light"])
def test_outlets_tab_cell_click_filters_to_outlet_and_topic(server, page_factory, tmp_path,
                                                            scheme):
    """The Outlets tab opened by URL on a CSV with an outlet column: a click on a cell of
    the outlet × topic grid puts its outlet and topic in the URL and the banner, Undo
    takes them out again; no exception box."""
    from factories import OUTLET_MIX, write_outlet_csv

    csv = write_outlet_csv(tmp_path / "outlets" / "news.csv")
    page = page_factory(scheme, height=3000)
    open_view(page, server, csv, "k=3&tab=Outlets")
    assert chart(page, "ol_grid").locator(".hm, .heatmaplayer image").count() >= 1
    assert "outlets" not in params(page)
    click_mark(page, "ol_grid")
    p = params(page)
    assert p.get("outlets") in {o for mix in OUTLET_MIX.values() for o in mix}, page.url
    assert len(topics_set(page)) == 1
    assert "outlets" in banner(page) and p["outlets"] in banner(page)
    assert page.get_by_text("Most negative").count() >= 1
    shot(page, f"outlets-after-click-{scheme}")
    page.get_by_role("button", name="Undo last chart click").click()
    settle(page)
    no_exception(page)
    assert "outlets" not in params(page) and "topics" not in params(page)


def test_a_theme_cell_of_the_outlet_grid_filters_to_its_outlet_and_topics(
        server, page_factory, tmp_path):
    """At k=10 the outlet CSV's topics fold into themes: a grid cell is an outlet × theme
    and its click filters to that outlet and every topic of the theme."""
    from analysis import analyze, load_corpus
    from analysis.topic_groups import topic_groups
    from factories import write_outlet_csv

    csv = write_outlet_csv(tmp_path / "outlets" / "news.csv")
    topics = analyze(load_corpus(csv), n_topics=10).topics
    members = topic_groups(topics, "themes").groupby("group_id")["topic_id"].apply(sorted)
    page = page_factory(height=3000)
    open_view(page, server, csv, "k=10&tab=Outlets")
    click_mark(page, "ol_grid")
    assert "outlets" in params(page)
    assert topics_set(page) in members.tolist()
    no_exception(page)


def test_a_theme_bar_filters_to_all_of_its_topics(server, page_factory):
    """The demo corpus at k=12 groups its topics into themes: a click on a theme's bar
    (Topics tab) or on its share (Over time) filters to every topic of that theme."""
    from pathlib import Path

    from analysis import analyze, load_corpus
    from analysis.topic_groups import topic_groups

    seeds = Path(__file__).resolve().parents[1] / "seeds"
    topics = analyze(load_corpus(seeds), n_topics=12).topics
    members = topic_groups(topics, "themes").groupby("group_id")["topic_id"].apply(sorted)
    page = page_factory()
    open_view(page, server, seeds, "k=12&tab=Topics")
    assert page.get_by_text("Charts show").count() == 1
    click_mark(page, "tp_size")  # the largest bar: the theme of most articles
    got = topics_set(page)
    assert len(got) > 1 and got in members.tolist(), (got, members.tolist())
    assert "topics" in banner(page)
    for key in ("tp_sent", "tp_mix"):  # the theme's mean sentiment and sentence mix
        open_view(page, server, seeds, "k=12&tab=Topics")
        click_mark(page, key)
        assert topics_set(page) in members.tolist(), key
    open_view(page, server, seeds, "k=12")  # the Overview's bars follow the setting
    click_mark(page, "ov_topics")
    assert topics_set(page) in members.tolist()
    open_view(page, server, seeds, "k=12&tab=Over+time&freq=month")
    click_mark(page, "t_share", which="middle")
    got = topics_set(page)
    assert got in members.tolist() and "start" in params(page)
    no_exception(page)
