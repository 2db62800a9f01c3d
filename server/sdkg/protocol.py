"""The SPARQL 1.1 Protocol, without the web framework.

An HTTP request becomes a :class:`SparqlRequest` (query text and dataset) or a
:class:`ProtocolError` with the status and message to send; a query result becomes
bytes in the negotiated format, capped at a number of rows. Serialization is
pyoxigraph's own (Rust), so the server adds little to the cost of a query.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox
from werkzeug.wrappers import Request

from sdkg import federation, namespaces, rowcap, sparql_text
from sdkg.echo import shorten
from sdkg.errors import HttpError, QueryTimeout
from sdkg.formats import Format, Kind
from sdkg.graphstore import Dataset, QueryResult, triples_of
from sdkg.querying import run_with_deadline
from sdkg.sparql_text import describe_syntax_error

#: Moved to :mod:`sdkg.errors`, :mod:`sdkg.querying` and :mod:`sdkg.sparql_text`; named
#: here too for the code that imports them from the protocol.
__all__ = ["QueryTimeout", "describe_syntax_error", "run_with_deadline"]

READ_ONLY_MESSAGE = (
    "this endpoint is read-only: SPARQL Update is not accepted; "
    "contribute data via POST /contributions"
)
TRUNCATED_HEADER = "SDKG-Results-Truncated"

#: Prefixes used when writing Turtle (the project's prefix table).
TURTLE_PREFIXES = namespaces.CORE_PREFIXES


class ProtocolError(HttpError):
    """A request the endpoint refuses: HTTP status and a message a person can act on."""


# --------------------------------------------------------------------------- requests


@dataclass(frozen=True)
class SparqlRequest:
    """What a protocol request asks for."""

    query: str | None
    dataset: Dataset


FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"


def read_request(request: Request, max_query_length: int) -> SparqlRequest:
    """Turn an HTTP request to ``/sparql`` into a :class:`SparqlRequest`.

    ``query`` is None for a GET without a query (the service description).
    """
    args = request.args
    if request.method in ("GET", "HEAD"):
        params = args
        queries = args.getlist("query")
    elif request.method == "POST":
        mimetype = request.mimetype
        if mimetype == FORM:
            params = request.form
            if "query" in args or "update" in args:
                raise ProtocolError(400, "with a form POST, put query= in the body, not the URL")
            queries = params.getlist("query")
        elif mimetype == SPARQL_QUERY:
            params = args
            if "query" in args:
                raise ProtocolError(400, "two queries: one in the body and one in the URL")
            queries = [_decode_body(request)]
        elif mimetype == SPARQL_UPDATE:
            raise ProtocolError(403, READ_ONLY_MESSAGE)
        else:
            raise ProtocolError(
                415,
                f"unsupported Content-Type {shorten(mimetype) or '(none)'!r}; POST a query as "
                f"{FORM} (query=...) or as {SPARQL_QUERY}",
            )
    else:  # pragma: no cover - the route only allows GET and POST
        raise ProtocolError(405, "use GET or POST")

    if params.getlist("update"):
        if queries:
            raise ProtocolError(400, "a request carries either a query or an update, not both")
        raise ProtocolError(403, READ_ONLY_MESSAGE)
    if len(queries) > 1:
        raise ProtocolError(400, f"{len(queries)} queries in one request; send exactly one")
    dataset = Dataset(
        _graph_iris(params.getlist("default-graph-uri"), "default-graph-uri"),
        _graph_iris(params.getlist("named-graph-uri"), "named-graph-uri"),
    )
    if not queries:
        if request.method == "POST":
            raise ProtocolError(400, "missing query: send it as query=... or as the body")
        return SparqlRequest(None, dataset)
    query = queries[0]
    if len(query) > max_query_length:
        raise ProtocolError(
            413, f"query is {len(query)} characters long; the limit is {max_query_length}"
        )
    if not query.strip():
        raise ProtocolError(400, "the query is empty")
    return SparqlRequest(query, dataset)


def _decode_body(request: Request) -> str:
    # The protocol's query media type is UTF-8 only (SPARQL 1.1 Protocol, 2.1.3).
    charset = request.mimetype_params.get("charset", "utf-8")
    if charset.strip().lower() not in ("utf-8", "utf8"):
        raise ProtocolError(
            415, f"the query body is declared as {charset}; send it as UTF-8 (charset=utf-8)"
        )
    try:
        return request.get_data().decode("utf-8")
    except UnicodeDecodeError:
        raise ProtocolError(400, "the query body is not valid UTF-8 text") from None


def _graph_iris(values: list[str], name: str) -> tuple[str, ...] | None:
    if not values:
        return None
    for value in values:
        try:
            ox.NamedNode(value)
        except ValueError:
            raise ProtocolError(400, f"{name}={shorten(value)!r} is not an absolute IRI") from None
    return tuple(values)


def check_query(
    query: str, allowed_services: Iterable[str], *, can_run_offline: bool = False
) -> federation.QueryPlan:
    """Refuse, before running it, what this endpoint does not do: updates, and SERVICE
    calls to endpoints off the allow-list (:class:`~sdkg.errors.ServiceRefused`, see
    :mod:`sdkg.federation`). Returns how to run the query: the text to hand the engine,
    and whether to run it offline."""
    if sparql_text.is_update(query):
        raise ProtocolError(403, READ_ONLY_MESSAGE)
    return federation.plan(query, allowed_services, can_run_offline=can_run_offline)


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Serialized:
    """A result written out: the bytes, the format, and whether rows were cut at the cap."""

    body: bytes
    format: Format
    truncated: bool
    max_rows: int

    def headers(self) -> dict[str, str]:
        """Response headers: content type and, when cut, the truncation notice."""
        headers = {"Content-Type": self.format.content_type()}
        if self.truncated:
            headers[TRUNCATED_HEADER] = f"true; limit={self.max_rows}"
        return headers


def result_kind(result: object) -> Kind:
    """``solutions`` for SELECT, ``boolean`` for ASK, ``graph`` for CONSTRUCT / DESCRIBE."""
    if isinstance(result, ox.QueryBoolean):
        return "boolean"
    return "solutions" if isinstance(result, ox.QuerySolutions) else "graph"


def serialize_result(
    result: QueryResult,
    fmt: Format,
    max_rows: int,
) -> Serialized:
    """Write a query result in ``fmt``, keeping at most ``max_rows`` rows or triples.

    Solutions are written once, by pyoxigraph, their rows counted as they are written
    (:mod:`sdkg.rowcap`); the evaluation stops as soon as the cap is passed.
    """
    if isinstance(result, ox.QueryBoolean | ox.QuerySolutions):
        results_format = fmt.oxigraph
        if not isinstance(results_format, ox.QueryResultsFormat):
            raise ValueError(f"{fmt.name} is not a format of query results")
        if isinstance(result, ox.QueryBoolean):
            body = result.serialize(format=results_format) or b""
            return Serialized(body, fmt, False, max_rows)
        body, truncated = rowcap.capped_solutions(result, results_format, max_rows)
        return Serialized(body, fmt, truncated, max_rows)
    rdf_format = fmt.oxigraph
    if not isinstance(rdf_format, ox.RdfFormat):
        raise ValueError(f"{fmt.name} is not an RDF format")
    triples, truncated = first_triples(triples_of(result), max_rows)
    body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
    if rdf_format is not ox.RdfFormat.N_TRIPLES:
        # Declare only the prefixes the triples use (a byte search, not a Python loop).
        prefixes = {p: ns for p, ns in TURTLE_PREFIXES.items() if f"<{ns}".encode() in body}
        body = ox.serialize(triples, format=rdf_format, prefixes=prefixes) or b""
    return Serialized(body, fmt, truncated, max_rows)


def first_triples(triples: Iterable[ox.Triple], max_rows: int) -> tuple[list[ox.Triple], bool]:
    """At most ``max_rows`` triples, and whether there were more."""
    kept: list[ox.Triple] = []
    for triple in triples:
        if len(kept) == max_rows:
            return kept, True
        kept.append(triple)
    return kept, False


@dataclass
class Table:
    """A result as Python data, for readable pages and terminals."""

    kind: str  # "select", "ask" or "graph"
    variables: list[str]
    rows: list[list[Any]]  # pyoxigraph terms, None for unbound
    boolean: bool | None = None
    truncated: bool = False


def tabulate(result: QueryResult, max_rows: int) -> Table:
    """Collect at most ``max_rows`` rows of a result as a :class:`Table`."""
    if isinstance(result, ox.QueryBoolean):
        return Table("ask", [], [], boolean=bool(result))
    if isinstance(result, ox.QuerySolutions):
        variables = [v.value for v in result.variables]
        rows: list[list[Any]] = []
        for solution in result:
            if len(rows) == max_rows:
                return Table("select", variables, rows, truncated=True)
            rows.append([solution[v] for v in variables])
        return Table("select", variables, rows)
    triples, truncated = first_triples(triples_of(result), max_rows)
    rows = [[t.subject, t.predicate, t.object] for t in triples]
    return Table("graph", ["subject", "predicate", "object"], rows, truncated=truncated)


def term_text(term: Any) -> str:
    """A short readable form of a term: IRIs and literal values bare, blank nodes as _:id."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        return f"{term.value}@{term.language}" if term.language else term.value
    return str(term)
