"""The analyst's corrections in the dashboard under AppTest: the reader's forms, the
Corrections tab, undo, and every view and export following the overrides file."""
from __future__ import annotations

import io
import os
import signal
import zipfile

import pandas as pd
import pytest

from analysis.overrides import add_override, overrides_path, read_overrides
from dashboard import data

from app_helpers import app as _app, ok as _ok


def _open(at, tab, art=None):
    at.session_state["tab"] = tab
    if art is not None:
        at.session_state["art"] = art
    at.run()
    _ok(at)
    return at


def _report(at) -> dict[str, pd.DataFrame]:
    _, make = at.session_state["_downloads"]["dl_report"]
    with zipfile.ZipFile(io.BytesIO(make())) as zf:
        return {n: pd.read_csv(zf.open(f"{n}.csv"), encoding="utf-8-sig")
                for n in ("articles", "sentences", "topics")}


@pytest.fixture
def reader(news_folder, cache_dir):
    """The app on the news folder with its first article open in the reader."""
    at = _app({"src": str(news_folder)})
    at.run()
    _ok(at)
    first = sorted(p.stem for p in news_folder.glob("*.txt"))[0]
    return _open(at, "Articles", first), first


def _ov_file(cache_dir):
    files = list((cache_dir / "overrides").glob("*/overrides.parquet"))
    assert len(files) == 1, files
    return files[0]


def _correct(at, sentence, label=None, score=None, note=None):
    """Fill the reader's sentiment form (``sentence`` −1: the whole article) and save."""
    at.selectbox(key="ov_sent").set_value(sentence)
    if label is not None:
        at.selectbox(key="ov_label").set_value(label)
    if score is not None:
        at.text_input(key="ov_score").input(score)
    if note is not None:
        at.text_input(key="ov_note").input(note)
    at.button(key="FormSubmitter:ov_sentiment_form-Save sentiment correction").click().run()


def test_sentence_override_changes_figures_and_exports_then_undo(reader, cache_dir):
    at, art = reader
    before = _report(at)
    sents = before["sentences"][before["sentences"]["article_id"] == art]
    target = sents.iloc[0]
    _correct(at, int(target["sentence_id"]), score="-0.9", note="sarcasm")
    _ok(at)
    assert any("Corrected sentence" in s.value for s in at.success)
    stored = read_overrides(_ov_file(cache_dir))
    assert stored[["kind", "article_id", "sentence_text", "score", "note"]].values.tolist() == [
        ["sentence", art, target["text"], -0.9, "sarcasm"]]
    after = _report(at)
    s = after["sentences"].set_index(["article_id", "sentence_id"])
    assert s.loc[(art, int(target["sentence_id"])), "compound"] == -0.9
    assert s["overridden"].sum() == 1 and s.loc[(art, int(target["sentence_id"])), "overridden"]
    a = after["articles"].set_index("article_id")
    assert a["overridden"].sum() == 1 and a.loc[art, "overridden"]
    mine = s.loc[art, "compound"]
    assert a.loc[art, "compound"] == pytest.approx(mine.mean(), abs=1e-6)
    # every other article is as it was
    b = before["articles"].set_index("article_id")
    others = a.index != art
    assert (a.loc[others, "compound"] - b.loc[a.index[others], "compound"]).abs().max() < 1e-9
    assert (after["topics"]["compound"] != before["topics"]["compound"]).sum() == 1
    # the reader outlines the corrected sentence
    assert any("na-over" in h.proto.body for h in at.get("html"))
    # the Corrections tab lists it; Undo removes it and every figure goes back
    _open(at, "Corrections")
    assert any("1 correction" in m.value for m in at.markdown)
    listing = at.session_state["_downloads"]["dl_corrections"][1]()
    frame = pd.read_csv(io.BytesIO(listing), encoding="utf-8-sig")
    # the CSV guards cells that a spreadsheet would run as formulas ("-0.9…") with a quote
    frame[["old", "new"]] = frame[["old", "new"]].apply(lambda c: c.str.removeprefix("'"))
    assert frame[["kind", "what", "new", "note"]].values.tolist() == [
        ["sentence", target["text"], "-0.900 (negative)", "sarcasm"]]
    assert frame["old"].iloc[0] == f"{target['compound']:+.3f} ({target['label']})"
    oid = int(stored["override_id"].iloc[0])
    at.button(key=f"ov_undo_{oid}").click().run()
    _ok(at)
    assert read_overrides(_ov_file(cache_dir)).empty
    back = _report(at)
    pd.testing.assert_frame_equal(back["articles"], before["articles"])
    pd.testing.assert_frame_equal(back["sentences"], before["sentences"])


def test_article_override_and_topic_move_flow_into_topics(reader, cache_dir):
    at, art = reader
    before = _report(at)
    old_topic = before["articles"].set_index("article_id").loc[art, "topic_id"]
    topics = before["topics"]
    new_topic = int(topics.loc[topics["topic_id"] != old_topic, "topic_id"].iloc[0])
    at.selectbox(key="ov_topic").set_value(new_topic)
    at.button(key="FormSubmitter:ov_topic_form-Move article").click().run()
    _ok(at)
    _correct(at, -1, label="negative")
    _ok(at)
    after = _report(at)
    a = after["articles"].set_index("article_id")
    assert a.loc[art, "topic_id"] == new_topic and a.loc[art, "compound"] == -0.5
    assert a.loc[art, "label"] == "negative" and a["overridden"].sum() == 1
    n_before = before["topics"].set_index("topic_id")["n_articles"]
    n_after = after["topics"].set_index("topic_id")["n_articles"]
    assert n_after[new_topic] == n_before[new_topic] + 1
    assert n_after[old_topic] == n_before[old_topic] - 1
    assert len(read_overrides(_ov_file(cache_dir))) == 2


@pytest.mark.parametrize("score, message", [
    ("1.5", "score must be a number from -1 to 1"),
    ("lots", "score must be a number from -1 to 1; got 'lots'"),
    ("0.7", "contradicts score"),  # label negative, score positive
])
def test_bad_input_is_said_not_raised(reader, cache_dir, score, message):
    at, _ = reader
    if message == "contradicts score":
        at.selectbox(key="ov_label").set_value("negative")
    at.text_input(key="ov_score").input(score)
    at.button(key="FormSubmitter:ov_sentiment_form-Save sentiment correction").click().run()
    assert not at.exception
    assert any(message in e.value for e in at.error), [e.value for e in at.error]
    assert not list((cache_dir / "overrides").glob("*/overrides.parquet"))


def test_corrections_are_applied_once_per_version_and_survive_reanalysis(reader, cache_dir):
    at, art = reader
    _correct(at, -1, label="positive")
    _ok(at)
    applied = data.stats["corrections"]
    at.text_input(key="w_search").input("storm").run()  # a rerun with the same file
    at.run()
    _ok(at)
    assert data.stats["corrections"] == applied
    # another number of topics is a new analysis (a new cache key): the correction holds
    at.session_state["k_applied"] = 4
    at.run()
    _ok(at)
    a = _report(at)["articles"].set_index("article_id")
    assert a.loc[art, "compound"] == 0.5 and a.loc[art, "overridden"]


def test_empty_corrections_tab_says_how(news_folder, cache_dir):
    at = _app({"src": str(news_folder), "tab": "Corrections"})
    at.run()
    _ok(at)
    assert any("No corrections yet" in i.value for i in at.info)


def test_on_an_archive_store_a_correction_flows_into_the_queries_and_undo(tmp_path, cache_dir):
    from analysis import queries
    from factories import index_news_store

    folder = index_news_store(tmp_path)
    s = queries.Store(folder)
    before = queries.headline(s)
    art = s.frame("SELECT article_id FROM articles_full ORDER BY article_id")["article_id"][2]
    s.close()
    at = _app({"src": str(folder)})
    at.run()
    _ok(at)
    _open(at, "Articles", art)
    _correct(at, 0, label="negative")
    _ok(at)
    s = queries.Store(folder)
    after = queries.headline(s)
    got = s.one("SELECT compound, label FROM sentences_full WHERE article_id = ? AND "
                "sentence_id = 0", [art])
    s.close()
    assert got == (-0.5, "negative") and after.neg_share > before.neg_share
    assert any("na-over" in h.proto.body for h in at.get("html"))  # outlined in the reader
    frame = _report(at)
    assert frame["sentences"]["overridden"].sum() == 1
    assert frame["articles"].loc[frame["articles"]["overridden"], "article_id"].tolist() == [art]
    _open(at, "Articles")  # the table's own CSV marks it too
    rows = pd.read_csv(io.BytesIO(at.session_state["_downloads"]["dl_articles"][1]()),
                       encoding="utf-8-sig")
    assert rows.loc[rows["overridden"], "article_id"].tolist() == [art]
    _open(at, "Corrections")
    oid = int(read_overrides(folder / "overrides.parquet")["override_id"].iloc[0])
    at.button(key=f"ov_undo_{oid}").click().run()
    _ok(at)
    s = queries.Store(folder)
    assert queries.headline(s) == before
    s.close()
    assert not _report(at)["articles"]["overridden"].any()


def test_a_correction_that_lost_its_target_is_listed_not_applied(reader, cache_dir):
    at, art = reader
    _correct(at, -1, label="neutral")
    _ok(at)
    # a topic move to a topic this result does not have (written outside the page,
    # e.g. kept from a refit with more topics)
    path = _ov_file(cache_dir)
    add_override(path, "topic", art, topic_id=42, topic_label="gone topic")
    before = _report(at)["topics"]
    _open(at, "Corrections")
    assert any("2 correction(s)** · 1 no longer find their target" in m.value for m in at.markdown)
    assert any("not applied: topic not in this result" in c.value for c in at.caption)
    after = _report(at)["topics"]
    pd.testing.assert_frame_equal(before, after)


def test_on_a_store_being_indexed_a_correction_is_refused_with_who_writes(
        tmp_path, cache_dir, holder, monkeypatch):
    from analysis import queries
    from dashboard import corrections
    from factories import index_news_store

    folder = index_news_store(tmp_path)
    s = queries.Store(folder)
    before = queries.headline(s)
    art = s.frame("SELECT article_id FROM articles_full ORDER BY article_id")["article_id"][2]
    s.close()
    monkeypatch.setattr(corrections, "STORE_WAIT", 0.2)
    at = _app({"src": str(folder)})
    at.run()
    _open(at, "Articles", art)
    proc = holder(folder)                          # `index` is updating the store
    _correct(at, 0, label="negative")
    assert not at.exception
    said = " ".join(e.value for e in at.error)
    assert "Not saved" in said and f"being written by index (process {proc.pid}" in said
    assert not overrides_path(folder).exists()     # nothing half-written
    s = queries.Store(folder)
    assert queries.headline(s) == before
    s.close()
    os.killpg(proc.pid, signal.SIGKILL)            # the run ended: now it is saved
    proc.wait()
    _correct(at, 0, label="negative")
    _ok(at)
    assert len(read_overrides(overrides_path(folder))) == 1
