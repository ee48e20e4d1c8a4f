"""Answers for each view of an archive store, computed by DuckDB over its Parquet.

An archive store (``python -m analysis index``; layout in README "Archive store") is
opened read-only with :class:`Store`; every function here takes the store and a
:class:`~analysis.criteria.Criteria` and returns exactly what one view shows, as a
small frame with the columns of the matching :mod:`analysis.aggregate` function, so
charts draw either.  Date bounds prune month partitions; topic, sentiment and keyword
criteria are pushed into the SQL; user text is always a bound parameter.

Charts over time and the topic figures read the roll-ups (:mod:`analysis.rollups`)
when the filter allows it (dates on day boundaries, topics) and the articles
partitions otherwise (a sentiment range, a keyword, an hour period, a stale roll-up);
both paths run the same aggregation, so they give the same numbers.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import threading
import time
from collections import Counter, OrderedDict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from . import evidence_tier, rollups
from .answers import Answers
from .row_pool import RowPool
from .criteria import (KEY_BASE, Criteria, _ts, article_where, index_token, keyword_where,
                       month_bounds, month_where)
from .search import search_where
from .headline import Headline
from .periods import FREQS, auto_freq_for_span, check_freq
from .sentiment import NEGATIVE, POSITIVE

__all__ = [
    "Store", "StoreError", "Criteria", "headline", "resolve_freq", "timeline",
    "topic_timeline", "topic_table", "topic_sentiment", "label_counts",
    "sentiment_histogram", "articles_page", "evidence", "evidence_by_label",
    "keyword_series", "keyword_summary", "keyword_alert_rows",
    "article",
    "map_sample", "export_csvs", "ARTICLE_SORTS", "outlets", "outlet_timeline",
    "outlet_topic_sentiment",
]

LABELS = ("negative", "neutral", "positive")
#: Whole-store answers an opened store keeps (:meth:`Store.remember`).
REMEMBER = 64
_NOT_KEPT = object()


class StoreError(ValueError):
    """A folder that is not a readable archive store (the message says why)."""


class Store:
    """A store opened for queries: one in-memory DuckDB database whose views read the
    store's Parquet files (``articles``, ``sentences``, ``article_topics``, the roll-ups
    ``r_daily`` and ``r_weights``) and a ``topics`` table.  Nothing is written to the
    store.  Each query runs on its own cursor, so sessions can query at once.

    Parameters
    ----------
    path : the store folder.
    threads : DuckDB threads (default: DuckDB's, one per core).
    memory_limit : DuckDB's memory limit, e.g. ``"1GB"`` (default: DuckDB's).

    Attributes: ``path``, ``topics`` (topics frame), ``settings`` (``store.json``),
    ``use_rollups`` (False when a roll-up is missing or stale: queries then read the
    articles), ``stale_months``.
    """

    def __init__(self, path, threads: int | None = None, memory_limit: str | None = None):
        self.path = Path(path)
        if not (self.path / "articles").is_dir():
            raise StoreError(f"{self.path}: not an archive store (no articles/ folder); "
                             "build one with `python -m analysis index SOURCE --store DIR`")
        self.con = rollups.connect(threads=threads, memory_limit=memory_limit)
        made = rollups.register_frames(self.con, self.path, suffix="_full")
        for name in rollups.FRAMES:
            if name + "_full" not in made:
                raise StoreError(f"{self.path}: no {name} Parquet files under {name}/")
        try:
            self.settings = json.loads((self.path / "store.json").read_text())
        except (OSError, ValueError):
            self.settings = {}
        tp = self.path / "topics.parquet"
        self.topics = pd.read_parquet(tp) if tp.exists() else pd.DataFrame(
            {"topic_id": pd.Series(dtype="int64"), "label": pd.Series(dtype=object)})
        self.stale_months = rollups.stale_months(self.path)
        kinds = rollups.register_frames(self.con, self.path, rollups.KINDS, suffix="_r",
                                        folder="rollups")
        self.use_rollups = not self.stale_months and len(kinds) == len(rollups.KINDS)
        # Every query opens each month's file; their footers are parsed once, not per query.
        self.con.execute("SET parquet_metadata_cache = true")
        if self.use_rollups:
            for view, table in (("articles", "articles_r"), ("sentences", "sentences_r"),
                                ("postings", "postings_r"), ("strongest", "strongest_r"),
                                ("article_topics", "article_topics_r")):
                self.con.execute(f"CREATE VIEW {view} AS SELECT * FROM {table}")
            # The day roll-ups answer most charts of every rerun and hold a row per (day,
            # topic) whatever the archive's size (2 MB and 5 MB of Parquet at a million
            # articles): read once into memory, a query of them skips opening each
            # month's file (a headline 11 -> 4 ms, a topic timeline 28 -> 17 ms at 100k).
            # They are a snapshot of the store as opened, which the dashboard reopens
            # when store.json changes.
            for table, files in (("r_daily", "daily_r"), ("r_weights", "topic_weights_r")):
                try:
                    self.con.execute(f"CREATE TABLE {table} AS SELECT * FROM {files}")
                except duckdb.Error as exc:
                    self.con.close()
                    raise StoreError(f"{self.path}: its day roll-ups cannot be read ({exc}); "
                                     "`python -m analysis index SOURCE --store DIR` writes "
                                     "them again") from exc
        else:  # queries read the store's own files (slower, same answers)
            for name in ("articles", "sentences", "article_topics"):
                self.con.execute(f"CREATE VIEW {name} AS SELECT * FROM {name}_full")
        self._local = threading.local()
        self._lock = threading.Lock()
        self._match_tables: OrderedDict[tuple, str] = OrderedDict()
        self._view_tables: OrderedDict[tuple, str] = OrderedDict()
        self._kept_tables: OrderedDict[tuple, str] = OrderedDict()  # kept_table
        self._making: dict[tuple, threading.Lock] = {}  # tables being built, by key
        self._retired: dict[str, float] = {}  # evicted tables, by when (to drop later)
        # The views' answers per (filter, names, question), for every session
        # (analysis.answers): a filter drawn before is not asked of DuckDB again.
        self.answers = Answers(self.ANSWER_CACHE, self.ANSWER_BYTES)
        # Whole-store answers (remember): bounded by count only, they are small.
        self._remembered = Answers(REMEMBER, max_bytes=1 << 62)
        self._pools: dict[str, RowPool] = {}  # rows read by key, per kind (row_pool)

    #: Keyword and search match sets kept (LRU); each is a small table of row keys.
    MATCH_CACHE = 32
    #: Per-filter relations kept (LRU, :meth:`view_table`): each has at most a row per
    #: (day, topic[, topic]), whatever the archive's size (a few MB: 140k rows for the
    #: topic weights of a 100k store's four years).  A filter makes two (a sentiment
    #: range or a keyword: 30-100 ms to build at 100k articles); 24 keep a dozen
    #: filters, so going back to one, or opening another tab on it, builds nothing.
    VIEW_CACHE = 24
    #: View answers kept (LRU, :attr:`answers`): a rerun asks for 4-8 of them, each a
    #: small frame (a row per topic, period or evidence sentence).
    ANSWER_CACHE = 256
    #: ... and at most this many bytes of them (a day-by-topic timeline of a long
    #: archive is about a megabyte).
    ANSWER_BYTES = 64 << 20
    #: Seconds an evicted table stays before it is dropped (a query holding its name
    #: must not fail; a rerun's queries take well under a second).
    RETIRE_SECONDS = 30.0

    def _matches(self, kind: str, text: str, c: Criteria) -> tuple[str, str]:
        """``(table, key columns)`` of the rows matching ``text``: ``kind`` "article" or
        "sentence" (keyword, whole word or phrase), "search" (the article search box).

        A keyword is typed once and then every other filter changes around it, so the
        match set is computed once and kept as a table; each view then joins it like any
        other filter.  A one-word keyword's set is the token index's postings of that word
        (no article or sentence is read); a phrase or a query is matched over the months
        of the view's date range (token index lookup, then the regex on the candidates)."""
        art = "art" if self.use_rollups else "article_id"
        cols = f"month, {art}" + (", sentence_id" if kind == "sentence" else "")
        months = dataclasses.replace(c, keyword=None, topics=None, sentiment=None)
        token = index_token(text) if self.use_rollups and kind != "search" else None
        key = (kind, text, month_bounds(months), months.undated)
        # The whole store's set serves any date range (each view intersects it with its
        # own dates): a date change after the keyword builds nothing.
        whole = self.peek_table(("m", kind, text, (None, None), True))
        if whole is not None and key[2:] != ((None, None), True):
            return whole, cols

        def build(table: str) -> None:
            if token is not None:
                pwhere, pparams = month_where(months, "p")
                self.con.cursor().execute(f"CREATE OR REPLACE TABLE {table} AS "
                                          f"{_posting_rows(kind, pwhere)}", pparams + [token])
            else:
                self._match_scan(table, kind, text, cols, months)

        return self._table(self._match_tables, self.MATCH_CACHE, ("m",) + key, build), cols

    def view_table(self, key, sql: str, params, per_keyword: bool = False) -> str:
        """Name of a table holding ``sql``'s rows (``params`` bound), made on the first
        call with ``key`` (hashable: what the rows depend on) and kept (LRU of
        :attr:`VIEW_CACHE`, or beside the match sets when it is ``per_keyword``: it
        outlives filter changes as they do) while the store is open; an index run
        reopens the store."""
        def build(table: str) -> None:
            self.con.cursor().execute(f"CREATE OR REPLACE TABLE {table} AS {sql}", list(params))

        if per_keyword:
            return self._table(self._match_tables, self.MATCH_CACHE, ("k",) + tuple(key), build)
        return self._table(self._view_tables, self.VIEW_CACHE, ("v",) + tuple(key), build)

    def kept_table(self, key: tuple, build) -> str:
        """Name of a table made by ``build(name)`` on the first call with ``key`` and
        kept while the store is open (a few, for whole-store tables such as the
        evidence tier: no filter or keyword evicts them)."""
        return self._table(self._kept_tables, self.KEPT_TABLES, ("w",) + tuple(key), build)

    #: Whole-store tables kept (:meth:`kept_table`).
    KEPT_TABLES = 4

    def peek_table(self, key: tuple) -> str | None:
        """The kept match set or keyword table under ``key`` (as :meth:`_table` keys
        them), None when it is not kept; nothing is made."""
        with self._lock:
            return self._match_tables.get(key)

    def _table(self, cache: OrderedDict, size: int, key: tuple, build) -> str:
        """The table kept in ``cache`` under ``key``, made by ``build(name)`` if absent;
        the least recently used beyond ``size`` are dropped."""
        with self._lock:
            table = cache.get(key)
            if table is not None:
                cache.move_to_end(key)
                return table
            making = self._making.setdefault(key, threading.Lock())
        # Built under this key's own lock, not the store's: the store lock guards every
        # session's remembered answers, and a new keyword's match set takes tens of ms.
        with making:
            with self._lock:
                table = cache.get(key)
            if table is not None:
                return table
            table = key[0] + "_" + hashlib.sha256(
                repr(key).encode("utf-8", "surrogatepass")).hexdigest()[:20]
            with self._lock:
                self._retired.pop(table, None)  # made again: not to be dropped
            build(table)
            now = time.monotonic()
            with self._lock:
                cache[key] = table
                self._making.pop(key, None)
                for _ in range(len(cache) - size):
                    self._retired[cache.popitem(last=False)[1]] = now
                # An evicted table may still be in a query another session started with
                # its name: it is dropped only after RETIRE_SECONDS.
                old = [name for name, since in self._retired.items()
                       if now - since > self.RETIRE_SECONDS]
                for name in old:
                    del self._retired[name]
            for name in old:
                self.con.cursor().execute(f"DROP TABLE IF EXISTS {name}")
            return table

    def _match_scan(self, table: str, kind: str, text: str, cols: str, months: Criteria) -> None:
        """Table ``table`` of the rows matching ``text`` in the months of ``months``, by
        the keyword or search condition over the article or sentence rows."""
        if kind == "search":
            cond, params = search_where(text, "x", self.use_rollups, months)
            src = "articles x"
        else:
            cond, params = keyword_where(text, "x", self.use_rollups, kind, months)
            src = "articles x" if kind == "article" else "sentences x"
        select = ", ".join(f"x.{col.strip()}" for col in cols.split(","))
        mwhere, mparams = month_where(months, "x")
        self.con.cursor().execute(f"CREATE OR REPLACE TABLE {table} AS SELECT DISTINCT "
                                  f"{select} FROM {src} WHERE {mwhere} AND {cond}",
                                  mparams + params)

    def article_where(self, c: Criteria, alias: str = "a") -> tuple[str, list]:
        """:func:`analysis.criteria.article_where` over the narrow articles, the keyword
        through its cached match set (:meth:`_matches`), the outlets through the
        store's outlet keys (:meth:`outlet_keys`)."""
        where, params = article_where(dataclasses.replace(c, keyword=None, outlets=None), alias)
        if c.outlets:
            where += (f" AND ({alias}.month, {alias}.article_id) IN (SELECT o.month, "
                      f"o.article_id FROM {self.outlet_keys()} o WHERE o.outlet IN "
                      "(SELECT UNNEST(?::VARCHAR[])))")
            params = params + [list(c.outlets)]
        if c.keyword:
            where += " AND " + self._in_matches("article", c.keyword, alias, c)
        return where, params

    def outlet_keys(self) -> str:
        """Name of a table ``(month, article_id, outlet)`` of every article of the store
        (``outlet`` ``""`` when unknown), made on first use and kept while the store is
        open.  The roll-ups' narrow article copies carry no outlet, so an outlet filter
        or chart joins this table (one read of the ``outlet`` column of the store's
        article files, then memory: about 60 bytes an article)."""
        with self._lock:
            if not getattr(self, "_outlet_keys", None):
                cols = {r[0] for r in self.con.cursor().execute(
                    "DESCRIBE SELECT * FROM articles_full").fetchall()}
                outlet = "coalesce(f.outlet, '')" if "outlet" in cols else "''"
                self.con.cursor().execute(
                    f"CREATE OR REPLACE TABLE outlet_keys AS SELECT f.month, f.article_id, "
                    f"{outlet}::VARCHAR AS outlet FROM articles_full f")
                self._outlet_keys = "outlet_keys"
            return self._outlet_keys

    def _in_matches(self, kind: str, text: str, alias: str, c: Criteria) -> str:
        table, cols = self._matches(kind, text, c)
        keys = ", ".join(f"{alias}.{col.strip()}" for col in cols.split(","))
        return f"({keys}) IN (SELECT {cols} FROM {table})"

    def sentence_keyword_where(self, keyword: str, c: Criteria, alias: str = "s") -> str:
        """Condition: sentence rows ``alias`` mention ``keyword`` (whole word or phrase)."""
        return self._in_matches("sentence", keyword.strip(), alias, c)

    def search_where(self, text: str, c: Criteria, alias: str = "a") -> str:
        """Condition: article rows ``alias`` match the search box text."""
        return self._in_matches("search", text.strip(), alias, c)

    @property
    def key(self) -> str:
        """The column that names an article within a month: ``art`` in the roll-ups,
        ``article_id`` in the store's own files."""
        return "art" if self.use_rollups else "article_id"

    def cursor(self):
        """This thread's cursor (DuckDB connections are not shared across threads)."""
        cur = getattr(self._local, "cur", None)
        if cur is None:
            cur = self._local.cur = self.con.cursor()
        return cur

    def frame(self, sql: str, params=()) -> pd.DataFrame:
        """The result of ``sql`` with bound ``params`` as a pandas frame."""
        return self.cursor().execute(sql, list(params)).df()

    def one(self, sql: str, params=()):
        return self.cursor().execute(sql, list(params)).fetchone()

    def remember(self, key, make):
        """``make()``, computed once per opened store: for answers about the whole store
        (its span, its topic map), which only an index run changes, and an index run
        makes the dashboard open the store again.  The :data:`REMEMBER` most recently
        used answers are kept: some keys carry what users type (renames, tracked
        queries), so the memo must not grow with them."""
        hit = self._remembered.get(key, _NOT_KEPT)
        if hit is not _NOT_KEPT:
            return hit
        value = make()
        self._remembered.put(key, value)
        return value

    #: Rows of each kind a row pool keeps (:meth:`row_pool`): an evidence list shows 10-20
    #: sentences, so a few hundred filters' lists (a few MB of text).
    POOL_ROWS = 4096

    def row_pool(self, kind: str, on: list[str]) -> RowPool:
        """The :class:`~analysis.row_pool.RowPool` of ``kind`` (``"strongest"``,
        ``"sentences"``, ``"titles"``), keyed by ``on``, made on first use: rows read for
        one filter's evidence serve the next filter's."""
        with self._lock:
            pool = self._pools.get(kind)
            if pool is None:
                pool = self._pools[kind] = RowPool(on, self.POOL_ROWS)
            return pool

    def labels(self, names: dict | None = None) -> dict[int, str]:
        """``{topic_id: label}`` with the user's renames applied (blank names ignored)."""
        out = {int(t): str(lab) for t, lab in zip(self.topics["topic_id"], self.topics["label"])}
        for k, v in (names or {}).items():
            if str(v).strip():
                out[int(k)] = str(v).strip()
        return out

    def close(self) -> None:
        self.con.close()


def _posting_rows(kind: str, months: str = "TRUE") -> str:
    """SQL of the distinct ``(month, art)`` (``kind`` "article") or ``(month, art,
    sentence_id)`` (``kind`` "sentence") rows holding one token (the last ``?``) in the
    postings rows ``p`` passing ``months``, decoded from the token index's keys (``art *
    KEY_BASE + sentence_id + 1``; 0 after the ``art`` part: the title or a section
    heading, which a sentence match leaves out)."""
    unit = "art" if kind == "article" else f"art, (k % {KEY_BASE}) - 1 AS sentence_id"
    only = "" if kind == "article" else f" WHERE k % {KEY_BASE} <> 0"
    return (f"SELECT DISTINCT month, (k // {KEY_BASE}) AS {unit} FROM (SELECT p.month, "
            f"UNNEST(p.keys) AS k FROM postings p WHERE {months} AND p.token = ?){only}")


# ---------------------------------------------------------------------- the base relation
def _day_aligned(c: Criteria) -> bool:
    start_ok = c.start is None or c.start == c.start.normalize()
    end_ok = c.end is None or c.end == c.end.normalize()
    return start_ok and end_ok


def _rollup_ok(store: Store, c: Criteria, freq: str | None = None) -> bool:
    # The day roll-ups hold no outlet: an outlet filter reads the articles copy.
    return (store.use_rollups and c.sentiment is None and c.keyword is None
            and not c.outlets and _day_aligned(c) and freq != "hour")


def _rollup_where(c: Criteria, alias: str = "r") -> tuple[str, list]:
    parts, params = [], []
    lo, hi = month_bounds(c)
    dated = []
    if lo is not None:
        dated += [f"{alias}.month >= ?", f"{alias}.day >= ?"]
        params += [lo, c.start.to_pydatetime()]
    if hi is not None:
        dated += [f"{alias}.month <= ?", f"{alias}.day <= ?"]
        params += [hi, c.end_ts.to_pydatetime()]
    if dated:
        cond = " AND ".join(dated)
        if c.undated:
            cond = f"(({cond}) OR {alias}.month = 'undated')"
        parts.append(cond)
    if c.topics:
        parts.append(f"{alias}.topic_id IN (SELECT UNNEST(?::BIGINT[]))")
        params.append(list(c.topics))
    return " AND ".join(parts) or "TRUE", params


def _rollup_relation(store: Store, c: Criteria, freq: str | None, table: str,
                     make_sql) -> tuple[str, list]:
    """SQL and parameters of a roll-up relation of ``c``: the stored roll-up ``table``
    when it answers ``c`` at ``freq``, else ``make_sql`` computed from the articles.

    The computed relation is kept as a table per filter (:meth:`Store.view_table`): a
    view asks the same filter's relation for its headline, label counts, topic table,
    topic sentiment and timelines, and each would otherwise read the articles again."""
    if _rollup_ok(store, c, freq):
        where, params = _rollup_where(c)
        return f"SELECT * FROM {table} r WHERE {where}", params
    bucket = "hour" if freq == "hour" else "day"
    where, params = store.article_where(c)
    sources = _keyword_sources(store, c) if store.use_rollups and c.keyword else \
        ("articles", "article_topics")
    name = store.view_table((table, bucket, c), make_sql(where, bucket, *sources), params)
    return f"SELECT * FROM {name}", []


#: Most articles (sentences) of a keyword whose own rows are kept in memory for its views
#: (:func:`_keyword_sources`, :func:`_keyword_strongest`; at most ~60 MB each, kept with
#: its match sets): a more common word (say "the", in most articles) is answered from
#: the archive's rows as any other filter is, not copied.  100,000 articles: at a
#: million articles, everyday words ("oil", "trade", "tax": 60-80k articles) must be
#: kept, or every filter change after them sums the whole archive's topic weights
#: (0.5 s a query there).
KEEP_ARTICLES = 100_000
KEEP_SENTENCES = 250_000


def _rows(store: Store, table: str) -> int:
    """Rows of a kept match set (its name says what it holds, so the count is kept)."""
    return store.remember(("rows", table), lambda: int(store.one(
        f"SELECT count(*) FROM {table}")[0]))


#: The columns of a keyword's kept article rows: what its views' filters (article_where,
#: the outlet keys), sums (daily_sql, weights_sql) and histograms read; not the titles
#: and labels, whose strings are a third of the copy's cost at a million articles.
_KEPT_ARTICLE_COLUMNS = ", ".join(
    ["x.month", "x.art", "x.article_id", "x.published", "x.topic_id", "x.compound",
     "x.n_sentences", "x.pos_share", "x.neg_share"]
    + [f"x.sb{k}" for k in range(rollups.HIST_BINS)])


def _keyword_sources(store: Store, c: Criteria) -> tuple[str, str]:
    """Tables of the roll-ups' article and article-topic rows of the articles that
    mention ``c``'s keyword (in the months of its date range), kept with the keyword's
    match sets.  A keyword stays while the other filters change around it: each new
    filter's relations are then summed from these few rows, not from every article and
    topic weight of the archive."""
    months = dataclasses.replace(c, keyword=None, topics=None, sentiment=None, outlets=None)
    # The whole store's rows, when kept, serve any date range (the view's own dates
    # apply on top): a date change after the keyword reads nothing again.
    whole = store.peek_table(("m", "article", c.keyword, (None, None), True))
    if whole is not None:
        kept = [store.peek_table(("k", name, whole, (None, None), True))
                for name in ("kw_articles", "kw_topics")]
        if None not in kept:
            return kept[0], kept[1]
    table, _ = store._matches("article", c.keyword, months)
    if _rows(store, table) > KEEP_ARTICLES:
        return "articles", "article_topics"
    mwhere, mparams = month_where(months, "x")
    key = (table, month_bounds(months), months.undated)
    keep = f"WHERE {mwhere} AND (x.month, x.art) IN (SELECT m.month, m.art FROM {table} m)"
    return (store.view_table(("kw_articles",) + key, f"SELECT {_KEPT_ARTICLE_COLUMNS} "
                             f"FROM articles x {keep}", mparams, per_keyword=True),
            # only what weights_sql reads: the topic rows are ~7 an article, and their
            # article id strings would be most of this table's memory
            store.view_table(("kw_topics",) + key, "SELECT x.month, x.art, x.topic_id, "
                             f"x.weight FROM article_topics x {keep}", mparams,
                             per_keyword=True))


def _articles_of(store: Store, c: Criteria) -> str:
    """The article rows a query of ``c`` reads: its keyword's own (:func:`_keyword_sources`)
    when it has one and the roll-ups are current, else the ``articles`` view."""
    return _keyword_sources(store, c)[0] if store.use_rollups and c.keyword else "articles"


def _daily(store: Store, c: Criteria, freq: str | None = None) -> tuple[str, list]:
    """SQL and parameters of the per-(day or hour, dominant topic) relation of ``c``."""
    return _rollup_relation(store, c, freq, "r_daily", lambda where, bucket, arts, _: (
        rollups.daily_sql(where, bucket, source=arts)))


def _weights(store: Store, c: Criteria, freq: str | None = None) -> tuple[str, list]:
    """SQL and parameters of the topic weights per (day or hour, topic) of ``c``."""
    return _rollup_relation(store, c, freq, "r_weights", lambda where, bucket, arts, topics: (
        rollups.weights_sql(where, bucket, store.key, articles=arts, topics=topics)))


def _nan(v) -> float:
    return float("nan") if v is None else float(v)


# ---------------------------------------------------------------------- headline
def headline(store: Store, c: Criteria = Criteria()) -> Headline:
    """The :class:`~analysis.headline.Headline` of the view (same figures as
    :func:`analysis.headline.headline` on the filtered frames)."""
    sql, params = _daily(store, c)
    row = store.one(f"""
        SELECT coalesce(sum(n_articles), 0)::BIGINT,
               coalesce(sum(n_sentences), 0)::BIGINT,
               coalesce(sum(n_articles) FILTER (WHERE day IS NULL), 0)::BIGINT,
               count(DISTINCT topic_id) FILTER (WHERE topic_id >= 0 AND n_articles > 0),
               min(first_published), max(last_published),
               sum(sum_compound) / nullif(sum(n_sentences), 0),
               sum(n_pos) / nullif(sum(n_sentences), 0),
               sum(n_neg) / nullif(sum(n_sentences), 0)
        FROM ({sql})""", params)
    first = None if row[4] is None else pd.Timestamp(row[4])
    last = None if row[5] is None else pd.Timestamp(row[5])
    return Headline(n_articles=int(row[0]), n_sentences=int(row[1]), undated=int(row[2]),
                    n_topics_present=int(row[3]), n_topics=len(store.topics),
                    first=first, last=last, mean_compound=_nan(row[6]),
                    pos_share=_nan(row[7]), neg_share=_nan(row[8]))


def label_counts(store: Store, c: Criteria = Criteria()) -> pd.DataFrame:
    """Sentences by label in the view: ``label`` (str, negative/neutral/positive order),
    ``n_sentences`` (int64), ``share`` (float64)."""
    sql, params = _daily(store, c)
    row = store.one(f"SELECT coalesce(sum(n_neg), 0), coalesce(sum(n_sentences - n_pos - n_neg),"
                    f" 0), coalesce(sum(n_pos), 0) FROM ({sql})", params)
    n = np.array([int(v) for v in row], dtype=np.int64)
    share = n / n.sum() if n.sum() else np.zeros(3)
    return pd.DataFrame({"label": list(LABELS), "n_sentences": n, "share": share})


def resolve_freq(store: Store, c: Criteria, freq: str = "auto",
                 span: Headline | None = None) -> str:
    """``freq`` as a concrete period: "auto" becomes the finest readable period of the
    view's dates (:func:`analysis.periods.auto_freq_for_span`).  Resolve once per rerun
    and pass the result down."""
    if freq != "auto":
        return check_freq(freq)
    h = span or headline(store, c)
    return auto_freq_for_span(h.first, h.last, h.n_articles - h.undated)


def _period_sql(freq: str, column: str = "day") -> str:
    return column if freq in ("hour", "day") else f"date_trunc('{freq}', {column})"


def _all_periods(first, last, freq: str) -> pd.DatetimeIndex:
    if first is None or pd.isna(first):
        return pd.DatetimeIndex([], name="period")
    rng = pd.period_range(first, last, freq=FREQS[freq])
    return pd.DatetimeIndex(rng.start_time, name="period")


# ---------------------------------------------------------------------- timelines
def timeline(store: Store, c: Criteria = Criteria(), freq: str = "auto") -> pd.DataFrame:
    """Volume and sentiment per period: the columns of :func:`analysis.aggregate.timeline`
    (``period``, ``n_articles``, ``n_sentences``, ``compound``, ``article_compound``,
    ``compound_se``, ``pos_share``, ``neg_share``), every period from the first to the
    last dated article (one query makes them all: asked on every filter change)."""
    freq = resolve_freq(store, c, freq)
    sql, params = _daily(store, c, freq)
    out = store.frame(f"""
        WITH t AS (
            SELECT {_period_sql(freq)} AS period,
                   sum(n_articles)::BIGINT AS n_articles, sum(n_sentences)::BIGINT AS n_sentences,
                   sum(sum_compound) / nullif(sum(n_sentences), 0) AS compound,
                   sum(sum_article_compound) / nullif(sum(n_scored), 0) AS article_compound,
                   sum(n_pos) / nullif(sum(n_sentences), 0) AS pos_share,
                   sum(n_neg) / nullif(sum(n_sentences), 0) AS neg_share,
                   sum(n_scored) AS _n, sum(sum_article_compound) AS _s,
                   sum(sumsq_article_compound) AS _ss
            FROM ({sql}) WHERE day IS NOT NULL GROUP BY 1),
        {_periods_cte(freq, "SELECT period FROM t")}
        SELECT p.period, coalesce(t.n_articles, 0)::BIGINT AS n_articles,
               coalesce(t.n_sentences, 0)::BIGINT AS n_sentences,
               t.compound::DOUBLE AS compound, t.article_compound::DOUBLE AS article_compound,
               t.pos_share::DOUBLE AS pos_share, t.neg_share::DOUBLE AS neg_share,
               t._n::DOUBLE AS _n, t._s::DOUBLE AS _s, t._ss::DOUBLE AS _ss
        FROM periods p LEFT JOIN t ON t.period = p.period ORDER BY 1""", params)
    # compound_se as aggregate.timeline defines it: the articles' sample standard
    # deviation (from the roll-up's sums and sums of squares) over sqrt(n).
    n, total, squares = (out.pop(col).to_numpy(dtype=np.float64, na_value=np.nan)
                         for col in ("_n", "_s", "_ss"))
    with np.errstate(invalid="ignore", divide="ignore"):
        var = np.where(n > 1, (squares - total * total / n) / (n - 1), np.nan)
        se = np.sqrt(np.where(var < 0, 0.0, var)) / np.sqrt(n)
    out["compound_se"] = se
    out["period"] = _period_column(out["period"], freq)
    for col in ("compound", "article_compound", "pos_share", "neg_share"):
        out[col] = out[col].to_numpy(dtype=np.float64, na_value=np.nan)
    return out[["period", "n_articles", "n_sentences", "compound", "compound_se",
                "article_compound", "pos_share", "neg_share"]]


#: generate_series steps of each period (the periods are date_trunc starts).
_STEP = {"hour": "1 hour", "day": "1 day", "week": "7 days", "month": "1 month"}


def _periods_cte(freq: str, starts: str) -> str:
    """SQL of a CTE ``periods(period)``: every period from the first to the last of the
    query ``starts`` (period starts), none when it has no rows (:func:`_all_periods`)."""
    return f"""periods AS (
        SELECT UNNEST(generate_series(lo, hi, INTERVAL '{_STEP[freq]}')) AS period
        FROM (SELECT min(period) AS lo, max(period) AS hi FROM ({starts})) WHERE lo IS NOT NULL)"""


def _period_column(values: pd.Series, freq: str) -> pd.Series:
    """Period starts from DuckDB in the frames' dtype: the unit pandas gives a period's
    start (:func:`_all_periods`), nanoseconds when there are none."""
    periods = pd.to_datetime(values)
    if not len(periods):
        return periods.astype("datetime64[ns]")
    return periods.astype(_all_periods(periods.iloc[0], periods.iloc[0], freq).dtype)


def topic_timeline(store: Store, c: Criteria = Criteria(), freq: str = "auto",
                   names: dict | None = None) -> pd.DataFrame:
    """Each topic per period: the columns of :func:`analysis.aggregate.topic_timeline`
    (``period``, ``topic_id``, ``topic_label``, ``n_articles``, ``weight``, ``share``,
    ``compound``), one row per (period, topic), zeros included.

    One query makes the whole grid (every period from the first to the last, every
    topic present), sorted by period then topic: it is asked on every filter change
    of the Over time tab, and reshaping it in pandas cost twice the query."""
    freq = resolve_freq(store, c, freq)
    sql, params = _weights(store, c, freq)
    dsql, dparams = _daily(store, c, freq)
    period = _period_sql(freq)
    out = store.frame(f"""
        WITH w AS (SELECT {period} AS period, weight_topic_id AS topic_id,
                          sum(weight) AS weight, sum(weight_compound) AS wc,
                          sum(weight_scored) AS wn
                   FROM ({sql}) WHERE day IS NOT NULL GROUP BY 1, 2),
             n AS (SELECT {period} AS period, topic_id, sum(n_articles)::BIGINT AS n_articles
                   FROM ({dsql}) WHERE day IS NOT NULL GROUP BY 1, 2),
             {_periods_cte(freq, "SELECT period FROM w UNION ALL SELECT period FROM n")},
             topics AS (SELECT topic_id FROM w UNION SELECT topic_id FROM n)
        SELECT p.period, t.topic_id, coalesce(n.n_articles, 0)::BIGINT AS n_articles,
               coalesce(w.weight, 0)::DOUBLE AS weight,
               (w.wc / nullif(w.wn, 0))::DOUBLE AS compound
        FROM periods p CROSS JOIN (SELECT topic_id FROM topics WHERE topic_id <> -1) t
             LEFT JOIN w ON w.period = p.period AND w.topic_id = t.topic_id
             LEFT JOIN n ON n.period = p.period AND n.topic_id = t.topic_id
        ORDER BY 1, 2""", params + dparams)
    n_topics = out["topic_id"].nunique()
    weight = out["weight"].to_numpy(dtype=np.float64)
    # each period's rows are consecutive, n_topics of them: its total weight by a
    # reshape (0 total: share 0, as aggregate.topic_timeline gives it)
    total = np.repeat(weight.reshape(-1, n_topics).sum(axis=1), n_topics) if n_topics \
        else weight
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(total > 0, weight / total, 0.0)
    labels = store.labels(names)
    tid = out["topic_id"].to_numpy(dtype=np.int64)
    frame = pd.DataFrame({
        "period": _period_column(out["period"], freq),
        "topic_id": tid,
        "topic_label": pd.Series([labels.get(int(t), str(t)) for t in tid], dtype=object),
        "n_articles": out["n_articles"].to_numpy(dtype=np.int64),
        "weight": weight, "share": share,
        "compound": out["compound"].to_numpy(dtype=np.float64, na_value=np.nan)})
    frame.attrs["freq"] = freq
    return frame


# ---------------------------------------------------------------------- topics
def topic_table(store: Store, c: Criteria = Criteria(),
                names: dict | None = None) -> pd.DataFrame:
    """The topics frame (README Frames) with ``n_articles``, ``share``, ``compound``,
    ``pos_share``, ``neg_share`` of the view's articles (as
    :func:`analysis.aggregate.topic_summary`); ``label`` carries the renames."""
    sql, params = _daily(store, c)
    per = store.frame(f"""
        SELECT topic_id, sum(n_articles)::BIGINT AS n, sum(sum_article_compound) AS sc,
               sum(n_scored) AS ns, sum(n_pos) AS np, sum(n_neg) AS nn,
               sum(n_sentences) AS nsent
        FROM ({sql}) GROUP BY topic_id""", params).set_index("topic_id")
    total = int(per["n"].sum()) if len(per) else 0
    out = store.topics.copy()
    tid = out["topic_id"]
    out["n_articles"] = tid.map(per["n"]).fillna(0).astype(np.int64)
    out["share"] = out["n_articles"] / max(total, 1)
    out["compound"] = tid.map(per["sc"] / per["ns"].replace(0, np.nan)).astype(np.float64)
    nsent = per["nsent"].replace(0, np.nan)
    out["pos_share"] = tid.map(per["np"] / nsent).astype(np.float64)
    out["neg_share"] = tid.map(per["nn"] / nsent).astype(np.float64)
    # weight_share of the view's articles, as topic_summary gives it for a filtered result.
    wsql, wparams = _weights(store, c)
    w = store.frame(f"""SELECT weight_topic_id AS topic_id, sum(weight) AS weight
                        FROM ({wsql}) GROUP BY 1""", wparams).set_index("topic_id")["weight"]
    out["weight_share"] = (tid.map(w).fillna(0.0) / max(total, 1)).astype(np.float64)
    labels = store.labels(names)
    out["label"] = [labels.get(int(t), lab) for t, lab in zip(tid, out["label"])]
    return out


def topic_sentiment(store: Store, c: Criteria = Criteria(),
                    names: dict | None = None) -> pd.DataFrame:
    """Topic × sentence label: ``topic_id``, ``topic_label``, ``label``, ``n_sentences``
    (int64), ``share`` (float64, within the topic), zeros included, for the topics with
    articles in the view (as :func:`analysis.aggregate.topic_sentiment`)."""
    sql, params = _daily(store, c)
    per = store.frame(f"""
        SELECT topic_id, sum(n_neg)::BIGINT AS negative,
               sum(n_sentences - n_pos - n_neg)::BIGINT AS neutral,
               sum(n_pos)::BIGINT AS positive
        FROM ({sql}) GROUP BY topic_id HAVING sum(n_articles) > 0 ORDER BY topic_id""", params)
    long = per.melt(id_vars="topic_id", value_vars=list(LABELS), var_name="label",
                    value_name="n_sentences")
    long["label"] = pd.Categorical(long["label"], LABELS)
    long = long.sort_values(["topic_id", "label"]).reset_index(drop=True)
    long["label"] = long["label"].astype(str).astype(object)
    tot = long.groupby("topic_id")["n_sentences"].transform("sum")
    long["share"] = (long["n_sentences"] / tot.replace(0, np.nan)).fillna(0.0)
    labels = store.labels(names)
    long["topic_id"] = long["topic_id"].astype(np.int64)
    long["n_sentences"] = long["n_sentences"].astype(np.int64)
    long["topic_label"] = [labels.get(int(t), str(t)) for t in long["topic_id"]]
    return long[["topic_id", "topic_label", "label", "n_sentences", "share"]]


# ---------------------------------------------------------------------- outlets
def _outlet_rows(store: Store, c: Criteria, select: str, group: str,
                 extra: str = "TRUE") -> pd.DataFrame:
    """``select`` over the view's articles ``a`` joined to their outlet ``o.outlet``,
    grouped by ``group``; ``compound`` is the mean article compound (NaN left out)."""
    where, params = store.article_where(c)
    return store.frame(f"""
        SELECT {select}, count(*)::BIGINT AS n_articles,
               avg(a.compound) FILTER (WHERE NOT isnan(a.compound))::DOUBLE AS compound
        FROM articles a JOIN {store.outlet_keys()} o
             ON o.month = a.month AND o.article_id = a.article_id
        WHERE {where} AND {extra} GROUP BY {group}""", params)


def outlets(store: Store, c: Criteria = Criteria()) -> pd.DataFrame:
    """Articles per outlet in the view: ``outlet`` (str, ``""`` unknown), ``n_articles``
    (int64), most articles first (ties by name), as :func:`analysis.outlets.outlet_counts`."""
    out = _outlet_rows(store, c, "o.outlet", "1")[["outlet", "n_articles"]]
    out["outlet"] = out["outlet"].astype(object)
    return out.sort_values(["n_articles", "outlet"], ascending=[False, True],
                           kind="stable").reset_index(drop=True)


def outlet_timeline(store: Store, c: Criteria = Criteria(), freq: str = "auto") -> pd.DataFrame:
    """Articles and share of voice per (period, outlet): the frame of
    :func:`analysis.outlets.outlet_timeline` (quiet periods included, undated articles
    left out)."""
    freq = resolve_freq(store, c, freq)
    period = f"date_trunc('{freq}', a.published)"
    per = _outlet_rows(store, c, f"{period} AS period, o.outlet", "1, 2",
                       "a.published IS NOT NULL")
    per["period"] = pd.to_datetime(per["period"]).astype("datetime64[ns]")
    idx = _all_periods(per["period"].min() if len(per) else None,
                       per["period"].max() if len(per) else None, freq)
    full = pd.MultiIndex.from_product([idx, sorted(per["outlet"].unique())],
                                      names=["period", "outlet"])
    out = per.set_index(["period", "outlet"]).reindex(full)
    out["n_articles"] = out["n_articles"].fillna(0).astype(np.int64)
    total = out.groupby(level="period")["n_articles"].transform("sum")
    out["share"] = (out["n_articles"] / total.replace(0, np.nan)).fillna(0.0)
    out["compound"] = out["compound"].astype(np.float64)
    out = out.reset_index()[["period", "outlet", "n_articles", "share", "compound"]]
    out["period"] = out["period"].astype("datetime64[ns]")
    out["outlet"] = out["outlet"].astype(object)
    out.attrs["freq"] = freq
    return out


def outlet_topic_sentiment(store: Store, c: Criteria = Criteria(), names: dict | None = None,
                           min_articles: int | None = None) -> pd.DataFrame:
    """Mean article sentiment and count of each (outlet, dominant topic) cell of the
    view: the frame of :func:`analysis.outlets.outlet_topic_sentiment` (every pair of
    the view's outlets and topics, ``reliable`` = at least ``min_articles``)."""
    from .outlets import MIN_CELL_ARTICLES, check_min_articles

    min_articles = MIN_CELL_ARTICLES if min_articles is None else min_articles
    check_min_articles(min_articles)
    per = _outlet_rows(store, c, "o.outlet, a.topic_id, any_value(a.topic_label) AS topic_label",
                       "1, 2")
    per["topic_id"] = per["topic_id"].astype(np.int64)
    labels = store.labels(names)
    topics = per.drop_duplicates("topic_id").sort_values("topic_id")
    topic_labels = {int(t): labels.get(int(t), str(lab)) if t >= 0 else str(lab)
                    for t, lab in zip(topics["topic_id"], topics["topic_label"])}
    full = pd.MultiIndex.from_product([sorted(per["outlet"].unique()), list(topic_labels)],
                                      names=["outlet", "topic_id"])
    out = per.drop(columns="topic_label").set_index(["outlet", "topic_id"]).reindex(full) \
        .reset_index()
    out["n_articles"] = out["n_articles"].fillna(0).astype(np.int64)
    out["compound"] = out["compound"].astype(np.float64)
    out["topic_id"] = out["topic_id"].astype(np.int64)
    out["topic_label"] = out["topic_id"].map(topic_labels).astype(object)
    out["outlet"] = out["outlet"].astype(object)
    out["reliable"] = out["n_articles"] >= min_articles
    return out[["outlet", "topic_id", "topic_label", "n_articles", "compound", "reliable"]]


# ---------------------------------------------------------------------- sentences
def _sentence_where(store: Store, c: Criteria, alias: str = "s",
                    key: str | None = None) -> tuple[str, list]:
    """Condition over ``sentences`` rows for the articles of ``c``: the date and topic
    criteria on the sentences' own (denormalised) columns, the article-level ones
    (sentiment, keyword) through a semi-join on the articles by ``key`` (default
    :attr:`Store.key`; ``article_id`` for rows of the store's own files)."""
    key = key or store.key
    plain = dataclasses.replace(c, sentiment=None, keyword=None, outlets=None)
    where, params = article_where(plain, alias)
    if c.sentiment is not None or c.keyword is not None or c.outlets:
        awhere, aparams = store.article_where(c, "a")
        # a keyword's own article rows when kept (a few thousand, not the archive's)
        where += (f" AND ({alias}.month, {alias}.{key}) IN "
                  f"(SELECT a.month, a.{key} FROM {_articles_of(store, c)} a WHERE {awhere})")
        params += aparams
    return where, params


def sentiment_histogram(store: Store, c: Criteria = Criteria(), of: str = "sentences",
                        bins: int = 21) -> pd.DataFrame:
    """Counts of compound scores in ``bins`` equal bins over −1…1 (the last bin closed,
    as ``numpy.histogram``): ``low``, ``high`` (float64 bin edges), ``n`` (int64), for
    the view's ``sentences`` or ``articles`` (mean compound)."""
    if of not in ("sentences", "articles"):
        raise ValueError(f"of must be 'sentences' or 'articles', got {of!r}")
    if store.use_rollups and bins == rollups.HIST_BINS and (
            of == "sentences" or _rollup_ok(store, c)):
        # The roll-ups count both histograms: the day roll-up per day and topic, the
        # articles copy each article's sentences per bin, so no sentence is read.
        if _rollup_ok(store, c):
            where, params = _rollup_where(c)
            source, prefix = f"FROM r_daily r WHERE {where}", "r.sb" if of == "sentences" \
                else "r.ab"
        else:
            where, params = store.article_where(c)
            source, prefix = f"FROM {_articles_of(store, c)} a WHERE {where}", "a.sb"
        sums = ", ".join(f"coalesce(sum({prefix}{k}), 0)::BIGINT" for k in range(bins))
        row = store.one(f"SELECT {sums} {source}", params)
        edges = np.linspace(-1.0, 1.0, bins + 1)
        return pd.DataFrame({"low": edges[:-1], "high": edges[1:],
                             "n": np.array([int(v) for v in row], dtype=np.int64)})
    if of == "articles":
        where, params = store.article_where(c)
        source = f"FROM {_articles_of(store, c)} a WHERE {where} AND a.compound IS NOT NULL"
        col = "a.compound"
    else:
        where, params = _sentence_where(store, c)
        source = f"FROM sentences s WHERE {where}"
        col = "s.compound"
    counts = store.frame(f"""
        SELECT least(greatest(floor(({col} + 1) / 2 * ?), 0), ? - 1)::BIGINT AS b,
               count(*)::BIGINT AS n {source} GROUP BY 1""", [bins, bins] + params)
    edges = np.linspace(-1.0, 1.0, bins + 1)
    n = np.zeros(bins, dtype=np.int64)
    n[counts["b"].to_numpy(dtype=np.int64)] = counts["n"].to_numpy(dtype=np.int64)
    return pd.DataFrame({"low": edges[:-1], "high": edges[1:], "n": n})


_EVIDENCE_COLUMNS = ("f.article_id, f.sentence_id, f.paragraph, f.section, f.start, "
                     "f.\"end\", f.text, f.truncated, f.neg, f.neu, f.pos, f.compound, f.label, "
                     "h.published, h.topic_id")


def evidence(store: Store, c: Criteria = Criteria(), *, label: str | None = None,
             keyword: str | None = None, period=None, freq: str | None = None,
             topic_id: int | None = None, n: int | None = 10, offset: int = 0,
             names: dict | None = None) -> pd.DataFrame:
    """The sentences behind the view, strongest first (as
    :func:`analysis.aggregate.evidence`): sentence columns plus ``published``,
    ``title``, ``topic_id``, ``topic_label``, ordered by ``|compound|`` descending (ties:
    published, article, sentence).  ``label`` keeps one sentence label; ``keyword`` keeps
    sentences that mention it (whole word or phrase, any case); ``period`` (a period
    start, with ``freq``) and ``topic_id`` narrow to one chart element; ``n`` rows from
    ``offset``."""
    if (store.use_rollups and label in ("negative", "positive") and n is not None
            and n + offset <= _FETCH_MAX):
        # one label's strongest: the strongest-first roll-up's walk (evidence_by_label)
        narrowed = _evidence_criteria(c, period, freq, topic_id)
        ev = evidence_by_label(store, narrowed, (str(label),), keyword=keyword,
                               n=int(n) + int(offset), names=names)[str(label)]
        return ev.iloc[int(offset):].reset_index(drop=True)
    where, params = _evidence_where(store, c, keyword, period, freq, topic_id)
    if label is not None:
        where += " AND s.label = ?"
        params.append(str(label))
    if n is None or n > _FETCH_MAX:
        c = _evidence_criteria(c, period, freq, topic_id)
        amonths, aparams = month_where(c, "a")
        # everything (a download): one pass, the joined articles pruned to the months
        ev = store.frame(f"""
            SELECT {", ".join("s." + col for col in _EVIDENCE_COLS)}, a.title
            FROM sentences s JOIN articles a ON a.month = s.month AND a.article_id = s.article_id
            WHERE {where} AND {amonths} ORDER BY {_EVIDENCE_ORDER.format("s")}
            {"" if n is None else f"LIMIT {int(n)} OFFSET {int(offset)}"}""", params + aparams)
        return _with_labels(store, ev, names)
    # The strongest sentences are picked on the narrow columns, then only their rows
    # are read in full (a top-N over the text column would decode all of it).
    hits = store.frame(f"""
        SELECT s.month, s.{store.key}, s.sentence_id FROM sentences s WHERE {where}
        ORDER BY {_EVIDENCE_ORDER.format("s")} LIMIT {int(n)} OFFSET {int(offset)}""", params)
    return _evidence_rows(store, hits, names)


def evidence_by_label(store: Store, c: Criteria = Criteria(), labels=("negative", "positive"), *,
                      keyword: str | None = None, n: int = 10, periods=None,
                      freq: str | None = None, names: dict | None = None,
                      fold: int = 1, view: Headline | None = None) -> dict[str, pd.DataFrame]:
    """``{label: evidence(store, c, label=label, keyword=keyword, n=n)}`` for each of
    ``labels`` (with ``periods``, one period start per label and ``freq``: each label's
    list narrowed to its period), in one pass: the view's sentences (and the keyword's
    match set) are selected once, each label's top ``n`` taken from them, and the full
    rows of all of them read together (two columns of evidence cost one query, not
    two).  ``view``: the headline of ``c`` when the caller has it (it only guides where
    the strongest-first walk starts; without it, it is asked)."""
    labels = [str(v) for v in labels]
    span, bounds = c, [None] * len(labels)
    if periods is not None:
        narrowed = [_evidence_criteria(c, p, freq, None) for p in periods]
        bounds = [(_ts(cc.start), _ts(cc.end_ts)) for cc in narrowed]
        span = dataclasses.replace(c, start=min(cc.start for cc in narrowed),
                                   end=max(cc.end for cc in narrowed), include_undated=False)
    where, params = _evidence_where(store, span, keyword, None, None, None)
    k = store.key
    limit = int(n) * max(1, int(fold))
    strongest = store.use_rollups and set(labels) <= {"negative", "positive"}
    if strongest:
        source = _keyword_strongest(store, keyword, span)
        if source:  # a keyword's own small table: its view selected once, as below
            hits = _label_hits(store, where, params, labels, bounds, limit, source)
        else:
            # the share of the view itself (its headline's relations are made, or it
            # is the whole store), narrowed to the periods below: not the periods'
            # span, a new filter whose relations would be made just for this estimate
            hits = _strongest_hits(store, where, params, labels, bounds, limit,
                                   share=_sentence_share(store, c, bounds, view),
                                   # not for the whole store (the roll-up's strongest row
                                   # groups answer it at once): opening a store does not
                                   # wait for the tier; the first filtered list makes it
                                   tiered=None if span == Criteria() else
                                   _tiered(store, span, keyword))
    else:
        hits = _label_hits(store, where, params, labels, bounds, limit)
    folded = fold > 1 and not hits.empty
    if folded:
        hits = _fold_copies(hits, int(n))
    keys = ["month", k, "sentence_id"] + (["label", "compound"] if strongest else [])
    rows = _evidence_rows(store, hits[keys].drop_duplicates(keys[:3]), names, strongest)
    if folded:
        rows = _attach_copies(rows, hits)
    out = {}
    for lab, bound in zip(labels, bounds):
        part = rows[rows["label"] == lab]
        if bound is not None:
            part = part[part["published"].between(*map(pd.Timestamp, bound))]
        out[lab] = part.iloc[_evidence_sort(part)[:int(n)]].reset_index(drop=True)
    return out


def _evidence_sort(rows: pd.DataFrame, by_label: bool = False) -> np.ndarray:
    """Positions of ``rows`` in the evidence order (:data:`_EVIDENCE_ORDER`: strongest
    first, then the oldest, undated last, then article and sentence; by ``label``
    first when ``by_label``), a stable sort.  Evidence lists are a few dozen rows and a
    rerun sorts several: Python's sort of their keys, not pandas' sort machinery."""
    if rows.empty:
        return np.zeros(0, dtype=np.int64)
    strength = (-np.abs(rows["compound"].to_numpy(dtype=np.float64, na_value=np.nan))).tolist()
    published = rows["published"]
    undated = published.isna().tolist()
    when = published.to_numpy(dtype="datetime64[ns]").view(np.int64).tolist()
    labels = rows["label"].tolist() if by_label else [""] * len(rows)
    keys = [(lab, s != s, s, u, 0 if u else w, a, i) for lab, s, u, w, a, i in zip(
        labels, strength, undated, when, rows["article_id"].tolist(),
        rows["sentence_id"].tolist())]
    return np.array(sorted(range(len(keys)), key=keys.__getitem__), dtype=np.int64)


def _fold_copies(hits: pd.DataFrame, n: int) -> pd.DataFrame:
    """``hits`` (each label's strongest sentences) with copies folded: sorted in the
    evidence order by label, each (label, compound, length) kept once, its first
    (strongest) row with ``copies`` (int64), the rows it stands for; then each label's
    first ``n``."""
    hits = hits.iloc[_evidence_sort(hits, by_label=True)]
    same = list(zip(hits["label"].tolist(), hits["compound"].tolist(), hits["length"].tolist()))
    counts = Counter(same)
    first = {key: pos for pos, key in reversed(list(enumerate(same)))}  # each key's first row
    keep, per_label = [], Counter()
    for key, pos in sorted(first.items(), key=lambda item: item[1]):
        if per_label[key[0]] < n:
            keep.append(pos)
            per_label[key[0]] += 1
    return hits.iloc[keep].assign(copies=np.array([counts[same[p]] for p in keep],
                                                  dtype=np.int64))


def _label_hits(store: Store, where: str, params: list, labels: list, bounds: list,
                limit: int, table: str = "sentences") -> pd.DataFrame:
    """The keys and narrow columns of each label's ``limit`` strongest sentences ``s`` of
    ``table`` passing ``where`` (and its ``bounds``, a published range or None): the
    view's sentences selected once, each label's top taken from them."""
    k = store.key
    marks = ", ".join("?" for _ in labels)
    branches, bparams = [], []
    for lab, bound in zip(labels, bounds):
        cond = "label = ?"
        bparams.append(lab)
        if bound is not None:
            cond += " AND published >= ? AND published <= ?"
            bparams += list(bound)
        branches.append(f"(SELECT * FROM m WHERE {cond} "
                        f"ORDER BY {_EVIDENCE_ORDER.format('m')} LIMIT {limit})")
    return store.frame(f"""
        WITH m AS MATERIALIZED (
            SELECT s.month, {"" if k == "article_id" else f"s.{k}, "}s.article_id, s.sentence_id,
                   s.label, s.compound, s.published, s."end" - s.start AS length
            FROM {table} s WHERE {where} AND s.label IN ({marks}))
        SELECT month, {k}, article_id, sentence_id, label, compound, published, length
        FROM ({" UNION ALL ".join(branches)})""", params + labels + bparams)


#: Strengths (|compound|) tried in turn by :func:`_strongest_hits`, then none.
_STRENGTHS = (0.9, 0.6, 0.3)


def _keyword_strongest(store: Store, keyword, c: Criteria) -> str | None:
    """Name of a table of the ``strongest`` rows (narrow columns) of the sentences that
    mention ``keyword`` in the months of ``c``, kept while the store is open; None
    without a keyword.  A keyword's sentences are a small part of the archive and rarely
    among its very strongest, so its evidence lists are the top of this small table
    rather than a walk down the strengths of the whole archive."""
    if not (keyword and keyword.strip()):
        return None
    keyword = keyword.strip()
    months = dataclasses.replace(c, keyword=None, topics=None, sentiment=None, outlets=None)
    if index_token(keyword) is not None or store.peek_table(
            ("m", "sentence", keyword, (None, None), True)) is not None:
        # The whole store's rows when its match set is cheap (a word's postings) or
        # kept: the evidence query applies the view's own dates, so a date change, or
        # the Over time tab's period lists (each a new span), reads this one table
        # instead of building one per date range.
        months = Criteria()
    table, cols = store._matches("sentence", keyword, months)
    if _rows(store, table) > KEEP_SENTENCES:
        return None
    mwhere, mparams = month_where(months, "s")
    return store.view_table(
        ("strongest", table, month_bounds(months), months.undated), f"""
        SELECT s.month, s.art, s.article_id, s.sentence_id, s.label, s.compound, s.published,
               s.topic_id, s."end", s.start
        FROM strongest s WHERE {mwhere} AND (s.month, s.art, s.sentence_id) IN
             (SELECT {cols} FROM {table})""", mparams, per_keyword=True)


def _sentence_share(store: Store, c: Criteria, bounds: list,
                    view: Headline | None = None) -> float:
    """Roughly what part of the store's sentences a view (``c``; each list narrowed to
    its ``bounds``, if any, counted as its share of the view's time span) holds: only
    to pick the first strength :func:`_strongest_hits` tries.  ``view``: ``c``'s
    headline, when the caller has it."""
    everything = store.remember("total", lambda: headline(store, Criteria()))
    total = everything.n_sentences
    h = everything if c == Criteria() else (view or headline(store, c))
    share = h.n_sentences / total if total else 1.0
    if any(b is not None for b in bounds) and h.first is not None and h.last is not None:
        span = max((h.last - h.first).total_seconds(), 1.0)
        widths = [(pd.Timestamp(b[1]) - pd.Timestamp(b[0])).total_seconds()
                  for b in bounds if b is not None]
        share *= min(1.0, min(widths) / span)
    return share


def _strength_counts(store: Store) -> dict[str, list[int]]:
    """Per label (negative, positive), how many of the store's sentences are at least
    as strong as each of :data:`_STRENGTHS` (remembered: an index run reopens the store)."""
    def make():
        cols = ", ".join(f"count(*) FILTER (WHERE abs(s.compound) >= {t})" for t in _STRENGTHS)
        rows = store.cursor().execute(
            f"SELECT s.label, {cols} FROM strongest s GROUP BY 1").fetchall()
        return {str(r[0]): [int(v) for v in r[1:]] for r in rows}

    return store.remember("strength_counts", make)


def _first_strength(counts: list[int], share: float, limit: int) -> int:
    """Index into :data:`_STRENGTHS` (its length: all) of the first strength at which a
    view holding ``share`` of the sentences can be expected to have ``limit`` rows (with
    room to spare): trying a strength that cannot answer costs a query for nothing."""
    for k, n_above in enumerate(counts):
        if n_above * share >= 1.5 * limit:
            return k
    return len(_STRENGTHS)


#: Widest period (seconds) whose evidence is read from the time-ordered sentences copy
#: rather than walked down the strengths (:func:`_strongest_hits`): a week and a day.
_NARROW_SECONDS = 8 * 86400


def _narrow(bound) -> bool:
    """Whether a list's published range (or None) spans at most :data:`_NARROW_SECONDS`."""
    return bound is not None and (pd.Timestamp(bound[1]) - pd.Timestamp(bound[0])
                                  ).total_seconds() <= _NARROW_SECONDS


def _tiered(store: Store, c: Criteria, keyword) -> tuple | None:
    """``(tier, where, params)``: the store's in-memory tier of strongest sentences
    (:mod:`analysis.evidence_tier`) and the condition of view ``c``'s sentences (that
    mention ``keyword``) over it; None without a tier or for an outlet filter."""
    found = evidence_tier.tier(store, _STRENGTHS, _strength_counts(store))
    cond = None if found is None else evidence_tier.tier_where(store, c, keyword)
    return None if cond is None else (found, *cond)


def _strongest_hits(store: Store, where: str, params: list, labels: list, bounds: list,
                    limit: int, share: float = 1.0, tiered: tuple | None = None) -> pd.DataFrame:
    """:func:`_label_hits` (labels negative or positive) from the ``strongest`` roll-up,
    which holds those sentences in the evidence order with small row groups.

    Each label's list is looked for among the sentences at least as strong as one of
    :data:`_STRENGTHS` (0.9, 0.6, 0.3), then all: a condition on ``compound`` alone, so
    the row groups' min/max skip every weaker row group unread.  A list of ``limit``
    rows found above a strength is the answer (every sentence below that strength ranks
    after them); a shorter one may go on below it, so that label is asked again lower
    down.  The first strength tried is the first one at which the view (``share`` of the
    store's sentences) can be expected to fill the list, and a short list's own count
    says where to ask next: that only saves queries, the answer is the same.

    ``tiered`` (:func:`_tiered`): a strength the in-memory tier holds is asked of it,
    with its own condition, instead of the roll-up: the same rows, read from memory."""
    parts: dict[int, pd.DataFrame] = {}
    steps = len(_STRENGTHS)
    counts = _strength_counts(store)
    step = {i: _first_strength(counts.get(lab, [0] * steps), share, limit)
            for i, lab in enumerate(labels)}
    if tiered is not None:
        # the tier answers in a few ms: asked first even where the view's share says it
        # may fall short (a short list then goes on below, in the roll-up), unless the
        # whole store has too few rows there to fill the list
        lowest = _STRENGTHS.index(tiered[0].strength)
        step = {i: min(k, lowest) if counts.get(labels[i], [0] * steps)[lowest] >= limit
                else k for i, k in step.items()}
    todo = list(range(len(labels)))
    while todo:
        branches, bparams = [], []
        for i in todo:
            source, swhere, sparams = "strongest", where, params
            if (tiered is not None and step[i] < steps
                    and _STRENGTHS[step[i]] >= tiered[0].strength):
                source, swhere, sparams = tiered[0].table, tiered[1], tiered[2]
            elif _narrow(bounds[i]):
                # a week or less (the Over time tab's periods): the time-ordered
                # sentences copy holds it in a row group or two of its month, found by
                # their published min/max; all its sentences at once, so the list is
                # complete (the strength-ordered roll-up would read every strength)
                source, step[i] = "sentences", steps
            # a negative sentence's compound is below 0, a positive one's above
            cond, cparams = "s.label = ?", [labels[i]]
            if bounds[i] is not None:
                cond += " AND s.published >= ? AND s.published <= ?"
                cparams += list(bounds[i])
            if step[i] < steps:
                negative = labels[i] == "negative"
                cond += f" AND s.compound {'<=' if negative else '>='} ?"
                cparams.append(-_STRENGTHS[step[i]] if negative else _STRENGTHS[step[i]])
            branches.append(f"""(SELECT {i} AS _branch, s.month, s.art, s.article_id,
                    s.sentence_id, s.label, s.compound, s.published, s."end" - s.start AS length
                FROM {source} s WHERE {swhere} AND {cond}
                ORDER BY {_EVIDENCE_ORDER.format("s")} LIMIT {int(limit)})""")
            bparams += sparams + cparams
        got = store.frame(" UNION ALL ".join(branches), bparams)
        short = []
        for i in todo:
            parts[i] = got[got["_branch"] == i]
            if len(parts[i]) < limit and step[i] < steps:
                short.append(i)
                # the rows found at this strength, scaled by how many more the store
                # has at the next ones, say which can fill the list (none: all)
                k, found = step[i], len(parts[i])
                counts_i = counts.get(labels[i], [0] * steps)
                step[i] = next((j for j in range(k + 1, steps)
                                if found == 0 or found * counts_i[j] >= 1.5 * limit
                                * max(counts_i[k], 1)), steps)
        todo = short
    hits = pd.concat([parts[i] for i in range(len(labels))], ignore_index=True)
    return hits.drop(columns="_branch")


def _attach_copies(rows: pd.DataFrame, hits: pd.DataFrame) -> pd.DataFrame:
    """``rows`` (evidence frame) with the ``copies`` of ``hits`` (same sentences)."""
    counts = dict(zip(zip(hits["article_id"].tolist(), hits["sentence_id"].tolist()),
                      hits["copies"].tolist()))
    return rows.assign(copies=np.array(
        [counts.get(key, np.nan) for key in zip(rows["article_id"].tolist(),
                                                rows["sentence_id"].tolist())]))


_EVIDENCE_COLS = ["article_id", "sentence_id", "paragraph", "section", "start", '"end"', "text",
                  "truncated", "neg", "neu", "pos", "compound", "label", "published", "topic_id"]
_EVIDENCE_ORDER = ("abs({0}.compound) DESC, {0}.published ASC NULLS LAST, {0}.article_id, "
                   "{0}.sentence_id")


def _evidence_criteria(c: Criteria, period, freq, topic_id) -> Criteria:
    """``c`` narrowed to one period (a period start, with ``freq``) and one topic."""
    if period is not None:
        start, end = _period_bounds(period, freq)
        c = dataclasses.replace(c, start=max(start, c.start) if c.start is not None else start,
                                end=min(end, c.end_ts) if c.end is not None else end,
                                include_undated=False)
    if topic_id is not None:
        keep = (int(topic_id),) if not c.topics or int(topic_id) in c.topics else (-2,)
        c = dataclasses.replace(c, topics=keep)
    return c


def _evidence_where(store: Store, c: Criteria, keyword, period, freq, topic_id):
    """``(where, params)`` over sentences ``s`` of the evidence of a view."""
    where, params = _sentence_where(store, _evidence_criteria(c, period, freq, topic_id))
    if keyword and keyword.strip():
        where += " AND " + store.sentence_keyword_where(keyword, c)
    return where, params


#: Threads that read an evidence list's titles beside its sentences (each thread keeps
#: its own cursor, Store.cursor).
_FETCH = ThreadPoolExecutor(2, thread_name_prefix="store-fetch")


def _evidence_rows(store: Store, hits: pd.DataFrame, names,
                   strongest: bool = False) -> pd.DataFrame:
    """The evidence frame of the sentences keyed by ``hits`` (``month``, the store's key,
    ``sentence_id``), in the order of ``hits``; ``strongest``: read from the
    ``strongest`` roll-up, ``hits`` with their ``label`` and ``compound`` too."""
    k = store.key
    cols = ", ".join(_EVIDENCE_COLS)
    on = ["month", k, "sentence_id"]
    wanted = [col.strip('"') for col in _EVIDENCE_COLS]
    # The rows a click before read are kept (Store.row_pool): only the others are read,
    # and the rows come in the order of ``hits``, as the merges below would give them.
    if strongest:
        pool = store.row_pool("strongest", on)
        fetch = lambda missing: _fetch_strongest(store, cols, missing)  # noqa: E731
    else:
        pool = store.row_pool("sentences", on)
        fetch = lambda missing: _fetch(store, "sentences", cols, missing, [k, "sentence_id"])  # noqa: E731
    titles = store.row_pool("titles", ["month", k])
    fetch_titles = lambda missing: _fetch(store, "articles", "title", missing, [k])  # noqa: E731
    # the titles are read beside the sentences (two DuckDB reads at once, not in turn)
    pending = _FETCH.submit(titles.take, hits[["month", k]], fetch_titles)
    rows, title = pool.take(hits, fetch), pending.result()
    if rows is not None and title is not None:
        ev = rows[wanted]
        ev["title"] = title["title"]
    else:  # no hits, or a key the store lacks: the left merges (rows of missing values)
        keys = hits[on]
        ev = (keys.merge(pool.get(hits, fetch), on=on, how="left")
              .merge(titles.get(keys[["month", k]], fetch_titles), on=["month", k], how="left")
              .drop(columns=["month"] + ([k] if k != "article_id" else [])))
        ev = ev[wanted + ["title"]]
    return _with_labels(store, ev, names)


def _with_labels(store: Store, ev: pd.DataFrame, names) -> pd.DataFrame:
    labels = store.labels(names)
    ev["topic_label"] = [labels.get(int(t), str(t)) for t in ev["topic_id"]]
    return ev


#: Most rows fetched by key after a narrow top-N (beyond: one pass over the view).
_FETCH_MAX = 5000


def _fetch(store: Store, table: str, cols: str, keys: pd.DataFrame, on: list[str]) -> pd.DataFrame:
    """Columns ``cols`` of ``table``'s rows whose ``month`` and ``on`` columns are those of
    ``keys``: the months and article keys go in as literal IN lists (bound), so DuckDB
    reads only the partitions and row groups that hold them."""
    names = [col.strip() for col in cols.split(",")]
    extra = [col for col in on if col not in names]
    select = ", ".join(f"x.{col}" for col in ["month"] + extra + names)
    if keys.empty:
        return store.frame(f"SELECT {select} FROM {table} x WHERE FALSE")
    # One branch per month, each with literal filters: its partition and, by the row
    # groups' min/max, only the groups holding its keys are read.
    branches, params = [], []
    for month, part in keys.groupby("month", sort=True):
        values = sorted({v.item() if hasattr(v, "item") else v for v in part[on[0]]})
        branches.append(f"SELECT {select} FROM {table} x WHERE x.month = ? AND "
                        f"x.{on[0]} IN ({', '.join('?' * len(values))})")
        params += [month] + values
    rows = store.frame(" UNION ALL ".join(branches), params)
    return rows.merge(keys[["month"] + on].drop_duplicates(), on=["month"] + on)


def _fetch_strongest(store: Store, cols: str, hits: pd.DataFrame) -> pd.DataFrame:
    """:func:`_fetch` of the sentences ``hits`` (``month``, ``art``, ``sentence_id``,
    ``label``, ``compound``) from the ``strongest`` roll-up.  Its files are in strength
    order, not by article, so each month's branch is bounded by the range of its hits'
    compounds: the row groups' min/max then keep only the few row groups of that range
    (the art-sorted ``sentences`` copy would decode a text row group per article)."""
    names = [col.strip() for col in cols.split(",")]
    select = ", ".join(f"x.{col}" for col in ["month", "art"] + names)
    branches, params = [], []
    for (month, label), part in hits.groupby(["month", "label"], sort=True):
        arts = sorted({int(v) for v in part["art"]})
        branches.append(f"SELECT {select} FROM strongest x WHERE x.month = ? AND x.label = ? "
                        f"AND x.compound BETWEEN ? AND ? "
                        f"AND x.art IN ({', '.join('?' * len(arts))})")
        params += [month, label, float(part["compound"].min()), float(part["compound"].max()),
                   *arts]
    if not branches:
        return store.frame(f"SELECT {select} FROM strongest x WHERE FALSE")
    rows = store.frame(" UNION ALL ".join(branches), params)
    return rows.merge(hits[["month", "art", "sentence_id"]].drop_duplicates(),
                      on=["month", "art", "sentence_id"])


def _fetch_picked(store: Store, table: str, cols: str, pick: str, params: list,
                  k: str) -> pd.DataFrame:
    """Columns ``cols`` (with ``month`` and ``k``) of ``table``'s rows whose ``month``
    and ``k`` are among the rows of the query ``pick`` (``params`` bound)."""
    names = [col.strip() for col in cols.split(",")]
    select = ", ".join(f"x.{col}" for col in ["month"] + ([k] if k not in names else []) + names)
    return store.frame(f"SELECT {select} FROM {table} x WHERE (x.month, x.{k}) IN "
                       f"(SELECT p.month, p.{k} FROM ({pick}) p)", params)


def _period_bounds(period, freq) -> tuple[pd.Timestamp, pd.Timestamp]:
    p = pd.Period(pd.Timestamp(period), freq=FREQS[check_freq(freq)])
    return p.start_time, p.end_time


# ---------------------------------------------------------------------- alerts
def _has_outlet(store: Store) -> bool:
    cols = store.remember("full_columns", lambda: set(
        store.frame("SELECT * FROM articles_full LIMIT 0").columns))
    return "outlet" in cols


def alert_rows(store: Store, freq: str, names: dict | None = None,
               c: Criteria | None = None) -> pd.DataFrame:
    """What :func:`analysis.alerts.detect_alerts` and :func:`~analysis.alerts.topic_trends`
    need, summed in DuckDB per ``freq`` period, topic (and outlet, when the store has
    outlets): one row per group, which stands for its ``articles_in_row`` articles
    (``analysis.alerts.ROW_ARTICLES``), with ``article_id`` (a name of the group),
    ``published`` (the period's start), ``topic_id``, ``topic_label`` (renames applied),
    ``outlet``, and the group's sentence sums ``s_sum``, ``s_sq`` (of compound²),
    ``s_n``.  A few thousand rows for a million articles: nothing per article reaches
    Python.  ``c``: only the articles of that view (default: the whole store)."""
    freq = check_freq(freq)
    c = c or Criteria()
    awhere, aparams = store.article_where(c, "a")
    swhere, sparams = _sentence_where(store, c, "x")
    outlet = _has_outlet(store)
    if outlet:
        o_join = "LEFT JOIN (SELECT article_id, coalesce(outlet, '') AS outlet FROM articles_full) o USING (article_id)"
        o_col, o_key = "coalesce(o.outlet, '')", ", outlet"
    else:
        o_join, o_col, o_key = "", "''", ""
    g = store.frame(f"""
        WITH a AS (SELECT date_trunc('{freq}', a.published) AS p, a.topic_id, {o_col} AS outlet,
                          count(*) AS n
                   FROM articles a {o_join} WHERE a.published IS NOT NULL AND {awhere}
                   GROUP BY ALL),
             s AS (SELECT date_trunc('{freq}', x.published) AS p, x.topic_id, {o_col} AS outlet,
                          sum(x.compound) AS s_sum, sum(x.compound * x.compound) AS s_sq,
                          count(*)::DOUBLE AS s_n
                   FROM sentences x {o_join.replace('USING (article_id)', 'ON o.article_id = x.article_id')}
                   WHERE x.published IS NOT NULL AND {swhere} GROUP BY ALL)
        SELECT a.p AS published, a.topic_id, a.outlet, a.n AS articles_in_row,
               coalesce(s.s_sum, 0) AS s_sum, coalesce(s.s_sq, 0) AS s_sq,
               coalesce(s.s_n, 0) AS s_n
        FROM a LEFT JOIN s ON s.p = a.p AND s.topic_id = a.topic_id AND s.outlet = a.outlet
        ORDER BY 1, 2, 3""", [*aparams, *sparams])
    labels = store.labels(names)
    g["published"] = g["published"].astype("datetime64[ns]")
    g["topic_id"] = g["topic_id"].astype(np.int64)
    g["topic_label"] = pd.Series([labels.get(int(t), "(no topic)") for t in g["topic_id"]],
                                 index=g.index, dtype=object)
    g["article_id"] = pd.Series([f"{p:%Y-%m-%dT%H}|{t}|{o}" for p, t, o in
                                 zip(g["published"], g["topic_id"], g["outlet"])],
                                index=g.index, dtype=object)
    g["outlet"] = g["outlet"].astype(object)
    return g


def alert_sentences(store: Store, start, end, topic_ids=None,
                    names: dict | None = None,
                    keyword: str | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(articles, sentences)`` published in ``[start, end)`` (of ``topic_ids`` when
    given, matching the ``keyword`` query when given), as frames for
    :func:`analysis.alerts.alert_evidence`: the articles with
    ``published``, ``title``, ``topic_id``, ``topic_label`` (and ``outlet``); their
    sentences with ``sentence_id``, ``compound``, ``label``, ``text``."""
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    months = [str(p) for p in pd.period_range(start, end - pd.Timedelta(seconds=1), freq="M")]
    marks = ", ".join("?" * len(months))
    cond, params = f"a.month IN ({marks}) AND a.published >= ? AND a.published < ?", \
        [*months, _ts(start), _ts(end)]
    if topic_ids is not None:
        ids = [int(t) for t in topic_ids] or [-2]
        cond += f" AND a.topic_id IN ({', '.join('?' * len(ids))})"
        params += ids
    if keyword is not None:  # the query's cached match set, as the keyword filter uses
        cond += " AND " + store._in_matches("article", keyword, "a", Criteria())
    outlet = _has_outlet(store)
    arts = store.frame(f"""
        SELECT a.article_id, a.published, a.title, a.topic_id
               {", coalesce(o.outlet, '') AS outlet" if outlet else ""}
        FROM articles a
        {"LEFT JOIN (SELECT article_id, outlet FROM articles_full) o USING (article_id)"
         if outlet else ""}
        WHERE {cond}""", params)
    sents = store.frame(f"""
        SELECT s.article_id, s.sentence_id, s.compound, s.label, s.text
        FROM sentences s WHERE s.month IN ({marks}) AND s.published >= ? AND s.published < ?
          AND s.article_id IN (SELECT a.article_id FROM articles a WHERE {cond})""",
        [*months, _ts(start), _ts(end), *params])
    labels = store.labels(names)
    arts["topic_label"] = pd.Series([labels.get(int(t), "(no topic)") for t in arts["topic_id"]],
                                    index=arts.index, dtype=object)
    arts["published"] = arts["published"].astype("datetime64[ns]")
    for f in (arts, sents):
        f["article_id"] = f["article_id"].astype(object)
    return arts, sents


# ---------------------------------------------------------------------- tracked keywords
def _keyword_groups(store: Store, c: Criteria, names: list[str],
                    freq: str | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per (query, period) of the view: articles matching each query, and the sums of the
    sentences that count for it (:func:`analysis.keywords.keyword_matches`'s sentences:
    the store's sentence match set of the query).  ``freq`` None: one group per query,
    undated articles included; else only dated ones, by period start.

    One statement per level for all the queries (a ``UNION ALL`` branch each, tagged by
    the query's position), each branch joining its query's cached match set
    (:meth:`Store._matches`), so a query typed once is matched once per store."""
    period = "NULL::TIMESTAMP" if freq is None else f"date_trunc('{freq}', x.published)"
    dated = "TRUE" if freq is None else "x.published IS NOT NULL"
    awhere, aparams = store.article_where(c, "x")
    swhere, sparams = _sentence_where(store, c, "x")
    a_sql, s_sql, a_params, s_params = [], [], [], []
    for i, name in enumerate(names):
        a_sql.append(f"SELECT {i} AS q, {period} AS period, count(*)::BIGINT AS n_articles "
                     f"FROM articles x WHERE {awhere} AND {dated} AND "
                     f"{store._in_matches('article', name, 'x', c)} GROUP BY 1, 2")
        a_params += aparams
        s_sql.append(f"SELECT {i} AS q, {period} AS period, count(*)::BIGINT AS n_sentences, "
                     "sum(x.compound) AS s_sum, sum(x.compound * x.compound) AS s_sq, "
                     f"count(*) FILTER (WHERE x.compound >= {POSITIVE})::BIGINT AS n_pos, "
                     f"count(*) FILTER (WHERE x.compound <= {NEGATIVE})::BIGINT AS n_neg "
                     f"FROM sentences x WHERE {swhere} AND {dated} AND "
                     f"{store.sentence_keyword_where(name, c, 'x')} GROUP BY 1, 2")
        s_params += sparams
    arts = store.frame(" UNION ALL ".join(a_sql), a_params)
    sents = store.frame(" UNION ALL ".join(s_sql), s_params)
    for f in (arts, sents):
        f["keyword"] = [names[int(i)] for i in f["q"]] if len(f) else pd.Series(dtype=object)
        f["period"] = pd.to_datetime(f["period"]).astype("datetime64[ns]")
    return arts, sents


def _keyword_frame(arts: pd.DataFrame, sents: pd.DataFrame, index: pd.Index) -> pd.DataFrame:
    """Articles and sentence means per ``index`` (keyword, or period and keyword) from the
    sums of :func:`_keyword_groups`, zeros and NaN where nothing matched."""
    keys = list(index.names)
    out = (arts.set_index(keys)[["n_articles"]]
           .join(sents.set_index(keys)[["n_sentences", "s_sum", "n_pos", "n_neg"]], how="outer")
           .reindex(index))
    for col in ("n_articles", "n_sentences"):
        out[col] = out[col].fillna(0).astype(np.int64)
    n = out["n_sentences"].replace(0, np.nan)
    out["compound"] = (out["s_sum"] / n).astype(np.float64)
    out["pos_share"] = (out["n_pos"] / n).astype(np.float64)
    out["neg_share"] = (out["n_neg"] / n).astype(np.float64)
    return out.drop(columns=["s_sum", "n_pos", "n_neg"]).reset_index()


def _query_names(queries) -> list[str]:
    from .keywords import _queries

    return list(dict.fromkeys(q.source for q in _queries(queries)))


def keyword_series(store: Store, c: Criteria, queries, freq: str = "auto") -> pd.DataFrame:
    """Each tracked query per period of the view: the frame of
    :func:`analysis.keywords.keyword_series` (``period``, ``keyword``, ``n_articles``,
    ``share_of_voice``, ``n_sentences``, ``compound``, ``pos_share``, ``neg_share``; every
    period of the view's dated articles, queries in the order given; ``attrs["freq"]``).
    Raises ``QueryError`` for a malformed query."""
    from .keywords import SERIES_COLUMNS

    names = _query_names(queries)
    freq = resolve_freq(store, c, freq)
    arts, sents = _keyword_groups(store, c, names, freq)
    h = headline(store, c)
    periods = _all_periods(None if h.first is None else
                           pd.Period(h.first, freq=FREQS[freq]).start_time, h.last, freq)
    out = _keyword_frame(arts, sents, pd.MultiIndex.from_product(
        [periods, names], names=["period", "keyword"]))
    total = out.groupby("period")["n_articles"].transform("sum")
    out["share_of_voice"] = (out["n_articles"] / total.replace(0, np.nan)).fillna(0.0)
    out["period"] = out["period"].astype(periods.dtype)  # the frames' unit, whatever pandas picks
    out["keyword"] = out["keyword"].astype(object)
    out = out[SERIES_COLUMNS]
    out.attrs["freq"] = freq
    return out


def keyword_summary(store: Store, c: Criteria, queries) -> pd.DataFrame:
    """Each tracked query over the whole view, undated articles included: the frame of
    :func:`analysis.keywords.keyword_summary` (``keyword``, ``n_articles``,
    ``n_sentences``, ``compound``, ``pos_share``, ``neg_share``)."""
    from .keywords import SUMMARY_COLUMNS

    names = _query_names(queries)
    arts, sents = _keyword_groups(store, c, names, None)
    out = _keyword_frame(arts, sents, pd.Index(names, name="keyword"))
    out["keyword"] = out["keyword"].astype(object)
    return out[SUMMARY_COLUMNS]


def keyword_alert_rows(store: Store, c: Criteria, queries, freq: str) -> pd.DataFrame:
    """The tracked queries' series for :func:`analysis.alerts.detect_alerts`'s
    ``keyword_rows``: one row per (``freq`` period, query) with a match, ``keyword``
    (str), ``published`` (the period's start), ``articles_in_row`` (int64, articles
    matching the query), ``s_sum``, ``s_sq``, ``s_n`` (float64, sums over the sentences
    that count for it, as :func:`analysis.keywords.keyword_matches` picks them)."""
    names = _query_names(queries)
    arts, sents = _keyword_groups(store, c, names, check_freq(freq))
    out = arts[["keyword", "period", "n_articles"]].merge(
        sents[["keyword", "period", "n_sentences", "s_sum", "s_sq"]],
        on=["keyword", "period"], how="left")
    return pd.DataFrame({
        "keyword": out["keyword"].astype(object), "published": out["period"],
        "articles_in_row": out["n_articles"].astype(np.int64),
        "s_sum": out["s_sum"].fillna(0.0).astype(np.float64),
        "s_sq": out["s_sq"].fillna(0.0).astype(np.float64),
        "s_n": out["n_sentences"].fillna(0).astype(np.float64)})


# ---------------------------------------------------------------------- articles
#: Columns the article table can be sorted by.
ARTICLE_SORTS = ("published", "title", "topic_label", "compound", "label", "n_sentences",
                 "article_id")
_TABLE_COLUMNS = ["published", "title", "topic_id", "topic_label", "compound", "label",
                  "n_sentences", "article_id"]


def articles_page(store: Store, c: Criteria = Criteria(), *, search: str = "",
                  sort: str = "published", descending: bool = False, offset: int = 0,
                  limit: int = 50, names: dict | None = None,
                  total: int | None = None) -> tuple[pd.DataFrame, int]:
    """One page of the article table and the number of matching articles.

    ``search`` narrows to articles whose title or text contains it (any case, plain
    text, as :func:`analysis.search.search_articles`); rows are sorted by ``sort`` (one
    of :data:`ARTICLE_SORTS`; ties by date then id), missing values last.  Returns
    (``published``, ``title``, ``topic_id``, ``topic_label``, ``compound``, ``label``,
    ``n_sentences``, ``article_id``) rows ``offset`` … ``offset + limit`` and the total.
    ``total``: the number of matching articles when the caller has it (the view's
    headline, without a search); else it is counted when the page does not tell.
    """
    if sort not in ARTICLE_SORTS:
        raise ValueError(f"sort must be one of {ARTICLE_SORTS}, got {sort!r}")
    where, params = store.article_where(c)
    if (search or "").strip():
        where += " AND " + store.search_where(search, c)
    direction = "DESC" if descending else "ASC"
    order = f"a.{sort} {direction} NULLS LAST"
    if sort != "published":
        order += ", a.published ASC NULLS LAST"
    order += ", a.article_id"
    cols = ", ".join(f"a.{col}" for col in _TABLE_COLUMNS)
    # The page alone: a count over the window (count(*) OVER ()) made DuckDB keep every
    # matching row's columns, 3-5x the time of the page and a count apart.
    page = store.frame(f"""
        SELECT {cols} FROM articles a WHERE {where}
        ORDER BY {order} LIMIT ? OFFSET ?""", params + [int(limit), int(offset)])
    if total is None:
        if len(page) < int(limit) and (len(page) or offset == 0):
            total = int(offset) + len(page)  # the last page: nothing after it
        else:
            total = int(store.one(f"SELECT count(*) FROM articles a WHERE {where}",
                                  params)[0])
    labels = store.labels(names)
    page["topic_label"] = [labels.get(int(t), lab) for t, lab in
                           zip(page["topic_id"], page["topic_label"])]
    return page, total


def article(store: Store, article_id: str, names: dict | None = None):
    """One article for the reader: ``(row, sentences)`` — the article's row (a Series
    with the articles frame columns) and its sentences in order; ``(None, empty)`` when
    the store has no such article."""
    found = store.one("SELECT a.month FROM articles a WHERE a.article_id = ? LIMIT 1",
                      [str(article_id)])
    if found is None:
        return None, store.frame("SELECT * EXCLUDE (month) FROM sentences_full WHERE FALSE")
    month = found[0]
    row = store.frame("SELECT * EXCLUDE (month) FROM articles_full a WHERE a.month = ? AND "
                      "a.article_id = ? LIMIT 1", [month, str(article_id)]).iloc[0].copy()
    labels = store.labels(names)
    row["topic_label"] = labels.get(int(row["topic_id"]), row["topic_label"])
    sents = store.frame("SELECT * EXCLUDE (month) FROM sentences_full s WHERE s.month = ? AND "
                        "s.article_id = ? ORDER BY s.sentence_id", [month, str(article_id)])
    return row, sents


def map_sample(store: Store, c: Criteria = Criteria(), n: int = 2000,
               names: dict | None = None) -> tuple[pd.DataFrame, int]:
    """A deterministic sample of at most ``n`` of the view's articles for the article map
    and the number of articles it was drawn from.

    The sample is the ``n`` articles with the smallest MD5 of their id (its first 60
    bits; the same articles for the same filter on any machine), placed by
    :func:`analysis.topic_maps.weights_map` (PCA of the square roots of their topic
    weights).  Returns ``article_id``, ``x``, ``y``, ``title``, ``topic_id``,
    ``topic_label``, ``compound``, ``published``.
    """
    from .topic_maps import weights_map

    where, params = store.article_where(c)
    key = ("a.sample_key" if store.use_rollups
           else "('0x' || md5(a.article_id)[:15])::BIGINT")  # the roll-up's sample_key
    k = store.key
    pick = f"""
        SELECT a.month, a.{k}{", a.article_id" if k != "article_id" else ""} FROM articles a
        WHERE {where} ORDER BY {key}, a.article_id LIMIT ?"""
    picked = store.frame(pick, params + [int(n)])
    total = headline(store, c).n_articles if len(picked) == int(n) else len(picked)
    # The sample's rows by a semi-join on the same pick (deterministic), not by literal
    # key lists: 2,000 keys as IN lists per month made each read scan and test every
    # row against ~80 literals (100-140 ms per read at 100k articles; ~30 ms this way).
    cols = "article_id, title, topic_id, topic_label, compound, published"
    sample = picked.merge(_fetch_picked(store, "articles", cols, pick, params + [int(n)], k),
                          on=["month", k] + (["article_id"] if k != "article_id" else []))
    weights = _fetch_picked(store, "article_topics", "article_id, topic_id, weight", pick,
                            params + [int(n)], k)
    xy = weights_map(weights, picked["article_id"])
    out = xy.merge(sample[["article_id", "title", "topic_id", "topic_label", "compound",
                           "published"]], on="article_id", how="left")
    labels = store.labels(names)
    out["topic_label"] = [labels.get(int(t), lab) for t, lab in
                          zip(out["topic_id"], out["topic_label"])]
    return out, total


# ---------------------------------------------------------------------- exports
def export_csvs(store: Store, out_dir, c: Criteria = Criteria(), freq: str = "auto",
                names: dict | None = None, batch_rows: int = 50_000) -> list[Path]:
    """Write the report CSVs of the view into ``out_dir``: ``articles.csv``,
    ``sentences.csv``, ``topics.csv``, ``timeline.csv`` and ``summary.txt`` (the
    columns of :func:`analysis.reports.report_frames`), streaming ``articles`` and
    ``sentences`` in batches of ``batch_rows`` so memory does not grow with the archive.
    Each file is written under a temporary name and renamed into place."""
    from . import export_store

    return export_store.export_csvs(store, out_dir, c, freq=freq, names=names,
                                    batch_rows=batch_rows)
