"""A loopback SPARQL endpoint that counts every connection made to it.

Used as the address a hostile query tries to reach: a test asserts how many
connections it got (the count is exact: every accepted socket is counted before
anything is read from it).
"""

from __future__ import annotations

import socket
import threading

#: What the endpoint answers to any request: one row, so a reached SERVICE succeeds.
ANSWER = b'{"head":{"vars":["x"]},"results":{"bindings":[{"x":{"type":"literal","value":"hit"}}]}}'


class CountingEndpoint:
    """Accepts connections on 127.0.0.1, counts them, answers each with :data:`ANSWER`."""

    def __init__(self, *, broken: bool = False) -> None:
        #: Answer with a cut result document (the SERVICE call then fails mid-results).
        self.broken = broken
        self._socket = socket.create_server(("127.0.0.1", 0))
        self.port = self._socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/sparql"
        self._count = 0
        self._lock = threading.Lock()
        self._closed = False
        threading.Thread(target=self._accept, name="counting-endpoint", daemon=True).start()

    @property
    def connections(self) -> int:
        """Connections accepted so far."""
        with self._lock:
            return self._count

    def _accept(self) -> None:
        while not self._closed:
            try:
                connection, _ = self._socket.accept()
            except OSError:
                return
            with self._lock:
                self._count += 1
            threading.Thread(target=self._answer, args=(connection,), daemon=True).start()

    def _answer(self, connection: socket.socket) -> None:
        with connection:
            connection.settimeout(5)
            try:
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = connection.recv(65536)
                    if not chunk:
                        return
                    data += chunk
                head, _, body = data.partition(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value.strip())
                while len(body) < length:
                    chunk = connection.recv(65536)
                    if not chunk:
                        return
                    body += chunk
                # A broken endpoint promises more bytes than it sends, then hangs up.
                sent = ANSWER[: len(ANSWER) // 2] if self.broken else ANSWER
                connection.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n"
                    b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(ANSWER) + sent
                )
            except OSError:
                return

    def close(self) -> None:
        """Stop accepting."""
        self._closed = True
        self._socket.close()
