"""Roll-ups of an archive store: per month, rewritten only where asked, stale ones seen."""
from __future__ import annotations

import shutil

import pandas as pd
import pytest

from analysis import queries as q
from analysis.criteria import Criteria
from analysis.rollups import KINDS, stale_months, store_months, write_rollups
from factories import make_corpus, write_store


@pytest.fixture(scope="module")
def result():
    from analysis import analyze

    return analyze(make_corpus(), n_topics=3)


@pytest.fixture
def store_dir(result, tmp_path):
    folder = write_store(result, tmp_path / "store")
    assert write_rollups(folder) == ["2024-06", "2024-07", "undated"]
    return folder


def _mtimes(folder, month):
    return {p: p.stat().st_mtime_ns for p in (folder / "rollups").glob(f"*/month={month}/*")}


def test_every_kind_per_month(store_dir):
    for kind in KINDS:
        months = sorted(p.name for p in (store_dir / "rollups" / kind).iterdir())
        assert months == ["month=2024-06", "month=2024-07", "month=undated"]
    assert stale_months(store_dir) == []
    daily = pd.read_parquet(store_dir / "rollups" / "daily")
    arts = pd.read_parquet(store_dir / "articles")
    assert daily["n_articles"].sum() == len(arts)
    assert daily["n_sentences"].sum() == arts["n_sentences"].sum()


def test_a_changed_month_is_stale_and_rewritten_alone(store_dir, result):
    before_june = _mtimes(store_dir, "2024-06")
    # a re-index replaces July's part with one article fewer
    part = store_dir / "articles" / "month=2024-07" / "part-0.parquet"
    july = pd.read_parquet(part)
    dropped = july["article_id"].iloc[0]
    july.iloc[1:].to_parquet(part, index=False)
    assert stale_months(store_dir) == ["2024-07"]
    s = q.Store(store_dir)
    assert not s.use_rollups  # answers from the articles, still right
    assert q.headline(s).n_articles == len(result.articles) - 1
    assert write_rollups(store_dir, months=["2024-07"]) == ["2024-07"]
    assert _mtimes(store_dir, "2024-06") == before_june
    assert stale_months(store_dir) == []
    s = q.Store(store_dir)
    assert s.use_rollups
    assert q.headline(s).n_articles == len(result.articles) - 1
    assert dropped not in set(q.articles_page(s, limit=1000)[0]["article_id"])


def test_a_deleted_month_loses_its_rollup(store_dir):
    shutil.rmtree(store_dir / "articles" / "month=2024-07")
    assert "2024-07" not in store_months(store_dir)
    assert stale_months(store_dir) == ["2024-07"]
    write_rollups(store_dir, months=["2024-07"])
    for kind in KINDS:
        assert not (store_dir / "rollups" / kind / "month=2024-07").exists()
    assert stale_months(store_dir) == []


def test_full_rewrite_removes_vanished_months(store_dir):
    shutil.rmtree(store_dir / "articles" / "month=undated")
    write_rollups(store_dir)
    assert not (store_dir / "rollups" / "daily" / "month=undated").exists()
    assert stale_months(store_dir) == []


def test_token_index_finds_every_word_of_titles_headings_and_sentences(store_dir, result):
    s = q.Store(store_dir)
    for word, in_text in (("Update", True), ("story", True), ("flooded", True)):
        got = q.headline(s, Criteria(keyword=word)).n_articles
        want = len(result.filter(keyword=word).articles)
        assert got == want > 0
