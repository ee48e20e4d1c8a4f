"""The terms a topic model counts: news tokens, stop words removed, then n-grams.

News is made of names: ``US``, ``EU``, ``UN``, ``G7``, ``5G``, ``AI``, ``COVID-19``,
``F-35``.  A plain alphabetic pattern of three letters or more drops every one of them;
``\\w\\w+`` keeps them but also every number, ``1st``, ``13bn`` and ``1980s``.  The rules
here keep the names and drop the quantities:

* **words** of three or more letters, lowercased (``Russia's`` -> ``russia``); a word
  followed by a contraction ending (``don't``, ``they're``, ``we'll``) or preceded by
  letter + apostrophe (``o'clock``, ``O'Brien``) is dropped rather than kept as a fragment;
  hyphenated words count as their parts (``well-known`` -> ``well``, ``known``);
* **acronyms** of two capitals stay in capitals (``US``, ``EU``, ``UN``, ``AI``: their
  lowercase forms are stop words or fragments), dotted ones lose the dots
  (``U.S.`` -> ``US``, ``U.K.`` -> ``UK``); longer all-capital words are lowercased like any
  word (``OPEC`` -> ``opec``), so a headline in capitals counts the same as in lower case;
* **names with digits** are kept, in capitals, when they start with a capital letter
  (``G7``, ``F-35``, ``COVID-19``/``Covid-19`` -> ``COVID-19``, ``A320``, ``MP3``) or are
  digits followed by capitals (``5G``, ``3D``);
* **dropped**: bare numbers (``2024``, ``737``, ``1,000``), quantities and ordinals
  (``13bn``, ``600m``, ``1980s``, ``2nd``), lowercase two-letter words, single letters,
  stop words.

A text written all in capitals (an agency's shouted headline) is read as if it were in
lower case, so its two-letter words (``IN``, ``OF``) do not turn into acronyms; see
:func:`analysis.topic_documents.topic_documents`.

Stop words are removed before n-grams are formed, so no term contains a stop word.

Speed: the rules above need look-arounds (:data:`TOKEN_PATTERN`), which make a regex scan
of a whole article slow.  A text is instead cut into *compounds* (:data:`COMPOUND_PATTERN`:
word characters joined by single hyphens, dots or apostrophes, and a final dot), a scan
without look-arounds, and each distinct compound is read with :data:`TOKEN_PATTERN` and
normalised once (a dict with ``__missing__``): per compound, one dict look-up.  No match
of :data:`TOKEN_PATTERN`, and none of its look-arounds, reaches across a compound's edge,
so the terms are those of :data:`TOKEN_PATTERN` over the whole text (a property test
checks it on random text).

>>> NewsAnalyzer(stop_words={"the", "at", "and"})("The U.S. and EU met at the G7 on 5G.")
['US', 'EU', 'met', 'G7', '5G']
"""
from __future__ import annotations

import re
from itertools import chain

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from scipy import sparse

__all__ = ["TOKEN_PATTERN", "COMPOUND_PATTERN", "NewsAnalyzer", "count_terms",
           "count_known_terms", "VocabularyCounter", "number_share", "number_shares"]

#: Raw tokens: dotted acronyms (``U.S.``) or runs of letters/digits joined by hyphens;
#: tokens glued to a contraction or an elision apostrophe are not matched at all.
TOKEN_PATTERN = (r"(?<![^\W\d_]['’])\b(?:(?:[^\W\d_]\.){2,}(?![^\W_])"
                 r"|[^\W_]+(?:-[^\W_]+)*\b(?!['’](?:t|re|ve|ll|d|m)\b))")
_TOKEN_RE = re.compile(TOKEN_PATTERN)
#: Compounds: runs of word characters (underscore included: ``\\b`` in
#: :data:`TOKEN_PATTERN` sees it as one) joined by one hyphen, dot or apostrophe, with
#: the dot that ends a dotted acronym (``U.S.``).  Left of a compound is never a word
#: character, nor a separator after one; right of it neither.
COMPOUND_PATTERN = r"\w+(?:[-.'’]\w+)*\.?"
_COMPOUND_RE = re.compile(COMPOUND_PATTERN)


class _Normaliser(dict):
    """compound -> tuple of terms (empty when dropped), computed once per compound."""

    def __init__(self, stop_words):
        super().__init__()
        self.stop = stop_words

    def __missing__(self, compound):
        found = _TOKEN_RE.findall(compound)
        if len(found) == 1:             # most compounds are one word
            value = self._terms(found[0])
        else:
            value = tuple(chain.from_iterable(map(self._terms, found)))
        self[compound] = value
        return value

    def _word(self, t):
        """Terms of an alphabetic token, or None when ``t`` is not alphabetic."""
        if not t.isalpha():
            return None
        if len(t) >= 3:
            w = t.lower()
            return () if w in self.stop else (w,)
        return (t,) if len(t) == 2 and t.isupper() else ()

    def _parts(self, t):
        out = ()
        for part in t.split("-"):
            out += self._word(part) or ()
        return out

    def _terms(self, t):
        word = self._word(t)
        if word is not None:
            return word
        if "." in t:                                    # U.S., U.K.; not e.g., a.m.
            letters = t.replace(".", "")
            return (letters,) if letters.isupper() and len(letters) <= 4 else ()
        letters = [c for c in t if c.isalpha()]
        if len(letters) == len(t) - t.count("-"):       # hyphenated words, no digits
            return self._parts(t)
        if not letters:                                 # 2024, 1,000, 2-1
            return ()
        if t[0].isalpha() and t[0].isupper():           # G7, F-35, COVID-19, A320
            return (t.upper(),)
        if "-" not in t and t[0].isdigit() and all(c.isupper() for c in letters):
            return (t,)                                 # 5G, 3D
        return self._parts(t) if "-" in t else ()       # mid-1987 -> mid; 13bn, 2nd


class NewsAnalyzer:
    """Callable ``text -> list of terms`` (the rules of the module docstring), usable as
    ``TfidfVectorizer(analyzer=NewsAnalyzer(...))``.  Picklable, so a fitted vectorizer
    travels to worker processes.

    Parameters
    ----------
    stop_words : iterable of str
        Lowercase words never counted (alone or inside an n-gram).
    ngram_range : (int, int), default (1, 1)
        Word n-grams formed after stop words are removed.
    """

    def __init__(self, stop_words=(), ngram_range=(1, 1)):
        self.stop_words = frozenset(stop_words)
        self.ngram_range = tuple(ngram_range)
        self._norm = _Normaliser(self.stop_words)

    def __getstate__(self):
        # Sorted: a set pickles in the order of its string hashes, which differ from one
        # process to the next, and a saved model is named by the hash of its pickle.
        return {"stop_words": tuple(sorted(self.stop_words)), "ngram_range": self.ngram_range}

    def __setstate__(self, state):
        self.__init__(state["stop_words"], state["ngram_range"])

    def tokens(self, text):
        """The unigram terms of ``text``, in order."""
        # map + chain keep the per-compound work in C: one dict look-up each.
        return list(chain.from_iterable(map(self._norm.__getitem__, _COMPOUND_RE.findall(text))))

    def __call__(self, text):
        tokens = self.tokens(text)
        lo, hi = self.ngram_range
        out = list(tokens) if lo == 1 else []
        for k in range(max(lo, 2), hi + 1):
            if k == 2:
                out += [f"{a} {b}" for a, b in zip(tokens, tokens[1:])]
            else:
                out += [" ".join(tokens[i:i + k]) for i in range(len(tokens) - k + 1)]
        return out


def count_terms(texts, analyzer):
    """Term counts of ``texts`` as ``(csr matrix (n_texts, n_terms), terms array)``, or
    ``(None, None)`` when no text has a term; terms in order of first appearance.

    The same counts as ``CountVectorizer(analyzer=analyzer)``, faster: one
    ``pd.factorize`` over every term instead of a Python dict look-up per term; with
    ``ngram_range`` (1, 1), (1, 2) or (2, 2) the texts are cut into whitespace pieces,
    each distinct piece read once, and n-grams are pairs of term numbers, their strings
    built once per distinct bigram (:func:`_count_pieces`).
    """
    if tuple(analyzer.ngram_range) in ((1, 1), (1, 2), (2, 2)):
        try:
            return _count_pieces(texts, analyzer)
        except (pa.ArrowException, UnicodeError):
            pass                                # a lone surrogate: the analyzer per text
    every: list[str] = []
    lengths = []
    for text in texts:
        before = len(every)
        every += analyzer(text)
        lengths.append(len(every) - before)
    if not every:
        return None, None
    codes, terms = pd.factorize(np.asarray(every, dtype=object), sort=False)
    rows = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
    C = sparse.csr_matrix((np.ones(len(codes)), (rows, codes)), shape=(len(lengths), len(terms)))
    C.sum_duplicates()      # repeated (text, term) pairs become counts
    return C, np.asarray(terms, dtype=object)


def _count_pieces(texts, analyzer):
    """:func:`count_terms` from whitespace pieces (see :meth:`VocabularyCounter.count`
    for why that is exact): the same matrix and the same terms in the same order."""
    n = len(texts)
    piece_of, per_text, distinct = _pieces(texts)
    ids: dict = {}                       # unigram term -> number, as first coded
    norm, find = analyzer._norm, _COMPOUND_RE.findall
    coded = []
    for piece in distinct:
        found = find(piece)
        terms = norm[found[0]] if len(found) == 1 else tuple(chain.from_iterable(map(norm.__getitem__, found)))
        coded.append(tuple(ids.setdefault(t, len(ids)) for t in terms))
    codes, per_piece = _expand(coded, piece_of)
    doc = np.repeat(np.repeat(np.arange(n, dtype=np.int64), per_text), per_piece)
    n_uni = len(ids)
    lo, hi = analyzer.ngram_range
    keys, rows, kinds = [], [], []
    if lo == 1:
        keys.append(codes)
        rows.append(doc)
        kinds.append(np.zeros(len(codes), dtype=np.int64))
    if hi == 2 and len(codes) > 1:
        same = doc[:-1] == doc[1:]
        pairs = codes[:-1][same] * max(n_uni, 1) + codes[1:][same]
        keys.append(n_uni + pairs)       # never a unigram's number
        rows.append(doc[:-1][same])
        kinds.append(np.ones(len(pairs), dtype=np.int64))
    key = np.concatenate(keys) if keys else np.zeros(0, dtype=np.int64)
    if not len(key):
        return None, None
    row = np.concatenate(rows)
    # The analyzer's order: per text, its unigrams then its bigrams, each in text order;
    # the terms are then numbered by first appearance, as pd.factorize of its strings.
    order = np.argsort(row * 2 + np.concatenate(kinds), kind="stable")
    key, row = key[order], row[order]
    col, uniq = pd.factorize(key, sort=False)
    words = np.empty(n_uni, dtype=object)
    words[list(ids.values())] = list(ids.keys())
    uniq = np.asarray(uniq, dtype=np.int64)
    is_bi = uniq >= n_uni
    terms = np.empty(len(uniq), dtype=object)
    terms[~is_bi] = words[uniq[~is_bi]]
    bi = uniq[is_bi] - n_uni
    terms[is_bi] = [f"{a} {b}" for a, b in zip(words[bi // max(n_uni, 1)], words[bi % max(n_uni, 1)])]
    C = sparse.csr_matrix((np.ones(len(col)), (row, col)), shape=(n, len(uniq)))
    C.sum_duplicates()      # repeated (text, term) pairs become counts
    return C, terms


class VocabularyCounter:
    """Counts of a fixed vocabulary's terms in texts: the matrix of
    ``CountVectorizer(analyzer=analyzer, vocabulary=vocabulary).transform(texts)``.

    This is assigning a fitted model to new articles (every article of an archive), so it
    builds no string per term and does no dict look-up per term: each distinct compound
    (see the module docstring) is coded once into the codes of its words in the
    vocabulary (−1 for a word the vocabulary does not have, which still breaks a bigram);
    unigram columns are then an array look-up and bigrams a ``searchsorted`` of code
    pairs.  ``ngram_range`` (1, 1), (1, 2) and (2, 2) are counted this way, any other
    through the analyzer.

    Parameters
    ----------
    analyzer : NewsAnalyzer
    vocabulary : dict of str -> int
        Term -> column, as a fitted vectorizer's ``vocabulary_``.
    """

    def __init__(self, analyzer, vocabulary):
        self.analyzer = analyzer
        self.vocabulary = vocabulary
        self._fast = tuple(analyzer.ngram_range) in ((1, 1), (1, 2), (2, 2))
        if not self._fast:
            return
        columns = np.fromiter(vocabulary.values(), dtype=np.int64, count=len(vocabulary))
        pairs = [t.split(" ") for t in vocabulary]
        words = {w: i for i, w in enumerate(dict.fromkeys(chain.from_iterable(pairs)))}
        self._n_words = np.int64(len(words))
        self._uni_col = np.full(len(words) + 1, -1, dtype=np.int64)  # [-1]: unknown word
        bi_keys, bi_cols = [], []
        for p, col in zip(pairs, columns):
            if len(p) == 1:
                self._uni_col[words[p[0]]] = col
            elif len(p) == 2:
                bi_keys.append(words[p[0]] * self._n_words + words[p[1]])
                bi_cols.append(col)
        order = np.argsort(np.asarray(bi_keys, dtype=np.int64), kind="stable")
        self._bi_keys = np.asarray(bi_keys, dtype=np.int64)[order]
        self._bi_cols = np.asarray(bi_cols, dtype=np.int64)[order]
        # The words that start / end some bigram of the vocabulary ([-1]: an unknown word,
        # never): most adjacent pairs of a text are no bigram of it, and these two
        # look-ups rule them out before the binary search.
        self._bi_first = np.zeros(len(words) + 1, dtype=bool)
        self._bi_second = np.zeros(len(words) + 1, dtype=bool)
        self._bi_first[self._bi_keys // max(int(self._n_words), 1)] = True
        self._bi_second[self._bi_keys % max(int(self._n_words), 1)] = True
        self._codes = _Coder(analyzer._norm, words)
        self._piece_codes = _PieceCoder(self._codes)
        self._piece_numbers = _PieceNumbers()

    def counts(self, texts):
        """CSR matrix (len(texts), len(vocabulary)) of float64 counts, sorted indices."""
        return self.count(texts)[0]

    def count(self, texts, shares: bool = False):
        """``(counts, number shares)``: the matrix of :meth:`counts` and, when ``shares``,
        :func:`number_share` of every text (float64 array; else None), from one pass.

        Texts are cut at whitespace in Arrow (C) and each distinct piece is coded once,
        per counter, into its word codes and its number tokens.  No compound and no
        :func:`number_share` token contains whitespace, and neither pattern looks beyond
        its match, so a text's codes and tokens are those of its pieces in order: the
        same matrix and shares as scanning each whole text (about 2x less time than a
        regex scan per text plus a dict look-up per compound, and number_share's own
        scan is not needed)."""
        n = len(texts)
        if not self._fast:
            return (_count_with(texts, self.analyzer, self.vocabulary),
                    _shares(texts) if shares else None)
        try:
            piece_of, per_text, distinct = _pieces(texts)
        except (pa.ArrowException, UnicodeError):
            # Text Arrow cannot hold (a lone surrogate): the regex scan per text.
            return self._count_scanned(texts), (_shares(texts) if shares else None)
        if len(self._piece_codes) > _PIECE_CACHE:
            self._piece_codes.clear()       # bounded memory over a long-lived worker
            self._piece_numbers.clear()
        coded = list(map(self._piece_codes.__getitem__, distinct))
        codes, per_piece = _expand(coded, piece_of)
        doc = np.repeat(np.repeat(np.arange(n, dtype=np.int64), per_text), per_piece)
        share = _piece_shares(piece_of, per_text, distinct, self._piece_numbers) if shares else None
        return self._matrix(codes, doc, n), share

    def _count_scanned(self, texts):
        """:meth:`counts` by a compound scan of each whole text (the reference path)."""
        n = len(texts)
        # Every step a C-level map: compounds per text, codes per compound.
        compounds = list(map(_COMPOUND_RE.findall, texts))
        per_text = np.fromiter(map(len, compounds), dtype=np.int64, count=n)
        coded = list(map(self._codes.__getitem__, chain.from_iterable(compounds)))
        per_compound = np.fromiter(map(len, coded), dtype=np.int64, count=len(coded))
        codes = np.fromiter(chain.from_iterable(coded), dtype=np.int64,
                            count=int(per_compound.sum()))
        doc = np.repeat(np.repeat(np.arange(n, dtype=np.int64), per_text), per_compound)
        return self._matrix(codes, doc, n)

    def _matrix(self, codes, doc, n):
        """CSR counts from the word codes of all texts in order and their text numbers."""
        n_terms = len(self.vocabulary)
        lo, hi = self.analyzer.ngram_range
        rows, cols = [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.int64)]
        if lo == 1:
            c = self._uni_col[codes]
            hit = c >= 0
            rows.append(doc[hit])
            cols.append(c[hit])
        if hi == 2 and len(codes) > 1 and len(self._bi_keys):
            a, b = codes[:-1], codes[1:]
            ok = np.flatnonzero(self._bi_first[a] & self._bi_second[b] & (doc[:-1] == doc[1:]))
            k = a[ok] * self._n_words + b[ok]
            at = np.minimum(np.searchsorted(self._bi_keys, k), len(self._bi_keys) - 1)
            found = self._bi_keys[at] == k
            rows.append(doc[ok[found]])
            cols.append(self._bi_cols[at[found]])
        # Repeated (text, term) pairs become counts: a COO matrix summed into CSR (a
        # counting sort by row, then each row's few columns sorted: sorted indices),
        # cheaper than one sort of all text * n_terms + column keys.
        row, col = np.concatenate(rows), np.concatenate(cols)
        C = sparse.coo_matrix((np.ones(len(row)), (row, col)), shape=(n, n_terms)).tocsr()
        C.sort_indices()
        return C


#: Distinct whitespace pieces a counter remembers before it starts over (each holds a
#: string and a tuple: about 150 bytes; a million is ~150 MB per worker).
_PIECE_CACHE = 1_000_000


def _pieces(texts):
    """``(piece_of, per_text, distinct)``: the texts cut at whitespace, as the number of
    each piece in ``distinct`` (int64, pieces of all texts in order), the number of
    pieces per text, and the distinct pieces (list of str)."""
    lists = _split_whitespace(pa.array(texts, type=pa.large_string()))
    per_text = np.diff(lists.offsets.to_numpy()).astype(np.int64)
    encoded = pc.dictionary_encode(lists.flatten())
    piece_of = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    return piece_of, per_text, encoded.dictionary.to_pylist()


#: The whitespace that ``pc.utf8_split_whitespace`` splits at beyond ASCII's (U+0085,
#: U+00A0, U+1680, U+2000-U+200A, U+2028, U+2029, U+202F, U+205F, U+3000), as the
#: big-endian value of its UTF-8 bytes: two-byte ones and three-byte ones.
_WIDE_SPACES_2 = np.array([0xC285, 0xC2A0], dtype=np.int64)
_WIDE_SPACES_3 = np.array([int.from_bytes(chr(c).encode("utf-8"), "big") for c in
                           (0x1680, *range(0x2000, 0x200B), 0x2028, 0x2029, 0x202F, 0x205F,
                            0x3000)], dtype=np.int64)


def _split_whitespace(texts: pa.Array) -> pa.Array:
    """``pc.utf8_split_whitespace(texts)``; by the ASCII kernel (about 1.6x faster) when
    the texts hold none of the characters only the Unicode kernel splits at: the
    separators ``\x1c``-``\x1f`` and the non-ASCII spaces.  The ASCII kernel never
    splits inside a multi-byte character (all its bytes are >= 0x80), so the pieces
    are then the same, but for the empty pieces of a trailing run of whitespace (the
    Unicode kernel gives one more), which hold no term and no token."""
    data = texts.buffers()[2]
    if data is None:
        return pc.ascii_split_whitespace(texts)
    offsets = np.frombuffer(texts.buffers()[1], dtype=np.int64)
    data = np.frombuffer(data, dtype=np.uint8)[offsets[texts.offset]:offsets[texts.offset + len(texts)]]
    if ((data & 0xFC) == 0x1C).any():
        return pc.utf8_split_whitespace(texts)
    high = np.flatnonzero(data >= 0x80)
    if len(high):
        first = data[high]
        lead = high[(first == 0xC2) | ((first >= 0xE1) & (first <= 0xE3))]
        last = len(data) - 1
        two = (data[lead].astype(np.int64) << 8) | data[np.minimum(lead + 1, last)]
        three = (two << 8) | data[np.minimum(lead + 2, last)]
        if np.isin(two, _WIDE_SPACES_2).any() or np.isin(three, _WIDE_SPACES_3).any():
            return pc.utf8_split_whitespace(texts)
    return pc.ascii_split_whitespace(texts)


def _expand(coded, piece_of):
    """The codes of every piece occurrence in order (``coded[p]``: tuple of codes of
    distinct piece ``p``), and how many each occurrence has; in numpy, no Python loop
    over occurrences."""
    lens = np.fromiter(map(len, coded), dtype=np.int64, count=len(coded))
    flat = np.fromiter(chain.from_iterable(coded), dtype=np.int64, count=int(lens.sum()))
    first = np.cumsum(lens) - lens                  # where each distinct piece's codes start
    per_piece = lens[piece_of]
    out_first = np.cumsum(per_piece) - per_piece    # where each occurrence's codes go
    at = np.repeat(first[piece_of] - out_first, per_piece) + np.arange(int(per_piece.sum()))
    return flat[at], per_piece


class _PieceCoder(dict):
    """whitespace piece -> tuple of word codes (its compounds' codes in order), once each."""

    def __init__(self, codes):
        super().__init__()
        self.codes = codes

    def __missing__(self, piece):
        found = _COMPOUND_RE.findall(piece)
        if len(found) == 1:
            value = self.codes[found[0]]
        else:
            value = tuple(chain.from_iterable(map(self.codes.__getitem__, found)))
        self[piece] = value
        return value


class _PieceNumbers(dict):
    """whitespace piece -> its :func:`number_share` tokens and how many start with a
    digit, as one int: ``tokens << 32 | digit_tokens`` (sums of these are sums of both)."""

    def __missing__(self, piece):
        tokens = _RAW_RE.findall(piece)
        value = self[piece] = (len(tokens) << 32) | sum(t[0].isdecimal() for t in tokens)
        return value


def _shares(texts):
    return np.array([number_share(t) for t in texts], dtype=np.float64)


def _piece_shares(piece_of, per_text, distinct, numbers):
    """:func:`number_share` of each text from its whitespace pieces (see
    :meth:`VocabularyCounter.count`); ``numbers`` is a :class:`_PieceNumbers`."""
    n = len(per_text)
    packed = np.fromiter(map(numbers.__getitem__, distinct), dtype=np.int64, count=len(distinct))
    # Per text, the sum of its pieces' packed counts: a difference of running sums (the
    # pieces are in text order; a text has far fewer than 2**31 tokens).
    running = np.zeros(len(piece_of) + 1, dtype=np.int64)
    np.cumsum(packed[piece_of], out=running[1:])
    ends = np.cumsum(per_text)
    totals = running[ends] - running[ends - per_text]
    tokens = (totals >> 32).astype(np.float64)
    starts = (totals & 0xFFFFFFFF).astype(np.float64)
    # Integer counts (exact in float64): the same quotient as number_share's.
    return np.divide(starts, tokens, out=np.zeros(n), where=tokens > 0)


def number_shares(texts):
    """``[number_share(t) for t in texts]`` as a float64 array, from whitespace pieces:
    one regex scan per distinct piece instead of one per text."""
    try:
        piece_of, per_text, distinct = _pieces(texts)
    except (pa.ArrowException, UnicodeError):
        return _shares(texts)
    return _piece_shares(piece_of, per_text, distinct, _PieceNumbers())


class _Coder(dict):
    """compound -> tuple of word codes (−1: not a word of the vocabulary), once each."""

    def __init__(self, normaliser, words):
        super().__init__()
        self.norm, self.words = normaliser, words

    def __missing__(self, compound):
        get = self.words.get
        value = self[compound] = tuple(get(t, -1) for t in self.norm[compound])
        return value


def count_known_terms(texts, analyzer, vocabulary):
    """``VocabularyCounter(analyzer, vocabulary).counts(texts)``."""
    return VocabularyCounter(analyzer, vocabulary).counts(texts)


def _count_with(texts, analyzer, vocabulary):
    """Counts of ``vocabulary`` terms through the analyzer (any ``ngram_range``)."""
    rows, cols = [], []
    for i, text in enumerate(texts):
        found = [vocabulary[t] for t in analyzer(text) if t in vocabulary]
        rows += [i] * len(found)
        cols += found
    C = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(texts), len(vocabulary)),
                          dtype=np.float64)
    C.sum_duplicates()
    return C


_RAW_RE = re.compile(r"[^\W_]+(?:[.,]\d+)*")


def number_share(text):
    """Share of ``text``'s tokens (runs of letters and digits; ``1,234.5`` is one) that
    are numbers (start with a digit): a median of 0.017 on BBC and 0.033 on reuters-dev's
    articles other than earnings; 0.1 to 0.6 in earnings tables, dividend notices and
    results listings.  0.0 for a text without tokens."""
    tokens = _RAW_RE.findall(text)
    # A token starts with a decimal digit (``\d``, i.e. ``str.isdecimal``) exactly where
    # a digit follows neither a letter/digit nor a letter/digit and a separator.
    return sum(t[0].isdecimal() for t in tokens) / len(tokens) if tokens else 0.0
