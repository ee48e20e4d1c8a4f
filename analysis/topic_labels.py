"""Words for a topic: its best terms and the short label shown for it.

:func:`top_terms` reads a topic's best terms off its term-weight vector; :func:`topic_label`
joins the best few into a label such as ``"election · vote · party"``.  A label's terms
are distinct: one form per word family (``russia``/``russian``, ``ukraine``/``ukrainian``,
``film``/``films``: the first one met is kept), no term contained in another (never
``kestrel · bay · kestrel bay``), and a bigram nearly as strong as its first word is
preferred to the bare word (``kestrel bay`` rather than ``kestrel · bay``).  Used by
:class:`~analysis.topics.TopicModel` and :mod:`analysis.topic_themes`.
"""
from __future__ import annotations

import numpy as np

__all__ = ["top_terms", "topic_label", "label_of", "same_family"]

#: A bigram replaces its first word in a label when its weight is at least this share of
#: the word's (``kestrel bay`` 0.8 of ``kestrel``: the phrase says more).
BIGRAM_SHARE = 0.6


def top_terms(h, terms, n):
    """Up to ``n`` of ``terms`` with the largest weights in ``h``, best first (ties in term
    order); terms of weight 0 are left out."""
    order = np.argsort(-h, kind="stable")[:n]
    return [str(terms[i]) for i in order if h[i] > 0]


def _singular(word):
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def same_family(a: str, b: str) -> bool:
    """Whether two words are forms of one word (case-insensitive): equal after dropping a
    plural ``s``, or sharing a prefix of at least 4 letters that covers 3/4 of the
    shorter word (``russia``/``russian``, ``ukraine``/``ukrainian``, ``election``/
    ``elections``; not ``interest``/``international``)."""
    a, b = _singular(a.lower()), _singular(b.lower())
    if a == b:
        return True
    p = 0
    for x, y in zip(a, b):
        if x != y:
            break
        p += 1
    return p >= 4 and p >= 0.75 * min(len(a), len(b))


def topic_label(terms, n=3, weights=None):
    """Best ``n`` distinct terms joined with " · " (see the module docstring).

    Parameters
    ----------
    terms : list of str, best first.
    n : int, terms in the label.
    weights : list of float or None, the terms' weights (same order); with them a
        bigram at least :data:`BIGRAM_SHARE` as strong as a chosen word replaces it.
    """
    chosen, used = [], []
    terms = list(terms)
    for i, t in enumerate(terms):
        if weights is not None and " " not in t:
            for j in range(i + 1, len(terms)):
                b = terms[j]
                if " " in b and t in b.split() and weights[j] >= BIGRAM_SHARE * weights[i]:
                    t = b
                    break
        words = t.split()
        if any(same_family(w, u) for w in words for u in used) or len(set(words)) < len(words):
            continue
        chosen.append(t)
        used += words
        if len(chosen) == n:
            break
    return " · ".join(chosen) if chosen else "(no terms)"


def label_of(h, terms, n=3, pool=30):
    """The label of a term-weight vector ``h``: :func:`topic_label` over its ``pool`` best
    terms, with their weights."""
    order = [i for i in np.argsort(-h, kind="stable")[:pool] if h[i] > 0]
    return topic_label([str(terms[i]) for i in order], n, [float(h[i]) for i in order])
