"""score_batch must give vaderSentiment's scores exactly, for whole batches of sentences."""
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from analysis import vader_batch
from analysis.sentences import split_text
from analysis.sentiment import fold_typography
from analysis.vader import FastVader
from analysis.vader_batch import score_batch
from factories import SHARED
from test_vader import RULE_WORDS, SAMPLES

STOCK = SentimentIntensityAnalyzer()
FAST = FastVader()


def _stock(texts):
    return np.array([[s["neg"], s["neu"], s["pos"], s["compound"]]
                     for s in map(STOCK.polarity_scores, texts)]).reshape(len(texts), 4)


def _assert_same(texts):
    got, want = score_batch(FAST, texts), _stock(texts)
    bad = np.flatnonzero((got != want).any(axis=1))
    assert not len(bad), [(texts[i], got[i], want[i]) for i in bad[:5]]


class _Counting(FastVader):
    """FastVader that records which texts it scored one by one."""

    def __init__(self):
        super().__init__()
        self.one_by_one = []

    def scores(self, text):
        self.one_by_one.append(text)
        return super().scores(text)


def test_samples_score_exactly_as_vader_in_one_batch():
    _assert_same(SAMPLES)


def test_empty_batch_and_empty_texts():
    assert score_batch(FAST, []).shape == (0, 4)
    _assert_same(["", "   ", "\n\t", "!!!", "?", "a", "good"])


# Each rule in context: negations before the lexicon word at every distance, "no" in
# its three places, boosters damped by distance, capitals, "least", "never so",
# "without doubt", "kind of", and punctuation amplifiers.
RULES = [
    "it was not good", "it was not very good", "it was not at all very good",
    "no good", "no problem at all", "there is no good news", "this is no or nor bad",
    "never so good", "never this bad", "we never so much as liked it", "without doubt good",
    "without a doubt good", "the least good", "at least good", "very least good",
    "least good", "extremely good", "EXTREMELY good news", "Extremely GOOD news",
    "ALL CAPS GOOD NEWS", "it is kind of good", "kind of", "kind", "the kind", "GOOD!!",
    "good??", "good???", "good????", "good!!!!!!", "bad!? really?", "It isn't good",
    "It wasn't great, it was bad", "they didn't fail", "despite the crisis, hope",
    "I don't think it is not good", "no", "no no no", "the only good", "this good",
    "So good", "barely good", "hardly bad", "the good the bad and the ugly",
    "good good good good good good", "He said: \"great!\"", "(good)", "--good--", ":) fine",
    "<3 love", "a GREAT day, a great day", "It was good but bad", "good, but not bad",
    "but", "but good", "good but", "good but good but bad", "bad bad but bad",
    "GOOD but BAD!", "not good but not bad", "it was the bomb", "a kiss of death today",
    "to die for", "yeah right", "just enough good", "sort of sad", "bus stop good",
]


def test_each_rule_scores_exactly_as_vader():
    _assert_same(RULES)


def test_an_idiom_at_the_very_end_of_a_batch():
    # The last two words of the batch: no third word to look at.
    counting = _Counting()
    texts = ["fine", "it was good, kind of"]
    assert (score_batch(counting, texts) == _stock(texts)).all()
    assert counting.one_by_one == ["it was good, kind of"]


token = st.builds(
    lambda w, case, pre, post: pre + {0: w, 1: w.upper(), 2: w.capitalize()}[case] + post,
    st.sampled_from(RULE_WORDS + ["£5", "€", "café", "Zoë", "NAÏVE", "😀", "a", "I"]),
    st.integers(0, 2), st.sampled_from(["", "", "", '"', "(", "'", "-"]),
    st.sampled_from(["", "", "", ",", ".", "!", "?", "!!", '"', ")", "'s", "--"]))
sentence = st.builds(lambda ts, sep: sep.join(ts), st.lists(token, max_size=16),
                     st.sampled_from([" ", "  ", "\n", " \t", "\x1c", "\xa0", "\u2009"]))


@settings(max_examples=300, deadline=None)
@given(st.lists(sentence, max_size=30))
def test_generated_batches_score_exactly_as_vader(texts):
    _assert_same(texts)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=60), max_size=20))
def test_arbitrary_text_batches_score_exactly_as_vader(texts):
    _assert_same(texts)


def test_repeated_values_around_but_fall_back_and_stay_exact():
    # "good" halved before "but" equals the later "okay"'s own value only in the
    # quirk's order: sentences whose changed values meet later ones are scored alone.
    texts = ["good good but good", "great but great great", "fine but fine", "bad but bad"]
    _assert_same(texts)
    counting = _Counting()
    assert (score_batch(counting, texts) == _stock(texts)).all()


def test_a_lone_surrogate_is_scored_alone_and_the_rest_of_the_batch_as_usual():
    # Arrow cannot hold a lone surrogate (a table's JSON can carry one): that text is
    # scored by FastVader itself, as before batches, and nothing else changes.
    counting = _Counting()
    texts = ["a good \ud800 day", "It was not good.", "Great news!"]
    got = score_batch(counting, texts)
    assert counting.one_by_one == ["a good \ud800 day"]
    assert tuple(got[0]) == FAST.scores(texts[0])
    assert (got[1:] == _stock(texts[1:])).all()


def test_plain_sentences_are_not_scored_one_by_one():
    counting = _Counting()
    plain = ["The market rose sharply on good news.", "Shares fell 5% after the crisis.",
             "It was not a good year, but profits rose.", "The £5m deal was a success."]
    odd = ["Zoë was happy.", "Great 😀", "kind of sad", "a\x1cb good"]
    score_batch(counting, plain + odd)
    assert counting.one_by_one == odd


def test_python_sums_resum_rows_of_three_values_or_more_with_python_sum():
    # Python 3.12's sum compensates rounding: rows of 3+ non-zero values are re-summed
    # by sum() itself (on 3.11 both agree; the sentinel shows which rows are redone).
    sid = np.array([0, 0, 0, 1, 1, 1, 2, 2, 2, 2])
    values = np.array([0.1, 0.2, 0.3, 1.5, 0.0, -2.0, 1e16, 1.0, -1e16, 0.5])
    fixed = vader_batch._python_sums(sid, values, np.full(3, np.nan))
    assert fixed[0] == sum([0.1, 0.2, 0.3])
    assert np.isnan(fixed[1])                          # two non-zero values: plain sums
    assert fixed[2] == sum([1e16, 1.0, -1e16, 0.5])


@pytest.mark.parametrize("name", ["bbc.jsonl", "reuters-dev.jsonl"])
def test_every_sentence_of_the_corpora_scores_exactly_as_vader(name):
    path = SHARED / "corpora" / name
    if not path.exists():
        pytest.skip("../shared corpora not available")
    texts = []
    for line in path.read_text(encoding="utf-8").splitlines():
        text = json.loads(line)["text"]
        texts += [fold_typography(text[s:e]) for _, _, s, e, _ in split_text(text)]
    assert len(texts) > 25_000
    _assert_same(texts)
