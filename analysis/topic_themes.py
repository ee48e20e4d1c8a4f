"""Themes above topics: a small number of groups of related topics, so charts of tens of
topics stay readable (show the themes, expand one into its topics).

:func:`topic_themes` builds a hierarchy of the topics from the topic–term matrix
(Ward agglomerative clustering, SciPy, of the topics' unit-length term vectors, i.e. on
their cosine distances) and cuts it into ``n_themes`` themes; a theme's label is the best
two distinct terms of its topics' term vectors, each scaled to a top weight of 1 and
summed (so terms the topics share come first), when most of its topics share them; else
the first words of its largest topics (:func:`_theme_label`).  Everything is deterministic: the
distances are computed from the matrix alone, SciPy's linkage breaks ties by index, and
themes are numbered by size.

>>> import numpy as np
>>> H = np.array([[1.0, 0.9, 0, 0], [0.9, 1.0, 0.1, 0], [0, 0, 1.0, 0.8]])
>>> topic_themes(H, ["goal", "match", "bank", "rates"], [5, 4, 3], n_themes=2)[
...     ["topic_id", "theme_id", "theme_label"]].values.tolist()
[[0, 0, 'goal · match'], [1, 0, 'goal · match'], [2, 1, 'bank · rates']]
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy.cluster.hierarchy import fcluster, linkage

from .topic_labels import label_of

__all__ = ["topic_themes", "default_n_themes"]

#: Most themes the automatic choice gives (a legend or a filter list stays short).
MAX_THEMES = 8


def default_n_themes(n_topics: int) -> int:
    """Themes for ``n_topics`` topics: every topic is its own theme up to
    :data:`MAX_THEMES` topics (a chart of 8 topics is still readable, and grouping a few
    unrelated subjects would only hide them); beyond, about the square root, at least 3
    and at most :data:`MAX_THEMES` (3 for 9–12 topics, 5 for 21–30, 6 for 31–42)."""
    if n_topics <= MAX_THEMES:
        return n_topics
    return int(min(MAX_THEMES, max(3, round(math.sqrt(n_topics)))))


#: Top terms of a topic in which a theme's shared words are looked for.
SHARED_POOL = 30
#: How much more widely a theme's word must be shared inside it than outside it (share
#: of its topics minus share of the other topics): words every topic has ("US",
#: "company", "rose") name no theme.
MIN_DISTINCTION = 0.4


def _top_terms(rows: np.ndarray) -> np.ndarray:
    """Mask (topics × terms): the top :data:`SHARED_POOL` terms of each topic with a
    weight.  Computed once for every theme's label."""
    pool = min(SHARED_POOL, rows.shape[1])
    top = np.zeros(rows.shape, dtype=bool)
    np.put_along_axis(top, np.argsort(-rows, axis=1, kind="stable")[:, :pool], True, axis=1)
    return top & (rows > 0)


def _theme_label(rows: np.ndarray, top: np.ndarray, member: np.ndarray, sizes: np.ndarray,
                 terms) -> str:
    """The label of the theme of topics ``member`` (a mask over ``rows``, every topic's
    term weights scaled to a top weight of 1; ``top`` their :func:`_top_terms`;
    ``sizes`` their articles).

    A theme is named by the words it shares and the other topics do not: terms among
    the top :data:`SHARED_POOL` of at least half of its topics (and two), whose share
    of its topics exceeds their share of the other topics by :data:`MIN_DISTINCTION`,
    by their summed weight, distinct as topic labels are (``"win · game"`` for BBC's
    sports topics).  When fewer than two words qualify (Ward
    still groups topics that share nothing: the leftovers of a wire), a shared-word
    label would name one topic as if it were all: the theme is named by the first word
    of its three largest topics, ``"ukraine / vaccine / football"``, ``+N`` for the
    others."""
    H = rows[member]
    if len(H) == 1:
        return label_of(H[0], terms, n=2)
    inside = top[member].sum(axis=0)
    n_out = int((~member).sum())
    outside = top[~member].mean(axis=0) if n_out else np.zeros(rows.shape[1])
    distinction = inside / len(H) - outside
    ok = (inside >= max(2, math.ceil(len(H) / 2))) & (distinction >= MIN_DISTINCTION)
    if ok.sum() >= 2:
        weight = H.sum(axis=0)
        score = np.where(ok, weight, 0.0)
        label = label_of(score, terms, n=2)
        if "·" in label:
            return label
    sub = np.flatnonzero(member)
    order = sub[np.argsort(-np.asarray(sizes)[sub], kind="stable")]
    firsts = list(dict.fromkeys(label_of(rows[i], terms, n=1) for i in order))
    more = len(firsts) - 3
    return " / ".join(firsts[:3]) + (f" +{more}" if more > 0 else "")


def topic_themes(topic_term, terms, n_articles, n_themes: int | None = None) -> pd.DataFrame:
    """Group topics into themes.

    Parameters
    ----------
    topic_term : array (n_topics, n_terms), non-negative topic–term weights, rows in
        topic-id order.
    terms : sequence of str, the term of each column.
    n_articles : sequence of int, articles per topic (orders the themes).
    n_themes : int or None, default None: :func:`default_n_themes`.  Clipped to 1..n_topics.

    Returns
    -------
    DataFrame, one row per topic in topic-id order: ``topic_id`` (int64), ``theme_id``
    (int64, 0.. numbered by articles, most first, ties by label), ``theme_label`` (str).
    Empty (with those columns) when there are no topics.
    """
    H = np.asarray(topic_term, dtype=np.float64)
    k = H.shape[0]
    if k == 0:
        return pd.DataFrame({"topic_id": pd.Series(dtype="int64"),
                             "theme_id": pd.Series(dtype="int64"),
                             "theme_label": pd.Series(dtype=object)})
    n = default_n_themes(k) if n_themes is None else int(min(max(n_themes, 1), k))
    if n >= k:
        group = np.arange(k)
    elif n == 1:
        group = np.zeros(k, dtype=np.int64)
    else:
        norms = np.linalg.norm(H, axis=1)
        U = H / np.where(norms > 0, norms, 1.0)[:, None]
        # Ward on unit vectors (squared distance = 2 − 2·cosine): average linkage chained
        # 15 of reuters-dev's 20 topics into one theme; Ward gave 3/4/7/6 (earnings,
        # markets, economy and commodities, companies and politics), and the same
        # three themes as average linkage on BBC at k=12.
        Z = linkage(U, method="ward")
        group = fcluster(Z, n, criterion="maxclust") - 1
    size = np.asarray(n_articles, dtype=np.int64)
    labels, sizes = {}, {}
    rows = H / np.maximum(H.max(axis=1, keepdims=True), 1e-300)
    top = _top_terms(rows)
    for g in np.unique(group):
        labels[g] = _theme_label(rows, top, group == g, size, terms)
        sizes[g] = int(size[group == g].sum())
    order = sorted(labels, key=lambda g: (-sizes[g], labels[g], g))
    theme_of = {g: i for i, g in enumerate(order)}
    return pd.DataFrame({
        "topic_id": np.arange(k, dtype=np.int64),
        "theme_id": np.array([theme_of[g] for g in group], dtype=np.int64),
        "theme_label": pd.Series([labels[g] for g in group], dtype=object),
    })
