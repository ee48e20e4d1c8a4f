"""Tests for analysis.overrides: corrections change every aggregate holding them, only those."""
import numpy as np
import pandas as pd
import pytest

from analysis import aggregate, analyze
from analysis.alerts import detect_alerts
from analysis.overrides import (LABEL_SCORES, add_override, apply_overrides, describe_overrides,
                                new_override, overrides_version,
                                override_status, overrides_path, read_overrides,
                                undo_override)
from analysis.reports import write_report

from factories import make_corpus


@pytest.fixture(scope="module")
def result():
    return analyze(make_corpus(), n_topics=3, n_jobs=1)


def _target(result):
    """A dated article, one of its sentences, its week and its topic."""
    arts = result.articles[result.articles["published"].notna()]
    art = arts.iloc[3]
    sents = result.sentences[result.sentences["article_id"] == art["article_id"]]
    sent = sents.iloc[1]
    week = aggregate.period_start(pd.Series([art["published"]]), "week").iloc[0]
    return art, sent, week


def _diff_rows(a: pd.DataFrame, b: pd.DataFrame, cols) -> set:
    a, b = a.reset_index(drop=True), b.reset_index(drop=True)
    same = np.isclose(a[cols].to_numpy(float), b[cols].to_numpy(float), equal_nan=True).all(axis=1)
    return set(np.flatnonzero(~same))


def test_sentence_override_changes_its_aggregates_and_nothing_else(result):
    art, sent, week = _target(result)
    ov = new_override(read_overrides("/nonexistent/overrides.parquet"), "sentence",
                      art["article_id"], sentence_text=sent["text"], score=-0.9, note="sarcasm")
    out = apply_overrides(result, ov)
    # sentences: only that row
    s = out.sentences
    changed = _diff_rows(result.sentences, s, ["compound"])
    assert changed == {int(sent.name)}
    assert s.loc[sent.name, "compound"] == -0.9 and s.loc[sent.name, "label"] == "negative"
    assert s["overridden"].tolist() == [i == sent.name for i in range(len(s))]
    # articles: only its article, recomputed as the mean of its sentences
    a = out.articles
    idx = int(a.index[a["article_id"] == art["article_id"]][0])
    assert _diff_rows(result.articles, a, ["compound", "neg_share"]) == {idx}
    assert a.loc[idx, "compound"] == pytest.approx(
        s.loc[s["article_id"] == art["article_id"], "compound"].mean())
    assert a.loc[idx, "most_negative_score"] == -0.9
    assert a["overridden"].sum() == 1 and a.loc[idx, "overridden"]
    # timeline: only its week
    before = aggregate.timeline(result.articles, result.sentences, freq="week")
    after = aggregate.timeline(a, s, freq="week")
    rows = _diff_rows(before, after, ["compound", "article_compound", "neg_share", "pos_share"])
    assert [before.loc[r, "period"] for r in rows] == [week]
    # topics: only its topic
    t_before = result.topics.set_index("topic_id")
    t_after = out.topics.set_index("topic_id")
    moved = t_before.index[~np.isclose(t_before["compound"], t_after["compound"])].tolist()
    assert moved == [art["topic_id"]]
    assert (t_before["n_articles"] == t_after["n_articles"]).all()
    # evidence leads with the corrected sentence when it is now the strongest negative
    ev = aggregate.evidence(a, s, topic_id=art["topic_id"], label="negative")
    assert ev.iloc[0]["text"] == sent["text"] and ev.iloc[0]["compound"] == -0.9
    # the input result is untouched
    assert "overridden" not in result.sentences and "overridden" not in result.articles


def test_article_override_and_topic_move(result):
    art, _, week = _target(result)
    other = int(next(t for t in result.topics["topic_id"] if t != art["topic_id"]))
    ov = new_override(read_overrides("/nonexistent"), "article", art["article_id"], label="positive")
    ov = new_override(ov, "topic", art["article_id"], topic_id=other)
    out = apply_overrides(result, ov)
    a = out.articles.set_index("article_id")
    assert a.loc[art["article_id"], "compound"] == LABEL_SCORES["positive"]
    assert a.loc[art["article_id"], "topic_id"] == other
    assert a.loc[art["article_id"], "topic_label"] == result.topics.set_index("topic_id").loc[other, "label"]
    assert out.sentences.equals(result.sentences.assign(overridden=False))  # sentences keep theirs
    unchanged = result.articles.set_index("article_id").drop(index=art["article_id"])
    assert a.drop(index=art["article_id"])[unchanged.columns].equals(unchanged)
    sizes = out.topics.set_index("topic_id")["n_articles"] - result.topics.set_index("topic_id")["n_articles"]
    assert sizes.to_dict() == {t: (1 if t == other else -1 if t == art["topic_id"] else 0)
                               for t in sizes.index}
    at = out.article_topics[out.article_topics["article_id"] == art["article_id"]]
    assert at[["topic_id", "weight"]].values.tolist() == [[other, 1.0]]
    before = aggregate.topic_timeline(result.articles, result.article_topics, freq="week")
    after = aggregate.topic_timeline(out.articles, out.article_topics, freq="week")
    rows = _diff_rows(before, after, ["n_articles", "weight", "share", "compound"])
    assert {before.loc[r, "period"] for r in rows} == {week}
    # Only the topics in the article's old mix and its new topic move (shares of the week).
    mix = result.article_topics.loc[result.article_topics["article_id"] == art["article_id"], "topic_id"]
    assert {before.loc[r, "topic_id"] for r in rows} <= set(mix) | {other}
    # alerts see the corrected values too (same function, corrected frames)
    assert detect_alerts(out.articles, out.sentences, freq="week").attrs["freq"] == "week"


def test_stored_beside_the_result_listed_undone_one_by_one(tmp_path, result):
    path = overrides_path(tmp_path)
    art, sent, _ = _target(result)
    first = add_override(path, "sentence", art["article_id"], sentence_text=sent["text"],
                         label="negative", note="irony")
    second = add_override(path, "article", art["article_id"], score=0.7)
    listed = read_overrides(path)
    assert listed["override_id"].tolist() == [first, second]
    assert listed["label"].tolist() == ["negative", "positive"]
    assert listed["score"].tolist() == [-0.5, 0.7] and listed["note"].tolist() == ["irony", ""]
    # the same target again replaces the earlier override
    third = add_override(path, "article", art["article_id"], score=-0.2)
    assert read_overrides(path)["override_id"].tolist() == [first, third]
    # re-analysis: a new result of the same corpus takes the same overrides
    again = analyze(make_corpus(), n_topics=3, n_jobs=1)
    out = apply_overrides(again, read_overrides(path))
    assert out.params["overrides"] == 2
    assert out.articles.set_index("article_id").loc[art["article_id"], "compound"] == -0.2
    removed = undo_override(path, third)
    assert removed["override_id"].tolist() == [third]
    out = apply_overrides(again, read_overrides(path))
    assert out.articles.set_index("article_id").loc[art["article_id"], "compound"] != -0.2
    undo_override(path, first)
    assert read_overrides(path).empty
    assert apply_overrides(again, read_overrides(path)).articles["overridden"].sum() == 0
    with pytest.raises(ValueError, match="no override with override_id=99"):
        undo_override(path, 99)


def test_overrides_that_lost_their_target_are_listed_not_applied(result):
    ov = new_override(read_overrides("/nonexistent"), "sentence", "storm-00",
                      sentence_text="A sentence that is not there.", score=0.5)
    ov = new_override(ov, "article", "no-such-article", score=0.5)
    ov = new_override(ov, "topic", "storm-00", topic_id=42)
    st = override_status(result, ov)
    assert st["applies"].tolist() == [False, False, False]
    assert st["reason"].tolist() == ["sentence no longer in the article",
                                     "article not in this result", "topic not in this result"]
    out = apply_overrides(result, ov)
    assert out.params["overrides"] == 0
    assert out.articles.drop(columns="overridden").equals(result.articles)


@pytest.mark.parametrize("kwargs, message", [
    (dict(kind="mood"), "kind must be one of"),
    (dict(kind="sentence"), "needs sentence_text"),
    (dict(kind="article"), "needs label= .* or score="),
    (dict(kind="article", label="great"), "label must be one of"),
    (dict(kind="article", score=2.0), "score must be a number from -1 to 1; got 2.0"),
    (dict(kind="article", score=0.8, label="negative"), "contradicts score 0.8"),
    (dict(kind="topic"), "needs topic_id= an integer"),
    (dict(kind="topic", topic_id=1, score=0.2), "takes topic_id, not label or score"),
])
def test_bad_overrides_are_refused(kwargs, message):
    kind = kwargs.pop("kind")
    with pytest.raises(ValueError, match=message):
        new_override(read_overrides("/nonexistent"), kind, "a1", **kwargs)


def test_exports_say_what_was_overridden(tmp_path, result):
    art, sent, _ = _target(result)
    ov = new_override(read_overrides("/nonexistent"), "sentence", art["article_id"],
                      sentence_text=sent["text"], score=0.99)
    write_report(apply_overrides(result, ov), tmp_path, freq="week")
    arts = pd.read_csv(tmp_path / "articles.csv", encoding="utf-8-sig")
    sents = pd.read_csv(tmp_path / "sentences.csv", encoding="utf-8-sig")
    assert arts.loc[arts["overridden"], "article_id"].tolist() == [art["article_id"]]
    assert sents.loc[sents["overridden"], "compound"].tolist() == [0.99]


def test_describe_lists_old_and_new_values_newest_first(result):
    art, sent, _ = _target(result)
    topics = result.topics.set_index("topic_id")["label"]
    other = int(next(t for t in topics.index if t != art["topic_id"]))
    ov = new_override(read_overrides("/nonexistent"), "sentence", art["article_id"],
                      sentence_text=sent["text"], score=-0.9, note="sarcasm")
    ov = new_override(ov, "article", art["article_id"], label="positive")
    ov = new_override(ov, "topic", art["article_id"], topic_id=other)
    ov = new_override(ov, "article", "gone", score=0.1)
    out = describe_overrides(result, ov)
    assert out["override_id"].tolist() == [4, 3, 2, 1]
    assert out["what"].tolist() == ["article sentiment", "topic", "article sentiment", sent["text"]]
    assert out["old"].tolist() == [
        "–", topics[art["topic_id"]], f"{art['compound']:+.3f} ({art['label']})",
        f"{sent['compound']:+.3f} ({sent['label']})"]
    assert out["new"].tolist() == ["+0.100 (positive)", topics[other], "+0.500 (positive)",
                                   "-0.900 (negative)"]
    assert out["applies"].tolist() == [False, True, True, True]
    assert out["title"].iloc[1] == art["title"] and out["note"].iloc[3] == "sarcasm"


def test_version_changes_with_every_write(tmp_path):
    path = overrides_path(tmp_path)
    seen = {overrides_version(path)}
    oid = add_override(path, "article", "a1", score=0.2)
    seen.add(overrides_version(path))
    add_override(path, "article", "a1", score=0.3)  # same size, written at once
    seen.add(overrides_version(path))
    undo_override(path, oid + 1)
    seen.add(overrides_version(path))
    assert len(seen) == 4 and overrides_version(path) == overrides_version(path)
