"""Hostile input end to end: nothing hangs, nothing lost, same output every time."""
import time
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis import analyze, load_corpus
from analysis.cli import main
from analysis.sentences import MAX_SENTENCE_WORDS

from factories import SEEDS


def _listed(out: Path) -> list[str]:
    names = []
    if (out / "articles.csv").exists():
        names += list(pd.read_csv(out / "articles.csv", encoding="utf-8-sig",
                                  keep_default_na=False)["source"])
    if (out / "skipped.csv").exists():
        names += list(pd.read_csv(out / "skipped.csv", encoding="utf-8-sig",
                                  keep_default_na=False)["source"])
    return sorted(Path(s).name for s in names)


def test_pasted_page_without_full_stops_does_not_stall(tmp_path):
    # VADER is quadratic in sentence length: one 50,000-word sentence takes minutes.
    words = ("the market fell sharply and traders were worried about the outlook "
             "while officials said nothing ").split()
    blob = " ".join(words[i % len(words)] for i in range(50_000))
    (tmp_path / "news-01062024-120000.txt").write_text(f"news-01062024-120000\n\n{blob}\n")
    for p in sorted(SEEDS.glob("*.txt"))[:5]:
        (tmp_path / p.name).write_bytes(p.read_bytes())
    t = time.perf_counter()
    result = analyze(load_corpus(tmp_path), n_jobs=1)
    elapsed = time.perf_counter() - t
    assert elapsed < 30, f"analysis took {elapsed:.1f} s"
    big = result.sentences[result.sentences["article_id"] == "news-01062024-120000"]
    assert big["truncated"].all()
    assert len(big) == -(-50_000 // MAX_SENTENCE_WORDS)
    assert big["text"].str.split().str.len().max() <= MAX_SENTENCE_WORDS


def test_same_input_same_output_files_byte_for_byte(tmp_path):
    for run in ("a", "b"):
        assert main(["report", str(SEEDS), "--out", str(tmp_path / run), "--jobs", "1"]) == 0
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert "articles.csv" in names
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(files=st.lists(st.one_of(st.binary(max_size=400),
                                st.text(max_size=400).map(lambda s: s.encode("utf-8", "surrogatepass"))),
                      min_size=1, max_size=4))
def test_cli_fuzz_accounts_for_every_file(tmp_path_factory, files):
    folder = tmp_path_factory.mktemp("fuzz")
    for i, data in enumerate(files):
        (folder / f"f{i}.txt").write_bytes(data)
    out = folder / "out"
    code = main(["report", str(folder), "--out", str(out), "--jobs", "1", "--topics", "2"])
    assert code in (0, 2)
    # Analysed or refused, every file is listed with its fate.
    assert _listed(out) == sorted(f"f{i}.txt" for i in range(len(files)))
