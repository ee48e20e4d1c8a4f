"""Group skipped inputs by kind of reason, for a summary a person can read.

``skipped.csv`` lists every skipped file or row with its full reason (which names the
copy that was kept, the row number, the size…); a summary line per input would bury
the point under thousands of lines, so the command line prints one line per group:
``401 duplicates (same text)``.
"""
from __future__ import annotations

import re

import pandas as pd

__all__ = ["reason_group", "skip_groups"]

_RULES = [
    (re.compile(r"^duplicate id .*\(same text"), "duplicates (same id, same text)"),
    (re.compile(r"^duplicate id .*\(different text"), "duplicate ids (different text)"),
    (re.compile(r"^same text as "), "duplicates (same text)"),
    (re.compile(r"^file is [\d,]+ bytes, over the limit"), "files over the size limit"),
    (re.compile(r"^not read: max_files"), "files over max_files"),
]
_UNIT = re.compile(r"^(row|line|record) \d+: (.*)$", re.S)
_DETAIL = re.compile(r"\s*\(.*$", re.S)


def reason_group(reason: str) -> str:
    """The group of one skip reason: ``same text as news-1 (a.txt); kept that one`` ->
    ``duplicates (same text)``; ``line 7: broken JSON (…)`` -> ``lines: broken JSON``."""
    for pattern, group in _RULES:
        if pattern.search(reason):
            return group
    unit = _UNIT.match(reason)
    if unit:
        return f"{unit.group(1)}s: {reason_group(unit.group(2))}"
    return _DETAIL.sub("", reason).strip() or reason


def skip_groups(skipped: pd.DataFrame) -> pd.DataFrame:
    """``group`` (str) and ``n`` (int64) per group of ``skipped["reason"]``, largest
    first (ties by group name)."""
    groups = skipped["reason"].astype(str).map(reason_group)
    counts = groups.value_counts()
    out = pd.DataFrame({"group": counts.index.astype(object), "n": counts.to_numpy(dtype="int64")})
    return out.sort_values(["n", "group"], ascending=[False, True], kind="stable").reset_index(drop=True)
