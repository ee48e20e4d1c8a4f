"""Spikes: periods whose volume or mean sentiment leaves a robust trailing baseline.

For every period (the view's hour/day/week/month) and every series — all articles, each
topic, each theme (when the topics frame has ``theme_id`` / ``theme_label``), each outlet
and each tracked keyword query — the value is compared with the **median** of the
previous ``window`` periods (14 by default, Meltwater's "past 14 days" for days), and the
distance is measured in robust standard deviations: ``1.4826 × MAD`` (median absolute
deviation) of the same window, floored by the noise the value itself carries:

* **volume** (articles in the period): floor ``sqrt(max(median, 1))``, the spread of a
  Poisson count, so a series that is flat at 2 a day does not alert at 4;
* **sentiment** (mean compound of the period's sentences in the series): floor the
  standard error of that mean (sentence standard deviation / sqrt(articles): the
  sentences of one article are not independent draws), and only
  periods with at least ``min_articles`` articles (5 by default) have a sentiment at all:
  a topic with three articles cannot raise a sentiment alert by noise alone, and such
  periods do not enter a baseline either.

``score = (value − baseline) / scale``; an alert is ``|score| ≥ threshold`` (3.5, the
usual cut-off for robust z-scores, Iglewicz & Hoaglin) with at least ``min_baseline``
periods of baseline (5); periods in which the corpus has no article at all are gaps in
the feed and count in no baseline.  Daily series over at least 8 weeks are compared weekday with
weekday (the same weekday of the previous ``window`` weeks): newswires publish far less
on Sundays.  Volume alerts also need ``min_articles``: up, in the period;
down, in the baseline median.  The last period is usually still open (an archive that is
indexed every day ends mid-week): its volume is compared with the part of the baseline
its covered time would hold (pro rata, from its start to the corpus's last article), and
not at all while less than :data:`MIN_COVERAGE` of it is covered, so "this week so far"
is not a drop against whole weeks.  Evidence (:func:`alert_evidence`) lists the sentences that
make an alert, strongest in its direction first.

Emerging and fading topics (:func:`topic_trends`) compare a topic's share of the
period's articles with its pooled share over the same trailing window.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

from .aggregate import FREQS, _all_periods, _check_freq, article_outlets, auto_freq, period_start
from .keyword_query import parse_query, prepare_texts
from .periods import period_coverage

__all__ = [
    "alert_freq", "detect_alerts", "alert_evidence", "alert_articles", "topic_trends", "alerts_table",
    "ALERT_COLUMNS",
    "SCOPES", "WEEKLY_MIN_DAYS", "DEFAULT_WINDOW", "MIN_ARTICLES", "MIN_BASELINE", "THRESHOLD",
    "MIN_COVERAGE",
]

DEFAULT_WINDOW = 14
MIN_ARTICLES = 5
MIN_BASELINE = 5
THRESHOLD = 3.5
#: The share of its time an open last period must cover before its volume is compared
#: (pro rata below a whole period: a few hours of a week say little about the week).
MIN_COVERAGE = 0.25
SCOPES = ("all", "topic", "theme", "outlet", "keyword")
#: Daily series spanning at least this many days are compared weekday with weekday.
WEEKLY_MIN_DAYS = 56
#: The columns of ``alerts.csv`` (``detect_alerts`` adds ``key`` and ``n_articles``).
ALERT_COLUMNS = ["period_start", "scope", "name", "metric", "value", "baseline", "score",
                 "direction"]
_MAD_TO_SD = 1.4826  # MAD of a normal sample × this = its standard deviation


def _check(window, min_articles, min_baseline, threshold) -> None:
    for name, value in (("window", window), ("min_articles", min_articles),
                        ("min_baseline", min_baseline)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive integer; got {value!r}")
    if min_baseline > window:
        raise ValueError(f"min_baseline ({min_baseline}) cannot exceed window ({window})")
    if not isinstance(threshold, (int, float)) or not threshold > 0:
        raise ValueError(f"threshold must be a positive number; got {threshold!r}")


def _sentence_stats(sentences: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    c = sentences["compound"].astype(np.float64)
    return (sentences[by].assign(s_sum=c, s_sq=c * c, s_n=1.0)
            .groupby(by, sort=False)[["s_sum", "s_sq", "s_n"]].sum())


#: A column of ``articles`` rows that each stand for several articles (a store's per
#: period, topic and outlet sums): how many.  Absent: one article a row.
ROW_ARTICLES = "articles_in_row"


def _row_articles(articles) -> np.ndarray:
    if ROW_ARTICLES in articles:
        return articles[ROW_ARTICLES].to_numpy(dtype=np.float64)
    return np.ones(len(articles))


def _memberships(articles, sentences, topics, keywords):
    """Long frame: scope, key, name, article_id, s_sum, s_sq, s_n (sentence stats of
    the article's sentences that count for that series).  ``sentences`` None: the
    articles carry their own ``s_sum``, ``s_sq``, ``s_n`` (a store's query)."""
    if sentences is None:
        base = articles[["article_id", "s_sum", "s_sq", "s_n"]].fillna(
            {"s_sum": 0.0, "s_sq": 0.0, "s_n": 0.0})
    else:
        stats = _sentence_stats(sentences, ["article_id"])
        base = articles[["article_id"]].join(stats, on="article_id").fillna(
            {"s_sum": 0.0, "s_sq": 0.0, "s_n": 0.0})
    base = base.assign(w=_row_articles(articles))
    parts = [base.assign(scope="all", key="", name="all articles")]
    if "topic_id" in articles:
        tid = articles["topic_id"].to_numpy()
        has = tid >= 0
        parts.append(base[has].assign(scope="topic", key=tid[has].astype(str),
                                      name=articles["topic_label"].to_numpy()[has]))
        # A theme of one topic would repeat that topic's alerts: themes are a scope
        # only where some theme groups several topics.
        if (topics is not None and {"theme_id", "theme_label"} <= set(topics.columns)
                and topics["theme_id"].nunique() < len(topics)):
            themes = topics.set_index("topic_id")[["theme_id", "theme_label"]]
            th = articles[["topic_id"]].join(themes, on="topic_id")
            ok = th["theme_id"].notna().to_numpy() & has
            parts.append(base[ok].assign(scope="theme",
                                         key=th["theme_id"][ok].astype(np.int64).astype(str).to_numpy(),
                                         name=th["theme_label"][ok].astype(str).to_numpy()))
    outlets = article_outlets(articles).to_numpy()
    named = outlets != ""
    if named.any():
        parts.append(base[named].assign(scope="outlet", key=outlets[named], name=outlets[named]))
    if keywords and sentences is None:
        raise ValueError("tracked keywords need the sentences frame")
    if keywords:  # each column prepared once for every query
        columns = (prepare_texts(articles["title"]), prepare_texts(articles["text"]))
    for q in dict.fromkeys(keywords):  # a query given twice is one series
        query = parse_query(q)
        hit = query.mask(*columns)
        ids = articles["article_id"].to_numpy()[hit]
        of_hits = sentences[sentences["article_id"].isin(set(ids))]
        about = of_hits[query.mentions(of_hits["text"])]
        kstats = _sentence_stats(about, ["article_id"])
        rows = pd.DataFrame({"article_id": ids}).join(kstats, on="article_id").fillna(
            {"s_sum": 0.0, "s_sq": 0.0, "s_n": 0.0})
        parts.append(rows.assign(w=1.0, scope="keyword", key=query.source, name=query.source))
    return pd.concat(parts, ignore_index=True)


def _keyword_row_members(rows: pd.DataFrame, pos: pd.Series, freq: str):
    """:func:`_memberships`'s rows for a store's per-(period, query) sums, and their
    period columns: each row is its own member (an id no article has) weighted by the
    articles it stands for.  Rows outside the articles' periods have no column to go in."""
    rows = rows[rows["published"].notna()]
    start = period_start(rows["published"], freq)
    inside = start.isin(pos.index).to_numpy()
    rows, start = rows[inside], start[inside]
    ids = [f"keyword|{k}|{p:%Y-%m-%dT%H}" for k, p in zip(rows["keyword"], start)]
    member = pd.DataFrame({
        "article_id": ids, "s_sum": rows["s_sum"].to_numpy(dtype=np.float64),
        "s_sq": rows["s_sq"].to_numpy(dtype=np.float64),
        "s_n": rows["s_n"].to_numpy(dtype=np.float64),
        "w": rows[ROW_ARTICLES].to_numpy(dtype=np.float64), "scope": "keyword",
        "key": rows["keyword"].astype(str).to_numpy(), "name": rows["keyword"].astype(str).to_numpy()})
    return member, pd.DataFrame({"article_id": ids, "col": pos[start].to_numpy()})


def _trailing(values: np.ndarray, window: int):
    """Median, MAD and count of the previous ``window`` columns of each cell (NaN-aware)."""
    g, p = values.shape
    padded = np.concatenate([np.full((g, window), np.nan), values], axis=1)
    win = sliding_window_view(padded, window, axis=1)[:, :p]  # window ends before column j
    count = np.sum(~np.isnan(win), axis=2)
    # An empty window is expected (no baseline yet): NaN, without numpy's warning.
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        med = np.nanmedian(win, axis=2)
        mad = np.nanmedian(np.abs(win - med[..., None]), axis=2)
    return med, mad, count


def _weekly(weekly, freq: str, n_periods: int) -> bool:
    if weekly not in (None, True, False):
        raise ValueError(f"weekly must be None (auto), True or False; got {weekly!r}")
    if freq != "day":
        if weekly:
            raise ValueError(f"weekly=True compares a day with the same weekday; freq is {freq!r}")
        return False
    return n_periods >= WEEKLY_MIN_DAYS if weekly is None else weekly


def _baseline(values: np.ndarray, window: int, weekly: bool):
    """:func:`_trailing` over all previous periods, or over the same weekday only
    (column j against j-7, j-14, …: the periods are consecutive days)."""
    if not weekly:
        return _trailing(values, window)
    med, mad, count = (np.full(values.shape, np.nan), np.full(values.shape, np.nan),
                       np.zeros(values.shape, dtype=np.int64))
    for r in range(7):
        cols = np.arange(r, values.shape[1], 7)
        med[:, cols], mad[:, cols], count[:, cols] = _trailing(values[:, cols], window)
    return med, mad, count


def alert_freq(freq: str, published: pd.Series) -> str:
    """``freq``, or for "auto" the finest period with at least one article per period on
    average: a spike needs a baseline of many periods, so alerts use a finer period than
    the charts' "auto" (which asks for 10 articles a period to draw a steady line)."""
    return auto_freq(published, min_articles=1) if freq == "auto" else _check_freq(freq)


def detect_alerts(articles: pd.DataFrame, sentences: pd.DataFrame, *, freq: str = "auto",
                  topics: pd.DataFrame | None = None, keywords=(),
                  window: int = DEFAULT_WINDOW, min_articles: int = MIN_ARTICLES,
                  min_baseline: int = MIN_BASELINE, threshold: float = THRESHOLD,
                  weekly: bool | None = None,
                  keyword_rows: pd.DataFrame | None = None, data_end=None) -> pd.DataFrame:
    """Every volume and sentiment anomaly, strongest first.

    Parameters
    ----------
    articles, sentences : frames of README.md (Frames); ``topic_id`` / ``topic_label`` and
        ``outlet`` are used when present.  ``sentences`` may be None when ``articles``
        carries each row's sentence sums ``s_sum``, ``s_sq`` (of compound²) and
        ``s_n``; a row may stand for several articles (:data:`ROW_ARTICLES` says how
        many: an archive store's per-period sums, :func:`analysis.queries.alert_rows`;
        no tracked keywords then).
    freq : "auto", "hour", "day", "week" or "month" (auto: :func:`alert_freq`).
    topics : the topics frame; with ``theme_id`` / ``theme_label`` columns, themes are a scope.
    keywords : keyword queries to track (:mod:`analysis.keyword_query`).
    window, min_articles, min_baseline, threshold : see the module docstring.
    weekly : daily periods only: compare a day with the same weekday of the previous
        ``window`` weeks, so that every quiet Sunday of a newswire is not a "down" alert
        and every Monday not an "up" one.  None (default): on for ``freq="day"`` when
        the dates span at least 8 weeks (:data:`WEEKLY_MIN_DAYS`), off otherwise.
    keyword_rows : the tracked queries' series when ``articles`` are a store's sums (no
        sentences to match): one row per (period, query) with ``keyword`` (str),
        ``published`` (the period's start), ``articles_in_row`` (articles matching it)
        and the sums ``s_sum``, ``s_sq``, ``s_n`` of the sentences that count for it
        (:func:`analysis.queries.keyword_alert_rows`); they make the keyword scope.
    data_end : the time the corpus reaches (its last article's publication time; default:
        the latest ``published`` of ``articles``, which is right for a whole corpus of
        articles but not for a filtered view or a store's period sums: pass the corpus's).
        A last period that ends after it is open: its volume is compared pro rata.

    Returns
    -------
    DataFrame with ``period_start`` (datetime64), ``scope`` (str: all, topic, theme,
    outlet, keyword), ``name`` (str: label, outlet or query), ``metric`` (``volume`` or
    ``sentiment``), ``value`` and ``baseline`` (float64: articles, or mean compound),
    ``score`` (float64, robust z; its sign is the direction), ``direction`` (``up`` /
    ``down``), ``key`` (str: topic or theme id, outlet, query; "" for all) and
    ``n_articles`` (int64, articles of the series in the period).  Sorted by ``|score|``
    descending, then period, scope, name.  ``attrs["freq"]`` holds the period used;
    ``attrs["open_period"]``, when the last period is still open, ``(period_start,
    covered share)``.  A volume ``baseline`` of an open period is the pro-rata one.
    """
    _check(window, min_articles, min_baseline, threshold)
    freq = alert_freq(freq, articles["published"])
    dated = articles[articles["published"].notna()]
    out_cols = ALERT_COLUMNS + ["key", "n_articles"]
    if dated.empty:
        empty = pd.DataFrame({c: pd.Series(dtype=object) for c in out_cols})
        empty.attrs["freq"] = freq
        return empty
    periods = _all_periods(period_start(dated["published"], freq), freq)
    weekly = _weekly(weekly, freq, len(periods))
    member = _memberships(dated.reset_index(drop=True), sentences, topics, keywords)
    pos = pd.Series(np.arange(len(periods)), index=periods)
    start = period_start(dated["published"], freq).to_numpy()
    cols = pd.DataFrame({"article_id": dated["article_id"].to_numpy(),
                         "col": pos[start].to_numpy()})
    if keyword_rows is not None and len(keyword_rows):
        extra, extra_cols = _keyword_row_members(keyword_rows, pos, freq)
        member = pd.concat([member, extra], ignore_index=True)
        cols = pd.concat([cols, extra_cols], ignore_index=True)
    member = member.merge(cols, on="article_id")
    grouped = member.groupby(["scope", "key", "col"], sort=True).agg(
        name=("name", "first"), n=("w", "sum"), s_sum=("s_sum", "sum"),
        s_sq=("s_sq", "sum"), s_n=("s_n", "sum"))
    series = grouped.reset_index()[["scope", "key"]].drop_duplicates().reset_index(drop=True)
    names = grouped.groupby(level=["scope", "key"])["name"].first()
    row = pd.Series(np.arange(len(series)), index=pd.MultiIndex.from_frame(series))
    gi = row[pd.MultiIndex.from_arrays([grouped.index.get_level_values(0),
                                        grouped.index.get_level_values(1)])].to_numpy()
    ci = grouped.index.get_level_values(2).to_numpy()
    shape = (len(series), len(periods))

    def matrix(values, fill):
        m = np.full(shape, fill, dtype=np.float64)
        m[gi, ci] = values
        return m

    n = matrix(grouped["n"].to_numpy(), 0.0)
    s_n = matrix(grouped["s_n"].to_numpy(), 0.0)
    s_sum = matrix(grouped["s_sum"].to_numpy(), 0.0)
    s_sq = matrix(grouped["s_sq"].to_numpy(), 0.0)
    with np.errstate(all="ignore"):
        mean = np.where((n >= min_articles) & (s_n > 0), s_sum / s_n, np.nan)
        var = np.maximum(s_sq / s_n - (s_sum / s_n) ** 2, 0.0)
        # Sentences of one article move together: the articles, not the sentences, are
        # the independent draws, so the mean's standard error counts articles.
        se = np.sqrt(var / n)

    # A period in which the corpus has no article at all is a gap in the feed (a
    # weekend it does not cover, an outage, the days before an archive starts), not a
    # quiet period: it enters no volume baseline, so the first busy day after a gap is
    # not an alert against "0 usual" (Reuters-dev's 3 Mar 1987 was, for every topic),
    # and the gap itself is not a drop.
    active = np.bincount(pos[start].to_numpy(), minlength=len(periods)) > 0
    # Only the last period is compared pro rata: the first has no baseline to alert on.
    coverage = np.ones(len(periods))
    coverage[-1:] = period_coverage(periods[-1:], freq, periods[-1], dated["published"].max()
                                    if data_end is None else pd.Timestamp(data_end))
    frames = []
    for metric, value in (("volume", n), ("sentiment", mean)):
        if metric == "volume":  # nor is a gap itself a drop
            value = np.where(active[None, :], value, np.nan)
        med, mad, count = _baseline(value, window, weekly)
        if metric == "volume":
            # An open period holds only its covered share of a whole period's articles.
            med, mad = med * coverage[None, :], mad * coverage[None, :]
            floor = np.sqrt(np.maximum(med, 1.0))
        else:
            floor = np.maximum(se, 0.01)  # 0.01: never divide by a zero spread
        scale = np.maximum(_MAD_TO_SD * mad, floor)
        with np.errstate(all="ignore"):
            score = (value - med) / scale
        ok = (count >= min_baseline) & np.isfinite(score) & (np.abs(score) >= threshold)
        if metric == "volume":
            ok &= np.where(score > 0, n >= min_articles, med >= min_articles)
            ok &= coverage[None, :] >= MIN_COVERAGE
        g, c = np.nonzero(ok)
        frames.append(pd.DataFrame({
            "period_start": periods[c], "scope": series["scope"].to_numpy()[g],
            "key": series["key"].to_numpy()[g], "metric": metric,
            "value": value[g, c], "baseline": med[g, c], "score": score[g, c],
            "n_articles": n[g, c].astype(np.int64),
        }))
    out = pd.concat(frames, ignore_index=True)
    out["name"] = [names[(s, k)] for s, k in zip(out["scope"], out["key"])]
    out["direction"] = np.where(out["score"] > 0, "up", "down")
    out["_strength"] = out["score"].abs()
    out["_scope"] = out["scope"].map({s: i for i, s in enumerate(SCOPES)})
    out = out.sort_values(["_strength", "period_start", "_scope", "name", "metric"],
                          ascending=[False, False, True, True, True], kind="stable")
    out = out[out_cols].reset_index(drop=True)
    for col in ("scope", "name", "metric", "direction", "key"):
        out[col] = out[col].astype(object)
    out.attrs.update(freq=freq, weekly=weekly)
    if coverage[-1] < 1:
        out.attrs["open_period"] = (periods[-1], float(coverage[-1]))
    return out


def alerts_table(alerts: pd.DataFrame) -> pd.DataFrame:
    """The alerts as written to ``alerts.csv``: exactly :data:`ALERT_COLUMNS`, strongest
    first, ``period_start`` as an ISO date (with the time for hourly periods)."""
    out = alerts[ALERT_COLUMNS].copy()
    hourly = alerts.attrs.get("freq") == "hour"
    out["period_start"] = pd.to_datetime(out["period_start"]).dt.strftime(
        "%Y-%m-%dT%H:%M" if hourly else "%Y-%m-%d").astype(object)
    return out


def _period_bounds(period_start_value, freq: str):
    start = pd.Timestamp(period_start_value)
    end = (pd.Period(start, freq=FREQS[freq]) + 1).start_time
    return start, end


def alert_articles(alert, articles: pd.DataFrame, *, freq: str,
                   topics: pd.DataFrame | None = None) -> pd.DataFrame:
    """The articles of an alert's series in its period (rows of ``articles``).

    ``alert`` is a row of :func:`detect_alerts` (a mapping with ``period_start``,
    ``scope`` and ``key``); ``freq`` must be the one the alerts were computed with
    (``alerts.attrs["freq"]``).
    """
    start, end = _period_bounds(alert["period_start"], freq)
    a = articles[(articles["published"] >= start) & (articles["published"] < end)]
    scope, key = alert["scope"], str(alert["key"])
    if scope == "topic":
        a = a[a["topic_id"] == int(key)]
    elif scope == "theme":
        if topics is None or "theme_id" not in topics:
            raise ValueError("a theme alert needs the topics frame with theme_id (topics=)")
        ids = topics.loc[topics["theme_id"].astype("Int64") == int(key), "topic_id"]
        a = a[a["topic_id"].isin(ids)]
    elif scope == "outlet":
        a = a[article_outlets(a) == key]
    elif scope == "keyword":
        a = a[parse_query(key).mask(a["title"], a["text"])]
    elif scope != "all":
        raise ValueError(f"alert scope must be one of {list(SCOPES)}; got {scope!r}")
    return a


def alert_evidence(alert, articles: pd.DataFrame, sentences: pd.DataFrame, *, freq: str,
                   topics: pd.DataFrame | None = None, n: int | None = 20) -> pd.DataFrame:
    """The sentences that make an alert, strongest first.

    Sentences of the alert's articles (:func:`alert_articles`; for a keyword, only those
    about the query) with ``published``, ``title``, ``topic_id``, ``topic_label`` and
    ``outlet``.  A sentiment alert going down lists the most negative sentences first,
    going up the most positive; a volume alert the sentences furthest from neutral.
    ``n`` limits the rows (None: all).
    """
    a = alert_articles(alert, articles, freq=freq, topics=topics)
    cols = [c for c in ("article_id", "published", "title", "topic_id", "topic_label")
            if c in a.columns]
    s = sentences[sentences["article_id"].isin(set(a["article_id"]))]
    s = s.merge(a[cols].assign(outlet=article_outlets(a)), on="article_id")
    if alert["scope"] == "keyword":
        s = s[parse_query(str(alert["key"])).mentions(s["text"])]
    if alert["metric"] == "sentiment":
        order = s["compound"] if alert["direction"] == "down" else -s["compound"]
    else:
        order = -s["compound"].abs()
    s = s.assign(_order=order.to_numpy()).sort_values(
        ["_order", "published", "article_id", "sentence_id"], kind="stable").drop(columns="_order")
    s = s.reset_index(drop=True)
    return s.head(n) if n is not None else s


def topic_trends(articles: pd.DataFrame, *, freq: str = "auto", period=None,
                 window: int = DEFAULT_WINDOW, min_articles: int = MIN_ARTICLES,
                 min_change: float = 0.05, ratio: float = 2.0, data_end=None) -> pd.DataFrame:
    """Emerging and fading topics: share of ``period`` vs the trailing window.

    ``period`` (a period start) defaults to the last period with articles, or the one
    before it while less than :data:`MIN_COVERAGE` of the last is covered (the corpus
    reaches ``data_end``, default the latest ``published``): the first hours of a week
    are a few articles from one corner of it, and their topic shares said "technology
    7 % → 62 %" on a 1M-article archive whose last week had just begun.  A topic's
    share is its articles over all dated articles of the period; its baseline share is
    pooled over the ``window`` periods before.  Status ``emerging``: share at least
    ``ratio`` × baseline, ``min_change`` above it and ``min_articles`` articles now;
    ``fading``: at most baseline / ``ratio``, ``min_change`` below it, after at least
    ``min_articles`` articles in the window; else ``steady``.  A period with fewer than
    ``min_articles`` articles in all gives every topic ``steady``: its shares are noise.

    Returns ``topic_id`` (int64), ``topic_label`` (str), ``n_now`` / ``n_baseline``
    (int64), ``share_now`` / ``share_baseline`` / ``change`` (float64), ``status`` (str),
    sorted by ``change`` descending; ``attrs`` hold ``freq`` and ``period``.
    """
    _check(window, min_articles, 1, 1.0)
    freq = alert_freq(freq, articles["published"])
    dated = articles[articles["published"].notna() & (articles["topic_id"] >= 0)]
    starts = period_start(dated["published"], freq)
    if period is None:
        if starts.empty:
            raise ValueError("topic_trends needs dated articles")
        now = starts.max()
        end = dated["published"].max() if data_end is None else pd.Timestamp(data_end)
        if period_coverage([now], freq, now, end)[0] < MIN_COVERAGE and (starts < now).any():
            now = starts[starts < now].max()
    else:
        now = period_start(pd.Series([pd.Timestamp(period)]), freq).iloc[0]
    first = (pd.Period(now, freq=FREQS[freq]) - window).start_time
    in_now = starts == now
    in_base = (starts >= first) & (starts < now)
    labels = dated.drop_duplicates("topic_id").set_index("topic_id")["topic_label"]
    ids = sorted(labels.index)
    w = pd.Series(_row_articles(dated), index=dated.index)
    n_now = w[in_now].groupby(dated.loc[in_now, "topic_id"]).sum().reindex(ids, fill_value=0)
    n_base = w[in_base].groupby(dated.loc[in_base, "topic_id"]).sum().reindex(ids, fill_value=0)
    share_now = n_now / max(float(w[in_now].sum()), 1.0)
    share_base = n_base / max(float(w[in_base].sum()), 1.0)
    change = share_now - share_base
    enough = int(w[in_now].sum()) >= min_articles
    emerging = (share_now >= ratio * share_base) & (change >= min_change) & (n_now >= min_articles)
    fading = ((share_now <= share_base / ratio) & (-change >= min_change)
              & (n_base >= min_articles) & enough)
    out = pd.DataFrame({
        "topic_id": np.array(ids, dtype=np.int64),
        "topic_label": labels.reindex(ids).astype(object).to_numpy(),
        "n_now": n_now.to_numpy(np.int64), "n_baseline": n_base.to_numpy(np.int64),
        "share_now": share_now.to_numpy(np.float64), "share_baseline": share_base.to_numpy(np.float64),
        "change": change.to_numpy(np.float64),
        "status": np.where(emerging, "emerging", np.where(fading, "fading", "steady")).astype(object),
    })
    out = out.sort_values(["change", "topic_id"], ascending=[False, True], kind="stable")
    out = out.reset_index(drop=True)
    out.attrs.update(freq=freq, period=now)
    return out
