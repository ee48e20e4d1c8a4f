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

import numpy as np
import pandas as pd

import io
import tempfile
import zipfile
from pathlib import Path

from . import aggregate, queries, reports
from .criteria import Criteria
from .headline import Headline, headline
from .periods import auto_freq_for_span, check_freq
from .search import search_articles

__all__ = ["FrameViews", "StoreViews", "LABELS", "ARTICLE_COLUMNS", "histogram",
           "label_counts", "extreme_periods", "resolve_freq", "store_topic_map", "is_store"]

LABELS = ("negative", "neutral", "positive")
#: Columns of :meth:`FrameViews.articles_page` / :meth:`StoreViews.articles_page` rows.
ARTICLE_COLUMNS = ["published", "title", "topic_id", "topic_label", "compound", "label",
                   "n_sentences", "article_id"]


#: Evidence rows asked for per row shown, so that repeated sentences can be folded.
_COPIES = 8


def distinct_sentences(evidence: pd.DataFrame, n: int) -> pd.DataFrame:
    """The first ``n`` rows of an evidence frame with each sentence text once: an
    archive holds wire copies and republished stories, and the strongest sentence
    listed four times over hides the next ones.  ``copies`` (int64) counts the rows
    of ``evidence`` with that text (at least 1; a lower bound when ``evidence`` was
    itself cut)."""
    each = evidence["copies"] if "copies" in evidence else pd.Series(1, index=evidence.index)
    copies = each.groupby(evidence["text"], sort=False).transform("sum").astype("int64")
    out = evidence.assign(copies=copies).drop_duplicates("text").head(int(n))
    return out.reset_index(drop=True)


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
        return aggregate.timeline(self.view.articles, self.view.sentences, freq=freq)

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

    def keyword_mentions(self, keyword: str) -> int:
        """Sentences of the view that mention ``keyword`` (raises ``QueryError``)."""
        return len(aggregate.keyword_sentences(self.view.sentences, keyword))

    def keyword_timeline(self, keyword: str, freq: str) -> pd.DataFrame:
        return aggregate.keyword_timeline(self.view.articles, self.view.sentences, keyword,
                                          freq=freq)

    def articles_page(self, search: str = "", offset: int = 0,
                      limit: int | None = None) -> tuple[pd.DataFrame, int]:
        """Rows (:data:`ARTICLE_COLUMNS`) by date then id, and how many match."""
        table = search_articles(self.view.articles, search)
        shown = table.reindex(columns=ARTICLE_COLUMNS).sort_values(
            ["published", "article_id"], na_position="last").reset_index(drop=True)
        end = None if limit is None else offset + limit
        return shown.iloc[offset:end].reset_index(drop=True), len(shown)

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

    # ------------------------------------------------------------ exports (bytes)
    def report_zip(self, freq: str, source: str | None = None) -> bytes:
        """The report of the view (:func:`analysis.reports.report_zip`)."""
        return reports.report_zip(self.view, freq=freq, source=source)

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

    def _once(self, key, make):
        # One rerun asks for the same headline from several places; ask DuckDB once.
        if key not in self._memo:
            self._memo[key] = make()
        return self._memo[key]

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

    def has_untopiced(self) -> bool:
        return bool(self.store.remember("untopiced", lambda: self.store.one(
            "SELECT count(*) FROM articles a WHERE a.topic_id = -1")[0]))

    # ------------------------------------------------------------ the filtered view
    def headline(self) -> Headline:
        return self._once("headline", lambda: queries.headline(self.store, self.criteria))

    def label_counts(self) -> pd.DataFrame:
        return queries.label_counts(self.store, self.criteria)

    def topic_table(self) -> pd.DataFrame:
        return self._once("table", lambda: queries.topic_table(self.store, self.criteria,
                                                               self.names))

    def timeline(self, freq: str) -> pd.DataFrame:
        return queries.timeline(self.store, self.criteria, freq)

    def topic_timeline(self, freq: str, labels: dict | None = None) -> pd.DataFrame:
        return queries.topic_timeline(self.store, self.criteria, freq,
                                      names={**self.names, **(labels or {})})

    def topic_sentiment(self) -> pd.DataFrame:
        return queries.topic_sentiment(self.store, self.criteria, self.names)

    def histogram(self, of: str = "sentences", bins: int = 21) -> pd.DataFrame:
        return queries.sentiment_histogram(self.store, self.criteria, of=of, bins=bins)

    def evidence(self, *, label=None, keyword=None, period=None, freq=None,
                 n: int | None = None) -> pd.DataFrame:
        kw = keyword or self.criteria.keyword
        return queries.evidence(self.store, self.criteria, label=label, keyword=kw,
                                period=period, freq=freq, n=n, names=self.names)

    def evidence_by_label(self, labels=("negative", "positive"), *, keyword=None,
                          n: int = 10, periods=None, freq=None) -> dict[str, pd.DataFrame]:
        # One query for the two columns of strongest sentences; copies folded among the
        # strongest _COPIES * n of each (a copy beyond them is not counted).
        kw = keyword or self.criteria.keyword
        lists = queries.evidence_by_label(self.store, self.criteria, labels, keyword=kw,
                                          n=n, periods=periods, freq=freq,
                                          names=self.names, fold=_COPIES)
        return {lab: distinct_sentences(ev, n) for lab, ev in lists.items()}

    def keyword_mentions(self, keyword: str) -> int:
        return queries.keyword_mentions(self.store, self.criteria, keyword)

    def keyword_timeline(self, keyword: str, freq: str) -> pd.DataFrame:
        return queries.keyword_timeline(self.store, self.criteria, keyword, freq)

    def articles_page(self, search: str = "", offset: int = 0,
                      limit: int | None = 50) -> tuple[pd.DataFrame, int]:
        return queries.articles_page(self.store, self.criteria, search=search, offset=offset,
                                     limit=self.page_rows if limit is None else limit,
                                     names=self.names)

    def topic_map(self) -> pd.DataFrame:
        return self.store.remember("topic_map", lambda: store_topic_map(self.store))

    def article_map(self, n: int | None = 2000):
        """A deterministic sample of at most ``n`` of the view's articles
        (:func:`analysis.queries.map_sample`): ``(positions, articles, total)``."""
        m, total = queries.map_sample(self.store, self.criteria, n=n or 2000, names=self.names)
        return m[["article_id", "x", "y"]], m, total

    def k_scores(self) -> pd.DataFrame:
        return pd.DataFrame()  # the index chose k on its sample; store.json says how

    def params(self) -> dict:
        model = self.store.settings.get("model") or {}
        return {"n_topics_chosen": len(self.store.topics),
                "chosen_by": model.get("chosen_by") or self.store.settings.get("chosen_by", "")}

    def topics_export(self) -> pd.DataFrame:
        from .reports import TOPIC_COLUMNS
        table = self.topic_table()
        return table[[c for c in TOPIC_COLUMNS if c in table.columns]]

    # ------------------------------------------------------------ exports (bytes)
    def _export(self, freq: str = "auto", source: str | None = None) -> dict[str, bytes]:
        # The CLI's `report --store` path (streamed CSVs), into a scratch folder.
        with tempfile.TemporaryDirectory(prefix="news-export-") as tmp:
            paths = queries.export_csvs(self.store, tmp, self.criteria, freq=freq,
                                        names=self.names)
            return {Path(p).name: Path(p).read_bytes() for p in paths}

    def report_zip(self, freq: str, source: str | None = None) -> bytes:
        """The report of the view: the files of ``report --store``, zipped."""
        buf = io.BytesIO()
        stamp = (2000, 1, 1, 0, 0, 0)  # fixed: the same report, the same bytes
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, data in self._export(freq, source).items():
                zf.writestr(zipfile.ZipInfo(name, stamp), data)
        return buf.getvalue()

    def sentences_csv(self) -> bytes:
        return self._export()["sentences.csv"]

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
        return reports.to_csv_bytes(rows)

    def article(self, article_id: str):
        row, sents = queries.article(self.store, article_id, self.names)
        if row is None:
            return None, sents, False
        where, params = self.store.article_where(self.criteria)
        in_view = self.store.one(f"SELECT count(*) FROM articles a WHERE {where} AND "
                                 "a.article_id = ?", params + [str(article_id)])[0] > 0
        return row, sents, bool(in_view)


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
