"""``--data-root``: a server that opens only paths under one folder.

A hosted dashboard lets its users type a path; :func:`resolve_under_root` turns that
text into a path inside the data root or refuses it with a message that says why
(``..``, a symbolic link that leads out, an absolute path elsewhere).  The check is on
the fully resolved path, so no spelling or link gets out.
"""
from __future__ import annotations

import os
from pathlib import Path, PurePath

__all__ = ["OutsideRootError", "resolve_under_root"]


class OutsideRootError(ValueError):
    """A path that is not under the data root (the message says why)."""


def resolve_under_root(path, root) -> Path:
    """The real path of ``path`` (absolute, ``~``, or relative to ``root``), provided it
    is ``root`` itself or inside it once every symbolic link is followed.

    Raises :class:`OutsideRootError` for a ``..`` component (refused even when it would
    land inside: a path under the root never needs one), for a path elsewhere, and for
    a path whose links lead outside the root.  The path need not exist.
    """
    text = str(path).strip()
    if not text:
        raise OutsideRootError("no path given; type a folder or file under the data root "
                               f"{root}")
    real_root = Path(root).expanduser().resolve()
    if ".." in PurePath(text.replace("\\", "/")).parts:
        raise OutsideRootError(f"{text}: '..' is not allowed; give a path under the data "
                               f"root {real_root}")
    p = Path(text).expanduser()
    if not p.is_absolute():
        p = real_root / p
    real = Path(os.path.realpath(p))
    if real != real_root and real_root not in real.parents:
        lexical = Path(os.path.abspath(p))
        roots = {real_root, Path(os.path.abspath(Path(root).expanduser()))}
        inside = any(lexical == r or r in lexical.parents for r in roots)
        why = "a symbolic link in it leads outside" if inside else "it is outside"
        raise OutsideRootError(f"{text}: {why} the data root {real_root}; this server "
                               "opens only folders and files under it")
    return real
