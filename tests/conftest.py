"""Shared fixtures: paths, a multi-article folder in the seed format, a private cache."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


@pytest.fixture
def news_folder(tmp_path) -> Path:
    """A folder of dated ``news-DDMMYYYY-HHMMSS.txt`` articles on three clear themes
    over six weeks (from ``tests/factories.make_corpus``)."""
    import pandas as pd
    from factories import make_corpus, write_seed_format

    frame = make_corpus()
    frame = frame[frame["published"].notna()].reset_index(drop=True)
    # one minute apart per row, so no two articles share a file name
    frame["published"] = frame["published"] + pd.to_timedelta(frame.index, unit="min")
    folder = tmp_path / "news"
    write_seed_format(frame, folder)
    return folder


@pytest.fixture
def cache_dir(tmp_path, monkeypatch) -> Path:
    """A private result cache: ``NEWS_ANALYTICS_CACHE`` points into ``tmp_path``."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("NEWS_ANALYTICS_CACHE", str(folder))
    return folder
