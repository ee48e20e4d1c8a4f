"""Topic matching across refits: ids kept for matching topics, new ids for new ones."""
import numpy as np
import pytest

from factories import make_corpus

from analysis.topic_store import load_model, match_topics, save_model
from analysis.topics import TopicModel


@pytest.fixture(scope="module")
def corpus():
    return make_corpus(n_per_theme=6)


def _fit(corpus, k, rows=None):
    frame = corpus if rows is None else corpus.iloc[rows]
    return TopicModel(n_topics=k, random_state=0, min_paragraph_docs=0).fit(
        frame["text"].tolist(), frame["article_id"].tolist())


def test_same_topics_in_another_order_keep_their_ids(corpus):
    old = _fit(corpus, 3)
    old_ids = [7, 3, 5]                              # store ids are not the model's order
    new = _fit(corpus.iloc[::-1].reset_index(drop=True), 3)
    ids, matching = match_topics(old, old_ids, new, next_id=8)
    by_label = dict(zip(old.topics_["label"], old_ids))
    assert ids == [by_label[label] for label in new.topics_["label"]]
    assert (matching["status"] == "matched").all() and np.allclose(matching["cosine"], 1.0)


def test_a_new_topic_gets_a_fresh_id_and_an_unmatched_one_is_retired(corpus):
    old = _fit(corpus, 2)
    new = _fit(corpus, 3)
    ids, matching = match_topics(old, [0, 1], new, next_id=2)
    assert sorted(ids) == [0, 1, 2]
    assert (matching["status"] == "new").sum() == 1
    assert matching.loc[matching["status"] == "new", "topic_id"].tolist() == [2]
    # Retiring: the reverse direction has one old topic too many.
    ids, matching = match_topics(new, [0, 1, 2], old, next_id=3)
    assert (matching["status"] == "retired").sum() == 1 and len(ids) == 2
    assert matching["old_index"].dtype == "Int64"


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_unrelated_topics_are_not_matched(corpus):
    storms = corpus[corpus["article_id"].str.startswith("storm")]
    football = corpus[corpus["article_id"].str.startswith("football")]
    a = TopicModel(n_topics=1, random_state=0, min_paragraph_docs=0).fit(storms["text"].tolist())
    b = TopicModel(n_topics=1, random_state=0, min_paragraph_docs=0).fit(football["text"].tolist())
    ids, matching = match_topics(a, [4], b, next_id=5)
    assert ids == [5] and set(matching["status"]) == {"new", "retired"}


def test_saved_model_loads_with_its_ids(corpus, tmp_path):
    model = _fit(corpus, 3)
    folder = save_model(tmp_path, model, [2, 0, 1])
    again, ids = load_model(folder)
    assert ids == [2, 0, 1]
    assert np.allclose(again.transform(corpus["text"].tolist()), model.transform(corpus["text"].tolist()))
