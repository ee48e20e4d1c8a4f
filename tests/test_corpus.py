"""Tests for analysis.corpus: every input is either read into the corpus or skipped."""

from __future__ import annotations

import codecs
import collections
import json
import os
import re
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.corpus import (
    CORPUS_COLUMNS,
    SKIPPED_COLUMNS,
    SourceError,
    load_corpus,
    read_source,
)
from analysis.text import clean_text, is_heading

SEED = Path(__file__).resolve().parents[1] / "seeds" / "news-22082024-042604.txt"
SHARED = Path(__file__).resolve().parents[2] / "shared"
REUTERS = SHARED / "corpora" / "reuters-dev.jsonl"
HEADINGS = ["The Defection:", "The Escape:", "The Aftermath:", "The Future:", "In Conclusion:"]
PNG_BYTES = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360000002000185d3cd1f0000000049454e44ae426082"
)


# --------------------------------------------------------------------------- helpers


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def expected_entries(root: Path) -> list[str]:
    """Every file under root, with hidden folders and links to folders as single entries."""
    out = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        for name in list(dirnames):
            path = os.path.join(dirpath, name)
            if name.startswith(".") or os.path.islink(path):
                dirnames.remove(name)
                out.append(path)
        out.extend(os.path.join(dirpath, name) for name in filenames)
    return out


def assert_accounted(root: Path, corpus: pd.DataFrame, skipped: pd.DataFrame) -> None:
    """The accounting invariant: each input exactly once in corpus or skipped."""
    seen = collections.Counter(list(corpus["source"]) + list(skipped["source"]))
    assert all(n == 1 for n in seen.values()), [s for s, n in seen.items() if n > 1]
    assert set(seen) == set(expected_entries(root))


def assert_contract(corpus: pd.DataFrame, skipped: pd.DataFrame) -> None:
    assert list(corpus.columns) == CORPUS_COLUMNS
    assert list(skipped.columns) == SKIPPED_COLUMNS
    assert corpus["published"].dtype == "datetime64[ns]"
    for col in ("article_id", "title", "text", "source", "encoding", "warning"):
        assert all(isinstance(v, str) for v in corpus[col]), col
    for col in SKIPPED_COLUMNS:
        assert all(isinstance(v, str) for v in skipped[col]), col
    for text in corpus["text"]:
        assert text == text.strip() and "\n\n\n" not in text and "\r" not in text
        assert not re.search(r"(?<!\n)\n(?!\n)", text), "single line break left in text"


def read_one(folder: Path, name: str, content: str | bytes, **options):
    write(folder, name, content)
    corpus, skipped = read_source(folder, **options)
    assert_contract(corpus, skipped)
    assert_accounted(folder, corpus, skipped)
    return corpus, skipped


def reason_of(skipped: pd.DataFrame, path: Path) -> str:
    rows = skipped.loc[skipped["source"] == str(path), "reason"]
    assert len(rows) == 1, skipped
    return rows.iloc[0]


# --------------------------------------------------------------------------- the seed


@pytest.fixture(scope="module")
def seed_row() -> pd.Series:
    corpus, skipped = read_source(SEED)
    assert len(corpus) == 1 and skipped.empty
    assert_contract(corpus, skipped)
    return corpus.iloc[0]


def test_seed_id_and_exact_datetime(seed_row):
    assert seed_row["article_id"] == "news-22082024-042604"
    assert seed_row["published"] == pd.Timestamp("2024-08-22 04:26:04")
    assert seed_row["encoding"] == "utf-8"
    assert seed_row["warning"] == ""
    assert seed_row["source"] == str(SEED)


def test_seed_headings_are_own_paragraphs(seed_row):
    paragraphs = seed_row["text"].split("\n\n")
    for heading in HEADINGS:
        assert heading in paragraphs
        assert is_heading(heading)
    assert [p for p in paragraphs if is_heading(p)] == HEADINGS


def test_seed_body_paragraphs_unchanged(seed_row):
    raw = SEED.read_text(encoding="utf-8")
    lines = [line for line in raw.split("\n")[1:] if line.strip()]
    assert seed_row["text"].split("\n\n") == lines


def test_seed_keeps_curly_quotes_and_title(seed_row):
    assert "‘Silver’" in seed_row["text"] and "unit’s base" in seed_row["text"]
    title = seed_row["title"]
    assert title.startswith("A Russian soldier shocked the world")
    assert len(title) <= 81 and title.endswith("…") and "\n" not in title


def test_seed_clean_text_is_idempotent(seed_row):
    assert clean_text(seed_row["text"]) == seed_row["text"]


def test_load_corpus_attaches_skipped(tmp_path):
    write(tmp_path, "a.txt", "news-01022023-101112\n\nBody.")
    write(tmp_path, "b.png", PNG_BYTES)
    corpus = load_corpus(tmp_path)
    assert list(corpus["article_id"]) == ["news-01022023-101112"]
    assert list(corpus.attrs["skipped"]["reason"]) == ["ignored: not a .txt file"]


# --------------------------------------------------------------------------- text files


def test_header_less_file_with_news_name(tmp_path):
    corpus, _ = read_one(tmp_path, "news-01022023-101112.txt", "Just a body.\nWrapped here.")
    row = corpus.iloc[0]
    assert row["article_id"] == "news-01022023-101112"
    assert row["published"] == pd.Timestamp("2023-02-01 10:11:12")
    assert row["text"] == "Just a body. Wrapped here."


def test_header_less_file_without_news_name(tmp_path):
    corpus, _ = read_one(tmp_path, "my story.txt", "Just a body.")
    row = corpus.iloc[0]
    assert row["article_id"] == "my story"
    assert pd.isna(row["published"]) and row["warning"] == ""


def test_header_after_blank_lines_and_bom(tmp_path):
    data = codecs.BOM_UTF8 + "\n\n news-02032024-050607 \n\nBody.".encode()
    corpus, _ = read_one(tmp_path, "x.txt", data)
    row = corpus.iloc[0]
    assert (row["article_id"], row["encoding"]) == ("news-02032024-050607", "utf-8-sig")
    assert row["published"] == pd.Timestamp("2024-03-02 05:06:07")
    assert row["text"] == "Body."


@pytest.mark.parametrize(
    "content, reason",
    [
        (b"", "empty file"),
        (b"   \n\t\n  \r\n", "empty file"),
        ("\u00a0\u200b\n".encode(), "empty file"),
        (b"news-22082024-042604\n\n   \n", "no text after the header"),
        (PNG_BYTES, "binary file, not text"),
        (b"Some text\x00with a NUL byte", "binary file, not text"),
        (bytes(range(1, 32)) * 10, "binary file, not text"),
    ],
    ids=["empty", "whitespace", "invisible", "header-only", "png", "nul", "control-chars"],
)
def test_bad_text_files_are_skipped(tmp_path, content, reason):
    corpus, skipped = read_one(tmp_path, "bad.txt", content)
    assert corpus.empty
    assert reason_of(skipped, tmp_path / "bad.txt").startswith(reason)


@pytest.mark.parametrize("text, binary", [
    ("Plain text. " * 10 + "\x07" * 6, False),          # 6 of 126 characters: under 5 %
    ("Plain text. " * 10 + "\x07" * 7, True),           # 7 of 127: over
    ("Plain text. " * 10 + "\x1b\x7f\x0e" * 3, True),
    ("Text \t\x0b\x0c with the whitespace controls. " * 5, False),
    ("Überall text. " * 10 + "\x85" * 8, True),          # C1 controls, in non-ASCII text
    ("Überall text. " * 10 + "\x07" * 6, False),
])
def test_control_characters_over_a_twentieth_make_a_file_binary(tmp_path, text, binary):
    corpus, skipped = read_one(tmp_path, "c.txt", text.encode("utf-8"))
    if binary:
        assert corpus.empty
        assert reason_of(skipped, tmp_path / "c.txt").startswith("binary file, not text")
    else:
        assert len(corpus) == 1 and skipped.empty


@pytest.mark.parametrize(
    "data, encoding",
    [
        ("Überall “quotes” and é.".encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + "Überall “quotes” and é.".encode("utf-8"), "utf-8-sig"),
        ("Überall “quotes” and é.".encode("utf-16"), "utf-16"),
        ("Überall “quotes” and é.".encode("cp1252"), "cp1252"),
    ],
    ids=["utf-8", "utf-8-bom", "utf-16-bom", "cp1252"],
)
def test_encodings(tmp_path, data, encoding):
    corpus, _ = read_one(tmp_path, "enc.txt", data)
    assert corpus.loc[0, "text"] == "Überall “quotes” and é."
    assert corpus.loc[0, "encoding"] == encoding


def test_latin1_last_resort(tmp_path):
    # 0x81 is undefined in cp1252, so only latin-1 decodes it.
    corpus, _ = read_one(tmp_path, "l1.txt", b"caf\xe9 \x81ok and more words here to read")
    assert corpus.loc[0, "encoding"] == "latin-1"
    assert corpus.loc[0, "text"].startswith("café")


@pytest.mark.parametrize("newline", ["\r\n", "\r"], ids=["crlf", "cr"])
def test_newlines_normalised(tmp_path, newline):
    raw = "news-22082024-042604\n\nThe Escape:\nHe ran\nfast.\n\nSecond para."
    corpus, _ = read_one(tmp_path, "nl.txt", raw.replace("\n", newline).encode())
    assert corpus.loc[0, "text"] == "The Escape:\n\nHe ran fast.\n\nSecond para."
    assert corpus.loc[0, "published"] == pd.Timestamp("2024-08-22 04:26:04")


@pytest.mark.parametrize(
    "header, fragment",
    [
        ("news-31022024-000000", "impossible date in header 'news-31022024-000000' (31 Feb 2024)"),
        ("news-99999999-999999", "impossible date in header 'news-99999999-999999'"),
        ("news-22082024-256000", "time 25:60:00"),
        ("news-01012099-000000", "is in the future"),
        ("news-01011850-120000", "is before 1900"),
        ("news-2208202-042604", "is not in the form news-DDMMYYYY-HHMMSS"),
    ],
)
def test_bad_header_dates_keep_article_with_warning(tmp_path, header, fragment):
    corpus, skipped = read_one(tmp_path, "a.txt", f"{header}\n\nBody text.")
    row = corpus.iloc[0]
    assert row["article_id"] == header and row["text"] == "Body text."
    assert pd.isna(row["published"])
    assert fragment in row["warning"] and row["warning"].endswith("published left unknown")
    assert skipped.empty


def test_impossible_date_in_file_name(tmp_path):
    corpus, _ = read_one(tmp_path, "news-30022024-000000.txt", "Body.")
    assert pd.isna(corpus.loc[0, "published"])
    assert "impossible date in file name 'news-30022024-000000'" in corpus.loc[0, "warning"]


def test_html_converted(tmp_path):
    html = (
        "<html><head><style>p {color: red}</style></head><body>"
        "<p>Fish &amp; chips\n  are   cheap.</p><script>alert('x')</script>"
        "<div>Second<br>line.</div></body></html>"
    )
    corpus, _ = read_one(tmp_path, "page.txt", html)
    row = corpus.iloc[0]
    assert row["text"] == "Fish & chips are cheap.\n\nSecond line."
    assert row["warning"] == "HTML converted to text"


@pytest.mark.parametrize(
    "text",
    ["🎉🔥👍", "Ο πρωθυπουργός είπε ότι η οικονομία αναπτύσσεται.", "经济增长了百分之五。", "الاقتصاد ينمو بسرعة"],
    ids=["emoji", "greek", "chinese", "arabic"],
)
def test_unusual_text_is_kept(tmp_path, text):
    corpus, _ = read_one(tmp_path, "u.txt", f"news-22082024-042604\n\n{text}\n")
    assert corpus.loc[0, "text"] == text
    assert corpus.loc[0, "title"]


def test_long_paragraph_without_punctuation(tmp_path):
    words = " ".join(f"word{i}" for i in range(12_000))
    assert len(words) > 100_000
    corpus, _ = read_one(tmp_path, "long.txt", words)
    assert corpus.loc[0, "text"] == words
    assert len(corpus.loc[0, "title"]) <= 81


def test_file_over_size_limit(tmp_path):
    corpus, skipped = read_one(tmp_path, "big.txt", "x " * 600, max_file_bytes=1000)
    reason = reason_of(skipped, tmp_path / "big.txt")
    assert "1,200 bytes" in reason and "1,000 bytes" in reason and "max_file_bytes=" in reason


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root can read anything")
def test_unreadable_file_and_folder(tmp_path):
    path = write(tmp_path, "secret.txt", "Hidden text.")
    locked = write(tmp_path, "locked/inner.txt", "Locked text.").parent
    write(tmp_path, "ok.txt", "Fine text.")
    path.chmod(0)
    locked.chmod(0)
    try:
        corpus, skipped = read_source(tmp_path)
    finally:
        path.chmod(0o644)
        locked.chmod(0o755)
    assert list(corpus["text"]) == ["Fine text."]
    assert reason_of(skipped, path) == "cannot read file: permission denied"
    assert reason_of(skipped, locked) == "cannot read folder: permission denied"


def test_permission_error_is_skipped(tmp_path, monkeypatch):
    """Same as above for root, who can read mode-000 files: fake the error."""
    import analysis.corpus as corpus_module

    path = write(tmp_path, "secret.txt", "Hidden text.")
    locked = write(tmp_path, "locked/inner.txt", "Locked text.").parent
    write(tmp_path, "ok.txt", "Fine text.")
    real_open, real_scandir = os.open, os.scandir

    def fake_open(file, *args, **kwargs):
        # An article file is opened with os.open (one system call, see
        # corpus._read_regular_file).
        if str(file) == str(path):
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    def fake_scandir(folder="."):
        if str(folder) == str(locked):
            raise PermissionError(13, "Permission denied", str(folder))
        return real_scandir(folder)

    monkeypatch.setattr(corpus_module.os, "open", fake_open)
    monkeypatch.setattr(os, "scandir", fake_scandir)
    corpus, skipped = read_source(tmp_path)
    assert list(corpus["text"]) == ["Fine text."]
    assert reason_of(skipped, path) == "cannot read file: permission denied"
    assert reason_of(skipped, locked) == "cannot read folder: permission denied"
    with pytest.raises(SourceError, match="cannot read folder .*locked: permission denied"):
        read_source(locked)


# --------------------------------------------------------------------------- folders


def test_subfolders_hidden_and_ignored_files(tmp_path):
    write(tmp_path, "b.txt", "news-02012024-000000\n\nB text.")
    write(tmp_path, "a/z.txt", "news-03012024-000000\n\nZ text.")
    write(tmp_path, "a/deeper/y.TXT", "Y text.")
    write(tmp_path, "c.txt", "news-01012024-000000\n\nC text.")
    write(tmp_path, ".hidden.txt", "Hidden.")
    write(tmp_path, ".git/config.txt", "Inside a hidden folder.")
    write(tmp_path, "notes.md", "Not an article.")
    write(tmp_path, "table.csv", "text\nNot read from a folder.")
    write(tmp_path, "img.png", PNG_BYTES)
    corpus, skipped = read_source(tmp_path)
    assert_contract(corpus, skipped)
    assert_accounted(tmp_path, corpus, skipped)
    # sorted path order: a/deeper/y.TXT, a/z.txt, b.txt, c.txt
    assert list(corpus["article_id"]) == ["y", "news-03012024-000000", "news-02012024-000000", "news-01012024-000000"]
    reasons = dict(zip(skipped["source"], skipped["reason"]))
    assert reasons[str(tmp_path / ".hidden.txt")] == "ignored: hidden file"
    assert reasons[str(tmp_path / ".git")].startswith("ignored: hidden folder")
    assert reasons[str(tmp_path / "notes.md")] == "ignored: not a .txt file"
    assert reasons[str(tmp_path / "img.png")] == "ignored: not a .txt file"
    assert reasons[str(tmp_path / "table.csv")].startswith("ignored: not a .txt file")
    assert list(skipped["source"]) == sorted(skipped["source"], key=lambda s: Path(s).relative_to(tmp_path).parts)


def test_symlink_loop_finishes(tmp_path):
    write(tmp_path, "sub/a.txt", "Text A.")
    os.symlink(tmp_path, tmp_path / "sub" / "loop")
    os.symlink(tmp_path / "sub" / "a.txt", tmp_path / "link.txt")
    corpus, skipped = read_source(tmp_path)
    assert_accounted(tmp_path, corpus, skipped)
    assert reason_of(skipped, tmp_path / "sub" / "loop") == "ignored: link to a folder (not followed)"
    # A link to a file is read like a file: link.txt sorts first, so sub/a.txt repeats it.
    assert reason_of(skipped, tmp_path / "sub" / "a.txt") == (
        f"same text as link ({tmp_path / 'link.txt'}); kept that one"
    )


def test_duplicate_id_different_text_keeps_first(tmp_path):
    first = write(tmp_path, "1.txt", "news-22082024-042604\n\nFirst version.")
    second = write(tmp_path, "2.txt", "news-22082024-042604\n\nSecond version.")
    corpus, skipped = read_source(tmp_path)
    assert_accounted(tmp_path, corpus, skipped)
    assert list(corpus["text"]) == ["First version."]
    assert reason_of(skipped, second) == f"duplicate id news-22082024-042604 (different text; kept {first})"


def test_same_text_different_id_keeps_first(tmp_path):
    first = write(tmp_path, "1.txt", "news-22082024-042604\n\nSame words.\nWrapped.")
    second = write(tmp_path, "2.txt", "news-23082024-042604\n\nSame \t words.\r\nWrapped.  \n")
    corpus, skipped = read_source(tmp_path)
    assert_accounted(tmp_path, corpus, skipped)
    assert list(corpus["article_id"]) == ["news-22082024-042604"]
    assert reason_of(skipped, second) == f"same text as news-22082024-042604 ({first}); kept that one"


def test_max_files_and_progress(tmp_path):
    for i in range(5):
        write(tmp_path, f"{i}.txt", f"Article number {i}.")
    calls = []
    corpus, skipped = read_source(tmp_path, max_files=3, progress=lambda d, t: calls.append((d, t)))
    assert_accounted(tmp_path, corpus, skipped)
    assert list(corpus["article_id"]) == ["0", "1", "2"]
    assert list(skipped["reason"]) == ["not read: max_files=3 reached"] * 2
    assert calls[0] == (0, 3) and calls[-1] == (3, 3)


def test_list_of_paths(tmp_path):
    a = write(tmp_path, "one/a.txt", "Alpha text.")
    b = write(tmp_path, "b.jsonl", json.dumps({"text": "Beta text."}) + "\n")
    missing = tmp_path / "nope.txt"
    corpus, skipped = read_source([tmp_path / "one", b, missing, write(tmp_path, "x.pdf", b"%PDF")])
    assert list(corpus["source"]) == [str(a), f"{b}:line 1"]
    assert list(skipped["reason"]) == ["cannot read: no such file or folder", "ignored: unsupported file type .pdf"]


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda p: p / "missing", "does not exist"),
        (lambda p: p, "no .txt files in folder"),
        (lambda p: write(p, "a.md", "x").parent, r"no \.txt files in folder .*found only: a\.md"),
        (lambda p: write(p, "a.pdf", "x"), "unsupported file type '.pdf'"),
        (lambda p: [], "empty list"),
    ],
    ids=["missing", "empty-folder", "only-other-files", "pdf", "empty-list"],
)
def test_fatal_sources(tmp_path, make, match):
    with pytest.raises(SourceError, match=match):
        read_source(make(tmp_path))


@pytest.mark.parametrize(
    "options, match",
    [
        ({"max_file_bytes": 0}, "max_file_bytes must be a positive integer; got 0"),
        ({"max_files": -1}, "max_files must be None or a positive integer"),
        ({"dayfirst": "yes"}, "dayfirst must be None"),
        ({"progress": 3}, "progress must be None or a callable"),
    ],
)
def test_bad_options(tmp_path, options, match):
    write(tmp_path, "a.txt", "Text.")
    with pytest.raises(ValueError, match=match):
        read_source(tmp_path, **options)


# --------------------------------------------------------------------------- tables


def write_table(folder: Path, name: str, frame: pd.DataFrame) -> Path:
    path = folder / name
    if name.endswith(".csv"):
        frame.to_csv(path, index=False)
    elif name.endswith(".jsonl"):
        frame.to_json(path, orient="records", lines=True, force_ascii=False)
    else:
        frame.to_parquet(path)
    return path


@pytest.mark.parametrize("name", ["t.csv", "t.jsonl", "t.parquet"])
def test_table_without_text_column(tmp_path, name):
    path = write_table(tmp_path, name, pd.DataFrame({"id": ["1"], "summary": ["words"]}))
    with pytest.raises(SourceError, match=r"no text column in .*t\.\w+: columns found are \['id', 'summary'\].*text_col="):
        read_source(path)
    corpus, _ = read_source(path, text_col="SUMMARY")  # override, case-insensitive
    assert list(corpus["text"]) == ["words"]


def test_missing_override_column(tmp_path):
    path = write_table(tmp_path, "t.csv", pd.DataFrame({"text": ["a"]}))
    with pytest.raises(SourceError, match=r"date_col='when' is not a column of .*columns found: \['text'\]"):
        read_source(path, date_col="when")


@pytest.mark.parametrize("name", ["t.csv", "t.jsonl", "t.parquet"])
def test_table_columns_ids_titles(tmp_path, name):
    frame = pd.DataFrame(
        {
            "Headline": ["Given title", None, ""],
            "Body": ["First body.\nWrapped line.", "Second body. More.", "Third body text here"],
            "Published": ["2024-08-22T04:26:04", "2024-08-23", None],
        }
    )
    path = write_table(tmp_path, name, frame)
    corpus, skipped = read_source(path)
    assert_contract(corpus, skipped)
    assert skipped.empty
    assert list(corpus["article_id"]) == ["t-row1", "t-row2", "t-row3"]
    assert list(corpus["title"]) == ["Given title", "Second body.", "Third body text here"]
    assert corpus.loc[0, "text"] == "First body. Wrapped line."
    assert list(corpus["published"]) == [pd.Timestamp("2024-08-22 04:26:04"), pd.Timestamp("2024-08-23"), pd.NaT]
    unit = "line" if name.endswith("jsonl") else "row"
    assert list(corpus["source"]) == [f"{path}:{unit} {i}" for i in (1, 2, 3)]
    assert set(corpus["encoding"]) == {"table"}


def test_csv_embedded_newlines_and_quotes_cp1252(tmp_path):
    data = 'id,text\n7,"He said ""no""\r\nand left, quickly."\n8,"Café “menu”"\n'.encode("cp1252")
    path = write(tmp_path, "q.csv", data)
    corpus, skipped = read_source(path)
    assert skipped.empty
    assert list(corpus["text"]) == ['He said "no" and left, quickly.', "Café “menu”"]
    assert list(corpus["article_id"]) == ["7", "8"]


def test_csv_row_with_too_many_fields(tmp_path):
    path = write(tmp_path, "m.csv", "id,text\n1,good\n2,bad,extra,fields\n3,also good\n")
    corpus, skipped = read_source(path)
    assert list(corpus["source"]) == [f"{path}:row 1", f"{path}:row 3"]
    assert list(skipped["reason"]) == ["row 2: 4 fields, the header has 2"]


def test_jsonl_wrong_types_and_broken_line(tmp_path):
    lines = [
        json.dumps({"id": 1, "text": "Fine text."}),
        '{"id": 2, "text": "broken',
        json.dumps({"id": 3, "text": 42}),
        json.dumps({"id": 4, "text": ["a", "b"]}),
        json.dumps({"id": 5, "text": {"a": 1}}),
        json.dumps({"id": 6, "text": None}),
        json.dumps({"id": 7, "text": "   "}),
        "",
        json.dumps(["not", "an", "object"]),
        json.dumps({"id": 8.0, "text": "Last text.", "date": 1724300764}),
    ]
    path = write(tmp_path, "w.jsonl", "\n".join(lines) + "\n")
    corpus, skipped = read_source(path)
    assert_contract(corpus, skipped)
    assert list(corpus["article_id"]) == ["1", "8"]
    assert corpus.loc[1, "published"] == pd.Timestamp("2024-08-22 04:26:04")
    reasons = dict(zip(skipped["source"], skipped["reason"]))
    assert reasons[f"{path}:line 2"].startswith("line 2: broken JSON (Unterminated string")
    assert reasons[f"{path}:line 3"] == "line 3: text is not a string (got int)"
    assert reasons[f"{path}:line 4"] == "line 4: text is not a string (got list)"
    assert reasons[f"{path}:line 5"] == "line 5: text is not a string (got dict)"
    assert reasons[f"{path}:line 6"] == "line 6: empty text"
    assert reasons[f"{path}:line 7"] == "line 7: empty text"
    assert reasons[f"{path}:line 9"] == "line 9: not a JSON object (got list)"
    assert len(skipped) == 7  # the blank line 8 is not an input


def test_json_file_list_and_articles_key(tmp_path):
    records = [{"title": "T", "content": "Body one."}, {"content": "Body two."}]
    a = write(tmp_path, "a.json", json.dumps(records))
    b = write(tmp_path, "b.json", json.dumps({"articles": records}))
    for path in (a, b):
        corpus, skipped = read_source(path)
        assert list(corpus["text"]) == ["Body one.", "Body two."]
        assert list(corpus["source"]) == [f"{path}:record 1", f"{path}:record 2"]
    with pytest.raises(SourceError, match=r"not valid JSON"):
        read_source(write(tmp_path, "c.json", "{oops"))


@pytest.mark.parametrize(
    "name, content",
    [
        ("e.csv", "id,text\n"),
        ("e.csv", ""),
        ("e.jsonl", "\n\n"),
        ("e.json", "[]"),
    ],
)
def test_empty_tables(tmp_path, name, content):
    with pytest.raises(SourceError, match=r"no articles in .*e\."):
        read_source(write(tmp_path, name, content))


def test_empty_parquet(tmp_path):
    path = write_table(tmp_path, "e.parquet", pd.DataFrame({"text": pd.Series([], dtype=str)}))
    with pytest.raises(SourceError, match="no articles in"):
        read_source(path)


def test_table_duplicates(tmp_path):
    frame = pd.DataFrame({"id": ["a", "b", "a", "c"], "text": ["One.", "Two.", "Other.", "Two."]})
    path = write_table(tmp_path, "d.csv", frame)
    corpus, skipped = read_source(path)
    assert list(corpus["article_id"]) == ["a", "b"]
    assert list(skipped["reason"]) == [
        f"duplicate id a (different text; kept {path}:row 1)",
        f"same text as b ({path}:row 2); kept that one",
    ]


def test_table_dates(tmp_path):
    frame = pd.DataFrame(
        {
            "text": [f"Text {i}." for i in range(7)],
            "date": [
                "2024-08-22T06:26:04+02:00",
                "22/08/2024 04:26",
                "1724300764",
                "1724300764000",
                "news-22082024-042604",
                "someday",
                "",
            ],
        }
    )
    corpus, skipped = read_source(write_table(tmp_path, "d.csv", frame))
    assert skipped.empty
    exact, minute = pd.Timestamp("2024-08-22 04:26:04"), pd.Timestamp("2024-08-22 04:26:00")
    assert list(corpus["published"][:5]) == [exact, minute, exact, exact, exact]
    assert pd.isna(corpus.loc[5, "published"]) and pd.isna(corpus.loc[6, "published"])
    assert corpus.loc[5, "warning"] == "unparseable date 'someday'; published left unknown"
    assert corpus.loc[6, "warning"] == ""


def test_dataframe_source():
    frame = pd.DataFrame({"ID": [10, 11], "Story": ["Alpha.", "Beta."]})
    corpus, skipped = read_source(frame)
    assert list(corpus["article_id"]) == ["10", "11"]
    assert list(corpus["source"]) == ["dataframe:row 1", "dataframe:row 2"]
    assert list(frame.columns) == ["ID", "Story"]  # input not modified


# --------------------------------------------------------------------------- Reuters


@pytest.mark.skipif(not REUTERS.exists(), reason="../shared/corpora is not available")
def test_reuters_folder_in_seed_format(tmp_path):
    """First 300 Reuters articles written as seed-format files.

    Articles that share a second would get the same id: we write them anyway (file names
    made unique) and assert that the later ones are listed as duplicate ids.
    """
    records = [json.loads(line) for line in REUTERS.read_text(encoding="utf-8").splitlines()[:300]]
    by_path, seen_ids = {}, collections.Counter()
    for record in records:
        stamp = datetime.fromisoformat(record["date"]).strftime("news-%d%m%Y-%H%M%S")
        seen_ids[stamp] += 1
        name = stamp if seen_ids[stamp] == 1 else f"{stamp}-{seen_ids[stamp]}"
        path = write(tmp_path, f"{name}.txt", f"{stamp}\n\n{record['text']}\n")
        by_path[str(path)] = record
    corpus, skipped = read_source(tmp_path)
    assert_contract(corpus, skipped)
    assert_accounted(tmp_path, corpus, skipped)

    collisions = sum(n - 1 for n in seen_ids.values())
    assert skipped["reason"].str.startswith("duplicate id ").sum() == collisions
    assert skipped["reason"].str.match(r"^(duplicate id |same text as )").all()

    for row in corpus.itertuples():
        record = by_path[row.source]
        assert row.published == pd.Timestamp(record["date"])  # to the second
        assert "\n" not in row.text.replace("\n\n", "")
        # In prose-only articles (indents 0 or 4) every paragraph is one indented line
        # plus its wrapped continuation lines.
        indents = {len(line) - len(line.lstrip(" ")) for line in record["text"].split("\n") if line.strip()}
        if indents <= {0, 4}:
            expected = [" ".join(p.split()) for p in re.split(r"\n\s*\n|\n(?=    \S)", record["text"]) if p.strip()]
            assert row.text.split("\n\n") == expected, row.source
        assert clean_text(row.text) == row.text


# --------------------------------------------------------------------------- fuzz

FUZZ = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(data=st.binary(max_size=3000), header=st.booleans())
def test_fuzz_random_bytes_file(tmp_path_factory, data, header):
    folder = tmp_path_factory.mktemp("fuzz")
    write(folder, "f.txt", (b"news-22082024-042604\n\n" if header else b"") + data)
    try:
        corpus, skipped = read_source(folder)
    except SourceError:
        return
    assert_contract(corpus, skipped)
    assert_accounted(folder, corpus, skipped)


cells = st.one_of(
    st.text(max_size=200), st.integers(), st.none(), st.floats(allow_nan=True),
    st.lists(st.integers(), max_size=3), st.just("<p>para</p><p>two</p>"),
)


@FUZZ
@given(
    rows=st.lists(st.tuples(st.one_of(st.none(), st.text(max_size=5), st.integers(0, 3)), cells), min_size=1, max_size=12),
    junk=st.lists(st.text(max_size=30), max_size=3),
)
def test_fuzz_jsonl_rows(tmp_path_factory, rows, junk):
    folder = tmp_path_factory.mktemp("fuzzj")
    lines = [json.dumps({"id": i, "text": t, "date": t if isinstance(t, str) else None}) for i, t in rows]
    lines[1:1] = junk
    path = write(folder, "f.jsonl", "\n".join(lines))
    try:
        corpus, skipped = read_source(path)
    except SourceError:
        return
    assert_contract(corpus, skipped)
    text = path.read_text(encoding="utf-8")
    inputs = [n for n, line in enumerate(re.split(r"\r\n|\r|\n", text), start=1) if line.strip(" \t\r\n")]
    sources = list(corpus["source"]) + list(skipped["source"])
    assert sorted(sources) == sorted(f"{path}:line {n}" for n in inputs)


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"], ids=["lf", "crlf", "cr"])
def test_jsonl_line_numbers_with_any_newline(tmp_path, newline):
    rows = ['{"id": "a", "text": "First story."}', "", "{broken", '{"id": "b", "text": "Second."}']
    path = tmp_path / "export.jsonl"
    path.write_bytes(newline.join(rows).encode("utf-8"))
    corpus, skipped = read_source(path)
    assert corpus["article_id"].tolist() == ["a", "b"]
    assert corpus["source"].tolist() == [f"{path}:line 1", f"{path}:line 4"]
    assert skipped["source"].tolist() == [f"{path}:line 3"]


# --------------------------------------------------------------------------- outlets


def test_table_outlet_from_source_publisher_or_url_domain(tmp_path):
    rows = [
        {"text": "One story.", "source": "Reuters", "url": "https://www.reuters.com/a"},
        {"text": "Two story.", "source": "", "url": "https://WWW.BBC.co.uk/news/1"},
        {"text": "Three story.", "source": {"id": "ap", "name": "AP News"}},
        {"text": "Four story.", "link": "no url here"},
        {"text": "Five story."},
    ]
    path = tmp_path / "t.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    corpus, skipped = read_source(path)
    assert skipped.empty
    assert corpus["outlet"].tolist() == ["Reuters", "bbc.co.uk", "AP News", "", ""]
    assert corpus["url"].tolist() == ["https://www.reuters.com/a", "https://WWW.BBC.co.uk/news/1",
                                      "", "", ""]
    # The corpus's own source still says where each row was read from.
    assert corpus["source"].tolist() == [f"{path}:line {n}" for n in range(1, 6)]
    assert_contract(corpus, skipped)


def test_table_publisher_column_and_overrides(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("body,Publisher,feed,address\nA text.,The Times,x,https://thetimes.com/1\n"
                    "B text.,,y,\n", encoding="utf-8")
    corpus, _ = read_source(path)
    assert corpus["outlet"].tolist() == ["The Times", ""]
    assert corpus["url"].tolist() == ["", ""]
    named, _ = read_source(path, outlet_col="feed", url_col="address")
    assert named["outlet"].tolist() == ["x", "y"]
    assert named["url"].tolist() == ["https://thetimes.com/1", ""]
    with pytest.raises(SourceError, match="outlet_col='nope' is not a column"):
        read_source(path, outlet_col="nope")


def test_folder_outlet_only_when_asked(tmp_path):
    root = tmp_path / "src"
    write(root, "bbc/2024/a.txt", "news-01072024-120000\n\nThe BBC story.\n")
    write(root, "reuters/b.txt", "news-02072024-120000\n\nThe Reuters story.\n")
    write(root, "c.txt", "news-03072024-120000\n\nA loose story.\n")
    plain, _ = read_source(root)
    assert set(plain["outlet"]) == {""}
    by_folder, skipped = read_source(root, outlet_from="folder")
    assert dict(zip(by_folder["article_id"], by_folder["outlet"])) == {
        "news-01072024-120000": "bbc", "news-02072024-120000": "reuters",
        "news-03072024-120000": ""}
    assert_contract(by_folder, skipped)
    with pytest.raises(ValueError, match="outlet_from must be None .* got 'site'"):
        read_source(root, outlet_from="site")


@pytest.mark.parametrize("url, domain", [
    ("https://www.reuters.com/x?y=1", "reuters.com"),
    ("bbc.co.uk/news", "bbc.co.uk"),
    ("http://News.Example.ORG.:8080/a", "news.example.org"),
    ("", ""), (None, ""), ("http://[bad", ""),
])
def test_url_domain(url, domain):
    from analysis.corpus import url_domain
    assert url_domain(url) == domain


def test_read_source_gives_the_digest_of_each_text_file_it_read(tmp_path):
    """The archive index records every input's SHA-256: read_source hands over that of
    the bytes it read, so no file is read twice; a skipped file once read has one, a
    missing file none."""
    from analysis.input_scan import file_digest

    good = tmp_path / "news-01072024-013500.txt"
    good.write_text("news-01072024-013500\n\nOil prices fell on Monday.\n", encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_text("   \n", encoding="utf-8")
    missing = tmp_path / "gone.txt"
    digests = {}
    corpus, skipped = read_source([str(good), str(empty), str(missing)], digests=digests)
    assert len(corpus) == 1 and len(skipped) == 2
    assert digests == {str(good): file_digest(good), str(empty): file_digest(empty)}


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_named_pipe_is_skipped_without_blocking(tmp_path):
    """A FIFO named like an article is skipped, not opened for a read that would wait
    for a writer forever (the file is opened non-blocking, then checked)."""
    write(tmp_path, "ok.txt", "Fine text.")
    pipe = tmp_path / "pipe.txt"
    os.mkfifo(pipe)
    corpus, skipped = read_source(tmp_path)
    assert list(corpus["text"]) == ["Fine text."]
    assert reason_of(skipped, pipe) == "ignored: not a regular file"


def test_jsonl_lone_surrogates_are_replaced_and_the_article_kept(tmp_path):
    # JSON may escape a lone surrogate ("\ud800"), which no Parquet or Arrow table (nor
    # UTF-8) can hold: the character becomes U+FFFD, with a warning on the article.
    path = tmp_path / "x.jsonl"
    path.write_text('{"id": "a\\ud800", "title": "T\\udc00", "text": "A good \\ud800 day.", '
                    '"outlet": "Wire\\ud800"}\n{"id": "b", "text": "Plain text."}\n',
                    encoding="utf-8")
    corpus, skipped = read_source(path)
    assert skipped.empty and len(corpus) == 2
    first = corpus.iloc[0]
    assert (first["article_id"], first["title"], first["text"], first["outlet"]) == (
        "a\ufffd", "T\ufffd", "A good \ufffd day.", "Wire\ufffd")
    assert "lone surrogate" in first["warning"]
    assert corpus.iloc[1]["warning"] == "" and corpus.iloc[1]["text"] == "Plain text."
    for column in ("article_id", "title", "text", "outlet"):
        corpus[column].str.encode("utf-8")          # every value storable
