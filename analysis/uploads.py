"""Uploaded files staged on disk as a source ``analysis.corpus.read_source`` reads.

The dashboard's upload box (and anything else that receives files as name + bytes)
hands them to :func:`stage_uploads`: the files are written once into a folder named by
their content under ``root`` (zips extracted by :func:`analysis.archive.safe_extract_zip`,
``.txt`` files gathered in one folder, tables kept as files), and every file or zip
member that is not read is listed with its reason, so nothing is dropped silently.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
import shutil
import tempfile
from pathlib import Path

from .archive import ArchiveError, safe_extract_zip

__all__ = ["UploadError", "Staged", "stage_uploads", "MAX_UPLOAD_BYTES", "UPLOAD_TYPES"]

#: Largest upload accepted in total (the dashboard's ``server.maxUploadSize`` is the same).
MAX_UPLOAD_BYTES = 200 * 1024 * 1024
UPLOAD_TYPES = ["txt", "csv", "tsv", "jsonl", "ndjson", "json", "parquet", "zip"]
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


class UploadError(ValueError):
    """An upload is refused as a whole (too big, hostile zip, nothing readable)."""


@dataclasses.dataclass(frozen=True)
class Staged:
    """Staged uploads: ``targets`` (paths to pass to ``read_source``, in upload order),
    ``skipped`` (``(source, reason)`` pairs for the skipped report), ``label`` (what the
    upload is called in the app) and ``folder`` (where it was staged)."""

    targets: tuple[str, ...]
    skipped: tuple[tuple[str, str], ...]
    label: str
    folder: Path


def safe_name(name: str, i: int) -> str:
    """``NNNN-name`` with anything but letters, digits, ``._-`` replaced: a file name
    from a browser never names a folder or a hidden file."""
    base = _SAFE_NAME.sub("_", Path(str(name).replace("\\", "/")).name).strip("._") or "file"
    return f"{i:04d}-{base[:120]}"


def stage_uploads(files, root, max_bytes: int = MAX_UPLOAD_BYTES) -> Staged:
    """Write ``files`` (``(name, bytes)`` pairs) under ``root`` for reading.

    The folder is ``root/<digest of names and contents>``, so the same upload is staged
    once and reused.  Raises :class:`UploadError` when the total exceeds ``max_bytes``,
    a zip is refused (named in the message), or no file can be read.
    """
    files = [(str(name), bytes(data)) for name, data in files]
    total = sum(len(data) for _, data in files)
    if total > max_bytes:
        raise UploadError(f"the upload is {total / 1e6:.0f} MB; at most "
                          f"{max_bytes / 1e6:.0f} MB are accepted")
    h = hashlib.sha256()
    for name, data in files:
        h.update(name.encode("utf-8", "surrogatepass") + b"\0")
        h.update(hashlib.sha256(data).digest())
    folder = Path(root) / h.hexdigest()[:24]
    folder.mkdir(parents=True, exist_ok=True)
    targets: list[str] = []
    skipped: list[tuple[str, str]] = []
    txt_folder = folder / "txt"
    for i, (name, data) in enumerate(files):
        suffix = Path(name).suffix.lower()
        if suffix == ".zip":
            dest, report = folder / f"zip-{i:04d}", folder / f"zip-{i:04d}.skipped.json"
            if not dest.exists() or not report.exists():
                _extract(name, data, folder, dest, report)
            for line in json.loads(report.read_text()):
                member, _, reason = line.partition(": ")
                skipped.append((f"{name}:{member}", reason))
            if any(p.is_file() and not p.name.startswith(".") for p in dest.rglob("*")):
                targets.append(str(dest))
            else:
                skipped.append((name, "zip holds no readable files"))
        elif suffix == ".txt":
            txt_folder.mkdir(exist_ok=True)
            target = txt_folder / safe_name(name, i)
            if not target.exists():
                target.write_bytes(data)
            if str(txt_folder) not in targets:
                targets.append(str(txt_folder))
        elif suffix.lstrip(".") in UPLOAD_TYPES:
            target = folder / (safe_name(Path(name).stem, i) + suffix)
            if not target.exists():
                target.write_bytes(data)
            targets.append(str(target))
        else:
            skipped.append((name, f"ignored: {suffix or 'no'} extension is not supported"))
    if not targets:
        raise UploadError("no readable file in the upload")
    names = ", ".join(name for name, _ in files[:3]) + (" …" if len(files) > 3 else "")
    return Staged(targets=tuple(targets), skipped=tuple(skipped), label=f"upload: {names}",
                  folder=folder)


def _extract(name: str, data: bytes, folder: Path, dest: Path, report: Path) -> None:
    # Extracted next to its final place and renamed, so a half extraction is never used.
    tmp = Path(tempfile.mkdtemp(prefix=".zip-", dir=folder))
    try:
        skipped = safe_extract_zip(data, tmp)
    except ArchiveError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise UploadError(f"{name}: {exc}") from exc
    report.write_text(json.dumps(skipped))
    if dest.exists():
        shutil.rmtree(dest, ignore_errors=True)
    os.replace(tmp, dest)
