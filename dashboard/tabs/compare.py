"""Compare tab: what changed between two date ranges, and why (:mod:`analysis.compare`).

The two ranges, A and B, take the place of the sidebar's dates; the other filters
(topics, sentiment, keyword) apply to both.  They live in ``v_cmp_a`` / ``v_cmp_b``
(and the URL, ``cmp_a`` / ``cmp_b``, :mod:`dashboard.state`) once the tab has been
opened, so a comparison can be bookmarked.
"""
from __future__ import annotations

import datetime as dt
from functools import partial

import pandas as pd
import streamlit as st
from dateutil.relativedelta import relativedelta

from analysis.date_range import EXAMPLES, DateRangeError, parse_date_range
from analysis.views import distinct_sentences
from dashboard import compare_charts
from dashboard.evidence import evidence_table
from dashboard.interaction import _custom, _points
from dashboard.widgets import bytes_download, note, plot

ss = st.session_state

#: Sentences listed per range for the chosen word.
WORD_ROWS = 8
_SIDES = ("a", "b")


# --------------------------------------------------------------------------- the ranges
def _days(period) -> int:
    return (period[1] - period[0]).days + 1


def default_ranges(lo: dt.date, hi: dt.date) -> tuple[tuple, tuple]:
    """B = the last third of ``lo``..``hi``, A = the equal-length span just before it
    (clipped to ``lo``); two halves when the span is too short for thirds."""
    days = (hi - lo).days + 1
    length = max(1, days // 3) if days >= 3 else 1
    b = (hi - dt.timedelta(days=length - 1), hi)
    a_end = b[0] - dt.timedelta(days=1)
    a = (max(lo, a_end - dt.timedelta(days=length - 1)), a_end)
    return a, b


def previous_period(b: tuple, first: dt.date) -> tuple | None:
    """The span of B's length that ends the day before B starts, clipped to ``first``
    (None when B starts on ``first``)."""
    end = b[0] - dt.timedelta(days=1)
    if end < first:
        return None
    return max(first, end - dt.timedelta(days=_days(b) - 1)), end


def year_earlier(b: tuple, first: dt.date) -> tuple | None:
    """B one year earlier (None when that is before the corpus's first date)."""
    start, end = b[0] - relativedelta(years=1), b[1] - relativedelta(years=1)
    if end < first:
        return None
    return max(first, start), end


def halves(lo: dt.date, hi: dt.date) -> tuple[tuple, tuple]:
    """The two halves of ``lo``..``hi`` (A the first, B the second)."""
    days = (hi - lo).days + 1
    mid = lo + dt.timedelta(days=days // 2 - 1)
    return (lo, mid), (mid + dt.timedelta(days=1), hi)


def _clip(period, first: dt.date, last: dt.date):
    if period is None:
        return None
    start, end = max(first, period[0]), min(last, period[1])
    return (start, end) if start <= end else None


def resolve_ranges(views, state: dict) -> tuple[tuple, tuple] | None:
    """The ranges A and B to compare (dates, inclusive): the stored ones clipped to the
    corpus's span, else :func:`default_ranges` of the sidebar's date range; also stored
    in ``v_cmp_a`` / ``v_cmp_b`` so the URL and the report carry them.  None when the
    corpus has fewer than two dated days."""
    first, last = views.span()
    if first is None or first.date() == last.date():
        return None
    first, last = first.date(), last.date()
    lo = max(first, state.get("start") or first)
    hi = min(last, state.get("end") or last)
    if lo >= hi:
        lo, hi = first, last
    defaults = default_ranges(lo, hi)
    out = []
    for side, default in zip(_SIDES, defaults):
        stored = ss.get(f"v_cmp_{side}")
        period = _clip(tuple(stored), first, last) if stored else None
        if stored and period is None:
            ss["_cmp_toast"] = f"Range {side.upper()} was outside the corpus: back to the default."
        out.append(period or default)
    for side, period in zip(_SIDES, out):
        ss[f"v_cmp_{side}"] = period
        state[f"cmp_{side}"] = period
    return out[0], out[1]


def _set(a=None, b=None) -> None:
    if a is not None:
        ss["v_cmp_a"] = a
    if b is not None:
        ss["v_cmp_b"] = b
    ss.pop("w_cmp_word", None)


def _picked(side: str) -> None:
    value = ss.get(f"w_cmp_{side}")
    if value and len(value) == 2:  # a range picker sends one date while picking
        _set(**{side: (value[0], value[1])})


def _typed(side: str, first: dt.date, last: dt.date) -> None:
    text = ss.get(f"w_cmp_{side}_text", "")
    if not text.strip():
        ss.pop(f"_cmp_{side}_error", None)
        return
    try:
        period = parse_date_range(text, first, last)
    except DateRangeError as exc:
        ss[f"_cmp_{side}_error"] = str(exc)
        return
    ss.pop(f"_cmp_{side}_error", None)
    ss[f"w_cmp_{side}_text"] = ""
    _set(**{side: period})


def _range_picker(side: str, period, first: dt.date, last: dt.date) -> None:
    name = side.upper()
    current = ss.get(f"w_cmp_{side}")
    if not (current and len(current) == 1):  # a range half picked stays as it is
        ss[f"w_cmp_{side}"] = period
    st.date_input(f"Period {name}", key=f"w_cmp_{side}", min_value=first, max_value=last,
                  format="YYYY-MM-DD", on_change=_picked, args=(side,))
    st.text_input(f"…or type period {name}", key=f"w_cmp_{side}_text",
                  on_change=_typed, args=(side, first, last),
                  placeholder=f"{last:%B %Y} · last 30 days",
                  help=f"Applied on Enter or Tab. For example: {EXAMPLES}.")
    if ss.get(f"_cmp_{side}_error"):
        st.error(ss[f"_cmp_{side}_error"], icon=":material/event_busy:")
    st.caption(f"{_days(period)} day(s)")


def _quick_choices(a, b, first: dt.date, last: dt.date, lo: dt.date, hi: dt.date) -> None:
    prev, year = previous_period(b, first), year_earlier(b, first)
    c = st.columns(4)
    c[0].button("A = the period before B", key="w_cmp_prev", disabled=prev is None or prev == a,
                on_click=_set, kwargs={"a": prev}, width="stretch",
                help="A becomes the span of B's length that ends the day before B starts.")
    c[1].button("A = B a year earlier", key="w_cmp_year", disabled=year is None or year == a,
                on_click=_set, kwargs={"a": year}, width="stretch",
                help="The same dates one year earlier (needs a corpus that reaches back "
                     "that far).")
    ha, hb = halves(lo, hi)
    c[2].button("The two halves", key="w_cmp_halves", disabled=(ha, hb) == (a, b),
                on_click=_set, kwargs={"a": ha, "b": hb}, width="stretch",
                help="A the first half of the sidebar's date range, B the second.")
    da, db = default_ranges(lo, hi)
    c[3].button("Last third vs the third before", key="w_cmp_default",
                disabled=(da, db) == (a, b), on_click=_set, kwargs={"a": da, "b": db},
                width="stretch", help="The default: B the last third of the sidebar's date "
                                      "range, A the equal span before it.")


# --------------------------------------------------------------------------- the words
def select_word(key: str) -> None:
    """Click on a word bar: that word's sentences are listed (customdata[0] = word)."""
    words = [_custom(p, 0) for p in _points(key)]
    words = [w for w in words if w]
    if words:
        ss["w_cmp_word"] = str(words[0])


def _word_sentences(views, word: str, period, label: str) -> None:
    ev = distinct_sentences(views.compare_sentences(word, period, n=WORD_ROWS * 4), WORD_ROWS)
    st.markdown(f"**In {label}** ({period[0]:%Y-%m-%d} – {period[1]:%Y-%m-%d})")
    if ev.empty:
        st.caption("The word does not occur in this range.")
    else:
        evidence_table(ev, f"cmp_ev_{label[0].lower()}")


# --------------------------------------------------------------------------- the tab
def _range_text(period) -> str:
    return f"{period[0]:%Y-%m-%d} – {period[1]:%Y-%m-%d}"


def tab_compare(views, state: dict) -> None:
    """``views``: :mod:`analysis.views` of the current filter; ``state`` the view state
    (its ``cmp_a`` / ``cmp_b`` resolved by :func:`resolve_ranges`)."""
    first, last = views.span()
    if first is None:
        note("No article of this corpus has a publication date: the comparison needs "
             "dated articles.")
        return
    if first.date() == last.date():
        note("Every dated article is from one day: the comparison needs at least two days.")
        return
    if ss.get("_cmp_toast"):
        st.toast(ss.pop("_cmp_toast"))
    first, last = first.date(), last.date()
    a, b = state.get("cmp_a"), state.get("cmp_b")
    if not a or not b:
        a, b = resolve_ranges(views, state)
    lo = max(first, state.get("start") or first)
    hi = min(last, state.get("end") or last)
    if lo >= hi:
        lo, hi = first, last
    st.caption("Pick two date ranges. They take the place of the sidebar's dates here; "
               "the other filters (topics, sentiment, keyword) apply to both.")
    left, right = st.columns(2)
    with left:
        _range_picker("a", a, first, last)
    with right:
        _range_picker("b", b, first, last)
    _quick_choices(a, b, first, last, lo, hi)
    if a == b:
        note("A and B are the same range, so nothing changed. Pick another range for A "
             "(for instance “A = the period before B”).")
        return
    if a[0] <= b[1] and b[0] <= a[1]:
        st.caption(":orange[The ranges overlap: an article in both counts in each.]")
    try:
        changes = views.compare(a, b)
    except ValueError as exc:
        note(f"Nothing to compare: {exc} under the current filters. Widen the range or "
             "the sidebar's filters.")
        return
    total = changes.iloc[0]
    mix = float(changes.loc[changes["component"] == "mix", "contribution"].sum())
    within = float(changes.loc[changes["component"] == "within", "contribution"].sum())
    c = st.columns(5)
    c[0].metric("Mean sentiment A", f"{total['sentiment_a']:+.3f}", help=_range_text(a))
    c[1].metric("Mean sentiment B", f"{total['sentiment_b']:+.3f}", help=_range_text(b))
    c[2].metric("Change", f"{total['contribution']:+.3f}",
                help="Mean article compound of B minus that of A (articles with sentences).")
    c[3].metric("Articles A", f"{int(total['n_a']):,}")
    c[4].metric("Articles B", f"{int(total['n_b']):,}")
    st.caption(f"Of the change, **{mix:+.3f}** comes from the topic mix (more or fewer "
               f"articles on brighter or grimmer topics) and **{within:+.3f}** from within "
               "the topics (the same topics told more brightly or grimly). The two add up "
               "exactly to the change.")
    topics = changes[changes["component"] == "mix"]
    if len(topics) < 2:
        note("Only one topic in these ranges: the whole change is within that topic.")
    plot(compare_charts.change_waterfall(changes), key="cmp_waterfall")
    if len(topics) >= 2:
        plot(compare_charts.share_shift(changes), key="cmp_shares")
        st.caption("Share of B's articles minus share of A's, per topic (dominant topic).")
    words = changes[changes["component"] == "word"]
    st.subheader("Words that moved sentiment")
    if words.empty:
        note("No VADER lexicon word occurs in the sentences of these ranges.")
    else:
        plot(compare_charts.word_shift(changes, title=None), key="cmp_words",
             on_select=partial(select_word, "cmp_words"), mode=("points",))
        st.caption("Each word's change in occurrences per sentence times its VADER valence: "
                   "green pushed the mean up, red pulled it down; ↑ more frequent in B, ↓ "
                   "less. The word counts ignore negation (“not good”), so they explain "
                   "the direction, not the exact total. Click a bar to read the word's "
                   "sentences.")
        options = list(words["name"])
        if ss.get("w_cmp_word") not in options:
            ss.pop("w_cmp_word", None)
        word = st.selectbox("Sentences with the word", options, key="w_cmp_word", index=None,
                            placeholder="Click a bar above, or pick a word")
        if word:
            ca, cb = st.columns(2)
            with ca:
                _word_sentences(views, word, a, "A")
            with cb:
                _word_sentences(views, word, b, "B")
    bytes_download("Changes CSV (changes.csv, as the CLI's report writes it)", "changes",
                   lambda: views.changes_csv(a, b), "dl_changes")
