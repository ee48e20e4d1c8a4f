"""FastVader must give vaderSentiment's scores exactly, rule by rule."""
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from analysis.sentences import split_text
from analysis.sentiment import fold_typography
from analysis.vader import FastVader
from factories import SHARED

STOCK = SentimentIntensityAnalyzer()
FAST = FastVader()

SAMPLES = [
    "I don't like it at all!", "This is NOT good :(", "Kind of great, but mostly awful.",
    "The team won 😀 and fans cheered", "No problem, no worries.", "He is very, VERY happy!!!",
    "   padded text with spaces   ", "", "😀😀", "It was the best of times, it was the worst of times.",
    "Never so bad? Hardly.", "Sort of ok lol", "💔 heartbroken", "without doubt a success",
    "This is the shit", "a real kiss of death", "the food is to die for", "yeah right, great",
    "at least it is good", "the least good option", "not the least bit happy", "no good or bad",
    "It was good. But it was bad, but not awful.", "GOOD good Good", "GREAT", "?? what ??? ok????",
    "I am barely happy and kind of sad", "just enough good", "no or nor bad",
    "It was truly a kiss of death", "it is the very least good thing", "this was at least good",
    "was it the least good", "they said it was so very good", "he was never so happy",
    "without a doubt great", "it was the bomb yesterday", "she is not the worst",
]

# Words that trigger each rule of VADER, in several casings and with punctuation attached.
RULE_WORDS = [
    "good", "bad", "great", "love", "hate", "problem", "happy", "sad", "no", "not", "isn't",
    "don't", "never", "without", "doubt", "least", "at", "very", "so", "this", "kind", "of",
    "sort", "but", "or", "nor", "the", "shit", "bomb", "bus", "stop", "kiss", "death", "to",
    "die", "for", "yeah", "right", "just", "enough", "extremely", "barely", "somewhat", "kinda",
    "rarely", "despite", "uh-uh", "lol", ":)", ":(", ";-)", "<3", "!", "?", "...", "news",
    "market", "shares", "rose", "fell", "win", "won", "lost", "crisis", "killed", "hope",
]
token = st.builds(
    lambda w, case, pre, post: pre + {0: w, 1: w.upper(), 2: w.capitalize()}[case] + post,
    st.sampled_from(RULE_WORDS), st.integers(0, 2),
    st.sampled_from(["", "", "", '"', "(", "'"]),
    st.sampled_from(["", "", "", ",", ".", "!", "?", "!!", '"', ")", "'s"]))


def _stock(text):
    return STOCK.polarity_scores(text)


@pytest.mark.parametrize("text", SAMPLES)
def test_samples_score_exactly_as_vader(text):
    assert FAST.polarity_scores(text) == _stock(text)


@settings(max_examples=1500, deadline=None)
@given(st.lists(token, min_size=0, max_size=14), st.sampled_from([" ", "  ", "\n", " \t"]))
def test_generated_sentences_score_exactly_as_vader(tokens, sep):
    text = sep.join(tokens)
    assert FAST.polarity_scores(text) == _stock(text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_arbitrary_text_scores_exactly_as_vader(text):
    assert FAST.polarity_scores(text) == _stock(text)


def test_scores_is_the_tuple_of_polarity_scores():
    s = _stock("The rescue was a great success, but the storm was terrible!")
    assert FAST.scores("The rescue was a great success, but the storm was terrible!") == (
        s["neg"], s["neu"], s["pos"], s["compound"])


@pytest.mark.parametrize("name", ["bbc.jsonl", "reuters-dev.jsonl"])
def test_every_sentence_of_the_corpora_scores_exactly_as_vader(name):
    path = SHARED / "corpora" / name
    if not path.exists():
        pytest.skip("../shared corpora not available")
    n = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        text = json.loads(line)["text"]
        for _, _, s, e, _ in split_text(text):
            sentence = fold_typography(text[s:e])
            assert FAST.polarity_scores(sentence) == _stock(sentence), sentence
            n += 1
    assert n > 25_000


def test_ascii_text_cannot_hold_an_emoji():
    # scores() skips the emoji scan for ASCII text: valid only while no emoji is ASCII.
    assert FAST._emoji_chars and not any(ch.isascii() for ch in FAST._emoji_chars)
