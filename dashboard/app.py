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
"""
from __future__ import annotations

import argparse
import datetime as dt
import html
import sys
import time
from functools import partial
from pathlib import Path

_ROOT = Path(__file__).resolve().parents[1]
if str(_ROOT) not in sys.path:  # `streamlit run dashboard/app.py` puts dashboard/ first
    sys.path.insert(0, str(_ROOT))

import pandas as pd  # noqa: E402
import streamlit as st  # noqa: E402

from analysis import aggregate, reports  # noqa: E402
from dashboard import charts, data, reader  # noqa: E402
from dashboard import state as vs  # noqa: E402

ss = st.session_state
PLOT_CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["lasso2d", "autoScale2d"],
               "toImageButtonOptions": {"format": "png", "scale": 2}}
EVIDENCE_ROWS = 10
LABEL_MARKS = {"negative": "▼ negative", "neutral": "· neutral", "positive": "▲ positive"}


# --------------------------------------------------------------------------- helpers
def _cli() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="dashboard/app.py", add_help=False)
    parser.add_argument("--source", default=None)
    parser.add_argument("--cache-dir", default=None)
    args, _ = parser.parse_known_args(sys.argv[1:])
    return args


def esc(text) -> str:
    return html.escape("" if text is None else str(text), quote=True)


def note(text: str) -> None:
    """A short fixed note (never user text: st.info renders Markdown)."""
    st.info(text, icon=":material/info:")


def html_line(parts: list[str], cls: str = "na-chips") -> None:
    """A line of pre-escaped HTML chips."""
    st.html(f'<div class="{cls}" style="display:flex;flex-wrap:wrap;gap:6px;'
            f'align-items:center;font-size:0.9rem">' + "".join(parts) + "</div>")


def chip(text: str, strong: str | None = None) -> str:
    head = f"<b>{esc(strong)}</b> " if strong else ""
    return ('<span style="border:1px solid rgba(128,128,128,0.45);border-radius:12px;'
            f'padding:1px 10px">{head}{esc(text)}</span>')


def register_download(key: str, file_name: str, make) -> None:
    """Keep (file name, bytes maker) of each download of this run, for tests."""
    ss.setdefault("_downloads", {})[key] = (file_name, make)


def csv_download(label: str, what: str, frame_fn, key: str) -> None:
    """A download button serving ``to_csv_bytes(frame_fn())``, generated on click
    (deferred) and without rerunning the page."""
    name = reports.export_name(what)

    def make():
        return reports.to_csv_bytes(frame_fn())

    register_download(key, name, make)
    st.download_button(label, data=make, file_name=name, mime="text/csv", key=key,
                       on_click="ignore", icon=":material/download:")


def plot(fig, key: str | None = None, on_select=None, mode=("points", "box")):
    """Draw a figure; with ``on_select`` its bar/scatter points are clickable."""
    if on_select is None:
        st.plotly_chart(fig, config=PLOT_CONFIG, key=key)
    else:
        st.plotly_chart(fig, config=PLOT_CONFIG, key=key, on_select=on_select,
                        selection_mode=mode)


def _points(key: str) -> list[dict]:
    event = ss.get(key)
    if not event:
        return []
    try:
        return list(event["selection"]["points"])
    except (KeyError, TypeError):
        return []


def _custom(point: dict, i: int):
    cd = point.get("customdata")
    if cd is None:
        return None
    if not isinstance(cd, (list, tuple)):
        cd = [cd]
    return cd[i] if len(cd) > i else None


# --------------------------------------------------------------------------- state
FILTER_WIDGETS = ("w_dates", "w_topics", "w_sent", "w_q")


def _remember_filters() -> None:
    ss.setdefault("_undo", []).append({k: ss.get(k) for k in FILTER_WIDGETS})
    del ss["_undo"][:-10]


def undo_click() -> None:
    if ss.get("_undo"):
        prev = ss["_undo"].pop()
        for k, v in prev.items():
            if v is None:
                ss.pop(k, None)
            else:
                ss[k] = v


def clear_filters() -> None:
    _remember_filters()
    for k in FILTER_WIDGETS:
        ss.pop(k, None)
    ss["w_sent"] = (-1.0, 1.0)
    ss["w_q"] = ""
    ss["w_topics"] = []
    ss["_clear_dates"] = True


def _period_range(iso: str, freq: str) -> tuple[dt.date, dt.date]:
    start = pd.Timestamp(iso)
    end = pd.Period(start, freq=aggregate.FREQS[freq]).end_time
    return start.date(), end.date()


def select_period(key: str, freq: str) -> None:
    """Chart click on a period (bar / point): filter the date range to it."""
    periods = [_custom(p, 0) for p in _points(key)]
    periods = [p for p in periods if p]
    if not periods:
        return
    _remember_filters()
    ranges = [_period_range(p, freq) for p in periods]
    ss["w_dates"] = (min(r[0] for r in ranges), max(r[1] for r in ranges))
    ss["_clicked"] = f"{len(periods)} period(s) from a chart"


def select_period_topic(key: str, freq: str) -> None:
    """Chart click on a topic's period (stacked area, topic lines): filter to both."""
    pts = [p for p in _points(key) if _custom(p, 0)]
    if not pts:
        return
    _remember_filters()
    ranges = [_period_range(_custom(p, 0), freq) for p in pts]
    ss["w_dates"] = (min(r[0] for r in ranges), max(r[1] for r in ranges))
    ss["w_topics"] = sorted({int(_custom(p, 1)) for p in pts})


def select_topics(key: str, label_index: int | None = None) -> None:
    """Chart click on topic bars / bubbles (customdata[0] = topic id)."""
    pts = _points(key)
    ids = sorted({int(_custom(p, 0)) for p in pts if _custom(p, 0) is not None})
    if not ids:
        return
    _remember_filters()
    ss["w_topics"] = ids
    if label_index is not None:
        labels = {_custom(p, label_index) for p in pts}
        if len(labels) == 1:
            ss["ev_label"] = labels.pop()


def select_sentiment_bin(key: str) -> None:
    """Click on article-sentiment histogram bars: filter the sentiment range to them."""
    pts = _points(key)
    lows = [float(_custom(p, 0)) for p in pts if _custom(p, 0) is not None]
    highs = [float(_custom(p, 1)) for p in pts if _custom(p, 1) is not None]
    if not lows:
        return
    _remember_filters()
    ss["w_sent"] = (round(max(-1.0, min(lows)), 2), round(min(1.0, max(highs)), 2))


def select_label(key: str) -> None:
    pts = _points(key)
    labels = [_custom(p, 0) for p in pts if _custom(p, 0)]
    if labels:
        ss["ev_label"] = labels[0]


def open_article_from_map(key: str) -> None:
    pts = _points(key)
    ids = [_custom(p, 0) for p in pts if _custom(p, 0)]
    if ids:
        ss["art"] = str(ids[0])
        ss["tab"] = "Articles"


def init_from_url() -> None:
    """On a session's first run, copy the URL's state into the widgets' state."""
    if ss.get("_init"):
        return
    ss["_init"] = True
    st_, problems = vs.from_params(st.query_params.to_dict())
    ss["_url_problems"] = problems
    args = _cli()
    if st_["src"]:
        ss["w_path"] = st_["src"]
    elif args.source:
        ss["w_path"] = args.source
    if args.cache_dir and "w_cache" not in ss:
        ss["w_cache"] = args.cache_dir
    ss["k_applied"] = st_["k"]
    ss["w_k"] = "Auto" if st_["k"] is None else st_["k"]
    ss["_url_dates"] = (st_["start"], st_["end"])
    ss["w_topics"] = list(st_["topics"])
    ss["w_sent"] = tuple(st_["sent"])
    ss["w_q"] = st_["q"]
    ss["w_freq"] = st_["freq"]
    ss["w_roll"] = st_["roll"]
    ss["names"] = dict(st_["names"])
    ss["art"] = st_["art"]
    ss["tab"] = st_["tab"] or vs.TABS[0]


def current_state(span) -> dict:
    start = end = None
    dates = ss.get("w_dates")
    if dates and len(dates) == 2 and span[0] is not None:
        if dates[0] > span[0]:
            start = dates[0]
        if dates[1] < span[1]:
            end = dates[1]
    src = ss.get("w_path", "").strip()
    return {
        "src": src if ss.get("w_mode") != "Upload files" and src and
        Path(src).expanduser().resolve() != data.DEFAULT_SOURCE.resolve() else None,
        "k": ss.get("k_applied"), "start": start, "end": end,
        "topics": list(ss.get("w_topics") or []), "sent": tuple(ss.get("w_sent", (-1.0, 1.0))),
        "q": ss.get("w_q", ""), "freq": ss.get("w_freq", "auto"), "roll": ss.get("w_roll", 3),
        "names": dict(ss.get("names") or {}), "art": ss.get("art"), "tab": ss.get("tab"),
    }


def sync_url(state: dict) -> None:
    params = vs.to_params(state)
    if params != st.query_params.to_dict():
        st.query_params.from_dict(params)


# --------------------------------------------------------------------------- sidebar
def sidebar_source():
    st.sidebar.header("Source")
    mode = st.sidebar.radio("Open", ["Folder or file", "Upload files"], key="w_mode",
                            horizontal=True, label_visibility="collapsed")
    if mode == "Upload files":
        files = st.sidebar.file_uploader(
            "CSV / TSV / JSONL / JSON / Parquet, .txt articles or a .zip of them",
            type=data.UPLOAD_TYPES, accept_multiple_files=True, key="w_upload")
        if not files:
            st.sidebar.caption("Nothing uploaded yet: showing the folder below.")
        else:
            return ("upload", files)
    ss.setdefault("w_path", str(data.DEFAULT_SOURCE))
    st.sidebar.text_input("Folder or file path", key="w_path",
                          help="A folder of .txt articles (searched recursively) or a "
                               ".csv/.tsv/.jsonl/.json/.parquet file. Press Enter to open.")
    return ("path", ss["w_path"].strip() or str(data.DEFAULT_SOURCE))


def sidebar_analysis(result_params: dict | None):
    st.sidebar.header("Analysis")
    options = ["Auto"] + list(range(vs.K_MIN, vs.K_MAX + 1))
    ss.setdefault("w_k", "Auto")
    st.sidebar.selectbox("Number of topics", options, key="w_k",
                         help="Auto picks k from the data (coherence and diversity).")
    chosen = None if ss["w_k"] == "Auto" else int(ss["w_k"])
    pending = chosen != ss.get("k_applied")
    if st.sidebar.button("Re-run analysis" if pending else "Analysis is up to date",
                         type="primary" if pending else "secondary", disabled=not pending,
                         key="w_rerun", icon=":material/refresh:"):
        ss["k_applied"] = chosen
        ss["w_topics"] = []
        ss["names"] = {}
        st.rerun()
    if result_params:
        how = result_params.get("chosen_by", "")
        st.sidebar.caption(f"{result_params.get('n_topics_chosen', '?')} topics "
                           f"({how or 'set by you'}).")
    with st.sidebar.expander("Cache folder"):
        st.text_input("Folder for cached results", key="w_cache",
                      placeholder=str(data.resolve_cache_dir()),
                      help="Results are saved here as Parquet and loaded when the same "
                           "corpus is opened with the same settings. Default: "
                           "$NEWS_ANALYTICS_CACHE or ~/.cache/news-analytics.")
        st.caption("Empty = $NEWS_ANALYTICS_CACHE or ~/.cache/news-analytics.")


def sidebar_filters(result) -> None:
    st.sidebar.header("Filters")
    arts = result.articles
    first, last = aggregate.date_span(arts)
    if first is not None:
        lo, hi = first.date(), last.date()
        url_dates = ss.pop("_url_dates", None)
        if url_dates is not None:
            ss["w_dates"] = (max(lo, url_dates[0] or lo), min(hi, url_dates[1] or hi))
        if ss.pop("_clear_dates", False):
            ss["w_dates"] = (lo, hi)
        cur = ss.get("w_dates")
        if (not cur or len(cur) != 2 or cur[0] < lo or cur[1] > hi or cur[0] > cur[1]):
            if cur and len(cur) == 2 and cur[0] <= hi and cur[1] >= lo and cur[0] <= cur[1]:
                ss["w_dates"] = (max(lo, cur[0]), min(hi, cur[1]))
            else:
                ss["w_dates"] = (lo, hi)
        if lo < hi:
            st.sidebar.date_input("Published between", key="w_dates", min_value=lo,
                                  max_value=hi, format="YYYY-MM-DD")
        else:
            st.sidebar.caption(f"All dated articles are from {lo:%Y-%m-%d}.")
        n_undated = aggregate.undated_count(arts)
        if n_undated:
            st.sidebar.caption(f"{n_undated} undated article(s): shown unless a date "
                               "range is set.")
    else:
        ss.pop("_url_dates", None)
        ss.pop("w_dates", None)
        st.sidebar.caption("No article has a publication date.")
    topics = result.topics.sort_values("topic_id")
    labels = dict(zip(topics["topic_id"].astype(int), topics["label"].astype(str)))
    options = list(labels)
    if (arts["topic_id"] == -1).any():
        options.append(-1)
        labels[-1] = "(no topic)"
    ss["w_topics"] = [t for t in (ss.get("w_topics") or []) if t in options]
    st.sidebar.multiselect("Topics", options, key="w_topics",
                           format_func=lambda t: f"{t}: {charts.short(labels.get(t, t), 40)}",
                           placeholder="All topics")
    ss.setdefault("w_sent", (-1.0, 1.0))
    st.sidebar.slider("Article sentiment (mean compound)", -1.0, 1.0, key="w_sent", step=0.05,
                      help="Keeps articles whose mean sentence compound is in this range.")
    ss.setdefault("w_q", "")
    st.sidebar.text_input("Keyword", key="w_q", placeholder="e.g. Ukraine",
                          help="Whole word or phrase, any case, in the title or text.")
    st.sidebar.button("Clear filters", on_click=clear_filters, key="w_clear",
                      icon=":material/filter_alt_off:", width="stretch")
    st.sidebar.button("Undo last chart click", width="stretch", on_click=undo_click, key="w_undo", disabled=not ss.get("_undo"),
              icon=":material/undo:", help="Undo the last filter set by clicking a chart.")


def sidebar_report(view, source_label: str, freq: str) -> None:
    st.sidebar.header("Report")
    name = reports.export_name("report", ext="zip")

    def make():
        return reports.report_zip(view, freq=freq, source=source_label)

    register_download("dl_report", name, make)
    st.sidebar.download_button(
        "Download report (zip)", data=make, file_name=name, mime="application/zip",
        key="dl_report", on_click="ignore", icon=":material/folder_zip:", type="primary",
        help="articles.csv, sentences.csv, topics.csv, timeline.csv, skipped.csv and "
             "summary.txt for the current filter and topic names.")


# --------------------------------------------------------------------------- pieces
def evidence_table(ev: pd.DataFrame, key: str) -> None:
    """Evidence sentences as an escaped HTML list (wraps long sentences)."""
    st.html(reader.evidence_html(ev))


def evidence_section(view, key: str, *, label=None, keyword=None, what="evidence",
                     intro: str | None = None) -> None:
    """The sentences behind the current view: most negative and most positive first."""
    if intro:
        st.caption(intro)
    if view.sentences.empty:
        note("No sentences in the current filter.")
        return
    neg = aggregate.evidence(view.articles, view.sentences, label="negative", keyword=keyword,
                             n=EVIDENCE_ROWS)
    pos = aggregate.evidence(view.articles, view.sentences, label="positive", keyword=keyword,
                             n=EVIDENCE_ROWS)
    if label in ("negative", "positive", "neutral"):
        sel = aggregate.evidence(view.articles, view.sentences, label=label, keyword=keyword,
                                 n=EVIDENCE_ROWS * 2)
        st.markdown(f"**{label.title()} sentences** (from the chart you clicked)")
        evidence_table(sel, f"{key}_sel")
    c1, c2 = st.columns(2)
    with c1:
        st.markdown(":red[**Most negative**]")
        if neg.empty:
            st.caption("No negative sentence.")
        else:
            evidence_table(neg, f"{key}_neg")
    with c2:
        st.markdown(":green[**Most positive**]")
        if pos.empty:
            st.caption("No positive sentence.")
        else:
            evidence_table(pos, f"{key}_pos")

    def frame():
        return aggregate.evidence(view.articles, view.sentences, keyword=keyword, label=label)

    csv_download("Evidence CSV (all matching sentences, strongest first)", what, frame,
                 f"dl_{key}")


def filter_banner(view, named, state) -> None:
    n, total = len(view.articles), len(named.articles)
    parts = [chip(f"{n:,} of {total:,} articles", "Showing")]
    if state["start"] or state["end"]:
        dates = ss.get("w_dates") or (state["start"], state["end"])
        a = (state["start"] or dates[0]).isoformat()
        b = (state["end"] or dates[1]).isoformat()
        parts.append(chip(f"{a} → {b}", "dates"))
    if state["topics"]:
        labels = dict(zip(named.topics["topic_id"].astype(int), named.topics["label"]))
        labels[-1] = "(no topic)"
        parts.append(chip(", ".join(charts.short(labels.get(t, str(t)), 30)
                                    for t in state["topics"]), "topics"))
    if tuple(state["sent"]) != (-1.0, 1.0):
        parts.append(chip(f"{state['sent'][0]:+.2f} … {state['sent'][1]:+.2f}", "sentiment"))
    if state["q"]:
        parts.append(chip(f"“{state['q']}”", "keyword"))
    html_line(parts)


# --------------------------------------------------------------------------- tabs
def tab_overview(view, named, loaded) -> None:
    arts, sents = view.articles, view.sentences
    first, last = aggregate.date_span(arts)
    c = st.columns([1, 1, 2.4, 1.1, 1, 1, 1])
    c[0].metric("Articles", f"{len(arts):,}")
    c[1].metric("Sentences", f"{len(sents):,}")
    if first is None:
        span = "no dates"
    elif first.date() == last.date():
        span = f"{first:%d %b %Y}"
    elif first.year == last.year:
        span = f"{first:%d %b} – {last:%d %b}"
    else:
        span = f"{first:%b %Y} – {last:%b %Y}"
    span_label = f"Date span ({first.year})" if first is not None and first.year == last.year \
        else "Date span"
    c[2].metric(span_label, span, help=None if first is None else
                f"{first:%Y-%m-%d %H:%M} to {last:%Y-%m-%d %H:%M}")
    mean = float(sents["compound"].mean()) if len(sents) else float("nan")
    c[3].metric("Mean sentiment", "–" if pd.isna(mean) else f"{mean:+.3f}")
    pos = float(sents["label"].eq("positive").mean()) if len(sents) else float("nan")
    neg = float(sents["label"].eq("negative").mean()) if len(sents) else float("nan")
    c[4].metric("Positive", "–" if pd.isna(pos) else f"{pos:.0%}",
                help="Share of sentences with compound ≥ 0.05")
    c[5].metric("Negative", "–" if pd.isna(neg) else f"{neg:.0%}",
                help="Share of sentences with compound ≤ −0.05")
    n_topics = int((view.topics["n_articles"] > 0).sum())
    c[6].metric("Topics", f"{n_topics} of {len(named.topics)}")
    undated = aggregate.undated_count(arts)
    extra = []
    if undated:
        extra.append(f"{undated} undated article(s) are counted but not on time charts.")
    if len(loaded.skipped):
        extra.append(f"{len(loaded.skipped)} input(s) skipped: see the Skipped inputs tab.")
    if extra:
        st.caption(" ".join(extra))
    if arts.empty:
        note("No article matches the current filter. Clear or widen the filters in the sidebar.")
        return
    left, right = st.columns([2, 3])
    with left:
        plot(charts.label_bar(sents), key="ov_labels", on_select=partial(select_label, "ov_labels"))
        st.caption("Click a bar to list those sentences below.")
    with right:
        plot(charts.topic_size(view.topics[view.topics["n_articles"] > 0]), key="ov_topics",
             on_select=partial(select_topics, "ov_topics"))
        st.caption("Click a topic to filter to it.")

    def headline():
        return pd.DataFrame({
            "figure": ["articles", "sentences", "first published", "last published",
                       "mean sentence compound", "positive sentence share",
                       "negative sentence share", "topics with articles", "undated articles"],
            "value": [len(arts), len(sents), "" if first is None else first.isoformat(),
                      "" if last is None else last.isoformat(), mean, pos, neg, n_topics, undated],
        })

    csv_download("Headline figures CSV", "overview", headline, "dl_overview")
    st.subheader("What drives these numbers")
    evidence_section(view, "ev_overview", label=ss.get("ev_label"), what="evidence",
                     intro="The sentences behind the current view, strongest first. Click a "
                           "chart anywhere to narrow the view, then read the sentences here.")


def tab_time(view, state) -> None:
    arts = view.articles
    c1, c2, c3 = st.columns([1, 1, 1])
    c1.selectbox("Period", list(vs.FREQS), key="w_freq",
                 format_func=lambda f: "auto" if f == "auto" else f)
    c2.slider("Rolling mean (periods)", 1, 12, key="w_roll")
    split = c3.toggle("Split by topic", key="w_split", value=ss.get("w_split", False))
    dated = arts["published"].notna().sum()
    if dated < 2:
        note("Time charts need at least two dated articles in the current filter. "
             "Widen the filters or open a bigger corpus.")
        return
    freq = state["freq"]
    tl = aggregate.timeline(arts, view.sentences, freq=freq)
    rfreq = tl.attrs["freq"]
    roll = int(state["roll"])
    if len(tl) < 2:
        note(f"All articles in the current filter fall in one {rfreq}: pick a shorter period "
             "above, or widen the date range (“Undo last chart click” or “Clear filters” in "
             "the sidebar). The sentences behind this period are listed below.")
    else:
        plot(charts.volume_timeline(tl, rolling=roll), key="t_volume",
             on_select=partial(select_period, "t_volume", rfreq))
        plot(charts.sentiment_timeline(tl, rolling=roll), key="t_sent",
             on_select=partial(select_period, "t_sent", rfreq))
        st.caption("Click a bar or point (or drag a box) to filter to those periods and read "
                   "the sentences behind them under “What drives these numbers” below.")
    csv_download("Time series CSV", f"timeline-{rfreq}", lambda: tl, "dl_timeline")
    ttl = aggregate.topic_timeline(arts, view.article_topics, freq=freq)
    if len(tl) >= 2 and not ttl.empty:
        if split:
            plot(charts.topic_volume_timeline(ttl, rolling=roll), key="t_tvol",
                 on_select=partial(select_period_topic, "t_tvol", rfreq))
            plot(charts.topic_sentiment_timeline(ttl, rolling=roll), key="t_tsent",
                 on_select=partial(select_period_topic, "t_tsent", rfreq))
        plot(charts.topic_share_area(ttl), key="t_share",
             on_select=partial(select_period_topic, "t_share", rfreq))
        st.caption("Click a point of the area to filter to that topic in that period.")
    if not ttl.empty:
        csv_download("Topic time series CSV", f"topic-timeline-{rfreq}", lambda: ttl,
                     "dl_topic_timeline")
    st.subheader("What drives these numbers")
    evidence_section(view, "ev_time", what="evidence-time")


def rename_form(named) -> None:
    topics = named.topics.sort_values("topic_id")
    with st.form("rename", clear_on_submit=True, border=True):
        st.markdown("**Rename a topic** (the name is used in every chart, table and export)")
        c1, c2 = st.columns([2, 3])
        tid = c1.selectbox("Topic", topics["topic_id"].astype(int).tolist(), key="w_rn_topic",
                           format_func=lambda t: f"{t}: " + charts.short(
                               topics.set_index("topic_id").loc[t, "label"], 40))
        new = c2.text_input("New name", key="w_rn_name", max_chars=80)
        b1, b2 = st.columns(2)
        ok = b1.form_submit_button("Rename", type="primary")
        reset = b2.form_submit_button("Reset all names")
    if ok and new.strip():
        ss.setdefault("names", {})[int(tid)] = new.strip()
        st.rerun()
    if reset and ss.get("names"):
        ss["names"] = {}
        st.rerun()


def tab_topics(view, named, result) -> None:
    topics = view.topics.sort_values("topic_id")
    present = topics[topics["n_articles"] > 0]
    if len(named.topics) == 0:
        note("The topic model found no topics in this corpus.")
        return
    plot(charts.topic_terms(named.topics), key="tp_terms")
    if present.empty:
        note("No topic has articles in the current filter.")
    else:
        c1, c2 = st.columns(2)
        with c1:
            plot(charts.topic_size(present), key="tp_size",
                 on_select=partial(select_topics, "tp_size"))
        with c2:
            plot(charts.topic_mean_sentiment(present), key="tp_sent",
                 on_select=partial(select_topics, "tp_sent"))
        ts = aggregate.topic_sentiment(view.articles, view.sentences)
        ts = ts[ts["topic_id"] >= 0]
        if not ts.empty:
            plot(charts.topic_sentiment_mix(ts), key="tp_mix",
                 on_select=partial(select_topics, "tp_mix", 2))
            csv_download("Topic × sentiment CSV", "topic-sentiment", lambda: ts, "dl_topic_sent")
        st.caption("Click a bar to filter to that topic (and, on the sentiment-mix chart, to "
                   "list those sentences under Overview).")
    st.subheader("Map")
    kind = st.radio("Show", ["Topics", "Articles by topic", "Articles by sentiment"],
                    key="w_map", horizontal=True, label_visibility="collapsed")
    if kind == "Topics":
        if len(result.topic_map) < 2:
            note("The map needs at least two topics.")
        else:
            plot(charts.topic_map(result.topic_map, view.topics if len(present) else named.topics),
                 key="tp_map", on_select=partial(select_topics, "tp_map"))
            st.caption("Bubbles close together share vocabulary (TF-IDF/NMF space); size = "
                       "articles. Click a bubble to filter to that topic.")
    else:
        if len(view.article_map) < 2:
            note("The article map needs at least two articles in the current filter.")
        else:
            plot(charts.article_map(view.article_map, view.articles,
                                    color_by="sentiment" if "sentiment" in kind else "topic"),
                 key="tp_amap", on_select=partial(open_article_from_map, "tp_amap"),
                 mode=("points",))
            st.caption("Nearby articles use similar words. Click one to open it in the reader "
                       "(Articles tab).")
    rename_form(named)
    shown = topics.drop(columns=[c for c in ("term_weights",) if c in topics])
    st.dataframe(shown, hide_index=True, width="stretch", key="tp_table", column_config={
        "share": st.column_config.NumberColumn(format="percent"),
        "weight_share": st.column_config.NumberColumn(format="percent"),
        "pos_share": st.column_config.NumberColumn(format="percent"),
        "neg_share": st.column_config.NumberColumn(format="percent"),
        "compound": st.column_config.NumberColumn(format="%+.3f"),
        "coherence": st.column_config.NumberColumn(format="%.3f"),
    })
    csv_download("Topics CSV", "topics", lambda: topics, "dl_topics")
    if len(result.k_scores):
        with st.expander("How was the number of topics chosen?"):
            plot(charts.k_scores(result.k_scores, result.params.get("n_topics_chosen")),
                 key="tp_k")
            st.dataframe(result.k_scores, hide_index=True, key="tp_ktable")


def tab_sentiment(view, state) -> None:
    arts, sents = view.articles, view.sentences
    if sents.empty:
        note("No sentences in the current filter.")
        return
    c1, c2 = st.columns(2)
    with c1:
        plot(charts.sentiment_histogram(sents["compound"], title="Sentence sentiment",
                                        unit="sentences"), key="s_hist_sent")
    with c2:
        if len(arts) < 2:
            note("The article distribution needs at least two articles.")
        else:
            plot(charts.sentiment_histogram(arts["compound"], title="Article sentiment "
                                            "(mean of its sentences)", unit="articles"),
                 key="s_hist_art", on_select=partial(select_sentiment_bin, "s_hist_art"))
            st.caption("Click or drag over bars to filter articles to that sentiment range.")
    csv_download("Sentences CSV (all sentences in the filter)", "sentences",
                 lambda: reports.report_frames(view)["sentences"], "dl_sentences")
    st.subheader("Most negative and most positive sentences")
    evidence_section(view, "ev_sent", what="extreme-sentences")
    st.subheader("Track a keyword")
    ss.setdefault("w_track", state["q"])
    kw = st.text_input("Keyword or phrase to follow over time", key="w_track",
                       placeholder="e.g. Ukraine").strip()
    if not kw:
        st.caption("Type a word to see how the sentences that mention it turn over time.")
        return
    hits = aggregate.keyword_sentences(sents, kw)
    if hits.empty:
        note("No sentence in the current filter mentions this keyword.")
        return
    kt = aggregate.keyword_timeline(arts, sents, kw, freq=state["freq"])
    if arts["published"].notna().sum() < 2 or len(kt) < 2:
        note("The keyword timeline needs mentions in at least two periods.")
    else:
        plot(charts.keyword_timeline(kt, kw, rolling=int(state["roll"])), key="s_kw",
             on_select=partial(select_period, "s_kw", kt.attrs["freq"]))
        csv_download("Keyword time series CSV", "keyword-timeline", lambda: kt, "dl_kw")
    st.caption(f"{len(hits):,} sentence(s) mention it.")
    evidence_section(view, "ev_kw", keyword=kw, what="keyword-sentences")


def _select_article(ids: list[str]) -> None:
    event = ss.get("art_table")
    try:
        rows = list(event["selection"]["rows"])
    except (KeyError, TypeError):
        rows = []
    if rows and rows[0] < len(ids):
        ss["art"] = ids[rows[0]]


def tab_articles(view, named) -> None:
    arts = view.articles
    search = st.text_input("Search titles and text", key="w_search",
                           placeholder="type to narrow the table").strip()
    table = arts
    if search:
        needle = search.lower()
        table = arts[arts["title"].str.lower().str.contains(needle, regex=False, na=False)
                     | arts["text"].str.lower().str.contains(needle, regex=False, na=False)]
    cols = ["published", "title", "topic_label", "compound", "label", "n_sentences",
            "article_id"]
    shown = table.reindex(columns=cols).sort_values(["published", "article_id"],
                                                     na_position="last").reset_index(drop=True)
    shown["label"] = shown["label"].map(LABEL_MARKS).fillna(shown["label"])
    ids = shown["article_id"].astype(str).tolist()
    st.caption(f"{len(shown):,} article(s). Click a column header to sort; select a row to "
               "read the article.")
    st.dataframe(
        shown, hide_index=True, width="stretch", height=min(420, 38 + 35 * max(len(shown), 1)),
        key="art_table", on_select=partial(_select_article, ids), selection_mode="single-row",
        column_config={
            "published": st.column_config.DatetimeColumn("date", format="YYYY-MM-DD HH:mm"),
            "title": st.column_config.TextColumn("title", width="large"),
            "topic_label": st.column_config.TextColumn("topic"),
            "compound": st.column_config.NumberColumn("sentiment", format="%+.3f",
                                                      help="mean sentence compound, -1 to +1"),
            "label": st.column_config.TextColumn("label"),
            "n_sentences": st.column_config.NumberColumn("sentences", width="small"),
            "article_id": st.column_config.TextColumn("id"),
        })
    csv_download("Articles CSV (the rows above)", "articles",
                 lambda: reports.report_frames(view)["articles"].set_index("article_id")
                 .loc[shown["article_id"]].reset_index(), "dl_articles")
    art = ss.get("art")
    if not art:
        note("Select an article in the table to read it sentence by sentence.")
        return
    row = named.articles[named.articles["article_id"] == art]
    if row.empty:
        note("The article in the link is not in this corpus.")
        return
    row = row.iloc[0]
    if art not in set(arts["article_id"]):
        st.caption("This article is outside the current filter.")
    sents = named.sentences[named.sentences["article_id"] == art]
    meta = [chip(row["published"].strftime("%Y-%m-%d %H:%M") if pd.notna(row["published"])
                 else "undated", "published"),
            chip(charts.short(row["topic_label"], 50), "topic"),
            chip("–" if pd.isna(row["compound"]) else f"{row['compound']:+.3f} ({row['label']})",
                 "mean sentiment"),
            chip(f"{len(sents)}", "sentences"), chip(str(row["article_id"]), "id")]
    st.divider()
    html_line(meta)
    st.html(reader.legend_html())
    left, right = st.columns([3, 2])
    with left:
        st.html(reader.article_html(row["text"], sents, title=row["title"]))
    with right:
        if len(sents) >= 2:
            plot(charts.sentiment_arc(sents, rolling=3, title="Sentiment arc"), key="a_arc")
        else:
            note("The sentiment arc needs at least two sentences.")
        csv_download("This article's sentences CSV", f"article-{art}"[:60],
                      lambda: sents, "dl_article")


def tab_skipped(loaded, named) -> None:
    sk = loaded.skipped
    warned = named.articles[named.articles.get("warning", pd.Series("", index=named.articles.index))
                            .fillna("").astype(str).str.len() > 0] \
        if "warning" in named.articles else named.articles.iloc[0:0]
    if sk.empty and not loaded.warnings and warned.empty:
        st.badge("0 skipped", icon=":material/check:", color="green")
        return
    st.badge(f"{len(sk)} skipped", color="orange" if len(sk) else "green")
    if len(sk):
        st.dataframe(sk, hide_index=True, width="stretch", key="sk_table")
        csv_download("Skipped inputs CSV", "skipped", lambda: sk, "dl_skipped")
    if loaded.warnings:
        st.markdown("**Loader warnings**")
        st.dataframe(pd.DataFrame({"warning": list(loaded.warnings)}), hide_index=True,
                     key="sk_warn")
    if not warned.empty:
        st.markdown("**Articles read with a warning**")
        st.dataframe(warned[["article_id", "source", "warning"]], hide_index=True,
                     width="stretch", key="sk_art_warn")


# --------------------------------------------------------------------------- main
def load(kind, value):
    """The Loaded source, with a progress bar on a cold read."""
    if kind == "path" and data.is_loaded(value):
        return data.load_source(value)
    box = st.empty()
    with box.container():
        bar = st.progress(0.0, text="Reading articles…")

        def progress(done, total):
            bar.progress(min(1.0, done / max(total, 1)), text=f"Reading articles… {done}/{total}")

        try:
            if kind == "upload":
                return data.load_uploads(value, progress=progress)
            return data.load_source(value, progress=progress)
        finally:
            box.empty()


def analyse(loaded, settings, cache_dir):
    key, result, where = data.cached_result(loaded, settings, cache_dir)
    if result is not None:
        return key, result, where
    n = len(loaded.corpus)
    with st.status(f"Analysing {n:,} article(s)…", expanded=True) as status:
        bar = st.progress(0.0, text="Splitting and scoring sentences…")
        stages = {"sentences": (0.0, 0.6, "Splitting and scoring sentences"),
                  "topics": (0.6, 0.4, "Fitting topics")}

        def progress(stage, done, total):
            lo, width, text = stages.get(stage, (0.0, 1.0, stage))
            bar.progress(min(1.0, lo + width * done / max(total, 1)),
                         text=f"{text}… {done}/{total}")

        t = time.perf_counter()
        key, result, error = data.compute_result(loaded, settings, cache_dir, progress=progress)
        bar.progress(1.0, text="Done")
        status.update(label=f"Analysed {n:,} article(s) in {time.perf_counter() - t:.1f} s",
                      state="complete", expanded=False)
    if error:
        st.warning(error)
    return key, result, "computed"


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

    try:
        loaded = load(kind, value)
    except (SourceError, data.UploadError, OSError, ValueError) as exc:
        sidebar_analysis(None)
        st.error(f"Could not open this source: {exc}", icon=":material/error:")
        st.caption("Pick another folder or file in the sidebar.")
        return
    cache_dir = data.resolve_cache_dir(ss.get("w_cache"))
    settings = data.settings_for(ss.get("k_applied"))
    try:
        key, result, where = analyse(loaded, settings, cache_dir)
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
    view = data.view(key, named, names, vs.filter_kwargs(state))
    freq = state["freq"]
    sidebar_report(view, loaded.label, freq)
    st.sidebar.caption(f"Source: {len(result.articles):,} articles · result from {where} · "
                       f"cache {cache_dir}")
    sync_url(state)

    filter_banner(view, named, state)
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
                tab_time(view, state)
    if is_open(tp):
        with tp:
            tab_topics(view, named, result)
    if is_open(se):
        with se:
            tab_sentiment(view, state)
    if is_open(ar):
        with ar:
            tab_articles(view, named)
    if is_open(sk):
        with sk:
            tab_skipped(loaded, named)


main()
