"""Extract an uploaded ``.zip`` of articles without trusting it.

A zip from a user can name files outside the target folder (``../../etc/x``, ``/etc/x``),
hold symbolic links, hold millions of members, or declare small sizes and inflate to
gigabytes (a zip bomb).  :func:`safe_extract_zip` extracts regular files only, only
inside the given folder, and stops at a member count and a total uncompressed size,
checked both from the declared sizes and by counting bytes while extracting.
"""
from __future__ import annotations

import io
import os
import stat
import zipfile
from pathlib import Path, PurePosixPath

__all__ = ["safe_extract_zip", "ArchiveError", "MAX_MEMBERS", "MAX_TOTAL_BYTES"]

MAX_MEMBERS = 10_000
MAX_TOTAL_BYTES = 500_000_000
_CHUNK = 1 << 16


class ArchiveError(ValueError):
    """The archive as a whole is refused (not a zip, too many members, too big)."""


def _member_problem(info: zipfile.ZipInfo) -> str | None:
    name = info.filename
    mode = (info.external_attr >> 16) & 0xFFFF
    if info.create_system == 3 and stat.S_ISLNK(mode):  # made on Unix, symbolic link
        return "refused: symbolic link"
    if "\x00" in name:
        return "refused: NUL byte in the name"
    unified = name.replace("\\", "/")
    if unified.startswith("/") or (len(unified) > 1 and unified[1] == ":"):
        return "refused: absolute path"
    parts = PurePosixPath(unified).parts
    if ".." in parts:
        return "refused: path goes outside the folder (..)"
    if info.flag_bits & 0x1:
        return "refused: encrypted member"
    return None


def safe_extract_zip(data: bytes, dest: Path, max_members: int = MAX_MEMBERS,
                     max_total_bytes: int = MAX_TOTAL_BYTES) -> list[str]:
    """Extract the zip ``data`` into the folder ``dest``; return the skipped members.

    Parameters
    ----------
    data : bytes of a zip file.
    dest : folder to extract into (created if missing).  Nothing is written outside it.
    max_members : more members than this and the archive is refused.
    max_total_bytes : total uncompressed size allowed, checked on the declared sizes
        before extracting and on the bytes actually written while extracting.

    Returns
    -------
    list of str, one ``"member name: reason"`` per member not extracted (path traversal,
    absolute path, symbolic link, encrypted, unreadable).  Folders are not listed.

    Raises
    ------
    ArchiveError
        When the data is not a zip, has too many members, or its total uncompressed size
        (declared or actual) exceeds ``max_total_bytes``.  Files already extracted by
        then are removed again.

    Example
    -------
    >>> import io, zipfile, tempfile
    >>> buf = io.BytesIO()
    >>> with zipfile.ZipFile(buf, "w") as z:
    ...     z.writestr("a.txt", "hello"); z.writestr("../evil.txt", "x")
    >>> safe_extract_zip(buf.getvalue(), Path(tempfile.mkdtemp()))
    ['../evil.txt: refused: path goes outside the folder (..)']
    """
    if max_members < 1:
        raise ValueError(f"max_members must be at least 1, got {max_members!r}")
    if max_total_bytes < 1:
        raise ValueError(f"max_total_bytes must be at least 1, got {max_total_bytes!r}")
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ArchiveError(f"not a readable zip file: {exc}") from exc
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    root = dest.resolve()
    skipped: list[str] = []
    written: list[Path] = []
    with zf:
        infos = zf.infolist()
        if len(infos) > max_members:
            raise ArchiveError(f"zip has {len(infos)} members; at most {max_members} are allowed")
        declared = sum(max(i.file_size, 0) for i in infos if not i.is_dir())
        if declared > max_total_bytes:
            raise ArchiveError(f"zip would unpack to {declared:,} bytes; at most "
                               f"{max_total_bytes:,} are allowed")
        total = 0
        try:
            for info in infos:
                if info.is_dir():
                    continue
                problem = _member_problem(info)
                if problem:
                    skipped.append(f"{info.filename}: {problem}")
                    continue
                target = (root / PurePosixPath(info.filename.replace("\\", "/"))).resolve()
                if target == root or root not in target.parents:
                    skipped.append(f"{info.filename}: refused: path goes outside the folder")
                    continue
                if target.exists():
                    skipped.append(f"{info.filename}: refused: duplicate name in the zip")
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                try:
                    with zf.open(info) as src, open(target, "xb") as out:
                        written.append(target)
                        size = 0
                        while True:
                            chunk = src.read(_CHUNK)
                            if not chunk:
                                break
                            size += len(chunk)
                            total += len(chunk)
                            if size > info.file_size or total > max_total_bytes:
                                raise ArchiveError(
                                    f"zip unpacks to more than its declared size or more than "
                                    f"{max_total_bytes:,} bytes (a zip bomb?)")
                            out.write(chunk)
                except ArchiveError:
                    raise
                except (zipfile.BadZipFile, OSError, RuntimeError, ValueError,
                        NotImplementedError, EOFError) as exc:
                    skipped.append(f"{info.filename}: unreadable: {exc}")
                    try:
                        target.unlink()
                    except FileNotFoundError:
                        pass
        except ArchiveError:
            for path in written:
                try:
                    os.unlink(path)
                except FileNotFoundError:
                    pass
            raise
    return skipped
