"""Tests for analysis.alerts: planted spikes are found on their day, noise is not."""
import numpy as np
import pandas as pd
import pytest

from analysis.aggregate import period_start
from analysis.alerts import (ALERT_COLUMNS, alert_articles, alert_evidence, detect_alerts,
                             topic_trends)

DAY0 = pd.Timestamp("2024-03-01 08:00")


def _frames(days=30, per_day=6, spike_day=None, spike_extra=0, tone_day=None,
            small_topic_tone_day=None, seed=0):
    """Articles over ``days`` days: topic 0 "markets" (outlet A) and topic 1 "weather"
    (outlet B), each sentence's compound mildly noisy around +0.1.  A spike day adds
    ``spike_extra`` weather articles mentioning "storm"; a tone day makes that day's
    markets sentences strongly negative; a small topic 2 gets 2 articles a day."""
    rng = np.random.default_rng(seed)
    arts, sents = [], []
    n = 0

    def add(day, topic, outlet, text, compounds):
        nonlocal n
        aid = f"a{n:05d}"
        n += 1
        arts.append({"article_id": aid, "published": DAY0 + pd.Timedelta(days=day, minutes=n),
                     "title": f"story {aid}", "text": text, "outlet": outlet,
                     "topic_id": topic, "topic_label": ["markets", "weather", "small"][topic]})
        for i, c in enumerate(compounds):
            sents.append({"article_id": aid, "sentence_id": i, "text": f"{text} ({i})",
                          "compound": float(np.clip(c, -1, 1))})

    for day in range(days):
        for _ in range(per_day):
            tone = -0.8 if day == tone_day else 0.1
            add(day, 0, "A", "Shares moved.", tone + rng.normal(0, 0.05, 3))
            add(day, 1, "B", "Rain fell.", 0.1 + rng.normal(0, 0.05, 3))
        if day == spike_day:
            for _ in range(spike_extra):
                add(day, 1, "B", "A storm hit the coast.", [-0.5, -0.6, -0.4])
        for _ in range(2):
            tone = -0.9 if day == small_topic_tone_day else 0.1
            add(day, 2, "C", "Small news.", tone + rng.normal(0, 0.05, 3))
    a = pd.DataFrame(arts)
    a["topic_id"] = a["topic_id"].astype(np.int64)
    s = pd.DataFrame(sents)
    s["sentence_id"] = s["sentence_id"].astype(np.int64)
    s["label"] = np.where(s["compound"] >= 0.05, "positive",
                          np.where(s["compound"] <= -0.05, "negative", "neutral"))
    a["compound"] = a["article_id"].map(s.groupby("article_id")["compound"].mean())
    return a, s


def test_planted_volume_spike_is_found_on_its_day_and_nowhere_else():
    arts, sents = _frames(spike_day=20, spike_extra=16)
    alerts = detect_alerts(arts, sents, freq="day", keywords=["storm"])
    assert list(alerts.columns[:8]) == ALERT_COLUMNS
    vol = alerts[alerts["metric"] == "volume"]
    assert set(vol["period_start"]) == {pd.Timestamp("2024-03-21")}
    found = set(zip(vol["scope"], vol["name"], vol["direction"]))
    assert {("all", "all articles", "up"), ("topic", "weather", "up"),
            ("outlet", "B", "up")} <= found
    weather = vol[(vol["scope"] == "topic") & (vol["name"] == "weather")].iloc[0]
    assert weather["value"] == 22 and weather["baseline"] == 6
    assert weather["score"] == pytest.approx((22 - 6) / np.sqrt(6))  # Poisson floor, MAD 0
    # The keyword had no baseline volume: zero before, 16 now -> an alert.
    kw = vol[vol["scope"] == "keyword"]
    assert kw["name"].tolist() == ["storm"] and kw["value"].iloc[0] == 16
    assert alerts["score"].abs().is_monotonic_decreasing
    assert alerts.attrs["freq"] == "day"


def test_quiet_series_raise_nothing():
    arts, sents = _frames()
    alerts = detect_alerts(arts, sents, freq="day")
    assert alerts.empty, alerts


def test_planted_tone_shift_is_a_sentiment_alert_down_with_its_evidence():
    # 10 articles a day per topic: enough for the overall mean to move past its noise
    # (its standard error counts articles, not sentences).
    arts, sents = _frames(tone_day=25, per_day=10)
    alerts = detect_alerts(arts, sents, freq="day")
    sent = alerts[alerts["metric"] == "sentiment"]
    assert set(sent["period_start"]) == {pd.Timestamp("2024-03-26")}
    assert {("topic", "markets"), ("outlet", "A"), ("all", "all articles")} <= set(
        zip(sent["scope"], sent["name"]))
    assert (sent["direction"] == "down").all()
    top = sent[sent["scope"] == "topic"].iloc[0]
    assert top["value"] == pytest.approx(-0.8, abs=0.05)
    assert top["baseline"] == pytest.approx(0.1, abs=0.03)
    ev = alert_evidence(top, arts, sents, freq="day", n=5)
    assert len(ev) == 5
    assert (ev["topic_label"] == "markets").all()
    assert ev["published"].dt.normalize().eq(pd.Timestamp("2024-03-26")).all()
    assert ev["compound"].is_monotonic_increasing  # most negative first
    assert ev["compound"].iloc[0] == sents.loc[sents["article_id"].isin(
        alert_articles(top, arts, freq="day")["article_id"]), "compound"].min()


def test_small_topic_cannot_raise_a_sentiment_alert():
    # Topic 2 has 2 articles a day (< min_articles=5): its tone collapse is not an alert...
    arts, sents = _frames(small_topic_tone_day=25)
    alerts = detect_alerts(arts, sents, freq="day")
    assert not ((alerts["scope"] == "topic") & (alerts["name"] == "small")).any()
    # ...unless the minimum count is lowered to what the topic has.
    low = detect_alerts(arts, sents, freq="day", min_articles=2)
    small = low[(low["name"] == "small") & (low["metric"] == "sentiment")]
    assert small["period_start"].tolist() == [pd.Timestamp("2024-03-26")]


def test_window_and_minimum_baseline():
    arts, sents = _frames(days=8, spike_day=7, spike_extra=12)
    assert detect_alerts(arts, sents, freq="day").query("metric == 'volume'").shape[0] > 0
    # With min_baseline=8, 7 earlier days are not enough to judge day 8.
    assert detect_alerts(arts, sents, freq="day", window=10, min_baseline=8).empty
    with pytest.raises(ValueError, match="min_baseline \\(15\\) cannot exceed window \\(14\\)"):
        detect_alerts(arts, sents, min_baseline=15)
    with pytest.raises(ValueError, match="window must be a positive integer; got 0"):
        detect_alerts(arts, sents, window=0)


def test_theme_scope_when_topics_have_themes():
    arts, sents = _frames(spike_day=20, spike_extra=16)
    topics = pd.DataFrame({"topic_id": np.array([0, 1, 2], dtype=np.int64),
                           "theme_id": [0, 1, 1], "theme_label": ["economy", "nature", "nature"]})
    alerts = detect_alerts(arts, sents, freq="day", topics=topics)
    theme = alerts[alerts["scope"] == "theme"]
    # The storm articles raise the theme's volume and pull its sentiment down.
    assert set(zip(theme["metric"], theme["direction"])) == {("volume", "up"), ("sentiment", "down")}
    assert set(theme["name"]) == {"nature"} and set(theme["key"]) == {"1"}
    got = alert_articles(theme.iloc[0], arts, freq="day", topics=topics)
    assert set(got["topic_id"]) == {1, 2} and len(got) == 22 + 2


def test_themes_of_one_topic_each_raise_no_theme_alerts():
    arts, sents = _frames(spike_day=20, spike_extra=16)
    topics = pd.DataFrame({"topic_id": np.array([0, 1, 2], dtype=np.int64),
                           "theme_id": [0, 1, 2], "theme_label": ["economy", "nature", "storm"]})
    alerts = detect_alerts(arts, sents, freq="day", topics=topics)
    assert (alerts["scope"] == "topic").any()
    assert not (alerts["scope"] == "theme").any()  # they would repeat the topic alerts


def test_a_gap_in_the_feed_is_not_a_quiet_baseline():
    arts, sents = _frames(days=30, spike_day=28, spike_extra=16)
    spike = pd.Timestamp("2024-03-29")
    both = detect_alerts(arts, sents, freq="day")
    assert spike in set(both.loc[both["metric"] == "volume", "period_start"])
    # Keep only days 0-2 and the spike day: the 25 empty days between are a gap in the
    # feed, so three days of baseline are too few (min_baseline 5) to call day 28 a spike.
    day = (arts["published"] - DAY0).dt.days
    keep = day.isin([0, 1, 2, 28])
    a = arts[keep].reset_index(drop=True)
    s = sents[sents["article_id"].isin(set(a["article_id"]))].reset_index(drop=True)
    gap = detect_alerts(a, s, freq="day")
    assert (gap["metric"] == "volume").sum() == 0
    # Nor are the empty days of the gap alerts of their own ("down" against the days
    # before): a longer feed with a one-week outage, then normal days again.
    day = (arts["published"] - DAY0).dt.days
    a = arts[~day.between(20, 26)].reset_index(drop=True)
    s = sents[sents["article_id"].isin(set(a["article_id"]))].reset_index(drop=True)
    outage = detect_alerts(a, s, freq="day")
    dropped = set(outage.loc[outage["metric"] == "volume", "period_start"])
    assert not dropped & set(pd.date_range("2024-03-21", "2024-03-27"))


def test_no_dated_articles_gives_an_empty_frame():
    arts, sents = _frames(days=3)
    arts["published"] = pd.NaT
    out = detect_alerts(arts, sents, freq="day")
    assert out.empty and list(out.columns[:8]) == ALERT_COLUMNS


def test_emerging_and_fading_topics():
    arts, sents = _frames(days=20)
    # From day 15 on, topic 1 disappears and a new topic 3 takes its place.
    late = arts["published"] >= DAY0.normalize() + pd.Timedelta(days=19)
    arts.loc[late & (arts["topic_id"] == 1), ["topic_id", "topic_label"]] = [3, "floods"]
    tr = topic_trends(arts, freq="day")
    assert tr.attrs["period"] == pd.Timestamp("2024-03-20")
    by = tr.set_index("topic_label")
    assert by.loc["floods", "status"] == "emerging" and by.loc["floods", "share_baseline"] == 0
    assert by.loc["weather", "status"] == "fading" and by.loc["weather", "share_now"] == 0
    assert by.loc["markets", "status"] == "steady"
    assert by.loc["markets", "share_now"] == pytest.approx(6 / 14)
    assert tr["change"].is_monotonic_decreasing


def _weekly_frames(weeks=10, weekday=30, weekend=5, spike_sunday=None):
    rows = []
    start = pd.Timestamp("2024-01-01")  # a Monday
    for day in range(weeks * 7):
        ts = start + pd.Timedelta(days=day)
        count = weekend if ts.day_of_week >= 5 else weekday
        if spike_sunday is not None and day == spike_sunday:
            count = weekday
        rows += [{"published": ts + pd.Timedelta(minutes=i)} for i in range(count)]
    a = pd.DataFrame(rows)
    a["article_id"] = [f"w{i}" for i in range(len(a))]
    a["title"], a["text"], a["topic_id"], a["topic_label"] = "t", "x", np.int64(0), "all"
    s = pd.DataFrame({"article_id": a["article_id"], "sentence_id": np.int64(0), "text": "x",
                      "compound": 0.1})
    a["compound"] = 0.1
    return a, s


def test_daily_series_compare_weekday_with_weekday():
    arts, sents = _weekly_frames()
    plain = detect_alerts(arts, sents, freq="day", weekly=False)
    sundays = plain[(plain["metric"] == "volume") & (plain["direction"] == "down")]
    assert len(sundays) > 0 and (sundays["period_start"].dt.day_of_week >= 5).all()
    auto = detect_alerts(arts, sents, freq="day")
    assert auto.attrs["weekly"] and auto.empty
    # A Sunday as busy as a weekday is a spike against Sundays, invisible against all days.
    arts, sents = _weekly_frames(spike_sunday=62)
    auto = detect_alerts(arts, sents, freq="day")
    assert set(zip(auto["period_start"], auto["direction"])) == {(pd.Timestamp("2024-03-03"), "up")}
    assert detect_alerts(arts, sents, freq="day", weekly=False).query(
        "period_start == '2024-03-03'").empty
    with pytest.raises(ValueError, match="weekly=True compares a day with the same weekday"):
        detect_alerts(arts, sents, freq="week", weekly=True)


def test_keyword_and_outlet_alert_evidence_stay_in_their_series():
    arts, sents = _frames(spike_day=20, spike_extra=16)
    alerts = detect_alerts(arts, sents, freq="day", keywords=["storm"])
    kw = alerts[(alerts["scope"] == "keyword") & (alerts["metric"] == "volume")].iloc[0]
    ev = alert_evidence(kw, arts, sents, freq="day", n=None)
    assert len(ev) == 16 * 3 and ev["text"].str.contains("storm").all()
    out = alerts[(alerts["scope"] == "outlet") & (alerts["metric"] == "volume")].iloc[0]
    ev = alert_evidence(out, arts, sents, freq="day", n=None)
    assert set(ev["outlet"]) == {"B"} and ev["compound"].abs().is_monotonic_decreasing
    assert len(alert_articles(out, arts, freq="day")) == 6 + 16


def test_an_open_last_period_is_compared_pro_rata():
    # 1 Mar 2024 (a Friday) + 60 days: the last day is Monday 29 April, so the week of
    # 29 April holds less than a day of articles against whole weeks of ~98.
    arts, sents = _frames(days=60)
    last_week = pd.Timestamp("2024-04-29")
    assert arts["published"].max() < last_week + pd.Timedelta(days=1)
    alerts = detect_alerts(arts, sents, freq="week")
    assert not ((alerts["metric"] == "volume") & (alerts["period_start"] == last_week)).any()
    start, covered = alerts.attrs["open_period"]
    assert start == last_week and covered < 0.25
    # Compared as a whole week (the corpus said to reach its end), it is a drop.
    whole = detect_alerts(arts, sents, freq="week", data_end=last_week + pd.Timedelta(days=7))
    drop = whole[(whole["metric"] == "volume") & (whole["period_start"] == last_week)]
    assert "open_period" not in whole.attrs
    assert len(drop) and set(drop["direction"]) == {"down"}
    # Two days and a bit later (a third of the week): steady volume raises nothing,
    # a real surge in those days does, against the pro-rata baseline.
    arts, sents = _frames(days=62)
    steady = detect_alerts(arts, sents, freq="week")
    assert not ((steady["metric"] == "volume") & (steady["period_start"] == last_week)).any()
    arts, sents = _frames(days=62, spike_day=61, spike_extra=60)
    surge = detect_alerts(arts, sents, freq="week")
    row = surge[(surge["scope"] == "all") & (surge["metric"] == "volume")
                & (surge["period_start"] == last_week)].iloc[0]
    covered = surge.attrs["open_period"][1]
    assert row["direction"] == "up" and row["value"] == 3 * 14 + 60
    assert 2 / 7 < covered < 3 / 7 and row["baseline"] == pytest.approx(7 * 14 * covered)


def test_dates_without_times_cover_their_whole_day():
    arts, sents = _frames(days=30)
    arts["published"] = arts["published"].dt.normalize()  # a table export's dates
    alerts = detect_alerts(arts, sents, freq="day")
    assert "open_period" not in alerts.attrs  # the last day is a whole day
    assert not (alerts["metric"] == "volume").any()


def test_trends_skip_a_last_period_that_has_only_just_begun():
    # The week of Mon 29 April holds less than a day (under MIN_COVERAGE): its topic
    # shares are a few hours' articles, so the trends are those of the week before.
    arts, _ = _frames(days=60)
    last_week = pd.Timestamp("2024-04-29")
    tr = topic_trends(arts, freq="week")
    assert tr.attrs["period"] == last_week - pd.Timedelta(days=7)
    assert tr["n_now"].sum() == (period_start(arts["published"], "week")
                                 == last_week - pd.Timedelta(days=7)).sum()
    # The corpus said to reach the week's end: the week is whole, and it is the one.
    whole = topic_trends(arts, freq="week", data_end=last_week + pd.Timedelta(days=7))
    assert whole.attrs["period"] == last_week
    # A day-old week is a quarter covered: it is used.
    arts, _ = _frames(days=62)
    assert topic_trends(arts, freq="week").attrs["period"] == last_week
