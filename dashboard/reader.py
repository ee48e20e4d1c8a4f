"""HTML of the article reader: the text sentence by sentence, each sentence tinted by its
compound score (score on hover), section headings kept.

Pure functions, no Streamlit.  Every piece of article text goes through
:func:`dashboard.escape.esc`: the HTML built here contains no text from the corpus
that is not escaped, so ``<script>`` or ``onerror=`` in an article shows as text.
"""
from __future__ import annotations

import math

import pandas as pd

from dashboard.escape import esc

__all__ = ["sentence_style", "article_html", "legend_html"]

_NEG = (214, 39, 40)
_POS = (44, 160, 44)
_NEU = (154, 154, 154)

_CSS = """
<style>
.na-reader {line-height: 1.75; font-size: 1.02rem; max-width: 52rem;}
.na-reader p {margin: 0 0 0.9rem 0;}
.na-reader h4 {margin: 1.2rem 0 0.5rem 0; font-size: 1.08rem;}
.na-reader .na-s {border-radius: 3px; padding: 1px 1px; box-decoration-break: clone;
  -webkit-box-decoration-break: clone; cursor: help;}
.na-reader .na-neutral {border-bottom: 1px dotted rgba(154,154,154,0.8);}
.na-reader .na-over {outline: 2px dashed rgba(31,119,180,0.85); outline-offset: 1px;}
.na-legend span {display: inline-block; padding: 1px 8px; margin-right: 6px; border-radius: 3px;
  font-size: 0.85rem;}
</style>
"""


_e = esc  # short: used in every f-string below


def sentence_style(compound: float, label: str) -> str:
    """Inline CSS of a sentence: a translucent red / green background whose strength
    follows ``|compound|`` (readable on light and dark themes); neutral has none."""
    if compound is None or (isinstance(compound, float) and math.isnan(compound)) \
            or label == "neutral":
        return ""
    rgb = _POS if label == "positive" else _NEG
    alpha = 0.14 + 0.46 * min(1.0, abs(float(compound)))
    return f"background-color: rgba({rgb[0]},{rgb[1]},{rgb[2]},{alpha:.2f});"


def _paragraphs(text: str):
    """(start, end) offsets of the paragraphs of ``text`` (separated by blank lines)."""
    spans, pos = [], 0
    for part in text.split("\n\n"):
        spans.append((pos, pos + len(part)))
        pos += len(part) + 2
    return spans


def article_html(text: str, sentences: pd.DataFrame, title: str | None = None) -> str:
    """The reader's HTML for one article.

    ``text`` is the article's ``text``; ``sentences`` its rows of the sentences frame
    (``start``, ``end``, ``compound``, ``label``, ``sentence_id``; an ``overridden``
    column, when present, outlines the sentences an analyst corrected).  Paragraphs without
    sentences (section headings such as ``The Escape:``) are shown as headings.
    """
    text = "" if text is None else str(text)
    sents = sentences.sort_values("start").assign(
        overridden=sentences["overridden"] if "overridden" in sentences else False)
    sents = sents[["start", "end", "compound", "label", "sentence_id", "overridden"]]
    rows = list(sents.itertuples(index=False))
    out = [_CSS, '<div class="na-reader">']
    if title:
        out.append(f"<h3>{_e(title)}</h3>")
    i = 0
    for pstart, pend in _paragraphs(text):
        para = text[pstart:pend]
        if not para.strip():
            continue
        pieces, pos = [], pstart
        while i < len(rows) and rows[i].start < pend:
            r = rows[i]
            s, e = max(int(r.start), pos), min(int(r.end), pend)
            if s > pos:
                pieces.append(_e(text[pos:s]))
            if e > s:
                score = float(r.compound)
                label = str(r.label)
                tip = f"sentence {int(r.sentence_id)}: compound {score:+.3f} ({label})"
                cls = "na-s na-neutral" if label == "neutral" else "na-s"
                if bool(r.overridden):
                    tip += ", corrected by an analyst"
                    cls += " na-over"
                pieces.append(f'<span class="{cls}" style="{sentence_style(score, label)}" '
                              f'title="{_e(tip)}" data-compound="{score:.4f}">{_e(text[s:e])}</span>')
                pos = e
            i += 1
        if pos == pstart:  # no sentence in this paragraph: a heading
            out.append(f"<h4>{_e(para.strip())}</h4>")
            continue
        if pos < pend:
            pieces.append(_e(text[pos:pend]))
        out.append("<p>" + "".join(pieces) + "</p>")
    out.append("</div>")
    return "\n".join(out)


def legend_html() -> str:
    """A one-line legend of the reader's colours."""
    return (_CSS + '<div class="na-legend">'
            f'<span style="{sentence_style(-0.8, "negative")}">negative</span>'
            '<span class="na-neutral" style="border-bottom:1px dotted #9a9a9a">neutral</span>'
            f'<span style="{sentence_style(0.8, "positive")}">positive</span>'
            "<small>stronger colour = stronger score; hover a sentence for its score</small>"
            "</div>")


def _score_chip(compound: float, label: str) -> str:
    style = sentence_style(compound, label) or "background-color: rgba(154,154,154,0.25);"
    return (f'<span style="{style} border-radius:4px; padding:0 6px; font-variant-numeric:'
            f'tabular-nums; white-space:nowrap; font-weight:600">{compound:+.3f}</span>')


def evidence_html(evidence: pd.DataFrame, href=None) -> str:
    """A readable list of evidence sentences (from :func:`analysis.aggregate.evidence`):
    score chip, the sentence (escaped, wrapped), then its article title, date and topic.
    With ``href`` (``article_id -> URL``) the title links to the article in the reader."""
    items = []
    for r in evidence.itertuples(index=False):
        date = "undated" if pd.isna(getattr(r, "published", pd.NaT)) else \
            pd.Timestamp(r.published).strftime("%Y-%m-%d")
        title = _e(getattr(r, "title", "") or "")
        if href is not None and title:
            title = (f'<a href="{_e(href(str(r.article_id)))}" target="_self" '
                     f'title="Open in the reader">{title}</a>')
        copies = int(getattr(r, "copies", 1) or 1)
        also = f"also in {copies - 1} more" if copies > 1 else ""  # folded wire copies
        meta = " · ".join(x for x in (title, _e(date), _e(getattr(r, "topic_label", "") or ""),
                                      also) if x)
        items.append(
            '<li style="margin:0 0 0.7rem 0; list-style:none">'
            f'{_score_chip(float(r.compound), str(r.label))} {_e(r.text)}'
            f'<div style="opacity:0.65; font-size:0.85rem; margin-top:2px">{meta}</div></li>')
    return '<ul style="padding-left:0; margin:0">' + "".join(items) + "</ul>"
