"""The analyst's corrections in the reader: override a sentence's or the article's
sentiment (a label or a score, with a note) and move the article to another topic.

The forms write the overrides file through :mod:`analysis.overrides` in their button
callbacks, which run before the page is drawn again, so the same rerun shows every
figure corrected.  Where the file lives and what else a change needs is the
:class:`Corrections` of the source (beside the cached result for a folder or file,
in the store folder for an archive store).  Bad input (a score outside −1..1, a word
where a number goes, a topic that is not there) is said in the form, never raised.
"""
from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pandas as pd
import streamlit as st

from analysis.overrides import LABEL_SCORES, add_override, undo_override
from analysis.store_lock import store_writer
from dashboard import charts

__all__ = ["Corrections", "correction_form", "undo", "WHOLE_ARTICLE"]

ss = st.session_state
#: The sentence picker's entry for the article's own sentiment.
WHOLE_ARTICLE = -1
_FROM_SCORE = "from the score"
#: Seconds a correction waits for another writer of the store (another server's
#: correction takes about 2 s at 100k articles; an ``index`` run takes minutes: refused).
STORE_WAIT = 5.0


@dataclass(frozen=True)
class Corrections:
    """Where a source's corrections live and how the page lists and applies them.

    ``path``: the overrides file; ``listing()``: :func:`analysis.overrides.describe_overrides`
    of the source (what, old → new, note, when); ``after()``: work a change needs
    before the page reads the corrected answers again (an archive store rewrites the
    affected months, :mod:`analysis.store_overrides`), or None; ``mark(kind, frame)``:
    the article row or sentences with their ``overridden`` flags when the views do not
    carry them (a store's rows), or None."""

    path: Path
    listing: Callable[[], pd.DataFrame]
    after: Callable[[], None] | None = None
    mark: Callable[[str, pd.DataFrame], pd.DataFrame] | None = None
    #: Held while a change is written and applied: two sessions correcting at once must
    #: not interleave the file's read-modify-write (one correction would be lost) nor
    #: two rewrites of a store's months.
    lock: object | None = None
    #: The archive store the change rewrites, or None (a folder's overrides file): held
    #: against other processes too (:func:`analysis.store_lock.store_writer`), so a
    #: correction made while ``index`` updates the store is refused with who is writing.
    store: Path | None = None

    @contextlib.contextmanager
    def writing(self):
        with self.lock if self.lock is not None else contextlib.nullcontext():
            if self.store is None:
                yield
                return
            with store_writer(self.store, "a dashboard correction", timeout=STORE_WAIT):
                yield

    def changed(self) -> None:
        if self.after is not None:
            self.after()

    def marked(self, row: pd.Series, sents: pd.DataFrame) -> tuple[pd.Series, pd.DataFrame]:
        """``(row, sents)`` of the reader with ``overridden`` flags."""
        if self.mark is None or "overridden" in sents:
            return row, sents
        row = self.mark("articles", row.to_frame().T).iloc[0]
        return row, self.mark("sentences", sents)


def _say(kind: str, text: str) -> None:
    ss["_ov_msg"] = (kind, text)


def _parse_score(text: str):
    """The score typed (None when blank); ValueError with the reason otherwise."""
    text = (text or "").strip().replace("−", "-")  # a typographic minus reads as one
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"score must be a number from -1 to 1; got {text!r}") from None
    if not -1.0 <= value <= 1.0:
        raise ValueError(f"score must be a number from -1 to 1; got {text}")
    return value


def _save_sentiment(corr: Corrections, article_id: str, texts: dict) -> None:
    """Form callback: the sentiment override of the picked sentence or of the article."""
    which = ss.get("ov_sent", WHOLE_ARTICLE)
    label = ss.get("ov_label")
    label = None if label in (None, _FROM_SCORE) else label
    note = str(ss.get("ov_note") or "").strip()
    try:
        score = _parse_score(ss.get("ov_score"))
    except ValueError as exc:
        return _say("error", f"Not saved: {exc}.")
    try:
        with corr.writing():
            _write_sentiment(corr, article_id, texts, which, label, score, note)
    except ValueError as exc:
        return _say("error", f"Not saved: {exc}.")
    what = "the article's sentiment" if which == WHOLE_ARTICLE else f"sentence {which}"
    ss["ov_score"], ss["ov_note"], ss["ov_label"] = "", "", _FROM_SCORE
    _say("success", f"Corrected {what}. Every figure now counts the correction; undo it "
                    "in the Corrections tab.")


def _write_sentiment(corr: Corrections, article_id: str, texts: dict, which: int, label,
                     score, note: str) -> None:
    """Add the override and apply it (ValueError with the reason for bad input)."""
    if which == WHOLE_ARTICLE:
        add_override(corr.path, "article", article_id, label=label, score=score, note=note)
    else:
        if which not in texts:
            raise ValueError(f"sentence {which} is not in this article")
        add_override(corr.path, "sentence", article_id, sentence_text=texts[which],
                     label=label, score=score, note=note)
    corr.changed()


def _save_topic(corr: Corrections, article_id: str, current: int, topics: dict) -> None:
    """Form callback: move the article to the picked topic."""
    target = ss.get("ov_topic")
    note = str(ss.get("ov_topic_note") or "").strip()
    try:
        if target is None or int(target) not in topics:
            raise ValueError(f"unknown topic {target!r}; pick one of the list")
        if int(target) == int(current):
            raise ValueError(f"the article is already in “{topics[int(target)]}”")
        with corr.writing():
            add_override(corr.path, "topic", article_id, topic_id=int(target),
                         topic_label=topics[int(target)], note=note)
            corr.changed()
    except ValueError as exc:
        return _say("error", f"Not moved: {exc}.")
    ss["ov_topic_note"] = ""
    _say("success", f"Moved the article to “{topics[int(target)]}”.")


def undo(corr: Corrections, override_id: int) -> None:
    """Button callback: remove one override."""
    try:
        with corr.writing():
            gone = undo_override(corr.path, override_id)
            corr.changed()
    except ValueError as exc:
        return _say("error", f"Not undone: {exc}.")
    _say("success", f"Undid correction {int(override_id)} ({gone['kind'].iloc[0]} of "
                    f"{gone['article_id'].iloc[0]}).")


def show_message() -> None:
    """The last form's outcome, once."""
    msg = ss.pop("_ov_msg", None)
    if msg is not None:
        (st.error if msg[0] == "error" else st.success)(msg[1])


def correction_form(corr: Corrections, row: pd.Series, sents: pd.DataFrame,
                    topics: pd.DataFrame) -> None:
    """The forms under the reader for the article ``row`` (its ``sents``, the source's
    ``topics`` with ``topic_id`` and ``label``)."""
    article_id = str(row["article_id"])
    texts = {int(i): str(t) for i, t in zip(sents["sentence_id"], sents["text"])}

    def name(i: int) -> str:
        # Text only, numbered as the reader's tooltips number them: the browser keeps a
        # picked option's label, so a score in it would show the value before a save.
        if i == WHOLE_ARTICLE:
            return "The whole article"
        return f"{i}. {charts.short(texts[i], 80)}"

    if ss.get("ov_sent") not in (WHOLE_ARTICLE, *texts):  # another article was opened
        ss.pop("ov_sent", None)
    with st.expander("Correct this article", icon=":material/edit:",
                     expanded=bool(ss.get("_ov_msg"))):
        show_message()
        with st.form("ov_sentiment_form", border=False):
            st.selectbox("Sentiment of", [WHOLE_ARTICLE, *texts], format_func=name,
                         key="ov_sent", help="a sentence (its score: hover it in the text; "
                                             "corrected ones are outlined) or the article's mean")
            c1, c2 = st.columns(2)
            c1.selectbox("Label", [_FROM_SCORE, *LABEL_SCORES], key="ov_label",
                         help="a label alone counts as +0.5 / 0 / −0.5")
            c2.text_input("Score (−1 to 1)", key="ov_score", placeholder="e.g. -0.6")
            st.text_input("Note (optional)", key="ov_note", placeholder="why: sarcasm, quote …")
            st.form_submit_button("Save sentiment correction", icon=":material/check:",
                                  on_click=_save_sentiment, args=(corr, article_id, texts))
        st.divider()
        ids = [int(t) for t in topics["topic_id"]]
        labels = dict(zip(ids, topics["label"].astype(str)))
        current = int(row["topic_id"])
        with st.form("ov_topic_form", border=False):
            st.selectbox("Move to topic", ids, format_func=lambda t: labels[t],
                         index=ids.index(current) if current in ids else None, key="ov_topic")
            st.text_input("Note (optional)", key="ov_topic_note")
            st.form_submit_button("Move article", icon=":material/move_item:",
                                  on_click=_save_topic, args=(corr, article_id, current, labels))
