"""Loading, analysing and filtering for the dashboard, cached: the only module with
``st.cache_*``.

Three layers, each keyed on content, never on object identity:

1. **Source → corpus** (:func:`load_source`): keyed on the path and a cheap
   fingerprint of the files (names, sizes, modification times; ``os.stat`` only, no
   read), so a rerun never re-reads files and an edited file is read again.
   Uploads are keyed on Streamlit's upload ids and staged once into a private
   temporary folder by :func:`analysis.uploads.stage_uploads`.
2. **Corpus + settings → AnalysisResult** (:func:`cached_result` / :func:`compute_result`):
   in memory by :func:`analysis.store.cache_key` (the corpus content digest plus the
   settings, passed explicitly), then on disk as Parquet under the cache folder
   (``$NEWS_ANALYTICS_CACHE``, the sidebar setting or ``--cache-dir``; default
   ``~/.cache/news-analytics``), so a restarted app loads instead of recomputing.
3. **Result + the analyst's corrections → corrected result** (:func:`corrected`): the
   overrides file of the source (:func:`overrides_file`) applied once per (result key,
   file version) and kept in a small LRU, so a rerun never re-applies them.
4. **Corrected result + renames + filter → filtered result** (:func:`named`, :func:`view`): a small LRU, so
   switching back and forth between filters costs nothing.

Results are shared between sessions through ``st.cache_resource``; nobody mutates
them (every ``analysis`` function returns new frames).  Reading a source, loading a
result from disk and analysing are *single-flight* per key (:mod:`dashboard.single_flight`):
when several sessions ask for the same missing entry at once, one background thread
does the work and every session waits for it, replaying its progress, then gets the
same object (or the same error).  :data:`stats` counts the work actually done.
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
import time
import warnings
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pandas as pd
import streamlit as st
from streamlit.logger import get_logger

from analysis import store
from dashboard.single_flight import Flight, single_flight
from analysis.uploads import MAX_UPLOAD_BYTES, UPLOAD_TYPES, UploadError, shown_as, stage_uploads

__all__ = ["REPO", "DEFAULT_SOURCE", "MAX_UPLOAD_BYTES", "Loaded", "settings_for",
           "load_source", "load_uploads", "cached_result", "compute_result", "named", "view",
           "resolve_cache_dir", "fingerprint", "UploadError", "overrides_file", "corrected"]

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = REPO / "seeds"
_FILE_LIMIT = 20_000  # stat at most this many entries for a fingerprint
_LOG = get_logger(__name__)

#: How often this process read a source, loaded a result from disk and analysed a
#: corpus (for tests and benchmarks; never reset).
stats = {"reads": 0, "disk_loads": 0, "analyses": 0, "corrections": 0}
_stats_lock = threading.Lock()


def _count(what: str) -> None:
    with _stats_lock:
        stats[what] += 1


@dataclass(frozen=True)
class Loaded:
    """A read source: the corpus, what was skipped and why, loader warnings and the
    content digest (``analysis.store.corpus_digest``)."""

    label: str
    corpus: pd.DataFrame
    skipped: pd.DataFrame
    warnings: tuple[str, ...]
    digest: str
    seconds: float
    keys: dict = field(default_factory=dict, compare=False, hash=False)
    #: (path, :func:`fingerprint`) of a folder or file source; None for uploads.
    origin: tuple | None = None

    @property
    def is_read(self) -> bool:
        """False for a source known from the source index (:func:`load_source` with a
        cache folder): ``corpus`` is None until :func:`ensure_read`."""
        return self.corpus is not None


class _Registry:
    """Process-wide LRU caches of loaded sources, results and filtered views."""

    def __init__(self):
        self.lock = threading.RLock()
        self.sources: OrderedDict[tuple, Loaded] = OrderedDict()
        self.results: OrderedDict[str, object] = OrderedDict()
        self.views: OrderedDict[tuple, object] = OrderedDict()
        # Corrected results apart from the filter views, so browsing filters never
        # evicts one (re-applying costs about a second at 100k articles).
        self.corrected: OrderedDict[str, tuple] = OrderedDict()
        # One correction written and applied at a time (dashboard.corrections).
        self.corrections_lock = threading.Lock()
        self.flights: dict[tuple, Flight] = {}  # work in progress, by key

    def _put(self, table: OrderedDict, key, value, limit: int):
        table[key] = value
        table.move_to_end(key)
        while len(table) > limit:
            table.popitem(last=False)


@st.cache_resource(show_spinner=False)
def _registry() -> _Registry:
    return _Registry()


def _single_flight(reg: _Registry, key: tuple, work: Callable, progress: Callable | None = None):
    """:func:`dashboard.single_flight.single_flight` over the registry's flights."""
    return single_flight(reg.flights, reg.lock, key, work, progress)


# --------------------------------------------------------------------------- sources
def fingerprint(path: str | os.PathLike) -> str:
    """Digest of the names, sizes and modification times under ``path`` (stat only)."""
    p = Path(path)
    h = hashlib.sha256(str(p.resolve()).encode("utf-8", "surrogatepass"))
    try:
        if p.is_file():
            st_ = p.stat()
            h.update(f"{st_.st_size}:{st_.st_mtime_ns}".encode())
        else:
            count = 0
            for root, dirs, files in os.walk(p):
                dirs.sort()
                for name in sorted(files):
                    try:
                        st_ = os.stat(os.path.join(root, name))
                    except OSError:
                        continue
                    h.update(f"{root}/{name}:{st_.st_size}:{st_.st_mtime_ns}\n".encode(
                        "utf-8", "surrogatepass"))
                    count += 1
                    if count > _FILE_LIMIT:
                        return h.hexdigest()
    except OSError as exc:
        h.update(repr(exc).encode())
    return h.hexdigest()


def _read(source, label: str, progress: Callable | None = None, origin=None) -> Loaded:
    from analysis.corpus import read_source

    t = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        corpus, skipped = read_source(source, progress=progress)
    corpus = corpus.copy()
    corpus.attrs["skipped"] = skipped
    notes = tuple(dict.fromkeys(str(w.message) for w in caught))
    return Loaded(label=label, corpus=corpus, skipped=skipped, warnings=notes,
                  digest=store.corpus_digest(corpus), seconds=time.perf_counter() - t,
                  origin=origin)


def _cached(key: tuple, make: Callable[[Callable], Loaded], progress: Callable | None) -> Loaded:
    # Not st.cache_resource around the reader itself: the reader reports progress into
    # page elements, which a cached function would record and replay.
    reg = _registry()
    with reg.lock:
        if key in reg.sources:
            reg.sources.move_to_end(key)
            return reg.sources[key]

    def work(report):
        with reg.lock:  # read by a flight that ended just before this one started
            if key in reg.sources:
                return reg.sources[key]
        loaded = make(report)
        _count("reads")
        with reg.lock:
            reg._put(reg.sources, key, loaded, limit=8)
        return loaded

    return _single_flight(reg, ("read", *key), work, progress)


def is_loaded(path: str | os.PathLike, cache_dir: Path | None = None) -> bool:
    """True when :func:`load_source` would not read anything."""
    path = str(Path(path).expanduser())
    fp = fingerprint(path)
    return (("path", path, fp) in _registry().sources
            or (cache_dir is not None and _indexed(cache_dir, path, fp) is not None))


# ----------------------------------------------------------------- source index
# A restarted server that reopens a folder or file it has analysed must not read it
# again (on Reuters-dev that is the worker pool started and 9 s of reading before the
# first chart).  ``<cache>/sources/<fingerprint>.json`` records, for a source's
# fingerprint (path, names, sizes, mtimes), its content digest, loader warnings and
# the result key per settings; a hit is trusted only for the same analysis code.
def _index_path(cache_dir: Path, fp: str) -> Path:
    return Path(cache_dir) / "sources" / f"{fp}.json"


def _indexed(cache_dir: Path, path: str, fp: str) -> dict | None:
    try:
        entry = json.loads(_index_path(cache_dir, fp).read_text())
    except (OSError, ValueError):
        return None
    if entry.get("path") != path or entry.get("code") != store.code_fingerprint():
        return None
    return entry


def remember_source(loaded: Loaded, settings: dict, key: str, cache_dir: Path) -> None:
    """Record ``key`` as the result of ``loaded`` (a read folder/file source) with
    ``settings`` in the source index (best effort: an unwritable cache only costs a
    re-read on the next start)."""
    if loaded.origin is None or not loaded.is_read:
        return
    path, fp = loaded.origin[1], loaded.origin[2]
    entry = _indexed(cache_dir, path, fp) or {}
    skey = json.dumps(settings, sort_keys=True)
    if entry.get("keys", {}).get(skey) == key and entry.get("digest") == loaded.digest:
        return
    entry = {"path": path, "code": store.code_fingerprint(), "digest": loaded.digest,
             "warnings": list(loaded.warnings),
             "keys": {**(entry.get("keys", {}) if entry.get("digest") == loaded.digest else {}),
                      skey: key}}
    target = _index_path(cache_dir, fp)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(entry))
        os.replace(tmp, target)
    except OSError as exc:
        _LOG.warning("could not write the source index %s: %s", target, exc)


def _from_index(path: str, fp: str, entry: dict) -> Loaded:
    empty = pd.DataFrame({"source": pd.Series(dtype=object), "reason": pd.Series(dtype=object)})
    return Loaded(label=path, corpus=None, skipped=empty, warnings=tuple(entry["warnings"]),
                  digest=entry["digest"], seconds=0.0, keys=dict(entry["keys"]),
                  origin=("path", path, fp))


def load_source(path: str | os.PathLike, progress: Callable | None = None,
                cache_dir: Path | None = None) -> Loaded:
    """The corpus read from a folder or file, cached on (path, :func:`fingerprint`):
    a changed file gives a new fingerprint and is read again.

    With ``cache_dir``, a source whose fingerprint the source index knows is not read
    at all: the Loaded returned has ``corpus=None`` (see :func:`ensure_read`) and the
    result keys recorded for it.

    Raises ``analysis.corpus.SourceError`` for a source that cannot be read."""
    path = str(Path(path).expanduser())
    fp = fingerprint(path)
    key = ("path", path, fp)
    with _registry().lock:
        if key in _registry().sources:
            return _registry().sources[key]
    if cache_dir is not None:
        entry = _indexed(cache_dir, path, fp)
        if entry is not None:
            return _from_index(path, fp, entry)
    return _cached(key, lambda report: _read(path, label=path, progress=report, origin=key),
                   progress)


def ensure_read(loaded: Loaded, progress: Callable | None = None) -> Loaded:
    """``loaded`` itself when read, else the source read now (a stored result was
    missing for the settings asked)."""
    if loaded.is_read:
        return loaded
    _, path, fp = loaded.origin
    return _cached(loaded.origin, lambda report: _read(path, label=path, progress=report,
                                                       origin=loaded.origin), progress)


def _upload_root() -> Path:
    root = Path(tempfile.gettempdir()) / "news-analytics-uploads"
    root.mkdir(parents=True, exist_ok=True)
    return root


def _load_uploads(_files: tuple, _progress=None) -> Loaded:
    # Staged on disk by analysis.uploads (every file read or listed as skipped), then
    # read like a folder; sources shown by the uploaded files' own names.
    staged = stage_uploads([(f.name, f.getvalue()) for f in _files], _upload_root(),
                           MAX_UPLOAD_BYTES)
    loaded = _read(list(staged.targets), label=staged.label, progress=_progress)
    skipped = loaded.skipped.assign(source=shown_as(loaded.skipped["source"], staged.names,
                                                    staged.folder))
    if staged.skipped:
        skipped = pd.concat([skipped, pd.DataFrame(list(staged.skipped),
                                                   columns=["source", "reason"])],
                            ignore_index=True)
    corpus = loaded.corpus.copy()
    if "source" in corpus:
        corpus["source"] = shown_as(corpus["source"], staged.names, staged.folder)
    corpus.attrs["skipped"] = skipped
    return Loaded(label=staged.label, corpus=corpus, skipped=skipped, warnings=loaded.warnings,
                  digest=store.corpus_digest(corpus), seconds=loaded.seconds)


def load_uploads(files, progress: Callable | None = None) -> Loaded:
    """The corpus read from ``st.file_uploader`` files, cached on their upload ids.

    Raises :class:`UploadError` (too big, hostile zip) or ``SourceError``."""
    files = tuple(files)
    ids = tuple((getattr(f, "file_id", ""), f.name, f.size) for f in files)
    return _cached(("upload", ids), lambda report: _load_uploads(files, _progress=report),
                   progress)


# --------------------------------------------------------------------------- analysis
def resolve_cache_dir(setting: str | None = None) -> Path:
    """The on-disk cache folder: ``setting`` if given, else ``$NEWS_ANALYTICS_CACHE``,
    else ``~/.cache/news-analytics`` (see :func:`analysis.store.default_cache_dir`)."""
    if setting and str(setting).strip():
        return Path(str(setting).strip()).expanduser()
    return store.default_cache_dir()


def settings_for(n_topics: int | None) -> dict:
    """Analysis settings that go into the cache key."""
    return {"n_topics": None if n_topics is None else int(n_topics), "random_state": 0}


def result_key(loaded: Loaded, settings: dict) -> str:
    """:func:`analysis.store.cache_key` of a loaded corpus, memoised per settings."""
    skey = json.dumps(settings, sort_keys=True)
    if skey not in loaded.keys:
        if not loaded.is_read:
            return None
        loaded.keys[skey] = store.cache_key(loaded.corpus, settings)
    return loaded.keys[skey]


def _in_memory(reg: _Registry, key: str):
    with reg.lock:
        if key in reg.results:
            reg.results.move_to_end(key)
            return reg.results[key]
    return None


def cached_result(loaded: Loaded, settings: dict, cache_dir: Path):
    """``(key, result, where)`` from memory or the disk cache; result is None when it has
    to be computed.  ``where`` is ``"memory"``, ``"disk"`` or ``None``."""
    reg = _registry()
    key = result_key(loaded, settings)
    if key is None:  # an indexed source without a result for these settings
        return None, None, None
    result = _in_memory(reg, key)
    if result is not None:
        return key, result, "memory"

    def work(report):
        result = _in_memory(reg, key)
        if result is None:
            result = store.load_result(cache_dir, key)
            if result is not None:
                _count("disk_loads")
                with reg.lock:
                    reg._put(reg.results, key, result, limit=6)
        return result

    result = _single_flight(reg, ("load", key, str(cache_dir)), work)
    return key, result, None if result is None else "disk"


def compute_result(loaded: Loaded, settings: dict, cache_dir: Path,
                   progress: Callable | None = None):
    """Analyse, save to the disk cache (best effort) and keep in memory; returns
    ``(key, result, save_error)``.  Sessions asking for the same key at once share one
    analysis: ``progress(stage, done, total)`` is called in each caller's thread."""
    from analysis.pipeline import analyze

    reg = _registry()
    key = result_key(loaded, settings)

    def work(report):
        result = _in_memory(reg, key)  # analysed by a flight that ended just before
        if result is not None:
            return result, None
        t = time.perf_counter()
        result = analyze(loaded.corpus, n_topics=settings["n_topics"],
                         random_state=settings["random_state"], skipped=loaded.skipped,
                         progress=report)
        _count("analyses")
        _LOG.info("analysed %d article(s) in %.1f s (key %s)", len(loaded.corpus),
                  time.perf_counter() - t, key)
        error = None
        try:
            store.save_result(result, cache_dir, key)
        except OSError as exc:  # read-only or full disk: keep working from memory
            error = f"could not write the cache folder {cache_dir}: {exc}"
        with reg.lock:
            reg._put(reg.results, key, result, limit=6)
        return result, error

    result, error = _single_flight(reg, ("analyse", key), work, progress)
    return key, result, error


# ----------------------------------------------------------------- corrections
def overrides_file(cache_dir: Path, loaded: Loaded) -> Path:
    """Where the analyst's corrections of a source live:
    ``<cache>/overrides/<source id>/overrides.parquet``.

    Beside the cached results but not inside one: a result folder is named by its
    cache key (content, settings, code), which changes with a re-analysis or another
    number of topics, while the corrections (keyed by article id and sentence text)
    must outlive it.  A folder or file source is identified by its path, so adding
    files to it keeps its corrections; an upload by its content digest."""
    from analysis.overrides import overrides_path

    ident = loaded.origin[1] if loaded.origin is not None else f"upload:{loaded.digest}"
    name = hashlib.sha256(ident.encode("utf-8", "surrogatepass")).hexdigest()[:24]
    return overrides_path(Path(cache_dir) / "overrides" / name)


def corrected(key: str, result, path: Path):
    """``(key, result, overrides)``: ``result`` with the overrides at ``path`` applied
    (:func:`analysis.overrides.apply_overrides`; every frame gets its ``overridden``
    column), under a key naming both the result and the file's version, from a small
    LRU: applying runs once per (result, overrides version), not on every rerun.

    Raises ``ValueError`` for an overrides file that cannot be read."""
    from analysis.overrides import apply_overrides, overrides_version, read_overrides

    ckey = f"{key}~ov{overrides_version(path)}"
    reg = _registry()
    with reg.lock:
        hit = reg.corrected.get(ckey)
        if hit is not None:
            reg.corrected.move_to_end(ckey)
            return ckey, *hit

    def work(report):
        # Single flight: twenty sessions opening a corpus at once apply its corrections
        # once (about a second at 100k articles with one override), not twenty times.
        with reg.lock:
            hit = reg.corrected.get(ckey)
        if hit is not None:
            return hit
        overrides = read_overrides(path)
        out = apply_overrides(result, overrides)
        _count("corrections")
        with reg.lock:
            reg._put(reg.corrected, ckey, (out, overrides), limit=6)
        return out, overrides

    out, overrides = _single_flight(reg, ("correct", ckey), work)
    return ckey, out, overrides


def _names_key(names: dict) -> str:
    return json.dumps({str(k): v for k, v in sorted((names or {}).items())})


def named(key: str, result, names: dict):
    """``result`` with topics renamed (``{id: name}``), from a small LRU."""
    if not names:
        return result
    reg = _registry()
    nkey = ("named", key, _names_key(names))
    with reg.lock:
        if nkey in reg.views:
            reg.views.move_to_end(nkey)
            return reg.views[nkey]
    out = result.rename_topics(names)
    with reg.lock:
        reg._put(reg.views, nkey, out, limit=24)
    return out


def view(key: str, named_result, names: dict, criteria: dict):
    """The renamed result (from :func:`named`) filtered by ``criteria``
    (:func:`analysis.aggregate.filter_result` keywords), from a small LRU."""
    if not any(v is not None for v in criteria.values()):
        return named_result
    reg = _registry()
    vkey = ("view", key, _names_key(names), json.dumps(criteria, sort_keys=True, default=str))
    with reg.lock:
        if vkey in reg.views:
            reg.views.move_to_end(vkey)
            return reg.views[vkey]
    out = named_result.filter(**criteria)
    with reg.lock:
        reg._put(reg.views, vkey, out, limit=24)
    return out


@st.cache_resource(show_spinner=False, max_entries=4)
def _store(path: str, version: tuple):
    from analysis.queries import Store
    return Store(path)


def open_store(path) -> "analysis.queries.Store":
    """The archive store at ``path`` opened for queries, shared by every session; opened
    again when an index run or a correction has changed it (``store.json`` rewritten)
    so a session sees the new answers.  Corrections written to ``overrides.parquet``
    since they were last applied are applied first (a stat and a small JSON read when
    there are none).  Raises :class:`analysis.queries.StoreError` for a folder that
    is not a store, ``ValueError`` for a damaged overrides file."""
    from analysis.store_lock import StoreBusy
    from analysis.store_overrides import ensure_applied

    p = Path(str(path)).expanduser().resolve()
    if (p / "articles").is_dir():
        try:
            # Under the corrections lock: a session's correction being applied has
            # written the file before store.json says so; applying it here too would
            # rewrite the same months twice at once.
            with _registry().corrections_lock:
                ensure_applied(p, "the dashboard applying corrections")
        except (PermissionError, StoreBusy) as exc:
            # A read-only store, or ``index`` updating it (it applies them itself at its
            # end): answers without them for now.
            _LOG.warning("could not apply the corrections of %s: %s", p, exc)
    meta = p / "store.json"
    st_ = meta.stat() if meta.exists() else None
    return _store(str(p), (st_.st_mtime_ns, st_.st_size) if st_ else None)


def store_corrections(store_path):
    """The :class:`dashboard.corrections.Corrections` of an archive store: the file in
    the store folder; a change rewrites the affected months
    (:func:`analysis.store_overrides.apply_store_overrides`)."""
    from analysis import store_overrides as so
    from analysis.overrides import overrides_path
    from dashboard.corrections import Corrections

    path = Path(store_path)
    return Corrections(
        overrides_path(path), listing=lambda: so.describe_store_overrides(path),
        after=lambda: so.apply_store_overrides(path),
        mark=lambda kind, frame: so.mark_overridden(frame, so.store_marks(path), kind),
        lock=_registry().corrections_lock, store=path)


def folder_corrections(path: Path, listing) -> "dashboard.corrections.Corrections":
    """The :class:`dashboard.corrections.Corrections` of a folder or file source: the
    file of :func:`overrides_file`; the next rerun applies it (:func:`corrected`)."""
    from dashboard.corrections import Corrections

    return Corrections(Path(path), listing=listing, lock=_registry().corrections_lock)


def cli_args():
    """The app's own options, after ``--`` on the ``streamlit run`` line: ``--source``,
    ``--store``, ``--cache-dir``, ``--data-root`` (unknown options are left alone)."""
    import argparse
    import sys

    parser = argparse.ArgumentParser(prog="dashboard/app.py", add_help=False)
    for option in ("--source", "--store", "--cache-dir", "--data-root"):
        parser.add_argument(option, default=None)
    args, _ = parser.parse_known_args(sys.argv[1:])
    return args


def data_root() -> Path | None:
    """The folder a hosted server may open paths under: ``--data-root DIR``, else
    ``$NEWS_ANALYTICS_DATA_ROOT``; None (any path) when neither is set."""
    root = cli_args().data_root or os.environ.get("NEWS_ANALYTICS_DATA_ROOT") or None
    return None if root is None else Path(root).expanduser().resolve()


def allowed_path(path: str) -> str:
    """``path`` as the server may open it: under the data root (:func:`data_root`) when
    one is set, else unchanged.  Raises :class:`analysis.paths.OutsideRootError` with
    the reason (``..``, a link leading out, elsewhere)."""
    from analysis.paths import resolve_under_root

    root = data_root()
    return path if root is None else str(resolve_under_root(path, root))
