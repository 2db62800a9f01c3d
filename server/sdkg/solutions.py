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
from typing import Protocol

import pyoxigraph as ox


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
    result = store.query(query)
    if isinstance(result, ox.QuerySolutions):
        return result
    # A store that reads its answers in full gives the solutions as a list.
    if isinstance(result, list) and all(isinstance(row, ox.QuerySolution) for row in result):
        return result
    raise TypeError(f"expected the solutions of a SELECT query, got {type(result).__name__}")


def construct(store: Queryable, query: str) -> Iterable[ox.Triple]:
    """The triples of the CONSTRUCT or DESCRIBE ``query`` on ``store`` (read in this thread).

    Raises TypeError when the store's answer is not triples.
    """
    result = store.query(query)
    if isinstance(result, ox.QueryTriples):
        return result
    if isinstance(result, list) and all(isinstance(triple, ox.Triple) for triple in result):
        return result
    raise TypeError(f"expected the triples of a CONSTRUCT query, got {type(result).__name__}")
