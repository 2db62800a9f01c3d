"""SPARQL 1.1 Protocol at /sparql: operations, dataset, no fetching, and every error case."""

from __future__ import annotations

import http.server
import threading

import pytest
import requests
from support.oracle import GRAPH, load_fixture_dataset

LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
# Entity labels only: the ontology's own term labels would pass the shared server's row cap.
LABELS_QUERY = (
    f"SELECT ?s ?label WHERE {{ ?s <{LABEL}> ?label "
    'FILTER(STRSTARTS(STR(?s), "https://w3id.org/sdkg/id/")) }'
)
GRAPHS_QUERY = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
JSON = {"Accept": "application/sparql-results+json"}


def rows(response: requests.Response) -> set[tuple[str, ...]]:
    """The bindings of a SPARQL JSON response as a set of value tuples."""
    assert response.status_code == 200, response.text
    data = response.json()
    names = data["head"]["vars"]
    return {
        tuple(b[n]["value"] if n in b else None for n in names) for b in data["results"]["bindings"]
    }


def oracle(query: str) -> set[tuple[str, ...]]:
    """The same query answered by rdflib over the fixture files."""
    return {
        tuple(str(v) if v is not None else None for v in r)
        for r in load_fixture_dataset().query(query)
    }


def test_get_answers_a_select_over_the_union_of_all_graphs(endpoint):
    response = requests.get(endpoint.sparql, params={"query": LABELS_QUERY}, headers=JSON)
    found = rows(response)
    assert found == oracle(LABELS_QUERY)
    # Labels live in three different files, all visible without GRAPH.
    assert {"Ada Fellow", "UNESCO", "Science Diplomacy Forum 2019"} <= {r[1] for r in found}


@pytest.mark.parametrize(
    "condition",
    ['REGEX(?label, "^中国科学")', 'CONTAINS(?label, "科学技术")', '?label = "中国科学院"@zh'],
)
def test_non_ascii_text_in_the_query_matches(endpoint, condition):
    # Virtuoso reads form bytes as Latin-1 unless told the charset: 0 rows instead of these.
    query = f"SELECT ?s ?label WHERE {{ ?s <{LABEL}> ?label FILTER({condition}) }}"
    found = rows(requests.post(endpoint.sparql, data={"query": query}, headers=JSON))
    assert found == oracle(query)
    assert found


def test_post_form_and_post_direct_answer_like_get(endpoint):
    expected = rows(requests.get(endpoint.sparql, params={"query": LABELS_QUERY}, headers=JSON))
    form = requests.post(endpoint.sparql, data={"query": LABELS_QUERY}, headers=JSON)
    direct = requests.post(
        endpoint.sparql,
        data=LABELS_QUERY.encode(),
        headers={**JSON, "Content-Type": "application/sparql-query"},
    )
    assert rows(form) == expected
    assert rows(direct) == expected


def test_graph_variable_sees_each_named_graph(endpoint):
    found = {r[0] for r in rows(requests.get(endpoint.sparql, params={"query": GRAPHS_QUERY}))}
    expected = {str(g.identifier) for g in load_fixture_dataset().graphs() if len(g)}
    assert found == expected


@pytest.mark.parametrize("method", ["GET", "POST-form", "POST-direct"])
def test_default_graph_uri_restricts_the_default_graph(endpoint, method):
    params = {"default-graph-uri": [GRAPH + "fellows", GRAPH + "events"]}
    if method == "GET":
        response = requests.get(endpoint.sparql, params={"query": LABELS_QUERY, **params})
    elif method == "POST-form":
        response = requests.post(endpoint.sparql, data={"query": LABELS_QUERY, **params})
    else:
        response = requests.post(
            endpoint.sparql,
            params=params,
            data=LABELS_QUERY,
            headers={"Content-Type": "application/sparql-query"},
        )
    labels = {r[1] for r in rows(response)}
    assert labels == {"Ada Fellow", "Science Diplomacy Forum 2019"}


def test_named_graph_uri_restricts_graph_variable(endpoint):
    params = {"query": GRAPHS_QUERY, "named-graph-uri": [GRAPH + "fellows", GRAPH + "people"]}
    found = {r[0] for r in rows(requests.get(endpoint.sparql, params=params))}
    assert found == {GRAPH + "fellows", GRAPH + "people"}
    # Only named graphs given: the default graph is empty (SPARQL 1.1 Protocol 2.1.4).
    params["query"] = LABELS_QUERY
    assert rows(requests.get(endpoint.sparql, params=params)) == set()


def test_from_and_from_named_name_store_graphs(endpoint):
    query = f"SELECT ?label FROM <{GRAPH}fellows> WHERE {{ ?s <{LABEL}> ?label }}"
    assert rows(requests.get(endpoint.sparql, params={"query": query})) == {("Ada Fellow",)}
    query = (
        f"SELECT DISTINCT ?g FROM NAMED <{GRAPH}events-extra> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"
    )
    assert rows(requests.get(endpoint.sparql, params={"query": query})) == {
        (GRAPH + "events-extra",)
    }


def test_protocol_dataset_overrides_from(endpoint):
    query = f"SELECT ?label FROM <{GRAPH}fellows> WHERE {{ ?s <{LABEL}> ?label }}"
    params = {"query": query, "default-graph-uri": GRAPH + "people"}
    assert rows(requests.get(endpoint.sparql, params=params)) == {("Bo Fellow",)}


@pytest.fixture
def recording_http_server():
    """An HTTP server on 127.0.0.1 that records every request it receives."""
    received: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the http.server API
            received.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "text/turtle")
            self.end_headers()
            self.wfile.write(b"<http://x/s> <http://x/p> <http://x/o> .")

        do_POST = do_GET

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", received
    server.shutdown()


def test_from_a_url_is_never_fetched(endpoint, recording_http_server):
    url, received = recording_http_server
    for query in (
        f"SELECT * FROM <{url}/x> WHERE {{ ?s ?p ?o }}",
        f"SELECT * FROM NAMED <{url}/y> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
    ):
        assert rows(requests.get(endpoint.sparql, params={"query": query})) == set()
    response = requests.get(
        endpoint.sparql, params={"query": LABELS_QUERY, "default-graph-uri": f"{url}/z"}
    )
    assert rows(response) == set()
    assert received == []


def test_service_to_a_url_is_refused_and_not_called(endpoint, recording_http_server):
    url, received = recording_http_server
    for query in (
        f"SELECT * WHERE {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE SILENT <{url}/sparql> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ BIND(<{url}/sparql> AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}",
    ):
        response = requests.get(endpoint.sparql, params={"query": query})
        assert response.status_code == 403
        assert "SERVICE" in response.text
    assert received == []


# --------------------------------------------------------------------------- errors


def test_syntax_error_gives_line_column_and_expected(endpoint):
    query = "SELECT ?s\nWHERE { ?s ?p ?o "
    response = requests.get(endpoint.sparql, params={"query": query})
    assert response.status_code == 400
    assert response.headers["Content-Type"].startswith("text/plain")
    assert "line 2, column 18" in response.text
    assert "expected" in response.text and '"}"' in response.text
    assert "Traceback" not in response.text


@pytest.mark.parametrize(
    "update",
    [
        "INSERT DATA { <http://x/s> <http://x/p> 1 }",
        "PREFIX x: <http://x/>\n# a comment\nDELETE WHERE { ?s ?p ?o }",
        "LOAD <http://127.0.0.1:9/data.ttl>",
        "CLEAR ALL",
        "DROP GRAPH <http://x/g>",
        "CREATE GRAPH <http://x/g>",
        "COPY DEFAULT TO <http://x/g>",
        "MOVE DEFAULT TO <http://x/g>",
        "ADD DEFAULT TO <http://x/g>",
    ],
)
def test_updates_are_refused_as_read_only(endpoint, update):
    count = rows(
        requests.get(endpoint.sparql, params={"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"})
    )
    for response in (
        requests.get(endpoint.sparql, params={"query": update}),
        requests.post(endpoint.sparql, data={"update": update}),
        requests.post(
            endpoint.sparql, data=update, headers={"Content-Type": "application/sparql-update"}
        ),
    ):
        assert response.status_code == 403
        assert "read-only" in response.text and "/contributions" in response.text
    after = rows(
        requests.get(endpoint.sparql, params={"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"})
    )
    assert after == count


def test_missing_query_is_400(endpoint):
    response = requests.post(endpoint.sparql, data={"default-graph-uri": GRAPH + "people"})
    assert response.status_code == 400
    assert "missing query" in response.text
    empty = requests.post(
        endpoint.sparql, data=b"  ", headers={"Content-Type": "application/sparql-query"}
    )
    assert empty.status_code == 400


def test_two_queries_are_400(endpoint):
    response = requests.get(endpoint.sparql, params={"query": ["ASK {}", "ASK {}"]})
    assert response.status_code == 400
    assert "2 queries" in response.text
    both_places = requests.post(
        endpoint.sparql,
        params={"query": "ASK {}"},
        data="ASK {}",
        headers={"Content-Type": "application/sparql-query"},
    )
    assert both_places.status_code == 400


def test_query_and_update_together_are_400(endpoint):
    response = requests.post(endpoint.sparql, data={"query": "ASK {}", "update": "CLEAR ALL"})
    assert response.status_code == 400
    assert "not both" in response.text


def test_wrong_content_type_is_415(endpoint):
    response = requests.post(endpoint.sparql, data="ASK {}", headers={"Content-Type": "text/plain"})
    assert response.status_code == 415
    assert "application/sparql-query" in response.text


def test_too_long_query_is_413(endpoint):
    long_query = "ASK { }" + " " * 6000  # the shared server allows 5000 characters
    assert requests.get(endpoint.sparql, params={"query": long_query}).status_code == 413
    assert requests.post(endpoint.sparql, data={"query": long_query}).status_code == 413
    direct = requests.post(
        endpoint.sparql, data=long_query, headers={"Content-Type": "application/sparql-query"}
    )
    assert direct.status_code == 413
    assert "5000" in direct.text
    huge = requests.post(endpoint.sparql, data={"query": "x" * 100_000})
    assert huge.status_code == 413


def test_bad_graph_iri_and_bad_encoding_are_400(endpoint):
    response = requests.get(
        endpoint.sparql, params={"query": "ASK {}", "default-graph-uri": "not an iri"}
    )
    assert response.status_code == 400
    assert "default-graph-uri" in response.text
    garbage = requests.post(
        endpoint.sparql, data=b"ASK {\xff}", headers={"Content-Type": "application/sparql-query"}
    )
    assert garbage.status_code == 400


def test_other_methods_and_paths_are_plain_4xx(endpoint):
    put = requests.put(endpoint.sparql, data="ASK {}")
    assert put.status_code == 405
    assert "GET" in put.headers["Allow"]
    missing = requests.get(endpoint.base + "no-such-page")
    assert missing.status_code == 404
    assert "<html" not in missing.text.lower()


def test_a_function_the_engine_does_not_know_is_a_client_error(endpoint):
    query = "SELECT * WHERE { BIND(<http://example.org/no-such-function>(1) AS ?x) }"
    response = requests.post(endpoint.sparql, data={"query": query}, headers=JSON)
    assert response.status_code == 400
    assert "no-such-function" in response.text
