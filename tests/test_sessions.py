"""Many dashboard sessions at once on one corpus: no errors, own filters, one analysis.

Twenty ``AppTest`` sessions run in threads of one process (as a Streamlit server
runs its sessions), all opening the same corpus on a cold cache at the same moment,
each with its own filter.  The shared caches of :mod:`dashboard.data` must give every
session the same result, computed once (``data.stats`` counts the real pipeline; it is
not mocked), while each session keeps and shows its own filter.

``AppTest.run`` is not thread-safe by itself: around every run it installs a mock
``Runtime`` (``Runtime._instance``) and patches ``config.get_option``, and puts them
back afterwards, so concurrent runs undo each other's set-up mid-run ("Runtime hasn't
been created!", a leaked ``get_option`` patch).  :func:`one_runtime` installs them once
for all sessions instead, as a real server has one ``Runtime`` for all its sessions;
the sessions and their script threads are otherwise the ordinary ``AppTest`` ones.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

APP = str(Path(__file__).resolve().parents[1] / "dashboard" / "app.py")
N_SESSIONS = 20
TIMEOUT = 120
D = dt.date

#: Per session: the filter in its link (query string) and the same filter as
#: ``AnalysisResult.filter`` keywords; then a keyword typed into the sidebar.
SESSIONS = [
    ({"q": "election"}, {"keyword": "election"}),
    ({"q": "storm"}, {"keyword": "storm"}),
    ({"q": "football"}, {"keyword": "football"}),
    ({"q": "river"}, {"keyword": "river"}),
    ({"q": "voters"}, {"keyword": "voters"}),
    ({"q": "stadium"}, {"keyword": "stadium"}),
    ({"q": "cup final"}, {"keyword": "cup final"}),
    ({"q": "coalition"}, {"keyword": "coalition"}),
    ({"topics": "0"}, {"topics": [0]}),
    ({"topics": "1"}, {"topics": [1]}),
    ({"topics": "2"}, {"topics": [2]}),
    ({"topics": "1,3"}, {"topics": [1, 3]}),
    ({"sent": "0.2,1"}, {"sentiment": (0.2, 1.0)}),
    ({"sent": "-1,0"}, {"sentiment": (-1.0, 0.0)}),
    ({"sent": "0,0.15"}, {"sentiment": (0.0, 0.15)}),
    ({"start": "2024-06-10", "end": "2024-06-30"}, {"start": D(2024, 6, 10), "end": D(2024, 6, 30)}),
    ({"start": "2024-06-20"}, {"start": D(2024, 6, 20)}),
    ({"q": "election", "sent": "0,1"}, {"keyword": "election", "sentiment": (0.0, 1.0)}),
    ({"topics": "1", "q": "flood"}, {"topics": [1], "keyword": "flood"}),
    ({"q": "club", "end": "2024-07-05"}, {"keyword": "club", "end": D(2024, 7, 5)}),
]
SECOND_KEYWORDS = ["river", "party", "trophy", "bridge", "polling stations", "stadium",
                   "voters", "flood", "club", "storm"]


@pytest.fixture
def one_runtime(monkeypatch):
    """One mock Runtime and one ``global.appTest`` config patch for every AppTest run
    of the test, instead of a swap per run (see the module docstring)."""
    from unittest.mock import MagicMock

    from streamlit.runtime import Runtime
    from streamlit.testing.v1 import app_test
    from streamlit.testing.v1.util import patch_config_options

    runtime = MagicMock(spec=Runtime)  # what AppTest._run builds per run (streamlit 1.67)
    runtime.media_file_mgr = app_test.MediaFileManager(app_test.MemoryMediaFileStorage("/mock/media"))
    runtime.dataframe_source_mgr = app_test.DataframeSourceManager()
    runtime.cache_storage_manager = app_test.MemoryCacheStorageManager()
    runtime.bidi_component_registry = app_test.BidiComponentManager()
    monkeypatch.setattr(Runtime, "_instance", runtime)
    # AppTest._run's own per-run swaps now land on a stand-in class and a no-op patch
    monkeypatch.setattr(app_test, "Runtime", type("PerRunRuntime", (), {"_instance": None}))
    monkeypatch.setattr(app_test, "patch_config_options",
                        lambda overrides: contextlib.nullcontext())
    # magic off: each AppTest run compiles the script afresh (a server compiles it once,
    # under a lock), and concurrent ast.parse calls in threads can fail on CPython 3.11
    # ("AST constructor recursion depth mismatch"); the app uses no magic.
    with patch_config_options({"global.appTest": True, "runner.magicEnabled": False}):
        yield


def _articles(at) -> int:
    return int(next(m.value for m in at.metric if m.label == "Articles").replace(",", ""))


def _run(at, what: str) -> None:
    at.run()
    assert not at.exception, (what, [e.message for e in at.exception])
    assert not at.error, (what, [e.value for e in at.error])


def _session(i: int, folder: Path, start: threading.Barrier, expected) -> dict:
    """One session's life: open the link, type a keyword, open the Articles tab."""
    from streamlit.testing.v1 import AppTest

    params, criteria = SESSIONS[i]
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["src"] = str(folder)
    for k, v in params.items():
        at.query_params[k] = v
    start.wait()  # every session's first run starts together, on a cold cache
    t = time.perf_counter()
    _run(at, f"session {i}: first run")
    first_run = time.perf_counter() - t
    assert _articles(at) == len(expected(criteria).articles), (i, "first run", criteria)

    word = SECOND_KEYWORDS[i % len(SECOND_KEYWORDS)]
    criteria = {**criteria, "keyword": word}
    at.text_input(key="w_q").input(word)
    _run(at, f"session {i}: keyword {word!r}")
    assert _articles(at) == len(expected(criteria).articles), (i, "keyword", criteria)

    at.session_state["tab"] = "Articles"
    _run(at, f"session {i}: Articles tab")
    table = next(d.value for d in at.dataframe if "article_id" in d.value.columns)
    want = expected(criteria).articles
    assert sorted(table["article_id"]) == sorted(want["article_id"]), (i, "table", criteria)
    # still this session's own filter, in its widgets and its link
    assert at.session_state["w_q"] == word
    q = at.query_params["q"]
    assert (q[0] if isinstance(q, list) else q) == word
    for key in ("topics", "sent", "start", "end"):
        assert (key in at.query_params) == (key in params), (i, key)
    return {"first_run": first_run, "rows": len(table)}


def test_twenty_sessions_share_one_analysis(news_folder, cache_dir, one_runtime):
    import streamlit as st

    from analysis.corpus import read_source
    from analysis.pipeline import analyze
    from dashboard import data

    st.cache_resource.clear()  # earlier tests may hold this corpus's result in memory
    before = dict(data.stats)
    barrier = threading.Barrier(N_SESSIONS, timeout=TIMEOUT)
    # The expectation, from the analysis package directly (same settings as the app).
    corpus, skipped = read_source(str(news_folder))
    full = analyze(corpus, n_topics=None, random_state=0, skipped=skipped)
    assert len(full.articles) == 18 and len(full.topics) >= 4

    def expected(criteria):
        return full.filter(**criteria)

    t = time.perf_counter()
    with ThreadPoolExecutor(max_workers=N_SESSIONS) as pool:
        futures = [pool.submit(_session, i, news_folder, barrier, expected)
                   for i in range(N_SESSIONS)]
        outcomes = [f.result() for f in futures]  # re-raises a session's failure
    wall = time.perf_counter() - t

    done = {k: data.stats[k] - before[k] for k in before}
    # one read, one analysis and one application of the (empty) corrections for all
    assert done == {"reads": 1, "disk_loads": 0, "analyses": 1, "corrections": 1}, done
    assert [p.name for p in cache_dir.iterdir() if p.name != "sources"] == [data.result_key(
        data.load_source(news_folder), data.settings_for(None))]  # one result, no temp folder
    reg = data._registry()
    assert len(reg.sources) == 1 and len(reg.results) == 1 and not reg.flights
    # the sessions' filters really differed
    assert len({o["rows"] for o in outcomes}) > 3
    print(f"{N_SESSIONS} sessions, 3 runs each: {wall:.1f} s; first run "
          f"{min(o['first_run'] for o in outcomes):.1f}-{max(o['first_run'] for o in outcomes):.1f} s")


def test_waiters_get_the_error_not_a_hang(tmp_path, cache_dir, monkeypatch):
    """When the shared work raises, every waiting caller gets the error and the next
    call tries again (nothing is left locked)."""
    import analysis.pipeline
    from dashboard import data

    folder = tmp_path / "one"
    folder.mkdir()
    (folder / "news-01062024-120000.txt").write_text(
        "news-01062024-120000\n\nThe storm flooded the valley.\n", encoding="utf-8")
    loaded = data.load_source(folder)
    n = 5
    arrived, all_in, calls, seen = set(), threading.Event(), [], []

    def failing(*args, progress, **kwargs):
        calls.append(1)
        progress("sentences", 0, 1)  # every waiting caller replays this report …
        all_in.wait(TIMEOUT)  # … so once all have, they are all waiting on this run
        raise ValueError("no text to analyse")

    def call(i):
        def progress(*report):
            arrived.add(i)
            if len(arrived) == n:
                all_in.set()

        try:
            data.compute_result(loaded, settings, cache_dir, progress=progress)
        except ValueError as exc:
            seen.append(str(exc))

    monkeypatch.setattr(analysis.pipeline, "analyze", failing)
    settings = data.settings_for(None)
    with ThreadPoolExecutor(max_workers=n) as pool:
        for f in [pool.submit(call, i) for i in range(n)]:
            f.result(timeout=TIMEOUT)
    assert seen == ["no text to analyse"] * n
    assert len(calls) == 1
    assert not data._registry().flights
    monkeypatch.undo()
    key, result, error = data.compute_result(loaded, settings, cache_dir)  # retried: works
    assert len(result.articles) == 1 and error is None


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(pytest.main([__file__, "-q", "-s"]))
