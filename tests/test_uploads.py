"""Uploads staged on disk: every file read or listed as skipped, hostile zips refused."""
from __future__ import annotations

import io
import zipfile

import pytest

from analysis.corpus import read_source
from analysis.uploads import UploadError, shown_as, stage_uploads


def _zip(members: dict) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


ARTICLE = b"news-01072024-013500\n\nThe river rose. Volunteers helped.\n"


def test_txt_tables_and_zips_are_staged_and_read(tmp_path):
    files = [("a.txt", ARTICLE), ("../b.txt", ARTICLE.replace(b"river", b"road").replace(b"0107", b"0207")),
             ("t.csv", b"text,date\nFloods again.,2024-07-01\n"),
             ("z.zip", _zip({"in/c.txt": ARTICLE.replace(b"river", b"sea").replace(b"0107", b"0307"),
                             "../evil.txt": b"x"})),
             ("notes.docx", b"PK")]
    staged = stage_uploads(files, tmp_path)
    assert all(str(tmp_path) in t for t in staged.targets)
    assert not (tmp_path.parent / "evil.txt").exists()
    reasons = dict(staged.skipped)
    assert reasons["notes.docx"] == "ignored: .docx extension is not supported"
    assert "path goes outside" in reasons["z.zip:../evil.txt"]
    texts = []
    for target in staged.targets:
        corpus, skipped = read_source(target)
        texts += corpus["text"].tolist()
    assert len(texts) == 4 and any("road" in t for t in texts)
    assert staged.label == "upload: a.txt, ../b.txt, t.csv …"
    again = stage_uploads(files, tmp_path)
    assert again.folder == staged.folder and again.targets == staged.targets


def test_too_big_and_nothing_readable_are_refused(tmp_path):
    with pytest.raises(UploadError, match="at most 0 MB"):
        stage_uploads([("a.txt", b"x" * 1000)], tmp_path, max_bytes=10)
    with pytest.raises(UploadError, match="no readable file"):
        stage_uploads([("a.exe", b"x")], tmp_path)
    with pytest.raises(UploadError, match="^bad.zip: "):
        stage_uploads([("bad.zip", b"not a zip at all")], tmp_path)


def test_uploads_keep_their_own_names_and_are_shown_by_them(tmp_path):
    import pandas as pd

    files = [("bbc.csv", b"text,date\nFloods again.,2024-07-01\n"),
             ("sub/bbc.csv", b"text,date\nRoads again.,2024-07-02\n"),
             ("a.txt", ARTICLE)]
    staged = stage_uploads(files, tmp_path)
    names = sorted(p.rsplit("/", 1)[-1] for p in staged.targets)
    assert names == ["bbc-2.csv", "bbc.csv", "txt"]   # no counter in front of the name
    first = next(t for t in staged.targets if t.endswith("/bbc.csv"))
    sources = pd.Series([f"{first}:row 3", f"{staged.folder}/txt/a.txt", None])
    shown = shown_as(sources, staged.names, staged.folder).tolist()
    assert shown[0] == "bbc.csv:row 3" and shown[1] == "a.txt" and pd.isna(shown[2])
