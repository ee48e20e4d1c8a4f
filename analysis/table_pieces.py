"""Big table files read in row ranges ("pieces"), so that an index run reads, splits
and scores a 1M-row export in pieces of about ``chunk_size`` rows, in parallel, with
the memory of one piece per worker instead of the whole file in one.

Two tasks, both plain module-level functions that any engine runs
(:mod:`analysis.engines`):

* :func:`survey_table` streams a table once and returns its **plan**: the file's
  SHA-256, the columns chosen for the whole file (text, id, date, ... as
  :func:`analysis.corpus.read_source` chooses them from every row), the automatic
  day-first choice of its date column over every row, and the pieces:

  - JSONL / NDJSON: byte ranges cut at line ends, each with the number of its first
    line (sources and skip reasons say ``file.jsonl:line N`` as for the whole file);
  - Parquet: runs of row groups of about ``rows`` rows; a row group much larger than
    that (a pyarrow writer's default is 1M rows) is streamed once in record batches
    into staged Arrow files, since a row range inside a row group cannot be read
    without decoding the group from its start;
  - CSV / TSV: a quoted field may hold a newline, so the file is parsed once, as the
    whole-file reader parses it (pandas, or the row-by-row fallback when a row has too
    many fields), into staged Arrow files of ``rows`` rows with their row numbers.

  A table is left whole (``pieces == []``: read as one chunk, as before) when it has
  at most ``rows`` rows, or when a piece could read differently from the whole file:
  an encoding other than UTF-8 (the whole file's decoding is chosen over all its
  bytes), NUL bytes or too many control characters (the whole file is refused), a
  lone carriage return as a line end in JSONL, no text column, or a ``.json``
  document.

* :func:`read_piece` reads one piece into the ``corpus`` and ``skipped`` frames of
  :func:`analysis.corpus.read_source`, with the whole file's columns and date
  choice: the rows a piece gives are exactly those the whole-file read gives for its
  row range (same ids, ``source`` strings, warnings and skip reasons).  Duplicates
  inside a piece are dropped here, duplicates across pieces by the indexer's keys,
  as between any two chunks.

Staged files live under ``_state/tables/`` of the store and are removed at the end of
the run (a resumed run surveys again and rewrites them).
"""
from __future__ import annotations

import codecs
import csv
import hashlib
import json
import os
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.feather as feather
import pyarrow.parquet as pq

from . import corpus as _corpus
from .dates import _auto_dayfirst
from .input_scan import file_digest

__all__ = ["survey_table", "read_piece", "should_survey", "piece_chunk_ids", "tables_dir",
           "PIECE_SUFFIXES"]

#: Table suffixes a survey can cut into pieces (``.json`` is one document: left whole).
PIECE_SUFFIXES = {".csv", ".tsv", ".jsonl", ".ndjson", ".parquet"}
#: A CSV / JSONL file smaller than this many bytes a row is not surveyed: at most about
#: one piece of rows, read whole as before (a survey is a second pass over the file).
MIN_BYTES_PER_ROW = 256
#: Options of :func:`analysis.corpus.read_source` that apply to table rows.
_TABLE_OPTIONS = ("text_col", "id_col", "date_col", "title_col", "outlet_col", "url_col",
                  "dayfirst")
#: The staged files' column of row numbers (a name no export uses).
_NUMBER_COLUMN = "\x00row"
_BLOCK = 1 << 20


def tables_dir(store) -> Path:
    """Where surveys stage the pieces of CSV files and of large Parquet row groups."""
    return Path(store) / "_state" / "tables"


def should_survey(rel: str, size: int, rows: int) -> bool:
    """Whether a table input may hold more than ``rows`` rows worth cutting."""
    suffix = os.path.splitext(rel)[1].lower()
    if suffix not in PIECE_SUFFIXES:
        return False
    return suffix == ".parquet" or size > rows * MIN_BYTES_PER_ROW


def piece_chunk_ids(rel: str, digest: str, rows: int, n: int) -> list[str]:
    """The chunk ids of a table's ``n`` pieces: a digest of the path, the file's content
    and the piece size, then the piece's number, so a resumed run (same file, same
    ``rows``) makes the same chunks, and a file touched without a change keeps them."""
    base = hashlib.sha256(f"{rel}\t{digest}\t{rows}".encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return [f"{base}-{i}" for i in range(n)]


# ----------------------------------------------------------------------------- survey
def survey_table(store: str, root: str, rel: str, rows: int, read_options: dict) -> dict:
    """Plan the pieces of table ``rel`` (relative to ``root``), about ``rows`` rows each.

    Returns ``{"path", "digest", "pieces", "columns", "dayfirst", "reason", "rows"}``
    (``rows``: about how many rows, when in pieces):
    ``pieces`` is a list of piece dicts for :func:`read_piece` (empty: read the file
    whole, ``reason`` says why), ``columns`` the role -> column choice of the whole file,
    ``dayfirst`` the day-first choice for its dates (``None`` when not needed).
    """
    path = os.path.join(root, rel)
    suffix = os.path.splitext(rel)[1].lower()
    options = {k: read_options.get(k) for k in _TABLE_OPTIONS}
    stage = tables_dir(store) / hashlib.sha256(rel.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    try:
        if suffix == ".parquet":
            plan = _survey_parquet(path, rows, options, stage)
        elif suffix in (".jsonl", ".ndjson"):
            plan = _survey_jsonl(path, rows, options)
        elif suffix in (".csv", ".tsv"):
            plan = _survey_csv(path, "," if suffix == ".csv" else "\t", rows, options, stage)
        else:
            plan = _whole("not a table that is read in pieces")
    except Exception as exc:  # noqa: BLE001 - see below
        # Whatever the survey cannot settle (a missing file, no text column, a file
        # the reader refuses, a header pyarrow cannot stage), the whole-file read
        # reads or reports exactly as before.
        plan = _whole(str(exc) or type(exc).__name__)
    if not plan["pieces"]:
        shutil.rmtree(stage, ignore_errors=True)
    if "digest" not in plan:
        try:
            plan["digest"] = file_digest(path)
        except OSError:
            plan["digest"] = ""
    plan["path"] = rel
    return plan


class _Whole(Exception):
    """The table is read whole: a piece could read differently from the whole file."""


def _whole(reason: str) -> dict:
    return {"pieces": [], "columns": None, "dayfirst": None, "reason": reason}


def _columns_of(path: str, names: list, options: dict) -> dict:
    """The whole file's role -> column choice (raises SourceError as the reader does)."""
    table = _corpus._Table(path, Path(path).stem, pd.DataFrame(columns=names), [], "row")
    return _corpus._resolve_columns(table, options)


class _TextCheck:
    """The checks :func:`analysis.corpus._decode` makes on a whole table file, over its
    bytes block by block: only plain UTF-8 (with or without a byte-order mark) is read
    in pieces, since another encoding is chosen over the whole file.  Also the file's
    SHA-256 on the way."""

    def __init__(self):
        self.sha = hashlib.sha256()
        self.decoder = codecs.getincrementaldecoder("utf-8")("strict")
        self.chars = self.controls = 0
        self.first = True

    def feed(self, data: bytes, final: bool = False) -> str:
        self.sha.update(data)
        if self.first and data:
            self.first = False
            if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                raise _Whole("UTF-16 file")
            if data.startswith(codecs.BOM_UTF8):
                data = data[len(codecs.BOM_UTF8):]
        if b"\x00" in data:
            raise _Whole("NUL bytes")
        try:
            text = self.decoder.decode(data, final)
        except UnicodeDecodeError:
            raise _Whole("not UTF-8") from None
        self.chars += len(text)
        self.controls += len(_corpus._CONTROL_RE.findall(text))
        return text

    def finish(self) -> str:
        self.feed(b"", final=True)
        if self.chars == 0:
            raise _Whole("empty file")
        if self.controls > _corpus.MAX_CONTROL_SHARE * self.chars:
            raise _Whole("many control characters")
        return self.sha.hexdigest()


def _survey_jsonl(path: str, rows: int, options: dict) -> dict:
    check = _TextCheck()
    keys: dict = {}              # every key, in order of first appearance (the frame's columns)
    dayfirst_keys: set = set()   # keys with some value that can only be day-first
    pieces, start, first, in_piece = [], 0, 1, 0
    offset = n = n_records = 0
    with open(path, "rb") as fh:
        for raw in fh:
            n += 1
            line = check.feed(raw)
            if "\r" in line and (line.count("\r") > 1 or not line.endswith("\r\n")):
                raise _Whole("a lone carriage return as a line end")
            offset += len(raw)
            in_piece += 1
            text = line.strip(_corpus._JSON_SPACE)
            if text:
                try:
                    record = json.loads(line)
                except (ValueError, RecursionError):
                    record = None
                if isinstance(record, dict):
                    n_records += 1
                    for k, v in record.items():
                        keys.setdefault(k, None)
                        if isinstance(v, str) and k not in dayfirst_keys and _auto_dayfirst((v,)):
                            dayfirst_keys.add(k)
            if in_piece == rows:
                pieces.append({"format": "jsonl", "start": start, "stop": offset, "first": first})
                start, first, in_piece = offset, n + 1, 0
    digest = check.finish()
    if in_piece:
        pieces.append({"format": "jsonl", "start": start, "stop": offset, "first": first})
    if n_records == 0:
        raise _Whole("no JSON objects")
    columns = _columns_of(path, list(keys), options)
    if len(pieces) < 2:
        return {**_whole("one piece"), "digest": digest}
    dayfirst = options.get("dayfirst")
    if dayfirst is None and columns["date"] is not None:
        dayfirst = columns["date"] in dayfirst_keys
    return {"pieces": pieces, "columns": columns, "dayfirst": dayfirst, "reason": "",
            "digest": digest, "rows": n}


def _survey_parquet(path: str, rows: int, options: dict, stage: Path) -> dict:
    try:
        # Buffered reads: a column chunk of a big row group is streamed, not read whole.
        pf = pq.ParquetFile(path, buffer_size=_BLOCK)
    except Exception as exc:  # pyarrow raises many types for corrupt files
        raise _Whole(f"cannot read as Parquet: {exc}") from None
    schema = pf.schema_arrow
    # The columns as pandas gives them (an index stored by pandas is not a column).
    names = [str(c) for c in schema.empty_table().to_pandas().columns]
    total = pf.metadata.num_rows
    if total <= rows:
        raise _Whole("one piece")
    columns = _columns_of(path, names, options)
    dayfirst = options.get("dayfirst")
    if dayfirst is None and columns["date"] is not None:
        field = schema.field(columns["date"])
        if pa.types.is_string(field.type) or pa.types.is_large_string(field.type):
            values = pf.read(columns=[columns["date"]]).column(0)
            dayfirst = _auto_dayfirst(v for v in values.to_pylist() if isinstance(v, str))
    pieces, groups, in_groups, at = [], [], 0, 0
    staged = 0
    for g in range(pf.metadata.num_row_groups):
        size = pf.metadata.row_group(g).num_rows
        if size > 2 * rows:
            if groups:
                pieces.append({"format": "parquet", "groups": groups, "first": at - in_groups + 1})
                groups, in_groups = [], 0
            # Streamed once in batches of ``rows`` into staged files.
            stage.mkdir(parents=True, exist_ok=True)
            for batch in pf.iter_batches(batch_size=rows, row_groups=[g], use_pandas_metadata=True):
                if not batch.num_rows:
                    continue
                numbers = pa.array(np.arange(at + 1, at + 1 + batch.num_rows, dtype=np.int64))
                table = pa.Table.from_batches([batch]).append_column(_NUMBER_COLUMN, numbers)
                file = stage / f"part-{staged}.arrow"
                _write_staged(table, file, [])
                pieces.append({"format": "staged", "file": str(file), "unit": "row"})
                staged += 1
                at += batch.num_rows
            continue
        groups.append(g)
        in_groups += size
        at += size
        if in_groups >= rows:
            pieces.append({"format": "parquet", "groups": groups, "first": at - in_groups + 1})
            groups, in_groups = [], 0
    if groups:
        pieces.append({"format": "parquet", "groups": groups, "first": at - in_groups + 1})
    if len(pieces) < 2:
        raise _Whole("one piece")
    return {"pieces": pieces, "columns": columns, "dayfirst": dayfirst, "reason": "",
            "rows": total}


def _write_staged(table: pa.Table, file: Path, skipped: list) -> None:
    meta = dict(table.schema.metadata or {})
    meta[b"skipped"] = json.dumps(skipped).encode()
    tmp = file.with_name(f".{file.name}.tmp")
    feather.write_feather(table.replace_schema_metadata(meta), tmp, compression="lz4")
    os.replace(tmp, file)


def _survey_csv(path: str, sep: str, rows: int, options: dict, stage: Path) -> dict:
    # First the checks the whole-file read makes on all the bytes, then one parse.
    check = _TextCheck()
    with open(path, "rb") as fh:
        while block := fh.read(_BLOCK):
            check.feed(block)
    digest = check.finish()
    with open(path, "rb") as fh:
        bom = fh.read(3) == codecs.BOM_UTF8
    encoding = "utf-8-sig" if bom else "utf-8"
    shutil.rmtree(stage, ignore_errors=True)
    stage.mkdir(parents=True, exist_ok=True)
    try:
        plan = _stage_csv_pandas(path, sep, encoding, rows, options, stage)
    except pd.errors.ParserError:
        # Some row has too many fields: the whole-file reader then reads row by row.
        shutil.rmtree(stage, ignore_errors=True)
        stage.mkdir(parents=True, exist_ok=True)
        plan = _stage_csv_rows(path, sep, encoding, rows, options, stage)
    plan["digest"] = digest
    return plan


class _Stager:
    """Writes a CSV's rows as staged Arrow files, noting the date column's day-first
    evidence and the columns (from the header) on the way."""

    def __init__(self, path, options, stage):
        self.path, self.options, self.stage = path, options, stage
        self.pieces, self.columns, self.dayfirst_seen, self.rows = [], None, False, 0

    def add(self, frame: pd.DataFrame, numbers: list, skipped: list) -> None:
        if self.columns is None:
            self.columns = _columns_of(self.path, [str(c) for c in frame.columns], self.options)
        date = self.columns["date"]
        if date is not None and not self.dayfirst_seen and len(frame):
            self.dayfirst_seen = _auto_dayfirst(v for v in frame[date].tolist() if isinstance(v, str))
        self.rows += len(frame) + len(skipped)
        table = pa.Table.from_pandas(frame, preserve_index=False)
        table = table.append_column(_NUMBER_COLUMN, pa.array(numbers, type=pa.int64()))
        file = self.stage / f"part-{len(self.pieces)}.arrow"
        _write_staged(table, file, skipped)
        self.pieces.append({"format": "staged", "file": str(file), "unit": "row"})

    def plan(self) -> dict:
        if len(self.pieces) < 2:
            raise _Whole("one piece")
        dayfirst = self.options.get("dayfirst")
        if dayfirst is None and self.columns["date"] is not None:
            dayfirst = self.dayfirst_seen
        return {"pieces": self.pieces, "columns": self.columns, "dayfirst": dayfirst, "reason": "",
                "rows": self.rows}


def _stage_csv_pandas(path, sep, encoding, rows, options, stage) -> dict:
    stager = _Stager(path, options, stage)
    at = 0
    with open(path, encoding=encoding, newline="") as fh:
        reader = pd.read_csv(fh, sep=sep, dtype=str, keep_default_na=False, na_filter=False,
                             chunksize=rows)
        for frame in reader:
            if not len(frame):
                continue
            stager.add(frame.reset_index(drop=True), list(range(at + 1, at + 1 + len(frame))), [])
            at += len(frame)
    return stager.plan()


def _stage_csv_rows(path, sep, encoding, rows, options, stage) -> dict:
    """:func:`analysis.corpus._read_csv_rows`, streamed: a row with too many fields is
    skipped with its number, a short one padded."""
    stager = _Stager(path, options, stage)
    with open(path, encoding=encoding, newline="") as fh:
        reader = csv.reader(fh, delimiter=sep)
        header = next(reader, None)
        if header is None:
            raise _Whole("empty file")
        keep, numbers, skipped, n = [], [], [], 0
        for row in reader:
            if not row:
                continue
            n += 1
            if len(row) > len(header):
                skipped.append((f"{path}:row {n}", f"row {n}: {len(row)} fields, the header has {len(header)}"))
            else:
                keep.append(row + [""] * (len(header) - len(row)))
                numbers.append(n)
            if len(keep) + len(skipped) >= rows:
                stager.add(pd.DataFrame(keep, columns=header, dtype=object), numbers, skipped)
                keep, numbers, skipped = [], [], []
        if keep or skipped:
            stager.add(pd.DataFrame(keep, columns=header, dtype=object), numbers, skipped)
    return stager.plan()


# ----------------------------------------------------------------------------- reading
def read_piece(root: str, rel: str, piece: dict, plan: dict, read_options: dict, keep=None
               ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ``corpus`` and ``skipped`` frames of one piece of table ``rel`` (columns of
    :func:`analysis.corpus.read_source`), read with the whole file's ``plan``
    (``columns``, ``dayfirst``) from :func:`survey_table`.

    ``keep(ids) -> bool array``, when given, chooses rows by their article id before
    their text is cleaned (the topic sample's draw: the skipped frame is then partial)."""
    path = os.path.join(root, rel)
    table = _piece_table(path, piece)
    options = {k: read_options.get(k) for k in _TABLE_OPTIONS}
    if options["dayfirst"] is None:
        options["dayfirst"] = plan["dayfirst"]
    columns = plan["columns"]
    if len(table.frame):
        # A column no row of this piece has is a column of the whole file all the same
        # (its cells are missing, as in the whole-file frame).
        for col in {c for c in columns.values() if c is not None} - set(table.frame.columns):
            table.frame[col] = pd.Series([np.nan] * len(table.frame), dtype=object)
    if keep is not None and len(table.frame):
        raw_ids = table.frame[columns["id"]].tolist() if columns["id"] else [None] * len(table.frame)
        ids = [_corpus._cell_id(v, f"{table.stem}-row{n}") for v, n in zip(raw_ids, table.numbers)]
        chosen = np.flatnonzero(keep(ids))
        table.frame = table.frame.iloc[chosen].reset_index(drop=True)
        table.numbers = [table.numbers[i] for i in chosen]
        table.skipped = []
    if len(table.frame):
        articles, skips = _corpus._table_articles(table, options, cols=columns)
    else:
        articles, skips = [], list(table.skipped)
    return _corpus._assemble(articles, [(len(articles), s) for s in skips])


def _piece_table(path: str, piece: dict) -> "_corpus._Table":
    stem = Path(path).stem
    kind = piece["format"]
    if kind == "jsonl":
        return _jsonl_piece(path, piece)
    if kind == "parquet":
        try:
            frame = pq.ParquetFile(path).read_row_groups(piece["groups"], use_pandas_metadata=True).to_pandas()
        except Exception as exc:  # pyarrow raises many types for corrupt files
            raise _corpus.SourceError(f"cannot read {path} as Parquet: {exc}") from None
        frame.columns = [str(c) for c in frame.columns]
        numbers = list(range(piece["first"], piece["first"] + len(frame)))
        return _corpus._Table(path, stem, frame.reset_index(drop=True), numbers, "row")
    table = feather.read_table(piece["file"])
    skipped = [tuple(s) for s in json.loads((table.schema.metadata or {}).get(b"skipped", b"[]"))]
    numbers = table.column(_NUMBER_COLUMN).to_pylist()
    table = table.drop_columns([_NUMBER_COLUMN])
    frame = table.to_pandas()
    frame.columns = [str(c) for c in frame.columns]
    return _corpus._Table(path, stem, frame.reset_index(drop=True), numbers, piece["unit"], skipped)


def _jsonl_piece(path: str, piece: dict) -> "_corpus._Table":
    """The lines of a byte range, as :func:`analysis.corpus._read_jsonl` reads them."""
    try:
        with open(path, "rb") as fh:
            fh.seek(piece["start"])
            data = fh.read(piece["stop"] - piece["start"])
    except OSError as exc:
        raise _corpus.SourceError(f"cannot read {path}: {_corpus._os_reason(exc)}") from None
    if piece["start"] == 0 and data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise _corpus.SourceError(f"{path} changed while it was read (not UTF-8 any more)") from None
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()           # the end of the range is a line end, not a line
    # A CRLF line end, as the whole-file reader splits it (a lone "\r" keeps a table whole).
    lines = [line[:-1] if line.endswith("\r") else line for line in lines]
    records, numbers, skipped = _corpus._jsonl_records(path, lines, first=piece["first"])
    return _corpus._Table(path, Path(path).stem, _corpus._records_frame(records), numbers, "line", skipped)
