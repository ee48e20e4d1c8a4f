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


