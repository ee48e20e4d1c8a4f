"""Quality figures of a topic model: NPMI coherence, topic diversity and the elbow score.

These are the numbers in :class:`~analysis.topics.TopicModel`'s ``k_scores_`` and
``topics_`` frames; the model picks the terms and errors to feed them.

* :func:`mean_npmi`: coherence of one topic, the mean NPMI over pairs of its terms on a
  binary unit-term matrix; a pair that never co-occurs scores −1.
* :func:`topic_diversity`: share of distinct terms among all topics' top-10 terms.
* :func:`gain_and_elbow`: for k topics, how much the k-th topic lowered the
  reconstruction error (``gain(k)``) and the elbow score ``gain(k) / gain(k + 1)`` that
  the automatic choice of k maximises.
"""
from __future__ import annotations

import math

import numpy as np
from scipy import sparse

__all__ = ["mean_npmi", "topic_diversity", "gain_and_elbow"]


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
    (``errs[0]`` is ``‖X‖``, the error of the empty model).

    ``gain(k) = errs[k − 1] − errs[k]``, NaN unless both were fitted.  The elbow score is
    ``gain(k) / gain(k + 1)``: NaN when either gain is NaN, 0.0 when ``gain(k) <= 0``, and
    a next gain below ``1e-12 · ‖X‖`` counts as that."""
    scale = max(errs[0], 1e-300)

    def gain(k):
        return errs[k - 1] - errs[k] if (k in errs and k - 1 in errs) else np.nan

    g, g_next = gain(k), gain(k + 1)
    if np.isnan(g) or np.isnan(g_next):
        elbow = np.nan
    elif g <= 0:
        elbow = 0.0
    else:
        elbow = g / max(g_next, 1e-12 * scale)
    return g, elbow
