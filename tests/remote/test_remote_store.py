"""What only a remote store has: credentials, outages, several hosts, store dialects.

Everything else (the protocol, negotiation, descriptions, limits, file sync) runs on
both backends through the ``endpoint`` fixture and the ``backend`` parameter.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess

import pyoxigraph as ox
import pytest
import requests
from rdflib import RDFS, URIRef
from support.oracle import (
    GRAPH,
    assert_same_graphs,
    dump_graphs,
    graphs_by_name,
    load_fixture_dataset,
)
from support.remote import LABEL, LABELS, SDKG, labels
from support.servers import ENDPOINT_DATA, start_on
from support.store_proxy import StoreProxy

from sdkg.config import Settings
from sdkg.remote_store import RemoteStore, chunk_triples
from sdkg.resources import bundled_path


def remote_settings(virtuoso, **changes) -> Settings:
    environ = {**virtuoso.sdkg_env(), "SDKG_STORE_URL": virtuoso.query_url,
               "SDKG_STORE_GRAPH_URL": virtuoso.graph_url}  # fmt: skip
    return Settings.load(changes, environ=environ)


def test_wrong_password_stops_the_start_with_a_clear_message(start_server, store_args):
    server = start_on(start_server, store_args, "virtuoso", "scratch", "--data",
                      str(ENDPOINT_DATA), env={"SDKG_STORE_PASSWORD": "wrong"},
                      wait=False)  # fmt: skip
    assert server.process.wait(30) != 0
    log = server.log_text()
    assert "refused sdkg (HTTP 401)" in log and "SDKG_STORE_PASSWORD" in log
    assert "Traceback" not in log


def test_unreachable_store_stops_the_start_with_a_clear_message(start_server):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/sparql"
    server = start_server("--store-url", url, wait=False)
    assert server.process.wait(30) != 0
    log = server.log_text()
    assert f"the SPARQL store at {url} cannot be reached" in log
    assert "Traceback" not in log


def test_store_outage_is_a_503_and_service_resumes_after(start_server, virtuoso_stores):
    virtuoso = virtuoso_stores("outage")
    server = start_server(*virtuoso.sdkg_args(), "--data", str(ENDPOINT_DATA),
                          env=virtuoso.sdkg_env())  # fmt: skip
    before = labels(server)
    virtuoso.stop()
    try:
        response = requests.post(server.sparql, data={"query": LABELS}, timeout=30)
        assert response.status_code == 503
        assert response.headers["Retry-After"] == "5"
        assert "cannot be reached" in response.text and "Traceback" not in response.text
        assert requests.get(server.base + "healthz", timeout=30).status_code == 503
    finally:
        virtuoso.start_again()
    assert labels(server) == before  # the data survived the store's restart


def test_several_hosts_share_one_store(start_server, virtuoso_stores):
    virtuoso = virtuoso_stores("shared")
    args = (*virtuoso.sdkg_args(), "--data", str(ENDPOINT_DATA))
    first = start_server(*args, env=virtuoso.sdkg_env())
    second = start_server(*args, "--workers", "2", env=virtuoso.sdkg_env())
    assert first.health()["sync"]["loaded"] and second.health()["sync"]["loaded"] == []
    assert labels(first) == labels(second)

    # A graph written through one sdkg process (here the Python API) reaches every host
    # at once: the next request anywhere sees it.
    writer = RemoteStore(remote_settings(virtuoso))
    graph = GRAPH + "contribution/shared-test"
    writer.replace_graph(graph, f'<{GRAPH}x> <{LABEL}> "Shared Label" .'.encode(),
                         ox.RdfFormat.N_TRIPLES)  # fmt: skip
    for server in (first, second, second):
        assert "Shared Label" in labels(server)
        assert server.health()["generation"] == writer.generation
    writer.drop_graph(graph)
    assert "Shared Label" not in labels(first) | labels(second)


@pytest.fixture(scope="module")
def virtuoso_endpoint(start_server, store_args):
    return start_on(start_server, store_args, "virtuoso", "endpoint", "--data", str(ENDPOINT_DATA))


def test_store_functions_are_refused_before_the_store(virtuoso_endpoint):
    for query in (
        "SELECT (<bif:now>() AS ?t) {}",
        "PREFIX b: <BIF:> SELECT ?s { ?s ?p ?o FILTER(b:contains(?o, 'x')) }",
    ):
        response = requests.post(virtuoso_endpoint.sparql, data={"query": query})
        assert response.status_code == 400
        assert "function inside the store" in response.text


def test_what_the_store_cannot_run_is_a_400_with_its_message(virtuoso_endpoint):
    # Valid SPARQL 1.1 that Virtuoso 7.2 does not implement.
    response = requests.post(virtuoso_endpoint.sparql, data={"query": "SELECT (BNODE() AS ?b) {}"})
    assert response.status_code == 400
    assert "the SPARQL store cannot run this query" in response.text
    assert "not implemented" in response.text


def test_virtuoso_pragmas_never_reach_the_store(virtuoso_endpoint):
    query = "DEFINE input:grab-all 'yes' SELECT * WHERE { ?s ?p ?o }"
    response = requests.post(virtuoso_endpoint.sparql, data={"query": query})
    assert response.status_code == 400
    assert "syntax error at line 1, column 1" in response.text


def test_answers_of_a_remote_store_are_never_kept(virtuoso_endpoint):
    """Others may write to a remote store without sdkg knowing: each answer is asked of it."""
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f FILTER (?c = ?f) }"
    for _ in range(2):
        response = requests.post(virtuoso_endpoint.sparql, data={"query": query})
        assert response.status_code == 200, response.text
        assert response.headers["Cache-Status"] == "sdkg; fwd=bypass"


def test_sdkg_query_runs_on_the_remote_store(virtuoso_stores):
    virtuoso = virtuoso_stores("endpoint")
    result = subprocess.run(
        [SDKG, "query", *virtuoso.sdkg_args(), "--data", str(ENDPOINT_DATA),
         "--format", "json", "--query", LABELS],
        capture_output=True, text=True, timeout=120,
        env={**os.environ, **virtuoso.sdkg_env()},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    found = sorted(b["label"]["value"] for b in json.loads(result.stdout)["results"]["bindings"])
    assert found == sorted(str(o) for o in load_fixture_dataset().objects(None, RDFS.label))


def test_loading_through_sparql_update_alone_keeps_blank_nodes(start_server, virtuoso_stores):
    # Without a Graph Store endpoint, files go in as SPARQL Update requests and the dump
    # comes back through CONSTRUCT; the shapes' blank nodes must survive both ways.
    virtuoso = virtuoso_stores("update-only")
    server = start_server("--store-url", virtuoso.query_url, "--data", str(ENDPOINT_DATA),
                          env=virtuoso.sdkg_env())  # fmt: skip
    dump = requests.get(server.base + "dump.nq.gz")
    assert dump.status_code == 200
    assert_same_graphs(dump_graphs(dump.content, "nquads"), graphs_by_name(load_fixture_dataset()))


def test_chunks_keep_the_triples_of_a_blank_node_together():
    triples = [q.triple for q in ox.parse(path=bundled_path("ontology") / "shapes.ttl",
                                          format=ox.RdfFormat.TURTLE)]  # fmt: skip
    chunks = list(chunk_triples(triples, 50))
    assert sorted(map(str, (t for c in chunks for t in c))) == sorted(map(str, triples))
    where: dict[str, int] = {}
    for number, chunk in enumerate(chunks):
        for triple in chunk:
            for term in (triple.subject, triple.object):
                if isinstance(term, ox.BlankNode):
                    assert where.setdefault(term.value, number) == number
    assert len(chunks) > 10


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["--memory", "--store-url", "http://127.0.0.1:9/sparql"], {}, "exclude each other"),
        (["--store-url", "ftp://127.0.0.1/sparql"], {}, "is not an http(s) URL"),
        (["--store-graph-url", "http://127.0.0.1:9/g"], {}, "need store-url"),
        (["--store-url", "http://127.0.0.1:9/sparql"], {"SDKG_STORE_USER": "u"}, "both"),
    ],
)
def test_inconsistent_store_settings_are_usage_errors(args, env, message):
    environ = {k: v for k, v in os.environ.items() if not k.startswith("SDKG_STORE_")}
    result = subprocess.run([SDKG, "serve", *args], capture_output=True, text=True,
                            timeout=60, env={**environ, **env})  # fmt: skip
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr


def test_a_slow_store_gives_a_clear_error_and_service_resumes(start_server, virtuoso_stores):
    virtuoso = virtuoso_stores("slow")
    proxy = StoreProxy(virtuoso.query_url)
    try:
        server = start_server("--store-url", proxy.url, "--store-graph-url", virtuoso.graph_url,
                              "--data", str(ENDPOINT_DATA), "--timeout", "2",
                              env=virtuoso.sdkg_env())  # fmt: skip
        before = labels(server)
        proxy.delay = 5.0  # slower than the 2 s limit
        response = requests.post(server.sparql, data={"query": LABELS}, timeout=30)
        assert response.status_code == 503
        assert "2 s" in response.text and "Traceback" not in response.text
        proxy.delay = 0.0  # the store is fast again
        assert labels(server) == before
    finally:
        proxy.close()


def test_pages_search_and_duplicates_read_the_class_tree_from_the_store(virtuoso_endpoint):
    # The class tree behind kinds, search and the gate's duplicate check is read as direct
    # rdfs:subClassOf links: Virtuoso refuses a path with both ends free.
    fixture = load_fixture_dataset()
    ustc = "https://w3id.org/sdkg/id/ustc"
    name = next(str(o) for o in fixture.objects(URIRef(ustc), RDFS.label) if o.language == "en")
    found = requests.get(virtuoso_endpoint.base + "search", params={"q": name, "format": "json"})
    assert found.status_code == 200, found.text
    assert found.json()["hits"][0]["iri"] == ustc
    page = requests.get(virtuoso_endpoint.base + "id/ustc", headers={"Accept": "text/html"})
    assert page.status_code == 200 and name in page.text
    twin = (
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "@prefix sdkg: <https://w3id.org/sdkg/ontology#> .\n"
        "<https://w3id.org/sdkg/id/ustc-twin> a sdkg:University ;\n"
        f'    rdfs:label "{name.upper()}"@en .\n'
    )
    checked = requests.post(virtuoso_endpoint.base + "validate", data=twin.encode(),
                            headers={"Content-Type": "text/turtle"})  # fmt: skip
    assert checked.status_code == 200, checked.text
    duplicates = [r for r in checked.json()["results"] if "Likely a duplicate" in r["message"]]
    assert [r["focus_node"] for r in duplicates] == ["https://w3id.org/sdkg/id/ustc-twin"]
    assert "id:ustc" in duplicates[0]["message"]
