"""--data-root: only paths under the root are opened."""
from __future__ import annotations

import os

import pytest

from analysis.paths import OutsideRootError, resolve_under_root


@pytest.fixture
def root(tmp_path):
    r = tmp_path / "data"
    (r / "feeds" / "2024").mkdir(parents=True)
    (r / "feeds" / "a.csv").write_text("text\nhello\n")
    (tmp_path / "secret").mkdir()
    (tmp_path / "secret" / "key.txt").write_text("no")
    return r


def test_paths_under_the_root_are_resolved(root):
    assert resolve_under_root("feeds/a.csv", root) == (root / "feeds" / "a.csv").resolve()
    assert resolve_under_root(str(root / "feeds"), root) == (root / "feeds").resolve()
    assert resolve_under_root(root, root) == root.resolve()
    assert resolve_under_root("feeds/not-yet", root) == (root / "feeds" / "not-yet").resolve()


@pytest.mark.parametrize("path", ["../secret", "feeds/../../secret/key.txt", "feeds/..",
                                  "..\\secret"])
def test_dotdot_is_refused(root, path):
    with pytest.raises(OutsideRootError, match=r"'\.\.' is not allowed"):
        resolve_under_root(path, root)


def test_absolute_paths_elsewhere_are_refused(root, tmp_path):
    with pytest.raises(OutsideRootError, match="it is outside the data root"):
        resolve_under_root(tmp_path / "secret", root)
    with pytest.raises(OutsideRootError, match="outside the data root"):
        resolve_under_root("/etc/passwd", root)
    # a sibling whose name starts like the root is not inside it
    (tmp_path / "data-other").mkdir()
    with pytest.raises(OutsideRootError):
        resolve_under_root(tmp_path / "data-other", root)


def test_links_that_leave_the_root_are_refused(root, tmp_path):
    os.symlink(tmp_path / "secret", root / "feeds" / "out")
    os.symlink(tmp_path / "secret" / "key.txt", root / "key-link.txt")
    for path in ("feeds/out", "feeds/out/key.txt", "key-link.txt"):
        with pytest.raises(OutsideRootError, match="symbolic link in it leads outside"):
            resolve_under_root(path, root)


def test_links_inside_the_root_are_followed(root):
    os.symlink(root / "feeds" / "2024", root / "latest")
    assert resolve_under_root("latest", root) == (root / "feeds" / "2024").resolve()


def test_a_root_reached_through_a_link(root, tmp_path):
    os.symlink(root, tmp_path / "root-link")
    assert resolve_under_root("feeds", tmp_path / "root-link") == (root / "feeds").resolve()


def test_blank_is_refused(root):
    with pytest.raises(OutsideRootError, match="no path given"):
        resolve_under_root("  ", root)
