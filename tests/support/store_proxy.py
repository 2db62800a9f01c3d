"""A loopback HTTP proxy in front of a SPARQL store: slow at will, and a write guard.

``StoreProxy(upstream)`` forwards every request (method, query string, body, headers) to
the store at ``upstream``, after ``delay`` seconds. With ``refuse_writes=True`` it
forwards only what can but read, and answers 403 to, and records in ``writes``, anything
that can write: a method other than GET / POST, a POST that is not a form, an ``update``
parameter, or a ``query`` parameter holding an update (Virtuoso runs those). Whether a
text is an update is decided by rdflib's SPARQL parsers, independently of sdkg.
"""

from __future__ import annotations

import http.server
import threading
import time
from urllib.parse import parse_qs, urlsplit

import requests
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

_HOP_BY_HOP = ("content-length", "transfer-encoding", "connection", "content-encoding")
FORM = "application/x-www-form-urlencoded"


def is_update(text: str) -> bool:
    """True when ``text`` parses as SPARQL Update but not as a query."""
    try:
        parseQuery(text)
        return False
    except Exception:  # noqa: BLE001 (any parse failure: try it as an update)
        pass
    try:
        parseUpdate(text)
        return True
    except Exception:  # noqa: BLE001 (neither: the store will refuse it, it is no write)
        return False


def write_in(method: str, content_type: str, query_string: str, body: bytes) -> str | None:
    """Why this request could write to a store, or ``None`` if it can only read."""
    if method not in ("GET", "POST"):
        return f"{method} (a Graph Store write)"
    fields = parse_qs(query_string)
    if method == "POST":
        if content_type.split(";")[0].strip().lower() != FORM:
            return f"POST of {content_type or 'no Content-Type'}"
        for name, values in parse_qs(body.decode("utf-8", errors="replace")).items():
            fields.setdefault(name, []).extend(values)
    if "update" in fields:
        return "an update parameter"
    if any(is_update(text) for text in fields.get("query", [])):
        return "an update in the query parameter"
    return None


class StoreProxy:
    """A proxy at ``url`` (same path as ``upstream``) forwarding to the store."""

    def __init__(self, upstream: str, *, refuse_writes: bool = False) -> None:
        self.upstream = upstream
        self.delay = 0.0
        self.refuse_writes = refuse_writes
        #: Write attempts refused: (method, reason).
        self.writes: list[tuple[str, str]] = []
        #: Requests forwarded to the store.
        self.forwarded = 0
        self._lock = threading.Lock()
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _forward(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                query_string = urlsplit(self.path).query
                if proxy.refuse_writes:
                    reason = write_in(self.command, self.headers.get("Content-Type", ""),
                                      query_string, body)  # fmt: skip
                    if reason is not None:
                        with proxy._lock:
                            proxy.writes.append((self.command, reason))
                        self._answer(403, {}, f"refused by the test proxy: {reason}".encode())
                        return
                time.sleep(proxy.delay)
                headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
                target = proxy.upstream + (f"?{query_string}" if query_string else "")
                try:
                    answer = requests.request(self.command, target, data=body or None,
                                              headers=headers, timeout=60)  # fmt: skip
                    with proxy._lock:
                        proxy.forwarded += 1
                    self._answer(answer.status_code, answer.headers, answer.content)
                except (requests.RequestException, OSError):
                    pass  # the client gave up (sdkg's timeout): nothing to answer

            def _answer(self, status: int, headers, content: bytes) -> None:
                self.send_response(status)
                for name, value in headers.items():
                    if name.lower() not in _HOP_BY_HOP:
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _forward  # noqa: N815

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        path = urlsplit(upstream).path or "/"
        self.url = f"http://127.0.0.1:{self.server.server_port}{path}"

    def close(self) -> None:
        """Stop serving."""
        self.server.shutdown()
