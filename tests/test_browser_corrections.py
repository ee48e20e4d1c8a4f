"""The analyst's corrections in a real browser: override a sentence in the reader, see
the sentiment arc and the article's figure change, list it in the Corrections tab and
undo it (headless Chromium through Playwright; screenshots light and dark)."""
from __future__ import annotations

import urllib.parse

import pytest

from browser_helpers import (CHROMIUM, act, browser, drawn, no_exception, open_tab,  # noqa: F401
                             page_factory, serve, settle, shot)

pytestmark = [
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium"),
    pytest.mark.timeout(600),
]

_ARC = ("() => { const p = document.querySelector('.st-key-a_arc .js-plotly-plot');"
        " return p && p._fullData ? Array.from(p._fullData[0].y) : null; }")
_MARKED = "() => document.querySelectorAll('.na-reader .na-over').length"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    pytest.importorskip("playwright.sync_api")
    with serve(tmp_path_factory.mktemp("browser-corrections")) as url:
        yield url


def _arc(page):
    page.wait_for_function(_ARC)
    return page.evaluate(_ARC)


def _choose(page, box: str, option, tries: int = 3) -> None:
    """Open the select ``box`` and click ``option``.  A rerun that lands between the two
    (the expander just opened, a busy machine) closes the list again: open it anew."""
    for attempt in range(tries):
        page.get_by_role("combobox", name=box).click()
        try:
            option.click(timeout=10_000)
            return
        except Exception:  # playwright's TimeoutError: the list was closed under us
            if attempt == tries - 1:
                raise
            settle(page)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_override_a_sentence_in_the_reader_then_undo(server, page_factory, news_folder, scheme):
    art = sorted(p.stem for p in news_folder.glob("*.txt"))[0]
    page = page_factory(scheme=scheme, height=1600)
    query = urllib.parse.urlencode({"src": str(news_folder), "art": art, "tab": "Articles"})
    page.goto(f"{server}/?{query}", timeout=180_000)
    settle(page)
    no_exception(page)
    before = _arc(page)
    assert page.evaluate(_MARKED) == 0
    page.get_by_text("Correct this article").click()
    # pick the first sentence (the arc's first point) in the "Sentiment of" picker
    _choose(page, "Sentiment of", page.get_by_role("option").filter(has_text="0. ").first)
    page.get_by_label("Score (−1 to 1)").fill("-0.9")
    page.get_by_label("Note (optional)").first.fill("sarcasm")
    act(page, page.get_by_role("button", name="Save sentiment correction").click)
    after = _arc(page)
    assert after[0] == pytest.approx(-0.9) and after[1:] == before[1:] and before[0] != -0.9
    assert page.evaluate(_MARKED) == 1
    assert "✎ corrected" in page.locator(".na-chips").nth(1).inner_text()
    page.get_by_text("Corrected sentence 0").wait_for()
    shot(page, f"corrections-reader-{scheme}")
    # the Corrections tab lists it, old and new; Undo brings the model's score back
    open_tab(page, "Corrections")
    page.get_by_text("1 correction(s)").wait_for()
    assert page.get_by_text("-0.900 (negative)").count() == 1
    shot(page, f"corrections-tab-{scheme}")
    act(page, page.get_by_role("button", name="Undo", exact=True).click)
    page.get_by_text("No corrections yet").wait_for()
    open_tab(page, "Articles")
    assert _arc(page) == before and page.evaluate(_MARKED) == 0


def test_bad_score_is_said_in_the_form(server, page_factory, news_folder):
    art = sorted(p.stem for p in news_folder.glob("*.txt"))[1]
    page = page_factory()
    query = urllib.parse.urlencode({"src": str(news_folder), "art": art, "tab": "Articles"})
    page.goto(f"{server}/?{query}", timeout=180_000)
    settle(page)
    before = _arc(page)
    page.get_by_text("Correct this article").click()
    page.get_by_label("Score (−1 to 1)").fill("1.5")
    page.get_by_role("button", name="Save sentiment correction").click()
    settle(page)
    page.get_by_text("score must be a number from -1 to 1; got 1.5").wait_for()
    no_exception(page)
    assert _arc(page) == before


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory):
    from factories import index_news_store

    return index_news_store(tmp_path_factory.mktemp("store-corrections"))


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_on_a_store_an_article_correction_and_undo(server, page_factory, store_dir, scheme):
    from analysis import queries

    s = queries.Store(store_dir)
    art = s.frame("SELECT article_id FROM articles_full ORDER BY article_id")["article_id"][3]
    s.close()
    page = page_factory(scheme=scheme, height=1600)
    query = urllib.parse.urlencode({"src": str(store_dir), "art": art, "tab": "Articles"})
    page.goto(f"{server}/?{query}", timeout=180_000)
    settle(page)
    no_exception(page)
    reader = page.locator(".na-chips").nth(1)
    before = reader.inner_text()
    assert "-0.500 (negative)" not in before
    page.get_by_text("Correct this article").click()
    _choose(page, "Label", page.get_by_role("option", name="negative", exact=True))
    page.get_by_label("Note (optional)").first.fill("quotes a critic")
    act(page, page.get_by_role("button", name="Save sentiment correction").click)
    after = page.locator(".na-chips").nth(1).inner_text()
    assert "-0.500 (negative)" in after and "corrected" in after
    shot(page, f"corrections-store-reader-{scheme}")
    open_tab(page, "Corrections")
    page.get_by_text("quotes a critic").wait_for()
    shot(page, f"corrections-store-tab-{scheme}")
    act(page, page.get_by_role("button", name="Undo", exact=True).click)
    page.get_by_text("No corrections yet").wait_for()
    open_tab(page, "Articles")
    assert page.locator(".na-chips").nth(1).inner_text() == before
