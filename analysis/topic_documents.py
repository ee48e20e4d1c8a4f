"""What the topic model reads of an article: one function, used everywhere topics are
fitted or assigned (the in-memory pipeline, the archive index, the dashboard), so every
path fits and transforms the same documents.

The headline is the densest topical line of a news article, so it is read together with
the text: ``title + "\\n\\n" + text``, the title as the first paragraph.  Counted once:
on reuters-dev's single-code articles at k=20 reading the title raised NMI against the
Reuters codes by 0.017 and 0.013 (the two halves), and reading it twice moved it by
+0.013 and −0.005 more, so no weighting (``benchmarks/bench_topics.py``).  A title or
text written entirely in capitals
(agency headlines: ``U.S. TRADE DEFICIT WIDENS``) is read in title case, so its
two-letter words do not become acronyms (``IN``, ``OF``) and its words count as the same
terms as in lower case.
"""
from __future__ import annotations

import pandas as pd

__all__ = ["topic_documents"]


def _uncapitalised(text: str) -> str:
    return text.title() if text.isupper() else text


def topic_documents(articles: pd.DataFrame) -> list[str]:
    """The documents the topic model is fitted on / assigns, one per row of ``articles``.

    Parameters
    ----------
    articles : frame with ``text`` (str); ``title`` (str) is used when present.  Missing
        values count as empty strings.

    Returns
    -------
    list of str, in row order: ``title + "\\n\\n" + text`` (just the text when the
    title is empty or absent, just the title when the text is); an all-capitals title
    or text is title-cased first.

    >>> topic_documents(pd.DataFrame({"title": ["OIL PRICES FALL", ""],
    ...                               "text": ["Crude fell.", "Rates rose."]}))
    ['Oil Prices Fall\\n\\nCrude fell.', 'Rates rose.']
    """
    texts = articles["text"].fillna("").astype(str).tolist()
    if "title" not in articles.columns:
        return [_uncapitalised(t) for t in texts]
    titles = articles["title"].fillna("").astype(str).tolist()
    out = []
    for title, text in zip(titles, texts):
        title, text = _uncapitalised(title.strip()), _uncapitalised(text)
        out.append(f"{title}\n\n{text}" if title and text.strip() else title or text)
    return out
