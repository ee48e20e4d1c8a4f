"""Topics or themes in the per-topic figures: fold a view's topic frames into themes,
with one theme expanded into its topics.

A wire of 30 topics draws 30 bars and a 30-colour stacked area; its 5 themes
(:mod:`analysis.topic_themes`) draw 5.  :func:`topic_groups` says which group each
topic is drawn in (``grouping``: ``"topics"``, ``"themes"``, or a theme id: the themes
with that one expanded into its topics); the ``fold_*`` functions sum a view's
per-topic frames into those groups, keeping their columns, so one chart function draws
topics and themes alike.  A folded theme's ``topic_id`` is :data:`THEME_BASE` + its
theme id (never a topic id); :func:`member_topics` turns the ids a user clicked back
into topic ids for the topic filter.

Only figures that sum exactly are folded: article and sentence counts, shares of
weight, means weighted by what they are means of.

>>> import pandas as pd
>>> topics = pd.DataFrame({"topic_id": [0, 1, 2], "label": ["goal", "match", "bank"],
...                        "theme_id": [0, 0, 1], "theme_label": ["sport", "sport", "money"]})
>>> topic_groups(topics, "themes")[["topic_id", "group_id", "group_label"]].values.tolist()
[[0, 10000, 'sport'], [1, 10000, 'sport'], [2, 10001, 'money']]
>>> topic_groups(topics, "0")["group_id"].tolist()   # sport expanded into its topics
[0, 1, 10001]
"""
from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["THEME_BASE", "GROUPINGS", "has_themes", "parse_grouping", "topic_groups",
           "member_topics", "fold_topic_table", "fold_topic_timeline", "fold_topic_sentiment",
           "fold_outlet_topic_grid"]

#: Group id of a folded theme: ``THEME_BASE + theme_id`` (topic ids stay below it).
THEME_BASE = 10_000
#: The plain groupings; a theme id as a string means "themes, that one expanded".
GROUPINGS = ("topics", "themes")

_GROUP_COLUMNS = {"topic_id": "int64", "group_id": "int64", "group_label": object,
                  "n_topics": "int64"}


def has_themes(topics: pd.DataFrame) -> bool:
    """Whether themes group several topics (else grouping by theme shows the topics)."""
    return ("theme_id" in topics and len(topics)
            and topics["theme_id"].nunique() < len(topics))


def parse_grouping(value, topics: pd.DataFrame) -> str:
    """``value`` as a grouping of ``topics``: ``"topics"``, ``"themes"`` or an existing
    theme id (as str); anything else, or any grouping when themes group nothing, is
    ``"topics"``."""
    value = str(value)
    if not has_themes(topics):
        return "topics"
    if value in GROUPINGS:
        return value
    ids = {str(int(t)) for t in topics["theme_id"]}
    return value if value in ids else "topics"


def topic_groups(topics: pd.DataFrame, grouping: str = "topics") -> pd.DataFrame:
    """The group each topic is drawn in.

    ``topics``: the topics frame (``topic_id``, ``label``, and ``theme_id`` /
    ``theme_label`` for themes).  Returns one row per topic: ``topic_id`` (int64),
    ``group_id`` (int64: the topic id, or :data:`THEME_BASE` + theme id),
    ``group_label`` (str: the topic's or the theme's label) and ``n_topics`` (int64,
    topics in its group).
    """
    grouping = parse_grouping(grouping, topics)
    tid = topics["topic_id"].astype(np.int64).to_numpy()
    label = topics["label"].astype(str).to_numpy()
    if grouping == "topics":
        gid, glabel = tid, label
    else:
        th = topics["theme_id"].astype(np.int64).to_numpy()
        expanded = th == int(grouping) if grouping != "themes" else np.zeros(len(th), bool)
        gid = np.where(expanded, tid, THEME_BASE + th)
        glabel = np.where(expanded, label, topics["theme_label"].astype(str).to_numpy())
    out = pd.DataFrame({"topic_id": tid, "group_id": gid.astype(np.int64),
                        "group_label": pd.Series(glabel, dtype=object)})
    out["n_topics"] = out.groupby("group_id")["topic_id"].transform("size").astype(np.int64)
    return out.astype(_GROUP_COLUMNS)


def member_topics(ids, groups: pd.DataFrame | None) -> list[int]:
    """The topic ids behind the group ids ``ids`` (clicked bars or points), sorted; a
    topic id (or ``groups`` None) stands for itself."""
    ids = {int(i) for i in ids}
    if groups is None or groups.empty:
        return sorted(ids)
    hit = groups["group_id"].isin(ids)
    found = set(groups.loc[hit, "topic_id"].astype(int))
    return sorted(found | {i for i in ids if i < THEME_BASE and i not in
                           set(groups["group_id"])})


def _grouped(frame: pd.DataFrame, groups: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its ``topic_id`` replaced by the group's and ``_label`` the
    group's label (topics outside ``groups``, e.g. −1 "no topic", stay themselves)."""
    g = groups.set_index("topic_id")
    tid = frame["topic_id"].astype(np.int64)
    known = tid.isin(g.index)
    out = frame.copy()
    out["topic_id"] = np.where(known, tid.map(g["group_id"]).fillna(-1), tid).astype(np.int64)
    out["_n_topics"] = np.where(known, tid.map(g["n_topics"]).fillna(1), 1).astype(np.int64)
    out["_label"] = np.where(known, tid.map(g["group_label"]).astype(object), None)
    return out


def _weighted(values: pd.Series, weights: pd.Series, by) -> pd.Series:
    ok = values.notna() & (weights > 0)
    num = (values.where(ok, 0.0) * weights.where(ok, 0.0)).groupby(by).sum()
    den = weights.where(ok, 0.0).groupby(by).sum()
    return (num / den.replace(0, np.nan)).astype(np.float64)


def _fold(frame: pd.DataFrame, groups: pd.DataFrame, keys: list[str], label: str,
          sums=(), means=None) -> pd.DataFrame:
    """``frame`` folded into ``groups``: one row per ``keys`` (``topic_id`` among them,
    now the group id), ``label`` the group's label, ``sums`` summed (int64 or float64 as
    they were), ``means`` (``{column: weight column}``) weighted means, and
    ``n_topics`` (int64, topics folded in)."""
    g = _grouped(frame, groups)
    g["_label"] = g["_label"].where(g["_label"].notna(), g[label])
    by = [g[k] for k in keys]
    grouped = g.groupby(by)
    cols = {label: grouped["_label"].first()}
    for col in sums:
        cols[col] = grouped[col].sum().astype(
            np.int64 if pd.api.types.is_integer_dtype(frame[col]) else np.float64)
    for col, weight in (means or {}).items():
        cols[col] = _weighted(g[col].astype(np.float64), g[weight].astype(np.float64), by)
    cols["n_topics"] = grouped["_n_topics"].first().astype(np.int64)
    out = pd.DataFrame(cols)
    out.index.names = keys
    return out.reset_index()


def fold_topic_table(table: pd.DataFrame, groups: pd.DataFrame) -> pd.DataFrame:
    """The view's topic table (``topic_id``, ``label``, ``n_articles``, ``share``,
    ``compound``, …) folded into ``groups``: one row per group with ``topic_id`` (the
    group id), ``label``, ``n_articles`` and ``share`` summed, ``compound`` the mean
    article compound of the group (topic means weighted by their articles) and
    ``n_topics`` (topics folded in).  Other columns are left out: they do not sum."""
    out = _fold(table, groups, ["topic_id"], "label", sums=("n_articles", "share"),
                means={"compound": "n_articles"})
    return out.sort_values("topic_id", kind="stable").reset_index(drop=True)


def fold_topic_timeline(ttl: pd.DataFrame, groups: pd.DataFrame) -> pd.DataFrame:
    """A topic timeline (``period``, ``topic_id``, ``topic_label``, ``n_articles``,
    ``weight``, ``share``, ``compound``) folded into ``groups``: counts, weights and
    shares summed per (period, group), ``compound`` weighted by topic weight as the
    topics' own are; ``attrs`` kept."""
    out = _fold(ttl, groups, ["period", "topic_id"], "topic_label",
                sums=("n_articles", "weight", "share"), means={"compound": "weight"})
    out = out[list(ttl.columns)]
    out.attrs.update(ttl.attrs)
    return out


def fold_topic_sentiment(ts: pd.DataFrame, groups: pd.DataFrame) -> pd.DataFrame:
    """Topic × sentiment (``topic_id``, ``topic_label``, ``label``, ``n_sentences``,
    ``share``) folded into ``groups``: sentences summed per (group, label), ``share``
    within the group, and ``n_topics`` (int64, topics folded in)."""
    out = _fold(ts, groups, ["topic_id", "label"], "topic_label", sums=("n_sentences",))
    tot = out.groupby("topic_id")["n_sentences"].transform("sum")
    out["share"] = (out["n_sentences"] / tot.replace(0, np.nan)).fillna(0.0)
    return out[list(ts.columns) + ["n_topics"]]


def fold_outlet_topic_grid(grid: pd.DataFrame, groups: pd.DataFrame,
                           min_articles: int) -> pd.DataFrame:
    """An outlet × topic grid (``outlet``, ``topic_id``, ``topic_label``, ``n_articles``,
    ``compound``, ``reliable``; :func:`analysis.outlets.outlet_topic_sentiment`) folded
    into ``groups``: articles summed per (outlet, group), ``compound`` their mean
    (cell means weighted by their articles), ``reliable`` again ``n_articles >=
    min_articles`` (a theme of small cells can be worth colouring)."""
    out = _fold(grid, groups, ["outlet", "topic_id"], "topic_label", sums=("n_articles",),
                means={"compound": "n_articles"})
    out["reliable"] = out["n_articles"] >= int(min_articles)
    out["outlet"] = out["outlet"].astype(object)
    return out[list(grid.columns)]
