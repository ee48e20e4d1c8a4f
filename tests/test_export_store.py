"""report CSVs from a store view equal those written from the filtered frames."""
from __future__ import annotations

import io
import os

import pandas as pd
import pytest

from analysis import queries as q
from analysis.criteria import Criteria
from analysis.reports import write_report
from analysis.rollups import write_rollups
from factories import make_corpus, write_store


@pytest.fixture(scope="module")
def result():
    from analysis import analyze

    return analyze(make_corpus(), n_topics=3)


@pytest.fixture(scope="module")
def store(result, tmp_path_factory):
    folder = write_store(result, tmp_path_factory.mktemp("s") / "store")
    write_rollups(folder)
    return q.Store(folder)


def _csv(path):
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    return pd.read_csv(io.BytesIO(raw), encoding="utf-8-sig", keep_default_na=False)


@pytest.mark.parametrize("c", [Criteria(), Criteria(topics=[1], start="2024-06-10"),
                               Criteria(keyword="river", sentiment=(-1.0, 0.5))])
def test_export_equals_the_frames_report(store, result, c, tmp_path):
    view = result.filter(**c.filter_kwargs())
    write_report(view, tmp_path / "frames", freq="week")
    # a batch smaller than the view, so several batches are appended
    paths = q.export_csvs(store, tmp_path / "store", c, freq="week", batch_rows=3)
    assert sorted(p.name for p in paths) == sorted(
        p.name for p in (tmp_path / "frames").iterdir())
    for name, key in (("articles", ["article_id"]), ("sentences", ["article_id", "sentence_id"]),
                      ("topics", ["topic_id"]), ("timeline", ["period", "topic_id"])):
        got = _csv(tmp_path / "store" / f"{name}.csv")
        want = _csv(tmp_path / "frames" / f"{name}.csv")
        assert list(got.columns) == list(want.columns), name
        got = got.sort_values(key).reset_index(drop=True)
        want = want.sort_values(key).reset_index(drop=True)
        if name == "timeline":
            # the frames label a topic no article of the view leads by its id
            by_id = want["topic_label"].astype(str) == want["topic_id"].astype(str)
            want.loc[by_id, "topic_label"] = got.loc[by_id, "topic_label"]
        pd.testing.assert_frame_equal(got, want, check_dtype=False, rtol=1e-6, obj=name)
    assert (tmp_path / "store" / "summary.txt").read_text() == \
        (tmp_path / "frames" / "summary.txt").read_text()
    mode = (tmp_path / "store" / "articles.csv").stat().st_mode & 0o777
    assert mode == 0o644 & ~_umask()


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_an_empty_view_writes_headers(store, tmp_path):
    q.export_csvs(store, tmp_path, Criteria(keyword="nothing-mentions-this"))
    assert _csv(tmp_path / "articles.csv").empty
    assert "article_id" in _csv(tmp_path / "articles.csv").columns


@pytest.mark.parametrize("c", [Criteria(), Criteria(keyword="river", sentiment=(-1.0, 0.5))])
def test_the_sentences_download_is_the_reports_file(store, c, tmp_path):
    from analysis.export_store import sentences_csv

    q.export_csvs(store, tmp_path / "all", c, names={1: "renamed"})
    alone = sentences_csv(store, tmp_path / "alone.csv", c, names={1: "renamed"})
    assert alone.read_bytes() == (tmp_path / "all" / "sentences.csv").read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["all", "alone.csv"]
