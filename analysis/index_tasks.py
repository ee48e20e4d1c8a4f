"""The per-chunk work of an index run: pure, module-level functions that any engine runs.

Each takes plain arguments (paths, lists, dicts), reads its inputs from the file system
and writes its outputs into the store, so the same function runs in this process, in a
local worker or on a Dask worker of another machine (which then needs the source and the
store at the same path).  A chunk goes through two tasks:

1. :func:`prepare_chunk`: read the chunk's input files (``analysis.corpus.read_source``),
   split and score every sentence (``analysis.pipeline.process_chunk``), roll up per
   article, and stage the result (Arrow files under ``_state/staging/<chunk>/``);
2. :func:`assign_chunk`: once the topic model exists, assign every staged article with
   ``TopicModel.transform`` and write the chunk's Parquet parts, one per month.

Staging is what lets the fit run beside the splitting and scoring (step 1 needs no
model) and lets a killed run resume without redoing finished chunks.
:func:`fit_topics` is the fit (:func:`fit_and_save_topics` on a first run, which
also saves the model).
"""
from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.feather as feather
import pyarrow.parquet as pq
from threadpoolctl import threadpool_limits

from . import archive_layout as layout
from . import table_pieces
from .corpus import SourceError, read_source
from .input_scan import file_digest
from .topic_documents import topic_documents
from .topic_store import load_model

# The splitting, scoring and topic modules (scikit-learn) are imported inside the tasks:
# the parent of an index run only plans and commits, and a re-run with little to do
# should not pay for importing them.

__all__ = ["prepare_chunk", "assign_chunk", "fit_topics", "fit_and_save_topics", "save_fitted",
           "stable_hash", "stratified_sample", "survey_table"]

#: The survey of a big table (:func:`analysis.table_pieces.survey_table`), a task too.
survey_table = table_pieces.survey_table


def stable_hash(values) -> np.ndarray:
    """64-bit hash of each string (int64; the same on every machine and run)."""
    return np.array([int.from_bytes(hashlib.blake2b(str(v).encode("utf-8", "surrogatepass"),
                                                    digest_size=8).digest(), "little", signed=True)
                     for v in values], dtype=np.int64)


def _read_members(root: str, members: list[tuple], read_options: dict,
                  digests: dict | None = None):
    """The corpus and skipped frames of a chunk's inputs (``(path, kind)`` pairs, or one
    ``(path, "table", piece)`` triple: a row range of a big table,
    :mod:`analysis.table_pieces`); ``digests`` (a dict) gets the SHA-256 of each ``.txt``
    file read, by absolute path."""
    if len(members) == 1 and len(members[0]) > 2 and members[0][2] is not None:
        rel, _, piece = members[0]
        try:
            return table_pieces.read_piece(root, rel, piece, piece["plan"], read_options)
        except SourceError as exc:
            return None, pd.DataFrame({"source": pd.Series([os.path.join(root, rel)], dtype=object),
                                       "reason": pd.Series([str(exc)], dtype=object)})
    paths = [os.path.join(root, m[0]) for m in members]
    try:
        return read_source(paths if len(paths) > 1 else paths[0], digests=digests, **read_options)
    except SourceError as exc:
        # A table without a text column, or every file gone since the scan: the
        # inputs are skipped, not the run.
        skipped = pd.DataFrame({"source": pd.Series(paths, dtype=object),
                                "reason": pd.Series([str(exc)] * len(paths), dtype=object)})
        return None, skipped


def _input_of(source: str, root: str) -> str:
    """The input path (relative to the root) an article's or skip's ``source`` is from."""
    rel = os.path.relpath(source.split(":row ")[0].split(":line ")[0].split(":record ")[0], root)
    return rel.replace(os.sep, "/")


def prepare_chunk(store: str, root: str, chunk: str, members: list[tuple[str, str]],
                  read_options: dict, settings: dict) -> dict:
    """Read, split and score one chunk into the staging area; returns its summary.

    ``members`` are ``(relative path, kind)`` of the chunk's inputs, or one
    ``(relative path, "table", piece)``: a row range of a table cut in pieces (the piece
    dict of :func:`analysis.table_pieces.survey_table` plus ``plan``, the table's plan,
    ``index`` and ``count``).  The summary (also
    written as ``summary.json``, which marks the staging as complete) holds ``inputs``
    (per input: ``path``, ``digest``, ``status``, ``reason``, ``n_articles``,
    ``n_chunks``: the pieces of the input, 1 but for a table in pieces) and
    ``skipped`` (``[source, reason]`` pairs); the articles' keys for cross-chunk
    de-duplication are in ``keys.arrow``.  A chunk already staged is not redone.
    """
    stage = layout.staging_dir(store, chunk)
    done = layout.read_json(stage / "summary.json")
    if done is not None:
        return done
    from .pipeline import process_chunk
    from .sentiment import article_sentiment

    t0 = time.perf_counter()
    read = {}
    corpus, skipped = _read_members(root, members, read_options, read)
    digests, n_chunks = {}, {}
    for rel, kind, *piece in members:
        # A .txt file's digest is that of the bytes just read (no second read); a piece's
        # is its table's, from the survey; tables, and files that could not be read,
        # are digested here.
        path = os.path.join(root, rel)
        piece = piece[0] if piece else None
        n_chunks[rel] = 1 if piece is None else int(piece["count"])
        try:
            digests[rel] = (piece["plan"]["digest"] if piece is not None else
                            read[path] if path in read else file_digest(path))
        except OSError:
            digests[rel] = ""
    if corpus is None or corpus.empty:
        corpus = None
    if corpus is not None:
        corpus = corpus.reset_index(drop=True)
        parts = corpus[[c for c in ("article_id", "title", "text") if c in corpus.columns]]
        sentences = process_chunk(parts, settings["max_words"], settings["positive"],
                                  settings["negative"])
        per_article = article_sentiment(sentences, corpus["article_id"].tolist(),
                                        settings["positive"], settings["negative"])
        articles = corpus.copy()
        for col in per_article.columns.drop("article_id"):
            articles[col] = per_article[col].to_numpy()
        keys = pd.DataFrame({
            "article_id": articles["article_id"].astype(object),
            "source": articles["source"].astype(object),
            "id_hash": stable_hash(articles["article_id"]),
            "text_hash": stable_hash(articles["text"]),
        })
    else:
        articles = sentences = None
        keys = pd.DataFrame({"article_id": pd.Series(dtype=object), "source": pd.Series(dtype=object),
                             "id_hash": pd.Series(dtype=np.int64), "text_hash": pd.Series(dtype=np.int64)})
    # An article of a .txt file has that file's path as its source, as given to
    # read_source: looked up, not re-derived by relpath (0.02 s per chunk of 4,000).
    given = {os.path.join(root, m[0]): m[0] for m in members}
    counts = {} if corpus is None else pd.Series(
        [given.get(s) or _input_of(s, root) for s in corpus["source"]]).value_counts().to_dict()
    skip_by_input = {}
    for src, reason in skipped.itertuples(index=False):
        skip_by_input.setdefault(_input_of(src, root), reason)
    inputs = []
    for rel, kind, *_ in members:
        n = int(counts.get(rel, 0))
        whole_skip = n == 0 and rel in skip_by_input
        inputs.append({"path": rel, "kind": kind, "digest": digests[rel],
                       "status": "skipped" if whole_skip else "analysed",
                       "reason": skip_by_input[rel] if whole_skip else "", "n_articles": n,
                       "n_chunks": n_chunks[rel]})
    stage.mkdir(parents=True, exist_ok=True)
    if articles is not None:
        _write_arrow(articles, stage / "articles.arrow")
        _write_arrow(sentences, stage / "sentences.arrow")
    _write_arrow(keys, stage / "keys.arrow")
    summary = {"chunk": chunk, "inputs": inputs,
               "skipped": [[s, r] for s, r in skipped.itertuples(index=False)],
               "seconds": time.perf_counter() - t0}
    # One line: read back only by a resumed run, written once per chunk.
    layout.atomic_write_json(summary, stage / "summary.json", indent=None)
    return summary


def _write_arrow(frame: pd.DataFrame, path: Path) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    # Uncompressed: a chunk's staging is read once, by its assign task, and removed at
    # its commit, so only the chunks in flight are on disk; LZ4 cost 4x the CPU of the
    # write and of the read (measured on 8,500 articles: 0.05 s each, 0.01 s without).
    feather.write_feather(pa.Table.from_pandas(frame, preserve_index=False), tmp,
                          compression="uncompressed")
    os.replace(tmp, path)


def _read_arrow(path: Path) -> pd.DataFrame:
    return feather.read_table(path).to_pandas()


def _chunk_frames(store: str, chunk: str, origin: str):
    """The chunk's articles and sentences without topic columns, from the staging area
    (``origin="staging"``) or from its written parts (``"parts"``, for a refit)."""
    if origin == "staging":
        stage = layout.staging_dir(store, chunk)
        if not (stage / "articles.arrow").exists():
            return None, None
        return _read_arrow(stage / "articles.arrow"), _read_arrow(stage / "sentences.arrow")
    frames = {}
    for name in ("articles", "sentences"):
        paths = sorted(Path(store, name).glob(f"month=*/part-{chunk}.parquet"))
        if not paths:
            return None, None
        frames[name] = pd.concat([pq.read_table(p).to_pandas() for p in paths], ignore_index=True)
    articles = frames["articles"].drop(columns=["topic_id", "topic_weight", "topic_label"],
                                       errors="ignore")
    sentences = frames["sentences"].drop(columns=["published", "topic_id"], errors="ignore")
    # Months in sorted order, rows in reading order within each: rewriting them month by
    # month gives the same parts.
    return articles, sentences


def assign_chunk(store: str, chunk: str, model_dir: str, labels: dict, drop_ids: list[str],
                 origin: str = "staging") -> dict:
    """Assign topics to a chunk's articles and write its parts (one per month).

    ``drop_ids`` are articles another chunk already holds (cross-chunk duplicates):
    left out.  ``labels`` maps store topic ids to their labels.  Returns ``months`` (partitions written), ``n_articles``, ``n_sentences``.
    """
    articles, sentences = _chunk_frames(store, chunk, origin)
    layout.remove_chunk_parts(store, chunk)
    if articles is None:
        return {"months": [], "n_articles": 0, "n_sentences": 0}
    if drop_ids:
        drop = set(drop_ids)
        articles = articles[~articles["article_id"].isin(drop)].reset_index(drop=True)
        sentences = sentences[~sentences["article_id"].isin(drop)].reset_index(drop=True)
    model, topic_ids = load_model(model_dir)
    with threadpool_limits(1):
        weights = model.transform(topic_documents(articles)) if len(articles) else \
            np.zeros((0, len(topic_ids)))
    ids = np.asarray(topic_ids, dtype=np.int64)
    has = weights.sum(axis=1) > 0 if weights.shape[1] else np.zeros(len(articles), dtype=bool)
    best = weights.argmax(axis=1) if weights.shape[1] else np.zeros(len(articles), dtype=np.int64)
    articles = articles.copy()
    articles["topic_id"] = np.where(has, ids[best] if len(ids) else -1, -1).astype(np.int64)
    articles["topic_weight"] = np.where(has, weights[np.arange(len(articles)), best]
                                        if weights.shape[1] else 0.0, 0.0).astype(np.float64)
    articles["topic_label"] = pd.Series([labels.get(int(t), labels.get(str(int(t)), "(no topic)")) for t in articles["topic_id"]],
                                        dtype=object)
    if "theme_id" in model.topics_:
        # The theme of each article's dominant topic, as the in-memory pipeline gives it.
        themes = dict(zip(ids[:len(model.topics_)], model.topics_["theme_id"].astype(np.int64)))
        names = dict(zip(model.topics_["theme_id"].astype(np.int64), model.topics_["theme_label"]))
        articles["theme_id"] = np.asarray([themes.get(int(t), -1) for t in articles["topic_id"]],
                                          dtype=np.int64)
        articles["theme_label"] = pd.Series([names.get(t, "(no topic)") for t in
                                             articles["theme_id"]], dtype=object)
    rows, cols = np.nonzero(weights > 0)
    article_topics = pd.DataFrame({
        "article_id": pd.Series(articles["article_id"].to_numpy(dtype=object)[rows], dtype=object),
        "topic_id": ids[cols] if len(cols) else np.zeros(0, dtype=np.int64),
        "weight": weights[rows, cols].astype(np.float64),
    })
    month = layout.month_of(articles["published"])
    by_id = pd.Series(month.to_numpy(), index=articles["article_id"])
    s_month = by_id.reindex(sentences["article_id"]).to_numpy()
    pos = pd.Index(articles["article_id"]).get_indexer(sentences["article_id"])
    sentences = sentences.copy()
    sentences["published"] = articles["published"].to_numpy()[pos]
    sentences["topic_id"] = articles["topic_id"].to_numpy()[pos]
    at_month = by_id.reindex(article_topics["article_id"]).to_numpy()
    months = sorted(set(month))
    for m in months:
        layout.atomic_write_parquet(articles[month.to_numpy() == m],
                                    layout.part_path(store, "articles", m, chunk))
        layout.atomic_write_parquet(sentences[s_month == m],
                                    layout.part_path(store, "sentences", m, chunk))
        layout.atomic_write_parquet(article_topics[at_month == m],
                                    layout.part_path(store, "article_topics", m, chunk))
    return {"months": months, "n_articles": int(len(articles)), "n_sentences": int(len(sentences))}


def _quotas(sizes: dict, size: int) -> dict:
    """Rows to take per month: equal shares of ``size``, a month with fewer rows
    giving the rest of its share to the others (water-filling)."""
    quota, left, open_ = {m: 0 for m in sizes}, size, sorted(sizes)
    while left > 0 and open_:
        share = max(1, left // len(open_))
        for m in list(open_):
            take = min(share, sizes[m] - quota[m], left)
            quota[m] += take
            left -= take
            if quota[m] >= sizes[m]:
                open_.remove(m)
            if left == 0:
                break
    return quota


def stratified_sample(frame: pd.DataFrame, size: int, random_state: int) -> pd.DataFrame:
    """At most ``size`` rows of ``frame`` (``article_id``, ``published``), spread over the
    months so each is represented (:func:`_quotas`); within a month, rows are taken in
    the order of a seeded hash of the id, so the sample does not depend on row order."""
    if len(frame) <= size:
        return frame.reset_index(drop=True)
    month = layout.month_of(frame["published"]).to_numpy()
    rank = stable_hash([f"{random_state}:{a}" for a in frame["article_id"]])
    order = np.lexsort((rank, month))
    month_sorted = month[order]
    groups = {m: order[month_sorted == m] for m in sorted(set(month))}
    quota = _quotas({m: len(g) for m, g in groups.items()}, size)
    picked = np.sort(np.concatenate([g[:quota[m]] for m, g in groups.items()]))
    return frame.iloc[picked].reset_index(drop=True)


def _sample_candidates(root: str, members: list[tuple], read_options: dict, random_state: int):
    """The articles the sample is drawn from: those of the ``(path, kind)`` members, and
    of each table piece (``(path, "table", piece)``) the rows whose seeded hash of the id
    falls in the piece's ``sample_share`` (a uniform draw, as the ``.txt`` candidates
    are drawn by a hash of their path), read one piece at a time: a big table is never
    held whole."""
    plain = [m for m in members if len(m) < 3 or m[2] is None]
    frames = []
    if plain:
        corpus, _ = _read_members(root, plain, read_options)
        if corpus is not None:
            frames.append(corpus[["article_id", "published", "title", "text"]])
    for member in members:
        if len(member) < 3 or member[2] is None:
            continue
        rel, _, piece = member
        share = float(piece.get("sample_share", 1.0))
        try:
            corpus, _ = table_pieces.read_piece(root, rel, piece, piece["plan"], read_options,
                                                keep=lambda ids: _drawn(ids, share, random_state))
        except SourceError:
            continue
        frames.append(corpus[["article_id", "published", "title", "text"]])
    frames = [f for f in frames if len(f)]
    return pd.concat(frames, ignore_index=True) if frames else None


def _drawn(ids: list, share: float, random_state: int) -> np.ndarray:
    """Which ids a seeded hash draws with probability ``share`` (int64 hashes are
    uniform over [-2**63, 2**63): the lowest ``share`` of that range)."""
    if share >= 1.0:
        return np.ones(len(ids), dtype=bool)
    rank = stable_hash([f"{random_state}:{a}" for a in ids])
    return rank < -2**63 + share * 2.0**64


def fit_topics(root: str | None, members: list[tuple] | None, sample: pd.DataFrame | None,
               read_options: dict, sample_size: int, n_topics, k_range, random_state: int):
    """Fit a :class:`~analysis.topics.TopicModel` on a time-stratified sample.

    The sample is drawn from ``sample`` (a frame with ``article_id``, ``published``,
    ``title``, ``text``) or else read from the candidate input files ``members``.
    Returns ``(model, info)`` with ``info``: ``sample_size``, ``seconds``.
    """
    from .topics import TopicModel

    t0 = time.perf_counter()
    if sample is None:
        sample = _sample_candidates(root, members, read_options, random_state)
        if sample is None or sample.empty:
            raise ValueError("no article could be read for the topic model's sample")
    sample = stratified_sample(sample, sample_size, random_state)
    model = TopicModel(n_topics=n_topics, k_range=None if k_range is None else tuple(k_range),
                       random_state=random_state)
    with threadpool_limits(1):
        model.fit(topic_documents(sample), sample["article_id"].tolist())
    return model, {"sample_size": int(len(sample)), "seconds": time.perf_counter() - t0}


def fit_and_save_topics(store: str, root: str, members: list[tuple], read_options: dict,
                        sample_size: int, n_topics, k_range, random_state: int) -> dict:
    """:func:`fit_topics` on a first run, the model saved into the store by the task
    itself (``analysis.topic_store.save_model``, store ids ``0 … n_topics − 1``).

    Returns what the parent records: ``model_dir``, ``n_topics``, ``chosen_by``,
    ``sample_size``, ``seconds``.  The model itself does not travel back: unpickling it
    would make the parent import scikit-learn (about a second in which it hands out no
    work, and its memory for the rest of the run)."""
    model, info = fit_topics(root, members, None, read_options, sample_size, n_topics,
                             k_range, random_state)
    return save_fitted(store, model, info, list(range(model.n_topics_)))


def save_fitted(store: str, model, info: dict, topic_ids) -> dict:
    """Save a fitted model under ``topic_ids`` (``analysis.topic_store.save_model``) and
    return what the store records of it: ``model_dir``, ``n_topics``, ``chosen_by`` and
    :func:`fit_topics`' ``info`` (``sample_size``, ``seconds``)."""
    from .topic_store import save_model

    return {"model_dir": save_model(store, model, topic_ids), "n_topics": int(model.n_topics_),
            "chosen_by": model.chosen_by_, **info}


def rollup_months(store: str, months: list[str]) -> dict:
    """Write the roll-up files of ``months`` (:func:`analysis.rollups.write_months`) while
    the run goes on or at its end; returns their signatures for the parent to record
    (``analysis.rollups.record_months``: only the parent writes ``rollups/state.json``,
    so several of these tasks can run at once), or ``{}`` when it failed.  DuckDB runs
    :data:`analysis.rollups.ROLLUP_THREADS` threads, as in every roll-up: its float
    sums depend on the thread count (in the last bit), and a month must come out the
    same whichever roll-up made it.

    An optimisation only: the run's final roll-up (:func:`analysis.indexer.after_index`)
    redoes every month whose part files differ from those recorded, so a month a later
    chunk touched, or one read while a part of it was being replaced (any error here),
    ends up right anyway.
    """
    from . import rollups

    try:
        return rollups.write_months(store, months)
    except Exception:   # noqa: BLE001 - see above: the final roll-up redoes these months
        return {}
