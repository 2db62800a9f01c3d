"""The store folder: files -> named graphs, reuse on restart, reload on change, errors."""

from __future__ import annotations

import shutil
import time

import requests
from support.oracle import GRAPH, load_fixture_dataset
from support.servers import ENDPOINT_DATA, start_on

from sdkg import resources

FILES = sorted(
    [
        f"data/{p.relative_to(ENDPOINT_DATA).as_posix()}"
        for p in ENDPOINT_DATA.rglob("*")
        if p.suffix in (".ttl", ".trig", ".nq")
    ]
    # The bundled ontology is always loaded beside the data.
    + [f"ontology/{p.name}" for p in resources.bundled_path("ontology").glob("*.ttl")]
)


def graphs(server) -> set[str]:
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    response = requests.get(server.sparql, params={"query": query})
    return {b["g"]["value"] for b in response.json()["results"]["bindings"]}


def labels(server) -> set[str]:
    query = "SELECT ?l WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l }"
    response = requests.get(server.sparql, params={"query": query})
    return {b["l"]["value"] for b in response.json()["results"]["bindings"]}


def test_restart_reuses_unchanged_files_and_reloads_changed_ones(
    start_server, store_args, backend, tmp_path
):
    data, store = tmp_path / "data", tmp_path / "store"
    shutil.copytree(ENDPOINT_DATA, data)
    if backend == "oxigraph":
        args = ("--store", str(store), "--data", str(data))

        def start_server_on_backend(*args):
            return start_server(*args)
    else:  # the manifest lives in the remote store itself
        args = ("--data", str(data))

        def start_server_on_backend(*args):
            return start_on(start_server, store_args, backend, "restart", *args)

    first = start_server_on_backend(*args)
    sync = first.health()["sync"]
    assert sorted(sync["loaded"]) == FILES and sync["reused"] == []
    expected_graphs = {str(g.identifier) for g in load_fixture_dataset().graphs() if len(g)}
    assert graphs(first) == expected_graphs
    before = labels(first)
    assert first.stop() == 0

    second = start_server_on_backend(*args)
    sync = second.health()["sync"]
    assert sync["loaded"] == [] and sorted(sync["reused"]) == FILES
    assert labels(second) == before
    assert second.stop() == 0

    # One file changed, one removed: only the changed one is parsed again.
    with (data / "organizations.ttl").open("a") as handle:
        handle.write('\n<https://w3id.org/sdkg/id/new> <http://www.w3.org/2000/01/'
                     'rdf-schema#label> "A New Centre"@en .\n')  # fmt: skip
    (data / "people.nq").unlink()
    third = start_server_on_backend(*args)
    sync = third.health()["sync"]
    assert sync["loaded"] == ["data/organizations.ttl"]
    assert sync["dropped"] == ["data/people.nq"]
    assert labels(third) == (before | {"A New Centre"}) - {"Ada Fellow", "Bo Fellow"}
    assert graphs(third) == expected_graphs - {GRAPH + "fellows", GRAPH + "people"}


def test_disk_store_answers_at_once_then_warms_into_memory(start_server, tmp_path):
    server = start_server("--store", str(tmp_path / "store"), "--data", str(ENDPOINT_DATA))
    assert labels(server)  # answering (from disk or memory)
    deadline = time.monotonic() + 20
    while server.health()["warming"] and time.monotonic() < deadline:
        time.sleep(0.1)
    health = server.health()
    assert health["store"] == "oxigraph-memory" and health["warming"] is False
    assert labels(server) == {str(o) for o in load_fixture_dataset().objects(
        None, __import__("rdflib").RDFS.label)}  # fmt: skip


def test_graph_written_by_two_files_is_refused(start_server, store_args, backend, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "a.trig").write_text(f"<{GRAPH}b> {{ <http://x/s> <http://x/p> 1 . }}\n")
    (data / "b.ttl").write_text("<http://x/s> <http://x/p> 2 .\n")
    server = start_on(start_server, store_args, backend, "scratch", "--data", str(data), wait=False)
    assert server.process.wait(30) != 0
    log = server.log_text()
    assert "data/a.trig" in log and "data/b.ttl" in log and "one file" in log
    assert "Traceback" not in log


def test_broken_file_stops_the_start_with_its_position(start_server, store_args, backend, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "broken.ttl").write_text(
        "<http://x/s> <http://x/p> 1 .\n<http://x/s> <http://x/p> ?o .\n"
    )
    if backend == "oxigraph":
        server = start_server("--store", str(tmp_path / "store"), "--data", str(data), wait=False)
    else:
        server = start_on(start_server, store_args, backend, "scratch", "--data", str(data),
                          wait=False)  # fmt: skip
    assert server.process.wait(30) != 0
    log = server.log_text()
    assert "broken.ttl" in log and "line 2" in log
    assert "Traceback" not in log


def test_store_in_use_is_refused_clearly(start_server, tmp_path):
    args = ("--store", str(tmp_path / "store"), "--data", str(ENDPOINT_DATA))
    start_server(*args)
    second = start_server(*args, wait=False)
    assert second.process.wait(30) != 0
    assert "in use" in second.log_text()


def test_bundled_folders_load_by_default(start_server):
    server = start_server("--memory")
    expected = set()
    for label in ("ontology", "data"):
        folder = resources.bundled_path(label)
        for path in folder.rglob("*"):
            if path.suffix in (".ttl", ".trig", ".nq", ".nt", ".jsonld", ".rdf", ".owl"):
                expected.add(f"{label}/{path.relative_to(folder).as_posix()}")
    assert set(server.health()["sync"]["loaded"]) == expected
    if any(key.startswith("ontology/sdkg.") for key in expected):
        assert GRAPH + "ontology" in graphs(server)


def test_the_start_builds_the_name_index_before_any_page_and_a_restart_reuses_it(
    start_server, tmp_path
):
    store = tmp_path / "store"
    args = ("--store", str(store), "--data", str(ENDPOINT_DATA))
    server = start_server(*args)
    index_file = store / "names.sqlite"
    # Built by the start (search and the home page read it), not by a first request.
    assert index_file.is_file()
    built = index_file.stat().st_ino  # a rebuild replaces the file
    label = sorted(labels(server))[0]
    base = server.sparql.removesuffix("/sparql")
    found = requests.get(base + "/search", params={"q": label, "format": "json"}).json()
    assert label in {hit["matched"] for hit in found["hits"]}
    assert server.stop() == 0
    again = start_server(*args)
    assert again.health()["sync"]["loaded"] == []
    assert index_file.stat().st_ino == built
