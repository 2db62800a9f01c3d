"""The answer cache of ``/sparql`` (:mod:`sdkg.answer_cache`) through the app: expensive
answers kept until the store changes, identical queries arriving together computed once,
and answers that may change on their own never kept. The ``Cache-Status`` header
(RFC 9211) says how each answer was found."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from support.contributing import fellowship, submit, write_tokens
from werkzeug.test import TestResponse

# Pairs of things of one type, compared as lower-cased text (no index helps): 0.2 s on the
# bundled data here, four times the 0.05 s from which answers are kept
# (sdkg.answer_cache.MIN_SECONDS).
SLOW = (
    "SELECT (COUNT(*) AS ?n) WHERE { ?a a ?t . ?b a ?u FILTER (LCASE(STR(?t)) = LCASE(STR(?u))) }"
)
JSON = "application/sparql-results+json"
STORED, HIT = "sdkg; fwd=miss; stored", "sdkg; hit"
COLLAPSED, BYPASS = "sdkg; fwd=miss; collapsed", "sdkg; fwd=bypass"


@pytest.fixture
def app(make_app, tmp_path: Path) -> Flask:
    """The bundled data in memory, contributions open."""
    return make_app(tokens_file=write_tokens(tmp_path))


def get(client: FlaskClient, query: str, accept: str = JSON, **params: str) -> TestResponse:
    response = client.get(
        "/sparql", query_string={"query": query, **params}, headers={"Accept": accept}
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    return response


def count(response: TestResponse) -> int:
    return int(response.get_json()["results"]["bindings"][0]["n"]["value"])


def test_an_expensive_answer_is_kept_until_a_contribution_changes_the_store(app):
    client = app.test_client()
    first = get(client, SLOW)
    assert first.headers["Cache-Status"] == STORED
    again = get(client, SLOW)
    assert again.headers["Cache-Status"] == HIT
    assert again.data == first.data
    assert again.headers["Content-Type"] == first.headers["Content-Type"]

    landed = submit(client, "/contributions", fellowship("cached-fellow"))
    assert landed.status_code == 201, landed.get_data(as_text=True)
    after = get(client, SLOW)
    assert after.headers["Cache-Status"] == STORED  # computed again on the new content
    assert count(after) > count(first)
    # The oracle: the same query, spelled differently, computed for the first time.
    afresh = get(client, SLOW + " # spelled differently")
    assert afresh.headers["Cache-Status"] == STORED
    assert count(afresh) == count(after)
    assert get(client, SLOW).headers["Cache-Status"] == HIT


def test_each_format_and_dataset_has_its_own_answer(app):
    client = app.test_client()
    as_json = get(client, SLOW)
    as_csv = get(client, SLOW, accept="text/csv")
    assert as_csv.headers["Cache-Status"] == STORED
    assert as_csv.headers["Content-Type"].startswith("text/csv")
    assert as_csv.get_data(as_text=True).splitlines() == ["n", str(count(as_json))]
    assert get(client, SLOW, accept="text/csv").data == as_csv.data
    assert get(client, SLOW).data == as_json.data

    # One graph as the default graph: fewer triples, another answer.
    graph = "https://w3id.org/sdkg/graph/ontology"
    one_graph = get(client, SLOW, **{"default-graph-uri": graph})
    assert one_graph.headers["Cache-Status"] in (STORED, "sdkg; fwd=miss")
    assert count(one_graph) < count(as_json)
    assert count(get(client, SLOW, **{"default-graph-uri": graph})) == count(one_graph)


def test_identical_queries_arriving_together_are_computed_once(app):
    start = threading.Barrier(6)
    answers: list[TestResponse] = []
    lock = threading.Lock()

    def ask() -> None:
        client = app.test_client()
        start.wait()
        response = get(client, SLOW)
        with lock:
            answers.append(response)

    threads = [threading.Thread(target=ask) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses = sorted(response.headers["Cache-Status"] for response in answers)
    # One computed it; the others waited for its answer or found it kept: none computed.
    assert statuses.count(STORED) == 1, statuses
    assert set(statuses) <= {STORED, COLLAPSED, HIT}, statuses
    assert len({response.data for response in answers}) == 1


@pytest.mark.parametrize(
    "query",
    [
        f"SELECT ?n (NOW() AS ?t) WHERE {{ {{ {SLOW} }} }}",
        f"SELECT ?n (rand() AS ?r) WHERE {{ {{ {SLOW} }} }}",
        f"SELECT ?n (STRUUID() AS ?id) WHERE {{ {{ {SLOW} }} }}",
        f"SELECT ?n (UUID() AS ?id) WHERE {{ {{ {SLOW} }} }}",
        f"SELECT ?n (BNODE() AS ?b) WHERE {{ {{ {SLOW} }} }}",
    ],
)
def test_answers_that_change_from_call_to_call_are_never_kept(app, query):
    client = app.test_client()
    assert get(client, query).headers["Cache-Status"] == BYPASS
    assert get(client, query).headers["Cache-Status"] == BYPASS


def test_a_variable_named_like_a_function_does_not_stop_the_cache(app):
    query = f"SELECT ?n ?rand ?now WHERE {{ {{ {SLOW} }} }}"
    client = app.test_client()
    assert get(client, query).headers["Cache-Status"] == STORED
    assert get(client, query).headers["Cache-Status"] == HIT


def test_pages_for_browsers_are_drawn_each_time(app):
    client = app.test_client()
    for _ in range(2):
        page = get(client, SLOW, accept="text/html")
        assert page.headers["Cache-Status"] == BYPASS
        assert page.mimetype == "text/html"


def test_no_memory_for_answers_keeps_none(make_app):
    client = make_app(answer_cache_mb=0).test_client()
    first, second = get(client, SLOW), get(client, SLOW)
    assert first.headers["Cache-Status"] == second.headers["Cache-Status"] == "sdkg; fwd=miss"
    assert first.data == second.data
