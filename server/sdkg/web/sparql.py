"""Blueprint for the SPARQL endpoint and the dataset descriptions.

Routes: ``/sparql`` (SPARQL 1.1 Protocol; Service Description for a bare GET),
``/.well-known/void``, ``/dump`` (N-Quads or TriG, gzip-encoded when the client takes it)
and ``/healthz``. Every read-only resource of the app (these, entity pages, the ontology,
search) allows cross-origin reads (CORS), preflight included, and answers HEAD.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import os
import shutil
import tempfile
from typing import IO, Any, cast

from flask import Blueprint, Response, g, jsonify, render_template_string, request, send_file
from rdflib import Graph

from sdkg import describe, serialize, sparql_text, statistics
from sdkg.answer_cache import Answer
from sdkg.echo import shorten
from sdkg.errors import HttpError, QueryError, QueryTimeout
from sdkg.graphstore import GraphStore
from sdkg.negotiation import FORMAT_PARAMETERS, Choice, NotAcceptable, format_values, negotiate
from sdkg.protocol import (
    TRUNCATED_HEADER,
    ProtocolError,
    Serialized,
    SparqlRequest,
    Table,
    read_request,
    result_kind,
    serialize_result,
    tabulate,
)
from sdkg.web import exports
from sdkg.web.context import (
    QUERY_BASE_IRI,
    cached,
    generation,
    restart_deadline,
    run_query,
    seconds_left,
    state,
)
from sdkg.web.metrics import note_answer
from sdkg.web.responses import http_status, stopped_response

log = logging.getLogger(__name__)
blueprint = Blueprint("sparql", __name__)

#: Paths of the read-only resources, open to any origin.
CROSS_ORIGIN_PATHS = ("/sparql", "/id/", "/ontology", "/search", "/.well-known/void", "/dump",
                      "/healthz")  # fmt: skip
__all__ = ["QUERY_BASE_IRI", "blueprint", "run_query"]


@blueprint.after_app_request
def allow_cross_origin(response: Response) -> Response:
    """CORS on the read-only resources: any origin may read; preflight answered for a day."""
    if not request.path.startswith(CROSS_ORIGIN_PATHS):
        return response
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = f"{TRUNCATED_HEADER}, Link, Cache-Status"
    if request.method == "OPTIONS":
        methods = "GET, HEAD, POST, OPTIONS" if request.path == "/sparql" else "GET, HEAD, OPTIONS"
        response.headers["Access-Control-Allow-Methods"] = methods
        response.headers["Access-Control-Allow-Headers"] = request.headers.get(
            "Access-Control-Request-Headers", "Accept, Content-Type"
        )
        response.headers["Access-Control-Max-Age"] = "86400"
    return response


def _format_values() -> list[str]:
    """The request's ``format`` / ``output`` / ``results`` values, URL then form body."""
    values = g.get("sdkg_format_values")
    if values is None:
        pairs = list(request.args.items(multi=True))
        # Only a form body can hold parameters: other bodies are not read for them
        # (what ``request.values`` does, without its cost on every query).
        if request.method == "POST" and request.mimetype in _FORM_TYPES:
            pairs += request.form.items(multi=True)
        values = g.sdkg_format_values = format_values(pairs)
    return values


_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


@blueprint.route("/sparql", methods=["GET", "POST"])
def sparql() -> Response:
    """The SPARQL 1.1 Protocol query operation (HEAD answers as GET would, without a body)."""
    app_state = state()
    settings = app_state.settings
    wants_page = _prefers_html()
    sparql_request = read_request(request, settings.max_query_length)
    if sparql_request.query is None:
        others = sorted(set(request.args) - set(FORMAT_PARAMETERS))
        if others:
            # Parameter names are the client's: a few, cut short, are enough to recognise.
            named = ", ".join(shorten(name, 40) for name in others[:3]) + (
                ", ..." if len(others) > 3 else ""
            )
            raise ProtocolError(
                400,
                f"missing query: this request has {named} but no query=...; "
                "GET /sparql without parameters gives the service description",
            )
        if wants_page:
            return Response(app_state.sparql_page(query=None, table=None, error=None))
        # The description names the endpoint by the URL it was asked at; the cache holds
        # the store's part (keyed on its generation only) and the endpoint is set here.
        graph = cached(
            ("sd",),
            lambda: describe.service_description(
                dataset_statistics(),
                describe.PLACEHOLDER_ENDPOINT,
                federated=bool(settings.allow_service),
            ),
        )
        endpoint = request.base_url
        return _rdf_response(describe.at_address(graph, describe.PLACEHOLDER_ENDPOINT, endpoint))
    query = sparql_request.query
    try:
        return _answer(query, sparql_request, page=wants_page)
    except QueryTimeout as timeout:
        # 503 and the worker replaced, as on every route; a browser gets the editor.
        return _timeout_response(timeout, page_query=query if wants_page else None)
    except (HttpError, QueryError) as error:
        if not wants_page:
            raise
        # A shared link with a broken query opens the editor on it, the error below.
        page = app_state.sparql_page(query=query, table=None, error=str(error))
        headers = error.headers if isinstance(error, HttpError) else {}
        return Response(page, status=http_status(error), headers=headers)


def _answer(query: str, sparql_request: SparqlRequest, *, page: bool) -> Response:
    """Run ``query`` and answer it in the negotiated format (``page``: for a browser).

    Answers for programs may come from :class:`~sdkg.answer_cache.AnswerCache`; the
    ``Cache-Status`` header (RFC 9211) says whether it did."""
    app_state = state()
    settings = app_state.settings
    accept = request.headers.get("Accept") or ""  # as text: negotiate caches its outcome
    wanted = _format_values()
    format_param = request.args.get("format")
    if format_param is None and request.method == "POST" and request.mimetype in _FORM_TYPES:
        format_param = request.form.get("format")
    # A workbook, with labels (its media type must be named for Accept to choose it).
    if (format_param or "spreadsheetml" in accept.lower()) and exports.wants_xlsx(
        format_param, request.accept_mimetypes
    ):
        return exports.spreadsheet_response(query, "xlsx", filename="result", title="Query result")

    def consume(result: Any) -> tuple[Serialized, bytes, str] | Table:
        # Negotiation and serialization happen in the query's thread: pyoxigraph results
        # must be consumed in the thread that created them, and the deadline covers the
        # whole answer, so a response is either complete or an error.
        choice = negotiate(accept, wanted, result_kind(result), html=True)
        if choice.kind == "html":
            return tabulate(result, settings.max_rows)
        serialized = serialize_result(result, choice.format, settings.max_rows)
        return serialized, *serialize.finish(serialized.body, choice)

    def compute() -> Answer:
        answer = run_query(query, sparql_request.dataset, consume)
        if isinstance(answer, Table):
            headers = {"Content-Type": "text/html; charset=utf-8"}
            if answer.truncated:
                headers[TRUNCATED_HEADER] = f"true; limit={settings.max_rows}"
            drawn = app_state.sparql_page(query=query, table=answer, error=None)
            # A page is drawn for its request (links, the form): never kept for another.
            return Answer(drawn.encode(), tuple(headers.items()), keep=False)
        serialized, body, content_type = answer
        headers = serialized.headers() | {"Content-Type": content_type}
        return Answer(body, tuple(headers.items()))

    outcome: str = "bypass"
    if not page and _answers_may_be_kept(query, app_state.store):
        # A digest, so that a kept answer does not also keep a query text of up to
        # 100,000 characters; of a repr, whose quoting keeps the parts apart.
        named = repr((query, sparql_request.dataset, accept, tuple(wanted)))
        key = hashlib.sha256(named.encode()).digest()
        found, outcome = app_state.answers.answer(generation(), key, compute, seconds_left)
        note_answer(outcome)
    else:
        found = compute()
    response = Response(found.body, headers=list(found.headers))
    response.vary.add("Accept")
    response.headers["Cache-Status"] = _CACHE_STATUS[outcome]
    return response


#: The ``Cache-Status`` header (RFC 9211) for each way an answer was found.
_CACHE_STATUS = {
    "hit": "sdkg; hit",
    "shared": "sdkg; fwd=miss; collapsed",
    "stored": "sdkg; fwd=miss; stored",
    "miss": "sdkg; fwd=miss",
    "bypass": "sdkg; fwd=bypass",
}


def _answers_may_be_kept(query: str, store: GraphStore) -> bool:
    """True when the answer to ``query`` depends on the store's content alone: a store
    this process owns (whose generation follows every write), no SERVICE call (another
    endpoint's data changes on its own) and no function whose value changes per call."""
    return (
        store.in_process
        and sparql_text.is_deterministic(query)
        and not sparql_text.service_targets(query)
    )


def _prefers_html() -> bool:
    """True for browsers: HTML is what the format parameter or Accept header asks for."""
    try:
        choice = negotiate(request.headers.get("Accept"), _format_values(), "solutions", html=True)
    except NotAcceptable:
        return False
    return choice.kind == "html"


def _timeout_response(timeout: QueryTimeout, page_query: str | None = None) -> Response:
    """503 for a query over the time limit (:func:`~sdkg.web.responses.stopped_response`);
    for a browser, the editor holding the query, with the error under it."""
    response = stopped_response(str(timeout), "a query", timeout.seconds)
    if page_query is not None:
        restart_deadline()
        page = state().sparql_page(query=page_query, table=None, error=str(timeout))
        response.set_data(page)
        response.mimetype = "text/html"
    return response


def _rdf_response(graph: Graph) -> Response:
    """A description graph in the negotiated RDF format, or readable for browsers."""
    choice = negotiate(request.accept_mimetypes, _format_values(), "graph", html=True)
    if choice.kind == "html":
        turtle = graph.serialize(format="turtle")
        response = Response(render_template_string(_DESCRIPTION_PAGE, turtle=turtle))
    else:
        body, content_type = serialize.write_graph(graph, choice)
        response = Response(body, content_type=content_type)
    response.vary.add("Accept")
    return response


def dataset_statistics() -> statistics.DatasetStatistics:
    """The figures of both descriptions, once per store generation: the data files' part
    kept in ``statistics.json`` in the store folder (in memory with ``--memory``), plus
    what the contributions add (:mod:`sdkg.statistics`)."""
    settings = state().settings
    folder = None if settings.memory else settings.resolved_store_dir
    return cached(("statistics",), lambda: statistics.dataset_statistics(state().store, folder))


@blueprint.route("/.well-known/void")
def void() -> Response:
    """VoID description of the dataset."""
    graph = cached(
        ("void",),
        lambda: describe.void_description(dataset_statistics(), describe.PLACEHOLDER_BASE),
    )
    return _rdf_response(describe.at_address(graph, describe.PLACEHOLDER_BASE, request.host_url))


@blueprint.route("/dump")
@blueprint.route("/dump.<any(nq, trig):suffix>")
def dump(suffix: str | None = None) -> Response:
    """The whole dataset as N-Quads (default) or TriG (``.trig``, ``format=``, Accept).

    The body is gzip-compressed (``Content-Encoding: gzip``) for clients that accept it,
    so HTTP clients and RDF libraries read it as the RDF it is; ``/dump.nq.gz`` and
    ``/dump.trig.gz`` are the compressed files themselves, for downloading.
    """
    choice = _dump_choice(suffix)
    spool = _compressed_dump(choice)
    name = "sdkg" + choice.format.extension
    if request.accept_encodings["gzip"] <= 0:
        # No gzip for this client (rdflib and urllib send no Accept-Encoding): plain text.
        plain = tempfile.SpooledTemporaryFile(max_size=16 << 20)  # noqa: SIM115
        with gzip.GzipFile(fileobj=spool, mode="rb") as compressed:
            shutil.copyfileobj(compressed, plain)
        spool.close()
        plain.seek(0)
        response = send_file(plain, mimetype=choice.content_type(), download_name=name)
    else:
        response = send_file(spool, mimetype=choice.content_type(), download_name=name)
        response.headers["Content-Encoding"] = "gzip"
    response.vary.update(("Accept", "Accept-Encoding"))
    return response


@blueprint.route("/dump.<any(nq, trig):suffix>.gz")
def dump_file(suffix: str) -> Response:
    """The whole dataset as a gzip file (``sdkg.nq.gz``, ``sdkg.trig.gz``) to download."""
    choice = _dump_choice(suffix)
    spool = _compressed_dump(choice)
    return send_file(spool, mimetype="application/gzip", as_attachment=True,
                     download_name="sdkg" + choice.format.extension + ".gz")  # fmt: skip


def _dump_choice(suffix: str | None) -> Choice:
    try:
        return negotiate(request.accept_mimetypes, [suffix] if suffix else _format_values(),
                         "dataset")  # fmt: skip
    except NotAcceptable as error:
        raise ProtocolError(406, error.message) from None


def _compressed_dump(choice: Choice) -> tempfile.SpooledTemporaryFile:
    """The dump in ``choice``'s format, gzip-compressed in a spool at its start."""
    # Closed by send_file once the response is sent.
    spool = tempfile.SpooledTemporaryFile(max_size=16 << 20)  # noqa: SIM115
    with gzip.GzipFile(fileobj=spool, mode="wb", compresslevel=6) as compressed:
        state().store.dump(cast(IO[bytes], compressed), choice.format.rdf_format)
    spool.seek(0)
    return spool


@blueprint.route("/healthz")
def healthz() -> Response:
    """For probes: status, store kind, counts, warm-up and the last sync."""
    status = state().store.status()
    return jsonify({"status": "ok", "ready": True, **status, "pid": os.getpid()})


_DESCRIPTION_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>sdkg description</title></head>
<body><pre>{{ turtle }}</pre></body></html>"""
