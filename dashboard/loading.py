"""Reading and analysing the source with progress shown on the page (the work itself
is :mod:`dashboard.data`'s)."""
from __future__ import annotations

import time

import streamlit as st

from dashboard import data


def _reading(read):
    """``read(progress)`` with a progress bar on the page."""
    box = st.empty()
    with box.container():
        bar = st.progress(0.0, text="Reading articles…")

        def progress(done, total):
            bar.progress(min(1.0, done / max(total, 1)), text=f"Reading articles… {done}/{total}")

        try:
            return read(progress)
        finally:
            box.empty()


def load(kind, value, cache_dir=None):
    """The Loaded source, with a progress bar on a cold read.  A folder or file the
    source index of ``cache_dir`` knows is not read (:func:`dashboard.data.load_source`)."""
    if kind == "path" and data.is_loaded(value, cache_dir):
        return data.load_source(value, cache_dir=cache_dir)
    if kind == "upload":
        return _reading(lambda progress: data.load_uploads(value, progress=progress))
    return _reading(lambda progress: data.load_source(value, progress=progress,
                                                      cache_dir=cache_dir))


def analyse(loaded, settings, cache_dir):
    """``(loaded, key, result, where)``: ``loaded`` is read here when it came from the
    source index and no stored result fits (so it may be a new object)."""
    key, result, where = data.cached_result(loaded, settings, cache_dir)
    if result is None and not loaded.is_read:
        loaded = _reading(lambda progress: data.ensure_read(loaded, progress))
        key, result, where = data.cached_result(loaded, settings, cache_dir)
    if result is not None:
        data.remember_source(loaded, settings, key, cache_dir)
        return loaded, key, result, where
    n = len(loaded.corpus)
    with st.status(f"Analysing {n:,} article(s)…", expanded=True) as status:
        bar = st.progress(0.0, text="Splitting and scoring sentences…")
        stages = {"sentences": (0.0, 0.6, "Splitting and scoring sentences"),
                  "topics": (0.6, 0.4, "Fitting topics")}

        def progress(stage, done, total):
            lo, width, text = stages.get(stage, (0.0, 1.0, stage))
            bar.progress(min(1.0, lo + width * done / max(total, 1)),
                         text=f"{text}… {done}/{total}")

        t = time.perf_counter()
        key, result, error = data.compute_result(loaded, settings, cache_dir, progress=progress)
        bar.progress(1.0, text="Done")
        status.update(label=f"Analysed {n:,} article(s) in {time.perf_counter() - t:.1f} s",
                      state="complete", expanded=False)
    if error:
        st.warning(error)
    else:
        data.remember_source(loaded, settings, key, cache_dir)
    return loaded, key, result, "computed"
