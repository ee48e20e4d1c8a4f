"""The article table's search box: articles whose title or text contains the typed
text, any case, as plain text (no wildcard, no regex).  One meaning for frames
(:func:`search_articles`) and store queries (:func:`search_where`)."""
from __future__ import annotations

import re

import pandas as pd

from .criteria import KEY_BASE, Criteria, like_pattern, month_where

__all__ = ["search_articles", "search_where"]

_ONE_WORD = re.compile(r"\w+")


def search_articles(articles: pd.DataFrame, text: str) -> pd.DataFrame:
    """Rows of ``articles`` whose ``title`` or ``text`` contains ``text`` (stripped,
    case-insensitive, plain text); all rows for blank ``text``.  The input is not
    modified; the index is kept."""
    needle = (text or "").strip().lower()
    if not needle:
        return articles
    hit = (articles["title"].str.lower().str.contains(needle, regex=False, na=False)
           | articles["text"].str.lower().str.contains(needle, regex=False, na=False))
    return articles[hit]


def search_where(text: str, alias: str = "a", tokens: bool = False,
                 criteria: Criteria | None = None) -> tuple[str, list]:
    """SQL condition (and parameters) for :func:`search_articles` over article rows
    ``alias``.  One word is looked up in the token index (``tokens``): a substring made
    of word characters lies inside one word, so the words that contain it find exactly
    the matching articles; anything else is an ILIKE over ``articles_full`` (pruned to
    ``criteria``'s months)."""
    needle = (text or "").strip()
    a = alias
    if tokens and _ONE_WORD.fullmatch(needle):
        pwhere, pparams = month_where(criteria or Criteria(), "p")
        return (f"({a}.month, {a}.art) IN (SELECT DISTINCT month, k // {KEY_BASE} FROM "
                f"(SELECT p.month, UNNEST(p.keys) AS k FROM postings p "
                f"WHERE {pwhere} AND p.token LIKE ? ESCAPE '\\'))",
                pparams + [like_pattern(needle.lower())])
    fwhere, fparams = month_where(criteria or Criteria(), "f")
    return (f"({a}.month, {a}.article_id) IN (SELECT f.month, f.article_id FROM articles_full f "
            f"WHERE {fwhere} AND (f.title ILIKE ? ESCAPE '\\' OR f.text ILIKE ? ESCAPE '\\'))",
            fparams + [like_pattern(needle)] * 2)
