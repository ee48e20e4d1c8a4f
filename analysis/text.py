"""Text clean-up for news articles: newlines, paragraphs, headings, HTML and titles.

:func:`split_blocks` turns raw article text into cleaned paragraphs and
:func:`clean_text` joins them with blank lines; :func:`is_heading` recognises section
headings; :func:`looks_like_html` and :func:`html_to_text` convert HTML to text;
:func:`make_title` makes a title for a text that has none. :mod:`analysis.corpus` uses
them when reading articles, and the sentence splitter reuses :func:`is_heading`.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

__all__ = [
    "clean_text",
    "split_blocks",
    "is_heading",
    "looks_like_html",
    "html_to_text",
    "make_title",
]

# A line longer than this cannot come from hard wrapping (typical widths are 65-80),
# so the line break after it is a real paragraph break.
WRAP_WIDTH = 100

# ----------------------------------------------------------------------------- text


_NEWLINES_RE = re.compile(r"\r\n?|\u2028|\x85(?=\n)")
# Whitespace other than newline, plus control characters, collapse to one space.
_INLINE_SPACE_RE = re.compile(r"(?:[^\S\n]|[\x00-\x08\x0e-\x1f\x7f-\x9f])+")
_BULLET_RE = re.compile(r"^(?:\s*[•*▪·]\s|\s+[-–—]\s)")
# A line ends a sentence when, past any closing quotes or brackets, its last character
# is sentence-final punctuation.
_CLOSERS = "\"'”’»)]"
_ENDS = frozenset(".!?:;…")
_HEADING_WORD_RE = re.compile(r"^[^\W\d_][\w'’&-]*$")
_SMALL_WORDS = frozenset(
    "a an and as at but by for from in into nor of on or over per the to up via vs with".split()
)


def is_heading(line: str) -> bool:
    """Whether a single line (or paragraph) reads as a section heading.

    True for a short line (at most 8 words, 80 characters) that starts with a capital
    letter and either

    * ends with ``:``, has no other punctuation and is in Title Case
      (``The Escape:``, ``In Conclusion:``, ``Q3 Results:``), or
    * has no punctuation at all, consists of words only (no digits) and is in
      Title Case (``The Aftermath``).

    Small words (``of``, ``the``, ``and`` …) may be lowercase inside Title Case.
    This is the context-free test; :func:`split_blocks` only makes a line a heading
    where it also starts a block and is followed by more text, and never inside a
    hard-wrapped paragraph.

    >>> is_heading("The Escape:"), is_heading("Oilseed export registrations were:")
    (True, False)
    """
    s = line.strip()
    if not s or len(s) > 80 or not s[0].isupper():
        return False
    has_colon = s.endswith(":")
    body = s[:-1].rstrip() if has_colon else s
    words = body.split()
    if not words or len(words) > 8:
        return False
    if any(ch in body for ch in ".!?;:,…\"“”()[]"):
        return False
    title_case = all(
        not w[0].isalpha() or w[0].isupper() or w.lower() in _SMALL_WORDS for w in words
    )
    if has_colon:
        return title_case
    return title_case and all(_HEADING_WORD_RE.match(w) for w in words)


def _ends_sentence(line: str) -> bool:
    return line.rstrip(_CLOSERS)[-1:] in _ENDS


def _normalise_newlines(text: str) -> str:
    # ASCII text can only hold "\r" of what is folded here; isascii() is a flag read,
    # and most texts are ASCII without "\r" (the reading of an article calls this twice).
    if text.isascii() and "\r" not in text:
        return text
    text = text.replace("\ufeff", "").replace("\u2029", "\n\n")
    return _NEWLINES_RE.sub("\n", text)


def _indent(raw_line: str) -> int:
    """Indentation width of a raw line; a tab counts as 4 columns."""
    # str.isspace and the regex class \s agree on every character, and raw lines hold
    # no "\n": lstrip removes exactly the leading [^\S\n]* run.
    n = len(raw_line) - len(raw_line.lstrip())
    return n + 3 * raw_line.count("\t", 0, n)


def _split_heading_runs(lines: list[str]) -> list[list[str]]:
    """Split one block of lines where a heading line starts a new paragraph.

    A heading must be followed by more text in the block and must start the block or
    follow a line that ends a sentence (so a wrapped line is never a heading). A heading
    without a colon additionally needs a next line longer than any wrap width, which
    keeps Reuters-style wrapped text ("Texas Commerce Bancshares Inc's Texas") intact.
    """
    out: list[list[str]] = []
    cur: list[str] = []
    for i, line in enumerate(lines):
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        # The cheap tests first: in hard-wrapped text (every line under the wrap width)
        # a line without a final colon is no heading, whatever is_heading says.
        heading = (
            nxt is not None
            and (line.endswith(":") or len(nxt) > WRAP_WIDTH)
            and (not cur or _ends_sentence(cur[-1]))
            and is_heading(line)
        )
        if heading:
            if cur:
                out.append(cur)
            out.append([line])
            cur = []
        else:
            cur.append(line)
    if cur:
        out.append(cur)
    return out


def split_blocks(raw: str) -> list[str]:
    """Split raw article text into cleaned paragraphs.

    Rules, in order:

    * ``\\r\\n`` and lone ``\\r`` become ``\\n``; HTML (see :func:`looks_like_html`) is
      converted to text first.
    * Inside a line, tabs, no-break and other Unicode spaces and control characters
      become one space; lines are stripped. Words and punctuation are never changed.
    * A new paragraph starts at a blank line; at a line indented 2+ columns more than
      the least indented line (Reuters style, where every paragraph's first line is
      indented); at a bullet line (``•``, ``*``, or an indented ``-``); and after a line
      longer than ``WRAP_WIDTH`` (such a line was not hard-wrapped).
    * A short heading line (:func:`is_heading`) that starts a block or follows the end
      of a sentence and is followed by more text becomes its own paragraph.
    * Other line breaks are hard wraps: the lines are joined with one space.

    Returns the non-empty paragraphs in order.

    >>> split_blocks("The Escape:\\nHe ran\\nfast.\\n\\n    Then he\\nhid.\\n    The end.")
    ['The Escape:', 'He ran fast.', 'Then he hid.', 'The end.']
    """
    text = _normalise_newlines(raw)
    if looks_like_html(text):
        text = html_to_text(text)
    parsed = []
    for raw_line in text.split("\n"):
        # Fast path: a printable line without double spaces has nothing to collapse
        # (every other space or control character is "non-printable" to Python).
        stripped = raw_line.strip()
        if not (stripped.isprintable() and "  " not in stripped):
            stripped = _INLINE_SPACE_RE.sub(" ", raw_line).strip()
        # A line that does not start with whitespace has no indentation to measure.
        parsed.append((_indent(raw_line) if stripped and raw_line[:1].isspace() else 0,
                       stripped, raw_line))
    indents = [ind for ind, s, _ in parsed if s]
    base = min(indents) if indents else 0

    blocks: list[list[str]] = []
    cur: list[str] = []
    for ind, s, raw_line in parsed:
        if not s:
            if cur:
                blocks.append(cur)
            cur = []
            continue
        if cur and (ind - base >= 2 or len(cur[-1]) > WRAP_WIDTH or _BULLET_RE.match(raw_line)):
            blocks.append(cur)
            cur = []
        cur.append(s)
    if cur:
        blocks.append(cur)

    paragraphs = []
    for block in blocks:
        if len(block) == 1:
            # A lone line is never a heading run (a heading needs a line after it).
            paragraphs.append(block[0])
            continue
        for run in _split_heading_runs(block):
            paragraphs.append(" ".join(run))
    return paragraphs


def clean_text(raw: str) -> str:
    """Clean raw article text: paragraphs from :func:`split_blocks` joined by ``"\\n\\n"``.

    >>> clean_text("A wrapped\\r\\nline.\\r\\n\\r\\nNext\\tpara.")
    'A wrapped line.\\n\\nNext para.'
    """
    return "\n\n".join(split_blocks(raw))


# ----------------------------------------------------------------------------- HTML

_HTML_DOC_RE = re.compile(r"<!doctype\s+html|<html[\s>]|<body[\s>]", re.I)
_HTML_CLOSE_RE = re.compile(
    r"</(?:p|div|span|a|b|i|u|em|strong|h[1-6]|li|ul|ol|table|tr|td|th|section|article|"
    r"blockquote|header|footer|main|title|script|style|font|center)\s*>",
    re.I,
)
# Opening tags count only in lowercase: Reuters writes tickers like <BR> or <I>.
_HTML_OPEN_RE = re.compile(r"<(?:p|div|br|li|h[1-6])(?:\s[^<>]*)?/?>")


def looks_like_html(text: str) -> bool:
    """Whether text is HTML: a document tag, a closing tag of a common element, or at
    least two lowercase ``<p>``/``<div>``/``<br>``/``<li>``/``<hN>`` tags.

    Conservative on purpose: a stock ticker such as ``<BR>`` or ``<shu>`` is not HTML.
    """
    if "<" not in text:
        return False
    return bool(
        _HTML_DOC_RE.search(text)
        or _HTML_CLOSE_RE.search(text)
        or len(_HTML_OPEN_RE.findall(text)) >= 2
    )


class _HTMLToText(HTMLParser):
    BLOCK = frozenset(
        "address article aside blockquote body dd div dl dt figcaption figure footer form h1 h2 "
        "h3 h4 h5 h6 header hr html li main nav ol p pre section table td th title tr ul".split()
    )
    SKIP = frozenset({"script", "style", "noscript", "template"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip_depth = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in self.SKIP:
            self.skip_depth += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag in self.BLOCK:
            self.parts.append("\n\n")

    def handle_startendtag(self, tag: str, attrs: Any) -> None:
        if tag == "br":
            self.parts.append("\n")
        elif tag in self.BLOCK:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self.skip_depth = max(0, self.skip_depth - 1)
        elif tag in self.BLOCK:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self.skip_depth:
            # In HTML, any run of whitespace (including source line breaks) is one space.
            self.parts.append(re.sub(r"\s+", " ", data))


def html_to_text(html: str) -> str:
    """Convert HTML to plain text with the stdlib parser.

    Block elements (``<p>``, ``<div>``, ``<li>``, headings …) become paragraph breaks,
    ``<br>`` a line break; entities are unescaped; ``<script>``/``<style>`` content is
    dropped. The result still needs :func:`clean_text`.
    """
    parser = _HTMLToText()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)


# ----------------------------------------------------------------------------- titles

_FIRST_SENTENCE_RE = re.compile(r"[.!?…][\"'”’»)\]]*(?=\s|$)")
_TITLE_ABBREVIATIONS = frozenset(
    "Inc Corp Ltd Co Plc St Jr Sr Mr Mrs Ms Dr Prof Gen Sen Rep Gov Lt Col Capt No vs "
    "Jan Feb Mar Apr Aug Sep Sept Oct Nov Dec S U K".split())


def _shorten(text: str, limit: int = 80) -> str:
    """Cut text to at most ``limit`` characters at a word boundary, adding '…'."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:-–—") + "…"


def make_title(text: str) -> str:
    """Title for a cleaned text that has no title of its own.

    The first paragraph when it is short and reads like a title (at most 15 words and
    150 characters, not ending with '.' or ':'); otherwise the first sentence of the
    first non-heading paragraph, shortened to about 80 characters at a word boundary
    with '…'. The text itself is not changed.
    """
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    if not paragraphs:
        return ""
    first = paragraphs[0]
    if len(first.split()) <= 15 and len(first) <= 150 and not first.endswith((".", ":")):
        return first
    body = next((p for p in paragraphs if not is_heading(p)), first)
    end = len(body)
    for match in _FIRST_SENTENCE_RE.finditer(body):
        word = body[: match.start()].rsplit(None, 1)[-1] if body[: match.start()].strip() else ""
        # "Lumora Devices Inc. unveiled…", "the U.S. said…": not the end of a sentence.
        if word.rstrip(".").split(".")[-1] in _TITLE_ABBREVIATIONS or len(word.rstrip(".")) == 1:
            continue
        end = match.end()
        break
    return _shorten(body[:end])
