"""Words for a topic: its best terms and the short label shown for it.

:func:`top_terms` reads a topic's best terms off its term-weight vector; :func:`topic_label`
joins the best few into a label such as ``"election · vote · party"``, skipping a term
that repeats a word already in it.  Used by :class:`~analysis.topics.TopicModel`.
"""
from __future__ import annotations

import numpy as np

__all__ = ["top_terms", "topic_label"]


def top_terms(h, terms, n):
    """Up to ``n`` of ``terms`` with the largest weights in ``h``, best first (ties in term
    order); terms of weight 0 are left out."""
    order = np.argsort(-h, kind="stable")[:n]
    return [str(terms[i]) for i in order if h[i] > 0]


def _singular(word):
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def topic_label(terms, n=3):
    """Best ``n`` terms joined with " · ", skipping a term that repeats a word already in
    the label (a bigram holding a chosen unigram, or a plural of a chosen word)."""
    chosen, used = [], set()
    for t in terms:
        words = {_singular(w) for w in t.split()}
        if words & used:
            continue
        chosen.append(t)
        used |= words
        if len(chosen) == n:
            break
    return " · ".join(chosen) if chosen else "(no terms)"
