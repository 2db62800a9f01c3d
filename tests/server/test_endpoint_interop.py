"""Protocol corners real clients reach (issue 14), through a real server on loopback.

Media-type parameters, the ``format`` values clients send, formats of the other kind,
HEAD, CORS, relative IRIs, a bare GET versus one without a query, the body's charset, and
JSON-LD shapes. The oracle is rdflib over the fixture files (``load_fixture_dataset``).
"""

from __future__ import annotations

import io
import json

import pytest
import rdflib
import requests
from rdflib.compare import isomorphic
from support.oracle import load_fixture_dataset

NAME = "http://www.w3.org/2004/02/skos/core#altLabel"
SELECT = f"SELECT ?s ?name WHERE {{ ?s <{NAME}> ?name }} ORDER BY ?s ?name"
CONSTRUCT = f"CONSTRUCT {{ ?s <{NAME}> ?name }} WHERE {{ ?s <{NAME}> ?name }}"
JSONLD = "http://www.w3.org/ns/json-ld#"


def expected_graph() -> rdflib.Graph:
    graph = rdflib.Graph()
    for triple in load_fixture_dataset().query(CONSTRUCT).graph:
        graph.add(triple)
    return graph


def expected_rows() -> set[tuple[str, str]]:
    return {(str(s), str(n)) for s, n in load_fixture_dataset().query(SELECT)}


def get(endpoint, query: str, accept: str | None = None, **params) -> requests.Response:
    headers = {"Accept": accept} if accept is not None else {}
    return requests.get(endpoint.sparql, params={"query": query, **params}, headers=headers)


def media_type(response: requests.Response) -> str:
    return response.headers["Content-Type"].split(";")[0].strip()


# --------------------------------------------------------------------------- parameters


@pytest.mark.parametrize(
    ("query", "accept", "expected"),
    [
        (CONSTRUCT, "text/turtle; charset=utf-8", "text/turtle"),
        (SELECT, "application/sparql-results+json; charset=utf-8",
         "application/sparql-results+json"),
        (SELECT, "text/csv; charset=utf-8; header=present", "text/csv"),
        (CONSTRUCT, f'application/ld+json; profile="{JSONLD}compacted"', "application/ld+json"),
        (CONSTRUCT, "application/n-triples; charset=iso-8859-1", "application/n-triples"),
    ],
)  # fmt: skip
def test_media_type_parameters_are_never_a_406(endpoint, query, accept, expected):
    response = get(endpoint, query, accept)
    assert response.status_code == 200, response.text
    assert media_type(response) == expected


def test_csv_header_parameter_is_understood(endpoint):
    present = get(endpoint, SELECT, "text/csv; header=present")
    absent = get(endpoint, SELECT, "text/csv; header=absent")
    assert present.text.splitlines()[0] == "s,name"
    assert "header=present" in present.headers["Content-Type"]
    assert "header=absent" in absent.headers["Content-Type"]
    assert absent.text.splitlines() == present.text.splitlines()[1:]
    assert len(absent.text.splitlines()) == len(expected_rows())


def test_jsonld_profile_chooses_compacted_or_expanded(endpoint):
    compacted = get(endpoint, CONSTRUCT, f'application/ld+json; profile="{JSONLD}compacted"')
    document = compacted.json()
    assert document["@context"]["skos"] == "http://www.w3.org/2004/02/skos/core#"
    assert f'profile="{JSONLD}compacted"' in compacted.headers["Content-Type"]
    expanded = get(endpoint, CONSTRUCT, f'application/ld+json; profile="{JSONLD}expanded"')
    assert isinstance(expanded.json(), list)
    assert f'profile="{JSONLD}expanded"' in expanded.headers["Content-Type"]
    for response in (compacted, expanded):
        graph = rdflib.Graph().parse(data=response.content, format="json-ld")
        assert isomorphic(graph, expected_graph())


# --------------------------------------------------------------------------- format= values


@pytest.mark.parametrize(
    ("query", "values", "accept", "expected"),
    [
        # SPARQLWrapper's default mode: format=, output=, results= beside a correct Accept.
        (CONSTRUCT, ["rdf+xml", "application/rdf+xml"], "application/rdf+xml",
         "application/rdf+xml"),
        (CONSTRUCT, ["n3"], "application/turtle,text/turtle,text/rdf+n3", "text/turtle"),
        (CONSTRUCT, ["rdf"], "application/rdf+xml", "application/rdf+xml"),
        (CONSTRUCT, ["json-ld", "application/ld+json"], "application/ld+json",
         "application/ld+json"),
        (SELECT, ["tsv", "text/tab-separated-values"], "text/tab-separated-values",
         "text/tab-separated-values"),
        # Virtuoso's and Fuseki's names
        (SELECT, ["application/sparql-results+json"], None, "application/sparql-results+json"),
        (CONSTRUCT, ["ttl"], None, "text/turtle"),
        # unknown: the Accept header decides
        (SELECT, ["yaml"], "application/sparql-results+xml", "application/sparql-results+xml"),
    ],
)  # fmt: skip
def test_format_values_of_common_clients(endpoint, query, values, accept, expected):
    params = [("query", query)] + [(key, v) for v in values for key in ("format", "output")]
    headers = {"Accept": accept} if accept else {}
    response = requests.get(endpoint.sparql, params=params, headers=headers)
    assert response.status_code == 200, response.text
    assert media_type(response) == expected


# --------------------------------------------------------------------------- other kind


@pytest.mark.parametrize(
    ("accept", "expected", "rdflib_format"),
    [
        ("application/sparql-results+json", "application/ld+json", "json-ld"),
        ("application/sparql-results+xml", "application/rdf+xml", "xml"),
    ],
)
def test_graph_query_accepting_only_result_formats(endpoint, accept, expected, rdflib_format):
    response = get(endpoint, CONSTRUCT, accept)
    assert response.status_code == 200
    assert media_type(response) == expected
    graph = rdflib.Graph().parse(data=response.content, format=rdflib_format)
    assert isomorphic(graph, expected_graph())


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("application/ld+json", "application/sparql-results+json"),
        ("application/rdf+xml", "application/sparql-results+xml"),
        ("text/turtle", "text/tab-separated-values"),
    ],
)
def test_select_accepting_only_graph_formats(endpoint, accept, expected):
    response = get(endpoint, SELECT, accept)
    assert response.status_code == 200
    assert media_type(response) == expected
    result = rdflib.query.Result.parse(io.BytesIO(response.content), content_type=expected)
    assert {(str(r[0]), str(r[1])) for r in result} == expected_rows()


# --------------------------------------------------------------------------- HEAD, CORS


READ_ONLY = ["sparql", f"sparql?query={requests.utils.quote(SELECT)}", ".well-known/void",
             "dump", "healthz"]  # fmt: skip


@pytest.mark.parametrize("path", READ_ONLY)
def test_head_answers_like_get_without_a_body(endpoint, path):
    got = requests.get(endpoint.base + path, headers={"Accept": "*/*"})
    head = requests.head(endpoint.base + path, headers={"Accept": "*/*"})
    assert (head.status_code, got.status_code) == (200, 200)
    assert head.headers["Content-Type"] == got.headers["Content-Type"]
    assert head.content == b""


@pytest.mark.parametrize("path", [*READ_ONLY, "dump.nq.gz"])
def test_cors_on_every_read_only_resource(endpoint, path):
    origin = {"Origin": "https://example.org"}
    response = requests.get(endpoint.base + path, headers=origin)
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    preflight = requests.options(
        endpoint.base + path,
        headers={**origin, "Access-Control-Request-Method": "GET",
                 "Access-Control-Request-Headers": "accept"},
    )  # fmt: skip
    assert preflight.status_code in (200, 204)
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in preflight.headers["Access-Control-Allow-Methods"]


def test_write_resources_are_not_opened_to_other_origins(endpoint):
    response = requests.get(endpoint.base + "contributions", headers={"Origin": "https://x.org"})
    assert "Access-Control-Allow-Origin" not in response.headers


# --------------------------------------------------------------------------- protocol corners


def test_relative_iris_resolve_against_the_entity_namespace(endpoint):
    response = get(endpoint, "CONSTRUCT { <s> <p> 1 } WHERE {}", "application/n-triples")
    assert response.status_code == 200, response.text
    graph = rdflib.Graph().parse(data=response.content, format="nt")
    base = "https://w3id.org/sdkg/id/"
    assert set(graph) == {(rdflib.URIRef(base + "s"), rdflib.URIRef(base + "p"), rdflib.Literal(1))}
    own_base = get(endpoint, "BASE <http://example.org/> SELECT (<x> AS ?x) {}")
    assert own_base.status_code == 200, own_base.text
    assert own_base.json()["results"]["bindings"][0]["x"]["value"] == "http://example.org/x"


def test_get_with_parameters_but_no_query_is_400(endpoint):
    graph_only = requests.get(
        endpoint.sparql, params={"default-graph-uri": "https://w3id.org/sdkg/graph/organizations"}
    )
    assert graph_only.status_code == 400
    assert "query" in graph_only.text
    assert requests.get(endpoint.sparql, params={"querry": "ASK {}"}).status_code == 400
    bare = requests.get(endpoint.sparql, headers={"Accept": "text/turtle"})
    assert bare.status_code == 200 and media_type(bare) == "text/turtle"
    described = requests.get(endpoint.sparql, params={"format": "nt"})
    assert described.status_code == 200 and media_type(described) == "application/n-triples"


def test_a_body_in_another_charset_than_utf8_is_415(endpoint):
    response = requests.post(
        endpoint.sparql,
        data="ASK {}".encode("utf-16"),
        headers={"Content-Type": "application/sparql-query; charset=UTF-16"},
    )
    assert response.status_code == 415
    assert "UTF-8" in response.text
    utf8 = requests.post(
        endpoint.sparql,
        data=b"ASK {}",
        headers={"Content-Type": "application/sparql-query; charset=UTF-8"},
    )
    assert utf8.status_code == 200


# --------------------------------------------------------------------------- entity pages


@pytest.fixture(scope="module")
def bundled(start_server):
    """A server on the bundled data (entities, ontology)."""
    return start_server("--memory")


def test_entity_jsonld_is_compacted_with_the_project_prefixes(bundled):
    turtle = requests.get(bundled.base + "id/cas", headers={"Accept": "text/turtle"})
    expected = rdflib.Graph().parse(data=turtle.content, format="turtle")
    compacted = requests.get(bundled.base + "id/cas", headers={"Accept": "application/ld+json"})
    document = compacted.json()
    assert document["@context"]["sdkg"] == "https://w3id.org/sdkg/ontology#"
    assert document["@context"]["id"] == "https://w3id.org/sdkg/id/"
    assert f'profile="{JSONLD}compacted"' in compacted.headers["Content-Type"]
    text = json.dumps(document)
    assert "https://w3id.org/sdkg/ontology#" not in text.replace('"sdkg": "https://w3id', "")
    expanded = requests.get(
        bundled.base + "id/cas",
        headers={"Accept": f'application/ld+json;profile="{JSONLD}expanded"'},
    )
    assert isinstance(expanded.json(), list) and "@context" not in expanded.text
    for response in (compacted, expanded):
        graph = rdflib.Graph().parse(data=response.content, format="json-ld")
        assert isomorphic(graph, expected)


def test_ontology_jsonld_is_compacted(bundled):
    from sdkg.resources import ontology_file

    response = requests.get(bundled.base + "ontology", headers={"Accept": "application/ld+json"})
    document = response.json()
    assert document["@context"]["owl"] == "http://www.w3.org/2002/07/owl#"
    graph = rdflib.Graph().parse(data=response.content, format="json-ld")
    assert isomorphic(graph, rdflib.Graph().parse(ontology_file()))


@pytest.mark.parametrize("path", ["id/cas", "ontology", "search?q=academy"])
def test_pages_answer_head_and_cors(bundled, path):
    head = requests.head(bundled.base + path, headers={"Origin": "https://example.org"})
    assert head.status_code == 200 and head.content == b""
    assert head.headers["Access-Control-Allow-Origin"] == "*"
