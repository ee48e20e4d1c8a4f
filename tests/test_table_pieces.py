"""Big table files read in row ranges (analysis.table_pieces): each piece gives exactly
the rows, sources and skip reasons the whole-file read gives for its range; an index
run over a table in pieces gives the store the whole table gives, resumes after a kill
mid-table, retires every piece when the table changes or goes, runs the same on Dask,
and its memory does not grow with the table."""
from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from factories import write_archive_folder

from analysis.corpus import read_source
from analysis.indexer import index_archive
from analysis.table_pieces import read_piece, survey_table

from test_indexer import REPO, _articles, _index_cmd, _kill_when, _peak_kb, _sentences

TOPIC_COLUMNS = ["topic_id", "topic_weight", "topic_label", "theme_id", "theme_label"]


def _rows(tmp_path, n: int) -> list[dict]:
    """``n`` articles of the growing test archive as export rows (``id``, ``date``,
    ``text``), in publication order."""
    rows = []
    for path in write_archive_folder(tmp_path / "seed-files", n):
        head, _, body = path.read_text(encoding="utf-8").partition("\n\n")
        when = pd.to_datetime(head.strip()[5:], format="%d%m%Y-%H%M%S")
        rows.append({"id": head.strip(), "date": when.isoformat(), "text": body.strip()})
    return rows


def _jsonl_with_trouble(tmp_path, n: int = 90) -> tuple[Path, int]:
    """A JSONL export with a broken line in the middle (its line number is returned),
    a blank line, a line that is not an object, a copy of an early row near the end (a
    duplicate across pieces), a ``title`` key only in later rows, and dates written
    ``dd/mm/yyyy`` where only a late row shows they are day-first."""
    rows = _rows(tmp_path, n)
    for i, row in enumerate(rows):
        when = pd.Timestamp(row["date"])
        if i % 3 == 0:
            # Ambiguous as month-first (day <= 12) until a late row's day 25 shows the order.
            row["date"] = f"{min(when.day, 12):02d}/{when.month:02d}/{when.year} 10:00"
        if i > 60:
            row["title"] = f"Late headline {i}"
    rows[n * 9 // 10]["date"] = "25/03/2024 10:00"
    lines = [json.dumps(r) for r in rows]
    lines.insert(47, "{broken json")
    lines.insert(20, "")
    lines.insert(70, "[1, 2, 3]")
    lines.append(json.dumps(rows[5]))
    path = tmp_path / "export.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    broken = lines.index("{broken json") + 1
    return path, broken


def _csv_with_quoted_newlines(tmp_path, n: int = 90) -> Path:
    rows = _rows(tmp_path, n)
    for i, row in enumerate(rows):
        if i % 4 == 0:
            row["text"] = row["text"].replace(". ", ".\n\"Quoted,\" she said, ", 1)
    rows[30]["text"] = ""          # an empty text in the middle: a skip with its row
    path = tmp_path / "export.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    assert "\n\"\"Quoted" in path.read_text(encoding="utf-8")   # newlines inside fields
    return path


def _parquet(tmp_path, n: int = 90, row_group_size: int | None = 20) -> Path:
    frame = pd.DataFrame(_rows(tmp_path, n))
    frame["date"] = pd.to_datetime(frame["date"])
    path = tmp_path / "export.parquet"
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), path,
                   row_group_size=row_group_size)
    return path


def _pieces_read(path: Path, rows: int, store: Path) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    plan = survey_table(str(store), str(path.parent), path.name, rows, {})
    assert len(plan["pieces"]) >= 3, plan["reason"]
    parts = [read_piece(str(path.parent), path.name, piece, plan, {}) for piece in plan["pieces"]]
    corpus = pd.concat([c for c, _ in parts], ignore_index=True)
    skipped = pd.concat([s for _, s in parts], ignore_index=True)
    return corpus, skipped, plan


def _same_rows(whole: pd.DataFrame, pieces: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(whole.reset_index(drop=True), pieces.reset_index(drop=True))


# ----------------------------------------------------------------------------- pieces
def test_jsonl_pieces_give_the_whole_files_rows_and_line_numbers(tmp_path):
    path, broken = _jsonl_with_trouble(tmp_path)
    whole, whole_skips = read_source(path)
    corpus, skipped, plan = _pieces_read(path, 15, tmp_path / "store")
    assert plan["dayfirst"] is True and plan["columns"]["title"] == "title"
    # The copy of row 5 is dropped by the indexer's cross-chunk keys, not by a piece.
    copy = corpus["article_id"].duplicated()
    assert copy.sum() == 1
    _same_rows(whole, corpus[~copy])
    assert (whole["published"].dt.day == 25).any()      # read day-first, as the whole file
    reasons = dict(zip(skipped["source"], skipped["reason"]))
    assert reasons[f"{path}:line {broken}"].startswith(f"line {broken}: broken JSON")
    dup = whole_skips["reason"].str.startswith("duplicate")
    assert whole_skips.loc[dup, "source"].tolist() == corpus.loc[copy, "source"].tolist()
    pd.testing.assert_frame_equal(whole_skips[~dup].reset_index(drop=True),
                                  skipped.reset_index(drop=True))


def test_csv_pieces_keep_quoted_newlines_and_row_numbers(tmp_path):
    path = _csv_with_quoted_newlines(tmp_path)
    whole, whole_skips = read_source(path)
    corpus, skipped, _ = _pieces_read(path, 20, tmp_path / "store")
    _same_rows(whole, corpus)
    assert corpus["text"].str.contains("\n\n\"Quoted,\" she said").any() or \
        corpus["text"].str.contains("\"Quoted,\" she said").any()
    pd.testing.assert_frame_equal(whole_skips, skipped)
    assert skipped["source"].tolist() == [f"{path}:row 31"]


def test_csv_with_a_row_of_too_many_fields_is_read_row_by_row_in_pieces(tmp_path):
    path = _csv_with_quoted_newlines(tmp_path)
    lines = path.read_text(encoding="utf-8").split("\n")
    starts = [i for i, line in enumerate(lines) if line.startswith("news-")]
    lines.insert(starts[len(starts) // 2], "x,2024-01-01,too,many,fields")
    path.write_text("\n".join(lines), encoding="utf-8")
    whole, whole_skips = read_source(path)
    assert whole_skips["reason"].str.contains("fields, the header has 3").any()
    corpus, skipped, _ = _pieces_read(path, 20, tmp_path / "store")
    _same_rows(whole, corpus)
    # The whole-file read lists the bad rows first; the store sorts skips by source.
    pd.testing.assert_frame_equal(whole_skips.sort_values("source", ignore_index=True),
                                  skipped.sort_values("source", ignore_index=True))


@pytest.mark.parametrize("row_group_size", [20, None])
def test_parquet_pieces_by_row_groups_or_staged_batches(tmp_path, row_group_size):
    """Row groups of about the piece size are read as they are; one big row group is
    streamed once into staged pieces."""
    path = _parquet(tmp_path, 90, row_group_size)
    whole, whole_skips = read_source(path)
    corpus, skipped, plan = _pieces_read(path, 20, tmp_path / "store")
    formats = {p["format"] for p in plan["pieces"]}
    assert formats == ({"parquet"} if row_group_size else {"staged"})
    _same_rows(whole, corpus)
    assert corpus["source"].iloc[-1] == f"{path}:row 90"
    assert whole_skips.empty and skipped.empty


def test_small_and_non_utf8_tables_are_read_whole(tmp_path):
    path, _ = _jsonl_with_trouble(tmp_path, 80)
    assert survey_table(str(tmp_path / "s"), str(tmp_path), path.name, 100, {})["pieces"] == []
    latin = tmp_path / "latin.jsonl"
    latin.write_bytes(path.read_text(encoding="utf-8").replace("(3)", "(3) caf\u00e9")
                      .encode("cp1252"))
    plan = survey_table(str(tmp_path / "s"), str(tmp_path), latin.name, 5, {})
    assert plan["pieces"] == [] and "UTF-8" in plan["reason"]
    no_text = tmp_path / "no_text.jsonl"
    no_text.write_text("\n".join(json.dumps({"id": i, "body2": "x"}) for i in range(40)))
    plan = survey_table(str(tmp_path / "s"), str(tmp_path), no_text.name, 5, {})
    assert plan["pieces"] == [] and "no text column" in plan["reason"]


# ----------------------------------------------------------------------------- index runs
def _index(source, store, chunk_size, **options):
    return index_archive(source, store, n_topics=3, n_jobs=1, chunk_size=chunk_size,
                         sample_size=500, **options)


def _same_store(whole: Path, pieces: Path, topics: bool = False) -> None:
    a, b = _articles(whole), _articles(pieces)
    cols = [c for c in a.columns if topics or c not in TOPIC_COLUMNS]
    pd.testing.assert_frame_equal(a[cols], b[cols])
    sa, sb = _sentences(whole), _sentences(pieces)
    cols = [c for c in sa.columns if topics or c not in TOPIC_COLUMNS]
    pd.testing.assert_frame_equal(sa[cols], sb[cols])
    pd.testing.assert_frame_equal(pd.read_parquet(whole / "skipped.parquet"),
                                  pd.read_parquet(pieces / "skipped.parquet"))
    keep = ["path", "kind", "size", "mtime_ns", "digest", "status", "reason", "n_articles"]
    pd.testing.assert_frame_equal(pd.read_parquet(whole / "manifest.parquet")[keep],
                                  pd.read_parquet(pieces / "manifest.parquet")[keep])


@pytest.mark.parametrize("kind", ["jsonl", "csv", "parquet"])
def test_an_index_of_a_table_in_pieces_is_the_index_of_the_whole_table(tmp_path, kind):
    if kind == "jsonl":
        path, broken = _jsonl_with_trouble(tmp_path)
    elif kind == "csv":
        path = _csv_with_quoted_newlines(tmp_path)
    else:
        path = _parquet(tmp_path, 90, 15)
    whole = _index(path, tmp_path / "whole", 1000)
    pieces = _index(path, tmp_path / "pieces", 15)
    assert whole.chunks == 1 and pieces.chunks >= 6
    # The sample is every article (sample_size > rows): the same topics too, but for the
    # JSONL's copy of row 5, which the fit's pieces do not drop.
    _same_store(tmp_path / "whole", tmp_path / "pieces", topics=kind != "jsonl")
    manifest = pd.read_parquet(tmp_path / "pieces" / "manifest.parquet")
    assert len(manifest) == 1 and manifest["n_chunks"].item() == pieces.chunks
    assert manifest["n_articles"].item() == pieces.archive_articles
    if kind == "jsonl":
        reasons = dict(zip(pieces.skipped["source"], pieces.skipped["reason"]))
        assert reasons[f"{path}:line {broken}"].startswith(f"line {broken}: broken JSON")
        copy = [r for r in pieces.skipped["reason"] if r.startswith("duplicate id")]
        first = read_source(path)[0]
        kept = first.loc[first["article_id"] == copy[0].split()[2], "source"].item()
        assert len(copy) == 1 and copy[0].endswith(f"kept {kept})")
    # Nothing changed: nothing is read again (the manifest's one row stands for 6+ chunks).
    again = _index(path, tmp_path / "pieces", 15)
    assert again.chunks == 0 and again.unchanged_inputs == 1
    _same_store(tmp_path / "whole", tmp_path / "pieces", topics=kind != "jsonl")


# A deleted table leaves topics whose representative article is gone: their headline is
# "" (pandas 3 deprecates filling the float NaN column this gave with a string).
@pytest.mark.filterwarnings("error::DeprecationWarning:analysis.*")
def test_a_changed_or_deleted_table_retires_all_its_pieces(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    path, _ = _jsonl_with_trouble(tmp_path)
    table = src / "export.jsonl"
    os.replace(path, table)
    write_archive_folder(src / "files", 130, start=100)        # other inputs beside it
    store = tmp_path / "store"
    first = _index(src, store, 15)
    n_table = 90                                              # its copy of row 5 is skipped
    assert first.archive_articles == n_table + 30
    manifest = pd.read_parquet(store / "manifest.parquet").set_index("path")
    old_base = manifest.loc["export.jsonl", "chunk"].rsplit("-", 1)[0]
    assert manifest.loc["export.jsonl", "n_chunks"] == 7
    assert len(list(store.glob(f"articles/*/part-{old_base}-*.parquet"))) >= 7
    # Changed: a third of the rows removed, one text edited.
    lines = table.read_text(encoding="utf-8").split("\n")
    kept = lines[:60]
    kept[3] = kept[3].replace("(3)", "(3) edited")
    table.write_text("\n".join(kept) + "\n", encoding="utf-8")
    changed = _index(src, store, 15)
    assert changed.changed_inputs == 1
    arts = _articles(store)
    from_table = arts[arts["source"].str.startswith(str(table))]
    assert len(from_table) == len(read_source(table)[0])
    assert from_table["text"].str.contains(r"\(3\) edited").any()
    assert len(arts) == len(from_table) + 30 and arts["article_id"].is_unique
    # No part of an old piece is left.
    assert not list(store.glob(f"*/*/part-{old_base}-*.parquet"))
    assert not list(store.glob(f"_state/chunks/{old_base}-*"))
    # Deleted: all its rows go.
    table.unlink()
    gone = _index(src, store, 15)
    assert gone.deleted_inputs == 1
    arts = _articles(store)
    assert len(arts) == 30 and not arts["source"].str.startswith(str(table)).any()
    manifest = pd.read_parquet(store / "manifest.parquet")
    assert manifest.loc[manifest["path"] == "export.jsonl", "status"].tolist() == ["deleted"]
    records = list((store / "_state" / "chunks").glob("*.inputs.parquet"))
    assert all("export.jsonl" not in set(pd.read_parquet(p)["path"]) for p in records)


def test_a_touched_table_keeps_its_pieces(tmp_path):
    path = _parquet(tmp_path, 90, 15)
    store = tmp_path / "store"
    _index(path, store, 15)
    parts = {p: p.stat().st_mtime_ns for p in store.glob("articles/*/*.parquet")}
    os.utime(path, ns=(time.time_ns(), time.time_ns()))
    again = _index(path, store, 15)
    assert again.chunks == 0 and again.changed_inputs == 0
    assert {p: p.stat().st_mtime_ns for p in store.glob("articles/*/*.parquet")} == parts
    records = pd.concat([pd.read_parquet(p) for p in (store / "_state" / "chunks").glob("*.inputs.parquet")])
    assert len(records) == 6 and (records["mtime_ns"] == path.stat().st_mtime_ns).all()


def test_resume_after_a_kill_in_the_middle_of_a_table(tmp_path):
    path, _ = _jsonl_with_trouble(tmp_path, 150)
    whole = tmp_path / "whole"
    subprocess.run(_index_cmd(path, whole, "--jobs", "2"), cwd=REPO, check=True, capture_output=True)
    store = tmp_path / "killed"
    records = store / "_state" / "chunks"
    kill_points = [
        lambda: len(list(records.glob("*.inputs.parquet"))) >= 2,
        lambda: len(list(records.glob("*.inputs.parquet"))) >= 5,
    ]
    kills = sum(_kill_when(_index_cmd(path, store, "--jobs", "2"), ready) for ready in kill_points)
    assert kills >= 1
    assert json.loads((store / "store.json").read_text())["last_run"]["status"] == "running"
    n_committed = len(list(records.glob("*.inputs.parquet")))
    assert 0 < n_committed < 11
    subprocess.run(_index_cmd(path, store, "--jobs", "2"), cwd=REPO, check=True, capture_output=True)
    _same_store(whole, store, topics=True)
    manifest = pd.read_parquet(store / "manifest.parquet")
    assert manifest["n_chunks"].tolist() == [11]
    assert len(list(records.glob("*.inputs.parquet"))) == 11
    assert not (store / "_state" / "staging").exists() and not (store / "_state" / "tables").exists()


def test_dask_runs_the_same_pieces(tmp_path):
    pytest.importorskip("distributed")
    path = _csv_with_quoted_newlines(tmp_path, 60)
    local, dask = tmp_path / "local", tmp_path / "dask"
    index_archive(path, local, n_topics=3, n_jobs=2, chunk_size=15, sample_size=40)
    index_archive(path, dask, n_topics=3, n_jobs=2, chunk_size=15, sample_size=40, engine="dask")
    pd.testing.assert_frame_equal(_articles(local), _articles(dask))
    pd.testing.assert_frame_equal(_sentences(local), _sentences(dask))
    pd.testing.assert_frame_equal(pd.read_parquet(local / "manifest.parquet").drop(columns=["run", "model"]),
                                  pd.read_parquet(dask / "manifest.parquet").drop(columns=["run", "model"]))


def test_memory_does_not_grow_with_the_table(tmp_path):
    """A table 5x as long, read in 50-row pieces in one process: the peak grows by a
    small allowance, not with the table.  Measured: read whole (before pieces), the
    peak grew by 121 MB for 600 rows and 600 MB for 3,000; in pieces, 23 and 37 MB."""
    def export(n, name):
        rows = _rows(tmp_path / name, n)
        for i, row in enumerate(rows):
            row["text"] = (row["text"] + "\n\n") * 4       # longer articles: a bigger table
        path = tmp_path / f"{name}.jsonl"
        path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
        return path

    warm, small, big = export(60, "warm"), export(600, "small"), export(3000, "big")
    base_small, peak_small = _peak_kb(small, tmp_path / "s1", warm)
    base_big, peak_big = _peak_kb(big, tmp_path / "s2", warm)
    grown_small, grown_big = peak_small - base_small, peak_big - base_big
    assert grown_big < grown_small + 40_000, (grown_small, grown_big)
    assert grown_big < 120_000, (base_big, peak_big)
