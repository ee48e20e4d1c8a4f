"""Quality figures of a topic model: NPMI coherence, topic diversity and the elbow score.

These are the numbers in :class:`~analysis.topics.TopicModel`'s ``k_scores_`` and
``topics_`` frames; the model picks the terms and errors to feed them.

* :func:`mean_npmi`: coherence of one topic, the mean NPMI over pairs of its terms on a
  binary unit-term matrix; a pair that never co-occurs scores −1.
* :func:`topic_diversity`: share of distinct terms among all topics' top-10 terms.
* :func:`match_topics`: two fits' topics matched one to one (Hungarian assignment on
  the cosine of their term vectors), the stability figure of ``benchmarks/``.
* :func:`gain_and_elbow`: for k topics, how much each topic added since the previous k
  tried lowered the reconstruction error (``gain(k)``) and the elbow score
  ``gain(k) / gain(next k)`` that the automatic choice of k maximises.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import linear_sum_assignment

__all__ = ["mean_npmi", "topic_diversity", "gain_and_elbow", "match_topics"]


def mean_npmi(B, df, idx):
    """Mean NPMI over pairs of columns ``idx`` of binary matrix ``B`` (units x terms)."""
    if len(idx) < 2:
        return np.nan
    n = B.shape[0]
    sub = B[:, idx]
    co = np.asarray((sub.T @ sub).todense()) if sparse.issparse(sub) else sub.T @ sub
    p = df[idx] / n
    vals = []
    for i in range(len(idx)):
        for j in range(i + 1, len(idx)):
            pij = co[i, j] / n
            if pij <= 0:
                vals.append(-1.0)
            elif pij >= 1.0:
                vals.append(1.0)
            else:
                vals.append(math.log(pij / (p[i] * p[j])) / -math.log(pij))
    return float(np.mean(vals))


def topic_diversity(tops):
    """Distinct terms among the topics' top-10 terms / number of those terms (NaN when
    there are none): 1.0 when no two topics share a top term."""
    allt = [t for top in tops for t in top[:10]]
    return len(set(allt)) / len(allt) if allt else np.nan


def gain_and_elbow(errs, k):
    """``(gain(k), elbow(k))`` from ``errs``, the reconstruction error by number of topics
    (its smallest key, normally 0, holds ``‖X‖``, the error of the empty model).  The fitted k need not be
    consecutive (the automatic choice tries a geometric grid of k).

    ``gain(k)`` is the error drop per added topic since the next smaller fitted k ``p``:
    ``(errs[p] − errs[k]) / (k − p)`` (with consecutive k, ``errs[k − 1] − errs[k]``); NaN
    when k was not fitted.  The elbow score is ``gain(k) / gain(next fitted k)``: NaN
    when either gain is NaN, 0.0 when ``gain(k) <= 0``, and a next gain below
    ``1e-12 · ‖X‖`` counts as that."""
    fitted = sorted(errs)
    scale = max(errs[fitted[0]], 1e-300)

    def gain(k):
        if k not in errs:
            return np.nan
        smaller = [j for j in fitted if j < k]
        if not smaller:
            return np.nan
        p = smaller[-1]
        return (errs[p] - errs[k]) / (k - p)

    larger = [j for j in fitted if j > k]
    g, g_next = gain(k), (gain(larger[0]) if larger else np.nan)
    if np.isnan(g) or np.isnan(g_next):
        elbow = np.nan
    elif g <= 0:
        elbow = 0.0
    else:
        elbow = g / max(g_next, 1e-12 * scale)
    return g, elbow


def match_topics(H_a, terms_a, H_b, terms_b):
    """Match the topics of two fits one to one, maximising the summed cosine of their
    term vectors (Hungarian assignment, ``scipy.optimize.linear_sum_assignment``); the
    vocabularies may differ (terms are aligned by name, a missing term weighs 0).

    Returns a DataFrame, one row per matched pair, best first: ``topic_a``,
    ``topic_b`` (int64) and ``cosine`` (float64).  Its mean is the stability figure.
    """
    vocab = {t: i for i, t in enumerate(sorted(set(map(str, terms_a)) | set(map(str, terms_b))))}

    def aligned(H, terms):
        H = np.asarray(H, dtype=np.float64)
        out = np.zeros((H.shape[0], len(vocab)))
        out[:, [vocab[str(t)] for t in terms]] = H
        n = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(n > 0, n, 1.0)

    S = aligned(H_a, terms_a) @ aligned(H_b, terms_b).T
    rows, cols = linear_sum_assignment(-S)
    out = pd.DataFrame({"topic_a": rows.astype(np.int64), "topic_b": cols.astype(np.int64),
                        "cosine": S[rows, cols].astype(np.float64)})
    return out.sort_values(["cosine", "topic_a"], ascending=[False, True],
                           kind="stable").reset_index(drop=True)
