"""Read news articles from files into the ``corpus`` frame (see docs/frames.md).

Every input is either analysed (a row of the corpus frame) or accounted for (a row of
the ``skipped`` frame with a reason a person understands). Only problems with the
source as a whole raise :class:`SourceError`.

Accepted sources
----------------
* a folder (walked recursively in sorted path order; ``.txt`` files are articles),
* a single ``.txt`` file,
* a ``.csv``, ``.tsv``, ``.jsonl`` / ``.ndjson``, ``.json`` or ``.parquet`` table,
* a pandas DataFrame (encoding ``table``, sources ``dataframe:row N``),
* a list of any of the above (read in the order given).

Text files in the seed format start with a ``news-DDMMYYYY-HHMMSS`` line that gives the
article id and publication time; other text files are articles too (id from the file
name). The text clean-up (:func:`clean_text`, :func:`split_blocks`, :func:`is_heading`)
is public because the sentence splitter reuses it.

Example
-------
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "a.txt").write_text("news-22082024-042604\\n\\nThe Escape:\\nHe ran.\\n")
>>> corpus, skipped = read_source(folder)
>>> corpus.loc[0, ["article_id", "text"]].tolist()
['news-22082024-042604', 'The Escape:\\n\\nHe ran.']
>>> str(corpus.loc[0, "published"])
'2024-08-22 04:26:04'
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import math
import os
import re
import stat
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

import numpy as np
import pandas as pd
from dateutil import parser as dateutil_parser

__all__ = [
    "SourceError",
    "read_source",
    "load_corpus",
    "clean_text",
    "split_blocks",
    "is_heading",
    "looks_like_html",
    "html_to_text",
    "make_title",
    "parse_news_stamp",
    "parse_dates",
    "CORPUS_COLUMNS",
    "SKIPPED_COLUMNS",
]

CORPUS_COLUMNS = ["article_id", "published", "title", "text", "source", "encoding", "warning"]
SKIPPED_COLUMNS = ["source", "reason"]

TABLE_SUFFIXES = {".csv", ".tsv", ".jsonl", ".ndjson", ".json", ".parquet"}

# Column names recognised in tables, best first (matched case-insensitively).
TEXT_NAMES = ("text", "body", "content", "article", "story", "full_text")
ID_NAMES = ("id", "article_id", "doc_id", "uuid")
DATE_NAMES = ("date", "published", "publication_date", "timestamp", "datetime", "time", "pubdate")
TITLE_NAMES = ("title", "headline", "heading")
# Keys of a JSON object that hold the list of records.
JSON_LIST_KEYS = ("articles", "records", "data", "items", "rows")

# A line longer than this cannot come from hard wrapping (typical widths are 65-80),
# so the line break after it is a real paragraph break.
WRAP_WIDTH = 100
# Decoded text with a larger share of control characters is treated as binary.
MAX_CONTROL_SHARE = 0.05
EARLIEST_DATE = datetime(1900, 1, 1)


class SourceError(ValueError):
    """The source as a whole cannot be read (missing, nothing to read, no text column)."""


# ----------------------------------------------------------------------------- text


_NEWLINES_RE = re.compile(r"\r\n?|\u2028|\x85(?=\n)")
# Whitespace other than newline, plus control characters, collapse to one space.
_INLINE_SPACE_RE = re.compile(r"(?:[^\S\n]|[\x00-\x08\x0e-\x1f\x7f-\x9f])+")
_LEADING_SPACE_RE = re.compile(r"^[^\S\n]*")
_BULLET_RE = re.compile(r"^(?:\s*[•*▪·]\s|\s+[-–—]\s)")
# Sentence-final punctuation, optionally followed by closing quotes or brackets.
_SENTENCE_END_RE = re.compile(r"[.!?:;…][\"'”’»)\]]*$")
_HEADING_WORD_RE = re.compile(r"^[^\W\d_][\w'’&-]*$")
_SMALL_WORDS = frozenset(
    "a an and as at but by for from in into nor of on or over per the to up via vs with".split()
)


def is_heading(line: str) -> bool:
    """Whether a single line (or paragraph) reads as a section heading.

    True for a short line (at most 8 words, 80 characters) that starts with a capital
    letter and either

    * ends with ``:``, has no other punctuation and is in Title Case
      (``The Escape:``, ``In Conclusion:``, ``Q3 Results:``), or
    * has no punctuation at all, consists of words only (no digits) and is in
      Title Case (``The Aftermath``).

    Small words (``of``, ``the``, ``and`` …) may be lowercase inside Title Case.
    This is the context-free test; :func:`split_blocks` only makes a line a heading
    where it also starts a block and is followed by more text, and never inside a
    hard-wrapped paragraph.

    >>> is_heading("The Escape:"), is_heading("Oilseed export registrations were:")
    (True, False)
    """
    s = line.strip()
    if not s or len(s) > 80 or not s[0].isupper():
        return False
    has_colon = s.endswith(":")
    body = s[:-1].rstrip() if has_colon else s
    words = body.split()
    if not words or len(words) > 8:
        return False
    if any(ch in body for ch in ".!?;:,…\"“”()[]"):
        return False
    title_case = all(
        not w[0].isalpha() or w[0].isupper() or w.lower() in _SMALL_WORDS for w in words
    )
    if has_colon:
        return title_case
    return title_case and all(_HEADING_WORD_RE.match(w) for w in words)


def _ends_sentence(line: str) -> bool:
    return bool(_SENTENCE_END_RE.search(line))


def _normalise_newlines(text: str) -> str:
    text = text.replace("\ufeff", "").replace("\u2029", "\n\n")
    return _NEWLINES_RE.sub("\n", text)


def _indent(raw_line: str) -> int:
    """Indentation width of a raw line; a tab counts as 4 columns."""
    lead = _LEADING_SPACE_RE.match(raw_line).group()
    return len(lead) + 3 * lead.count("\t")


def _split_heading_runs(lines: list[str]) -> list[list[str]]:
    """Split one block of lines where a heading line starts a new paragraph.

    A heading must be followed by more text in the block and must start the block or
    follow a line that ends a sentence (so a wrapped line is never a heading). A heading
    without a colon additionally needs a next line longer than any wrap width, which
    keeps Reuters-style wrapped text ("Texas Commerce Bancshares Inc's Texas") intact.
    """
    out: list[list[str]] = []
    cur: list[str] = []
    for i, line in enumerate(lines):
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        heading = (
            nxt is not None
            and (not cur or _ends_sentence(cur[-1]))
            and is_heading(line)
            and (line.endswith(":") or len(nxt) > WRAP_WIDTH)
        )
        if heading:
            if cur:
                out.append(cur)
            out.append([line])
            cur = []
        else:
            cur.append(line)
    if cur:
        out.append(cur)
    return out


def split_blocks(raw: str) -> list[str]:
    """Split raw article text into cleaned paragraphs.

    Rules, in order:

    * ``\\r\\n`` and lone ``\\r`` become ``\\n``; HTML (see :func:`looks_like_html`) is
      converted to text first.
    * Inside a line, tabs, no-break and other Unicode spaces and control characters
      become one space; lines are stripped. Words and punctuation are never changed.
    * A new paragraph starts at a blank line; at a line indented 2+ columns more than
      the least indented line (Reuters style, where every paragraph's first line is
      indented); at a bullet line (``•``, ``*``, or an indented ``-``); and after a line
      longer than ``WRAP_WIDTH`` (such a line was not hard-wrapped).
    * A short heading line (:func:`is_heading`) that starts a block or follows the end
      of a sentence and is followed by more text becomes its own paragraph.
    * Other line breaks are hard wraps: the lines are joined with one space.

    Returns the non-empty paragraphs in order.

    >>> split_blocks("The Escape:\\nHe ran\\nfast.\\n\\n    Then he\\nhid.\\n    The end.")
    ['The Escape:', 'He ran fast.', 'Then he hid.', 'The end.']
    """
    text = _normalise_newlines(raw)
    if looks_like_html(text):
        text = html_to_text(text)
    parsed = []
    for raw_line in text.split("\n"):
        stripped = _INLINE_SPACE_RE.sub(" ", raw_line).strip()
        parsed.append((_indent(raw_line) if stripped else 0, stripped, raw_line))
    indents = [ind for ind, s, _ in parsed if s]
    base = min(indents) if indents else 0

    blocks: list[list[str]] = []
    cur: list[str] = []
    for ind, s, raw_line in parsed:
        if not s:
            if cur:
                blocks.append(cur)
            cur = []
            continue
        if cur and (ind - base >= 2 or len(cur[-1]) > WRAP_WIDTH or _BULLET_RE.match(raw_line)):
            blocks.append(cur)
            cur = []
        cur.append(s)
    if cur:
        blocks.append(cur)

    paragraphs = []
    for block in blocks:
        for run in _split_heading_runs(block):
            paragraphs.append(" ".join(run))
    return paragraphs


def clean_text(raw: str) -> str:
    """Clean raw article text: paragraphs from :func:`split_blocks` joined by ``"\\n\\n"``.

    >>> clean_text("A wrapped\\r\\nline.\\r\\n\\r\\nNext\\tpara.")
    'A wrapped line.\\n\\nNext para.'
    """
    return "\n\n".join(split_blocks(raw))


# ----------------------------------------------------------------------------- HTML

_HTML_DOC_RE = re.compile(r"<!doctype\s+html|<html[\s>]|<body[\s>]", re.I)
_HTML_CLOSE_RE = re.compile(
    r"</(?:p|div|span|a|b|i|u|em|strong|h[1-6]|li|ul|ol|table|tr|td|th|section|article|"
    r"blockquote|header|footer|main|title|script|style|font|center)\s*>",
    re.I,
)
# Opening tags count only in lowercase: Reuters writes tickers like <BR> or <I>.
_HTML_OPEN_RE = re.compile(r"<(?:p|div|br|li|h[1-6])(?:\s[^<>]*)?/?>")


def looks_like_html(text: str) -> bool:
    """Whether text is HTML: a document tag, a closing tag of a common element, or at
    least two lowercase ``<p>``/``<div>``/``<br>``/``<li>``/``<hN>`` tags.

    Conservative on purpose: a stock ticker such as ``<BR>`` or ``<shu>`` is not HTML.
    """
    if "<" not in text:
        return False
    return bool(
        _HTML_DOC_RE.search(text)
        or _HTML_CLOSE_RE.search(text)
        or len(_HTML_OPEN_RE.findall(text)) >= 2
    )


class _HTMLToText(HTMLParser):
    BLOCK = frozenset(
        "address article aside blockquote body dd div dl dt figcaption figure footer form h1 h2 "
        "h3 h4 h5 h6 header hr html li main nav ol p pre section table td th title tr ul".split()
    )
    SKIP = frozenset({"script", "style", "noscript", "template"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip_depth = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in self.SKIP:
            self.skip_depth += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag in self.BLOCK:
            self.parts.append("\n\n")

    def handle_startendtag(self, tag: str, attrs: Any) -> None:
        if tag == "br":
            self.parts.append("\n")
        elif tag in self.BLOCK:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self.skip_depth = max(0, self.skip_depth - 1)
        elif tag in self.BLOCK:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self.skip_depth:
            # In HTML, any run of whitespace (including source line breaks) is one space.
            self.parts.append(re.sub(r"\s+", " ", data))


def html_to_text(html: str) -> str:
    """Convert HTML to plain text with the stdlib parser.

    Block elements (``<p>``, ``<div>``, ``<li>``, headings …) become paragraph breaks,
    ``<br>`` a line break; entities are unescaped; ``<script>``/``<style>`` content is
    dropped. The result still needs :func:`clean_text`.
    """
    parser = _HTMLToText()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)


# ----------------------------------------------------------------------------- titles

_FIRST_SENTENCE_RE = re.compile(r"[.!?…][\"'”’»)\]]*(?=\s|$)")


def _shorten(text: str, limit: int = 80) -> str:
    """Cut text to at most ``limit`` characters at a word boundary, adding '…'."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:-–—") + "…"


def make_title(text: str) -> str:
    """Title for a cleaned text that has no title of its own.

    The first paragraph when it is short and reads like a title (at most 15 words and
    150 characters, not ending with '.' or ':'); otherwise the first sentence of the
    first non-heading paragraph, shortened to about 80 characters at a word boundary
    with '…'. The text itself is not changed.
    """
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    if not paragraphs:
        return ""
    first = paragraphs[0]
    if len(first.split()) <= 15 and len(first) <= 150 and not first.endswith((".", ":")):
        return first
    body = next((p for p in paragraphs if not is_heading(p)), first)
    match = _FIRST_SENTENCE_RE.search(body)
    sentence = body[: match.end()] if match else body
    return _shorten(sentence)


# ----------------------------------------------------------------------------- dates

_STAMP_RE = re.compile(r"^news-(\d{2})(\d{2})(\d{4})-(\d{2})(\d{2})(\d{2})$")
# Anything that looks like the header format, to report malformed ones.
_STAMP_LIKE_RE = re.compile(r"^news-\d+-\d+$", re.I)
_MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


def _latest_date(now: datetime | None = None) -> datetime:
    return (now or datetime.now()) + timedelta(days=1)


def _range_problem(value: datetime, now: datetime | None = None) -> str:
    """'' when value is a plausible publication time, else why not."""
    if value < EARLIEST_DATE:
        return "is before 1900"
    if value > _latest_date(now):
        return "is in the future"
    return ""


def parse_news_stamp(
    stamp: str, *, where: str = "", now: datetime | None = None
) -> tuple[datetime | None, str]:
    """Parse ``news-DDMMYYYY-HHMMSS``; return ``(datetime or None, warning or '')``.

    ``where`` (e.g. ``"header"``) is named in the warning.

    >>> parse_news_stamp("news-22082024-042604")
    (datetime.datetime(2024, 8, 22, 4, 26, 4), '')
    >>> parse_news_stamp("news-31022024-000000")[1]
    "impossible date in 'news-31022024-000000' (31 Feb 2024); published left unknown"
    """
    quoted = f"{where} '{stamp}'" if where else f"'{stamp}'"
    m = _STAMP_RE.match(stamp.strip())
    if not m:
        return None, f"{quoted} is not in the form news-DDMMYYYY-HHMMSS; published left unknown"
    day, month, year, hour, minute, second = (int(g) for g in m.groups())
    try:
        value = datetime(year, month, day, hour, minute, second)
    except ValueError:
        if 1 <= month <= 12:
            what = f"{day} {_MONTHS[month - 1]} {year}"
        else:
            what = f"day {day}, month {month}, year {year}"
        if not (hour < 24 and minute < 60 and second < 60):
            what += f", time {hour:02d}:{minute:02d}:{second:02d}"
        return None, f"impossible date in {quoted} ({what}); published left unknown"
    problem = _range_problem(value, now)
    if problem:
        return None, f"date {value:%Y-%m-%d %H:%M:%S} in {quoted} {problem}; published left unknown"
    return value, ""


_NUMERIC_RE = re.compile(r"^[+-]?\d+(?:\.\d+)?$")
_SLASH_DATE_RE = re.compile(r"^\s*(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2,4})\b")


def _auto_dayfirst(strings: Iterable[str]) -> bool:
    """True when some ``a/b/yyyy`` value can only be day-first (a > 12)."""
    for s in strings:
        m = _SLASH_DATE_RE.match(s)
        if m and int(m.group(1)) > 12:
            return True
    return False


def _number_to_datetime(v: float) -> datetime | None:
    """Epoch seconds or milliseconds by magnitude, or an integer YYYYMMDD."""
    if v != v or math.isinf(v):
        return None
    if float(v).is_integer() and 19000101 <= v <= 21001231:
        try:
            return datetime.strptime(str(int(v)), "%Y%m%d")
        except ValueError:
            pass
    if 1e8 <= abs(v) < 1e11:
        seconds = v
    elif 1e11 <= abs(v) < 1e14:
        seconds = v / 1000
    else:
        return None
    return datetime(1970, 1, 1) + timedelta(seconds=seconds)


def _to_naive_utc(value: Any) -> datetime | None:
    """A datetime-like value as a naive datetime (aware ones converted to UTC)."""
    ts = pd.Timestamp(value)
    if ts is pd.NaT:
        return None
    if ts.tzinfo is not None:
        ts = ts.tz_convert("UTC").tz_localize(None)
    return ts.to_pydatetime()


def _parse_one(value: Any, dayfirst: bool) -> datetime | None:
    """Parse one non-ISO date value; None when it is not a date."""
    if isinstance(value, (datetime, pd.Timestamp, np.datetime64)):
        return _to_naive_utc(value)
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        return _number_to_datetime(float(value))
    if not isinstance(value, str):
        return None
    s = value.strip()
    if _NUMERIC_RE.match(s):
        return _number_to_datetime(float(s))
    if _STAMP_RE.match(s):
        return parse_news_stamp(s)[0]
    try:
        # Year 1 as the default exposes values without a year ("March", "04:26").
        parsed = dateutil_parser.parse(s, dayfirst=dayfirst, default=datetime(1, 1, 1))
    except (ValueError, OverflowError, TypeError):
        return None
    if parsed.year == 1:
        return None
    return _to_naive_utc(parsed)


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, (float, np.floating, np.datetime64)) and pd.isna(value):
        return True
    if isinstance(value, str) and not value.strip():
        return True
    return False


def parse_dates(
    values: Sequence[Any] | pd.Series,
    *,
    dayfirst: bool | None = None,
    now: datetime | None = None,
) -> tuple[pd.Series, list[str]]:
    """Parse a column of publication dates robustly, value by value.

    Accepts ISO 8601 (with or without time; with a timezone it is converted to UTC and
    the timezone dropped), day-first or month-first dates (``dayfirst=None`` means
    auto: day-first when some ``a/b/yyyy`` value has a > 12), epoch seconds or
    milliseconds (numbers or digit strings, chosen by magnitude), ``YYYYMMDD``
    integers, ``news-DDMMYYYY-HHMMSS`` and datetime objects.

    Returns ``(published, warnings)``: a ``datetime64[ns]`` Series (positional index)
    with NaT where the value is missing, unparseable, before 1900 or more than a day in
    the future, and a list of warning strings ('' when none; missing values get none).
    """
    items = list(values)
    n = len(items)
    if isinstance(values, pd.Series) and pd.api.types.is_datetime64_any_dtype(values.dtype):
        series = values.reset_index(drop=True)
        if getattr(series.dt, "tz", None) is not None:
            series = series.dt.tz_convert("UTC").dt.tz_localize(None)
        items = [None if v is pd.NaT else v.to_pydatetime() for v in series]

    result: list[datetime | None] = [None] * n
    warnings = [""] * n
    todo = [i for i, v in enumerate(items) if not _is_missing(v)]

    # Fast path: vectorised ISO 8601 for string values that are not plain numbers.
    iso_idx = [i for i in todo if isinstance(items[i], str) and not _NUMERIC_RE.match(items[i].strip())]
    if iso_idx:
        parsed = pd.to_datetime(
            pd.Series([items[i].strip() for i in iso_idx], dtype=object),
            format="ISO8601", utc=True, errors="coerce",
        ).dt.tz_localize(None)
        done = set()
        for i, ts in zip(iso_idx, parsed):
            if ts is not pd.NaT:
                result[i] = ts.to_pydatetime()
                done.add(i)
        todo = [i for i in todo if i not in done]

    if todo:
        if dayfirst is None:
            dayfirst = _auto_dayfirst(items[i] for i in todo if isinstance(items[i], str))
        for i in todo:
            result[i] = _parse_one(items[i], dayfirst)
            if result[i] is None:
                warnings[i] = f"unparseable date {_short_repr(items[i])}; published left unknown"

    for i, value in enumerate(result):
        if value is not None:
            problem = _range_problem(value, now)
            if problem:
                result[i] = None
                warnings[i] = f"date {_short_repr(items[i])} {problem}; published left unknown"
    return pd.Series(result, dtype="datetime64[ns]"), warnings


def _short_repr(value: Any, limit: int = 60) -> str:
    text = value if isinstance(value, str) else str(value)
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    return f"'{text}'"


# ----------------------------------------------------------------------------- decoding


def _os_reason(exc: OSError) -> str:
    """An OSError as a short lowercase phrase: 'permission denied'."""
    text = exc.strerror or str(exc)
    return text[:1].lower() + text[1:]


class _Skip(Exception):
    """A per-file or per-row problem: the input goes to the skipped frame."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


_CONTROL_RE = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_VISIBLE_RE = re.compile(r"[^\s\u200b-\u200f\u2060-\u2064\ufeff\u00ad]")


def _decode(data: bytes) -> tuple[str, str]:
    """Decode file bytes; return ``(text, encoding)`` or raise :class:`_Skip`."""
    if data.startswith(codecs.BOM_UTF8):
        try:
            return _check_not_binary(data.decode("utf-8-sig")), "utf-8-sig"
        except UnicodeDecodeError:
            pass
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return _check_not_binary(data.decode("utf-16")), "utf-16"
        except UnicodeDecodeError:
            pass
    if b"\x00" in data:
        raise _Skip("binary file, not text (contains NUL bytes; UTF-16 text needs a byte order mark)")
    for encoding in ("utf-8", "cp1252"):
        try:
            return _check_not_binary(data.decode(encoding)), encoding
        except UnicodeDecodeError:
            continue
    # latin-1 maps every byte, so this cannot fail.
    return _check_not_binary(data.decode("latin-1")), "latin-1"


def _check_not_binary(text: str) -> str:
    if text and len(_CONTROL_RE.findall(text)) > MAX_CONTROL_SHARE * len(text):
        raise _Skip("binary file, not text (many control characters)")
    return text


def _has_text(text: str) -> bool:
    return bool(_VISIBLE_RE.search(text))


# ----------------------------------------------------------------------------- articles


@dataclass
class _Article:
    article_id: str
    published: datetime | None
    title: str
    text: str
    source: str
    encoding: str
    warnings: list[str] = field(default_factory=list)


def _clean_with_warnings(raw: str) -> tuple[str, list[str]]:
    warnings = ["HTML converted to text"] if looks_like_html(raw) else []
    return clean_text(raw), warnings


def _read_text_file(path: str, max_file_bytes: int) -> _Article:
    """One ``.txt`` file as an article, or raise :class:`_Skip`."""
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            raise _Skip("ignored: not a regular file")
        if info.st_size > max_file_bytes:
            raise _Skip(
                f"file is {info.st_size:,} bytes, over the limit of {max_file_bytes:,} bytes; "
                f"pass max_file_bytes= a larger value to read it"
            )
        with open(path, "rb") as fh:
            data = fh.read()
    except FileNotFoundError:
        raise _Skip("cannot read file: not found (broken link or removed while reading)") from None
    except OSError as exc:
        raise _Skip(f"cannot read file: {_os_reason(exc)}") from None
    if not data.strip():
        raise _Skip("empty file")
    raw, encoding = _decode(data)
    if not _has_text(raw):
        raise _Skip("empty file")

    warnings: list[str] = []
    stem = Path(path).stem
    lines = _normalise_newlines(raw).split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip()), 0)
    header = lines[first].strip()
    has_header = bool(_STAMP_LIKE_RE.match(header))
    if has_header:
        article_id = header
        published, warning = parse_news_stamp(header, where="header")
        body = "\n".join(lines[first + 1:])
    else:
        article_id = stem
        published, warning = (
            parse_news_stamp(stem, where="file name") if _STAMP_LIKE_RE.match(stem) else (None, "")
        )
        body = raw
    if warning:
        warnings.append(warning)

    text, text_warnings = _clean_with_warnings(body)
    if not _has_text(text):
        raise _Skip("no text after the header" if has_header else "empty file")
    return _Article(
        article_id=article_id,
        published=published,
        title=make_title(text),
        text=text,
        source=path,
        encoding=encoding,
        warnings=warnings + text_warnings,
    )


# ----------------------------------------------------------------------------- tables


@dataclass
class _Table:
    """Rows of a table file before validation: a frame plus where each row came from."""

    label: str  # file path (or 'dataframe') used in sources
    stem: str  # used for default ids
    frame: pd.DataFrame
    numbers: list[int]  # 1-based row / line / record number of each frame row
    unit: str  # 'row', 'line' or 'record'
    skipped: list[tuple[str, str]] = field(default_factory=list)


def _read_table_bytes(path: str) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except OSError as exc:
        raise SourceError(f"cannot read {path}: {_os_reason(exc)}") from None


def _decode_table(path: str, data: bytes) -> str:
    # No newline normalisation here: CSV quoting and JSON strings must stay intact
    # (U+2028 is valid inside a JSON string); cells are cleaned one by one later.
    try:
        text, _ = _decode(data)
    except _Skip as exc:
        raise SourceError(f"cannot read {path} as a table: {exc.reason}") from None
    return text


def _read_csv(path: str, sep: str) -> _Table:
    text = _decode_table(path, _read_table_bytes(path))
    if not text.strip():
        raise SourceError(f"no articles in {path}: the file is empty")
    try:
        frame = pd.read_csv(
            io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, na_filter=False
        )
        numbers = list(range(1, len(frame) + 1))
        skipped: list[tuple[str, str]] = []
    except pd.errors.ParserError:
        # Some row has too many fields: read row by row to skip exactly those rows.
        frame, numbers, skipped = _read_csv_rows(path, text, sep)
    return _Table(path, Path(path).stem, frame, numbers, "row", skipped)


def _read_csv_rows(path: str, text: str, sep: str) -> tuple[pd.DataFrame, list[int], list]:
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=sep))
    header, data = rows[0], rows[1:]
    keep, numbers, skipped = [], [], []
    n = 0
    for row in data:
        if not row:
            continue  # pandas skips blank lines too, so they do not count as rows
        n += 1
        if len(row) > len(header):
            skipped.append(
                (f"{path}:row {n}", f"row {n}: {len(row)} fields, the header has {len(header)}")
            )
            continue
        keep.append(row + [""] * (len(header) - len(row)))
        numbers.append(n)
    return pd.DataFrame(keep, columns=header, dtype=object), numbers, skipped


_JSONL_LINES_RE = re.compile(r"\r\n|\r|\n")
_JSON_SPACE = " \t\r\n"


def _read_jsonl(path: str) -> _Table:
    text = _decode_table(path, _read_table_bytes(path))
    records, numbers, skipped = [], [], []
    for n, line in enumerate(_JSONL_LINES_RE.split(text), start=1):
        if not line.strip(_JSON_SPACE):
            continue  # blank lines are not records
        try:
            record = json.loads(line)
        except (ValueError, RecursionError) as exc:
            skipped.append((f"{path}:line {n}", f"line {n}: broken JSON ({exc})"))
            continue
        if not isinstance(record, dict):
            skipped.append(
                (f"{path}:line {n}", f"line {n}: not a JSON object (got {type(record).__name__})")
            )
            continue
        records.append(record)
        numbers.append(n)
    if not records and not skipped:
        raise SourceError(f"no articles in {path}: the file has no JSON lines")
    return _Table(path, Path(path).stem, _records_frame(records), numbers, "line", skipped)


def _records_frame(records: list[dict]) -> pd.DataFrame:
    # dtype=object keeps each cell's Python type, so a number in the text column is
    # reported as a number instead of being cast.
    return pd.DataFrame(records, dtype=object) if records else pd.DataFrame()


def _read_json(path: str, text_col: str | None) -> _Table:
    text = _decode_table(path, _read_table_bytes(path))
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise SourceError(f"{path} is not valid JSON: {exc}") from None
    if isinstance(doc, dict):
        key = next((k for k in JSON_LIST_KEYS if isinstance(doc.get(k), list)), None)
        if key is not None:
            doc = doc[key]
        elif _find_column(list(doc), text_col, TEXT_NAMES) is not None:
            doc = [doc]  # a single article object
        else:
            raise SourceError(
                f"{path} holds a JSON object without a list of articles: keys found are "
                f"{sorted(map(str, doc))}; expected a list of records or one of "
                f"{list(JSON_LIST_KEYS)} holding one"
            )
    if not isinstance(doc, list):
        raise SourceError(f"{path} holds a JSON {type(doc).__name__}, expected a list of records")
    records, numbers, skipped = [], [], []
    for n, record in enumerate(doc, start=1):
        if isinstance(record, dict):
            records.append(record)
            numbers.append(n)
        else:
            skipped.append(
                (f"{path}:record {n}", f"record {n}: not a JSON object (got {type(record).__name__})")
            )
    if not records and not skipped:
        raise SourceError(f"no articles in {path}: the JSON list is empty")
    return _Table(path, Path(path).stem, _records_frame(records), numbers, "record", skipped)


def _read_parquet(path: str) -> _Table:
    try:
        frame = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises many types for corrupt files
        raise SourceError(f"cannot read {path} as Parquet: {exc}") from None
    frame.columns = [str(c) for c in frame.columns]
    return _Table(path, Path(path).stem, frame, list(range(1, len(frame) + 1)), "row")


def _frame_table(frame: pd.DataFrame) -> _Table:
    frame = frame.copy()
    frame.columns = [str(c) for c in frame.columns]
    return _Table("dataframe", "dataframe", frame, list(range(1, len(frame) + 1)), "row")


def _find_column(columns: list[str], override: str | None, names: Sequence[str]) -> str | None:
    """The column to use: the override (exact, then case-insensitive) or a common name."""
    by_lower: dict[str, str] = {}
    for col in columns:
        by_lower.setdefault(str(col).strip().lower(), col)
    if override is not None:
        if override in columns:
            return override
        return by_lower.get(override.strip().lower())
    return next((by_lower[name] for name in names if name in by_lower), None)


def _resolve_columns(table: _Table, options: dict[str, Any]) -> dict[str, str | None]:
    columns = list(table.frame.columns)
    found = {}
    for role, names in (("text", TEXT_NAMES), ("id", ID_NAMES), ("date", DATE_NAMES), ("title", TITLE_NAMES)):
        override = options.get(f"{role}_col")
        col = _find_column(columns, override, names)
        if override is not None and col is None:
            raise SourceError(
                f"{role}_col={override!r} is not a column of {table.label}; "
                f"columns found: {columns}"
            )
        found[role] = col
    if found["text"] is None:
        raise SourceError(
            f"no text column in {table.label}: columns found are {columns}; expected one of "
            f"{list(TEXT_NAMES)} (any case), or name it with text_col="
        )
    return found


def _cell_id(value: Any, default: str) -> str:
    if _is_missing(value):
        return default
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))  # an int column with gaps arrives as float
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return str(int(value))
    return str(value).strip()


def _cell_title(value: Any) -> str:
    if _is_missing(value):
        return ""
    return _INLINE_SPACE_RE.sub(" ", str(value).replace("\n", " ")).strip()


def _table_articles(table: _Table, options: dict[str, Any]) -> tuple[list[_Article], list[tuple[str, str]]]:
    """Articles and skipped rows of one table, in row order."""
    skipped = list(table.skipped)
    if table.frame.empty or not len(table.frame.columns):
        if skipped:
            return [], skipped
        raise SourceError(f"no articles in {table.label}: the table has no rows")
    cols = _resolve_columns(table, options)
    frame = table.frame
    n_rows = len(frame)
    texts = frame[cols["text"]].tolist()
    ids = frame[cols["id"]].tolist() if cols["id"] else [None] * n_rows
    titles = frame[cols["title"]].tolist() if cols["title"] else [None] * n_rows
    if cols["date"]:
        published, date_warnings = parse_dates(frame[cols["date"]], dayfirst=options.get("dayfirst"))
        published = [None if v is pd.NaT else v.to_pydatetime() for v in published]
    else:
        published, date_warnings = [None] * n_rows, [""] * n_rows

    articles = []
    for i in range(n_rows):
        n = table.numbers[i]
        where = f"{table.label}:{table.unit} {n}"
        raw = texts[i]
        if _is_missing(raw):
            skipped.append((where, f"{table.unit} {n}: empty text"))
            continue
        if not isinstance(raw, str):
            skipped.append((where, f"{table.unit} {n}: text is not a string (got {type(raw).__name__})"))
            continue
        text, warnings = _clean_with_warnings(raw)
        if not _has_text(text):
            skipped.append((where, f"{table.unit} {n}: empty text"))
            continue
        if date_warnings[i]:
            warnings.insert(0, date_warnings[i])
        articles.append(
            _Article(
                article_id=_cell_id(ids[i], f"{table.stem}-row{n}"),
                published=published[i],
                title=_cell_title(titles[i]) or make_title(text),
                text=text,
                source=where,
                encoding="table",
                warnings=warnings,
            )
        )
    return articles, skipped


def _read_table(path: str, options: dict[str, Any]) -> _Table:
    suffix = Path(path).suffix.lower()
    if suffix == ".csv":
        return _read_csv(path, ",")
    if suffix == ".tsv":
        return _read_csv(path, "\t")
    if suffix in (".jsonl", ".ndjson"):
        return _read_jsonl(path)
    if suffix == ".json":
        return _read_json(path, options.get("text_col"))
    return _read_parquet(path)


# ----------------------------------------------------------------------------- walking


@dataclass
class _Entry:
    """One input in reading order: an article file, a table, or something skipped."""

    path: str
    kind: str  # 'txt', 'table', 'frame' or 'skip'
    reason: str = ""
    frame: pd.DataFrame | None = None


def _walk_folder(root: str) -> list[_Entry]:
    """All entries under ``root`` in sorted path order (not following links to folders)."""
    try:
        os.scandir(root).close()
    except OSError as exc:
        raise SourceError(f"cannot read folder {root}: {_os_reason(exc)}") from None
    found: list[tuple[tuple[str, ...], _Entry]] = []

    def key(path: str) -> tuple[str, ...]:
        return Path(os.path.relpath(path, root)).parts

    def on_error(exc: OSError) -> None:
        where = exc.filename or root
        found.append((key(where), _Entry(where, "skip", f"cannot read folder: {_os_reason(exc)}")))

    for dirpath, dirnames, filenames in os.walk(root, onerror=on_error, followlinks=False):
        for name in list(dirnames):
            path = os.path.join(dirpath, name)
            reason = ""
            if name.startswith("."):
                reason = "ignored: hidden folder (not read)"
            elif os.path.islink(path):
                reason = "ignored: link to a folder (not followed)"
            if reason:
                dirnames.remove(name)
                found.append((key(path), _Entry(path, "skip", reason)))
        for name in filenames:
            path = os.path.join(dirpath, name)
            suffix = Path(name).suffix.lower()
            if name.startswith("."):
                entry = _Entry(path, "skip", "ignored: hidden file")
            elif suffix == ".txt":
                entry = _Entry(path, "txt")
            elif suffix in TABLE_SUFFIXES:
                entry = _Entry(path, "skip", "ignored: not a .txt file (pass a table file directly to read it)")
            else:
                entry = _Entry(path, "skip", "ignored: not a .txt file")
            found.append((key(path), entry))
    found.sort(key=lambda pair: pair[0])
    return [entry for _, entry in found]


def _entries(source: Any, *, top_level: bool = True) -> list[_Entry]:
    """Expand a source into entries in reading order; raise SourceError for bad sources."""
    if isinstance(source, pd.DataFrame):
        return [_Entry("dataframe", "frame", frame=source)]
    if isinstance(source, (list, tuple)):
        if not source:
            raise SourceError("source is an empty list: pass a folder, a file or a list of paths")
        out: list[_Entry] = []
        for item in source:
            out.extend(_entries(item, top_level=False))
        return out
    if not isinstance(source, (str, os.PathLike)) or not str(source):
        raise SourceError(
            f"source must be a folder, a file path, a DataFrame or a list of paths; got {source!r}"
        )
    path = os.fspath(source)
    if not os.path.exists(path):
        if top_level:
            raise SourceError(f"source {path} does not exist")
        return [_Entry(path, "skip", "cannot read: no such file or folder")]
    if os.path.isdir(path):
        entries = _walk_folder(path)
        if top_level and not any(e.kind == "txt" for e in entries):
            others = [os.path.relpath(e.path, path) for e in entries]
            listed = f"; found only: {', '.join(others[:10])}{' …' if len(others) > 10 else ''}" if others else ""
            raise SourceError(f"no .txt files in folder {path}{listed}")
        return entries
    suffix = Path(path).suffix.lower()
    if suffix == ".txt":
        return [_Entry(path, "txt")]
    if suffix in TABLE_SUFFIXES:
        return [_Entry(path, "table")]
    allowed = "a folder, .txt, " + ", ".join(sorted(TABLE_SUFFIXES))
    if top_level:
        raise SourceError(f"unsupported file type {suffix or '(none)'!r} for {path}: expected {allowed}")
    return [_Entry(path, "skip", f"ignored: unsupported file type {suffix or '(none)'}")]


# ----------------------------------------------------------------------------- assembly


def _deduplicate(articles: list[_Article]) -> tuple[list[_Article], list[tuple[int, tuple[str, str]]]]:
    """Keep the first of each id and of each text; return kept and (position, skip) pairs."""
    by_id: dict[str, _Article] = {}
    by_text: dict[str, _Article] = {}
    kept, dropped = [], []
    for pos, art in enumerate(articles):
        first = by_id.get(art.article_id)
        if first is not None:
            detail = "same text" if first.text == art.text else "different text"
            dropped.append((pos, (art.source, f"duplicate id {art.article_id} ({detail}; kept {first.source})")))
            continue
        same = by_text.get(art.text)
        if same is not None:
            dropped.append((pos, (art.source, f"same text as {same.article_id} ({same.source}); kept that one")))
            continue
        by_id[art.article_id] = art
        by_text[art.text] = art
        kept.append(art)
    return kept, dropped


def _corpus_frame(articles: list[_Article]) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "article_id": pd.Series([a.article_id for a in articles], dtype=object),
            "published": pd.Series([a.published for a in articles], dtype="datetime64[ns]"),
            "title": pd.Series([a.title for a in articles], dtype=object),
            "text": pd.Series([a.text for a in articles], dtype=object),
            "source": pd.Series([a.source for a in articles], dtype=object),
            "encoding": pd.Series([a.encoding for a in articles], dtype=object),
            "warning": pd.Series(["; ".join(a.warnings) for a in articles], dtype=object),
        }
    )
    return frame[CORPUS_COLUMNS]


def _skipped_frame(rows: list[tuple[str, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "source": pd.Series([r[0] for r in rows], dtype=object),
            "reason": pd.Series([r[1] for r in rows], dtype=object),
        }
    )


def _progress_reporter(progress: Callable[[int, int], Any] | None, total: int) -> Callable[[int], None]:
    """Call ``progress(done, total)`` about 100 times at most, and always at the end."""
    if progress is None:
        return lambda done: None
    step = max(1, total // 100)
    progress(0, total)

    def report(done: int) -> None:
        if done == total or done % step == 0:
            progress(done, total)

    return report


def _check_options(max_file_bytes: Any, max_files: Any, progress: Any, dayfirst: Any) -> None:
    if isinstance(max_file_bytes, bool) or not isinstance(max_file_bytes, int) or max_file_bytes <= 0:
        raise ValueError(f"max_file_bytes must be a positive integer; got {max_file_bytes!r}")
    if max_files is not None and (
        isinstance(max_files, bool) or not isinstance(max_files, int) or max_files <= 0
    ):
        raise ValueError(f"max_files must be None or a positive integer; got {max_files!r}")
    if progress is not None and not callable(progress):
        raise ValueError(f"progress must be None or a callable(done, total); got {progress!r}")
    if dayfirst not in (None, True, False):
        raise ValueError(f"dayfirst must be None (auto), True or False; got {dayfirst!r}")


def read_source(
    source: Any,
    *,
    text_col: str | None = None,
    id_col: str | None = None,
    date_col: str | None = None,
    title_col: str | None = None,
    dayfirst: bool | None = None,
    max_file_bytes: int = 5_000_000,
    max_files: int | None = None,
    progress: Callable[[int, int], Any] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read articles from a folder, a file, a table, a DataFrame or a list of those.

    Parameters
    ----------
    source : str, os.PathLike, pandas.DataFrame or list of them
        Folder (recursive, sorted; ``.txt`` files are articles, everything else is listed
        as ignored), ``.txt`` file, or ``.csv`` / ``.tsv`` / ``.jsonl`` / ``.ndjson`` /
        ``.json`` / ``.parquet`` table.
    text_col, id_col, date_col, title_col : str, optional
        Table column names; by default found among common names, case-insensitively
        (text/body/content/article/story/full_text, id/article_id/doc_id/uuid,
        date/published/publication_date/timestamp/datetime/time/pubdate,
        title/headline/heading). A named column that does not exist is a SourceError.
    dayfirst : bool, optional
        For table dates like 03/04/2024. None (default) = day-first when some value can
        only be day-first (first field > 12), else month-first.
    max_file_bytes : int, default 5_000_000
        ``.txt`` files larger than this are skipped with a reason (tables are not limited).
    max_files : int, optional
        Read at most this many ``.txt`` files (in sorted order); the rest are listed as
        skipped.
    progress : callable(done, total), optional
        Called with (0, total) first, then as files are read (at most ~100 calls).

    Returns
    -------
    corpus : DataFrame
        One row per article, in path order for folders and row order for tables:
        ``article_id`` (str), ``published`` (datetime64[ns], NaT when unknown),
        ``title`` (str), ``text`` (str, paragraphs joined by "\\n\\n"), ``source`` (str:
        path or ``file.csv:row N`` / ``file.jsonl:line N`` / ``file.json:record N``),
        ``encoding`` (str: utf-8, utf-8-sig, utf-16, cp1252, latin-1 or table) and
        ``warning`` (str, "" when none; "; "-separated otherwise).
    skipped : DataFrame
        ``source`` (str) and ``reason`` (str) for every input that is not in the corpus:
        ignored files, unreadable/empty/binary/oversized files, bad rows, duplicates.

    Raises
    ------
    SourceError
        The source does not exist, a folder holds no ``.txt`` file, a table has no text
        column (or a named ``*_col`` is missing), or a table file has no rows at all.
    ValueError
        An option has an invalid value.
    """
    _check_options(max_file_bytes, max_files, progress, dayfirst)
    options = {
        "text_col": text_col, "id_col": id_col, "date_col": date_col,
        "title_col": title_col, "dayfirst": dayfirst,
    }
    entries = _entries(source)
    if not any(e.kind != "skip" for e in entries):
        raise SourceError(f"nothing to read in {source!r}: no .txt files or tables found")

    if max_files is not None:
        n_txt = 0
        for entry in entries:
            if entry.kind == "txt":
                n_txt += 1
                if n_txt > max_files:
                    entry.kind, entry.reason = "skip", f"not read: max_files={max_files} reached"

    readable = [e for e in entries if e.kind != "skip"]
    report = _progress_reporter(progress, len(readable))
    # Each input becomes articles or skips. A skip remembers how many articles were read
    # before it, so after de-duplication the skipped frame is in the same reading order.
    articles: list[_Article] = []
    skipped_at: list[tuple[int, tuple[str, str]]] = []  # (articles read so far, skip)
    done = 0
    for entry in entries:
        if entry.kind == "skip":
            skipped_at.append((len(articles), (entry.path, entry.reason)))
            continue
        if entry.kind == "txt":
            try:
                articles.append(_read_text_file(entry.path, max_file_bytes))
            except _Skip as exc:
                skipped_at.append((len(articles), (entry.path, exc.reason)))
        else:
            table = _frame_table(entry.frame) if entry.kind == "frame" else _read_table(entry.path, options)
            rows, skips = _table_articles(table, options)
            articles.extend(rows)
            skipped_at.extend((len(articles), s) for s in skips)
        done += 1
        report(done)

    kept, dropped = _deduplicate(articles)
    # Merge duplicate skips (at their article position) with the other skips, stably.
    merged = [(pos, 0, i, s) for i, (pos, s) in enumerate(skipped_at)]
    merged += [(pos, 1, i, s) for i, (pos, s) in enumerate(dropped)]
    merged.sort(key=lambda t: (t[0], t[1], t[2]))
    return _corpus_frame(kept), _skipped_frame([t[3] for t in merged])


def load_corpus(source: Any, **options: Any) -> pd.DataFrame:
    """:func:`read_source`, returning the corpus with ``corpus.attrs["skipped"]`` set
    to the skipped frame. Takes the same keyword options."""
    corpus, skipped = read_source(source, **options)
    corpus.attrs["skipped"] = skipped
    return corpus
