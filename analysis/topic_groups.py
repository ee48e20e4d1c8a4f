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


def _kahan_sum(values: np.ndarray, codes: np.ndarray, n_groups: int) -> np.ndarray:
    """Per group (``codes``, 0 … n_groups − 1) sum of float ``values`` exactly as pandas'
    ``groupby().sum()`` makes it: rows in their order within each group, NaN skipped,
    Kahan-compensated (the same operations in the same order, so the same bits), 0.0
    for a group without values."""
    order = np.argsort(codes, kind="stable")
    sorted_codes = codes[order]
    starts = np.searchsorted(sorted_codes, np.arange(n_groups))
    rank = np.arange(len(codes)) - starts[sorted_codes]
    total = np.zeros(n_groups)
    comp = np.zeros(n_groups)
    for r in range(int(rank.max()) + 1 if len(rank) else 0):
        at = order[rank == r]
        g, val = codes[at], values[at]
        ok = ~np.isnan(val)
        g, val = g[ok], val[ok]
        y = val - comp[g]
        t = total[g] + y
        c = (t - total[g]) - y
        comp[g] = np.where(np.isnan(c), 0.0, c)
        total[g] = t
    return total


def _fold(frame: pd.DataFrame, groups: pd.DataFrame, keys: list[str], label: str,
          sums=(), means=None) -> pd.DataFrame:
    """``frame`` folded into ``groups``: one row per ``keys`` (``topic_id`` among them,
    now the group id), ``label`` the group's label, ``sums`` summed (int64 or float64 as
    they were), ``means`` (``{column: weight column}``) weighted means, and
    ``n_topics`` (int64, topics folded in).

    The groupby of :func:`_fold_pandas` in numpy (a rerun folds its topic timeline at
    every filter change): the same rows, values and bits (float sums as pandas makes
    them, :func:`_kahan_sum`), tested equal to it.  Keys with missing values, or of
    other kinds than numbers and dates (text keys: pandas types them its own way), go
    to pandas."""
    key_cols = [frame[k] for k in keys]
    if (not len(frame) or any(c.isna().any() for c in key_cols)
            or any(not (pd.api.types.is_numeric_dtype(c) or pd.api.types.is_datetime64_dtype(c))
                   for c in key_cols)
            or any(not pd.api.types.is_numeric_dtype(frame[c]) for c in sums)):
        return _fold_pandas(frame, groups, keys, label, sums, means)
    tid = frame["topic_id"].astype(np.int64).to_numpy()
    pos = pd.Index(groups["topic_id"].astype(np.int64)).get_indexer(tid) if len(groups) \
        else np.full(len(tid), -1)
    known = pos >= 0
    at = np.where(known, pos, 0)
    if len(groups):
        gid = np.where(known, groups["group_id"].to_numpy(np.int64)[at], tid)
        n_topics = np.where(known, groups["n_topics"].to_numpy(np.int64)[at], 1)
        glabel = groups["group_label"].to_numpy(object)[at]
    else:
        gid, n_topics, glabel = tid, np.ones(len(tid), np.int64), np.full(len(tid), None, object)
    # the group's label, else the row's own (a topic outside the groups)
    own = frame[label].to_numpy(object)
    labels_arr = np.where(known & pd.notna(glabel), glabel, own)
    key_values = {k: (gid if k == "topic_id" else frame[k].to_numpy()) for k in keys}
    codes_each, uniques = [], []
    for k in keys:
        c, u = pd.factorize(key_values[k], sort=True)
        codes_each.append(c.astype(np.int64))
        uniques.append(u)
    code = np.zeros(len(tid), np.int64)
    for c, u in zip(codes_each, uniques):
        code = code * len(u) + c
    used, codes = np.unique(code, return_inverse=True)  # sorted as groupby sorts keys
    codes = codes.reshape(-1)
    n = len(used)
    order = np.argsort(codes, kind="stable")
    first = order[np.searchsorted(codes[order], np.arange(n))]  # each group's first row
    out = {}
    rest, parts = used, []
    for u in reversed(uniques):
        parts.append(u[rest % len(u)])
        rest = rest // len(u)
    for k, u in zip(keys, reversed(parts)):
        out[k] = u
    # first non-missing label of each group, as GroupBy.first() takes it
    present = pd.notna(labels_arr)
    lab = np.full(n, None, dtype=object)
    if present.any():
        where = np.flatnonzero(present)
        pc = codes[where]
        o = np.argsort(pc, kind="stable")
        uniq, idx = np.unique(pc[o], return_index=True)
        lab[uniq] = labels_arr[where[o][idx]]
    out[label] = lab
    for col in sums:
        v = frame[col]
        if pd.api.types.is_integer_dtype(v):
            out[col] = _int_sum(v.to_numpy(np.int64), codes, n)
        else:
            out[col] = _kahan_sum(v.to_numpy(np.float64), codes, n)
    for col, weight in (means or {}).items():
        values = frame[col].to_numpy(np.float64, na_value=np.nan)
        weights = frame[weight].to_numpy(np.float64, na_value=np.nan)
        ok = ~np.isnan(values) & (weights > 0)
        num = _kahan_sum(np.where(ok, values, 0.0) * np.where(ok, weights, 0.0), codes, n)
        den = _kahan_sum(np.where(ok, weights, 0.0), codes, n)
        with np.errstate(divide="ignore", invalid="ignore"):
            out[col] = np.where(den == 0, np.nan, num / np.where(den == 0, 1.0, den))
    out["n_topics"] = n_topics[first].astype(np.int64)
    result = pd.DataFrame(out)
    for k in keys:
        result[k] = result[k].astype(np.int64 if k == "topic_id" else frame[k].dtype)
    # typed as GroupBy.first() types it (text: pandas' string type where it infers one)
    result[label] = pd.Series(lab.tolist(), dtype=None if present.all() else object)
    return result


def _int_sum(values: np.ndarray, codes: np.ndarray, n: int) -> np.ndarray:
    out = np.zeros(n, np.int64)
    np.add.at(out, codes, values)
    return out


def _fold_pandas(frame: pd.DataFrame, groups: pd.DataFrame, keys: list[str], label: str,
                 sums=(), means=None) -> pd.DataFrame:
    """:func:`_fold` by pandas' groupby (the reference the numpy one is tested equal to)."""
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
