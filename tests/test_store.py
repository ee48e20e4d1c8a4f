import json
from pathlib import Path

import pandas as pd
import pytest

from analysis import analyze
from analysis.store import STORE_VERSION, cache_key, load_result, save_result

from factories import make_corpus


@pytest.fixture(scope="module")
def result():
    return analyze(make_corpus(), n_topics=3, n_jobs=1)


def test_round_trip_is_exact(tmp_path, result):
    key = cache_key(make_corpus(), {"n_topics": 3})
    save_result(result, tmp_path, key)
    back = load_result(tmp_path, key)
    assert back is not None
    for name in ("articles", "sentences", "topics", "article_topics", "topic_map", "article_map"):
        pd.testing.assert_frame_equal(getattr(back, name), getattr(result, name), check_dtype=False)
    assert back.params == json.loads(json.dumps(result.params))


def test_key_depends_on_content_and_settings():
    a = make_corpus()
    b = a.copy()
    b.loc[0, "text"] = b.loc[0, "text"] + " One more sentence."
    assert cache_key(a, {"n_topics": 3}) == cache_key(a.copy(), {"n_topics": 3})
    assert cache_key(a, {"n_topics": 3}) != cache_key(b, {"n_topics": 3})
    assert cache_key(a, {"n_topics": 3}) != cache_key(a, {"n_topics": 4})


@pytest.mark.parametrize("damage", ["truncate", "delete", "version", "garbage_meta"])
def test_damaged_cache_is_detected(tmp_path, result, damage):
    folder = save_result(result, tmp_path, "k")
    if damage == "truncate":
        p = folder / "sentences.parquet"
        p.write_bytes(p.read_bytes()[: p.stat().st_size // 2])
    elif damage == "delete":
        (folder / "topics.parquet").unlink()
    elif damage == "version":
        meta = json.loads((folder / "meta.json").read_text())
        meta["version"] = STORE_VERSION - 1
        (folder / "meta.json").write_text(json.dumps(meta))
    else:
        (folder / "meta.json").write_text("{not json")
    assert load_result(tmp_path, "k") is None


def test_missing_cache_is_none(tmp_path):
    assert load_result(tmp_path, "nothing-here") is None


def test_the_result_cache_does_not_import_the_pipeline():
    """Reading a cached result (the dashboard reopening a corpus) needs pandas and
    pyarrow, not the pipeline and scikit-learn."""
    import subprocess
    import sys

    code = ("import sys; import analysis.store, analysis.result; "
            "print('analysis.pipeline' in sys.modules, 'sklearn' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=str(Path(__file__).resolve().parents[1]), check=True)
    assert out.stdout.split() == ["False", "False"]
