"""The W3C SPARQL 1.1 query tests, run through a real ``sdkg serve`` over HTTP.

One server per test folder, loading every data file of the folder as a named graph
called by the file's IRI; each test names its dataset with the protocol's
``default-graph-uri`` / ``named-graph-uri``. Every evaluation test is fetched in each
format the endpoint offers for its kind (SPARQL JSON, XML, CSV, TSV; Turtle, N-Triples,
JSON-LD, RDF/XML) and compared with the expected result (see ``w3c_sparql``); every
syntax test must be accepted (200) or refused as a syntax error (400). This checks the
endpoint's own reading, negotiation, serialization and row counting, not only the engine.

Failures that are the engine's (pyoxigraph), not the endpoint's, are listed in
:data:`ENGINE` with the reason and run as strict xfails, so a fixed engine shows up.
The per-folder figures are in docs/clients.md.
"""

from __future__ import annotations

import pytest
import rdflib
import requests
from rdflib.compare import isomorphic
from support import w3c_sparql as w3c

_ZERO_LENGTH = (
    "a zero-length path (p?, p*) from a constant absent from the data matches nothing in "
    "pyoxigraph 0.5.13; the suite expects the constant (disputed: w3c/sparql-query#313, "
    "w3c/rdf-tests#98; oxigraph/oxigraph#1815)"
)
_GROUP_CONCAT = (
    "pyoxigraph 0.5.13 keeps a common language tag in GROUP_CONCAT; the suite expects a "
    "simple literal (w3c/rdf-tests#280, fixed in oxigraph/oxigraph#1717)"
)
#: Tests whose failure is the engine's, not the endpoint's: "folder/name" (every format) or
#: "folder/name:format" -> why. Each was reproduced in-process with pyoxigraph 0.5.13 on
#: the same data and dataset, without the endpoint.
ENGINE: dict[str, str] = {
    "aggregates/agg-groupconcat-04": _GROUP_CONCAT,
    "aggregates/agg-groupconcat-06": _GROUP_CONCAT,
    "aggregates/agg-empty-group-count-graph": (
        "GRAPH ?g { SELECT (COUNT(*) ...) } gives one solution with ?g unbound instead of one "
        "per named graph (w3c/rdf-tests#233, a test newer than pyoxigraph 0.5.13)"
    ),
    "bindings/graph": "VALUES inside GRAPH ?g binding ?g itself: pyoxigraph drops rows",
    "csv-tsv-res/tsv03:json": "pyoxigraph stores xsd:negativeInteger as xsd:integer on load "
    "(oxigraph/oxigraph#526: literal normalization)",
    "csv-tsv-res/tsv03:xml": "as csv-tsv-res/tsv03:json",
    "csv-tsv-res/tsv03:tsv": "as csv-tsv-res/tsv03:json",
    "functions/bnode01": (
        "BNODE(str) returns the same blank node in different solutions; the suite expects one "
        "per solution (see w3c/sparql-query#292)"
    ),
    "negation/graph-minus": "MINUS inside GRAPH ?g: pyoxigraph treats ?g as shared, so "
    "MINUS removes everything",
    "property-path/zero_or_more_set_start": _ZERO_LENGTH,
    "property-path/zero_or_more_set_end": _ZERO_LENGTH,
    "property-path/zero_or_one_set_start": _ZERO_LENGTH,
    "property-path/zero_or_one_set_end": _ZERO_LENGTH,
    "syntax-query/test_4": (
        "a positive syntax test calling an unknown function <http://example/function>: "
        "pyoxigraph refuses it when preparing the query, so the endpoint answers 400"
    ),
}


def _cases() -> list:
    cases = []
    for folder in w3c.folders():
        for test in w3c.read_manifest(folder):
            if test.valid is not None:
                cases.append(_case(test, "syntax"))
                continue
            assert test.result is not None
            if not w3c.is_result_set(test.result):
                formats = list(w3c.GRAPH_FORMATS)
            elif w3c.query_form(test) == "ASK":
                formats = list(w3c.BOOLEAN_FORMATS)
            else:
                formats = list(w3c.SOLUTION_FORMATS)
            cases += [_case(test, fmt) for fmt in formats]
    return cases


def _case(test: w3c.W3CTest, fmt: str):
    case_id = f"{test.id}:{fmt}"
    why = ENGINE.get(case_id) or ENGINE.get(test.id)
    marks = [pytest.mark.xfail(reason=f"engine: {why}", strict=True)] if why else []
    return pytest.param(test, fmt, id=case_id, marks=marks)


CASES = _cases()
#: The row cap of the truncation pass: small, so that most SELECT results are cut.
CAP = 2


def _truncation_cases() -> list:
    """SELECT tests with more rows than :data:`CAP` and no blank nodes, in every format."""
    cases = []
    for folder in w3c.folders():
        for test in w3c.read_manifest(folder):
            if test.valid is not None or test.id in ENGINE or not w3c.is_result_set(test.result):
                continue
            if w3c.query_form(test) != "SELECT":
                continue
            expected = w3c.expected_solutions(test.result)
            if len(expected.rows) <= CAP or w3c.has_blank_nodes(expected):
                continue
            cases += [
                pytest.param(test, fmt, id=f"{test.id}:{fmt}") for fmt in w3c.SOLUTION_FORMATS
            ]
    return cases


TRUNCATION_CASES = _truncation_cases()


@pytest.fixture(scope="module")
def servers(start_server, tmp_path_factory):
    """``servers(folder) -> RunningServer``: one server at a time, for the folder at hand."""
    current: dict[tuple[str, int], object] = {}

    def get(folder: str, max_rows: int = 100000):
        key = (folder, max_rows)
        if key not in current:
            for running in current.values():
                running.stop()
            current.clear()
            data = tmp_path_factory.mktemp(f"w3c-{folder}")
            w3c.build_data_folder(w3c.read_manifest(folder), data)
            current[key] = start_server(
                "--memory", "--data", str(data), "--max-rows", str(max_rows),
                "--max-query-length", "200000", "--timeout", "60",
            )  # fmt: skip
        return current[key]

    yield get
    for running in current.values():
        running.stop()


@pytest.mark.parametrize(("test", "fmt"), CASES)
def test_w3c_query(servers, test: w3c.W3CTest, fmt: str):
    server = servers(test.folder)
    params = [("query", test.query_text()), *test.dataset_params()]
    if fmt == "syntax":
        response = requests.post(server.sparql, data=params, timeout=60)
        expected_status = 200 if test.valid else 400
        assert response.status_code == expected_status, response.text
        return
    if fmt == "jsonld-compacted":
        profile = 'application/ld+json; profile="http://www.w3.org/ns/json-ld#compacted"'
        response = requests.post(server.sparql, data=params, headers={"Accept": profile})
    else:
        response = requests.post(server.sparql, data=[*params, ("format", fmt)], timeout=60)
    assert response.status_code == 200, response.text
    assert "SDKG-Results-Truncated" not in response.headers
    media_type = response.headers["Content-Type"].split(";")[0]
    assert test.result is not None
    if fmt in w3c.GRAPH_FORMATS:
        expected_type, rdflib_format = w3c.GRAPH_FORMATS[fmt]
        assert media_type == expected_type
        found = rdflib.Graph().parse(data=response.content, format=rdflib_format)
        expected = w3c.expected_graph(test.result)
        assert isomorphic(found, expected), (
            f"{len(found)} triples, expected {len(expected)}:\n"
            + found.serialize(format="nt")[:2000]
        )
        return
    assert media_type == w3c.SOLUTION_FORMATS[fmt]
    found = w3c.parse_answer(response.content, media_type)
    expected = w3c.expected_solutions(test.result)
    if fmt == "csv" or test.result.suffix == ".csv":
        found, expected = w3c.lossy(found), w3c.lossy(expected)
    else:
        found, expected = w3c.canonical(found), w3c.canonical(expected)
    assert w3c.same_solutions(found, expected), (
        f"\nfound:    {w3c.describe(found)}\nexpected: {w3c.describe(expected)}"
    )


@pytest.mark.parametrize(("test", "fmt"), TRUNCATION_CASES)
def test_w3c_select_cut_at_the_row_cap(servers, test: w3c.W3CTest, fmt: str):
    """With ``--max-rows 2`` every format holds the same number of rows, all of them rows
    of the full answer, and the answer says it was cut."""
    server = servers(test.folder, CAP)
    params = [("query", test.query_text()), *test.dataset_params(), ("format", fmt)]
    response = requests.post(server.sparql, data=params, timeout=60)
    assert response.status_code == 200, response.text
    assert response.headers["SDKG-Results-Truncated"] == f"true; limit={CAP}"
    found = w3c.parse_answer(response.content, w3c.SOLUTION_FORMATS[fmt])
    assert test.result is not None
    expected = w3c.expected_solutions(test.result)
    if fmt == "csv" or test.result.suffix == ".csv":
        found, expected = w3c.lossy(found), w3c.lossy(expected)
    else:
        found, expected = w3c.canonical(found), w3c.canonical(expected)
    assert len(found.rows) == CAP
    assert w3c.is_sub_multiset(found, expected), (
        f"\nfound:    {w3c.describe(found)}\nexpected: {w3c.describe(expected)}"
    )
