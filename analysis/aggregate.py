"""Roll-ups and filters over the analysis frames.

Everything here is a pure function of frames (see README.md (Frames)), shared by the
CLI and the dashboard so that both show the same numbers for the same filter.
"""
from __future__ import annotations

import dataclasses
import re

import numpy as np
import pandas as pd

from .keyword_query import parse_query

__all__ = [
    "FREQS", "MIN_ARTICLES_PER_PERIOD", "auto_freq", "resolve_freq", "period_start", "timeline",
    "topic_timeline", "topic_summary", "topic_sentiment", "keyword_sentences", "keyword_timeline",
    "evidence", "keyword_evidence", "topic_period_sums", "filter_keyword", "filter_result", "rename_topics",
    "undated_count", "date_span", "article_outlets",
]

from .periods import FREQS, MIN_ARTICLES_PER_PERIOD, auto_freq_for_span
from .periods import check_freq as _check_freq


def auto_freq(published: pd.Series, min_articles: int = MIN_ARTICLES_PER_PERIOD,
              max_periods: int = 120) -> str:
    """The finest period (hour, day, week, month) with enough articles per period.

    Picks the finest period giving at most ``max_periods`` periods over the span and
    on average at least ``min_articles`` articles in each (a 5-day window of 550
    articles is shown by day, not as 110 hourly bars of 1 to 7 articles), and at
    least three periods.  A corpus
    too small for that anywhere gets the finest period with at least one article per
    period on average; month otherwise.
    """
    dated = pd.to_datetime(published).dropna()
    if dated.empty:
        return "day"
    return auto_freq_for_span(dated.min(), dated.max(), len(dated), min_articles, max_periods)


def resolve_freq(freq: str, published: pd.Series) -> str:
    """``freq`` itself, or for ``"auto"`` the period :func:`auto_freq` picks for these
    publication times.  Call it once where the setting enters and pass the result on."""
    return auto_freq(published) if freq == "auto" else _check_freq(freq)


def period_start(published: pd.Series, freq: str) -> pd.Series:
    """Start of the period (hour, day, Monday-start week, month) each time falls in."""
    _check_freq(freq)
    return pd.to_datetime(published).dt.to_period(FREQS[freq]).dt.start_time


_resolve = resolve_freq


def _all_periods(starts: pd.Series, freq: str) -> pd.DatetimeIndex:
    """Every period between the first and last, so quiet periods show as zero."""
    if starts.empty:
        return pd.DatetimeIndex([], name="period")
    rng = pd.period_range(starts.min(), starts.max(), freq=FREQS[freq])
    return pd.DatetimeIndex(rng.start_time, name="period")


def undated_count(articles: pd.DataFrame) -> int:
    """Number of articles without a publication time (never plotted as 1970)."""
    return int(articles["published"].isna().sum())


def date_span(articles: pd.DataFrame):
    """``(first, last)`` publication time, or ``(None, None)`` when nothing is dated."""
    dated = articles["published"].dropna()
    if dated.empty:
        return None, None
    return dated.min(), dated.max()


def timeline(articles: pd.DataFrame, sentences: pd.DataFrame, freq: str = "auto") -> pd.DataFrame:
    """Volume and sentiment per period.

    Returns one row per period from the first to the last dated article (quiet
    periods included with zero counts): ``period`` (datetime64, period start),
    ``n_articles``, ``n_sentences`` (int64), ``compound`` (float64, mean sentence
    compound; NaN in an empty period), ``article_compound`` (mean of article means),
    ``pos_share``, ``neg_share`` (float64 share of sentences).  Undated articles are
    left out; count them with :func:`undated_count`.  ``compound_se`` (float64) is the
    standard error of the period's mean sentiment counting each article once
    (sentences of one article are not independent): the standard deviation of the
    articles' mean compounds over the square root of the number of scored articles;
    NaN with fewer than two.  The store queries compute the same figure from their
    roll-ups.  ``freq`` should be
    concrete (:func:`resolve_freq`); "auto" is resolved here for one-off callers.
    """
    freq = _resolve(freq, articles["published"])
    dated = articles.loc[articles["published"].notna(), ["article_id", "published", "compound"]].copy()
    dated["period"] = period_start(dated["published"], freq)
    per_article = dated.groupby("period").agg(
        n_articles=("article_id", "size"), article_compound=("compound", "mean"),
        article_sd=("compound", "std"), n_scored=("compound", "count"))
    s = sentences[["article_id", "compound", "label"]].merge(
        dated[["article_id", "period"]], on="article_id", how="inner")
    s["pos"] = s["label"].eq("positive")
    s["neg"] = s["label"].eq("negative")
    per_sentence = s.groupby("period").agg(
        n_sentences=("compound", "size"), compound=("compound", "mean"),
        pos_share=("pos", "mean"), neg_share=("neg", "mean"))
    idx = _all_periods(dated["period"], freq)
    out = per_article.join(per_sentence, how="outer").reindex(idx)
    out["n_articles"] = out["n_articles"].fillna(0).astype(np.int64)
    out["n_sentences"] = out["n_sentences"].fillna(0).astype(np.int64)
    out["compound_se"] = (out["article_sd"] / np.sqrt(out["n_scored"].where(out["n_scored"] > 0))
                          ).astype(np.float64)
    out = out.reset_index()[["period", "n_articles", "n_sentences", "compound", "compound_se",
                             "article_compound", "pos_share", "neg_share"]]
    out["pos_share"] = out["pos_share"].astype(np.float64)
    out["neg_share"] = out["neg_share"].astype(np.float64)
    return out


def topic_timeline(articles: pd.DataFrame, article_topics: pd.DataFrame,
                   freq: str = "auto", topic_labels=None) -> pd.DataFrame:
    """Each topic's presence and sentiment per period.

    Returns one row per (period, topic): ``period`` (datetime64), ``topic_id`` (int64),
    ``topic_label`` (str), ``n_articles`` (int64, articles whose dominant topic it is),
    ``weight`` (float64, summed topic weights), ``share`` (float64, weight / all weight
    in the period: topic share by summed weights), ``compound`` (float64, mean article
    compound weighted by topic weight; NaN when no weight).  ``topic_labels``
    (``{id: label}``, e.g. from the topics frame) names topics that are no article's
    dominant topic here; otherwise the articles' labels are used.
    """
    freq = _resolve(freq, articles["published"])
    dated = articles.loc[articles["published"].notna(),
                         ["article_id", "published", "compound", "topic_id"]].copy()
    dated["period"] = period_start(dated["published"], freq)
    w = article_topics.merge(dated[["article_id", "period", "compound"]], on="article_id")
    w["wc"] = w["weight"] * w["compound"].fillna(0)
    w["wn"] = w["weight"].where(w["compound"].notna(), 0.0)
    agg = w.groupby(["period", "topic_id"]).agg(weight=("weight", "sum"), wc=("wc", "sum"),
                                                  wn=("wn", "sum"))
    counts = dated.groupby(["period", "topic_id"]).size().rename("n_articles")
    topic_ids = sorted(set(article_topics["topic_id"]) | set(dated["topic_id"].dropna()) - {-1})
    out = topic_period_sums(agg.join(counts, how="outer"), _all_periods(dated["period"], freq),
                            topic_ids)
    labels = articles.drop_duplicates("topic_id").set_index("topic_id")["topic_label"]
    if topic_labels is not None:
        labels = pd.Series(dict(topic_labels), dtype=object).combine_first(labels)
    out["topic_label"] = out["topic_id"].map(labels).fillna(out["topic_id"].astype(str)).astype(object)
    out["topic_id"] = out["topic_id"].astype(np.int64)
    out = out[["period", "topic_id", "topic_label", "n_articles", "weight", "share", "compound"]]
    return out


def topic_period_sums(sums: pd.DataFrame, periods, topic_ids) -> pd.DataFrame:
    """Per-(period, topic) sums (index ``period``, ``topic_id``; columns ``weight``,
    ``wc`` = weight x compound, ``wn`` = weight of articles with a compound,
    ``n_articles``) completed to every period x topic and turned into ``share`` (of the
    period's weight) and ``compound`` (weighted mean); returned with a flat index."""
    full = pd.MultiIndex.from_product([periods, topic_ids], names=["period", "topic_id"])
    out = sums.reindex(full)
    out["weight"] = out["weight"].fillna(0.0)
    out["n_articles"] = out["n_articles"].fillna(0).astype(np.int64)
    total = out.groupby(level="period")["weight"].transform("sum")
    out["share"] = (out["weight"] / total.replace(0, np.nan)).fillna(0.0)
    out["compound"] = out["wc"] / out["wn"].replace(0, np.nan)
    return out.reset_index()


def topic_summary(topics: pd.DataFrame, articles: pd.DataFrame,
                  sentences: pd.DataFrame) -> pd.DataFrame:
    """Topics frame with size and sentiment of the (dominant-topic) articles.

    Adds or refreshes ``n_articles`` (int64), ``share`` (float64), ``compound`` (mean
    article compound), ``pos_share`` and ``neg_share`` (share of the topic's sentences)
    for the given articles, so it also serves a filtered view.
    """
    out = topics.copy()
    a = articles[["article_id", "topic_id", "compound"]]
    n = a.groupby("topic_id").size()
    out["n_articles"] = out["topic_id"].map(n).fillna(0).astype(np.int64)
    out["share"] = out["n_articles"] / max(len(a), 1)
    out["compound"] = out["topic_id"].map(a.groupby("topic_id")["compound"].mean())
    s = sentences[["article_id", "label"]].merge(a[["article_id", "topic_id"]], on="article_id")
    # Every label column, so a view without positive sentences gives 0.0, not NaN.
    shares = pd.crosstab(s["topic_id"], s["label"], normalize="index").reindex(
        columns=["negative", "neutral", "positive"], fill_value=0.0)
    for name, col in (("positive", "pos_share"), ("negative", "neg_share")):
        out[col] = out["topic_id"].map(shares[name] if name in shares else pd.Series(dtype=float))
    return out


def topic_sentiment(articles: pd.DataFrame, sentences: pd.DataFrame) -> pd.DataFrame:
    """Topic × sentiment: sentences of each topic's articles by label.

    Returns ``topic_id`` (int64), ``topic_label`` (str), ``label`` (str), ``n_sentences``
    (int64) and ``share`` (float64, within the topic), one row per (topic, label),
    zeros included.
    """
    s = sentences[["article_id", "label"]].merge(
        articles[["article_id", "topic_id", "topic_label"]], on="article_id")
    labels = ["negative", "neutral", "positive"]
    topics = articles[["topic_id", "topic_label"]].drop_duplicates().sort_values("topic_id")
    full = topics.merge(pd.DataFrame({"label": labels}), how="cross")
    counts = s.groupby(["topic_id", "label"]).size().rename("n_sentences").reset_index()
    out = full.merge(counts, on=["topic_id", "label"], how="left")
    out["n_sentences"] = out["n_sentences"].fillna(0).astype(np.int64)
    tot = out.groupby("topic_id")["n_sentences"].transform("sum")
    out["share"] = (out["n_sentences"] / tot.replace(0, np.nan)).fillna(0.0)
    out["topic_id"] = out["topic_id"].astype(np.int64)
    return out.reset_index(drop=True)


def keyword_sentences(sentences: pd.DataFrame, keyword) -> pd.DataFrame:
    """Sentences about a keyword query (see :mod:`analysis.keyword_query`).

    A sentence is kept when its article's sentences, taken together, match the query and
    the sentence itself mentions one of the query's terms that is not under a NOT: for
    ``oil AND opec`` a sentence naming only OPEC counts when the article also names oil.
    For one word or phrase that is simply the sentences that contain it.  An empty
    query keeps nothing; a malformed one raises ``QueryError`` (a ``ValueError``).
    """
    if keyword is None or (isinstance(keyword, str) and not keyword.strip()):
        return sentences.iloc[0:0]
    query = parse_query(keyword)
    texts = sentences["text"]
    masks = query.term_masks(texts)
    mentions = np.zeros(len(sentences), dtype=bool)
    for term in query.positive_terms:
        mentions |= masks[term]
    if len(query.terms) > 1:
        ids = sentences["article_id"].to_numpy()
        per_article = pd.DataFrame({i: m for i, m in enumerate(masks.values())}).groupby(ids).any()
        by_term = dict(zip(masks, (per_article[i] for i in range(len(masks)))))
        matched = pd.Series(query.evaluate(by_term), index=per_article.index)
        mentions &= matched.reindex(ids).to_numpy(dtype=bool)
    return sentences[mentions]


def keyword_timeline(articles: pd.DataFrame, sentences: pd.DataFrame, keyword: str,
                     freq: str = "auto") -> pd.DataFrame:
    """Sentiment of the sentences that mention ``keyword``, per period.

    Columns: ``period`` (datetime64), ``n_sentences`` (int64), ``compound`` (float64
    mean), ``pos_share``, ``neg_share`` (float64).  Periods with no mention are zero / NaN.
    """
    freq = _resolve(freq, articles["published"])
    hits = keyword_sentences(sentences, keyword)[["article_id", "compound", "label"]].merge(
        articles[["article_id", "published"]], on="article_id")
    hits = hits[hits["published"].notna()]
    hits["period"] = period_start(hits["published"], freq)
    hits["pos"] = hits["label"].eq("positive")
    hits["neg"] = hits["label"].eq("negative")
    agg = hits.groupby("period").agg(n_sentences=("compound", "size"),
                                     compound=("compound", "mean"),
                                     pos_share=("pos", "mean"), neg_share=("neg", "mean"))
    dated = articles["published"].dropna()
    idx = _all_periods(period_start(dated, freq), freq)
    out = agg.reindex(idx)
    out["n_sentences"] = out["n_sentences"].fillna(0).astype(np.int64)
    out = out.reset_index()
    out[["pos_share", "neg_share"]] = out[["pos_share", "neg_share"]].astype(np.float64)
    return out


def filter_keyword(result) -> str | None:
    """The keyword ``result`` was filtered by (:func:`filter_result`), or None."""
    return ((result.params or {}).get("filter") or {}).get("keyword") or None


def keyword_evidence(result, *, label=None, keyword: str | None = None) -> pd.DataFrame:
    """:func:`evidence` for a (filtered) result: with a keyword (``keyword``, else the
    one the result was filtered by) only the sentences that contain it, since the
    filter keeps whole articles and most of their sentences are about something else."""
    return evidence(result.articles, result.sentences, label=label,
                    keyword=keyword or filter_keyword(result))


def evidence(articles: pd.DataFrame, sentences: pd.DataFrame, *, period=None,
             freq: str = "auto", topic_id=None, label=None, keyword: str | None = None,
             n: int | None = None, outlet: str | None = None) -> pd.DataFrame:
    """The sentences behind an aggregate, most negative and most positive first.

    Selects sentences of articles in ``period`` (a period start, with ``freq``), whose
    dominant topic is ``topic_id``, from ``outlet``, with sentence ``label``, mentioning
    ``keyword`` — each criterion optional.  Returns the sentence columns plus ``published``,
    ``title``, ``topic_id``, ``topic_label``, ordered by distance from neutral
    (``|compound|`` descending) so that what drives the number comes first; ``n``
    limits the rows.
    """
    a = articles[["article_id", "published", "title", "topic_id", "topic_label"]]
    if period is not None:
        freq = _resolve(freq, articles["published"])
        start = pd.Timestamp(period)
        a = a[a["published"].notna()]
        a = a[period_start(a["published"], freq) == period_start(pd.Series([start]), freq).iloc[0]]
    if topic_id is not None:
        a = a[a["topic_id"] == int(topic_id)]
    if outlet is not None:
        a = a[article_outlets(articles)[a.index] == str(outlet)]
    s = sentences.merge(a, on="article_id")
    if label is not None:
        s = s[s["label"] == label]
    if keyword:
        s = keyword_sentences(s, keyword)
    s = s.assign(_strength=s["compound"].abs()).sort_values(
        ["_strength", "published", "article_id", "sentence_id"],
        ascending=[False, True, True, True], kind="stable").drop(columns="_strength")
    if n is not None:
        s = s.head(n)
    return s.reset_index(drop=True)


def _article_mask(articles: pd.DataFrame, sentences: pd.DataFrame, start=None, end=None,
                  topics=None, sentiment=None, keyword=None, include_undated: bool = True,
                  outlets=None, themes=None):
    mask = pd.Series(True, index=articles.index)
    if outlets:
        mask &= article_outlets(articles).isin([str(o) for o in outlets])
    published = articles["published"]
    if start is not None:
        mask &= (published >= pd.Timestamp(start)) | (published.isna() & include_undated)
    if end is not None:
        end_ts = pd.Timestamp(end)
        # A bare date means the whole day.
        if end_ts == end_ts.normalize():
            end_ts = end_ts + pd.Timedelta(days=1) - pd.Timedelta(microseconds=1)
        mask &= (published <= end_ts) | (published.isna() & include_undated)
    if topics:
        mask &= articles["topic_id"].isin([int(t) for t in topics])
    if themes:
        mask &= articles["theme_id"].isin([int(t) for t in themes])
    if sentiment is not None:
        lo, hi = sentiment
        mask &= articles["compound"].between(lo, hi) | (articles["compound"].isna() & (lo <= 0 <= hi))
    if keyword is not None and (not isinstance(keyword, str) or keyword.strip()):
        mask &= parse_query(keyword).mask(articles["title"], articles["text"])
    return mask


def article_outlets(articles: pd.DataFrame) -> pd.Series:
    """Each article's ``outlet`` (str, ``""`` when unknown), also for frames made before
    the corpus had an outlet column."""
    if "outlet" not in articles.columns:
        return pd.Series("", index=articles.index, dtype=object)
    return articles["outlet"].fillna("").astype(object)


def filter_result(result, *, start=None, end=None, topics=None, sentiment=None,
                  keyword: str | None = None, include_undated: bool | None = None,
                  outlets=None, themes=None):
    """Restrict a result to articles matching every given criterion.

    Parameters
    ----------
    start, end : date or datetime (inclusive; a bare ``end`` date covers that day).
    topics : iterable of topic ids (dominant topic).
    themes : iterable of theme ids (the theme of the dominant topic, ``articles.theme_id``).
        Given with ``topics``, an article must match both.
    sentiment : ``(low, high)`` range of the article's mean compound.
    keyword : a keyword query (:mod:`analysis.keyword_query`: words, ``"phrases"``,
        ``flood*``, AND / OR / NOT, parentheses) matched in the title and text, any case.
    include_undated : keep undated articles when a date bound is set; default True
        when no date bound is given, False otherwise.
    outlets : iterable of outlet names (exact; ``""`` selects articles without one).

    Returns a new result of the same type with ``articles``, ``sentences``,
    ``article_topics`` and ``article_map`` restricted and ``topics`` sizes and
    sentiment recomputed for the selection.  ``params["filter"]`` records the criteria.
    """
    if include_undated is None:
        include_undated = start is None and end is None
    mask = _article_mask(result.articles, result.sentences, start, end, topics, sentiment,
                         keyword, include_undated, outlets, themes)
    articles = result.articles[mask].reset_index(drop=True)
    keep = set(articles["article_id"])
    article_topics = result.article_topics[result.article_topics["article_id"].isin(keep)] \
        .reset_index(drop=True)
    sentences = result.sentences[result.sentences["article_id"].isin(keep)].reset_index(drop=True)
    params = dict(result.params)
    params["filter"] = {
        "start": None if start is None else str(pd.Timestamp(start)),
        "end": None if end is None else str(pd.Timestamp(end)),
        "topics": None if not topics else [int(t) for t in topics],
        "themes": None if not themes else [int(t) for t in themes],
        "sentiment": None if sentiment is None else [float(sentiment[0]), float(sentiment[1])],
        "keyword": str(keyword) if keyword else None,
        "include_undated": include_undated,
        "outlets": None if not outlets else [str(o) for o in outlets],
    }
    return dataclasses.replace(
        result,
        articles=articles,
        sentences=sentences,
        topics=_weight_share(topic_summary(result.topics, articles, sentences), article_topics,
                             len(articles)),
        article_topics=article_topics,
        article_map=result.article_map[result.article_map["article_id"].isin(keep)]
        .reset_index(drop=True),
        params=params,
    )


def _weight_share(topics: pd.DataFrame, article_topics: pd.DataFrame,
                  n_articles: int) -> pd.DataFrame:
    """``weight_share`` (summed topic weight / articles, as the model reports it) for the
    articles of ``article_topics``, so a filtered topics table does not mix filtered
    counts with the whole corpus's weights."""
    if "weight_share" not in topics:
        return topics
    n_docs = max(n_articles, 1)
    sums = article_topics.groupby("topic_id")["weight"].sum()
    return topics.assign(weight_share=topics["topic_id"].map(sums).fillna(0.0)
                         .astype(np.float64) / n_docs)


def rename_topics(result, names: dict):
    """A copy of ``result`` with topic labels replaced by ``{topic_id: label}``.

    Blank names are ignored (the model's label stays).  Every frame that carries a
    topic label (``topics``, ``articles``) gets the new name, so charts and exports agree.
    """
    clean = {int(k): str(v).strip() for k, v in (names or {}).items() if str(v).strip()}
    if not clean:
        return result
    topics = result.topics.copy()
    topics["label"] = [clean.get(int(t), lab) for t, lab in zip(topics["topic_id"], topics["label"])]
    articles = result.articles.copy()
    articles["topic_label"] = [clean.get(int(t), lab)
                               for t, lab in zip(articles["topic_id"], articles["topic_label"])]
    return dataclasses.replace(result, topics=topics, articles=articles)
