"""Small in-memory corpora for tests: three clear themes over six weeks."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

SHARED = Path(__file__).resolve().parents[2] / "shared"
SEEDS = Path(__file__).resolve().parents[1] / "seeds"

_THEMES = {
    "storm": [
        "The storm flooded the river valley and forced thousands to evacuate.",
        "Rescue crews pulled families from flooded homes as the river kept rising.",
        "Volunteers cleared mud from streets after the flood waters fell.",
        "Insurers said storm damage to homes in the valley was severe.",
        "The town celebrated as the rebuilt bridge over the river reopened.",
        "Flood defences along the river will be raised before the next storm season.",
    ],
    "election": [
        "Voters queued at polling stations as the election campaign ended.",
        "The opposition party won the most seats in parliament after the vote.",
        "Ballot counting was delayed in two districts, angering party officials.",
        "The new coalition government promised to cut taxes after the election.",
        "Turnout in the election was the highest for twenty years, officials said.",
        "The party leader thanked voters and called the result a great victory.",
    ],
    "football": [
        "The striker scored twice as the club won the cup final at the stadium.",
        "Fans celebrated in the stadium after a thrilling football match.",
        "The coach was furious after his team lost the league match at home.",
        "An injury to the goalkeeper ruled him out of the cup semi-final.",
        "The club signed a young midfielder before the football season began.",
        "Supporters sang as the team paraded the league trophy through the city.",
    ],
}


def make_corpus(n_per_theme: int = 6) -> pd.DataFrame:
    """A corpus frame (README.md (Frames) columns) of 3 themes × ``n_per_theme`` articles,
    dated over six weeks from 2024-06-03, plus one undated article."""
    rows = []
    day = 0
    for theme, sentences in _THEMES.items():
        for i in range(n_per_theme):
            body = " ".join(sentences[(i + j) % len(sentences)] for j in range(4))
            second = f"{theme.title()} update: {sentences[i % len(sentences)]}"
            text = f"{body}\n\n{second} Officials gave more details on Monday."
            rows.append({
                "article_id": f"{theme}-{i:02d}",
                # Unique to the minute, so seed-format file names never collide.
                "published": pd.Timestamp("2024-06-03 08:00") + pd.Timedelta(
                    days=(day * 7) % 42, hours=i, minutes=day),
                "title": f"{theme.title()} story {i}",
                "text": text,
                "source": f"memory:{theme}-{i}",
                "encoding": "utf-8",
                "warning": "",
            })
            day += 1
    rows.append({"article_id": "undated-00", "published": pd.NaT, "title": "Undated note",
                 "text": "The election result pleased the party. Voters were happy.",
                 "source": "memory:undated", "encoding": "utf-8", "warning": ""})
    frame = pd.DataFrame(rows)
    frame["published"] = pd.to_datetime(frame["published"])
    return frame


def write_seed_format(frame: pd.DataFrame, folder: Path) -> list[Path]:
    """Write each row as ``news-DDMMYYYY-HHMMSS.txt`` in the seed's format."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for published, text in zip(frame["published"], frame["text"]):
        name = f"news-{published:%d%m%Y-%H%M%S}"
        path = folder / f"{name}.txt"
        path.write_text(f"{name}\n\n{text}\n", encoding="utf-8")
        paths.append(path)
    return paths


def write_archive_folder(folder: Path, n: int, start: int = 0) -> list[Path]:
    """Write articles ``start..n-1`` of a growing archive into ``folder/YYYY/MM/``: article
    ``i`` is seed article ``i mod 50`` with its own number in the text (so no two texts
    are the same), published 5 h 7 min after article ``i - 1`` from 2024-01-01."""
    seeds = sorted(SEEDS.glob("*.txt"))
    bodies = [p.read_text(encoding="utf-8").split("\n", 2)[2].strip() for p in seeds]
    step = pd.Timedelta(hours=5, minutes=7)
    paths = []
    for i in range(start, n):
        when = (pd.Timestamp("2024-01-01") + step * i).floor("s")
        stamp = f"news-{when:%d%m%Y-%H%M%S}"
        first, sep, rest = bodies[i % len(bodies)].partition("\n\n")
        path = folder / f"{when:%Y}" / f"{when:%m}" / f"{stamp}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"{stamp}\n\n{first} ({i}){sep}{rest}\n", encoding="utf-8")
        paths.append(path)
    return paths


def write_store(result, folder: Path, chunk: str = "0") -> Path:
    """Write an ``AnalysisResult`` as an archive store (/work/wt/STORE_LAYOUT.md, the
    contract ``python -m analysis index`` writes): ``articles``, ``sentences`` (with
    ``published`` and the article's ``topic_id`` denormalised) and ``article_topics``
    hive-partitioned by ``month=YYYY-MM`` (``month=undated`` for undated articles), one
    ``part-<chunk>.parquet`` per month, plus ``topics.parquet``, ``skipped.parquet`` and
    ``store.json``.  A test fixture, not an indexer: no manifest, no model."""
    import json

    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = Path(folder)
    arts = result.articles.copy()
    month = arts["published"].dt.strftime("%Y-%m").fillna("undated")
    months = dict(zip(arts["article_id"], month))
    sents = result.sentences.merge(arts[["article_id", "published", "topic_id"]],
                                   on="article_id", how="left")
    frames = {"articles": arts, "sentences": sents, "article_topics": result.article_topics}
    for name, frame in frames.items():
        keys = frame["article_id"].map(months)
        for m, part in frame.groupby(keys, sort=True):
            out = folder / name / f"month={m}"
            out.mkdir(parents=True, exist_ok=True)
            table = pa.Table.from_pandas(part.reset_index(drop=True), preserve_index=False)
            pq.write_table(table, out / f"part-{chunk}.parquet")
    result.topics.to_parquet(folder / "topics.parquet", index=False)
    result.skipped.to_parquet(folder / "skipped.parquet", index=False)
    (folder / "store.json").write_text(json.dumps(
        {"format": 1, "settings": {k: v for k, v in result.params.items()
                                   if isinstance(v, (int, float, str, type(None)))},
         "status": "complete"}, sort_keys=True))
    return folder


#: The outlets of :func:`write_outlet_csv`: per theme, how many of its 12 articles each
#: outlet published (Wire × storm and Gazette × football have 5 or more, the rest fewer).
OUTLET_MIX = {"storm": {"Wire": 8, "Herald": 4},
              "election": {"Herald": 6, "Wire": 3, "Gazette": 3},
              "football": {"Gazette": 9, "Herald": 3}}


def outlet_corpus() -> pd.DataFrame:
    """36 dated articles (3 themes × 12, over six weeks from 2024-06-03) from three
    outlets as :data:`OUTLET_MIX` says, each text unique, with an ``outlet`` column."""
    rows = []
    for t, (theme, sentences) in enumerate(_THEMES.items()):
        outlets = [o for o, n in OUTLET_MIX[theme].items() for _ in range(n)]
        for i, outlet in enumerate(outlets):
            body = " ".join(sentences[(i + j) % len(sentences)] for j in range(4))
            rows.append({
                "article_id": f"{theme}-{i:02d}",
                "published": pd.Timestamp("2024-06-03 08:00") + pd.Timedelta(
                    days=(i * 7 + t * 2) % 42, hours=i, minutes=t),
                "title": f"{theme.title()} story {i}",
                "text": f"{body}\n\n{outlet} report number {i} on the {theme}.",
                "outlet": outlet,
            })
    return pd.DataFrame(rows)


def write_outlet_csv(path: Path) -> Path:
    """:func:`outlet_corpus` as a CSV table (``article_id, published, title, text,
    outlet``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    frame = outlet_corpus()
    frame["published"] = frame["published"].dt.strftime("%Y-%m-%d %H:%M:%S")
    frame.to_csv(path, index=False)
    return path


def index_news_store(root: Path, n_topics: int = 3) -> Path:
    """``root/store`` indexed from ``root/news``: :func:`make_corpus`'s dated articles in
    the seed format (one minute apart, so no two share a file name, as the
    ``news_folder`` fixture writes them) and one empty file the index must skip."""
    from analysis.indexer import index_archive

    frame = make_corpus()
    frame = frame[frame["published"].notna()].reset_index(drop=True)
    frame["published"] = frame["published"] + pd.to_timedelta(frame.index, unit="min")
    write_seed_format(frame, root / "news")
    (root / "news" / "broken.txt").write_bytes(b"")
    index_archive(root / "news", root / "store", n_topics=n_topics, n_jobs=1)
    return root / "store"
