import io
import zipfile

import pandas as pd
import pytest

from analysis import analyze
from analysis.reports import (atomic_write_bytes, neutralize_cell, report_zip, to_csv_bytes,
                              summary_text, write_csv, write_report)

from factories import make_corpus


@pytest.mark.parametrize("cell, expected", [
    ("=HYPERLINK(\"http://x\",\"y\")", "'=HYPERLINK(\"http://x\",\"y\")"),
    ("+1 555", "'+1 555"), ("-cmd", "'-cmd"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"), ("\rx", "'\rx"), ("plain", "plain"), ("", ""), (3, 3), (-0.5, -0.5),
    # a signed number as text is read as that number: no apostrophe; anything after it is not
    ("-0.900", "-0.900"), ("+3", "+3"), ("-1.5e-3", "-1.5e-3"), ("-.5", "-.5"),
    ("-1+cmd|' /C calc'!A0", "'-1+cmd|' /C calc'!A0"), ("-2-3", "'-2-3"), ("-", "'-"),
    ("-1\n=2", "'-1\n=2"),
])
def test_neutralize_cell(cell, expected):
    assert neutralize_cell(cell) == expected


def test_csv_is_inert_in_spreadsheets_and_reads_back(tmp_path):
    frame = pd.DataFrame({
        "title": ['=HYPERLINK("http://x","y")', "Normal title, with comma", 'Quote "inside"\nand newline'],
        "compound": [-0.5, 0.25, 0.0],
        "n": [1, -2, 3],
        "published": pd.to_datetime(["2024-08-22 04:26:04", None, "2024-01-02 00:00:00"]),
    })
    path = write_csv(frame, tmp_path / "a.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM for spreadsheet programs
    back = pd.read_csv(path, encoding="utf-8-sig", keep_default_na=False)
    assert back.loc[0, "title"] == "'=HYPERLINK(\"http://x\",\"y\")"
    assert back.loc[1:, "title"].tolist() == frame.loc[1:, "title"].tolist()
    # Numbers stay numbers (negatives are not prefixed), dates are ISO 8601.
    assert back["compound"].tolist() == [-0.5, 0.25, 0.0]
    assert back["n"].tolist() == [1, -2, 3]
    assert back["published"].tolist() == ["2024-08-22T04:26:04", "", "2024-01-02T00:00:00"]


def test_atomic_write_leaves_no_partial_file(tmp_path, monkeypatch):
    target = tmp_path / "out.csv"
    target.write_bytes(b"old")
    import os
    real_replace = os.replace

    def boom(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        atomic_write_bytes(target, b"new content")
    monkeypatch.setattr(os, "replace", real_replace)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_report_files_and_determinism(tmp_path):
    result = analyze(make_corpus(), n_topics=3, n_jobs=1)
    first = write_report(result, tmp_path / "a", freq="week")
    names = sorted(p.name for p in first)
    assert names == ["articles.csv", "sentences.csv", "summary.txt", "timeline.csv", "topics.csv"]
    arts = pd.read_csv(tmp_path / "a" / "articles.csv", encoding="utf-8-sig")
    assert len(arts) == len(result.articles)
    again = analyze(make_corpus(), n_topics=3, n_jobs=1)
    write_report(again, tmp_path / "b", freq="week")
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    z1, z2 = report_zip(result, "week"), report_zip(again, "week")
    assert z1 == z2
    zf = zipfile.ZipFile(io.BytesIO(z1))
    assert sorted(zf.namelist()) == names
    for info in zf.infolist():      # compressed: CSV text shrinks to well under half
        assert info.compress_type == zipfile.ZIP_DEFLATED, info.filename
        assert info.compress_size < info.file_size / 2 or info.file_size < 500, info.filename
        assert zf.read(info) == (tmp_path / "a" / info.filename).read_bytes()


def test_filtered_report_holds_only_filtered_rows(tmp_path):
    result = analyze(make_corpus(), n_topics=3, n_jobs=1).filter(keyword="stadium")
    write_report(result, tmp_path, freq="week")
    arts = pd.read_csv(tmp_path / "articles.csv", encoding="utf-8-sig")
    sents = pd.read_csv(tmp_path / "sentences.csv", encoding="utf-8-sig")
    assert set(arts["article_id"]) == set(result.articles["article_id"])
    assert set(sents["article_id"]) <= set(arts["article_id"])
    text = (tmp_path / "summary.txt").read_text()
    assert text.endswith("\n")
    assert 'filter: keyword "stadium"\n' in text and "include_undated" not in text


def test_report_files_are_readable_by_others(tmp_path):
    import os
    import stat

    from analysis.reports import atomic_write_bytes

    old = os.umask(0o022)
    try:
        path = atomic_write_bytes(tmp_path / "r.csv", b"a\r\n")
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_exports_carry_the_outlet(tmp_path):
    corpus = make_corpus()
    corpus["outlet"] = ["Daily " + str(i % 3) for i in range(len(corpus))]
    corpus["url"] = [f"https://daily{i % 3}.example/{i}" for i in range(len(corpus))]
    result = analyze(corpus, n_topics=3, n_jobs=1)
    write_report(result, tmp_path, freq="week")
    arts = pd.read_csv(tmp_path / "articles.csv", encoding="utf-8-sig")
    sents = pd.read_csv(tmp_path / "sentences.csv", encoding="utf-8-sig")
    expected = dict(zip(corpus["article_id"], corpus["outlet"]))
    assert dict(zip(arts["article_id"], arts["outlet"])) == expected
    assert dict(zip(arts["article_id"], arts["url"])) == dict(zip(corpus["article_id"], corpus["url"]))
    assert (sents["outlet"] == sents["article_id"].map(expected)).all()


def test_summary_filter_line_in_words(tmp_path):
    import datetime as dt

    result = analyze(make_corpus(), n_topics=3, n_jobs=1)
    label = result.topics.set_index("topic_id").loc[1, "label"]
    shown = result.filter(start=dt.date(2024, 6, 1), end=dt.date(2024, 6, 30), topics=[1],
                          sentiment=(-0.5, 0.25))
    line = summary_text(shown).splitlines()[-1]
    assert line == (f"filter: published 2024-06-01 to 2024-06-30 (inclusive), undated articles "
                    f"left out; topics 1 ({label}); article sentiment -0.50 to +0.25")
    assert summary_text(result).splitlines()[-1] == "filter: none"
