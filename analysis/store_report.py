"""``report --store``: the CSV reports of an archive store, streamed part by part.

The same files and columns as ``report SOURCE`` (:func:`analysis.reports.write_report`),
computed without holding the archive in memory: each chunk's part of a month is read,
filtered with :func:`analysis.aggregate.filter_result` (the same criteria), appended to
``articles.csv`` / ``sentences.csv`` and added to running sums; ``timeline.csv`` and
``topics.csv`` are made from those sums at the end (per hour while streaming, rolled up
to the period once the filtered span is known).  Rows come in partition order (month,
then chunk).  Memory holds one part and the per-hour sums.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from . import aggregate
from . import archive_layout as layout
from .pipeline import AnalysisResult
from .reports import (_ARTICLE_COLUMNS, _SENTENCE_COLUMNS, _TOPIC_COLUMNS, atomic_write_bytes,
                      atomic_write_chunks, csv_chunks, csv_row_bytes, to_csv_bytes, write_csv)

__all__ = ["write_store_report", "read_store_topics"]


def read_store_topics(store) -> pd.DataFrame:
    """The store's ``topics.parquet`` (README.md (Archive store))."""
    path = Path(store) / "topics.parquet"
    if not path.exists():
        raise ValueError(f"{store} is not an indexed archive store (no topics.parquet); "
                         f"run: python -m analysis index SOURCE --store {store}")
    return pd.read_parquet(path)


def _months(store: Path, start, end, include_undated: bool) -> list[str]:
    """Month partitions that can hold articles in [start, end] (partition pruning)."""
    out = []
    for folder in sorted((store / "articles").glob("month=*")):
        month = folder.name[len("month="):]
        if month == layout.UNDATED:
            if include_undated:
                out.append(month)
            continue
        first = pd.Timestamp(month + "-01")
        last = first + pd.offsets.MonthEnd(1) + pd.Timedelta(days=1)
        if start is not None and last <= pd.Timestamp(start):
            continue
        if end is not None and first > pd.Timestamp(end) + pd.Timedelta(days=1):
            continue
        out.append(month)
    return out


def _read(path: Path) -> pd.DataFrame:
    frame = pq.read_table(path).to_pandas()
    for col in frame.columns:
        if pd.api.types.is_string_dtype(frame[col]) and not pd.api.types.is_object_dtype(frame[col]):
            frame[col] = frame[col].astype(object)
    return frame.drop(columns=["month"], errors="ignore")


def _empty_like(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})


class _Sums:
    """Running per-hour (and per hour x topic) sums of the filtered rows."""

    def __init__(self):
        self.overall, self.topics, self.per_topic = [], [], []
        self.first = self.last = None
        self.n_dated = self.n_articles = self.n_undated = self.n_sentences = 0
        self.sentence_sum = 0.0

    def add(self, arts: pd.DataFrame, sents: pd.DataFrame, at: pd.DataFrame) -> None:
        self.n_articles += len(arts)
        self.n_sentences += len(sents)
        self.sentence_sum += float(sents["compound"].sum())
        self.per_topic.append(self._per_topic(arts, sents))
        dated = arts.loc[arts["published"].notna(), ["article_id", "published", "compound", "topic_id"]]
        self.n_undated += len(arts) - len(dated)
        if dated.empty:
            return
        self.n_dated += len(dated)
        lo, hi = dated["published"].min(), dated["published"].max()
        self.first = lo if self.first is None else min(self.first, lo)
        self.last = hi if self.last is None else max(self.last, hi)
        dated = dated.assign(hour=dated["published"].dt.floor("h"))
        a = dated.groupby("hour").agg(n_articles=("article_id", "size"),
                                      csum=("compound", lambda c: c[c.notna()].sum()),
                                      cn=("compound", "count"))
        s = sents[["article_id", "compound", "label"]].merge(dated[["article_id", "hour"]], on="article_id")
        s = s.assign(pos=s["label"].eq("positive"), neg=s["label"].eq("negative"))
        s = s.groupby("hour").agg(n_sentences=("compound", "size"), ssum=("compound", "sum"),
                                  pos=("pos", "sum"), neg=("neg", "sum"))
        self.overall.append(a.join(s, how="outer").fillna(0.0))
        w = at.merge(dated[["article_id", "hour", "compound"]], on="article_id")
        w = w.assign(wc=w["weight"] * w["compound"].fillna(0),
                     wn=w["weight"].where(w["compound"].notna(), 0.0))
        t = w.groupby(["hour", "topic_id"])[["weight", "wc", "wn"]].sum()
        n = dated.groupby(["hour", "topic_id"]).size().rename("n_articles")
        self.topics.append(t.join(n, how="outer").fillna(0.0))
        self._compact()

    @staticmethod
    def _per_topic(arts, sents):
        a = arts.groupby("topic_id").agg(n=("article_id", "size"),
                                         csum=("compound", lambda c: c[c.notna()].sum()),
                                         cn=("compound", "count"))
        s = sents[["article_id", "label"]].merge(arts[["article_id", "topic_id"]], on="article_id")
        s = s.assign(pos=s["label"].eq("positive"), neg=s["label"].eq("negative"))
        s = s.groupby("topic_id").agg(ns=("label", "size"), pos=("pos", "sum"), neg=("neg", "sum"))
        return a.join(s, how="outer").fillna(0.0)

    def _compact(self) -> None:
        # Re-aggregating every few parts keeps the sums as small as the hours they cover.
        for name in ("overall", "topics", "per_topic"):
            parts = getattr(self, name)
            if len(parts) > 32:
                setattr(self, name, [pd.concat(parts).groupby(level=list(range(parts[0].index.nlevels))).sum()])

    def timeline(self, freq: str, labels: dict) -> tuple[pd.DataFrame, str]:
        cols = ["freq", "period", "topic_id", "topic_label", "n_articles", "n_sentences",
                "weight", "share", "compound", "article_compound", "pos_share", "neg_share"]
        if freq == "auto":
            freq = self._auto_freq()
        if not self.overall:
            out = pd.DataFrame(columns=cols)
            out["n_sentences"] = out["n_sentences"].astype("Int64")
            out["topic_id"] = out["topic_id"].astype("Int64")
            return out, freq
        periods = pd.DatetimeIndex(pd.period_range(self.first, self.last, freq=aggregate.FREQS[freq])
                                   .start_time, name="period")
        o = pd.concat(self.overall).groupby(level=0).sum()
        o.index = aggregate.period_start(pd.Series(o.index), freq).to_numpy()
        o = o.groupby(level=0).sum().reindex(periods)
        overall = pd.DataFrame({
            "period": periods, "n_articles": o["n_articles"].fillna(0).astype(np.int64).to_numpy(),
            "n_sentences": o["n_sentences"].fillna(0).astype(np.int64).to_numpy(),
            "compound": (o["ssum"] / o["n_sentences"].replace(0, np.nan)).to_numpy(),
            "article_compound": (o["csum"] / o["cn"].replace(0, np.nan)).to_numpy(),
            "pos_share": (o["pos"] / o["n_sentences"].replace(0, np.nan)).to_numpy(),
            "neg_share": (o["neg"] / o["n_sentences"].replace(0, np.nan)).to_numpy(),
        }).assign(freq=freq, topic_id=pd.NA, topic_label="(all)")
        t = pd.concat(self.topics).groupby(level=[0, 1]).sum().reset_index()
        t["period"] = aggregate.period_start(t["hour"], freq)
        t = t.groupby(["period", "topic_id"])[["weight", "wc", "wn", "n_articles"]].sum()
        topic_ids = sorted(set(t.index.get_level_values("topic_id").astype(int)) - {-1})
        t = aggregate.topic_period_sums(t, periods, topic_ids)
        t["topic_label"] = t["topic_id"].map(labels).fillna(t["topic_id"].astype(str)).astype(object)
        by_topic = t[["period", "topic_id", "topic_label", "n_articles", "weight", "share",
                      "compound"]].assign(freq=freq)
        out = pd.concat([overall, by_topic], ignore_index=True).reindex(columns=cols)
        out["n_sentences"] = out["n_sentences"].astype("Int64")
        out["topic_id"] = out["topic_id"].astype("Int64")
        return out, freq

    def _auto_freq(self, max_periods: int = 120) -> str:
        # aggregate.auto_freq's rule, from the span and count instead of every date.
        if self.first is None:
            return "day"
        for freq in ("hour", "day", "week"):
            n_periods = len(pd.period_range(self.first, self.last, freq=aggregate.FREQS[freq]))
            if n_periods <= max_periods and self.n_dated >= n_periods:
                return freq
        return "month"

    def topic_frame(self, topics: pd.DataFrame) -> pd.DataFrame:
        out = topics.copy()
        if self.per_topic:
            p = pd.concat(self.per_topic).groupby(level=0).sum()
        else:
            p = pd.DataFrame(columns=["n", "csum", "cn", "ns", "pos", "neg"], dtype=float)
        out["n_articles"] = out["topic_id"].map(p["n"]).fillna(0).astype(np.int64)
        out["share"] = out["n_articles"] / max(self.n_articles, 1)
        out["compound"] = out["topic_id"].map(p["csum"] / p["cn"].replace(0, np.nan))
        out["pos_share"] = out["topic_id"].map(p["pos"] / p["ns"].replace(0, np.nan))
        out["neg_share"] = out["topic_id"].map(p["neg"] / p["ns"].replace(0, np.nan))
        return out[[c for c in _TOPIC_COLUMNS if c in out.columns]]


def write_store_report(store, out_dir, criteria: dict | None = None, freq: str = "auto") -> dict:
    """Write ``articles.csv``, ``sentences.csv``, ``topics.csv``, ``timeline.csv``,
    ``skipped.csv`` (when anything was skipped) and ``summary.txt`` for the articles of
    ``store`` that match ``criteria`` (keywords of :func:`analysis.aggregate.filter_result`).

    Returns counts: ``articles``, ``sentences``, ``skipped``, ``freq``.
    """
    store, out_dir = Path(store), Path(out_dir)
    criteria = dict(criteria or {})
    topics = read_store_topics(store)
    labels = dict(zip(topics["topic_id"], topics["label"]))
    meta = layout.read_json(store / "store.json", {}) or {}
    start, end = criteria.get("start"), criteria.get("end")
    include_undated = criteria.get("include_undated", start is None and end is None)
    months = _months(store, start, end, include_undated)
    sums = _Sums()
    empty = pd.DataFrame({"article_id": pd.Series(dtype=object)})

    def parts():
        for month in months:
            for path in sorted((store / "articles" / f"month={month}").glob("part-*.parquet")):
                arts = _read(path)
                sents = _read(store / "sentences" / f"month={month}" / path.name)
                at = _read(store / "article_topics" / f"month={month}" / path.name)
                # Labels as the store has them now (a rename after indexing included).
                arts["topic_label"] = arts["topic_id"].map(labels).fillna("(no topic)").astype(object)
                part = AnalysisResult(articles=arts, sentences=sents.drop(columns=["published", "topic_id"]),
                                      topics=topics, article_topics=at, skipped=empty, k_scores=empty,
                                      topic_map=empty, article_map=empty)
                if criteria:
                    part = aggregate.filter_result(part, **criteria)
                sums.add(part.articles, part.sentences, part.article_topics)
                yield part

    article_cols = [c for c in _ARTICLE_COLUMNS]
    sentence_cols = [c for c in _SENTENCE_COLUMNS]
    sentence_tmp = out_dir / ".sentences.parts"
    # One pass over the parts: articles.csv is written while sentences.csv's rows are
    # appended to a side file, so each part is read once.
    sentence_tmp.parent.mkdir(parents=True, exist_ok=True)
    with open(sentence_tmp, "wb") as side:
        chunks = csv_chunks(_with_sentences(parts(), side, article_cols, sentence_cols))
        atomic_write_chunks(out_dir / "articles.csv", chunks)
    atomic_write_chunks(out_dir / "sentences.csv", _file_blocks(sentence_tmp))
    sentence_tmp.unlink()
    timeline, used_freq = sums.timeline(freq, labels)
    write_csv(timeline, out_dir / "timeline.csv")
    write_csv(sums.topic_frame(topics), out_dir / "topics.csv")
    skipped = pd.read_parquet(store / "skipped.parquet") if (store / "skipped.parquet").exists() \
        else pd.DataFrame(columns=["source", "reason"])
    if len(skipped):
        write_csv(skipped, out_dir / "skipped.csv")
    elif (out_dir / "skipped.csv").exists():
        (out_dir / "skipped.csv").unlink()
    model = meta.get("model") or {}
    lines = [f"source: {store} (archive store of {meta.get('source', '?')})",
             f"articles analysed: {sums.n_articles}", f"sentences: {sums.n_sentences}",
             f"skipped: {len(skipped)}", f"topics: {len(topics)} ({model.get('chosen_by', '')})",
             "date span: " + (f"{sums.first:%Y-%m-%d %H:%M} to {sums.last:%Y-%m-%d %H:%M}"
                              if sums.first is not None else "no dated articles"),
             f"undated articles: {sums.n_undated}"]
    if sums.n_sentences:
        lines.append(f"mean sentence sentiment: {sums.sentence_sum / sums.n_sentences:+.3f}")
    shown = {k: (str(v) if isinstance(v, pd.Timestamp) else v) for k, v in criteria.items()}
    lines.append("filter: " + (json.dumps(shown, sort_keys=True, default=str) if shown else "none"))
    atomic_write_bytes(out_dir / "summary.txt", ("\n".join(lines) + "\n").encode("utf-8"))
    return {"articles": sums.n_articles, "sentences": sums.n_sentences, "skipped": len(skipped),
            "freq": used_freq, "first": sums.first, "last": sums.last, "undated": sums.n_undated,
            "topics": len(topics)}


def _with_sentences(parts, side, article_cols, sentence_cols):
    """The articles frame of each part (the CSV's columns), writing its sentences' CSV
    rows to ``side`` on the way (header and BOM with the first)."""
    first = True
    yielded = False
    for part in parts:
        arts = part.articles
        sents = part.sentences.merge(arts[["article_id", "published", "title", "topic_label"]],
                                     on="article_id", how="left")
        sents = sents[[c for c in sentence_cols if c in sents.columns]]
        side.write(to_csv_bytes(sents) if first else csv_row_bytes(sents))
        first = False
        yielded = True
        yield arts[[c for c in article_cols if c in arts.columns]]
    if not yielded:
        side.write(to_csv_bytes(_empty_like(sentence_cols)))
        yield _empty_like(article_cols)


def _file_blocks(path: Path, size: int = 1 << 20):
    with open(path, "rb") as fh:
        while True:
            block = fh.read(size)
            if not block:
                return
            yield block
