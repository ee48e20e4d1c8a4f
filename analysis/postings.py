"""The token index's lists: ``(token, key)`` rows grouped into one row per token.

The roll-ups' ``postings`` table (:mod:`analysis.rollups`) holds, per word of a month,
the sorted distinct keys of the sentences (and titles, section headings) holding it.
DuckDB lower-cases the texts; the words are cut here (:func:`split_words`) exactly as
DuckDB's ``regexp_split_to_array(text, '[^\\pL\\pN_]+')`` cut them (that regular
expression was 1.5 s of a 42,500-article month's 3.8 s of token index; a few NumPy
passes over the texts' bytes find the same runs of word characters).  The grouping is
done here with NumPy too: a ``DISTINCT`` over the month's (token, key) pairs, then
``GROUP BY token`` with ``list(key ORDER BY key)``, was two thirds of the month's
roll-up in DuckDB, and a sort of packed integers is a few times cheaper.  The table is
the one that SQL gave, row for row.

The pairs arrive in batches (:class:`PostingsBuilder`): a month's pairs hold every
repeated word, as text, and were the largest thing a roll-up held (1.2 GB for a month
of 40,000 articles).  Each batch is reduced at once to one int64 per pair (the word's
number in a month-wide vocabulary, and the key); only those are kept.
"""
from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["group_postings", "PostingsBuilder", "POSTINGS_TYPE", "split_words"]

#: The ``keys`` column's type (DuckDB's list type, so the table is the same as before).
POSTINGS_TYPE = pa.list_(pa.field("l", pa.int64()))

#: Bits of a packed pair (int64, kept non-negative).
_PACKED_BITS = 62
#: Elements per step of the whole-array passes of :meth:`PostingsBuilder.table`: their
#: temporaries stay a few MB however many pairs a month has.
_STEP = 1 << 20


#: The ASCII bytes that are word characters (``[\\pL\\pN_]``): letters, digits and ``_``.
_ASCII_WORD = np.zeros(256, dtype=bool)
_ASCII_WORD[np.frombuffer(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_",
                          dtype=np.uint8)] = True


def split_words(texts: pa.Array, word_chars) -> tuple[pa.Array, np.ndarray]:
    """The words of each text (maximal runs of word characters; NULL: no words), in
    order, and the index of the text each is from.

    ``word_chars(codepoints)`` says which non-ASCII code points (a sorted int array)
    are word characters: the caller's regular expression engine decides, so the words
    are those its ``[^\\pL\\pN_]+`` split would give (ASCII is decided here).
    """
    if texts.null_count:
        texts = pc.fill_null(texts, "")
    if texts.type != pa.string():
        texts = texts.cast(pa.string())
    n = len(texts)
    offsets = np.frombuffer(texts.buffers()[1], dtype=np.int32)[texts.offset:texts.offset + n + 1]
    data_buf = texts.buffers()[2]
    data = (np.frombuffer(data_buf, dtype=np.uint8)[offsets[0]:offsets[-1]] if data_buf is not None
            else np.zeros(0, dtype=np.uint8))
    offsets = (offsets - offsets[0]).astype(np.int64)
    word = _ASCII_WORD[data]
    _mark_wide_word_chars(data, word, word_chars)
    # Runs of word bytes that do not cross from one text into the next.
    nonempty = offsets[:-1] < offsets[1:]
    firsts, lasts = offsets[:-1][nonempty], offsets[1:][nonempty] - 1
    begins = word.copy()
    begins[1:] &= ~word[:-1]
    begins[firsts] = word[firsts]
    ends = word.copy()
    ends[:-1] &= ~word[1:]
    ends[lasts] = word[lasts]
    starts, stops = np.flatnonzero(begins), np.flatnonzero(ends) + 1
    parent = np.repeat(np.arange(n, dtype=np.int64), np.diff(np.searchsorted(starts, offsets)))
    word_offsets = np.zeros(len(starts) + 1, dtype=np.int32)
    np.cumsum(stops - starts, out=word_offsets[1:])
    # The words' bytes back to back are the text's word bytes, in order (np.compress:
    # a third faster than data[word]).
    words = pa.StringArray.from_buffers(len(starts), pa.py_buffer(word_offsets),
                                        pa.py_buffer(np.compress(word, data)))
    return words, parent


def _mark_wide_word_chars(data: np.ndarray, word: np.ndarray, word_chars) -> None:
    """Set ``word`` for every byte of the multi-byte (UTF-8) characters in ``data`` that
    ``word_chars`` says are word characters."""
    high = np.flatnonzero(data >= 0x80)
    if not len(high):
        return
    leads = high[(data[high] & 0xC0) != 0x80]
    first = data[leads].astype(np.int64)
    size = 2 + (first >= 0xE0) + (first >= 0xF0)
    # The code point: the lead byte's payload bits, then 6 bits per continuation byte.
    point = first & np.where(size == 2, 0x1F, np.where(size == 3, 0x0F, 0x07))
    for k in range(1, 4):
        more = size > k
        point[more] = (point[more] << 6) | (data[leads[more] + k].astype(np.int64) & 0x3F)
    points, which = np.unique(point, return_inverse=True)
    is_word = np.asarray(word_chars(points), dtype=bool)[which]
    for k in range(4):
        at = size > k
        word[leads[at] + k] = is_word[at]


def group_postings(pairs: pa.Table) -> pa.Table:
    """``pairs`` (``token`` string, ``key`` int64 ≥ 0; duplicates allowed) as one row
    per non-empty token, in binary (UTF-8 byte) order as DuckDB sorts strings: ``token``
    and ``keys``, its distinct keys in ascending order."""
    keys = pairs.column("key")
    top = pc.max(keys).as_py() if len(keys) else 0
    builder = PostingsBuilder(max_key=top or 0)
    builder.add(pairs)
    return builder.table()


class PostingsBuilder:
    """:func:`group_postings` over pairs that arrive in batches (:meth:`add`), holding
    the pairs seen so far as 8 bytes each (the words as numbers).

    ``max_key`` bounds the keys (a larger one is an error): a pair is packed as
    ``code << bits(max_key) | key``, ``code`` the token's number in first-seen order.
    Should the vocabulary outgrow the bits left (keys near 2**62), the pairs are kept
    as two arrays instead (16 bytes each) and sorted with ``lexsort``.
    """

    def __init__(self, max_key: int):
        if max_key < 0:
            raise ValueError("postings keys must not be negative")
        self.max_key = int(max_key)
        self.shift = max(self.max_key.bit_length(), 1)
        # The words seen so far, a word's code its position (first-seen order), kept in
        # Arrow: a batch's new words are found by one hash look-up of its distinct
        # words (pc.index_in), not a Python dict call per word.
        self._words = pa.array([], type=pa.string())
        self._packed: list[np.ndarray] = []           # packed pairs, per batch
        self._pairs: list[tuple[np.ndarray, np.ndarray]] | None = None   # unpacked mode
        # Whether every key so far came in ascending order (the roll-up asks its SQL for
        # them so): the pairs are then sorted by a stable radix sort on the token alone.
        self._keys_ascending, self._last_key = True, -1

    def add(self, batch) -> None:
        """Add a table or record batch of ``token``, ``key`` rows."""
        tokens, keys = batch.column("token"), batch.column("key")
        if isinstance(tokens, pa.ChunkedArray):
            tokens, keys = tokens.combine_chunks(), keys.combine_chunks()
        if tokens.null_count:
            valid = pc.is_valid(tokens)
            tokens, keys = tokens.filter(valid), keys.filter(valid)
        if not len(tokens):
            return
        keys = keys.to_numpy(zero_copy_only=False).astype(np.int64, copy=False)
        if keys.min() < 0 or keys.max() > self.max_key:
            raise ValueError(f"postings keys must lie in 0..{self.max_key}")
        if self._keys_ascending:
            self._keys_ascending = bool(keys[0] >= self._last_key and
                                        (len(keys) < 2 or (keys[1:] >= keys[:-1]).all()))
            self._last_key = int(keys[-1])
        encoded = pc.dictionary_encode(tokens.cast(pa.string()))
        words = encoded.dictionary
        n_known = len(self._words)
        if n_known:
            local = pc.fill_null(pc.index_in(words, value_set=self._words), -1) \
                .to_numpy(zero_copy_only=False).astype(np.int64)
        else:
            local = np.full(len(words), -1, dtype=np.int64)
        new = local < 0
        if new.any():
            local[new] = n_known + np.arange(int(new.sum()), dtype=np.int64)
            self._words = pa.concat_arrays([self._words, words.filter(pa.array(new))])
        codes = local[encoded.indices.to_numpy(zero_copy_only=False)]
        n_words = len(self._words)
        if self._pairs is None and n_words.bit_length() + self.shift > _PACKED_BITS:
            self._unpack()
        if self._pairs is None:
            # Not de-duplicated here: a batch repeats few pairs (a word twice in a
            # sentence), and one sort at the end is cheaper than one per batch too.
            self._packed.append((codes << self.shift) | keys)
        else:
            self._pairs.append(_distinct_sorted(codes, keys, n_words))

    def _unpack(self) -> None:
        mask = (1 << self.shift) - 1
        self._pairs = [(p >> self.shift, p & mask) for p in self._packed]
        self._packed = []

    def table(self) -> pa.Table:
        """The grouped table (``token``, ``keys``); the builder is emptied."""
        words = self._words
        order = pc.array_sort_indices(words).to_numpy()
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order), dtype=np.int64)
        at = pc.index(words, "").as_py() if len(words) else -1
        empty = None if at < 0 else at
        if self._pairs is None:
            run_codes, starts, keys = self._finish_packed(rank, empty is not None)
        else:
            codes, keys = self._finish_pairs(rank, empty)
            starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]]) if len(codes) else \
                np.zeros(0, dtype=np.int64)
            run_codes = codes[starts]
        offsets = pa.array(np.r_[starts, len(keys)].astype(np.int32))
        tokens = words.take(pa.array(order[run_codes], type=pa.int64()))
        lists = pa.ListArray.from_arrays(offsets, pa.array(keys, type=pa.int64()),
                                         type=POSTINGS_TYPE)
        self._words = pa.array([], type=pa.string())
        return pa.table({"token": tokens.cast(pa.string()), "keys": lists})

    def _finish_packed(self, rank: np.ndarray, has_empty: bool):
        """The sorted distinct pairs as (token code of each run, run starts, keys): the
        pairs renumbered by token rank in place and split a step at a time, so the
        month's pairs are held about twice, not five times."""
        packed = np.concatenate(self._packed) if self._packed else np.zeros(0, np.int64)
        self._packed = []
        shift, mask = self.shift, (1 << self.shift) - 1
        for s in range(0, len(packed), _STEP):
            part = packed[s:s + _STEP]
            part[:] = (rank[part >> shift] << shift) | (part & mask)
        if self._keys_ascending:
            packed = _sort_by_token(packed, shift, len(rank))
        else:
            packed.sort()
        if has_empty:
            # "" sorts first (rank 0): its pairs are a prefix.
            packed = packed[np.searchsorted(packed, 1 << shift):]
        if len(packed):
            packed = packed[np.r_[True, packed[1:] != packed[:-1]]]
        starts = [np.zeros(min(1, len(packed)), dtype=np.int64)]
        for s in range(0, max(len(packed) - 1, 0), _STEP):
            hi = packed[s:s + _STEP + 1] >> shift
            starts.append(np.flatnonzero(hi[1:] != hi[:-1]) + s + 1)
        starts = np.concatenate(starts)
        run_codes = packed[starts] >> shift
        for s in range(0, len(packed), _STEP):
            packed[s:s + _STEP] &= mask
        return run_codes, starts, packed

    def _finish_pairs(self, rank: np.ndarray, empty: int | None):
        pairs, self._pairs = self._pairs, None
        codes = np.concatenate([c for c, _ in pairs]) if pairs else np.zeros(0, np.int64)
        keys = np.concatenate([k for _, k in pairs]) if pairs else np.zeros(0, np.int64)
        if empty is not None:
            keep = codes != empty
            codes, keys = codes[keep], keys[keep]
        return _distinct_sorted(rank[codes], keys, len(rank))


def _stable_order(values: np.ndarray, n_values: int) -> np.ndarray:
    """``np.argsort(values, kind="stable")`` of non-negative integers below ``n_values``,
    by NumPy's radix sort of 16-bit integers: one pass, or two (low half, then high)."""
    if n_values <= 1 << 16:
        return np.argsort(values.astype(np.uint16), kind="stable")
    low = np.argsort((values & 0xFFFF).astype(np.uint16), kind="stable")
    high = values[low] >> 16
    if n_values <= 1 << 32:
        return low[np.argsort(high.astype(np.uint16), kind="stable")]
    return low[np.argsort(high, kind="stable")]


def _sort_by_token(packed: np.ndarray, shift: int, n_tokens: int) -> np.ndarray:
    """``np.sort(packed)`` for packed pairs whose keys (the low ``shift`` bits) ascend
    in array order: a stable sort on the token (the high bits) alone, which keeps each
    token's keys in that order.  A step at a time (each step's pairs placed after the
    same tokens' pairs of the steps before), so only one more copy of the pairs is
    held; a radix sort of 16-bit integers, where sorting the int64 pairs was most of
    the token index's grouping."""
    out = np.empty_like(packed)
    counts = np.zeros(n_tokens, dtype=np.int64)
    for s in range(0, len(packed), _STEP):
        counts += np.bincount(packed[s:s + _STEP] >> shift, minlength=n_tokens)
    placed = np.cumsum(counts) - counts         # where each token's next pair goes
    for s in range(0, len(packed), _STEP):
        part = packed[s:s + _STEP]
        token = part >> shift
        order = _stable_order(token, n_tokens)
        token = token[order]
        here = np.bincount(token, minlength=n_tokens)
        first = np.cumsum(here) - here          # each token's first place in this step
        out[placed[token] + np.arange(len(part), dtype=np.int64) - first[token]] = part[order]
        placed += here
    return out


def _distinct_sorted(codes: np.ndarray, keys: np.ndarray, n_codes: int):
    """The distinct (code, key) pairs, sorted by code then key."""
    if not len(codes):
        return codes, keys
    if keys.min() < 0:
        raise ValueError("postings keys must not be negative")
    shift = max(int(keys.max()).bit_length(), 1)
    if int(n_codes).bit_length() + shift <= _PACKED_BITS:
        # Both in one int64 (a month's keys need about 36 bits, its words 17): one
        # sort of plain integers.  np.unique would hash first (several times slower).
        packed = np.sort((codes << shift) | keys)
        packed = packed[np.r_[True, packed[1:] != packed[:-1]]]
        return packed >> shift, packed & ((1 << shift) - 1)
    o = np.lexsort((keys, codes))
    codes, keys = codes[o], keys[o]
    new = np.r_[True, (codes[1:] != codes[:-1]) | (keys[1:] != keys[:-1])]
    return codes[new], keys[new]
