"""Small pre-aggregated tables of an archive store, for charts that must answer at once.

``write_rollups(store_dir)`` reads the store's ``articles`` and ``article_topics``
partitions with DuckDB and writes, per month partition (so a re-index rewrites only the
months it touched):

``rollups/daily/month=YYYY-MM/part-0.parquet`` — one row per (day, dominant topic):

=========================  ==========  ==================================================
column                     dtype       meaning
=========================  ==========  ==================================================
``day``                    timestamp   start of the day (NULL in ``month=undated``)
``topic_id``               int64       the articles' dominant topic (−1: none)
``n_articles``             int64       articles
``n_scored``               int64       articles with a mean compound (≥ 1 sentence)
``sum_article_compound``   float64     sum of article mean compounds
``sumsq_article_compound`` float64     sum of their squares (variance at query time)
``n_sentences``            int64       sentences of those articles
``n_pos``, ``n_neg``       int64       positive / negative sentences
``sum_compound``           float64     sum of sentence compounds
``first_published``        timestamp   earliest / latest publication time in the row
``last_published``
``sb0`` … ``sb20``         int64       sentences per sentiment-histogram bin (21 over −1…1)
``ab0`` … ``ab20``         int64       articles with a compound, per bin of it
=========================  ==========  ==================================================

The roll-ups' ``articles`` copy carries each article's ``sb0`` … ``sb20`` too, so a
filtered view's sentence histogram is a sum over its articles.

``rollups/topic_weights/month=YYYY-MM/part-0.parquet`` — one row per (day, dominant
topic, weighted topic): ``day``, ``topic_id`` (dominant), ``weight_topic_id``,
``weight`` (summed topic weight), ``weight_compound`` (sum of weight × article
compound), ``weight_scored`` (summed weight of articles with a compound).

``rollups/strongest/month=YYYY-MM/part-0.parquet`` — the month's negative and positive
sentences (the columns of the ``sentences`` copy), sorted by label, then strength
(``|compound|``) descending, then time, article and sentence: the evidence order.  Row
groups of 2,048 rows, so a query for the strongest sentences of a view reads only the
row groups above a strength.

Weeks and months are derived from days at query time; hours come from the articles.
The sentence figures come from the articles' own roll-up (``n_sentences``,
``compound`` = mean sentence compound, ``pos_share``/``neg_share``), so the same SQL
(:func:`daily_sql`) serves the roll-up and a filtered query the roll-up cannot answer.
``rollups/state.json`` records, per month, the article part files it was computed from
(name, size, mtime), so a reader can tell a stale roll-up (:func:`stale_months`).
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .criteria import KEY_BASE
from .postings import PostingsBuilder, split_words

__all__ = ["ROLLUP_VERSION", "write_rollups", "write_months", "record_months", "daily_sql",
           "weights_sql", "stale_months", "store_months", "connect", "register_frames"]

ROLLUP_VERSION = 7
FRAMES = ("articles", "sentences", "article_topics")
#: The roll-up tables, one folder each under ``rollups/``.
KINDS = ("daily", "topic_weights", "articles", "sentences", "article_topics", "postings",
         "strongest")


def store_months(store_dir) -> list[str]:
    """The month partitions (``YYYY-MM`` or ``undated``) of the store's articles."""
    root = Path(store_dir) / "articles"
    if not root.is_dir():
        return []
    return sorted(p.name.split("=", 1)[1] for p in root.iterdir()
                  if p.is_dir() and p.name.startswith("month=") and any(p.glob("*.parquet")))


def _signature(store_dir, month: str) -> list:
    folder = Path(store_dir) / "articles" / f"month={month}"
    out = []
    for p in sorted(folder.glob("*.parquet")):
        st = p.stat()
        out.append([p.name, st.st_size, st.st_mtime_ns])
    return out


def connect(threads: int | None = None, memory_limit: str | None = None):
    """An in-memory DuckDB connection (no extension needed beyond the built-in Parquet)."""
    config = {"enable_external_access": True}
    if threads:
        config["threads"] = int(threads)
    if memory_limit:
        config["memory_limit"] = memory_limit
    con = duckdb.connect(":memory:", config=config)
    con.execute("SET enable_progress_bar = false")  # no bar drawn on the server's terminal
    return con


def _glob(store_dir, frame: str) -> str:
    return str(Path(store_dir) / frame / "*" / "*.parquet")


def register_frames(con, store_dir, frames=FRAMES, suffix: str = "",
                    folder: str = "") -> list[str]:
    """Views ``<frame><suffix>`` over the store's partitions of each frame under
    ``folder`` (``""``: the store's own datasets; ``"rollups"``: the roll-ups), with the
    hive ``month`` column (every file has the same columns, the first file gives the schema).  Returns the views made (a frame
    without files gets none)."""
    made = []
    root = Path(store_dir) / folder
    for name in frames:
        if any((root / name).glob("*/*.parquet")):
            con.execute(f"CREATE OR REPLACE VIEW {name}{suffix} AS SELECT * FROM read_parquet("
                        f"'{_sql_path(_glob(root, name))}', hive_partitioning=true, "
                        "hive_types={'month': VARCHAR})")
            made.append(name + suffix)
    return made


def _sql_path(path: str) -> str:
    # A path is the one thing that cannot be bound in a view definition: quote it.
    return path.replace("'", "''")


#: Bins of the sentiment histograms the roll-ups count (the dashboard's: 21 over −1…1).
HIST_BINS = 21


def _bin(col: str) -> str:
    """The histogram bin of ``col`` (as ``queries.sentiment_histogram`` computes it)."""
    return f"least(greatest(floor(({col} + 1) / 2 * {HIST_BINS}), 0), {HIST_BINS - 1})::BIGINT"


def _bin_counts(column: str, prefix: str) -> str:
    """Per group, its rows in each histogram bin, ``column`` holding the bin (computed
    once per row: in every filter it was a third of the query): ``<prefix>0`` …"""
    return ", ".join(f"count(*) FILTER (WHERE {column} = {k})::BIGINT AS {prefix}{k}"
                     for k in range(HIST_BINS))


def daily_sql(where: str = "TRUE", bucket: str = "day", bins: bool = False,
              source: str = "articles") -> str:
    """The per-(``bucket``, dominant topic) roll-up of ``source`` rows ``a`` (default the
    ``articles``) passing ``where`` (see the module docstring for the columns; ``bucket``
    is ``day`` or ``hour``).  ``bins``: also the histogram counts, ``sb0`` … ``sb20``
    (the articles' sentences per bin: ``source`` rows carry them, as the roll-ups'
    articles copy does) and ``ab0`` … ``ab20`` (articles with a compound, per bin)."""
    hist = ""
    if bins:
        hist = "".join(f", coalesce(sum(a.sb{k}), 0)::BIGINT AS sb{k}" for k in range(HIST_BINS))
        # The article's bin, once per row (NULL without a compound: in no bin).
        hist += ", " + _bin_counts("a._abin", "ab")
        source = f"(SELECT *, {_bin('compound')} AS _abin FROM {source})"
    return f"""
        SELECT date_trunc('{bucket}', a.published) AS day, a.topic_id,
               count(*)::BIGINT AS n_articles,
               count(a.compound)::BIGINT AS n_scored,
               sum(a.compound)::DOUBLE AS sum_article_compound,
               sum(a.compound * a.compound)::DOUBLE AS sumsq_article_compound,
               coalesce(sum(a.n_sentences), 0)::BIGINT AS n_sentences,
               coalesce(sum(round(a.pos_share * a.n_sentences)), 0)::BIGINT AS n_pos,
               coalesce(sum(round(a.neg_share * a.n_sentences)), 0)::BIGINT AS n_neg,
               sum(a.compound * a.n_sentences)::DOUBLE AS sum_compound,
               min(a.published) AS first_published, max(a.published) AS last_published
               {hist}
        FROM {source} a WHERE {where} GROUP BY ALL"""


def weights_sql(where: str = "TRUE", bucket: str = "day", key: str = "article_id",
                articles: str = "articles", topics: str = "article_topics") -> str:
    """Topic weights per (``bucket``, dominant topic, weighted topic) of ``articles a``
    rows passing ``where``, joined to their ``topics`` (``article_topics``) rows by month
    and ``key`` (``art`` in the roll-ups' copies: an integer join instead of a string
    one)."""
    return f"""
        SELECT date_trunc('{bucket}', a.published) AS day, a.topic_id,
               t.topic_id AS weight_topic_id,
               sum(t.weight)::DOUBLE AS weight,
               coalesce(sum(t.weight * a.compound), 0)::DOUBLE AS weight_compound,
               sum(CASE WHEN a.compound IS NULL THEN 0 ELSE t.weight END)::DOUBLE
                   AS weight_scored
        FROM {topics} t JOIN {articles} a
             ON t.month = a.month AND t.{key} = a.{key}
        WHERE {where} GROUP BY ALL"""


#: A word of the token index: a run of letters, digits and underscores (what Python's
#: ``\w`` matches, so the index agrees with ``aggregate._keyword_pattern``).
_TOKEN_SPLIT = r"[^\pL\pN_]+"
#: One character of a word (DuckDB's regular expressions decide the non-ASCII ones).
_WORD_CHAR = r"[\pL\pN_]"


#: Sentences per article that a token-index key can address (key = art * KEY_BASE +
#: sentence_id + 1); an article is split at MAX_SENTENCE_WORDS, far below 2**20 sentences.
_ARTS = """arts AS (
    SELECT article_id, (row_number() OVER (ORDER BY published NULLS LAST, article_id) - 1)
           ::BIGINT AS art
    FROM articles WHERE month = ?)"""


def _month_sql() -> dict[str, str]:
    """Per roll-up kind, the SQL of one month (``?`` = the month)."""
    return {
        # with the histogram counts: the month's articles and their sentences per bin
        "daily": daily_sql("a.month = ?", bins=True, source=f"""(
            SELECT x.*, {", ".join(f"coalesce(b.sb{k}, 0) AS sb{k}" for k in range(HIST_BINS))}
            FROM articles x LEFT JOIN sentence_bins b USING (article_id)
            WHERE x.month = ?)""") + " ORDER BY day, topic_id",
        "topic_weights": weights_sql("a.month = ?") + " ORDER BY day, topic_id, weight_topic_id",
        # Compacted copies, one file per month (the articles without their text): a query
        # pays a file's overhead per file, and an index run writes one file per chunk and
        # month.  The sentences keep their text, so the evidence lists need no second read.  ``art`` numbers the month's
        # articles (by time, then id): the token index refers to articles by it.
        "articles": f"""
            WITH {_ARTS}
            SELECT a.article_id, r.art, a.published, a.title, a.topic_id, a.topic_label,
                   a.compound, a.label, a.n_sentences, a.pos_share, a.neg_share,
                   -- the map's sample order: the same articles on any machine
                   ('0x' || md5(a.article_id)[:15])::BIGINT AS sample_key,
                   -- its sentences per histogram bin: a filtered view's sentence
                   -- histogram is a sum over its articles (daily_sql), no sentence read
                   {", ".join(f"coalesce(b.sb{k}, 0)::BIGINT AS sb{k}" for k in range(HIST_BINS))}
            FROM articles a JOIN arts r USING (article_id)
                 LEFT JOIN sentence_bins b USING (article_id)
            WHERE a.month = ? ORDER BY r.art""",
        "sentences": f"""
            WITH {_ARTS}
            SELECT s.article_id, r.art, s.sentence_id, s.published, s.topic_id, s.compound,
                   s.label, s.paragraph, s.section, s.start, s."end", s.text, s.truncated,
                   s.neg, s.neu, s.pos
            FROM sentences_all s JOIN arts r USING (article_id) WHERE s.month = ?
            ORDER BY r.art, s.sentence_id""",
        "article_topics": f"""
            WITH {_ARTS}
            SELECT t.article_id, r.art, t.topic_id, t.weight
            FROM article_topics t JOIN arts r USING (article_id) WHERE t.month = ?
            ORDER BY r.art, t.topic_id""",
        # The evidence lists' copy of the negative and positive sentences ("strongest")
        # is cut from this query's batches as they stream (_write_sentences): the text
        # is read once for both files.
        # The token index (an inverted index): per word, the sorted keys of the sentences
        # that hold it, key = art * 2**20 + sentence_id + 1 (0: the title or a section
        # heading, text that is in no sentence).  One row per word and month, so a
        # lookup reads a few rows and a substring search scans only the vocabulary.
        # The SQL gives the lower-cased texts and their keys, streamed in batches;
        # postings.split_words cuts them into words (as a split at _TOKEN_SPLIT would)
        # and a postings.PostingsBuilder groups the (word, key) pairs.
        "postings": f"""
            WITH {_ARTS}
            SELECT lower(s.text) AS words, r.art * {KEY_BASE} + s.sentence_id + 1 AS key
            FROM sentences_all s JOIN arts r USING (article_id) WHERE s.month = ?
            UNION ALL
            SELECT lower(w.words), r.art * {KEY_BASE}
            FROM (SELECT title AS words, article_id FROM articles WHERE month = ?
                  UNION ALL
                  SELECT DISTINCT section, article_id FROM sentences
                  WHERE month = ? AND section <> '') w JOIN arts r USING (article_id)
            -- keys in ascending order: the builder then groups by a radix sort on the
            -- word alone (postings._sort_by_token)
            ORDER BY key""",
    }


#: Rows per Parquet row group where the default is too coarse: a word's postings are
#: found by the row group's min/max token, and only that row group's lists are decoded.
#: The compacted copies are read by key too (evidence rows, the map sample): row groups
#: of a few thousand rows keep such a read to the groups that hold the keys.
_ROW_GROUP = {"postings": 1024, "sentences": 8192, "articles": 4096, "article_topics": 8192,
              "strongest": 2048}


def _write_atomic(table, path: Path, row_group_size: int | None = None,
                  dictionary: bool = True) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        pq.write_table(table, tmp, row_group_size=row_group_size,
                       use_dictionary=dictionary)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _state_path(store_dir) -> Path:
    return Path(store_dir) / "rollups" / "state.json"


def _read_state(store_dir) -> dict:
    try:
        state = json.loads(_state_path(store_dir).read_text())
    except (OSError, ValueError):
        return {"version": ROLLUP_VERSION, "months": {}}
    if state.get("version") != ROLLUP_VERSION:
        return {"version": ROLLUP_VERSION, "months": {}}
    return state


#: DuckDB threads of a roll-up.  One: a month is small (a few thousand articles), so more
#: threads mostly add coordination (measured on a 4,200-article month: 0.93 s of CPU
#: with two threads, 0.54 s with one), the index runs roll-ups beside its chunk tasks
#: on every core anyway, and float sums come out the same in every run (DuckDB's
#: parallel sums differ in the last bit with the thread count and the scheduling).
ROLLUP_THREADS = 1


#: Rows per batch of a roll-up query's result: the month's big tables (its sentences
#: and their text, the token index's texts) are streamed to their file, never held
#: whole, so a roll-up's memory does not grow with the month.
_BATCH_ROWS = 65_536


def _load_month(con, month: str) -> None:
    """Tables ``articles``, ``sentences``, ``article_topics`` holding the month's rows
    only (from the ``*_all`` views over the store), but no text: the month's queries
    read and decode them once instead of once per query.  The text (the bulk of a
    month) is read from the files by the three queries that need it (``sentences_all``),
    as they stream it.  Also ``sentence_bins``: each article's sentences per histogram
    bin (``sb0`` … ``sb20``)."""
    con.execute("CREATE OR REPLACE TEMP TABLE articles AS "
                "SELECT * EXCLUDE (text) FROM articles_all WHERE month = ?", [month])
    con.execute("CREATE OR REPLACE TEMP TABLE sentences AS "
                "SELECT * EXCLUDE (text) FROM sentences_all WHERE month = ?", [month])
    con.execute("CREATE OR REPLACE TEMP TABLE article_topics AS "
                "SELECT * FROM article_topics_all WHERE month = ?", [month])
    # Each article's sentences per histogram bin, for both the daily roll-up and the
    # articles copy (computed once: the 21 filtered counts were a fifth of a month's SQL).
    con.execute("CREATE OR REPLACE TEMP TABLE sentence_bins AS "
                f"SELECT article_id, {_bin_counts('b', 'sb')} FROM "
                f"(SELECT article_id, {_bin('compound')} AS b FROM sentences) GROUP BY 1")


def _write_month_kind(con, kind: str, sql: str, month: str, path: Path) -> None:
    """Run one roll-up query of ``month`` and write its result to ``path`` (atomic),
    batch by batch."""
    if kind == "postings":
        n_arts = con.sql("SELECT count(*) FROM articles").fetchall()[0][0]
    reader = con.sql(sql, params=[month] * sql.count("?")).to_arrow_reader(_BATCH_ROWS)
    if kind == "sentences":
        _write_sentences(reader, path, path.parents[2] / "strongest" / path.parent.name / path.name)
    elif kind == "postings":
        with con.cursor() as judge:     # the connection itself is busy with the reader
            # No dictionary pages: the words are distinct and the keys nearly so, a
            # dictionary saved nothing and was half the file's writing time.
            _write_atomic(_postings(reader, _word_chars(judge), n_arts * KEY_BASE), path,
                          _ROW_GROUP.get(kind), dictionary=False)
    else:
        _write_batches(reader, path, _ROW_GROUP.get(kind))


def _write_sentences(reader, path: Path, strongest_path: Path) -> None:
    """The month's sentences copy from ``reader`` (by ``art``, ``sentence_id``) at
    ``path``, and at ``strongest_path`` the copy of its negative and positive sentences
    in the evidence order: by label, then strength (``|compound|``) descending, then
    ``art`` (the articles by publication time, then id) and ``sentence_id``, in row
    groups of 2,048 rows, so a query for the strongest sentences of a view reads only
    the row groups above a strength and the row groups' min/max skip the rest
    (``queries.evidence_by_label``).  Only those sentences are held, not the month's."""
    strong = []
    wanted = pa.array(["negative", "positive"])

    def batches():
        for batch in reader:
            strong.append(batch.filter(pc.is_in(batch.column("label"), value_set=wanted)))
            yield batch

    _write_batches(_Batches(batches(), reader.schema), path, _ROW_GROUP["sentences"])
    table = pa.Table.from_batches(strong, reader.schema)
    order = pc.sort_indices(pa.table({
        "label": table.column("label"), "strength": pc.abs(table.column("compound")),
        "art": table.column("art"), "sentence_id": table.column("sentence_id")}),
        sort_keys=[("label", "ascending"), ("strength", "descending"), ("art", "ascending"),
                   ("sentence_id", "ascending")])
    _write_atomic(table.take(order), strongest_path, _ROW_GROUP["strongest"])


class _Batches:
    """A record batch iterator with the ``schema`` a reader has (for :func:`_write_batches`)."""

    def __init__(self, batches, schema):
        self._batches, self.schema = batches, schema

    def __iter__(self):
        return iter(self._batches)


def _postings(reader, word_chars, max_key: int) -> pa.Table:
    """The token index of the (``words``, ``key``) batches of ``reader``."""
    builder = PostingsBuilder(max_key=max_key)
    for batch in reader:
        words, parent = split_words(batch.column("words"), word_chars)
        keys = batch.column("key").to_numpy(zero_copy_only=False)[parent]
        builder.add(pa.record_batch({"token": words, "key": keys}))
    return builder.table()


def _word_chars(con):
    """``split_words``' judge of non-ASCII characters: DuckDB's own regular
    expressions (the ones that split the words before), a character asked once."""
    known: dict[int, bool] = {}

    def word_chars(points):
        new = [int(p) for p in points if int(p) not in known]
        if new:
            found = con.execute(f"SELECT list_transform(?::VARCHAR[], "
                                f"lambda c: regexp_full_match(c, '{_WORD_CHAR}'))",
                                [[chr(p) for p in new]]).fetchone()[0]
            known.update(zip(new, found))
        return [known[int(p)] for p in points]

    return word_chars


def _write_batches(reader, path: Path, row_group_size: int | None) -> None:
    """Write a record batch stream to ``path`` (atomic) in the row groups that
    ``pq.write_table`` of the whole table would make (``row_group_size`` rows each, the
    rest in the last), holding about one row group at a time."""
    if row_group_size is None:
        _write_atomic(reader.read_all(), path)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        pending, n_pending, wrote = [], 0, False
        with pq.ParquetWriter(tmp, reader.schema) as writer:
            for batch in reader:
                pending.append(batch)
                n_pending += batch.num_rows
                if n_pending >= row_group_size:
                    table = pa.Table.from_batches(pending, reader.schema)
                    whole = n_pending - n_pending % row_group_size
                    writer.write_table(table.slice(0, whole), row_group_size=row_group_size)
                    wrote = True
                    pending = table.slice(whole).to_batches()
                    n_pending -= whole
            if n_pending or not wrote:
                # pq.write_table of an empty result writes one empty row group: so here.
                writer.write_table(pa.Table.from_batches(pending, reader.schema),
                                   row_group_size=row_group_size)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_months(store_dir, months, threads: int | None = ROLLUP_THREADS) -> dict:
    """Write the roll-up files of ``months`` (months whose articles are gone lose their
    roll-up) without touching ``rollups/state.json``; returns, per month, the signature
    of the article files it was computed from (taken before reading them), or ``None``
    for a month removed.  :func:`record_months` records them: several processes can
    roll up different months at once, and one records.

    Each file is written under a temporary name and renamed into place.
    """
    store_dir = Path(store_dir)
    present = set(store_months(store_dir))
    done: dict = {}
    con = None
    try:
        for month in sorted(set(months)):
            if month not in present:
                for kind in KINDS:
                    shutil.rmtree(store_dir / "rollups" / kind / f"month={month}",
                                  ignore_errors=True)
                done[month] = None
                continue
            if con is None:
                con = connect(threads=threads)
                register_frames(con, store_dir, suffix="_all")
            signature = _signature(store_dir, month)
            _load_month(con, month)
            for kind, sql in _month_sql().items():
                _write_month_kind(con, kind, sql, month,
                                  store_dir / "rollups" / kind / f"month={month}" / "part-0.parquet")
            done[month] = signature
    finally:
        if con is not None:
            con.close()
    return done


def record_months(store_dir, signatures: dict, reset: bool = False) -> None:
    """Record in ``rollups/state.json`` the months :func:`write_months` wrote (their
    signatures; ``None``: the month's roll-up was removed).  ``reset``: forget every
    other month.  Written under a temporary name and renamed, after the month files, so
    a run killed half way leaves every month either current or marked stale
    (:func:`stale_months`), never half written."""
    store_dir = Path(store_dir)
    state = _read_state(store_dir)
    if reset:
        state["months"] = {}
    for month, signature in signatures.items():
        if signature is None:
            state["months"].pop(month, None)
        else:
            state["months"][month] = signature
    state["version"] = ROLLUP_VERSION
    path = _state_path(store_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(".state.json.tmp")
    tmp.write_text(json.dumps(state, sort_keys=True))
    os.replace(tmp, path)


def write_rollups(store_dir, months=None, threads: int | None = ROLLUP_THREADS) -> list[str]:
    """Write (or rewrite) the roll-ups of ``months`` (default: every month partition);
    months whose articles are gone lose their roll-up.  Returns the months written.

    :func:`write_months`, then :func:`record_months`: every month's files are in place
    before the state file says so.
    """
    store_dir = Path(store_dir)
    todo = store_months(store_dir) if months is None else months
    done = write_months(store_dir, todo, threads)
    if months is None:  # a full rewrite also removes roll-ups of vanished months
        present = set(done)
        for kind in KINDS:
            for folder in (store_dir / "rollups" / kind).glob("month=*"):
                if folder.name.split("=", 1)[1] not in present:
                    shutil.rmtree(folder, ignore_errors=True)
    record_months(store_dir, done, reset=months is None)
    return [m for m, signature in sorted(done.items()) if signature is not None]


def stale_months(store_dir) -> list[str]:
    """Months whose roll-up is missing or was computed from other article files."""
    state = _read_state(store_dir)["months"]
    stale = [m for m in store_months(store_dir)
             if state.get(m) != _signature(store_dir, m)]
    return sorted(stale + [m for m in state if m not in store_months(store_dir)])
