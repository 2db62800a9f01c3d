"""Query results as spreadsheets, in-process (Flask's test client): every named query as
CSV and as an Excel workbook, any query via ``/results.{csv,xlsx}`` and
``/sparql?format=xlsx``, with labels beside the IRIs.

Oracles: the same queries answered by the SPARQL endpoint in SPARQL JSON (rows and
values), the named query files, and the data's rdfs:labels read with rdflib.
"""

from __future__ import annotations

import csv
import io
import re
from html import unescape

import openpyxl
import pytest
from flask.testing import FlaskClient
from rdflib.namespace import RDFS
from support.sheets import bundled_data
from werkzeug.test import TestResponse

from sdkg.named_queries import list_queries

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
QUERIES = list_queries()


def get(client: FlaskClient, path: str, accept: str = "*/*", **params: str) -> TestResponse:
    """``path`` with an Accept header (``*/*`` unless given, as HTTP libraries send)."""
    return client.get(path, headers={"Accept": accept}, query_string=params or None)


def sparql_json(client: FlaskClient, query: str) -> dict:
    """The app's SPARQL JSON answer to ``query`` (asserting a 200)."""
    response = get(client, "/sparql", "application/sparql-results+json", query=query)
    assert response.status_code == 200, response.text
    return response.get_json()


@pytest.fixture(scope="module")
def labels() -> dict[str, str]:
    graph = bundled_data()
    return {str(s): str(o) for s, o in graph.subject_objects(RDFS.label) if o.language == "en"}


def workbook(body: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(body))


def read_csv(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8"), newline="")))


@pytest.mark.parametrize("named", QUERIES, ids=[q.name for q in QUERIES])
def test_every_named_query_downloads_as_csv_and_xlsx_with_the_endpoints_rows(client, named):
    answer = sparql_json(client, named.text)
    variables = answer["head"]["vars"]
    bindings = answer["results"]["bindings"]

    response = get(client, f"/queries/{named.name}.csv")
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("text/csv")
    assert f'filename="{named.name}.csv"' in response.headers["Content-Disposition"]
    table = read_csv(response.data)
    header, rows = table[0], table[1:]
    # Every variable is a column, in order; label columns sit right after IRI columns.
    assert [h for h in header if h in variables] == variables
    assert len(rows) == len(bindings)
    for row, binding in zip(rows, bindings, strict=True):
        for variable in variables:
            expected = binding.get(variable, {}).get("value", "")
            assert row[header.index(variable)] == expected, (variable, row)

    book = workbook(get(client, f"/queries/{named.name}.xlsx").data)
    sheet = book["results"]
    assert [c.value for c in sheet[1]] == header
    assert sheet.max_row == len(bindings) + 1 if bindings else sheet.max_row == 1
    about = {row[0].value: row[1].value for row in book["about"].iter_rows()}
    assert about["query"] == named.text and about["title"] == named.title


def test_iri_columns_get_labels_from_the_data(client, labels):
    query = (
        "SELECT ?partner ?kind WHERE { <https://w3id.org/sdkg/id/ustc> "
        "<https://w3id.org/sdkg/ontology#jointResearchPartner> ?partner . "
        "?p <https://w3id.org/sdkg/ontology#partner> ?partner ; "
        "<https://w3id.org/sdkg/ontology#partnershipKind> ?kind } ORDER BY ?partner ?kind"
    )
    table = read_csv(get(client, "/results.csv", query=query).data)
    assert table[0] == ["partner", "partner label", "kind", "kind label"]
    assert len(table) > 5
    for row in table[1:]:
        assert row[1] == labels[row[0]] and row[3] == labels[row[2]]


def test_a_query_that_selects_its_own_labels_gets_no_second_label_column(client):
    header = read_csv(get(client, "/queries/cq13-ustc-partners.csv").data)[0]
    assert header == ["partner", "partnerLabel", "officialName"]


def test_numbers_and_years_stay_numbers_in_the_workbook(client):
    query = (
        "SELECT ?org ?founded (COUNT(*) AS ?n) WHERE { ?org <https://schema.org/foundingDate> "
        "?founded } GROUP BY ?org ?founded ORDER BY ?founded"
    )
    book = workbook(get(client, "/results.xlsx", query=query).data)
    sheet = book["results"]
    header = [c.value for c in sheet[1]]
    assert header == ["org", "org label", "founded", "n"]
    years = [row[2].value for row in sheet.iter_rows(min_row=2)]
    assert years and all(isinstance(y, int) for y in years) and years == sorted(years)
    assert all(row[3].value == 1 for row in sheet.iter_rows(min_row=2))
    link = sheet["A2"]
    assert link.hyperlink is not None and link.hyperlink.target == link.value


def test_text_that_looks_like_a_formula_stays_text(client):
    query = 'SELECT ?x WHERE { VALUES ?x { "=HYPERLINK(\\"http://x.test\\",\\"hi\\")" "-1" } }'
    book = workbook(get(client, "/results.xlsx", query=query).data)
    cells = [row[0] for row in book["results"].iter_rows(min_row=2)]
    assert cells[0].value == '=HYPERLINK("http://x.test","hi")' and cells[0].data_type == "s"
    assert cells[1].value == "-1" and cells[1].data_type == "s"


def test_the_endpoint_answers_format_xlsx_and_keeps_standard_csv(client):
    query = next(q for q in QUERIES if q.name.startswith("cq02")).text
    from_endpoint = get(client, "/sparql", query=query, format="xlsx")
    assert from_endpoint.headers["Content-Type"] == XLSX
    from_results = get(client, "/results.xlsx", query=query)
    rows = [[c.value for c in r] for r in workbook(from_endpoint.data)["results"].iter_rows()]
    assert rows == [
        [c.value for c in r] for r in workbook(from_results.data)["results"].iter_rows()
    ]
    by_accept = get(client, "/sparql", XLSX, query=query)
    assert by_accept.headers["Content-Type"] == XLSX
    standard = get(client, "/sparql", query=query, format="csv")
    assert standard.text.splitlines()[0] == "centre,centreLabel,acronym"


def test_an_ask_query_is_one_cell(client):
    table = read_csv(get(client, "/results.csv", query="ASK {}").data)
    assert table == [["answer"], ["true"]]


@pytest.mark.parametrize(
    ("path", "params", "status", "words"),
    [
        ("queries/cq99-nothing.csv", {}, 404, "cq99"),
        ("results.xlsx", {}, 400, "query"),
        ("results.csv", {"query": "SELECT * WHERE { ?s ?p }"}, 400, "line 1"),
    ],
)
def test_bad_downloads_say_what_is_wrong(client, path, params, status, words):
    response = client.get("/" + path, query_string=params, headers={"Accept": "*/*"})
    assert response.status_code == status, response.text
    assert words in response.text and "Traceback" not in response.text


def test_pages_link_the_downloads(client):
    home = unescape(get(client, "/", "text/html").text)
    for named in QUERIES:
        assert f'href="/queries/{named.name}.csv"' in home
        assert f'href="/queries/{named.name}.xlsx"' in home
    editor = unescape(get(client, "/sparql", "text/html", query="ASK {}").text)
    links = re.findall(r'href="(/results\.(?:csv|xlsx)\?query=[^"]+)"', editor)
    assert len(links) == 2
    assert all(get(client, link).status_code == 200 for link in links)
