"""Tests for analysis.topic_terms: the news tokeniser, term counting and number_share."""
from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path
import re
from itertools import chain

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from sklearn.feature_extraction.text import CountVectorizer, ENGLISH_STOP_WORDS

from analysis.topic_terms import (_TOKEN_RE, NewsAnalyzer, VocabularyCounter, count_terms,
                                  number_share, number_shares)
from analysis.topics import NEWS_STOP_WORDS

STOP = ENGLISH_STOP_WORDS | NEWS_STOP_WORDS


@pytest.fixture(scope="module")
def analyzer():
    return NewsAnalyzer(STOP)


# Real sentences (news style), and the terms each must give, in order.
@pytest.mark.parametrize("sentence, expected", [
    ("The U.S. and the EU agreed at the G7 summit to curb exports of chips used in AI.",
     ["US", "EU", "agreed", "G7", "summit", "curb", "exports", "chips", "AI"]),
    ("Covid-19 cases rose again in the UK, and COVID-19 vaccines were offered to over-65s.",
     ["COVID-19", "cases", "rose", "UK", "COVID-19", "vaccines", "offered"]),
    ("Lockheed said the F-35 fleet would be grounded; Airbus A320 and MP3 makers didn't comment.",
     ["lockheed", "F-35", "fleet", "grounded", "airbus", "A320", "MP3", "makers", "comment"]),
    ("Operators rolled out 5G in 2019, a well-known milestone of the 1990s-style rollout.",
     ["operators", "rolled", "5G", "known", "milestone", "style", "rollout"]),
    ("Shares of Boeing fell 3.5% to $13bn, the 2nd drop since mid-1987, they're saying.",
     ["shares", "boeing", "fell", "drop"]),
    ("Russia's president met O'Brien at 10 a.m. on the UN's request, e.g. about US-China talks.",
     ["russia", "president", "met", "UN", "request", "US", "china", "talks"]),
])
def test_tokens_of_real_sentences(analyzer, sentence, expected):
    assert analyzer(sentence) == expected


def test_no_bare_numbers_fragments_or_stop_words(analyzer):
    text = ("don't isn't they're we'll o'clock 2024 737 1,000 13bn 600m 1980s 2nd 3rd "
            "ab Mr Dr e.g. i.e. a.m. of in the")
    assert analyzer(text) == []


def test_two_letter_words_only_as_capitals(analyzer):
    assert analyzer("Us and US, Eu and EU, ai and AI") == ["US", "EU", "AI"]


def test_bigrams_after_stop_words_and_picklable():
    a = NewsAnalyzer(STOP, (1, 2))
    assert a("The Bank of England raised rates") == [
        "bank", "england", "raised", "rates", "bank england", "england raised", "raised rates"]
    b = pickle.loads(pickle.dumps(a))
    assert b("The Bank of England raised rates") == a("The Bank of England raised rates")
    assert b.ngram_range == (1, 2) and b.stop_words == a.stop_words


def test_pickle_is_the_same_bytes_in_every_process():
    # A saved model is named by the hash of its pickle: string hashes (and so a set's
    # order) differ between processes, the pickle must not.
    code = ("import hashlib, pickle; from analysis.topic_terms import NewsAnalyzer; "
            "from analysis.topics import NEWS_STOP_WORDS; "
            "print(hashlib.sha256(pickle.dumps(NewsAnalyzer(NEWS_STOP_WORDS, (1, 2)))).hexdigest())")
    root = Path(__file__).resolve().parents[1]
    digests = {subprocess.run([sys.executable, "-c", code], cwd=root, check=True, text=True,
                              capture_output=True, env={**os.environ, "PYTHONHASHSEED": seed}
                              ).stdout for seed in ("1", "2")}
    assert len(digests) == 1


def test_count_terms_matches_countvectorizer():
    texts = ["The U.S. trade deficit widened, the U.S. said.", "", "G7 ministers met; G7 talks.",
             "123 456"]
    a = NewsAnalyzer(STOP, (1, 2))
    C, terms = count_terms(texts, a)
    ref = CountVectorizer(analyzer=a).fit(texts)
    R = ref.transform(texts)
    order = [ref.vocabulary_[t] for t in terms]
    np.testing.assert_array_equal(C.toarray(), R.toarray()[:, order])
    assert count_terms(["", "the 42"], a) == (None, None)


@pytest.mark.parametrize("text, lo, hi", [
    ("Shr 12 cts vs 10 cts\nNet 1,234,000 vs 1,000,000\nRevs 30.5 mln vs 25.1 mln", 0.3, 1.0),
    ("Qtly div 12 cts vs 12 cts prior\nPay April 15\nRecord March 31", 0.2, 0.5),
    ("The central bank raised interest rates by a quarter point on Tuesday, citing "
     "inflation of 4.2 pct in May.", 0.0, 0.15),
    ("", 0.0, 0.0),
])
def test_number_share(text, lo, hi):
    assert lo <= number_share(text) <= hi


# Text made of what the patterns treat specially: letters (ASCII, accented, capitals),
# digits, underscores, the separators (- . ' ’ ,) and spaces.
_TEXT = st.text(alphabet="aZé1_-.'’, \nsStTdD", max_size=60)


def _reference_tokens(analyzer, text):
    """The unigram terms as TOKEN_PATTERN over the whole text gives them (no compounds)."""
    return list(chain.from_iterable(analyzer._norm._terms(t) for t in _TOKEN_RE.findall(text)))


@settings(max_examples=400, deadline=None)
@given(_TEXT)
def test_compound_scan_equals_token_pattern_over_whole_text(text):
    analyzer = NewsAnalyzer(STOP)
    assert analyzer.tokens(text) == _reference_tokens(analyzer, text)


@settings(max_examples=400, deadline=None)
@given(_TEXT)
def test_number_share_equals_two_pattern_definition(text):
    # The definition it replaced: tokens, and number starts counted by a look-behind.
    n = len(re.findall(r"[^\W_]+(?:[.,]\d+)*", text))
    starts = len(re.findall(r"(?<![^\W_])(?<![^\W_][.,])\d", text))
    assert number_share(text) == (starts / n if n else 0.0)


@pytest.mark.parametrize("ngram_range", [(1, 1), (1, 2), (2, 2), (1, 3)])
def test_vocabulary_counter_equals_countvectorizer(ngram_range):
    fit_texts = ["The U.S. trade deficit widened, the U.S. said.", "G7 ministers met; G7 talks.",
                 "Trade talks: the deficit of U.S. trade widened again.", "Oil prices fell."]
    new_texts = ["U.S. trade deficit, trade deficit and G7 talks.", "", "123 456",
                 "Unknown words only here", "talks trade US deficit widened widened"]
    a = NewsAnalyzer(STOP, ngram_range)
    vocabulary = CountVectorizer(analyzer=a).fit(fit_texts).vocabulary_
    counted = VocabularyCounter(a, vocabulary).counts(new_texts)
    reference = CountVectorizer(analyzer=a, vocabulary=vocabulary).transform(new_texts)
    assert counted.shape == reference.shape and counted.has_sorted_indices
    np.testing.assert_array_equal(counted.toarray(), reference.toarray())
    assert counted.toarray().sum() > 0


def test_vocabulary_counter_words_outside_vocabulary_break_bigrams():
    a = NewsAnalyzer(STOP, (1, 2))
    counter = VocabularyCounter(a, {"oil": 0, "prices": 1, "oil prices": 2})
    # "crude" is no term: "oil crude prices" has no bigram "oil prices".
    np.testing.assert_array_equal(counter.counts(["oil crude prices", "oil prices"]).toarray(),
                                  [[1, 1, 0], [1, 1, 1]])


# Pieces cut at whitespace: every kind of Unicode whitespace, and the characters the
# patterns treat specially on either side of it.
_SPACED = st.text(alphabet="aZé1_-.'’, \n\t\u00a0\u2003\u2028\x1c\x0bsStTdD", max_size=80)


@settings(max_examples=300, deadline=None)
@given(st.lists(_SPACED, max_size=6))
def test_counts_from_whitespace_pieces_equal_scanning_each_text(texts):
    a = NewsAnalyzer(STOP, (1, 2))
    vocabulary = {t: i for i, t in enumerate(sorted(set(chain.from_iterable(
        a(t) for t in texts + ["sat tt", "dd ss"]))))}
    counter = VocabularyCounter(a, vocabulary)
    counted, shares = counter.count(texts, shares=True)
    scanned = counter._count_scanned(texts)
    assert counted.shape == scanned.shape and counted.has_sorted_indices
    np.testing.assert_array_equal(counted.toarray(), scanned.toarray())
    assert shares.tolist() == [number_share(t) for t in texts]
    assert number_shares(texts).tolist() == [number_share(t) for t in texts]


def test_arrow_whitespace_never_inside_a_compound_or_number_token():
    # What makes cutting at Arrow's whitespace exact: no character it cuts at can be part
    # of a compound or of a number_share token.
    import pyarrow as pa
    import pyarrow.compute as pc
    chars = [chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]
    pieces = pc.utf8_split_whitespace(pa.array([f"a{c}b" for c in chars])).to_pylist()
    cut = [c for c, p in zip(chars, pieces) if len(p) != 1]
    assert " " in cut and "\u00a0" in cut and "\n" in cut
    for c in cut:
        assert not re.fullmatch(r"[\w\-.'’,]", c), repr(c)


def test_split_whitespace_cuts_where_arrows_unicode_kernel_cuts():
    # The ASCII kernel is used only where it cuts the same: the characters the Unicode
    # kernel (alone) cuts at are exactly the ones _split_whitespace looks for.  (The two
    # differ in the empty pieces of a trailing run of whitespace: pieces with no terms.)
    import pyarrow as pa
    import pyarrow.compute as pc
    from analysis.topic_terms import _WIDE_SPACES_2, _WIDE_SPACES_3, _split_whitespace

    def nonempty(lists):
        return [[p for p in pieces if p] for pieces in lists.to_pylist()]
    chars = [chr(c) for c in range(0x80, 0x110000) if not 0xD800 <= c <= 0xDFFF]
    pieces = pc.utf8_split_whitespace(pa.array([f"a{c}b" for c in chars])).to_pylist()
    wide = {int.from_bytes(c.encode("utf-8"), "big") for c, p in zip(chars, pieces) if len(p) != 1}
    assert wide == set(_WIDE_SPACES_2.tolist()) | set(_WIDE_SPACES_3.tolist())
    # Each such character, the ASCII ones, and look-alikes (same lead byte), alone, at
    # either end, beside typographic quotes and in an array with plain texts.
    samples = [chr(c) for c in range(0x80)] + [chr(c) for c in (
        0x85, 0xA0, 0xA3, 0x1680, 0x1681, 0x2000, 0x200A, 0x200B, 0x2019, 0x2028, 0x2029,
        0x202F, 0x205F, 0x2060, 0x3000, 0x3001)]
    for c in samples:
        for texts in ([f"a{c}b"], [c], [f"{c}x y"], [f"x’s{c}", "plain text"],
                      ["£5 and “quotes”", f"y {c}"]):
            arr = pa.array(texts, type=pa.large_string())
            assert nonempty(_split_whitespace(arr)) == nonempty(pc.utf8_split_whitespace(arr)), \
                (hex(ord(c)), texts)
    arr = pa.array(["one two", "three\u00a0four", "five"], type=pa.large_string()).slice(2)
    assert _split_whitespace(arr).to_pylist() == [["five"]]
    assert _split_whitespace(pa.array([], type=pa.large_string())).to_pylist() == []


def test_bigram_counts_need_both_words_in_place():
    # A vocabulary word that starts one bigram and ends another, an unknown word between,
    # and a pair split across two texts.
    a = NewsAnalyzer(STOP, (1, 2))
    vocabulary = {"oil": 0, "prices": 1, "oil prices": 2, "prices oil": 3, "crude": 4,
                  "crude oil": 5}
    texts = ["crude oil prices oil", "prices", "oil", "crude zebra oil", "prices oil prices"]
    counted = VocabularyCounter(a, vocabulary).counts(texts)
    reference = CountVectorizer(analyzer=a, vocabulary=vocabulary).transform(texts)
    np.testing.assert_array_equal(counted.toarray(), reference.toarray())
    assert counted.has_sorted_indices and counted[0, 5] == 1 and counted[4, 3] == 1


def test_counts_of_text_arrow_cannot_hold_fall_back_to_scanning():
    a = NewsAnalyzer(STOP, (1, 2))
    counter = VocabularyCounter(a, {"oil": 0, "prices": 1, "oil prices": 2})
    texts = ["oil prices \ud800 oil", "12 oil"]
    counted, shares = counter.count(texts, shares=True)
    assert number_shares(texts).tolist() == shares.tolist()
    np.testing.assert_array_equal(counted.toarray(), [[2, 1, 1], [1, 0, 0]])
    assert shares.tolist() == [number_share(t) for t in texts]


def test_piece_cache_is_bounded_and_starting_over_changes_nothing(monkeypatch):
    import analysis.topic_terms as tt
    monkeypatch.setattr(tt, "_PIECE_CACHE", 3)
    a = NewsAnalyzer(STOP, (1, 2))
    counter = VocabularyCounter(a, {"oil": 0, "prices": 1, "oil prices": 2, "US": 3})
    texts = ["Oil prices, U.S. oil-prices (12) oil prices.", "oil prices rose 5% in the US"]
    first = counter.counts(texts).toarray()
    assert len(counter._piece_codes) > 3
    again = counter.counts(texts[::-1]).toarray()
    # Cleared before the second call: only that call's distinct pieces are held.
    assert len(counter._piece_codes) == len(set(" ".join(texts).split()))
    np.testing.assert_array_equal(first, again[::-1])
    np.testing.assert_array_equal(first, counter._count_scanned(texts).toarray())


def _count_terms_per_text(texts, analyzer):
    """count_terms as it was: the analyzer's strings of each text, factorized."""
    import pandas as pd
    from scipy import sparse
    every, lengths = [], []
    for text in texts:
        terms = analyzer(text)
        every += terms
        lengths.append(len(terms))
    if not every:
        return None, None
    codes, terms = pd.factorize(np.asarray(every, dtype=object), sort=False)
    rows = np.repeat(np.arange(len(lengths)), lengths)
    C = sparse.csr_matrix((np.ones(len(codes)), (rows, codes)), shape=(len(lengths), len(terms)))
    C.sum_duplicates()
    return C, np.asarray(terms, dtype=object)


@settings(max_examples=300, deadline=None)
@given(st.lists(_SPACED, max_size=6), st.sampled_from([(1, 1), (1, 2), (2, 2)]))
def test_count_terms_from_pieces_equals_the_analyzer_per_text(texts, ngram_range):
    a = NewsAnalyzer(STOP, ngram_range)
    C, terms = count_terms(texts, a)
    R, ref_terms = _count_terms_per_text(texts, a)
    if R is None:
        assert C is None and terms is None
        return
    assert terms.tolist() == ref_terms.tolist()          # the same order of first appearance
    assert C.shape == R.shape
    np.testing.assert_array_equal(C.toarray(), R.toarray())


def test_count_terms_of_real_news_equals_the_analyzer_per_text():
    texts = [p.read_text(encoding="utf-8") for p in sorted(
        (Path(__file__).resolve().parents[1] / "seeds").glob("*.txt"))][:30]
    texts.append("Oil prices \ud800 fell")                # Arrow cannot hold it: per text
    a = NewsAnalyzer(STOP, (1, 2))
    C, terms = count_terms(texts, a)
    R, ref_terms = _count_terms_per_text(texts, a)
    assert terms.tolist() == ref_terms.tolist() and len(terms) > 500
    np.testing.assert_array_equal(C.toarray(), R.toarray())
