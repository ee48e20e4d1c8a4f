"""A view's filter as data, and its translation into bound SQL for the store queries.

:class:`Criteria` carries the same criteria as :func:`analysis.aggregate.filter_result`
(date range, dominant topics, article sentiment range, keyword, outlets) with the same meaning,
so a filtered frame and a store query answer the same question.  :func:`article_where`
turns it into a SQL condition over a store's ``articles`` rows plus the values to bind:
user text only ever travels as a bound parameter, never inside the SQL string.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import re

import pandas as pd

from .keyword_query import parse_query

__all__ = ["Criteria", "article_where", "month_bounds", "month_where", "keyword_regex",
           "keyword_where", "keyword_tokens", "is_single_token", "index_token", "like_pattern",
           "end_of_day"]


@dataclasses.dataclass(frozen=True)
class Criteria:
    """What a view is restricted to; every field optional (``None`` = no restriction).

    Parameters
    ----------
    start, end : date or datetime, inclusive; a bare ``end`` date covers that whole day.
    topics : tuple of topic ids (the article's dominant topic).
    sentiment : ``(low, high)`` range of the article's mean compound; an article without
        sentences (NaN compound) is kept when the range contains 0.
    keyword : whole word or phrase in the title or text, any case.
    include_undated : keep undated articles when a date bound is set; default (``None``)
        True without a date bound, False with one.
    outlets : tuple of outlet names (exact; ``""`` selects articles without one).
    """

    start: object = None
    end: object = None
    topics: tuple | None = None
    sentiment: tuple | None = None
    keyword: str | None = None
    include_undated: bool | None = None
    outlets: tuple | None = None

    def __post_init__(self):
        # Normalised once where the filter enters, so equal filters compare (and cache) equal.
        if self.topics is not None:
            object.__setattr__(self, "topics", tuple(sorted({int(t) for t in self.topics}))
                               or None)
        if self.sentiment is not None:
            lo, hi = (float(v) for v in self.sentiment)
            if lo > hi:
                raise ValueError(f"sentiment must be (low, high) with low <= high, got "
                                 f"{self.sentiment!r}")
            object.__setattr__(self, "sentiment", None if (lo, hi) == (-1.0, 1.0)
                               else (lo, hi))
        if self.outlets is not None:
            if isinstance(self.outlets, str):
                raise TypeError("outlets must be a collection of outlet names, not one string")
            object.__setattr__(self, "outlets", tuple(sorted({str(o) for o in self.outlets}))
                               or None)
        kw = (self.keyword or "").strip()
        object.__setattr__(self, "keyword", kw or None)
        for name in ("start", "end"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, pd.Timestamp(value))

    @property
    def undated(self) -> bool:
        """Whether undated articles pass the filter's date part."""
        if self.include_undated is not None:
            return bool(self.include_undated)
        return self.start is None and self.end is None

    @property
    def end_ts(self):
        return None if self.end is None else end_of_day(self.end)

    def describe(self) -> dict:
        """The filter as ``summary.txt`` records it (the form of
        ``AnalysisResult.params["filter"]`` after :func:`analysis.aggregate.filter_result`)."""
        return {
            "start": None if self.start is None else str(self.start),
            "end": None if self.end is None else str(self.end),
            "topics": None if not self.topics else list(self.topics),
            "sentiment": None if self.sentiment is None else list(self.sentiment),
            "keyword": self.keyword,
            "include_undated": self.undated,
            "outlets": None if not self.outlets else list(self.outlets),
        }

    def report_args(self) -> list[str]:
        """The filter as options of ``python -m analysis report`` (``--since``,
        ``--until``, ``--topic``, ``--keyword``, ``--outlet``, ``--min/max-sentiment``),
        so a view too big to download from the dashboard can be written from the
        command line; ValueError when the command line cannot say it (undated articles
        kept beside a date range)."""
        if self.include_undated is not None and self.include_undated != (
                self.start is None and self.end is None):
            raise ValueError("the command line keeps undated articles only without dates")
        args: list[str] = []
        for flag, value in (("--since", self.start), ("--until", self.end)):
            if value is not None:
                ts = pd.Timestamp(value)
                args += [flag, ts.date().isoformat() if ts == ts.normalize() else ts.isoformat()]
        for t in self.topics or ():
            args += ["--topic", str(t)]
        if self.keyword:
            args += ["--keyword", self.keyword]
        for o in self.outlets or ():
            args += ["--outlet", o]
        if self.sentiment is not None:
            args += ["--min-sentiment", repr(self.sentiment[0]),
                     "--max-sentiment", repr(self.sentiment[1])]
        return args

    def filter_kwargs(self) -> dict:
        """The same criteria as keyword arguments of :func:`analysis.aggregate.filter_result`."""
        return {"start": self.start, "end": self.end, "topics": self.topics,
                "sentiment": self.sentiment, "keyword": self.keyword,
                "include_undated": self.include_undated, "outlets": self.outlets}


def end_of_day(end) -> pd.Timestamp:
    """An inclusive end bound: a bare date (midnight) means the end of that day."""
    ts = pd.Timestamp(end)
    if ts == ts.normalize():
        ts = ts + pd.Timedelta(days=1) - pd.Timedelta(microseconds=1)
    return ts


def month_bounds(criteria: Criteria) -> tuple[str | None, str | None]:
    """``YYYY-MM`` of the first and last month partition the date range can touch."""
    lo = None if criteria.start is None else f"{criteria.start:%Y-%m}"
    hi = None if criteria.end is None else f"{criteria.end_ts:%Y-%m}"
    return lo, hi


def _regex_escape(text: str) -> str:
    # RE2 (DuckDB's regex engine) reads \x{HHHH} for any code point: every character
    # that is not a letter or digit goes that way, so no user character is a metachar.
    return "".join(c if c.isalnum() else f"\\x{{{ord(c):x}}}" for c in text)


#: A word character as Python's ``re`` sees it in ``aggregate._keyword_pattern``
#: (letters, digits, underscore, any script).
_WORD = r"[\pL\pN_]"


def keyword_regex(keyword: str) -> str:
    """RE2 pattern for ``keyword`` as a whole word or phrase, any case: the same test as
    ``analysis.aggregate._keyword_pattern`` (no word character just before or after)."""
    return f"(?i)(?:^|[^\\pL\\pN_]){_regex_escape(keyword.strip())}(?:[^\\pL\\pN_]|$)"


def like_pattern(text: str) -> str:
    """``%text%`` for ILIKE with ``\\`` escaping ``%``, ``_`` and itself."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _ts(value) -> dt.datetime:
    return pd.Timestamp(value).to_pydatetime()


def keyword_tokens(keyword: str) -> list[str]:
    """The lowercased word tokens of ``keyword`` (runs of letters, digits, underscore),
    as the store's token index holds them."""
    return sorted({t for t in _SPLIT.split(keyword.lower()) if t})


def is_single_token(keyword: str) -> bool:
    """True when ``keyword`` is one word: the token index answers it exactly."""
    return bool(_ONE_WORD.fullmatch(keyword.strip()))


def index_token(keyword: str) -> str | None:
    """The one token-index word that answers ``keyword`` exactly (lowercased), or None
    when :func:`keyword_where` needs more than one lookup (a phrase, several terms, a
    prefix, NOT, punctuation): then the regex decides."""
    query = parse_query(keyword)
    if not (len(query.terms) == 1 and query.positive_terms == query.terms
            and not query.terms[0].prefix):
        return None
    text = query.terms[0].text
    words = keyword_tokens(text)
    return words[0] if len(words) == 1 and is_single_token(text) else None


_SPLIT = re.compile(r"[^\w]+")
_ONE_WORD = re.compile(r"\w+")


#: Key of a token-index entry: art * KEY_BASE + sentence_id + 1 (see analysis.rollups).
KEY_BASE = 1 << 20


def keyword_where(keyword: str, alias: str, tokens: bool, level: str = "article",
                  criteria: Criteria | None = None) -> tuple[str, list]:
    """SQL condition: the article (``level="article"``: its title or text) or the
    sentence (``level="sentence"``) of rows ``alias`` mentions ``keyword`` as a whole
    word or phrase, any case.

    With the token index (``tokens=True``: table ``postings`` of the roll-ups, rows
    ``alias`` from the narrow ``articles`` / ``sentences`` copies with their ``art``
    number) the articles or sentences holding every word of the keyword come from a
    lookup; a phrase or a keyword with punctuation is then checked with the regex on
    the full text.  Without it, the regex runs over the text (``articles_full`` /
    ``sentences_full``).  Sub-queries read only the month partitions of ``criteria``'s
    date range.
    """
    criteria = criteria or Criteria()
    query = parse_query(keyword)
    simple = (len(query.terms) == 1 and query.positive_terms == query.terms
              and not query.terms[0].prefix)
    if not simple:
        return _query_where(query, alias, level, criteria)
    keyword = query.terms[0].text
    a = alias
    pat = keyword_regex(keyword)
    words = keyword_tokens(keyword)
    fwhere, fparams = month_where(criteria, "f")
    pwhere, pparams = month_where(criteria, "p")
    if level == "article":
        verify = (f"({a}.month, {a}.article_id) IN (SELECT f.month, f.article_id FROM "
                  f"articles_full f WHERE {fwhere} AND "
                  "(regexp_matches(f.title, ?) OR regexp_matches(f.text, ?)))")
        vparams = fparams + [pat, pat]
        unit, row = f"k // {KEY_BASE}", f"({a}.month, {a}.art)"
    else:
        verify = (f"({a}.month, {a}.article_id, {a}.sentence_id) IN (SELECT f.month, "
                  f"f.article_id, f.sentence_id FROM sentences_full f WHERE "
                  f"{fwhere} AND regexp_matches(f.text, ?))")
        vparams = fparams + [pat]
        unit, row = "k", f"({a}.month, {a}.art * {KEY_BASE} + {a}.sentence_id + 1)"
    if not tokens or not words:
        return verify, vparams
    sentence_only = "" if level == "article" else f" AND k % {KEY_BASE} <> 0"
    cond = (f"{row} IN (SELECT month, {unit} FROM (SELECT p.month, p.token, UNNEST(p.keys) "
            f"AS k FROM postings p WHERE {pwhere} AND p.token IN ({', '.join('?' * len(words))}))"
            f" WHERE TRUE{sentence_only} GROUP BY ALL HAVING count(DISTINCT token) = ?)")
    # One placeholder per word (a literal IN list prunes row groups by their token range).
    params = pparams + words + [len(words)]
    if is_single_token(keyword):
        return cond, params
    return f"({cond} AND {verify})", params + vparams


def _query_where(query, alias: str, level: str, criteria: Criteria) -> tuple[str, list]:
    """:func:`keyword_where` for a boolean query (several terms, a prefix, NOT): the
    query's own predicate (:meth:`analysis.keyword_query.Query.sql`) over the full texts
    of the months in range.  At sentence level: sentences that mention one of the
    query's terms not under a NOT, in articles that match the query (what
    :func:`analysis.aggregate.keyword_evidence` lists)."""
    a = alias
    fwhere, fparams = month_where(criteria, "f")
    pred, pparams = query.sql("title", "text")
    articles = (f"SELECT f.month, f.article_id FROM articles_full f WHERE {fwhere} AND {pred}")
    if level == "article":
        return f"({a}.month, {a}.article_id) IN ({articles})", fparams + pparams
    terms = " OR ".join("regexp_matches(coalesce(f.text, ''), ?)" for _ in query.positive_terms)
    tparams = [t.re2() for t in query.positive_terms]
    cond = (f"({a}.month, {a}.article_id, {a}.sentence_id) IN (SELECT f.month, f.article_id, "
            f"f.sentence_id FROM sentences_full f WHERE {fwhere} AND ({terms}) AND "
            f"(f.month, f.article_id) IN ({articles}))")
    return cond, fparams + tparams + fparams + pparams


def month_where(criteria: Criteria, alias: str = "a") -> tuple[str, list]:
    """Only the month-partition part of the date range (for pruning sub-queries)."""
    lo, hi = month_bounds(criteria)
    parts, params = [], []
    if lo is not None:
        parts.append(f"{alias}.month >= ?")
        params.append(lo)
    if hi is not None:
        parts.append(f"{alias}.month <= ?")
        params.append(hi)
    if not parts:
        return "TRUE", []
    cond = " AND ".join(parts)
    if criteria.undated:
        cond = f"(({cond}) OR {alias}.month = 'undated')"
    return cond, params


def article_where(criteria: Criteria, alias: str = "a", keyword: bool = True,
                  tokens: bool = False, compound: str = "compound") -> tuple[str, list]:
    """SQL condition over ``articles`` rows (aliased ``alias``) and its parameters.

    The month partition bounds come first so that DuckDB prunes partitions before it
    reads a row; the keyword test (``keyword=True``, through the token index when
    ``tokens``, see :func:`keyword_where`) comes last.  The outlet test reads
    ``{alias}.outlet`` (the store's full ``articles_full`` rows hold it; the roll-ups'
    narrow copies do not: :meth:`analysis.queries.Store.article_where` tests it through
    the store's outlet keys instead).  ``compound``: the column of the article's mean
    compound (the sentiment range), for rows that carry it under another name.
    """
    c = criteria
    a = alias
    parts, params = [], []
    mcond, mparams = month_where(c, a)
    dated, dparams = [], []
    if c.start is not None:
        dated.append(f"{a}.published >= ?")
        dparams.append(_ts(c.start))
    if c.end is not None:
        dated.append(f"{a}.published <= ?")
        dparams.append(_ts(c.end_ts))
    if dated:
        cond = " AND ".join(dated)
        if c.undated:
            cond = f"({cond} OR {a}.month = 'undated')"
        parts += [mcond, cond]
        params += mparams + dparams
    if c.topics:
        parts.append(f"{a}.topic_id IN (SELECT UNNEST(?::BIGINT[]))")
        params.append(list(c.topics))
    if c.sentiment is not None:
        lo_s, hi_s = c.sentiment
        col = f"{a}.{compound}"
        cond = f"({col} BETWEEN ? AND ?)"
        params += [lo_s, hi_s]
        if lo_s <= 0 <= hi_s:
            cond = f"({cond} OR isnan({col}) OR {col} IS NULL)"
        parts.append(cond)
    if c.outlets:
        parts.append(f"coalesce({a}.outlet, '') IN (SELECT UNNEST(?::VARCHAR[]))")
        params.append(list(c.outlets))
    if keyword and c.keyword:
        kcond, kparams = keyword_where(c.keyword, a, tokens, "article", c)
        parts.append(kcond)
        params += kparams
    return (" AND ".join(parts) or "TRUE"), params
