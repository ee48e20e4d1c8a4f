"""The analyst's corrections on an archive store: ``DIR/overrides.parquet`` applied to
the store's own Parquet, so every query, roll-up, alert and export answers corrected
with no cost at query time.

Design
------
Queries read the month partitions (``articles/``, ``sentences/``, ``article_topics/``)
and the roll-ups made from them; an archive's answers must stay fast at a million
articles, so corrections are not joined in at query time.  Instead, when the overrides
change (:func:`apply_store_overrides`, called by the dashboard after a correction or an
undo, and by every ``index`` run after its chunks are written), only the part files
holding a corrected (or un-corrected) article are rewritten, with the rows
:func:`analysis.overrides.apply_overrides` computes from the model's rows, and the
roll-ups of those months and ``topics.parquet`` are refreshed.  The same function as
for an in-memory result computes the corrected rows, so the store's answers equal the
frames'.

Undo needs the model's rows back: the first time an article is corrected its rows (of
the three frames) are kept in ``DIR/_overrides/originals-<frame>.parquet``, and
``DIR/_overrides/parts.json`` records the signature (size, mtime) of each part file
written here.  A part whose signature no longer matches was written by ``index`` since
(a re-run, a refit): its rows are the model's again, so they replace the kept ones and
the corrections are applied over them; that is how corrections survive re-indexing.
``DIR/_overrides/marks.parquet`` lists what is corrected (``article_id``,
``sentence_text``; "" for a whole article) for the ``overridden`` column of exports.
"""
from __future__ import annotations

import dataclasses
import json
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from . import archive_layout as layout
from .overrides import (apply_overrides, describe_overrides, overrides_path, overrides_version,
                        read_overrides)
from .result import AnalysisResult
from .store_lock import store_writer

__all__ = ["apply_store_overrides", "describe_store_overrides", "store_marks",
           "mark_overridden", "has_corrections", "ensure_applied", "in_use", "StoreOverrides"]

_DIR = "_overrides"


@dataclasses.dataclass
class StoreOverrides:
    """What :func:`apply_store_overrides` did: overrides that apply, articles corrected
    now, articles restored to the model's rows, part files and months rewritten, seconds."""

    applied: int = 0
    corrected: int = 0
    restored: int = 0
    parts: int = 0
    months: list = dataclasses.field(default_factory=list)
    seconds: float = 0.0


def _dir(store) -> Path:
    return Path(store) / _DIR


def _signature(path: Path) -> list:
    st = path.stat()
    return [st.st_size, st.st_mtime_ns]


def _read_frame(path: Path) -> pd.DataFrame | None:
    return pq.read_table(path).to_pandas() if path.exists() else None


def _locate(store: Path, ids) -> pd.DataFrame:
    """``article_id``, ``month``, ``chunk`` of the stored articles among ``ids``."""
    import duckdb

    ids = sorted(set(ids))
    if not ids or not any((store / "articles").glob("*/*.parquet")):
        return pd.DataFrame({"article_id": [], "month": [], "chunk": []}, dtype=object)
    glob = str(store / "articles" / "*" / "*.parquet").replace("'", "''")
    con = duckdb.connect()
    try:
        con.execute("SET threads TO 2")
        want = pd.DataFrame({"article_id": ids})
        con.register("want", want)
        rows = con.execute(
            f"SELECT a.article_id, a.filename FROM read_parquet('{glob}', filename=true) a "
            "JOIN want w ON w.article_id = a.article_id").df()
    finally:
        con.close()
    paths = rows["filename"].map(Path)
    return pd.DataFrame({
        "article_id": rows["article_id"].astype(object),
        "month": [p.parent.name.split("=", 1)[1] for p in paths],
        "chunk": [p.name[len("part-"):-len(".parquet")] for p in paths]})


def _settings(store: Path) -> tuple[dict, dict]:
    """``store.json`` and its analysis settings (``positive`` / ``negative`` thresholds)."""
    meta = layout.read_json(store / "store.json", {}) or {}
    return meta, dict(meta.get("settings") or {})


def _topics(store: Path) -> pd.DataFrame:
    return pd.read_parquet(store / "topics.parquet")


def _result(articles, sentences, article_topics, topics, params) -> AnalysisResult:
    empty = pd.DataFrame()
    return AnalysisResult(articles=articles, sentences=sentences, topics=topics,
                          article_topics=article_topics, skipped=empty, k_scores=empty,
                          topic_map=empty, article_map=empty, params=params)


class _Parts:
    """The part files of the touched articles, read once, with their schemas."""

    def __init__(self, store: Path, where: pd.DataFrame):
        self.store = store
        self.frames: dict[tuple, pd.DataFrame] = {}
        self.schemas: dict[tuple, pa.Schema] = {}
        for month, chunk in sorted(set(zip(where["month"], where["chunk"]))):
            for frame in layout.FRAMES:
                path = layout.part_path(store, frame, month, chunk)
                if path.exists():
                    table = pq.read_table(path)
                    self.frames[(frame, month, chunk)] = table.to_pandas()
                    self.schemas[(frame, month, chunk)] = table.schema.remove_metadata()

    def rows(self, frame: str, ids: set) -> pd.DataFrame:
        parts = [f[f["article_id"].isin(ids)] for (name, _, _), f in self.frames.items()
                 if name == frame]
        return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()

    def rel(self, frame, month, chunk) -> str:
        return str(layout.part_path(self.store, frame, month, chunk).relative_to(self.store))


#: The sentence columns a correction changes (and the kept originals restore).
_SENTENCE_SCORES = ["neg", "neu", "pos", "compound", "label"]


def _base_rows(store: Path, ids: set, params: dict | None = None):
    """The model's rows (articles, sentences, article_topics) of the stored articles
    among ``ids``, with where each lives and the parts read.

    For an article of parts written here, the kept originals.  For one whose parts
    ``index`` has rewritten since (a refit re-assigns topics to the rows it finds,
    corrected scores included), the parts' rows with the kept sentence scores put back
    where the sentence is the same (id and text) and the article's roll-up recomputed
    from them, as ``index`` computes it; the topics are the new model's."""
    from .sentiment import NEGATIVE, POSITIVE, article_sentiment

    params = params or {}
    where = _locate(store, ids)
    parts = _Parts(store, where)
    state = layout.read_json(_dir(store) / "parts.json", {}) or {}
    originals = {f: _read_frame(_dir(store) / f"originals-{f}.parquet") for f in layout.FRAMES}
    held = set() if originals["articles"] is None else set(originals["articles"]["article_id"])
    ours = set()
    for row in where.itertuples(index=False):
        if row.article_id in held and all(
                state.get(parts.rel(f, row.month, row.chunk)) ==
                _signature(layout.part_path(store, f, row.month, row.chunk))
                for f in layout.FRAMES if (f, row.month, row.chunk) in parts.frames):
            ours.add(row.article_id)
    base = {}
    for f in layout.FRAMES:
        fresh = parts.rows(f, set(where["article_id"]) - ours)
        kept = (originals[f][originals[f]["article_id"].isin(ours)]
                if originals[f] is not None and ours else None)
        base[f] = pd.concat([x for x in (fresh, kept) if x is not None and len(x.columns)],
                            ignore_index=True) if ours else fresh
    rewritten = (held & set(where["article_id"])) - ours
    if rewritten and len(base["sentences"]):
        s = base["sentences"]
        keys = ["article_id", "sentence_id", "text"]
        kept = originals["sentences"][originals["sentences"]["article_id"].isin(rewritten)]
        kept = kept[keys + _SENTENCE_SCORES].drop_duplicates(keys).set_index(keys)
        idx = pd.MultiIndex.from_frame(s[keys])
        hit = idx.isin(kept.index)
        if hit.any():
            s = s.copy()
            for col in _SENTENCE_SCORES:
                s.loc[hit, col] = kept.loc[idx[hit], col].to_numpy()
            base["sentences"] = s
        redo = article_sentiment(s[s["article_id"].isin(rewritten)], sorted(rewritten),
                                 positive=params.get("positive", POSITIVE),
                                 negative=params.get("negative", NEGATIVE)).set_index("article_id")
        a = base["articles"].copy()
        rows = a["article_id"].isin(rewritten).to_numpy()
        for col in redo.columns:
            if col in a.columns:
                a.loc[rows, col] = redo.loc[a.loc[rows, "article_id"], col].to_numpy()
        base["articles"] = a
    return base, where, parts


def _corrected_rows(base: dict, topics: pd.DataFrame, overrides: pd.DataFrame, params: dict):
    """``apply_overrides`` over the base rows, plus the store's copies of the dominant
    topic (sentences' ``topic_id``, articles' ``theme_id`` / ``theme_label``)."""
    out = apply_overrides(_result(base["articles"], base["sentences"], base["article_topics"],
                                  topics, params), overrides)
    arts = out.articles
    sents = out.sentences
    if "topic_id" in sents:
        dominant = dict(zip(arts["article_id"], arts["topic_id"]))
        sents = sents.assign(topic_id=sents["article_id"].map(dominant).astype(np.int64))
    if "theme_id" in arts and "theme_id" in topics:
        by_topic = topics.set_index("topic_id")
        moved = arts["overridden"] & arts["topic_id"].isin(by_topic.index)
        if moved.any():
            arts = arts.copy()
            t = arts.loc[moved, "topic_id"]
            arts.loc[moved, "theme_id"] = by_topic.loc[t, "theme_id"].to_numpy()
            if "theme_label" in arts and "theme_label" in by_topic:
                arts.loc[moved, "theme_label"] = by_topic.loc[t, "theme_label"].to_numpy()
    return {"articles": arts, "sentences": sents, "article_topics": out.article_topics}, out


def _replace(part: pd.DataFrame, new: pd.DataFrame, ids: set, order: dict) -> pd.DataFrame:
    """``part`` with the rows of ``ids`` replaced by ``new``'s, in the part's article
    order (an article's sentences in sentence order)."""
    keep = part[~part["article_id"].isin(ids)]
    mine = new[new["article_id"].isin(ids)].reindex(columns=part.columns)
    out = pd.concat([keep, mine], ignore_index=True)
    pos = out["article_id"].map(order)
    keys = [pos] + ([out["sentence_id"]] if "sentence_id" in out else [])
    sort = np.lexsort(tuple(k.to_numpy() for k in reversed(keys)))
    return out.iloc[sort].reset_index(drop=True).astype(part.dtypes.to_dict())


def apply_store_overrides(store, *, refresh_rollups: bool = True) -> StoreOverrides:
    """Bring the store's part files in line with ``DIR/overrides.parquet`` (see the
    module doc): corrected rows for the articles it corrects, the model's rows back for
    articles no longer corrected; then ``topics.parquet`` and (unless
    ``refresh_rollups`` is False: ``index`` refreshes every stale month itself) the
    roll-ups of the months rewritten.  ``store.json`` records the overrides version,
    so an open dashboard reopens the store.  Returns what was done."""
    t0 = time.perf_counter()
    store = Path(store)
    summary = StoreOverrides()
    overrides = read_overrides(overrides_path(store))
    originals_path = _dir(store) / "originals-articles.parquet"
    held = set(pd.read_parquet(originals_path, columns=["article_id"])["article_id"]) \
        if originals_path.exists() else set()
    touched = set(overrides["article_id"]) | held
    if not touched:
        _record(store, summary)
        return summary
    meta, params = _settings(store)
    topics = _topics(store)
    base, where, parts = _base_rows(store, touched, params)
    if where.empty:  # no corrected article is in the store (ids mistyped, inputs deleted)
        for name in ("marks", *(f"originals-{f}" for f in layout.FRAMES)):
            (_dir(store) / f"{name}.parquet").unlink(missing_ok=True)
        _record(store, summary)
        return summary
    fixed, out = _corrected_rows(base, topics, overrides, params)
    live = set(fixed["articles"].loc[fixed["articles"]["overridden"], "article_id"])
    summary.applied = int(out.params.get("overrides", 0))
    summary.corrected = len(live)
    summary.restored = len(held - live)
    state = layout.read_json(_dir(store) / "parts.json", {}) or {}
    for (frame, month, chunk), part in parts.frames.items():
        # Only what is corrected now or was before (held): other articles of the same
        # part are the model's rows already.
        ids = set(part["article_id"]) & (live | held)
        if not ids:
            continue
        art_part = parts.frames.get(("articles", month, chunk))
        order = {a: i for i, a in enumerate(art_part["article_id"])} if art_part is not None \
            else {a: i for i, a in enumerate(dict.fromkeys(part["article_id"]))}
        new = fixed[frame].drop(columns=["overridden"], errors="ignore")
        rewritten = _replace(part, new, ids, order)
        path = layout.part_path(store, frame, month, chunk)
        if rewritten.equals(part.reset_index(drop=True)):
            # Already what it should hold (another article's correction came or went):
            # no write, so its month's roll-ups are not refreshed for nothing; it holds
            # corrected rows, so it counts as written here.
            state[parts.rel(frame, month, chunk)] = _signature(path)
            continue
        layout._atomic(path, lambda tmp, r=rewritten, s=parts.schemas[(frame, month, chunk)]:
                       pq.write_table(pa.Table.from_pandas(r, schema=s, preserve_index=False), tmp))
        state[parts.rel(frame, month, chunk)] = _signature(path)
        summary.parts += 1
        if month not in summary.months:
            summary.months.append(month)
    # Keep the model's rows of what is corrected now; what is not is back in its parts.
    _dir(store).mkdir(exist_ok=True)
    for frame in layout.FRAMES:
        layout.atomic_write_parquet(base[frame][base[frame]["article_id"].isin(live)]
                                    .reset_index(drop=True), _dir(store) / f"originals-{frame}.parquet")
    present = {p for p in state if (store / p).exists()}
    layout.atomic_write_json({p: state[p] for p in present}, _dir(store) / "parts.json")
    marks = _marks(fixed, live)
    layout.atomic_write_parquet(marks, _dir(store) / "marks.parquet")
    summary.months.sort()
    if summary.parts:
        _refresh(store, meta, summary.months if refresh_rollups else None)
    summary.seconds = time.perf_counter() - t0
    _record(store, summary)
    return summary


def _record(store: Path, summary: StoreOverrides) -> None:
    """Note in ``store.json`` which overrides version the parts hold: an open dashboard
    reopens the store (its cache is keyed on that file), :func:`ensure_applied` skips."""
    meta = layout.read_json(store / "store.json", {}) or {}
    meta["overrides"] = {"applied": summary.applied, "corrected_articles": summary.corrected,
                         "version": overrides_version(overrides_path(store)),
                         "at": datetime.now(timezone.utc).isoformat()}
    layout.atomic_write_json(meta, store / "store.json")


def _marks(fixed: dict, live: set) -> pd.DataFrame:
    s = fixed["sentences"]
    s = s[s["overridden"]]
    return pd.DataFrame({
        "article_id": pd.Series(sorted(live) + s["article_id"].tolist(), dtype=object),
        "sentence_text": pd.Series([""] * len(live) + s["text"].tolist(), dtype=object)}
    ).drop_duplicates().reset_index(drop=True)


def _refresh(store: Path, meta: dict, months) -> None:
    """``topics.parquet`` (sizes and sentiment over the archive) and the roll-ups of
    ``months`` (None: left to the caller) after part files were rewritten."""
    from . import rollups
    from .archive_summary import topic_summary
    from .topic_store import model_topics

    model = (meta.get("model") or {}).get("dir")
    if model:
        names = layout.read_json(store / "topic_names.json", {}) or {}
        topics, _ = topic_summary(store, model_topics(str(store / model)), names)
        layout.atomic_write_parquet(topics, store / "topics.parquet")
    if months:
        rollups.write_rollups(store, months=months)


def ensure_applied(store, what: str = "applying corrections",
                   wait: float = 0.0) -> StoreOverrides | None:
    """Apply ``DIR/overrides.parquet`` when it changed since it was last applied (it
    was written by hand or by :func:`analysis.overrides.add_override` directly); None
    when the store is current.  A stat and a read of ``store.json``: cheap enough for
    every opening of the store.  Applying holds the store's writer lock
    (:func:`analysis.store_lock.store_writer`, waiting ``wait`` seconds;
    :class:`~analysis.store_lock.StoreBusy` when another process writes the store)."""
    store = Path(store)
    if _applied(store):
        return None
    with store_writer(store, what, timeout=wait):
        # Another writer may have applied them while this one waited.
        return None if _applied(store) else apply_store_overrides(store)


def _applied(store: Path) -> bool:
    meta = layout.read_json(store / "store.json", {}) or {}
    done = (meta.get("overrides") or {}).get("version", "none")
    return overrides_version(overrides_path(store)) == done


def in_use(store) -> bool:
    """Whether the store has corrections to (re)apply: an overrides file, or rows kept
    from earlier corrections (the file may have been removed by hand)."""
    return overrides_path(store).exists() or _dir(store).exists()


def has_corrections(store) -> bool:
    """Whether corrections were ever applied to the store (its exports then carry the
    ``overridden`` column, all False after every correction is undone)."""
    return (_dir(store) / "marks.parquet").exists()


def store_marks(store) -> tuple[set, set]:
    """``(article_ids, sentence_keys)`` corrected in the store's parts now: the articles
    with any correction and the ``(article_id, sentence_text)`` of corrected sentences."""
    path = _dir(store) / "marks.parquet"
    if not path.exists():
        return set(), set()
    marks = pd.read_parquet(path)
    whole = marks["sentence_text"] == ""
    return (set(marks.loc[whole, "article_id"]),
            set(zip(marks.loc[~whole, "article_id"], marks.loc[~whole, "sentence_text"])))


def mark_overridden(frame: pd.DataFrame, marks: tuple[set, set], kind: str) -> pd.DataFrame:
    """``frame`` (articles or sentences rows of the store, ``kind``) with the
    ``overridden`` (bool) column of an in-memory corrected result."""
    articles, sentences = marks
    if kind == "articles":
        flag = frame["article_id"].isin(articles)
    else:
        flag = pd.Series([(a, t) in sentences for a, t in
                          zip(frame["article_id"], frame["text"])], index=frame.index, dtype=bool)
    return frame.assign(overridden=flag.to_numpy(dtype=bool))


def describe_store_overrides(store) -> pd.DataFrame:
    """:func:`analysis.overrides.describe_overrides` of the store's overrides, the old
    values taken from the model's rows."""
    store = Path(store)
    overrides = read_overrides(overrides_path(store))
    base, _, _ = _base_rows(store, set(overrides["article_id"]), _settings(store)[1])
    if base["articles"].empty:
        base = {f: pd.DataFrame({"article_id": pd.Series(dtype=object),
                                 "text": pd.Series(dtype=object)}) for f in layout.FRAMES}
        for col in ("title", "compound", "label", "topic_id", "topic_label"):
            base["articles"][col] = pd.Series(dtype=object)
        for col in ("compound", "label"):
            base["sentences"][col] = pd.Series(dtype=object)
    return describe_overrides(_result(base["articles"], base["sentences"],
                                      base["article_topics"], _topics(store), {}), overrides)
