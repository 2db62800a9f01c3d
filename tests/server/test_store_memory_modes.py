"""``--store-memory disk``: the same answers as the default copy, and contributions that
every worker sees, through real ``sdkg serve`` processes on loopback."""

from __future__ import annotations

import json

from support.contributing import (
    ask,
    bindings,
    both_workers,
    fellowship,
    post,
    withdraw,
    write_tokens,
)
from support.servers import ENDPOINT_DATA

GRAPH = "https://w3id.org/sdkg/graph/contribution/"
ID = "https://w3id.org/sdkg/id/"

QUERIES = [
    "SELECT ?s ?label WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label } "
    "ORDER BY ?s ?label",
    "SELECT ?type (COUNT(?s) AS ?n) WHERE { ?s a ?type } GROUP BY ?type ORDER BY ?type",
    "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g",
    "SELECT ?a ?b WHERE { ?a <http://www.w3.org/2000/01/rdf-schema#subClassOf>+ ?b } "
    "ORDER BY ?a ?b",
]


def answers(base: str) -> list[str]:
    """The JSON results of :data:`QUERIES`, as text."""
    return [json.dumps(bindings(base, query), sort_keys=True) for query in QUERIES]


def test_disk_mode_answers_as_the_copy_does(start_server, tmp_path):
    copy = start_server("--data", str(ENDPOINT_DATA), "--store", str(tmp_path / "copy"))
    disk = start_server(
        "--data", str(ENDPOINT_DATA), "--store", str(tmp_path / "disk"), "--store-memory", "disk"
    )
    health = disk.health()
    assert health["store"] == "oxigraph-disk"
    assert health["warming"] is False  # nothing is copied into memory
    expected = answers(copy.base)
    assert all(json.loads(rows) for rows in expected)  # every query finds something
    assert answers(disk.base) == expected


def test_disk_mode_contributions_reach_every_worker_and_survive_restart(start_server, tmp_path):
    tokens = write_tokens(tmp_path)
    store = tmp_path / "store"
    args = ("--store", str(store), "--store-memory", "disk")  # the bundled data
    env = {"SDKG_TOKENS_FILE": str(tokens)}
    server = start_server(*args, "--workers", "2", env=env)
    before: dict[int, int] = {}
    both_workers(server, lambda h: before.setdefault(h["pid"], h["triples"]) > 0)

    kept = post(server.base, "contributions", fellowship("disk-kept"))
    assert kept.status_code == 201, kept.text
    gone = post(server.base, "contributions", fellowship("disk-gone"))
    assert gone.status_code == 201, gone.text
    # Both workers read the one database: each now counts the new triples.
    both_workers(
        server, lambda h: h["triples"] > before[h["pid"]] and h["store"] == "oxigraph-disk"
    )
    assert withdraw(server.base, gone.json()["id"]).status_code == 200
    for _ in range(10):  # new connections land on either worker
        assert ask(server.base, f"ASK {{ <{ID}disk-kept> ?p ?o }}")
        assert not ask(server.base, f"ASK {{ <{ID}disk-gone> ?p ?o }}")
    assert server.stop() == 0

    # Restart in disk mode: the contribution is there once, the withdrawn one is not.
    again = start_server(*args, env=env)
    graph = GRAPH + kept.json()["id"]
    count = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    assert int(bindings(again.base, count)[0]["n"]["value"]) > 9
    assert not ask(again.base, f"ASK {{ <{ID}disk-gone> ?p ?o }}")
    assert again.stop() == 0

    # The same folder in copy mode serves the same contributions.
    copy = start_server("--store", str(store), env=env)
    assert ask(copy.base, f"ASK {{ <{ID}disk-kept> ?p ?o }}")
    assert not ask(copy.base, f"ASK {{ <{ID}disk-gone> ?p ?o }}")


def test_store_memory_value_is_checked(start_server):
    refused = start_server("--memory", "--store-memory", "disk", wait=False)
    assert refused.process.wait(30) == 2
    assert "--store-memory disk" in refused.log_text()
