"""Serving under hostile clients: slow senders, oversized chunked bodies, failing SERVICE
endpoints; and headers every response carries.

Every test here talks to a real ``sdkg serve`` on loopback. Slow clients are bounded:
a fixed number of sockets, each sending a fixed request a byte at a time, then closing.
"""

from __future__ import annotations

import socket
import threading
import time

import pytest
import requests
from support.servers import ENDPOINT_DATA
from support.ssrf import CountingEndpoint

JSON = {"Accept": "application/sparql-results+json"}
ASK = "ASK { ?s ?p ?o }"


@pytest.fixture(scope="module")
def server(start_server):
    return start_server("--memory", "--data", str(ENDPOINT_DATA), "--threads", "4")


def _dribble(port: int, request: bytes, pause: float, events: list, name: str) -> None:
    """Send ``request`` one byte every ``pause`` seconds, then read the answer and close."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        try:
            for byte in request:
                sock.sendall(bytes([byte]))
                time.sleep(pause)
            events.append((name, "sent"))
            answer = sock.recv(4096)
            events.append((name, "answered" if answer else "closed"))
        except OSError:
            events.append((name, "cut"))


def test_slow_clients_do_not_take_the_service_from_others(server):
    """Six slow clients (more than the four request threads), three dribbling headers and
    three a POST body: a normal client is answered while all of them are still sending."""
    port = int(server.base.rsplit(":", 1)[1].strip("/"))
    query = b"query=ASK+%7B%7D"
    slow_get = b"GET /sparql?query=ASK+%7B%7D HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    slow_post = (
        b"POST /sparql HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\n"
        b"Content-Length: %d\r\n\r\n%s" % (len(query), query)
    )
    events: list = []
    clients = [
        threading.Thread(
            target=_dribble,
            # Each takes about 8 s to send its request: within the header time limit.
            args=(port, request, 8 / len(request), events, f"slow{n}"),
            daemon=True,
        )
        for n, request in enumerate([slow_get] * 3 + [slow_post] * 3)
    ]
    for client in clients:
        client.start()
    time.sleep(1.0)  # every slow client has a connection and is sending
    for _ in range(5):
        response = requests.get(server.sparql, params={"query": ASK}, headers=JSON, timeout=60)
        assert response.status_code == 200
        events.append(("normal", "answered"))
    for client in clients:
        client.join(60)
    normal_done = events.index(("normal", "answered")) + 4
    first_slow_done = min(i for i, (name, _) in enumerate(events) if name.startswith("slow"))
    # Order of events: all five normal answers came before any slow client finished sending.
    assert normal_done < first_slow_done, events
    # ... and the slow clients were answered too, once their requests were complete.
    assert sorted(e for e in events if e[0].startswith("slow") and e[1] == "answered") == [
        (f"slow{n}", "answered") for n in range(6)
    ], events


def _chunked(body: bytes, size: int = 8192) -> bytes:
    chunks = [body[i : i + size] for i in range(0, len(body), size)]
    return b"".join(b"%x\r\n%s\r\n" % (len(c), c) for c in chunks) + b"0\r\n\r\n"


def _raw(port: int, data: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(data)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
        return answer


@pytest.mark.parametrize(
    ("path", "content_type", "body"),
    [
        ("/sparql", "application/sparql-query", b"ASK {} #" + b"x" * 400_000),
        ("/sparql", "application/x-www-form-urlencoded", b"query=" + b"x" * 400_000),
        ("/validate", "text/turtle", b"# padding\n" * 200_000),
    ],
)
def test_an_oversized_chunked_body_gets_413(server, path, content_type, body):
    port = int(server.base.rsplit(":", 1)[1].strip("/"))
    head = (
        f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: {content_type}\r\n"
        "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    ).encode()
    answer = _raw(port, head + _chunked(body))
    assert answer.startswith(b"HTTP/1.1 413"), answer[:300]
    assert b"limit" in answer


@pytest.mark.parametrize(
    ("method", "path", "params"),
    [
        ("GET", "sparql", {"query": ASK}),
        ("GET", "sparql", {"query": "SELEC nonsense"}),
        ("GET", "sparql", None),
        ("GET", "healthz", None),
        ("GET", "no-such-page", None),
        ("POST", "validate", None),
        ("GET", "dump", None),
    ],
)
def test_every_response_says_nosniff(server, method, path, params):
    response = requests.request(method, server.base + path, params=params, headers=JSON)
    assert response.headers.get("X-Content-Type-Options") == "nosniff", response.status_code


def test_the_http_servers_own_error_answers_say_nosniff(server):
    port = int(server.base.rsplit(":", 1)[1].strip("/"))
    answer = _raw(port, b"GARBAGE / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n")
    head = answer.split(b"\r\n\r\n", 1)[0].lower()
    assert head.startswith(b"http/1.1 400")
    assert b"x-content-type-options: nosniff" in head


def test_a_service_failing_while_results_are_read_leaves_no_traceback(start_server):
    broken = CountingEndpoint(broken=True)
    try:
        server = start_server("--memory", "--data", str(ENDPOINT_DATA), "--allow-service",
                              broken.url)  # fmt: skip
        query = f"SELECT * {{ SERVICE <{broken.url}> {{ ?s ?p ?o }} }}"
        for _ in range(30):
            response = requests.post(server.sparql, data={"query": query}, headers=JSON)
            assert 400 <= response.status_code < 500 or response.status_code == 502
            assert "internal server error" not in response.text
        assert broken.connections == 30
        # Hostile and broken input of every kind the suite sends, then the log.
        requests.get(server.sparql, params={"query": "SELECT * { SERVICE ?x { } }"})
        requests.post(server.base + "validate", data=b"<a> <b> .", headers={"Content-Type":
                      "text/turtle"})  # fmt: skip
        log = server.log_text()
        assert "Traceback" not in log
        assert "unsendable" not in log
    finally:
        broken.close()


def test_closing_a_connection_with_unread_bytes_does_not_stall_others(server):
    """A 413 to uploads the server did not read ends with lingering closes (the clients
    may still be sending): other clients are answered while the server lingers."""
    port = int(server.base.rsplit(":", 1)[1].strip("/"))
    body = b"query=" + b"x" * 400_000
    events: list[str] = []
    answered = threading.Barrier(4)

    def uploader() -> None:
        with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
            sock.sendall(
                b"POST /sparql HTTP/1.1\r\nHost: x\r\n"
                b"Content-Type: application/x-www-form-urlencoded\r\n"
                b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
            )
            answer = b""
            while b"\r\n\r\n" not in answer:
                answer += sock.recv(65536)
            events.append("413" if answer.startswith(b"HTTP/1.1 413") else "other answer")
            answered.wait(30)
            deadline = time.monotonic() + 15
            try:
                while time.monotonic() < deadline:  # still "sending" until the server closes
                    sock.sendall(b"x")
                    time.sleep(0.05)
            except OSError:
                events.append("upload connection closed")

    uploaders = [threading.Thread(target=uploader, daemon=True) for _ in range(3)]
    for thread in uploaders:
        thread.start()
    answered.wait(30)
    time.sleep(0.5)  # the server is lingering on the upload connections by now
    response = requests.get(server.sparql, params={"query": ASK}, headers=JSON, timeout=30)
    assert response.status_code == 200
    events.append("other client answered")
    for thread in uploaders:
        thread.join(30)
    assert events[:3] == ["413"] * 3, events
    # Before any of the lingering connections was closed, the other client was answered.
    assert events.index("other client answered") < events.index("upload connection closed"), events
