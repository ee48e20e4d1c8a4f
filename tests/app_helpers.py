"""Driving the dashboard page under Streamlit's AppTest (shared by the app tests)."""
from __future__ import annotations

from pathlib import Path

APP = str(Path(__file__).resolve().parents[1] / "dashboard" / "app.py")
TIMEOUT = 180


def app(params: dict | None = None):
    """An AppTest of the page with ``params`` in its URL query string (not run yet)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for k, v in (params or {}).items():
        at.query_params[k] = v
    return at


def ok(at) -> None:
    """The run raised nothing and showed no error box."""
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def metric(at, label: str):
    """The value of the metric labelled ``label``."""
    return next(m.value for m in at.metric if m.label == label)
