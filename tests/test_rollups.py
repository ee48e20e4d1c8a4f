"""Roll-ups of an archive store: per month, rewritten only where asked, stale ones seen."""
from __future__ import annotations

import shutil

import pandas as pd
import pytest

from analysis import queries as q
from analysis.criteria import Criteria
from analysis.rollups import KINDS, stale_months, store_months, write_rollups
from factories import make_corpus, write_archive_folder, write_store


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


def _assert_strongest_is_the_sentences_in_evidence_order(folder):
    """Each month's ``strongest`` file holds exactly that month's negative and positive
    sentences (all columns of the sentences copy), sorted by label, then strength
    descending, then time, article and sentence."""
    for month in store_months(folder):
        sents = pd.read_parquet(folder / "rollups" / "sentences" / f"month={month}")
        want = sents[sents["label"].isin(["negative", "positive"])].assign(
            _s=lambda f: -f["compound"].abs()).sort_values(
            ["label", "_s", "published", "article_id", "sentence_id"],
            na_position="last", kind="stable").drop(columns="_s").reset_index(drop=True)
        got = pd.read_parquet(folder / "rollups" / "strongest" / f"month={month}" /
                              "part-0.parquet")
        assert len(got) > 0 or len(want) == 0
        pd.testing.assert_frame_equal(got, want[got.columns], check_dtype=False)


def test_strongest_copy_follows_an_incremental_index(tmp_path):
    """The strongest-first copy is written by ``index`` and rewritten with the months an
    incremental run touches (new, changed and deleted inputs): it stays the store's
    sentences in evidence order, and the evidence lists read from it (and the
    histograms from the roll-ups' bin counts) stay those of the store's own files."""
    from analysis.indexer import index_archive

    src, store = tmp_path / "src", tmp_path / "store"
    paths = write_archive_folder(src, 90)
    index_archive(src, store, n_topics=3, n_jobs=1, chunk_size=30, sample_size=60)
    _assert_strongest_is_the_sentences_in_evidence_order(store)
    write_archive_folder(src, 100, start=90)
    paths[3].write_text(paths[3].read_text(encoding="utf-8") +
                        "\nA wonderful, excellent and truly delightful ending.\n",
                        encoding="utf-8")
    paths[50].unlink()
    index_archive(src, store, n_topics=3, n_jobs=1)
    assert stale_months(store) == []
    _assert_strongest_is_the_sentences_in_evidence_order(store)
    s = q.Store(store)
    assert s.use_rollups
    raw = q.Store(store)
    raw.use_rollups = False  # the same lists from the store's own files
    for name in ("articles", "sentences", "article_topics"):
        raw.con.execute(f"CREATE OR REPLACE VIEW {name} AS SELECT * FROM {name}_full")
    for c in (Criteria(), Criteria(topics=(1,)), Criteria(sentiment=(-0.5, 0.9))):
        for of in ("sentences", "articles"):  # the roll-ups' histogram counts follow too
            pd.testing.assert_frame_equal(q.sentiment_histogram(s, c, of=of),
                                          q.sentiment_histogram(raw, c, of=of))
    for n in (1, 3, 40):
        got = q.evidence_by_label(s, Criteria(), n=n)
        want = q.evidence_by_label(raw, Criteria(), n=n)
        for label in ("negative", "positive"):
            assert len(got[label]) > 0
            pd.testing.assert_frame_equal(got[label], want[label], check_dtype=False)


def test_streamed_rollups_are_the_whole_tables_in_the_same_row_groups(store_dir, tmp_path,
                                                                      monkeypatch):
    """The month's results are streamed to their files in batches (bounded memory):
    with tiny batches and row groups the files hold the same rows in the row groups
    that writing each whole table gives."""
    import pyarrow.parquet as pq

    from analysis import rollups

    small = {kind: 4 for kind in rollups._ROW_GROUP}
    monkeypatch.setattr(rollups, "_ROW_GROUP", small)
    whole = tmp_path / "whole"
    shutil.copytree(store_dir, whole)
    shutil.rmtree(whole / "rollups")
    write_rollups(whole)
    monkeypatch.setattr(rollups, "_BATCH_ROWS", 3)
    monkeypatch.setattr(rollups, "_write_atomic", _whole_table_writer(rollups._write_atomic))
    streamed = tmp_path / "streamed"
    shutil.copytree(whole, streamed)
    shutil.rmtree(streamed / "rollups")
    write_rollups(streamed)
    for path in sorted((whole / "rollups").glob("*/month=*/part-0.parquet")):
        a, b = pq.ParquetFile(path), pq.ParquetFile(streamed / path.relative_to(whole))
        assert b.read().equals(a.read()), path
        assert [b.metadata.row_group(i).num_rows for i in range(b.metadata.num_row_groups)] == \
            [a.metadata.row_group(i).num_rows for i in range(a.metadata.num_row_groups)], path


def _whole_table_writer(write):
    """``rollups._write_atomic`` that notes it was used: with streaming on, only the
    small tables, the grouped postings and the strongest sentences (the month's
    negative and positive ones, sorted once they are all in) are written whole."""
    def wrapped(table, path, row_group_size=None, dictionary=True):
        assert path.parent.parent.name in ("daily", "topic_weights", "postings", "strongest"), path
        return write(table, path, row_group_size, dictionary)
    return wrapped


def test_token_index_words_around_non_ascii_characters():
    """Accented letters are word characters, a dash or curly quote between words is a
    separator (DuckDB's regular expressions judge them, as its split did)."""
    import pyarrow as pa

    from analysis import rollups

    con = rollups.connect(threads=1)
    texts = pa.table({"words": ["naïve—café “x”", "日本 ok"], "key": pa.array([5, 7], pa.int64())})
    table = rollups._postings(texts.to_reader(), rollups._word_chars(con), 10)
    assert table.column("token").to_pylist() == ["café", "naïve", "ok", "x", "日本"]
    assert table.column("keys").to_pylist() == [[5], [5], [7], [5], [7]]

