"""CSV reports that open cleanly and safely in spreadsheet programs.

Every CSV this project writes goes through :func:`to_csv_bytes`: UTF-8 with a BOM
(so Excel detects the encoding), ISO 8601 dates, and text cells that a spreadsheet
would run as a formula neutralised with a leading apostrophe, as OWASP's
CSV-injection guidance recommends.  Numbers are left as numbers.  Files are written
atomically (temporary file, then rename), so an interrupted export never leaves a
half file behind.
"""
from __future__ import annotations

import io
import json
import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from . import aggregate

__all__ = [
    "neutralize_cell", "safe_frame", "to_csv_bytes", "atomic_write_bytes", "write_csv",
    "report_frames", "write_report", "report_zip", "summary_text", "export_name",
]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
ENCODING = "utf-8-sig"


def neutralize_cell(value):
    """Prefix a text cell that starts like a formula with ``'``; leave anything else."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Copy of ``frame`` ready for CSV: text cells neutralised, datetimes as ISO 8601."""
    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_float_dtype(out[col]):
            # VADER itself reports 4 decimals; 6 keeps means exact enough and readable.
            out[col] = out[col].round(6)
        s = out[col]
        if pd.api.types.is_float_dtype(s) or pd.api.types.is_bool_dtype(s):
            continue
        if pd.api.types.is_datetime64_any_dtype(s):
            out[col] = s.dt.strftime("%Y-%m-%dT%H:%M:%S").where(s.notna(), "")
        elif pd.api.types.is_object_dtype(s) or pd.api.types.is_string_dtype(s):
            out[col] = s.map(neutralize_cell)
    safe_cols = [neutralize_cell(str(c)) for c in out.columns]
    out.columns = safe_cols
    return out


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """The bytes of a safe CSV of ``frame`` (UTF-8 with BOM, no index)."""
    buf = io.StringIO()
    safe_frame(frame).to_csv(buf, index=False, lineterminator="\r\n")
    return buf.getvalue().encode(ENCODING)


def atomic_write_bytes(path, data: bytes) -> Path:
    """Write ``data`` to ``path`` via a temporary file in the same folder and a rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return path


def write_csv(frame: pd.DataFrame, path) -> Path:
    """Write ``frame`` as a safe CSV at ``path`` atomically; returns the path."""
    return atomic_write_bytes(path, to_csv_bytes(frame))


_ARTICLE_COLUMNS = [
    "article_id", "published", "title", "topic_id", "topic_label", "topic_weight",
    "theme_id", "theme_label", "n_sentences", "compound", "label", "pos_share", "neg_share", "neu_share",
    "most_positive", "most_positive_score", "most_negative", "most_negative_score",
    "source", "encoding", "warning",
]
_SENTENCE_COLUMNS = [
    "article_id", "published", "title", "topic_label", "sentence_id", "paragraph", "section",
    "text", "compound", "label", "neg", "neu", "pos", "start", "end", "truncated",
]
_TOPIC_COLUMNS = [
    "topic_id", "label", "headline", "theme_id", "theme_label", "terms", "n_articles",
    "share", "weight_share", "compound", "pos_share", "neg_share", "coherence",
]


def report_frames(result, freq: str = "auto") -> dict[str, pd.DataFrame]:
    """The frames of a report: ``articles``, ``sentences``, ``topics``, ``timeline``
    (overall and per topic, long form) and ``skipped`` (may be empty)."""
    arts = result.articles
    sents = result.sentences.merge(arts[["article_id", "published", "title", "topic_label"]],
                                   on="article_id", how="left")
    overall = aggregate.timeline(arts, result.sentences, freq=freq)
    by_topic = aggregate.topic_timeline(arts, result.article_topics, freq=freq)
    overall = overall.assign(freq=overall.attrs["freq"], topic_id=pd.NA, topic_label="(all)")
    by_topic = by_topic.assign(freq=by_topic.attrs["freq"])
    timeline = pd.concat([overall, by_topic], ignore_index=True)
    cols = ["freq", "period", "topic_id", "topic_label", "n_articles", "n_sentences",
            "weight", "share", "compound", "article_compound", "pos_share", "neg_share"]
    timeline = timeline.reindex(columns=cols)
    timeline["n_sentences"] = timeline["n_sentences"].astype("Int64")
    timeline["topic_id"] = timeline["topic_id"].astype("Int64")

    def pick(frame, columns):
        return frame[[c for c in columns if c in frame.columns]]

    return {
        "articles": pick(arts, _ARTICLE_COLUMNS),
        "sentences": pick(sents, _SENTENCE_COLUMNS),
        "topics": pick(result.topics, _TOPIC_COLUMNS),
        "timeline": timeline,
        "skipped": result.skipped,
    }


def summary_text(result, source: str | None = None) -> str:
    """A short human-readable summary of a (possibly filtered) result."""
    arts = result.articles
    first, last = aggregate.date_span(arts)
    lines = []
    if source:
        lines.append(f"source: {source}")
    lines += [
        f"articles analysed: {len(arts)}",
        f"sentences: {len(result.sentences)}",
        f"skipped: {len(result.skipped)}",
        f"topics: {len(result.topics)} ({result.params.get('chosen_by', '')})",
        "date span: " + (f"{first:%Y-%m-%d %H:%M} to {last:%Y-%m-%d %H:%M}" if first is not None
                         else "no dated articles"),
        f"undated articles: {aggregate.undated_count(arts)}",
    ]
    if len(result.sentences):
        lines.append(f"mean sentence sentiment: {result.sentences['compound'].mean():+.3f}")
    flt = result.params.get("filter")
    lines.append("filter: " + (json.dumps(flt, sort_keys=True) if flt else "none"))
    return "\n".join(lines) + "\n"


def export_name(what: str, when: pd.Timestamp | None = None, ext: str = "csv") -> str:
    """File name that says what and when, e.g. ``news-articles-20261125-0930.csv``."""
    when = pd.Timestamp.now() if when is None else pd.Timestamp(when)
    return f"news-{what}-{when:%Y%m%d-%H%M}.{ext}"


def write_report(result, out_dir, freq: str = "auto", source: str | None = None) -> list[Path]:
    """Write ``articles.csv``, ``sentences.csv``, ``topics.csv``, ``timeline.csv``,
    ``skipped.csv`` (only when something was skipped) and ``summary.txt`` into ``out_dir``."""
    out_dir = Path(out_dir)
    written = []
    for name, frame in report_frames(result, freq).items():
        if name == "skipped" and frame.empty:
            stale = out_dir / "skipped.csv"
            if stale.exists():
                stale.unlink()
            continue
        written.append(write_csv(frame, out_dir / f"{name}.csv"))
    written.append(atomic_write_bytes(out_dir / "summary.txt",
                                      summary_text(result, source).encode("utf-8")))
    return written


def report_zip(result, freq: str = "auto", source: str | None = None) -> bytes:
    """The whole report as the bytes of a zip (CSV files and ``summary.txt``)."""
    buf = io.BytesIO()
    # Fixed timestamps keep the same report byte-for-byte identical.
    stamp = (2000, 1, 1, 0, 0, 0)
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, frame in report_frames(result, freq).items():
            if name == "skipped" and frame.empty:
                continue
            zf.writestr(zipfile.ZipInfo(f"{name}.csv", stamp), to_csv_bytes(frame))
        zf.writestr(zipfile.ZipInfo("summary.txt", stamp), summary_text(result, source).encode("utf-8"))
    return buf.getvalue()
