"""Paths shared by the benchmark scripts (run as ``python benchmarks/<script>.py``)."""
from __future__ import annotations

import sys
from pathlib import Path

#: The repository root; put on sys.path so the scripts import ``analysis``/``dashboard``.
REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
#: The shared corpora beside the checkout (absent on a user's machine).
CORPORA = REPO.parent / "shared" / "corpora"
