"""analysis.archive.safe_extract_zip against hostile zips built in memory."""
from __future__ import annotations

import io
import stat
import zipfile

import pytest

from analysis.archive import ArchiveError, safe_extract_zip


def make_zip(members, compression=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as zf:
        for item in members:
            if isinstance(item, zipfile.ZipInfo):
                zf.writestr(item, b"target")
            else:
                name, data = item
                zf.writestr(name, data)
    return buf.getvalue()


def files_under(folder):
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def test_plain_zip_extracts_all(tmp_path):
    data = make_zip([("a.txt", "alpha"), ("sub/b.txt", "beta")])
    assert safe_extract_zip(data, tmp_path / "out") == []
    assert files_under(tmp_path / "out") == ["a.txt", "sub/b.txt"]
    assert (tmp_path / "out" / "sub" / "b.txt").read_text() == "beta"


@pytest.mark.parametrize("name", ["../evil.txt", "sub/../../evil.txt", "..\\evil.txt"])
def test_path_traversal_refused(tmp_path, name):
    dest = tmp_path / "a" / "b"
    skipped = safe_extract_zip(make_zip([(name, "x"), ("ok.txt", "fine")]), dest)
    assert len(skipped) == 1 and "outside" in skipped[0] and name in skipped[0]
    assert files_under(tmp_path) == ["a/b/ok.txt"]


@pytest.mark.parametrize("name", ["/etc/evil.txt", "C:/evil.txt", "\\evil.txt"])
def test_absolute_path_refused(tmp_path, name):
    skipped = safe_extract_zip(make_zip([(name, "x")]), tmp_path / "out")
    assert len(skipped) == 1 and "absolute" in skipped[0]
    assert files_under(tmp_path) == []


def test_symlink_refused(tmp_path):
    info = zipfile.ZipInfo("link.txt")
    info.create_system = 3
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    skipped = safe_extract_zip(make_zip([info, ("a.txt", "a")]), tmp_path / "out")
    assert skipped == ["link.txt: refused: symbolic link"]
    assert files_under(tmp_path / "out") == ["a.txt"]
    assert not (tmp_path / "out" / "link.txt").is_symlink()


def test_too_many_members_refused(tmp_path):
    data = make_zip([(f"{i}.txt", "x") for i in range(11)])
    with pytest.raises(ArchiveError, match="11 members; at most 10"):
        safe_extract_zip(data, tmp_path / "out", max_members=10)
    assert files_under(tmp_path) == []


def test_declared_size_over_limit_refused(tmp_path):
    data = make_zip([("big.txt", b"0" * 5000)])
    with pytest.raises(ArchiveError, match="unpack to 5,000 bytes"):
        safe_extract_zip(data, tmp_path / "out", max_total_bytes=1000)
    assert files_under(tmp_path) == []


def _lie_about_size(data: bytes, real: int, fake: int) -> bytes:
    """Rewrite the declared uncompressed size in local and central headers."""
    raw = bytearray(data)
    for sig, off in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        i = raw.find(sig)
        while i != -1:
            assert int.from_bytes(raw[i + off:i + off + 4], "little") == real
            raw[i + off:i + off + 4] = fake.to_bytes(4, "little")
            i = raw.find(sig, i + 4)
    return bytes(raw)


def test_zip_bomb_with_lying_header_never_inflates(tmp_path):
    # Declares 100 bytes, inflates to 200,000: reading stops at the declared size, the
    # CRC check then fails, the member is skipped and nothing is left on disk.
    real = 200_000
    data = _lie_about_size(make_zip([("bomb.txt", b"\0" * real)]), real, 100)
    skipped = safe_extract_zip(data, tmp_path / "out", max_total_bytes=10_000)
    assert len(skipped) == 1 and skipped[0].startswith("bomb.txt: unreadable")
    assert files_under(tmp_path) == []


def test_bytes_counted_while_extracting(tmp_path, monkeypatch):
    # Even if a member's reader produced more than declared, extraction stops.
    import zipfile as zf_mod

    data = make_zip([("a.txt", b"a" * 1000)])
    real_open = zf_mod.ZipFile.open

    def lying_open(self, name, *args, **kwargs):
        stream = real_open(self, name, *args, **kwargs)
        chunks = [b"x" * 4000, b"x" * 4000, b""]
        stream.read = lambda n=-1: chunks.pop(0)
        return stream

    monkeypatch.setattr(zf_mod.ZipFile, "open", lying_open)
    with pytest.raises(ArchiveError, match="zip bomb"):
        safe_extract_zip(data, tmp_path / "out", max_total_bytes=5000)
    assert files_under(tmp_path) == []


def test_total_counted_across_members(tmp_path):
    data = make_zip([(f"{i}.txt", b"a" * 400) for i in range(5)])
    with pytest.raises(ArchiveError):
        safe_extract_zip(data, tmp_path / "out", max_total_bytes=1000)
    assert safe_extract_zip(data, tmp_path / "ok", max_total_bytes=2000) == []


def test_not_a_zip(tmp_path):
    with pytest.raises(ArchiveError, match="not a readable zip"):
        safe_extract_zip(b"hello", tmp_path)


def test_bad_limits(tmp_path):
    with pytest.raises(ValueError, match="max_members"):
        safe_extract_zip(make_zip([("a", "b")]), tmp_path, max_members=0)


def test_directories_and_duplicates(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("d/", "")
        zf.writestr("d/a.txt", "1")
        with pytest.warns(UserWarning):
            zf.writestr("d/a.txt", "2")
    skipped = safe_extract_zip(buf.getvalue(), tmp_path / "out")
    assert skipped == ["d/a.txt: refused: duplicate name in the zip"]
    assert (tmp_path / "out" / "d" / "a.txt").read_text() == "1"
