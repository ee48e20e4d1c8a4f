"""VADER's ``polarity_scores``, rule for rule, at a fraction of the cost.

vaderSentiment 3.3.2 is pure Python and, for every lexicon word of a sentence, lowercases
the whole sentence again (three times over in its negation and idiom checks) and scans
its negation list as a Python list; its ``polarity_scores`` also rebuilds the text one
character at a time to look for emoji.  On news sentences, which are long, that makes
scoring quadratic in sentence length.  :class:`FastVader` applies the same rules in the
same order with the same arithmetic, but lowercases each word once, looks words up in
sets, and only builds the idiom strings when a word of some idiom is near.  Text with
emoji is handed to vaderSentiment's own code, and so is the "but" rule (it has
order-dependent quirks, kept by running the same function on the same valences).

The scores are identical to vaderSentiment's, bit for bit: ``tests/test_vader.py``
compares them on every sentence of the shared corpora and on generated sentences that
exercise each rule (negations, "least", "no", boosters, capitals, idioms, "!", "?").
Any other vaderSentiment version is used as is.
"""
from __future__ import annotations

import math
import string
from importlib.metadata import version

from vaderSentiment import vaderSentiment as _vs

__all__ = ["FastVader", "EXACT_VERSION"]

#: The vaderSentiment release whose rules this module reproduces.
EXACT_VERSION = "3.3.2"

_PUNCT = string.punctuation
_NEGATE = frozenset(_vs.NEGATE)
_BOOSTER = _vs.BOOSTER_DICT
_SPECIAL = _vs.SPECIAL_CASES
_N_SCALAR = _vs.N_SCALAR
_C_INCR = _vs.C_INCR
# Every word of a special-case idiom or of a multi-word booster ("kind of"): the idiom
# strings can only match when a word in the window around a lexicon word is one of these.
_IDIOM_WORDS = frozenset(w for key in (*_SPECIAL, *(k for k in _BOOSTER if " " in k))
                         for w in key.split())
_NEUTRAL = (0.0, 1.0, 0.0, 0.0)
_EMPTY = (0.0, 0.0, 0.0, 0.0)


def _negated(word_lower: str) -> bool:
    # vaderSentiment's negated([word]): the negation list, or any "n't".
    return word_lower in _NEGATE or "n't" in word_lower


def _idioms(valence, lower, i):
    """vaderSentiment's ``_special_idioms_check`` on the lowercased words."""
    l3, l2, l1, l0 = lower[i - 3], lower[i - 2], lower[i - 1], lower[i]
    threetwoone, threetwo, twoone = f"{l3} {l2} {l1}", f"{l3} {l2}", f"{l2} {l1}"
    for seq in (f"{l1} {l0}", f"{l2} {l1} {l0}", twoone, threetwoone, threetwo):
        if seq in _SPECIAL:
            valence = _SPECIAL[seq]
            break
    n = len(lower)
    if n - 1 > i:
        zeroone = f"{l0} {lower[i + 1]}"
        if zeroone in _SPECIAL:
            valence = _SPECIAL[zeroone]
    if n - 1 > i + 1:
        zeroonetwo = f"{l0} {lower[i + 1]} {lower[i + 2]}"
        if zeroonetwo in _SPECIAL:
            valence = _SPECIAL[zeroonetwo]
    for n_gram in (threetwoone, threetwo, twoone):
        if n_gram in _BOOSTER:
            valence = valence + _BOOSTER[n_gram]
    return valence


class FastVader(_vs.SentimentIntensityAnalyzer):
    """vaderSentiment's analyzer; :meth:`scores` returns ``(neg, neu, pos, compound)``.

    ``polarity_scores`` keeps vaderSentiment's dict interface on top of :meth:`scores`.
    """

    def __init__(self):
        super().__init__()
        self._emoji_chars = frozenset(k for k in self.emojis if len(k) == 1)
        self._exact = version("vaderSentiment") == EXACT_VERSION

    def polarity_scores(self, text):
        neg, neu, pos, compound = self.scores(text)
        return {"neg": neg, "neu": neu, "pos": pos, "compound": compound}

    def _stock(self, text) -> tuple:
        s = super().polarity_scores(text)
        return s["neg"], s["neu"], s["pos"], s["compound"]

    def scores(self, text: str) -> tuple:
        """VADER's neg, neu, pos (rounded to 3 places) and compound (4 places)."""
        # Every emoji is non-ASCII, and isascii() is a flag read, not a scan.
        if not self._exact or (not text.isascii() and not self._emoji_chars.isdisjoint(text)):
            return self._stock(text)
        text = text.strip()
        # SentiText: split on whitespace, strip surrounding punctuation unless that
        # leaves two characters or fewer (emoticons such as ":)" stay whole).
        words = [s if len(s := w.strip(_PUNCT)) > 2 else w for w in text.split()]
        if not words:
            return _EMPTY
        lexicon = self.lexicon
        lower = [w.lower() for w in words]
        hits = [i for i, w in enumerate(lower) if w in lexicon and w not in _BOOSTER]
        if not hits:
            # Every valence is 0: VADER's arithmetic gives exactly this.
            return _NEUTRAL
        n = len(words)
        n_upper = sum(map(str.isupper, words))
        is_cap_diff = 0 < n - n_upper < n
        sentiments = [0] * n
        for i in hits:
            item_lower = lower[i]
            if item_lower == "kind" and i < n - 1 and lower[i + 1] == "of":
                continue
            sentiments[i] = self._valence(words, lower, i, is_cap_diff)
        if "but" in lower:
            # vaderSentiment's own check: it finds each value's first equal by value,
            # a quirk that is simplest to keep by running the same code.
            sentiments = _vs.SentimentIntensityAnalyzer._but_check(words, sentiments)
        return self._score(sentiments, text)

    def _valence(self, words, lower, i, is_cap_diff):
        """``sentiment_valence`` for the lexicon word at ``i``."""
        lexicon = self.lexicon
        item_lower = lower[i]
        n = len(words)
        valence = lexicon[item_lower]
        if item_lower == "no" and i != n - 1 and lower[i + 1] in lexicon:
            valence = 0.0
        if (i > 0 and lower[i - 1] == "no") or (i > 1 and lower[i - 2] == "no") or (
                i > 2 and lower[i - 3] == "no" and lower[i - 1] in ("or", "nor")):
            valence = lexicon[item_lower] * _N_SCALAR
        if is_cap_diff and words[i].isupper():
            if valence > 0:
                valence += _C_INCR
            else:
                valence -= _C_INCR
        for start_i in range(3):
            j = i - (start_i + 1)
            if j < 0:
                break
            prev = lower[j]
            if prev in lexicon:
                continue
            # scalar_inc_dec
            s = 0.0
            if prev in _BOOSTER:
                s = _BOOSTER[prev]
                if valence < 0:
                    s *= -1
                if is_cap_diff and words[j].isupper():
                    if valence > 0:
                        s += _C_INCR
                    else:
                        s -= _C_INCR
            if start_i == 1 and s != 0:
                s = s * 0.95
            if start_i == 2 and s != 0:
                s = s * 0.9
            valence = valence + s
            # _negation_check
            if start_i == 0:
                if _negated(lower[i - 1]):
                    valence = valence * _N_SCALAR
            elif start_i == 1:
                if lower[i - 2] == "never" and (lower[i - 1] == "so" or lower[i - 1] == "this"):
                    valence = valence * 1.25
                elif lower[i - 2] == "without" and lower[i - 1] == "doubt":
                    pass
                elif _negated(lower[i - 2]):
                    valence = valence * _N_SCALAR
            else:
                if (lower[i - 3] == "never" and (lower[i - 2] == "so" or lower[i - 2] == "this")
                        or (lower[i - 1] == "so" or lower[i - 1] == "this")):
                    valence = valence * 1.25
                elif lower[i - 3] == "without" and (lower[i - 2] == "doubt"
                                                    or lower[i - 1] == "doubt"):
                    pass
                elif _negated(lower[i - 3]):
                    valence = valence * _N_SCALAR
                if not _IDIOM_WORDS.isdisjoint(lower[i - 3:i + 3]):
                    valence = _idioms(valence, lower, i)
        # _least_check
        if i > 1 and lower[i - 1] not in lexicon and lower[i - 1] == "least":
            if lower[i - 2] != "at" and lower[i - 2] != "very":
                valence = valence * _N_SCALAR
        elif i > 0 and lower[i - 1] not in lexicon and lower[i - 1] == "least":
            valence = valence * _N_SCALAR
        return valence

    @staticmethod
    def _score(sentiments, text) -> tuple:
        """``score_valence``, returning a tuple."""
        sum_s = float(sum(sentiments))
        ep = text.count("!")
        if ep > 4:
            ep = 4
        ep_amplifier = ep * 0.292
        qm = text.count("?")
        qm_amplifier = 0
        if qm > 1:
            qm_amplifier = qm * 0.18 if qm <= 3 else 0.96
        punct = ep_amplifier + qm_amplifier
        if sum_s > 0:
            sum_s += punct
        elif sum_s < 0:
            sum_s -= punct
        compound = _vs.normalize(sum_s)
        pos_sum = 0.0
        neg_sum = 0.0
        neu_count = 0
        for s in sentiments:
            if s > 0:
                pos_sum += (float(s) + 1)
            if s < 0:
                neg_sum += (float(s) - 1)
            if s == 0:
                neu_count += 1
        if pos_sum > math.fabs(neg_sum):
            pos_sum += punct
        elif pos_sum < math.fabs(neg_sum):
            neg_sum -= punct
        total = pos_sum + math.fabs(neg_sum) + neu_count
        return (round(math.fabs(neg_sum / total), 3), round(math.fabs(neu_count / total), 3),
                round(math.fabs(pos_sum / total), 3), round(compound, 4))
