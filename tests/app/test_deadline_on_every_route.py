"""Every route that reads the store runs under the query deadline, on a remote store too.

The store is a stand-in SPARQL endpoint on 127.0.0.1: a real pyoxigraph store behind a
small HTTP server that answers the SPARQL 1.1 Protocol as sdkg uses it (form POSTs), and
that can be made slow. sdkg reaches it as a read-only remote store. When it is slow, the
entity page, the search, a class page and the home page answer 503 with the query time
limit in a readable message (before, only ``/sparql`` did; the others gave 500), and
``sdkg query`` exits 1 with one line and no traceback.
"""

from __future__ import annotations

import http.server
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs

import pyoxigraph as ox
import pytest
from support.servers import ENDPOINT_DATA

from sdkg.config import Settings
from sdkg.web import create_app

FIXTURES = ENDPOINT_DATA
GRAPH = "https://w3id.org/sdkg/graph/organizations"


@dataclass
class StandIn:
    """A SPARQL endpoint at ``url``; while ``slow`` is set, every query waits for
    ``release`` (set when the test ends) before it is answered."""

    url: str
    store: ox.Store
    slow: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    answered: list[str] = field(default_factory=list)


def _handler(stand_in: StandIn) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:  # sdkg's first request: which authentication
            self._send(200, "text/plain", b"stand-in SPARQL endpoint\n")

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            fields = parse_qs(self.rfile.read(length).decode("utf-8"))
            if stand_in.slow.is_set():
                stand_in.release.wait(60)
                return  # the client gave up long ago
            query = fields["query"][0]
            options = {}
            if "default-graph-uri" in fields:
                options["default_graph"] = [ox.NamedNode(g) for g in fields["default-graph-uri"]]
            if "named-graph-uri" in fields:
                options["named_graphs"] = [ox.NamedNode(g) for g in fields["named-graph-uri"]]
            try:
                result = stand_in.store.query(query, **options)
            except SyntaxError as error:
                self._send(400, "text/plain", str(error).encode())
                return
            if isinstance(result, ox.QuerySolutions | ox.QueryBoolean):
                body = result.serialize(format=ox.QueryResultsFormat.JSON)
                self._send(200, "application/sparql-results+json", body)
            else:
                body = ox.serialize(result, format=ox.RdfFormat.N_TRIPLES) or b""
                self._send(200, "application/n-triples", body)
            stand_in.answered.append(query)

        def _send(self, status: int, media_type: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", media_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


@pytest.fixture
def stand_in() -> Iterator[StandIn]:
    store = ox.Store()
    store.load(path=FIXTURES / "organizations.ttl", format=ox.RdfFormat.TURTLE,
               to_graph=ox.NamedNode(GRAPH))  # fmt: skip
    stand_in = StandIn("", store)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(stand_in))
    server.daemon_threads = True
    stand_in.url = f"http://127.0.0.1:{server.server_address[1]}/sparql"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield stand_in
    stand_in.release.set()
    server.shutdown()
    server.server_close()


@pytest.fixture
def remote_app(stand_in: StandIn, tmp_path: Path):
    settings = Settings(
        store_url=stand_in.url,
        store_read_only=True,
        store_dir=tmp_path / "store",
        data_dir=FIXTURES,
        timeout=1.0,
        rate_limit=0,
    )
    return create_app(settings)


PAGES = ["/id/cas", "/search?q=academy", "/class/ResearchOrganization", "/"]


@pytest.mark.parametrize("path", PAGES)
def test_pages_of_a_remote_store_answer(remote_app, stand_in: StandIn, path: str) -> None:
    response = remote_app.test_client().get(path)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert stand_in.answered, "the page was read from the stand-in store"


@pytest.mark.parametrize("path", PAGES)
def test_a_slow_remote_store_gives_503_on_every_page(remote_app, stand_in: StandIn,
                                                      path: str) -> None:  # fmt: skip
    client = remote_app.test_client()
    stand_in.slow.set()
    response = client.get(path)
    text = response.get_data(as_text=True)
    assert response.status_code == 503, text[:500]
    assert "exceeded the 1 s limit" in text
    assert response.headers["Retry-After"] == "5"
    assert "Traceback" not in text and "internal server error" not in text


def test_sparql_on_a_slow_remote_store_still_answers_503(remote_app, stand_in: StandIn) -> None:
    client = remote_app.test_client()
    stand_in.slow.set()
    response = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o }"},
                          headers={"Accept": "application/sparql-results+json"})  # fmt: skip
    assert response.status_code == 503
    assert "exceeded the 1 s limit" in response.get_data(as_text=True)


def _sdkg_query(stand_in: StandIn, tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "HOME": str(tmp_path), "SDKG_TIMEOUT": "1"}
    env = {k: v for k, v in env.items() if not k.startswith("SDKG_") or k == "SDKG_TIMEOUT"}
    command = [sys.executable, "-m", "sdkg.cli", "query", "--store-url", stand_in.url,
               "--store-read-only", "--store", str(tmp_path / "store"), "--data",
               str(FIXTURES), *args]  # fmt: skip
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)


def test_sdkg_query_on_a_slow_remote_store_exits_1_without_traceback(stand_in, tmp_path) -> None:
    # The stand-in answers the start-up (catalogue) queries, then becomes slow.
    fast = _sdkg_query(stand_in, tmp_path, "--query", "ASK { ?s ?p ?o }")
    assert fast.returncode == 0, fast.stderr
    stand_in.slow.set()
    result = _sdkg_query(stand_in, tmp_path, "--query", "SELECT * WHERE { ?s ?p ?o }")
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("cannot run this query:")
