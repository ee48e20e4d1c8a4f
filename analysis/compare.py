"""What changed between two periods, and why.

The change in mean article sentiment between period A and period B is split **exactly**
into a topic-mix effect (the corpus talks more about grim topics) and a within-topic
effect (the same topics are talked about more grimly), per topic, by the symmetric
(midpoint) shift-share decomposition:

    mean_B − mean_A = Σ_t (s_Bt − s_At) · (m_At + m_Bt) / 2      ← mix, topic t
                    + Σ_t (m_Bt − m_At) · (s_At + s_Bt) / 2      ← within, topic t

where ``s`` is a topic's share of the period's articles and ``m`` its mean article
compound.  The identity holds term by term (each topic's mix + within is exactly
``s_Bt·m_Bt − s_At·m_At``), so the rows sum to the total up to floating point.  A topic
absent from one period takes the other period's mean there: its whole contribution is
mix (it appeared or vanished), none is within.

The words that drove the change are VADER lexicon words (vaderSentiment's lexicon, as
in a word-shift graph): a word's contribution is the change in how often it occurs per
sentence times its VADER valence (−4 … +4), so a word that became more frequent and is
negative pulls down.  Words are split as VADER splits them (whitespace, surrounding
punctuation stripped) and lower-cased for counting only;
VADER's negation and booster rules are not applied to the counts (as in word-shift
graphs), which is why word rows explain the direction, not the exact total.
:func:`word_sentences` links a word to its sentences.
"""
from __future__ import annotations

import re
import string

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .keyword_query import Term, prepare_texts

__all__ = ["compare_periods", "compare_stats", "topic_rows", "word_sentences",
           "changes_table", "parse_range", "CHANGE_COLUMNS"]

#: The columns of ``changes.csv``.
CHANGE_COLUMNS = ["component", "name", "topic_id", "share_a", "share_b", "sentiment_a",
                  "sentiment_b", "contribution"]


def parse_range(text: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """``"2024-06-01:2024-06-30"`` (or ``START..END``, ``START/END``) → (start, end)."""
    text = str(text)
    for sep in ("..", "/", ":"):
        if text.count(sep) == 1:
            parts = text.split(sep)
            break
    else:
        parts = None
    if not parts or len(parts) != 2 or not all(p.strip() for p in parts):
        raise ValueError(f"a date range is START:END (e.g. 2024-06-01:2024-06-30); got {text!r}")
    try:
        start, end = pd.Timestamp(parts[0].strip()), pd.Timestamp(parts[1].strip())
    except (ValueError, TypeError):
        raise ValueError(f"a date range is START:END with ISO dates; got {text!r}") from None
    if end < start:
        raise ValueError(f"date range {text!r} ends before it starts")
    return start, end


def _range_mask(published: pd.Series, period) -> np.ndarray:
    start, end = (pd.Timestamp(period[0]), pd.Timestamp(period[1]))
    if end == end.normalize():  # a bare end date covers that whole day
        end = end + pd.Timedelta(days=1) - pd.Timedelta(microseconds=1)
    return ((published >= start) & (published <= end)).to_numpy(dtype=bool)


def _lexicon() -> dict[str, float]:
    from .sentiment import _analyzer

    return {w: float(v) for w, v in _analyzer().lexicon.items() if " " not in w}


def _topic_rows(articles: pd.DataFrame, in_a: np.ndarray, in_b: np.ndarray):
    scored = articles["compound"].notna().to_numpy()
    frame = pd.DataFrame({"topic_id": articles["topic_id"].to_numpy(np.int64),
                          "compound": articles["compound"].to_numpy(np.float64)})
    labels = articles.drop_duplicates("topic_id").set_index("topic_id")["topic_label"]
    stats = []
    for mask in (in_a & scored, in_b & scored):
        part = frame[mask]
        g = part.groupby("topic_id")["compound"].agg(["size", "mean"])
        stats.append((g.rename(columns={"size": "n"}), len(part),
                      float(part["compound"].mean()) if len(part) else np.nan))
    return stats, labels.to_dict()


def topic_rows(stats_a, stats_b, labels: dict) -> pd.DataFrame:
    """The per-topic figures of two periods: ``stats_*`` is ``(per_topic, n, mean)``
    with ``per_topic`` indexed by ``topic_id`` (columns ``n``: scored articles,
    ``mean``: their mean compound), ``n`` the period's scored articles and ``mean``
    their mean compound; ``labels`` ``{topic_id: label}``."""
    ids = sorted(set(stats_a[0].index) | set(stats_b[0].index))
    out = pd.DataFrame({"topic_id": np.array(ids, dtype=np.int64)})
    out["name"] = [str(labels.get(t, "(no topic)")) if t >= 0 else "(no topic)" for t in ids]
    for side, (g, total, _) in (("a", stats_a), ("b", stats_b)):
        out[f"n_{side}"] = g["n"].reindex(ids, fill_value=0).to_numpy(np.int64)
        out[f"share_{side}"] = out[f"n_{side}"] / max(total, 1)
        out[f"sentiment_{side}"] = g["mean"].reindex(ids).to_numpy(np.float64)
    return out


def _word_counts(part: pd.DataFrame, index: dict[str, int]):
    """Occurrences of each lexicon word, sentences holding it, and the summed compound of
    those sentences.  Words as VADER splits them: on whitespace, surrounding punctuation
    stripped, lower-cased (for counting only)."""
    # Arrow's kernels split, trim and look up every token without a Python object per
    # token (20 M tokens at 100k articles): twice as fast as str.split + factorize.
    texts = pa.array(part["text"].fillna("").astype(str).tolist(), type=pa.large_string())
    tokens = pc.utf8_split_whitespace(pc.utf8_lower(texts))
    words = pc.index_in(pc.utf8_trim(pc.list_flatten(tokens), characters=string.punctuation),
                        value_set=_vocab_array(index))
    found = pc.is_valid(words)
    words = pc.filter(words, found).to_numpy(zero_copy_only=False).astype(np.int64)
    rows = pc.filter(pc.list_parent_indices(tokens), found).to_numpy(
        zero_copy_only=False).astype(np.int64)
    n_words = len(index)
    occurrences = np.bincount(words, minlength=n_words).astype(np.float64)
    pairs = np.unique(rows * n_words + words)  # each (sentence, word) once
    pair_words = pairs % n_words
    compound = part["compound"].to_numpy(np.float64)[pairs // n_words]
    with_word = np.bincount(pair_words, minlength=n_words).astype(np.float64)
    compound_sum = np.bincount(pair_words, weights=compound, minlength=n_words)
    return occurrences, with_word, compound_sum


def _vocab_array(index: dict[str, int]) -> pa.Array:
    words = sorted(index, key=index.get)
    return pa.array(words, type=pa.large_string())


def _word_rows(part_a: pd.DataFrame, part_b: pd.DataFrame, n_words: int) -> pd.DataFrame:
    """Word rows from the sentences (``text``, ``compound``) of each period."""
    lexicon = _lexicon()
    vocab = sorted(lexicon)
    index = {w: i for i, w in enumerate(vocab)}
    rows = {}
    for side, part in (("a", part_a), ("b", part_b)):
        rows[side] = (*_word_counts(part, index), max(len(part), 1))
    valence = np.array([lexicon[w] for w in vocab])
    rate_a = rows["a"][0] / rows["a"][3]
    rate_b = rows["b"][0] / rows["b"][3]
    contribution = (rate_b - rate_a) * valence
    used = np.flatnonzero((rows["a"][0] + rows["b"][0]) > 0)
    top = used[np.lexsort((np.array(vocab, dtype=object)[used], -np.abs(contribution[used])))][:n_words]
    with np.errstate(all="ignore"):
        mean_a = np.where(rows["a"][1] > 0, rows["a"][2] / rows["a"][1], np.nan)
        mean_b = np.where(rows["b"][1] > 0, rows["b"][2] / rows["b"][1], np.nan)
    return pd.DataFrame({
        "component": "word", "name": [vocab[i] for i in top], "topic_id": pd.NA,
        "share_a": rate_a[top], "share_b": rate_b[top],
        "sentiment_a": mean_a[top], "sentiment_b": mean_b[top],
        "contribution": contribution[top],
        "n_a": rows["a"][0][top].astype(np.int64), "n_b": rows["b"][0][top].astype(np.int64),
        "valence": valence[top],
    })


def compare_periods(articles: pd.DataFrame, sentences: pd.DataFrame, period_a, period_b, *,
                    n_words: int = 25) -> pd.DataFrame:
    """How mean sentiment changed from ``period_a`` to ``period_b`` and why.

    Parameters
    ----------
    articles, sentences : frames of README.md (Frames) (``published``, ``compound``,
        ``topic_id``, ``topic_label``; sentence ``text`` and ``compound``).
    period_a, period_b : ``(start, end)`` (dates or times, inclusive; a bare end date
        covers the day) or a ``"START:END"`` string (:func:`parse_range`).
    n_words : how many words to keep, largest contributions first.

    Returns
    -------
    DataFrame with :data:`CHANGE_COLUMNS` plus ``n_a`` / ``n_b`` (int64: articles, or a
    word's occurrences) and ``valence`` (word rows):

    * one ``total`` row: ``sentiment_a`` / ``sentiment_b`` the mean article compound of
      each period (articles with sentences), ``contribution`` their difference;
    * a ``mix`` and a ``within`` row per topic (``topic_id`` −1 is "(no topic)"):
      ``share_*`` the topic's share of the period's articles, ``sentiment_*`` its mean
      compound (NaN when absent), ``contribution`` its part; the mix and within rows sum
      to the total;
    * ``word`` rows: ``share_*`` occurrences per sentence, ``sentiment_*`` mean compound
      of the sentences holding the word, ``contribution`` = (share_b − share_a) × valence.

    Rows: total, then mix, within and word rows each by ``|contribution|`` descending.
    """
    if isinstance(period_a, str):
        period_a = parse_range(period_a)
    if isinstance(period_b, str):
        period_b = parse_range(period_b)
    published = articles["published"]
    in_a, in_b = _range_mask(published, period_a), _range_mask(published, period_b)
    (stats_a, stats_b), labels = _topic_rows(articles, in_a, in_b)
    ids_a = set(articles["article_id"].to_numpy()[in_a])
    ids_b = set(articles["article_id"].to_numpy()[in_b])

    def part(ids):
        return sentences[sentences["article_id"].isin(ids)]

    return compare_stats(stats_a, stats_b, labels, lambda: part(ids_a), lambda: part(ids_b),
                         period_a, period_b, n_words=n_words)


def compare_stats(stats_a, stats_b, labels: dict, sentences_a, sentences_b, period_a,
                  period_b, *, n_words: int = 25) -> pd.DataFrame:
    """:func:`compare_periods` from each period's figures, wherever they were computed
    (the frames, or an archive store's queries): ``stats_*`` as :func:`topic_rows`
    takes them, ``sentences_*`` callables returning the period's sentences (``text``,
    ``compound``; called only when both periods hold a scored article)."""
    for name, stats, period in (("period_a", stats_a, period_a),
                                ("period_b", stats_b, period_b)):
        if not stats[1]:
            raise ValueError(f"{name} {pd.Timestamp(period[0]).date()} to "
                             f"{pd.Timestamp(period[1]).date()} holds no article with sentences")
    topics = topic_rows(stats_a, stats_b, labels)
    mean_a, mean_b, n_a, n_b = stats_a[2], stats_b[2], stats_a[1], stats_b[1]
    m_a = topics["sentiment_a"].fillna(topics["sentiment_b"])
    m_b = topics["sentiment_b"].fillna(topics["sentiment_a"])
    s_a, s_b = topics["share_a"], topics["share_b"]
    base = topics[["name", "topic_id", "share_a", "share_b", "sentiment_a", "sentiment_b",
                   "n_a", "n_b"]]
    mix = base.assign(component="mix", contribution=(s_b - s_a) * (m_a + m_b) / 2)
    within = base.assign(component="within", contribution=(m_b - m_a) * (s_a + s_b) / 2)
    total = pd.DataFrame({"component": ["total"], "name": [""], "topic_id": [pd.NA],
                          "share_a": [1.0], "share_b": [1.0], "sentiment_a": [mean_a],
                          "sentiment_b": [mean_b], "contribution": [mean_b - mean_a],
                          "n_a": [n_a], "n_b": [n_b]})
    words = _word_rows(sentences_a(), sentences_b(), n_words)

    def by_size(frame):
        return frame.assign(_k=-frame["contribution"].abs()).sort_values(
            ["_k", "name"], kind="stable").drop(columns="_k")

    out = pd.concat([total, by_size(mix), by_size(within), words], ignore_index=True)
    out = out[CHANGE_COLUMNS + ["n_a", "n_b", "valence"]]
    out["topic_id"] = out["topic_id"].astype("Int64")
    out[["n_a", "n_b"]] = out[["n_a", "n_b"]].astype(np.int64)
    for col in ("component", "name"):
        out[col] = out[col].astype(object)
    out.attrs.update(period_a=tuple(map(str, period_a)), period_b=tuple(map(str, period_b)))
    return out


def changes_table(changes: pd.DataFrame) -> pd.DataFrame:
    """The comparison as written to ``changes.csv``: exactly :data:`CHANGE_COLUMNS`."""
    return changes[CHANGE_COLUMNS].copy()


def word_sentences(articles: pd.DataFrame, sentences: pd.DataFrame, word: str, period,
                   n: int | None = 20) -> pd.DataFrame:
    """The sentences of ``period`` holding ``word`` (whole word, any case), strongest
    first: most negative first for a negative VADER word, most positive for a positive
    one.  Columns: the sentence columns plus ``published``, ``title``, ``topic_label``."""
    if isinstance(period, str):
        period = parse_range(period)
    a = articles.loc[_range_mask(articles["published"], period),
                     ["article_id", "published", "title", "topic_label"]]
    s = sentences[sentences["article_id"].isin(set(a["article_id"]))]
    s = s[prepare_texts(s["text"]).rows_matching(re.compile(Term(word).lower_regex()))]
    s = s.merge(a, on="article_id")
    sign = np.sign(_lexicon().get(word.lower(), 0.0)) or 1.0
    s = s.assign(_k=-sign * s["compound"]).sort_values(
        ["_k", "published", "article_id", "sentence_id"], kind="stable").drop(columns="_k")
    s = s.reset_index(drop=True)
    return s.head(n) if n is not None else s
