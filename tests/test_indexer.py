"""The archive index: store layout, incremental runs, resume after a kill, refit ids,
the Dask engine's parity with the local one, and bounded memory."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow.dataset as ds
import pytest

from factories import write_archive_folder

from analysis.indexer import StoreError, index_archive

REPO = Path(__file__).resolve().parents[1]


def _articles(store) -> pd.DataFrame:
    glob = str(Path(store) / "articles" / "*" / "*.parquet")
    return duckdb.sql(f"SELECT * FROM read_parquet('{glob}', hive_partitioning=true) "
                      f"ORDER BY article_id").df()


def _sentences(store) -> pd.DataFrame:
    glob = str(Path(store) / "sentences" / "*" / "*.parquet")
    return duckdb.sql(f"SELECT * FROM read_parquet('{glob}', hive_partitioning=true) "
                      f"ORDER BY article_id, sentence_id").df()


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    """A 160-article archive folder (Jan-Apr 2024) and a store indexed from it."""
    root = tmp_path_factory.mktemp("archive")
    src = root / "src"
    write_archive_folder(src, 160)
    (src / "notes.md").write_text("not an article")
    store = root / "store"
    summary = index_archive(src, store, n_topics=4, n_jobs=1, chunk_size=40, sample_size=100)
    return src, store, summary


def test_store_layout_is_readable_by_duckdb_and_pyarrow(archive):
    src, store, summary = archive
    assert summary.archive_articles == 160 and summary.chunks == 4
    meta = json.loads((store / "store.json").read_text())
    assert meta["last_run"]["status"] == "complete"
    assert meta["settings"]["n_topics"] == 4 and meta["model"]["sample_size"] == 100
    arts = _articles(store)
    assert len(arts) == 160 and arts["article_id"].is_unique
    # The month partition is the month of publication.
    assert (arts["month"] == arts["published"].dt.strftime("%Y-%m")).all()
    assert set(arts["month"]) == {"2024-01", "2024-02", "2024-03", "2024-04", "2024-05"} & set(arts["month"])
    for col in ("text", "title", "compound", "pos_share", "most_positive", "label", "topic_id",
                "topic_weight", "topic_label", "n_sentences", "source"):
        assert col in arts.columns
    assert arts["topic_id"].between(0, 3).all()
    sents = ds.dataset(store / "sentences", format="parquet", partitioning="hive").to_table().to_pandas()
    assert len(sents) == arts["n_sentences"].sum()
    joined = sents.merge(arts[["article_id", "topic_id", "published"]], on="article_id",
                         suffixes=("", "_a"))
    assert (joined["topic_id"] == joined["topic_id_a"]).all()
    assert (joined["published"] == joined["published_a"]).all()
    at = duckdb.sql(f"SELECT article_id, sum(weight) AS w FROM read_parquet("
                    f"'{store}/article_topics/*/*.parquet', hive_partitioning=true) "
                    f"GROUP BY article_id").df()
    assert len(at) == 160 and np.allclose(at["w"], 1.0)
    # Same part names in the three frames, so a chunk is replaced as a unit.
    names = {f: sorted(p.relative_to(store / f).as_posix() for p in (store / f).glob("*/*.parquet"))
             for f in ("articles", "sentences", "article_topics")}
    assert names["articles"] == names["sentences"] == names["article_topics"]
    manifest = pd.read_parquet(store / "manifest.parquet")
    assert {"path", "size", "mtime_ns", "digest", "status", "reason", "n_articles", "run"} <= set(manifest.columns)
    assert manifest["size"].dtype == np.int64 and manifest["mtime_ns"].dtype == np.int64
    assert len(manifest) == 161
    assert manifest.loc[manifest["path"] == "notes.md", "status"].item() == "skipped"
    assert (manifest.loc[manifest["status"] == "analysed", "digest"].str.len() == 64).all()
    skipped = pd.read_parquet(store / "skipped.parquet")
    assert skipped["source"].str.endswith("notes.md").tolist() == [True]
    topics = pd.read_parquet(store / "topics.parquet")
    assert topics["topic_id"].tolist() == [0, 1, 2, 3]
    assert topics["n_articles"].sum() == (arts["topic_id"] >= 0).sum()
    assert not list(store.rglob("*.tmp")) and not (store / "_state" / "staging").exists()
    # Store files are readable by others (DuckDB in another account, the dashboard).
    assert (store / "manifest.parquet").stat().st_mode & 0o044 == 0o044


def test_nothing_changed_rerun_reads_nothing(archive):
    src, store, _ = archive
    before = {p: p.stat().st_mtime_ns for p in store.glob("articles/*/*.parquet")}
    summary = index_archive(src, store, n_topics=4, n_jobs=1)
    assert summary.chunks == 0 and summary.new_inputs == 0 and summary.unchanged_inputs == 160
    assert {p: p.stat().st_mtime_ns for p in store.glob("articles/*/*.parquet")} == before


def test_other_settings_need_refit(archive):
    src, store, _ = archive
    with pytest.raises(StoreError, match="n_topics=4.*--refit"):
        index_archive(src, store, n_topics=6, n_jobs=1)


def test_incremental_add_change_delete(tmp_path):
    src = tmp_path / "src"
    paths = write_archive_folder(src, 120)
    store = tmp_path / "store"
    index_archive(src, store, n_topics=3, n_jobs=1, chunk_size=30, sample_size=80)
    model_before = json.loads((store / "store.json").read_text())["model"]["version"]
    arts_before = _articles(store)
    # Chunk 0 holds paths[0:30]; nothing touches chunks 2 and 3.
    parts_before = {p.name: p.stat().st_mtime_ns for p in store.glob("articles/*/*.parquet")}
    new = write_archive_folder(src, 130, start=120)
    changed, deleted, touched = paths[5], paths[40], paths[70]
    changed.write_text(changed.read_text(encoding="utf-8").replace("\n\n", "\n\nBreaking:\n\n", 1)
                       + "\nA late paragraph was added to this story.\n", encoding="utf-8")
    deleted.unlink()
    os.utime(touched, ns=(time.time_ns(), time.time_ns()))     # same bytes, new mtime
    summary = index_archive(src, store, n_topics=3, n_jobs=1)
    assert (summary.new_inputs, summary.changed_inputs, summary.deleted_inputs) == (10, 1, 1)
    arts = _articles(store)
    assert len(arts) == 120 + 10 - 1 and arts["article_id"].is_unique
    deleted_id = deleted.stem
    assert deleted_id not in set(arts["article_id"])
    assert set(p.stem for p in new) <= set(arts["article_id"])
    row = arts[arts["article_id"] == changed.stem].iloc[0]
    assert "late paragraph" in row["text"] and row["n_sentences"] > \
        arts_before.loc[arts_before["article_id"] == changed.stem, "n_sentences"].item()
    # New articles were assigned to the existing topics: the same model.
    meta = json.loads((store / "store.json").read_text())
    assert meta["model"]["version"] == model_before
    assert arts.loc[arts["article_id"].isin([p.stem for p in new]), "topic_id"].between(0, 2).all()
    # Unchanged articles keep their numbers.
    same = arts_before.merge(arts, on="article_id", suffixes=("", "_new"))
    same = same[same["article_id"] != changed.stem]
    assert np.allclose(same["compound"].fillna(9), same["compound_new"].fillna(9))
    assert (same["topic_id"] == same["topic_id_new"]).all()
    # Only the chunks with a change were rewritten.
    parts_after = {p.name: p.stat().st_mtime_ns for p in store.glob("articles/*/*.parquet")}
    untouched = [n for n in parts_before if n in parts_after and parts_after[n] == parts_before[n]]
    assert len(set(parts_before) - set(parts_after)) >= 1 and untouched
    manifest = pd.read_parquet(store / "manifest.parquet")
    # The touched file (same bytes, new mtime) was not analysed again: its chunk kept
    # its id and parts; only its record has the new mtime.
    touched_row = manifest[manifest["path"] == touched.relative_to(src).as_posix()].iloc[0]
    assert touched_row["mtime_ns"] == touched.stat().st_mtime_ns
    assert any(p.name == f"part-{touched_row['chunk']}.parquet" and parts_after[p.name] == parts_before[p.name]
               for p in store.glob("articles/*/*.parquet"))
    rel = deleted.relative_to(src).as_posix()
    assert manifest.loc[manifest["path"] == rel, "status"].tolist() == ["deleted"]
    assert (manifest["status"] == "analysed").sum() == 129
    assert len(_sentences(store)) == arts["n_sentences"].sum()


def test_duplicates_across_chunks_and_runs_are_skipped_once(tmp_path):
    src = tmp_path / "src"
    paths = write_archive_folder(src, 60)
    # A copy of an article in another chunk under another name (same id, same text),
    # and the same text under another id.
    (src / "2024" / "zz-copy.txt").write_text(paths[3].read_text(encoding="utf-8"), encoding="utf-8")
    body = paths[7].read_text(encoding="utf-8").split("\n", 2)[2]
    (src / "2024" / "zz-other.txt").write_text("news-01012030-000000\n\n" + body, encoding="utf-8")
    store = tmp_path / "store"
    summary = index_archive(src, store, n_topics=3, n_jobs=1, chunk_size=20, sample_size=50)
    arts = _articles(store)
    assert len(arts) == 60 and arts["article_id"].is_unique
    reasons = dict(zip([Path(s).name for s in summary.skipped["source"]], summary.skipped["reason"]))
    assert reasons["zz-copy.txt"].startswith(f"duplicate id {paths[3].stem} (same text; kept ")
    assert reasons["zz-other.txt"].startswith(f"same text as {paths[7].stem} (")
    # A later run adding another copy: skipped against the archive.
    (src / "zz-third.txt").write_text(paths[3].read_text(encoding="utf-8"), encoding="utf-8")
    summary = index_archive(src, store, n_topics=3, n_jobs=1)
    assert len(_articles(store)) == 60
    assert sum(Path(s).name == "zz-third.txt" for s in summary.skipped["source"]) == 1


def _index_cmd(src, store, *extra):
    return [sys.executable, "-m", "analysis", "index", str(src), "--store", str(store),
            "--topics", "3", "--sample", "80", "--chunk-size", "15", *extra]


def _kill_when(cmd, ready, timeout=120.0) -> bool:
    """Start ``cmd``, SIGKILL it as soon as ``ready()`` holds; False if it ended first."""
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    end = time.monotonic() + timeout
    try:
        while time.monotonic() < end:
            if proc.poll() is not None:
                return False
            if ready():
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
                return True
            time.sleep(0.02)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    raise AssertionError("the index run neither finished nor reached the kill point")


def test_resume_after_sigkill_loses_and_duplicates_nothing(tmp_path):
    src = tmp_path / "src"
    write_archive_folder(src, 150)
    whole = tmp_path / "whole"
    subprocess.run(_index_cmd(src, whole, "--jobs", "2"), cwd=REPO, check=True, capture_output=True)
    store = tmp_path / "killed"
    records = store / "_state" / "chunks"
    staged = store / "_state" / "staging"
    kill_points = [
        lambda: staged.exists() and any(staged.iterdir()),              # chunks staged, no commit
        lambda: len(list(records.glob("*.inputs.parquet"))) >= 3,        # some committed
        lambda: len(list(records.glob("*.inputs.parquet"))) >= 7,
    ]
    kills = sum(_kill_when(_index_cmd(src, store, "--jobs", "2"), ready) for ready in kill_points)
    assert kills >= 2
    meta = json.loads((store / "store.json").read_text())
    assert meta["last_run"]["status"] == "running"
    subprocess.run(_index_cmd(src, store, "--jobs", "2"), cwd=REPO, check=True, capture_output=True)
    a, b = _articles(whole), _articles(store)
    assert len(b) == 150 and b["article_id"].is_unique
    cols = [c for c in a.columns if c not in ("source",)]
    pd.testing.assert_frame_equal(a[cols], b[cols])
    sa, sb = _sentences(whole), _sentences(store)
    pd.testing.assert_frame_equal(sa, sb)
    ma = pd.read_parquet(whole / "manifest.parquet")[["path", "digest", "status", "n_articles", "chunk"]]
    mb = pd.read_parquet(store / "manifest.parquet")[["path", "digest", "status", "n_articles", "chunk"]]
    pd.testing.assert_frame_equal(ma, mb)
    assert not (store / "_state" / "staging").exists()


def test_refit_keeps_matching_ids_and_names(tmp_path):
    src = tmp_path / "src"
    write_archive_folder(src, 150)
    store = tmp_path / "store"
    index_archive(src, store, n_topics=4, n_jobs=1, chunk_size=50, sample_size=60)
    old = pd.read_parquet(store / "topics.parquet")
    (store / "topic_names.json").write_text(json.dumps({"1": "My topic"}))
    summary = index_archive(src, store, n_topics=4, n_jobs=1, refit=True, sample_size=150)
    matches = pd.read_parquet(store / "topic_matches.parquet")
    assert summary.refit["matched"] == (matches["status"] == "matched").sum()
    matched = matches[matches["status"] == "matched"]
    assert len(matched) >= 3 and (matched["cosine"] >= 0.3).all()
    new = pd.read_parquet(store / "topics.parquet")
    # A matched topic keeps its id, and the user's name goes with it.
    for row in matched.itertuples():
        assert row.old_label == old.loc[old["topic_id"] == row.topic_id, "model_label"].item()
    if 1 in set(matched["topic_id"]):
        assert new.loc[new["topic_id"] == 1, "label"].item() == "My topic"
    arts = _articles(store)
    assert set(arts["topic_id"]) <= set(new["topic_id"]) | {-1}
    assert (arts["topic_label"][arts["topic_id"] == 1] == "My topic").all()
    meta = json.loads((store / "store.json").read_text())
    records = pd.concat([pd.read_parquet(p) for p in (store / "_state" / "chunks").glob("*.inputs.parquet")])
    assert (records["model"] == meta["model"]["version"]).all()
    # More topics: the extra one gets an id never used before.
    summary = index_archive(src, store, n_topics=5, n_jobs=1, refit=True, sample_size=150)
    latest = pd.read_parquet(store / "topic_matches.parquet")
    latest = latest[latest["run"] == latest["run"].max()]
    assert (latest["status"] == "new").sum() >= 1
    assert latest.loc[latest["status"] == "new", "topic_id"].min() >= 4
    assert len(pd.read_parquet(store / "topics.parquet")) == 5


def test_dask_engine_gives_the_local_output(tmp_path):
    pytest.importorskip("distributed")
    src = tmp_path / "src"
    write_archive_folder(src, 90)
    local, dask = tmp_path / "local", tmp_path / "dask"
    index_archive(src, local, n_topics=3, n_jobs=2, chunk_size=20, sample_size=60)
    index_archive(src, dask, n_topics=3, n_jobs=2, chunk_size=20, sample_size=60, engine="dask")
    pd.testing.assert_frame_equal(_articles(local), _articles(dask))
    pd.testing.assert_frame_equal(_sentences(local), _sentences(dask))
    pd.testing.assert_frame_equal(pd.read_parquet(local / "topics.parquet"),
                                  pd.read_parquet(dask / "topics.parquet"))


_PEAK = """
import resource, sys
sys.path.insert(0, {repo!r})
from analysis.indexer import index_archive
# A first, tiny archive pays the fixed costs (imports, DuckDB, scikit-learn, the
# allocators' arenas), which differ from machine to machine; what is measured is the
# growth of the peak beyond them, which is what streaming bounds.
index_archive({warm!r}, {warm_store!r}, n_topics=3, n_jobs=1, chunk_size=50, sample_size=200)
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
index_archive({src!r}, {store!r}, n_topics=3, n_jobs=1, chunk_size=50, sample_size=200)
print(base, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def _peak_kb(src, store, warm) -> tuple[int, int]:
    """(peak after indexing the warm-up archive, peak after indexing ``src``), in KiB."""
    code = _PEAK.format(repo=str(REPO), src=str(src), store=str(store),
                        warm=str(warm), warm_store=str(store) + "-warm")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    base, peak = out.stdout.split()[-2:]
    return int(base), int(peak)


def test_memory_does_not_grow_with_the_archive(tmp_path):
    """Chunks are streamed: 5x the articles (and sentences) within a small, fixed
    allowance of the peak's growth, and a small absolute allowance over the process's fixed
    costs."""
    warm, small, big = tmp_path / "warm", tmp_path / "small", tmp_path / "big"
    write_archive_folder(warm, 60)
    write_archive_folder(small, 300)
    write_archive_folder(big, 1500)
    base_small, peak_small = _peak_kb(small, tmp_path / "s1", warm)
    base_big, peak_big = _peak_kb(big, tmp_path / "s2", warm)
    grown_small, grown_big = peak_small - base_small, peak_big - base_big
    # The growth itself moves by ±10 MB between identical runs (allocator arenas).
    assert grown_big < grown_small + 40_000, (grown_small, grown_big)
    # 1,500 articles held at once would be ~20k sentences with their frames and the
    # term matrix; one 50-article chunk at a time needs a few tens of MB.
    assert grown_big < 120_000, (base_big, peak_big)


def test_a_table_file_indexes_with_two_jobs(tmp_path):
    """A table file large enough for its clean-up to go to the workers, indexed with
    two jobs: the chunk reading it in a pool worker must not fork a pool of its own
    (it inherited the parent's held pool lock and hung forever)."""
    from analysis.workers import PARALLEL_MIN_CHARS

    folder = tmp_path / "files"
    paths = write_archive_folder(folder, 400)
    rows = []
    for path in paths:
        head, _, body = path.read_text(encoding="utf-8").partition("\n\n")
        when = pd.to_datetime(head.strip()[5:], format="%d%m%Y-%H%M%S")
        rows.append({"id": head.strip(), "date": when.isoformat(), "text": body})
    assert sum(len(r["text"]) for r in rows) > PARALLEL_MIN_CHARS
    table = tmp_path / "export.jsonl"
    pd.DataFrame(rows).to_json(table, orient="records", lines=True)
    store = tmp_path / "store"
    subprocess.run(_index_cmd(table, store, "--jobs", "2"), cwd=REPO, check=True,
                   capture_output=True, timeout=180)
    articles = _articles(store)
    assert len(articles) == 400 and articles["published"].notna().all()


def test_a_small_increment_is_one_chunk_a_worker(tmp_path):
    """A day's files added to an archive go in one chunk per worker (each chunk costs a
    commit and Parquet parts that later queries read), a big first run in several per
    worker."""
    src, store = tmp_path / "src", tmp_path / "store"
    write_archive_folder(src, 160)
    first = index_archive(src, store, n_topics=3, n_jobs=2, sample_size=60)
    assert first.chunks == 2
    write_archive_folder(src, 170, start=160)  # ten more files, later dates
    again = index_archive(src, store, n_jobs=2)
    assert again.new_inputs == 10 and again.chunks == 2
    assert len(_articles(store)) == 170


def test_early_rollups_take_months_no_later_chunk_writes_and_stop_when_out_of_order():
    from analysis.indexer import _EarlyRollups

    early = _EarlyRollups()
    early.committed(["2024-01"])
    early.committed(["2024-01", "2024-02"])
    assert not early.ready                      # 2024-01 may still get articles
    early.committed(["2024-02", "2024-03"])
    assert early.take() == ["2024-01"]
    early.committed(["2024-04", "undated"])
    assert early.take() == ["2024-02"]          # a month a task, the earliest first
    assert early.ready == {"2024-03"} and early.take() == ["2024-03"]
    assert not early.ready
    early.committed(["2024-03"])                # the source is not in date order after all
    early.committed(["2024-05", "2024-06"])
    assert not early.on and not early.ready


def test_months_are_rolled_up_while_later_chunks_run(tmp_path, monkeypatch):
    """With two workers, a month is rolled up in a worker as soon as a committed chunk
    starts after it, not all at the end; the roll-ups are those of the finished store."""
    import shutil

    import pyarrow.parquet as pq

    from analysis import indexer, rollups

    # What is still to roll up once every chunk is committed, less the months of an
    # early roll-up still running then (it may finish after the last commit: comparing
    # file times with it was a race).
    stale_at_end = []
    rest = indexer._rollup_rest
    monkeypatch.setattr(indexer, "_rollup_rest", lambda store, eng, rolling=None: (
        stale_at_end.append(sorted(set(rollups.stale_months(store))
                                   - set(rolling[1] if rolling else ()))),
        rest(store, eng, rolling))[1])
    src, store = tmp_path / "src", tmp_path / "store"
    write_archive_folder(src, 450)              # Jan to Apr 2024, in YYYY/MM/ folders
    index_archive(src, store, n_topics=3, n_jobs=2, chunk_size=50, sample_size=60)
    assert rollups.stale_months(store) == []
    assert len(stale_at_end) == 1 and "2024-04" in stale_at_end[0]
    assert "2024-01" not in stale_at_end[0]
    again = tmp_path / "again"
    shutil.copytree(store, again)
    rollups.write_rollups(again)
    for kind in rollups.KINDS:
        parts = sorted((store / "rollups" / kind).glob("month=*/part-0.parquet"))
        assert [p.parent.name for p in parts] == ["month=2024-01", "month=2024-02",
                                                  "month=2024-03", "month=2024-04"]
        for part in parts:
            # One DuckDB thread per roll-up (rollups.ROLLUP_THREADS): the same files give
            # the same tables, float sums included, whichever process wrote them.
            assert pq.read_table(part).equals(pq.read_table(again / part.relative_to(store)))


def test_manifest_is_sorted_by_path_and_written_a_slice_at_a_time(archive, tmp_path, monkeypatch):
    """The manifest (built in Arrow, not as a frame of Python strings) holds every input
    by path, the ignored ones too, with the pandas metadata a frame gave it; a table
    written in another order is taken a slice at a time, rows unchanged."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from analysis import archive_layout as layout

    src, store, _ = archive
    manifest = pq.read_table(store / "manifest.parquet")
    paths = manifest.column("path").to_pylist()
    assert paths == sorted(paths) and len(paths) == 161 and "notes.md" in paths
    frame = manifest.to_pandas()
    assert frame.loc[frame["path"] == "notes.md", "kind"].item() == "ignored"
    assert b"pandas" in manifest.schema.metadata
    monkeypatch.setattr(layout, "_SLICE_ROWS", 7)
    order = pa.array(range(len(paths) - 1, -1, -1))
    layout.atomic_write_table(manifest, tmp_path / "m.parquet", order=order)
    back = pq.read_table(tmp_path / "m.parquet")
    assert back.equals(manifest.take(order))
    assert pq.ParquetFile(tmp_path / "m.parquet").metadata.num_row_groups == -(-161 // 7)


def test_parts_left_by_a_kill_mid_commit_are_gone_before_the_run_counts_them(tmp_path):
    """A kill between a chunk's parts and its record leaves parts no record owns.  The
    next run removes them before anything reads the frames: the roll-ups and the topic
    sizes (written while the workers roll up) count the committed articles only."""
    import shutil

    from analysis import rollups

    src, store = tmp_path / "src", tmp_path / "store"
    write_archive_folder(src, 120)
    index_archive(src, store, n_topics=3, n_jobs=2, chunk_size=40, sample_size=80)
    month = sorted((store / "articles").iterdir())[0]
    for frame in ("articles", "sentences", "article_topics"):
        part = sorted((store / frame / month.name).glob("part-*.parquet"))[0]
        shutil.copy(part, part.with_name("part-0000killedmidway.parquet"))
    write_archive_folder(src, 130, start=120)             # and a day's new files
    summary = index_archive(src, store, n_jobs=2)
    assert summary.archive_articles == 130
    assert not list(store.glob("*/*/part-0000killedmidway.parquet"))
    meta = json.loads((store / "store.json").read_text())
    assert meta["totals"]["articles"] == 130
    topics = pd.read_parquet(store / "topics.parquet")
    assert topics["n_articles"].sum() == 130
    assert rollups.stale_months(store) == []
    daily = duckdb.sql(f"SELECT sum(n_articles) FROM read_parquet("
                       f"'{store}/rollups/daily/*/*.parquet')").fetchall()[0][0]
    assert daily == 130
