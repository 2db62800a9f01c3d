"""What the endpoint needs from a store, whatever the backend: :class:`GraphStore`.

Two backends implement it: :class:`sdkg.store.OxigraphStore` (embedded) and
:class:`sdkg.remote_store.RemoteStore` (any SPARQL 1.1 store over HTTP). What differs
between them is said by capabilities (``shared``, ``read_only``, ``in_process``,
``stops_queries_on_timeout``), never by testing which class a store is.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, Any, Protocol

import pyoxigraph as ox


class Rows(list[ox.QuerySolution]):
    """The solutions of a SELECT read into a list, with their ``variables`` as pyoxigraph
    gives them (so code written for :class:`pyoxigraph.QuerySolutions` reads these)."""

    def __init__(self, variables: list[ox.Variable], solutions: Iterable[ox.QuerySolution]) -> None:
        super().__init__(solutions)
        self.variables = variables


#: What a query gives: solutions (SELECT), a boolean (ASK) or triples (CONSTRUCT,
#: DESCRIBE), as pyoxigraph's lazy results or read in full (:class:`Rows`, bool, a list).
QueryResult = (
    ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples | Iterable[ox.Triple] | Rows | bool
)


def triples_of(result: QueryResult) -> Iterable[ox.Triple]:
    """The triples of a CONSTRUCT or DESCRIBE answer; TypeError for solutions or a boolean."""
    if isinstance(result, ox.QuerySolutions | ox.QueryBoolean | Rows | bool):
        raise TypeError(f"expected the triples of a graph query, got {type(result).__name__}")
    return result


@dataclass(frozen=True)
class Dataset:
    """The RDF dataset of a query, as named by the protocol's graph-uri parameters.

    ``None`` for both means the store's default: the default graph is the union of
    all graphs and every named graph is visible.
    """

    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None

    @property
    def is_default(self) -> bool:
        """True when the request named no graphs."""
        return self.default_graphs is None and self.named_graphs is None


class GraphStore(Protocol):
    """What the endpoint needs from a store: :class:`sdkg.store.OxigraphStore` (embedded)
    or :class:`sdkg.remote_store.RemoteStore` (any SPARQL 1.1 store over HTTP).

    ``query`` raises the errors of :mod:`sdkg.errors` (:class:`~sdkg.errors.QuerySyntaxError`,
    :class:`~sdkg.errors.QueryRejected`, :class:`~sdkg.errors.QueryTimeout`,
    :class:`~sdkg.errors.StoreUnavailable`); writes raise :class:`~sdkg.errors.StoreReadOnly`
    on a read-only store. Errors met while results are consumed are translated by
    :func:`sdkg.querying.run`, the one way the server runs queries.
    """

    @property
    def shared(self) -> bool:
        """True when every server process (and host) writes the same store (a remote one,
        or the shared on-disk one), False when each process holds its own copy."""

    @property
    def read_only(self) -> bool:
        """True when sdkg must never write to the store: writes raise StoreReadOnly."""

    @property
    def in_process(self) -> bool:
        """True when queries are evaluated in this process (the embedded engine), so
        that its SERVICE calls can be confined to a thread that may not open sockets."""

    @property
    def stops_queries_on_timeout(self) -> bool:
        """True when a query past the time limit ends by itself (a remote store's
        request ends); False when only stopping the process ends it (pyoxigraph cannot
        cancel a query), so the server recycles the worker."""

    def query(
        self, sparql: str, dataset: Dataset | None = None, *, base_iri: str | None = None
    ) -> QueryResult:
        """Run a query (relative IRIs against ``base_iri``). Results must be consumed in
        the calling thread."""

    def graphs(self) -> list[str]:
        """The IRIs of the named graphs."""

    def replace_graph(self, graph: str, data: bytes, format: ox.RdfFormat) -> None:
        """Make ``graph`` hold exactly the triples in ``data``."""

    def drop_graph(self, graph: str) -> None:
        """Remove ``graph`` and its triples."""

    def dump(self, output: IO[bytes], format: ox.RdfFormat) -> None:
        """Write the whole dataset (all graphs) to ``output``."""

    def triple_count(self) -> int:
        """Number of quads in the store."""

    @property
    def generation(self) -> str:
        """Changes whenever the content changes; use it as a cache key."""

    @property
    def files_generation(self) -> str:
        """Changes when the data files change, not with contributions: what an index kept
        beside the store and updated graph by graph was built from."""

    def status(self) -> dict[str, Any]:
        """A JSON-able summary for health checks."""

    def close(self) -> None:
        """Let go of what the store holds (a folder lock, connections); no queries after."""
