"""Split articles into sentences, keeping paragraph, section and character offsets.

Splitting uses blingfire (a finite-state sentence breaker, ~300k sentences/s) on each
paragraph, followed by a small repair pass for its known misses: it splits after
honorifics ("Dr." / "Who left.") and after a quote closed mid-sentence ('..." / "he
said."), and does not split before an honorific ("said. Mr. Smith").  Paragraphs are
cut on blank lines first, so a section heading is never glued to the next sentence.
"""
from __future__ import annotations

import bisect
import ctypes
import re
import threading

import blingfire
import numpy as np
import pandas as pd

from .text import is_heading

__all__ = ["split_sentences", "split_text", "MAX_SENTENCE_WORDS", "SENTENCE_COLUMNS"]

#: Over-long "sentences" (a pasted page without full stops) are cut into pieces of at
#: most this many words: VADER's cost grows with the square of a sentence's length.
MAX_SENTENCE_WORDS = 120

SENTENCE_COLUMNS = [
    "article_id", "sentence_id", "paragraph", "section",
    "start", "end", "text", "truncated",
]

# Honorifics are always followed by a name, so a break right after one is wrong.
_HONORIFIC_END = re.compile(
    r"(?:^|[\s(\"'“‘])(?:Mr|Mrs|Ms|Mx|Dr|Prof|Gen|Sen|Rep|Gov|Lt|Col|Sgt|Capt|Cmdr|Adm|"
    r"Rev|Hon|Pres|Supt|Insp|Det|Cpl|Pvt|Maj|Brig|Messrs|Mt|Ft|Jr|Sr|St|No|Nos|vs|Fig|"
    r"approx|Jan|Feb|Mar|Apr|Aug|Sep|Sept|Oct|Nov|Dec)\.$"
)
# A piece that starts in lower case (or with punctuation that continues a clause)
# continues the previous sentence: '"I won't," he said.' split after the quote.
_CONTINUATION = re.compile(r"[\"'”’)\]]*\s*(?:[a-z]|[,;:%)\]])")  # used with match(): anchored
# blingfire keeps "said. Mr. Smith agreed." together; split before an honorific that
# follows a full stop closing a lower-case word of two or more letters.
_MISSED_BREAK = re.compile(
    r"(?<=[a-z]{2}[.!?])(\s+)(?=(?:Mr|Mrs|Ms|Dr|Prof|Sen|Gen|Gov|Rep)\.\s+[A-Z])"
)
# Cheap test for text that may hold a _MISSED_BREAK.
_HONORIFIC_HINT = re.compile(r"(?:Mr|Mrs|Ms|Dr|Prof|Sen|Gen|Gov|Rep)\.")
_WORD = re.compile(r"\S+")
# A paragraph: a run of non-blank lines, from its first to its last visible character.
# Written as "a line, then more lines while the next one is not blank" so the look-ahead
# runs once per line break, not once per character (the same matches; a sixth of the
# split time before).
_BLOCK = re.compile(r"\S[^\n]*(?:\n(?![^\S\n]*\n)[^\n]*)*")


# blingfire's wrapper allocates a fresh ctypes buffer (a new array type) per call, a
# third of its cost on short articles; each thread reuses one buffer instead (the call
# releases the GIL, so threads must not share it).
_BUFFERS = threading.local()


def _text_to_sentences(text: str) -> str:
    """``blingfire.text_to_sentences`` with a reused output buffer."""
    data = text.encode("utf-8")
    need = 2 * len(data) + 16        # the wrapper's own sizing, plus the final NUL
    buf = getattr(_BUFFERS, "buf", None)
    if buf is None or len(buf) < need:
        buf = _BUFFERS.buf = ctypes.create_string_buffer(max(need, 1 << 16))
    n = blingfire.blingfire.TextToSentences(ctypes.c_char_p(data), ctypes.c_int(len(data)),
                                            ctypes.byref(buf), ctypes.c_int(len(buf)))
    if n < 1 or n > len(buf):
        return blingfire.text_to_sentences(text)
    return ctypes.string_at(buf, n - 1).decode("utf-8")   # n counts the final NUL


def _blingfire_spans(paragraph: str) -> list[tuple[int, int]]:
    if not paragraph.strip():
        return []
    # blingfire's own offsets function maps bytes to characters in a Python loop over
    # every character (it was 80% of the split time); its sentences are substrings of
    # the input, so locating them with str.find is exact and much faster.
    spans = []
    pos = 0
    for sentence in _text_to_sentences(paragraph).split("\n"):
        if not sentence:
            continue
        i = paragraph.find(sentence, pos)
        if i < 0:
            _, offsets = blingfire.text_to_sentences_and_offsets(paragraph)
            return [(int(a), int(b)) for a, b in offsets if b > a]
        spans.append((i, i + len(sentence)))
        pos = i + len(sentence)
    return spans


def _repair(paragraph: str, spans: list[tuple[int, int]],
            honorifics: list[int] | None = None) -> list[tuple[int, int]]:
    """Merge pieces broken after honorifics or before a lower-case continuation,
    and split before an honorific that starts a new sentence.

    ``honorifics``: the sorted start offsets of every :data:`_HONORIFIC_HINT` match in
    ``paragraph``, when known; a piece without one cannot hold a missed break, and the
    break pattern (a look-behind tried at every character) is then not run on it.
    """
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged:
            prev_start, prev_end = merged[-1]
            # Only the tail can hold an honorific: search it, not the whole sentence;
            # the continuation test is anchored at the piece's start (no slice copied).
            if (_HONORIFIC_END.search(paragraph[max(prev_start, prev_end - 12):prev_end])
                    or _CONTINUATION.match(paragraph, start, end)):
                merged[-1] = (prev_start, end)
                continue
        merged.append((start, end))
    out: list[tuple[int, int]] = []
    for start, end in merged:
        cut = start
        if honorifics is None or _any_between(honorifics, start, end):
            for m in _MISSED_BREAK.finditer(paragraph, start, end):
                out.append((cut, m.start(1)))
                cut = m.end(1)
        out.append((cut, end))
    return out


def _any_between(sorted_offsets: list[int], start: int, end: int) -> bool:
    """Whether some offset lies in ``[start, end)``."""
    i = bisect.bisect_left(sorted_offsets, start)
    return i < len(sorted_offsets) and sorted_offsets[i] < end


def _bound_length(text: str, start: int, end: int, max_words: int):
    """Yield (start, end, truncated) pieces of at most ``max_words`` words."""
    # Cheap test first: fewer spaces than the limit means fewer words.
    if text.count(" ", start, end) < max_words:
        yield start, end, False
        return
    words = list(_WORD.finditer(text, start, end))
    if len(words) <= max_words:
        yield start, end, False
        return
    for i in range(0, len(words), max_words):
        chunk = words[i:i + max_words]
        yield chunk[0].start(), chunk[-1].end(), True


def split_text(text: str, max_words: int = MAX_SENTENCE_WORDS) -> list[tuple]:
    """Split one article text into sentence records.

    Returns a list of ``(paragraph, section, start, end, truncated)`` tuples, where
    ``text[start:end]`` is the sentence.  Paragraphs are separated by blank lines;
    a paragraph that reads as a heading (``The Escape:``) sets the section of the
    sentences that follow and is not itself a sentence.
    """
    # Paragraphs with their offsets; a heading paragraph becomes the section of what
    # follows.
    paragraphs = []  # (paragraph_no, section, start, end)
    headings = []
    section = ""
    paragraph_no = -1
    for m in _BLOCK.finditer(text):
        paragraph_no += 1
        block = m.group().rstrip()
        end = m.start() + len(block)
        if "\n" not in block and is_heading(block):
            section = block.rstrip(":").strip()
            headings.append((m.start(), end))
            continue
        paragraphs.append((paragraph_no, section, m.start(), end))
    if not paragraphs:
        return []
    # One splitter call for the whole article (a call per paragraph costs more in
    # wrapper overhead than the splitting itself).  Line breaks become spaces and
    # headings are blanked out, keeping every offset; sentences are then cut at
    # paragraph boundaries, so nothing runs from one paragraph into the next.
    flat = text.replace("\n", " ")
    for a, b in headings:
        flat = flat[:a] + " " * (b - a) + flat[b:]
    spans = _blingfire_spans(flat)
    # A lone piece needs repair only to split before an honorific it holds.
    honorifics = [m.start() for m in _HONORIFIC_HINT.finditer(flat)]
    has_honorific = bool(honorifics)
    records = []
    i = 0
    for paragraph_no, section, p_start, p_end in paragraphs:
        pieces = []
        while i < len(spans) and spans[i][1] <= p_start:
            i += 1
        j = i
        while j < len(spans) and spans[j][0] < p_end:
            a, b = max(spans[j][0], p_start), min(spans[j][1], p_end)
            if b > a:
                pieces.append((a, b))
            j += 1
        for a, b in _repair(flat, pieces, honorifics) if len(pieces) > 1 or has_honorific else pieces:
            # Trim whitespace the splitter may include at either edge.
            while a < b and flat[a].isspace():
                a += 1
            while b > a and flat[b - 1].isspace():
                b -= 1
            if b <= a:
                continue
            if flat.count(" ", a, b) < max_words:      # fewer spaces than words allowed
                records.append((paragraph_no, section, a, b, False))
                continue
            for s, e, cut in _bound_length(flat, a, b, max_words):
                records.append((paragraph_no, section, s, e, cut))
    return records


def split_sentences(articles: pd.DataFrame, max_words: int = MAX_SENTENCE_WORDS) -> pd.DataFrame:
    """One row per sentence of every article.

    Parameters
    ----------
    articles : DataFrame with ``article_id`` (str) and ``text`` (str) columns.
    max_words : int, default 120. Longer runs without sentence punctuation are cut
        into pieces of at most this many words, flagged ``truncated``.

    Returns
    -------
    DataFrame with columns ``article_id`` (str), ``sentence_id`` (int64, 0-based within
    the article), ``paragraph`` (int64), ``section`` (str, "" before any heading),
    ``start``/``end`` (int64 offsets into the article text), ``text`` (str, exactly
    ``article_text[start:end]``) and ``truncated`` (bool).  Articles with no sentence
    contribute no rows.
    """
    owners, counts = [], []
    paras, sections, starts, ends, texts, cuts = ([] for _ in range(6))
    for article_id, text in zip(articles["article_id"].tolist(), articles["text"].tolist()):
        records = split_text(text, max_words)
        if not records:
            continue
        # Whole columns per article (zip and extend run in C), not an append per value.
        p, sec, s, e, cut = zip(*records)
        owners.append(article_id)
        counts.append(len(records))
        paras.extend(p)
        sections.extend(sec)
        starts.extend(s)
        ends.extend(e)
        cuts.extend(cut)
        texts.extend([text[a:b] for a, b in zip(s, e)])
    counts = np.asarray(counts, dtype=np.int64)
    ids = np.repeat(np.asarray(owners, dtype=object), counts)
    # 0, 1, … within each article: the running index minus its article's first one.
    sids = np.arange(len(paras), dtype=np.int64) - np.repeat(np.cumsum(counts) - counts, counts)
    return pd.DataFrame({
        "article_id": pd.Series(ids, dtype=object),
        "sentence_id": sids,
        "paragraph": np.asarray(paras, dtype=np.int64),
        "section": pd.Series(sections, dtype=object),
        "start": np.asarray(starts, dtype=np.int64),
        "end": np.asarray(ends, dtype=np.int64),
        "text": pd.Series(texts, dtype=object),
        "truncated": np.asarray(cuts, dtype=bool),
    })
