"""Outlets side by side: share of voice over time and an outlet × topic sentiment grid.

An article's outlet comes from the corpus (see README.md (Frames), ``outlet``); frames
made without one count as the outlet ``""`` (shown as ``(unknown)`` by the app).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .aggregate import _all_periods, _resolve, article_outlets, period_start

__all__ = ["outlet_timeline", "outlet_topic_sentiment", "outlet_counts", "MIN_CELL_ARTICLES",
           "check_min_articles"]

#: An outlet × topic cell with fewer articles has a mean too noisy to colour.
MIN_CELL_ARTICLES = 5


def check_min_articles(min_articles) -> None:
    """Raise ``ValueError`` unless ``min_articles`` is a positive integer."""
    if isinstance(min_articles, bool) or not isinstance(min_articles, (int, np.integer)) \
            or min_articles < 1:
        raise ValueError(f"min_articles must be a positive integer; got {min_articles!r}")


def outlet_counts(articles: pd.DataFrame) -> pd.DataFrame:
    """Articles per outlet: ``outlet`` (str, ``""`` unknown), ``n_articles`` (int64),
    most articles first (ties by name)."""
    n = article_outlets(articles).value_counts()
    out = pd.DataFrame({"outlet": n.index.astype(object), "n_articles": n.to_numpy(np.int64)})
    return out.sort_values(["n_articles", "outlet"], ascending=[False, True],
                           kind="stable").reset_index(drop=True)


def outlet_timeline(articles: pd.DataFrame, freq: str = "auto") -> pd.DataFrame:
    """Articles per outlet per period and each outlet's share of voice.

    Returns one row per (period, outlet), quiet periods included: ``period``
    (datetime64), ``outlet`` (str), ``n_articles`` (int64), ``share`` (float64,
    n_articles / all dated articles in the period; 0 in an empty period) and
    ``compound`` (float64, mean article compound; NaN without articles).
    ``attrs["freq"]`` holds the period used; undated articles are left out.
    """
    freq = _resolve(freq, articles["published"])
    dated = articles.loc[articles["published"].notna(), ["published", "compound"]].copy()
    dated["outlet"] = article_outlets(articles)[dated.index]
    dated["period"] = period_start(dated["published"], freq)
    agg = dated.groupby(["period", "outlet"]).agg(n_articles=("published", "size"),
                                                  compound=("compound", "mean"))
    outlets = sorted(dated["outlet"].unique())
    full = pd.MultiIndex.from_product([_all_periods(dated["period"], freq), outlets],
                                      names=["period", "outlet"])
    out = agg.reindex(full)
    out["n_articles"] = out["n_articles"].fillna(0).astype(np.int64)
    total = out.groupby(level="period")["n_articles"].transform("sum")
    out["share"] = (out["n_articles"] / total.replace(0, np.nan)).fillna(0.0)
    out = out.reset_index()[["period", "outlet", "n_articles", "share", "compound"]]
    out["period"] = out["period"].astype("datetime64[ns]")
    out["outlet"] = out["outlet"].astype(object)
    out.attrs["freq"] = freq
    return out


def outlet_topic_sentiment(articles: pd.DataFrame,
                           min_articles: int = MIN_CELL_ARTICLES) -> pd.DataFrame:
    """Mean article sentiment of each (outlet, topic) cell, with its count.

    Returns one row per outlet × topic (every pair, empty cells included):
    ``outlet`` (str), ``topic_id`` (int64), ``topic_label`` (str), ``n_articles``
    (int64), ``compound`` (float64 mean article compound; NaN when empty) and
    ``reliable`` (bool, ``n_articles >= min_articles``: a chart greys the other cells
    instead of colouring them).
    """
    check_min_articles(min_articles)
    a = articles[["topic_id", "topic_label", "compound"]].assign(outlet=article_outlets(articles))
    agg = a.groupby(["outlet", "topic_id"]).agg(n_articles=("compound", "size"),
                                                compound=("compound", "mean"))
    topics = a[["topic_id", "topic_label"]].drop_duplicates("topic_id").sort_values("topic_id")
    full = pd.MultiIndex.from_product([sorted(a["outlet"].unique()), topics["topic_id"]],
                                      names=["outlet", "topic_id"])
    out = agg.reindex(full).reset_index()
    out["n_articles"] = out["n_articles"].fillna(0).astype(np.int64)
    out["topic_label"] = out["topic_id"].map(topics.set_index("topic_id")["topic_label"]).astype(object)
    out["topic_id"] = out["topic_id"].astype(np.int64)
    out["outlet"] = out["outlet"].astype(object)
    out["reliable"] = out["n_articles"] >= min_articles
    return out[["outlet", "topic_id", "topic_label", "n_articles", "compound", "reliable"]]
