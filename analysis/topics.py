"""Topics of a news corpus: TF-IDF + NMF, with the number of topics chosen from the data.

:class:`TopicModel` is a scikit-learn style estimator: ``__init__`` only stores
parameters, :meth:`TopicModel.fit` validates them, sets the ``*_`` attributes and returns
``self``.  Its outputs are the ``topics`` and ``article_topics`` frames of
README.md (Frames); :func:`topic_map` and :func:`article_map` give 2-D positions for the
dashboard's maps.

This module holds the estimator and the helpers only it uses (input checks, units,
canonical order, weights).  Its parts live beside it: :mod:`analysis.topic_quality`
(NPMI coherence, diversity, the elbow score), :mod:`analysis.topic_labels` (top terms and
labels) and :mod:`analysis.topic_maps` (:func:`topic_map`, :func:`article_map`, both
re-exported here).

How it works
------------
* **Terms.** ``TfidfVectorizer`` with English stop words plus :data:`NEWS_STOP_WORDS`,
  ``sublinear_tf=True``, unigrams and bigrams, over the news tokens of
  :mod:`analysis.topic_terms` (words of 3+ letters, acronyms such as ``US``/``EU``/``G7``/
  ``5G``, names with digits such as ``COVID-19``/``F-35``; no bare numbers, quantities or
  fragments such as ``don`` from ``don't``).  Bigrams are built after stop-word removal,
  so no term contains a stop word.  ``min_df``/``max_df`` adapt to the corpus size.  What
  an article contributes (title and text) is decided by
  :func:`analysis.topic_documents.topic_documents`.
* **Topics.** ``NMF(init="nndsvda", solver="cd")`` with a fixed ``random_state``.  Each
  topic's term vector is scaled to unit length (the document weights absorb the scale),
  so a document's weight for a topic is that topic's share of its reconstruction and
  weights are comparable across topics; ``doc_topic_`` rows are then normalised to sum
  to 1.  An article's dominant topic is the largest weight.
* **Same corpus, same answer.** Documents are put in a canonical order (SHA-1 of the
  text, then id) before anything is fitted and results are mapped back to the caller's
  order, so shuffling the corpus changes nothing: same topics, labels, numbering and
  bit-identical weights.  Topics are numbered by size (articles whose dominant topic it
  is, descending), ties by label.
* **Small corpora.** Below ``min_paragraph_docs`` articles the model is fitted on
  paragraphs (texts split on blank lines; paragraphs of fewer than 5 words are skipped;
  an article with no such paragraph counts as one unit) so that topics describe the
  parts of the articles; each article's weights are the mean of its paragraphs' rows.
  The number of topics is capped by what the data supports (see :meth:`TopicModel.fit`).
* **Tables and listings** (``format_share``): articles whose tokens are at least 15 %
  numbers (earnings tables, dividend notices, results) form one topic of their own when
  they are 5 % to 2/3 of the corpus; NMF is fitted on the other articles.  Without it,
  on reuters-dev the earnings templates took five of six topics and one broad topic held
  most of the rest.
* **Choosing k** (``n_topics=None``): the vectorizer is fitted once and every k of a
  grid over ``k_range`` (default :func:`auto_k_range`, growing with the corpus: every k
  up to 10, then steps of about 20 %), plus the grid points below and above, is fitted
  on the same matrix (on a sample of ``search_units`` documents, the first in the
  canonical hash order, when the corpus is larger; the chosen k is then fitted once on
  all).  The criterion is the *elbow* of the reconstruction error (a scree test):
  ``gain(k)`` is how much each topic added since the previous k lowers the Frobenius
  error (the first counts from the empty model, ``‖X‖``), and k is chosen where adding
  them helped most compared with the next step, i.e. the largest
  ``gain(k) / gain(next k)``; a k whose score is within 10 % of the best
  (:data:`ELBOW_TOLERANCE`) counts as a tie and the largest such k wins.  On BBC the
  elbow at 5 is clear (1.34 against at most 1.20 elsewhere, on the whole corpus and on
  its halves) and 5 is chosen; on a wire of many subjects (reuters-dev) the scores are
  flat (1.0–1.3 over 4..24) and the smallest k won by noise, with one broad topic; the
  tie rule takes the finer model there.  From 1,000 documents on the range starts at
  5: a wire's first topics are its dominant genres (tables, deals, markets) and their
  elbow at 3-4 topics is as large as BBC's at its five categories (see
  :func:`auto_k_range`).  Themes that are really there
  each buy a large drop; past them, extra topics only split themes and every one buys a
  similar small drop.  The fits are deterministic (no resampling), so the choice is too;
  without sampling the chosen fit is exactly the one ``n_topics=k`` gives.  Coherence
  and diversity are reported for every k in ``k_scores_`` but not used: mean NPMI keeps
  rising with k on news (narrow topics such as one sport are very coherent).  When no k
  has both neighbours (tiny corpora), the k with the highest mean NPMI coherence wins.
* **Themes** (:mod:`analysis.topic_themes`): a deterministic hierarchy of the topics
  from the topic–term matrix, cut into ``n_themes`` groups; ``topics_`` carries each
  topic's ``theme_id`` and ``theme_label``.
* **Labels** (:mod:`analysis.topic_labels`): the best distinct terms; each topic's most
  typical article is ``representative_`` (its title becomes the topic's headline in
  :func:`analysis.analyze`).
* **Coherence** of a topic is the mean NPMI over pairs of its 10 best *unigram* terms
  (bigrams are skipped: their words would co-occur with themselves), computed on the
  fitted units themselves from the binary document-term matrix; a pair that never
  co-occurs scores −1.

>>> model = TopicModel(n_topics=2).fit(
...     ["The striker scored a goal in the football match."] * 5
...     + ["Shares fell as the bank raised interest rates."] * 5)
>>> model.n_topics_
2
>>> sorted(model.topics_["n_articles"].tolist())
[5, 5]
"""
from __future__ import annotations

import hashlib
import math
import re
import warnings
from numbers import Integral, Real

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn import config_context
from sklearn.base import BaseEstimator
from sklearn.decomposition import NMF
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfTransformer, TfidfVectorizer
from threadpoolctl import threadpool_limits

from .topic_labels import label_of, top_terms
from .topic_maps import article_map, topic_map
from .topic_quality import gain_and_elbow, mean_npmi, topic_diversity
from .topic_terms import TOKEN_PATTERN, NewsAnalyzer, VocabularyCounter, count_terms, number_shares
from .topic_themes import topic_themes

__all__ = ["TopicModel", "topic_map", "article_map", "auto_k_range", "NEWS_STOP_WORDS",
           "TOKEN_PATTERN"]

#: Words that are frequent in any news text and say nothing about its topic; added to
#: scikit-learn's English stop words.
NEWS_STOP_WORDS = frozenset("""
    said says say saying told tell tells telling asked added according reported reports
    mr mrs ms dr year years yesterday today week weeks month months day days time times
    new also would could should might must may one two three four five six seven eight
    nine ten first second third last next just like make makes made get gets got going
    way well much many lot people thing things including really want wanted think
    thought know knew did does doing use used despite
    don isn wasn didn doesn aren weren couldn wouldn shouldn hasn haven
    mln bln dlr dlrs pct cts reuter reuters inc corp ltd plc mid
    january february april june july august september october november december
    monday tuesday wednesday thursday friday saturday sunday
    """.split())

#: Minimum number of words a paragraph needs to become a unit in paragraph mode.
MIN_PARAGRAPH_WORDS = 5
_PARAGRAPH_SPLIT = re.compile(r"\n[ \t\r\f\v]*\n")
#: Documents below which min_df drops to 1 and max_df rises to 1.0.
_SMALL_CORPUS = 20
#: Units per topic the automatic k asks for on average (k <= n_units // 3).
_UNITS_PER_TOPIC = 3
_COHERENCE_TERMS = 10
#: Elbow scores within this fraction of the best count as a tie, won by the larger k.
ELBOW_TOLERANCE = 0.10
#: The format topic exists when its articles are between these shares of the corpus.
FORMAT_MIN_SHARE = 0.05
#: ... and at least this many (a template is something that repeats).
FORMAT_MIN_ARTICLES = 20
FORMAT_MAX_SHARE = 2 / 3
#: NMF tolerance of the candidate fits on a search sample (the chosen k is refitted).
_SEARCH_TOL = 1e-3
#: Largest k the automatic range reaches (corpora of 6,400 articles and more).
K_MAX = _K_MAX = 40
#: From this many documents the automatic range starts at _K_MIN_LARGE, not 4.
_LARGE_CORPUS = 1000
_K_MIN_LARGE = 5


class TopicModel(BaseEstimator):
    """TF-IDF + NMF topic model for news articles, deterministic and order-independent.

    Parameters
    ----------
    n_topics : int or None, default None
        Number of topics.  None chooses it over ``k_range`` (see the module docstring).
        A value larger than the corpus supports (more topics than documents or terms)
        is lowered with a warning.
    k_range : (int, int) or None, default None
        Smallest and largest k tried when ``n_topics`` is None, both included; None
        grows with the corpus (:func:`auto_k_range`: 4..10 up to 400 articles, 5..16 for
        1,000, 5..23 for 2,000, 5..40 from 6,400 on).  Every k up to 10 is tried, then steps of about
        20 %.  Clipped to what the corpus supports: at most one topic per 3 documents
        (paragraphs in paragraph mode), at least 1.
    n_top_terms : int, default 10
        Terms kept per topic in ``topic_terms_`` and the ``terms`` column.
    ngram_range : (int, int), default (1, 2)
        Word n-grams of the vectorizer; (1, 1) for words only.
    max_features : int or None, default 20000
        Vocabulary size cap (most frequent terms first).
    min_df : int, float or None, default None
        Minimum document frequency of a term (count or share).  None: 2 for corpora of
        20 documents or more, else 1.
    max_df : int, float or None, default None
        Maximum document frequency (count or share).  None: 0.5 for corpora of 20
        documents or more, else 1.0 (in a handful of documents the words they share are
        the point).
    extra_stop_words : iterable of str or None, default None
        Stop words added to scikit-learn's English list.  None: :data:`NEWS_STOP_WORDS`;
        ``()`` for none.
    random_state : int, default 0
        Seed for NMF's randomized SVD initialisation.
    max_iter : int, default 400
        NMF iterations.
    tol : float, default 1e-3
        NMF stopping tolerance.  1e-3 rather than scikit-learn's 1e-4: on a 10,000-article
        sample at k=20 the fit stops after 81 iterations instead of 372 (5.6 s instead of
        13 s of CPU) with topics matched at mean cosine 0.986, and BBC and reuters-dev
        score the same or better (``benchmarks/README.md``, topic quality).
    min_paragraph_docs : int, default 8
        Corpora with fewer articles are fitted on paragraphs; 0 never does.
    search_units : int, default 1000
        When k is chosen on a corpus of more documents than this, the candidate fits
        run on this many of them (a sample fixed by the documents' hashes, so
        independent of the corpus order), then the chosen k is fitted once on all.
    format_share : float or None, default 0.15
        An article whose tokens are at least this share numbers is a table or listing
        (earnings tables, dividend notices, shipping lists, results).  0.15 is far above
        the 99th percentile of BBC's prose articles (0.096; median 0.017; 2 of 2,092
        reach it) and catches 66 % of reuters-dev's single-code ``earn`` articles, 95 %
        of those caught being ``earn``.  At 0.1 it caught 77 % at 85 % (money supply,
        sugar and trade figures too), and the NMI of the dominant topic on the wire's
        halves was 0.02-0.06 lower at k = 10, 20 and 30: the earnings reports
        written as prose are better served by an NMF topic of their own.  When they are 5 % to 2/3 of
        the articles (and at least 20), such articles form one topic of their own and the NMF topics are
        fitted on the other articles, so their templates neither split into many topics
        nor pull prose into them; the format topic counts in k.  None turns it off.
    n_themes : int or None, default None
        Themes the topics are grouped into (:func:`analysis.topic_themes.topic_themes`);
        None: every topic its own theme up to 8 topics, then about the square root of
        the number of topics, at most 8.

    Attributes
    ----------
    n_topics_ : int
        Number of topics fitted.
    vectorizer_ : TfidfVectorizer
        Fitted on the units (articles, or paragraphs in paragraph mode).
    nmf_ : NMF
        The fitted NMF; its ``components_`` rows are in topic-id order and have unit
        length, so ``nmf_.transform(vectorizer_.transform(texts))`` gives raw weights.
    topic_term_ : ndarray (n_topics, n_terms)
        ``nmf_.components_``: unit-length topic term weights, rows in topic-id order.
    doc_topic_ : ndarray (n_articles, n_topics)
        Topic weights per article in the caller's order; rows sum to 1, or are all zero
        for an article with no usable terms.
    ids_ : list of str
        Article ids given to ``fit`` (``"0"``, ``"1"`` … when none were given).
    topic_terms_ : list of list of str
        Top ``n_top_terms`` terms per topic, best first.
    topics_ : DataFrame
        One row per topic: ``topic_id`` (int64, 0..k−1 by size), ``label`` (str, best 3
        terms joined with ``" · "``, no word repeated), ``terms`` (str, comma-separated),
        ``term_weights`` (str, comma-separated, 4 decimals), ``n_articles`` (int64,
        articles whose dominant topic it is), ``share`` (float64, n_articles / articles),
        ``weight_share`` (float64, summed weight / articles), ``coherence`` (float64,
        NPMI; NaN when a topic has fewer than 2 unigram terms), ``representative_id``
        (str, id of the topic's most typical article, ``""`` when it has none),
        ``theme_id`` (int64, 0.. by size) and ``theme_label`` (str) of the topic's theme.
    representative_ : ndarray of int64 (n_topics,)
        Index (caller order) of each topic's most typical article: the largest weight
        for the topic among the articles whose dominant topic it is; −1 when none.
    n_themes_ : int
        Number of themes the topics are grouped into.
    format_topic_ : int
        Id of the format topic (tables and listings, see ``format_share``), −1 when
        there is none.  ``nmf_`` then holds the other topics only.
    k_scores_ : DataFrame
        One row per k tried: ``k`` (int64), ``coherence`` (mean NPMI), ``diversity``,
        ``reconstruction_err`` (Frobenius norm of X − WH), ``gain`` (error drop per
        topic added since the previous k tried; NaN when none was), ``elbow``
        (``gain(k) / gain(next k)``, the selection score; NaN when not computed), ``n_iter`` (int64, NMF iterations
        used; ``max_iter`` means it stopped before converging), ``chosen`` (bool).
    coherence_ : float
        Mean topic coherence (NPMI) of the fitted model.
    diversity_ : float
        Distinct terms among all topics' top-10 terms / number of those terms.
    chosen_by_ : str
        ``"given"`` or how k was chosen.
    unit_ : str
        ``"article"`` or ``"paragraph"``.
    n_units_ : int
        Rows of the matrix the model was fitted on.
    """

    def __init__(self, n_topics=None, k_range=None, n_top_terms=10, ngram_range=(1, 2),
                 max_features=20000, min_df=None, max_df=None, extra_stop_words=None,
                 random_state=0, max_iter=400, tol=1e-3, min_paragraph_docs=8,
                 search_units=1000, n_themes=None, format_share=0.15):
        self.n_topics = n_topics
        self.k_range = k_range
        self.n_top_terms = n_top_terms
        self.ngram_range = ngram_range
        self.max_features = max_features
        self.min_df = min_df
        self.max_df = max_df
        self.extra_stop_words = extra_stop_words
        self.random_state = random_state
        self.max_iter = max_iter
        self.tol = tol
        self.min_paragraph_docs = min_paragraph_docs
        self.search_units = search_units
        self.n_themes = n_themes
        self.format_share = format_share

    # ------------------------------------------------------------------ validation
    def _check_params(self):
        def is_int(v):
            return isinstance(v, Integral) and not isinstance(v, bool)

        def is_real(v):
            return isinstance(v, Real) and not isinstance(v, bool)

        def bad(name, allowed):
            raise ValueError(f"{name} must be {allowed}; got {getattr(self, name)!r}")

        if self.n_topics is not None and not (is_int(self.n_topics) and self.n_topics >= 1):
            bad("n_topics", "None or an integer >= 1")
        kr = self.k_range
        if kr is not None and not (isinstance(kr, (tuple, list)) and len(kr) == 2
                                   and all(is_int(v) for v in kr) and 1 <= kr[0] <= kr[1]):
            bad("k_range", "None or a pair of integers (lo, hi) with 1 <= lo <= hi")
        if not (is_int(self.n_top_terms) and self.n_top_terms >= 1):
            bad("n_top_terms", "an integer >= 1")
        ng = self.ngram_range
        if not (isinstance(ng, (tuple, list)) and len(ng) == 2 and all(is_int(v) for v in ng)
                and 1 <= ng[0] <= ng[1] <= 3):
            bad("ngram_range", "a pair of integers (lo, hi) with 1 <= lo <= hi <= 3")
        if self.max_features is not None and not (is_int(self.max_features) and self.max_features >= 1):
            bad("max_features", "None or an integer >= 1")
        for name in ("min_df", "max_df"):
            v = getattr(self, name)
            if v is None:
                continue
            if is_int(v):
                if v < 1:
                    bad(name, "None, an integer count >= 1 or a float share in (0, 1]")
            elif is_real(v):
                if not (0.0 < float(v) <= 1.0):
                    bad(name, "None, an integer count >= 1 or a float share in (0, 1]")
            else:
                bad(name, "None, an integer count >= 1 or a float share in (0, 1]")
        esw = self.extra_stop_words
        if esw is not None and (isinstance(esw, str)
                                or not all(isinstance(w, str) for w in esw)):
            bad("extra_stop_words", "None or an iterable of strings (not a single string)")
        if self.random_state is not None and not is_int(self.random_state):
            bad("random_state", "an integer (or None for a different result each run)")
        if not (is_int(self.max_iter) and self.max_iter >= 1):
            bad("max_iter", "an integer >= 1")
        if not (is_real(self.tol) and self.tol > 0):
            bad("tol", "a number > 0")
        if not (is_int(self.min_paragraph_docs) and self.min_paragraph_docs >= 0):
            bad("min_paragraph_docs", "an integer >= 0")
        if not (is_int(self.search_units) and self.search_units >= 10):
            bad("search_units", "an integer >= 10")
        if self.n_themes is not None and not (is_int(self.n_themes) and self.n_themes >= 1):
            bad("n_themes", "None or an integer >= 1")
        if self.format_share is not None and not (is_real(self.format_share)
                                                  and 0 < self.format_share <= 1):
            bad("format_share", "None or a number in (0, 1]")

    # ------------------------------------------------------------------ fitting
    def fit(self, texts, ids=None, executor=None):
        """Fit topics to ``texts``.

        Parameters
        ----------
        texts : sequence of str
            Article texts (list, tuple, Series or array); None / NaN count as empty.
        ids : sequence or None
            Article ids, same length as ``texts``; stored as ``ids_`` (as str) and used
            by :meth:`article_topics_frame` and :meth:`dominant`.  Default ``"0"``,
            ``"1"`` …
        executor : concurrent.futures.Executor or None
            When k is chosen, the NMF fits for the candidate k run as tasks of this
            executor (e.g. a process pool), largest k first; the result is the same.

        Returns
        -------
        self

        Raises
        ------
        ValueError
            Invalid parameters, no texts, or only empty texts.

        Notes
        -----
        Units are the articles, or their paragraphs when there are fewer than
        ``min_paragraph_docs`` articles.  A given ``n_topics`` is lowered (with a
        warning) to the number of units with terms or of terms if either is smaller.
        When k is chosen, ``k_range`` is clipped to at most one topic per 3 units with
        terms (at least 1); with a single candidate left it is used as is.  Texts with
        no usable term get an all-zero row (dominant topic −1); if no text has one, the
        model has 0 topics (empty ``topics_``) and a warning says so.
        """
        with config_context(transform_output="default"):
            return self._fit(texts, ids, executor)

    def _fit(self, texts, ids, executor):
        self._check_params()
        texts = _as_texts(texts, "texts")
        if ids is None:
            ids = [str(i) for i in range(len(texts))]
        else:
            ids = [str(v) for v in _as_list(ids, "ids")]
            if len(ids) != len(texts):
                raise ValueError(f"ids must have one id per text: got {len(ids)} ids for "
                                 f"{len(texts)} texts")
        if not texts:
            raise ValueError("texts is empty: TopicModel.fit needs at least one article text")
        if not any(t.strip() for t in texts):
            raise ValueError(f"texts are all empty: none of the {len(texts)} texts has any "
                             f"words to find topics in")

        n_docs = len(texts)
        self.ids_ = ids
        self.unit_ = "paragraph" if n_docs < self.min_paragraph_docs else "article"
        unit_texts, unit_doc = _units(texts, self.unit_)
        # Canonical order: the fit sees the same matrix whatever order the caller used.
        keys = [(_digest(t), _digest(texts[d]), ids[d], pos) for t, d, pos in
                zip(unit_texts, unit_doc, _positions(unit_doc))]
        order = sorted(range(len(unit_texts)), key=keys.__getitem__)
        unit_texts = [unit_texts[i] for i in order]
        unit_doc = np.asarray([unit_doc[i] for i in order], dtype=np.int64)
        # Articles in canonical order too (by their first unit), for order-free sums.
        first = {}
        for pos, d in enumerate(unit_doc.tolist()):
            first.setdefault(d, pos)
        self._canon = np.asarray(sorted(range(n_docs), key=lambda d: (
            first.get(d, len(unit_doc)), ids[d], d)), dtype=np.int64)

        X = self._fit_vectorizer(unit_texts)
        if X is None:
            warnings.warn(f"no usable terms: the {n_docs} texts have only stop words, numbers "
                          f"or words shorter than 3 letters; fitted 0 topics", UserWarning,
                          stacklevel=3)
            self._fit_no_terms(len(unit_texts), n_docs)
            return self
        n_units, n_terms = X.shape
        self.n_units_ = n_units
        fmt = self._format_units(unit_texts)
        n_fmt = int(fmt.any())                  # the format topic, when there is one
        Xn = X[~fmt] if n_fmt else X            # what NMF is fitted on
        nonzero_units = int((Xn.getnnz(axis=1) > 0).sum())
        hard_max = max(1, min(nonzero_units, n_terms)) + n_fmt
        rng_seed = self.random_state
        Xs = Xn

        if self.n_topics is not None:
            k = max(min(self.n_topics, hard_max), 1 + n_fmt)
            if k < self.n_topics:
                warnings.warn(f"n_topics={self.n_topics} is more than this corpus supports "
                              f"({nonzero_units} {self.unit_}s with terms, {n_terms} terms); "
                              f"fitting {k} topics", UserWarning, stacklevel=3)
                self.chosen_by_ = f"given ({self.n_topics}, lowered to {k}: corpus too small)"
            else:
                self.chosen_by_ = "given"
            fits = {k: self._nmf(Xn, k - n_fmt, rng_seed)}
            ks = [k]
            chosen = k
        else:
            supported = max(1, min(hard_max - n_fmt, nonzero_units // _UNITS_PER_TOPIC)) + n_fmt
            wanted = (auto_k_range(n_units) if self.k_range is None else tuple(self.k_range))
            hi = max(min(wanted[1], supported), 1 + n_fmt)
            lo = max(min(wanted[0], hi), 1 + n_fmt)
            ks = _k_grid(lo, hi)
            if len(ks) == 1:
                fits = {lo: self._nmf(Xn, lo - n_fmt, rng_seed)}
                chosen = lo
                self.chosen_by_ = ("only k in k_range" if (lo, hi) == wanted else
                                   f"only k the corpus supports ({nonzero_units} {self.unit_}s "
                                   f"with terms, k_range {wanted})")
            else:
                extra = [k for k in (lo - 1, _next_k(hi)) if 1 + n_fmt <= k <= hard_max]
                # Rows are in canonical (hash) order, so the first rows are a uniform
                # sample that does not depend on the corpus order.
                sampled = Xn.shape[0] > self.search_units
                Xs = Xn[:self.search_units] if sampled else Xn
                cols = None
                if sampled:
                    # The search only compares errors: fit the sample's terms found in
                    # two of its rows or more, to a looser tolerance (reuters-dev: half
                    # the columns, a third of the time, errors equal to 4 decimals).
                    cols = np.flatnonzero(np.diff(Xs.tocsc().indptr) >= 2)
                    Xs = Xs[:, cols]
                fits = self._nmf_many(Xs, sorted(ks + extra), n_fmt, rng_seed, executor,
                                      tol=max(self.tol, _SEARCH_TOL) if sampled else None)
                if cols is not None:
                    for _, model, _ in fits.values():        # back to the vocabulary
                        H = np.zeros((model.components_.shape[0], n_terms))
                        H[:, cols] = model.components_
                        model.components_ = H
                chosen = None
        scores = self._score_ks(Xs if chosen is None else Xn, ks, fits, n_fmt)
        sampled = chosen is None and Xs.shape[0] < Xn.shape[0]
        if chosen is None:
            elbow = scores.set_index("k")["elbow"]
            where = (f"k={lo}..{hi}" if len(ks) == hi - lo + 1
                     else f"k in {', '.join(map(str, ks))}")
            if sampled:
                where += f", searched on {Xs.shape[0]:,} of {Xn.shape[0]:,} {self.unit_}s"
            if elbow.notna().any():
                # Near-ties (within ELBOW_TOLERANCE of the best) go to the larger k: on a
                # wire of many subjects the elbow is flat and the finer model reads
                # better (themes regroup it); a clear elbow (BBC's 5) has no near-tie.
                best = elbow.max()
                chosen = int(elbow[elbow >= best / (1 + ELBOW_TOLERANCE)].index.max())
                self.chosen_by_ = (f"elbow of the reconstruction error over {where}: "
                                   f"largest gain(k) / gain(next k), near-ties (within "
                                   f"{ELBOW_TOLERANCE:.0%}) to the larger k")
            else:
                coh = scores.set_index("k")["coherence"]
                chosen = int(coh.fillna(-np.inf).idxmax())
                self.chosen_by_ = (f"highest mean NPMI coherence over {where} "
                                   f"(too few {self.unit_}s for the error elbow)")
            if sampled:
                fits[chosen] = self._nmf(Xn, chosen - n_fmt, rng_seed)     # the one full fit
        if n_fmt:
            self.chosen_by_ += (f"; {int(fmt.sum())} {self.unit_}s of tables and listings "
                                f"(at least {self.format_share:.0%} numbers) form their own topic")
        scores["chosen"] = scores["k"] == chosen
        self.k_scores_ = scores
        self._finish(X, *fits[chosen], unit_doc, n_docs, fmt)
        return self

    def _format_units(self, unit_texts):
        """Units that are tables or listings rather than prose (earnings tables, dividend
        notices, shipping lists): at least ``format_share`` of their tokens are numbers.
        Returned as a boolean array; all False in paragraph mode, when they are fewer
        than :data:`FORMAT_MIN_ARTICLES` or than :data:`FORMAT_MIN_SHARE` of the units (a few results pages in a prose corpus
        swallow nothing, and a topic of their own would cost one of a small k: BBC's 18
        of 2,092) or more than :data:`FORMAT_MAX_SHARE` (then they are the corpus)."""
        n = len(unit_texts)
        none = np.zeros(n, dtype=bool)
        if self.format_share is None or self.unit_ != "article":
            return none
        share = number_shares(unit_texts)
        fmt = share >= self.format_share
        lo = max(FORMAT_MIN_ARTICLES, FORMAT_MIN_SHARE * n)
        return fmt if lo <= fmt.sum() <= FORMAT_MAX_SHARE * n else none

    def _fit_no_terms(self, n_units, n_docs):
        """The degenerate fit of a corpus without a single usable term: 0 topics."""
        self.vectorizer_ = None
        self.nmf_ = None
        self.n_units_ = n_units
        self.n_topics_ = 0
        self.topic_term_ = np.zeros((0, 0))
        self.doc_topic_ = np.zeros((n_docs, 0))
        self._rank = np.zeros(0, dtype=np.int64)
        self.topic_terms_ = []
        self.coherence_per_topic_ = np.zeros(0)
        self.coherence_ = np.nan
        self.diversity_ = np.nan
        self.reconstruction_err_ = 0.0
        self.chosen_by_ = "no usable terms in any text: no topics"
        self.topics_ = pd.DataFrame({
            "topic_id": pd.Series(dtype="int64"), "label": pd.Series(dtype=object),
            "terms": pd.Series(dtype=object), "term_weights": pd.Series(dtype=object),
            "n_articles": pd.Series(dtype="int64"), "share": pd.Series(dtype="float64"),
            "weight_share": pd.Series(dtype="float64"), "coherence": pd.Series(dtype="float64"),
            "representative_id": pd.Series(dtype=object), "theme_id": pd.Series(dtype="int64"),
            "theme_label": pd.Series(dtype=object)})
        self.representative_ = np.zeros(0, dtype=np.int64)
        self.n_themes_ = 0
        self.format_topic_ = -1
        self._nmf_topic = np.zeros(0, dtype=np.int64)
        self.k_scores_ = pd.DataFrame({
            "k": pd.Series(dtype="int64"), "coherence": pd.Series(dtype="float64"),
            "diversity": pd.Series(dtype="float64"),
            "reconstruction_err": pd.Series(dtype="float64"), "gain": pd.Series(dtype="float64"),
            "elbow": pd.Series(dtype="float64"), "n_iter": pd.Series(dtype="int64"),
            "chosen": pd.Series(dtype=bool)})

    def _fit_vectorizer(self, unit_texts):
        """TF-IDF matrix of the units (None when no unit has a single term); sets
        ``vectorizer_``, ``min_df_``, ``max_df_``.

        Same result as ``TfidfVectorizer(min_df=..., max_df=..., max_features=...)
        .fit_transform`` except at the ``max_features`` cut: terms are ranked by total
        count, then document count, and terms tied with the first one that does not fit
        are all dropped (scikit-learn keeps an arbitrary part of them).  Faster with
        bigrams: terms are counted in one pass (:func:`analysis.topic_terms.count_terms`) and pruned on
        arrays instead of sorting every bigram seen.  ``vectorizer_`` is then a plain ``TfidfVectorizer`` with that
        vocabulary and idf, so ``vectorizer_.transform`` works on new texts."""
        n = len(unit_texts)
        small = n < _SMALL_CORPUS
        min_df = self.min_df if self.min_df is not None else (1 if small else 2)
        max_df = self.max_df if self.max_df is not None else (1.0 if small else 0.5)
        self.min_df_, self.max_df_ = min_df, max_df
        extra = NEWS_STOP_WORDS if self.extra_stop_words is None else self.extra_stop_words
        stop = sorted(ENGLISH_STOP_WORDS | {w.lower() for w in extra})

        analyzer = NewsAnalyzer(stop, tuple(self.ngram_range))

        def make(vocabulary=None):
            return TfidfVectorizer(analyzer=analyzer, sublinear_tf=True,
                                   vocabulary=vocabulary, dtype=np.float64)

        C, terms = count_terms(unit_texts, analyzer)
        if C is None:
            return None
        df = np.bincount(C.indices, minlength=len(terms))
        tf = np.bincount(C.indices, weights=C.data, minlength=len(terms))

        def select(mn, mx):
            lo = mn if isinstance(mn, Integral) else mn * n
            hi = mx if isinstance(mx, Integral) else mx * n
            return np.flatnonzero((df >= lo) & (df <= hi))

        keep = select(min_df, max_df)
        if len(keep) == 0:
            keep = select(1, 1.0)
            warnings.warn(f"min_df={min_df!r} / max_df={max_df!r} leave no terms in {n} "
                          f"{self.unit_}s; using min_df=1, max_df=1.0", UserWarning, stacklevel=4)
            self.min_df_, self.max_df_ = min_df, max_df = 1, 1.0
        if self.max_features is not None and len(keep) > self.max_features:
            # Most frequent first (total count, then document count).  Terms tied with
            # the first one left out are all left out rather than cut arbitrarily (by
            # name); only if that leaves nothing are ties broken alphabetically.
            by_name = keep[np.argsort(terms[keep].astype(str), kind="stable")]
            ranked = by_name[np.lexsort((-df[by_name], -tf[by_name]))]
            first_out = ranked[self.max_features]
            better = (tf[ranked] > tf[first_out]) | ((tf[ranked] == tf[first_out])
                                                     & (df[ranked] > df[first_out]))
            keep = ranked[better] if better.any() else ranked[:self.max_features]
        keep = keep[np.argsort(terms[keep].astype(str), kind="stable")]     # alphabetical
        tfidf = TfidfTransformer(norm="l2", use_idf=True, smooth_idf=True, sublinear_tf=True)
        X = tfidf.fit_transform(C[:, keep])
        names = [str(t) for t in terms[keep]]
        vec = make({t: i for i, t in enumerate(names)})
        vec.idf_ = tfidf.idf_
        self.vectorizer_ = vec
        # = vec.get_feature_names_out(), which re-sorts the vocabulary by index (80 ms on
        # reuters-dev); the index order is this list's.
        self._terms = np.asarray(names, dtype=object)
        X = sparse.csr_matrix(X, dtype=np.float64)
        self._binary = (X > 0).astype(np.float64).tocsc()
        self._df = np.asarray(self._binary.sum(axis=0)).ravel()
        self._is_unigram = np.array([" " not in t for t in self._terms], dtype=bool)
        return X

    def _nmf(self, X, k, seed):
        return _fit_nmf(X, k, seed, self.max_iter, self.tol)

    def _nmf_many(self, X, ks, n_fmt, seed, executor, tol=None):
        """``{k: _nmf(X, k − n_fmt)}`` for every k (topics counting the format topic), in
        ``executor`` when one is given; ``tol`` defaults to ``self.tol``."""
        tol = self.tol if tol is None else tol
        if executor is None:
            return {k: _fit_nmf(X, k - n_fmt, seed, self.max_iter, tol) for k in ks}
        # Largest k first: the longest fits start first, so the workers end together.
        futures = {k: executor.submit(_fit_nmf, X, k - n_fmt, seed, self.max_iter, tol)
                   for k in sorted(ks, reverse=True)}
        return {k: futures[k].result() for k in sorted(ks)}

    def _score_ks(self, X, ks, fits, n_fmt=0):
        """k_scores frame for ``ks`` from the fits (which may include the k below and
        above); with a format topic, k counts it and the errors are the NMF's on the
        other units."""
        errs = {k: f[2] for k, f in fits.items()}
        errs[n_fmt] = float(np.sqrt(np.sum(X.data ** 2)))
        rows = []
        for k in ks:
            W, model, err = fits[k]
            H = model.components_
            tops = [top_terms(h, self._terms, _COHERENCE_TERMS) for h in H]
            g, elbow = gain_and_elbow(errs, k)
            rows.append({"k": k, "coherence": _nanmean([self._coherence(X, h) for h in H]),
                         "diversity": topic_diversity(tops), "reconstruction_err": err,
                         "gain": g, "elbow": elbow, "n_iter": model.n_iter_})
        out = pd.DataFrame(rows, columns=["k", "coherence", "diversity", "reconstruction_err",
                                          "gain", "elbow", "n_iter"])
        return out.astype({"k": "int64", "coherence": "float64", "diversity": "float64",
                           "reconstruction_err": "float64", "gain": "float64",
                           "elbow": "float64", "n_iter": "int64"})

    def _coherence(self, X, h):
        """NPMI over the topic's 10 best unigram terms on the binary unit-term matrix."""
        order = np.argsort(-h, kind="stable")
        idx = order[self._is_unigram[order] & (h[order] > 0)][:_COHERENCE_TERMS]
        return mean_npmi(self._binary, self._df, idx.astype(np.int64))

    def _finish(self, X, W, model, err, unit_doc, n_docs, fmt):
        for message, category in model.__dict__.pop("_caught_warnings", []):
            warnings.warn(message, category, stacklevel=4)
        H = model.components_
        if fmt.any():
            # The format topic: the mean term vector of its units, unit length like the
            # NMF topics; its units weigh only on it.
            h_fmt = np.asarray(X[fmt].mean(axis=0)).ravel()
            h_fmt /= max(np.linalg.norm(h_fmt), 1e-300)
            H = np.vstack([H, h_fmt])
            Wf = np.zeros((X.shape[0], H.shape[0]))
            Wf[~fmt, :-1] = W
            Wf[fmt, -1] = 1.0
            W = Wf
            # Its articles all weigh 1 on it: the most typical is the closest to its mean.
            typical = np.zeros(n_docs)
            np.maximum.at(typical, unit_doc[fmt], np.asarray(X[fmt] @ h_fmt).ravel())
        else:
            typical = np.zeros(n_docs)
        k = W.shape[1]
        article_w = _aggregate(W, unit_doc, n_docs)          # canonical-unit -> caller order
        # Intrinsic tie-break for dominant topics: larger total weight, then label.
        labels0 = [label_of(h, self._terms) for h in H]
        total = article_w.sum(axis=0)
        prio0 = sorted(range(k), key=lambda j: (-total[j], labels0[j], j))
        rank0 = np.empty(k, dtype=np.int64)
        rank0[prio0] = np.arange(k)
        dom0 = _dominant(article_w, rank0)
        counts = np.bincount(dom0[dom0 >= 0], minlength=k)
        terms0 = [", ".join(top_terms(h, self._terms, self.n_top_terms)) for h in H]
        perm = sorted(range(k), key=lambda j: (-counts[j], labels0[j], terms0[j], rank0[j]))
        perm = np.asarray(perm, dtype=np.int64)

        n_nmf = model.components_.shape[0]
        new_id = np.empty(k, dtype=np.int64)
        new_id[perm] = np.arange(k)
        # NMF components in topic-id order, and the topic id of each.
        nmf_ids = np.sort(new_id[:n_nmf])
        model.components_ = H[perm[nmf_ids]]
        self._nmf_topic = nmf_ids
        self.format_topic_ = int(new_id[k - 1]) if k > n_nmf else -1
        self.nmf_ = model
        self.n_topics_ = k
        self.topic_term_ = H[perm]
        self.doc_topic_ = article_w[:, perm]
        self._rank = rank0[perm]                 # tie priority in the new numbering
        self.topic_terms_ = [top_terms(h, self._terms, self.n_top_terms) for h in self.topic_term_]
        self.coherence_per_topic_ = np.array([self._coherence(X, h) for h in self.topic_term_])
        self.coherence_ = _nanmean(self.coherence_per_topic_)
        self.diversity_ = topic_diversity([top_terms(h, self._terms, 10) for h in self.topic_term_])
        self.reconstruction_err_ = err

        dom = self._dominant_ids()
        n_articles = np.bincount(dom[dom >= 0], minlength=k).astype(np.int64)
        weights = [", ".join(f"{h[i]:.4f}" for i in np.argsort(-h, kind="stable")[:len(t)])
                   for h, t in zip(self.topic_term_, self.topic_terms_)]
        self.topics_ = pd.DataFrame({
            "topic_id": np.arange(k, dtype=np.int64),
            "label": [labels0[j] for j in perm],
            "terms": [", ".join(t) for t in self.topic_terms_],
            "term_weights": weights,
            "n_articles": n_articles,
            "share": n_articles / n_docs,
            "weight_share": self.doc_topic_[self._canon].sum(axis=0) / n_docs,
            "coherence": self.coherence_per_topic_.astype(np.float64),
        })
        self.representative_ = self._representatives(dom, typical)
        self.topics_["representative_id"] = pd.Series(
            [self.ids_[i] if i >= 0 else "" for i in self.representative_], dtype=object)
        themes = topic_themes(self.topic_term_, self._terms, n_articles, self.n_themes)
        self.topics_["theme_id"] = themes["theme_id"].to_numpy()
        self.topics_["theme_label"] = themes["theme_label"].to_numpy(dtype=object)
        self.n_themes_ = int(themes["theme_id"].nunique())
        for attr in ("_binary", "_df", "_is_unigram"):
            self.__dict__.pop(attr, None)

    def _representatives(self, dom, typical):
        """Per topic, the index of its most typical article: the largest weight for the
        topic among the articles whose dominant topic it is, ties to the larger
        ``typical`` (the format topic's articles all weigh 1: their cosine to its term
        vector), then canonical order; −1 for a topic that is nobody's dominant topic."""
        out = np.full(self.n_topics_, -1, dtype=np.int64)
        canon = self._canon
        for j in range(self.n_topics_):
            rows = canon[dom[canon] == j]
            if len(rows):
                best = np.lexsort((-typical[rows], -self.doc_topic_[rows, j]))[0]
                out[j] = rows[best]
        return out

    def _dominant_ids(self):
        return _dominant(self.doc_topic_, self._rank)

    # ------------------------------------------------------------------ using the fit
    def _check_fitted(self):
        if not hasattr(self, "doc_topic_"):
            raise RuntimeError("this TopicModel is not fitted yet: call fit(texts) first")

    def transform(self, texts):
        """Topic weights of new texts, shape (len(texts), n_topics_), rows summing to 1
        (all zero for a text with no known term).  Texts are split into paragraphs and
        averaged when the model was fitted on paragraphs."""
        self._check_fitted()
        texts = _as_texts(texts, "texts")
        if not texts or self.n_topics_ == 0:
            return np.zeros((len(texts), self.n_topics_))
        unit_texts, unit_doc = _units(texts, self.unit_)
        with config_context(transform_output="default"):
            with_format = self.format_topic_ >= 0
            X, share = self._tfidf(unit_texts, shares=with_format)
            W = np.zeros((X.shape[0], self.n_topics_))
            fmt = np.zeros(X.shape[0], dtype=bool)
            if with_format:
                fmt = share >= self.format_share
                W[fmt, self.format_topic_] = 1.0
            if (~fmt).any():
                W[np.ix_(np.flatnonzero(~fmt), self._nmf_topic)] = self.nmf_.transform(X[~fmt])
        return _aggregate(W, np.asarray(unit_doc, dtype=np.int64), len(texts))

    def _tfidf(self, texts, shares=False):
        """``(vectorizer_.transform(texts), number shares or None)``, counted by a
        :class:`~analysis.topic_terms.VocabularyCounter` built once per fitted model
        (assigning every article of an archive is the hot path: about 1.4x faster than the
        vectorizer's own analyzer and dict look-ups, same matrix); the counter gives each
        text's :func:`~analysis.topic_terms.number_share` from the same pass."""
        counter = self.__dict__.get("_counter")
        if counter is None or counter.vocabulary is not self.vectorizer_.vocabulary_:
            counter = self._counter = VocabularyCounter(self.vectorizer_.analyzer,
                                                        self.vectorizer_.vocabulary_)
        tfidf = TfidfTransformer(norm="l2", use_idf=True, smooth_idf=True, sublinear_tf=True)
        tfidf.idf_ = self.vectorizer_.idf_
        counts, share = counter.count(texts, shares=shares)
        return tfidf.transform(counts), share

    def __getstate__(self):
        # The counter's caches are rebuilt on first use; a pickled model stays its size.
        state = super().__getstate__()
        state.pop("_counter", None)
        return state

    def _resolve_ids(self, ids):
        self._check_fitted()
        if ids is None:
            return list(self.ids_)
        ids = [str(v) for v in _as_list(ids, "ids")]
        if len(ids) != self.doc_topic_.shape[0]:
            raise ValueError(f"ids must have one id per fitted text: got {len(ids)} ids for "
                             f"{self.doc_topic_.shape[0]} texts")
        return ids

    def article_topics_frame(self, ids=None):
        """Long frame ``article_id`` (str), ``topic_id`` (int64), ``weight`` (float64):
        one row per article and topic with a non-zero weight, in article order then topic
        id; an article's weights sum to 1.  ``ids`` default to the ids given to ``fit``."""
        ids = self._resolve_ids(ids)
        rows, cols = np.nonzero(self.doc_topic_ > 0)
        return pd.DataFrame({
            "article_id": pd.Series([ids[r] for r in rows], dtype=object),
            "topic_id": cols.astype(np.int64),
            "weight": self.doc_topic_[rows, cols].astype(np.float64),
        })

    def dominant(self, ids=None):
        """Frame ``article_id`` (str), ``topic_id`` (int64; −1 for an article with no
        topic weight), ``topic_weight`` (float64, 0.0 for −1), one row per article in
        order.  Exact ties go to the topic with more total weight."""
        ids = self._resolve_ids(ids)
        dom = self._dominant_ids()
        w = np.zeros(len(dom))
        has = dom >= 0
        w[has] = self.doc_topic_[np.flatnonzero(has), dom[has]]
        return pd.DataFrame({"article_id": pd.Series(ids, dtype=object),
                             "topic_id": dom.astype(np.int64),
                             "topic_weight": w.astype(np.float64)})


# ---------------------------------------------------------------------- helpers
def _as_list(values, name):
    if isinstance(values, (str, bytes)):
        raise TypeError(f"{name} must be a sequence of strings, got a single "
                        f"{type(values).__name__}; wrap it in a list")
    if isinstance(values, pd.Series):
        return values.tolist()
    if isinstance(values, np.ndarray):
        return values.ravel().tolist()
    try:
        return list(values)
    except TypeError:
        raise TypeError(f"{name} must be a sequence of strings, got "
                        f"{type(values).__name__}") from None


def _as_texts(texts, name):
    out = []
    for t in _as_list(texts, name):
        if t is None or (not isinstance(t, str) and pd.api.types.is_scalar(t) and pd.isna(t)):
            out.append("")
        elif isinstance(t, str):
            out.append(t)
        else:
            raise TypeError(f"{name} must hold strings (None/NaN count as empty); got "
                            f"{type(t).__name__}: {t!r:.60}")
    return out


def _digest(text):
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()


def _positions(unit_doc):
    seen = {}
    out = []
    for d in unit_doc:
        out.append(seen.get(d, 0))
        seen[d] = out[-1] + 1
    return out


def _fit_nmf(X, k, seed, max_iter, tol):
    """Fit NMF; return (W, fitted NMF, error) with unit-length ``components_`` and W scaled
    to match.  A module function, so fits for several k can run in worker processes."""
    model = NMF(n_components=k, init="nndsvda", solver="cd", beta_loss="frobenius",
                max_iter=max_iter, tol=tol, random_state=seed)
    # Warnings (ConvergenceWarning) are kept with the fit and re-issued only for the
    # fit that is kept, so choosing k does not print one per k tried.
    # One BLAS thread wherever it runs: the same bits in a worker or here, and no
    # fight for cores with other workers.
    with warnings.catch_warnings(record=True) as caught, np.errstate(invalid="ignore"), \
            threadpool_limits(1):
        warnings.simplefilter("always")
        W = model.fit_transform(X)
    model._caught_warnings = [(w.message, w.category) for w in caught]
    H = model.components_
    norms = np.linalg.norm(H, axis=1)
    norms[norms == 0] = 1.0
    model.components_ = H / norms[:, None]
    err = float(model.reconstruction_err_)
    if not math.isfinite(err):             # a (near-)perfect fit: 0 - rounding
        err = 0.0
        model.reconstruction_err_ = err
    return W * norms, model, err


def auto_k_range(n_units):
    """``(lo, hi)`` the automatic choice of k searches for ``n_units`` documents: up to
    ``sqrt(n_units) / 2``, at least 10 and at most 40 (10 up to 400 articles, 16 for
    1,000, 23 for BBC's 2,092, 34 for 4,500, 40 from 6,400 on), from 4, or from 5 on
    1,000 documents and more.  The fit further caps it at one topic per 3 documents.

    Why 5 from 1,000 on: on a newswire the first few topics are its dominant genres
    (tables, deals, markets) and their elbow at 3-4 topics is the largest of the curve
    (reuters-dev: 1.38 and 1.32 at k=4 on its halves, against BBC's 1.34 at its five
    categories), so a search from 4 stopped at 4 subjects on a wire of sixty."""
    n_units = max(n_units, 0)
    hi = int(min(_K_MAX, max(10, round(math.sqrt(n_units) / 2))))
    return (_K_MIN_LARGE if n_units >= _LARGE_CORPUS else 4), hi


def _k_grid(lo, hi):
    """The k tried between ``lo`` and ``hi`` (both included): every k up to 10, then
    steps of about 20 % (10, 12, 14, 17, 20, 24, 29, 35, 40), so the number of fits grows
    with the log of the range."""
    ks, k = [], lo
    while k < hi:
        ks.append(k)
        k = _next_k(k)
    ks.append(hi)
    return ks


def _next_k(k):
    return k + 1 if k < 10 else max(k + 1, int(round(k * 1.2)))


def _units(texts, unit):
    """Texts -> (unit texts, index of the text each unit comes from)."""
    if unit == "article":
        return list(texts), list(range(len(texts)))
    unit_texts, unit_doc = [], []
    for d, text in enumerate(texts):
        paras = [p.strip() for p in _PARAGRAPH_SPLIT.split(text)]
        good = [p for p in paras if len(p.split()) >= MIN_PARAGRAPH_WORDS]
        if not good and text.strip():
            good = [text.strip()]
        unit_texts.extend(good)
        unit_doc.extend([d] * len(good))
    return unit_texts, unit_doc


def _aggregate(W, unit_doc, n_docs):
    """Unit weights -> per-text weights: unit rows normalised to sum 1, averaged per text
    (units without weight count as zero rows), renormalised to sum 1."""
    k = W.shape[1]
    sums = W.sum(axis=1, keepdims=True)
    R = np.divide(W, sums, out=np.zeros_like(W, dtype=np.float64), where=sums > 0)
    out = np.zeros((n_docs, k))
    if len(unit_doc):
        np.add.at(out, unit_doc, R)
    tot = out.sum(axis=1, keepdims=True)
    return np.divide(out, tot, out=np.zeros_like(out), where=tot > 0)


def _dominant(weights, rank):
    """Row argmax; exact ties to the lowest ``rank``; −1 for an all-zero row."""
    if weights.shape[1] == 0:
        return np.full(weights.shape[0], -1, dtype=np.int64)
    mx = weights.max(axis=1, keepdims=True)
    cand = np.where(weights == mx, rank[None, :], np.iinfo(np.int64).max)
    dom = cand.argmin(axis=1).astype(np.int64)
    dom[mx[:, 0] <= 0] = -1
    return dom


def _nanmean(values):
    arr = np.asarray(values, dtype=np.float64)
    return float(np.nanmean(arr)) if np.isfinite(arr).any() else np.nan


