"""What each dashboard view shows, answered from an in-memory result or from an archive
store: one interface, two backends.

The dashboard draws; it never computes.  Every figure, table and list it shows comes
from one method of a *views* object, so the page is the same code whether the user
opened a folder (analysed in memory, :class:`FrameViews`, over
:mod:`analysis.aggregate`) or an archive store made by ``python -m analysis index``
(:class:`StoreViews`, DuckDB queries of :mod:`analysis.queries` over the store's
Parquet, nothing held in memory).  Both return the same frames (the query functions
are tested equal to the frame functions), so the charts draw either.

A views object is built once per rerun for the current filter (``criteria``) and topic
names; the period (``freq``) is resolved once by the caller and passed to each method.
"""
from __future__ import annotations

import contextlib
import dataclasses
import functools
import io
import shutil
import tempfile
import zipfile
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

from . import aggregate, compare as compare_mod, keywords as keywords_mod, outlets as outlets_mod
from . import queries, reports
from .criteria import Criteria
from .keyword_query import parse_query
from .headline import Headline, headline
from .periods import auto_freq_for_span, check_freq, with_coverage
from .search import search_articles

__all__ = ["FrameViews", "StoreViews", "LABELS", "ARTICLE_COLUMNS", "histogram",
           "label_counts", "extreme_periods", "resolve_freq", "store_topic_map", "is_store",
           "compare_criteria", "add_to_zip"]

LABELS = ("negative", "neutral", "positive")
#: Columns of :meth:`FrameViews.articles_page` / :meth:`StoreViews.articles_page` rows.
ARTICLE_COLUMNS = ["published", "title", "topic_id", "topic_label", "compound", "label",
                   "n_sentences", "article_id"]


#: Evidence rows asked for per row shown, so that repeated sentences can be folded.
_COPIES = 8

#: Threads that run a store view's independent queries at once (each thread queries on
#: its own DuckDB cursor), shared by every session of the process.
_PREFETCH = ThreadPoolExecutor(max_workers=4, thread_name_prefix="store-prefetch")
_MISSING = object()


def distinct_sentences(evidence: pd.DataFrame, n: int) -> pd.DataFrame:
    """The first ``n`` rows of an evidence frame with each sentence text once: an
    archive holds wire copies and republished stories, and the strongest sentence
    listed four times over hides the next ones.  ``copies`` (int64) counts the rows
    of ``evidence`` with that text (at least 1; a lower bound when ``evidence`` was
    itself cut)."""
    # a list is a few dozen rows: counted in Python, not by a pandas group-by per list
    texts = evidence["text"].tolist()
    each = evidence["copies"].tolist() if "copies" in evidence else [1] * len(texts)
    total = Counter()
    for text, k in zip(texts, each):
        total[text] += k
    first = {text: pos for pos, text in reversed(list(enumerate(texts)))}  # each text's first row
    keep = sorted(first.values())[:int(n)]
    return evidence.iloc[keep].assign(copies=np.array([total[texts[p]] for p in keep],
                                                      dtype=np.int64)).reset_index(drop=True)


def histogram(values: pd.Series, bins: int = 21) -> pd.DataFrame:
    """Counts of compound scores in ``bins`` equal bins over −1…1 (the last bin closed,
    as ``numpy.histogram``): ``low``, ``high`` (float64), ``n`` (int64); NaN left out.
    The same frame as :func:`analysis.queries.sentiment_histogram`."""
    vals = pd.Series(values, dtype=float).dropna().clip(-1, 1)
    edges = np.linspace(-1.0, 1.0, bins + 1)
    counts, _ = np.histogram(vals, bins=edges)
    return pd.DataFrame({"low": edges[:-1], "high": edges[1:], "n": counts.astype(np.int64)})


def label_counts(sentences: pd.DataFrame) -> pd.DataFrame:
    """Sentences by label: ``label`` (negative, neutral, positive), ``n_sentences``
    (int64), ``share`` (float64); as :func:`analysis.queries.label_counts`."""
    n = sentences["label"].value_counts().reindex(LABELS, fill_value=0).to_numpy(np.int64)
    share = n / n.sum() if n.sum() else np.zeros(3)
    return pd.DataFrame({"label": list(LABELS), "n_sentences": n, "share": share})


def extreme_periods(timeline: pd.DataFrame, min_articles: int) -> pd.DataFrame:
    """The periods of a timeline (:func:`analysis.aggregate.timeline`) with the lowest
    and the highest mean sentence sentiment among those with at least ``min_articles``
    articles (fewer is noise): columns ``which`` ("lowest", "highest"), ``period``,
    ``compound``, ``n_articles``; empty when fewer than two periods qualify."""
    ok = timeline[(timeline["n_articles"] >= min_articles) & timeline["compound"].notna()]
    if len(ok) < 2:
        return pd.DataFrame({"which": pd.Series(dtype=object),
                             "period": pd.Series(dtype="datetime64[ns]"),
                             "compound": pd.Series(dtype=float),
                             "n_articles": pd.Series(dtype=np.int64)})
    # Ties go to the earliest period, so the pick is stable from run to run.
    lo = ok.sort_values(["compound", "period"], kind="stable").iloc[0]
    hi = ok.sort_values(["compound", "period"], ascending=[False, True], kind="stable").iloc[0]
    rows = [("lowest", lo), ("highest", hi)]
    return pd.DataFrame({"which": [w for w, _ in rows],
                         "period": [r["period"] for _, r in rows],
                         "compound": [float(r["compound"]) for _, r in rows],
                         "n_articles": [int(r["n_articles"]) for _, r in rows]})


def compare_criteria(criteria: Criteria, period=None) -> Criteria:
    """The filter of one compared period: ``criteria`` with its date range replaced by
    ``period`` (``(start, end)``, inclusive; None: no date bound).  The compare view's
    two ranges take the place of the sidebar's dates; topics, sentiment and keyword
    apply to both."""
    start, end = (None, None) if period is None else period
    return dataclasses.replace(criteria, start=start, end=end, include_undated=None)


def add_to_zip(data: bytes, files: dict[str, bytes]) -> bytes:
    """``data`` (a zip's bytes) with ``files`` added, under the reports' fixed stamp."""
    buf = io.BytesIO(data)
    with zipfile.ZipFile(buf, "a", zipfile.ZIP_DEFLATED) as zf:
        for name, content in files.items():
            zf.writestr(reports.zip_entry(name), content)
    return buf.getvalue()


#: The undated-filter results of the compare view, kept across reruns (a click on a
#: word reruns the page): ``[(named, criteria, filtered)]``, newest last.  The result
#: object itself is held, so a key is never a reused ``id``.
_COMPARE_BASES: list = []


def is_store(path) -> bool:
    """Whether ``path`` is an archive store folder (``python -m analysis index``)."""
    p = Path(str(path)).expanduser()
    return (p / "store.json").is_file() and (p / "articles").is_dir()


def resolve_freq(views, freq: str) -> str:
    """``freq`` as a concrete period; "auto" becomes the finest readable period of the
    view's dates (:func:`analysis.periods.auto_freq_for_span`, as
    :func:`analysis.aggregate.resolve_freq` on the frames).  Resolve once per rerun."""
    if freq != "auto":
        return check_freq(freq)
    h = views.headline()
    return auto_freq_for_span(h.first, h.last, h.n_articles - h.undated)


def _covered(timeline: pd.DataFrame, freq: str, span, criteria: Criteria) -> pd.DataFrame:
    """``timeline`` with the share of each period the view covers: the corpus's span
    (``span``: first, last) narrowed by the view's dates, so a partial first or last
    period is not read as a drop (:func:`analysis.periods.with_coverage`)."""
    return with_coverage(timeline, freq, *span, criteria.start, criteria.end)


class FrameViews:
    """Views over an analysed corpus in memory.

    Parameters
    ----------
    named : the whole result with the user's topic names (``AnalysisResult``).
    view : ``named`` filtered by ``criteria`` (:func:`analysis.aggregate.filter_result`).
    criteria : the filter of ``view``.
    """

    backend = "memory"
    #: Rows of the article table sent at once (None: all; a corpus in memory is small).
    page_rows = None

    def __init__(self, named, view, criteria: Criteria):
        self.named = named
        self.view = view
        self.criteria = criteria
        self._memo: dict = {}

    def prefetch(self, tab: str, freq: str | None, **kwargs) -> None:
        """Nothing to start: the frames are in memory (see :meth:`StoreViews.prefetch`)."""

    # ------------------------------------------------------------ the whole corpus
    @property
    def all_topics(self) -> pd.DataFrame:
        """The topics frame of the whole corpus, with the user's names."""
        return self.named.topics

    def span(self):
        """(first, last) publication time of the whole corpus (None, None if undated)."""
        return aggregate.date_span(self.named.articles)

    def n_total(self) -> int:
        return len(self.named.articles)

    def undated_total(self) -> int:
        return aggregate.undated_count(self.named.articles)

    def skipped(self) -> pd.DataFrame:
        """Inputs skipped while reading (``source``, ``reason``)."""
        return self.named.skipped

    def has_untopiced(self) -> bool:
        """Whether some article has no topic (``topic_id`` −1)."""
        return bool((self.named.articles["topic_id"] == -1).any())

    # ------------------------------------------------------------ the filtered view
    def headline(self) -> Headline:
        return headline(self.view.articles, self.view.sentences, self.named.topics)

    def label_counts(self) -> pd.DataFrame:
        return label_counts(self.view.sentences)

    def topic_table(self) -> pd.DataFrame:
        """The topics with the view's ``n_articles``, ``share``, ``compound`` …"""
        return self.view.topics

    def timeline(self, freq: str) -> pd.DataFrame:
        """:func:`analysis.aggregate.timeline` of the view, with each period's
        ``coverage`` (:func:`analysis.periods.with_coverage`)."""
        return _covered(aggregate.timeline(self.view.articles, self.view.sentences, freq=freq),
                        freq, self.span(), self.criteria)

    def topic_timeline(self, freq: str, labels: dict | None = None) -> pd.DataFrame:
        return aggregate.topic_timeline(self.view.articles, self.view.article_topics,
                                        freq=freq, topic_labels=labels)

    def topic_sentiment(self) -> pd.DataFrame:
        return aggregate.topic_sentiment(self.view.articles, self.view.sentences)

    def histogram(self, of: str = "sentences", bins: int = 21) -> pd.DataFrame:
        frame = self.view.sentences if of == "sentences" else self.view.articles
        return histogram(frame["compound"], bins)

    def evidence(self, *, label=None, keyword=None, period=None, freq=None,
                 n: int | None = None) -> pd.DataFrame:
        """Sentences behind the view, strongest first; with a keyword (given, else the
        filter's) only those that mention it."""
        kw = keyword or self.criteria.keyword
        key = ("evidence", kw, None if period is None else pd.Timestamp(period), freq)
        if key not in self._memo:
            # One merge and sort per question; each label's list is a slice of it
            # (filtering a frame sorted by strength keeps it sorted).
            self._memo[key] = aggregate.evidence(self.view.articles, self.view.sentences,
                                                 keyword=kw, period=period,
                                                 freq=freq or "auto")
        ev = self._memo[key]
        if label is not None:
            ev = ev[ev["label"] == label]
        return (ev if n is None else ev.head(n)).reset_index(drop=True)

    def evidence_by_label(self, labels=("negative", "positive"), *, keyword=None,
                          n: int = 10, periods=None, freq=None) -> dict[str, pd.DataFrame]:
        """``{label: distinct_sentences(evidence(label=label, keyword=keyword), n)}`` for
        each (distinct) label: each sentence text once, with its ``copies``; with
        ``periods`` (one period start per label) and ``freq``, each label's list is of
        its period."""
        periods = [None] * len(labels) if periods is None else list(periods)
        return {lab: distinct_sentences(self.evidence(label=lab, keyword=keyword, period=p,
                                                      freq=freq), n)
                for lab, p in zip(labels, periods)}

    def keyword_series(self, queries, freq: str) -> pd.DataFrame:
        """Each tracked query per period of the view (:func:`analysis.keywords.keyword_series`)."""
        return keywords_mod.keyword_series(self.view.articles, self.view.sentences, queries,
                                           freq=freq)

    def keyword_summary(self, queries) -> pd.DataFrame:
        """Each tracked query over the whole view (:func:`analysis.keywords.keyword_summary`)."""
        return keywords_mod.keyword_summary(self.view.articles, self.view.sentences, queries)

    def articles_page(self, search: str = "", offset: int = 0,
                      limit: int | None = None) -> tuple[pd.DataFrame, int]:
        """Rows (:data:`ARTICLE_COLUMNS`) by date then id, and how many match."""
        table = search_articles(self.view.articles, search)
        shown = table.reindex(columns=ARTICLE_COLUMNS).sort_values(
            ["published", "article_id"], na_position="last").reset_index(drop=True)
        end = None if limit is None else offset + limit
        return shown.iloc[offset:end].reset_index(drop=True), len(shown)

    def outlets(self) -> pd.DataFrame:
        """Articles per outlet of the view (``outlet``, ``n_articles``), most first
        (:func:`analysis.outlets.outlet_counts`)."""
        return outlets_mod.outlet_counts(self.view.articles)

    def outlet_timeline(self, freq: str) -> pd.DataFrame:
        """Articles and share of voice per (period, outlet)
        (:func:`analysis.outlets.outlet_timeline`)."""
        return outlets_mod.outlet_timeline(self.view.articles, freq=freq)

    def outlet_topic_grid(self, min_articles: int = outlets_mod.MIN_CELL_ARTICLES) -> pd.DataFrame:
        """Outlet × dominant topic: count and mean article sentiment of each cell
        (:func:`analysis.outlets.outlet_topic_sentiment`)."""
        return outlets_mod.outlet_topic_sentiment(self.view.articles, min_articles)

    def topic_map(self) -> pd.DataFrame:
        """Topic positions (``topic_id``, ``x``, ``y``; :func:`analysis.topic_maps.topic_map`)."""
        return self.named.topic_map

    def article_map(self, n: int | None = None):
        """``(positions, articles, total)``: map positions (``article_id``, ``x``, ``y``)
        of the view's articles, the articles' rows, and how many are in the view (a
        corpus in memory is drawn whole)."""
        return self.view.article_map, self.view.articles, len(self.view.articles)

    def k_scores(self) -> pd.DataFrame:
        """The measures of every k tried when k was chosen (empty when k was given)."""
        return self.named.k_scores

    def params(self) -> dict:
        return self.named.params

    def topics_export(self) -> pd.DataFrame:
        """The topics table of every export, for the view."""
        from .reports import topics_frame
        return topics_frame(self.view)

    # ------------------------------------------------------------ two periods
    def _compare_base(self):
        """The corpus under the filter without its dates (the two compared ranges take
        their place), kept for a few reruns."""
        c = compare_criteria(self.criteria)
        if c == Criteria():
            return self.named
        for named, crit, base in _COMPARE_BASES:
            if named is self.named and crit == c:
                return base
        base = self.named.filter(**c.filter_kwargs())
        _COMPARE_BASES.append((self.named, c, base))
        del _COMPARE_BASES[:-4]
        return base

    def compare(self, a, b, n_words: int = 25) -> pd.DataFrame:
        """What changed from period ``a`` to ``b`` (each ``(start, end)``, inclusive) under
        the filter's other criteria: :func:`analysis.compare.compare_periods` (total,
        mix and within per topic, word rows).  Raises ``ValueError`` when a period holds
        no article with sentences."""
        key = ("compare", tuple(map(str, a)), tuple(map(str, b)), n_words)
        if key not in self._memo:
            base = self._compare_base()
            self._memo[key] = compare_mod.compare_periods(base.articles, base.sentences,
                                                          tuple(a), tuple(b), n_words=n_words)
        return self._memo[key]

    def compare_sentences(self, word: str, period, n: int | None = 20) -> pd.DataFrame:
        """The sentences of ``period`` holding ``word`` (whole word, any case), strongest
        in the word's direction first (:func:`analysis.compare.word_sentences`)."""
        base = self._compare_base()
        return compare_mod.word_sentences(base.articles, base.sentences, word, tuple(period), n)

    def changes_csv(self, a, b) -> bytes:
        """``changes.csv`` of the comparison (:func:`analysis.compare.changes_table`)."""
        return reports.to_csv_bytes(compare_mod.changes_table(self.compare(a, b)))

    # ------------------------------------------------------------ exports (bytes)
    def alerts(self, freq: str = "auto", tracked=(), **params) -> pd.DataFrame:
        """The view's alerts (:func:`analysis.alerts.detect_alerts`, ``params`` its
        window and minimums): ``freq`` "auto" is the alerts' own period; each
        ``tracked`` keyword query is a series of its own."""
        from .alerts import detect_alerts

        # The feed reaches the whole corpus's last article, not the view's.
        return detect_alerts(self.view.articles, self.view.sentences, freq=freq,
                             topics=self.view.topics, keywords=list(tracked),
                             data_end=self.span()[1], **params)

    def download_fits(self) -> bool:
        """Whether the dashboard may build this view's exports in memory: a result that
        is in memory already always fits."""
        return True

    def report_zip(self, freq: str, source: str | None = None, compare=None,
                   tracked=(), alert_freq: str = "auto") -> bytes:
        """The report of the view (:func:`analysis.reports.report_zip`) with
        ``alerts.csv`` (at ``alert_freq``, ``tracked`` queries a scope) and, with
        ``compare`` (two ranges), ``changes.csv``, as ``report`` writes them."""
        data = reports.report_zip(self.view, freq=freq, source=source)
        return _with_insights(self, data, compare, tracked, alert_freq)

    def sentences_csv(self) -> bytes:
        """Every sentence of the view, as the report's ``sentences.csv``."""
        return reports.to_csv_bytes(reports.report_frames(self.view)["sentences"])

    def articles_csv(self, ids) -> bytes:
        """The report's ``articles.csv`` rows of the articles ``ids``, in that order."""
        arts = reports.report_frames(self.view)["articles"].set_index("article_id")
        return reports.to_csv_bytes(arts.loc[list(ids)].reset_index())

    def article(self, article_id: str):
        """``(row, sentences, in_view)`` of one article of the corpus; row None if absent."""
        arts = self.named.articles
        row = arts[arts["article_id"] == article_id]
        if row.empty:
            return None, self.named.sentences.iloc[0:0], False
        sents = self.named.sentences[self.named.sentences["article_id"] == article_id]
        in_view = bool((self.view.articles["article_id"] == article_id).any())
        return row.iloc[0], sents, in_view


class StoreViews:
    """Views over an archive store (:class:`analysis.queries.Store`): every method is
    one or two DuckDB queries over the store's Parquet and roll-ups.

    Parameters
    ----------
    store : the opened store (shared by sessions; queries run on their own cursors).
    criteria : the filter of the view.
    names : the user's topic names ``{topic_id: label}``.
    """

    backend = "store"
    page_rows = 100

    def __init__(self, store: queries.Store, criteria: Criteria, names: dict | None = None):
        self.store = store
        self.criteria = criteria
        self.names = dict(names or {})
        self._everything = Criteria()
        self._memo: dict = {}
        self._names_key = tuple(sorted(self.names.items()))

    def _shared(self, key):
        """``key`` (a view answer of this object) as the store's answers know it: with
        the filter and the topic names, which every answer depends on."""
        return key, self.criteria, self._names_key

    def _kept(self, key, make):
        """``make()``, or the answer the store's sessions already got for this filter,
        names and ``key`` (:attr:`analysis.queries.Store.answers`): a filter drawn
        before, on another tab or in another session, is not asked again."""
        shared = self._shared(key)
        hit = self.store.answers.get(shared, _MISSING)
        if hit is _MISSING:
            hit = make()
            self.store.answers.put(shared, hit)
        return hit

    def _once(self, key, make):
        # One rerun asks for the same headline from several places; ask DuckDB once. A
        # prefetched answer (:meth:`prefetch`) is a future: wait for it.
        hit = self._memo.get(key, _MISSING)
        if hit is _MISSING:
            hit = self._memo[key] = self._kept(key, make)
        elif isinstance(hit, Future):
            hit = self._memo[key] = hit.result()
        return hit

    def _start(self, key, make, keep: bool = True) -> None:
        # ``keep``: the answer is kept for the store's sessions (False: ``make`` keeps
        # what it makes itself).
        if key not in self._memo and not (keep and self._shared(key) in self.store.answers):
            self._memo[key] = _PREFETCH.submit(self._kept, key, make) if keep else \
                _PREFETCH.submit(make)

    def prefetch(self, tab: str, freq: str | None, *, min_period_articles: int = 10,
                 evidence_rows: int = 10, clicked_label=None) -> None:
        """Start, in threads, the queries the open ``tab`` asks for with these arguments,
        so they run at once instead of one after another (each on its own cursor); the
        methods then return their answers.  What the tab does not ask for is not
        started, so nothing runs for nothing.  ``min_period_articles`` and
        ``evidence_rows`` are the Over time tab's and the evidence lists' own figures;
        ``clicked_label`` the sentiment label clicked on the Overview, if any.

        ``freq`` None: only the queries that need no period, without waiting for the
        headline (call it before asking for the headline: a new keyword's evidence
        table is then built beside the headline's tables, not after them); called again
        with the period, the rest start (what is started is not started twice)."""
        if freq is not None and self.headline().n_articles == 0:
            return
        if tab == "Overview":
            self._start(*self._query("labels"))
            self._start(*self._query("table"))
            if clicked_label not in LABELS:
                self._start(*self._query("ev", ("negative", "positive"), None, evidence_rows,
                                         None, None))
        elif tab == "Over time":
            self._start(*self._query("table"))
            if freq is not None:
                self._start(*self._query("timeline", freq))
                self._start(*self._query("topic_timeline", freq))
                self._start(("time_ev", freq), lambda: self._period_evidence(
                    freq, min_period_articles, evidence_rows), keep=False)
        elif tab == "Topics":
            self._start(*self._query("table"))
            self._start(*self._query("topic_sentiment"))
        elif tab == "Sentiment":
            for of in ("sentences", "articles"):
                self._start(*self._query("hist", of, 21))

    def _period_evidence(self, freq: str, min_articles: int, n: int) -> None:
        """The Over time tab's evidence (its lowest and highest periods), started as soon
        as the timeline it depends on is in; stored under the key the tab asks for."""
        ext = extreme_periods(self.timeline(freq), min_articles)
        if ext.empty:
            # fewer than two periods qualify: the tab lists the view's strongest
            # sentences instead (dashboard.evidence.period_evidence_section)
            key, make = self._query("ev", ("negative", "positive"), None, n, None, None)
        else:
            whiches = tuple("negative" if w == "lowest" else "positive" for w in ext["which"])
            key, make = self._query("ev", whiches, None, n, tuple(ext["period"]), freq)
        if key not in self._memo:
            self._memo[key] = self._kept(key, make)

    # ------------------------------------------------------------ the whole corpus
    @property
    def all_topics(self) -> pd.DataFrame:
        return self.store.remember(("topics", tuple(sorted(self.names.items()))),
                                   lambda: queries.topic_table(self.store, self._everything,
                                                               self.names))

    def _total(self) -> Headline:
        return self.store.remember("total", lambda: queries.headline(self.store,
                                                                     self._everything))

    def span(self):
        h = self._total()
        return h.first, h.last

    def n_total(self) -> int:
        return self._total().n_articles

    def undated_total(self) -> int:
        return self._total().undated

    def skipped(self) -> pd.DataFrame:
        """Inputs the index skipped (``source``, ``reason``; the store's ``skipped.parquet``)."""
        path = self.store.path / "skipped.parquet"
        return self.store.remember("skipped", lambda: pd.read_parquet(path) if path.exists()
                                   else pd.DataFrame({"source": pd.Series(dtype=object),
                                                      "reason": pd.Series(dtype=object)}))

    def indexed_from(self) -> str | None:
        """The folder (or file) the store was indexed from (``store.json``'s
        ``source``), None when the store does not say."""
        source = self.store.settings.get("source")
        return str(source) if source else None

    def run_state(self) -> dict:
        """Whether the archive is complete: ``{"status": "updating" | "interrupted" |
        "complete", "since": when that run started (UTC datetime) or None}``.
        ``updating``: ``index`` holds the store now (:func:`analysis.store_lock.current_writer`)
        and the figures are what it has written so far; ``interrupted``: the last run
        was stopped before it finished (``store.json`` still says running) and no one
        writes; running it again resumes.  Not memoised: a stat per call."""
        from datetime import datetime, timezone

        from .store_lock import current_writer

        writer = current_writer(self.store.path)
        if writer is not None and writer["what"] == "index":
            return {"status": "updating",
                    "since": datetime.fromtimestamp(writer["since"], timezone.utc)}
        last = self.store.settings.get("last_run") or {}
        if last.get("status") == "running" and writer is None:
            started = pd.to_datetime(last.get("started"), utc=True, errors="coerce")
            return {"status": "interrupted",
                    "since": None if pd.isna(started) else started.to_pydatetime()}
        return {"status": "complete", "since": None}

    def has_untopiced(self) -> bool:
        return bool(self.store.remember("untopiced", lambda: self.store.one(
            "SELECT count(*) FROM articles a WHERE a.topic_id = -1")[0]))

    # ------------------------------------------------------------ the filtered view
    def headline(self) -> Headline:
        return self._once("headline", lambda: queries.headline(self.store, self.criteria))

    def _headline_if_known(self) -> Headline | None:
        """The view's headline when this rerun or another session has it already, else
        None (without waiting: the Overview starts its evidence before the headline, so
        that a new keyword's tables are built beside it, not after it)."""
        hit = self._memo.get("headline", _MISSING)
        if hit is _MISSING or isinstance(hit, Future):
            hit = self.store.answers.get(self._shared("headline"), None)
        return hit

    def _query(self, name: str, *args):
        """``(memo key, query)`` of the view answer ``name`` with ``args``: one
        definition for the method that answers it and for :meth:`prefetch`."""
        s, c = self.store, self.criteria
        queries_of = {
            "labels": lambda: queries.label_counts(s, c),
            "table": lambda: queries.topic_table(s, c, self.names),
            "timeline": lambda freq: queries.timeline(s, c, freq),
            "topic_timeline": lambda freq: queries.topic_timeline(s, c, freq, names=self.names),
            "topic_sentiment": lambda: queries.topic_sentiment(s, c, self.names),
            "hist": lambda of, bins: queries.sentiment_histogram(s, c, of=of, bins=bins),
            # labels and periods as tuples (a key); the query takes a list of periods
            "ev": lambda labels, keyword, n, periods, freq: self._evidence_by_label(
                labels, keyword, n, None if periods is None else list(periods), freq),
        }
        return ((name, *args) if args else name), functools.partial(queries_of[name], *args)

    def label_counts(self) -> pd.DataFrame:
        return self._once(*self._query("labels"))

    def topic_table(self) -> pd.DataFrame:
        return self._once(*self._query("table"))

    def timeline(self, freq: str) -> pd.DataFrame:
        # asked by the tab and by its evidence prefetch: the coverage is added once
        return self._once(("covered", freq), lambda: _covered(
            self._once(*self._query("timeline", freq)), freq, self.span(), self.criteria))

    def topic_timeline(self, freq: str, labels: dict | None = None) -> pd.DataFrame:
        # ``labels`` (the frame backend's) are the store's labels with the renames,
        # which the query applies itself from ``names``.
        return self._once(*self._query("topic_timeline", freq))

    def topic_sentiment(self) -> pd.DataFrame:
        return self._once(*self._query("topic_sentiment"))

    def histogram(self, of: str = "sentences", bins: int = 21) -> pd.DataFrame:
        return self._once(*self._query("hist", of, bins))

    def evidence(self, *, label=None, keyword=None, period=None, freq=None,
                 n: int | None = None) -> pd.DataFrame:
        kw = keyword or self.criteria.keyword
        return queries.evidence(self.store, self.criteria, label=label, keyword=kw,
                                period=period, freq=freq, n=n, names=self.names)

    def evidence_by_label(self, labels=("negative", "positive"), *, keyword=None,
                          n: int = 10, periods=None, freq=None) -> dict[str, pd.DataFrame]:
        # One query for the two columns of strongest sentences; copies folded among the
        # strongest _COPIES * n of each (a copy beyond them is not counted).
        # The Over time prefetch stores its answer under the key asked here: wait for
        # it (the view's own lists when fewer than two periods qualify, with no periods).
        pending = [hit for key, hit in list(self._memo.items())
                   if isinstance(key, tuple) and key[0] == "time_ev" and isinstance(hit, Future)]
        for hit in pending:
            hit.result()
        return self._once(*self._query("ev", tuple(labels), keyword, n,
                                       None if periods is None else tuple(periods), freq))

    def _evidence_by_label(self, labels, keyword, n, periods, freq) -> dict[str, pd.DataFrame]:
        kw = keyword or self.criteria.keyword
        lists = queries.evidence_by_label(self.store, self.criteria, labels, keyword=kw,
                                          n=n, periods=periods, freq=freq,
                                          names=self.names, fold=_COPIES,
                                          view=self._headline_if_known())
        return {lab: distinct_sentences(ev, n) for lab, ev in lists.items()}

    def keyword_series(self, tracked, freq: str) -> pd.DataFrame:
        return self._once(("kw_series", tuple(tracked), freq),
                          lambda: queries.keyword_series(self.store, self.criteria, tracked, freq))

    def keyword_summary(self, tracked) -> pd.DataFrame:
        return self._once(("kw_summary", tuple(tracked)),
                          lambda: queries.keyword_summary(self.store, self.criteria, tracked))

    def articles_page(self, search: str = "", offset: int = 0,
                      limit: int | None = 50) -> tuple[pd.DataFrame, int]:
        # Without a search the table's total is the view's article count, which the
        # headline has already (a count query less per rerun of the Articles tab).
        total = None if (search or "").strip() else self.headline().n_articles
        return queries.articles_page(self.store, self.criteria, search=search, offset=offset,
                                     limit=self.page_rows if limit is None else limit,
                                     names=self.names, total=total)

    def outlets(self) -> pd.DataFrame:
        make = lambda: queries.outlets(self.store, self.criteria)  # noqa: E731
        if self.criteria == self._everything:  # the sidebar asks on every rerun
            return self.store.remember("outlets", make)
        return self._once("outlets", make)

    def outlet_timeline(self, freq: str) -> pd.DataFrame:
        return queries.outlet_timeline(self.store, self.criteria, freq)

    def outlet_topic_grid(self, min_articles: int = outlets_mod.MIN_CELL_ARTICLES) -> pd.DataFrame:
        return queries.outlet_topic_sentiment(self.store, self.criteria, self.names,
                                              min_articles)

    def topic_map(self) -> pd.DataFrame:
        return self.store.remember("topic_map", lambda: store_topic_map(self.store))

    def article_map(self, n: int | None = 2000):
        """A deterministic sample of at most ``n`` of the view's articles
        (:func:`analysis.queries.map_sample`): ``(positions, articles, total)``."""
        m, total = queries.map_sample(self.store, self.criteria, n=n or 2000, names=self.names)
        return m[["article_id", "x", "y"]], m, total

    def alerts(self, freq: str = "auto", tracked=(), **params) -> pd.DataFrame:
        """The view's alerts, as :meth:`FrameViews.alerts` gives them, from per-period
        sums made in DuckDB (:func:`analysis.queries.alert_rows`,
        :func:`analysis.queries.keyword_alert_rows`)."""
        from . import alerts as alerts_mod

        used = _store_alert_freq(self.headline(), freq)
        rows = queries.alert_rows(self.store, used, self.names, self.criteria)
        krows = (queries.keyword_alert_rows(self.store, self.criteria, list(tracked), used)
                 if tracked else None)
        return alerts_mod.detect_alerts(rows, None, freq=used, topics=self.all_topics,
                                        keyword_rows=krows, data_end=self.span()[1], **params)

    def whats_new(self, freq: str, tracked=()):
        """``(period, alerts, trends)`` over the whole store, or None with fewer than two
        dated articles: :func:`analysis.alerts.detect_alerts` (the 50 strongest) and
        :func:`analysis.alerts.topic_trends` at ``freq`` ("auto": the alerts' own
        :func:`analysis.alerts.alert_freq`), from one query that sums articles and
        sentences per period, topic and outlet in DuckDB (:func:`analysis.queries.alert_rows`)
        and, for the ``tracked`` keyword queries, one per query and period.
        Kept with the opened store (an index run reopens it)."""
        from . import alerts as alerts_mod

        def make():
            total = self._total()
            if total.n_articles - total.undated < 2:
                return None
            used = _store_alert_freq(total, freq)
            rows = queries.alert_rows(self.store, used, self.names)
            krows = (queries.keyword_alert_rows(self.store, self._everything, list(tracked),
                                                used) if tracked else None)
            found = alerts_mod.detect_alerts(rows, None, freq=used, topics=self.all_topics,
                                             keyword_rows=krows, data_end=total.last).head(50)
            try:
                trends = alerts_mod.topic_trends(rows, freq=used, data_end=total.last)
            except ValueError:  # nothing dated with a topic
                trends = pd.DataFrame()
            return used, found, trends

        return self.store.remember(("whats_new", freq, tuple(sorted(self.names.items())),
                                    tuple(tracked)), make)

    def alert_evidence(self, alert, freq: str, n: int = 5) -> pd.DataFrame:
        """The sentences that make ``alert`` (a row of :meth:`whats_new`'s alerts),
        strongest in its direction first (:func:`analysis.alerts.alert_evidence` over
        the articles of its period, read from the store)."""
        from . import alerts as alerts_mod

        start, end = alerts_mod._period_bounds(alert["period_start"], freq)
        topics = self.all_topics
        ids = None
        if alert["scope"] == "topic":
            ids = [int(alert["key"])]
        elif alert["scope"] == "theme" and "theme_id" in topics:
            ids = topics.loc[topics["theme_id"].astype(str) == str(alert["key"]),
                             "topic_id"].astype(int).tolist()
        if alert["scope"] == "keyword":
            # The store matched the query's articles; the sentences about it are picked
            # from theirs, in the alert's order, as on the frames.
            key = str(alert["key"])
            arts, sents = queries.alert_sentences(self.store, start, end, None, self.names,
                                                  keyword=key)
            ev = alerts_mod.alert_evidence({**alert, "scope": "all"}, arts, sents, freq=freq,
                                           topics=topics, n=None)
            ev = ev[parse_query(key).mentions(ev["text"])].reset_index(drop=True)
            return ev.head(n) if n is not None else ev
        arts, sents = queries.alert_sentences(self.store, start, end, ids, self.names)
        return alerts_mod.alert_evidence(alert, arts, sents, freq=freq, topics=topics, n=n)

    def k_scores(self) -> pd.DataFrame:
        """How the index chose k on its sample (the model's ``k_scores_``; empty when
        k was given)."""
        from .topic_store import model_k_scores

        model = self.store.settings.get("model") or {}
        if not model.get("dir"):
            return pd.DataFrame()
        return self.store.remember("k_scores", lambda: model_k_scores(self.store.path
                                                                       / model["dir"]))

    def params(self) -> dict:
        model = self.store.settings.get("model") or {}
        return {"n_topics_chosen": len(self.store.topics),
                "chosen_by": model.get("chosen_by") or self.store.settings.get("chosen_by", "")}

    def topics_export(self) -> pd.DataFrame:
        from .reports import TOPIC_COLUMNS
        table = self.topic_table()
        return table[[c for c in TOPIC_COLUMNS if c in table.columns]]

    # ------------------------------------------------------------ two periods
    def _period_stats(self, period):
        c = compare_criteria(self.criteria, period)
        where, params = self.store.article_where(c)
        per = self.store.frame(f"""
            SELECT a.topic_id, count(*)::BIGINT AS n, avg(a.compound) AS mean,
                   sum(a.compound) AS total
            FROM articles a WHERE {where} AND a.compound IS NOT NULL
            GROUP BY a.topic_id ORDER BY a.topic_id""", params)
        per["topic_id"] = per["topic_id"].astype(np.int64)
        n = int(per["n"].sum())
        mean = float(per["total"].sum() / n) if n else float("nan")
        return per.set_index("topic_id")[["n", "mean"]], n, mean

    def _period_sentences(self, period) -> pd.DataFrame:
        c = compare_criteria(self.criteria, period)
        where, params = queries._sentence_where(self.store, c)
        return self.store.frame(f"SELECT s.text, s.compound FROM sentences s WHERE {where}",
                                params)

    def compare(self, a, b, n_words: int = 25) -> pd.DataFrame:
        """As :meth:`FrameViews.compare`: per-topic counts and means of each period from
        the store's articles, word counts over the two periods' sentences (DuckDB)."""
        key = ("compare", tuple(map(str, a)), tuple(map(str, b)), n_words)

        def make():
            labels = self.store.labels(self.names)
            return compare_mod.compare_stats(
                self._period_stats(a), self._period_stats(b), labels,
                lambda: self._period_sentences(a), lambda: self._period_sentences(b),
                tuple(a), tuple(b), n_words=n_words)

        # Kept with the opened store (a click on a word reruns the page; each answer is
        # a few hundred rows): the same filter, names and ranges are not asked again.
        return self.store.remember(key + (self.criteria, tuple(sorted(self.names.items()))),
                                   make)

    def compare_sentences(self, word: str, period, n: int | None = 20) -> pd.DataFrame:
        """As :meth:`FrameViews.compare_sentences`, from the store's token index."""
        c = compare_criteria(self.criteria, period)
        where, params = queries._sentence_where(self.store, c)
        where += " AND " + self.store.sentence_keyword_where(word, c)
        sign = -1 if compare_mod._lexicon().get(str(word).lower(), 0.0) < 0 else 1
        order = (f"{'' if sign < 0 else '-'}s.compound ASC, s.published ASC NULLS LAST, "
                 "s.article_id, s.sentence_id")
        limit = "" if n is None else f" LIMIT {int(n)}"
        hits = self.store.frame(f"SELECT s.month, s.{self.store.key}, s.sentence_id FROM "
                                f"sentences s WHERE {where} ORDER BY {order}{limit}", params)
        return queries._evidence_rows(self.store, hits, self.names)

    def changes_csv(self, a, b) -> bytes:
        return reports.to_csv_bytes(compare_mod.changes_table(self.compare(a, b)))

    # ------------------------------------------------------------ exports (bytes)
    @contextlib.contextmanager
    def _export(self, freq: str = "auto"):
        """The CLI's ``report --store`` files (streamed CSVs) in a scratch folder, for
        the ``with`` block: their paths."""
        with tempfile.TemporaryDirectory(prefix="news-export-") as tmp:
            yield [Path(p) for p in queries.export_csvs(self.store, tmp, self.criteria,
                                                        freq=freq, names=self.names)]

    #: Most sentences of a view whose report and sentence CSV the dashboard builds in
    #: memory for a download (about 650 MB of CSV, 180 MB zipped); a bigger view is
    #: written by ``report --store`` (:meth:`report_command`), which streams to disk.
    DOWNLOAD_MAX_SENTENCES = 2_000_000

    def download_fits(self) -> bool:
        """Whether the view is small enough to download from the dashboard
        (:data:`DOWNLOAD_MAX_SENTENCES`): a whole 1M-article archive is 4 GB of CSV,
        which the server would hold in memory to serve."""
        return self.headline().n_sentences <= self.DOWNLOAD_MAX_SENTENCES

    def report_command(self, freq: str = "auto", tracked=(), out: str = "report") -> str:
        """The ``python -m analysis report --store`` command line that writes this view's
        report (the same files as the dashboard's zip) into ``out``."""
        import shlex

        args = ["python", "-m", "analysis", "report", "--store", str(self.store.path),
                "--out", out, *self.criteria.report_args()]
        if freq != "auto":
            args += ["--freq", freq]
        for q in tracked:
            args += ["--track", q]
        return shlex.join(args)

    def report_zip(self, freq: str, source: str | None = None, compare=None,
                   tracked=(), alert_freq: str = "auto") -> bytes:
        """The report of the view: the files of ``report --store``, zipped; with
        ``compare`` (two ranges) also ``changes.csv``; ``alerts.csv`` at ``alert_freq``."""
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf, self._export(freq) as paths:
            for path in paths:  # copied in pieces: only the compressed zip is held
                with path.open("rb") as src, zf.open(reports.zip_entry(path.name), "w") as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
        return _with_insights(self, buf.getvalue(), compare, tracked, alert_freq)

    def sentences_csv(self) -> bytes:
        from .export_store import sentences_csv

        with tempfile.TemporaryDirectory(prefix="news-export-") as tmp:
            return sentences_csv(self.store, Path(tmp) / "sentences.csv", self.criteria,
                                 self.names).read_bytes()

    def articles_csv(self, ids) -> bytes:
        ids = [str(i) for i in ids]
        from .export_store import _columns
        have = _columns(self.store, "articles_full")
        cols = [c for c in reports.ARTICLE_COLUMNS if c in have]
        rows = self.store.frame(
            f"SELECT {', '.join('f.' + c for c in cols)} FROM articles_full f WHERE "
            f"f.article_id IN ({', '.join('?' * len(ids))})", ids) if ids else \
            pd.DataFrame(columns=cols)
        labels = self.store.labels(self.names)
        if "topic_label" in rows and len(rows):
            rows["topic_label"] = [labels.get(int(t), lab) for t, lab in
                                   zip(rows["topic_id"], rows["topic_label"])]
        rows = rows.set_index("article_id").reindex(ids).reset_index()
        from .store_overrides import has_corrections, mark_overridden, store_marks
        if has_corrections(self.store.path):  # as the report's articles.csv marks them
            rows = mark_overridden(rows, store_marks(self.store.path), "articles")
        return reports.to_csv_bytes(rows)

    def article(self, article_id: str):
        row, sents = queries.article(self.store, article_id, self.names)
        if row is None:
            return None, sents, False
        where, params = self.store.article_where(self.criteria)
        in_view = self.store.one(f"SELECT count(*) FROM articles a WHERE {where} AND "
                                 "a.article_id = ?", params + [str(article_id)])[0] > 0
        return row, sents, bool(in_view)


def _with_insights(views, data: bytes, compare, tracked, alert_freq: str) -> bytes:
    """The report zip ``data`` with ``alerts.csv`` of the view and ``changes.csv`` of
    the two ranges ``compare`` (left out when there is none, or a range holds no
    article), as ``python -m analysis report`` writes them."""
    from .alerts import alerts_table

    files = {"alerts.csv": reports.to_csv_bytes(alerts_table(views.alerts(alert_freq,
                                                                          tracked)))}
    if compare:
        try:
            files["changes.csv"] = views.changes_csv(*compare)
        except ValueError:
            pass
    return add_to_zip(data, files)


def _store_alert_freq(h: Headline, freq: str) -> str:
    """``freq``, or for "auto" the alerts' own period (:func:`analysis.alerts.alert_freq`:
    at least one article a period) from the view's span alone."""
    if freq != "auto":
        return check_freq(freq)
    n_dated = h.n_articles - h.undated
    return auto_freq_for_span(h.first, h.last, n_dated, min_articles=1) if n_dated else "day"


def store_topic_map(store: queries.Store) -> pd.DataFrame:
    """Topic positions of a store's fitted model (``topic_id`` the store's ids, ``x``,
    ``y``), as :func:`analysis.topic_maps.topic_map` places them; empty when the store
    has no model."""
    from .topic_maps import topic_map
    from .topic_store import load_model

    model = (store.settings.get("model") or {}).get("dir")
    empty = pd.DataFrame({"topic_id": pd.Series(dtype=np.int64), "x": pd.Series(dtype=float),
                          "y": pd.Series(dtype=float)})
    if not model or not (store.path / model).is_dir():
        return empty
    fitted, ids = load_model(store.path / model)
    out = topic_map(fitted)
    out["topic_id"] = np.asarray(ids, dtype=np.int64)[out["topic_id"].to_numpy()]
    return out
