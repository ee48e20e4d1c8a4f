"""``index``: build, or bring up to date, an analysed archive store from a source.

A run, in order:

1. **Scan** the source (:mod:`analysis.input_scan`: paths, sizes, mtimes; no file is
   opened) and compare it with the committed chunk records: an input whose size and
   mtime are unchanged is unchanged; otherwise its SHA-256 decides.
2. **Retire** every chunk with a changed or deleted input (its record first, then its
   parts); its remaining inputs are pending again, with the new and changed ones.
3. **Chunk** the pending inputs in path order (``chunk_size`` files; a table is a chunk
   of its own).  A chunk's id is a digest of its inputs' paths, sizes and mtimes.  A
   table with more than ``chunk_size`` rows is first surveyed by a worker
   (:mod:`analysis.table_pieces`) and cut into pieces of ``chunk_size`` rows, a chunk
   each (id: a digest of path, content and piece size, then ``-<piece number>``); its
   record rows (one per piece) become one manifest row with ``n_chunks``.
4. **Run** the chunks on the engine (:mod:`analysis.engines`): ``prepare_chunk`` (read,
   split, score, stage) for every chunk, the topic fit beside them when the store has no
   model yet, then ``assign_chunk`` (topics by ``transform``, Parquet parts).  Articles
   are de-duplicated across chunks in chunk order (an article already in the archive
   keeps its place; a later copy is listed as skipped); chunks are committed in order.
5. **Finish**: ``manifest.parquet``, ``skipped.parquet``, ``topics.parquet`` (sizes and
   sentiment over the whole archive, DuckDB), ``store.json``; then
   :func:`after_index`, the one place for work on the finished store (roll-ups).  The
   roll-ups of most months are written before, by the workers: early ones while later
   chunks run, the rest once every chunk is written (``_rollup_rest``), so the parent
   only records them (``rollups/state.json``).

Resuming: a chunk is committed when its ``_state/chunks/<chunk>.inputs.parquet`` is
written, after its parts; anything else a killed run left (parts without a record,
staging) is either reused (same chunk id, same content) or removed.  Committing in
chunk order means the inputs still pending after a kill are exactly the chunks not yet
committed, so the resumed run makes the same chunks and the same decisions.  A table
left part-way (fewer committed pieces than its ``n_chunks``) is pending again, and its
committed pieces are left out of the new run's chunks (same ids).

A run holds the store's writer lock (:mod:`analysis.store_lock`) from start to end: a
second run, or a dashboard's correction, is refused with who is writing.
"""
from __future__ import annotations

import functools
import hashlib
import os
import shutil
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from . import archive_layout as layout
from . import index_tasks, rollups, table_pieces
from .corpus import SourceError
from .engines import engine as make_engine
from .hash_index import HashIndex
from .input_scan import file_digest, scan_inputs
from .sentences import MAX_SENTENCE_WORDS
from .sentiment import NEGATIVE, POSITIVE
from .store_lock import store_writer
from .topic_store import load_model, match_topics, model_topics

__all__ = ["index_archive", "IndexSummary", "after_index", "StoreError", "DEFAULT_SAMPLE_SIZE"]

#: Articles the topic model is fitted on (time-stratified sample of the archive).
DEFAULT_SAMPLE_SIZE = 10_000
#: ``n_chunks``: the chunks an input is read in (1; a big table's row ranges, see
#: :mod:`analysis.table_pieces`).  A chunk record has a row per input it read (one
#: row per piece of a table in pieces); the manifest one row per input, ``chunk`` the
#: first piece's.
_INPUT_COLUMNS = ["path", "kind", "size", "mtime_ns", "digest", "status", "reason",
                  "n_articles", "run", "chunk", "model", "n_chunks"]


class StoreError(ValueError):
    """The store cannot be used as asked (other settings, another format)."""


@dataclass
class IndexSummary:
    """What a run did (counts are over this run unless named ``archive_*``)."""

    store: str
    run: str
    new_inputs: int = 0
    changed_inputs: int = 0
    deleted_inputs: int = 0
    unchanged_inputs: int = 0
    chunks: int = 0
    reassigned_chunks: int = 0
    archive_articles: int = 0
    archive_sentences: int = 0
    archive_inputs: int = 0
    n_topics: int = 0
    fitted: bool = False
    refit: dict | None = None
    skipped: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["source", "reason"]))
    timings: dict = field(default_factory=dict)


def _isin(values: pd.Series, members) -> np.ndarray:
    """``values.isin(members)`` as a boolean array, by Arrow's hash lookup: pandas's
    isin on Arrow-backed strings is a Python loop (0.4 s for a 100k-input manifest,
    on every run)."""
    members = list(members)
    if not members or not len(values):
        return np.zeros(len(values), dtype=bool)
    arr = pa.array(values.to_numpy(dtype=object), type=pa.string())
    found = pc.is_in(arr, value_set=pa.array([str(m) for m in members], type=pa.string()))
    return found.to_numpy(zero_copy_only=False).astype(bool)


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _chunk_id(rows: pd.DataFrame) -> str:
    h = hashlib.sha256()
    for p, s, m in zip(rows["path"], rows["size"], rows["mtime_ns"]):
        h.update(f"{p}\t{s}\t{m}\n".encode("utf-8", "surrogatepass"))
    return h.hexdigest()[:16]


def make_chunks(pending: pd.DataFrame, chunk_size: int, plans: dict | None = None
                ) -> list[tuple[str, pd.DataFrame, dict | None]]:
    """``(chunk id, input rows, piece)`` of each chunk: consecutive runs of ``chunk_size``
    ``.txt`` inputs in path order; each table is a chunk of its own, or, when ``plans``
    (path -> :func:`analysis.table_pieces.survey_table` plan) cut it in pieces, a chunk
    per piece (``piece``: the piece dict with ``plan``, ``index``, ``count``; ``None``
    for other chunks).  Greedy from the first input, so the chunks after a committed
    prefix are the same whether or not the run was interrupted."""
    plans = plans or {}
    chunks, start = [], None
    kinds = pending["kind"].to_numpy()
    bounds = []
    for i, kind in enumerate(kinds):
        if kind == "table":
            if start is not None:
                bounds.append((start, i))
                start = None
            bounds.append((i, i + 1))
            continue
        if start is None:
            start = i
        if i + 1 - start == chunk_size:
            bounds.append((start, i + 1))
            start = None
    if start is not None:
        bounds.append((start, len(kinds)))
    for a, b in bounds:
        rows = pending.iloc[a:b]
        plan = plans.get(rows["path"].iloc[0]) if b - a == 1 and kinds[a] == "table" else None
        if not plan or not plan["pieces"]:
            chunks.append((_chunk_id(rows), rows, None))
            continue
        n = len(plan["pieces"])
        facts = {k: plan[k] for k in ("columns", "dayfirst", "digest", "rows")}
        for i, chunk in enumerate(table_pieces.piece_chunk_ids(rows["path"].iloc[0], plan["digest"],
                                                               chunk_size, n)):
            chunks.append((chunk, rows, {**plan["pieces"][i], "plan": facts, "index": i, "count": n}))
    return chunks


def _per_input(records: pd.DataFrame) -> pd.DataFrame:
    """The committed records with one row per input: a table in pieces has a record
    row per piece, here the first piece's row with ``n_articles`` summed, the status
    of the whole (analysed when any article is; else skipped with the first piece's
    reason) and ``done``, the pieces committed (1 for other inputs)."""
    many = (records["n_chunks"] > 1).to_numpy()
    out = records[~many].assign(done=1)
    if not many.any():
        return out
    pieces = records[many].astype({c: object for c in _FEW_VALUES}).copy()
    pieces["_order"] = [int(c.rsplit("-", 1)[1]) for c in pieces["chunk"]]
    rows = []
    for _, group in pieces.sort_values(["path", "_order"]).groupby("path", sort=False):
        row = group.iloc[0].to_dict()
        row["n_articles"] = int(group["n_articles"].sum())
        row["done"] = len(group)
        reasons = [x for x in group["reason"] if x]
        row["status"] = "analysed" if row["n_articles"] > 0 or not reasons else "skipped"
        row["reason"] = "" if row["status"] == "analysed" else reasons[0]
        rows.append(row)
    whole = pd.DataFrame(rows).drop(columns="_order")
    return pd.concat([out.astype({c: object for c in _FEW_VALUES}), whole], ignore_index=True)


# ------------------------------------------------------------------ committed state
#: Columns with few distinct values: categorical in memory (a million inputs would
#: otherwise hold a million copies of "analysed", of each chunk id, of the run id...).
_FEW_VALUES = ("kind", "status", "reason", "run", "chunk", "model")


def _records(store: Path, manifest_is_current: bool = False) -> pd.DataFrame:
    """Inputs of every committed chunk (columns ``_INPUT_COLUMNS``).

    The chunk records are the truth; after a complete run ``manifest.parquet`` holds
    the same rows in one file (``manifest_is_current``), which is what a re-run reads:
    one file instead of one per chunk."""
    table = _record_table(store, manifest_is_current)
    if table is None:
        return pd.DataFrame({c: pd.Series(dtype=np.int64 if c in _INT_COLUMNS else object)
                             for c in _INPUT_COLUMNS})
    table = _with_n_chunks(table)
    for name in _FEW_VALUES:
        i = table.schema.get_field_index(name)
        table = table.set_column(i, name, pc.dictionary_encode(table.column(name)))
    return table.to_pandas()


def _record_table(store: Path, manifest_is_current: bool = False) -> pa.Table | None:
    """:func:`_records` as an Arrow table (``None`` when no chunk is committed)."""
    folder = layout.records_dir(store)
    manifest = Path(store) / "manifest.parquet"
    if manifest_is_current and manifest.exists():
        names = set(pq.read_schema(manifest).names)
        table = _with_n_chunks(pq.read_table(manifest, columns=[c for c in _INPUT_COLUMNS if c in names]))
        keep = pc.and_(pc.not_equal(table.column("chunk"), ""), pc.not_equal(table.column("status"), "deleted"))
        return _expand_pieces(table.filter(keep))
    paths = sorted(folder.glob("*.inputs.parquet")) if folder.exists() else []
    if not paths:
        return None
    return pa.concat_tables([pq.read_table(p) for p in paths], promote_options="permissive")


_INT_COLUMNS = ("size", "mtime_ns", "n_articles", "n_chunks")


def _with_n_chunks(table: pa.Table) -> pa.Table:
    """``n_chunks`` filled with 1 where missing (records and manifests written before
    tables were read in pieces)."""
    if "n_chunks" not in table.schema.names:
        return table.append_column("n_chunks", pa.array(np.ones(len(table), dtype=np.int64)))
    i = table.schema.get_field_index("n_chunks")
    col = pc.fill_null(table.column(i).cast(pa.int64()), 1)
    return table.set_column(i, "n_chunks", col)


def _expand_pieces(manifest: pa.Table) -> pa.Table:
    """Manifest rows (one per input) as chunk record rows: an input read in ``n``
    pieces becomes ``n`` rows, chunk ids ``<base>-0`` to ``<base>-<n-1>``
    (:func:`analysis.table_pieces.piece_chunk_ids`), its articles on the first."""
    many = pc.greater(manifest.column("n_chunks"), 1)
    if not pc.any(many).as_py():
        return manifest
    rows = manifest.filter(many).to_pylist()
    out = []
    for row in rows:
        base = row["chunk"].rsplit("-", 1)[0]
        for i in range(int(row["n_chunks"])):
            out.append({**row, "chunk": f"{base}-{i}", "n_articles": row["n_articles"] if i == 0 else 0})
    pieces = pa.Table.from_pylist(out, schema=manifest.schema)
    return pa.concat_tables([manifest.filter(pc.invert(many)), pieces])
#: The manifest's columns as written (strings and int64).
_MANIFEST_SCHEMA = pa.schema([(c, pa.int64() if c in _INT_COLUMNS else pa.string())
                              for c in _INPUT_COLUMNS])


def _manifest(records: pa.Table | None, scan: pd.DataFrame, deleted_rows: pd.DataFrame,
              run: str) -> pa.Table:
    """``manifest.parquet``'s rows: the committed records, the ignored inputs and the
    deleted ones (in that order; written sorted by path).  Built in Arrow: as a pandas
    frame of Python strings a million inputs' manifest took 1.1 GB of the main process
    at the end of the run; here it is about the size of its strings."""
    ignored = scan[scan["kind"] == "ignored"]
    extra = pd.concat([
        pd.DataFrame({"path": ignored["path"], "kind": "ignored", "size": ignored["size"],
                      "mtime_ns": ignored["mtime_ns"], "digest": "", "status": "skipped",
                      "reason": ignored["reason"], "n_articles": 0, "run": run, "chunk": "",
                      "model": "", "n_chunks": 0}),
        pd.DataFrame({"path": deleted_rows["path"], "kind": deleted_rows["kind_old"],
                      "size": deleted_rows["size_old"], "mtime_ns": deleted_rows["mtime_ns_old"],
                      "digest": deleted_rows["digest"], "status": "deleted",
                      "reason": "deleted from the source", "n_articles": 0, "run": run,
                      "chunk": "", "model": "", "n_chunks": 0}),
    ], ignore_index=True)
    for col in _INPUT_COLUMNS:
        if col in _INT_COLUMNS:
            extra[col] = extra[col].fillna(0).astype(np.int64)
        else:
            extra[col] = extra[col].fillna("").astype(object)
    parts = [pa.Table.from_pandas(extra[_INPUT_COLUMNS], schema=_MANIFEST_SCHEMA,
                                  preserve_index=False).replace_schema_metadata(None)]
    if records is not None:
        records = _one_row_per_input(_with_n_chunks(records))
        columns = []
        for field in _MANIFEST_SCHEMA:
            col = records.column(field.name)
            if col.type != field.type:
                col = col.cast(field.type)
            if col.null_count:
                col = pc.fill_null(col, 0 if field.name in _INT_COLUMNS else "")
            columns.append(col)
        parts.insert(0, pa.table(columns, schema=_MANIFEST_SCHEMA))
    table = pa.concat_tables(parts)
    # The pandas metadata that writing the same frame from pandas gave (readers that
    # go back to pandas get the same dtypes as before).
    head = table.slice(0, 1).to_pandas().astype({c: object for c in _INPUT_COLUMNS
                                                 if c not in _INT_COLUMNS})
    meta = pa.Schema.from_pandas(head, preserve_index=False).metadata
    return table.replace_schema_metadata(meta)


def _one_row_per_input(records: pa.Table) -> pa.Table:
    """Chunk records as manifest rows: the pieces of a table in pieces in one row
    (:func:`_per_input`); the other rows as they are (in Arrow: a million of them)."""
    many = pc.greater(records.column("n_chunks"), 1)
    if not pc.any(many).as_py():
        return records
    frame = records.filter(many).to_pandas()
    for c in _INPUT_COLUMNS:
        if c not in _INT_COLUMNS:
            frame[c] = frame[c].astype(object)
    whole = _per_input(frame)[_INPUT_COLUMNS]
    whole = pa.Table.from_pandas(whole, preserve_index=False).select(records.schema.names)
    return pa.concat_tables([records.filter(pc.invert(many)), whole.cast(records.schema)])


def _chunk_file(store: Path, chunk: str, what: str) -> Path:
    return layout.records_dir(store) / f"{chunk}.{what}.parquet"


def _retire(store: Path, chunk: str) -> None:
    """Uncommit a chunk (record first, so a kill never leaves a record without parts)."""
    for what in ("inputs", "keys", "skipped"):
        try:
            _chunk_file(store, chunk, what).unlink()
        except FileNotFoundError:
            pass
    layout.remove_chunk_parts(store, chunk)


def _committed_keys(store: Path, chunks) -> tuple[HashIndex, HashIndex, list]:
    """``(ids, texts, names)``: id hash and text hash -> chunk ordinal of every
    article already in the archive, and the chunk names by ordinal."""
    ids, texts, names = HashIndex(), HashIndex(), []
    for chunk in chunks:
        path = _chunk_file(store, chunk, "keys")
        if not path.exists():
            continue
        table = pq.read_table(path, columns=["id_hash", "text_hash"])
        o = len(names)
        names.append(chunk)
        ids.add(table.column("id_hash").to_numpy(), o)
        texts.add(table.column("text_hash").to_numpy(), o)
    return ids, texts, names


def _keys_of(store: Path, chunk: str) -> pd.DataFrame:
    path = _chunk_file(store, chunk, "keys")
    if path.exists():
        return pq.read_table(path).to_pandas()
    return index_tasks._read_arrow(layout.staging_dir(store, chunk) / "keys.arrow")


# ------------------------------------------------------------------ the run
class _Run:
    def __init__(self, source, store, settings, read_options, engine_kind, scheduler, n_jobs,
                 progress, chunk_size):
        self.source = source
        self.store = Path(store).absolute()
        self.settings = settings
        self.read_options = read_options
        self.engine_kind, self.scheduler, self.n_jobs = engine_kind, scheduler, n_jobs
        self.report = progress or (lambda stage, done, total: None)
        self.chunk_size = chunk_size
        self.meta = layout.read_json(self.store / "store.json", {}) or {}
        self.run = _now()
        self.root: Path | None = None

    # -- store.json
    def _save_meta(self) -> None:
        layout.atomic_write_json(self.meta, self.store / "store.json")

    def model_dir(self) -> str | None:
        m = self.meta.get("model")
        return str(self.store / m["dir"]) if m else None

    def labels(self) -> dict:
        """Store topic id -> label (the user's name when renamed)."""
        names = layout.read_json(self.store / "topic_names.json", {}) or {}
        model_dir = self.model_dir()
        if model_dir is None:
            return {}
        topics = model_topics(model_dir)
        base = dict(zip(topics["topic_id"], topics["label"]))
        return {int(t): names.get(str(t), lab) for t, lab in base.items()}


def _check_settings(meta: dict, settings: dict, refit: bool) -> None:
    if meta and meta.get("format") != "news-analytics-archive":
        raise StoreError("this folder is not an archive store (store.json has another format)")
    if meta and meta.get("format_version", layout.FORMAT_VERSION) > layout.FORMAT_VERSION:
        raise StoreError("this store was written by a newer version of this program")
    old = (meta or {}).get("settings")
    if not old or refit:
        return
    for key in ("n_topics", "random_state", "max_words", "positive", "negative"):
        if key in old and old[key] != settings[key]:
            hint = " (pass --refit to refit the topics with the new value)" if key == "n_topics" else \
                " (index into a new store to change it)"
            raise StoreError(f"the store was built with {key}={old[key]!r}, this run asks for "
                             f"{settings[key]!r}{hint}")


def _index_archive(source, store, *, n_topics: int | None = None, k_range=None,
                  sample_size: int = DEFAULT_SAMPLE_SIZE, refit: bool = False,
                  engine: str = "local", scheduler: str | None = None, n_jobs: int | None = None,
                  random_state: int = 0, positive: float = POSITIVE, negative: float = NEGATIVE,
                  max_sentence_words: int = MAX_SENTENCE_WORDS, read_options: dict | None = None,
                  chunk_size: int | None = None, progress=None) -> IndexSummary:
    """Build or update the archive store ``store`` from ``source`` (see module doc).

    Parameters
    ----------
    source : folder (``.txt`` articles and table files, recursively) or one table file.
    store : folder of the store (created if missing).
    n_topics : topics of the model (None: chosen on the sample over ``k_range``; None
        there grows with the sample, :func:`analysis.topics.auto_k_range`).  Fixed
        once the store has a model; ``refit=True`` refits (with a new ``n_topics`` too).
    sample_size : articles the topic model is fitted on (time-stratified).
    engine, scheduler, n_jobs : where the chunks run (:func:`analysis.engines.engine`).
    read_options : options of :func:`analysis.corpus.read_source` (``text_col``,
        ``max_file_bytes`` …).
    chunk_size : ``.txt`` files per chunk (default: from the number of pending inputs,
        100 to 4,000).
    progress : optional ``callable(stage: str, done: int, total: int)``.

    Returns
    -------
    IndexSummary
    """
    if n_topics is not None and (not isinstance(n_topics, (int, np.integer)) or n_topics < 1):
        raise ValueError(f"n_topics must be a positive integer or None, got {n_topics!r}")
    if not (isinstance(sample_size, (int, np.integer)) and sample_size >= 1):
        raise ValueError(f"sample_size must be a positive integer, got {sample_size!r}")
    if chunk_size is not None and not (isinstance(chunk_size, (int, np.integer)) and chunk_size >= 1):
        raise ValueError(f"chunk_size must be a positive integer or None, got {chunk_size!r}")
    meta = layout.read_json(Path(store) / "store.json", {}) or {}
    if n_topics is None and meta.get("settings"):
        # Not given: the store's (a refit without --topics keeps the number of topics).
        n_topics = meta["settings"].get("n_topics")
    settings = {"n_topics": None if n_topics is None else int(n_topics),
                "k_range": None if k_range is None else list(k_range),
                "random_state": int(random_state), "sample_size": int(sample_size),
                "positive": positive, "negative": negative, "max_words": int(max_sentence_words)}
    read_options = dict(read_options or {})
    t0 = time.perf_counter()
    store = Path(store).absolute()
    store.mkdir(parents=True, exist_ok=True)
    r = _Run(source, store, settings, read_options, engine, scheduler, n_jobs, progress, chunk_size)
    _check_settings(r.meta, settings, refit)
    root, scan = scan_inputs(source)
    r.root = root
    timings = {"scan": time.perf_counter() - t0}
    summary = IndexSummary(store=str(store), run=r.run)

    journal_path = layout.state_dir(store) / "run.json"
    journal = layout.read_json(journal_path)
    r.meta.setdefault("format", "news-analytics-archive")
    r.meta["format_version"] = layout.FORMAT_VERSION
    old_settings = r.meta.get("settings") or {}
    r.meta["settings"] = {**old_settings, **{k: v for k, v in settings.items()
                                             if k not in old_settings or refit
                                             or k in ("sample_size", "k_range")}}
    r.meta["source"] = str(root if Path(source).is_dir() else Path(source).absolute())
    previous = dict(r.meta.get("last_run") or {})
    manifest_is_current = (previous.get("status") == "complete"
                           and r.meta.get("manifest_run") == previous.get("run"))
    r.meta["last_run"] = {"run": r.run, "status": "running", "started": r.run,
                          "engine": engine, "refit": bool(refit)}
    r.meta.setdefault("next_topic_id", 0)
    r._save_meta()

    # ---- plan
    t = time.perf_counter()
    records = _records(store, manifest_is_current)
    _remove_uncommitted(store, set(records["chunk"]))
    old_ignored = set(pd.read_parquet(store / "manifest.parquet", columns=["path", "kind"])
                      .query("kind == 'ignored'")["path"]) if manifest_is_current else None
    inputs = scan[scan["kind"] != "ignored"]
    # Nullable ints: an outer merge would turn them into float64, which cannot hold a
    # nanosecond mtime exactly (1.8e18 > 2**53).
    ints = {"size": "Int64", "mtime_ns": "Int64"}
    merged = inputs.astype(ints).merge(_per_input(records).astype(ints), on="path", how="outer",
                                       suffixes=("", "_old"), indicator=True)
    new = merged["_merge"] == "left_only"
    deleted = merged["_merge"] == "right_only"
    both = merged["_merge"] == "both"
    same_stat = both & (merged["size"] == merged["size_old"]).fillna(False) \
        & (merged["mtime_ns"] == merged["mtime_ns_old"]).fillna(False)
    touched = both & ~same_stat
    changed = pd.Series(False, index=merged.index)
    retouched = []
    for i in np.flatnonzero(touched.to_numpy()):
        row = merged.iloc[i]
        try:
            digest = file_digest(root / row["path"])
        except OSError:
            digest = ""
        if digest and digest == row["digest"]:
            retouched.append(i)        # same bytes, new mtime: only the record changes
        else:
            changed.iloc[i] = True
    kind_changed = both & (merged["kind"].astype(object) != merged["kind_old"].astype(object))
    # Every chunk of a changed or deleted input: all the pieces of a table in pieces.
    dirty = set(records.loc[_isin(records["path"], merged.loc[changed | deleted | kind_changed, "path"]),
                            "chunk"])
    # A table in pieces that a killed run left part-way: its committed pieces are kept,
    # the others pending (the same pieces, see _drop_committed_pieces).
    partial = set(merged.loc[both & ~changed & ~kind_changed
                             & (merged["done"] < merged["n_chunks"]).fillna(False), "path"])
    if retouched:
        _record_new_mtimes(store, merged.iloc[retouched], records, dirty)
    summary.new_inputs = int(new.sum())
    summary.changed_inputs = int(changed.sum())
    summary.deleted_inputs = int(deleted.sum())
    summary.unchanged_inputs = int((both & ~changed).sum())
    deleted_rows = merged.loc[deleted, ["path", "kind_old", "size_old", "mtime_ns_old", "digest",
                                        "n_articles"]].copy()
    for chunk in sorted(dirty):
        _retire(store, chunk)
    keep = records[~_isin(records["chunk"], dirty)]
    pending = inputs[~_isin(inputs["path"], keep["path"]) | _isin(inputs["path"], partial)
                     ].reset_index(drop=True)
    partial_chunks = {p: set(g) for p, g in keep.loc[_isin(keep["path"], partial), "chunk"]
                      .astype(object).groupby(keep.loc[_isin(keep["path"], partial), "path"].astype(object))}
    kept_chunks = sorted(set(keep["chunk"]))
    kept_models = dict(zip(keep["chunk"].astype(object), keep["model"].astype(object)))
    current_model = (r.meta.get("model") or {}).get("version")
    n_stale = sum(m != current_model for m in kept_models.values()) if current_model else 0
    ignored_changed = old_ignored != set(scan.loc[scan["kind"] == "ignored", "path"])
    del merged, records, keep, inputs       # a million rows each: not kept through the run
    timings["plan"] = time.perf_counter() - t

    if journal and journal.get("chunk_size"):
        size = int(journal["chunk_size"])       # resuming: the same chunks as before
    elif chunk_size:
        size = int(chunk_size)
    else:
        # A few chunks a worker balance the load of a big run; a small increment (a
        # day's files) is one chunk a worker: each chunk costs a commit and a Parquet
        # part per month and frame, which later queries pay for too.  A table counts
        # as its rows (guessed from its size: it is cut in pieces of this many rows).
        # At most 4,000: at 100k articles, 25 chunks took 2-3 s less CPU (of ~60) than
        # 51 of 2,000, in three alternated runs.
        n_workers = max(1, n_jobs or os.cpu_count() or 1)
        n_articles = _expected_articles(pending)
        per_worker = -(-n_articles // n_workers)
        size = int(max(1, per_worker) if per_worker <= 500 else
                   min(4000, max(500, -(-n_articles // (n_workers * 4)))))
    if len(pending) or n_stale:
        layout.atomic_write_json({"run": r.run, "chunk_size": size}, journal_path)

    need_fit = r.meta.get("model") is None
    idle = not len(pending) and not n_stale and not refit and not need_fit
    if idle and not (summary.deleted_inputs or retouched or ignored_changed):
        # Nothing changed: the store is as the last run left it.
        return _done(r, summary, timings, t0, journal_path, manifest_is_current)
    # Without a table to survey, the chunks and the topic sample are planned before the
    # engine exists: a local engine's workers come from a fork server still importing
    # scikit-learn when the scan ends (0.3 s at 100k files), time this planning used to
    # add after it.
    early_plan = not (pending["kind"] == "table").any()
    if early_plan:
        chunks = _drop_committed_pieces(store, make_chunks(pending, size), partial_chunks,
                                        kept_chunks, kept_models)
        candidates = _sample_candidates(pending, sample_size, chunks) \
            if need_fit and len(pending) else None
    with (_no_engine() if idle else make_engine(engine, n_jobs, scheduler)) as eng:
        t = time.perf_counter()
        if not early_plan:
            plans = _survey_tables(r, eng, root, pending, size)
            chunks = make_chunks(pending, size, plans)
            chunks = _drop_committed_pieces(store, chunks, partial_chunks, kept_chunks,
                                            kept_models)
            candidates = _sample_candidates(pending, sample_size, chunks) \
                if need_fit and len(pending) else None
        timings["survey"] = time.perf_counter() - t
        summary.chunks = len(chunks)
        t = time.perf_counter()
        fit_future = None
        if need_fit and len(pending):
            fit_future = eng.submit(index_tasks.fit_and_save_topics, str(store), str(root),
                                    candidates, read_options, sample_size, n_topics, k_range,
                                    int(random_state))
        elif need_fit:
            raise StoreError(f"the store {store} has no topic model and nothing new to fit one "
                             f"on; index into an empty folder")
        rolling = _run_chunks(r, eng, root, chunks, scan, fit_future, kept_chunks)
        summary.fitted = fit_future is not None
        timings["chunks"] = time.perf_counter() - t
        # Chunks assigned by an older model (a refit, or one that was interrupted).
        current_model = r.meta["model"]["version"]
        stale = sorted(c for c, m in kept_models.items() if m != current_model)
        if stale:
            t = time.perf_counter()
            summary.reassigned_chunks = _reassign(r, eng, stale)
            timings["reassign"] = time.perf_counter() - t
        if refit:
            t = time.perf_counter()
            summary.refit = _refit(r, eng, n_topics, k_range, sample_size, random_state)
            timings["refit"] = time.perf_counter() - t
        t = time.perf_counter()
        rolling_up = _rollup_rest(store, eng, rolling)
        # The archive's own files (manifest, skipped inputs, topic sizes) are written
        # while the workers roll up: they read the articles, not the roll-ups.
        t_finish = time.perf_counter()
        committed = _finish(r, scan, root, deleted_rows, summary)
        timings["finish"] = time.perf_counter() - t_finish
        for f in rolling_up:
            rollups.record_months(store, f.result())
        timings["rollups"] = time.perf_counter() - t
    # Last: a roll-up may be reading the month folders this empties.
    _collect_garbage(store, committed, r.meta["model"]["dir"])
    return _done(r, summary, timings, t0, journal_path)


@functools.wraps(_index_archive)
def index_archive(source, store, **options) -> IndexSummary:
    # One writer at a time (analysis.store_lock): a second ``index`` on the store, or a
    # dashboard applying a correction, is told who is writing instead of interleaving.
    with store_writer(Path(store).absolute(), "index"):
        return _index_archive(source, store, **options)


@contextmanager
def _no_engine():
    yield None


def _done(r: _Run, summary: IndexSummary, timings: dict, t0: float, journal_path: Path,
          manifest_current: bool = True) -> IndexSummary:
    """Mark the run complete in store.json and run :func:`after_index`."""
    store = r.store
    if journal_path.exists():
        journal_path.unlink()
    totals = r.meta.get("totals") or {}
    summary.archive_articles = int(totals.get("articles", summary.archive_articles))
    summary.archive_sentences = int(totals.get("sentences", summary.archive_sentences))
    summary.archive_inputs = int(totals.get("inputs", summary.archive_inputs))
    summary.n_topics = int(totals.get("topics", summary.n_topics))
    if summary.skipped.empty and (store / "skipped.parquet").exists():
        summary.skipped = pd.read_parquet(store / "skipped.parquet")
    if manifest_current:
        r.meta["manifest_run"] = r.run
    timings["total"] = time.perf_counter() - t0
    summary.timings = timings
    r.meta["last_run"].update(status="complete", finished=_now(), seconds=round(timings["total"], 3),
                              new_inputs=summary.new_inputs, changed_inputs=summary.changed_inputs,
                              deleted_inputs=summary.deleted_inputs, chunks=summary.chunks)
    r.meta["runs"] = (r.meta.get("runs") or [])[-49:] + [r.meta["last_run"]]
    r._save_meta()
    after_index(store)
    return summary


def after_index(store) -> None:
    """Work on the finished store after every index run: the analyst's corrections
    (``overrides.parquet``) applied again to the part files this run wrote
    (:mod:`analysis.store_overrides`), then the roll-up tables of ``rollups/`` for the
    months whose article files changed (all of them on a first run or a refit, one or
    two after a day's files were added, plus the months a correction rewrote)."""
    from .store_overrides import apply_store_overrides, in_use

    if in_use(store):
        apply_store_overrides(store, refresh_rollups=False)

    stale = rollups.stale_months(store)
    if stale:
        rollups.write_rollups(store, months=stale)


def _sample_candidates(pending: pd.DataFrame, sample_size: int, chunks=()) -> list[tuple]:
    """The inputs the topic sample is drawn from: every table, and 1.2 × the sample
    size of ``.txt`` files chosen by a hash of their path (a uniform spread over the
    archive; the sample then evens out the months).  Not more: the fit task reads them
    beside the chunks that read them too, so each extra file is read twice.

    A table in pieces (``chunks``, :func:`make_chunks`) is given piece by piece, each
    with a ``sample_share`` (the rows drawn by a hash of their id), so that about 1.2 ×
    the sample size is drawn over all the articles and the fit never holds a table."""
    pieces = [c[2] | {"path": c[1]["path"].iloc[0]} for c in chunks if c[2] is not None]
    in_pieces = {p["path"] for p in pieces}
    tables = pending[(pending["kind"] == "table") & ~pending["path"].isin(in_pieces)]
    txt = pending[pending["kind"] == "txt"]
    want = int(sample_size * 1.2)
    if len(txt) > want:
        order = np.argsort(index_tasks.stable_hash(txt["path"]), kind="stable")[:want]
        txt = txt.iloc[np.sort(order)]
    rows = pd.concat([txt, tables]).sort_values("path")
    members = list(zip(rows["path"], rows["kind"]))
    if pieces:
        total = (pending["kind"] == "txt").sum() + len(tables) \
            + sum(p["plan"]["rows"] for p in {p["path"]: p for p in pieces}.values())
        share = min(1.0, want / max(1, total))
        members += [(p.pop("path"), "table", {**p, "sample_share": share}) for p in pieces]
    return members


def _expected_articles(pending: pd.DataFrame) -> int:
    """Articles the pending inputs hold, about: a ``.txt`` file is one, a table about
    one per kilobyte (the chunk size is chosen before the tables are surveyed)."""
    tables = (pending["kind"] == "table").to_numpy()
    return int((~tables).sum() + np.maximum(1, pending["size"].to_numpy()[tables] // 1000).sum())


def _survey_tables(r: _Run, eng, root: Path, pending: pd.DataFrame, rows: int) -> dict:
    """Path -> survey plan (:func:`analysis.table_pieces.survey_table`) of every pending
    table that may hold more than ``rows`` rows, surveyed in parallel on the engine."""
    if eng is None:
        return {}
    tables = pending[(pending["kind"] == "table")]
    futures = [eng.submit(index_tasks.survey_table, str(r.store), str(root), rel, int(rows), r.read_options)
               for rel, size in zip(tables["path"], tables["size"])
               if table_pieces.should_survey(rel, int(size), rows)]
    plans = {}
    for f in futures:
        plan = f.result()
        plans[plan["path"]] = plan
    return plans


def _drop_committed_pieces(store: Path, chunks: list, partial: dict, kept_chunks: list,
                           kept_models: dict) -> list:
    """The chunks still to run: a table a killed run left part-way has its committed
    pieces among ``chunks`` again (same ids: same file, same piece size), which are
    left out.  Committed pieces that are not among them (the piece size changed since)
    are retired, and the table is read again whole."""
    if not partial:
        return chunks
    planned = {}
    for name, rows, _ in chunks:
        planned.setdefault(rows["path"].iloc[0], set()).add(name)
    committed = set()
    for path, names in partial.items():
        if names <= planned.get(path, set()):
            committed |= names
            continue
        for name in names:
            _retire(store, name)
            kept_chunks.remove(name)
            kept_models.pop(name, None)
    return [c for c in chunks if c[0] not in committed]


def _record_new_mtimes(store: Path, rows: pd.DataFrame, records: pd.DataFrame, dirty: set) -> None:
    """Inputs whose mtime changed but not their bytes (a copy, ``touch``): only their
    chunks' records (every piece of a table in pieces) are rewritten with the new size
    and mtime; nothing is analysed."""
    pieces = records.loc[_isin(records["path"], rows["path"]), ["path", "chunk"]].astype(object)
    rows = pieces.merge(rows[["path", "mtime_ns"]].astype({"path": object}), on="path")
    for chunk, group in rows.groupby(rows["chunk"].astype(object)):
        if chunk in dirty:
            continue
        path = _chunk_file(store, chunk, "inputs")
        rec = pq.read_table(path).to_pandas()
        new = group.set_index("path")
        hit = rec["path"].isin(new.index)
        rec.loc[hit, "mtime_ns"] = new.loc[rec.loc[hit, "path"], "mtime_ns"].to_numpy(dtype=np.int64)
        layout.atomic_write_parquet(rec, path)


def _remove_uncommitted(store: Path, committed: set) -> None:
    """Record files and Parquet parts of chunks whose inputs record is missing (a kill
    mid-commit), before anything reads the store's frames: the roll-ups and the topic
    sizes of this run count what the folders hold."""
    folder = layout.records_dir(store)
    if folder.exists():
        for path in folder.glob("*.parquet"):
            chunk = path.name.split(".")[0]
            if chunk not in committed:
                path.unlink()
    _remove_orphan_parts(store, committed)


def _remove_orphan_parts(store: Path, committed: set) -> None:
    """Parts of the frames that no committed chunk owns, and month folders left empty."""
    for frame in layout.FRAMES:
        root = store / frame
        if not root.exists():
            continue
        for month in root.iterdir():
            if not month.is_dir():
                continue
            for part in month.iterdir():
                name = part.name
                chunk = name[len("part-"):-len(".parquet")] if name.startswith("part-") else None
                if chunk not in committed:
                    part.unlink()
            if not any(month.iterdir()):
                month.rmdir()


def _stale_chunks(store: Path, version: str) -> list[str]:
    records = _records(store)
    return sorted(set(records.loc[records["model"] != version, "chunk"]))


def _record_model(r: _Run, saved: dict, topic_ids) -> None:
    """Record a saved model (``saved``: ``model_dir``, ``n_topics``, ``chosen_by``,
    ``sample_size``, ``seconds``) as the store's model."""
    version = Path(saved["model_dir"]).name
    r.meta["model"] = {"version": version, "dir": f"model/{version}", "n_topics": saved["n_topics"],
                       "chosen_by": saved["chosen_by"], "sample_size": saved["sample_size"],
                       "fit_seconds": round(saved["seconds"], 3), "fitted_run": r.run}
    r.meta["next_topic_id"] = max([r.meta.get("next_topic_id", 0)] + [int(t) + 1 for t in topic_ids])
    r._save_meta()


def _run_chunks(r: _Run, eng, root: Path, chunks, scan, fit_future, kept_chunks):
    """Prepare, de-duplicate, assign and commit every chunk; returns the early roll-up
    still running when the last chunk is committed, as ``(future, months)``, or None."""
    store = r.store
    n = len(chunks)
    if n == 0 and fit_future is None:
        return None
    stat = scan.set_index("path")[["size", "mtime_ns"]]
    ids, texts, names = _committed_keys(store, kept_chunks)
    model_dir = None if fit_future is not None else r.model_dir()
    labels = r.labels() if model_dir else {}
    prep, assign = {}, {}
    summaries, drops, dup_skips, results = {}, {}, {}, {}
    next_prep = next_dedup = next_assign = next_commit = 0
    limit = 2 * eng.n_workers + 1
    early = _EarlyRollups() if eng.n_workers >= 2 else None
    rollup_future = None
    while next_commit < n or fit_future is not None:
        while next_prep < n and len(prep) + len(assign) < limit:
            chunk, rows, piece = chunks[next_prep]
            members = list(zip(rows["path"], rows["kind"])) if piece is None else \
                [(rows["path"].iloc[0], "table", piece)]
            prep[eng.submit(index_tasks.prepare_chunk, str(store), str(root), chunk,
                            members, r.read_options, r.settings)] = next_prep
            next_prep += 1
        while next_dedup < n and next_dedup in summaries:
            drops[next_dedup], dup_skips[next_dedup] = _dedup(store, chunks[next_dedup][0], ids, texts, names)
            next_dedup += 1
        while model_dir is not None and next_assign < next_dedup:
            assign[eng.submit(index_tasks.assign_chunk, str(store), chunks[next_assign][0], model_dir,
                              labels, drops[next_assign], "staging")] = next_assign
            next_assign += 1
        while next_commit in results:
            result = results.pop(next_commit)
            _commit(r, chunks[next_commit], summaries.pop(next_commit), drops.pop(next_commit),
                    dup_skips.pop(next_commit), stat, result)
            if early is not None:
                early.committed(result["months"])
            next_commit += 1
            r.report("chunks", next_commit, n)
        if early is not None and rollup_future is None and early.ready:
            rolling_months = early.take()
            rollup_future = eng.submit(index_tasks.rollup_months, str(store), rolling_months)
        if next_commit >= n and fit_future is None:
            break
        waiting = set(prep) | set(assign) | ({fit_future} if fit_future is not None else set()) \
            | ({rollup_future} if rollup_future is not None else set())
        if not waiting:
            continue
        done, _ = eng.wait(waiting)
        for f in done:
            if f is fit_future:
                saved = f.result()
                _record_model(r, saved, list(range(saved["n_topics"])))
                model_dir, labels = r.model_dir(), r.labels()
                fit_future = None
                r.report("topics", 1, 1)
            elif f is rollup_future:
                rollups.record_months(store, f.result())
                rollup_future = None
            elif f in prep:
                summaries[prep.pop(f)] = f.result()
            else:
                results[assign.pop(f)] = f.result()
    return None if rollup_future is None else (rollup_future, rolling_months)


def _rollup_rest(store: Path, eng, rolling=None) -> list:
    """Start the roll-ups of the months still stale once every chunk is written (the
    futures, each giving :func:`analysis.rollups.record_months` its result), a task per
    month, instead of one month after another in the parent after
    the pool is gone: on a first run where the fit is the critical path, or after a
    refit, that is most months; after a day's files, the one or two months they touched.
    Whatever fails here is stale still, and :func:`after_index` does it.

    ``rolling`` is the early roll-up still running (``(future, months)``): the other
    stale months go to the other workers beside it instead of after it (after a day's
    files, the month before the new one and the new one are rolled up at once)."""
    futures = []
    if rolling is not None:
        futures.append(rolling[0])
    busy = set() if rolling is None else set(rolling[1])
    stale = [] if eng is None or eng.n_workers < 2 else [
        m for m in rollups.stale_months(store) if m not in busy]
    # A task per month: the pool hands the next month to whichever worker is free, so
    # the workers end together (dealing the months out in turn ended one worker a
    # second before the other at 100k articles, beside an early roll-up of five months).
    futures += [eng.submit(index_tasks.rollup_months, str(store), [m]) for m in stale]
    return futures


class _EarlyRollups:
    """Which months to roll up while the chunks still run (``analysis.index_tasks
    .rollup_months``), so little is left for the roll-ups at the end of the run
    (:func:`_rollup_rest`).

    Inputs are chunked in path order, which for a feed filed by date (``YYYY/MM/DD/``)
    is date order: once a committed chunk's earliest month is later than a month, no
    later chunk is expected to write into it.  That is a guess, never a risk (the final
    roll-up redoes any month whose parts changed since); a month it got wrong (a later
    chunk wrote into a month already rolled up) means the source is not in date order,
    and early roll-ups stop for the rest of the run, so at most the months rolled up so
    far are computed twice.
    """

    def __init__(self):
        self.seen: set = set()      # months written by committed chunks
        self.rolled: set = set()    # months handed to a roll-up task
        self.ready: set = set()     # months to hand to the next one
        self.on = True

    def committed(self, months) -> None:
        months = set(months)
        if not self.on or not months:
            return
        if months & self.rolled:
            self.on, self.ready = False, set()
            return
        low = min(months)
        self.ready |= {m for m in self.seen if m < low} - self.rolled
        self.seen |= months

    def take(self) -> list[str]:
        """The earliest ready month, for one roll-up task: a task of several months
        could still be running after the last chunk, one worker rolling up while the
        other idles (at 100k articles, five months in one task ended 1.4 s after the
        rest); the months not taken yet go to :func:`_rollup_rest`, a task each."""
        month = min(self.ready)
        self.ready.discard(month)
        self.rolled.add(month)
        return [month]


def _dedup(store: Path, chunk: str, ids: HashIndex, texts: HashIndex, names: list):
    """Articles of ``chunk`` the archive already holds (same id or same text): their ids
    (left out of the chunk) and skip rows naming the copy that was kept."""
    keys = index_tasks._read_arrow(layout.staging_dir(store, chunk) / "keys.arrow")
    o = len(names)
    names.append(chunk)
    # The archive's copies, looked up for the whole chunk at once; copies within the
    # chunk (the first one is kept) in these two dicts.
    id_found = ids.find(keys["id_hash"].to_numpy()).tolist()
    text_found = texts.find(keys["text_hash"].to_numpy()).tolist()
    new_ids, new_texts = {}, {}
    drop, skips, kept_keys = [], [], {}
    for i, (aid, src, ih, th) in enumerate(keys.itertuples(index=False)):
        at = id_found[i] if id_found[i] >= 0 else new_ids.get(ih, -1)
        if at >= 0:
            keeper = _keeper(store, names[at], "id_hash", ih, kept_keys)
            detail = "same text" if keeper["text_hash"] == th else "different text"
            skips.append((src, f"duplicate id {aid} ({detail}; kept {keeper['source']})"))
            drop.append(aid)
            continue
        at = text_found[i] if text_found[i] >= 0 else new_texts.get(th, -1)
        if at >= 0:
            keeper = _keeper(store, names[at], "text_hash", th, kept_keys)
            skips.append((src, f"same text as {keeper['article_id']} ({keeper['source']}); kept that one"))
            drop.append(aid)
        else:
            new_ids[ih] = o
            new_texts[th] = o
    ids.add(list(new_ids), o)
    texts.add(list(new_texts), o)
    return drop, skips


def _keeper(store: Path, chunk: str, column: str, value, cache: dict) -> dict:
    if chunk not in cache:
        cache[chunk] = _keys_of(store, chunk)
    keys = cache[chunk]
    return keys[keys[column] == value].iloc[0].to_dict()


def _commit(r: _Run, chunk, prep: dict, drop: list, dup_skips: list, stat, result) -> None:
    name = chunk[0]
    store = r.store
    stage = layout.staging_dir(store, name)
    keys = index_tasks._read_arrow(stage / "keys.arrow")
    if drop:
        keys = keys[~keys["article_id"].isin(set(drop))]
    layout.atomic_write_parquet(keys.reset_index(drop=True), _chunk_file(store, name, "keys"))
    skipped = pd.DataFrame(prep["skipped"] + [list(s) for s in dup_skips], columns=["source", "reason"])
    layout.atomic_write_parquet(skipped.astype(object), _chunk_file(store, name, "skipped"))
    dropped_by_input = {}
    for src, reason in dup_skips:
        rel = index_tasks._input_of(src, str(r.root))
        dropped_by_input.setdefault(rel, []).append(reason)
    inputs = pd.DataFrame(prep["inputs"])
    if "n_chunks" not in inputs:
        inputs["n_chunks"] = 1      # staged by a run from before tables were cut in pieces
    inputs["n_articles"] = [n - len(dropped_by_input.get(p, [])) for p, n in
                            zip(inputs["path"], inputs["n_articles"])]
    gone = (inputs["n_articles"] == 0) & (inputs["status"] == "analysed") & inputs["path"].isin(set(dropped_by_input))
    inputs.loc[gone, "status"] = "skipped"
    inputs.loc[gone, "reason"] = [dropped_by_input[p][0] for p in inputs.loc[gone, "path"]]
    inputs["size"] = stat.loc[inputs["path"], "size"].to_numpy()
    inputs["mtime_ns"] = stat.loc[inputs["path"], "mtime_ns"].to_numpy()
    inputs["run"] = r.run
    inputs["chunk"] = name
    inputs["model"] = r.meta["model"]["version"]
    inputs["n_articles"] = inputs["n_articles"].astype(np.int64)
    layout.atomic_write_parquet(inputs[_INPUT_COLUMNS], _chunk_file(store, name, "inputs"))
    shutil.rmtree(stage, ignore_errors=True)


def _reassign(r: _Run, eng, chunks: list[str]) -> int:
    """Assign the topics of the current model to committed chunks again (after a
    refit): their parts are rewritten, their records say the new model."""
    model_dir, labels, version = r.model_dir(), r.labels(), r.meta["model"]["version"]
    futures = {}
    todo = list(chunks)
    limit = 2 * eng.n_workers
    done_n = 0
    while todo or futures:
        while todo and len(futures) < limit:
            c = todo.pop(0)
            futures[eng.submit(index_tasks.assign_chunk, str(r.store), c, model_dir, labels, [],
                               "parts")] = c
        done, _ = eng.wait(set(futures))
        for f in done:
            c = futures.pop(f)
            f.result()
            path = _chunk_file(r.store, c, "inputs")
            rec = pq.read_table(path).to_pandas()
            rec["model"] = version
            layout.atomic_write_parquet(rec, path)
            done_n += 1
            r.report("reassign", done_n, len(chunks))
    return len(chunks)


def _refit(r: _Run, eng, n_topics, k_range, sample_size, random_state) -> dict:
    """Fit a new model on a sample of the archive, keep the ids of matching topics,
    record the matching, then reassign every chunk."""
    from .archive_summary import sample_articles

    old_model, old_ids = load_model(r.model_dir())
    sample = sample_articles(r.store, sample_size, random_state)
    future = eng.submit(index_tasks.fit_topics, None, None, sample, r.read_options, sample_size,
                        n_topics, k_range, int(random_state))
    model, info = future.result()
    new_ids, matching = match_topics(old_model, old_ids, model, int(r.meta.get("next_topic_id", 0)))
    matching.insert(0, "run", r.run)
    path = r.store / "topic_matches.parquet"
    if path.exists():
        matching = pd.concat([pq.read_table(path).to_pandas(), matching], ignore_index=True)
    layout.atomic_write_parquet(matching, path)
    # A user's name stays with its id when the topic was matched, and goes with a
    # retired topic.
    names = layout.read_json(r.store / "topic_names.json", {}) or {}
    kept = {str(t) for t in new_ids}
    if names:
        layout.atomic_write_json({k: v for k, v in names.items() if k in kept},
                                 r.store / "topic_names.json")
    _record_model(r, index_tasks.save_fitted(str(r.store), model, info, new_ids), new_ids)
    r.meta["settings"]["n_topics"] = None if n_topics is None else int(n_topics)
    r._save_meta()
    stale = _stale_chunks(r.store, r.meta["model"]["version"])
    _reassign(r, eng, stale)
    last = matching[matching["run"] == r.run]
    return {"matched": int((last["status"] == "matched").sum()),
            "new": int((last["status"] == "new").sum()),
            "retired": int((last["status"] == "retired").sum())}


def _finish(r: _Run, scan: pd.DataFrame, root: Path, deleted_rows: pd.DataFrame, summary) -> set:
    """Write the manifest, ``skipped.parquet`` and ``topics.parquet`` and the totals;
    returns the committed chunks (what :func:`_collect_garbage` keeps)."""
    from .archive_summary import topic_summary

    store = r.store
    records = _record_table(store)
    committed = set() if records is None else set(pc.unique(records.column("chunk")).to_pylist())
    manifest = _manifest(records, scan, deleted_rows, r.run)
    del records
    # A stable sort of UTF-8 strings by their bytes: code point order, as Python sorts;
    # written a slice at a time, so the sorted copy is never whole.
    layout.atomic_write_table(manifest, store / "manifest.parquet",
                              order=pc.sort_indices(manifest, sort_keys=[("path", "ascending")]))
    archive_inputs = len(manifest) - pc.sum(pc.equal(manifest.column("status"), "deleted")).as_py()
    del manifest
    ignored = scan[scan["kind"] == "ignored"]
    skip_files = sorted(layout.records_dir(store).glob("*.skipped.parquet"))
    parts = [pq.read_table(p).to_pandas() for p in skip_files]
    parts.append(pd.DataFrame({"source": [str(root / p) for p in ignored["path"]],
                               "reason": ignored["reason"].tolist()}))
    skipped = pd.concat(parts, ignore_index=True).astype(object)
    skipped = skipped.sort_values("source", kind="stable").reset_index(drop=True)
    layout.atomic_write_parquet(skipped, store / "skipped.parquet")
    summary.skipped = skipped
    topics, totals = topic_summary(store, model_topics(r.model_dir()),
                                   layout.read_json(store / "topic_names.json", {}) or {})
    layout.atomic_write_parquet(topics, store / "topics.parquet")
    summary.n_topics = int(len(topics))
    summary.archive_articles = totals["articles"]
    summary.archive_sentences = totals["sentences"]
    summary.archive_inputs = int(archive_inputs)
    r.meta["totals"] = {**totals, "inputs": summary.archive_inputs,
                        "skipped": int(len(skipped)), "topics": int(len(topics))}
    return committed


def _collect_garbage(store: Path, committed: set, model_dir: str) -> None:
    """Remove what no committed chunk owns: parts of retired or abandoned chunks,
    staging left by a kill, temporary files, models other than the current one and
    the one before it."""
    _remove_orphan_parts(store, committed)
    for staged in (layout.state_dir(store) / "staging", table_pieces.tables_dir(store)):
        if staged.exists():
            shutil.rmtree(staged, ignore_errors=True)
    models = store / "model"
    if models.exists():
        keep = {Path(model_dir).name}
        dirs = sorted((p for p in models.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime)
        if dirs:
            keep.add(dirs[-1].name)
        previous = [p for p in dirs if p.name not in keep]
        for p in previous[:-1]:
            shutil.rmtree(p, ignore_errors=True)
