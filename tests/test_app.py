"""The dashboard page under AppTest: runs, filters, downloads, renames, URL state."""
from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

from pathlib import Path

import pandas as pd
import pytest

from dashboard import state as vs

from app_helpers import app as _app, metric as _metric, ok as _ok


def _figures(at):
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def _download(at, key):
    name, make = at.session_state["_downloads"][key]
    return name, make()


def _csv(data: bytes) -> pd.DataFrame:
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM
    return pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")


def _open_tab(at, tab):
    at.session_state["tab"] = tab
    at.run()
    _ok(at)
    return at


@pytest.fixture
def news_app(news_folder, cache_dir):
    at = _app({"src": str(news_folder)})
    at.run()
    _ok(at)
    return at


def test_runs_on_seeds_every_tab(cache_dir):
    at = _app()
    at.run()
    _ok(at)
    assert int(_metric(at, "Articles").replace(",", "")) >= 1
    for tab in vs.TABS[1:]:
        _open_tab(at, tab)
    assert list(cache_dir.iterdir())  # result persisted on disk


def test_runs_on_multi_article_corpus_every_tab(news_app):
    at = news_app
    assert _metric(at, "Articles") == "18"
    assert len(_figures(at)) >= 2
    for tab in vs.TABS[1:]:
        _open_tab(at, tab)
        if tab in ("Over time", "Topics", "Sentiment"):
            assert _figures(at), tab


def test_one_article_gives_notes_not_broken_charts(tmp_path, cache_dir):
    folder = tmp_path / "one"
    folder.mkdir()
    (folder / "news-22082024-042604.txt").write_text(
        "news-22082024-042604\n\nThe storm flooded the valley and many homes were lost.\n\n"
        "The Escape:\n\nRescuers praised the brave volunteers. Families were safe at last.\n",
        encoding="utf-8")
    at = _app({"src": str(folder)})
    at.run()
    _ok(at)
    assert _metric(at, "Articles") == "1"
    notes = []
    for tab in vs.TABS:
        _open_tab(at, tab)
        notes += [i.value for i in at.info]
    assert any("at least two dated articles" in n for n in notes)
    assert any("two articles" in n for n in notes)
    _open_tab(at, "Articles")
    at.session_state["art"] = "news-22082024-042604"
    at.run()
    _ok(at)
    assert any("The Escape:" in h.proto.body for h in at.get("html"))


def test_keyword_filter_changes_tables_figures_and_downloads(news_app):
    at = news_app
    at.text_input(key="w_q").input("election").run()
    _ok(at)
    assert _metric(at, "Articles") == "6"
    assert at.query_params["q"] == ["election"] or at.query_params["q"] == "election"
    _open_tab(at, "Articles")
    name, data = _download(at, "dl_articles")
    assert name.startswith("news-articles-") and name.endswith(".csv")
    frame = _csv(data)
    assert len(frame) == 6 and frame["article_id"].str.startswith("news-").all()
    _, data = _download(at, "dl_report")
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        arts = pd.read_csv(zf.open("articles.csv"), encoding="utf-8-sig")
        summary = zf.read("summary.txt").decode()
    assert len(arts) == 6 and "election" in summary


def test_topic_filter_changes_figures(news_app):
    at = news_app
    before = _figures(at)
    assert at.multiselect(key="w_topics").options[0].startswith("0: ")
    at.multiselect(key="w_topics").select(0).run()
    _ok(at)
    n = int(_metric(at, "Articles"))
    assert 0 < n < 18
    after = _figures(at)
    assert after != before
    _open_tab(at, "Sentiment")
    _, data = _download(at, "dl_sentences")
    sents = _csv(data)
    assert sents["article_id"].nunique() == n


def test_sentiment_filter_changes_counts(news_app):
    at = news_app
    at.slider(key="w_sent").set_range(0.2, 1.0).run()
    _ok(at)
    n = int(_metric(at, "Articles"))
    assert n < 18
    _open_tab(at, "Articles")
    frame = _csv(_download(at, "dl_articles")[1])
    assert len(frame) == n and (frame["compound"] >= 0.2).all()


def test_typed_dates_apply_on_enter_and_bad_ones_say_why(news_app):
    at = news_app
    lo, hi = at.date_input(key="w_dates").value
    start = lo + dt.timedelta(days=3)
    at.text_input(key="w_dates_text").input(f"{start:%Y-%m-%d} to {start + dt.timedelta(days=9):%Y-%m-%d}").run()
    _ok(at)
    assert at.session_state["w_dates"] == (start, start + dt.timedelta(days=9))
    assert at.date_input(key="w_dates").value == (start, start + dt.timedelta(days=9))
    assert at.text_input(key="w_dates_text").value == ""          # applied, field cleared
    assert at.query_params["start"] in ([start.isoformat()], start.isoformat())
    assert 0 < int(_metric(at, "Articles")) < 18
    # text that is not a range keeps the dates, stays in the field and says why
    at.text_input(key="w_dates_text").input("the week before").run()
    assert at.session_state["w_dates"] == (start, start + dt.timedelta(days=9))
    assert at.text_input(key="w_dates_text").value == "the week before"
    assert any("Could not read 'the week before'" in e.value for e in at.sidebar.error)
    at.text_input(key="w_dates_text").input("all").run()
    _ok(at)
    assert at.session_state["w_dates"] == (lo, hi) and not at.sidebar.error
    assert _metric(at, "Articles") == "18"


def test_date_filter_changes_time_series(news_app):
    at = news_app
    lo, hi = at.date_input(key="w_dates").value
    at.date_input(key="w_dates").set_value((lo, lo + dt.timedelta(days=14))).run()
    _ok(at)
    n = int(_metric(at, "Articles"))
    assert 0 < n < 18
    assert at.query_params["end"] in ([(lo + dt.timedelta(days=14)).isoformat()],
                                      (lo + dt.timedelta(days=14)).isoformat())
    _open_tab(at, "Over time")
    tl = _csv(_download(at, "dl_timeline")[1])
    assert tl["n_articles"].sum() == n
    # 15 days never cover whole weeks at both ends: the partial ones are said and paler
    assert tl["coverage"].between(0, 1).all() and tl["coverage"].lt(1).any()
    assert any("Paler bars are periods the view covers only in part" in c.value
               for c in at.caption)
    bars = next(f for f in _figures(at) if f["layout"].get("title", {}).get("text")
                == "Articles per period")["data"][0]
    assert list(bars["marker"]["opacity"]) == [0.4 if c < 1 else 1.0 for c in tl["coverage"]]


def test_topic_rename_propagates(news_app):
    at = news_app
    _open_tab(at, "Topics")
    at.selectbox(key="w_rn_topic").set_value(0)
    at.text_input(key="w_rn_name").input("My renamed topic")
    next(b for b in at.button if b.label == "Rename").click().run()
    _ok(at)
    assert "My renamed topic" in json.dumps(_figures(at))
    topics = _csv(_download(at, "dl_topics")[1])
    assert topics.loc[topics["topic_id"] == 0, "label"].iloc[0] == "My renamed topic"
    _, data = _download(at, "dl_report")
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        arts = pd.read_csv(zf.open("articles.csv"), encoding="utf-8-sig")
    assert "My renamed topic" in set(arts["topic_label"])
    names = at.query_params["names"]
    names = names[0] if isinstance(names, list) else names
    assert json.loads(names) == {"0": "My renamed topic"}
    # the sidebar topic filter shows the new name too
    assert any("My renamed topic" in o for o in at.multiselect(key="w_topics").options)


def test_query_string_restores_state(news_folder, cache_dir):
    params = {"src": str(news_folder), "q": "storm", "sent": "-1,0.9", "freq": "week",
              "roll": "2", "names": json.dumps({"1": "Renamed"}), "tab": "Over time"}
    at = _app(params)
    at.run()
    _ok(at)
    assert at.text_input(key="w_q").value == "storm"
    assert at.slider(key="w_sent").value == (-1.0, 0.9)
    assert at.selectbox(key="w_freq").value == "week"
    assert at.slider(key="w_roll").value == 2
    got = {k: (v[0] if isinstance(v, list) else v) for k, v in at.query_params.items()}
    assert vs.from_params(got)[0] == vs.from_params(params)[0]


def test_bad_query_string_does_not_break(news_folder, cache_dir):
    at = _app({"src": str(news_folder), "k": "banana", "start": "x", "topics": "7,8"})
    at.run()
    assert not at.exception
    assert _metric(at, "Articles") == "18"


def test_missing_source_shows_error_not_exception(tmp_path, cache_dir):
    at = _app({"src": str(tmp_path / "nope")})
    at.run()
    assert not at.exception
    assert at.error and "Could not open" in at.error[0].value


def test_number_of_topics_rerun(news_app):
    at = news_app
    at.selectbox(key="w_k").set_value(3).run()
    _ok(at)
    assert at.session_state["k_applied"] is None  # pending until the button
    next(b for b in at.button if b.label == "Re-run analysis").click().run()
    _ok(at)
    assert at.session_state["k_applied"] == 3
    assert at.query_params["k"] in (["3"], "3")
    _open_tab(at, "Topics")
    topics = _csv(_download(at, "dl_topics")[1])
    assert len(topics) == 3


def test_upload_zip_with_hostile_member(cache_dir):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for i in range(4):
            zf.writestr(f"news-0{i + 1}062024-120000.txt",
                        f"news-0{i + 1}062024-120000\n\nStorm number {i} flooded the river "
                        "valley. Rescue crews were praised.\n")
        zf.writestr("../escape.txt", "nope")
    at = _app()
    at.run()
    at.radio(key="w_mode").set_value("Upload files").run()
    at.file_uploader(key="w_upload").set_value(("articles.zip", buf.getvalue(),
                                                "application/zip")).run()
    _ok(at)
    assert _metric(at, "Articles") == "4"
    _open_tab(at, "Skipped inputs")
    skipped = _csv(_download(at, "dl_skipped")[1])
    assert skipped["source"].str.contains("escape").any()
    assert skipped["reason"].str.contains("outside").any()


def test_filter_rerun_does_not_reanalyse(news_app, monkeypatch):
    import analysis.corpus
    import analysis.pipeline

    def boom(*a, **k):
        raise AssertionError("re-read or re-analysed on a filter change")

    monkeypatch.setattr(analysis.pipeline, "analyze", boom)
    monkeypatch.setattr(analysis.corpus, "read_source", boom)
    at = news_app
    at.text_input(key="w_q").input("storm").run()
    _ok(at)
    at.slider(key="w_sent").set_range(-0.5, 1.0).run()
    _ok(at)


def test_bad_inputs_are_listed_not_raised(news_folder, cache_dir):
    """A folder with broken files: the rest is analysed, each bad file is listed."""
    (news_folder / "empty.txt").write_text("")
    (news_folder / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    (news_folder / "notes.docx").write_bytes(b"PK\x03\x04")
    first = sorted(news_folder.glob("news-*.txt"))[0]
    (news_folder / "zz-copy-of-first.txt").write_bytes(first.read_bytes())
    at = _app({"src": str(news_folder)})
    at.run()
    _ok(at)
    assert _metric(at, "Articles") == "18"
    _open_tab(at, "Skipped inputs")
    skipped = _csv(_download(at, "dl_skipped")[1])
    reasons = dict(zip(skipped["source"].map(lambda s: Path(s).name), skipped["reason"]))
    assert set(reasons) == {"empty.txt", "image.txt", "notes.docx", "zz-copy-of-first.txt"}
    assert "empty" in reasons["empty.txt"]
    assert "binary" in reasons["image.txt"]
    assert "not a .txt file" in reasons["notes.docx"]
    assert first.stem in reasons["zz-copy-of-first.txt"]
    # Shown on the page as a table, not as a traceback.
    assert any("empty.txt" in df.value.to_csv() for df in at.dataframe)


def test_large_counts_are_shortened_to_fit():
    from dashboard.tabs.overview import _count

    assert [_count(n) for n in (18, 9_999, 28_942, 123_456, 2_500_000)] == [
        "18", "9,999", "28.9k", "123k", "2.5M"]


def _figure(at, title_start):
    return next(f for f in _figures(at)
                if (f["layout"].get("title") or {}).get("text", "").startswith(title_start))


def test_per_topic_time_charts_draw_only_the_filtered_topics_with_labels(news_folder, cache_dir):
    at = _app({"src": str(news_folder), "tab": "Over time", "split": "1", "freq": "week"})
    at.run()
    _ok(at)
    every = _figure(at, "Articles per period by topic")
    assert len(every["data"]) >= 3
    at = _app({"src": str(news_folder), "tab": "Over time", "split": "1", "freq": "week",
               "topics": "1"})
    at.run()
    _ok(at)
    for title in ("Articles per period by topic", "Mean sentiment per period by topic"):
        fig = _figure(at, title)
        assert len(fig["data"]) == 1
        name = fig["data"][0]["name"]
        assert name != "1" and "·" in name  # the topic's label, not its bare id


def test_auto_period_is_resolved_once_and_named(news_folder, cache_dir):
    at = _app({"src": str(news_folder), "tab": "Over time"})
    at.run()
    _ok(at)
    # 18 articles over six weeks: a week has a few articles, a day mostly none
    assert at.selectbox(key="w_freq").format_func("auto") == "auto (week)"
    name, data = _download(at, "dl_report")
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        tl = pd.read_csv(z.open("timeline.csv"), encoding="utf-8-sig")
    assert set(tl["freq"]) == {"week"}


def test_keyword_query_language_in_the_sidebar(news_app):
    at = news_app
    at.text_input(key="w_q").input("election OR football").run()
    _ok(at)
    assert _metric(at, "Articles") == "12"
    at.text_input(key="w_q").input("election AND").run()
    assert not at.exception
    assert any("AND needs a word or phrase" in e.value for e in at.error)
    assert _metric(at, "Articles") == "18"  # the malformed keyword is left out, said so


def test_whats_new_lists_alerts_and_a_click_filters_every_view(cache_dir):
    at = _app()
    at.run()
    _ok(at)
    assert any(e.label.startswith("What's new: ") for e in at.expander)
    buttons = [b for b in at.button if b.key and b.key.startswith("wn_alert_")]
    assert buttons, "the seeds' Kestrel Bay week should be listed"
    # the seeds stop mid-week: that week's volume is compared pro rata, and said so
    assert any("The week of Mon 2 Sep 2024 is still open" in c.value for c in at.caption)
    kestrel = next(b for b in buttons if "kestrel" in b.label.lower())
    assert "week of Mon 5 Aug 2024" in kestrel.label and "▲" in kestrel.label
    kestrel.click().run()
    _ok(at)
    assert at.session_state["w_dates"] == (dt.date(2024, 8, 5), dt.date(2024, 8, 11))
    topics = at.session_state["w_topics"]
    assert len(topics) == 1
    assert _metric(at, "Articles") == "6"
    assert any("Evidence" in m.value for m in at.markdown)


def test_reopening_a_cached_source_reads_nothing_and_starts_no_workers(news_folder, cache_dir):
    import streamlit as st

    from analysis import workers
    from dashboard import data

    first = _app({"src": str(news_folder)})
    first.run()
    _ok(first)
    assert list((cache_dir / "sources").glob("*.json"))  # the source index entry
    metric = _metric(first, "Articles")
    st.cache_resource.clear()  # a restarted server: nothing in memory
    workers.shutdown_pool()
    reads = data.stats["reads"]
    at = _app({"src": str(news_folder)})
    at.run()
    _ok(at)
    assert data.stats["reads"] == reads and not workers._POOL.get("pool")
    assert _metric(at, "Articles") == metric
    assert any("result from disk" in c.value for c in at.sidebar.caption)
    for tab in vs.TABS[1:]:
        _open_tab(at, tab)
    assert data.stats["reads"] == reads
    # an edited file changes the fingerprint: read again
    victim = sorted(news_folder.iterdir())[0]
    victim.write_text(victim.read_text() + "\nOne more line about the storm.\n")
    st.cache_resource.clear()
    at = _app({"src": str(news_folder)})
    at.run()
    _ok(at)
    assert data.stats["reads"] == reads + 1


def test_topics_tab_csv_is_the_report_topics_csv(news_folder, cache_dir):
    at = _app({"src": str(news_folder), "tab": "Topics", "topics": "1"})
    at.run()
    _ok(at)
    tab = _csv(_download(at, "dl_topics")[1])
    with zipfile.ZipFile(io.BytesIO(_download(at, "dl_report")[1])) as zf:
        zipped = pd.read_csv(zf.open("topics.csv"), encoding="utf-8-sig")
    assert list(tab.columns) == list(zipped.columns)
    from analysis.reports import TOPIC_COLUMNS

    assert "term_weights" not in tab.columns
    assert list(tab.columns) == [c for c in TOPIC_COLUMNS if c in tab.columns]
    assert list(tab.columns)[:3] == ["topic_id", "label", "headline"]
    pd.testing.assert_frame_equal(tab, zipped)


def test_selecting_every_topic_is_no_topic_filter(news_app):
    at = news_app
    ms = at.multiselect(key="w_topics")
    ids = list(range(len(ms.options)))
    ms.set_value(ids).run()  # what "Select all" sends
    _ok(at)
    assert "topics" not in at.query_params
    assert at.multiselect(key="w_topics").value == []
    assert _metric(at, "Articles") == "18"


def test_evidence_links_open_the_article_in_the_reader(news_folder, cache_dir):
    at = _app({"src": str(news_folder), "q": "storm"})
    at.run()
    _ok(at)
    html = " ".join(h.proto.body for h in at.get("html"))
    assert 'href="?' in html and "art=" in html and "tab=Articles" in html and "q=storm" in html
    # the label-bar choice lists that label once, not again in the two columns
    at.session_state["ev_label"] = "negative"
    at.run()
    _ok(at)
    assert not any("Most negative" in m.value for m in at.markdown)


def test_upload_shows_the_uploaded_file_name(cache_dir):
    rows = ["title,text,date"]
    for i in range(4):
        rows.append(f"Storm {i},Storm number {i} flooded the river valley. Crews were praised.,"
                    f"2024-06-0{i + 1}")
    rows.append("Empty,,2024-06-09")
    at = _app()
    at.run()
    at.radio(key="w_mode").set_value("Upload files").run()
    at.file_uploader(key="w_upload").set_value(("bbc.csv", "\n".join(rows).encode(),
                                                "text/csv")).run()
    _ok(at)
    _open_tab(at, "Articles")
    ids = _csv(_download(at, "dl_articles")[1])["article_id"]
    assert ids.str.startswith("bbc-row").all(), list(ids)
    _open_tab(at, "Skipped inputs")
    skipped = _csv(_download(at, "dl_skipped")[1])
    assert skipped["source"].str.startswith("bbc.csv").all(), list(skipped["source"])
    assert not skipped["source"].str.contains("news-analytics-uploads").any()
