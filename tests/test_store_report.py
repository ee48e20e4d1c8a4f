"""``report --store`` (cli + analysis.export_store): the same CSVs as ``report SOURCE``,
streamed from the store."""
from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from analysis.cli import main

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


def _csv(path) -> pd.DataFrame:
    return pd.read_csv(path, encoding="utf-8-sig", keep_default_na=False)


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    root = tmp_path_factory.mktemp("reports")
    src = root / "src"
    shutil.copytree(SEEDS, src)
    assert main(["index", str(src), "--store", str(root / "store"), "--topics", "4", "--jobs", "1"]) == 0
    assert main(["report", "--store", str(root / "store"), "--out", str(root / "from-store")]) == 0
    assert main(["report", str(src), "--out", str(root / "from-source"), "--topics", "4", "--jobs", "1"]) == 0
    return root


@pytest.mark.parametrize("name", ["articles.csv", "sentences.csv", "topics.csv", "timeline.csv"])
def test_same_files_and_columns_as_report_source(both, name):
    a, b = _csv(both / "from-store" / name), _csv(both / "from-source" / name)
    assert list(a.columns) == list(b.columns) and len(a) == len(b)


def test_same_sentiment_numbers_as_report_source(both):
    key = ["article_id"]
    a = _csv(both / "from-store" / "articles.csv").sort_values(key).reset_index(drop=True)
    b = _csv(both / "from-source" / "articles.csv").sort_values(key).reset_index(drop=True)
    for col in ("article_id", "published", "title", "n_sentences", "compound", "label", "pos_share",
                "neg_share", "most_positive", "most_negative"):
        assert a[col].tolist() == b[col].tolist(), col
    s1 = _csv(both / "from-store" / "sentences.csv").sort_values(["article_id", "sentence_id"])
    s2 = _csv(both / "from-source" / "sentences.csv").sort_values(["article_id", "sentence_id"])
    assert s1["text"].tolist() == s2["text"].tolist()
    assert s1["compound"].tolist() == s2["compound"].tolist()
    t1 = _csv(both / "from-store" / "timeline.csv")
    t2 = _csv(both / "from-source" / "timeline.csv")
    o1, o2 = t1[t1["topic_label"] == "(all)"], t2[t2["topic_label"] == "(all)"]
    assert o1["period"].tolist() == o2["period"].tolist()
    assert o1["n_sentences"].tolist() == o2["n_sentences"].tolist()
    assert o1["n_articles"].tolist() == o2["n_articles"].tolist()
    for col in ("compound", "article_compound", "pos_share"):
        x = pd.to_numeric(o1[col], errors="coerce").fillna(9).to_numpy()
        y = pd.to_numeric(o2[col], errors="coerce").fillna(9).to_numpy()
        assert abs(x - y).max() < 2e-6, col


def test_filters_apply_to_every_file(both, tmp_path):
    store = both / "store"
    out = tmp_path / "out"
    assert main(["report", "--store", str(store), "--out", str(out), "--since", "2024-08-01",
                 "--min-sentiment", "0"]) == 0
    arts = _csv(out / "articles.csv")
    assert len(arts) > 0 and (arts["published"] >= "2024-08-01").all() and (arts["compound"] >= 0).all()
    sents = _csv(out / "sentences.csv")
    assert set(sents["article_id"]) == set(arts["article_id"])
    topics = _csv(out / "topics.csv")
    assert topics["n_articles"].sum() == len(arts)
    timeline = _csv(out / "timeline.csv")
    overall = timeline[timeline["topic_label"] == "(all)"]
    assert overall["n_articles"].sum() == len(arts) and (overall["period"] >= "2024-07-29").all()
    assert "2024-08-01" in (out / "summary.txt").read_text()


def test_report_needs_a_source_or_a_store(tmp_path, capsys):
    assert main(["report", "--out", str(tmp_path / "o")]) == 2
    assert "SOURCE" in capsys.readouterr().err
    assert main(["report", "--store", str(tmp_path / "nothing"), "--out", str(tmp_path / "o")]) == 2
    assert "not an archive store" in capsys.readouterr().err


def test_compare_from_a_store_is_the_sources_changes(both, tmp_path):
    out_store, out_src = tmp_path / "s", tmp_path / "f"
    ranges = ["2024-07-01:2024-07-31", "2024-08-01:2024-08-31"]
    assert main(["report", "--store", str(both / "store"), "--out", str(out_store),
                 "--compare", *ranges]) == 0
    assert main(["report", str(both / "src"), "--out", str(out_src), "--topics", "4",
                 "--jobs", "1", "--compare", *ranges]) == 0
    a, b = _csv(out_store / "changes.csv"), _csv(out_src / "changes.csv")
    assert list(a.columns) == list(b.columns) and len(a) == len(b) > 3
    total = lambda f: float(f.loc[f["component"] == "total", "contribution"].iloc[0])  # noqa: E731
    assert total(a) == pytest.approx(total(b), abs=2e-6)  # CSV figures have 6 decimals
    parts = a[a["component"].isin(["mix", "within"])]["contribution"].astype(float).sum()
    assert parts == pytest.approx(total(a), abs=1e-4)       # mix + within = total (rounded rows)
    assert (out_store / "changes.csv").stat().st_mode & 0o044  # readable by the group/others


def test_outlet_filter_on_a_store_is_the_sources(tmp_path):
    from factories import write_outlet_csv

    table = write_outlet_csv(tmp_path / "news.csv")
    assert main(["index", str(table), "--store", str(tmp_path / "store"), "--topics", "3",
                 "--jobs", "1"]) == 0
    outlet = str(_csv(table)["outlet"].value_counts().index[0])
    out_store, out_src = tmp_path / "s", tmp_path / "f"
    assert main(["report", "--store", str(tmp_path / "store"), "--out", str(out_store),
                 "--outlet", outlet]) == 0
    assert main(["report", str(table), "--out", str(out_src), "--topics", "3", "--jobs", "1",
                 "--outlet", outlet]) == 0
    a, b = _csv(out_store / "articles.csv"), _csv(out_src / "articles.csv")
    assert 0 < len(a) < len(_csv(table)) and sorted(a["article_id"]) == sorted(b["article_id"])
    assert set(a["outlet"]) == {outlet}


def test_what_a_store_cannot_report_yet_is_refused(both, tmp_path, capsys):
    assert main(["report", "--store", str(both / "store"), "--out", str(tmp_path / "o"),
                 "--overrides", str(tmp_path / "other.parquet")]) == 2
    assert "the store's own corrections are applied" in capsys.readouterr().err


def _alerts_of(rows: pd.DataFrame, scopes) -> pd.DataFrame:
    keep = rows[rows["scope"].isin(scopes)].drop(columns=["score", "baseline", "value"])
    return keep.sort_values(list(keep.columns)).reset_index(drop=True)


def test_alerts_and_tracked_keywords_from_a_store_are_the_sources(both, tmp_path):
    track = ["--track", "Kestrel Bay", "--track", "bank OR flood*"]
    out_store, out_src = tmp_path / "s", tmp_path / "f"
    assert main(["report", "--store", str(both / "store"), "--out", str(out_store),
                 *track]) == 0
    assert main(["report", str(both / "src"), "--out", str(out_src), "--topics", "4",
                 "--jobs", "1", *track]) == 0
    a, b = _csv(out_store / "alerts.csv"), _csv(out_src / "alerts.csv")
    assert list(a.columns) == list(b.columns)
    # topics are fitted on the store's own sample: the scopes that do not depend on the
    # model must agree row for row, values and scores to the CSV's precision
    sa, sb = _alerts_of(a, ["all", "keyword"]), _alerts_of(b, ["all", "keyword"])
    assert len(sa) and "keyword" in set(sa["scope"])
    pd.testing.assert_frame_equal(sa, sb)
    for col in ("value", "baseline", "score"):
        x = a[a["scope"].isin(["all", "keyword"])].sort_values(["period_start", "name", "metric"])
        y = b[b["scope"].isin(["all", "keyword"])].sort_values(["period_start", "name", "metric"])
        assert x[col].astype(float).to_numpy() == pytest.approx(y[col].astype(float).to_numpy(),
                                                                abs=1e-5)
    k1, k2 = _csv(out_store / "keywords.csv"), _csv(out_src / "keywords.csv")
    assert list(k1.columns) == list(k2.columns) == [
        "period", "keyword", "n_articles", "share_of_voice", "n_sentences", "compound",
        "pos_share", "neg_share"]
    assert k1[["period", "keyword", "n_articles", "n_sentences"]].equals(
        k2[["period", "keyword", "n_articles", "n_sentences"]])
    assert k1["n_articles"].sum() > 0


def test_a_filtered_store_report_alerts_on_the_filtered_articles(both, tmp_path):
    def alerts(*flt):
        out = tmp_path / "-".join(flt)
        assert main(["report", "--store", str(both / "store"), "--out", str(out),
                     "--freq", "week", *flt]) == 0
        return _csv(out / "alerts.csv")

    everything = alerts()
    spikes = set(everything.loc[everything["metric"] == "volume", "period_start"])
    assert {"2024-08-05", "2024-08-19"} <= spikes  # the seeds' Kestrel Bay weeks
    # up to 11 Aug: the first week still has its baseline, the later one is out of view
    until = alerts("--until", "2024-08-11")
    assert "2024-08-05" in set(until["period_start"])
    assert (until["period_start"] <= "2024-08-11").all()
    # from 1 Aug: fewer than 5 weeks before either spike, so no baseline, no alert
    assert alerts("--since", "2024-08-01").empty
