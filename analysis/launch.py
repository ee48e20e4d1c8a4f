"""What ``python -m analysis`` does before the command line module (pandas and the rest)
is imported: an ``index`` run on the local engine starts its workers' fork server
first, so that it imports the task modules on another core meanwhile."""
from __future__ import annotations

import argparse

__all__ = ["local_index_jobs", "start_early"]


class _Quiet(argparse.ArgumentParser):
    def error(self, message):
        raise ValueError(message)


def local_index_jobs(argv: list[str]) -> tuple[bool, int | None]:
    """``(True, jobs)`` when ``argv`` is an ``index`` run on the local engine (read
    before the real parser, which imports pandas and more, is even imported)."""
    if argv[:1] != ["index"]:
        return False, None
    early = _Quiet(add_help=False)
    early.add_argument("--engine", default="local")
    early.add_argument("--jobs")
    try:
        known, _ = early.parse_known_args(argv[1:])
        jobs = None if known.jobs is None else int(known.jobs)
    except ValueError:   # malformed: the real parser says what is wrong
        return False, None
    return known.engine == "local", jobs


def start_early(argv: list[str]) -> None:
    """Start what the command in ``argv`` will need, before the CLI is imported."""
    local, jobs = local_index_jobs(argv)
    if local:
        from .engines import start_local_early
        start_local_early(jobs)
