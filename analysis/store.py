"""Persist an :class:`AnalysisResult` as Parquet files, keyed by content and settings.

Layout: ``<cache_dir>/<key>/`` holds one Parquet file per frame and ``meta.json``
(format version, settings, timings and each file's SHA-256).  A result is written
into a temporary folder and renamed into place, so a crash never leaves a half
result; on load, a missing file, a checksum mismatch, an unreadable file or an older
format version makes :func:`load_result` return ``None`` and the caller recomputes.
"""
from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

import pandas as pd

from .result import AnalysisResult

__all__ = ["STORE_VERSION", "cache_key", "corpus_digest", "save_result", "load_result",
           "default_cache_dir"]

#: Bump whenever frames, their columns or the way numbers are computed change.
STORE_VERSION = 3

_FRAMES = ("articles", "sentences", "topics", "article_topics", "skipped", "k_scores",
           "topic_map", "article_map")


def default_cache_dir() -> Path:
    """``$NEWS_ANALYTICS_CACHE`` if set, else ``~/.cache/news-analytics``."""
    env = os.environ.get("NEWS_ANALYTICS_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "news-analytics"


def corpus_digest(corpus: pd.DataFrame) -> str:
    """SHA-256 over the article content that the analysis reads (order-sensitive)."""
    h = hashlib.sha256()
    for col in ("article_id", "published", "title", "text", "source", "outlet", "url"):
        if col in corpus:
            h.update(col.encode())
            values = [str(v) for v in corpus[col].tolist()]
            h.update("\x1f".join(values).encode("utf-8", "surrogatepass"))
    skipped = corpus.attrs.get("skipped")
    if skipped is not None and len(skipped):
        h.update(skipped.to_csv(index=False).encode("utf-8", "surrogatepass"))
    return h.hexdigest()


@functools.lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """SHA-256 of the analysis package's source: a result computed by other code is
    never loaded as if it were current, even when nobody bumped ``STORE_VERSION``."""
    h = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def cache_key(corpus: pd.DataFrame, settings: dict) -> str:
    """Key of a result: corpus content, analysis settings, store version and code."""
    h = hashlib.sha256()
    h.update(corpus_digest(corpus).encode())
    h.update(code_fingerprint().encode())
    h.update(json.dumps(settings, sort_keys=True, default=str).encode())
    h.update(str(STORE_VERSION).encode())
    return h.hexdigest()[:32]


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def save_result(result: AnalysisResult, cache_dir, key: str) -> Path:
    """Write ``result`` under ``cache_dir/key`` atomically; returns that folder."""
    cache_dir = Path(cache_dir)
    cache_dir.mkdir(parents=True, exist_ok=True)
    final = cache_dir / key
    tmp = Path(tempfile.mkdtemp(prefix=f".{key}.", dir=cache_dir))
    try:
        checksums = {}
        for name in _FRAMES:
            frame = getattr(result, name)
            path = tmp / f"{name}.parquet"
            frame.to_parquet(path, index=False)
            checksums[name] = _sha256(path)
        meta = {"version": STORE_VERSION, "params": result.params, "timings": result.timings,
                "checksums": checksums}
        (tmp / "meta.json").write_text(json.dumps(meta, sort_keys=True, default=str))
        if final.exists():
            shutil.rmtree(final, ignore_errors=True)
        os.replace(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return final


def load_result(cache_dir, key: str) -> AnalysisResult | None:
    """The stored result for ``key``, or ``None`` when absent, stale or damaged."""
    folder = Path(cache_dir) / key
    try:
        meta = json.loads((folder / "meta.json").read_text())
        if meta.get("version") != STORE_VERSION:
            return None
        frames = {}
        for name in _FRAMES:
            path = folder / f"{name}.parquet"
            if _sha256(path) != meta["checksums"][name]:
                return None
            frames[name] = pd.read_parquet(path)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    except Exception:  # pyarrow raises its own error types on damaged files
        return None
    for name in ("articles", "sentences", "topics", "skipped"):
        frame = frames[name]
        for col in frame.columns:
            if pd.api.types.is_string_dtype(frame[col]) and not pd.api.types.is_object_dtype(frame[col]):
                frame[col] = frame[col].astype(object)
    return AnalysisResult(**frames, params=meta["params"], timings=meta.get("timings", {}))
