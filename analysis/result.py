"""The result of an analysis: the frames of README.md (Frames) in one object.

Its own module so that what reads or writes results (the Parquet cache of
:mod:`analysis.store`, reports) does not import the pipeline and scikit-learn with it.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from . import aggregate

__all__ = ["AnalysisResult"]


@dataclass
class AnalysisResult:
    """Everything ``analyze`` computes; every attribute is a frame documented in
    README.md (Frames) (``articles``, ``sentences``, ``topics``, ``article_topics``,
    ``skipped``, ``k_scores``, ``topic_map``, ``article_map``) plus ``params`` (the
    settings used) and ``timings`` (seconds per stage)."""

    articles: pd.DataFrame
    sentences: pd.DataFrame
    topics: pd.DataFrame
    article_topics: pd.DataFrame
    skipped: pd.DataFrame
    k_scores: pd.DataFrame
    topic_map: pd.DataFrame
    article_map: pd.DataFrame
    params: dict = field(default_factory=dict)
    timings: dict = field(default_factory=dict)

    def timeline(self, freq: str = "auto", by_topic: bool = False) -> pd.DataFrame:
        """Time series of this result (see :func:`analysis.aggregate.timeline`)."""
        if by_topic:
            return aggregate.topic_timeline(self.articles, self.article_topics, freq=freq)
        return aggregate.timeline(self.articles, self.sentences, freq=freq)

    def filter(self, **criteria) -> "AnalysisResult":
        """A copy restricted by :func:`analysis.aggregate.filter_result` criteria."""
        return aggregate.filter_result(self, **criteria)

    def rename_topics(self, names: dict) -> "AnalysisResult":
        """A copy with topic labels replaced (``{topic_id: new label}``) everywhere."""
        return aggregate.rename_topics(self, names)
