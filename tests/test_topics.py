"""Tests for analysis.topics: TopicModel, and topic_map / article_map as re-exported here.

Maps, quality figures and labels have their own test modules (test_topic_*.py), which
share this module's corpus and fixtures.
"""
from __future__ import annotations

import doctest
import json
import random
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

import analysis.topics as topics_mod
from analysis.topic_terms import NewsAnalyzer
from analysis.topics import NEWS_STOP_WORDS, TopicModel, article_map, topic_map

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "news-22082024-042604.txt"
BBC = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "bbc.jsonl"
STOP = ENGLISH_STOP_WORDS | NEWS_STOP_WORDS

SPORT = [
    "The striker scored twice as the football club won the league match on Saturday.",
    "Their coach praised the goalkeeper after the match; the club's striker didn't play.",
    "A late goal from the striker sent the club top of the league, 2-1 winners in 90 minutes.",
    "The football league fined the club after fans invaded the pitch at the end of the match.",
    "The goalkeeper saved a penalty and the coach said the league title race isn't over.",
]
ECONOMY = [
    "The central bank raised interest rates as inflation pushed consumer prices higher.",
    "Shares fell on the stock market after the bank warned that inflation would stay high.",
    "Inflation eased to 4.2% in May, and the bank said interest rates could fall this year.",
    "Investors sold shares as bond markets priced in higher interest rates and inflation.",
    "Consumer prices rose again, and the bank's governor said rates may rise in 2024.",
]
HEALTH = [
    "The vaccine trial enrolled patients at hospital sites and doctors reported few side effects.",
    "Doctors said the virus spread quickly among hospital patients before the vaccine arrived.",
    "Health officials expanded the vaccine trial after hospital admissions for the virus fell.",
    "Patients in the trial received two vaccine doses; doctors tracked infections with the virus.",
    "Hospital doctors warned that the virus could return in winter unless patients get the vaccine.",
]
THEMES = SPORT + ECONOMY + HEALTH
THEME_OF = [0] * 5 + [1] * 5 + [2] * 5


@pytest.fixture(scope="module")
def corpus():
    """15 themed articles plus an empty text, a missing text and one with no usable word."""
    texts = THEMES + ["", None, "123 456 -- !!"]
    ids = [f"a{i:02d}" for i in range(len(texts))]
    return texts, ids


@pytest.fixture(scope="module")
def fitted(corpus):
    texts, ids = corpus
    return TopicModel(n_topics=3).fit(texts, ids)


def seed_text():
    lines = SEED.read_text(encoding="utf-8").splitlines()
    return "\n".join(lines[2:]).replace(":\n", ":\n\n")     # drop the id line; headings apart


# ---------------------------------------------------------------- themes and labels
def test_recovers_three_themes(fitted, corpus):
    texts, ids = corpus
    dom = fitted.dominant(ids)
    themed = dom["topic_id"].iloc[:15].to_numpy()
    assert normalized_mutual_info_score(THEME_OF, themed) == pytest.approx(1.0)
    assert sorted(fitted.topics_["n_articles"]) == [5, 5, 5]
    labels = " ".join(fitted.topics_["label"])
    for word in ("striker", "inflation", "vaccine"):
        assert word in fitted.vectorizer_.vocabulary_
    assert any(w in labels for w in ("league", "club", "match", "striker", "coach"))
    assert any(w in labels for w in ("bank", "inflation", "rates", "interest"))
    assert any(w in labels for w in ("vaccine", "patients", "hospital", "doctors", "virus"))


def test_auto_k_is_the_given_k_fit(corpus):
    texts, ids = corpus
    auto = TopicModel(k_range=(2, 5)).fit(texts, ids)
    given = TopicModel(n_topics=auto.n_topics_).fit(texts, ids)
    pd.testing.assert_frame_equal(auto.topics_, given.topics_)
    np.testing.assert_array_equal(auto.doc_topic_, given.doc_topic_)
    assert given.chosen_by_ == "given"


def test_terms_and_labels_have_no_stop_words_digits_or_fragments(fitted):
    # Words of 3+ lowercase letters, or an acronym / a name with digits in capitals.
    term_re = re.compile(r"^(?:[a-z]{3,}|[A-Z]{2}|[A-Z0-9-]*[0-9][A-Z0-9-]*)"
                         r"(?: (?:[a-z]{3,}|[A-Z]{2}|[A-Z0-9-]*[0-9][A-Z0-9-]*))*$")
    for terms in fitted.topic_terms_:
        assert len(terms) == 10
        for term in terms:
            assert term_re.match(term), term
            assert not set(term.split()) & STOP, term
    vocab = set(fitted.vectorizer_.vocabulary_)
    assert not {"don", "isn", "didn", "club's", "2024", "mp3"} & vocab
    assert "club" in vocab                                    # possessive kept as the word
    for label in fitted.topics_["label"]:
        words = label.replace(" · ", " ").split()
        assert len(label.split(" · ")) == 3
        assert len(words) == len(set(words)), label
        assert not re.search(r"(?<![A-Z-])\d", label), label      # no bare numbers
        assert not set(words) & STOP


# ---------------------------------------------------------------- frames (README.md (Frames))
def test_topics_frame_contract(fitted, corpus):
    t = fitted.topics_
    assert list(t.columns) == ["topic_id", "label", "terms", "term_weights", "n_articles",
                               "share", "weight_share", "coherence", "representative_id",
                               "theme_id", "theme_label"]
    assert t["theme_id"].dtype == np.int64
    assert t["topic_id"].dtype == np.int64 and t["n_articles"].dtype == np.int64
    for col in ("share", "weight_share", "coherence"):
        assert t[col].dtype == np.float64
    assert t["topic_id"].tolist() == list(range(fitted.n_topics_))
    # numbered by size, ties by label
    order = t.sort_values(["n_articles", "label"], ascending=[False, True])["topic_id"]
    assert order.tolist() == t["topic_id"].tolist()
    n = len(corpus[0])
    assert t["n_articles"].sum() == 15 and t["share"].sum() == pytest.approx(15 / n)
    assert t["weight_share"].sum() == pytest.approx(15 / n)
    assert t["coherence"].between(-1, 1).all()
    for terms, weights in zip(t["terms"], t["term_weights"]):
        w = [float(x) for x in weights.split(", ")]
        assert len(w) == len(terms.split(", ")) == 10
        assert w == sorted(w, reverse=True)
    assert -1 <= fitted.coherence_ <= 1 and 0 < fitted.diversity_ <= 1


def test_article_topics_and_dominant(fitted, corpus):
    texts, ids = corpus
    at = fitted.article_topics_frame(ids)
    assert list(at.columns) == ["article_id", "topic_id", "weight"]
    assert at["topic_id"].dtype == np.int64 and at["weight"].dtype == np.float64
    assert (at["weight"] > 0).all()
    sums = at.groupby("article_id")["weight"].sum()
    assert np.allclose(sums, 1.0)
    assert set(sums.index) == set(ids[:15])                  # no-term texts have no rows
    dom = fitted.dominant(ids)
    assert list(dom.columns) == ["article_id", "topic_id", "topic_weight"]
    assert dom["article_id"].tolist() == ids
    assert dom["topic_id"].dtype == np.int64 and dom["topic_weight"].dtype == np.float64
    assert dom["topic_id"].iloc[15:].tolist() == [-1, -1, -1]
    assert dom["topic_weight"].iloc[15:].tolist() == [0.0, 0.0, 0.0]
    best = at.loc[at.groupby("article_id")["weight"].idxmax()].set_index("article_id")
    got = dom.set_index("article_id").loc[best.index]
    assert (got["topic_id"] == best["topic_id"]).all()
    assert np.allclose(fitted.doc_topic_[:15].sum(axis=1), 1.0)
    assert (fitted.doc_topic_[15:] == 0).all()
    # default ids are the ones given to fit
    pd.testing.assert_frame_equal(fitted.dominant(), dom)


def test_transform_agrees_with_fit(fitted):
    w = fitted.transform(THEMES + ["", "the and of 42"])
    assert w.shape == (17, 3)
    assert np.allclose(w[:15].sum(axis=1), 1.0) and (w[15:] == 0).all()
    np.testing.assert_array_equal(w[:15].argmax(axis=1), fitted.doc_topic_[:15].argmax(axis=1))


# ---------------------------------------------------------------- determinism
def _fit_permuted(texts, ids, perm, **params):
    return TopicModel(**params).fit([texts[i] for i in perm], [ids[i] for i in perm])


@pytest.mark.parametrize("params", [{"n_topics": 3}, {"k_range": (2, 5)},
                                    {"n_topics": 2, "min_paragraph_docs": 40}])
def test_order_of_the_corpus_does_not_matter(corpus, params):
    texts, ids = corpus
    a = _fit_permuted(texts, ids, range(len(texts)), **params)
    perm = list(range(len(texts)))
    random.Random(7).shuffle(perm)
    b = _fit_permuted(texts, ids, perm, **params)
    # bit for bit, not just close
    pd.testing.assert_frame_equal(a.topics_, b.topics_, check_exact=True)
    pd.testing.assert_frame_equal(a.k_scores_, b.k_scores_, check_exact=True)
    key = ["article_id", "topic_id"]
    pd.testing.assert_frame_equal(
        a.article_topics_frame().sort_values(key).reset_index(drop=True),
        b.article_topics_frame().sort_values(key).reset_index(drop=True), check_exact=True)
    pd.testing.assert_frame_equal(
        a.dominant().sort_values("article_id").reset_index(drop=True),
        b.dominant().sort_values("article_id").reset_index(drop=True), check_exact=True)
    pd.testing.assert_frame_equal(topic_map(a), topic_map(b), check_exact=True)
    pd.testing.assert_frame_equal(
        article_map(a).sort_values("article_id").reset_index(drop=True),
        article_map(b).sort_values("article_id").reset_index(drop=True), check_exact=True)


def test_duplicate_texts_with_different_ids(corpus):
    texts = THEMES + [SPORT[0]]
    ids = [f"d{i}" for i in range(len(texts))]
    a = TopicModel(n_topics=3).fit(texts, ids)
    b = TopicModel(n_topics=3).fit(texts[::-1], ids[::-1])
    pd.testing.assert_frame_equal(a.topics_, b.topics_)
    assert a.dominant().set_index("article_id").loc["d15", "topic_id"] == \
        a.dominant().set_index("article_id").loc["d0", "topic_id"]


def test_reproducible(corpus):
    texts, ids = corpus
    a = TopicModel(k_range=(2, 5)).fit(texts, ids)
    b = TopicModel(k_range=(2, 5)).fit(list(texts), list(ids))
    pd.testing.assert_frame_equal(a.topics_, b.topics_, check_exact=True)
    pd.testing.assert_frame_equal(a.k_scores_, b.k_scores_, check_exact=True)
    np.testing.assert_array_equal(a.doc_topic_, b.doc_topic_)


# ---------------------------------------------------------------- small corpora
@pytest.mark.skipif(not SEED.exists(), reason="seed article missing")
def test_one_article_is_fitted_on_its_paragraphs():
    text = seed_text()
    model = TopicModel().fit([text], ["news-22082024-042604"])
    assert model.unit_ == "paragraph" and model.n_units_ >= 5
    assert 1 <= model.n_topics_ <= model.n_units_
    assert model.doc_topic_.shape == (1, model.n_topics_)
    assert model.doc_topic_.sum() == pytest.approx(1.0)
    dom = model.dominant()
    assert dom["article_id"].tolist() == ["news-22082024-042604"]
    assert dom["topic_id"].item() >= 0
    at = model.article_topics_frame()
    assert at["weight"].sum() == pytest.approx(1.0)
    assert model.topics_["n_articles"].sum() == 1
    assert "silver" in " ".join(model.topics_["terms"])
    assert len(topic_map(model)) == model.n_topics_
    am = article_map(model)
    assert am[["x", "y"]].to_numpy().tolist() == [[0.0, 0.0]]


@pytest.mark.skipif(not SEED.exists(), reason="seed article missing")
def test_one_article_with_too_many_topics_warns_and_lowers_k():
    with pytest.warns(UserWarning, match="n_topics=50 is more than this corpus supports"):
        model = TopicModel(n_topics=50).fit([seed_text()])
    assert 1 <= model.n_topics_ < 50
    assert "lowered" in model.chosen_by_


@pytest.mark.parametrize("texts", [
    ["Storm hits coast"],                                        # fewer than 5 words
    ["Storm hits coast", "Bank cuts rates"],
    ["Ukraine drone strike hits depot.\n\nOfficials said the blast was heard for miles.",
     "", "Rates on hold at the central bank again this month, economists said."],
    [SPORT[0], ECONOMY[0], HEALTH[0]],
])
def test_a_handful_of_articles_never_raises(texts):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        for params in ({}, {"n_topics": 1}, {"n_topics": 4}, {"k_range": (1, 3)}):
            model = TopicModel(**params).fit(texts)
            assert model.unit_ == "paragraph" and model.n_topics_ >= 1
            has_words = [bool(t.strip()) for t in texts]
            sums = model.doc_topic_.sum(axis=1)
            assert np.allclose(sums[has_words], 1.0) and (sums[~np.array(has_words)] == 0).all()
            assert len(model.dominant()) == len(texts)
            assert len(topic_map(model)) == model.n_topics_
            assert len(article_map(model)) == len(texts)


# ---------------------------------------------------------------- errors and parameters
@pytest.mark.parametrize("texts, match", [
    ([], "texts is empty"),
    (pd.Series([], dtype=object), "texts is empty"),
    (["", "   ", None, float("nan"), pd.NA], "texts are all empty"),
])
def test_empty_input_raises(texts, match):
    with pytest.raises(ValueError, match=match):
        TopicModel().fit(texts)


@pytest.mark.parametrize("texts", [["!"], ["the and of it", "123 456", "a an", "", None] * 3])
def test_no_usable_term_anywhere_gives_zero_topics(texts):
    with pytest.warns(UserWarning, match="no usable terms.*fitted 0 topics"):
        model = TopicModel().fit(texts)
    assert model.n_topics_ == 0 and model.topics_.empty and model.k_scores_.empty
    assert list(model.topics_.columns) == ["topic_id", "label", "terms", "term_weights",
                                           "n_articles", "share", "weight_share", "coherence",
                                           "representative_id", "theme_id", "theme_label"]
    assert model.topics_["topic_id"].dtype == np.int64
    assert (model.dominant()["topic_id"] == -1).all()
    assert model.article_topics_frame().empty
    assert topic_map(model).empty
    assert article_map(model)[["x", "y"]].isna().all().all()
    assert model.transform(["new text about banks"]).shape == (1, 0)


def test_bad_input_types():
    with pytest.raises(TypeError, match="single str"):
        TopicModel().fit("one article as a plain string")
    with pytest.raises(TypeError, match="must hold strings"):
        TopicModel().fit(["ok text here", 42])
    with pytest.raises(ValueError, match="one id per text: got 1 ids for 2 texts"):
        TopicModel().fit(["a text", "another"], ids=["x"])
    with pytest.raises(RuntimeError, match="not fitted"):
        TopicModel().dominant()


@pytest.mark.parametrize("params, match", [
    ({"n_topics": 0}, r"n_topics must be None or an integer >= 1; got 0"),
    ({"n_topics": 2.5}, r"n_topics must be .*; got 2.5"),
    ({"n_topics": True}, r"n_topics must be .*; got True"),
    ({"k_range": (6, 3)}, r"k_range must be None or a pair of integers .*; got \(6, 3\)"),
    ({"k_range": (0, 3)}, r"k_range must be .*; got \(0, 3\)"),
    ({"k_range": 5}, r"k_range must be .*; got 5"),
    ({"n_top_terms": 0}, r"n_top_terms must be an integer >= 1; got 0"),
    ({"ngram_range": (2, 1)}, r"ngram_range must be .*; got \(2, 1\)"),
    ({"max_features": 0}, r"max_features must be None or an integer >= 1; got 0"),
    ({"min_df": 0}, r"min_df must be .*; got 0"),
    ({"min_df": 1.5}, r"min_df must be .*; got 1.5"),
    ({"max_df": "half"}, r"max_df must be .*; got 'half'"),
    ({"extra_stop_words": "said"}, r"extra_stop_words must be .*; got 'said'"),
    ({"random_state": "seed"}, r"random_state must be an integer .*; got 'seed'"),
    ({"max_iter": 0}, r"max_iter must be an integer >= 1; got 0"),
    ({"tol": 0}, r"tol must be a number > 0; got 0"),
    ({"min_paragraph_docs": -1}, r"min_paragraph_docs must be an integer >= 0; got -1"),
    ({"search_units": 5}, r"search_units must be an integer >= 10; got 5"),
    ({"n_themes": 0}, r"n_themes must be None or an integer >= 1; got 0"),
    ({"format_share": 1.5}, r"format_share must be None or a number in \(0, 1\]; got 1.5"),
])
def test_parameter_validation(params, match):
    with pytest.raises(ValueError, match=match):
        TopicModel(**params).fit(THEMES)


def test_estimator_conventions(fitted):
    model = TopicModel(n_topics=3, k_range=(2, 6), ngram_range=(1, 1))
    assert model.get_params()["k_range"] == (2, 6)
    assert not [a for a in vars(model) if a.endswith("_")]   # __init__ only stores params
    copy = clone(fitted)
    assert copy.get_params() == fitted.get_params() and not hasattr(copy, "topics_")
    assert model.fit(THEMES) is model
    for attr in ("n_topics_", "vectorizer_", "nmf_", "doc_topic_", "topic_terms_", "topics_",
                 "k_scores_", "coherence_", "diversity_", "chosen_by_"):
        assert hasattr(model, attr), attr
    assert model.nmf_.components_.shape == (3, len(model.vectorizer_.vocabulary_))


def test_module_docstring_example_runs():
    result = doctest.testmod(topics_mod, verbose=False)
    assert result.failed == 0 and result.attempted > 0


# ---------------------------------------------------------------- BBC (needs ../shared)
@pytest.fixture(scope="module")
def bbc():
    if not BBC.exists():
        pytest.skip("../shared/corpora/bbc.jsonl is absent")
    with BBC.open(encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh]
    return ([r["text"] for r in rows], [r["id"] for r in rows], [r["category"] for r in rows])


def _scores(model, labels):
    dom = model.dominant()["topic_id"]
    return normalized_mutual_info_score(labels, dom), adjusted_rand_score(labels, dom)


def test_bbc_quality_at_k5(bbc):
    texts, ids, cats = bbc
    model = TopicModel(n_topics=5).fit(texts, ids)
    nmi, ari = _scores(model, cats)
    assert nmi >= 0.85 and ari >= 0.89, (nmi, ari)
    assert (model.topics_["n_articles"] > 250).all()
    # reversed order: same topics, same weights
    rev = TopicModel(n_topics=5).fit(texts[::-1], ids[::-1])
    pd.testing.assert_frame_equal(model.topics_, rev.topics_, check_exact=True)
    np.testing.assert_array_equal(model.doc_topic_, rev.doc_topic_[::-1])


def test_pickle_round_trip_and_global_pandas_output(fitted):
    import pickle

    import sklearn

    copy = pickle.loads(pickle.dumps(fitted))
    pd.testing.assert_frame_equal(copy.dominant(), fitted.dominant())
    np.testing.assert_array_equal(copy.transform(THEMES), fitted.transform(THEMES))
    with sklearn.config_context(transform_output="pandas"):   # a caller's global setting
        model = TopicModel(n_topics=3).fit(THEMES)
        assert isinstance(model.transform(THEMES[:2]), np.ndarray)
    assert model.n_topics_ == 3


@pytest.mark.parametrize("ngram_range", [(1, 1), (1, 2), (2, 3)])
def test_term_matrix_is_tfidfvectorizers(corpus, ngram_range):
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = [t for t in corpus[0] if t] + ["Don't stop: the U.S. economy's 3rd-quarter growth, isn't it?", ""]
    model = TopicModel(n_topics=2, ngram_range=ngram_range)
    model._check_params()
    model.unit_ = "article"
    X = model._fit_vectorizer(texts)
    vec = model.vectorizer_
    assert isinstance(vec.analyzer, NewsAnalyzer) and vec.analyzer.ngram_range == ngram_range
    ref = TfidfVectorizer(analyzer=vec.analyzer, sublinear_tf=True, min_df=model.min_df_,
                          max_df=model.max_df_).fit(texts)
    assert vec.vocabulary_ == ref.vocabulary_
    assert model._terms.tolist() == ref.get_feature_names_out().tolist()
    np.testing.assert_allclose(X.toarray(), ref.transform(texts).toarray(), rtol=1e-12, atol=1e-15)
    if ngram_range[0] == 1:
        assert "US" in vec.vocabulary_ and "economy" in vec.vocabulary_


def test_choosing_k_with_an_executor_gives_the_same_model(corpus):
    from concurrent.futures import ProcessPoolExecutor

    texts, ids = corpus
    serial = TopicModel(k_range=(2, 4)).fit(texts, ids)
    with ProcessPoolExecutor(2) as pool:
        pooled = TopicModel(k_range=(2, 4)).fit(texts, ids, executor=pool)
    pd.testing.assert_frame_equal(pooled.topics_, serial.topics_)
    pd.testing.assert_frame_equal(pooled.k_scores_, serial.k_scores_)
    np.testing.assert_array_equal(pooled.doc_topic_, serial.doc_topic_)


# ---------------------------------------------------------------- tables and listings
def _tables(n):
    return [f"Acme {i} Corp 1st Qtr Net\n\nShr {i} cts vs {i + 1} cts\nNet {100 + i},000 vs "
            f"{90 + i},000\nRevs {5 + i}.1 mln vs {4 + i}.2 mln" for i in range(n)]


def test_tables_form_one_topic_of_their_own():
    prose = THEMES * 3
    texts = prose + _tables(24)
    model = TopicModel(n_topics=4).fit(texts)
    assert model.format_topic_ >= 0
    dom = model.dominant()["topic_id"].to_numpy()
    assert (dom[len(prose):] == model.format_topic_).all()            # every table
    from analysis.topic_terms import number_share
    wordy = np.array([number_share(t) < 0.1 for t in prose])        # "2-1 winners in 90..."
    assert wordy.sum() >= 36
    assert not (dom[:len(prose)][wordy] == model.format_topic_).any()   # no prose
    assert "tables and listings" in TopicModel(k_range=(3, 5)).fit(texts).chosen_by_
    assert model.nmf_.components_.shape[0] == 3                       # NMF: the others
    w = model.transform(_tables(2) + [THEMES[0]])
    assert (w[:2].argmax(axis=1) == model.format_topic_).all()
    assert w[2, model.format_topic_] == 0 and w[2].sum() == pytest.approx(1.0)
    labels = model.topics_.set_index("topic_id").loc[model.format_topic_, "terms"]
    assert "shr" in labels and "revs" in labels


def test_few_tables_get_no_topic_of_their_own():
    model = TopicModel(n_topics=3).fit(THEMES * 3 + _tables(5))
    assert model.format_topic_ == -1 and model.nmf_.components_.shape[0] == 3
    off = TopicModel(n_topics=4, format_share=None).fit(THEMES * 3 + _tables(24))
    assert off.format_topic_ == -1


def test_representative_is_the_most_typical_article(fitted, corpus):
    texts, ids = corpus
    dom = fitted.dominant(ids)
    for row in fitted.topics_.itertuples():
        mine = dom[dom["topic_id"] == row.topic_id]
        assert row.representative_id in set(mine["article_id"])
        best = mine["topic_weight"].max()
        assert mine.set_index("article_id").loc[row.representative_id, "topic_weight"] == best


def test_format_topic_representative_is_closest_to_its_mean():
    tables = _tables(24)
    tables[5] = "Acme Qtly Div\n\nQtly div 12 cts vs 12 cts prior\nPay April 15\nRecord March 31"
    model = TopicModel(n_topics=4).fit(THEMES * 3 + tables)
    rep = model.representative_[model.format_topic_]
    assert rep >= len(THEMES) * 3 and rep != len(THEMES) * 3 + 5   # an earnings table
