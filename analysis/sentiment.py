"""Sentence-level sentiment with VADER, and its roll-up per article.

VADER reads capitals, "!", emoticons and negations, so sentences are scored as
written.  The one change made for scoring only is folding typographic quotes and
dashes to ASCII: vaderSentiment does not strip "’" from words, so "don’t" is not seen
as a negation ("I don’t like it" scores +0.36, "I don't like it" −0.28).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .vader import FastVader
from .vader_batch import score_batch

__all__ = [
    "fold_typography", "score_texts", "score_sentences", "label_scores",
    "article_sentiment", "POSITIVE", "NEGATIVE",
]

#: Default thresholds of the VADER authors: compound ≥ 0.05 positive, ≤ −0.05 negative.
POSITIVE = 0.05
NEGATIVE = -0.05

_FOLD = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u00ab": '"', "\u00bb": '"',
    "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-", "\u2010": "-", "\u2011": "-",
    "\u2026": "...", "\u00a0": " ",
})

#: Sentences per :func:`score_batch` call: its arrays hold every word of the batch.
_BATCH = 50_000

# One analyzer per process: building it parses the lexicon (a few ms).
_ANALYZER: FastVader | None = None


def _analyzer() -> FastVader:
    global _ANALYZER
    if _ANALYZER is None:
        _ANALYZER = FastVader()
    return _ANALYZER


def fold_typography(text: str) -> str:
    """Fold typographic quotes, dashes, ellipsis and no-break space to ASCII."""
    # Every folded character is non-ASCII, and isascii() is a flag read, not a scan.
    return text if text.isascii() else text.translate(_FOLD)


def score_texts(texts) -> np.ndarray:
    """VADER scores of each text as an ``(n, 4)`` float64 array: neg, neu, pos, compound.

    Scored a batch at a time by :func:`analysis.vader_batch.score_batch` (the same
    scores as vaderSentiment, about four times faster than one sentence at a time)."""
    analyzer = _analyzer()
    folded = [fold_typography(t) for t in texts]
    out = np.empty((len(folded), 4), dtype=np.float64)
    for a in range(0, len(folded), _BATCH):
        out[a:a + _BATCH] = score_batch(analyzer, folded[a:a + _BATCH])
    return out


def label_scores(compound, positive: float = POSITIVE, negative: float = NEGATIVE) -> np.ndarray:
    """Label compounds ``positive`` (≥ positive), ``negative`` (≤ negative) or ``neutral``.

    NaN compounds are labelled ``neutral``.
    """
    if not negative < positive:
        raise ValueError(
            f"negative threshold must be below positive threshold, got negative={negative!r}, "
            f"positive={positive!r}"
        )
    c = np.asarray(compound, dtype=np.float64)
    return np.where(c >= positive, "positive", np.where(c <= negative, "negative", "neutral")).astype(object)


def score_sentences(sentences: pd.DataFrame, positive: float = POSITIVE,
                    negative: float = NEGATIVE) -> pd.DataFrame:
    """Add VADER scores to a sentences frame (see ``split_sentences``).

    Returns a copy with ``neg``, ``neu``, ``pos``, ``compound`` (float64) and ``label``
    (str: positive / negative / neutral) columns added.
    """
    scores = score_texts(sentences["text"].tolist())
    out = sentences.copy()
    for j, name in enumerate(("neg", "neu", "pos", "compound")):
        out[name] = scores[:, j] if len(out) else np.empty(0, dtype=np.float64)
    out["label"] = pd.Series(label_scores(out["compound"].to_numpy(), positive, negative),
                             index=out.index, dtype=object)
    return out


def article_sentiment(sentences: pd.DataFrame, article_ids=None, positive: float = POSITIVE,
                      negative: float = NEGATIVE) -> pd.DataFrame:
    """Roll sentence scores up to one row per article.

    Parameters
    ----------
    sentences : scored sentences (``article_id``, ``sentence_id``, ``text``, ``compound``, ``label``).
    article_ids : optional sequence of every article id, so that articles without any
        sentence still get a row (n_sentences 0, NaN scores).

    Returns
    -------
    DataFrame with columns ``article_id`` (str), ``n_sentences`` (int64),
    ``compound`` (float64 mean of sentence compounds), ``pos_share``/``neg_share``/
    ``neu_share`` (float64), ``most_positive``/``most_negative`` (str, "" when none),
    ``most_positive_score``/``most_negative_score`` (float64) and ``label`` (str,
    from the mean compound).
    """
    # Plain arrays rather than a pandas groupby: this runs once per chunk in every
    # worker, where groupby's fixed cost was a tenth of the chunk's time.
    codes, ids = pd.factorize(sentences["article_id"].to_numpy(dtype=object), sort=False)
    order = np.argsort(codes, kind="stable")      # sentences of an article together, in order
    codes = codes[order]
    compound = sentences["compound"].to_numpy(dtype=np.float64)[order]
    label = sentences["label"].to_numpy(dtype=object)[order]
    texts = sentences["text"].to_numpy(dtype=object)[order]
    n = np.bincount(codes, minlength=len(ids)).astype(np.int64)
    starts = np.concatenate(([0], np.cumsum(n)[:-1])).astype(np.int64)

    def first_where(hit):
        # Position of the first sentence of each article where ``hit`` holds.
        pos = np.flatnonzero(hit)
        _, first = np.unique(codes[pos], return_index=True)
        return pos[first]

    def share(value):
        return np.bincount(codes, weights=label == value, minlength=len(ids)) / n

    if len(ids):
        # Ties go to the earliest sentence, like idxmax.
        top = first_where(compound == np.repeat(np.maximum.reduceat(compound, starts), n))
        low = first_where(compound == np.repeat(np.minimum.reduceat(compound, starts), n))
        mean = np.add.reduceat(compound, starts) / n
    else:
        top = low = np.zeros(0, dtype=np.int64)
        mean = np.zeros(0)
    out = pd.DataFrame({
        "article_id": pd.Series(ids, dtype=object), "n_sentences": n, "compound": mean,
        "pos_share": share("positive"), "neg_share": share("negative"),
        "neu_share": share("neutral"),
        "most_positive": pd.Series(texts[top], dtype=object),
        "most_positive_score": compound[top],
        "most_negative": pd.Series(texts[low], dtype=object),
        "most_negative_score": compound[low],
    })
    if article_ids is not None:
        article_ids = pd.Series(list(article_ids), dtype=object)
        rows = pd.Index(ids).get_indexer(article_ids)
        out = out.reindex(np.where(rows < 0, len(out), rows)).reset_index(drop=True)
        out["article_id"] = article_ids.to_numpy()
        out["n_sentences"] = out["n_sentences"].fillna(0).astype(np.int64)
    for col in ("most_positive", "most_negative"):
        out[col] = out[col].astype(object).where(out[col].notna(), "")
    out["label"] = label_scores(out["compound"].to_numpy(), positive, negative)
    out["label"] = out["label"].where(out["n_sentences"] > 0, "neutral")
    return out
