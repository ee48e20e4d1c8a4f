"""The analyst's corrections: override a sentiment, move an article to another topic.

Overrides live in their own Parquet file beside a result (``overrides.parquet`` in the
result's folder, :func:`overrides_path`), never inside the result, so re-analysing or
refitting keeps them: they are keyed by article id and sentence text, not by positions
or cache keys.  :func:`apply_overrides` returns a result in which every frame reflects
them (sentence scores, article roll-ups, dominant topics, topic sizes), with an
``overridden`` column on sentences and articles; everything computed from that result
(timelines, alerts, comparisons, exports) follows.

Kinds
-----
``sentence``  a sentence's compound / label (``sentence_text`` names it; every sentence of
              the article with exactly that text is overridden);
``article``   an article's compound / label (its sentences keep theirs);
``topic``     an article's dominant topic (its topic mix becomes that topic alone).

A label without a score takes :data:`LABEL_SCORES` (positive +0.5, neutral 0, negative
−0.5) as its compound, so means move with the label; a score without a label gets the
label of the score.  A new override of the same target replaces the previous one.

Example
-------
>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "overrides.parquet"
>>> oid = add_override(path, "sentence", "a1", sentence_text="Fine.", label="negative")
>>> read_overrides(path)[["override_id", "kind", "score"]].values.tolist()
[[1, 'sentence', -0.5]]
>>> _ = undo_override(path, oid); len(read_overrides(path))
0
"""
from __future__ import annotations

import dataclasses
import os
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from .sentiment import NEGATIVE, POSITIVE, article_sentiment, label_scores

__all__ = ["OVERRIDE_COLUMNS", "KINDS", "LABEL_SCORES", "FILE_NAME", "overrides_path",
           "read_overrides", "write_overrides", "add_override", "undo_override",
           "new_override", "apply_overrides", "override_status", "describe_overrides",
           "overrides_version"]

FILE_NAME = "overrides.parquet"
KINDS = ("sentence", "article", "topic")
LABEL_SCORES = {"positive": 0.5, "neutral": 0.0, "negative": -0.5}
OVERRIDE_COLUMNS = ["override_id", "kind", "article_id", "sentence_text", "label", "score",
                    "topic_id", "topic_label", "note", "created"]


def overrides_path(folder) -> Path:
    """Where the overrides of the result stored in ``folder`` live."""
    return Path(folder) / FILE_NAME


def _empty() -> pd.DataFrame:
    return pd.DataFrame({
        "override_id": pd.Series(dtype=np.int64), "kind": pd.Series(dtype=object),
        "article_id": pd.Series(dtype=object), "sentence_text": pd.Series(dtype=object),
        "label": pd.Series(dtype=object), "score": pd.Series(dtype=np.float64),
        "topic_id": pd.Series(dtype="Int64"), "topic_label": pd.Series(dtype=object),
        "note": pd.Series(dtype=object), "created": pd.Series(dtype="datetime64[ns]"),
    })


def read_overrides(path) -> pd.DataFrame:
    """The overrides stored at ``path`` (an empty frame when the file does not exist).

    Columns :data:`OVERRIDE_COLUMNS`: ``override_id`` (int64), ``kind`` (str),
    ``article_id`` (str), ``sentence_text`` (str, "" unless kind is sentence),
    ``label`` (str, "" for topic moves), ``score`` (float64, NaN for topic moves),
    ``topic_id`` (Int64, NA unless a topic move), ``topic_label`` (str), ``note`` (str),
    ``created`` (datetime64[ns]).
    """
    path = Path(path)
    if not path.exists():
        return _empty()
    try:
        frame = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises many types for damaged files
        raise ValueError(f"cannot read overrides file {path}: {exc}") from None
    missing = set(OVERRIDE_COLUMNS) - set(frame.columns)
    if missing:
        raise ValueError(f"{path} is not an overrides file: it lacks {sorted(missing)}")
    out = _empty()
    for col in OVERRIDE_COLUMNS:
        out[col] = frame[col].astype(out[col].dtype) if len(frame) else out[col]
    for col in ("kind", "article_id", "sentence_text", "label", "topic_label", "note"):
        out[col] = out[col].fillna("").astype(object)
    return out.reset_index(drop=True)


def write_overrides(path, overrides: pd.DataFrame) -> Path:
    """Write ``overrides`` to ``path`` atomically (temporary file, then rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        overrides[OVERRIDE_COLUMNS].to_parquet(tmp, index=False)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def new_override(overrides: pd.DataFrame, kind: str, article_id: str, *,
                 sentence_text: str = "", label: str | None = None,
                 score: float | None = None, topic_id: int | None = None,
                 topic_label: str = "", note: str = "", created=None) -> pd.DataFrame:
    """``overrides`` with one more (a copy; the input is not modified).  An override of the
    same target (kind, article, sentence text) replaces the earlier one."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {list(KINDS)}; got {kind!r}")
    if not isinstance(article_id, str) or not article_id:
        raise ValueError(f"article_id must be a non-empty string; got {article_id!r}")
    if kind == "sentence" and not (isinstance(sentence_text, str) and sentence_text.strip()):
        raise ValueError("a sentence override needs sentence_text= (the sentence as in the "
                         "sentences frame)")
    if kind != "sentence":
        sentence_text = ""
    if kind == "topic":
        if topic_id is None or isinstance(topic_id, bool) or not isinstance(topic_id, (int, np.integer)):
            raise ValueError(f"a topic move needs topic_id= an integer; got {topic_id!r}")
        if label is not None or score is not None:
            raise ValueError("a topic move takes topic_id, not label or score")
        label_out, score_out = "", np.nan
    else:
        if topic_id is not None:
            raise ValueError(f"a {kind} override takes label or score, not topic_id")
        label_out, score_out = _label_and_score(label, score)
    target = ((overrides["kind"] == kind) & (overrides["article_id"] == article_id)
              & (overrides["sentence_text"] == sentence_text))
    kept = overrides[~target]
    next_id = int(overrides["override_id"].max()) + 1 if len(overrides) else 1
    row = pd.DataFrame({
        "override_id": [next_id], "kind": [kind], "article_id": [article_id],
        "sentence_text": [sentence_text], "label": [label_out], "score": [score_out],
        "topic_id": pd.array([topic_id], dtype="Int64"), "topic_label": [str(topic_label or "")],
        "note": [str(note or "")],
        "created": [pd.Timestamp.now().floor("s") if created is None else pd.Timestamp(created)],
    })
    out = pd.concat([kept, row], ignore_index=True) if len(kept) else row
    return out.astype(_empty().dtypes.to_dict())


def _label_and_score(label, score) -> tuple[str, float]:
    if label is None and score is None:
        raise ValueError("a sentiment override needs label= (positive, neutral, negative) "
                         "or score= (-1..1)")
    if label is not None and label not in LABEL_SCORES:
        raise ValueError(f"label must be one of {list(LABEL_SCORES)}; got {label!r}")
    if score is not None:
        if isinstance(score, bool) or not isinstance(score, (int, float, np.floating)) \
                or not -1.0 <= float(score) <= 1.0:
            raise ValueError(f"score must be a number from -1 to 1; got {score!r}")
        from_score = str(label_scores([float(score)])[0])
        if label is not None and label != from_score:
            raise ValueError(f"label {label!r} contradicts score {score} (a {from_score} "
                             f"score); give one of them")
        return from_score, float(score)
    return label, LABEL_SCORES[label]


def add_override(path, kind: str, article_id: str, **fields) -> int:
    """Add an override to the file at ``path`` (see :func:`new_override` for the
    fields); returns its ``override_id``."""
    out = new_override(read_overrides(path), kind, article_id, **fields)
    write_overrides(path, out)
    return int(out["override_id"].iloc[-1])


def undo_override(path, override_id: int) -> pd.DataFrame:
    """Remove one override from the file at ``path``; returns the removed row."""
    current = read_overrides(path)
    hit = current["override_id"] == int(override_id)
    if not hit.any():
        raise ValueError(f"no override with override_id={override_id} in {path}; ids there: "
                         f"{current['override_id'].tolist()}")
    write_overrides(path, current[~hit].reset_index(drop=True))
    return current[hit].reset_index(drop=True)


def _target_topic(row, topics: pd.DataFrame):
    """The topic a move refers to: by label when one has it (ids can change on a
    refit with another k), else by id; None when neither exists."""
    if row.topic_label:
        hit = topics.loc[topics["label"] == row.topic_label, "topic_id"]
        if len(hit):
            return int(hit.iloc[0])
    if not pd.isna(row.topic_id) and int(row.topic_id) in set(topics["topic_id"].astype(int)):
        return int(row.topic_id)
    return None


def override_status(result, overrides: pd.DataFrame) -> pd.DataFrame:
    """The overrides with ``applies`` (bool) and ``reason`` (str, "" when it applies):
    whether each still finds its article, sentence or topic in ``result``."""
    ids = set(result.articles["article_id"])
    s = result.sentences
    s = s[s["article_id"].isin(set(overrides.loc[overrides["kind"] == "sentence", "article_id"]))]
    pairs = set(zip(s["article_id"], s["text"]))
    applies, reasons = [], []
    for row in overrides.itertuples(index=False):
        reason = ""
        if row.article_id not in ids:
            reason = "article not in this result"
        elif row.kind == "sentence" and (row.article_id, row.sentence_text) not in pairs:
            reason = "sentence no longer in the article"
        elif row.kind == "topic" and _target_topic(row, result.topics) is None:
            reason = "topic not in this result"
        applies.append(not reason)
        reasons.append(reason)
    return overrides.assign(applies=np.array(applies, dtype=bool),
                            reason=pd.Series(reasons, index=overrides.index, dtype=object))


def apply_overrides(result, overrides: pd.DataFrame):
    """A copy of ``result`` with the overrides applied to every frame.

    * ``sentences``: ``compound`` and ``label`` replaced where a sentence override
      matches (``neg``/``neu``/``pos`` stay VADER's); ``overridden`` (bool) added;
    * ``articles``: sentence roll-ups recomputed for articles with an overridden
      sentence; article overrides set ``compound`` / ``label``; topic moves set
      ``topic_id``, ``topic_label`` and ``topic_weight`` = 1; ``overridden`` (bool) added;
    * ``article_topics``: a moved article's mix is its new topic alone (weight 1);
    * ``topics``: sizes and sentiment recomputed.

    Overrides that no longer find their target are left out (see
    :func:`override_status`); ``params["overrides"]`` counts the applied ones.
    """
    positive = result.params.get("positive", POSITIVE)
    negative = result.params.get("negative", NEGATIVE)
    status = override_status(result, overrides)
    live = status[status["applies"]]
    # assign, not copy: pandas copies a column only when it is written (copy-on-write),
    # so the million-sentence frame is not duplicated for a handful of corrections.
    sentences = result.sentences.assign(overridden=False)
    articles = result.articles.assign(overridden=False)
    article_topics = result.article_topics

    sent = live[live["kind"] == "sentence"]
    if len(sent):
        # Keys only for the sentences of overridden articles (a few of a million).
        of_articles = sentences["article_id"].isin(set(sent["article_id"])).to_numpy()
        keys = pd.MultiIndex.from_arrays([sentences["article_id"].to_numpy()[of_articles],
                                          sentences["text"].to_numpy()[of_articles]])
        table = sent.set_index(["article_id", "sentence_text"])
        matched = keys.isin(table.index)
        chosen = table.reindex(keys[matched])
        hit = np.zeros(len(sentences), dtype=bool)
        hit[np.flatnonzero(of_articles)[matched]] = True
        sentences.loc[hit, "compound"] = chosen["score"].to_numpy(np.float64)
        sentences.loc[hit, "label"] = chosen["label"].to_numpy(dtype=object)
        sentences.loc[hit, "overridden"] = True
        touched = set(sentences.loc[hit, "article_id"])
        redo = article_sentiment(sentences[sentences["article_id"].isin(touched)],
                                 positive=positive, negative=negative).set_index("article_id")
        rows = articles["article_id"].isin(touched).to_numpy()
        for col in redo.columns:
            if col in articles.columns:
                articles.loc[rows, col] = redo.loc[articles.loc[rows, "article_id"], col].to_numpy()
        articles.loc[rows, "overridden"] = True

    art = live[live["kind"] == "article"].set_index("article_id")
    if len(art):
        rows = articles["article_id"].isin(art.index).to_numpy()
        picked = art.loc[articles.loc[rows, "article_id"]]
        articles.loc[rows, "compound"] = picked["score"].to_numpy(np.float64)
        articles.loc[rows, "label"] = picked["label"].to_numpy(dtype=object)
        articles.loc[rows, "overridden"] = True

    moves = live[live["kind"] == "topic"]
    if len(moves):
        labels = dict(zip(result.topics["topic_id"].astype(int), result.topics["label"]))
        target = {row.article_id: _target_topic(row, result.topics)
                  for row in moves.itertuples(index=False)}
        rows = articles["article_id"].isin(target).to_numpy()
        new_ids = articles.loc[rows, "article_id"].map(target).astype(np.int64)
        articles.loc[rows, "topic_id"] = new_ids.to_numpy()
        articles.loc[rows, "topic_label"] = [labels[t] for t in new_ids]
        articles.loc[rows, "topic_weight"] = 1.0
        articles.loc[rows, "overridden"] = True
        moved = pd.DataFrame({"article_id": list(target), "topic_id": np.array(
            list(target.values()), dtype=np.int64), "weight": 1.0})
        article_topics = pd.concat(
            [article_topics[~article_topics["article_id"].isin(target)], moved],
            ignore_index=True)
        article_topics = article_topics.astype(result.article_topics.dtypes.to_dict())

    from .aggregate import topic_summary

    params = dict(result.params)
    params["overrides"] = int(len(live))
    # Nothing applied: the topics are the result's (recomputing them costs a pass over
    # every sentence, on every load of an uncorrected source).
    topics = topic_summary(result.topics, articles, sentences) if len(live) else result.topics
    return dataclasses.replace(
        result, sentences=sentences, articles=articles, article_topics=article_topics,
        topics=topics, params=params)


def overrides_version(path) -> str:
    """A token that changes whenever the overrides file at ``path`` is written (its inode,
    size and modification time: every write is a new file renamed into place, so two
    writes within the clock's resolution still differ; ``"none"`` when it does not
    exist): the key under which a corrected result is cached, so applying runs once
    per version, not per rerun."""
    try:
        st = Path(path).stat()
    except OSError:
        return "none"
    return f"{st.st_ino}-{st.st_size}-{st.st_mtime_ns}"


def _sentiment_text(compound, label) -> str:
    if compound is None or pd.isna(compound):
        return "–"
    return f"{float(compound):+.3f} ({label})"


def describe_overrides(result, overrides: pd.DataFrame) -> pd.DataFrame:
    """The overrides as a person reads them, newest first: what each changes, the value
    before (from ``result``, the result *without* the overrides) and after.

    Columns: ``override_id`` (int64), ``kind`` (str), ``article_id`` (str), ``title``
    (str, "" when the article is not in ``result``), ``what`` (str: the sentence, or
    "article sentiment" / "topic"), ``old`` and ``new`` (str, e.g. ``+0.318 (positive)``
    or a topic label; ``old`` is "–" when the target is gone), ``note`` (str),
    ``created`` (datetime64[ns]), ``applies`` (bool) and ``reason`` (str, see
    :func:`override_status`).
    """
    status = override_status(result, overrides)
    arts = result.articles.set_index("article_id")
    sents = result.sentences
    sents = sents[sents["article_id"].isin(set(overrides["article_id"]))]
    first = sents.drop_duplicates(["article_id", "text"]).set_index(["article_id", "text"])
    labels = dict(zip(result.topics["topic_id"].astype(int), result.topics["label"]))
    rows = []
    for row in status.itertuples(index=False):
        known = row.article_id in arts.index
        art = arts.loc[row.article_id] if known else None
        if row.kind == "sentence":
            what = row.sentence_text
            key = (row.article_id, row.sentence_text)
            old = (_sentiment_text(first.loc[key, "compound"], first.loc[key, "label"])
                   if key in first.index else "–")
            new = _sentiment_text(row.score, row.label)
        elif row.kind == "article":
            what = "article sentiment"
            old = _sentiment_text(art["compound"], art["label"]) if known else "–"
            new = _sentiment_text(row.score, row.label)
        else:
            what = "topic"
            old = str(labels.get(int(art["topic_id"]), art["topic_label"])) if known else "–"
            target = _target_topic(row, result.topics)
            new = labels[target] if target is not None else (row.topic_label or str(row.topic_id))
        rows.append({"override_id": row.override_id, "kind": row.kind,
                     "article_id": row.article_id,
                     "title": str(art["title"]) if known else "", "what": what, "old": old,
                     "new": new, "note": row.note, "created": row.created,
                     "applies": row.applies, "reason": row.reason})
    out = pd.DataFrame(rows, columns=["override_id", "kind", "article_id", "title", "what",
                                      "old", "new", "note", "created", "applies", "reason"])
    out = out.astype({"override_id": np.int64, "created": "datetime64[ns]", "applies": bool})
    return out.sort_values("override_id", ascending=False, kind="stable").reset_index(drop=True)
