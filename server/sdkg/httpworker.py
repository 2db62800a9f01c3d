"""gunicorn's threaded worker, reading each request whole before a thread takes it.

gunicorn's ``gthread`` worker hands a connection to a request thread as soon as its
first byte arrives; the thread then reads the rest with blocking reads. A client that
sends its headers (or its body) a byte at a time holds that thread for as long as it
likes, and a handful of such clients hold all of them: the service stops.

Here the worker's main loop, which waits on all sockets at once, reads each request
itself without blocking and buffers it: the header block, then a body of known
length (or a chunked body, up to its last chunk), at most :data:`MAX_BUFFERED_BODY`
bytes. Only a complete request goes to a thread, which then never waits for the client.
A request must arrive within :data:`HEADER_TIMEOUT` seconds (headers) and
:data:`BODY_TIMEOUT` seconds (body) or the connection gets ``408 Request Timeout`` and
is closed. So slow clients cost a socket and a small buffer each, never a thread.

``Expect: 100-continue`` is answered here (the client then sends its body) and removed
from the buffered request. A body declared larger than the buffer goes to a thread
at once: the application refuses it (413) without reading it.
"""

from __future__ import annotations

import contextlib
import errno
import re
import selectors
import socket
import time
from functools import partial
from typing import Any

from gunicorn import util
from gunicorn.http.parser import Parser
from gunicorn.workers.gthread import TConn, ThreadWorker

#: Seconds a client has to send a complete header block.
HEADER_TIMEOUT = 10.0
#: Seconds a client has, after its headers, to send the body.
BODY_TIMEOUT = 30.0
#: Seconds a connection that has sent nothing may still start its request once the
#: worker stops (gunicorn gives kept-alive connections as long).
STOP_LINGER = 2.0
#: Largest header block buffered (long GET queries are long request lines).
MAX_BUFFERED_HEADERS = 1 << 20
#: Largest body buffered here; larger ones are refused by the application unread.
MAX_BUFFERED_BODY = 2 << 20

_CONTENT_LENGTH = re.compile(rb"\r\ncontent-length:[ \t]*(\d+)[ \t]*(?=\r\n)", re.IGNORECASE)
_CHUNKED = re.compile(rb"\r\ntransfer-encoding:[^\r\n]*chunked", re.IGNORECASE)
_EXPECT_CONTINUE = re.compile(rb"\r\nexpect:[ \t]*100-continue[ \t]*(?=\r\n)", re.IGNORECASE)
_TIMEOUT_ANSWER = (
    b"HTTP/1.1 408 Request Timeout\r\nContent-Type: text/plain; charset=utf-8\r\n"
    b"X-Content-Type-Options: nosniff\r\nConnection: close\r\nContent-Length: 60\r\n\r\n"
    b"the request was not received in time; send it at full speed\n"
)


def _write_error(sock: Any, status_int: int, reason: str, mesg: str) -> None:
    """gunicorn's own error answers (a malformed request, say) as plain text, with
    ``X-Content-Type-Options: nosniff`` like every answer of the application."""
    body = f"{reason}: {mesg}\n".encode()
    head = (
        f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\n"
        "Content-Type: text/plain; charset=utf-8\r\nX-Content-Type-Options: nosniff\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    util.write_nonblock(sock, head.encode("latin-1", "replace") + body)


class _Reading:
    """A request being read by the main loop."""

    def __init__(self) -> None:
        self.data = bytearray()
        self.deadline = time.monotonic() + HEADER_TIMEOUT
        self.header_end = -1  # offset just past the blank line, once seen
        self.body_length: int | None = None  # None: unknown (chunked) or no body
        self.chunked = False


class _Conn(TConn):
    """A connection whose graceful close lingers in the worker's poller, not in a wait.

    gunicorn closes a connection with unread request bytes gracefully: it half-closes
    and reads until the client closes, for up to 2 s, in the worker's main loop, which
    meanwhile serves nobody (one 503 to a large unread upload stopped every client
    for 2 s).
    """

    worker: BufferedThreadWorker

    def close(self, graceful: bool = False) -> None:
        if graceful:
            self.worker.linger(self)
        else:
            super().close()


class BufferedThreadWorker(ThreadWorker):
    """``gthread`` with requests read whole by the main loop (see the module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.reading: dict[TConn, _Reading] = {}
        self.lingering: dict[TConn, float] = {}  # closing connection -> when to stop

    def init_process(self) -> None:
        # In the worker process only (the arbiter builds this object before the fork);
        # gunicorn's worker writes its own error answers through this module function.
        util.write_error = _write_error
        super().init_process()

    def accept(self, listener: Any) -> None:
        try:
            client, address = listener.accept()
        except OSError as error:
            if error.errno not in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                raise
            return
        self.nr_conns += 1
        conn = _Conn(self.cfg, client, address, listener.getsockname())
        conn.worker = self
        self._start_reading(conn)

    def linger(self, conn: TConn) -> None:
        """Half-close ``conn`` and drain what the client still sends, without waiting:
        the poller reads it until the client closes or :data:`STOP_LINGER` passes."""
        try:
            conn.sock.shutdown(socket.SHUT_WR)
            conn.sock.setblocking(False)
            self.poller.register(conn.sock, selectors.EVENT_READ, partial(self._drain, conn))
        except (OSError, ValueError, KeyError):
            util.close(conn.sock)
            return
        self.lingering[conn] = time.monotonic() + STOP_LINGER

    def _drain(self, conn: TConn, _client: Any) -> None:
        try:
            if conn.sock.recv(65536):
                return
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            pass
        self._end_linger(conn)

    def _end_linger(self, conn: TConn) -> None:
        self.lingering.pop(conn, None)
        with contextlib.suppress(KeyError, ValueError, OSError):
            self.poller.unregister(conn.sock)
        util.close(conn.sock)

    def on_client_socket_readable(self, conn: TConn, client: Any) -> None:
        """A kept-alive connection sends its next request: read it here too."""
        self.poller.unregister(client)
        self.keepalived_conns.remove(conn)
        self._start_reading(conn)

    def _start_reading(self, conn: TConn) -> None:
        conn.sock.setblocking(False)
        self.reading[conn] = _Reading()
        self.poller.register(conn.sock, selectors.EVENT_READ, partial(self._on_readable, conn))

    def _on_readable(self, conn: TConn, _client: Any) -> None:
        state = self.reading[conn]
        try:
            chunk = conn.sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            chunk = b""
        if not chunk:
            self._forget(conn)
            return
        state.data += chunk
        if state.header_end < 0:
            end = state.data.find(b"\r\n\r\n")
            if end < 0:
                if len(state.data) > MAX_BUFFERED_HEADERS:
                    self._dispatch(conn)  # gunicorn answers the oversized header itself
                return
            self._headers_complete(conn, state, end + 4)
            if conn not in self.reading:
                return
        if self._body_complete(state):
            self._dispatch(conn)

    def _headers_complete(self, conn: TConn, state: _Reading, header_end: int) -> None:
        head = bytes(state.data[:header_end])
        if _EXPECT_CONTINUE.search(head):
            # Answered here, so the request thread never waits for the body.
            head = _EXPECT_CONTINUE.sub(b"", head, count=1)
            state.data[:header_end] = head
            header_end = len(head)
            try:
                conn.sock.send(b"HTTP/1.1 100 Continue\r\n\r\n")
            except OSError:
                self._forget(conn)
                return
        state.header_end = header_end
        state.deadline = time.monotonic() + BODY_TIMEOUT
        length = _CONTENT_LENGTH.search(head)
        if _CHUNKED.search(head):
            state.chunked = True
        elif length is not None:
            state.body_length = int(length[1])
        if state.body_length is not None and state.body_length > MAX_BUFFERED_BODY:
            self._dispatch(conn)

    @staticmethod
    def _body_complete(state: _Reading) -> bool:
        body = len(state.data) - state.header_end
        if body > MAX_BUFFERED_BODY:
            return True
        if state.chunked:
            # The last chunk (size 0, no trailers); a false match only hands the rest
            # of the body to the thread, as gthread always does.
            return state.data.endswith(b"0\r\n\r\n") and (body == 5 or state.data[-7:-5] == b"\r\n")
        return body >= (state.body_length or 0)

    def _dispatch(self, conn: TConn) -> None:
        state = self.reading.pop(conn)
        self.poller.unregister(conn.sock)
        conn.init()  # blocking socket and parser (no TLS, no h2c here)
        parser = conn.parser
        assert isinstance(parser, Parser)  # init() made an HTTP/1 parser (no h2c here)
        parser.unreader.unread(bytes(state.data))
        conn.data_ready = True
        self.enqueue_req(conn)

    def _forget(self, conn: TConn) -> None:
        self.reading.pop(conn, None)
        with contextlib.suppress(KeyError, ValueError, OSError):
            self.poller.unregister(conn.sock)
        self.nr_conns -= 1
        conn.close()

    def murder_pending(self) -> None:
        """Also close connections whose request did not arrive in time (408); when the
        worker stops, one that has sent nothing gets 2 s more, as kept-alive ones do."""
        super().murder_pending()
        now = time.monotonic()
        for conn, until in list(self.lingering.items()):
            if until < now:
                self._end_linger(conn)
        for conn, state in list(self.reading.items()):
            if not self.alive and not state.data:
                state.deadline = min(state.deadline, now + STOP_LINGER)
            if state.deadline < now:
                if not state.data:
                    self._forget(conn)  # nothing was asked: nothing to answer
                    continue
                with contextlib.suppress(OSError):
                    conn.sock.send(_TIMEOUT_ANSWER)
                self._forget(conn)
