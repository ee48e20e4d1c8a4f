"""The headline figures of a view: one answer for the dashboard's Overview, the CLI's
``summary.txt`` and the store queries (:func:`analysis.queries.headline`)."""
from __future__ import annotations

import dataclasses
import math

import pandas as pd

__all__ = ["Headline", "headline", "span_text"]


@dataclasses.dataclass(frozen=True)
class Headline:
    """Figures of a (filtered) view.

    ``n_articles``, ``n_sentences``, ``undated`` (articles without a publication time),
    ``n_topics_present`` (topics that are some article's dominant topic), ``n_topics``
    (topics of the model); ``first`` / ``last`` publication time (``None`` when nothing
    is dated); ``mean_compound`` (mean sentence compound), ``pos_share`` / ``neg_share``
    (share of positive / negative sentences) — NaN without sentences.
    """

    n_articles: int
    n_sentences: int
    undated: int
    n_topics_present: int
    n_topics: int
    first: pd.Timestamp | None
    last: pd.Timestamp | None
    mean_compound: float
    pos_share: float
    neg_share: float

    def frame(self) -> pd.DataFrame:
        """The figures as a two-column (``figure``, ``value``) frame, as exported."""
        return pd.DataFrame({
            "figure": ["articles", "sentences", "first published", "last published",
                       "mean sentence compound", "positive sentence share",
                       "negative sentence share", "topics with articles", "undated articles"],
            "value": [self.n_articles, self.n_sentences,
                      "" if self.first is None else self.first.isoformat(),
                      "" if self.last is None else self.last.isoformat(),
                      self.mean_compound, self.pos_share, self.neg_share,
                      self.n_topics_present, self.undated],
        })


def _nan_if_none(value) -> float:
    return float("nan") if value is None or (isinstance(value, float) and math.isnan(value)) \
        else float(value)


def headline(articles: pd.DataFrame, sentences: pd.DataFrame,
             topics: pd.DataFrame | None = None) -> Headline:
    """:class:`Headline` of frames (README Frames): ``articles`` and their ``sentences``;
    ``topics`` gives ``n_topics`` (0 without it)."""
    dated = articles["published"].dropna()
    n_s = len(sentences)
    labels = sentences["label"]
    present = articles["topic_id"]
    return Headline(
        n_articles=len(articles), n_sentences=n_s,
        undated=int(articles["published"].isna().sum()),
        n_topics_present=int(present[present >= 0].nunique()),
        n_topics=0 if topics is None else len(topics),
        first=None if dated.empty else dated.min(), last=None if dated.empty else dated.max(),
        mean_compound=_nan_if_none(sentences["compound"].mean()) if n_s else float("nan"),
        pos_share=float(labels.eq("positive").mean()) if n_s else float("nan"),
        neg_share=float(labels.eq("negative").mean()) if n_s else float("nan"),
    )


def span_text(first, last) -> tuple[str, str]:
    """``(label, text)`` of a date span as the Overview shows it: ``("Date span (2024)",
    "03 Jun – 15 Jul")``, a single day, or months across years (``"Dec ’23 – Jan ’24"``);
    ``"no dates"``."""
    if first is None:
        return "Date span", "no dates"
    if first.date() == last.date():
        text = f"{first:%d %b %Y}"
    elif first.year == last.year:
        text = f"{first:%d %b} – {last:%d %b}"
    else:
        # "Jan 2023 – Jan 2025" was cut to "Jan 2023 – Ja…" in the Overview's metric
        text = f"{first:%b ’%y} – {last:%b ’%y}"
    label = f"Date span ({first.year})" if first.year == last.year else "Date span"
    return label, text
