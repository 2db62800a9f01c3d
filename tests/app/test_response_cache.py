"""The response cache: thread-safe, keyed on the store generation only.

A client's ``Host`` header names the address in the service description and the VoID
description, but cannot add cache entries nor make another client get its address.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from support.servers import ENDPOINT_DATA

from sdkg.config import Settings
from sdkg.describe import VOID
from sdkg.web import create_app
from sdkg.web.context import CACHED_GENERATIONS, ResponseCache

FIXTURES = ENDPOINT_DATA


def test_the_value_computed_is_returned_even_if_its_generation_is_dropped_meanwhile() -> None:
    cache = ResponseCache()

    def compute_while_the_store_changes() -> str:
        # Other requests see newer generations while this one computes: g1 is dropped.
        for newer in ("g2", "g3", "g4"):
            cache.get(newer, ("labels",), lambda newer=newer: f"labels of {newer}")
        return "labels of g1"

    assert cache.get("g1", ("labels",), compute_while_the_store_changes) == "labels of g1"
    assert "g1" not in cache.generations()


def test_many_entries_of_one_generation_are_kept_and_old_generations_dropped() -> None:
    cache = ResponseCache()
    for number in range(50):
        cache.get("g1", ("page", str(number)), lambda number=number: number)
    assert len(cache) == 50
    computed: list[str] = []
    assert cache.get("g1", ("page", "7"), lambda: computed.append("again")) == 7
    assert computed == []
    cache.get("g2", ("page", "0"), lambda: 0)
    assert cache.generations() == ["g1", "g2"][-CACHED_GENERATIONS:]
    cache.get("g3", ("page", "0"), lambda: 0)
    assert "g1" not in cache.generations() and "g3" in cache.generations()


def test_threads_sharing_the_cache_each_get_the_value_of_their_key() -> None:
    cache = ResponseCache()
    calls: dict[tuple[str, str], int] = {}
    lock = threading.Lock()
    wrong: list[str] = []
    failed: list[BaseException] = []
    start = threading.Barrier(8)

    def compute(generation: str, key: str) -> tuple[str, str]:
        with lock:
            calls[(generation, key)] = calls.get((generation, key), 0) + 1
        return (generation, key)

    current = ["g0"]  # the store's generation, as each request reads it

    def worker(number: int) -> None:
        try:
            start.wait()
            for step in range(400):
                if number == 0 and step % 100 == 0:
                    current[0] = f"g{step // 100}"  # the store changes (a write)
                generation = current[0]
                key = f"k{(step + number) % 5}"
                value = cache.get(generation, (key,), lambda g=generation, k=key: compute(g, k))
                if value != (generation, key):
                    wrong.append(f"{generation}/{key} gave {value}")
        except BaseException as error:  # reported below, in the test's thread
            failed.append(error)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failed == [] and wrong == []
    assert len(cache.generations()) <= CACHED_GENERATIONS
    assert set(calls) == {(f"g{i}", f"k{j}") for i in range(4) for j in range(5)}
    # Computed again only by requests that asked at the same time, not once per request.
    assert sum(calls.values()) < 8 * 400 / 10


def test_two_threads_computing_one_key_at_once_both_get_the_value_stored_first() -> None:
    cache = ResponseCache()
    both_computing = threading.Barrier(2)
    results: list[object] = []

    def compute() -> object:
        both_computing.wait()  # neither has stored its value yet
        return object()

    def worker() -> None:
        results.append(cache.get("g1", ("sd",), compute))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 2 and results[0] is results[1]
    assert cache.get("g1", ("sd",), object) is results[0]


@pytest.fixture
def app(tmp_path: Path):
    settings = Settings(memory=True, data_dir=FIXTURES, store_dir=tmp_path, rate_limit=0)
    return create_app(settings)


@pytest.mark.parametrize(
    ("path", "named"), [("/.well-known/void", "sparql"), ("/sparql", "sparql")]
)
def test_a_forged_host_header_neither_multiplies_nor_poisons_cache_entries(
    app, path: str, named: str
) -> None:
    client = app.test_client()
    cache = app.extensions["sdkg"].cache
    turtle = {"Accept": "text/turtle"}
    client.get(path, headers=turtle, base_url="http://sdkg.example.org")
    entries = len(cache)
    bodies = {}
    for number in range(20):
        host = f"attacker-{number}.example"
        response = client.get(path, headers={**turtle, "Host": host})
        assert response.status_code == 200
        bodies[host] = response.get_data(as_text=True)
    assert len(cache) == entries  # one entry per description, whatever the Host
    honest = client.get(path, headers=turtle, base_url="http://sdkg.example.org")
    graph = Graph().parse(data=honest.get_data(as_text=True), format="turtle")
    iris = {str(t) for triple in graph for t in triple if isinstance(t, URIRef)}
    assert not any("attacker" in iri for iri in iris)
    assert f"http://sdkg.example.org/{named}" in iris
    # Each client still reads the address it asked at (as before).
    assert "http://attacker-3.example/" in bodies["attacker-3.example"]
    assert "attacker-4" not in bodies["attacker-3.example"]


def test_the_void_description_keeps_its_content_behind_the_cache(app) -> None:
    body = app.test_client().get("/.well-known/void", headers={"Accept": "text/turtle"})
    graph = Graph().parse(data=body.get_data(as_text=True), format="turtle")
    endpoints = set(graph.objects(None, VOID.sparqlEndpoint))
    assert endpoints == {URIRef("http://localhost/sparql")}
