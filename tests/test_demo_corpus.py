"""Checks on the demo corpus in ``seeds/`` itself (not on the analysis package).

Every article is a UTF-8 text file named ``<id>.txt`` whose first line is the id
``news-DDMMYYYY-HHMMSS`` (the publication date and time), followed by a blank line
and the body: paragraphs separated by blank lines, optionally with short section
headings ending in ``:`` on their own line, directly followed by a paragraph.

Only the standard library and pandas are used, so these tests run before the
``analysis`` package exists.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
ORIGINAL_SEED = "news-22082024-042604"  # the copied real article; exempt from length limits
ID_RE = re.compile(r"news-(\d{2})(\d{2})(\d{4})-(\d{2})(\d{2})(\d{2})")
HEADING_RE = re.compile(r"[A-Z][^.!?:\n]{0,40}:")
MIN_WORDS, MAX_WORDS = 150, 600

FILES = sorted(SEEDS.glob("*.txt"))


def _read(path: Path) -> str:
    return path.read_bytes().decode("utf-8")


def _parse_id(article_id: str) -> datetime:
    m = ID_RE.fullmatch(article_id)
    assert m, f"{article_id!r} is not of the form news-DDMMYYYY-HHMMSS"
    day, month, year, hour, minute, second = (int(g) for g in m.groups())
    return datetime(year, month, day, hour, minute, second)  # raises on impossible dates


def _body(text: str) -> str:
    return text.split("\n", 2)[2] if text.count("\n") >= 2 else ""


@pytest.fixture(scope="module")
def corpus() -> pd.DataFrame:
    rows = []
    for path in FILES:
        text = _read(path)
        article_id = text.split("\n", 1)[0]
        rows.append(
            {
                "file": path.name,
                "article_id": article_id,
                "published": _parse_id(article_id),
                "words": len(_body(text).split()),
            }
        )
    frame = pd.DataFrame(rows)
    frame["published"] = pd.to_datetime(frame["published"])
    return frame


def test_enough_files():
    assert len(FILES) >= 40, f"only {len(FILES)} articles in {SEEDS}"


def test_original_seed_present_and_unchanged_shape():
    path = SEEDS / f"{ORIGINAL_SEED}.txt"
    assert path.exists()
    assert _read(path).startswith(ORIGINAL_SEED + "\n\nA Russian soldier shocked the world")


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_header_matches_file_name(path: Path):
    text = _read(path)
    lines = text.split("\n")
    assert len(lines) >= 3, "header, blank line and body expected"
    assert lines[0] == path.stem, f"first line {lines[0]!r} differs from file name stem"
    assert ID_RE.fullmatch(lines[0]), f"{lines[0]!r} is not news-DDMMYYYY-HHMMSS"
    assert lines[1] == "", "the id line must be followed by a blank line"
    assert lines[2].strip(), "the body must start right after the blank line"
    _parse_id(lines[0])


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_file_hygiene(path: Path):
    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf"), "UTF-8 without BOM expected"
    assert b"\r" not in raw, "'\\n' line endings expected"
    text = raw.decode("utf-8")
    bad = [i + 1 for i, line in enumerate(text.split("\n")) if line != line.rstrip()]
    assert not bad, f"trailing whitespace on lines {bad}"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_paragraph_structure(path: Path):
    lines = _body(_read(path)).rstrip("\n").split("\n")
    for i, line in enumerate(lines):
        if HEADING_RE.fullmatch(line):
            assert i == 0 or lines[i - 1] == "", f"heading {line!r} must follow a blank line"
            assert i + 1 < len(lines) and lines[i + 1].strip(), (
                f"heading {line!r} must be directly followed by its paragraph"
            )
    assert "\n\n\n" not in "\n".join(lines), "paragraphs are separated by exactly one blank line"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_word_count(path: Path):
    if path.stem == ORIGINAL_SEED:
        pytest.skip("the original seed article keeps its own length")
    words = len(_body(_read(path)).split())
    assert MIN_WORDS <= words <= MAX_WORDS, f"{words} words"


def test_ids_unique(corpus: pd.DataFrame):
    dupes = corpus.loc[corpus["article_id"].duplicated(keep=False), "article_id"]
    assert dupes.empty, f"duplicate ids: {sorted(set(dupes))}"
    assert corpus["published"].is_unique, "two articles share a publication time"


def test_dates_span_many_iso_weeks(corpus: pd.DataFrame):
    iso = corpus["published"].dt.isocalendar()
    weeks = set(zip(iso["year"], iso["week"]))
    assert len(weeks) >= 10, f"only {len(weeks)} distinct ISO weeks"
    seed_time = _parse_id(ORIGINAL_SEED)
    assert corpus["published"].min() < seed_time < corpus["published"].max()
    assert (corpus["published"].max() - corpus["published"].min()).days >= 70


def test_weekly_volume_is_uneven(corpus: pd.DataFrame):
    weekly = corpus.set_index("published").resample("W-SUN").size()  # Monday–Sunday weeks
    # resample covers every week of the span, so weeks without articles count as 0
    assert len(weekly) >= 10
    low = max(int(weekly.min()), 1)
    assert weekly.max() >= 3 * low, f"weekly counts too even: {weekly.tolist()}"
    assert (weekly <= 1).sum() >= 2, "expected at least two quiet weeks (0–1 articles)"
    assert (weekly >= 6).sum() >= 2, "expected at least two busy weeks (6+ articles)"


def test_publication_times_vary(corpus: pd.DataFrame):
    hours = corpus["published"].dt.hour
    assert hours.nunique() >= 10, "publication hours should spread across the day"


# ---------------------------------------------------------------- through the analysis
# Each theme's distinctive words; a topic found with the default settings must carry
# at least two of them among its top terms, and each theme must get its own topic.
THEMES = {
    "war": {"russian", "ukraine", "ukrainian", "russia", "soldiers", "silver", "drone", "war"},
    "election": {"varga", "marek", "valdoria", "castrel", "election", "president", "party"},
    "recall": {"lumora", "halo", "battery", "headset", "recall", "owners"},
    "storm": {"kestrel", "bay", "storm", "tamsin", "flooded", "orla", "residents"},
    "football": {"castleton", "harbury", "rovers", "shield", "final", "adjei", "brandt"},
    "markets": {"bank", "inflation", "estria", "rate", "estrian", "index", "crown"},
    "trial": {"trial", "vaccine", "veyra", "rsv", "participants", "placebo"},
}


@pytest.fixture(scope="module")
def analysed():
    from analysis import analyze, load_corpus

    return analyze(load_corpus(SEEDS))


def test_every_file_is_analysed_with_its_date(analysed):
    assert analysed.skipped.empty, analysed.skipped.to_string()
    assert len(analysed.articles) == len(FILES)
    expected = {p.stem: _parse_id(p.stem) for p in FILES}
    got = dict(zip(analysed.articles["article_id"], analysed.articles["published"]))
    assert got == expected


def test_default_topics_match_the_themes(analysed):
    topics = analysed.topics
    assert len(topics) == len(THEMES), topics[["topic_id", "label"]].to_string()
    matched = {}
    for theme, words in THEMES.items():
        overlap = {row.topic_id: len(words & {t.strip() for t in row.terms.split(",")})
                   for row in topics.itertuples()}
        best = max(overlap, key=overlap.get)
        assert overlap[best] >= 2, f"no topic carries the {theme} theme: {topics['terms'].tolist()}"
        matched[theme] = best
    assert len(set(matched.values())) == len(THEMES), matched


def test_sentiment_varies_across_articles_and_themes(analysed):
    arts = analysed.articles
    assert (arts["label"] == "positive").sum() >= 5
    assert (arts["label"] == "negative").sum() >= 5
    assert (arts["label"] == "neutral").sum() >= 1
    assert analysed.topics["compound"].max() - analysed.topics["compound"].min() > 0.15


def test_weekly_time_series_covers_every_week(analysed):
    from analysis.aggregate import timeline

    tl = timeline(analysed.articles, analysed.sentences, freq="week")
    assert len(tl) >= 10
    assert tl["n_articles"].sum() == len(FILES)
    assert tl["compound"].notna().sum() >= 10
