from pathlib import Path

import pandas as pd
import pytest

from analysis.corpus import load_corpus
from analysis.sentences import MAX_SENTENCE_WORDS, split_sentences, split_text

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
SEED = SEEDS / "news-22082024-042604.txt"


def _split(text):
    return [text[s:e] for _, _, s, e, _ in split_text(text)]


@pytest.mark.parametrize("text, expected", [
    ("The firm said. Mr. Smith agreed. Dr. Jones, too.",
     ["The firm said.", "Mr. Smith agreed.", "Dr. Jones, too."]),
    ("He met Gen. Petraeus in the U.S. on Jan. 5. It was 4 p.m. Tuesday.",
     ["He met Gen. Petraeus in the U.S. on Jan. 5.", "It was 4 p.m. Tuesday."]),
    ("Prices rose 3.5 pct to $1.25bn. Analysts were surprised.",
     ["Prices rose 3.5 pct to $1.25bn.", "Analysts were surprised."]),
    ("“We will rebuild. It will take time. But we will,” she said. Then she left.",
     ["“We will rebuild.", "It will take time.", "But we will,” she said.", "Then she left."]),
    ('"I won\'t go." he said. Nobody moved.', ['"I won\'t go." he said.', "Nobody moved."]),
    ("Is it over? Not yet! Wait...", ["Is it over?", "Not yet!", "Wait..."]),
])
def test_split_handles_abbreviations_decimals_and_quotes(text, expected):
    assert _split(text) == expected


def test_headings_are_sections_not_sentences():
    text = "Intro sentence here.\n\nThe Escape:\n\nHe ran. He hid.\n\nThe Future:\n\nHope remains."
    recs = split_text(text)
    sents = [text[s:e] for _, _, s, e, _ in recs]
    assert sents == ["Intro sentence here.", "He ran.", "He hid.", "Hope remains."]
    assert [sec for _, sec, *_ in recs] == ["", "The Escape", "The Escape", "The Future"]
    # Headings count as paragraphs: intro 0, heading 1, body 2, heading 3, body 4.
    assert [p for p, *_ in recs] == [0, 2, 2, 4]


def test_overlong_run_is_cut_into_bounded_pieces():
    text = " ".join(["word"] * (MAX_SENTENCE_WORDS * 3 + 7))
    recs = split_text(text)
    assert len(recs) == 4
    assert all(cut for *_, cut in recs)
    assert all(len(text[s:e].split()) <= MAX_SENTENCE_WORDS for _, _, s, e, _ in recs)


def test_empty_and_whitespace_texts_give_no_sentences():
    frame = pd.DataFrame({"article_id": ["a", "b"], "text": ["", "   \n\n  "]})
    out = split_sentences(frame)
    assert out.empty
    assert list(out.columns) == ["article_id", "sentence_id", "paragraph", "section",
                                 "start", "end", "text", "truncated"]


def test_seed_offsets_sections_and_order():
    corpus = load_corpus(SEED)
    out = split_sentences(corpus)
    text = corpus["text"].iloc[0]
    assert len(out) > 20
    # Every sentence is exactly its slice of the article text, in order.
    assert all(text[s:e] == t for s, e, t in zip(out["start"], out["end"], out["text"]))
    assert out["start"].is_monotonic_increasing
    assert list(out["sentence_id"]) == list(range(len(out)))
    sections = list(dict.fromkeys(out["section"]))
    assert sections == ["", "The Defection", "The Escape", "The Aftermath", "The Future",
                        "In Conclusion"]
    # No heading glued to the sentence after it.
    assert not out["text"].str.contains(":\n|^The Escape", regex=True).any()
    assert out["text"].str.startswith("Silver, a FPV drone pilot").any()
    # Curly quotes are kept as written.
    assert out["text"].str.contains("’").any()


def test_reused_splitter_buffer_gives_blingfires_own_output():
    import blingfire

    from analysis.sentences import _text_to_sentences

    texts = ["Ünïcode text. Ça va? Oui!", "x" * 70_000 + ". Then more.", "Short one.",
             "", "A. B. C.", "He said \u201chi\u201d. She left \u2014 fast."]
    for text in texts + texts[::-1]:   # long then short: stale bytes must not leak
        assert _text_to_sentences(text) == blingfire.text_to_sentences(text)
