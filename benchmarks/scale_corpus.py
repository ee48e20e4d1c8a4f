"""Make N seed-format article files from the shared corpora (for ``bench_scale.py``).

Article ``i`` is shared article ``i mod B`` (BBC and Reuters, B = 6,809) with a new
publication time (spread evenly over 2023-2024, one distinct second each, so ids never
collide) and distinct text (its copy number in parentheses ends the first paragraph:
digits are not topic terms and carry no VADER sentiment).  Files go into
``YYYY/MM/DD/`` folders, as a scraper that files by day would write them:

    python benchmarks/scale_corpus.py N OUT_DIR [--start I]

``--start I`` writes articles I..N-1 only (to add new files to an existing corpus).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import datetime, timedelta

from common import CORPORA

START = datetime(2023, 1, 1)
SPAN_SECONDS = 2 * 365 * 24 * 3600


def base_articles() -> list[str]:
    texts = []
    for name in ("bbc.jsonl", "reuters-dev.jsonl"):
        with open(CORPORA / name, encoding="utf-8") as fh:
            for line in fh:
                rec = json.loads(line)
                body = (rec.get("text") or "").strip()
                if body:
                    texts.append(body)
    return texts


def step(n_total: int) -> int:
    """Seconds between two articles of a corpus of ``n_total``."""
    return max(1, SPAN_SECONDS // max(n_total, 1))


def article_file(i: int, n_total: int, bases: list[str]) -> tuple[str, str]:
    """(relative path, file content) of article ``i`` of a corpus of ``n_total``."""
    when = START + timedelta(seconds=i * step(n_total))
    stamp = f"news-{when:%d%m%Y-%H%M%S}"
    body = bases[i % len(bases)]
    first, sep, rest = body.partition("\n\n")
    body = f"{first} ({i}){sep}{rest}"
    rel = os.path.join(f"{when:%Y}", f"{when:%m}", f"{when:%d}", f"{stamp}.txt")
    return rel, f"{stamp}\n\n{body}\n"


def make(n: int, out: str, start: int = 0, n_total: int | None = None) -> None:
    """Write articles ``start..n-1`` of a corpus whose dates are spread for ``n_total``
    (default ``n``) articles."""
    bases = base_articles()
    n_total = n if n_total is None else n_total
    made = set()
    for i in range(start, n):
        rel, content = article_file(i, n_total, bases)
        folder = os.path.join(out, os.path.dirname(rel))
        if folder not in made:
            os.makedirs(folder, exist_ok=True)
            made.add(folder)
        with open(os.path.join(out, rel), "w", encoding="utf-8") as fh:
            fh.write(content)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("n", type=int)
    parser.add_argument("out")
    parser.add_argument("--start", type=int, default=0)
    parser.add_argument("--spread", type=int, default=None,
                        help="spread dates as for a corpus of this many articles")
    args = parser.parse_args()
    if not CORPORA.exists():
        sys.exit(f"needs {CORPORA} (the shared corpora)")
    make(args.n, args.out, args.start, args.spread)


if __name__ == "__main__":
    main()
