"""The dashboard's page, drawn by :func:`main` on every run of ``dashboard/app.py``.

The page reads widgets, calls :mod:`analysis` (through the caches in
:mod:`dashboard.data`) and draws the figures of :mod:`dashboard.charts`; it holds no
analysis logic.  The view state (source, number of topics, filters, renames, open
article, tab) lives in the URL query string (:mod:`dashboard.state`), so a view can
be bookmarked and shared.

Analysis results are cached in memory and on disk (Parquet, :mod:`analysis.store`) in
``$NEWS_ANALYTICS_CACHE`` (default ``~/.cache/news-analytics``), or in the folder given
by ``--cache-dir`` or the sidebar, so reopening a corpus loads instead of recomputing.

The page is put together from small modules: :mod:`dashboard.sidebar` (source,
analysis, filters, report), :mod:`dashboard.interaction` (chart clicks, undo/clear, URL
sync), :mod:`dashboard.tabs` (one module a tab), :mod:`dashboard.loading` (progress
while reading and analysing), :mod:`dashboard.banner`, :mod:`dashboard.evidence` and
:mod:`dashboard.widgets` (small rendering helpers).
"""
from __future__ import annotations

import dataclasses
import gc
import shlex
from functools import partial

import streamlit as st

from analysis import aggregate
from analysis.criteria import Criteria
from analysis.keyword_query import QueryError
from analysis.paths import OutsideRootError
from analysis.queries import StoreError
from analysis.keywords import parse_queries
from analysis.views import FrameViews, StoreViews, is_store, resolve_freq
from dashboard import data
from dashboard import state as vs
from dashboard.banner import filter_banner
from dashboard.corrections import Corrections
from dashboard.interaction import current_state, init_from_url, sync_url
from dashboard.loading import analyse, load
from dashboard.sidebar import (sidebar_analysis, sidebar_filters, sidebar_report,
                               sidebar_report_command, sidebar_source)
from dashboard.tabs.articles import tab_articles
from dashboard.tabs.compare import resolve_ranges, tab_compare
from dashboard.tabs.corrections import tab_corrections
from dashboard.evidence import EVIDENCE_ROWS
from dashboard.tabs.outlets import tab_outlets
from dashboard.tabs.over_time import MIN_SHARE_ARTICLES, tab_time
from dashboard.tabs.overview import tab_overview
from dashboard.tabs.whats_new import whats_new, whats_new_store
from dashboard.tabs.sentiment import tab_sentiment
from dashboard.tabs.skipped import tab_skipped, warned_articles
from dashboard.tabs.topics import tab_topics
from dashboard.widgets import note

ss = st.session_state


def main() -> None:
    _freeze_once()
    _main()


#: Whether :func:`_freeze_once` has run in this process.
_FROZEN = False


def _freeze_once() -> None:
    """Before the process's first page run, with every module of the page imported
    (Streamlit, pandas, Plotly and its validators, DuckDB: about 130,000 objects that
    live as long as the process), move what is alive out of the cyclic garbage
    collector's sight (``gc.freeze``, after one collection so no garbage is kept): a
    full collection then walks only what the runs made since.  On a 100k store full
    collections took 50–120 ms each and landed in filter changes, in their p95.  No
    source is open yet, so no data is frozen (a store reopened later is freed as
    before); done once per process."""
    global _FROZEN
    if _FROZEN:
        return
    _FROZEN = True
    gc.collect()
    gc.freeze()


def _main() -> None:
    st.set_page_config(page_title="News topics & sentiment", page_icon="📰",
                       layout="wide", initial_sidebar_state="expanded")
    ss["_downloads"] = {}
    init_from_url()
    st.title("News topics & sentiment")
    for problem in ss.pop("_url_problems", []):
        st.toast(f"Ignored part of the link: {problem}")
    kind, value = sidebar_source()
    if kind == "path":
        try:
            value = data.allowed_path(value)
        except OutsideRootError as exc:
            sidebar_analysis(None)
            st.error(str(exc), icon=":material/block:")
            st.caption("Type a folder, file or archive store under the data root.")
            return
        if is_store(value):
            return open_archive(value)
    from analysis.corpus import SourceError

    cache_dir = data.resolve_cache_dir(ss.get("w_cache"))
    try:
        loaded = load(kind, value, cache_dir)
    except (SourceError, data.UploadError, OSError, ValueError) as exc:
        sidebar_analysis(None)
        st.error(f"Could not open this source: {exc}", icon=":material/error:")
        st.caption("Pick another folder or file in the sidebar.")
        return
    settings = data.settings_for(ss.get("k_applied"))
    try:
        loaded, key, result, where = analyse(loaded, settings, cache_dir)
    except ValueError as exc:
        sidebar_analysis(None)
        st.error(f"Could not analyse this source: {exc}", icon=":material/error:")
        return
    _new_source(loaded.digest)
    sidebar_analysis(result.params)
    names = {int(k): v for k, v in (ss.get("names") or {}).items()
             if int(k) in set(result.topics["topic_id"].astype(int))}
    # The analyst's corrections, applied once per (result, file version); from here on
    # every view, alert and export reads the corrected result under its own key.
    ov_path = data.overrides_file(cache_dir, loaded)
    raw, raw_result = key, result
    try:
        key, result, overrides = data.corrected(key, result, ov_path)
    except ValueError as exc:
        st.warning(f"Corrections not applied: {exc}", icon=":material/warning:")
        overrides = None
    named = data.named(key, result, names)
    sidebar_filters(FrameViews(named, named, Criteria()))
    first, last = aggregate.date_span(result.articles)
    state = current_state((first.date(), last.date()) if first is not None else (None, None))
    criteria = vs.filter_kwargs(state)
    try:
        view = data.view(key, named, names, criteria)
    except QueryError as exc:  # a malformed keyword query: say why, filter without it
        st.sidebar.error(str(exc))
        criteria = {**criteria, "keyword": None}
        view = data.view(key, named, names, criteria)
    views = FrameViews(named, view, Criteria(**criteria))
    skipped = partial(tab_skipped, named.skipped, loaded.warnings,
                      warned_articles(named.articles), loaded.label)
    uncorrected = data.named(raw, raw_result, names)

    def listing():
        from analysis.overrides import describe_overrides, read_overrides
        return describe_overrides(uncorrected, read_overrides(ov_path)
                                  if overrides is None else overrides)

    draw(views, state, loaded.label, skipped,
         f"Source: {len(result.articles):,} articles · result from {where} · cache {cache_dir}",
         lambda: whats_new(key, named, names, state), data.folder_corrections(ov_path, listing))


def _new_source(digest: str) -> None:
    """Another source was opened: the previous one's filters, article and names go."""
    if ss.get("_source_digest") != digest:
        if ss.get("_source_digest") is not None:
            for k in ("w_dates", "w_topics", "w_outlets", "art", "w_page", "v_cmp_a", "v_cmp_b",
                      "w_cmp_word"):
                ss.pop(k, None)
            ss["names"] = {}
        ss["_source_digest"] = digest


def open_archive(path) -> None:
    """The page over an archive store: every view is a DuckDB query of the store
    (:class:`analysis.views.StoreViews`); nothing of the archive is held in memory."""
    try:
        store = data.open_store(path)
    except (StoreError, OSError, ValueError) as exc:
        sidebar_analysis(None)
        st.error(f"Could not open this archive store: {exc}", icon=":material/error:")
        return
    _new_source(f"store:{store.path}")
    ids = set(store.topics["topic_id"].astype(int))
    names = {int(k): v for k, v in (ss.get("names") or {}).items() if int(k) in ids}
    everything = StoreViews(store, Criteria(), names)
    st.sidebar.header("Analysis")
    # One command a line: the narrow sidebar broke them at their hyphens ("python -" /
    # "m analysis index", "--" / "refit").
    st.sidebar.caption(f"Archive store: {everything.params()['n_topics_chosen']} topics, "
                       "fitted by  \n`python -m analysis index`  \n(refit there with "
                       "`--refit`).")
    sidebar_filters(everything)
    first, last = everything.span()
    state = current_state((first.date(), last.date()) if first is not None else (None, None))
    criteria = Criteria(**vs.filter_kwargs(state))
    views = StoreViews(store, criteria, names)
    # The open tab's queries that need no period start now, beside the headline's own
    # (a new keyword's match sets and tables; draw() starts the rest once the period is known).
    _prefetch(views, None)
    try:
        views.headline()
    except QueryError as exc:
        st.sidebar.error(str(exc))
        views = StoreViews(store, dataclasses.replace(criteria, keyword=None), names)
    stale = (f" · roll-ups stale for {len(store.stale_months)} month(s): slower answers"
             if store.stale_months else "")
    _run_note(everything.run_state(), everything.indexed_from(), store.path)
    skipped = views.skipped()
    draw(views, state, str(store.path),
         partial(tab_skipped, skipped, (), skipped.iloc[0:0], str(store.path),
                 everything.indexed_from()),
         f"Archive store {store.path}: {everything.n_total():,} articles{stale}",
         lambda: whats_new_store(everything, state), data.store_corrections(store.path))


def _run_note(run: dict, source: str | None, store) -> None:
    """Say when the archive is not complete: ``index`` is writing it now, or its last
    run was stopped (:meth:`analysis.views.StoreViews.run_state`)."""
    when = run["since"].strftime("%Y-%m-%d %H:%M UTC") if run["since"] else "earlier"
    if run["status"] == "updating":
        st.info(f"`index` is updating this archive (since {when}): the figures are what it "
                "has written so far and change when it finishes. Corrections wait until then.",
                icon=":material/sync:")
    elif run["status"] == "interrupted":
        command = (f"python -m analysis index {shlex.quote(source)} --store "
                   f"{shlex.quote(str(store))}") if source else "python -m analysis index SOURCE --store DIR"
        st.warning(f"The last `index` run (started {when}) was stopped before it finished: "
                   "the archive holds what it had written. Run it again to complete it; it "
                   f"resumes where it stopped:  \n`{command}`", icon=":material/warning:")


def _prefetch(views, freq: str | None) -> None:
    """Start the open tab's queries (:meth:`analysis.views.StoreViews.prefetch`; ``freq``
    None: those that need no period)."""
    views.prefetch(ss.get("tab") or vs.TABS[0], freq, min_period_articles=MIN_SHARE_ARTICLES,
                   evidence_rows=EVIDENCE_ROWS, clicked_label=ss.get("ev_label"))


def draw(views, state: dict, label: str, skipped, caption: str, news,
         corrections: Corrections | None = None) -> None:
    """The page below the source: report, banner, "What's new" (``news()``, None when
    the source has none) and the tabs, all drawn from ``views``; ``corrections``: where
    the source's overrides live (None: the reader offers no correction)."""
    # "auto" becomes a concrete period once, here, for every chart and export below.
    freq = resolve_freq(views, state["freq"])
    # On a store the open tab's independent queries start now, at once (in memory: no-op).
    _prefetch(views, freq)
    if ss.get("tab") == "Compare":  # its ranges go into the URL and the report
        resolve_ranges(views, state)
    compare = (state["cmp_a"], state["cmp_b"]) if state.get("cmp_a") and state.get("cmp_b") \
        else None
    tracked, _ = parse_queries(state["track"])  # the Sentiment tab names bad lines
    if views.download_fits():
        sidebar_report(lambda: views.report_zip(freq, label, compare=compare, tracked=tracked,
                                                alert_freq=state["freq"]))
    else:
        sidebar_report_command(views.report_command(freq, tracked), views.headline().n_sentences)
    st.sidebar.caption(caption)
    sync_url(state)
    filter_banner(views, state)
    if news is not None:
        news()
    if ss.get("tab") not in vs.TABS:
        ss["tab"] = vs.TABS[0]
    tabs = st.tabs(list(vs.TABS), key="tab", on_change="rerun")
    ov, tm, tp, ol, se, cm, ar, co, sk = tabs

    def is_open(tab) -> bool:
        return tab.open is not False  # None when tabs do not track state

    if is_open(ov):
        with ov:
            tab_overview(views, len(views.skipped()))
    if is_open(tm):
        with tm:
            if views.headline().n_articles == 0:
                note("No article matches the current filter.")
            else:
                tab_time(views, state, freq)
    if is_open(tp):
        with tp:
            tab_topics(views)
    if is_open(ol):
        with ol:
            tab_outlets(views, state, freq)
    if is_open(se):
        with se:
            tab_sentiment(views, state, freq)
    if is_open(cm):
        with cm:
            tab_compare(views, state)
    if is_open(ar):
        with ar:
            tab_articles(views, corrections)
    if is_open(co):
        with co:
            if corrections is None:
                note("Corrections are not available for this source.")
            else:
                tab_corrections(corrections)
    if is_open(sk):
        with sk:
            skipped()
