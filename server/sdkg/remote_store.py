"""A :class:`~sdkg.graphstore.GraphStore` over an existing SPARQL 1.1 store, reached by HTTP.

sdkg keeps the client-facing protocol for itself and talks to the store only in the forms
every store handles (measured on Virtuoso 7.2, which fails most of the protocol suite):

- every request is a ``POST`` of ``application/x-www-form-urlencoded; charset=utf-8``
  (Virtuoso hangs on ``application/sparql-query`` bodies and reads form bytes as Latin-1
  without the charset, which turned a REGEX over Chinese labels into 0 rows);
- results are asked for explicitly as ``application/sparql-results+json`` (SELECT, ASK)
  or ``application/n-triples`` (CONSTRUCT, DESCRIBE), normalized (Virtuoso writes ASK as
  a one-column table, blank nodes as ``nodeID://``, ``typed-literal``) and handed to
  pyoxigraph, so the endpoint re-serializes them exactly as for the embedded store;
- the query is parsed by pyoxigraph first: syntax errors read the same on both backends,
  and store-specific syntax (Virtuoso's ``DEFINE`` pragmas, ``bif:`` / ``sql:`` functions)
  never reaches the store.

Dataset. A request without a dataset gets sdkg's union default graph: sdkg sends the
store its own graphs as ``default-graph-uri`` *and* ``named-graph-uri``, so the store's
system graphs (Virtuoso has three) stay out and stores whose default graph is not a union
(Fuseki, QLever) answer the same. A protocol dataset is passed through, with the query's
FROM / FROM NAMED removed (the protocol wins, as on the embedded store); a query with its
own FROM clauses is sent as it is.

Catalogue. The file manifest (path, SHA-256, graphs), the list of sdkg's graphs and a
generation token live in the store itself, in the graph :data:`MANIFEST_GRAPH`, so every
sdkg process and host in front of one store shares them. A sync takes a lease in the same
graph, so two hosts starting together load each changed file once.

Writes go to the Graph Store Protocol endpoint when one is configured (fast bulk loads:
50k triples in 0.4 s on Virtuoso, against 18 s through SPARQL Update), else to the
SPARQL Update endpoint in chunks.

Read-only (``--store-read-only``, for QLever and any store sdkg may not write): no
request but queries ever leaves sdkg (every write path goes through :meth:`RemoteStore._update`
or :meth:`RemoteStore._put_graph`, which refuse first). There is no sync; sdkg's graphs
are the manifest's when a read-write sdkg wrote one earlier, else the store's named
graphs as it lists them (its system graphs left out), listed again after
:data:`LISTING_SECONDS`. A store with no named graph at all is queried through its own
default graph.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import threading
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import IO, Any
from urllib.parse import urlencode

import pyoxigraph as ox
import requests
from requests.auth import AuthBase, HTTPBasicAuth, HTTPDigestAuth

from sdkg import formats, namespaces, sparql_text
from sdkg.config import Settings
from sdkg.errors import (
    QueryRejected,
    QuerySyntaxError,
    QueryTimeout,
    StoreError,
    StoreReadOnly,
    StoreUnavailable,
)
from sdkg.graphstore import Dataset, QueryResult
from sdkg.sources import SourceFile, SyncReport, check_file, parse_source, sync_files

log = logging.getLogger(__name__)

#: The graph holding sdkg's catalogue of the store (outside ``graph/``, so no file maps to it).
MANIFEST_GRAPH = namespaces.SYSTEM + "manifest"
_SYS = namespaces.BASE + "system#"
#: Named in a protocol dataset where a request means "no graph" (an empty list is "all").
NO_GRAPH = namespaces.SYSTEM + "no-graph"
#: A sync lease older than this is taken to be left by a host that died mid-sync.
LEASE_SECONDS = 900.0
#: Triples per SPARQL Update request when there is no Graph Store Protocol endpoint.
UPDATE_CHUNK = 1000
_CONNECT_SECONDS = 10.0
#: A read-only store without a manifest has its graphs listed at most this often.
LISTING_SECONDS = 10.0
#: Graphs Virtuoso keeps for itself (its RDF views, LDP, the service description):
#: never listed as data by a read-only sdkg.
STORE_SYSTEM_GRAPHS = frozenset(
    {
        "http://www.openlinksw.com/schemas/virtrdf#",
        "http://www.w3.org/ns/ldp#",
        "http://localuriqaserver/sparql",
        "http://localhost:8890/sparql",
        "http://localhost:8890/DAV/",
    }
)
_LIST_GRAPHS = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"

FORM = "application/x-www-form-urlencoded; charset=utf-8"
RESULTS_JSON = formats.get("json").media_type
N_TRIPLES = formats.get("nt").media_type
#: IRI schemes that call store internals (Virtuoso's built-in and SQL functions).
_STORE_FUNCTION_SCHEMES = ("bif:", "sql:")


# --------------------------------------------------------------------------- catalogue


@dataclass
class Catalogue:
    """What sdkg knows of the store: its graphs, the file manifest, a generation token."""

    generation: str = "empty"
    graphs: list[str] = field(default_factory=list)
    files: dict[str, Any] = field(default_factory=dict)
    leases: list[str] = field(default_factory=list)


def _literal(text: str) -> str:
    """A SPARQL string literal for ``text``: JSON's escapes (quote, backslash, control
    characters) are valid SPARQL escapes; other characters go as they are (UTF-8)."""
    return json.dumps(text, ensure_ascii=False)


# --------------------------------------------------------------------------- the store


@dataclass
class PreparedRemote:
    """A remote store synced with the files (or taken as is, read-only), ready to be
    opened by server processes: what :func:`sdkg.store.prepare_store` gives for one."""

    settings: Settings
    generation: str
    triples: int
    report: SyncReport
    synced: bool

    @classmethod
    def prepare(cls, settings: Settings, sources: list[SourceFile]) -> PreparedRemote:
        """Sync ``sources`` into the store (read-only: take it as it is)."""
        remote = RemoteStore(settings)
        report = remote.take_as_is(sources) if remote.read_only else remote.sync(sources)
        return cls(settings, remote.generation, remote.triple_count(), report, remote.synced)

    def open(self) -> RemoteStore:
        """A store for this process (each has its own HTTP session)."""
        return RemoteStore(self.settings, self.report if self.synced else None)


class RemoteStore:
    """A :class:`~sdkg.graphstore.GraphStore` over SPARQL 1.1 Query + Update (+ Graph Store)."""

    kind = "remote"
    shared = True
    in_process = False
    stops_queries_on_timeout = True

    def __init__(self, settings: Settings, report: SyncReport | None = None) -> None:
        if settings.store_url is None:
            raise StoreError("a remote store needs --store-url")
        self.query_url = settings.store_url
        self.read_only = settings.store_read_only
        self.update_url = settings.store_update_url or settings.store_url
        self.graph_url = settings.store_graph_url
        self._credentials = (
            (settings.store_user, settings.store_password)
            if settings.store_user is not None and settings.store_password is not None
            else None
        )
        self._timeout = settings.timeout
        self.report = report or SyncReport()
        self.synced = report is not None
        self._lock = threading.Lock()
        self._session: requests.Session | None = None
        self._session_pid = -1
        self._virtuoso = False
        self._counts: dict[str, int] = {}
        self._listing: tuple[float, list[str]] | None = None

    # -- HTTP

    def _http(self) -> requests.Session:
        """This process's session (never shared across a fork), with the store's auth."""
        with self._lock:
            if self._session is None or self._session_pid != os.getpid():
                session = requests.Session()
                session.auth = self._choose_auth()
                self._session, self._session_pid = session, os.getpid()
            return self._session

    def _choose_auth(self) -> AuthBase | None:
        """Ask the store which scheme it wants (digest or basic) with one unauthenticated
        request; also notes whether it is Virtuoso, which takes a ``timeout`` parameter."""
        probe_url = self.update_url
        try:
            with requests.get(probe_url, timeout=_CONNECT_SECONDS, stream=True) as probe:
                self._virtuoso = "virtuoso" in probe.headers.get("Server", "").lower()
                challenge = probe.headers.get("WWW-Authenticate", "").lower()
        except requests.RequestException as error:
            raise self._unreachable(probe_url, error) from None
        if self._credentials is None:
            return None
        if challenge.startswith("digest"):
            return HTTPDigestAuth(*self._credentials)
        return HTTPBasicAuth(*self._credentials)

    def _unreachable(self, url: str, error: Exception) -> StoreUnavailable:
        return StoreUnavailable(
            503, f"the SPARQL store at {url} cannot be reached ({type(error).__name__}); retry"
        )

    def _post(
        self, url: str, fields: list[tuple[str, str]], accept: str | None = None
    ) -> requests.Response:
        """POST a form to the store; raise a clear error for any failure."""
        headers = {"Content-Type": FORM}
        if accept:
            headers["Accept"] = accept
        body = _form(fields)
        try:
            response = self._http().post(
                url, data=body, headers=headers, timeout=(_CONNECT_SECONDS, self._timeout + 2)
            )
        except requests.Timeout:
            raise QueryTimeout(self._timeout) from None
        except requests.RequestException as error:
            raise self._unreachable(url, error) from None
        self._check(response)
        if response.headers.get("X-SQL-State"):
            # Virtuoso's "anytime" answer: partial results, marked only by this header.
            raise QueryTimeout(self._timeout)
        return response

    def _check(self, response: requests.Response) -> None:
        """Turn a store error into the error sdkg's clients get."""
        status = response.status_code
        if status < 400:
            return
        message = _store_message(response.text)
        if status in (401, 403):
            raise StoreUnavailable(
                502,
                f"the SPARQL store refused sdkg (HTTP {status}); check SDKG_STORE_USER / "
                f"SDKG_STORE_PASSWORD and the user's rights: {message}",
            )
        if "timed out" in message.lower() or "S1T00" in message or "S1TAT" in message:
            raise QueryTimeout(self._timeout)
        if status in (400, 422) or "SPARQL compiler" in message:
            raise QueryRejected(f"the SPARQL store cannot run this query: {message}")
        raise StoreUnavailable(502, f"the SPARQL store failed (HTTP {status}): {message}")

    # -- catalogue

    def catalogue(self) -> Catalogue:
        """The catalogue, read from the store each time: a write through any process or
        host is seen by the next request anywhere (one small query, ~1 ms on loopback).

        Read-only, without a manifest listing graphs: the store's own named graphs."""
        catalogue = self._manifest()
        if self.read_only and not catalogue.graphs:
            catalogue.graphs = self._listed_graphs()
            if catalogue.generation == "empty":
                listed = "\n".join(catalogue.graphs).encode()
                catalogue.generation = "listed-" + hashlib.sha256(listed).hexdigest()[:16]
        return catalogue

    def _listed_graphs(self) -> list[str]:
        """The store's named graphs but its system graphs, sorted; cached a short while,
        since listing walks the store's graph index."""
        listing = self._listing
        if listing is not None and time.monotonic() - listing[0] < LISTING_SECONDS:
            return list(listing[1])
        response = self._post(self.query_url, [("query", _LIST_GRAPHS)], RESULTS_JSON)
        graphs = sorted(
            {
                row["g"]["value"]
                for row in _json_results(response.content)[1]
                if row.get("g", {}).get("type") == "uri"
            }
            - STORE_SYSTEM_GRAPHS
            - {MANIFEST_GRAPH}
        )
        self._listing = (time.monotonic(), graphs)
        return list(graphs)

    def _manifest(self) -> Catalogue:
        """The catalogue as the manifest graph holds it (empty when there is none)."""
        response = self._post(
            self.query_url,
            [
                (
                    "query",
                    f"SELECT ?p ?o WHERE {{ GRAPH <{MANIFEST_GRAPH}> {{ "
                    f"<{MANIFEST_GRAPH}> ?p ?o }} }}",
                ),
                ("named-graph-uri", MANIFEST_GRAPH),
            ],  # fmt: skip
            RESULTS_JSON,
        )
        catalogue = Catalogue()
        for row in json.loads(response.content)["results"]["bindings"]:
            predicate, value = row["p"]["value"], row["o"]["value"]
            if predicate == _SYS + "graph":
                catalogue.graphs.append(value)
            elif predicate == _SYS + "generation":
                catalogue.generation = value
            elif predicate == _SYS + "files":
                catalogue.files = json.loads(value)
            elif predicate == _SYS + "lease":
                catalogue.leases.append(value)
        catalogue.graphs.sort()
        return catalogue

    def _refuse_writes(self) -> None:
        if self.read_only:
            raise StoreReadOnly(
                f"the SPARQL store at {self.query_url} is read-only for sdkg "
                "(--store-read-only): nothing is written to it"
            )

    def _update(self, update: str) -> None:
        self._refuse_writes()
        self._post(self.update_url, [("update", update)])

    def _new_generation_update(self) -> str:
        token = uuid.uuid4().hex[:16]
        manifest = f"<{MANIFEST_GRAPH}>"
        return (
            f"DELETE WHERE {{ GRAPH {manifest} {{ {manifest} <{_SYS}generation> ?old }} }} ;\n"
            f'INSERT DATA {{ GRAPH {manifest} {{ {manifest} <{_SYS}generation> "{token}" }} }}'
        )

    # -- GraphStore: reading

    def query(
        self, sparql: str, dataset: Dataset | None = None, *, base_iri: str | None = None
    ) -> QueryResult:
        """Run ``sparql`` on the store with sdkg's dataset semantics (see the module doc).

        Raises :class:`~sdkg.errors.QuerySyntaxError` (worded as for the embedded store),
        :class:`~sdkg.errors.QueryRejected` for a query the store refuses,
        :class:`~sdkg.errors.QueryTimeout` and :class:`~sdkg.errors.StoreUnavailable`.
        """
        refuse_store_functions(sparql)
        check_syntax(sparql, base_iri)
        if _needs_base(sparql, base_iri):
            # The store resolves relative IRIs against the base the query declares.
            sparql = f"BASE <{base_iri}>\n{sparql}"
        operation = sparql_text.operation_keyword(sparql)
        fields = self._dataset_fields(sparql, dataset)
        if self._virtuoso:  # its own limit, so the store stops the query too
            fields.append(("timeout", str(int(self._timeout * 1000))))
        if operation in ("CONSTRUCT", "DESCRIBE"):
            response = self._post(self.query_url, fields, N_TRIPLES)
            return _triples(response)
        if operation == "ASK":
            fields[0] = ("query", sparql_text.ask_as_select(fields[0][1]))
            response = self._post(self.query_url, fields, RESULTS_JSON)
            return _boolean(bool(_json_results(response.content)[1]))
        response = self._post(self.query_url, fields, RESULTS_JSON)
        return solutions_from_json(response.content)

    def _dataset_fields(self, sparql: str, dataset: Dataset | None) -> list[tuple[str, str]]:
        if dataset is not None and not dataset.is_default:
            fields = [("query", sparql_text.without_dataset_clause(sparql))]
            defaults, named = dataset.default_graphs or (NO_GRAPH,), dataset.named_graphs
            fields += [("default-graph-uri", g) for g in defaults]
            fields += [("named-graph-uri", g) for g in (named or (NO_GRAPH,))]
            return fields
        if sparql_text.has_dataset_clause(sparql):
            return [("query", sparql)]
        graphs = self.catalogue().graphs
        if not graphs and self.read_only:
            return [("query", sparql)]  # a store without named graphs: its default graph
        graphs = graphs or [NO_GRAPH]
        return [
            ("query", sparql),
            *(("default-graph-uri", g) for g in graphs),
            *(("named-graph-uri", g) for g in graphs),
        ]

    def graphs(self) -> list[str]:
        """The IRIs of sdkg's named graphs in the store, sorted."""
        return list(self.catalogue().graphs)

    def triple_count(self) -> int:
        """Number of quads in sdkg's graphs (counted once per generation)."""
        generation = self.generation
        if generation not in self._counts:
            result = self.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
            if not isinstance(result, ox.QuerySolutions):
                raise StoreUnavailable(502, "the SPARQL store did not count its triples")
            count = next(iter(result))["n"]
            self._counts = {generation: int(count.value) if count is not None else 0}
        return self._counts[generation]

    @property
    def generation(self) -> str:
        """The store's generation token: changes with every write by any sdkg host."""
        return self.catalogue().generation

    @property
    def files_generation(self) -> str:
        """The generation: a remote store's graphs are not told apart by where they came
        from, so an index of it is rebuilt after every write."""
        return self.generation

    def dump(self, output: IO[bytes], format: ox.RdfFormat) -> None:
        """Write sdkg's graphs to ``output`` in a dataset format (N-Quads, TriG)."""
        for graph in self.graphs():
            node = ox.NamedNode(graph)
            quads = [ox.Quad(t.subject, t.predicate, t.object, node) for t in self._graph(graph)]
            ox.serialize(quads, output, format)

    def _graph(self, graph: str) -> list[ox.Triple]:
        if self.graph_url is None:
            query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
            return _triples(self._post(self.query_url, [("query", query)], N_TRIPLES))
        try:
            response = self._http().get(
                self.graph_url,
                params={"graph": graph},
                headers={"Accept": N_TRIPLES},
                timeout=(_CONNECT_SECONDS, max(self._timeout, 300)),
            )
        except requests.RequestException as error:
            raise self._unreachable(self.graph_url, error) from None
        if response.status_code == 404:
            return []
        self._check(response)
        return _triples(response)

    def close(self) -> None:
        """Close this process's HTTP connections to the store."""
        with self._lock:
            if self._session is not None:
                self._session.close()
                self._session = None

    def status(self) -> dict[str, Any]:
        """Health summary: the store's URL, counts, generation and the last sync."""
        return {
            "store": "remote",
            "url": self.query_url,
            "read_only": self.read_only,
            "warming": False,
            "triples": self.triple_count(),
            "graphs": len(self.graphs()),
            "generation": self.generation,
            "synced": self.synced,
            "sync": self.report.as_json(),
        }

    # -- GraphStore: writing

    def replace_graph(self, graph: str, data: bytes, format: ox.RdfFormat) -> None:
        """Make ``graph`` hold exactly the triples in ``data`` and list it as sdkg's."""
        try:
            triples = [q.triple for q in ox.parse(data, format)]
        except SyntaxError as error:
            raise StoreError(f"cannot load <{graph}>: {error}") from None
        self._put_graph(graph, triples)
        self._finish_write(register=[graph] if triples else [], unregister=[])

    def drop_graph(self, graph: str) -> None:
        """Remove ``graph`` and its triples."""
        self._update(f"DROP SILENT GRAPH <{graph}>")
        self._finish_write(register=[], unregister=[graph])

    def _finish_write(self, *, register: list[str], unregister: list[str]) -> None:
        manifest = f"<{MANIFEST_GRAPH}>"
        parts = []
        if unregister:
            listed = " ".join(f"{manifest} <{_SYS}graph> <{g}> ." for g in unregister)
            parts.append(f"DELETE DATA {{ GRAPH {manifest} {{ {listed} }} }}")
        if register:
            listed = " ".join(f"{manifest} <{_SYS}graph> <{g}> ." for g in register)
            parts.append(f"INSERT DATA {{ GRAPH {manifest} {{ {listed} }} }}")
        parts.append(self._new_generation_update())
        self._update(" ;\n".join(parts))

    def _put_graph(self, graph: str, triples: list[ox.Triple]) -> None:
        """Replace the content of ``graph`` (Graph Store PUT, else DROP + INSERT chunks)."""
        self._refuse_writes()
        if not triples:
            self._update(f"DROP SILENT GRAPH <{graph}>")
            return
        if self.graph_url is not None:
            body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
            try:
                response = self._http().put(
                    self.graph_url,
                    params={"graph": graph},
                    data=body,
                    headers={"Content-Type": N_TRIPLES},
                    timeout=(_CONNECT_SECONDS, max(self._timeout, 600)),
                )
            except requests.RequestException as error:
                raise self._unreachable(self.graph_url, error) from None
            self._check(response)
            return
        requests_text = [f"DROP SILENT GRAPH <{graph}>"]
        for chunk in chunk_triples(triples, UPDATE_CHUNK):
            text = (ox.serialize(chunk, format=ox.RdfFormat.N_TRIPLES) or b"").decode()
            if any(isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode)
                   for t in chunk):  # fmt: skip
                # Virtuoso refuses blank nodes in INSERT DATA; its INSERT ... WHERE {} turns
                # a literal equal to an IRI of the request into that IRI, so only here.
                requests_text.append(f"INSERT {{ GRAPH <{graph}> {{\n{text}}} }} WHERE {{}}")
            else:
                requests_text.append(f"INSERT DATA {{ GRAPH <{graph}> {{\n{text}}} }}")
        if len(requests_text) <= 2:
            self._update(" ;\n".join(requests_text))  # small: one request, one transaction
            return
        for text in requests_text:
            self._update(text)

    # -- file sync

    def sync(self, sources: list[SourceFile]) -> SyncReport:
        """Bring sdkg's file graphs in the store in line with ``sources`` (under a lease)."""
        with self._sync_lease():
            catalogue = self.catalogue()
            manifest, report = sync_files(_RemoteTarget(self), sources, {"files": catalogue.files})
            manifest_node = f"<{MANIFEST_GRAPH}>"
            files = _literal(json.dumps(manifest["files"], sort_keys=True))
            update = (
                f"DELETE WHERE {{ GRAPH {manifest_node} {{ {manifest_node} <{_SYS}files> ?f }} }}"
                f" ;\nINSERT DATA {{ GRAPH {manifest_node} {{ {manifest_node} <{_SYS}files> "
                f"{files} }} }}"
            )
            if report.loaded or report.dropped or catalogue.generation == "empty":
                update += " ;\n" + self._new_generation_update()
            self._update(update)
        self.report, self.synced = report, True
        return report

    def take_as_is(self, sources: list[SourceFile]) -> SyncReport:
        """Read-only start: load nothing; log which files differ from the store's manifest
        (all of them when it has none) and that the store is served as it is."""
        catalogue = self._manifest()
        differing = [
            source.key
            for source in sources
            if catalogue.files.get(source.key, {}).get("sha256")
            != check_file(source.path, catalogue.files.get(source.key)).sha256
        ]
        origin = "its manifest" if catalogue.graphs else "listed from the store"
        log.info(
            "read-only store: taken as is, nothing written; %d graph(s), %s",
            len(self.graphs()),
            origin,
        )
        if differing:
            log.info(
                "read-only store: not loading %d file(s) that differ from the store: %s",
                len(differing),
                ", ".join(differing),
            )
        return SyncReport()

    @contextmanager
    def _sync_lease(self) -> Iterator[None]:
        """Hold the store's sync lease: one sdkg host syncs at a time."""
        token = f"{time.time():017.6f} {uuid.uuid4().hex}"
        manifest = f"<{MANIFEST_GRAPH}>"
        lease = f"{manifest} <{_SYS}lease> {_literal(token)}"
        deadline = time.monotonic() + LEASE_SECONDS
        waited = False
        while True:
            live = [t for t in self.catalogue().leases if _lease_is_live(t)]
            if not live:
                self._update(f"INSERT DATA {{ GRAPH {manifest} {{ {lease} }} }}")
                live = [t for t in self.catalogue().leases if _lease_is_live(t)]
                if min(live) == token:
                    break
                self._update(f"DELETE DATA {{ GRAPH {manifest} {{ {lease} }} }}")
            if time.monotonic() > deadline:
                raise StoreError(
                    "another sdkg host has held the store's sync lease for "
                    f"{LEASE_SECONDS:g} s; if it died, delete the lease triples from "
                    f"<{MANIFEST_GRAPH}>"
                )
            if not waited:
                log.info("another sdkg host is syncing the store; waiting for it")
                waited = True
            time.sleep(0.5)
        try:
            yield
        finally:
            # Stale leases of dead hosts are removed with ours.
            stale = [t for t in self.catalogue().leases if not _lease_is_live(t)]
            listed = " ".join(f"{manifest} <{_SYS}lease> {_literal(t)} ." for t in [token, *stale])
            self._update(f"DELETE DATA {{ GRAPH {manifest} {{ {listed} }} }}")


def _lease_is_live(token: str) -> bool:
    try:
        started = float(token.split(" ", 1)[0])
    except ValueError:
        return False
    return time.time() - started < LEASE_SECONDS


class _RemoteTarget:
    """What :func:`~sdkg.sources.sync_files` writes through, for a remote store."""

    def __init__(self, store: RemoteStore) -> None:
        self.store = store

    def remove_graph(self, graph: str) -> None:
        self.store.drop_graph(graph)

    def load_source(self, source: SourceFile) -> list[str]:
        by_graph = parse_source(source)
        for graph, triples in by_graph.items():
            self.store._put_graph(graph, triples)
        self.store._finish_write(register=[g for g, t in by_graph.items() if t], unregister=[])
        return sorted(set(by_graph) | {source.graph})

    def quad_count(self) -> int:
        return self.store.triple_count()


# --------------------------------------------------------------------------- queries


_CHECK_STORE = None


def _needs_base(sparql: str, base_iri: str | None) -> bool:
    """True when ``sparql`` has relative IRIs and no BASE of its own (Virtuoso takes one)."""
    if base_iri is None or not any(":" not in iri for iri in sparql_text.iris(sparql)):
        return False
    return not any(token.keyword == "BASE" for token in sparql_text.tokens(sparql))


def check_syntax(sparql: str, base_iri: str | None = None) -> None:
    """Raise :class:`~sdkg.errors.QuerySyntaxError`, worded as by the embedded store,
    unless ``sparql`` parses.

    pyoxigraph parses without evaluating SELECT / CONSTRUCT / DESCRIBE on an empty store;
    an ASK is evaluated at once, so one with SERVICE is checked as a SELECT (no call out).
    """
    global _CHECK_STORE
    if _CHECK_STORE is None:
        _CHECK_STORE = ox.Store()
    text = sparql
    if sparql_text.operation_keyword(sparql) == "ASK" and sparql_text.service_targets(sparql):
        text = sparql_text.replace_operation_keyword(sparql, "SELECT (1 AS ?sdkg_ask_check)")
    try:
        _CHECK_STORE.query(text, base_iri=base_iri)
    except SyntaxError as error:
        message = sparql_text.describe_syntax_error(error, sparql)
        raise QuerySyntaxError(message, str(error)) from None
    except RuntimeError as error:  # "The custom function <...> is not supported"
        raise QueryRejected(
            f"cannot run this query: {error}; only standard SPARQL 1.1 functions are served"
        ) from None


def refuse_store_functions(sparql: str) -> None:
    """Refuse IRIs that reach store internals (Virtuoso's ``bif:`` and ``sql:``)."""
    for iri in sparql_text.iris(sparql):
        if iri.lower().startswith(_STORE_FUNCTION_SCHEMES):
            raise QueryRejected(
                f"cannot run this query: <{iri}> names a function inside the store; only "
                "standard SPARQL 1.1 functions are served"
            )


def _form(fields: list[tuple[str, str]]) -> bytes:
    return urlencode(fields).encode("ascii")


def _store_message(body: str) -> str:
    """The store's error message without the query it echoes, on one short line."""
    text = body.split("SPARQL query:", 1)[0]
    text = " ".join(text.split())
    return text[:400] or "(no message)"


def _triples(response: requests.Response) -> list[ox.Triple]:
    """The triples of a CONSTRUCT / DESCRIBE answer, in whatever RDF format it came."""
    media_type = response.headers.get("Content-Type", N_TRIPLES).split(";")[0].strip()
    rdf_format = ox.RdfFormat.from_media_type(media_type) or ox.RdfFormat.N_TRIPLES
    try:
        return [q.triple for q in ox.parse(response.content, rdf_format)]
    except SyntaxError as error:
        raise StoreUnavailable(
            502, f"the SPARQL store sent unreadable {media_type}: {error}"
        ) from None


_BNODE_LABEL = re.compile(r"[^A-Za-z0-9_]")


def solutions_from_json(body: bytes) -> ox.QuerySolutions:
    """Parse a store's SPARQL JSON results of a SELECT, repairing the ways stores deviate.

    Virtuoso writes ``SELECT *`` over no variables with a ``_star_fake`` column, blank
    nodes as ``nodeID://b1``, and the SPARQL 2005 ``typed-literal``; each is rewritten
    to the standard form first.
    """
    head_vars, bindings = _json_results(body)
    if head_vars == ["_star_fake"]:
        head_vars, bindings = [], [{} for _ in bindings]
    normalized = {
        "head": {"vars": head_vars},
        "results": {"bindings": [{k: _term(v) for k, v in b.items()} for b in bindings]},
    }
    data = json.dumps(normalized, ensure_ascii=False).encode()
    solutions = ox.parse_query_results(data, ox.QueryResultsFormat.JSON)
    assert isinstance(solutions, ox.QuerySolutions)  # a document with "results" is
    return solutions


def _json_results(body: bytes) -> tuple[list[str], list[dict[str, Any]]]:
    """The variables and bindings of SPARQL JSON results; 502 when unreadable."""
    try:
        document = json.loads(body)
        return list(document["head"].get("vars", [])), list(document["results"]["bindings"])
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise StoreUnavailable(
            502, f"the SPARQL store sent unreadable JSON results: {error!r}"
        ) from None


def _boolean(value: bool) -> ox.QueryBoolean:
    boolean = ox.parse_query_results(
        json.dumps({"head": {}, "boolean": value}).encode(), ox.QueryResultsFormat.JSON
    )
    assert isinstance(boolean, ox.QueryBoolean)  # a document with "boolean" is
    return boolean


def _term(term: dict[str, Any]) -> dict[str, Any]:
    kind = term.get("type")
    if kind == "typed-literal":
        return {**term, "type": "literal"}
    if kind == "bnode":
        label = _BNODE_LABEL.sub("_", str(term["value"]).removeprefix("nodeID://"))
        return {"type": "bnode", "value": label if label[:1].isalpha() else "b" + label}
    return term


def chunk_triples(triples: Iterable[ox.Triple], size: int) -> Iterator[list[ox.Triple]]:
    """Split triples into lists of about ``size``: first those without blank nodes, then
    those with, where triples sharing a blank node stay together (a blank node label names
    one node only within one request)."""
    parent: dict[str, str] = {}

    def root(label: str) -> str:
        while parent.setdefault(label, label) != label:
            parent[label] = parent[parent[label]]
            label = parent[label]
        return label

    plain: list[ox.Triple] = []
    linked: list[tuple[str, ox.Triple]] = []
    for triple in triples:
        labels = [t.value for t in (triple.subject, triple.object) if isinstance(t, ox.BlankNode)]
        if not labels:
            plain.append(triple)
            continue
        for other in labels[1:]:
            parent[root(other)] = root(labels[0])
        linked.append((labels[0], triple))
    groups: dict[str, list[ox.Triple]] = {}
    for label, triple in linked:
        groups.setdefault(root(label), []).append(triple)
    for start in range(0, len(plain), size):
        yield plain[start : start + size]
    chunk: list[ox.Triple] = []
    for group in groups.values():
        if chunk and len(chunk) + len(group) > size:
            yield chunk
            chunk = []
        chunk.extend(group)
    if chunk:
        yield chunk
