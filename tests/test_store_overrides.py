"""analysis.store_overrides: corrections on an archive store answer as on the frames,
change only the months that hold them, come undone, and survive index re-runs and refits."""
from __future__ import annotations

import io
import zipfile

import numpy as np
import pandas as pd
import pytest

from analysis import queries
from analysis.criteria import Criteria
from analysis.overrides import (add_override, apply_overrides, new_override, overrides_path,
                                read_overrides, undo_override, write_overrides)
from analysis.rollups import stale_months, write_rollups
from analysis.store_overrides import (apply_store_overrides, describe_store_overrides,
                                      ensure_applied)
from analysis.views import FrameViews, StoreViews
from factories import index_news_store, make_corpus, write_store
from view_checks import assert_same_figures

CRITERIA = [Criteria(), Criteria(topics=[1]), Criteria(start="2024-06-10", end="2024-06-30"),
            Criteria(keyword="river"), Criteria(sentiment=(0.0, 1.0))]


@pytest.fixture(scope="module")
def result():
    from analysis import analyze
    return analyze(make_corpus(), n_topics=3, n_jobs=1)


def _corrections(result) -> pd.DataFrame:
    """A sentence, an article and a topic move, on three dated articles."""
    arts = result.articles[result.articles["published"].notna()].reset_index(drop=True)
    a, b, c = arts.iloc[2], arts.iloc[7], arts.iloc[12]
    sent = result.sentences[result.sentences["article_id"] == a["article_id"]].iloc[1]
    other = int(next(t for t in result.topics["topic_id"] if t != c["topic_id"]))
    ov = new_override(read_overrides("/none"), "sentence", a["article_id"],
                      sentence_text=sent["text"], score=-0.95, note="sarcasm")
    ov = new_override(ov, "article", b["article_id"], label="negative")
    return new_override(ov, "topic", c["article_id"], topic_id=other)


@pytest.fixture
def stored(result, tmp_path):
    folder = write_store(result, tmp_path / "s")
    write_rollups(folder)
    return folder


def _signatures(folder):
    return {p.relative_to(folder): (p.stat().st_size, p.stat().st_mtime_ns)
            for frame in ("articles", "sentences", "article_topics")
            for p in (folder / frame).glob("*/*.parquet")}


def _agree(fixed, folder, sentence_means: bool = True) -> None:
    """Every view of the store equals the frames' (as tests/test_views.py checks).

    ``sentence_means=False`` leaves out the mean sentence compound (headline, timeline
    ``compound``): the store derives it from each article's roll-up, so an article
    override moves it there and not in the frames (README, Corrections)."""
    store = queries.Store(folder)
    try:
        assert store.use_rollups and not store.stale_months
        for c in CRITERIA:
            view = fixed.filter(**c.filter_kwargs())
            fv, sv = FrameViews(fixed, view, c), StoreViews(store, c)
            assert_same_figures(fv, sv, sentence_means)
            t1 = fv.topic_table().sort_values("topic_id").reset_index(drop=True)
            t2 = sv.topic_table().sort_values("topic_id").reset_index(drop=True)
            assert t1["n_articles"].tolist() == t2["n_articles"].tolist()
            np.testing.assert_allclose(t1["compound"], t2["compound"], equal_nan=True)
            for label in ("negative", "positive"):
                e1, e2 = fv.evidence(label=label, n=5), sv.evidence(label=label, n=5)
                assert list(e1["text"]) == list(e2["text"])
                np.testing.assert_allclose(e1["compound"], e2["compound"])
            p1, _ = fv.articles_page("", 0, None)
            p2, _ = sv.articles_page("", 0, 1000)
            assert list(p1["article_id"]) == list(p2["article_id"])
            np.testing.assert_allclose(p1["compound"], p2["compound"], equal_nan=True)
            assert p1["topic_id"].tolist() == p2["topic_id"].tolist()
    finally:
        store.close()


def test_store_answers_equal_the_corrected_frames_and_only_their_months_change(result, stored):
    ov = _corrections(result)
    months = set(result.articles.loc[result.articles["article_id"].isin(ov["article_id"]),
                                     "published"].dt.strftime("%Y-%m"))
    before = _signatures(stored)
    write_overrides(overrides_path(stored), ov)
    done = apply_store_overrides(stored)
    assert done.applied == 3 and done.corrected == 3 and done.restored == 0
    assert set(done.months) == months
    after = _signatures(stored)
    changed = {str(p.parent.name)[len("month="):] for p in before if before[p] != after[p]}
    assert changed == months  # parts of the other months are untouched
    assert not stale_months(stored)
    _agree(apply_overrides(result, ov), stored, sentence_means=False)


def test_without_article_overrides_sentence_means_agree_too(result, stored):
    ov = _corrections(result)
    ov = ov[ov["kind"] != "article"]
    write_overrides(overrides_path(stored), ov)
    apply_store_overrides(stored)
    _agree(apply_overrides(result, ov), stored)


def test_undo_restores_the_models_answers(result, stored):
    ov = _corrections(result)
    path = overrides_path(stored)
    write_overrides(path, ov)
    apply_store_overrides(stored)
    undo_override(path, 1)  # the sentence
    done = apply_store_overrides(stored)
    assert done.restored == 1 and done.corrected == 2
    _agree(apply_overrides(result, read_overrides(path)), stored, sentence_means=False)
    for oid in (2, 3):
        undo_override(path, oid)
    apply_store_overrides(stored)
    _agree(apply_overrides(result, read_overrides(path)), stored)
    s = queries.Store(stored)
    got = s.frame("SELECT article_id, sentence_id, compound FROM sentences_full "
                  "ORDER BY article_id, sentence_id")
    want = result.sentences.sort_values(["article_id", "sentence_id"])
    np.testing.assert_array_equal(got["compound"].to_numpy(), want["compound"].to_numpy())
    s.close()


def test_listing_and_exports_say_what_was_overridden(result, stored, tmp_path):
    ov = _corrections(result)
    write_overrides(overrides_path(stored), ov)
    assert ensure_applied(stored) is not None
    assert ensure_applied(stored) is None  # current: nothing to do
    listing = describe_store_overrides(stored)
    from analysis.overrides import describe_overrides
    pd.testing.assert_frame_equal(listing, describe_overrides(result, ov))
    store = queries.Store(stored)
    data = StoreViews(store, Criteria()).report_zip("week")
    store.close()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        arts = pd.read_csv(zf.open("articles.csv"), encoding="utf-8-sig")
        sents = pd.read_csv(zf.open("sentences.csv"), encoding="utf-8-sig")
    assert sorted(arts.loc[arts["overridden"], "article_id"]) == sorted(ov["article_id"])
    assert sents.loc[sents["overridden"], "text"].tolist() == [ov["sentence_text"].iloc[0]]
    assert sents.loc[sents["overridden"], "compound"].tolist() == [-0.95]


def test_corrections_survive_index_reruns_and_refits(tmp_path):
    from analysis.indexer import index_archive

    folder = index_news_store(tmp_path)
    store = queries.Store(folder)
    arts = store.frame("SELECT article_id, topic_id, topic_label FROM articles_full "
                       "ORDER BY article_id")
    row = store.frame("SELECT text, compound FROM sentences_full WHERE article_id = ? "
                      "ORDER BY sentence_id", [arts["article_id"][4]]).iloc[1]
    sent, vader = row["text"], row["compound"]
    store.close()
    path = overrides_path(folder)
    add_override(path, "sentence", arts["article_id"][4], sentence_text=sent, score=-0.77)
    add_override(path, "article", arts["article_id"][9], score=0.66)
    apply_store_overrides(folder)

    def check():
        s = queries.Store(folder)
        try:
            got = s.one("SELECT compound FROM sentences_full WHERE article_id = ? AND text = ?",
                        [arts["article_id"][4], sent])[0]
            art = s.one("SELECT compound FROM articles_full WHERE article_id = ?",
                        [arts["article_id"][9]])[0]
            assert not s.stale_months and s.use_rollups
            total = s.one("SELECT count(*) FROM articles_full")[0]
        finally:
            s.close()
        assert got == -0.77 and art == 0.66 and total == 18

    check()
    # a new file: index writes a new chunk; the corrected chunk stays corrected
    (tmp_path / "news" / "news-09072024-100000.txt").write_text(
        "news-09072024-100000\n\nThe river rose again overnight.\n", encoding="utf-8")
    index_archive(tmp_path / "news", folder, n_jobs=1)
    s = queries.Store(folder)
    assert s.one("SELECT count(*) FROM articles_full")[0] == 19
    s.close()
    (tmp_path / "news" / "news-09072024-100000.txt").unlink()
    # a refit rewrites every part with the model's rows: the corrections are applied again
    index_archive(tmp_path / "news", folder, n_jobs=1, refit=True)
    check()
    undo_override(path, 1)
    apply_store_overrides(folder)
    s = queries.Store(folder)
    back = s.one("SELECT compound FROM sentences_full WHERE article_id = ? AND text = ?",
                 [arts["article_id"][4], sent])[0]
    s.close()
    assert back == vader  # VADER's score again, though the refit re-wrote the corrected rows


def test_corrections_of_articles_not_in_the_store_change_nothing(result, stored):
    before = _signatures(stored)
    path = overrides_path(stored)
    add_override(path, "article", "no-such-article", score=0.4)
    done = apply_store_overrides(stored)
    assert (done.applied, done.corrected, done.parts) == (0, 0, 0)
    assert _signatures(stored) == before
    listing = describe_store_overrides(stored)
    assert listing[["applies", "reason", "old"]].values.tolist() == [
        [False, "article not in this result", "–"]]
    assert ensure_applied(stored) is None
