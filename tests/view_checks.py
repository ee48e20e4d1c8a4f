"""Checks shared by the tests that hold the two backends of analysis.views side by side."""
from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from analysis.views import resolve_freq


def assert_same_figures(fv, sv, sentence_means: bool = True) -> str:
    """The headline, label counts, both histograms and the timeline of a
    :class:`~analysis.views.FrameViews` and a :class:`~analysis.views.StoreViews` of the
    same view agree; returns the period both resolve "auto" to.  ``sentence_means=False``
    leaves out the mean sentence compound (headline, timeline ``compound``), which a
    store derives from its article roll-ups."""
    h1, h2 = fv.headline(), sv.headline()
    if sentence_means:
        assert h1.mean_compound == pytest.approx(h2.mean_compound, nan_ok=True)
    assert dataclasses.replace(h1, mean_compound=0) == dataclasses.replace(h2, mean_compound=0)
    pd.testing.assert_frame_equal(fv.label_counts(), sv.label_counts())
    for of in ("sentences", "articles"):
        pd.testing.assert_frame_equal(fv.histogram(of), sv.histogram(of))
    freq = resolve_freq(fv, "auto")
    assert freq == resolve_freq(sv, "auto")
    a, b = fv.timeline(freq), sv.timeline(freq)
    pd.testing.assert_frame_equal(a[["period", "n_articles", "n_sentences"]],
                                  b[["period", "n_articles", "n_sentences"]])
    if sentence_means:
        np.testing.assert_allclose(a["compound"], b["compound"], equal_nan=True)
    np.testing.assert_allclose(a["article_compound"], b["article_compound"], equal_nan=True)
    return freq
