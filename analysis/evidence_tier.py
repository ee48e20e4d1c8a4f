"""The store's strongest sentences held in memory, with their article's compound.

A view's evidence lists are the strongest negative and positive sentences of its
articles (:func:`analysis.queries.evidence_by_label`).  They are looked for in the
``strongest`` roll-up above a strength (0.9, then 0.6 …), where each query decodes the
roll-up's row groups above that strength in every month and, for a sentiment range,
semi-joins every article of the archive for its compound: 30-55 ms at 100,000 articles
for a list whose answer is 20 rows.

The *tier* is the roll-up's rows above the weakest of those strengths whose rows fit in
:data:`TIER_ROWS` (0.6 at 100,000 articles, 0.9 at a million), narrow columns only, each
with its article's mean compound (``a_compound``), as an in-memory DuckDB table made
once per opened store, by its first filtered evidence list (the whole store's lists, the
first view after opening, come from the roll-up's strongest row groups at once).  A list looked for above a strength the tier holds is read from
it instead: the same rows in the same order, by the same conditions, with the sentiment
range tested on ``a_compound`` instead of through the articles: a few ms.  Below the
tier's strength, and for an outlet filter, the roll-up is read as before.
"""
from __future__ import annotations

import dataclasses

from .criteria import Criteria, article_where

__all__ = ["Tier", "TIER_ROWS", "tier", "tier_where"]

#: Most rows the tier holds (about 100 bytes each in DuckDB's memory): the weakest
#: strength whose negative and positive rows together fit is the tier's.
TIER_ROWS = 200_000


@dataclasses.dataclass(frozen=True)
class Tier:
    """The in-memory ``table`` of the ``strongest`` rows at least as strong as
    ``strength`` (``|compound|``), with their article's ``a_compound``."""

    table: str
    strength: float


def tier(store, strengths, counts: dict[str, list[int]]) -> Tier | None:
    """The store's tier (made on first use and kept while the store is open), or None
    when even the strongest of ``strengths`` holds more than :data:`TIER_ROWS` rows.
    ``counts``: per label, the store's rows at least as strong as each of ``strengths``
    (``queries._strength_counts``)."""
    fits = [t for j, t in enumerate(strengths)
            if sum(c[j] for c in counts.values()) <= TIER_ROWS]
    if not fits:
        return None
    strength = min(fits)

    def build(table: str) -> None:
        # the walk's own conditions (a negative sentence's compound is below 0, a
        # positive one's above); the article's compound from the roll-ups' articles copy
        store.con.cursor().execute(f"""
            CREATE OR REPLACE TABLE {table} AS
            SELECT s.month, s.art, s.article_id, s.sentence_id, s.label, s.compound,
                   s.published, s.topic_id, s.start, s."end", a.compound AS a_compound
            FROM strongest s JOIN articles a ON a.month = s.month AND a.art = s.art
            WHERE (s.label = 'negative' AND s.compound <= ?)
               OR (s.label = 'positive' AND s.compound >= ?)
            ORDER BY s.label, abs(s.compound) DESC""", [-strength, strength])

    return Tier(store.kept_table(("tier", strength), build), strength)


def tier_where(store, c: Criteria, keyword: str | None) -> tuple[str, list] | None:
    """``(where, params)`` over tier rows ``s`` of the sentences of view ``c`` (that
    mention ``keyword``, if given), as ``queries._evidence_where`` selects them from the
    roll-up; None for an outlet filter (the tier holds no outlet: the roll-up is read)."""
    if c.outlets:
        return None
    plain = dataclasses.replace(c, keyword=None, outlets=None)
    where, params = article_where(plain, "s", keyword=False, compound="a_compound")
    if c.keyword:  # the article keyword's match set, by the sentence's article
        where += " AND " + store._in_matches("article", c.keyword, "s", c)
    if keyword and keyword.strip():
        where += " AND " + store.sentence_keyword_where(keyword, c)
    return where, params
