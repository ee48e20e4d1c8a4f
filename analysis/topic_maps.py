"""2-D maps of a fitted :class:`~analysis.topics.TopicModel` for the dashboard.

:func:`topic_map` places the topics (classical MDS, i.e. PCoA, of the Jensen–Shannon
distances between their term distributions); :func:`article_map` places the articles (PCA
of the square roots of their topic weights).  Both are deterministic: eigen/singular
vectors get fixed signs, and articles are taken in the model's canonical order.  The
private helpers below are the geometry they share.  ``analysis.topics`` re-exports both
functions.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from .topics import TopicModel

__all__ = ["topic_map", "article_map", "weights_map"]


def topic_map(model: TopicModel) -> pd.DataFrame:
    """2-D positions of the topics: classical MDS of the Jensen–Shannon distances between
    their term distributions (as pyLDAvis does).  Deterministic (eigendecomposition, signs
    fixed).  Returns ``topic_id`` (int64), ``x``, ``y`` (float64); one topic sits at
    (0, 0), two topics on the x axis."""
    model._check_fitted()
    H = np.asarray(model.topic_term_, dtype=np.float64)
    k = H.shape[0]
    P = H / np.where(H.sum(axis=1, keepdims=True) > 0, H.sum(axis=1, keepdims=True), 1.0)
    D = np.zeros((k, k))
    for i in range(k):
        for j in range(i + 1, k):
            D[i, j] = D[j, i] = _js_distance(P[i], P[j])
    xy = _pcoa(D)
    return pd.DataFrame({"topic_id": np.arange(k, dtype=np.int64), "x": xy[:, 0], "y": xy[:, 1]})


def article_map(model: TopicModel, ids=None) -> pd.DataFrame:
    """2-D positions of the articles: PCA of the square roots of their topic weights
    (Hellinger geometry, so articles with similar topic mixes are close and each topic's
    articles gather).  Computed in the canonical order, so deterministic and independent
    of the corpus order; signs fixed.  Returns ``article_id`` (str), ``x``, ``y``
    (float64) in article order; an article with no topic weight gets NaN."""
    ids = model._resolve_ids(ids)
    Wd = np.sqrt(np.asarray(model.doc_topic_, dtype=np.float64))
    n = Wd.shape[0]
    xy = np.full((n, 2), np.nan)
    has = Wd.sum(axis=1) > 0
    rows = model._canon[has[model._canon]]          # articles with weight, canonical order
    if len(rows):
        xy[rows] = _pca2(Wd[rows])
    return pd.DataFrame({"article_id": pd.Series(ids, dtype=object), "x": xy[:, 0], "y": xy[:, 1]})


def weights_map(article_topics: pd.DataFrame, ids) -> pd.DataFrame:
    """2-D positions of the articles ``ids`` from their topic weights (the long
    ``article_topics`` frame: ``article_id``, ``topic_id``, ``weight``), in the geometry
    of :func:`article_map` (PCA of square-rooted weights), without a fitted model: for a
    sample of an archive.  Articles are placed in sorted id order, so the map does not
    depend on the order given.  Returns ``article_id`` (str), ``x``, ``y`` (float64) in
    ``ids`` order; an article with no topic weight gets NaN."""
    ids = pd.Series(list(ids), dtype=object)
    order = sorted(ids.unique())
    topics = sorted(set(article_topics["topic_id"].astype(int)))
    W = np.zeros((len(order), len(topics)))
    if len(article_topics) and len(order):
        row = pd.Index(order).get_indexer(article_topics["article_id"])
        col = pd.Index(topics).get_indexer(article_topics["topic_id"].astype(int))
        keep = row >= 0
        W[row[keep], col[keep]] = article_topics["weight"].to_numpy(float)[keep]
    Wd = np.sqrt(W)
    xy = np.full((len(order), 2), np.nan)
    has = Wd.sum(axis=1) > 0
    if has.any():
        from threadpoolctl import threadpool_limits

        # A small SVD: BLAS threads only fight the server's other threads (measured
        # 300 ms instead of a few on a loaded 2-core machine).
        with threadpool_limits(1):
            xy[has] = _pca2(Wd[has])
    pos = pd.DataFrame({"article_id": pd.Series(order, dtype=object),
                        "x": xy[:, 0], "y": xy[:, 1]})
    return pd.DataFrame({"article_id": ids}).merge(pos, on="article_id", how="left")


# ---------------------------------------------------------------------- geometry
def _js_distance(p, q):
    m = 0.5 * (p + q)

    def kl(a, b):
        mask = a > 0
        return float(np.sum(a[mask] * np.log2(a[mask] / b[mask])))

    return math.sqrt(max(0.0, 0.5 * kl(p, m) + 0.5 * kl(q, m)))


def _fix_signs(V):
    """Flip each column so that its largest-magnitude entry is positive."""
    for j in range(V.shape[1]):
        i = int(np.argmax(np.abs(V[:, j])))
        if V[i, j] < 0:
            V[:, j] = -V[:, j]
    return V


def _pcoa(D):
    """Classical MDS of a distance matrix into 2 dimensions (zeros where the data has
    fewer dimensions)."""
    k = D.shape[0]
    out = np.zeros((k, 2))
    if k < 2:
        return out
    J = np.eye(k) - 1.0 / k
    B = -0.5 * J @ (D ** 2) @ J
    vals, vecs = np.linalg.eigh((B + B.T) / 2)
    order = np.argsort(-vals, kind="stable")[:2]
    for c, i in enumerate(order):
        if vals[i] > 1e-12:
            out[:, c] = vecs[:, i] * math.sqrt(vals[i])
    return _fix_signs(out)


def _pca2(M):
    """First two principal-component scores of the rows of ``M`` (zeros when fewer)."""
    n = M.shape[0]
    out = np.zeros((n, 2))
    if n < 2:
        return out
    C = M - M.mean(axis=0, keepdims=True)
    U, S, _ = np.linalg.svd(C, full_matrices=False)
    for c in range(min(2, len(S))):
        if S[c] > 1e-12:
            out[:, c] = U[:, c] * S[c]
    return _fix_signs(out)
