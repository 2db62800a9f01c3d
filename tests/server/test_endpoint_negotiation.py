"""Content negotiation at /sparql: media types, q-values, format=, 406, browsers."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET

import pytest
import rdflib
import requests
from support.oracle import load_fixture_dataset

NAME = "http://www.w3.org/2004/02/skos/core#altLabel"
SELECT = f"SELECT ?s ?name WHERE {{ ?s <{NAME}> ?name }}"
CONSTRUCT = f"CONSTRUCT {{ ?s <{NAME}> ?name }} WHERE {{ ?s <{NAME}> ?name }}"
SRX = "{http://www.w3.org/2005/sparql-results#}"


def expected_rows() -> set[tuple[str, str]]:
    return {(str(s), str(n)) for s, n in load_fixture_dataset().query(SELECT)}


def parse_json(body: bytes) -> set[tuple[str, str]]:
    import json

    data = json.loads(body)
    return {(b["s"]["value"], b["name"]["value"]) for b in data["results"]["bindings"]}


def parse_xml(body: bytes) -> set[tuple[str, str]]:
    found = set()
    for result in ET.fromstring(body).iter(SRX + "result"):
        values = {
            b.get("name"): "".join(b.itertext()).strip() for b in result.iter(SRX + "binding")
        }
        found.add((values["s"], values["name"]))
    return found


def parse_csv(body: bytes) -> set[tuple[str, str]]:
    reader = csv.DictReader(io.StringIO(body.decode()))
    return {(r["s"], r["name"]) for r in reader}


def parse_tsv(body: bytes) -> set[tuple[str, str]]:
    lines = body.decode().splitlines()
    assert lines[0].split("\t") == ["?s", "?name"]
    found = set()
    for line in lines[1:]:
        s, name = line.split("\t")
        found.add((s.strip("<>"), rdflib.util.from_n3(name).toPython()))
    return found


SELECT_CASES = [
    ("application/sparql-results+json", parse_json),
    ("application/sparql-results+xml", parse_xml),
    ("text/csv", parse_csv),
    ("text/tab-separated-values", parse_tsv),
]


@pytest.mark.parametrize(("media_type", "parse"), SELECT_CASES)
def test_select_in_each_results_format(endpoint, media_type, parse):
    response = requests.get(
        endpoint.sparql, params={"query": SELECT}, headers={"Accept": media_type}
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"].split(";")[0] == media_type
    assert parse(response.content) == expected_rows()


GRAPH_CASES = [
    ("text/turtle", "turtle"),
    ("application/n-triples", "nt"),
    ("application/ld+json", "json-ld"),
    ("application/rdf+xml", "xml"),
]


@pytest.mark.parametrize(("media_type", "rdflib_format"), GRAPH_CASES)
def test_construct_in_each_rdf_format(endpoint, media_type, rdflib_format):
    response = requests.get(
        endpoint.sparql, params={"query": CONSTRUCT}, headers={"Accept": media_type}
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"].split(";")[0] == media_type
    graph = rdflib.Graph().parse(data=response.content, format=rdflib_format)
    expected = set(load_fixture_dataset().query(CONSTRUCT).graph)
    assert set(graph) == expected


def content_type(endpoint, query: str, accept: str | None = None, **params) -> str:
    headers = {"Accept": accept} if accept is not None else {}
    response = requests.get(endpoint.sparql, params={"query": query, **params}, headers=headers)
    assert response.status_code == 200, response.text
    return response.headers["Content-Type"].split(";")[0]


def test_q_values_choose_the_preferred_acceptable_type(endpoint):
    accept = "text/csv;q=0.5, application/sparql-results+xml;q=0.9, image/png"
    assert content_type(endpoint, SELECT, accept) == "application/sparql-results+xml"
    accept = "application/rdf+xml;q=0.2, application/n-triples;q=0.8, text/csv"
    assert content_type(endpoint, CONSTRUCT, accept) == "application/n-triples"


def test_defaults_for_any_or_no_accept(endpoint):
    assert content_type(endpoint, SELECT, "*/*") == "application/sparql-results+json"
    assert content_type(endpoint, SELECT, None) == "application/sparql-results+json"
    assert content_type(endpoint, CONSTRUCT, "*/*") == "text/turtle"
    assert content_type(endpoint, "ASK { ?s ?p ?o }", "application/json") == (
        "application/sparql-results+json"
    )


@pytest.mark.parametrize(
    ("query", "name", "media_type"),
    [
        (SELECT, "json", "application/sparql-results+json"),
        (SELECT, "xml", "application/sparql-results+xml"),
        (SELECT, "csv", "text/csv"),
        (SELECT, "tsv", "text/tab-separated-values"),
        (CONSTRUCT, "turtle", "text/turtle"),
        (CONSTRUCT, "nt", "application/n-triples"),
        (CONSTRUCT, "jsonld", "application/ld+json"),
        (CONSTRUCT, "rdfxml", "application/rdf+xml"),
    ],
)
def test_format_parameter_overrides_accept(endpoint, query, name, media_type):
    assert content_type(endpoint, query, "application/sparql-results+xml, text/turtle",
                        format=name) == media_type  # fmt: skip


def test_ask_answers_a_boolean(endpoint):
    yes = requests.get(endpoint.sparql, params={"query": f"ASK {{ ?s <{NAME}> 'TWAS'@en }}"})
    no = requests.get(endpoint.sparql, params={"query": f"ASK {{ ?s <{NAME}> 'NASA'@en }}"})
    assert (yes.json()["boolean"], no.json()["boolean"]) == (True, False)
    xml = requests.get(
        endpoint.sparql,
        params={"query": f"ASK {{ ?s <{NAME}> 'TWAS'@en }}"},
        headers={"Accept": "application/sparql-results+xml"},
    )
    assert ET.fromstring(xml.content).find(SRX + "boolean").text == "true"


def test_nothing_acceptable_is_406_listing_offers(endpoint):
    response = requests.get(
        endpoint.sparql, params={"query": SELECT}, headers={"Accept": "image/png"}
    )
    assert response.status_code == 406
    for media_type, _ in SELECT_CASES:
        assert media_type in response.text
    # A format of the other kind gets its closest stand-in, an unknown one the Accept
    # header's choice (issue 14): neither is refused.
    wrong_kind = requests.get(endpoint.sparql, params={"query": CONSTRUCT, "format": "csv"})
    assert wrong_kind.status_code == 200
    assert wrong_kind.headers["Content-Type"].split(";")[0] == "application/n-triples"
    unknown = requests.get(
        endpoint.sparql,
        params={"query": SELECT, "format": "yaml"},
        headers={"Accept": "text/csv"},
    )
    assert unknown.status_code == 200
    assert unknown.headers["Content-Type"].split(";")[0] == "text/csv"


BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def test_browsers_get_a_readable_page(endpoint):
    response = requests.get(endpoint.sparql, params={"query": SELECT}, headers={"Accept": BROWSER})
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    from html.parser import HTMLParser

    cells: list[str] = []

    class Cells(HTMLParser):
        def handle_data(self, data):
            if self.get_starttag_text() and self.get_starttag_text().startswith("<td"):
                cells.append(data.strip())

    Cells().feed(response.text)
    # The page shows a language-tagged literal as text@lang.
    names = {f"{n}@{n.language}" for _, n in load_fixture_dataset().query(SELECT)}
    assert names <= set(cells)
    form = requests.get(endpoint.sparql, headers={"Accept": BROWSER})
    assert form.headers["Content-Type"].startswith("text/html")
    assert "<textarea" in form.text
