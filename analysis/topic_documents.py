"""What the topic model reads of an article: one function, used everywhere topics are
fitted or assigned (the in-memory pipeline, the archive index, the dashboard), so every
path fits and transforms the same documents.
"""
from __future__ import annotations

import pandas as pd

__all__ = ["topic_documents"]


def topic_documents(articles: pd.DataFrame) -> list[str]:
    """The documents the topic model is fitted on / assigns, one per row of ``articles``.

    Parameters
    ----------
    articles : frame with at least ``text`` (str); ``title`` (str) is used when present.

    Returns
    -------
    list of str, in row order.
    """
    return articles["text"].fillna("").astype(str).tolist()
