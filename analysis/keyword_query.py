"""Keyword queries: a small boolean language shared by the filter, tracking and alerts.

Language (see README.md (Keyword queries))
------------------------------------------
* a **word** matches that whole word in any case: ``flood`` matches "Flood," but not
  "floods" or "flooded";
* a **prefix** ``flood*`` (at least two letters before the ``*``) matches words that start
  with it: "flood", "floods", "flooded";
* a **phrase** in double quotes matches those words in that order: ``"interest rate"``;
* ``AND``, ``OR`` and ``NOT`` (upper case; lower-case "and" is a word), parentheses, and
  words side by side mean AND: ``oil opec`` = ``oil AND opec``;
  ``oil AND (opec OR saudi) NOT palm`` = oil and (opec or saudi) and not palm;
* precedence: NOT binds tightest, then AND, then OR.

Everything else is text, never a regular expression: ``(.*)`` looks for the characters
``.*``.  A query is parsed once (:func:`parse_query`); the result matches a whole column
at once (:meth:`Query.mask`), one string (:meth:`Query.matches`), or becomes a DuckDB
``WHERE`` predicate with bound parameters (:meth:`Query.sql`).

Example
-------
>>> q = parse_query('oil AND (opec OR saudi) NOT "palm oil"')
>>> q.matches("OPEC cut oil output."), q.matches("Palm oil and OPEC.")
(True, False)
>>> str(q)
'oil AND (opec OR saudi) AND NOT "palm oil"'
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["QueryError", "Query", "Term", "parse_query", "prepare_texts", "PreparedTexts",
           "OPERATORS"]

OPERATORS = ("AND", "OR", "NOT")

# Python's \w is Unicode-aware; DuckDB's RE2 has no look-behind, so its predicate spells
# the same boundary with character classes (letters, digits, underscore, marks).
_PY_LEFT, _PY_RIGHT = r"(?<!\w)", r"(?!\w)"
_RE2_WORD = r"[\pL\pN\pM_]"
_TOKEN_RE = re.compile(r'\s*(?:(\()|(\))|"([^"]*)("?)|([^\s()"]+))')
_MIN_PREFIX = 2


class QueryError(ValueError):
    """A keyword query that cannot be parsed; the message says where and why."""


@dataclass(frozen=True)
class Term:
    """One word, prefix (``flood*``) or quoted phrase of a query."""

    text: str
    phrase: bool = False
    prefix: bool = False

    def _body(self, escape) -> str:
        # Words of a phrase may be separated by any run of spaces or line breaks.
        words = [escape(w) for w in self.text.split()]
        body = r"\s+".join(words)
        return body + (r"\w*" if self.prefix else "")

    def regex(self) -> str:
        """Python pattern (use with re.IGNORECASE) matching the term as whole words."""
        return _PY_LEFT + self._body(re.escape) + _PY_RIGHT

    def lower_regex(self) -> str:
        """The same match for lower-cased text, without re.IGNORECASE, written to start
        with the term's first word as a literal: Python's regex engine then scans for
        that literal at C speed (a leading look-behind or IGNORECASE turns that off;
        ~10x slower on news text).  The look-behind moves after the literal."""
        words = self.text.lower().split()
        first = re.escape(words[0])
        rest = "".join(r"\s+" + re.escape(w) for w in words[1:])
        tail = r"\w*" if self.prefix else ""
        return f"{first}(?<!\\w{first}){rest}{tail}{_PY_RIGHT}"

    def re2(self) -> str:
        """The same match in RE2 syntax (DuckDB's ``regexp_matches``), case-insensitive."""
        body = self._body(re.escape).replace(r"\w*", _RE2_WORD + "*")
        return f"(?i)(^|[^\\pL\\pN\\pM_]){body}([^\\pL\\pN\\pM_]|$)"

    def __str__(self) -> str:
        if self.phrase:
            return f'"{self.text}"'
        return self.text + ("*" if self.prefix else "")


@dataclass(frozen=True)
class _Not:
    child: object


@dataclass(frozen=True)
class _And:
    children: tuple


@dataclass(frozen=True)
class _Or:
    children: tuple


def _show(node, parent: str = "") -> str:
    if isinstance(node, Term):
        return str(node)
    if isinstance(node, _Not):
        return "NOT " + _show(node.child, "NOT")
    op = "AND" if isinstance(node, _And) else "OR"
    text = f" {op} ".join(_show(c, op) for c in node.children)
    # Parentheses only where precedence needs them (an OR inside AND or NOT).
    return f"({text})" if parent and (op == "OR" or parent == "NOT") else text


class Query:
    """A parsed keyword query (build it with :func:`parse_query`).

    ``terms`` lists the query's terms in order of appearance; ``positive_terms`` those not
    under a NOT (what a matching sentence mentions, and what to highlight).
    """

    def __init__(self, root, source: str):
        self._root = root
        self.source = source
        self.terms: tuple[Term, ...] = tuple(dict.fromkeys(_terms(root)))
        self.positive_terms: tuple[Term, ...] = tuple(dict.fromkeys(_terms(root, positive=True)))
        self._compiled = {t: re.compile(t.lower_regex()) for t in self.terms}

    def __str__(self) -> str:
        return _show(self._root)

    def __repr__(self) -> str:
        return f"Query({str(self)!r})"

    def __eq__(self, other) -> bool:
        return isinstance(other, Query) and self._root == other._root

    def __hash__(self) -> int:
        return hash(self._root)

    def matches(self, text: str) -> bool:
        """Whether one string matches the query."""
        lowered = (text or "").lower()
        found = {t: bool(p.search(lowered)) for t, p in self._compiled.items()}
        return bool(_evaluate(self._root, found.__getitem__))

    def term_masks(self, texts) -> dict[Term, np.ndarray]:
        """For each term, a boolean array: which texts contain it (NaN never does).

        ``texts`` is a Series or :func:`prepare_texts` of one (to share the preparation
        between several queries over the same column)."""
        prepared = texts if isinstance(texts, PreparedTexts) else prepare_texts(texts)
        return {term: prepared.rows_matching(pattern) for term, pattern in self._compiled.items()}

    def mask(self, texts, *more) -> np.ndarray:
        """Boolean array over rows: the query matches the row's texts taken together.

        ``mask(articles["title"], articles["text"])`` asks whether title or text holds
        each term (a term may be in the title and another in the body).
        """
        masks = self.term_masks(texts)
        for extra in more:
            for t, m in self.term_masks(extra).items():
                masks[t] = masks[t] | m
        return np.asarray(_evaluate(self._root, masks.__getitem__), dtype=bool)

    def evaluate(self, term_values) -> np.ndarray:
        """Combine per-term booleans (``{Term: array}``, e.g. per-article "any sentence
        has it") with the query's AND / OR / NOT."""
        return np.asarray(_evaluate(self._root, lambda t: np.asarray(term_values[t], dtype=bool)),
                          dtype=bool)

    def mentions(self, texts) -> np.ndarray:
        """Rows that mention at least one positive term (a sentence "about" the query)."""
        masks = self.term_masks(texts)
        out = np.zeros(len(texts), dtype=bool)
        for t in self.positive_terms:
            out |= masks[t]
        return out

    def sql(self, *columns: str) -> tuple[str, list[str]]:
        """A DuckDB predicate and its parameters: rows whose ``columns`` match.

        Column names are quoted identifiers; every pattern is a bound ``?`` parameter,
        so no query text ever becomes SQL.  ``con.execute(f"SELECT … WHERE {pred}", params)``.
        """
        if not columns:
            raise ValueError("sql() needs at least one column name")
        quoted = ['"' + c.replace('"', '""') + '"' for c in columns]
        params: list[str] = []

        def term_sql(term: Term) -> str:
            parts = []
            for col in quoted:
                params.append(term.re2())
                parts.append(f"regexp_matches(coalesce({col}, ''), ?)")
            return "(" + " OR ".join(parts) + ")"

        return _to_sql(self._root, term_sql), params


_JOIN = "\x01"  # between texts: not a word character and not whitespace


class PreparedTexts:
    """A text column joined and lower-cased once, for matching many terms over it.

    Matching a term is then one regex scan over one string (the engine jumps between
    occurrences of the term's first word) and a binary search from each match to its
    row, instead of a regex call per row.
    """

    def __init__(self, texts: pd.Series):
        values = ["" if not isinstance(v, str) else v for v in texts.tolist()]
        self._n = len(values)
        joined = _JOIN.join(v.replace(_JOIN, " ") if _JOIN in v else v for v in values)
        lowered = joined.lower()
        if len(lowered) != len(joined):
            # A few characters lower-case to two (U+0130 'İ' -> 'i̇'): offsets move,
            # so they come from the lower-cased texts themselves.
            values = [v.lower() for v in values]
            lowered = _JOIN.join(values)
        lengths = np.fromiter((len(v) for v in values), dtype=np.int64, count=self._n)
        self._ends = np.cumsum(lengths + 1) - 1  # position of each text's separator
        self._text = lowered

    def __len__(self) -> int:
        return self._n

    def rows_matching(self, pattern: re.Pattern) -> np.ndarray:
        starts = np.fromiter((m.start() for m in pattern.finditer(self._text)), dtype=np.int64)
        found = np.zeros(self._n, dtype=bool)
        if len(starts):
            found[np.searchsorted(self._ends, starts, side="left")] = True
        return found


def prepare_texts(texts: pd.Series) -> PreparedTexts:
    """:class:`PreparedTexts` of a column, to pass to several queries' ``mask``."""
    return PreparedTexts(texts)


def _terms(node, positive: bool = False, negated: bool = False):
    if isinstance(node, Term):
        if not (positive and negated):
            yield node
    elif isinstance(node, _Not):
        yield from _terms(node.child, positive, not negated)
    else:
        for child in node.children:
            yield from _terms(child, positive, negated)


def _evaluate(node, leaf):
    if isinstance(node, Term):
        return leaf(node)
    if isinstance(node, _Not):
        return np.logical_not(_evaluate(node.child, leaf))
    values = [_evaluate(c, leaf) for c in node.children]
    combine = np.logical_and if isinstance(node, _And) else np.logical_or
    out = values[0]
    for v in values[1:]:
        out = combine(out, v)
    return out


def _to_sql(node, term_sql) -> str:
    if isinstance(node, Term):
        return term_sql(node)
    if isinstance(node, _Not):
        return f"(NOT {_to_sql(node.child, term_sql)})"
    op = " AND " if isinstance(node, _And) else " OR "
    return "(" + op.join(_to_sql(c, term_sql) for c in node.children) + ")"


# --------------------------------------------------------------------------- parsing


def _tokenize(query: str) -> list[tuple[str, object, int]]:
    """(kind, value, position) tokens: '(' ')' 'AND' 'OR' 'NOT' and 'TERM'."""
    tokens, pos = [], 0
    while pos < len(query):
        m = _TOKEN_RE.match(query, pos)
        if m is None or m.end() == pos:  # only trailing spaces are left
            break
        at = m.start() + len(m.group(0)) - len(m.group(0).lstrip())
        if m.group(1):
            tokens.append(("(", None, at))
        elif m.group(2):
            tokens.append((")", None, at))
        elif m.group(3) is not None:
            if not m.group(4):
                raise QueryError(f"keyword query {query!r}: the quote at position {at + 1} "
                                 f"is not closed")
            words = " ".join(m.group(3).split())
            if not words:
                raise QueryError(f"keyword query {query!r}: empty phrase \"\" at position "
                                 f"{at + 1}")
            tokens.append(("TERM", Term(words, phrase=True), at))
        else:
            word = m.group(5)
            if word in OPERATORS:
                tokens.append((word, None, at))
            else:
                prefix = (word.endswith("*") and len(word) > _MIN_PREFIX
                          and bool(re.fullmatch(r"\w+", word[:-1])))
                tokens.append(("TERM", Term(word[:-1] if prefix else word, prefix=prefix), at))
        pos = m.end()
    return tokens


class _Parser:
    def __init__(self, query: str):
        self.query = query
        self.tokens = _tokenize(query)
        self.i = 0

    def error(self, what: str) -> QueryError:
        return QueryError(f"keyword query {self.query!r}: {what}")

    def peek(self):
        return self.tokens[self.i] if self.i < len(self.tokens) else (None, None, len(self.query))

    def parse(self):
        if not self.tokens:
            raise self.error("nothing to search for")
        node = self.parse_or()
        kind, _, at = self.peek()
        if kind == ")":
            raise self.error(f"')' at position {at + 1} has no matching '('")
        return node

    def parse_or(self):
        children = [self.parse_and()]
        while self.peek()[0] == "OR":
            self.i += 1
            children.append(self.parse_and("OR"))
        return children[0] if len(children) == 1 else _Or(tuple(children))

    def parse_and(self, after: str | None = None):
        children = [self.parse_not(after)]
        while True:
            kind = self.peek()[0]
            if kind == "AND":
                self.i += 1
                children.append(self.parse_not("AND"))
            elif kind in ("TERM", "(", "NOT"):
                children.append(self.parse_not())  # side by side: implicit AND
            else:
                break
        return children[0] if len(children) == 1 else _And(tuple(children))

    def parse_not(self, after: str | None = None):
        kind, _, at = self.peek()
        if kind == "NOT":
            self.i += 1
            return _Not(self.parse_not("NOT"))
        return self.parse_atom(after)

    def parse_atom(self, after: str | None):
        kind, value, at = self.peek()
        if kind == "TERM":
            self.i += 1
            return value
        if kind == "(":
            self.i += 1
            if self.peek()[0] == ")":
                raise self.error(f"empty parentheses at position {at + 1}")
            node = self.parse_or()
            if self.peek()[0] != ")":
                raise self.error(f"'(' at position {at + 1} is not closed")
            self.i += 1
            return node
        needs = f"{after} needs a word or phrase after it" if after else "expected a word or phrase"
        found = "the end of the query" if kind is None else f"{kind!r} at position {at + 1}"
        raise self.error(f"{needs}, found {found} (a word that is an operator must be quoted: "
                         f"\"and\" or written in lower case)")


def parse_query(query: str) -> Query:
    """Parse a keyword query (see the module docstring for the language).

    Raises :class:`QueryError` (a ``ValueError``) naming the query, the position and the
    problem: an operator without a term after it, an unclosed quote or parenthesis, an
    empty query or phrase.
    """
    if isinstance(query, Query):
        return query
    if not isinstance(query, str):
        raise QueryError(f"keyword query must be a string, got {type(query).__name__}")
    root = _Parser(query).parse()
    if not list(_terms(root, positive=True)):
        raise QueryError(f"keyword query {query!r}: only NOT terms; say what to look for "
                         f"too (e.g. 'oil NOT palm')")
    return Query(root, query)
