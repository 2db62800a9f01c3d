"""``--store-read-only``: sdkg in front of a store it may not write (QLever, replicas).

A read-write sdkg loads the fixture data into a test Virtuoso; a read-only sdkg then
reaches the same store only through a proxy that forwards queries and refuses, and
records, every request that could write. Over the whole module (starts included) the
proxy must see no write at all, while the read-only server answers as the read-write one.
"""

from __future__ import annotations

import json
import os
import subprocess

import pytest
import rdflib
import requests
from rdflib.compare import isomorphic
from requests.auth import HTTPDigestAuth
from support.contributing import TOKEN, fellowship, write_tokens
from support.oracle import GRAPH, assert_same_graphs, dump_graphs, load_fixture_dataset
from support.remote import LABEL, LABELS, SDKG, labels
from support.servers import ENDPOINT_DATA
from support.store_proxy import StoreProxy

from sdkg.contributions import READ_ONLY_MESSAGE

GRAPHS = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
BARE_GRAPH = "http://example.org/loaded-without-sdkg"


def graph_names(server) -> set[str]:
    response = requests.post(server.sparql, data={"query": GRAPHS})
    assert response.status_code == 200, response.text
    return {b["g"]["value"] for b in response.json()["results"]["bindings"]}


def void_graph(server) -> rdflib.Graph:
    response = requests.get(server.base + ".well-known/void", headers={"Accept": "text/turtle"})
    assert response.status_code == 200, response.text
    # The servers' own URLs differ; everything else must be the same.
    text = response.text.replace(server.base, "http://sdkg.test/")
    return rdflib.Graph().parse(data=text, format="turtle")


@pytest.fixture(scope="module")
def pair(start_server, virtuoso_stores, tmp_path_factory):
    """(read-write server, read-only server, its proxy) over one Virtuoso database."""
    virtuoso = virtuoso_stores("readonly")
    writer = start_server(*virtuoso.sdkg_args(), "--data", str(ENDPOINT_DATA),
                          env=virtuoso.sdkg_env())  # fmt: skip
    proxy = StoreProxy(virtuoso.query_url, refuse_writes=True)
    tokens = write_tokens(tmp_path_factory.mktemp("readonly-tokens"))
    reader = start_server("--store-url", proxy.url, "--store-read-only", "--data",
                          str(ENDPOINT_DATA), "--tokens-file", str(tokens),
                          env=virtuoso.sdkg_env())  # fmt: skip
    yield writer, reader, proxy
    proxy.close()


def test_the_read_only_server_answers_as_the_read_write_one(pair):
    writer, reader, _ = pair
    expected_graphs = {str(g.identifier) for g in load_fixture_dataset().graphs() if len(g)}
    assert labels(reader) == labels(writer) and labels(reader)
    assert graph_names(reader) == graph_names(writer) == expected_graphs
    assert isomorphic(void_graph(reader), void_graph(writer))
    dumps = [requests.get(s.base + "dump.nq.gz") for s in (reader, writer)]
    assert [d.status_code for d in dumps] == [200, 200]
    assert_same_graphs(dump_graphs(dumps[0].content, "nquads"),
                       dump_graphs(dumps[1].content, "nquads"))  # fmt: skip


def test_health_and_log_say_read_only(pair):
    writer, reader, _ = pair
    health = reader.health()
    assert health["read_only"] is True and writer.health()["read_only"] is False
    assert health["synced"] is False and health["sync"]["loaded"] == []
    assert health["graphs"] == writer.health()["graphs"]
    assert "taken as is" in reader.log_text()


def test_contributions_are_closed_but_listed_and_validate_works(pair):
    writer, reader, _ = pair
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "text/turtle"}
    body = fellowship("read-only-fellow").encode()
    for method, path, sent in (("POST", "contributions", headers),
                               ("POST", "contributions", {"Content-Type": "text/turtle"}),
                               ("DELETE", "contributions/20250101-000000-000000-0badc0de",
                                headers)):  # fmt: skip
        response = requests.request(method, reader.base + path, data=body, headers=sent)
        assert response.status_code == 403, (method, sent, response.text)
        assert READ_ONLY_MESSAGE in response.text
    listed = requests.get(reader.base + "contributions")
    assert listed.status_code == 200 and listed.json() == {"contributions": []}
    reports = [
        requests.post(s.base + "validate", data=body, headers={"Content-Type": "text/turtle"})
        for s in (reader, writer)
    ]
    assert [r.status_code for r in reports] == [200, 200]
    assert reports[0].json() == reports[1].json()


def test_sdkg_query_reads_through_the_guard(pair, virtuoso_stores):
    writer, _, proxy = pair
    environ = {**os.environ, **virtuoso_stores("readonly").sdkg_env(), "SDKG_STORE_READ_ONLY": "1"}
    result = subprocess.run(
        [SDKG, "query", "--store-url", proxy.url, "--data", str(ENDPOINT_DATA),
         "--format", "json", "--query", LABELS],
        capture_output=True, text=True, timeout=120, env=environ,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    found = {b["label"]["value"] for b in json.loads(result.stdout)["results"]["bindings"]}
    assert found == labels(writer)


def test_a_store_sdkg_never_wrote_is_listed_and_queried(start_server, virtuoso_stores):
    virtuoso = virtuoso_stores("readonly-bare")
    # Loaded straight into Virtuoso, as an operator would: no sdkg manifest in the store.
    update = f'INSERT DATA {{ GRAPH <{BARE_GRAPH}> {{ <{GRAPH}x> <{LABEL}> "Bare Label" }} }}'
    loaded = requests.post(virtuoso.query_url, data={"update": update},
                           auth=HTTPDigestAuth(*virtuoso.sdkg_env().values()))  # fmt: skip
    assert loaded.status_code == 200, loaded.text
    proxy = StoreProxy(virtuoso.query_url, refuse_writes=True)
    try:
        reader = start_server("--store-url", proxy.url, "--data", str(ENDPOINT_DATA),
                              env={**virtuoso.sdkg_env(), "SDKG_STORE_READ_ONLY": "1"})  # fmt: skip
        assert labels(reader) == {"Bare Label"}
        # The store's system graphs (Virtuoso has three) are not served as data.
        assert graph_names(reader) == {BARE_GRAPH}
        assert reader.health()["graphs"] == 1
        dump = dump_graphs(requests.get(reader.base + "dump.nq.gz").content, "nquads")
        assert set(dump) == {BARE_GRAPH} and len(dump[BARE_GRAPH]) == 1
        log = reader.log_text()
        assert "listed from the store" in log and "ontology/sdkg.ttl" in log  # not loaded
        assert proxy.writes == [] and proxy.forwarded > 0
    finally:
        proxy.close()


def test_the_proxy_refuses_and_records_writes(virtuoso_stores):
    # The guard the other tests rely on does catch each kind of write.
    virtuoso = virtuoso_stores("readonly-bare")
    proxy = StoreProxy(virtuoso.query_url, refuse_writes=True)
    try:
        insert = f"INSERT DATA {{ GRAPH <{BARE_GRAPH}> {{ <{GRAPH}y> <{GRAPH}p> 1 }} }}"
        attempts = [
            requests.post(proxy.url, data={"update": insert}),
            requests.post(proxy.url, data={"query": insert}),
            requests.get(proxy.url, params={"update": insert}),
            requests.post(
                proxy.url, data=insert, headers={"Content-Type": "application/sparql-update"}
            ),
            requests.put(proxy.url, params={"graph": BARE_GRAPH}, data=b""),
            requests.delete(proxy.url, params={"graph": BARE_GRAPH}),
        ]
        assert [a.status_code for a in attempts] == [403] * 6
        assert len(proxy.writes) == 6 and proxy.forwarded == 0
        auth = HTTPDigestAuth(*virtuoso.sdkg_env().values())
        assert requests.post(proxy.url, data={"query": "ASK {}"}, auth=auth).status_code == 200
    finally:
        proxy.close()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--store-update-url", "http://127.0.0.1:9/u"], "excludes --store-update-url"),
        (["--store-graph-url", "http://127.0.0.1:9/g"], "excludes --store-update-url"),
    ],
)
def test_read_only_with_a_write_endpoint_is_a_usage_error(args, message):
    environ = {k: v for k, v in os.environ.items() if not k.startswith("SDKG_STORE_")}
    for command in ("serve", "query"):
        result = subprocess.run(
            [SDKG, command, "--store-url", "http://127.0.0.1:9/sparql", "--store-read-only",
             *args, "--query", "ASK {}"][: None if command == "query" else -2],
            capture_output=True, text=True, timeout=60, env=environ,
        )  # fmt: skip
        assert result.returncode == 2, result.stderr
        assert message in result.stderr and "Traceback" not in result.stderr


def test_read_only_without_a_store_url_is_a_usage_error():
    environ = {k: v for k, v in os.environ.items() if not k.startswith("SDKG_STORE_")}
    result = subprocess.run([SDKG, "serve", "--memory"], capture_output=True, text=True,
                            timeout=60, env={**environ, "SDKG_STORE_READ_ONLY": "1"})  # fmt: skip
    assert result.returncode == 2
    assert "--store-read-only needs --store-url" in result.stderr


def test_no_write_reached_the_store(pair):
    # Last in the module: every request the read-only server and CLI sent, their starts
    # included, went through the guard.
    _, _, proxy = pair
    assert proxy.writes == []
    assert proxy.forwarded > 10
