"""The Compare tab under AppTest: ranges, headline, downloads, URL state, edge cases."""
from __future__ import annotations

import datetime as dt
import io
import zipfile

import pandas as pd
import pytest

from app_helpers import app as _app, metric as _metric, ok as _ok

D = dt.date
A = (D(2024, 6, 3), D(2024, 6, 16))   # news_folder: 3 articles each Monday, 3 June to 8 July
B = (D(2024, 6, 17), D(2024, 7, 8))


def _param(at, key):
    v = at.query_params[key]
    return v[0] if isinstance(v, list) else v


def _csv(data: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")


def _download(at, key):
    name, make = at.session_state["_downloads"][key]
    return name, make()


@pytest.fixture
def compare_app(news_folder, cache_dir):
    at = _app({"src": str(news_folder), "tab": "Compare"})
    at.run()
    _ok(at)
    return at


def _set_ranges(at, a, b):
    at.date_input(key="w_cmp_a").set_value(a)
    at.date_input(key="w_cmp_b").set_value(b).run()
    _ok(at)


def test_defaults_then_picked_ranges_give_metrics_download_url_and_report(compare_app):
    at = compare_app
    # default: B the last third of the span (3 June to 8 July), A the equal span before it
    assert at.date_input(key="w_cmp_b").value == (D(2024, 6, 27), D(2024, 7, 8))
    assert at.date_input(key="w_cmp_a").value == (D(2024, 6, 15), D(2024, 6, 26))
    assert _param(at, "cmp_b") == "2024-06-27:2024-07-08"
    _set_ranges(at, A, B)
    assert _param(at, "cmp_a") == "2024-06-03:2024-06-16"
    assert _param(at, "cmp_b") == "2024-06-17:2024-07-08"
    assert (_metric(at, "Articles A"), _metric(at, "Articles B")) == ("6", "12")
    name, data = _download(at, "dl_changes")
    assert name.startswith("news-changes-") and name.endswith(".csv")
    changes = _csv(data)
    total = changes.iloc[0]
    assert total["component"] == "total"
    assert _metric(at, "Mean sentiment A") == f"{total['sentiment_a']:+.3f}"
    assert _metric(at, "Mean sentiment B") == f"{total['sentiment_b']:+.3f}"
    assert _metric(at, "Change") == f"{total['contribution']:+.3f}"
    parts = changes[changes["component"].isin(["mix", "within"])]["contribution"].sum()
    assert parts == pytest.approx(total["contribution"], abs=1e-9)
    assert {"mix", "within", "word"} <= set(changes["component"])
    _, report = _download(at, "dl_report")
    with zipfile.ZipFile(io.BytesIO(report)) as zf:
        assert zf.read("changes.csv") == data
    # the sidebar's dates give way to A and B; its other filters apply to both
    at.date_input(key="w_dates").set_value((D(2024, 6, 20), D(2024, 7, 8))).run()
    _ok(at)
    assert (_metric(at, "Articles A"), _metric(at, "Articles B")) == ("6", "12")
    at.text_input(key="w_q").input("election").run()
    _ok(at)
    assert (_metric(at, "Articles A"), _metric(at, "Articles B")) == ("2", "4")


def test_typed_ranges_and_quick_choices(compare_app):
    at = compare_app
    at.text_input(key="w_cmp_b_text").input("2024-06-17 to 2024-07-08").run()
    _ok(at)
    assert at.date_input(key="w_cmp_b").value == B
    assert at.text_input(key="w_cmp_b_text").value == ""
    next(b for b in at.button if b.label == "A = the period before B").click().run()
    _ok(at)
    assert at.date_input(key="w_cmp_a").value == A  # 22 days before B, cut at the first date
    assert _param(at, "cmp_a") == "2024-06-03:2024-06-16"
    next(b for b in at.button if b.label == "The two halves").click().run()
    _ok(at)
    assert at.date_input(key="w_cmp_a").value == (D(2024, 6, 3), D(2024, 6, 20))
    assert at.date_input(key="w_cmp_b").value == (D(2024, 6, 21), D(2024, 7, 8))
    assert next(b for b in at.button if b.label == "A = B a year earlier").disabled
    at.text_input(key="w_cmp_a_text").input("next Tuesday").run()
    assert not at.exception
    assert any("Could not read 'next Tuesday'" in e.value for e in at.error)
    assert at.date_input(key="w_cmp_a").value == (D(2024, 6, 3), D(2024, 6, 20))


def test_word_choice_lists_its_sentences_in_a_and_b_with_reader_links(compare_app):
    at = compare_app
    _set_ranges(at, A, B)
    words = at.selectbox(key="w_cmp_word").options
    assert words
    at.selectbox(key="w_cmp_word").set_value(words[0]).run()
    _ok(at)
    assert any(m.value.startswith("**In A**") for m in at.markdown)
    assert any(m.value.startswith("**In B**") for m in at.markdown)
    html = " ".join(h.proto.body for h in at.get("html"))
    assert "art=" in html and "tab=Articles" in html and "cmp_a=" in html
    assert words[0] in html.lower()


def test_identical_empty_and_one_topic_ranges_give_notes(compare_app):
    at = compare_app
    _set_ranges(at, B, B)
    assert any("same range" in i.value for i in at.info)
    assert not at.get("plotly_chart")
    _set_ranges(at, (D(2024, 6, 4), D(2024, 6, 9)), B)  # no article between two Mondays
    assert any("holds no article" in i.value for i in at.info)
    _set_ranges(at, A, B)
    at.multiselect(key="w_topics").select(0).run()
    _ok(at)
    assert any("Only one topic" in i.value for i in at.info)
    assert 0 < int(_metric(at, "Articles A")) + int(_metric(at, "Articles B")) < 18


def test_url_restores_the_ranges(news_folder, cache_dir):
    at = _app({"src": str(news_folder), "tab": "Compare", "cmp_a": "2024-06-03:2024-06-16",
               "cmp_b": "2024-06-17:2024-07-08"})
    at.run()
    _ok(at)
    assert at.date_input(key="w_cmp_a").value == A and at.date_input(key="w_cmp_b").value == B
    assert (_metric(at, "Articles A"), _metric(at, "Articles B")) == ("6", "12")
    # a range outside the corpus goes back to the default, with a toast, not an error
    at = _app({"src": str(news_folder), "tab": "Compare", "cmp_a": "2020-01-01:2020-01-31"})
    at.run()
    _ok(at)
    assert at.date_input(key="w_cmp_a").value == (D(2024, 6, 15), D(2024, 6, 26))


def test_undated_corpus_says_so(tmp_path, cache_dir):
    path = tmp_path / "undated.csv"
    rows = ["title,text"] + [f"Story {i},The storm flooded the valley. Crews were praised {i}."
                             for i in range(4)]
    path.write_text("\n".join(rows), encoding="utf-8")
    at = _app({"src": str(path), "tab": "Compare"})
    at.run()
    _ok(at)
    assert any("publication date" in i.value for i in at.info)
