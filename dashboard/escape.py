"""The one HTML escaper of the dashboard: every text from a corpus or a user (titles,
sentences, labels, renames, file names) goes through :func:`esc` before it reaches
HTML, a Plotly label or a hover, so it is always shown as text, never as markup."""
from __future__ import annotations

import html
import math

__all__ = ["esc"]


def esc(value, quote: bool = True) -> str:
    """``value`` as escaped text ("" for None or NaN); quotes escaped too (``quote``), so
    the result is safe inside an attribute.  Plotly's labels and hovers take
    ``quote=False``: its pseudo-HTML decodes ``&amp;``, ``&lt;`` and ``&gt;`` but shows
    ``&quot;`` as typed (a tracked ``"interest rates"`` read ``&quot;interest
    rates&quot;`` in a legend), and no chart text is inside an attribute."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return html.escape(str(value), quote=quote)
