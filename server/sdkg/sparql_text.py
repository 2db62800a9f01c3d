"""A small lexer for SPARQL text: what a query declares, without running it.

pyoxigraph parses queries but does not expose the parse, so the few facts the
server needs before running a query come from here: which operation the text
starts with (to refuse updates clearly), whether it has a dataset clause (FROM /
FROM NAMED, which must win over the union default graph), and which SERVICE
endpoints it would call (the server only calls allow-listed ones). Comments,
strings and IRIs are skipped, so a keyword inside them never counts, and a
prefixed name such as ``ex:from`` or a variable ``?from`` is never a keyword.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

_TOKEN = re.compile(
    r"""
    (?P<comment>\#[^\r\n]*)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
             | '''(?:[^'\\]|\\.|'(?!''))*'''
             | "(?:[^"\\\n\r]|\\.)*"
             | '(?:[^'\\\n\r]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<word>[\w?$:][\w\-.:%?$\u00B7]*)
  | (?P<space>\s+)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)

UPDATE_KEYWORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}
)


@dataclass(frozen=True)
class Token:
    """One lexical token: its kind (``iri``, ``string``, ``word``, ``other``) and text."""

    kind: str
    text: str

    @property
    def keyword(self) -> str | None:
        """The upper-cased keyword this token is, or None (variables, prefixed names, ...)."""
        if self.kind != "word" or self.text[0] in "?$" or ":" in self.text:
            return None
        return self.text.upper()


def tokens(text: str) -> Iterator[Token]:
    """The tokens of ``text``, without comments and white space."""
    for token, _start, _end in _located_tokens(text):
        yield token


def _located_tokens(text: str) -> Iterator[tuple[Token, int, int]]:
    """Each token with its start and end offsets in ``text``."""
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        if kind not in ("comment", "space"):
            yield Token(kind, match.group()), match.start(), match.end()


def operation_keyword(text: str) -> str | None:
    """The first keyword after the prologue (BASE / PREFIX): SELECT, INSERT, LOAD, ..."""
    in_prologue_decl = False
    for token in tokens(text):
        keyword = token.keyword
        if keyword in ("BASE", "PREFIX"):
            in_prologue_decl = True
        elif in_prologue_decl:
            if token.kind == "iri":
                in_prologue_decl = False
        elif keyword is not None:
            return keyword
        elif token.kind != "other":
            return None
    return None


def is_update(text: str) -> bool:
    """True when ``text`` is a SPARQL Update request rather than a query."""
    return operation_keyword(text) in UPDATE_KEYWORDS


#: Functions whose value changes from one call to the next (SPARQL 1.1, 17.4).
NONDETERMINISTIC_FUNCTIONS = frozenset({"RAND", "NOW", "UUID", "STRUUID", "BNODE"})
_MAY_NAME_ONE = re.compile("|".join(sorted(NONDETERMINISTIC_FUNCTIONS)), re.IGNORECASE)


def is_deterministic(text: str) -> bool:
    """True when ``text`` calls none of :data:`NONDETERMINISTIC_FUNCTIONS`, so that the
    same store content always gives it the same answer."""
    if _MAY_NAME_ONE.search(text) is None:
        return True  # no such letters anywhere: no such keyword token either
    return not any(token.keyword in NONDETERMINISTIC_FUNCTIONS for token in tokens(text))


def has_dataset_clause(text: str) -> bool:
    """True when the query names its dataset with FROM or FROM NAMED."""
    # Upper-casing works character by character, so a FROM token is in the whole text
    # upper-cased: without one there, the lexer (the costlier part) cannot find it.
    if "FROM" not in text.upper():
        return False
    return any(token.keyword == "FROM" for token in tokens(text))


def service_targets(text: str) -> list[str | None]:
    """The endpoint of each SERVICE clause: the IRI if written in full, else None."""
    targets: list[str | None] = []
    if "SERVICE" not in text.upper():  # as in has_dataset_clause: no token can be one
        return targets
    stream = tokens(text)
    for token in stream:
        if token.keyword != "SERVICE":
            continue
        target = next(stream, None)
        if target is not None and target.keyword == "SILENT":
            target = next(stream, None)
        targets.append(target.text[1:-1] if target is not None and target.kind == "iri" else None)
    return targets


def without_comments(text: str) -> str:
    """``text`` with each comment replaced by spaces of the same length, so that line and
    column numbers in the engine's error messages still point into the text as written."""
    parts: list[str] = []
    last = 0
    for match in _TOKEN.finditer(text):
        if match.lastgroup == "comment":
            parts += [text[last : match.start()], " " * (match.end() - match.start())]
            last = match.end()
    parts.append(text[last:])
    return "".join(parts)


def iris(text: str) -> list[str]:
    """Every IRI written in full (``<...>``) in ``text``, without the brackets."""
    return [token.text[1:-1] for token in tokens(text) if token.kind == "iri"]


def without_dataset_clause(text: str) -> str:
    """``text`` without its FROM / FROM NAMED clauses, for when the protocol names the
    dataset (SPARQL 1.1 Protocol: the protocol's graphs replace the query's)."""
    cuts: list[tuple[int, int]] = []
    located = list(_located_tokens(text))
    index = 0
    while index < len(located):
        token, start, _ = located[index]
        if token.keyword == "FROM":
            index += 1
            if index < len(located) and located[index][0].keyword == "NAMED":
                index += 1
            if index < len(located):
                cuts.append((start, located[index][2]))
        index += 1
    for start, end in reversed(cuts):
        text = text[:start] + text[end:]
    return text


def replace_operation_keyword(text: str, replacement: str) -> str:
    """``text`` with its operation keyword (SELECT, ASK, ...) replaced by ``replacement``."""
    keyword = operation_keyword(text)
    for token, start, end in _located_tokens(text):
        if token.keyword == keyword:
            return text[:start] + replacement + text[end:]
    return text


_AFTER_WHERE_KEYWORDS = frozenset({"VALUES", "LIMIT", "OFFSET", "GROUP", "HAVING", "ORDER"})


def ask_as_select(text: str) -> str:
    """An ASK query as a SELECT that stops at its first row: the same answer, for stores
    that mis-evaluate ASK (Virtuoso 7.2 says true for ``GRAPH <g>`` outside the dataset).

    ``SELECT *`` (``SELECT (1 AS ?...)`` with GROUP BY, where ``*`` is not allowed), and
    ``LIMIT 1`` unless the query has its own solution modifiers."""
    modifiers: set[str] = set()
    depth, seen_group = 0, False
    for token in tokens(text):
        if token.text == "{":
            depth += 1
            seen_group = True
        elif token.text == "}":
            depth -= 1
        elif depth == 0 and seen_group and token.keyword in _AFTER_WHERE_KEYWORDS:
            modifiers.add(token.keyword)
    projection = "SELECT (1 AS ?sdkg_ask)" if "GROUP" in modifiers else "SELECT *"
    selected = replace_operation_keyword(text, projection)
    return selected if modifiers else selected + "\nLIMIT 1"


# --------------------------------------------------------------------------- messages

_POSITION = re.compile(r"error at (\d+):(\d+): ?(.*)", re.DOTALL)


def describe_syntax_error(error: SyntaxError | str, query: str) -> str:
    """A readable message for a query syntax error (pyoxigraph's, or its text): line,
    column, expected, and a pointer into ``query``."""
    text = str(error)
    match = _POSITION.search(text)
    if match is None:
        return f"syntax error: {text}"
    line, column, detail = int(match[1]), int(match[2]), match[3]
    if detail.startswith("expected"):
        detail = "expected " + _expected_list(detail[len("expected") :])
    lines = query.splitlines() or [""]
    source = lines[line - 1] if 0 < line <= len(lines) else ""
    pointer = " " * (column - 1) + "^"
    return f"syntax error at line {line}, column {column}: {detail}\n  {source}\n  {pointer}"


def _expected_list(raw: str) -> str:
    """Shorten pyoxigraph's 'one of ...' list: keep tokens and keywords, drop char classes."""
    raw = raw.strip().removeprefix("one of").strip()
    had_classes = "[" in raw
    raw = re.sub(r"\[[^\]]*\]", "", raw, flags=re.DOTALL)
    items = [item.strip() for item in raw.split(",") if item.strip()]
    if had_classes:
        items.append("a name or variable")
    if len(items) > 12:
        items = [*items[:12], "..."]
    return ", ".join(items) if items else raw
