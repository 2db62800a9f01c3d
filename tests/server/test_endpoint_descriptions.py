"""Service description, VoID, dump, CORS and /healthz."""

from __future__ import annotations

from collections import Counter
from urllib.parse import urlparse

import pytest
import rdflib
import requests
from rdflib import RDF, URIRef
from rdflib.namespace import DCTERMS, OWL, SKOS
from support.oracle import assert_same_graphs, dump_graphs, graphs_by_name, load_fixture_dataset

SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
FORMATS = rdflib.Namespace("http://www.w3.org/ns/formats/")


def count(endpoint, where: str) -> int:
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}"
    response = requests.get(endpoint.sparql, params={"query": query})
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


@pytest.mark.parametrize(
    ("accept", "fmt"), [("text/turtle", "turtle"), ("application/ld+json", "json-ld")]
)
def test_service_description_parses_and_describes_the_endpoint(endpoint, accept, fmt):
    response = requests.get(endpoint.sparql, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith(accept)
    graph = rdflib.Graph().parse(data=response.content, format=fmt)
    service = URIRef(endpoint.sparql)
    assert (service, RDF.type, SD.Service) in graph
    assert (service, SD.endpoint, service) in graph
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in graph
    assert (service, SD.feature, SD.UnionDefaultGraph) in graph
    formats = set(graph.objects(service, SD.resultFormat))
    assert {FORMATS.SPARQL_Results_JSON, FORMATS.SPARQL_Results_XML, FORMATS.SPARQL_Results_CSV,
            FORMATS.SPARQL_Results_TSV, FORMATS.Turtle, FORMATS["N-Triples"], FORMATS["JSON-LD"],
            FORMATS.RDF_XML} <= formats  # fmt: skip
    dataset = graph.value(service, SD.defaultDataset)
    named = {str(graph.value(n, SD.name)) for n in graph.objects(dataset, SD.namedGraph)}
    assert named == {str(g.identifier) for g in load_fixture_dataset().graphs() if len(g)}


def test_void_counts_partitions_and_linksets(endpoint):
    response = requests.get(endpoint.base + ".well-known/void", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    void = rdflib.Graph().parse(data=response.content, format="turtle")
    dataset = next(void.subjects(VOID.sparqlEndpoint, None))
    assert void.value(dataset, VOID.sparqlEndpoint) == URIRef(endpoint.sparql)
    assert void.value(dataset, VOID.dataDump) == URIRef(endpoint.base + "dump")
    assert int(void.value(dataset, VOID.triples)) == count(endpoint, "?s ?p ?o")
    assert void.value(dataset, DCTERMS.license) == URIRef(
        "https://creativecommons.org/licenses/by/4.0/"
    )
    examples = set(void.objects(dataset, VOID.exampleResource))
    assert examples and all(str(e).startswith("https://w3id.org/sdkg/id/") for e in examples)

    fixture = load_fixture_dataset()
    classes = {
        void.value(p, VOID["class"]): int(void.value(p, VOID.entities))
        for p in void.objects(dataset, VOID.classPartition)
    }
    expected_classes = Counter(o for _, o in fixture.subject_objects(RDF.type))
    assert classes == dict(expected_classes)
    properties = {
        void.value(p, VOID.property): int(void.value(p, VOID.triples))
        for p in void.objects(dataset, VOID.propertyPartition)
    }
    assert properties == dict(Counter(p for _, p, _ in fixture.triples((None, None, None))))

    linksets = {}
    for linkset in void.subjects(RDF.type, VOID.Linkset):
        target = void.value(linkset, VOID.objectsTarget)
        host = urlparse(str(void.value(target, rdflib.FOAF.homepage))).hostname
        key = (host, void.value(linkset, VOID.linkPredicate))
        linksets[key] = int(void.value(linkset, VOID.triples))
    expected = Counter(
        (urlparse(str(o)).hostname, p)
        for p in (OWL.sameAs, SKOS.exactMatch, SKOS.closeMatch)
        for _, o in fixture.subject_objects(p)
    )
    assert linksets == dict(expected)
    assert {"www.wikidata.org", "ror.org", "dbpedia.org"} <= {host for host, _ in linksets}


def test_void_as_json_ld_is_the_same_graph_as_turtle(endpoint):
    from rdflib.compare import isomorphic

    url = endpoint.base + ".well-known/void"
    jsonld = requests.get(url, headers={"Accept": "application/ld+json"})
    turtle = requests.get(url, headers={"Accept": "text/turtle"})
    assert jsonld.headers["Content-Type"].startswith("application/ld+json")
    graph = rdflib.Graph().parse(data=jsonld.content, format="json-ld")
    assert len(graph) > 0
    assert isomorphic(graph, rdflib.Graph().parse(data=turtle.content, format="turtle"))


def test_dump_is_the_whole_dataset_in_gzip_nquads_or_trig(endpoint):
    # The gzip files, to download.
    nq = requests.get(endpoint.base + "dump.nq.gz")
    assert nq.status_code == 200
    assert nq.headers["Content-Type"] == "application/gzip"
    assert "sdkg.nq.gz" in nq.headers["Content-Disposition"]
    expected = graphs_by_name(load_fixture_dataset())
    assert_same_graphs(dump_graphs(nq.content, "nquads"), expected)
    trig = requests.get(endpoint.base + "dump.trig.gz")
    assert "sdkg.trig.gz" in trig.headers["Content-Disposition"]
    assert_same_graphs(dump_graphs(trig.content, "trig"), expected)


@pytest.mark.parametrize(
    ("params", "headers", "media_type", "rdflib_format"),
    [
        ({}, {}, "application/n-quads", "nquads"),
        ({"format": "trig"}, {}, "application/trig", "trig"),
        ({}, {"Accept": "application/trig"}, "application/trig", "trig"),
        ({"format": "yaml"}, {"Accept": "application/n-quads"}, "application/n-quads", "nquads"),
    ],
)
def test_dump_is_rdf_gzip_encoded_for_clients_that_take_it(
    endpoint, params, headers, media_type, rdflib_format
):
    expected = graphs_by_name(load_fixture_dataset())
    for encoding in ("gzip", "identity"):
        response = requests.get(
            endpoint.base + "dump", params=params, headers={**headers, "Accept-Encoding": encoding}
        )
        assert response.status_code == 200
        assert response.headers["Content-Type"] == media_type
        assert response.headers.get("Content-Encoding") == ("gzip" if encoding == "gzip" else None)
        assert "Accept-Encoding" in response.headers["Vary"]
        dataset = rdflib.Dataset()
        dataset.parse(data=response.content, format=rdflib_format)  # requests decoded it
        assert_same_graphs(graphs_by_name(dataset), expected)


def test_rdflib_loads_the_dump_by_its_url(endpoint):
    # rdflib sends no Accept-Encoding and reads the format from the Content-Type.
    dataset = rdflib.Dataset()
    dataset.parse(endpoint.base + "dump")
    assert_same_graphs(graphs_by_name(dataset), graphs_by_name(load_fixture_dataset()))


def test_dump_in_a_format_with_no_dataset_form_is_406(endpoint):
    response = requests.get(endpoint.base + "dump", headers={"Accept": "text/csv"})
    assert response.status_code == 406
    assert "application/n-quads" in response.text


@pytest.mark.parametrize(
    "path", ["sparql?query=ASK%7B%7D", ".well-known/void", "sparql", "healthz"]
)
def test_cors_allows_any_origin(endpoint, path):
    response = requests.get(endpoint.base + path, headers={"Origin": "https://example.org"})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_cors_preflight(endpoint):
    response = requests.options(
        endpoint.sparql,
        headers={
            "Origin": "https://example.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert response.status_code in (200, 204)
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    assert "content-type" in response.headers["Access-Control-Allow-Headers"].lower()


def test_healthz_reports_the_store(endpoint):
    health = endpoint.health()
    assert health["status"] == "ok" and health["ready"] is True
    expected_store = {"oxigraph": "oxigraph-memory", "virtuoso": "remote"}[endpoint.backend]
    assert health["store"] == expected_store and health["warming"] is False
    assert health["triples"] == count(endpoint, "GRAPH ?g { ?s ?p ?o }")
    assert health["graphs"] == len([g for g in load_fixture_dataset().graphs() if len(g)])
