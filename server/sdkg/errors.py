"""The errors sdkg raises on purpose, each with a message a person can act on.

They are raised where they happen (the store boundary, the protocol, the contributions)
and translated in one place each: to an HTTP answer by :mod:`sdkg.web.responses`, to an
exit status by :func:`exit_status` (``sdkg query`` and the other commands). This module
imports nothing of sdkg, so every layer may raise them.
"""

from __future__ import annotations

#: Exit statuses of the command line (see ``docs/endpoint.md``, "Errors").
#: 0 done, 1 could not be done (a refused or failed query, the store), 2 the request is
#: wrong (a syntax error, a SERVICE not allowed, a bad option): change it and retry.
EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2


class SdkgError(Exception):
    """Base of every error sdkg raises on purpose."""


class HttpError(SdkgError):
    """A request refused with an HTTP status, a message and optional headers."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


# --------------------------------------------------------------------------- queries


class QueryError(SdkgError):
    """A query that could not be answered; ``str(error)`` is the message for the client."""


class QuerySyntaxError(QueryError, SyntaxError):
    """The query does not parse. The message gives line, column, what was expected and a
    pointer. Also a :class:`SyntaxError`, as pyoxigraph's own error is, for API users."""

    def __init__(self, message: str, engine_message: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        #: The parser's own words, from which ``message`` was made.
        self.engine_message = engine_message

    def __str__(self) -> str:
        return self.message


class QueryRejected(QueryError, ValueError):
    """The engine refused or failed to evaluate the query (an unsupported function, a store
    that cannot run it): the client's to change, not the server's fault."""


class QueryTimeout(QueryError):
    """The query did not finish within the time limit."""

    def __init__(self, seconds: float) -> None:
        super().__init__(
            f"query exceeded the {seconds:g} s limit and was stopped; simplify it or add LIMIT"
        )
        self.seconds = seconds


class ServiceRefused(QueryError):
    """The query calls a SERVICE endpoint that is not allowed; nothing was sent."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ServiceFailed(QueryError):
    """A SERVICE endpoint the query calls failed (refused, HTTP error, bad answer)."""


# --------------------------------------------------------------------------- stores


class StoreError(SdkgError):
    """A problem with the store or the files, with a message a person can act on."""


class StoreBusy(StoreError):
    """Another process holds the store folder."""


class StoreReadOnly(StoreError):
    """A write was asked of a store sdkg may not write (``--store-read-only``)."""


class StoreUnavailable(StoreError):
    """The store cannot answer now (unreachable, failing, refusing sdkg): ``status`` is the
    HTTP status clients get (502 or 503)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


# --------------------------------------------------------------------------- exit statuses

#: The exit status of a command that stopped on an error, most specific class first.
EXIT_STATUS: tuple[tuple[type[BaseException], int], ...] = (
    (QuerySyntaxError, EXIT_USAGE),
    (ServiceRefused, EXIT_USAGE),
    (QueryRejected, EXIT_ERROR),
    (ServiceFailed, EXIT_ERROR),
    (QueryTimeout, EXIT_ERROR),
    (StoreError, EXIT_ERROR),
    (SdkgError, EXIT_ERROR),
)


def exit_status(error: BaseException) -> int:
    """The exit status for ``error`` (:data:`EXIT_STATUS`); 1 for anything else."""
    for kind, status in EXIT_STATUS:
        if isinstance(error, kind):
            return status
    return EXIT_ERROR
