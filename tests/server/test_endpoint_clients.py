"""A SPARQL client library (SPARQLWrapper) used against the endpoint as a user would."""

from __future__ import annotations

import rdflib
from SPARQLWrapper import JSON, POST, TURTLE, XML, SPARQLWrapper
from support.oracle import load_fixture_dataset

QUERY = "SELECT ?s ?n WHERE { ?s <http://www.w3.org/2004/02/skos/core#altLabel> ?n }"
CONSTRUCT = (
    "CONSTRUCT { ?s <http://www.w3.org/2004/02/skos/core#altLabel> ?n } "
    "WHERE { ?s <http://www.w3.org/2004/02/skos/core#altLabel> ?n }"
)


def expected() -> set[tuple[str, str]]:
    return {(str(s), str(n)) for s, n in load_fixture_dataset().query(QUERY)}


def test_sparqlwrapper_select_by_get_and_post(endpoint):
    for method in (None, POST):
        client = SPARQLWrapper(endpoint.sparql)
        if method:
            client.setMethod(method)
        client.setQuery(QUERY)
        client.setReturnFormat(JSON)
        bindings = client.query().convert()["results"]["bindings"]
        assert {(b["s"]["value"], b["n"]["value"]) for b in bindings} == expected()


def test_sparqlwrapper_select_as_xml(endpoint):
    client = SPARQLWrapper(endpoint.sparql)
    client.setQuery(QUERY)
    client.setReturnFormat(XML)
    document = client.query().convert()  # a DOM document
    values = [b.getElementsByTagName("literal") for b in document.getElementsByTagName("result")]
    assert {v[0].firstChild.data for v in values} == {n for _, n in expected()}


def test_sparqlwrapper_ask_and_construct(endpoint):
    client = SPARQLWrapper(endpoint.sparql)
    client.setQuery("ASK { ?s ?p ?o }")
    client.setReturnFormat(JSON)
    assert client.query().convert()["boolean"] is True

    client = SPARQLWrapper(endpoint.sparql)
    client.setQuery(CONSTRUCT)
    client.setReturnFormat(TURTLE)
    data = client.query().convert()
    graph = rdflib.Graph().parse(data=data, format="turtle")
    assert set(graph) == set(load_fixture_dataset().query(CONSTRUCT).graph)
