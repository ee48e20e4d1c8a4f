"""Read news articles from files into the ``corpus`` frame (see README.md (Frames)).

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
name). Text clean-up lives in :mod:`analysis.text` and date parsing in
:mod:`analysis.dates`; their public names are re-exported here.

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
import hashlib
import io
import json
import os
import re
import stat
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Sequence
from urllib.parse import urlsplit

import numpy as np
import pandas as pd

from .dates import _STAMP_LIKE_RE, _is_missing, parse_dates, parse_news_stamp
from .workers import map_chunks
from .text import (
    _INLINE_SPACE_RE,
    _normalise_newlines,
    clean_text,
    html_to_text,
    is_heading,
    looks_like_html,
    make_title,
    split_blocks,
)

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
    "url_domain",
]

CORPUS_COLUMNS = ["article_id", "published", "title", "text", "source", "encoding", "warning",
                  "outlet", "url"]
SKIPPED_COLUMNS = ["source", "reason"]

TABLE_SUFFIXES = {".csv", ".tsv", ".jsonl", ".ndjson", ".json", ".parquet"}

# Column names recognised in tables, best first (matched case-insensitively).
TEXT_NAMES = ("text", "body", "content", "article", "story", "full_text")
ID_NAMES = ("id", "article_id", "doc_id", "uuid")
DATE_NAMES = ("date", "published", "publication_date", "timestamp", "datetime", "time", "pubdate")
TITLE_NAMES = ("title", "headline", "heading")
# A table's ``source`` column names the outlet (NewsAPI, GDELT exports); the corpus's own
# ``source`` column says where the row was read from.
OUTLET_NAMES = ("outlet", "source", "publisher", "site", "source_name", "publication")
URL_NAMES = ("url", "link", "permalink", "href")
#: Accepted values of ``outlet_from``: where a folder's articles get their outlet.
OUTLET_FROM = (None, "folder")
# Keys of a JSON object that hold the list of records.
JSON_LIST_KEYS = ("articles", "records", "data", "items", "rows")

# Decoded text with a larger share of control characters is treated as binary.
MAX_CONTROL_SHARE = 0.05


class SourceError(ValueError):
    """The source as a whole cannot be read (missing, nothing to read, no text column)."""


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
# A lone surrogate: JSON can escape one ("\ud800"), but no file, Parquet or Arrow
# table can store it.
_SURROGATE_RE = re.compile(r"[\ud800-\udfff]")


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


#: The ASCII characters :data:`_CONTROL_RE` matches, as bytes.
_ASCII_CONTROL_BYTES = bytes([*range(0x00, 0x09), *range(0x0E, 0x20), 0x7F])


def _check_not_binary(text: str) -> str:
    if not text:
        return text
    if text.isascii():
        # Most articles: the control characters counted by deleting them from the bytes
        # (a C loop, a fourth of the regular expression's time).
        data = text.encode("ascii")
        controls = len(data) - len(data.translate(None, _ASCII_CONTROL_BYTES))
    else:
        controls = len(_CONTROL_RE.findall(text))
    if controls > MAX_CONTROL_SHARE * len(text):
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
    outlet: str = ""
    url: str = ""


def _clean_with_warnings(raw: str) -> tuple[str, list[str]]:
    warnings = ["HTML converted to text"] if looks_like_html(raw) else []
    return clean_text(raw), warnings


def _clean_texts(raws: list[str]) -> list[tuple[str, list[str]]]:
    """:func:`_clean_with_warnings` of each text (a pure function over a chunk)."""
    return [_clean_with_warnings(raw) for raw in raws]


#: Flags of the one ``open`` of an article file: never block on a FIFO (it is then
#: skipped as not a regular file), binary on Windows.
_OPEN_FLAGS = (os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
               | getattr(os, "O_CLOEXEC", 0))


def _read_regular_file(path: str, max_file_bytes: int) -> bytes:
    """The bytes of a regular file of at most ``max_file_bytes``, or raise :class:`_Skip`
    (``OSError`` passes through).

    Four system calls (open, fstat, read, close) where ``os.stat`` then ``open().read()``
    make eight (stat, open, fstat, ioctl, fstat, read, read, close): reading is a large
    part of an index run, and much of it was system calls."""
    fd = os.open(path, _OPEN_FLAGS)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise _Skip("ignored: not a regular file")
        if info.st_size > max_file_bytes:
            raise _Skip(
                f"file is {info.st_size:,} bytes, over the limit of {max_file_bytes:,} bytes; "
                f"pass max_file_bytes= a larger value to read it"
            )
        # One byte more than the size: a short read is the end of a regular file; a full
        # one means it grew since the fstat, and the rest is read too.
        data = os.read(fd, info.st_size + 1)
        if len(data) > info.st_size:
            parts = [data]
            while block := os.read(fd, 1 << 20):
                parts.append(block)
            data = b"".join(parts)
        return data
    finally:
        os.close(fd)


def _first_line(text: str) -> tuple[str, int]:
    """The first line of ``text`` with visible characters (stripped; the first line when
    none has any) and the offset just past its line break (``len(text)`` when it is the
    last line): what splitting into lines, finding that line and joining the rest gave,
    without splitting the whole text."""
    pos = 0
    while True:
        end = text.find("\n", pos)
        line = text[pos:] if end < 0 else text[pos:end]
        if line.strip():
            return line.strip(), len(text) if end < 0 else end + 1
        if end < 0:
            break
        pos = end + 1
    end = text.find("\n")
    return text[:end if end >= 0 else len(text)].strip(), len(text) if end < 0 else end + 1


def _read_text_file(path: str, max_file_bytes: int, digests: dict | None = None) -> _Article:
    """One ``.txt`` file as an article, or raise :class:`_Skip`; ``digests[path]`` is set
    to the SHA-256 (hex) of the bytes read when ``digests`` is a dict."""
    try:
        data = _read_regular_file(path, max_file_bytes)
        if digests is not None:
            digests[path] = hashlib.sha256(data).hexdigest()
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
    normalised = _normalise_newlines(raw)
    header, body_start = _first_line(normalised)
    has_header = bool(_STAMP_LIKE_RE.match(header))
    if has_header:
        article_id = header
        published, warning = parse_news_stamp(header, where="header")
        body = normalised[body_start:]
    else:
        # The file name only when there is no header (pathlib parses the whole path).
        article_id = stem = Path(path).stem
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



def _jsonl_records(path, lines, first: int) -> tuple[list, list, list]:
    """``(records, line numbers, skipped)`` of JSON lines numbered from ``first``: blank
    lines are not records; a broken line or one that is not an object is skipped with
    its reason (a whole file's lines, or one piece's: :mod:`analysis.table_pieces`)."""
    records, numbers, skipped = [], [], []
    for n, line in enumerate(lines, start=first):
        if not line.strip(_JSON_SPACE):
            continue
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
    return records, numbers, skipped

def _read_jsonl(path: str) -> _Table:
    text = _decode_table(path, _read_table_bytes(path))
    # Same lines as the regex, which only matters when there is a "\r" (str.split is
    # several times faster on a large file).
    lines = text.split("\n") if "\r" not in text else _JSONL_LINES_RE.split(text)
    records, numbers, skipped = _jsonl_records(path, lines, first=1)
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
    for role, names in (("text", TEXT_NAMES), ("id", ID_NAMES), ("date", DATE_NAMES),
                        ("title", TITLE_NAMES), ("outlet", OUTLET_NAMES), ("url", URL_NAMES)):
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


def _without_surrogates(values: list[str], warnings: list[str]) -> list[str]:
    """``values`` with every lone surrogate replaced by U+FFFD, adding one warning to
    ``warnings`` when any was: the article is kept, its damaged character marked."""
    out = [v if v.isascii() or not _SURROGATE_RE.search(v) else _SURROGATE_RE.sub("\ufffd", v)
           for v in values]
    if out != values:
        warnings.append("lone surrogate character(s) replaced by U+FFFD")
    return out


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


def url_domain(url: Any) -> str:
    """The host of a URL without ``www.``, lowercased (``""`` when there is none).

    >>> url_domain("https://www.Reuters.com/world/x?id=1")
    'reuters.com'
    """
    if _is_missing(url) or not isinstance(url, str):
        return ""
    text = url.strip()
    if "//" not in text:
        text = "//" + text  # 'bbc.co.uk/news' has no scheme; urlsplit needs '//'
    try:
        host = urlsplit(text).hostname or ""
    except ValueError:  # e.g. an unbalanced '[' in the host
        return ""
    host = host.lower().rstrip(".")
    return host[4:] if host.startswith("www.") else host


def _cell_outlet(value: Any) -> str:
    # NewsAPI exports hold the outlet as {"id": ..., "name": "BBC News"}.
    if isinstance(value, dict):
        value = value.get("name") or value.get("id")
    return _cell_title(value)


def _table_outlets(frame: pd.DataFrame, cols: dict[str, str | None]) -> tuple[list[str], list[str]]:
    """Each row's outlet (the outlet column, else the URL's domain) and URL."""
    n_rows = len(frame)
    urls = [_cell_title(v) for v in frame[cols["url"]].tolist()] if cols["url"] else [""] * n_rows
    named = [_cell_outlet(v) for v in frame[cols["outlet"]].tolist()] if cols["outlet"] else [""] * n_rows
    return [name or url_domain(url) for name, url in zip(named, urls)], urls


def _table_articles(table: _Table, options: dict[str, Any],
                    cols: dict[str, str | None] | None = None) -> tuple[list[_Article], list[tuple[str, str]]]:
    """Articles and skipped rows of one table, in row order.

    ``cols`` (role -> column) is given when ``table`` is a row range of a bigger file
    (:mod:`analysis.table_pieces`): the columns are those of the whole file, not of
    the rows at hand."""
    skipped = list(table.skipped)
    if table.frame.empty or not len(table.frame.columns):
        if skipped:
            return [], skipped
        raise SourceError(f"no articles in {table.label}: the table has no rows")
    if cols is None:
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
    outlets, urls = _table_outlets(frame, cols)

    # Clean-up is most of the reading time: done in the workers for large tables.
    rows = [i for i, raw in enumerate(texts) if isinstance(raw, str) and not _is_missing(raw)]
    cleaned = dict(zip(rows, map_chunks(_clean_texts, [texts[i] for i in rows], size=len)))
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
        text, warnings = cleaned[i]
        if not _has_text(text):
            skipped.append((where, f"{table.unit} {n}: empty text"))
            continue
        if date_warnings[i]:
            warnings.insert(0, date_warnings[i])
        article_id, title, text, outlet, url = _without_surrogates(
            [_cell_id(ids[i], f"{table.stem}-row{n}"), _cell_title(titles[i]), text,
             outlets[i], urls[i]], warnings)
        articles.append(
            _Article(
                article_id=article_id,
                published=published[i],
                title=title or make_title(text),
                text=text,
                source=where,
                encoding="table",
                warnings=warnings,
                outlet=outlet,
                url=url,
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
    folder: str = ""  # first sub-folder under the source folder ("" at its top level)


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
    for parts, entry in found:
        entry.folder = parts[0] if len(parts) > 1 else ""
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
    # One stat for os.path.exists and os.path.isdir (an index reads lists of thousands of
    # paths; each stat is a system call).  Both treat any OSError or ValueError as absent.
    try:
        is_dir = stat.S_ISDIR(os.stat(path).st_mode)
    except (OSError, ValueError):
        if top_level:
            raise SourceError(f"source {path} does not exist") from None
        return [_Entry(path, "skip", "cannot read: no such file or folder")]
    if is_dir:
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
            "outlet": pd.Series([a.outlet for a in articles], dtype=object),
            "url": pd.Series([a.url for a in articles], dtype=object),
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


def _check_options(max_file_bytes: Any, max_files: Any, progress: Any, dayfirst: Any,
                   outlet_from: Any = None) -> None:
    if outlet_from not in OUTLET_FROM:
        raise ValueError(f"outlet_from must be None (outlet and url columns) or 'folder' "
                         f"(the sub-folder an article file is in); got {outlet_from!r}")
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
    outlet_col: str | None = None,
    url_col: str | None = None,
    outlet_from: str | None = None,
    dayfirst: bool | None = None,
    max_file_bytes: int = 5_000_000,
    max_files: int | None = None,
    progress: Callable[[int, int], Any] | None = None,
    digests: dict | None = None,
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
    outlet_col, url_col : str, optional
        Table columns holding the outlet (default: outlet/source/publisher/site/
        source_name/publication; a NewsAPI ``{"id", "name"}`` object gives its name) and
        the article's URL (url/link/permalink/href). Without an outlet, a row's outlet is
        its URL's domain (``www.`` removed).
    outlet_from : {None, "folder"}, default None
        ``"folder"``: a ``.txt`` article's outlet is the first sub-folder it sits in under
        the source folder (``src/bbc/2024/a.txt`` → ``bbc``; ``""`` at the top level).
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
    digests : dict, optional
        Filled with ``path -> SHA-256 (hex)`` of every ``.txt`` file's bytes as read
        (skipped files too, once read), so a caller that records digests (the archive
        index) does not read each file a second time.

    Returns
    -------
    corpus : DataFrame
        One row per article, in path order for folders and row order for tables:
        ``article_id`` (str), ``published`` (datetime64[ns], NaT when unknown),
        ``title`` (str), ``text`` (str, paragraphs joined by "\\n\\n"), ``source`` (str:
        path or ``file.csv:row N`` / ``file.jsonl:line N`` / ``file.json:record N``),
        ``encoding`` (str: utf-8, utf-8-sig, utf-16, cp1252, latin-1 or table),
        ``warning`` (str, "" when none; "; "-separated otherwise), ``outlet`` (str, ""
        when unknown) and ``url`` (str, "" when none).
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
    _check_options(max_file_bytes, max_files, progress, dayfirst, outlet_from)
    options = {
        "text_col": text_col, "id_col": id_col, "date_col": date_col,
        "title_col": title_col, "outlet_col": outlet_col, "url_col": url_col,
        "dayfirst": dayfirst,
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
                articles.append(_read_text_file(entry.path, max_file_bytes, digests))
                if outlet_from == "folder":
                    articles[-1].outlet = entry.folder
            except _Skip as exc:
                skipped_at.append((len(articles), (entry.path, exc.reason)))
        else:
            table = _frame_table(entry.frame) if entry.kind == "frame" else _read_table(entry.path, options)
            rows, skips = _table_articles(table, options)
            articles.extend(rows)
            skipped_at.extend((len(articles), s) for s in skips)
        done += 1
        report(done)

    return _assemble(articles, skipped_at)


def _assemble(articles: list[_Article], skipped_at: list[tuple[int, tuple[str, str]]]
              ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The corpus and skipped frames of articles read in order: duplicates dropped (the
    first is kept), each skip at its place in reading order (``skipped_at`` pairs each
    skip with the number of articles read before it)."""
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
