"""The Outlets tab and the outlet filter under AppTest, on a CSV with an ``outlet``
column (folders/files) and on an archive store indexed from it; the cell-click
callback with the browser's forms of ``customdata``."""
from __future__ import annotations

import io
import re
import json
import zipfile

import pandas as pd
import pytest

from analysis.outlets import MIN_CELL_ARTICLES
from dashboard import interaction
from dashboard import state as vs
from factories import OUTLET_MIX, write_outlet_csv

from app_helpers import app as _app, metric as _metric, ok as _ok

N_BY_OUTLET = {o: sum(m.get(o, 0) for m in OUTLET_MIX.values())
               for o in ("Wire", "Herald", "Gazette")}


def _figures(at) -> dict:
    """Plotly figures of the run by title."""
    out = {}
    for c in at.get("plotly_chart"):
        fig = json.loads(c.proto.spec)
        title = ((fig.get("layout") or {}).get("title") or {}).get("text")
        out.setdefault(title, fig)
    return out


def _download(at, key):
    name, make = at.session_state["_downloads"][key]
    return name, make()


def _csv(data: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")


def _banner(at) -> str:
    return next(h.proto.body for h in at.get("html") if "Showing" in h.proto.body)


def _shown(at) -> int:
    """N of the banner's "Showing N of M articles"."""
    text = re.sub(r"<[^>]+>", "", _banner(at))
    return int(re.search(r"Showing ([\d,]+) of", text).group(1).replace(",", ""))


def _param(at, key):
    v = at.query_params.get(key)
    return v[0] if isinstance(v, list) else v


@pytest.fixture(scope="module")
def outlet_csv(tmp_path_factory):
    return write_outlet_csv(tmp_path_factory.mktemp("outlets") / "news.csv")


@pytest.fixture
def outlets_app(outlet_csv, cache_dir):
    at = _app({"src": str(outlet_csv), "k": "3", "tab": "Outlets"})
    at.run()
    _ok(at)
    return at


def _check_tab(at, n_total):
    """The tab's two charts, its captions and its CSVs on an unfiltered view."""
    figs = _figures(at)
    share = figs["Share of voice per outlet"]
    names = {t["name"] for t in share["data"]}
    assert names == set(N_BY_OUTLET), names
    assert all(t.get("stackgroup") == "share" for t in share["data"])
    grid = figs["Mean sentiment by outlet and topic"]
    traces = {t["name"]: t for t in grid["data"]}
    coloured, grey = traces["sentiment"], traces["too few articles"]
    counts = [int(v.replace(",", "")) for v in coloured["text"] + grey["text"]]
    assert sum(counts) == n_total
    assert all(int(v) >= MIN_CELL_ARTICLES for v in coloured["text"])
    assert all(int(v) < MIN_CELL_ARTICLES for v in grey["text"])
    assert len(coloured["text"]) >= 2 and len(grey["text"]) >= 2
    assert traces["sentiment colours"]["type"] == "heatmap"
    assert traces["sentiment colours"]["showscale"] and not traces["greyed"]["showscale"]
    captions = " ".join(c.value for c in at.caption)
    assert f"fewer than {MIN_CELL_ARTICLES} articles are greyed" in captions
    _, data = _download(at, "dl_outlet_topic")
    table = _csv(data)
    assert table.groupby("outlet")["n_articles"].sum().to_dict() == N_BY_OUTLET
    _, data = _download(at, "dl_outlet_share")
    assert _csv(data).groupby("outlet")["n_articles"].sum().to_dict() == N_BY_OUTLET


def test_tab_filter_url_banner_and_clear(outlets_app):
    at = outlets_app
    _check_tab(at, 36)
    ms = at.multiselect(key="w_outlets")
    # most articles first, with their count
    assert ms.options[0].startswith("Herald (13)"), ms.options
    ms.set_value(["Wire"]).run()
    _ok(at)
    assert _shown(at) == N_BY_OUTLET["Wire"]
    assert _param(at, "outlets") == "Wire"
    assert "outlets" in _banner(at) and "Wire" in _banner(at)
    figs = _figures(at)
    assert "Share of voice per outlet" not in figs  # one outlet: 100 %, no chart
    assert figs["Mean sentiment by outlet and topic"]["layout"]["xaxis"]["ticktext"] == ["Wire"]
    assert any("filter keeps one outlet" in c.value for c in at.caption)
    # the report and the Articles CSV carry the outlet and the filter
    _, report = _download(at, "dl_report")
    with zipfile.ZipFile(io.BytesIO(report)) as zf:
        arts = _csv(zf.read("articles.csv"))
        assert "outlets Wire" in zf.read("summary.txt").decode("utf-8")
    assert set(arts["outlet"]) == {"Wire"} and len(arts) == N_BY_OUTLET["Wire"]
    at.session_state["tab"] = "Articles"
    at.run()
    _ok(at)
    _, data = _download(at, "dl_articles")
    assert set(_csv(data)["outlet"]) == {"Wire"} and len(_csv(data)) == N_BY_OUTLET["Wire"]
    at.session_state["art"] = "storm-00"  # the reader names the outlet
    at.run()
    _ok(at)
    assert any("<b>outlet</b> Wire" in h.proto.body for h in at.get("html"))
    at.session_state["tab"] = "Outlets"
    at.run()
    at.button(key="w_clear").click().run()
    _ok(at)
    assert at.multiselect(key="w_outlets").value == []
    assert "outlets" not in at.query_params
    assert _shown(at) == 36
    # every outlet picked is no outlet filter
    at.multiselect(key="w_outlets").set_value(list(N_BY_OUTLET)).run()
    _ok(at)
    assert at.multiselect(key="w_outlets").value == [] and "outlets" not in at.query_params


def test_outlets_in_the_url_restore_the_filter(outlet_csv, cache_dir):
    at = _app({"src": str(outlet_csv), "k": "3", "tab": "Outlets", "outlets": "Herald,Gazette,Nope",
               "topics": "0"})
    at.run()
    _ok(at)
    # an outlet the corpus does not have is dropped
    assert at.multiselect(key="w_outlets").value == ["Gazette", "Herald"]
    n = _shown(at)
    assert 0 < n < N_BY_OUTLET["Herald"] + N_BY_OUTLET["Gazette"]
    assert _param(at, "outlets") == "Gazette,Herald" and _param(at, "topics") == "0"
    grid = _figures(at)["Mean sentiment by outlet and topic"]
    assert sum(int(v) for t in grid["data"] if "text" in t for v in t["text"]) == n


def test_no_outlet_column_gives_a_note(news_folder, cache_dir):
    at = _app({"src": str(news_folder), "tab": "Outlets"})
    at.run()
    _ok(at)
    assert all(m.key != "w_outlets" for m in at.multiselect)
    assert any("names no outlet" in i.value for i in at.info)
    assert "Share of voice per outlet" not in _figures(at)


def test_cell_click_sets_outlet_and_topic_and_undo_restores(monkeypatch):
    fake = {"w_outlets": ["Herald"], "w_topics": [0]}
    monkeypatch.setattr(interaction, "ss", fake)
    # the browser sends a mixed customdata row as a list (or an index-keyed object)
    fake["ol_grid"] = {"selection": {"points": [
        {"customdata": ["Reuters, London", 2, "storm", 8, 0.01, "Reuters, London"]},
        {"customdata": {"0": "", "1": 1, "2": "election", "3": 3, "4": 0.2, "5": "?"}}]}}
    interaction.select_outlet_topic("ol_grid")
    assert fake["w_outlets"] == ["", "Reuters, London"] and fake["w_topics"] == [1, 2]
    interaction.undo_click()
    assert fake["w_outlets"] == ["Herald"] and fake["w_topics"] == [0]
    fake["ol_grid"] = {"selection": {"points": []}}
    interaction.select_outlet_topic("ol_grid")
    assert fake["w_outlets"] == ["Herald"] and not fake.get("_undo")


def test_a_theme_cell_click_filters_to_the_themes_topics(monkeypatch):
    from analysis.topic_groups import THEME_BASE, topic_groups

    topics = pd.DataFrame({"topic_id": [0, 1, 2], "label": ["goal", "match", "bank"],
                           "theme_id": [0, 0, 1], "theme_label": ["sport", "sport", "money"]})
    fake = {"w_outlets": [], "w_topics": []}
    monkeypatch.setattr(interaction, "ss", fake)
    fake["ol_grid"] = {"selection": {"points": [
        {"customdata": ["Wire", THEME_BASE, "sport", 8, 0.01, "Wire"]}]}}
    interaction.select_outlet_topic("ol_grid", topic_groups(topics, "themes"))
    assert fake["w_outlets"] == ["Wire"] and fake["w_topics"] == [0, 1]


# --------------------------------------------------------------------------- stores
@pytest.fixture(scope="module")
def outlet_store(outlet_csv, tmp_path_factory):
    from analysis.indexer import index_archive

    store = tmp_path_factory.mktemp("outlet-store") / "store"
    index_archive(outlet_csv.parent, store, n_topics=3, n_jobs=1)
    return store


def test_store_tab_and_filter_are_those_of_the_csv(outlet_store, outlet_csv, cache_dir):
    at = _app({"src": str(outlet_store), "tab": "Outlets"})
    at.run()
    _ok(at)
    assert any("Archive store" in c.value for c in at.sidebar.caption)
    _check_tab(at, 36)
    ms = at.multiselect(key="w_outlets")
    assert [o.split(" (")[0] for o in ms.options] == ["Herald", "Gazette", "Wire"]
    ms.set_value(["Gazette", "Wire"]).run()
    _ok(at)
    assert _shown(at) == N_BY_OUTLET["Gazette"] + N_BY_OUTLET["Wire"]
    assert _param(at, "outlets") == "Gazette,Wire"
    assert "outlets" in _banner(at)
    grid = _figures(at)["Mean sentiment by outlet and topic"]
    assert sum(int(v) for t in grid["data"] if "text" in t for v in t["text"]) == 23
    _, report = _download(at, "dl_report")
    with zipfile.ZipFile(io.BytesIO(report)) as zf:
        arts = _csv(zf.read("articles.csv"))
        assert "outlets Gazette, Wire" in zf.read("summary.txt").decode("utf-8")
    assert set(arts["outlet"]) == {"Gazette", "Wire"} and len(arts) == 23
    # the same view opened from the CSV gives the same figures
    at2 = _app({"src": str(outlet_csv), "k": "3", "tab": "Outlets", "outlets": "Gazette,Wire"})
    at2.run()
    _ok(at2)
    assert _shown(at2) == _shown(at)
    assert _figures(at2)["Mean sentiment by outlet and topic"]["data"][2]["text"] == \
        grid["data"][2]["text"]
    at.session_state["tab"] = at2.session_state["tab"] = "Overview"
    at.run()
    at2.run()
    _ok(at)
    _ok(at2)
    for label in ("Articles", "Sentences", "Mean sentiment"):
        assert _metric(at2, label) == _metric(at, label), label


def test_an_outlet_alert_click_filters_to_its_outlet(monkeypatch):
    from dashboard.tabs import whats_new

    fake = {"w_outlets": [], "w_topics": [3]}
    monkeypatch.setattr(interaction, "ss", fake)
    monkeypatch.setattr(whats_new, "ss", fake)
    whats_new._apply({"scope": "outlet", "key": "Herald", "period_start": "2024-06-03"},
                     "week", [])
    assert fake["w_outlets"] == ["Herald"] and fake["w_topics"] == [3]
    assert fake["w_dates"][0].isoformat() == "2024-06-03"
    interaction.undo_click()
    assert fake["w_outlets"] == []
