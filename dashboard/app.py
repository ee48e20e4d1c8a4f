"""News topics & sentiment dashboard.

Run from the repository root::

    streamlit run dashboard/app.py                      # analyses seeds/
    streamlit run dashboard/app.py -- --source PATH --cache-dir DIR

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

import sys
from pathlib import Path

_ROOT = Path(__file__).resolve().parents[1]
if str(_ROOT) not in sys.path:  # `streamlit run dashboard/app.py` puts dashboard/ first
    sys.path.insert(0, str(_ROOT))

import streamlit as st  # noqa: E402

from analysis import aggregate  # noqa: E402
from analysis.keyword_query import QueryError  # noqa: E402
from dashboard import data  # noqa: E402
from dashboard import state as vs  # noqa: E402
from dashboard.banner import filter_banner  # noqa: E402
from dashboard.interaction import current_state, init_from_url, sync_url  # noqa: E402
from dashboard.loading import analyse, load  # noqa: E402
from dashboard.sidebar import (sidebar_analysis, sidebar_filters, sidebar_report,  # noqa: E402
                               sidebar_source)
from dashboard.tabs.articles import tab_articles  # noqa: E402
from dashboard.tabs.over_time import tab_time  # noqa: E402
from dashboard.tabs.overview import tab_overview  # noqa: E402
from dashboard.tabs.whats_new import whats_new  # noqa: E402
from dashboard.tabs.sentiment import tab_sentiment  # noqa: E402
from dashboard.tabs.skipped import tab_skipped  # noqa: E402
from dashboard.tabs.topics import tab_topics  # noqa: E402
from dashboard.widgets import note  # noqa: E402

ss = st.session_state


def main() -> None:
    st.set_page_config(page_title="News topics & sentiment", page_icon="📰",
                       layout="wide", initial_sidebar_state="expanded")
    ss["_downloads"] = {}
    init_from_url()
    st.title("News topics & sentiment")
    for problem in ss.pop("_url_problems", []):
        st.toast(f"Ignored part of the link: {problem}")
    kind, value = sidebar_source()
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
    if ss.get("_source_digest") != loaded.digest:
        if ss.get("_source_digest") is not None:  # another source: its filters do not apply
            for k in ("w_dates", "w_topics", "art"):
                ss.pop(k, None)
            ss["names"] = {}
        ss["_source_digest"] = loaded.digest
    sidebar_analysis(result.params)
    names = {int(k): v for k, v in (ss.get("names") or {}).items()
             if int(k) in set(result.topics["topic_id"].astype(int))}
    named = data.named(key, result, names)
    sidebar_filters(named)
    first, last = aggregate.date_span(result.articles)
    span = (first.date(), last.date()) if first is not None else (None, None)
    state = current_state(span)
    criteria = vs.filter_kwargs(state)
    try:
        view = data.view(key, named, names, criteria)
    except QueryError as exc:  # a malformed keyword query: say why, filter without it
        st.sidebar.error(str(exc))
        view = data.view(key, named, names, {**criteria, "keyword": None})
    # "auto" becomes a concrete period once, here, for every chart and export below.
    freq = aggregate.resolve_freq(state["freq"], view.articles["published"])
    sidebar_report(view, loaded.label, freq)
    st.sidebar.caption(f"Source: {len(result.articles):,} articles · result from {where} · "
                       f"cache {cache_dir}")
    sync_url(state)

    filter_banner(view, named, state)
    whats_new(key, named, names, state)
    if ss.get("tab") not in vs.TABS:
        ss["tab"] = vs.TABS[0]
    tabs = st.tabs(list(vs.TABS), key="tab", on_change="rerun")
    ov, tm, tp, se, ar, sk = tabs

    def is_open(tab) -> bool:
        return tab.open is not False  # None when tabs do not track state

    if is_open(ov):
        with ov:
            tab_overview(view, named, loaded)
    if is_open(tm):
        with tm:
            if view.articles.empty:
                note("No article matches the current filter.")
            else:
                tab_time(view, state, freq)
    if is_open(tp):
        with tp:
            tab_topics(view, named, result)
    if is_open(se):
        with se:
            tab_sentiment(view, state, freq)
    if is_open(ar):
        with ar:
            tab_articles(view, named)
    if is_open(sk):
        with sk:
            tab_skipped(loaded, named)


# Streamlit runs this script as __main__; a worker process that imports it under
# another name must not draw the page again.
if __name__ == "__main__":
    main()
