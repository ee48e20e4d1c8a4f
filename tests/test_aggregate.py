import numpy as np
import pandas as pd
import pytest

from analysis import aggregate, analyze

from factories import make_corpus


@pytest.fixture(scope="module")
def result():
    return analyze(make_corpus(), n_topics=3, n_jobs=1)


def test_auto_freq_follows_span_and_density():
    t = pd.Timestamp("2024-01-01")

    def every(step, n):
        return pd.Series([t + i * pd.Timedelta(step) for i in range(n)])

    assert aggregate.auto_freq(every("1min", 600)) == "hour"    # 10 hours, 60 an hour
    assert aggregate.auto_freq(every("10min", 720)) == "day"    # 5 days: not 120 thin hours
    assert aggregate.auto_freq(every("6h", 120)) == "week"      # 30 days, 4 a day
    assert aggregate.auto_freq(every("3D", 20)) == "week"       # 57 days, sparse: >= 1 a week
    assert aggregate.auto_freq(every("20D", 50)) == "month"     # 1,000 days
    assert aggregate.auto_freq(every("1h", 2000)) == "day"      # too many hours
    assert aggregate.resolve_freq("auto", every("10min", 720)) == "day"
    assert aggregate.resolve_freq("month", every("10min", 720)) == "month"
    assert aggregate.auto_freq(pd.Series([pd.NaT])) == "day"


def test_weekly_timeline_counts_every_dated_article(result):
    tl = aggregate.timeline(result.articles, result.sentences, freq="week")
    assert not tl.attrs  # the period is the caller's, passed down, never in attrs
    se = tl["compound_se"].dropna()
    assert len(se) and (se > 0).all()
    assert tl["n_articles"].sum() == len(result.articles) - 1  # one undated
    assert aggregate.undated_count(result.articles) == 1
    assert tl["period"].min().year == 2024  # never epoch 1970
    assert (tl["period"].dt.day_of_week == 0).all()  # weeks start on Monday
    dated = result.articles["published"].notna()
    n_sent = result.sentences["article_id"].isin(result.articles.loc[dated, "article_id"]).sum()
    assert tl["n_sentences"].sum() == n_sent
    assert tl["compound"].between(-1, 1).all()


def test_daily_timeline_fills_quiet_days_with_zero(result):
    tl = aggregate.timeline(result.articles, result.sentences, freq="day")
    assert (tl["n_articles"] == 0).any()
    assert tl.loc[tl["n_articles"] == 0, "compound"].isna().all()
    assert tl["period"].diff().dropna().eq(pd.Timedelta(days=1)).all()


def test_topic_timeline_shares_sum_to_one(result):
    tt = aggregate.topic_timeline(result.articles, result.article_topics, freq="week")
    shares = tt.groupby("period")["share"].sum()
    busy = tt.groupby("period")["weight"].sum() > 0
    assert np.allclose(shares[busy], 1.0)
    assert set(tt["topic_id"]) == set(result.topics["topic_id"])
    assert tt["n_articles"].sum() == result.articles["published"].notna().sum()


def test_filters_combine(result):
    by_date = result.filter(start="2024-06-10", end="2024-06-16")
    assert len(by_date.articles) > 0
    assert by_date.articles["published"].between("2024-06-10", "2024-06-16 23:59:59").all()
    t = int(result.topics["topic_id"].iloc[0])
    by_topic = result.filter(topics=[t])
    assert (by_topic.articles["topic_id"] == t).all()
    assert set(by_topic.sentences["article_id"]) <= set(by_topic.articles["article_id"])
    neg = result.filter(sentiment=(-1, -0.05))
    assert (neg.articles["compound"] <= -0.05).all()
    kw = result.filter(keyword="STADIUM")
    assert len(kw.articles) > 0
    assert kw.articles["text"].str.contains("stadium", case=False).all()
    # A keyword is text, not a regex: special characters match literally.
    assert len(result.filter(keyword="(.*)").articles) == 0
    both = result.filter(topics=[t], keyword="stadium")
    assert set(both.articles["article_id"]) == set(by_topic.articles["article_id"]) & set(
        kw.articles["article_id"])
    assert both.params["filter"]["keyword"] == "stadium"
    # Filtered topic sizes are recomputed for the selection.
    assert both.topics["n_articles"].sum() == len(both.articles)


def test_evidence_orders_by_strength(result):
    ev = aggregate.evidence(result.articles, result.sentences, topic_id=0)
    assert len(ev) > 0
    assert (ev["topic_id"] == 0).all()
    assert ev["compound"].abs().is_monotonic_decreasing
    week = pd.Timestamp("2024-06-03")
    ev_week = aggregate.evidence(result.articles, result.sentences, period=week, freq="week",
                                 label="negative")
    assert (ev_week["label"] == "negative").all()
    assert ev_week["published"].between("2024-06-03", "2024-06-09 23:59:59").all()


def test_keyword_timeline(result):
    kt = aggregate.keyword_timeline(result.articles, result.sentences, "flood", freq="week")
    assert kt["n_sentences"].sum() == aggregate.keyword_sentences(
        result.sentences[result.sentences["article_id"] != "undated-00"], "flood").shape[0]
    assert kt["n_sentences"].sum() > 0


def test_topic_sentiment_is_complete(result):
    ts = aggregate.topic_sentiment(result.articles, result.sentences)
    assert len(ts) == 3 * len(result.topics)
    assert np.allclose(ts.groupby("topic_id")["share"].sum(), 1.0)


def test_rename_topics_everywhere(result):
    renamed = result.rename_topics({0: "Floods", 1: "  "})
    assert renamed.topics.set_index("topic_id").loc[0, "label"] == "Floods"
    assert renamed.topics.set_index("topic_id").loc[1, "label"] == result.topics.set_index(
        "topic_id").loc[1, "label"]
    assert (renamed.articles.loc[renamed.articles["topic_id"] == 0, "topic_label"] == "Floods").all()
    tt = aggregate.topic_timeline(renamed.articles, renamed.article_topics, freq="week")
    assert "Floods" in set(tt["topic_label"])
    # The original is untouched.
    assert "Floods" not in set(result.topics["label"])


def test_keyword_evidence_lists_only_sentences_with_the_keyword(result):
    view = aggregate.filter_result(result, keyword="storm")
    # the filter keeps whole articles: some of their sentences do not say "storm"
    assert not view.sentences["text"].str.contains("storm", case=False).all()
    ev = aggregate.keyword_evidence(view)
    assert len(ev) and ev["text"].str.contains(r"\bstorm\b", case=False).all()
    assert len(ev) == len(aggregate.keyword_sentences(view.sentences, "storm"))
    assert aggregate.filter_keyword(view) == "storm" and aggregate.filter_keyword(result) is None
    assert len(aggregate.keyword_evidence(result)) == len(result.sentences)


def test_filtered_topics_weight_share_is_of_the_filtered_articles(result):
    assert np.allclose(aggregate.filter_result(result).topics["weight_share"],
                       result.topics["weight_share"])  # no filter: the model's figures
    view = aggregate.filter_result(result, topics=[0])
    shares = view.topics.set_index("topic_id")["weight_share"]
    assert shares[0] > result.topics.set_index("topic_id")["weight_share"][0]
    assert shares.sum() == pytest.approx(1.0)
