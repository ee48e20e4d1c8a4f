"""Several tracked keyword queries side by side: volume, sentence sentiment, share of voice.

Each query (see :mod:`analysis.keyword_query`) is matched once per article (title and
text) and once per sentence; the sentence sentiment of a query is the mean compound of
the sentences of matching articles that mention one of its terms (not under a NOT), not
of the whole articles, so "oil" in a mostly cheerful market report is scored by what is said
about oil.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .aggregate import _all_periods, _resolve, period_start
from .sentiment import NEGATIVE, POSITIVE
from .keyword_query import QueryError, parse_query, prepare_texts

__all__ = ["keyword_matches", "keyword_series", "keyword_summary", "keyword_evidence",
           "mentioning_sentences", "split_queries", "parse_queries", "MAX_QUERIES",
           "SERIES_COLUMNS", "SUMMARY_COLUMNS"]

#: Most queries tracked at once (a chart of more lines is unreadable; each costs a scan).
MAX_QUERIES = 8
#: Columns of :func:`keyword_series` (and of ``keywords.csv``).
SERIES_COLUMNS = ["period", "keyword", "n_articles", "share_of_voice", "n_sentences",
                  "compound", "pos_share", "neg_share"]
#: Columns of :func:`keyword_summary`.
SUMMARY_COLUMNS = ["keyword", "n_articles", "n_sentences", "compound", "pos_share",
                   "neg_share"]


def split_queries(text) -> list[str]:
    """The queries of what a user typed: one per line (a boolean query holds spaces and
    parentheses, so lines are the only separator that never splits one), each trimmed,
    blank lines and repeats dropped, in the order typed.  A list is taken as already
    split (each item trimmed the same way)."""
    lines = text.splitlines() if isinstance(text, str) else [str(t) for t in (text or [])]
    return list(dict.fromkeys(line.strip() for line in lines if line.strip()))


def parse_queries(text, limit: int = MAX_QUERIES) -> tuple[list[str], list[str]]:
    """``(queries, problems)``: the well-formed queries of ``text`` (:func:`split_queries`),
    at most ``limit``, and one message per query left out (its :class:`QueryError`,
    which names it, or that it is beyond the limit), so a bad line never hides the
    good ones."""
    good, problems = [], []
    for q in split_queries(text):
        try:
            parse_query(q)
        except QueryError as exc:
            problems.append(str(exc))
            continue
        if len(good) >= limit:
            problems.append(f"keyword query {q!r}: left out, at most {limit} queries are "
                            f"tracked at once")
            continue
        good.append(q)
    return good, problems


def _queries(queries) -> list:
    if isinstance(queries, str):
        queries = [queries]
    parsed = [parse_query(q) for q in dict.fromkeys(queries)]  # a query given twice: once
    if not parsed:
        raise ValueError("queries must name at least one keyword query; got none")
    return parsed


def keyword_matches(articles: pd.DataFrame, sentences: pd.DataFrame, queries):
    """Which articles and sentences each query matches.

    Returns ``(article_hits, sentence_hits)``: long frames with ``keyword`` (str, the
    query as written) plus ``article_id`` (str) — and, for sentences, ``sentence_id``
    (int64) and ``compound`` (float64).
    """
    a_rows, s_rows = [], []
    columns = (prepare_texts(articles["title"]), prepare_texts(articles["text"]))
    for query in _queries(queries):
        mask = query.mask(*columns)
        a_rows.append(pd.DataFrame({"keyword": query.source,
                                    "article_id": articles["article_id"].to_numpy()[mask]}))
        of_matched = sentences[sentences["article_id"].isin(set(a_rows[-1]["article_id"]))]
        hits = of_matched[query.mentions(of_matched["text"])]
        s_rows.append(hits[["article_id", "sentence_id", "compound"]].assign(keyword=query.source))
    article_hits = pd.concat(a_rows, ignore_index=True).astype({"keyword": object, "article_id": object})
    sentence_hits = pd.concat(s_rows, ignore_index=True)[["keyword", "article_id", "sentence_id",
                                                          "compound"]]
    sentence_hits["keyword"] = sentence_hits["keyword"].astype(object)
    return article_hits, sentence_hits


def keyword_series(articles: pd.DataFrame, sentences: pd.DataFrame, queries,
                   freq: str = "auto") -> pd.DataFrame:
    """Each tracked query per period.

    Returns one row per (period, keyword), in the order the queries were given, quiet
    periods included: ``period`` (datetime64), ``keyword`` (str), ``n_articles`` (int64,
    articles matching the query), ``share_of_voice`` (float64, n_articles / the sum over
    the queries in that period; 0 when none matched), ``n_sentences`` (int64, sentences
    mentioning it), ``compound`` (float64, their mean compound; NaN without any),
    ``pos_share`` / ``neg_share`` (float64, of those sentences).  ``attrs["freq"]`` holds
    the period used; undated articles are left out.
    """
    freq = _resolve(freq, articles["published"])
    parsed = _queries(queries)
    article_hits, sentence_hits = keyword_matches(articles, sentences, parsed)
    dated = articles.loc[articles["published"].notna(), ["article_id", "published"]]
    periods = dated.assign(period=period_start(dated["published"], freq))[["article_id", "period"]]
    a = article_hits.merge(periods, on="article_id")
    s = sentence_hits.merge(periods, on="article_id")
    s["pos"] = s["compound"] >= POSITIVE
    s["neg"] = s["compound"] <= NEGATIVE
    per_a = a.groupby(["period", "keyword"]).size().rename("n_articles")
    per_s = s.groupby(["period", "keyword"]).agg(n_sentences=("compound", "size"),
                                                 compound=("compound", "mean"),
                                                 pos_share=("pos", "mean"), neg_share=("neg", "mean"))
    names = list(dict.fromkeys(q.source for q in parsed))
    full = pd.MultiIndex.from_product([_all_periods(periods["period"], freq), names],
                                      names=["period", "keyword"])
    out = pd.concat([per_a, per_s], axis=1).reindex(full)
    for col in ("n_articles", "n_sentences"):
        out[col] = out[col].fillna(0).astype(np.int64)
    total = out.groupby(level="period")["n_articles"].transform("sum")
    out["share_of_voice"] = (out["n_articles"] / total.replace(0, np.nan)).fillna(0.0)
    out = out.reset_index()
    out["keyword"] = out["keyword"].astype(object)
    out[["pos_share", "neg_share"]] = out[["pos_share", "neg_share"]].astype(np.float64)
    out = out[SERIES_COLUMNS]
    out.attrs["freq"] = freq
    return out


def keyword_summary(articles: pd.DataFrame, sentences: pd.DataFrame, queries) -> pd.DataFrame:
    """Each tracked query over the whole view, undated articles included: one row per
    query in the order given, ``keyword`` (str), ``n_articles`` (int64), ``n_sentences``
    (int64, sentences mentioning it), ``compound`` (float64, their mean; NaN without
    any), ``pos_share`` / ``neg_share`` (float64, of those sentences; NaN without any)."""
    parsed = _queries(queries)
    article_hits, sentence_hits = keyword_matches(articles, sentences, parsed)
    names = list(dict.fromkeys(q.source for q in parsed))
    s = sentence_hits.assign(pos=sentence_hits["compound"] >= POSITIVE,
                             neg=sentence_hits["compound"] <= NEGATIVE)
    per_s = s.groupby("keyword").agg(n_sentences=("compound", "size"),
                                     compound=("compound", "mean"),
                                     pos_share=("pos", "mean"), neg_share=("neg", "mean"))
    out = pd.concat([article_hits.groupby("keyword").size().rename("n_articles"), per_s],
                    axis=1).reindex(pd.Index(names, name="keyword"))
    for col in ("n_articles", "n_sentences"):
        out[col] = out[col].fillna(0).astype(np.int64)
    for col in ("compound", "pos_share", "neg_share"):
        out[col] = out[col].astype(np.float64)
    out = out.reset_index()
    out["keyword"] = out["keyword"].astype(object)
    return out[SUMMARY_COLUMNS]


def mentioning_sentences(articles: pd.DataFrame, sentences: pd.DataFrame, query) -> pd.DataFrame:
    """The rows of ``sentences`` that count for ``query`` (:func:`keyword_matches`: a
    sentence mentioning one of its terms, in an article whose title and text match it)."""
    _, hits = keyword_matches(articles, sentences, [query])
    keys = pd.MultiIndex.from_frame(hits[["article_id", "sentence_id"]])
    rows = pd.MultiIndex.from_frame(sentences[["article_id", "sentence_id"]])
    return sentences[rows.isin(keys)]


def keyword_evidence(articles: pd.DataFrame, sentences: pd.DataFrame, query, *,
                     period=None, freq: str = "auto", n: int | None = None) -> pd.DataFrame:
    """The sentences behind a tracked query (in ``period`` when given), strongest first.

    Same columns and order as :func:`analysis.aggregate.evidence`, restricted to the
    articles the query matches and the sentences that mention it.
    """
    from .aggregate import evidence

    query = parse_query(query)
    matched = articles[query.mask(articles["title"], articles["text"])]
    ev = evidence(matched, sentences[sentences["article_id"].isin(set(matched["article_id"]))],
                  period=period, freq=_resolve(freq, articles["published"]))
    ev = ev[query.mentions(ev["text"])].reset_index(drop=True)
    return ev.head(n) if n is not None else ev
