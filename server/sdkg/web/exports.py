"""Blueprint for spreadsheet downloads of query results, with labels beside the IRIs.

Routes:

- ``/queries/<name>.csv`` and ``/queries/<name>.xlsx``: a named query of ``queries/``
  (``cq02-centre-acronyms``, ``cq02`` or ``2``) run now;
- ``/results.csv?query=...`` and ``/results.xlsx?query=...``: any query;
- ``/sparql?query=...&format=xlsx`` answers as ``/results.xlsx`` (the endpoint's
  ``format=csv`` stays the standard SPARQL CSV, IRIs only).

The workbook's "about" sheet holds the query, where it ran and when. Results are capped
at the server's row limit like every other answer, and run under its time limit.
"""

from __future__ import annotations

import datetime

import pyoxigraph as ox
from flask import Blueprint, Response, request
from werkzeug.datastructures import MIMEAccept

from sdkg.named_queries import NamedQueryError, find_query
from sdkg.protocol import ProtocolError, Table, tabulate
from sdkg.spreadsheets import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE, labelled_sheet, to_csv, to_xlsx
from sdkg.web.context import run_query, state
from sdkg.web.pages import label_index

blueprint = Blueprint("exports", __name__)

#: ``format`` values of ``/sparql`` answered with a workbook.
XLSX_FORMATS = ("xlsx", XLSX_MEDIA_TYPE)


def wants_xlsx(format_param: str | None, accept: MIMEAccept) -> bool:
    """True when a ``/sparql`` request asks for a workbook: ``format=xlsx`` (or its media
    type), or an Accept header whose best choice is the workbook's media type."""
    if format_param:
        return format_param.lower() in XLSX_FORMATS
    return bool(accept) and accept.best == XLSX_MEDIA_TYPE


@blueprint.route("/queries/<name>.<any(csv, xlsx):extension>")
def named_query_download(name: str, extension: str) -> Response:
    """A named query's result as CSV or an Excel workbook."""
    try:
        named = find_query(name)
    except NamedQueryError as error:
        raise ProtocolError(404, str(error)) from None
    return spreadsheet_response(
        named.text, extension, filename=named.name, title=named.title, source=named.name + ".rq"
    )


@blueprint.route("/results.<any(csv, xlsx):extension>", methods=["GET", "POST"])
def results_download(extension: str) -> Response:
    """The result of ``query`` (query string or form) as CSV or an Excel workbook."""
    query = request.values.get("query", "")
    if not query.strip():
        raise ProtocolError(400, "give the SPARQL query as ?query=..., e.g. /results.xlsx?query=")
    if len(query) > state().settings.max_query_length:
        raise ProtocolError(
            413, f"the query is longer than the limit of {state().settings.max_query_length}"
        )
    return spreadsheet_response(query, extension, filename="result", title="Query result")


def spreadsheet_response(
    query: str, extension: str, *, filename: str, title: str, source: str | None = None
) -> Response:
    """Run ``query`` and answer with its labelled result as ``csv`` or ``xlsx``."""
    table = run_table(query)  # a slow one: 503 and the worker recycled, as on the endpoint
    index = label_index()
    index.load(term.value for row in table.rows for term in row if isinstance(term, ox.NamedNode))
    sheet = labelled_sheet(table, lambda iri: index.label(iri) if index.labels_of(iri) else None)
    if extension == "csv":
        body, media_type = to_csv(sheet), f"{CSV_MEDIA_TYPE}; charset=utf-8; header=present"
    else:
        about = [
            ("query", query),
            ("endpoint", request.url_root + "sparql"),
            ("run at", datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")),
        ]
        if source:
            about.insert(0, ("named query", source))
        body, media_type = to_xlsx(sheet, title=title, about=about), XLSX_MEDIA_TYPE
    response = Response(body, content_type=media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}.{extension}"'
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def run_table(query: str) -> Table:
    """The query's result as a :class:`Table`, under the server's row and time limits and
    its SERVICE policy (the endpoint's own runner); a bad query is a :class:`ProtocolError`
    (4xx) saying what is wrong, a slow one a :class:`QueryTimeout`."""
    max_rows = state().settings.max_rows
    return run_query(query, None, lambda result: tabulate(result, max_rows))
