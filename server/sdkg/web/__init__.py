"""The Flask application: ``create_app(settings)`` builds it from blueprints.

Shared state (settings, the store, hooks other parts may replace) lives in
``app.extensions["sdkg"]`` as an :class:`AppState`; views reach it with :func:`state`.
"""

from __future__ import annotations

import errno
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, Response, current_app
from werkzeug.exceptions import HTTPException

from sdkg.config import Settings
from sdkg.negotiation import NotAcceptable
from sdkg.protocol import ProtocolError
from sdkg.store import GraphStore, StoreReadOnly, StoreUnavailable, open_local_store

log = logging.getLogger(__name__)


@dataclass
class AppState:
    """What the views share: settings, store, and replaceable hooks."""

    settings: Settings
    store: GraphStore
    #: After a query timeout, stop this process so the runaway query really ends
    #: (set by the gunicorn integration, whose arbiter starts a fresh worker).
    recycle_on_timeout: bool = False
    #: Renders the readable /sparql page for browsers; the web front end replaces it.
    #: Called as ``sparql_page(query=str | None, table=Table | None, error=str | None)``.
    sparql_page: Callable[..., str] | None = None
    #: Per-generation cache of descriptions (service description, VoID).
    cache: dict[tuple[Any, ...], Any] = field(default_factory=dict)


def state() -> AppState:
    """The :class:`AppState` of the current app."""
    return current_app.extensions["sdkg"]


def cached(key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
    """A value cached until the store's content changes (keyed by its generation)."""
    app_state = state()
    full_key = (*key, app_state.store.generation)
    if full_key not in app_state.cache:
        if len(app_state.cache) > 32:  # old generations; never grows without bound
            app_state.cache.clear()
        app_state.cache[full_key] = compute()
    return app_state.cache[full_key]


def create_app(
    settings: Settings, store: GraphStore | None = None, *, recycle_on_timeout: bool = False
) -> Flask:
    """Build the sdkg web application.

    Without ``store``, the local store named by ``settings`` is synced and opened
    (handy for tests and embedding); ``sdkg serve`` passes one per worker process.
    """
    from sdkg import limits, metrics
    from sdkg.web import caps, contribute, editor, entity, links, ontology_docs, pages, sparql
    from sdkg.web.csv_contribute import blueprint as csv_blueprint
    from sdkg.web.exports import blueprint as exports_blueprint
    from sdkg.web.reconcile import blueprint as reconcile_blueprint

    app = Flask(__name__)
    # Bodies larger than any acceptable query (percent-encoding can triple its size)
    # are refused with 413 before they are read.
    app.config["MAX_CONTENT_LENGTH"] = settings.max_query_length * 3 + 65536
    app.json.sort_keys = False
    app.extensions["sdkg"] = AppState(
        settings=settings,
        store=store if store is not None else open_local_store(settings, warm=True),
        recycle_on_timeout=recycle_on_timeout,
        sparql_page=editor.editor_page,
    )
    # Metrics first: its hooks then time and count what the limits refuse.
    metrics.install(app)
    limits.install(app, settings)
    caps.install(app)
    links.install(app)
    app.register_blueprint(sparql.blueprint)
    for blueprint in (pages.blueprint, editor.blueprint, entity.blueprint, ontology_docs.blueprint):
        app.register_blueprint(blueprint)
    from sdkg.web import classes, shortlinks, views_api  # result views, links, class pages

    app.register_blueprint(views_api.blueprint)
    app.register_blueprint(shortlinks.blueprint)
    app.register_blueprint(classes.blueprint)
    app.after_request(_security_headers)
    contribute.init_app(app, settings)
    app.register_blueprint(reconcile_blueprint)
    app.register_blueprint(exports_blueprint)
    app.register_blueprint(csv_blueprint)
    _register_error_handlers(app)
    return app


#: Pages load scripts, styles and data only from this origin (so no request ever leaves
#: it); inline style attributes are allowed because the vendored editor sets sizes so.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; "
    "form-action 'self'"
)


def _security_headers(response: Response) -> Response:
    # Every response: a browser must not guess a type (and run a result as a script).
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    if response.mimetype == "text/html":
        policy = CONTENT_SECURITY_POLICY
        tiles = state().settings.map_tiles
        if tiles:  # an operator's tile server: the only other origin pages may load from
            policy = policy.replace("img-src 'self'", f"img-src 'self' {_origin(tiles)}")
        response.headers.setdefault("Content-Security-Policy", policy)
    return response


def _origin(url: str) -> str:
    """``https://tile.example.org`` of a URL (template)."""
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}"


def error_response(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """A plain-text error a person can read, with a trailing newline for terminals."""
    response = Response(message.rstrip("\n") + "\n", status=status, mimetype="text/plain")
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _register_error_handlers(app: Flask) -> None:
    @app.errorhandler(ProtocolError)
    def protocol_error(error: ProtocolError) -> Response:
        return error_response(error.status, error.message, error.headers)

    @app.errorhandler(NotAcceptable)
    def not_acceptable(error: NotAcceptable) -> Response:
        return error_response(406, error.message)

    @app.errorhandler(StoreUnavailable)
    def store_unavailable(error: StoreUnavailable) -> Response:
        # A remote store that is down or failing: say so, and when to retry.
        log.warning("store unavailable: %s", error)
        return error_response(error.status, str(error), {"Retry-After": "5"})

    @app.errorhandler(StoreReadOnly)
    def store_read_only(error: StoreReadOnly) -> Response:
        # Only reached if a write path forgot to check first: refused before any request.
        return error_response(403, str(error))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        response = error_response(error.code or 500, f"{error.name}: {error.description}")
        if error.code == 405 and error.valid_methods:
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
