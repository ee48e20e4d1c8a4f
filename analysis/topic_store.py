"""The archive's fitted topic model on disk, and topic ids that survive a refit.

A model is saved under ``model/<version>/`` (``model.pkl``: the fitted
:class:`~analysis.topics.TopicModel`, vectorizer and NMF included, pickled (protocol 5;
the C pickler is 10x faster than joblib's on the vocabulary dict); ``topic_ids.json``:
the store's topic id of each model topic, in the model's order; ``topics.parquet``: the
model's topics frame under those ids).  The version is a
digest of the saved bytes, so a chunk record says which model assigned it.

Store topic ids are not the model's numbering: a refit gives a new model whose topics
are matched one-to-one to the old ones by the cosine of their term vectors (over the
union of both vocabularies, Hungarian assignment); a match keeps the old id (and so the
user's name for it), a new topic gets an id never used before.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

import pickle
import numpy as np
import pandas as pd

__all__ = ["save_model", "load_model", "model_topics", "match_topics", "MIN_MATCH_COSINE"]

#: Below this cosine two topics are not the same topic: the pair is left unmatched.
MIN_MATCH_COSINE = 0.3

_CACHE: dict = {}   # model_dir -> (model, topic_ids); one per worker process


def save_model(store, model, topic_ids) -> str:
    """Save ``model`` with its store ids; returns its folder (``model/<version>``)."""
    data = pickle.dumps(model, protocol=5)
    version = hashlib.sha256(data + json.dumps([int(t) for t in topic_ids]).encode()).hexdigest()[:16]
    final = Path(store) / "model" / version
    if not final.exists():
        final.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{version}.", dir=final.parent))
        (tmp / "model.pkl").write_bytes(data)
        (tmp / "topic_ids.json").write_text(json.dumps([int(t) for t in topic_ids]))
        topics = model.topics_.copy()
        topics["topic_id"] = np.asarray(topic_ids, dtype=np.int64)[:len(topics)]
        topics.to_parquet(tmp / "topics.parquet", index=False)
        # How k was chosen (one row per k tried), for the dashboard's k panel: read
        # without unpickling the model, like topics.parquet.
        scores = getattr(model, "k_scores_", None)
        written = [tmp, tmp / "model.pkl", tmp / "topic_ids.json", tmp / "topics.parquet"]
        if isinstance(scores, pd.DataFrame) and len(scores):
            scores.to_parquet(tmp / "k_scores.parquet", index=False)
            written.append(tmp / "k_scores.parquet")
        for p in written:
            os.chmod(p, 0o755 if p.is_dir() else 0o644)
        try:
            os.replace(tmp, final)
        except OSError:          # another writer got there first: same bytes
            shutil.rmtree(tmp, ignore_errors=True)
    return str(final)


def model_k_scores(model_dir) -> pd.DataFrame:
    """The saved model's ``k_scores_`` (empty when k was given, or for a model saved
    before they were kept)."""
    path = os.path.join(str(model_dir), "k_scores.parquet")
    return pd.read_parquet(path) if os.path.exists(path) else pd.DataFrame()


def model_topics(model_dir) -> pd.DataFrame:
    """The saved model's ``topics_`` frame under store ids (no unpickling: the parent of
    an index run reads labels and terms without importing scikit-learn)."""
    path = os.path.join(str(model_dir), "topics.parquet")
    if not os.path.exists(path):          # saved before this file was written
        model, ids = load_model(model_dir)
        topics = model.topics_.copy()
        topics["topic_id"] = np.asarray(ids, dtype=np.int64)[:len(topics)]
        return topics
    return pd.read_parquet(path)


def load_model(model_dir):
    """``(model, topic_ids)`` saved in ``model_dir`` (cached per process)."""
    model_dir = str(model_dir)
    hit = _CACHE.get(model_dir)
    if hit is None:
        with open(os.path.join(model_dir, "model.pkl"), "rb") as fh:
            model = pickle.load(fh)
        with open(os.path.join(model_dir, "topic_ids.json")) as fh:
            ids = [int(t) for t in json.load(fh)]
        _CACHE.clear()
        hit = _CACHE[model_dir] = (model, ids)
    return hit


def _term_matrix(model, vocabulary: dict) -> np.ndarray:
    terms = model.vectorizer_.get_feature_names_out()
    out = np.zeros((model.n_topics_, len(vocabulary)))
    cols = np.array([vocabulary[t] for t in terms], dtype=np.int64)
    out[:, cols] = model.topic_term_
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.where(norms == 0, 1, norms)


def match_topics(old_model, old_ids, new_model, next_id: int,
                 min_cosine: float = MIN_MATCH_COSINE) -> tuple[list[int], pd.DataFrame]:
    """Store ids for ``new_model``'s topics, and the matching.

    Returns ``(new_ids, matching)``: ``new_ids[j]`` is the store id of new topic ``j``;
    ``matching`` has one row per topic old or new: ``topic_id`` (int64, store id),
    ``old_index`` / ``new_index`` (Int64, position in each model, NA when absent),
    ``cosine`` (float64, NaN when unmatched), ``status`` (str: ``matched``, ``new``,
    ``retired``), ``old_label``, ``new_label`` (str).
    """
    from scipy.optimize import linear_sum_assignment

    old_terms = old_model.vectorizer_.get_feature_names_out() if old_model.n_topics_ else []
    new_terms = new_model.vectorizer_.get_feature_names_out() if new_model.n_topics_ else []
    vocabulary = {t: i for i, t in enumerate(sorted(set(old_terms) | set(new_terms)))}
    k_old, k_new = old_model.n_topics_, new_model.n_topics_
    cos = np.zeros((k_old, k_new))
    if k_old and k_new:
        cos = _term_matrix(old_model, vocabulary) @ _term_matrix(new_model, vocabulary).T
    rows, cols = linear_sum_assignment(-cos) if k_old and k_new else ([], [])
    pairs = {int(c): int(r) for r, c in zip(rows, cols) if cos[r, c] >= min_cosine}
    new_ids, records = [], []
    old_labels = list(old_model.topics_["label"]) if k_old else []
    new_labels = list(new_model.topics_["label"]) if k_new else []
    for j in range(k_new):
        if j in pairs:
            i = pairs[j]
            new_ids.append(int(old_ids[i]))
            records.append((int(old_ids[i]), i, j, float(cos[i, j]), "matched", old_labels[i], new_labels[j]))
        else:
            new_ids.append(next_id)
            records.append((next_id, pd.NA, j, np.nan, "new", "", new_labels[j]))
            next_id += 1
    matched_old = set(pairs.values())
    for i in range(k_old):
        if i not in matched_old:
            best = float(cos[i].max()) if k_new else np.nan
            records.append((int(old_ids[i]), i, pd.NA, best, "retired", old_labels[i], ""))
    matching = pd.DataFrame(records, columns=["topic_id", "old_index", "new_index", "cosine",
                                              "status", "old_label", "new_label"])
    matching["topic_id"] = matching["topic_id"].astype(np.int64)
    for col in ("old_index", "new_index"):
        matching[col] = matching[col].astype("Int64")
    matching["cosine"] = matching["cosine"].astype(np.float64)
    return new_ids, matching
