"""Running a query on a store: the one way the server does it, under a deadline.

:func:`run` runs a query and consumes its result in a daemon thread, waits at most the
time limit for it (:func:`run_with_deadline`), and turns whatever the engine raised while
the result was read into the errors of :mod:`sdkg.errors`. ``/sparql`` consumes results
by serializing them; every page of the web reads the store through a
:class:`DeadlineStore`, whose ``query`` runs :func:`run` and returns the rows as a list.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import pyoxigraph as ox

from sdkg import federation, querythreads, sparql_text
from sdkg.errors import (
    QueryError,
    QueryRejected,
    QuerySyntaxError,
    QueryTimeout,
    ServiceFailed,
    ServiceRefused,
)
from sdkg.graphstore import Dataset, GraphStore, QueryResult, Rows

T = TypeVar("T")


def run_with_deadline(
    work: Callable[[], T],
    seconds: float | None,
    *,
    offline_thread: bool = False,
    limit: float | None = None,
) -> T:
    """Run ``work`` in a long-lived query thread (:mod:`sdkg.querythreads`) and wait at
    most ``seconds`` for it (None: no limit).

    pyoxigraph cannot cancel a running query; on :class:`QueryTimeout` the thread keeps
    running until its process exits (the server then recycles the process). It is a
    daemon thread so that it never holds the process open. With ``offline_thread`` the
    thread cannot open sockets (:mod:`sdkg.offline`). The timeout's message names
    ``limit`` (the configured limit) when given, else ``seconds``.

    An error is handed over without its traceback: the traceback's frames hold the
    pyoxigraph objects ``work`` made, which must be dropped in the thread that made them.
    """
    try:
        return querythreads.run(
            work,
            threading.TIMEOUT_MAX if seconds is None else seconds,
            offline_thread=offline_thread,
        )
    except querythreads.Timeout:
        raise QueryTimeout(limit if limit is not None else seconds or 0.0) from None


def engine_error(
    error: Exception, query: str, *, offline_thread: bool, allowed_services: Iterable[str] = ()
) -> QueryError | None:
    """The :mod:`sdkg.errors` form of what pyoxigraph raised for ``query``, or None for
    an error that is not the query's (a bug, a full disk: the caller lets it pass)."""
    if isinstance(error, QuerySyntaxError) and error.engine_message is not None:
        # Worded again against the text the client sent (the store got the plan's).
        return QuerySyntaxError(
            sparql_text.describe_syntax_error(error.engine_message, query), error.engine_message
        )
    if isinstance(error, QueryError):
        return error
    if isinstance(error, SyntaxError):
        return QuerySyntaxError(sparql_text.describe_syntax_error(error, query), str(error))
    if isinstance(error, (ValueError, RuntimeError)):
        # pyoxigraph raises RuntimeError for what the query asks and the engine cannot do
        # (an unknown function, say): the client's to fix.
        return QueryRejected(f"cannot run this query: {error}")
    if isinstance(error, OSError):
        if offline_thread:
            # The engine tried the network from a thread that may not: a SERVICE the
            # text check did not see (nothing left the server).
            return ServiceRefused(
                "this query calls a SERVICE endpoint that is not allowed "
                f"({federation.policy(frozenset(allowed_services))}); nothing was sent. "
                f"Write each SERVICE as SERVICE <endpoint IRI> (engine: {error})"
            )
        if sparql_text.service_targets(query):
            # A SERVICE endpoint failed (refused, HTTP error, bad answer): not this server.
            return ServiceFailed(f"a SERVICE endpoint failed: {error}")
    return None


def run(
    store: GraphStore,
    query: str,
    consume: Callable[[QueryResult], T],
    *,
    seconds: float | None,
    limit: float | None = None,
    dataset: Dataset | None = None,
    base_iri: str | None = None,
    offline_thread: bool = False,
    allowed_services: Iterable[str] = (),
    shown_as: str | None = None,
) -> T:
    """Run ``query`` on ``store`` and ``consume`` its result, both in one thread, waiting
    at most ``seconds`` (None: no limit). Raises the :class:`~sdkg.errors.QueryError`
    kinds (among them :class:`~sdkg.errors.QueryTimeout`, naming ``limit``) and the
    store's own errors.

    ``consume`` must read what it needs (serialize it, or make a list): pyoxigraph's
    results must be read in the thread that created them, and the deadline covers the
    reading, so an answer is either complete or an error. Messages quote ``shown_as``
    (the text the client sent) when the engine is handed another (comments blanked).
    """

    def work() -> T:
        return consume(store.query(query, dataset, base_iri=base_iri))

    try:
        return run_with_deadline(work, seconds, offline_thread=offline_thread, limit=limit)
    except (SyntaxError, ValueError, RuntimeError, OSError) as error:
        translated = engine_error(
            error,
            shown_as if shown_as is not None else query,
            offline_thread=offline_thread,
            allowed_services=allowed_services,
        )
        if translated is None or id(translated) == id(error):
            raise
        raise translated from None


# --------------------------------------------------------------------------- read as lists


#: A query result read in full: rows, a boolean, or triples.
Answer = Rows | bool | list[ox.Triple]


def read_all(result: QueryResult) -> Answer:
    """``result`` read in full, so that it may leave the thread that ran the query."""
    if isinstance(result, ox.QueryBoolean):
        return bool(result)
    if isinstance(result, ox.QuerySolutions):
        return Rows(list(result.variables), result)
    if isinstance(result, Rows | bool):  # read already
        return result
    return list(result)


#: What a DeadlineStore takes as it is from the store it wraps: every public member of
#: GraphStore but ``query`` (one added to GraphStore passes through with no other edit).
_PASSED_THROUGH = {name for name in vars(GraphStore) if not name.startswith("_")} - {"query"}


class DeadlineStore:
    """A :class:`~sdkg.graphstore.GraphStore` whose queries run under a deadline
    (:func:`run`) and come back read in full (:func:`read_all`). Everything else is the
    wrapped store's.

    ``seconds()`` gives the time left (the web's per-request deadline), None for the whole
    ``limit``: the configured limit, which the timeout's message names.
    """

    def __init__(
        self, store: GraphStore, seconds: Callable[[], float | None], limit: float
    ) -> None:
        self.backend = store
        self._seconds = seconds
        self._limit = limit

    def run(
        self,
        query: str,
        consume: Callable[[QueryResult], T],
        *,
        dataset: Dataset | None = None,
        base_iri: str | None = None,
        offline_thread: bool = False,
        allowed_services: Iterable[str] = (),
        shown_as: str | None = None,
    ) -> T:
        """:func:`run` on the wrapped store, with this store's deadline."""
        seconds = self._seconds()
        return run(self.backend, query, consume, limit=self._limit,
                   seconds=self._limit if seconds is None else seconds,
                   dataset=dataset, base_iri=base_iri, offline_thread=offline_thread,
                   allowed_services=allowed_services, shown_as=shown_as)  # fmt: skip

    def query(
        self, sparql: str, dataset: Dataset | None = None, *, base_iri: str | None = None
    ) -> Answer:
        """Run ``sparql`` under the deadline; the result read in full."""
        return self.run(sparql, read_all, dataset=dataset, base_iri=base_iri)

    def __getattr__(self, name: str) -> Any:
        """The rest of :class:`~sdkg.graphstore.GraphStore` (capabilities, generations,
        graphs, writes, dump, status, close): the wrapped store's own."""
        if name in _PASSED_THROUGH:
            return getattr(self.backend, name)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
