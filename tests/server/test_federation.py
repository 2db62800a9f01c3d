"""Federated queries: SERVICE reaches allow-listed endpoints only.

Stand-ins for Wikidata and DBpedia are real ``sdkg serve`` processes on 127.0.0.1
serving fixture data shaped like theirs; the federated example queries of
``queries/federated/`` run against them with the SERVICE IRI pointed there.
"""

from __future__ import annotations

import socket

import pytest
import rdflib
import requests
from support import TESTS
from support.oracle import load_curated_graph

from sdkg.config import DEFAULT_ALLOWED_SERVICES
from sdkg.resources import bundled_path

FIXTURES = TESTS / "fixtures"
FEDERATED = bundled_path("queries") / "federated"
JSON = {"Accept": "application/sparql-results+json"}


@pytest.fixture(scope="module")
def wikidata_like(start_server):
    return start_server("--memory", "--data", str(FIXTURES / "wikidata-like"))


@pytest.fixture(scope="module")
def dbpedia_like(start_server):
    return start_server("--memory", "--data", str(FIXTURES / "dbpedia-like"))


@pytest.fixture(scope="module")
def federating(start_server, wikidata_like, dbpedia_like):
    """Our bundled graph, allowed to call the two stand-ins and nothing else."""
    return start_server(
        "--memory", "--allow-service", wikidata_like.sparql, "--allow-service", dbpedia_like.sparql
    )


def select(server, query: str) -> requests.Response:
    return requests.post(server.sparql, data={"query": query}, headers=JSON)


def values(response: requests.Response, *names: str) -> list[tuple[str, ...]]:
    assert response.status_code == 200, response.text
    bindings = response.json()["results"]["bindings"]
    return [tuple(b[name]["value"] for name in names) for b in bindings]


def test_partners_with_wikidata_countries_through_an_allowed_service(federating, wikidata_like):
    query = (FEDERATED / "partners-wikidata-countries.rq").read_text()
    query = query.replace("https://query.wikidata.org/sparql", wikidata_like.sparql)
    found = values(select(federating, query), "partnerLabel", "countryLabel", "coordinates")

    # The oracle: rdflib over our data's links joined with the stand-in's fixture file.
    ours = load_curated_graph()
    wikidata = rdflib.Graph().parse(FIXTURES / "wikidata-like" / "entities.ttl")
    ustc = rdflib.URIRef("https://w3id.org/sdkg/id/ustc")
    partner_of = rdflib.URIRef("https://w3id.org/sdkg/ontology#jointResearchPartner")
    p17 = rdflib.URIRef("http://www.wikidata.org/prop/direct/P17")
    p625 = rdflib.URIRef("http://www.wikidata.org/prop/direct/P625")
    expected = []
    for partner in ours.objects(ustc, partner_of):
        for item in ours.objects(partner, rdflib.OWL.sameAs):
            for country in wikidata.objects(item, p17):
                for coordinates in wikidata.objects(item, p625):
                    label = wikidata.value(country, rdflib.RDFS.label)
                    expected.append((str(ours.value(partner, rdflib.RDFS.label)), str(label),
                                     str(coordinates)))  # fmt: skip
    assert len(expected) == 3  # CERN, Oxford, MIT are in the stand-in
    assert found == sorted(expected)


def test_dbpedia_abstracts_through_an_allowed_service(federating, dbpedia_like):
    query = (FEDERATED / "organizations-dbpedia-abstracts.rq").read_text()
    query = query.replace("https://dbpedia.org/sparql", dbpedia_like.sparql)
    found = values(select(federating, query), "resource", "abstract")
    assert found == [
        ("http://dbpedia.org/resource/Chinese_Academy_of_Sciences", "Stand-in abstract of CAS."),
        ("http://dbpedia.org/resource/The_World_Academy_of_Sciences", "Stand-in abstract of TWAS."),
    ]


def listening_socket() -> socket.socket:
    """A loopback TCP port that records whether anybody connected."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.5)
    return listener


def connections_received(listener: socket.socket) -> int:
    count = 0
    while True:
        try:
            connection, _ = listener.accept()
        except TimeoutError:
            return count
        connection.close()
        count += 1


def test_service_outside_the_allow_list_is_refused_before_any_connection(federating):
    listener = listening_socket()
    port = listener.getsockname()[1]
    try:
        for target in (f"http://127.0.0.1:{port}/sparql", f"http://localhost:{port}/sparql"):
            query = f"SELECT * WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}"
            response = select(federating, query)
            assert response.status_code == 403
            assert f"SERVICE <{target}> is not allowed" in response.text
            assert "allow-listed" in response.text
        silent = f"SELECT * WHERE {{ SERVICE SILENT <http://127.0.0.1:{port}/> {{ ?s ?p ?o }} }}"
        assert select(federating, silent).status_code == 403
        assert connections_received(listener) == 0
    finally:
        listener.close()


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { BIND(<http://127.0.0.1:9/> AS ?e) SERVICE ?e { ?s ?p ?o } }",
        "PREFIX x: <http://127.0.0.1:9/> SELECT * WHERE { SERVICE x:sparql { ?s ?p ?o } }",
    ],
)
def test_service_by_variable_or_prefixed_name_is_refused(federating, query):
    response = select(federating, query)
    assert response.status_code == 403
    assert "full IRI" in response.text


def test_default_allow_list_is_wikidata_and_dbpedia(start_server):
    server = start_server("--memory")
    response = select(server, "SELECT * WHERE { SERVICE <http://169.254.169.254/> { ?s ?p ?o } }")
    assert response.status_code == 403
    for endpoint in DEFAULT_ALLOWED_SERVICES:
        assert f"<{endpoint}>" in response.text
    assert set(DEFAULT_ALLOWED_SERVICES) == {
        "https://query.wikidata.org/sparql",
        "https://dbpedia.org/sparql",
    }


def test_allow_service_none_turns_federation_off(start_server, wikidata_like):
    server = start_server("--memory", "--allow-service", "none")
    query = f"SELECT * WHERE {{ SERVICE <{wikidata_like.sparql}> {{ ?s ?p ?o }} }}"
    response = select(server, query)
    assert response.status_code == 403
    assert "federation is turned off" in response.text


def test_environment_variable_sets_the_allow_list(start_server, wikidata_like):
    server = start_server("--memory", env={"SDKG_ALLOW_SERVICE": wikidata_like.sparql})
    query = (
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> SELECT ?l WHERE { "
        f"SERVICE <{wikidata_like.sparql}> "
        "{ <http://www.wikidata.org/entity/Q39> rdfs:label ?l } }"
    )
    assert values(select(server, query), "l") == [("Switzerland",)]


def test_a_bad_allow_service_value_is_a_usage_error(start_server):
    server = start_server("--memory", "--allow-service", "file:///etc/passwd", wait=False)
    assert server.process.wait(timeout=30) == 2
    assert "not an http(s) endpoint IRI" in server.log_text()


def test_an_allowed_service_that_fails_is_a_502_naming_it(start_server):
    # An allow-listed endpoint whose port nobody listens on: the call is made and refused.
    closed = listening_socket()
    port = closed.getsockname()[1]
    closed.close()
    target = f"http://127.0.0.1:{port}/sparql"
    server = start_server("--memory", "--allow-service", target)
    response = select(server, f"SELECT * WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}")
    assert response.status_code == 502
    assert "SERVICE endpoint failed" in response.text
    assert server.health()["status"] == "ok"


def test_answers_through_a_service_are_never_kept(federating, wikidata_like):
    """Another endpoint's data changes on its own: such answers are computed each time."""
    query = (FEDERATED / "partners-wikidata-countries.rq").read_text()
    query = query.replace("https://query.wikidata.org/sparql", wikidata_like.sparql)
    for _ in range(2):
        response = select(federating, query)
        assert response.status_code == 200, response.text
        assert response.headers["Cache-Status"] == "sdkg; fwd=bypass"
