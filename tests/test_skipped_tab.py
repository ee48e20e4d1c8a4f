"""The Skipped inputs tab's path shortening (dashboard.tabs.skipped)."""
import pandas as pd

from dashboard.tabs.skipped import relative_sources


def test_rows_of_a_table_file_show_their_line_and_the_file_once():
    sk = pd.DataFrame({"source": ["/data/wire.jsonl:line 16", "/data/wire.jsonl:line 53"],
                       "reason": ["same text as r-4 (/data/wire.jsonl:line 4); kept that one",
                                  "empty text"]})
    shown, note = relative_sources(sk, "/data/wire.jsonl")
    assert shown["source"].tolist() == ["line 16", "line 53"]
    assert shown["reason"].tolist()[0] == "same text as r-4 (line 4); kept that one"
    assert note == "Rows of /data/wire.jsonl."
    assert sk["source"].iloc[0] == "/data/wire.jsonl:line 16"  # the export keeps full paths


def test_files_of_a_folder_show_from_the_folder():
    sk = pd.DataFrame({"source": ["/data/news/a/x.txt", "/elsewhere/y.txt"],
                       "reason": ["not UTF-8", "same text as /data/news/a/z.txt"]})
    shown, note = relative_sources(sk, "/data/news/")
    assert shown["source"].tolist() == ["a/x.txt", "/elsewhere/y.txt"]
    assert shown["reason"].tolist()[1] == "same text as a/z.txt"
    assert note == "Paths are relative to /data/news/."


def test_nothing_to_shorten_says_nothing():
    sk = pd.DataFrame({"source": ["upload.csv:row 3"], "reason": ["no text"]})
    shown, note = relative_sources(sk, "/data/news")
    assert note == "" and shown["source"].tolist() == ["upload.csv:row 3"]
