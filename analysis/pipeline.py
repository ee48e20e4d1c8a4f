"""``analyze``: corpus frame in, one :class:`AnalysisResult` out.

Splitting and scoring are pure functions over a chunk of articles
(:func:`process_chunk`), so they run as tasks of the worker pool
(:mod:`analysis.workers`), beside the topic model fit (one task, or, when k is chosen,
one NMF fit per candidate k); on a 2-core machine the whole pipeline takes less time
than vaderSentiment alone on one core (``benchmarks/README.md``).
"""
from __future__ import annotations

import time

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from . import aggregate
from .result import AnalysisResult
from .sentences import MAX_SENTENCE_WORDS, split_sentences
from .sentiment import NEGATIVE, POSITIVE, article_sentiment, score_sentences
from .topic_documents import topic_documents
from .topics import TopicModel, article_map, topic_map
from . import workers
from .workers import PARALLEL_MIN_CHARS, BrokenProcessPool, available_cores

__all__ = ["analyze", "process_chunk", "AnalysisResult"]

#: Split/score chunks per worker: small enough that the workers finish together.
_CHUNKS_PER_JOB = 8


def process_chunk(articles: pd.DataFrame, max_words: int = MAX_SENTENCE_WORDS,
                  positive: float = POSITIVE, negative: float = NEGATIVE) -> pd.DataFrame:
    """Split and score a chunk of articles (``article_id``, ``text``).

    Pure: depends only on its arguments, so chunks can run in any process or on any
    engine.  Returns the scored sentences frame (see README.md (Frames)).
    """
    return score_sentences(split_sentences(articles, max_words), positive, negative)


def _chunk_job(articles: pd.DataFrame, max_words: int, positive: float, negative: float):
    """Worker task: the chunk's scored sentences and its per-article roll-up, so the
    parent only concatenates (its own time is on the critical path)."""
    sentences = process_chunk(articles, max_words, positive, negative)
    return sentences, article_sentiment(sentences, articles["article_id"].tolist(),
                                        positive, negative)


def _topics_job(articles: pd.DataFrame, n_topics, k_range, random_state):
    """Worker task: the fitted topic model and its fit time."""
    t = time.perf_counter()
    # Every core already runs a task: a multi-threaded BLAS would only fight them.
    with threadpool_limits(1):
        model = _fit_topics(articles, n_topics, k_range, random_state)
    return model, time.perf_counter() - t


def _chunks(articles: pd.DataFrame, n_chunks: int) -> list[pd.DataFrame]:
    """Cut into contiguous chunks of roughly equal text length."""
    return [articles.iloc[a:b] for a, b in
            workers.chunk_bounds(articles["text"].str.len().to_numpy(), n_chunks)]


def _run_in_pool(pool, parts, n_jobs, n_topics, k_range, random_state, max_words, positive,
                 negative, report):
    """Split, score and fit topics in the workers: (sentences, per-article, model,
    topic fit seconds)."""
    chunks = _chunks(parts, n_jobs * _CHUNKS_PER_JOB)
    if n_topics is not None:
        # The topic model is the longest task: submitted first, one worker fits it while
        # the others split and score, and all of them share the last chunks.  This
        # process only waits, so it never competes with the workers for a core.
        topics_future = pool.submit(_topics_job, parts, n_topics, k_range, random_state)
    futures = [pool.submit(_chunk_job, c, max_words, positive, negative) for c in chunks]
    if n_topics is None:
        # Choosing k fits NMF for every candidate k: too long for one task.  The terms
        # are counted here while the workers split and score, then the fits are
        # spread over the workers.
        t = time.perf_counter()
        with threadpool_limits(1):
            model = _fit_topics(parts, None, k_range, random_state, executor=pool)
        seconds = time.perf_counter() - t
    results = []
    for i, f in enumerate(futures):
        results.append(f.result())
        report("sentences", i + 1, len(futures))
    if n_topics is not None:
        model, seconds = topics_future.result()
    sentences = pd.concat([r[0] for r in results], ignore_index=True)
    per_article = pd.concat([r[1] for r in results], ignore_index=True)
    return sentences, per_article, model, seconds


def _join_rows(left: pd.DataFrame, right: pd.DataFrame) -> pd.DataFrame:
    """``left`` with ``right``'s columns; both hold one row per article, in the same
    order (checked), so rows are paired by position rather than by a merge on ids."""
    ids = left["article_id"].to_numpy(dtype=object)
    if len(right) != len(left) or not (right["article_id"].to_numpy(dtype=object) == ids).all():
        return left.merge(right, on="article_id", how="left")
    out = left.copy()
    for col in right.columns.drop("article_id"):
        out[col] = right[col].set_axis(out.index)
    return out


def _fit_topics(corpus: pd.DataFrame, n_topics, k_range, random_state, executor=None):
    model = TopicModel(n_topics=n_topics, k_range=k_range, random_state=random_state)
    model.fit(topic_documents(corpus), corpus["article_id"].tolist(), executor=executor)
    return model


def _headlines(topics: pd.DataFrame, corpus: pd.DataFrame) -> pd.Series:
    """Each topic's representative headline: the title of its most typical article
    (``representative_id``); ``""`` when it has none or the corpus has no titles."""
    if "title" not in corpus.columns:
        return pd.Series([""] * len(topics), dtype=object, index=topics.index)
    titles = dict(zip(corpus["article_id"].astype(str), corpus["title"].fillna("").astype(str)))
    return pd.Series([titles.get(r, "") for r in topics["representative_id"]], dtype=object,
                     index=topics.index)


def analyze(corpus: pd.DataFrame, n_topics: int | None = None, *, k_range=None,
            positive: float = POSITIVE, negative: float = NEGATIVE,
            max_sentence_words: int = MAX_SENTENCE_WORDS, n_jobs: int | None = None,
            random_state: int = 0, skipped: pd.DataFrame | None = None,
            progress=None) -> AnalysisResult:
    """Split, score, fit topics and roll up a corpus frame.

    Parameters
    ----------
    corpus : frame from :func:`analysis.load_corpus` (``article_id``, ``published``,
        ``title``, ``text``, ``source`` …).  Not modified.
    n_topics : int or None. None chooses k over ``k_range`` from the data.
    k_range : (lo, hi) or None: the k tried when ``n_topics`` is None; None grows with the
        corpus (:func:`analysis.topics.auto_k_range`).
    positive, negative : compound thresholds for sentence and article labels.
    max_sentence_words : over-long sentences are cut into pieces of this many words.
    n_jobs : worker processes for splitting and scoring; None uses every available core,
        1 runs everything in this process.
    skipped : the loader's skipped report; defaults to ``corpus.attrs["skipped"]``.
    progress : optional ``callable(stage: str, done: int, total: int)``.

    Returns
    -------
    AnalysisResult
    """
    if corpus is None or len(corpus) == 0:
        raise ValueError("corpus is empty: there are no articles to analyse")
    missing = {"article_id", "text"} - set(corpus.columns)
    if missing:
        raise ValueError(f"corpus lacks column(s) {sorted(missing)}; got {list(corpus.columns)}")
    if n_topics is not None and (not isinstance(n_topics, (int, np.integer)) or n_topics < 1):
        raise ValueError(f"n_topics must be a positive integer or None, got {n_topics!r}")
    if skipped is None:
        skipped = corpus.attrs.get("skipped")
    if skipped is None:
        skipped = pd.DataFrame({"source": pd.Series(dtype=object), "reason": pd.Series(dtype=object)})
    corpus = corpus.reset_index(drop=True)
    corpus.attrs = {}
    report = progress or (lambda stage, done, total: None)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()

    n_jobs = available_cores() if n_jobs is None else n_jobs
    parallel = n_jobs > 1 and int(corpus["text"].str.len().sum()) >= PARALLEL_MIN_CHARS
    parts = corpus[[c for c in ("article_id", "title", "text") if c in corpus.columns]]

    done = None
    if parallel:
        with workers.pool(n_jobs) as executor:
            try:
                done = _run_in_pool(executor, parts, n_jobs, n_topics, k_range, random_state,
                                    max_sentence_words, positive, negative, report)
            except BrokenProcessPool:
                # A worker died (killed, out of memory): do the work here instead.
                workers.discard_pool(executor)
    if done is not None:
        sentences, per_article, model, timings["topics"] = done
        timings["split+score (parallel)"] = time.perf_counter() - t0
    else:
        t = time.perf_counter()
        split = split_sentences(parts, max_sentence_words)
        timings["split"] = time.perf_counter() - t
        report("sentences", 1, 2)
        t = time.perf_counter()
        sentences = score_sentences(split, positive, negative)
        per_article = article_sentiment(sentences, parts["article_id"].tolist(), positive, negative)
        timings["score"] = time.perf_counter() - t
        report("sentences", 2, 2)
        t = time.perf_counter()
        model = _fit_topics(corpus, n_topics, k_range, random_state)
        timings["topics"] = time.perf_counter() - t
    report("topics", 1, 1)

    t = time.perf_counter()
    ids = corpus["article_id"].tolist()
    dominant = model.dominant(ids)
    topics = model.topics_.copy()
    articles = _join_rows(_join_rows(corpus, per_article), dominant)
    labels = dict(zip(topics["topic_id"], topics["label"]))
    articles["topic_label"] = [labels.get(t, "(no topic)") for t in articles["topic_id"]]
    articles["topic_label"] = articles["topic_label"].astype(object)
    theme_ids = dict(zip(topics["topic_id"], topics["theme_id"]))
    theme_labels = dict(zip(topics["topic_id"], topics["theme_label"]))
    articles["theme_id"] = np.array([theme_ids.get(t, -1) for t in articles["topic_id"]],
                                    dtype=np.int64)
    articles["theme_label"] = pd.Series([theme_labels.get(t, "(no topic)")
                                         for t in articles["topic_id"]], dtype=object,
                                        index=articles.index)
    topics["headline"] = _headlines(topics, corpus)
    topics = aggregate.topic_summary(topics, articles, sentences)
    result = AnalysisResult(
        articles=articles,
        sentences=sentences,
        topics=topics,
        article_topics=model.article_topics_frame(ids),
        skipped=skipped.reset_index(drop=True),
        k_scores=model.k_scores_.copy(),
        topic_map=topic_map(model),
        article_map=article_map(model, ids),
        params={
            "n_topics": None if n_topics is None else int(n_topics),
            "n_topics_chosen": int(model.n_topics_),
            "chosen_by": model.chosen_by_,
            "k_range": None if k_range is None else list(k_range),
            "n_themes": int(model.n_themes_),
            "positive": positive, "negative": negative,
            "max_sentence_words": max_sentence_words,
            "random_state": random_state,
            "coherence": float(model.coherence_), "diversity": float(model.diversity_),
        },
        timings=timings,
    )
    timings["aggregate"] = time.perf_counter() - t
    timings["total"] = time.perf_counter() - t0
    return result
