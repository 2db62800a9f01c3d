"""Error answers: plain text a person can read, and the one table of HTTP statuses.

:func:`register_error_handlers` maps every error of :mod:`sdkg.errors` to its HTTP answer
once, for every route: a view raises, and the client gets the status and message below.
A query past its time limit gets a 503 and, because the work cannot be interrupted in the
process (pyoxigraph, pyshacl), this worker is then replaced (:func:`stopped_response`,
:mod:`sdkg.recycling`); other clients keep being answered meanwhile.
"""

from __future__ import annotations

import errno
import logging
import os

from flask import Flask, Response
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from sdkg import recycling
from sdkg.errors import (
    HttpError,
    QueryError,
    QueryRejected,
    QuerySyntaxError,
    QueryTimeout,
    ServiceFailed,
    ServiceRefused,
    StoreBusy,
    StoreReadOnly,
    StoreUnavailable,
)
from sdkg.negotiation import NotAcceptable
from sdkg.web import metrics
from sdkg.web.context import state

log = logging.getLogger(__name__)

#: The HTTP status of each error, most specific class first (see ``docs/endpoint.md``).
HTTP_STATUS: tuple[tuple[type[Exception], int], ...] = (
    (QuerySyntaxError, 400),
    (QueryRejected, 400),
    (ServiceRefused, 403),
    (ServiceFailed, 502),
    (QueryTimeout, 503),
    (NotAcceptable, 406),
    (StoreReadOnly, 403),
    (StoreBusy, 503),
)


def http_status(error: Exception) -> int:
    """The status a client gets for ``error`` (:data:`HTTP_STATUS`, or the error's own)."""
    if isinstance(error, (HttpError, StoreUnavailable)):
        return error.status
    for kind, status in HTTP_STATUS:
        if isinstance(error, kind):
            return status
    return 500


def error_response(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """A plain-text error a person can read, with a trailing newline for terminals."""
    response = Response(message.rstrip("\n") + "\n", status=status, mimetype="text/plain")
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def stopped_response(
    message: str, what: str, seconds: float, *, still_running: bool = True
) -> Response:
    """A 503 for ``what`` (a query, a validation) stopped after ``seconds``; with
    ``still_running`` the work goes on in this process, which is then replaced."""
    metrics.note_timeout()
    response = error_response(503, message, {"Retry-After": "5"})
    if not still_running:
        log.warning("%s passed its %g s limit; its process was stopped", what, seconds)
    elif state().recycle_on_timeout:
        log.warning("%s passed its %g s limit; recycling worker %d to stop it (a replacement "
                    "starts first)", what, seconds, os.getpid())  # fmt: skip
        response.call_on_close(recycling.retire_this_worker)
    else:
        log.warning("%s passed its %g s limit; it keeps running in the background", what,
                    seconds)  # fmt: skip
    return response


def register_error_handlers(app: Flask) -> None:
    """Answer every error of :mod:`sdkg.errors` (and any other) as the table says."""

    @app.errorhandler(HttpError)
    def refused(error: HttpError) -> Response:
        return error_response(error.status, error.message, error.headers)

    @app.errorhandler(QueryTimeout)
    def query_timeout(error: QueryTimeout) -> Response:
        return stopped_response(str(error), "a query", error.seconds)

    @app.errorhandler(QueryError)
    def query_error(error: QueryError) -> Response:
        return error_response(http_status(error), str(error))

    @app.errorhandler(StoreUnavailable)
    def store_unavailable(error: StoreUnavailable) -> Response:
        # A remote store that is down or failing: say so, and when to retry.
        log.warning("store unavailable: %s", error)
        return error_response(error.status, str(error), {"Retry-After": "5"})

    @app.errorhandler(StoreReadOnly)
    def store_read_only(error: StoreReadOnly) -> Response:
        # Only reached if a write path forgot to check first: refused before any request.
        return error_response(http_status(error), str(error))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        response = error_response(error.code or 500, f"{error.name}: {error.description}")
        if isinstance(error, MethodNotAllowed) and error.valid_methods:
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception) -> Response:
        if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT):
            # Writes go through a temporary file first, so nothing half-written stays.
            log.error("the disk is full: %s", error)
            return error_response(
                507,
                "the server's disk is full: nothing was stored; try again later "
                "(the operator has been told)",
                {"Retry-After": "60"},
            )
        # Logged with the traceback for the operator; the client gets no internals.
        log.exception("unexpected error while serving a request")
        return error_response(500, "internal server error; it has been logged")
