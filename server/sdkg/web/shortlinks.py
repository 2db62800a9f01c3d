"""Short links for queries: ``POST /q`` stores a query (and its view), ``GET /q/<id>`` opens it.

A link's id is derived from what it stores (the same query and view always get the same
id), so storing is idempotent and nothing is ever overwritten with something else. Links
live as small JSON files in ``shortlinks/`` of the server's store folder, each written
durably (:func:`sdkg.durable.write_atomically`); with ``--memory`` they are kept in the
process only, as everything else then is.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import re
import threading
from pathlib import Path
from urllib.parse import quote

from flask import Blueprint, Response, current_app, jsonify, redirect, request
from werkzeug.wrappers import Response as BaseResponse

from sdkg.durable import write_atomically
from sdkg.web.context import state
from sdkg.web.responses import error_response

blueprint = Blueprint("shortlinks", __name__)
log = logging.getLogger(__name__)

#: Largest query a short link stores, in bytes of UTF-8.
MAX_QUERY_BYTES = 64 * 1024
#: Most short links kept; past it new ones are refused (old ones keep working).
MAX_LINKS = 100_000
ID_LENGTH = 10
LINK_ID = re.compile(rf"^[A-Za-z0-9_-]{{{ID_LENGTH}}}$")
VIEWS = ("table", "map", "timeline", "chart", "graph", "response")
_lock = threading.Lock()


def link_id(query: str, view: str) -> str:
    """The id of a link to ``query`` shown as ``view``: a hash of both, URL-safe."""
    digest = hashlib.sha256(f"{view}\n{query}".encode()).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii")[:ID_LENGTH]


def _folder() -> Path | None:
    """Where links are kept on disk; None with ``--memory``."""
    settings = state().settings
    return None if settings.memory else settings.resolved_store_dir / "shortlinks"


def _memory() -> dict[str, dict[str, str]]:
    return current_app.extensions.setdefault("sdkg_shortlinks", {})


def _load(identifier: str) -> dict[str, str] | None:
    folder = _folder()
    if folder is None:
        return _memory().get(identifier)
    path = folder / f"{identifier}.json"
    try:
        link = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except ValueError:  # a damaged file: the link is gone, the server is fine
        log.warning("unreadable short link file %s", path)
        return None
    return link if isinstance(link, dict) and isinstance(link.get("query"), str) else None


def _store(identifier: str, link: dict[str, str]) -> bool:
    """Keep ``link``; False when the store of links is full."""
    folder = _folder()
    with _lock:
        if folder is None:
            links = _memory()
            if identifier not in links and len(links) >= MAX_LINKS:
                return False
            links[identifier] = link
            return True
        path = folder / f"{identifier}.json"
        if path.exists():
            return True
        if folder.exists() and sum(1 for _ in folder.glob("*.json")) >= MAX_LINKS:
            return False
        write_atomically(path, json.dumps(link, ensure_ascii=False).encode("utf-8"))
        return True


def _target(link: dict[str, str]) -> str:
    view = link.get("view", "table")
    return (
        "/sparql?query="
        + quote(link["query"], safe="")
        + (f"#view={view}" if view != "table" else "")
    )


@blueprint.route("/q", methods=["POST"])
def make_link() -> Response:
    """Store the query of the form or JSON body (``query``, optional ``view``)."""
    body = request.get_json(silent=True) if request.is_json else request.form
    query = body.get("query") if body else None
    view = (body.get("view") if body else None) or "table"
    if not isinstance(query, str) or not query.strip():
        return error_response(
            400, "send the query to shorten as the form field or JSON key 'query'"
        )
    if view not in VIEWS:
        return error_response(400, f"unknown view {view!r}; use one of: {', '.join(VIEWS)}")
    if len(query.encode("utf-8")) > MAX_QUERY_BYTES:
        return error_response(
            413, f"a short link stores at most {MAX_QUERY_BYTES // 1024} KiB of query text"
        )
    identifier = link_id(query, view)
    if not _store(identifier, {"query": query, "view": view}):
        return error_response(507, "the server keeps no more short links; share the long link")
    url = request.host_url.rstrip("/") + f"/q/{identifier}"
    response = jsonify({"id": identifier, "url": url})
    response.status_code = 201
    response.headers["Location"] = url
    return response


@blueprint.route("/q/<identifier>")
def open_link(identifier: str) -> BaseResponse:
    """Redirect to the editor with the stored query (and view)."""
    link = _load(identifier) if LINK_ID.match(identifier) else None
    if link is None:
        return error_response(404, f"no short link /q/{identifier} on this server")
    return redirect(_target(link), code=303)
