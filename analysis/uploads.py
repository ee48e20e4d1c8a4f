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

__all__ = ["UploadError", "Staged", "stage_uploads", "shown_as", "MAX_UPLOAD_BYTES",
           "UPLOAD_TYPES"]

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
    #: Path on disk (a file, or a zip's folder) → the uploaded file's own name.
    names: dict = dataclasses.field(default_factory=dict, compare=False)


def safe_name(name: str, taken: set) -> str:
    """The uploaded file's own base name made safe for the disk (anything but letters,
    digits and ``._-`` replaced: a name from a browser never names a folder or a hidden
    file), ``-2``, ``-3`` … added only when two uploads share it: the name becomes the
    article ids (``bbc-row38``), so no counter is put in front of it.  ``taken`` holds
    the names used so far (lowercase) and gets this one."""
    base = _SAFE_NAME.sub("_", Path(str(name).replace("\\", "/")).name).strip("._") or "file"
    stem, suffix = Path(base[:120]).stem, Path(base).suffix
    out, n = stem + suffix, 1
    while out.lower() in taken:
        n += 1
        out = f"{stem}-{n}{suffix}"
    taken.add(out.lower())
    return out


def shown_as(sources, names: dict, folder):
    """``sources`` (a Series of paths, ``path:row N`` …) as the user knows them: a path
    inside the staging folder becomes the uploaded file's name (``bbc.csv:row 38``,
    not a temporary path)."""
    folder = str(folder)

    def one(value):
        text = str(value)
        for path, name in names.items():
            if text.startswith(path):
                return name + text[len(path):]
        return text.replace(folder + os.sep, "")
    return sources.map(one, na_action="ignore")


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
    folder = Path(root) / ("v2-" + h.hexdigest()[:24])  # v2: files keep their own names
    folder.mkdir(parents=True, exist_ok=True)
    targets: list[str] = []
    skipped: list[tuple[str, str]] = []
    on_disk: dict[str, str] = {}
    taken: set = set()
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
                on_disk[str(dest)] = name
            else:
                skipped.append((name, "zip holds no readable files"))
        elif suffix == ".txt":
            txt_folder.mkdir(exist_ok=True)
            target = txt_folder / safe_name(name, taken)
            on_disk[str(target)] = name
            if not target.exists():
                target.write_bytes(data)
            if str(txt_folder) not in targets:
                targets.append(str(txt_folder))
        elif suffix.lstrip(".") in UPLOAD_TYPES:
            target = folder / safe_name(name, taken)
            if not target.exists():
                target.write_bytes(data)
            targets.append(str(target))
            on_disk[str(target)] = name
        else:
            skipped.append((name, f"ignored: {suffix or 'no'} extension is not supported"))
    if not targets:
        raise UploadError("no readable file in the upload")
    names = ", ".join(name for name, _ in files[:3]) + (" …" if len(files) > 3 else "")
    return Staged(targets=tuple(targets), skipped=tuple(skipped), label=f"upload: {names}",
                  folder=folder, names=on_disk)


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
