"""Which network calls a query may make (SERVICE), decided so the engine cannot differ.

A lexer of the query text (:mod:`sdkg.sparql_text`) cannot by itself decide what the
engine calls: the engine parses the same text its own way (comment ends, escapes,
``<`` as an IRI or an operator), and pyoxigraph does not expose its parse. So:

- A query that names no allow-listed endpoint runs **offline** when the store is the
  embedded one and the platform allows it (:mod:`sdkg.offline`): the kernel refuses the
  evaluating thread any socket, so no request leaves the server whatever the text says.
  A hidden SERVICE then fails, and the client gets a 403.
- A query that must reach the network (it names allow-listed endpoints, or the store is
  remote, or offline threads are unavailable) passes the **strict rule** on the exact
  text handed to the engine (comments blanked out by us): every occurrence of the word
  ``service``, in any letter case or Unicode look-alike and after ``\\u`` escapes, must be
  a clause ``SERVICE [SILENT] <IRI>`` whose IRI is on the allow-list. An engine cannot
  call an endpoint without that keyword, so whatever it makes of the rest of the text,
  each endpoint it can call was checked. The price: in such queries the word may not
  appear in strings, IRIs or names; the 403 says so.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from sdkg import sparql_text
from sdkg.errors import ServiceRefused

__all__ = ["QueryPlan", "ServiceRefused", "check_every_service_word", "plan", "policy"]


@dataclass(frozen=True)
class QueryPlan:
    """How to run a checked query: the text to hand the engine, and where to run it."""

    text: str
    #: True: evaluate in a thread that cannot open sockets (:mod:`sdkg.offline`).
    offline: bool


def plan(query: str, allowed: Iterable[str], *, can_run_offline: bool) -> QueryPlan:
    """Check the SERVICE clauses of ``query`` against ``allowed``; say how to run it.

    Raises :class:`ServiceRefused` for a query that names, or may hide, an endpoint
    that is not allowed.
    """
    allowed = frozenset(allowed)
    targets = sparql_text.service_targets(query)
    for target in targets:
        if target is None or target not in allowed:
            named = (
                f"<{target}>"
                if target
                else "to an endpoint not written as a plain full IRI (a variable, a prefixed "
                "name or escaped characters)"
            )
            raise ServiceRefused(
                f"SERVICE {named} is not allowed: {policy(allowed)}; "
                "write the endpoint as a full IRI"
            )
    if not targets and can_run_offline:
        return QueryPlan(query, offline=True)
    text = sparql_text.without_comments(query)
    check_every_service_word(text, allowed)
    return QueryPlan(text, offline=False)


def policy(allowed: frozenset[str]) -> str:
    """The allow-list in words, for messages."""
    if not allowed:
        return "federation is turned off on this server (--allow-service none)"
    return "this endpoint only calls the allow-listed " + ", ".join(
        f"<{s}>" for s in sorted(allowed)
    )


# A SERVICE clause as the strict rule accepts it: ASCII keyword, SPARQL white space, an
# IRI written in full without escapes.
_CLAUSE = re.compile(
    r"SERVICE[ \t\r\n]+(?:SILENT[ \t\r\n]+)?<([^<>\"{}|^`\\\x00-\x20]*)>", re.ASCII | re.IGNORECASE
)
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_NAME_CHAR = re.compile(r"[\w\-.:?$\u00B7]")


def check_every_service_word(text: str, allowed: frozenset[str]) -> None:
    """The strict rule (see the module docstring); raises :class:`ServiceRefused`."""
    folded = _fold(text)
    for match in re.finditer("SERVICE", folded):
        start = match.start()
        clause = _CLAUSE.match(text, start)
        glued = start > 0 and _NAME_CHAR.match(text[start - 1]) is not None
        if clause is None or glued or clause[1] not in allowed:
            line = text.count("\n", 0, start) + 1
            raise ServiceRefused(
                f"the word SERVICE at line {line} is not a SERVICE clause with an "
                f"allow-listed endpoint written as a full IRI ({policy(allowed)}). In a query "
                "that calls an endpoint, or on a server in front of another store, the word may "
                "appear only as such a clause: not in strings, IRIs, names or escaped letters "
                "(comments are fine), so that no other endpoint can hide in the text"
            )
    unescaped = _ESCAPE.sub(_unescape, text)
    if unescaped != text and _fold(unescaped).count("SERVICE") != folded.count("SERVICE"):
        raise ServiceRefused(
            "the query spells SERVICE with \\u escapes; write the keyword in plain letters"
        )


def _fold(text: str) -> str:
    """``text`` upper-cased letter by letter, lengths kept: look-alikes such as the long s
    (U+017F) or the dotless i (U+0131) become S and I, as some engines compare them."""
    return "".join(c if len(u := c.upper()) != 1 else u for c in text)


def _unescape(match: re.Match[str]) -> str:
    code = int(match[1] or match[2], 16)
    return chr(code) if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else match[0]
