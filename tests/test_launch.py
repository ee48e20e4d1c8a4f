"""What ``python -m analysis`` reads of its arguments before the CLI is imported."""
import pytest


@pytest.mark.parametrize("argv, expected", [
    (["index", "src", "--store", "s"], (True, None)),
    (["index", "src", "--store", "s", "--jobs", "3"], (True, 3)),
    (["index", "src", "--jobs=1", "--store", "s"], (True, 1)),
    (["index", "src", "--store", "s", "--engine", "dask"], (False, None)),
    (["index", "src", "--store", "s", "--jobs"], (False, None)),       # the parser's error
    (["index", "src", "--store", "s", "--jobs", "x"], (False, None)),
    (["report", "src", "--out", "o"], (False, None)),
])
def test_index_on_local_workers_is_recognised_before_the_cli_is_imported(argv, expected, capsys):
    # python -m analysis starts the workers' fork server before importing the CLI only
    # for an index run on the local engine, and leaves malformed options to the real
    # parser's message (nothing printed here).
    from analysis.launch import local_index_jobs

    assert local_index_jobs(argv) == expected
    assert capsys.readouterr() == ("", "")
