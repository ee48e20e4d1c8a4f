"""The sidebar: source, analysis (number of topics, cache folder), filters and the
report download."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis import reports
from analysis.date_range import EXAMPLES, DateRangeError, parse_date_range
from dashboard import charts, data
from dashboard import state as vs
from dashboard.interaction import clear_filters, undo_click
from dashboard.memo import per_frame
from dashboard.widgets import outlet_name, register_download

ss = st.session_state


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
                         help="Auto picks k from the data; the line below says how, and "
                              "Topics → “How was the number of topics chosen?” shows the "
                              "measures for every k tried.")
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


def _apply_typed_dates(first, last) -> None:
    """on_change of the typed-dates field (Enter or Tab): set the date range it names,
    or keep the text and say what is wrong with it."""
    text = ss.get("w_dates_text", "")
    if not text.strip():
        ss.pop("_dates_error", None)
        return
    try:
        ss["w_dates"] = parse_date_range(text, first, last)
    except DateRangeError as exc:
        ss["_dates_error"] = str(exc)
        return
    ss.pop("_dates_error", None)
    ss["w_dates_text"] = ""
    start, end = ss["w_dates"]
    ss["_dates_toast"] = f"Dates set to {start:%Y-%m-%d} – {end:%Y-%m-%d} (from “{text.strip()}”)."


def typed_dates(first, last) -> None:
    """A text field for the date range, applied on Enter or Tab: Streamlit's date picker
    applies typed digits only when the whole field loses focus, and cannot take "July
    2024" or "last 30 days" (:mod:`analysis.date_range`)."""
    st.sidebar.text_input(
        "…or type dates", key="w_dates_text", on_change=_apply_typed_dates,
        args=(first, last), placeholder=f"{last:%B %Y} · last 30 days",
        help=f"Applied on Enter or Tab. For example: {EXAMPLES}. \"last N days\" ends at "
             "the corpus's last date, not today.")
    if ss.get("_dates_error"):
        st.sidebar.error(ss["_dates_error"], icon=":material/event_busy:")
    if ss.get("_dates_toast"):
        st.toast(ss.pop("_dates_toast"))


def sidebar_filters(views) -> None:
    """Filter widgets for the corpus of ``views`` (:mod:`analysis.views`)."""
    st.sidebar.header("Filters")
    first, last = views.span()
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
            typed_dates(lo, hi)
        else:
            st.sidebar.caption(f"All dated articles are from {lo:%Y-%m-%d}.")
        n_undated = views.undated_total()
        if n_undated:
            st.sidebar.caption(f"{n_undated} undated article(s): shown unless a date "
                               "range is set.")
    else:
        ss.pop("_url_dates", None)
        ss.pop("w_dates", None)
        st.sidebar.caption("No article has a publication date.")
    topics = views.all_topics
    labels = dict(_topic_labels(topics))
    options = list(labels)
    if views.has_untopiced():
        options.append(-1)
        labels[-1] = "(no topic)"
    ss["w_topics"] = [t for t in (ss.get("w_topics") or []) if t in options]
    if len(options) > 1 and set(ss["w_topics"]) == set(options):
        # "Select all" keeps every article: that is no topic filter (not a list of
        # every id in the URL and the banner).
        ss["w_topics"] = []
        st.toast("Every topic selected: that is no topic filter.")
    theme_filter(topics)
    st.sidebar.multiselect("Topics", options, key="w_topics",
                           format_func=lambda t: f"{t}: {charts.short(labels.get(t, t), 40)}",
                           placeholder="All topics")
    outlet_filter(views)
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


def outlet_filter(views) -> None:
    """An Outlets multiselect (``w_outlets``), shown when the corpus of ``views`` has
    more than one outlet; outlets are listed most articles first, with their count."""
    counts = views.outlets()
    n = dict(zip(counts["outlet"].astype(str), counts["n_articles"].astype(int)))
    options = list(n)
    ss["w_outlets"] = [o for o in (ss.get("w_outlets") or []) if o in n]
    if len(options) < 2:
        ss["w_outlets"] = []
        return
    if set(ss["w_outlets"]) == set(options):
        ss["w_outlets"] = []
        st.toast("Every outlet selected: that is no outlet filter.")
    st.sidebar.multiselect("Outlets", options, key="w_outlets",
                           format_func=lambda o: f"{charts.short(outlet_name(o), 34)} "
                                                 f"({n.get(o, 0):,})",
                           placeholder=f"All {len(options):,} outlets",
                           help="Keeps articles from these outlets (the outlet, source, "
                                "publisher or site column of a table, else the domain of "
                                "its URL column). The number is the outlet's articles in "
                                "the whole corpus.")


def _pick_themes(members: dict) -> None:
    """Themes widget changed: the topic filter becomes every topic of the chosen themes."""
    chosen = ss.get("w_themes") or []
    ss["w_topics"] = sorted(t for th in chosen for t in members.get(th, []))


@per_frame
def _topic_labels(topics: pd.DataFrame) -> dict:
    """``{topic id: label}`` of the topics frame, by topic id (a copy is taken)."""
    topics = topics.sort_values("topic_id")
    return dict(zip(topics["topic_id"].astype(int), topics["label"].astype(str)))


@per_frame
def _themes(topics: pd.DataFrame):
    """``(members, names)`` of the themes of the topics frame (``{theme id: its topic
    ids}``, ``{theme id: label}``), None when themes group nothing."""
    if "theme_id" not in topics or topics["theme_id"].nunique() >= len(topics):
        return None
    topics = topics.sort_values("topic_id")
    members = {int(th): g["topic_id"].astype(int).tolist()
               for th, g in topics.groupby("theme_id")}
    names = dict(zip(topics["theme_id"].astype(int), topics["theme_label"].astype(str)))
    return members, names


def theme_filter(topics) -> None:
    """A Themes multiselect, shown when themes group several topics: choosing themes
    sets the topic filter to their topics (the same articles as ``filter_result(themes=)``),
    and it shows the themes whose topics are all in the topic filter."""
    themes = _themes(topics)
    if themes is None:
        return
    members, names = themes
    picked = set(ss.get("w_topics") or [])
    ss["w_themes"] = [th for th, ts in members.items() if picked and set(ts) <= picked]
    st.sidebar.multiselect("Themes", list(members), key="w_themes",
                           format_func=lambda th: f"{charts.short(names[th], 30)} "
                                                  f"({len(members[th])} topics)",
                           on_change=_pick_themes, args=(members,), placeholder="All themes",
                           help="Groups of related topics; choosing one filters to its topics.")


def sidebar_report(make) -> None:
    """The report download; ``make()`` returns the zip's bytes (called on click)."""
    st.sidebar.header("Report")
    name = reports.export_name("report", ext="zip")

    register_download("dl_report", name, make)
    st.sidebar.download_button(
        "Download report (zip)", data=make, file_name=name, mime="application/zip",
        key="dl_report", on_click="ignore", icon=":material/folder_zip:", type="primary",
        help="articles.csv, sentences.csv, topics.csv, timeline.csv, alerts.csv (the "
             "Sentiment tab's tracked queries among the series), skipped.csv and "
             "summary.txt for the current filter and topic names; changes.csv too once "
             "the Compare tab has set two ranges.")


def sidebar_report_command(command: str, n_sentences: int) -> None:
    """In place of the download, for a view too big to build in memory: the command
    that writes the same report to disk (streamed, a month at a time)."""
    st.sidebar.header("Report")
    st.sidebar.caption(f"This view has {n_sentences:,} sentences: too many to download from "
                       "the browser. This command writes the same report (every CSV) into "
                       "`report/`; narrow the filter to download here instead.")
    st.sidebar.code(command, language="bash", wrap_lines=True)
