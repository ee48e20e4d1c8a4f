"""The dashboard on an archive store (``python -m analysis index``) under AppTest: every
tab draws from DuckDB queries, the figures are the CLI's, filters, reader, exports and
the data root work as they do for a folder."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from analysis import queries
from analysis.criteria import Criteria
from dashboard import state as vs

from app_helpers import app as _app, metric as _metric, ok as _ok


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory):
    """A store indexed from a dated seed-format folder on three themes, with one file
    the index must skip."""
    from factories import index_news_store

    return index_news_store(tmp_path_factory.mktemp("archive"))


@pytest.fixture
def store_app(store_dir, cache_dir):
    at = _app(params={"src": str(store_dir)})
    at.run()
    _ok(at)
    return at


def test_opens_a_store_and_draws_every_tab(store_app, store_dir):
    at = store_app
    s = queries.Store(store_dir)
    h = queries.headline(s)
    assert int(_metric(at, "Articles").replace(",", "")) == h.n_articles
    assert _metric(at, "Topics") == f"{h.n_topics_present}/{h.n_topics}"
    assert any("Archive store" in c.value for c in at.sidebar.caption)
    # nothing of the store was analysed or loaded into frames by the page
    from dashboard import data
    before = dict(data.stats)
    charts = {}
    for tab in vs.TABS:
        at.session_state["tab"] = tab
        at.run()
        _ok(at)
        charts[tab] = len(at.get("plotly_chart"))
    assert data.stats == before
    assert all(charts[t] >= 2 for t in ("Overview", "Over time", "Topics", "Sentiment")), charts


def test_store_headline_is_the_cli_summary(store_app, store_dir, tmp_path):
    """The figures on the page are those `report --store` writes (one answer)."""
    s = queries.Store(store_dir)
    queries.export_csvs(s, tmp_path, Criteria())
    summary = (tmp_path / "summary.txt").read_text()
    lines = dict(line.split(": ", 1) for line in summary.splitlines() if ": " in line)
    assert _metric(store_app, "Articles").replace(",", "") == \
        lines["articles analysed"].replace(",", "")
    assert _metric(store_app, "Sentences").replace(",", "") == lines["sentences"].replace(",", "")
    assert _metric(store_app, "Mean sentiment") == lines["mean sentence sentiment"]


def test_store_topic_filter_and_keyword(store_app, store_dir):
    at = store_app
    s = queries.Store(store_dir)
    table = queries.topic_table(s)
    tid = int(table.sort_values("n_articles").iloc[-1]["topic_id"])
    at.session_state["w_topics"] = [tid]
    at.run()
    _ok(at)
    want = queries.headline(s, Criteria(topics=[tid])).n_articles
    assert int(_metric(at, "Articles").replace(",", "")) == want
    assert at.query_params["topics"] in (str(tid), [str(tid)])
    at.session_state["w_topics"] = []
    at.session_state["w_q"] = "river"
    at.run()
    _ok(at)
    want = queries.headline(s, Criteria(keyword="river")).n_articles
    assert 0 < want < queries.headline(s).n_articles
    assert int(_metric(at, "Articles").replace(",", "")) == want


def test_store_reader_and_exports(store_app, store_dir):
    at = store_app
    s = queries.Store(store_dir)
    page, total = queries.articles_page(s, Criteria(), limit=1)
    art = page["article_id"].iloc[0]
    at.session_state["art"] = art
    at.session_state["tab"] = "Articles"
    at.run()
    _ok(at)
    html = " ".join(str(h.proto.body) for h in at.get("html"))
    row, sents = queries.article(s, art)
    assert sents["text"].iloc[0][:30].replace("'", "&#x27;") in html \
        or sents["text"].iloc[0][:20] in html
    name, make = at.session_state["_downloads"]["dl_report"]
    with zipfile.ZipFile(io.BytesIO(make())) as zf:
        names = set(zf.namelist())
        arts = pd.read_csv(zf.open("articles.csv"), encoding="utf-8-sig")
    assert {"articles.csv", "sentences.csv", "topics.csv", "timeline.csv", "summary.txt"} <= names
    assert len(arts) == total
    _, make = at.session_state["_downloads"]["dl_articles"]
    rows = pd.read_csv(io.BytesIO(make()), encoding="utf-8-sig")
    assert len(rows) == min(total, 100) and rows["article_id"].iloc[0] == \
        queries.articles_page(s, Criteria(), limit=1)[0]["article_id"].iloc[0]


def test_store_lists_what_the_index_skipped(store_app, store_dir):
    at = store_app
    at.session_state["tab"] = "Skipped inputs"
    at.run()
    _ok(at)
    frames = [df.value for df in at.dataframe]
    assert any("broken.txt" in " ".join(map(str, f.get("source", pd.Series()).tolist()))
               for f in frames)
    # shown from the folder the store was indexed from (a long root cut the names off),
    # not as full paths: the store's own folder holds none of its inputs
    table = next(f for f in frames if "source" in f)
    assert table["source"].tolist() == ["broken.txt"]
    news = str(store_dir.parent / "news")
    assert any(f"relative to `{news}`, the folder the store was indexed from" in c.value
               for c in at.caption), [c.value for c in at.caption]


def test_store_renames_reach_charts_and_exports(store_app, store_dir):
    at = store_app
    tid = int(queries.Store(store_dir).topics["topic_id"].iloc[0])
    at.session_state["names"] = {tid: "My renamed topic"}
    at.session_state["tab"] = "Topics"
    at.run()
    _ok(at)
    _, make = at.session_state["_downloads"]["dl_topics"]
    topics = pd.read_csv(io.BytesIO(make()), encoding="utf-8-sig")
    assert "My renamed topic" in set(topics["label"])


def test_data_root_refuses_paths_outside(store_dir, tmp_path, monkeypatch, cache_dir):
    root = tmp_path / "root"
    root.mkdir()
    (root / "escape").symlink_to(store_dir, target_is_directory=True)
    monkeypatch.setenv("NEWS_ANALYTICS_DATA_ROOT", str(root))
    for path, why in ((str(store_dir), "outside the data root"),
                      (str(root / ".." / "x"), "'..' is not allowed"),
                      (str(root / "escape"), "symbolic link")):
        at = _app(params={"src": path})
        at.run()
        assert not at.exception
        assert any(why in e.value for e in at.error), [e.value for e in at.error]
    # a store under the root opens, by its path relative to the root too
    import shutil
    shutil.copytree(store_dir, root / "store")
    at = _app(params={"src": "store"})
    at.run()
    _ok(at)
    assert int(_metric(at, "Articles").replace(",", "")) == \
        queries.headline(queries.Store(store_dir)).n_articles


def test_store_compare_tab_is_the_frames_comparison(store_dir, cache_dir):
    """The Compare tab over a store: the figures are those of compare_periods on the
    store's own frames, the word list leads to sentences, changes.csv is in the report."""
    import datetime as dt

    from analysis.compare import changes_table, compare_periods
    from analysis.reports import to_csv_bytes

    a, b = (dt.date(2024, 6, 3), dt.date(2024, 6, 16)), (dt.date(2024, 6, 17), dt.date(2024, 7, 8))
    at = _app(params={"src": str(store_dir), "tab": "Compare",
                      "cmp_a": "2024-06-03:2024-06-16", "cmp_b": "2024-06-17:2024-07-08"})
    at.run()
    _ok(at)
    arts = pd.read_parquet(store_dir / "articles")
    sents = pd.read_parquet(store_dir / "sentences")
    labels = queries.Store(store_dir).labels()
    arts["topic_label"] = arts["topic_id"].map(labels)
    expected = compare_periods(arts, sents, a, b)
    assert _metric(at, "Articles A") == str(expected["n_a"].iloc[0]) == "6"
    assert _metric(at, "Articles B") == str(expected["n_b"].iloc[0])
    assert _metric(at, "Change") == f"{expected['contribution'].iloc[0]:+.3f}"
    got = pd.read_csv(io.BytesIO(at.session_state["_downloads"]["dl_changes"][1]()),
                      encoding="utf-8-sig")
    want = pd.read_csv(io.BytesIO(to_csv_bytes(changes_table(expected))), encoding="utf-8-sig")
    assert list(got["name"].fillna("")) == list(want["name"].fillna(""))
    pd.testing.assert_series_equal(got["contribution"], want["contribution"], atol=1e-9)
    word = at.selectbox(key="w_cmp_word").options[0]
    at.selectbox(key="w_cmp_word").set_value(word).run()
    _ok(at)
    assert word in " ".join(h.proto.body for h in at.get("html")).lower()
    with zipfile.ZipFile(io.BytesIO(at.session_state["_downloads"]["dl_report"][1]())) as zf:
        assert "changes.csv" in zf.namelist()


def test_whats_new_on_a_store_lists_alerts_and_a_click_filters(tmp_path, cache_dir):
    """The seeds' Kestrel Bay week, indexed into a store: the panel lists it from the
    store's own query, a click filters every view to its week and topic, and the
    evidence of the alert is listed."""
    import datetime as dt
    from pathlib import Path

    from analysis.indexer import index_archive

    seeds = Path(__file__).resolve().parents[1] / "seeds"
    index_archive(seeds, tmp_path / "store", n_jobs=1)
    at = _app(params={"src": str(tmp_path / "store"), "freq": "week"})
    at.run()
    _ok(at)
    assert any(e.label.startswith("What's new: ") for e in at.expander)
    buttons = [b for b in at.button if b.key and b.key.startswith("wn_alert_")]
    kestrel = next(b for b in buttons if "kestrel" in b.label.lower())
    assert "week of Mon 5 Aug 2024" in kestrel.label and "▲" in kestrel.label
    kestrel.click().run()
    _ok(at)
    assert at.session_state["w_dates"] == (dt.date(2024, 8, 5), dt.date(2024, 8, 11))
    assert len(at.session_state["w_topics"]) == 1
    assert _metric(at, "Articles") == "6"
    assert any("Evidence" in m.value for m in at.markdown)
    # k was chosen by the index on its sample: the Topics tab says how, as for a folder
    at.session_state["tab"] = "Topics"
    at.run()
    _ok(at)
    panel = next(e for e in at.expander if e.label == "How was the number of topics chosen?")
    ks = panel.dataframe[0].value
    assert len(ks) >= 3 and int(ks.loc[ks["chosen"].astype(bool), "k"].iloc[0]) == len(
        queries.Store(tmp_path / "store").topics)


def test_a_store_being_indexed_or_left_half_done_says_so(tmp_path, cache_dir, holder):
    """While ``index`` writes the store the page says the figures are partial; after a
    run was killed it says so and gives the command that resumes it; once complete,
    nothing."""
    import json
    import os
    import signal
    import subprocess
    import sys
    import time

    from factories import index_news_store, make_corpus, write_seed_format

    repo = Path(__file__).resolve().parents[1]

    store = index_news_store(tmp_path)

    def notes():
        at = _app(params={"src": str(store)})
        at.run()
        _ok(at)
        return " ".join(e.value for e in [*at.info, *at.warning])

    assert "index" not in notes()
    proc = holder(store)
    assert "`index` is updating this archive (since" in notes()
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert "updating" not in notes()

    # A real run over new files, killed once it has started writing.
    more = make_corpus()
    more = more[more["published"].notna()].reset_index(drop=True)
    more["published"] = more["published"] + pd.DateOffset(years=1) \
        + pd.to_timedelta(more.index, unit="min")
    write_seed_format(more, tmp_path / "news" / "later")
    run = subprocess.Popen([sys.executable, "-m", "analysis", "index", str(tmp_path / "news"),
                            "--store", str(store), "--jobs", "1"], cwd=repo,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and run.poll() is None:
        meta = json.loads((store / "store.json").read_text())
        if meta.get("last_run", {}).get("status") == "running":
            os.killpg(run.pid, signal.SIGKILL)
            break
        time.sleep(0.01)
    run.wait()
    said = notes()
    assert "was stopped before it finished" in said
    assert f"python -m analysis index {tmp_path / 'news'} --store {store}" in said
    report = subprocess.run([sys.executable, "-m", "analysis", "report", "--store", str(store),
                             "--out", str(tmp_path / "out")], cwd=repo, capture_output=True,
                            text=True, check=True)      # the CLI says it too
    assert "the last index run was stopped before it finished" in report.stderr
    subprocess.run([sys.executable, "-m", "analysis", "index", str(tmp_path / "news"),
                    "--store", str(store), "--jobs", "1"], cwd=repo, check=True,
                   capture_output=True)
    assert "index" not in notes()


def test_a_view_too_big_to_download_gives_the_command_that_writes_it(
        store_dir, cache_dir, tmp_path, monkeypatch):
    """Over StoreViews.DOWNLOAD_MAX_SENTENCES the page builds no zip in the server: the
    sidebar gives the `report --store` command of the current filter, and that command
    writes the view the page shows."""
    import shlex
    import subprocess
    import sys

    from analysis.views import StoreViews

    s = queries.Store(store_dir)
    c = Criteria(keyword="river")
    small = queries.headline(s, c)
    whole = queries.headline(s)
    assert 0 < small.n_sentences < whole.n_sentences
    # between the two: the whole archive is too big, the keyword's view is not
    monkeypatch.setattr(StoreViews, "DOWNLOAD_MAX_SENTENCES", small.n_sentences)
    at = _app(params={"src": str(store_dir)})
    at.run()
    _ok(at)
    assert "dl_report" not in at.session_state["_downloads"]
    assert any("too many to download" in c.value for c in at.sidebar.caption)
    at.session_state["tab"] = "Sentiment"
    at.session_state["w_q"] = "river"
    at.run()
    _ok(at)
    assert "dl_report" in at.session_state["_downloads"]      # the keyword's view fits
    assert "dl_sentences" in at.session_state["_downloads"]
    at.session_state["w_q"] = ""
    at.session_state["w_sent"] = (-1.0, 0.2)
    at.run()
    _ok(at)
    assert "dl_sentences" not in at.session_state["_downloads"]
    command = at.sidebar.code[0].value
    assert command.startswith(f"python -m analysis report --store {store_dir}")
    args = shlex.split(command)
    args[args.index("--out") + 1] = str(tmp_path / "out")
    subprocess.run([sys.executable, *args[1:]], cwd=Path(__file__).resolve().parents[1],
                   check=True, capture_output=True)
    rows = pd.read_csv(tmp_path / "out" / "articles.csv", encoding="utf-8-sig")
    at.session_state["tab"] = "Overview"
    at.run()
    shown = int(_metric(at, "Articles").replace(",", ""))
    want = queries.headline(s, Criteria(sentiment=(-1.0, 0.2))).n_articles
    assert queries.headline(s, Criteria(sentiment=(-1.0, 0.2))).n_sentences > small.n_sentences
    assert len(rows) == shown == want < whole.n_articles


@pytest.mark.parametrize("params", [
    {}, {"q": "storm", "split": "1", "freq": "day", "track": "storm OR flood*\nelection"},
    {"map": "sentiment", "art": "FIRST"}, {"map": "articles", "q": "storm"}])
def test_every_chart_sends_the_json_of_the_validated_figure(store_dir, cache_dir, params):
    """The charts' fast path (:func:`dashboard.charts._figure`: no Plotly validators,
    a container copy for ``to_dict``) sends the browser exactly what the validated
    figure did: every chart of every tab (both article maps, an opened article's arc),
    on a real store, compared spec by spec."""
    from dashboard import charts

    if params.get("art") == "FIRST":
        s = queries.Store(store_dir)
        params = {**params, "art": s.con.cursor().execute(
            "SELECT article_id FROM articles ORDER BY article_id LIMIT 1").fetchone()[0]}

    def specs():
        out = {}
        at = _app(params={"src": str(store_dir), **params})
        at.run()
        for tab in vs.TABS:
            at.session_state["tab"] = tab
            at.run()
            _ok(at)
            out[tab] = [c.proto.spec for c in at.get("plotly_chart")]
        return out

    fast = specs()
    with charts.validating():
        slow = specs()
    assert sum(len(v) for v in fast.values()) >= 10, fast
    for tab in vs.TABS:
        assert len(fast[tab]) == len(slow[tab]), tab
        for a, b in zip(fast[tab], slow[tab]):
            assert a == b, tab
