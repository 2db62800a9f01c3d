"""`sdkg link fetch` reads answers as untrusted input: the contributions' safe parser, a
size limit and a time limit. Hostile stand-in endpoints on 127.0.0.1."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from support.linking_cli import FIXTURES, sdkg

NT_LINE = (
    b'<http://www.wikidata.org/entity/Q1> <http://www.w3.org/2000/01/rdf-schema#label> "one"@en .\n'
)


@contextmanager
def endpoint(answer) -> Iterator[tuple[str, list[str]]]:
    """An HTTP server whose every request is answered by ``answer(handler)``; yields its
    URL and the list of paths it was asked for."""
    asked: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's names)
            asked.append(self.path)
            answer(self)

        do_POST = do_GET

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/sparql", asked
    finally:
        server.shutdown()
        server.server_close()


def fixed(media_type: str, body: bytes, length: int | None = None):
    def answer(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", media_type)
        handler.send_header("Content-Length", str(len(body) if length is None else length))
        handler.end_headers()
        handler.wfile.write(body)

    return answer


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(FIXTURES / "data", target)
    return target


def fetch(url: str, data_dir: Path, *extra: str):
    return sdkg(
        "link", "fetch", "--source", "wikidata", "--endpoint", url, "--data", data_dir,
        "--max-retries", "0", *extra,
    )  # fmt: skip


def test_remote_json_ld_context_is_never_fetched(data_dir: Path) -> None:
    with endpoint(fixed("application/ld+json", b"{}")) as (context_url, context_asked):
        body = (
            b'{"@context": "' + context_url.encode() + b'", "@id": "http://www.wikidata.org/'
            b'entity/Q1", "label": "one"}'
        )
        with endpoint(fixed("application/ld+json", body)) as (url, _):
            run = fetch(url, data_dir)
    assert run.returncode == 1
    assert "remote JSON-LD contexts are not fetched" in run.stderr
    assert context_asked == []
    assert not (data_dir / "external" / "wikidata.ttl").exists()


def test_xml_entities_are_refused(data_dir: Path) -> None:
    body = b"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">
  <rdf:Description rdf:about="http://www.wikidata.org/entity/Q1">
    <rdfs:label>&lol2;</rdfs:label>
  </rdf:Description>
</rdf:RDF>"""
    with endpoint(fixed("application/rdf+xml", body)) as (url, _):
        run = fetch(url, data_dir)
    assert run.returncode == 1
    assert "XML entity declarations and external references are refused" in run.stderr
    assert not (data_dir / "external" / "wikidata.ttl").exists()


def test_an_answer_over_the_size_limit_is_refused(data_dir: Path) -> None:
    with endpoint(fixed("application/n-triples", NT_LINE, length=1 << 30)) as (url, _):
        run = fetch(url, data_dir, "--timeout", "5")
    assert run.returncode == 1
    assert "sent an answer larger than the limit of 33554432 bytes" in run.stderr
    assert "use a smaller --batch-size" in run.stderr


def test_a_trickling_answer_is_cut_at_the_time_limit(data_dir: Path) -> None:
    """Each line comes within the per-read timeout, but the whole answer would take 4 s."""

    def trickle(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/n-triples")
        handler.send_header("Content-Length", str(len(NT_LINE) * 16))
        handler.end_headers()
        try:
            for _ in range(16):
                handler.wfile.write(NT_LINE)
                handler.wfile.flush()
                time.sleep(0.25)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up, as it should

    with endpoint(trickle) as (url, _):
        run = fetch(url, data_dir, "--timeout", "1")
    assert run.returncode == 1, run.stdout
    assert "the answer was not complete within 1 s" in run.stderr
    assert not (data_dir / "external" / "wikidata.ttl").exists()
