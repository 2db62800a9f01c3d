"""CSV contributions over HTTP, and the template spreadsheets.

``POST /validate`` and ``POST /contributions`` hand CSV requests here (see
:func:`is_csv_request`): a ``text/csv`` body with ``?template=`` and/or ``?mapping=``
(the mapping's JSON), or a form with the CSV as ``file`` and an optional ``mapping``
part (a JSON file or field) and ``template`` field. Without either, the template is the
one whose column titles the file has. The conversion is :mod:`sdkg.csv_intake`; the
result goes through the same gate as any contribution
(:func:`sdkg.web.validation_limits.validate_in_time`: its time limit and slots), and
the report points to rows and columns.

``GET /contribute/templates/<name>.csv`` and ``.json`` give the template spreadsheets
(organizations, partnerships, fellowships) and their mappings.
"""

from __future__ import annotations

import dataclasses
import logging

from flask import Blueprint, Response, jsonify, request

from sdkg.contributions import Submission
from sdkg.csv_intake import (
    TEMPLATES,
    ColumnMapping,
    Conversion,
    CsvIntakeError,
    intake,
    problems_report,
    report,
    template_csv,
    template_mapping,
)
from sdkg.protocol import ProtocolError
from sdkg.web.context import state
from sdkg.web.contribution_access import NOTE_HEADER, _authenticate, _state
from sdkg.web.reconcile import reconciler
from sdkg.web.validation_limits import validate_in_time

log = logging.getLogger(__name__)
blueprint = Blueprint("csv_contribute", __name__)
CSV_TYPES = ("text/csv", "application/csv")


def is_csv_request() -> bool:
    """True for a CSV body, or a form whose uploaded file is a CSV."""
    if request.mimetype in CSV_TYPES:
        return True
    upload = request.files.get("file") if request.mimetype == "multipart/form-data" else None
    return bool(
        upload is not None
        and upload.filename
        and (upload.filename.lower().endswith(".csv") or upload.mimetype in CSV_TYPES)
    )


def _read_request() -> tuple[bytes, str, ColumnMapping, Conversion]:
    """The CSV, its name, its mapping and what it converts to; 4xx ProtocolErrors else."""
    limit = _state().limits.max_bytes or 0
    upload = request.files.get("file")
    if upload is not None and upload.filename:
        body, name = upload.read(), upload.filename
    else:
        body, name = request.get_data(cache=False), "body.csv"
    if limit and len(body) > limit:
        raise ProtocolError(413, f"the CSV file is larger than the limit of {limit} bytes")
    mapping_text = request.args.get("mapping") or request.form.get("mapping")
    mapping_file = request.files.get("mapping")
    if mapping_file is not None and mapping_file.filename:
        mapping_text = mapping_file.read().decode("utf-8", errors="replace")
    template = request.args.get("template") or request.form.get("template") or None
    try:
        mapping, conversion = intake(body, mapping_text, template, reconciler(), state().store)
    except CsvIntakeError as error:
        raise ProtocolError(400, f"{name}: {error}") from None
    triples = _state().limits.max_triples
    if triples and len(conversion.graph) > triples:
        raise ProtocolError(
            413, f"{name} makes {len(conversion.graph)} triples, over the limit of {triples}"
        )
    return body, name, mapping, conversion


def validate_csv() -> Response:
    """``POST /validate`` for a CSV: the report, nothing stored."""
    _, _, _, conversion = _read_request()
    if problems_report(conversion)["conforms"] is False:
        return jsonify(report(conversion, None))
    validation = validate_in_time(conversion.graph, None)
    return jsonify(report(conversion, validation.to_json()))


def contribute_csv() -> Response:
    """``POST /contributions`` for a CSV: 201 with the report, or 422 with it."""
    contributor = _authenticate()
    body, name, mapping, conversion = _read_request()
    if problems_report(conversion)["conforms"] is False:
        response = jsonify(report(conversion, None))
        response.status_code = 422
        return response
    if len(conversion.graph) == 0:
        # Every fact of every row is in the graph already, with the same source: a file
        # sent twice. Nothing to store; the report says what each row named.
        return jsonify(
            {
                "stored": False,
                "message": "nothing new: the graph already states every fact of these rows",
                "report": report(conversion, None),
            }
        )
    note = request.headers.get(NOTE_HEADER) or request.form.get("note") or ""
    note = f"{name} ({mapping.template.name} template){'; ' + note if note else ''}"
    submission = Submission(
        contributor=contributor,
        body=body,
        media_type="text/csv",
        note=note[:1000],
        user_agent=request.user_agent.string or None,
    )
    contribution, validation = _state().contributions.submit(
        conversion.graph,
        submission,
        check=lambda: validate_in_time(conversion.graph, None),
        accept=lambda v: v.report.conforms,
        amend=lambda v, s: dataclasses.replace(s, unverified_links=tuple(v.unverified_links)),
    )
    answer = report(conversion, validation.to_json())
    if contribution is None:
        response = jsonify(answer)
        response.status_code = 422
        return response
    log.info(
        "contribution %s accepted from %s: %d rows", contribution.id, name, len(answer["rows"])
    )
    response = jsonify({**contribution.to_json(), "report": answer})
    response.status_code = 201
    response.headers["Location"] = contribution.location
    return response


@blueprint.route("/contribute/templates/<name>.csv")
def template_spreadsheet(name: str) -> Response:
    """A template spreadsheet: its columns and an example row."""
    if name not in TEMPLATES:
        raise ProtocolError(404, f"no template {name!r}: use {', '.join(TEMPLATES)}")
    response = Response(template_csv(name), content_type="text/csv; charset=utf-8; header=present")
    response.headers["Content-Disposition"] = f'attachment; filename="sdkg-{name}.csv"'
    return response


@blueprint.route("/contribute/templates/<name>.json")
def template_mapping_file(name: str) -> Response:
    """The mapping of a template spreadsheet (every role under its column title)."""
    if name not in TEMPLATES:
        raise ProtocolError(404, f"no template {name!r}: use {', '.join(TEMPLATES)}")
    return jsonify(template_mapping(name))
