"""End-to-end tests of ``python -m analysis report`` as a user runs it."""
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from factories import SEEDS, SHARED

ROOT = Path(__file__).resolve().parents[1]
REUTERS = SHARED / "corpora" / "reuters-dev.jsonl"


def run_cli(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "analysis", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=600)


def read(path):
    return pd.read_csv(path, encoding="utf-8-sig", keep_default_na=False)


def test_help_documents_every_option():
    out = run_cli("report", "--help")
    assert out.returncode == 0
    for opt in ("--out", "--topics", "--since", "--until", "--topic", "--freq", "--keyword",
                "--text-col", "--date-col", "--max-file-mb"):
        assert opt in out.stdout


def test_report_on_seeds(tmp_path):
    out = run_cli("report", SEEDS, "--out", tmp_path)
    assert out.returncode == 0, out.stderr
    assert "Traceback" not in out.stderr
    arts = read(tmp_path / "articles.csv")
    n_files = len(list(SEEDS.glob("*.txt")))
    skipped = read(tmp_path / "skipped.csv") if (tmp_path / "skipped.csv").exists() else []
    assert len(arts) + len(skipped) == n_files
    seed = arts.set_index("article_id").loc["news-22082024-042604"]
    assert seed["published"] == "2024-08-22T04:26:04"
    sents = read(tmp_path / "sentences.csv")
    seed_sents = sents[sents["article_id"] == "news-22082024-042604"]
    assert "The Escape" in set(seed_sents["section"])
    assert not seed_sents["text"].str.contains("Escape:").any()
    for name in ("topics.csv", "timeline.csv", "summary.txt"):
        assert (tmp_path / name).exists()
    assert f"{len(arts)} articles analysed" in out.stdout


def test_filters_restrict_the_reports(tmp_path):
    out = run_cli("report", SEEDS, "--out", tmp_path, "--since", "2024-08-01",
                  "--until", "2024-08-31", "--freq", "day")
    assert out.returncode == 0, out.stderr
    arts = read(tmp_path / "articles.csv")
    assert len(arts) >= 1
    assert arts["published"].str.startswith("2024-08").all()
    tl = read(tmp_path / "timeline.csv")
    assert set(tl["freq"]) == {"day"}
    # days of articles at times of day: the first and last are covered from the first
    # article on, up to the last one; the days between are whole
    overall = tl[tl["topic_label"] == "(all)"].sort_values("period")
    assert overall["coverage"].iloc[0] < 1 and overall["coverage"].iloc[-1] < 1
    assert overall["coverage"].iloc[1:-1].eq(1).all()


@pytest.mark.parametrize("args, message", [
    (["report", "/no/such/folder", "--out", "OUT"], "does not exist"),
    (["report", "EMPTY", "--out", "OUT"], "no"),
    (["report", "BAD.csv", "--out", "OUT"], "text"),
    (["report", "SEEDS", "--out", "OUT", "--topic", "nonexistent-topic-label"], "matches no topic"),
])
def test_errors_are_one_line_and_nonzero(tmp_path, args, message):
    (tmp_path / "EMPTY").mkdir()
    (tmp_path / "BAD.csv").write_text("a,b\n1,2\n")
    args = [str(tmp_path / a) if a in ("EMPTY", "BAD.csv", "OUT") else (SEEDS if a == "SEEDS" else a)
            for a in args]
    out = run_cli(*args)
    assert out.returncode != 0
    assert "Traceback" not in out.stderr
    assert message.lower() in out.stderr.lower()
    assert len(out.stderr.strip().splitlines()) == 1


def test_bad_option_values_are_refused(tmp_path):
    out = run_cli("report", SEEDS, "--out", tmp_path, "--topics", "zero")
    assert out.returncode == 2
    assert "positive whole number" in out.stderr


@pytest.mark.skipif(not REUTERS.exists(), reason="../shared corpora not available")
def test_reuters_folder_end_to_end(tmp_path):
    """Reuters articles written as seed-format files: dates to the second, nothing lost."""
    folder = tmp_path / "in"
    folder.mkdir()
    rows = [json.loads(line) for line in REUTERS.read_text().splitlines()[:400]]
    expected = {}
    for row in rows:
        ts = pd.Timestamp(row["date"])
        name = f"news-{ts:%d%m%Y-%H%M%S}"
        body = row["text"]
        path = folder / f"{name}.txt"
        if path.exists():  # two wires in the same second: keep the first, as the loader would
            continue
        path.write_text(f"{name}\n\n{row['title']}\n\n{body}\n", encoding="utf-8")
        expected[name] = ts
    out = run_cli("report", folder, "--out", tmp_path / "out", "--topics", "6", "--freq", "day")
    assert out.returncode == 0, out.stderr
    arts = read(tmp_path / "out" / "articles.csv")
    skipped = (read(tmp_path / "out" / "skipped.csv") if (tmp_path / "out" / "skipped.csv").exists()
               else pd.DataFrame({"source": []}))
    # Every input file is in articles.csv or skipped.csv, exactly once.
    listed = sorted(Path(s).name for s in list(arts["source"]) + list(skipped["source"]))
    assert listed == sorted(p.name for p in folder.iterdir())
    got = dict(zip(arts["article_id"], arts["published"]))
    for name, ts in expected.items():
        if name in got:
            assert got[name] == ts.strftime("%Y-%m-%dT%H:%M:%S")
    assert len(arts) >= 0.95 * len(expected)
    sents = read(tmp_path / "out" / "sentences.csv")
    # Hard wraps are undone: no newline inside a sentence.
    assert not sents["text"].str.contains("\n").any()
    topics = read(tmp_path / "out" / "topics.csv")
    assert len(topics) == 6
    assert not topics["label"].str.contains(r"\d").any()


def test_formula_title_exports_inertly(tmp_path):
    """An article titled like a spreadsheet formula comes out as text, nothing else changes."""
    src = tmp_path / "export.csv"
    rows = pd.DataFrame({
        "id": ["a1", "a2", "a3"],
        "date": ["2024-06-01T10:00:00", "2024-06-02T11:30:00", "2024-06-03T09:15:00"],
        "title": ['=HYPERLINK("http://x","y")', "-10% drop in sales", "Plain, quoted \"title\""],
        "text": ["Storms flooded the valley. Rescuers were praised.",
                 "Sales fell sharply. Investors were worried.",
                 "The election was calm. Voters were happy."],
    })
    rows.to_csv(src, index=False)
    out = run_cli("report", src, "--out", tmp_path / "out", "--topics", "1")
    assert out.returncode == 0, out.stderr
    raw = (tmp_path / "out" / "articles.csv").read_bytes()
    assert b'\n=HYPERLINK' not in raw and b',=HYPERLINK' not in raw
    arts = read(tmp_path / "out" / "articles.csv").set_index("article_id")
    assert arts.loc["a1", "title"] == "'=HYPERLINK(\"http://x\",\"y\")"
    assert arts.loc["a2", "title"] == "'-10% drop in sales"
    assert arts.loc["a3", "title"] == 'Plain, quoted "title"'
    assert arts.loc["a2", "published"] == "2024-06-02T11:30:00"
    # Numbers stay numbers, negative ones included.
    assert pd.api.types.is_float_dtype(arts["compound"])
    assert (arts["compound"] < 0).any()


def test_skips_are_summarised_by_reason_not_per_file(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    seeds = sorted(SEEDS.glob("*.txt"))[:6]
    for p in seeds:
        (src / p.name).write_text(p.read_text(encoding="utf-8"), encoding="utf-8")
    # Three copies of one article under other names: one line "3 duplicates ...".
    for i in range(3):
        (src / f"copy-{i}.txt").write_text(seeds[0].read_text(encoding="utf-8"), encoding="utf-8")
    (src / "notes.md").write_text("x")
    out = run_cli("report", src, "--out", tmp_path / "out", "--topics", "2")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert any(line.split() == ["3", "duplicates", "(same", "id,", "same", "text)"] for line in lines), out.stdout
    assert sum("duplicate" in line for line in lines) == 1
    assert len(read(tmp_path / "out" / "skipped.csv")) == 4


def test_index_then_report_from_the_store(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    for p in sorted(SEEDS.glob("*.txt")):
        (src / p.name).write_text(p.read_text(encoding="utf-8"), encoding="utf-8")
    (src / ".hidden.txt").write_text("x")
    store = tmp_path / "store"
    out = run_cli("index", src, "--store", store, "--topics", "3", "--jobs", "1")
    assert out.returncode == 0, out.stderr
    assert "50 new" in out.stdout and "50 articles" in out.stdout
    assert "1 ignored: hidden file" in " ".join(out.stdout.split())
    again = run_cli("index", src, "--store", store, "--jobs", "1")
    assert again.returncode == 0 and "0 new" in again.stdout and "50 unchanged" in again.stdout
    rep = run_cli("report", "--store", store, "--out", tmp_path / "rep", "--topic", "0")
    assert rep.returncode == 0, rep.stderr
    arts = read(tmp_path / "rep" / "articles.csv")
    assert len(arts) > 0 and set(arts["topic_id"]) == {0}
    bad = run_cli("index", src, "--store", store, "--topics", "5")
    assert bad.returncode == 2 and "--refit" in bad.stderr and "Traceback" not in bad.stderr


def test_index_help_documents_engines():
    out = run_cli("index", "--help")
    assert out.returncode == 0
    for opt in ("--store", "--topics", "--sample", "--refit", "--engine", "--scheduler", "--jobs"):
        assert opt in out.stdout


def test_outlets_from_table_and_outlet_filter(tmp_path):
    rows = [{"id": f"r{i}", "date": f"2024-07-{i + 1:02d}", "source": "Wire" if i % 2 else "",
             "url": f"https://www.paper{i % 2}.example/{i}",
             "text": f"The council met on day {i} to discuss the new bridge. Residents were glad."}
            for i in range(6)]
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    out = run_cli("report", src, "--out", tmp_path / "all")
    assert out.returncode == 0, out.stderr
    arts = read(tmp_path / "all" / "articles.csv")
    assert dict(zip(arts["article_id"], arts["outlet"])) == {
        f"r{i}": "Wire" if i % 2 else "paper0.example" for i in range(6)}
    out = run_cli("report", src, "--out", tmp_path / "wire", "--outlet", "Wire")
    assert out.returncode == 0, out.stderr
    assert set(read(tmp_path / "wire" / "articles.csv")["outlet"]) == {"Wire"}


def test_keyword_query_is_checked_before_analysis_and_applied(tmp_path):
    out = run_cli("report", SEEDS, "--out", tmp_path / "bad", "--keyword", "flood AND")
    assert out.returncode == 2
    assert "AND needs a word or phrase after it" in out.stderr and "Traceback" not in out.stderr
    assert not (tmp_path / "bad").exists()
    out = run_cli("report", SEEDS, "--out", tmp_path / "q", "--keyword", "police OR court")
    assert out.returncode == 0, out.stderr
    arts = read(tmp_path / "q" / "articles.csv")
    texts = {p.read_text(encoding="utf-8").split("\n", 1)[0]: p.read_text(encoding="utf-8")
             for p in SEEDS.glob("*.txt")}
    import re
    expected = {i for i, t in texts.items() if re.search(r"(?<!\w)(police|court)(?!\w)", t, re.I)}
    assert expected and set(arts["article_id"]) == expected


def test_alerts_csv_has_the_issue_columns_strongest_first(tmp_path):
    out = run_cli("report", SEEDS, "--out", tmp_path, "--track", "Kestrel Bay", "--track", "bank")
    assert out.returncode == 0, out.stderr
    alerts = read(tmp_path / "alerts.csv")
    assert list(alerts.columns) == ["period_start", "scope", "name", "metric", "value",
                                    "baseline", "score", "direction"]
    assert len(alerts) >= 1
    assert alerts["period_start"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    assert set(alerts["scope"]) <= {"all", "topic", "theme", "outlet", "keyword"}
    assert set(alerts["metric"]) <= {"volume", "sentiment"}
    assert (alerts["direction"] == alerts["score"].gt(0).map({True: "up", False: "down"})).all()
    assert alerts["score"].abs().is_monotonic_decreasing
    # The seeds' Kestrel Bay week (six articles in a week after none) is a volume spike.
    kestrel = alerts[(alerts["metric"] == "volume") & alerts["name"].str.contains("kestrel", case=False)]
    assert "2024-08-05" in set(kestrel["period_start"])
    assert "keyword" in set(kestrel["scope"])


def test_compare_writes_changes_csv_whose_parts_sum_to_the_total(tmp_path):
    out = run_cli("report", SEEDS, "--out", tmp_path, "--compare",
                  "2024-07-01:2024-07-31", "2024-08-01:2024-08-31")
    assert out.returncode == 0, out.stderr
    ch = pd.read_csv(tmp_path / "changes.csv", encoding="utf-8-sig")
    assert list(ch.columns) == ["component", "name", "topic_id", "share_a", "share_b",
                                "sentiment_a", "sentiment_b", "contribution"]
    total = ch.loc[ch["component"] == "total", "contribution"]
    assert len(total) == 1
    parts = ch.loc[ch["component"].isin(["mix", "within"]), "contribution"].sum()
    assert parts == pytest.approx(total.item(), abs=1e-9)
    arts = read(tmp_path / "articles.csv")
    month = arts["published"].str[:7]
    expected = (arts.loc[month == "2024-08", "compound"].mean()
                - arts.loc[month == "2024-07", "compound"].mean())
    assert total.item() == pytest.approx(expected, abs=1e-6)
    assert (ch["component"] == "word").sum() > 0
    assert set(ch.loc[ch["component"] == "mix", "topic_id"]) == set(arts["topic_id"])


def test_compare_range_errors_are_one_line(tmp_path):
    out = run_cli("report", SEEDS, "--out", tmp_path, "--compare", "2024-07-01", "2024-08-01:2024-08-31")
    assert out.returncode == 2 and "a date range is START:END" in out.stderr
    out = run_cli("report", SEEDS, "--out", tmp_path / "x", "--compare",
                  "2030-01-01:2030-01-31", "2024-08-01:2024-08-31")
    assert out.returncode == 2 and "holds no article" in out.stderr
    assert "Traceback" not in out.stderr


def test_overrides_file_flows_into_the_exports(tmp_path):
    from analysis.overrides import add_override, overrides_path
    out = run_cli("report", SEEDS, "--out", tmp_path / "plain")
    assert out.returncode == 0, out.stderr
    sents = read(tmp_path / "plain" / "sentences.csv")
    first = sents.iloc[0]
    path = overrides_path(tmp_path / "store")
    add_override(path, "sentence", first["article_id"], sentence_text=first["text"], score=-0.95)
    out = run_cli("report", SEEDS, "--out", tmp_path / "fixed", "--overrides", path)
    assert out.returncode == 0, out.stderr
    fixed = read(tmp_path / "fixed" / "sentences.csv")
    assert fixed.loc[fixed["overridden"], "compound"].tolist() == [-0.95]
    arts = read(tmp_path / "fixed" / "articles.csv").set_index("article_id")
    assert arts["overridden"].sum() == 1 and arts.loc[first["article_id"], "overridden"]
    out = run_cli("report", SEEDS, "--out", tmp_path / "x", "--overrides", tmp_path / "none.parquet")
    assert out.returncode == 2 and "does not exist" in out.stderr


def test_help_documents_the_insight_options():
    out = run_cli("report", "--help")
    assert out.returncode == 0
    for opt in ("--outlet", "--outlet-col", "--url-col", "--outlet-from-folder", "--track",
                "--alert-window", "--alert-min-articles", "--compare", "--overrides",
                "alerts.csv", "changes.csv"):
        assert opt in out.stdout, opt
