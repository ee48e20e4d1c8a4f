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
import os
import re
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from . import aggregate
from .headline import Headline, headline
from .periods import period_coverage

__all__ = [
    "neutralize_cell", "safe_frame", "to_csv_bytes", "atomic_write_bytes", "atomic_write_chunks",
    "csv_chunks", "csv_row_bytes", "write_csv",
    "report_frames", "write_report", "report_zip", "summary_text", "export_name",
    "timeline_frame", "format_summary",
]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: A signed decimal number and nothing else (``-0.900``, ``+3``, ``-1.5e-3``): a
#: spreadsheet reads it as that number, never as a formula, and an apostrophe would
#: turn a score shown as text (a correction's old and new value) into a string.
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
ENCODING = "utf-8-sig"


def neutralize_cell(value):
    """Prefix a text cell that starts like a formula with ``'``; leave anything else
    (a signed number written as text included)."""
    if (isinstance(value, str) and value.startswith(_FORMULA_START)
            and not _PLAIN_NUMBER.fullmatch(value)):
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


def _file_mode() -> int:
    """Mode of a new file under the process umask (what ``open`` would give): a
    temporary file is created 0600, a report must be readable like any other file."""
    try:
        with open("/proc/self/status") as fh:
            mask = next(int(line.split()[1], 8) for line in fh if line.startswith("Umask:"))
    except (OSError, StopIteration, ValueError):
        mask = 0o022
    return 0o666 & ~mask


def atomic_write_bytes(path, data: bytes) -> Path:
    """Write ``data`` to ``path`` via a temporary file in the same folder and a rename."""
    return atomic_write_chunks(path, [data])


def atomic_write_chunks(path, chunks) -> Path:
    """Write the byte strings of the iterable ``chunks`` to ``path`` via a temporary
    file in the same folder and a rename (for files too large to build in memory)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            for data in chunks:
                fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, _file_mode())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return path


def csv_row_bytes(frame: pd.DataFrame) -> bytes:
    """The rows of :func:`to_csv_bytes` without header and byte-order mark (to append)."""
    buf = io.StringIO()
    safe_frame(frame).to_csv(buf, index=False, header=False, lineterminator="\r\n")
    return buf.getvalue().encode("utf-8")


def csv_chunks(frames):
    """The bytes of one safe CSV of all the frames of the iterable ``frames`` (same
    columns), one frame at a time: the header and byte-order mark only once."""
    first = True
    for frame in frames:
        yield to_csv_bytes(frame) if first else csv_row_bytes(frame)
        first = False


def write_csv(frame: pd.DataFrame, path) -> Path:
    """Write ``frame`` as a safe CSV at ``path`` atomically; returns the path."""
    return atomic_write_bytes(path, to_csv_bytes(frame))


#: Columns of each report CSV, in order (the store export writes the same).
ARTICLE_COLUMNS = [
    "article_id", "published", "title", "outlet", "url", "topic_id", "topic_label", "topic_weight",
    "theme_id", "theme_label", "n_sentences", "compound", "label", "pos_share", "neg_share",
    "neu_share",
    "most_positive", "most_positive_score", "most_negative", "most_negative_score",
    "source", "encoding", "warning", "overridden",
]
SENTENCE_COLUMNS = [
    "article_id", "published", "title", "outlet", "topic_label", "sentence_id", "paragraph", "section",
    "text", "compound", "label", "neg", "neu", "pos", "start", "end", "truncated", "overridden",
]
TOPIC_COLUMNS = [
    "topic_id", "label", "headline", "theme_id", "theme_label", "terms", "n_articles",
    "share", "weight_share", "compound", "pos_share", "neg_share", "coherence",
]


def topics_frame(result) -> pd.DataFrame:
    """The topics table of every export (CLI, report zip, the Topics tab's CSV): the
    :data:`TOPIC_COLUMNS` the result has, in that order."""
    return result.topics[[c for c in TOPIC_COLUMNS if c in result.topics.columns]]


def timeline_frame(overall: pd.DataFrame, by_topic: pd.DataFrame, freq: str,
                   span=(None, None)) -> pd.DataFrame:
    """``timeline.csv``: the overall timeline (``topic_label`` "(all)") above the
    per-topic one, long form, with the period used (``freq``, already resolved) in
    ``freq`` and the share of each period the report covers in ``coverage``
    (:func:`analysis.periods.period_coverage` from ``span``, the first and last
    publication time of the report's articles: a partial first or last period)."""
    overall = overall.assign(freq=freq, topic_id=pd.NA, topic_label="(all)")
    by_topic = by_topic.assign(freq=freq)
    timeline = pd.concat([overall, by_topic], ignore_index=True)
    timeline["coverage"] = period_coverage(timeline["period"], freq, *span)
    cols = ["freq", "period", "coverage", "topic_id", "topic_label", "n_articles",
            "n_sentences", "weight", "share", "compound", "article_compound", "pos_share",
            "neg_share"]
    timeline = timeline.reindex(columns=cols)
    timeline["n_sentences"] = timeline["n_sentences"].astype("Int64")
    timeline["topic_id"] = timeline["topic_id"].astype("Int64")
    return timeline


def report_frames(result, freq: str = "auto") -> dict[str, pd.DataFrame]:
    """The frames of a report: ``articles``, ``sentences``, ``topics``, ``timeline``
    (overall and per topic, long form) and ``skipped`` (may be empty)."""
    arts = result.articles
    carried = [c for c in ("article_id", "published", "title", "outlet", "topic_label")
               if c in arts.columns]
    sents = result.sentences.merge(arts[carried], on="article_id", how="left")
    freq = aggregate.resolve_freq(freq, arts["published"])
    labels = dict(zip(result.topics["topic_id"].astype(int), result.topics["label"]))
    timeline = timeline_frame(
        aggregate.timeline(arts, result.sentences, freq=freq),
        aggregate.topic_timeline(arts, result.article_topics, freq=freq, topic_labels=labels),
        freq, aggregate.date_span(arts))

    def pick(frame, columns):
        return frame[[c for c in columns if c in frame.columns]]

    return {
        "articles": pick(arts, ARTICLE_COLUMNS),
        "sentences": pick(sents, SENTENCE_COLUMNS),
        "topics": topics_frame(result),
        "timeline": timeline,
        "skipped": result.skipped,
    }


def summary_text(result, source: str | None = None) -> str:
    """A short human-readable summary of a (possibly filtered) result."""
    figures = headline(result.articles, result.sentences, result.topics)
    return format_summary(figures, n_skipped=len(result.skipped),
                          chosen_by=result.params.get("chosen_by", ""),
                          filter=result.params.get("filter"), source=source,
                          topics=result.topics)


def format_summary(figures: Headline, n_skipped: int, chosen_by: str = "",
                   filter: dict | None = None, source: str | None = None,
                   topics: pd.DataFrame | None = None) -> str:
    """``summary.txt`` from :class:`~analysis.headline.Headline` figures (a result's or
    a store query's, so both read the same)."""
    first, last = figures.first, figures.last
    lines = []
    if source:
        lines.append(f"source: {source}")
    lines += [
        f"articles analysed: {figures.n_articles}",
        f"sentences: {figures.n_sentences}",
        f"skipped: {n_skipped}",
        f"topics: {figures.n_topics} ({chosen_by})",
        "date span: " + (f"{first:%Y-%m-%d %H:%M} to {last:%Y-%m-%d %H:%M}" if first is not None
                         else "no dated articles"),
        f"undated articles: {figures.undated}",
    ]
    if figures.n_sentences:
        lines.append(f"mean sentence sentiment: {figures.mean_compound:+.3f}")
    lines.append("filter: " + filter_description(filter, topics))
    return "\n".join(lines) + "\n"


def _day(value: str) -> str:
    ts = pd.Timestamp(value)
    return f"{ts:%Y-%m-%d}" if ts == ts.normalize() else f"{ts:%Y-%m-%d %H:%M}"


def filter_description(flt: dict | None, topics: pd.DataFrame | None = None) -> str:
    """The criteria of :func:`analysis.aggregate.filter_result` (``params["filter"]``)
    in words: ``published 2024-06-01 to 2024-06-30 (inclusive); topics 1 (storm ·
    flood); keyword "storm"``; ``none`` when nothing is filtered."""
    flt = flt or {}
    parts = []
    start, end = flt.get("start"), flt.get("end")
    if start or end:
        span = (f"{_day(start)} to {_day(end)}" if start and end
                else f"from {_day(start)}" if start else f"up to {_day(end)}")
        parts.append(f"published {span} (inclusive)"
                     + ("" if flt.get("include_undated") else ", undated articles left out"))
    if flt.get("topics"):
        labels = {} if topics is None else dict(zip(topics["topic_id"].astype(int),
                                                    topics["label"].astype(str)))
        labels[-1] = "no topic"
        parts.append("topics " + ", ".join(
            f"{t} ({labels[t]})" if t in labels else str(t) for t in flt["topics"]))
    if flt.get("themes"):
        names = ({} if topics is None or "theme_label" not in topics else
                 dict(zip(topics["theme_id"].astype(int), topics["theme_label"].astype(str))))
        parts.append("themes " + ", ".join(
            f"{t} ({names[t]})" if t in names else str(t) for t in flt["themes"]))
    if flt.get("sentiment"):
        lo, hi = flt["sentiment"]
        parts.append(f"article sentiment {lo:+.2f} to {hi:+.2f}")
    if flt.get("keyword"):
        parts.append(f'keyword "{flt["keyword"]}"')
    if flt.get("outlets"):
        parts.append("outlets " + ", ".join(str(o) for o in flt["outlets"]))
    return "; ".join(parts) if parts else "none"


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


def zip_entry(name: str) -> zipfile.ZipInfo:
    """A report zip's member ``name``: a fixed timestamp, so the same report is the same
    bytes, and compressed (a ``ZipInfo`` made by hand is stored uncompressed unless told:
    the reports were, CSVs at full size, until 2026-12-06)."""
    info = zipfile.ZipInfo(name, (2000, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def report_zip(result, freq: str = "auto", source: str | None = None) -> bytes:
    """The whole report as the bytes of a zip (CSV files and ``summary.txt``)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, frame in report_frames(result, freq).items():
            if name == "skipped" and frame.empty:
                continue
            zf.writestr(zip_entry(f"{name}.csv"), to_csv_bytes(frame))
        zf.writestr(zip_entry("summary.txt"), summary_text(result, source).encode("utf-8"))
    return buf.getvalue()
