"""Figures over a whole archive store, computed by DuckDB from the Parquet partitions
(streaming: no frame of the whole archive is built in this process).

* :func:`topic_summary`: the ``topics`` frame over every stored article;
* :func:`sample_articles`: a time-stratified sample of stored articles (for a refit).
"""
from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

__all__ = ["dataset", "has_rows", "topic_summary", "sample_articles", "connect"]


def dataset(store, frame: str) -> str:
    """The ``read_parquet`` expression of one partitioned frame of ``store``."""
    glob = str(Path(store) / frame / "*" / "*.parquet").replace("'", "''")
    return f"read_parquet('{glob}', hive_partitioning=true, union_by_name=true)"


def has_rows(store, frame: str) -> bool:
    return any((Path(store) / frame).glob("*/*.parquet"))


def connect() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    # This process shares the machine with the workers: two threads are enough for
    # these scans and keep DuckDB's memory small.
    con.execute("SET threads TO 2")
    con.execute("SET memory_limit = '1GB'")
    return con


def topic_summary(store, model_topics: pd.DataFrame, names: dict) -> tuple[pd.DataFrame, dict]:
    """``(topics, totals)``: the model's topics (``model_topics``: its ``topics_`` frame
    under store ids, :func:`analysis.topic_store.model_topics`) with sizes and
    sentiment over the archive (README.md (Frames), topics: ``topic_id``, ``label`` (the
    user's name when renamed), ``terms``, ``term_weights``, ``n_articles``, ``share``,
    ``weight_share``, ``coherence``, ``compound``, ``pos_share``, ``neg_share``, plus
    ``model_label`` (str, the label from the terms)), and ``totals`` (``articles``,
    ``sentences``)."""
    base = model_topics.copy()
    base["topic_id"] = base["topic_id"].astype(np.int64)
    base["model_label"] = base["label"].astype(object)
    base["label"] = [names.get(str(t), lab) for t, lab in zip(base["topic_id"], base["model_label"])]
    # Themes and the representative article come with the model (issue 11): kept when
    # the model has them.
    extra = [c for c in ("theme_id", "theme_label", "representative_id") if c in base]
    base = base[["topic_id", "label", "terms", "term_weights", "coherence", "model_label"] + extra]
    totals = {"articles": 0, "sentences": 0}
    if not has_rows(store, "articles"):
        stats = pd.DataFrame(columns=["topic_id", "n_articles", "compound", "weight",
                                      "pos_share", "neg_share"])
    else:
        con = connect()
        arts = con.execute(f"""
            SELECT topic_id, count(*) AS n_articles,
                   avg(compound) FILTER (WHERE NOT isnan(compound)) AS compound
            FROM {dataset(store, 'articles')} GROUP BY topic_id""").df()
        weights = con.execute(f"""
            SELECT topic_id, sum(weight) AS weight
            FROM {dataset(store, 'article_topics')} GROUP BY topic_id""").df() \
            if has_rows(store, "article_topics") else pd.DataFrame(columns=["topic_id", "weight"])
        sents = con.execute(f"""
            SELECT topic_id, count(*) AS n,
                   avg(CASE WHEN label = 'positive' THEN 1.0 ELSE 0.0 END) AS pos_share,
                   avg(CASE WHEN label = 'negative' THEN 1.0 ELSE 0.0 END) AS neg_share
            FROM {dataset(store, 'sentences')} GROUP BY topic_id""").df()
        reps = [str(v) for v in base.get("representative_id", pd.Series(dtype=object)).dropna()]
        titles = con.execute(f"""
            SELECT article_id, title FROM {dataset(store, 'articles')}
            WHERE list_contains(?, article_id)""", [reps]).df() if reps else \
            pd.DataFrame(columns=["article_id", "title"])
        con.close()
        if "representative_id" in base:
            # Built as strings: mapping ids none of which is found gives a float NaN
            # column, which pandas will not fill with "" much longer.
            found = dict(zip(titles["article_id"], titles["title"]))
            heads = [found.get(r) for r in base["representative_id"]]
            base["headline"] = pd.Series([h if isinstance(h, str) else "" for h in heads],
                                         index=base.index, dtype=object)
        totals = {"articles": int(arts["n_articles"].sum()), "sentences": int(sents["n"].sum())}
        stats = arts.merge(weights, on="topic_id", how="outer").merge(
            sents.drop(columns="n"), on="topic_id", how="outer")
    n_total = max(totals["articles"], 1)
    stats["topic_id"] = stats["topic_id"].astype(np.int64)
    out = base.merge(stats, on="topic_id", how="left")
    out["n_articles"] = out["n_articles"].fillna(0).astype(np.int64)
    out["share"] = out["n_articles"] / n_total
    out["weight_share"] = out["weight"].fillna(0.0).astype(np.float64) / n_total
    for col in ("coherence", "compound", "pos_share", "neg_share"):
        out[col] = out[col].astype(np.float64)
    themed = [c for c in ("headline", "theme_id", "theme_label") if c in out]
    out = out[["topic_id", "label"] + themed[:1] + themed[1:] + [
        "terms", "term_weights", "n_articles", "share", "weight_share",
        "coherence", "compound", "pos_share", "neg_share", "model_label"]]
    if "theme_id" in out:
        out["theme_id"] = out["theme_id"].astype(np.int64)
        out["theme_label"] = out["theme_label"].astype(object)
    for col in ("label", "terms", "term_weights", "model_label"):
        out[col] = out[col].astype(object)
    return out.sort_values("topic_id").reset_index(drop=True), totals


def sample_articles(store, size: int, random_state: int) -> pd.DataFrame:
    """At most ``size`` stored articles (``article_id``, ``published``, ``title``,
    ``text``), spread over the months like
    :func:`analysis.index_tasks.stratified_sample`: equal quotas per month, a month with
    fewer articles giving its rest to the others, articles in a month taken in the order
    of a seeded hash of their id."""
    from .index_tasks import _quotas

    con = connect()
    src = dataset(store, "articles")
    counts = con.execute(f"SELECT month, count(*) AS n FROM {src} GROUP BY month ORDER BY month").df()
    quotas = _quotas(dict(zip(counts["month"], counts["n"].astype(int))), size)
    quota = pd.DataFrame({"q_month": list(quotas), "q": list(quotas.values())})
    con.register("quota", quota)
    frame = con.execute(f"""
        SELECT article_id, published, title, text FROM (
            SELECT a.article_id, a.published, a.title, a.text, a.month, q.q,
                   row_number() OVER (PARTITION BY a.month
                                      ORDER BY hash(a.article_id || '{int(random_state)}'), a.article_id) AS r
            FROM {src} a JOIN quota q ON a.month = q.q_month)
        WHERE r <= q ORDER BY month, article_id""").df()
    con.close()
    for col in ("article_id", "title", "text"):
        frame[col] = frame[col].astype(object)
    frame["published"] = pd.to_datetime(frame["published"]).astype("datetime64[ns]")
    return frame
