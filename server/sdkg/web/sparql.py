"""Blueprint for the SPARQL endpoint and the dataset descriptions.

Routes: ``/sparql`` (SPARQL 1.1 Protocol; Service Description without a query),
``/.well-known/void``, ``/dump`` (gzip N-Quads or TriG) and ``/healthz``.
All of them allow cross-origin reads (CORS).
"""

from __future__ import annotations

import gzip
import logging
import os
import tempfile

import pyoxigraph as ox
from flask import Blueprint, Response, jsonify, render_template_string, request, send_file
from rdflib import Graph

from sdkg import describe, federation, offline, sparql_text
from sdkg.protocol import (
    TRUNCATED_HEADER,
    ProtocolError,
    QueryTimeout,
    Serialized,
    Table,
    check_query,
    describe_syntax_error,
    negotiate,
    read_request,
    result_kind,
    run_with_deadline,
    serialize_result,
    tabulate,
)
from sdkg.web import cached, runaway, state

log = logging.getLogger(__name__)
blueprint = Blueprint("sparql", __name__)

# rdflib's names for the graph formats offered by negotiation.
_RDFLIB_FORMATS = {"turtle": "turtle", "nt": "nt", "jsonld": "json-ld", "rdfxml": "xml"}


@blueprint.after_request
def allow_cross_origin(response: Response) -> Response:
    """CORS: any origin may read; preflight requests are answered for a day."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = TRUNCATED_HEADER
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = request.headers.get(
            "Access-Control-Request-Headers", "Accept, Content-Type"
        )
        response.headers["Access-Control-Max-Age"] = "86400"
    return response


@blueprint.route("/sparql", methods=["GET", "POST"])
def sparql() -> Response:
    """The SPARQL 1.1 Protocol query operation."""
    app_state = state()
    settings = app_state.settings
    sparql_request = read_request(request, settings.max_query_length)
    wants_page = _prefers_html()
    if sparql_request.query is None:
        if wants_page:
            return Response(app_state.sparql_page(query=None, table=None, error=None))
        endpoint = request.base_url
        graph = cached(
            ("sd", endpoint),
            lambda: describe.service_description(
                app_state.store, endpoint, federated=bool(settings.allow_service)
            ),
        )
        return _rdf_response(graph)
    query = sparql_request.query
    store = app_state.store
    can_run_offline = store.kind != "remote" and offline.available()
    plan = check_query(query, settings.allow_service, can_run_offline=can_run_offline)
    accept = request.accept_mimetypes
    format_param = request.values.get("format")

    def run() -> Serialized | Table:
        # Query, negotiation and serialization all happen here: pyoxigraph results
        # must be consumed in the thread that created them, and the deadline covers
        # the whole answer, so a response is either complete or an error.
        result = store.query(plan.text, sparql_request.dataset)
        fmt = negotiate(accept, format_param, result_kind(result), html=True)
        if fmt.kind == "html":
            return tabulate(result, settings.max_rows)
        return serialize_result(result, fmt, settings.max_rows)

    try:
        answer = run_with_deadline(run, settings.timeout, offline_thread=plan.offline)
    except SyntaxError as error:
        raise ProtocolError(400, describe_syntax_error(error, query)) from None
    except (ValueError, RuntimeError) as error:
        # pyoxigraph raises RuntimeError for what the query asks and the engine cannot do
        # (an unknown function, say): the client's to fix, so 400, not 500.
        raise ProtocolError(400, f"cannot run this query: {error}") from None
    except OSError as error:
        if plan.offline:
            # The engine tried the network from a thread that may not: a SERVICE the
            # text check did not see (nothing left the server).
            raise ProtocolError(
                403,
                "this query calls a SERVICE endpoint that is not allowed "
                f"({federation.policy(frozenset(settings.allow_service))}); nothing was "
                f"sent. Write each SERVICE as SERVICE <endpoint IRI> (engine: {error})",
            ) from None
        if not sparql_text.service_targets(query):
            raise
        # A SERVICE endpoint failed (refused, HTTP error, bad answer): not this server.
        raise ProtocolError(502, f"a SERVICE endpoint failed: {error}") from None
    except QueryTimeout as timeout:
        return _timeout_response(timeout)
    if isinstance(answer, Table):
        response = Response(app_state.sparql_page(query=query, table=answer, error=None))
        if answer.truncated:
            response.headers[TRUNCATED_HEADER] = f"true; limit={settings.max_rows}"
        return response
    return Response(answer.body, headers=answer.headers())


def _prefers_html() -> bool:
    """True for browsers: text/html is acceptable and ranked above the SPARQL formats."""
    accept = request.accept_mimetypes
    if request.values.get("format"):
        return request.values["format"].lower() in ("html", "text/html")
    return accept.best_match(["application/sparql-results+json", "text/turtle", "text/html"]) == (
        "text/html"
    )


def _timeout_response(timeout: QueryTimeout) -> Response:
    return runaway.stopped_response(str(timeout), "a query", timeout.seconds)


def _rdf_response(graph: Graph) -> Response:
    """A description graph in the negotiated RDF format, or readable for browsers."""
    fmt = negotiate(request.accept_mimetypes, request.args.get("format"), "graph", html=True)
    if fmt.kind == "html":
        turtle = graph.serialize(format="turtle")
        return Response(render_template_string(_DESCRIPTION_PAGE, turtle=turtle))
    body = graph.serialize(format=_RDFLIB_FORMATS[fmt.name], encoding="utf-8")
    return Response(body, content_type=f"{fmt.media_type}; charset=utf-8")


@blueprint.route("/.well-known/void")
def void() -> Response:
    """VoID description of the dataset."""
    base = request.host_url
    graph = cached(("void", base), lambda: describe.void_description(state().store, base))
    return _rdf_response(graph)


_DUMP_FORMATS = {
    "nq": (ox.RdfFormat.N_QUADS, "application/n-quads", "sdkg.nq.gz"),
    "trig": (ox.RdfFormat.TRIG, "application/trig", "sdkg.trig.gz"),
}


@blueprint.route("/dump")
def dump() -> Response:
    """The whole dataset, gzip-compressed: N-Quads by default, TriG on request."""
    wanted = request.args.get("format")
    if wanted is None:
        best = request.accept_mimetypes.best_match(["application/n-quads", "application/trig"])
        wanted = "trig" if best == "application/trig" else "nq"
    wanted = {"nquads": "nq", "n-quads": "nq"}.get(wanted.lower(), wanted.lower())
    if wanted not in _DUMP_FORMATS:
        raise ProtocolError(406, f"format={wanted!r} is not offered; use format=nq or format=trig")
    rdf_format, media_type, filename = _DUMP_FORMATS[wanted]
    # Closed by send_file once the response is sent.
    spool = tempfile.SpooledTemporaryFile(max_size=16 << 20)  # noqa: SIM115
    with gzip.GzipFile(fileobj=spool, mode="wb", compresslevel=6) as compressed:
        state().store.dump(compressed, rdf_format)
    spool.seek(0)
    response = send_file(
        spool, mimetype="application/gzip", as_attachment=True, download_name=filename
    )
    response.headers["SDKG-Dump-Format"] = media_type
    return response


@blueprint.route("/healthz")
def healthz() -> Response:
    """For probes: status, store kind, counts, warm-up and the last sync."""
    status = state().store.status()
    return jsonify({"status": "ok", "ready": True, **status, "pid": os.getpid()})


_DESCRIPTION_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>sdkg description</title></head>
<body><pre>{{ turtle }}</pre></body></html>"""
