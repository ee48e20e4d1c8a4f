import sys

import numpy as np
import pandas as pd
import pytest

from analysis import analyze, load_corpus
from analysis.pipeline import _chunks, process_chunk

from factories import SEEDS, make_corpus


@pytest.fixture(scope="module")
def result():
    return analyze(make_corpus(), n_topics=3, n_jobs=1)


def test_frames_follow_the_contract(result):
    a = result.articles
    for col, kind in [("article_id", "O"), ("published", "M"), ("n_sentences", "i"),
                      ("compound", "f"), ("pos_share", "f"), ("topic_id", "i"),
                      ("topic_weight", "f"), ("topic_label", "O")]:
        assert a[col].dtype.kind == kind, col
    assert len(a) == 19
    s = result.sentences
    assert {"neg", "neu", "pos", "compound", "label", "section", "start", "end"} <= set(s.columns)
    assert s.groupby("article_id")["sentence_id"].apply(lambda x: list(x) == list(range(len(x)))).all()
    # Article means are the means of their sentences.
    means = s.groupby("article_id")["compound"].mean()
    assert np.allclose(a.set_index("article_id").loc[means.index, "compound"], means)
    w = result.article_topics.groupby("article_id")["weight"].sum()
    assert np.allclose(w, 1.0)
    assert set(result.topics["topic_id"]) == {0, 1, 2}
    assert result.topics["n_articles"].sum() == (a["topic_id"] >= 0).sum()


def test_topics_separate_the_themes(result):
    a = result.articles[result.articles["article_id"] != "undated-00"]
    theme = a["article_id"].str.split("-").str[0]
    # Each theme's articles share one dominant topic, and the themes differ.
    per_theme = a.groupby(theme)["topic_id"].agg(lambda x: x.mode().iloc[0])
    assert per_theme.nunique() == 3
    purity = (a["topic_id"] == theme.map(per_theme)).mean()
    assert purity == 1.0


def test_parallel_equals_serial():
    corpus = make_corpus(10)
    one = analyze(corpus, n_topics=3, n_jobs=1)
    # Force the process pool even on a small corpus.
    import analysis.pipeline as pipeline
    old = pipeline.PARALLEL_MIN_CHARS
    pipeline.PARALLEL_MIN_CHARS = 0
    try:
        two = analyze(corpus, n_topics=3, n_jobs=2)
    finally:
        pipeline.PARALLEL_MIN_CHARS = old
    pd.testing.assert_frame_equal(one.sentences, two.sentences)
    pd.testing.assert_frame_equal(one.articles, two.articles)
    pd.testing.assert_frame_equal(one.topics, two.topics)


def test_chunks_cover_every_article_once():
    corpus = make_corpus()
    parts = _chunks(corpus, 5)
    assert pd.concat(parts)["article_id"].tolist() == corpus["article_id"].tolist()


def test_process_chunk_is_a_pure_function_of_its_input():
    corpus = make_corpus()[["article_id", "text"]]
    before = corpus.copy()
    a = process_chunk(corpus.iloc[:5])
    b = process_chunk(corpus.iloc[:5].copy())
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(corpus, before)


def test_seed_alone_gives_sensible_output():
    result = analyze(load_corpus(SEEDS / "news-22082024-042604.txt"))
    assert len(result.articles) == 1
    art = result.articles.iloc[0]
    assert art["published"] == pd.Timestamp("2024-08-22 04:26:04")
    assert art["n_sentences"] > 20
    assert art["topic_id"] >= 0
    assert len(result.topics) >= 1
    assert not result.topics["label"].str.contains(r"\d").any()


@pytest.mark.parametrize("bad, message", [
    (pd.DataFrame({"article_id": [], "text": []}), "corpus is empty"),
    (pd.DataFrame({"id": ["a"], "body": ["x"]}), r"corpus lacks column"),
])
def test_bad_corpus_is_rejected_with_a_clear_message(bad, message):
    with pytest.raises(ValueError, match=message):
        analyze(bad)


def test_bad_n_topics():
    with pytest.raises(ValueError, match="n_topics must be a positive integer"):
        analyze(make_corpus(), n_topics=0)


def test_analysis_never_imports_streamlit():
    import subprocess
    code = ("import sys; sys.modules['streamlit'] = None\n"
            "import analysis, analysis.pipeline, analysis.aggregate, analysis.reports, "
            "analysis.store, analysis.cli, analysis.corpus, analysis.topics\n")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_same_corpus_in_another_order_gives_the_same_results(result):
    shuffled = make_corpus().sample(frac=1.0, random_state=7).reset_index(drop=True)
    other = analyze(shuffled, n_topics=3, n_jobs=1)
    pd.testing.assert_frame_equal(other.topics, result.topics)
    key = ["article_id"]
    pd.testing.assert_frame_equal(
        other.articles.sort_values(key).reset_index(drop=True),
        result.articles.sort_values(key).reset_index(drop=True))
    pd.testing.assert_frame_equal(
        other.article_topics.sort_values(["article_id", "topic_id"]).reset_index(drop=True),
        result.article_topics.sort_values(["article_id", "topic_id"]).reset_index(drop=True))


def test_join_rows_pairs_by_position_only_when_the_ids_line_up():
    from analysis.pipeline import _join_rows

    left = pd.DataFrame({"article_id": ["a", "b", "c"], "x": [1, 2, 3]})
    aligned = pd.DataFrame({"article_id": ["a", "b", "c"], "y": ["p", "q", "r"]})
    shuffled = aligned.iloc[[2, 0, 1]].reset_index(drop=True)
    want = left.merge(aligned, on="article_id", how="left")
    pd.testing.assert_frame_equal(_join_rows(left, aligned), want)
    pd.testing.assert_frame_equal(_join_rows(left, shuffled), want)
    short = aligned.iloc[:2]
    pd.testing.assert_frame_equal(_join_rows(left, short),
                                  left.merge(short, on="article_id", how="left"))
