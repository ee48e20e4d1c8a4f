import numpy as np
import pandas as pd
import pytest

from analysis.sentiment import (article_sentiment, fold_typography, label_scores,
                                score_sentences, score_texts)


def test_folding_fixes_negation_with_typographic_apostrophe():
    raw = "I don’t like it."
    assert fold_typography(raw) == "I don't like it."
    # Folded, VADER reads the negation: the typographic form would score positive.
    assert score_texts([raw])[0, 3] < -0.05


def test_capitals_and_exclamation_are_kept():
    calm, loud = score_texts(["This is good.", "This is GOOD!!!"])[:, 3]
    assert loud > calm > 0


def test_display_text_keeps_original_characters():
    s = pd.DataFrame({"article_id": ["a"], "sentence_id": [0], "text": ["“Great,” she said — really."]})
    out = score_sentences(s)
    assert out.loc[0, "text"] == "“Great,” she said — really."
    assert out.loc[0, "label"] == "positive"
    assert list(out.columns[-5:]) == ["neg", "neu", "pos", "compound", "label"]
    assert out["compound"].dtype == np.float64


def test_label_thresholds_are_parameters():
    c = np.array([0.05, 0.049, -0.05, -0.049, np.nan])
    assert list(label_scores(c)) == ["positive", "neutral", "negative", "neutral", "neutral"]
    assert list(label_scores(c, positive=0.5, negative=-0.5)) == ["neutral"] * 5
    with pytest.raises(ValueError, match="negative threshold must be below"):
        label_scores(c, positive=0.0, negative=0.1)


def test_article_rollup():
    sents = score_sentences(pd.DataFrame({
        "article_id": ["a", "a", "a", "b"],
        "sentence_id": [0, 1, 2, 0],
        "text": ["A wonderful, happy day.", "The meeting is at noon.",
                 "A terrible, tragic loss.", "Nothing here."],
    }))
    out = article_sentiment(sents, ["a", "b", "c"]).set_index("article_id")
    assert out.loc["a", "n_sentences"] == 3
    assert out.loc["a", "most_positive"] == "A wonderful, happy day."
    assert out.loc["a", "most_negative"] == "A terrible, tragic loss."
    assert out.loc["a", "pos_share"] == pytest.approx(1 / 3)
    assert out.loc["a", "neg_share"] == pytest.approx(1 / 3)
    assert out.loc["a", "compound"] == pytest.approx(sents["compound"][:3].mean())
    # An article without sentences still gets a row, with no score.
    assert out.loc["c", "n_sentences"] == 0
    assert np.isnan(out.loc["c", "compound"])
    assert out.loc["c", "most_positive"] == ""




def _rollup_reference(sents):
    # The roll-up written with a pandas groupby, as the specification.
    g = sents.groupby("article_id", sort=False)
    out = pd.DataFrame({
        "n_sentences": g.size(),
        "compound": g["compound"].mean(),
        "pos_share": g["label"].agg(lambda s: (s == "positive").mean()),
        "neg_share": g["label"].agg(lambda s: (s == "negative").mean()),
        "most_positive": sents.loc[g["compound"].idxmax(), ["article_id", "text"]]
        .set_index("article_id")["text"],
        "most_negative": sents.loc[g["compound"].idxmin(), ["article_id", "text"]]
        .set_index("article_id")["text"],
    })
    return out


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_article_rollup_matches_groupby_on_shuffled_ties(seed):
    rng = np.random.default_rng(seed)
    n = 400
    ids = rng.choice([f"art-{i}" for i in range(37)], size=n)
    compound = rng.choice([-0.5, -0.1, 0.0, 0.0, 0.3, 0.7], size=n)   # many ties
    sents = pd.DataFrame({
        "article_id": ids, "text": [f"sentence {i}" for i in range(n)], "compound": compound,
        "label": label_scores(compound),
    })
    want = _rollup_reference(sents)
    every = list(want.index)[::-1] + ["absent"]
    got = article_sentiment(sents, every).set_index("article_id")
    assert list(got.index) == every
    got = got.drop(index="absent")
    assert got["n_sentences"].tolist() == want.loc[got.index, "n_sentences"].tolist()
    for col in ("compound", "pos_share", "neg_share"):
        np.testing.assert_allclose(got[col], want.loc[got.index, col], rtol=1e-12, atol=1e-12)
    # Ties go to the earliest sentence, as idxmax/idxmin do.
    assert got["most_positive"].tolist() == want.loc[got.index, "most_positive"].tolist()
    assert got["most_negative"].tolist() == want.loc[got.index, "most_negative"].tolist()
    # Without the id list: one row per article, in order of first appearance.
    assert article_sentiment(sents)["article_id"].tolist() == list(pd.unique(ids))


def test_ascii_text_needs_no_folding():
    # score_texts skips folding for ASCII text: valid only while every folded character
    # is non-ASCII.
    from analysis.sentiment import _FOLD

    assert not any(chr(k).isascii() for k in _FOLD)
