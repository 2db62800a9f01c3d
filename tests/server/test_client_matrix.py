"""The client matrix: SPARQL and RDF clients nobody here wrote, against a real ``sdkg serve``.

Each cell is one test: SPARQLWrapper (every return format, content negotiation only or
with its format parameters, GET / POST / POST-direct), rdflib's ``SPARQLStore`` (every
``returnFormat`` for SELECT, ASK, CONSTRUCT, ``triples()`` and ``contexts()``),
``Graph().parse()`` of entity pages, the ontology, VoID and the dump, and a Node client
(``sparql-http-client``, installed by ``npm ci`` in ``tests/node``) for SELECT, ASK and
CONSTRUCT. The oracle is rdflib over the fixture files. docs/clients.md shows the matrix.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import warnings

import pytest
import rdflib
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic
from SPARQLWrapper import (
    CSV,
    JSON,
    JSONLD,
    N3,
    POST,
    POSTDIRECTLY,
    RDFXML,
    TSV,
    TURTLE,
    URLENCODED,
    XML,
    SPARQLWrapper,
)
from support import TESTS
from support.oracle import load_fixture_dataset
from support.servers import ENDPOINT_DATA

ALT = "http://www.w3.org/2004/02/skos/core#altLabel"
SELECT = f"SELECT ?s ?name WHERE {{ ?s <{ALT}> ?name }}"
ASK_YES = f"ASK {{ ?s <{ALT}> 'TWAS'@en }}"
CONSTRUCT = f"CONSTRUCT {{ ?s <{ALT}> ?name }} WHERE {{ ?s <{ALT}> ?name }}"
NODE_DIR = TESTS / "node"


@pytest.fixture(scope="module")
def server(start_server):
    """One server on the endpoint fixture data, for every client."""
    return start_server("--memory", "--data", str(ENDPOINT_DATA))


def expected_rows() -> set[tuple[str, str]]:
    return {(str(s), str(n)) for s, n in load_fixture_dataset().query(SELECT)}


def expected_graph() -> Graph:
    graph = Graph()
    for triple in load_fixture_dataset().query(CONSTRUCT).graph:
        graph.add(triple)
    return graph


# --------------------------------------------------------------------------- SPARQLWrapper

METHODS = {"GET": (None, None), "POST": (POST, URLENCODED), "POST-direct": (POST, POSTDIRECTLY)}


def wrapper(server, query: str, return_format: str, method: str, only_conneg: bool):
    client = SPARQLWrapper(server.sparql)
    client.setQuery(query)
    client.setReturnFormat(return_format)
    client.setOnlyConneg(only_conneg)
    http_method, request_method = METHODS[method]
    if http_method:
        client.setMethod(http_method)
        client.setRequestMethod(request_method)
    with warnings.catch_warnings():
        # SPARQLWrapper warns when the answer is not in the format it asked for.
        warnings.simplefilter("error", RuntimeWarning)
        return client.query().convert()


def rows_of(converted, return_format: str) -> set[tuple[str, str]]:
    if return_format == JSON:
        return {(b["s"]["value"], b["name"]["value"]) for b in converted["results"]["bindings"]}
    if return_format == XML:
        found = set()
        for result in converted.getElementsByTagName("result"):
            values = {
                b.getAttribute("name"): b.firstChild.firstChild.data
                for b in result.getElementsByTagName("binding")
            }
            found.add((values["s"], values["name"]))
        return found
    text = converted.decode("utf-8")
    if return_format == CSV:
        return {(r["s"], r["name"]) for r in csv.DictReader(io.StringIO(text))}
    lines = text.splitlines()
    assert lines[0].split("\t") == ["?s", "?name"]
    return {
        (s.strip("<>"), rdflib.util.from_n3(n).toPython())
        for s, n in (line.split("\t") for line in lines[1:])
    }


CONNEG = {"conneg-only": True, "with-format-params": False}


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("conneg", CONNEG)
@pytest.mark.parametrize("return_format", [JSON, XML, CSV, TSV])
def test_sparqlwrapper_select(server, return_format, conneg, method):
    converted = wrapper(server, SELECT, return_format, method, CONNEG[conneg])
    assert rows_of(converted, return_format) == expected_rows()


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("conneg", CONNEG)
@pytest.mark.parametrize("return_format", [JSON, XML])
def test_sparqlwrapper_ask(server, return_format, conneg, method):
    converted = wrapper(server, ASK_YES, return_format, method, CONNEG[conneg])
    if return_format == JSON:
        assert converted["boolean"] is True
    else:
        assert converted.getElementsByTagName("boolean")[0].firstChild.data == "true"


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("conneg", CONNEG)
@pytest.mark.parametrize("return_format", [TURTLE, N3, RDFXML, XML, JSONLD])
def test_sparqlwrapper_construct(server, return_format, conneg, method):
    converted = wrapper(server, CONSTRUCT, return_format, method, CONNEG[conneg])
    if isinstance(converted, bytes):  # Turtle and N3 come back as text
        converted = Graph().parse(data=converted, format="turtle")
    assert isomorphic(converted, expected_graph())


# --------------------------------------------------------------------------- rdflib SPARQLStore

RETURN_FORMATS = ["xml", "json", "csv", "tsv"]


def store_graph(server, return_format: str) -> rdflib.ConjunctiveGraph:
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    store = SPARQLStore(server.sparql, returnFormat=return_format)
    return rdflib.Dataset(store=store, default_union=True)


@pytest.mark.parametrize("return_format", RETURN_FORMATS)
def test_sparqlstore_select(server, return_format):
    rows = store_graph(server, return_format).query(SELECT)
    assert {(str(s), str(n)) for s, n in rows} == expected_rows()


@pytest.mark.parametrize("return_format", RETURN_FORMATS)
def test_sparqlstore_ask(server, return_format):
    assert store_graph(server, return_format).query(ASK_YES).askAnswer is True


@pytest.mark.parametrize("return_format", RETURN_FORMATS)
def test_sparqlstore_construct(server, return_format):
    # rdflib asks for a graph with only result formats in Accept (json: SPARQL JSON):
    # the endpoint answers in the closest graph format and says so in Content-Type.
    result = store_graph(server, return_format).query(CONSTRUCT)
    assert isomorphic(result.graph, expected_graph())


@pytest.mark.parametrize("return_format", RETURN_FORMATS)
def test_sparqlstore_triples(server, return_format):
    found = {(str(s), str(o)) for s, _, o in store_graph(server, return_format).triples(
        (None, URIRef(ALT), None))}  # fmt: skip
    assert found == expected_rows()


@pytest.mark.parametrize("return_format", RETURN_FORMATS)
def test_sparqlstore_contexts(server, return_format):
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    found = {str(g) for g in SPARQLStore(server.sparql, returnFormat=return_format).contexts()}
    expected = {str(g.identifier) for g in load_fixture_dataset().graphs() if len(g)}
    assert found == expected


# --------------------------------------------------------------------------- Graph().parse()


@pytest.mark.parametrize("path", ["id/cas", "id/cas.ttl", "id/cas.jsonld", "id/cas.nt",
                                  "id/cas.rdf"])  # fmt: skip
def test_rdflib_parses_an_entity_page(server, path):
    graph = Graph().parse(server.base + path)
    cas = URIRef("https://w3id.org/sdkg/id/cas")
    expected = {(p, o) for _, p, o in load_fixture_dataset().triples((cas, None, None))}
    assert {(p, o) for _, p, o in graph.triples((cas, None, None))} == expected


def test_rdflib_parses_the_ontology(server):
    from sdkg.resources import ontology_file

    graph = Graph().parse(server.base + "ontology")
    assert isomorphic(graph, Graph().parse(ontology_file()))


def test_rdflib_parses_void(server):
    graph = Graph().parse(server.base + ".well-known/void")
    void = rdflib.Namespace("http://rdfs.org/ns/void#")
    assert (None, void.sparqlEndpoint, URIRef(server.sparql)) in graph
    assert (None, void.dataDump, URIRef(server.base + "dump")) in graph


def test_rdflib_parses_the_dump(server):
    dataset = rdflib.Dataset()
    dataset.parse(server.base + "dump")
    found = {(str(g.identifier), len(g)) for g in dataset.graphs() if len(g)}
    expected = {(str(g.identifier), len(g)) for g in load_fixture_dataset().graphs() if len(g)}
    assert found == expected


# --------------------------------------------------------------------------- Node


def node_client(server, form: str, operation: str, query: str):
    if not (NODE_DIR / "node_modules" / "sparql-http-client").is_dir():
        reason = "tests/node/node_modules is missing: run `npm ci` in tests/node (.ci/run does)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    node = shutil.which("node")
    assert node, "node is not installed"
    done = subprocess.run(
        [node, "client.mjs", server.sparql, form, operation, query],
        cwd=NODE_DIR, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


OPERATIONS = ["get", "postUrlencoded", "postDirect"]


@pytest.mark.parametrize("operation", OPERATIONS)
def test_node_select(server, operation):
    rows = node_client(server, "select", operation, SELECT)
    assert {(r["s"]["value"], r["name"]["value"]) for r in rows} == expected_rows()
    assert {r["name"]["language"] for r in rows} == {"en"}


@pytest.mark.parametrize("operation", OPERATIONS)
def test_node_ask(server, operation):
    assert node_client(server, "ask", operation, ASK_YES) is True


@pytest.mark.parametrize("operation", OPERATIONS)
def test_node_construct(server, operation):
    triples = node_client(server, "construct", operation, CONSTRUCT)
    found = {(s["value"], p["value"], o["value"]) for s, p, o in triples}
    assert found == {(str(s), str(p), str(o)) for s, p, o in expected_graph()}
