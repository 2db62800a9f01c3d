"""Blueprint for validating and contributing data.

Routes: ``GET/POST /validate`` (a form; the SHACL report on a submission),
``POST/GET /contributions`` (contribute with a bearer token; list),
``GET/DELETE /contributions/<id>`` (one contribution in any RDF format; withdraw: by
its contributor, or a curator or admin). ``POST /contributions`` honours an
``Idempotency-Key`` header (a retry gets the first answer). Before every request of the
app, this process's store catches up with the contributions folder (see
:mod:`sdkg.contributions`), and ``/healthz`` gains the contributions' counts and damaged files.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from dataclasses import dataclass

import pyoxigraph as ox
from flask import Blueprint, Flask, Response, jsonify, render_template_string, request
from rdflib import Graph, Node
from werkzeug.exceptions import RequestEntityTooLarge

from sdkg import formats, namespaces
from sdkg.closure import GraphValidation
from sdkg.config import Settings
from sdkg.contributions import (
    CONTRIBUTION_PREFIXES,
    ContributionFolder,
    Contributions,
    Replayed,
    Submission,
    check_idempotency_key,
)
from sdkg.echo import shorten
from sdkg.gate import quotes
from sdkg.negotiation import format_values, negotiate
from sdkg.protocol import ProtocolError
from sdkg.rdfio import (
    FORMAT_BY_MEDIA_TYPE,
    ParseLimits,
    RDFInputError,
    RDFSyntaxError,
    RDFTooLarge,
    parse_rdf,
)
from sdkg.tokens import TokenFile
from sdkg.validation import SourceLocation, locate
from sdkg.web import csv_contribute, validation_limits
from sdkg.web.contribution_access import (
    NOTE_HEADER,
    ContributeState,
    _authenticate,
    _state,
)
from sdkg.web.responses import error_response
from sdkg.web.validation_limits import validate_in_time

log = logging.getLogger(__name__)
blueprint = Blueprint("contribute", __name__)

#: Relative IRIs in a submission resolve against the entity namespace.
BASE_IRI = namespaces.ENTITY
IDEMPOTENCY_HEADER = "Idempotency-Key"
#: A contribution is one graph, in one of the registry's graph formats (sdkg.formats).
_GRAPH_FORMATS = formats.offered("graph")
#: ``format`` form-field values (besides media types) -> rdflib parser names.
FORMAT_NAMES = {name: f.rdflib for f in _GRAPH_FORMATS for name in f.all_names if f.rdflib}
FORMAT_BY_EXTENSION = {e: f.rdflib for f in _GRAPH_FORMATS for e in f.all_extensions if f.rdflib}
MEDIA_TYPE_OF_FORMAT = {f.rdflib: f.media_type for f in _GRAPH_FORMATS if f.rdflib}
FORMAT_LABEL = {f.rdflib: f.label for f in _GRAPH_FORMATS if f.rdflib}
REPORT_TYPES = ["application/json", "text/turtle", "text/html"]
_MULTIPART_OVERHEAD = 65536
_FORMS = ("multipart/form-data", "application/x-www-form-urlencoded")


def init_app(app: Flask, settings: Settings) -> None:
    """Register the blueprint and this process's view of the contributions folder."""
    folder = ContributionFolder(settings.resolved_contributions_dir)
    folder.path.mkdir(parents=True, exist_ok=True)
    # rdflib logs a warning for each odd IRI or ill-typed literal it reads; the
    # report or the 4xx message says it already.
    logging.getLogger("rdflib.term").setLevel(logging.ERROR)
    logging.getLogger("pyshacl-validate").disabled = True
    app.extensions["sdkg-contribute"] = ContributeState(
        contributions=Contributions(folder, app.extensions["sdkg"].store.backend),
        tokens=None if settings.tokens_file is None else TokenFile(settings.tokens_file),
        limits=ParseLimits(
            max_bytes=settings.max_contribution_bytes,
            max_triples=settings.max_contribution_triples,
            max_literal_length=settings.max_literal_length,
            max_prefixes=settings.max_contribution_prefixes,
            max_depth=settings.max_nesting_depth,
        ),
    )
    app.register_blueprint(blueprint)
    validation_limits.install(app)


@blueprint.before_app_request
def catch_up_with_the_folder() -> None:
    """Every request sees every accepted contribution, whichever process took it."""
    _state().contributions.sync()


@blueprint.after_app_request
def report_damaged_files(response: Response) -> Response:
    """``/healthz`` also tells the contributions: how many, and every damaged file."""
    if request.path == "/healthz" and response.is_json and response.status_code == 200:
        body = response.get_json()
        contributions = _state().contributions
        known = contributions.all()
        body["contributions"] = {
            "active": sum(1 for c in known if c.withdrawn is None),
            "withdrawn": sum(1 for c in known if c.withdrawn is not None),
            "damaged": [
                {"id": cid, "path": path, "problem": problem}
                for cid, (path, problem) in sorted(contributions.damaged.items())
            ],
        }
        response.set_data(json.dumps(body))
    return response


@blueprint.before_request
def allow_contribution_sized_bodies() -> None:
    limit = _state().limits.max_bytes or 0
    request.max_content_length = limit + _MULTIPART_OVERHEAD
    request.max_form_memory_size = limit + _MULTIPART_OVERHEAD


@blueprint.errorhandler(RequestEntityTooLarge)
def too_large(_error: RequestEntityTooLarge) -> Response:
    return error_response(
        413, f"the body is larger than the limit of {_state().limits.max_bytes} bytes"
    )


# --------------------------------------------------------------------------- reading input


@dataclass
class ReadInput:
    """A parsed submission and what is needed to report on it."""

    graph: Graph
    body: bytes
    fmt: str
    locations: dict[Node, SourceLocation]


def read_input() -> ReadInput:
    """The RDF of this request (body, upload or pasted text), parsed safely.

    Raises :class:`ProtocolError`: 415 for an unknown kind, 400 unreadable,
    413 over a limit.
    """
    mimetype = request.mimetype
    charset = request.mimetype_params.get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8", "us-ascii"):
        raise ProtocolError(415, f"charset={charset} is not accepted; send UTF-8")
    if mimetype in _FORMS:
        name, body, fmt = _form_input()
    elif mimetype in FORMAT_BY_MEDIA_TYPE:
        name, body, fmt = "body", request.get_data(cache=False), FORMAT_BY_MEDIA_TYPE[mimetype]
    else:
        raise ProtocolError(415, _unsupported(mimetype or "no Content-Type"))
    if not body.strip():
        raise ProtocolError(
            400, "the submission is empty: send RDF (Turtle, N-Triples, JSON-LD or RDF/XML)"
        )
    try:
        graph = parse_rdf(body, fmt, name=name, base=BASE_IRI, limits=_state().limits)
    except RDFTooLarge as error:
        raise ProtocolError(413, f"the submission is too large: {error.message}") from None
    except RDFSyntaxError as error:
        where = "" if error.line is None else f" at line {error.line}, column {error.column}"
        raise ProtocolError(
            400, f"cannot read the {FORMAT_LABEL[fmt]}{where}: {error.message}"
        ) from None
    except RDFInputError as error:
        raise ProtocolError(400, error.message) from None
    if len(graph) == 0:
        raise ProtocolError(400, f"the {FORMAT_LABEL[fmt]} holds no triples")
    locations = locate(body.decode("utf-8", errors="replace"), graph, fmt, name)
    return ReadInput(graph, body, fmt, locations)


def _form_input() -> tuple[str, bytes, str]:
    """An uploaded file (field ``file``) or pasted text (field ``data``), and its format."""
    upload = request.files.get("file")
    chosen = request.form.get("format", "").strip().lower()
    if upload is not None and upload.filename:
        body = upload.read()
        name = upload.filename
        suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
        fmt = (
            FORMAT_NAMES.get(chosen)
            or FORMAT_BY_MEDIA_TYPE.get(chosen)
            or FORMAT_BY_MEDIA_TYPE.get(upload.mimetype)
            or FORMAT_BY_EXTENSION.get(suffix)
        )
        if fmt is None:
            raise ProtocolError(
                415,
                f"cannot tell the format of {shorten(name)!r}: name it .ttl .nt .jsonld or .rdf, "
                "or add a format field (turtle, nt, jsonld, rdfxml)",
            )
        return name, body, fmt
    if "data" not in request.form:
        raise ProtocolError(
            400, "the form has neither a file (field 'file') nor pasted text (field 'data')"
        )
    fmt = FORMAT_NAMES.get(chosen or "turtle") or FORMAT_BY_MEDIA_TYPE.get(chosen)
    if fmt is None:
        raise ProtocolError(
            400, f"unknown format {shorten(chosen)!r}: use turtle, nt, jsonld or rdfxml"
        )
    return "pasted text", request.form["data"].encode("utf-8"), fmt


def _unsupported(mimetype: str) -> str:
    accepted = ", ".join(sorted(FORMAT_BY_MEDIA_TYPE))
    return (
        f"{shorten(mimetype)} is not accepted; send one graph as {accepted}, or a form "
        "(multipart/form-data with a file, or a 'data' field)"
    )


# --------------------------------------------------------------------------- reports


def report_response(validation: GraphValidation, status: int) -> Response:
    """The report as JSON (default), Turtle ``sh:ValidationReport`` or an HTML page."""
    wanted = request.args.get("format", "").lower()
    by_name = {"json": REPORT_TYPES[0], "turtle": REPORT_TYPES[1], "html": REPORT_TYPES[2]}
    if wanted:
        if wanted not in by_name and wanted not in REPORT_TYPES:
            raise ProtocolError(
                406, f"format={shorten(wanted)!r} is not offered; use json, turtle or html"
            )
        media_type: str | None = by_name.get(wanted, wanted)
    else:
        accept = request.accept_mimetypes
        media_type = accept.best_match(REPORT_TYPES) if accept else REPORT_TYPES[0]
        if media_type is None:
            raise ProtocolError(406, "the report is offered as " + ", ".join(REPORT_TYPES))
    report = validation.report
    if media_type == "text/turtle":
        return Response(report.to_turtle(), status, content_type="text/turtle; charset=utf-8")
    if media_type == "text/html":
        page = render_template_string(_REPORT_PAGE, report=report, data=validation.to_json())
        return Response(page, status, content_type="text/html; charset=utf-8")
    response = jsonify(validation.to_json())
    response.status_code = status
    return response


# --------------------------------------------------------------------------- auth


# --------------------------------------------------------------------------- views


@blueprint.route("/validate", methods=["GET"])
def validate_form() -> str:
    """A page to paste or upload data for validation."""
    return render_template_string(_FORM_PAGE)


@blueprint.route("/validate", methods=["POST"])
def validate() -> Response:
    """The SHACL report on a submission, checked against the shapes and the graph."""
    if csv_contribute.is_csv_request():
        return csv_contribute.validate_csv()
    submitted = read_input()
    return report_response(validate_in_time(submitted.graph, submitted.locations), 200)


@blueprint.route("/contributions", methods=["POST"])
def contribute() -> Response:
    """Validate and, if it conforms, store a contribution: 201, or 422 with the report."""
    if csv_contribute.is_csv_request():
        return csv_contribute.contribute_csv()
    contributor = _authenticate()
    submitted = read_input()
    note = request.headers.get(NOTE_HEADER) or request.form.get("note") or None
    submission = Submission(
        contributor=contributor,
        body=submitted.body,
        media_type=MEDIA_TYPE_OF_FORMAT[submitted.fmt],
        note=note[:1000] if note else None,
        user_agent=request.user_agent.string or None,
        idempotency_key=_idempotency_key(),
    )
    contribution, validation = _state().contributions.submit(
        submitted.graph,
        submission,
        check=lambda: validate_in_time(submitted.graph, submitted.locations),
        accept=lambda v: v.report.conforms,
        amend=lambda v, s: dataclasses.replace(s, unverified_links=tuple(v.unverified_links)),
    )
    if contribution is None:
        return report_response(validation, 422)
    log.info(
        "contribution %s %s: %d triples from %s",
        contribution.id,
        "answered again (same Idempotency-Key)" if isinstance(validation, Replayed) else "accepted",
        contribution.triples,
        contribution.contributor,
    )
    response = jsonify(
        {
            **contribution.to_json(),
            "quotes_not_verified": _unverified_quotes(submitted.graph),
            "report": validation.to_json(),
        }
    )
    response.status_code = 201
    response.headers["Location"] = contribution.location
    if isinstance(validation, Replayed):
        response.headers["Idempotent-Replayed"] = "true"
    return response


def _idempotency_key() -> str | None:
    """The request's ``Idempotency-Key`` header, checked; None when it has none."""
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if key is None:
        return None
    check_idempotency_key(key.strip())
    return key.strip()


@blueprint.route("/contributions", methods=["GET"])
def list_contributions() -> Response:
    """Every contribution, oldest first, active and withdrawn."""
    return jsonify({"contributions": [c.to_json() for c in _state().contributions.all()]})


@blueprint.route("/contributions/<contribution_id>", methods=["GET"])
def get_contribution(contribution_id: str) -> Response:
    """One contribution's triples and provenance, in the negotiated RDF format."""
    triples = _state().contributions.triples(contribution_id)
    wanted = format_values(request.args.items(multi=True))
    fmt = negotiate(request.accept_mimetypes, wanted, "graph", html=True).format
    if fmt.kind == "html":
        turtle = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=CONTRIBUTION_PREFIXES)
        graph = Graph().parse(
            data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt"
        )
        page = render_template_string(
            _CONTRIBUTION_PAGE,
            id=contribution_id,
            turtle=(turtle or b"").decode("utf-8"),
            unverified=_unverified_quotes(graph),
            not_verified=quotes.NOT_VERIFIED,
        )
        return Response(page, content_type="text/html; charset=utf-8")
    prefixes = CONTRIBUTION_PREFIXES if fmt.oxigraph == ox.RdfFormat.TURTLE else None
    body = ox.serialize(triples, format=fmt.rdf_format, prefixes=prefixes)
    return Response(body, content_type=fmt.content_type())


def _unverified_quotes(graph: Graph) -> list[dict[str, str]]:
    """The quotes of ``graph`` whose document has no text in the repository (unchecked)."""
    return [
        {
            "subject": str(q.about),
            "source": str(q.source),
            "quote": str(q.words),
            "status": quotes.NOT_VERIFIED,
        }
        for q in quotes.unverified_quotes(graph)
    ]


@blueprint.route("/contributions/<contribution_id>", methods=["DELETE"])
def withdraw_contribution(contribution_id: str) -> Response:
    """Withdraw a contribution (token needed): its graph leaves the store, its file stays."""
    contributor = _authenticate()
    contribution = _state().contributions.withdraw(contribution_id, contributor)
    log.info("contribution %s withdrawn by %s", contribution_id, contributor.name)
    return jsonify(contribution.to_json())


_STYLE = """<style>body{font-family:system-ui,sans-serif;margin:1.5rem;max-width:70rem}
textarea{width:100%;font-family:monospace}table{border-collapse:collapse}
td,th{border:1px solid #ccc;padding:.2rem .5rem;text-align:left;vertical-align:top}
.Violation{color:#a00}.Warning{color:#850}</style>"""

_FORM_PAGE = (
    """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>sdkg: validate data</title>"""
    + _STYLE
    + """</head><body>
<h1>Validate data</h1>
<form method="post" action="/validate" enctype="multipart/form-data">
<p><label for="data">Paste RDF</label>
<textarea id="data" name="data" rows="14"></textarea></p>
<p><label for="file">or upload a file (.ttl .nt .jsonld .rdf)</label>
<input id="file" type="file" name="file"></p>
<p><label for="format">Format</label>
<select id="format" name="format"><option value="">by file name / Turtle</option>
<option value="turtle">Turtle</option><option value="nt">N-Triples</option>
<option value="jsonld">JSON-LD</option><option value="rdfxml">RDF/XML</option></select></p>
<button type="submit">Validate</button>
</form></body></html>"""
)

_REPORT_PAGE = (
    """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>sdkg: validation report</title>"""
    + _STYLE
    + """</head><body>
<h1>Validation report</h1>
<p><strong>{{ report.summary_line() }}</strong></p>
<p>Checked with {{ data.closure.triples }} triples from the graph
({{ data.closure.existing_subjects }} existing entities described further).</p>
{% if report.results %}
<table><thead><tr><th>severity</th><th>node</th><th>line</th><th>property</th>
<th>value</th><th>what to do</th></tr></thead><tbody>
{% for r in data.results %}<tr class="{{ r.severity }}"><td>{{ r.severity }}</td>
<td>{{ r.focus_node|bdi }}</td><td>{{ r.line or "" }}</td><td>{{ (r.path or "")|bdi }}</td>
<td>{{ (r.value or "")|bdi }}</td><td>{{ r.message|bdi }}</td></tr>
{% endfor %}</tbody></table>
{% endif %}
<p><a href="/validate">Validate more data</a></p>
</body></html>"""
)

_CONTRIBUTION_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>sdkg contribution {{ id }}</title></head>
<body><h1>Contribution {{ id }}</h1>
{% if unverified %}<h2>Quotes not checked</h2>
<p>The repository holds no text of these documents: their quotes could not be checked.</p>
<ul>{% for q in unverified %}<li><strong>{{ not_verified }}</strong>: “{{ q.quote }}”
(<code>{{ q.source }}</code>, about <code>{{ q.subject }}</code>)</li>{% endfor %}</ul>
{% endif %}<pre>{{ turtle }}</pre></body></html>"""
