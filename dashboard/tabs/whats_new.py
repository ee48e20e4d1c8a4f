"""What's new: the strongest alerts of the corpus, first thing on the page.

Alerts come from :func:`analysis.alerts.detect_alerts` over the whole (renamed) result
in the view's period, the keyword queries tracked on the Sentiment tab among the series; clicking one sets the filters (its period, and its topic, theme's
topics or keyword query) so every view follows, with undo one click away.
"""
from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from analysis.periods import period_name, period_range
from analysis.keywords import parse_queries
from analysis.alerts import (MIN_ARTICLES, MIN_COVERAGE, alert_evidence, alert_freq,
                             detect_alerts, topic_trends)
from dashboard import reader
from dashboard.interaction import _remember_filters
from dashboard.memo import per_frame

ss = st.session_state
SHOWN = 6


@st.cache_data(show_spinner=False, max_entries=16)
def _alerts(key: str, names: str, freq: str, tracked: tuple, _result) -> pd.DataFrame:
    # key (the result's content key), names and freq say what _result holds.
    alerts = detect_alerts(_result.articles, _result.sentences, freq=freq, topics=_result.topics,
                           keywords=list(tracked))
    return alerts.head(50)


@st.cache_data(show_spinner=False, max_entries=16)
def _trends(key: str, names: str, freq: str, _result) -> pd.DataFrame:
    try:
        return topic_trends(_result.articles, freq=freq)
    except ValueError:  # nothing dated
        return pd.DataFrame()


def _describe(a, freq: str) -> str:
    arrow = "▲" if a["direction"] == "up" else "▼"
    where = {"all": "all articles", "topic": f"topic “{a['name']}”",
             "theme": f"theme “{a['name']}”", "outlet": f"outlet {a['name']}",
             "keyword": f"“{a['name']}”"}[a["scope"]]
    when = period_name(a["period_start"], freq)
    if a["metric"] == "volume":
        what = f"{a['value']:.0f} articles vs {a['baseline']:.0f} usual"
    else:
        what = f"sentiment {a['value']:+.2f} vs {a['baseline']:+.2f} usual"
    return f"{arrow} {where} · {when}: {what} (score {a['score']:+.1f})"


def _apply(alert: dict, freq: str, topic_ids: list[int]) -> None:
    """Button callback: filter every view to the alert."""
    _remember_filters()
    ss["w_dates"] = period_range(alert["period_start"], freq)
    if alert["scope"] in ("topic", "theme"):
        ss["w_topics"] = topic_ids
    if alert["scope"] == "keyword":
        ss["w_q"] = alert["key"]
    if alert["scope"] == "outlet":
        ss["w_outlets"] = [str(alert["key"])]
    ss["_clicked"] = "an alert"
    ss["_alert"] = {**alert, "_freq": freq}


def _topic_ids(alert, topics: pd.DataFrame) -> list[int]:
    if alert["scope"] == "topic":
        return [int(alert["key"])]
    if alert["scope"] == "theme" and "theme_id" in topics:
        return sorted(int(t) for t in topics.loc[topics["theme_id"].astype(str) == alert["key"],
                                                 "topic_id"])
    return []


def whats_new(key: str, named, names: dict, state: dict) -> None:
    """The "What's new" panel above the tabs, over an analysed corpus in memory."""
    arts = named.articles
    if arts["published"].notna().sum() < 2:
        return
    # Alerts resolve "auto" their own way (a baseline needs many periods): the
    # period of the charts may be coarser.
    freq = alert_freq(state["freq"], arts["published"])
    names_key = json.dumps({str(k): v for k, v in sorted(names.items())}, ensure_ascii=False)

    def evidence(chosen):
        return alert_evidence(chosen, arts, named.sentences, freq=freq, topics=named.topics,
                              n=5)

    _panel(freq, _alerts(key, names_key, freq, _tracked(state), named),
           _trends(key, names_key, freq, named), named.topics, evidence)


def _tracked(state: dict) -> tuple:
    """The keyword queries tracked on the Sentiment tab: each is an alert series too."""
    return tuple(parse_queries(state["track"])[0])


def whats_new_store(views, state: dict) -> None:
    """The same panel over an archive store (``views``: unfiltered
    :class:`analysis.views.StoreViews`): alerts from one query over the store, kept
    with it; the evidence of a clicked alert read from its period's partitions."""
    answer = views.whats_new(state["freq"], _tracked(state))
    if answer is None:
        return
    freq, found, trends = answer
    _panel(freq, found, trends, views.all_topics,
           lambda chosen: views.alert_evidence(chosen, freq, n=5))


def _open_note(alerts: pd.DataFrame, freq: str) -> str:
    """What the alerts did with a last period the corpus does not cover to its end."""
    if "open_period" not in alerts.attrs:
        return ""
    start, covered = alerts.attrs["open_period"]
    name = period_name(start, freq)
    if covered < MIN_COVERAGE:
        return (f" The {name} has only just begun in the data ({covered:.0%} of it): its "
                f"volume is not compared yet.")
    return (f" The {name} is still open ({covered:.0%} of it in the data): its volume is "
            f"compared with {covered:.0%} of a usual {freq}.")


@per_frame
def _panel_texts(freq: str, alerts: pd.DataFrame, trends: pd.DataFrame, topics: pd.DataFrame):
    """What :func:`_panel` draws of ``alerts`` and ``trends`` (kept answers: made once
    per answer, not at every rerun): its title, ``(text, alert, topic ids)`` of each
    alert button, the moving topics' caption ("" without) and the closing note."""
    moving = trends[trends["status"] != "steady"] if len(trends) else trends
    title = (f"What's new: {len(alerts)} alert{'s' if len(alerts) != 1 else ''} by {freq}"
             if len(alerts) else f"What's new: no alerts by {freq}")
    buttons = []
    for a in alerts.head(SHOWN).to_dict("records"):
        a["period_start"] = pd.Timestamp(a["period_start"]).isoformat()
        buttons.append((_describe(a, freq), a, tuple(_topic_ids(a, topics))))
    caption = ""
    if len(moving):
        parts = [f"{'↑' if r.status == 'emerging' else '↓'} {r.topic_label} "
                 f"({r.share_baseline:.0%} → {r.share_now:.0%})" for r in moving.itertuples()]
        caption = (f"Topics {', '.join(sorted(set(moving['status'])))} in "
                   f"{period_name(trends.attrs['period'], freq)}: " + "; ".join(parts))
    note_text = (f"Against the median of the previous 14 {freq}s; a sentiment alert needs "
                 f"at least {MIN_ARTICLES} articles in the period. Clicking an alert filters "
                 f"every view to it (undo in the sidebar).{_open_note(alerts, freq)}")
    return title, buttons, caption, note_text


def _panel(freq: str, alerts: pd.DataFrame, trends: pd.DataFrame, topics: pd.DataFrame,
           evidence) -> None:
    """The panel: the strongest ``alerts`` as buttons that filter every view, the
    emerging and fading topics of ``trends``, and ``evidence(alert)`` of the clicked one."""
    title, buttons, moving, note_text = _panel_texts(freq, alerts, trends, topics)
    with st.expander(title, expanded=bool(len(alerts))):
        if alerts.empty:
            st.caption(f"No period's volume or sentiment leaves its usual range (median of "
                       f"the 14 periods before, robust score 3.5 or more).")
        for i, (text, a, topic_ids) in enumerate(buttons):
            # each click gets its own copy of the alert (the callback keeps it)
            st.button(text, key=f"wn_alert_{i}", on_click=_apply,
                      args=(dict(a), freq, list(topic_ids)), use_container_width=True)
        if moving:
            st.caption(moving)
        st.caption(note_text)
        chosen = ss.get("_alert")
        if chosen is not None and chosen.get("_freq", freq) == freq:
            try:
                ev = evidence(chosen)
            except (ValueError, KeyError):
                ev = pd.DataFrame()
            if len(ev):
                st.markdown(f"**Evidence** for {_describe(chosen, freq)}")
                st.html(reader.evidence_html(ev))


__all__ = ["whats_new", "whats_new_store"]
