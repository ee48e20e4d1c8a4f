"""scan_inputs: every input of a folder, one row each, in path order."""
from analysis.input_scan import scan_inputs


def test_inputs_are_in_path_order_when_a_name_sorts_below_a_folder(tmp_path):
    # "2023-notes.txt" < "2023/…" as paths ("-" sorts below "/"), though the walk
    # visits the folder "2023" first by name: the rows must still be in path order.
    (tmp_path / "2023" / "01").mkdir(parents=True)
    (tmp_path / "2023" / "01" / "a.txt").write_text("x")
    (tmp_path / "2023-notes.txt").write_text("x")
    (tmp_path / "2023.csv").write_text("text\nx\n")
    (tmp_path / "b.pdf").write_text("x")
    (tmp_path / ".hidden.txt").write_text("x")
    root, scan = scan_inputs(tmp_path)
    assert root == tmp_path
    assert list(scan["path"]) == sorted(scan["path"])
    assert list(scan["path"]) == [".hidden.txt", "2023-notes.txt", "2023.csv", "2023/01/a.txt",
                                  "b.pdf"]
    assert list(scan["kind"]) == ["ignored", "txt", "table", "txt", "ignored"]
    assert list(scan.index) == list(range(5))


def test_a_walk_already_in_path_order_is_kept(tmp_path):
    for day in ("01", "02"):
        (tmp_path / "2024" / day).mkdir(parents=True)
        for name in ("b.txt", "a.txt"):
            (tmp_path / "2024" / day / name).write_text("x")
    _, scan = scan_inputs(tmp_path)
    assert list(scan["path"]) == ["2024/01/a.txt", "2024/01/b.txt", "2024/02/a.txt",
                                  "2024/02/b.txt"]
    assert (scan["size"] == 1).all()
