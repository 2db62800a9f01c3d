"""A stand-in SPARQL endpoint for the linking tests, on 127.0.0.1 (never the real web).

A threaded ``http.server`` backed by pyoxigraph answers CONSTRUCT queries over
fixture data. A *script* makes it misbehave on purpose, one entry per request
in order: ``"ok"`` answers, ``"429"`` asks to come back (``Retry-After: 1``),
``"500"`` fails, ``"hang"`` says nothing for ``hang_seconds``. After the
script, every request is answered. Each request is recorded (time, User-Agent,
query) so tests can count batches and check headers.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import pyoxigraph


@dataclass
class Seen:
    at: float
    user_agent: str
    query: str


class StandInEndpoint:
    def __init__(self, data: Path, script: list[str] | None = None, hang_seconds: float = 5.0):
        self.store = pyoxigraph.Store()
        self.store.load(path=str(data), format=pyoxigraph.RdfFormat.TURTLE)
        self.script = list(script or [])
        self.hang_seconds = hang_seconds
        self.seen: list[Seen] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}/sparql"

    def __enter__(self) -> StandInEndpoint:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._server.shutdown()
        self._server.server_close()

    def _next_behaviour(self, seen: Seen) -> str:
        with self._lock:
            self.seen.append(seen)
            return self.script.pop(0) if self.script else "ok"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # keep test output quiet
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                query = parse_qs(body.decode("utf-8")).get("query", [""])[0]
                seen = Seen(time.monotonic(), self.headers.get("User-Agent", ""), query)
                behaviour = endpoint._next_behaviour(seen)
                if behaviour == "hang":
                    endpoint._stop.wait(endpoint.hang_seconds)
                    return
                if behaviour == "429":
                    self._send(429, b"slow down", "text/plain", {"Retry-After": "1"})
                    return
                if behaviour == "500":
                    self._send(500, b"internal error", "text/plain")
                    return
                try:
                    triples = endpoint.store.query(query)
                    answer = triples.serialize(format=pyoxigraph.RdfFormat.N_TRIPLES)
                except (SyntaxError, OSError, ValueError) as exc:
                    self._send(400, str(exc).encode(), "text/plain")
                    return
                self._send(200, answer, "application/n-triples")

            def _send(
                self, status: int, body: bytes, media_type: str, headers: dict | None = None
            ) -> None:
                self.send_response(status)
                self.send_header("Content-Type", media_type)
                self.send_header("Content-Length", str(len(body)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

        return Handler
