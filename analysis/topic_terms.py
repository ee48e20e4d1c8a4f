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

Stop words are removed before n-grams are formed, so no term contains a stop word.  Each
distinct raw token is normalised once per call (a dict with ``__missing__``), so the cost
per token is one regex match and one dict look-up, as with the alphabetic pattern.

>>> NewsAnalyzer(stop_words={"the", "at", "and"})("The U.S. and EU met at the G7 on 5G.")
['US', 'EU', 'met', 'G7', '5G']
"""
from __future__ import annotations

import re
from itertools import chain

import numpy as np
import pandas as pd
from scipy import sparse

__all__ = ["TOKEN_PATTERN", "NewsAnalyzer", "count_terms", "number_share"]

#: Raw tokens: dotted acronyms (``U.S.``) or runs of letters/digits joined by hyphens;
#: tokens glued to a contraction or an elision apostrophe are not matched at all.
TOKEN_PATTERN = (r"(?<![^\W\d_]['’])\b(?:(?:[^\W\d_]\.){2,}(?![^\W_])"
                 r"|[^\W_]+(?:-[^\W_]+)*\b(?!['’](?:t|re|ve|ll|d|m)\b))")
_TOKEN_RE = re.compile(TOKEN_PATTERN)


class _Normaliser(dict):
    """raw token -> tuple of terms (empty when dropped), computed once per token."""

    def __init__(self, stop_words):
        super().__init__()
        self.stop = stop_words

    def __missing__(self, raw):
        value = self[raw] = self._terms(raw)
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
        return {"stop_words": self.stop_words, "ngram_range": self.ngram_range}

    def __setstate__(self, state):
        self.__init__(state["stop_words"], state["ngram_range"])

    def tokens(self, text):
        """The unigram terms of ``text``, in order."""
        # map + chain keep the per-token work in C: one dict look-up per raw token.
        return list(chain.from_iterable(map(self._norm.__getitem__, _TOKEN_RE.findall(text))))

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
    ``pd.factorize`` over every term instead of a Python dict look-up per term.
    """
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


_RAW_RE = re.compile(r"[^\W_]+(?:[.,]\d+)*")
#: Where one of those tokens starts with a digit: a digit after neither a letter/digit
#: nor a letter/digit and a separator (the ``234`` of ``1,234`` continues a token).
_NUMBER_START_RE = re.compile(r"(?<![^\W_])(?<![^\W_][.,])\d")


def number_share(text):
    """Share of ``text``'s tokens (runs of letters and digits; ``1,234.5`` is one) that
    are numbers (start with a digit): a median of 0.017 on BBC and 0.033 on reuters-dev's
    articles other than earnings; 0.1 to 0.6 in earnings tables, dividend notices and
    results listings.  0.0 for a text without tokens."""
    n = len(_RAW_RE.findall(text))
    return len(_NUMBER_START_RE.findall(text)) / n if n else 0.0
