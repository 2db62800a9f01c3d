"""SERVICE reaches allow-listed endpoints only, however the query is written (no SSRF).

A loopback endpoint that counts connections stands for the address an attacker wants
the server to reach. Each spelling below hides a SERVICE call to it from a text-level
lexer (comments ended by CR, escapes inside IRIs and prefixed names, strings of every
quoting kind, ``<`` read as an IRI or as an operator, ...); none may reach it, and none
may be answered with a 500. A Hypothesis property then generates queries and checks that
the endpoint is reached only when the server allows it and the query names it.
"""

from __future__ import annotations

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.servers import ENDPOINT_DATA, start_on
from support.ssrf import CountingEndpoint

JSON = {"Accept": "application/sparql-results+json"}
PATTERN = "{ ?s ?p ?o }"


@pytest.fixture(scope="module")
def target():
    endpoint = CountingEndpoint()
    yield endpoint
    endpoint.close()


@pytest.fixture(scope="module")
def default_server(start_server):
    """The default allow-list (Wikidata, DBpedia): the target is not on it."""
    return start_server("--memory", "--data", str(ENDPOINT_DATA))


@pytest.fixture(scope="module")
def closed_server(start_server):
    return start_server("--memory", "--data", str(ENDPOINT_DATA), "--allow-service", "none")


@pytest.fixture(scope="module")
def allowing_server(start_server, target):
    """Allows the target only: queries naming it run with the network open."""
    return start_server("--memory", "--data", str(ENDPOINT_DATA), "--allow-service", target.url)


def hidden_spellings(url: str) -> list[str]:
    """Queries that call ``url`` (or its host) through SERVICE, each spelled to slip past
    a text lexer that reads comments, strings, escapes or ``<`` differently from the engine."""
    base = url.rsplit("/", 1)[0] + "/"
    escaped = url.replace("sparql", "sp\\u0061rql")
    long_escaped = url.replace("sparql", "sp\\U00000061rql")
    escaped_base = base.replace("127", "1\\u00327")
    clause = f"SERVICE <{url}> {PATTERN}"
    return [
        f"SELECT * {{ {clause} }}",
        f"select * {{ service <{url}> {PATTERN} }}",
        f"SELECT * {{ SeRvIcE SILENT <{url}> {PATTERN} }}",
        f"SELECT * {{ # a comment ended by CR\r{clause} }}",
        f"SELECT * {{ # a comment ended by CRLF\r\n{clause} }}",
        f"# header\rSELECT * {{ {clause} }}",
        f"SELECT * {{ SERVICE <{escaped}> {PATTERN} }}",
        f"SELECT * {{ SERVICE SILENT <{long_escaped}> {PATTERN} }}",
        f"PREFIX e: <{base}> SELECT * {{ SERVICE e:sp\\-rql {PATTERN} }}",
        f"PREFIX e: <{base}> SELECT * {{ SERVICE e:sparql {PATTERN} }}",
        f"PREFIX e: <{escaped_base}> SELECT * {{ SERVICE e:x {PATTERN} }}",
        f"SELECT * {{ BIND('#' AS ?a) {clause} }}",
        f'SELECT * {{ BIND("#\\"" AS ?a) {clause} }}',
        f"SELECT * {{ BIND('''#'x''' AS ?a) {clause} }}",
        f'SELECT * {{ BIND("""#"x""" AS ?a) {clause} }}',
        f"SELECT * {{ BIND('a\\'' AS ?a) {clause} }}",
        f'SELECT * {{ BIND("x\r" AS ?a) {clause} }}',
        f'SELECT * {{ VALUES (?a ?b ?c) {{ (1 2 true) }} FILTER(?a<?b&&#>"""\n?c) '
        f'{clause} #"""\n}}',
        f"SELECT * {{ {{ SELECT * {{ {clause} }} }} }}",
        f"SELECT * {{ {{ SELECT ?s {{ ?s ?p ?o }} LIMIT 1 }} OPTIONAL {{ {clause} }} }}",
        f"ASK {{ {clause} }}",
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {clause} }}",
        f"CONSTRUCT WHERE {{ {clause} }}",
        f"DESCRIBE ?s WHERE {{ {clause} }}",
        f"SELECT * {{ BIND(<{url}> AS ?e) SERVICE ?e {PATTERN} }}",
        f"SELECT * {{ VALUES ?e {{ <{url}> }} SERVICE SILENT ?e {PATTERN} }}",
        f"SELECT * {{ SERVICE <{url}> {{ }} }}",
        f"SELECT * {{ ?x ?y ?z . SERVICE <{url}> {{ BIND(1 AS ?one) }} }}",
    ]


def ask_all(server, queries: list[str]) -> list[requests.Response]:
    return [
        requests.post(server.sparql, data={"query": q}, headers=JSON, timeout=60) for q in queries
    ]


@pytest.mark.parametrize("server_name", ["default_server", "closed_server"])
def test_no_spelling_reaches_an_endpoint_off_the_allow_list(request, server_name, target):
    server = request.getfixturevalue(server_name)
    before = target.connections
    responses = ask_all(server, hidden_spellings(target.url))
    assert target.connections == before
    for query, response in zip(hidden_spellings(target.url), responses, strict=True):
        # Refused (403), unreadable (400), or run without the call: never a server error.
        assert response.status_code in (200, 400, 403), (query, response.text)
        if response.status_code == 200:
            assert "hit" not in response.text


def test_a_remote_store_is_never_handed_a_hidden_service(start_server, store_args, target):
    """In front of another store (Virtuoso here) the text is all sdkg can check: the strict
    rule refuses every spelling before the store sees it."""
    server = start_on(start_server, store_args, "virtuoso", "endpoint", "--data",
                      str(ENDPOINT_DATA))  # fmt: skip
    before = target.connections
    queries = hidden_spellings(target.url)
    responses = ask_all(server, queries)
    assert target.connections == before
    for query, response in zip(queries, responses, strict=True):
        assert response.status_code in (400, 403), (query, response.text)
    assert "Traceback" not in server.log_text()


def test_a_hidden_service_beside_an_allowed_one_is_refused(allowing_server, target):
    other = CountingEndpoint()
    try:
        allowed_clause = f"SERVICE <{target.url}> {PATTERN}"
        queries = [
            f"SELECT * {{ {allowed_clause} {q[q.index('{') + 1 :]}"
            for q in hidden_spellings(other.url)
        ]
        responses = ask_all(allowing_server, queries)
        assert other.connections == 0
        for query, response in zip(queries, responses, strict=True):
            assert response.status_code in (400, 403), (query, response.text)
    finally:
        other.close()


def test_an_allowed_endpoint_is_reached_and_answers(allowing_server, target):
    before = target.connections
    query = f"# calls the Query Service\nSELECT ?x {{ SERVICE <{target.url}> {{ ?x ?p ?o }} }}"
    response = requests.post(allowing_server.sparql, data={"query": query}, headers=JSON)
    assert response.status_code == 200, response.text
    assert [b["x"]["value"] for b in response.json()["results"]["bindings"]] == ["hit"]
    assert target.connections == before + 1


def test_the_word_service_in_a_string_is_fine_in_an_ordinary_query(default_server):
    query = 'SELECT ?x { BIND("Foreign Service" AS ?x) }'
    response = requests.post(default_server.sparql, data={"query": query}, headers=JSON)
    assert response.status_code == 200, response.text
    assert response.json()["results"]["bindings"][0]["x"]["value"] == "Foreign Service"


def test_the_refusal_says_why(allowing_server, target):
    query = f'SELECT * {{ SERVICE <{target.url}> {PATTERN} BIND("service" AS ?x) }}'
    response = requests.post(allowing_server.sparql, data={"query": query}, headers=JSON)
    assert response.status_code == 403
    assert "the word SERVICE at line 1" in response.text
    assert "not in strings" in response.text


# --------------------------------------------------------------------------- property


def _keyword(word: str) -> st.SearchStrategy[str]:
    return st.sampled_from([word, word.lower(), word.capitalize()])


_separators = st.sampled_from([" ", "\n", "\r", "\r\n", "\t", " # c\r", " # c\n", " #\r\n"])
_fillers = st.sampled_from(
    [
        "",
        "BIND('#' AS ?f1)",
        'BIND("#" AS ?f2)',
        "BIND('''#\n''' AS ?f3)",
        'BIND("""#""" AS ?f4)',
        'BIND("service" AS ?f5)',
        "FILTER(1<2&&#>\n3>2)",
        "?s ?p ?o .",
    ]
)


@st.composite
def generated_query(draw, url: str) -> tuple[str, bool]:
    """A query with one SERVICE clause somewhere, and whether it names ``url`` itself."""
    base = url.rsplit("/", 1)[0] + "/"
    other = "https://elsewhere.invalid/sparql"
    names_url = draw(st.booleans())
    endpoint = url if names_url else other
    escaped = endpoint.replace("sparql", "sp\\u0061rql")
    spelled = draw(
        st.sampled_from(
            [
                f"<{endpoint}>",
                f"<{escaped}>",
                "e:sparql" if names_url else "e:elsewhere",
                "?endpoint",
            ]
        )
    )
    sep = draw(_separators)
    silent = draw(st.sampled_from(["", draw(_keyword("SILENT")) + sep]))
    clause = f"{draw(_keyword('SERVICE'))}{sep}{silent}{spelled}{sep}{PATTERN}"
    binding = f"BIND(<{endpoint}> AS ?endpoint)"
    body = f"{draw(_fillers)}{draw(_separators)}{binding} {clause}{draw(_separators)}"
    form = draw(st.sampled_from(["select", "ask", "construct", "describe", "subquery"]))
    where = f"{{ {body} }}"
    query = {
        "select": f"SELECT * {where}",
        "ask": f"ASK {where}",
        "construct": f"CONSTRUCT {{ ?s ?p ?o }} WHERE {where}",
        "describe": f"DESCRIBE ?s WHERE {where}",
        "subquery": f"SELECT * {{ {{ SELECT * {where} }} }}",
    }[form]
    return f"PREFIX e: <{base}>{draw(_separators)}{query}", names_url


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_property_the_endpoint_is_reached_only_when_allowed_and_named(
    data, target, default_server, allowing_server
):
    allowed = data.draw(st.booleans(), label="server allows the endpoint")
    query, names_url = data.draw(generated_query(target.url), label="query")
    server = allowing_server if allowed else default_server
    before = target.connections
    response = requests.post(server.sparql, data={"query": query}, headers=JSON, timeout=60)
    assert response.status_code != 500, response.text
    if target.connections > before:
        assert allowed and names_url, query


def test_no_traceback_in_the_logs_after_hostile_queries(
    default_server, closed_server, allowing_server, target
):
    ask_all(default_server, hidden_spellings(target.url))
    for server in (default_server, closed_server, allowing_server):
        log = server.log_text()
        assert "Traceback" not in log
        assert "unsendable" not in log
