"""The rows of a SELECT query, or the triples of a CONSTRUCT, for code that runs one.

A store's ``query`` gives whatever the query form asks for: solutions for a SELECT, a
boolean for an ASK, triples for a CONSTRUCT or DESCRIBE (as pyoxigraph's result types, or
read into a list by a remote store). Code that runs a query of its own reads the answer
through :func:`select` or :func:`construct`, which tell the type checker what it is and
fail with a clear error, rather than reading the wrong thing, if the store answered
something else.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, TypeVar

import pyoxigraph as ox

T = TypeVar("T")


class Queryable(Protocol):
    """Anything with a store's ``query``: the embedded store, a remote one, a wrapper."""

    def query(self, sparql: str, /) -> object:
        """Run ``sparql``; the result must be read in the calling thread."""
        ...


def select(store: Queryable, query: str) -> Iterable[ox.QuerySolution]:
    """The solutions of the SELECT ``query`` on ``store``, read lazily (in this thread).

    Raises TypeError when the store's answer is not a SELECT's solutions (``query`` was an
    ASK, CONSTRUCT or DESCRIBE).
    """
    return _answer_of_form(
        store.query(query), ox.QuerySolutions, ox.QuerySolution, "the solutions of a SELECT query"
    )


def construct(store: Queryable, query: str) -> Iterable[ox.Triple]:
    """The triples of the CONSTRUCT or DESCRIBE ``query`` on ``store`` (read in this thread).

    Raises TypeError when the store's answer is not triples.
    """
    return _answer_of_form(
        store.query(query), ox.QueryTriples, ox.Triple, "the triples of a CONSTRUCT query"
    )


def _answer_of_form(
    result: object, lazy: type[Iterable[T]], item: type[T], expected: str
) -> Iterable[T]:
    """``result`` when it is pyoxigraph's ``lazy`` answer or a list of ``item``; else
    TypeError naming what was ``expected``."""
    if isinstance(result, lazy):
        return result
    # A store that reads its answers in full gives a list of one kind (a SELECT's Rows,
    # a CONSTRUCT's triples: querying.read_all, remote_store), so its first item tells;
    # checking them all would walk every answer once more.
    if isinstance(result, list) and (not result or isinstance(result[0], item)):
        return result
    raise TypeError(f"expected {expected}, got {type(result).__name__}")
