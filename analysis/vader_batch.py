"""VADER over a batch of sentences at once: :class:`~analysis.vader.FastVader`'s rules
as array operations over every word of the batch.

Scoring is the largest part of an index run, and :meth:`FastVader.scores` still spends
most of its time in per-word Python: splitting, stripping punctuation, lowercasing and
looking each word up.  Here PyArrow does that for all the words of the batch in C, and
the rules (negations, "no", boosters, capitals, "least", the punctuation amplifiers, the
roll-up into neg / neu / pos / compound) are NumPy operations on the lexicon words and
their three predecessors, in the same order and with the same float arithmetic as
vaderSentiment, so the scores are the same to the bit.

Sentences the array path does not reproduce are scored one by one with
:meth:`FastVader.scores` (itself exact): non-ASCII text (emoji, Unicode case and
whitespace rules), control characters that Python's ``str.split`` and Arrow's split
treat differently, a "but" sentence whose values repeat (vaderSentiment's
``_but_check`` finds values by equality, an order-dependent quirk), and two or three
consecutive words of an idiom or a multi-word booster (``"kind of"``, ``"the bomb"``:
rare, and their rule builds strings).
``tests/test_vader_batch.py`` compares every sentence of the shared corpora and
generated sentences exercising each rule with vaderSentiment itself.
"""
from __future__ import annotations

import re
import string
import sys

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .vader import _BOOSTER, _C_INCR, _IDIOM_WORDS, _N_SCALAR, _NEGATE, _SPECIAL, FastVader

__all__ = ["score_batch"]

# The words a rule names, each given a small code.
_RULE_WORDS = ("no", "or", "nor", "never", "so", "this", "without", "doubt", "least", "at",
               "very", "kind", "of", "but")
(_NO, _OR, _NOR, _NEVER, _SO, _THIS, _WITHOUT, _DOUBT, _LEAST, _AT, _VERY, _KIND, _OF,
 _BUT) = range(len(_RULE_WORDS))
# Control characters other than tab, newline and carriage return: Python's str.split
# splits on some of them (\x1c-\x1f) and Arrow's on others.
_ODD_BYTES = [b for b in range(32) if b not in (9, 10, 13)] + [127]
# Bytes counted per sentence: 1 for an odd byte, 2 for "!", 3 for "?".
_BYTE_KIND = np.zeros(256, dtype=np.uint8)
_BYTE_KIND[_ODD_BYTES] = 1
_BYTE_KIND[ord("!")], _BYTE_KIND[ord("?")] = 2, 3
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


class _Tables:
    """The lexicon, booster, rule-word and idiom tables as Arrow arrays and code sets."""

    def __init__(self, analyzer: FastVader):
        lexicon = analyzer.lexicon
        self.lex_keys = pa.array(list(lexicon), type=pa.string())
        self.lex_values = np.array(list(lexicon.values()), dtype=np.float64)
        self.booster_keys = pa.array(list(_BOOSTER), type=pa.string())
        self.booster_values = np.array(list(_BOOSTER.values()), dtype=np.float64)
        self.rule_words = pa.array(_RULE_WORDS, type=pa.string())
        self.negate = pa.array(sorted(_NEGATE), type=pa.string())
        idiom_words = sorted(_IDIOM_WORDS)
        self.idiom_words = pa.array(idiom_words, type=pa.string())
        self.base = len(idiom_words) + 1
        code = {w: i + 1 for i, w in enumerate(idiom_words)}
        keys = [k.split() for k in (*_SPECIAL, *_BOOSTER)]
        # Every pair and triple of idiom-word codes, as a table of flags.
        self.pairs = np.zeros(self.base ** 2, dtype=bool)
        self.pairs[[code[a] * self.base + code[b] for a, b in (k for k in keys if len(k) == 2)]] = True
        self.triples = np.zeros(self.base ** 3, dtype=bool)
        self.triples[[(code[a] * self.base + code[b]) * self.base + code[c]
                      for a, b, c in (k for k in keys if len(k) == 3)]] = True
        self.emoji = analyzer._emoji_chars
        self._opaque: dict[str, bool] = {}         # non-ASCII character -> opaque

    def opaque(self, text: str) -> bool:
        """Whether ASCII-only kernels read ``text`` as Python does: each non-ASCII
        character has no case, is not whitespace and is not an emoji (``£``, ``€``,
        ``°``; not ``é``, whose lower case Arrow's ASCII kernels would not make)."""
        for ch in _NON_ASCII.findall(text):
            ok = self._opaque.get(ch)
            if ok is None:
                ok = self._opaque[ch] = (
                    not ch.isspace() and ch.lower() == ch == ch.upper() and not ch.islower()
                    and not ch.isupper() and not ch.istitle() and ch not in self.emoji)
            if not ok:
                return False
        return True


def _tables(analyzer: FastVader) -> _Tables:
    tables = analyzer.__dict__.get("_batch_tables")
    if tables is None:
        tables = analyzer._batch_tables = _Tables(analyzer)
    return tables


def _lookup(values, keys) -> np.ndarray:
    """Index of each value in ``keys`` (int64), −1 where absent."""
    found = pc.index_in(values, value_set=keys)
    return pc.fill_null(found, -1).to_numpy(zero_copy_only=False).astype(np.int64)


def _string_array(texts: list[str]) -> tuple[pa.Array, np.ndarray]:
    """``texts`` as an Arrow string array, and which of them UTF-8 cannot hold (a lone
    surrogate, which a table's JSON can carry): those are empty in the array, and
    scored one by one by the caller as FastVader scores them."""
    try:
        return pa.array(texts, type=pa.string()), np.zeros(len(texts), dtype=bool)
    except (pa.ArrowException, UnicodeError):
        bad = np.array([not _encodes(t) for t in texts], dtype=bool)
        kept = ["" if b else t for t, b in zip(texts, bad)]
        return pa.array(kept, type=pa.string()), bad


def _encodes(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _byte_counts(arr: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row of a string array: whether it holds a byte of :data:`_ODD_BYTES`, and
    its number of "!" and of "?" (ASCII bytes never occur inside a multi-byte UTF-8
    character, so counting bytes counts characters)."""
    n = len(arr)
    counts = np.zeros((3, n), dtype=np.int64)
    if n:
        offsets = np.frombuffer(arr.buffers()[1], dtype=np.int32)[arr.offset:arr.offset + n + 1]
        if arr.buffers()[2] is not None and offsets[-1] > offsets[0]:
            data = np.frombuffer(arr.buffers()[2], dtype=np.uint8)[offsets[0]:offsets[-1]]
            kind = _BYTE_KIND[data]
            at = np.flatnonzero(kind)
            row = np.searchsorted(offsets, at + offsets[0], side="right") - 1
            np.add.at(counts, (kind[at].astype(np.int64) - 1, row), 1)
    return counts[0] > 0, counts[1], counts[2]


def _but_rule(v, sid, p, but_rows, but_pos, n_rows, slow):
    """vaderSentiment's ``_but_check``: the sentiments before a sentence's first "but"
    halved, those after it times 1.5.  Its loop finds each value by
    ``sentiments.index(value)``, so a value equal to an earlier, already changed one
    changes that one instead: such sentences are marked ``slow``."""
    if len(but_rows) == 0:
        return v
    first = np.full(n_rows, -1, dtype=np.int64)
    first[but_rows[::-1]] = but_pos[::-1]                 # the first "but" of each row
    hit = np.flatnonzero(first[sid] >= 0)
    row, x = sid[hit], v[hit]
    changed = x * np.where(p[hit] < first[row], 0.5, 1.5)
    clash = np.zeros(len(hit), dtype=bool)
    for d in range(1, len(hit)):
        same = row[d:] == row[:-d]
        if not same.any():
            break
        clash[d:] |= same & (changed[:-d] == x[d:]) & (x[d:] != 0)
    slow[row[clash]] = True
    v = v.copy()
    v[hit] = changed
    return v


def _round(x: np.ndarray, ndigits: int) -> np.ndarray:
    """Python's ``round(v, ndigits)`` of each value.  ``rint(v * 10**n) / 10**n`` is the
    same double unless ``v * 10**n`` lies next to a half (where its own rounding could
    choose the other side): those few are rounded by Python."""
    scale = 10.0 ** ndigits
    y = x * scale
    out = np.rint(y) / scale
    for i in np.flatnonzero(np.abs(y - np.floor(y) - 0.5) < 1e-6):
        out[i] = round(float(x[i]), ndigits)
    return out


def _sentence_sums(sid: np.ndarray, values: np.ndarray, n_rows: int) -> np.ndarray:
    """``float(sum(sentiments))`` per sentence: values in word order.  Python 3.12's
    ``sum`` compensates rounding, which for three values or more can differ from plain
    addition in the last bit, so there those sentences are summed by ``sum`` itself."""
    sums = np.bincount(sid, weights=values, minlength=n_rows)
    if sys.version_info >= (3, 12):
        sums = _python_sums(sid, values, sums)
    return sums


def _python_sums(sid, values, sums):
    """``sums`` with every row of three values or more re-summed by Python's ``sum``."""
    nonzero = values != 0
    counts = np.bincount(sid[nonzero], minlength=len(sums))
    rows = np.flatnonzero(counts >= 3)
    if len(rows):
        starts = np.searchsorted(sid, rows, side="left")
        ends = np.searchsorted(sid, rows, side="right")
        for r, a, b in zip(rows.tolist(), starts.tolist(), ends.tolist()):
            sums[r] = float(sum(values[a:b].tolist()))
    return sums


def score_batch(analyzer: FastVader, texts: list[str]) -> np.ndarray:
    """VADER's ``(neg, neu, pos, compound)`` of each text, an ``(n, 4)`` float64 array,
    equal to ``[analyzer.scores(t) for t in texts]``."""
    n_texts = len(texts)
    out = np.zeros((n_texts, 4), dtype=np.float64)
    if n_texts == 0:
        return out
    if not analyzer._exact:
        for i, text in enumerate(texts):
            out[i] = analyzer.scores(text)
        return out
    arr, unencodable = _string_array(texts)
    tables = _tables(analyzer)
    slow, bang, quest = _byte_counts(arr)
    slow |= unencodable
    for i in np.flatnonzero(~pc.string_is_ascii(arr).to_numpy(zero_copy_only=False)):
        slow[i] |= not tables.opaque(texts[i])

    # The words: SentiText's split on whitespace, each stripped of surrounding
    # punctuation unless that leaves two characters or fewer (then kept whole: rare,
    # so those few are patched in rather than choosing between two string arrays).
    pieces = pc.ascii_split_whitespace(arr)
    flat = pc.list_flatten(pieces)
    parent = pc.list_parent_indices(pieces).to_numpy()
    size = pc.binary_length(flat).to_numpy(zero_copy_only=False)
    if (size == 0).any():                                # Arrow keeps the edges' ''
        keep = size > 0
        flat, parent, size = flat.filter(pa.array(keep)), parent[keep], size[keep]
    stripped = pc.ascii_trim(flat, characters=string.punctuation)
    whole = np.flatnonzero(
        (pc.utf8_length(stripped).to_numpy(zero_copy_only=False) <= 2)
        & (pc.binary_length(stripped).to_numpy(zero_copy_only=False) != size))
    encoded = pc.dictionary_encode(pc.ascii_lower(stripped))
    codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    distinct = encoded.dictionary
    upper = pc.ascii_is_upper(stripped).to_numpy(zero_copy_only=False)
    if len(whole):
        kept = pc.take(flat, pa.array(whole))
        extra = pc.dictionary_encode(pc.ascii_lower(kept))
        codes[whole] = len(distinct) + extra.indices.to_numpy(zero_copy_only=False)
        distinct = pa.concat_arrays([distinct, extra.dictionary])
        upper[whole] = pc.ascii_is_upper(kept).to_numpy(zero_copy_only=False)
    n_words = np.bincount(parent, minlength=n_texts)
    start = np.concatenate([[0], np.cumsum(n_words)[:-1]])
    n_upper = np.bincount(parent[upper], minlength=n_texts)
    cap_diff = (n_upper > 0) & (n_upper < n_words)

    # What each distinct word is (d_*), looked up once.
    d_lex = _lookup(distinct, tables.lex_keys)
    d_in_lex = d_lex >= 0
    d_boost = _lookup(distinct, tables.booster_keys)
    d_is_boost = d_boost >= 0
    d_boost_value = np.where(d_is_boost, tables.booster_values[d_boost], 0.0)
    d_rule = _lookup(distinct, tables.rule_words)
    d_negated = (_lookup(distinct, tables.negate) >= 0) | \
        pc.match_substring(distinct, "n't").to_numpy(zero_copy_only=False)
    d_idiom = _lookup(distinct, tables.idiom_words) + 1

    # Sentences scored one by one: any idiom or multi-word booster.
    at = np.flatnonzero(d_idiom[codes] > 0)
    if len(at) > 1:
        nxt = at[1:][(at[1:] == at[:-1] + 1) & (parent[at[1:]] == parent[at[:-1]])]
        first = nxt - 1
        pair = d_idiom[codes[first]] * tables.base + d_idiom[codes[nxt]]
        hit = tables.pairs[pair]
        third = np.minimum(nxt + 1, len(parent) - 1)
        in_row = (third > nxt) & (parent[third] == parent[nxt])
        triple = pair * tables.base + d_idiom[codes[third]] * in_row
        hit |= tables.triples[triple]
        slow[parent[first[hit]]] = True
    buts = np.flatnonzero(d_rule[codes] == _BUT)

    # The valence of each lexicon word (FastVader._valence, rule by rule).
    h = np.flatnonzero((d_in_lex & ~d_is_boost)[codes])
    sid = parent[h]
    p, n = h - start[sid], n_words[sid]
    last = len(parent) - 1

    def back(d_arr, k):       # what the word k before each lexicon word is (garbage where p < k: masked)
        return d_arr[codes[np.maximum(h - k, 0)]]

    def ahead(d_arr, k):
        return d_arr[codes[np.minimum(h + k, last)]]

    def word_is(k, code):
        return (p >= k) & (back(d_rule, k) == code) if k > 0 else d_rule[codes[h]] == code

    base = tables.lex_values[d_lex[codes[h]]]
    v = base.copy()
    v[word_is(0, _NO) & (p != n - 1) & ahead(d_in_lex, 1)] = 0.0
    no_before = word_is(1, _NO) | word_is(2, _NO) | (
        word_is(3, _NO) & (word_is(1, _OR) | word_is(1, _NOR)))
    v[no_before] = base[no_before] * _N_SCALAR
    caps = cap_diff[sid] & upper[h]
    v = np.where(caps, np.where(v > 0, v + _C_INCR, v - _C_INCR), v)
    so_this = {k: word_is(k, _SO) | word_is(k, _THIS) for k in (1, 2)}
    for k in (1, 2, 3):
        live = (p >= k) & ~back(d_in_lex, k)
        s = back(d_boost_value, k)
        b = back(d_is_boost, k)
        s = np.where(b & (v < 0), -s, s)
        s = np.where(b & cap_diff[sid] & upper[np.maximum(h - k, 0)],
                     np.where(v > 0, s + _C_INCR, s - _C_INCR), s)
        if k == 2:
            s = np.where(s != 0, s * 0.95, s)
        elif k == 3:
            s = np.where(s != 0, s * 0.9, s)
        v = np.where(live, v + s, v)
        if k == 1:
            v = np.where(live & back(d_negated, 1), v * _N_SCALAR, v)
            continue
        if k == 2:
            boosted = word_is(2, _NEVER) & so_this[1]
            kept = word_is(2, _WITHOUT) & word_is(1, _DOUBT)
        else:
            boosted = (word_is(3, _NEVER) & so_this[2]) | so_this[1]
            kept = word_is(3, _WITHOUT) & (word_is(2, _DOUBT) | word_is(1, _DOUBT))
        v = np.where(live & boosted, v * 1.25,
                     np.where(live & ~boosted & ~kept & back(d_negated, k), v * _N_SCALAR, v))
    least = (p >= 1) & ~back(d_in_lex, 1) & word_is(1, _LEAST)
    at_very = word_is(2, _AT) | word_is(2, _VERY)
    v = np.where(least & ((p == 1) | ~at_very), v * _N_SCALAR, v)
    # "kind" followed by "of" is no sentiment (FastVader.scores).
    v[word_is(0, _KIND) & (p < n - 1) & (ahead(d_rule, 1) == _OF)] = 0.0

    v = _but_rule(v, sid, p, parent[buts], buts - start[parent[buts]], n_texts, slow)

    # score_valence, per sentence.
    sum_s = _sentence_sums(sid, v, n_texts)
    bang = np.minimum(bang, 4)
    punct = bang * 0.292 + np.where(quest > 1, np.where(quest <= 3, quest * 0.18, 0.96), 0)
    sum_s = np.where(sum_s > 0, sum_s + punct, np.where(sum_s < 0, sum_s - punct, sum_s))
    compound = sum_s / np.sqrt(sum_s * sum_s + 15)
    compound = np.clip(compound, -1.0, 1.0)
    pos_sum = np.bincount(sid, weights=np.where(v > 0, v + 1, 0.0), minlength=n_texts)
    neg_sum = np.bincount(sid, weights=np.where(v < 0, v - 1, 0.0), minlength=n_texts)
    n_nonzero = np.bincount(sid[v != 0], minlength=n_texts)
    neu = n_words - n_nonzero
    more_pos = pos_sum > np.abs(neg_sum)
    more_neg = pos_sum < np.abs(neg_sum)
    pos_sum = np.where(more_pos, pos_sum + punct, pos_sum)
    neg_sum = np.where(more_neg, neg_sum - punct, neg_sum)
    total = pos_sum + np.abs(neg_sum) + neu
    total[n_words == 0] = 1.0
    with np.errstate(invalid="ignore", divide="ignore"):
        out[:, 0] = _round(np.abs(neg_sum / total), 3)
        out[:, 1] = _round(np.abs(neu / total), 3)
        out[:, 2] = _round(np.abs(pos_sum / total), 3)
        out[:, 3] = _round(compound, 4)
    out[n_words == 0] = 0.0
    for i in np.flatnonzero(slow):
        out[i] = analyzer.scores(texts[i])
    return out
