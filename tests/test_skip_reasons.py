import pandas as pd
import pytest

from analysis.skip_reasons import reason_group, skip_groups


@pytest.mark.parametrize("reason, group", [
    ("same text as news-01072024-013500 (seeds/a.txt); kept that one", "duplicates (same text)"),
    ("duplicate id news-1 (same text; kept /x/a.txt)", "duplicates (same id, same text)"),
    ("duplicate id news-1 (different text; kept /x/a.txt)", "duplicate ids (different text)"),
    ("line 7: broken JSON (Expecting value: line 1 column 1 (char 0))", "lines: broken JSON"),
    ("row 3: empty text", "rows: empty text"),
    ("file is 9,000,000 bytes, over the limit of 5,000,000 bytes; pass max_file_bytes= a larger value",
     "files over the size limit"),
    ("binary file, not text (contains NUL bytes; UTF-16 text needs a byte order mark)",
     "binary file, not text"),
    ("ignored: hidden file", "ignored: hidden file"),
    ("", ""),
])
def test_reason_group(reason, group):
    assert reason_group(reason) == group


def test_skip_groups_counts_each_kind_once_largest_first():
    skipped = pd.DataFrame({
        "source": [f"f{i}.txt" for i in range(6)],
        "reason": [f"same text as news-{i} (a{i}.txt); kept that one" for i in range(4)]
                  + ["empty file", "ignored: hidden file"],
    })
    out = skip_groups(skipped)
    assert out.to_dict("list") == {"group": ["duplicates (same text)", "empty file", "ignored: hidden file"],
                                   "n": [4, 1, 1]}
    assert out["n"].dtype == "int64"
    assert skip_groups(skipped.iloc[:0]).empty
