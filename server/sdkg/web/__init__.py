"""The Flask application: ``create_app(settings)`` builds it from blueprints.

Shared state (settings, the store, hooks other parts may replace) lives in
``app.extensions["sdkg"]`` as an :class:`~sdkg.web.context.AppState`; views reach it with
:func:`~sdkg.web.context.state`. Errors are answered by :mod:`sdkg.web.responses`.
Modules of this package import :mod:`sdkg.web.context` and :mod:`sdkg.web.responses`,
never this one, so that imports run one way (``docs/architecture.md``).
"""

from __future__ import annotations

import logging

from flask import Flask, Response
from flask.json.provider import DefaultJSONProvider

from sdkg.config import Settings
from sdkg.graphstore import GraphStore
from sdkg.store import open_local_store
from sdkg.web import (
    caps,
    classes,
    contribute,
    editor,
    entity,
    limits,
    links,
    metrics,
    ontology_docs,
    pages,
    shortlinks,
    sparql,
    views_api,
)
from sdkg.web.context import AppState, state
from sdkg.web.csv_contribute import blueprint as csv_blueprint
from sdkg.web.exports import blueprint as exports_blueprint
from sdkg.web.reconcile import blueprint as reconcile_blueprint
from sdkg.web.responses import register_error_handlers

log = logging.getLogger(__name__)


def create_app(
    settings: Settings, store: GraphStore | None = None, *, recycle_on_timeout: bool = False
) -> Flask:
    """Build the sdkg web application.

    Without ``store``, the local store named by ``settings`` is synced and opened
    (handy for tests and embedding); ``sdkg serve`` passes one per worker process.
    """
    app = Flask(__name__)
    # Bodies larger than any acceptable query (percent-encoding can triple its size)
    # are refused with 413 before they are read.
    app.config["MAX_CONTENT_LENGTH"] = settings.max_query_length * 3 + 65536
    if isinstance(app.json, DefaultJSONProvider):  # answers keep the order they were built in
        app.json.sort_keys = False
    app.extensions["sdkg"] = AppState.create(
        settings,
        store if store is not None else open_local_store(settings, warm=True),
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
    app.register_blueprint(views_api.blueprint)
    app.register_blueprint(shortlinks.blueprint)
    app.register_blueprint(classes.blueprint)
    app.after_request(_security_headers)
    contribute.init_app(app, settings)
    app.register_blueprint(reconcile_blueprint)
    app.register_blueprint(exports_blueprint)
    app.register_blueprint(csv_blueprint)
    register_error_handlers(app)
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
