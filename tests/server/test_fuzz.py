"""Fuzzing with Hypothesis against a real server: random and mutated SPARQL queries,
query strings, headers, raw HTTP requests and RDF bodies.

The server must never answer 500 and never die: after each test the arbiter is the
same process, it answers /healthz, no worker was started other than to replace one
recycled after a query timeout, and its log holds no traceback. Each test is bounded
in examples; the whole file runs in well under a minute.
"""

from __future__ import annotations

import re
import socket
import string
from urllib.parse import urlencode

import pytest
import requests
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from support.robustness import STORE_ARGS

from sdkg.resources import bundled_path

# No example database (nothing written into the worktree); no per-example deadline (a
# query may legitimately hit the server's 2 s limit).
FUZZ = settings(
    max_examples=300,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
FEW = settings(FUZZ, max_examples=100)


FUZZ_TOKEN = "fuzz-token-0123456789"


@pytest.fixture(scope="module")
def target(start_server, tmp_path_factory):
    """The fuzzed server: short time limit, no federation (nothing may leave loopback),
    contributions open to ``FUZZ_TOKEN`` so RDF bodies reach the contribution parser."""
    tokens = tmp_path_factory.mktemp("fuzz-tokens") / "tokens"
    tokens.write_text(f"{FUZZ_TOKEN} https://w3id.org/sdkg/id/fuzzer\n")
    server = start_server(
        *STORE_ARGS, "--timeout", "2", "--max-query-length", "3000", "--allow-service", "none",
        "--tokens-file", str(tokens),
    )  # fmt: skip
    yield server
    assert server.process.poll() is None, "the server died"
    assert server.health()["status"] == "ok"
    log = server.log_text()
    assert "Traceback" not in log
    assert "unexpected error" not in log
    # Every worker beyond the first replaced one recycled after a timeout, none crashed.
    booted = len(re.findall(r"Booting worker", log))
    recycled = len(re.findall(r"recycling worker", log))
    assert booted == 1 + recycled, log[-3000:]


def check(response: requests.Response) -> None:
    """No 5xx, except the documented 503 of a query stopped at the time limit."""
    event(f"status {response.status_code}")  # shown by pytest --hypothesis-show-statistics
    if response.status_code == 503:
        assert "exceeded the 2 s limit" in response.text
        assert response.headers["Retry-After"]
        return
    assert response.status_code < 500, (response.status_code, response.text[:500])
    if response.status_code >= 400:
        # Errors are plain text a person can read, or (a rejected contribution: 422) the
        # JSON validation report; never HTML debris or a traceback.
        content_type = response.headers["Content-Type"]
        assert content_type.startswith(("text/plain", "application/json")), content_type
        if content_type.startswith("application/json"):
            assert "results" in response.json() or "error" in response.json()
        assert "Traceback" not in response.text


def send(server, how: str, query: str, **extra) -> requests.Response:
    """Send ``query`` the way a client would: GET, POST form or POST direct."""
    if how == "get":
        return requests.get(server.sparql, params={"query": query}, timeout=30, **extra)
    if how == "form":
        return requests.post(server.sparql, data={"query": query}, timeout=30, **extra)
    headers = {"Content-Type": "application/sparql-query", **extra.pop("headers", {})}
    return requests.post(
        server.sparql, data=query.encode("utf-8"), headers=headers, timeout=30, **extra
    )


# Text a client can send: any character but lone surrogates (not encodable as UTF-8).
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=300)
HOW = st.sampled_from(["get", "form", "direct"])


@FUZZ
@given(query=TEXT, how=HOW)
def test_random_text_as_a_query(target, query, how):
    check(send(target, how, query))


# ------------------------------------------------------------------ mutated SPARQL

SEEDS = [path.read_text(encoding="utf-8") for path in sorted(bundled_path("queries").rglob("*.rq"))]
SEEDS += [
    "ASK { ?s ?p ?o }",
    "DESCRIBE <https://w3id.org/sdkg/id/cas>",
    "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 5",
    'SELECT * WHERE { ?s ?p ?o FILTER(REGEX(STR(?o), "^a.*", "i")) } LIMIT 3',
]
SPARQL_PIECES = [
    "SELECT", "ASK", "CONSTRUCT", "DESCRIBE", "WHERE", "{", "}", "(", ")", ".", ";", ",",
    "?x", "$y", "*", "<https://w3id.org/sdkg/id/cas>", "<>", "<a b>", "sdkg:", "_:b",
    '"text"', '"""long', "'", "@en", "@zz-Latn-123", "^^xsd:int", "42", "-1e308", "NaN",
    "FILTER", "REGEX(", "OPTIONAL", "UNION", "MINUS", "GRAPH ?g", "SERVICE", "SERVICE <http://127.0.0.1:1/>",
    "VALUES ?x { 1 2 }", "BIND(1 AS ?x)", "GROUP BY", "HAVING", "ORDER BY", "LIMIT", "OFFSET",
    "COUNT(*)", "SUM(", "PREFIX p: <urn:x#>", "BASE <relative>", "FROM <urn:g>", "FROM NAMED",
    "INSERT DATA", "DELETE WHERE", "LOAD <http://127.0.0.1:1/>", "CLEAR ALL", "#", "\n",
    "\x00", "\ufeff", "\u202e", "中文", "\\u0000", "%00", "{{{{{{{{{{", "))))))))",
    "SELECT * WHERE { ?s ?p ?o } LIMIT 1",
]  # fmt: skip


@st.composite
def mutated_sparql(draw: st.DrawFn) -> str:
    """A real query with a few edits: spans cut, duplicated, or replaced by SPARQL pieces."""
    text = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(1, 4))):
        start = draw(st.integers(0, len(text)))
        end = draw(st.integers(start, min(len(text), start + 40)))
        edit = draw(st.sampled_from(["cut", "duplicate", "insert", "replace"]))
        piece = draw(st.sampled_from(SPARQL_PIECES) | TEXT.map(lambda t: t[:20]))
        if edit == "cut":
            text = text[:start] + text[end:]
        elif edit == "duplicate":
            text = text[:end] + text[start:end] + text[end:]
        elif edit == "insert":
            text = text[:start] + piece + text[start:]
        else:
            text = text[:start] + piece + text[end:]
    return text


@FUZZ
@given(query=mutated_sparql(), how=HOW)
def test_mutated_sparql_queries(target, query, how):
    check(send(target, how, query))


# ------------------------------------------------------------------ query strings

PARAM_NAMES = ["query", "update", "format", "default-graph-uri", "named-graph-uri", "callback"]
VALUES = (
    TEXT
    | st.sampled_from(
        ["json", "xml", "csv", "tsv", "turtle", "nt", "jsonld", "rdfxml", "html", "trig", "nq",
         "https://w3id.org/sdkg/graph/organizations", "urn:x", "not an iri", "ASK {}",
         "SELECT * WHERE { ?s ?p ?o } LIMIT 2", "DESCRIBE ?s WHERE { ?s ?p ?o } LIMIT 1"]
    )
)  # fmt: skip
PATHS = ["sparql", ".well-known/void", "dump", "healthz", "metrics", "", "id/cas", "search"]


@FUZZ
@given(
    path=st.sampled_from(PATHS),
    params=st.lists(st.tuples(st.sampled_from(PARAM_NAMES) | TEXT, VALUES), max_size=5),
)
def test_random_query_strings(target, path, params):
    check(requests.get(target.base + path, params=params, timeout=30))


@FEW
@given(
    path=st.sampled_from(PATHS),
    params=st.lists(st.tuples(st.sampled_from(PARAM_NAMES) | TEXT, VALUES), max_size=5),
    content_type=st.sampled_from(
        ["application/x-www-form-urlencoded", "application/sparql-query", "text/turtle"]
    ),
)
def test_random_form_posts(target, path, params, content_type):
    body = urlencode(params)
    response = requests.post(
        target.base + path, data=body, headers={"Content-Type": content_type}, timeout=30
    )
    check(response)


# ------------------------------------------------------------------ headers

MEDIA_TYPES = [
    "application/sparql-results+json", "application/sparql-results+xml", "text/csv",
    "text/tab-separated-values", "text/turtle", "application/n-triples", "application/ld+json",
    "application/rdf+xml", "text/html", "application/json", "*/*", "text/*", "image/png",
    "application/sparql-query", "application/x-www-form-urlencoded", "application/sparql-update",
    "multipart/form-data; boundary=x", "",
]  # fmt: skip
# Header values a client can put on the wire: visible Latin-1, spaces and tabs.
# A value may not start with white space (requests refuses to send one, e.g. "\x85").
HEADER_TEXT = st.text(
    st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f"),
    max_size=80,
).filter(lambda value: not value[:1].isspace())
MEDIA_RANGE = st.builds(
    lambda media, q, junk: f"{media};q={q}{junk}",
    st.sampled_from(MEDIA_TYPES),
    st.sampled_from(["1", "0.5", "0", "2", "-1", "x", "0.0001"]),
    st.sampled_from(["", ";charset=utf-8", ";charset=utf-7", ";charset=nope", ";;", "=,"]),
)
ACCEPT = st.lists(MEDIA_RANGE | HEADER_TEXT, max_size=4).map(", ".join)
CONTENT_TYPE = st.builds(
    lambda media, charset: media + charset,
    st.sampled_from(MEDIA_TYPES) | HEADER_TEXT,
    st.sampled_from(["", "; charset=utf-8", "; charset=latin-1", "; charset=utf-32",
                     "; charset=x-unknown", "; charset="]),
)  # fmt: skip


@FUZZ
@given(
    accept=ACCEPT,
    content_type=CONTENT_TYPE,
    extra=st.dictionaries(
        st.text(string.ascii_letters + "-", min_size=1, max_size=20), HEADER_TEXT, max_size=3
    ),
    body=st.binary(max_size=300) | mutated_sparql().map(lambda q: q.encode("utf-8")),
    method=st.sampled_from(["GET", "POST", "OPTIONS", "HEAD", "PUT", "DELETE"]),
    path=st.sampled_from(PATHS),
)
def test_random_headers_and_bodies(target, accept, content_type, extra, body, method, path):
    headers = {**extra, "Accept": accept, "Content-Type": content_type}
    response = requests.request(
        method, target.base + path, params={"query": "ASK {}"} if method == "GET" else None,
        headers=headers, data=body, timeout=30,
    )  # fmt: skip
    check(response)


# ------------------------------------------------------------------ raw HTTP


def raw_exchange(server, request: bytes) -> bytes:
    """Send bytes as they are and read the answer's status line (or b"" if closed)."""
    host, port = server.base.removeprefix("http://").rstrip("/").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(request)
        sock.shutdown(socket.SHUT_WR)
        answer = b""
        while b"\r\n" not in answer:
            chunk = sock.recv(4096)
            if not chunk:
                break
            answer += chunk
    return answer.split(b"\r\n", 1)[0]


@FEW
@given(
    method=st.sampled_from([b"GET", b"POST", b"BREW", b"get", b"G\x00T", b""]),
    target_path=(
        st.binary(max_size=60)
        | st.text(string.ascii_letters + "%{}?<>&=+/", max_size=60).map(str.encode)
    ).map(lambda b: b"/sparql?query=" + b),
    version=st.sampled_from([b"HTTP/1.1", b"HTTP/1.0", b"HTTP/9.9", b"HTTP/1.1 extra", b""]),
    headers=st.lists(st.binary(max_size=40), max_size=4),
)
def test_raw_requests(target, method, target_path, version, headers):
    request = b" ".join(x for x in (method, target_path, version) if x) + b"\r\n"
    request += b"Host: localhost\r\n" + b"".join(h + b"\r\n" for h in headers) + b"\r\n"
    status_line = raw_exchange(target, request)
    event(f"status line {status_line[:12]!r}")
    if status_line:
        assert re.match(rb"HTTP/1\.[01] \d{3}", status_line), status_line
        status = int(status_line.split()[1])
        assert status < 500 or status == 503, status_line


# ------------------------------------------------------------------ RDF bodies

RDF_FORMATS = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
    "application/trig": "trig",
    "application/n-quads": "nquads",
}
NODES = st.sampled_from(
    [URIRef("https://w3id.org/sdkg/id/cas"), URIRef("https://w3id.org/sdkg/id/fuzz"),
     URIRef("http://www.w3.org/2000/01/rdf-schema#label"), BNode("b1")]
)  # fmt: skip
LITERALS = st.builds(
    Literal, TEXT.map(lambda t: t[:40]), lang=st.sampled_from([None, "en", "zh"])
) | st.builds(lambda n: Literal(n), st.integers())


@st.composite
def rdf_bodies(draw: st.DrawFn) -> tuple[str, bytes]:
    """A small graph in one of the accepted formats, sometimes with bytes mangled."""
    media_type = draw(st.sampled_from(sorted(RDF_FORMATS)))
    quads = RDF_FORMATS[media_type] in ("trig", "nquads")
    dataset = Dataset()
    # Quad formats put the triples in a named graph; only a dataset serializes to them.
    graph = dataset.graph(URIRef("https://w3id.org/sdkg/graph/fuzz")) if quads else Graph()
    for _ in range(draw(st.integers(0, 6))):
        subject = draw(NODES)
        predicate = URIRef("https://w3id.org/sdkg/ontology#" + draw(st.sampled_from("abc")))
        graph.add((subject, predicate, draw(NODES | LITERALS)))
    source = dataset if quads else graph
    body = source.serialize(format=RDF_FORMATS[media_type], encoding="utf-8")
    if draw(st.booleans()):
        start = draw(st.integers(0, len(body)))
        body = body[:start] + draw(st.binary(max_size=20)) + body[start + 10 :]
    return media_type, body


@pytest.fixture(scope="module")
def rdf_routes(target) -> list[str]:
    """The RDF-accepting routes this server has (others' parts may not be merged yet)."""
    routes = []
    for route in ("validate", "contributions"):
        response = requests.post(target.base + route, data=b"", timeout=30)
        if response.status_code != 404:
            routes.append(route)
    if not routes:
        pytest.skip("no route accepting RDF bodies (/validate, /contributions) on this server")
    return routes


@FUZZ
@given(body=rdf_bodies(), which=st.integers(0, 1))
def test_rdf_bodies_in_every_accepted_format(target, rdf_routes, body, which):
    media_type, data = body
    route = rdf_routes[which % len(rdf_routes)]
    headers = {"Content-Type": media_type, "Authorization": f"Bearer {FUZZ_TOKEN}"}
    check(requests.post(target.base + route, data=data, headers=headers, timeout=30))
