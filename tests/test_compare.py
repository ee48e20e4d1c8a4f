"""Tests for analysis.compare: exact mix/within decomposition and the word shift."""
import numpy as np
import pandas as pd
import pytest

from analysis.compare import (CHANGE_COLUMNS, _lexicon, changes_table, compare_periods,
                              parse_range, word_sentences)

A = ("2024-01-01", "2024-01-31")
B = ("2024-02-01", "2024-02-29")


def _frames(spec, texts=None):
    """spec: list of (period 'a'/'b', topic_id, compound, count)."""
    arts, sents = [], []
    for period, topic, compound, count in spec:
        for i in range(count):
            aid = f"{period}{topic}-{i}-{compound}"
            day = pd.Timestamp("2024-01-10" if period == "a" else "2024-02-10") + pd.Timedelta(hours=i)
            arts.append({"article_id": aid, "published": day, "title": "t", "topic_id": topic,
                         "topic_label": f"topic {topic}", "compound": compound})
            text = (texts or {}).get((period, topic), "Plain words here.")
            sents.append({"article_id": aid, "sentence_id": 0, "text": text, "compound": compound})
    a = pd.DataFrame(arts)
    a["topic_id"] = a["topic_id"].astype(np.int64)
    s = pd.DataFrame(sents)
    s["sentence_id"] = s["sentence_id"].astype(np.int64)
    return a, s


def _parts(ch):
    total = ch.loc[ch["component"] == "total", "contribution"].item()
    mix = ch[ch["component"] == "mix"].set_index("topic_id")["contribution"]
    within = ch[ch["component"] == "within"].set_index("topic_id")["contribution"]
    return total, mix, within


def test_planted_tone_shift_is_within_topic():
    arts, sents = _frames([("a", 0, 0.5, 10), ("a", 1, -0.2, 10),
                           ("b", 0, 0.1, 10), ("b", 1, -0.2, 10)])
    total, mix, within = _parts(compare_periods(arts, sents, A, B))
    assert total == pytest.approx(-0.2)
    assert mix.abs().max() == pytest.approx(0.0, abs=1e-12)
    assert within[0] == pytest.approx(-0.2) and within[1] == pytest.approx(0.0)


def test_planted_mix_shift_is_mix():
    arts, sents = _frames([("a", 0, 0.5, 15), ("a", 1, -0.5, 5),
                           ("b", 0, 0.5, 5), ("b", 1, -0.5, 15)])
    ch = compare_periods(arts, sents, A, B)
    total, mix, within = _parts(ch)
    assert total == pytest.approx(-0.5)
    assert within.abs().max() == pytest.approx(0.0, abs=1e-12)
    assert mix[0] == pytest.approx(-0.25) and mix[1] == pytest.approx(-0.25)
    shares = ch[ch["component"] == "mix"].set_index("topic_id")
    assert shares.loc[1, "share_a"] == pytest.approx(0.25) and shares.loc[1, "share_b"] == pytest.approx(0.75)


@pytest.mark.parametrize("seed", range(5))
def test_mix_and_within_rows_sum_exactly_to_the_total(seed):
    rng = np.random.default_rng(seed)
    spec = [(p, t, round(float(rng.uniform(-1, 1)), 3), int(rng.integers(1, 9)))
            for p in "ab" for t in range(-1, 4) if rng.random() > 0.2]
    spec += [("a", 9, 0.3, 2), ("b", 8, -0.6, 3)]  # a topic that vanished, one that appeared
    arts, sents = _frames(spec)
    ch = compare_periods(arts, sents, "2024-01-01:2024-01-31", "2024-02-01:2024-02-29")
    total, mix, within = _parts(ch)
    assert mix.sum() + within.sum() == pytest.approx(total, abs=1e-12)
    a = arts[arts["published"] < "2024-02-01"]["compound"].mean()
    b = arts[arts["published"] >= "2024-02-01"]["compound"].mean()
    assert total == pytest.approx(b - a, abs=1e-12)
    assert within[9] == 0 and within[8] == 0  # appearing / vanishing is all mix
    assert list(changes_table(ch).columns) == CHANGE_COLUMNS


def test_word_shift_contributions_and_their_sentences():
    lex = _lexicon()
    arts, sents = _frames([("a", 0, 0.6, 4), ("b", 0, -0.6, 4)],
                          texts={("a", 0): "A good day.", ("b", 0): "A terrible day."})
    ch = compare_periods(arts, sents, A, B)
    words = ch[ch["component"] == "word"].set_index("name")
    assert set(words.index) == {"good", "terrible"}
    assert words.loc["terrible", "contribution"] == pytest.approx(lex["terrible"])  # 0 -> 1 per sentence
    assert words.loc["good", "contribution"] == pytest.approx(-lex["good"])  # 1 -> 0
    assert words.loc["terrible", "share_b"] == 1 and words.loc["terrible", "share_a"] == 0
    assert words.loc["terrible", "sentiment_b"] == pytest.approx(-0.6)
    assert (words["contribution"] < 0).all()
    ev = word_sentences(arts, sents, "terrible", B)
    assert len(ev) == 4 and ev["text"].eq("A terrible day.").all()
    assert word_sentences(arts, sents, "terrible", A).empty


def test_bad_ranges_are_refused():
    arts, sents = _frames([("a", 0, 0.5, 2), ("b", 0, 0.1, 2)])
    with pytest.raises(ValueError, match="period_b 2025-01-01 to 2025-01-31 holds no article"):
        compare_periods(arts, sents, A, ("2025-01-01", "2025-01-31"))
    with pytest.raises(ValueError, match="a date range is START:END"):
        parse_range("2024-01-01")
    with pytest.raises(ValueError, match="ends before it starts"):
        parse_range("2024-02-01:2024-01-01")
    assert parse_range("2024-01-01..2024-01-31") == (pd.Timestamp("2024-01-01"),
                                                     pd.Timestamp("2024-01-31"))


def test_word_counts_follow_vader_words_and_sentence_boundaries():
    from analysis.compare import _word_counts
    index = {"good": 0, "bad": 1}
    part = pd.DataFrame({"text": ["Good, GOOD good!", "Fine news", "", "Not (bad).", "bad, bad"],
                         "compound": [0.9, 0.3, 0.0, -0.2, -0.7]})
    occurrences, with_word, compound_sum = _word_counts(part, index)
    assert occurrences.tolist() == [3, 3]
    assert with_word.tolist() == [1, 2]
    assert compound_sum.tolist() == pytest.approx([0.9, -0.9])  # the sentences holding each word
    # Control characters and missing texts do not shift the sentences after them.
    odd = pd.DataFrame({"text": ["good\x01bad", None, "\x1ebad\x1e"], "compound": [0.5, 0.0, -0.5]})
    occurrences, with_word, compound_sum = _word_counts(odd, index)
    assert occurrences.tolist() == [0, 1] and compound_sum.tolist() == [0.0, -0.5]
