"""The report CSVs of a store view, streamed: ``report --store`` and the dashboard's
exports write them without holding the archive in memory.

The files and columns are those of :func:`analysis.reports.write_report`; ``articles``
and ``sentences`` are read from DuckDB in Arrow batches and appended to the CSV, so
memory stays bounded by the batch size whatever the archive's size.
"""
from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path

import pandas as pd

from . import queries, reports, rollups
from .criteria import Criteria, month_bounds, month_where
from .store_overrides import has_corrections, mark_overridden, store_marks

__all__ = ["export_csvs", "sentences_csv", "stream_csv"]


def _atomic_open(path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    return os.fdopen(fd, "wb"), tmp


def stream_csv(batches, path, columns: list[str]) -> tuple[Path, int]:
    """Write frames from ``batches`` (an iterable of pandas frames) as one safe CSV
    (:func:`analysis.reports.to_csv_bytes` rules) at ``path``, atomically, with a
    header of ``columns`` even when there is no row.  Returns the path and row count."""
    path = Path(path)
    fh, tmp = _atomic_open(path)
    rows = 0
    try:
        with fh:
            header = reports.to_csv_bytes(pd.DataFrame(columns=columns))
            fh.write(header)
            for frame in batches:
                if frame.empty:
                    continue
                buf = io.StringIO()
                reports.safe_frame(frame.reindex(columns=columns)).to_csv(
                    buf, index=False, header=False, lineterminator="\r\n")
                fh.write(buf.getvalue().encode("utf-8"))
                rows += len(frame)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path, rows


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _columns(store, view: str) -> set[str]:
    """Column names of one of the store's views."""
    return {row[0] for row in store.con.cursor().sql(f"DESCRIBE {view}").fetchall()}


def _batches(store, sql: str, params: list, batch_rows: int, labels: dict,
             marks=None, kind: str = "articles"):
    # A cursor of its own: the other queries of the export run while this one streams.
    cur = store.con.cursor()
    try:
        for batch in cur.sql(sql, params=params).to_arrow_reader(batch_rows):
            frame = batch.to_pandas()
            if "topic_label" in frame and "topic_id" in frame:
                frame["topic_label"] = [labels.get(int(t), lab) for t, lab in
                                        zip(frame["topic_id"], frame["topic_label"])]
            if marks is not None:  # the store's parts hold corrected values already
                frame = mark_overridden(frame, marks, kind)
            yield frame
    finally:
        cur.close()


class _Export:
    """What both streamed files of a view need: the labels with renames, the store's
    corrections marks, the columns the store holds, the months to walk."""

    def __init__(self, store, c: Criteria, names: dict | None, batch_rows: int):
        self.store, self.c, self.batch_rows = store, c, batch_rows
        self.labels = store.labels(names)
        # Columns the store does not hold (outlet, url) are left out, as report_frames
        # leaves out what a result lacks; ``overridden`` comes from the store's
        # corrections (analysis.store_overrides) once it has any, as a corrected result
        # has it.
        self.marks = store_marks(store.path) if has_corrections(store.path) else None
        self.extra = {"overridden"} if self.marks is not None else set()
        self.have_a = _columns(store, "articles_full") | self.extra
        self.have_s = _columns(store, "sentences_full") | self.extra
        # A month at a time: the partitions are months of publication, so the months
        # in order, each sorted, are the whole view sorted, and no sort holds more than
        # a month (one ORDER BY over a 1M-article store's 10.6M sentences took 5.8 GB).
        self.months = _months(store, c)

    def by_month(self, sql: str, params_of, kind: str = "articles"):
        return (frame for m in self.months for frame in _batches(
            self.store, sql, params_of(m), self.batch_rows, self.labels, self.marks, kind))


def _articles_csv(x: _Export, path: Path) -> Path:
    where, params = x.store.article_where(x.c)
    fwhere, fparams = month_where(x.c, "f")
    acols = [col for col in reports.ARTICLE_COLUMNS if col in x.have_a]
    cols = ", ".join(f'f."{col}"' for col in acols if col not in x.extra)
    sql = (f"SELECT {cols} FROM articles_full f WHERE f.month = ? AND {fwhere} AND "
           f"(f.month, f.article_id) IN (SELECT a.month, a.article_id FROM articles a "
           f"WHERE a.month = ? AND {where}) ORDER BY f.published NULLS LAST, f.article_id")
    return stream_csv(x.by_month(sql, lambda m: [m, *fparams, m, *params]), path, acols)[0]


def _sentences_csv(x: _Export, path: Path) -> Path:
    swhere, sparams = queries._sentence_where(x.store, x.c, key="article_id")
    from_article = {"title", "topic_label", "outlet"}
    names = [col for col in reports.SENTENCE_COLUMNS
             if (col in x.have_a if col in from_article else col in x.have_s)]
    cols = ", ".join(f'a."{col}"' if col in from_article else f's."{col}"'
                     for col in names if col not in x.extra)
    sql = (f"SELECT {cols}, s.topic_id FROM sentences_full s JOIN articles_full a ON a.month = s.month "
           f"AND a.article_id = s.article_id WHERE s.month = ? AND a.month = ? AND {swhere} "
           "ORDER BY s.published NULLS LAST, s.article_id, s.sentence_id")
    return stream_csv(x.by_month(sql, lambda m: [m, m, *sparams], "sentences"), path, names)[0]


def sentences_csv(store, path, c: Criteria = Criteria(), names: dict | None = None,
                  batch_rows: int = 50_000) -> Path:
    """Only ``sentences.csv`` of :func:`export_csvs` (the Sentiment tab's download)."""
    return _sentences_csv(_Export(store, c, names, batch_rows), Path(path))


def export_csvs(store, out_dir, c: Criteria = Criteria(), freq: str = "auto",
                names: dict | None = None, batch_rows: int = 50_000,
                source: str | None = None) -> list[Path]:
    """Write ``articles.csv``, ``sentences.csv``, ``topics.csv``, ``timeline.csv``,
    ``skipped.csv`` (when the store lists skipped inputs) and ``summary.txt`` for the
    view ``c`` of ``store`` into ``out_dir``; returns the paths written."""
    out_dir = Path(out_dir)
    x = _Export(store, c, names, batch_rows)
    written = [_articles_csv(x, out_dir / "articles.csv"),
               _sentences_csv(x, out_dir / "sentences.csv")]
    topics = queries.topic_table(store, c, names)
    written.append(reports.write_csv(topics.reindex(columns=[
        col for col in reports.TOPIC_COLUMNS if col in topics.columns]), out_dir / "topics.csv"))
    freq = queries.resolve_freq(store, c, freq)
    figures = queries.headline(store, c)
    timeline = reports.timeline_frame(queries.timeline(store, c, freq),
                                      queries.topic_timeline(store, c, freq, names), freq,
                                      (figures.first, figures.last))
    written.append(reports.write_csv(timeline, out_dir / "timeline.csv"))
    skipped_path = store.path / "skipped.parquet"
    skipped = pd.read_parquet(skipped_path) if skipped_path.exists() else pd.DataFrame()
    if len(skipped):
        written.append(reports.write_csv(skipped, out_dir / "skipped.csv"))
    text = reports.format_summary(figures, n_skipped=len(skipped),
                                  chosen_by=_chosen_by(store.settings),
                                  filter=c.describe(),
                                  source=source, topics=store.topics)
    written.append(reports.atomic_write_bytes(out_dir / "summary.txt", text.encode("utf-8")))
    return written


def _months(store, c: Criteria) -> list[str]:
    """The store's month partitions the view's dates can touch, in publication order
    (``undated`` sorts last, where ``NULLS LAST`` puts its rows)."""
    lo, hi = month_bounds(c)
    return [m for m in rollups.store_months(store.path)
            if m == "undated" or ((lo is None or m >= lo) and (hi is None or m <= hi))]


def _chosen_by(settings: dict) -> str:
    """How k was chosen, wherever ``store.json`` records it."""
    for where in (settings, settings.get("settings") or {}, settings.get("model") or {},
                  settings.get("topics") or {}):
        if isinstance(where, dict) and where.get("chosen_by"):
            return str(where["chosen_by"])
    return ""
