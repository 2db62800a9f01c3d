"""What the query page needs to show results readably: labels, kinds and places of IRIs.

``POST /api/labels`` takes ``{"iris": [...]}`` and answers, for each IRI the graph knows,
its display label, page, kind and, when it has coordinates (its own, or those of the
place it is located in), a point. The result table shows labels instead of IRIs and the
map view draws points without the query having to ask for either.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from sdkg.solutions import select
from sdkg.web.context import cached, state
from sdkg.web.pages import label_index
from sdkg.web.responses import error_response
from sdkg.web.terms import page_url

blueprint = Blueprint("views_api", __name__)

#: Most IRIs one request may ask about (a result page rarely shows more).
MAX_IRIS = 5000

SCHEMA = "https://schema.org/"


def points() -> dict[str, tuple[float, float]]:
    """``{iri: (latitude, longitude)}`` for everything placed, cached per store generation:
    a thing's own coordinates, else those of the nearest place it is in (an organization
    through ``schema:location``, then ``schema:containedInPlace``: its city before its
    country)."""

    def compute() -> dict[str, tuple[float, float]]:
        store = state().store
        own: dict[str, tuple[float, float]] = {}
        for row in select(
            store,
            f"SELECT ?x ?lat ?long WHERE {{ ?x <{SCHEMA}latitude> ?lat ; "
            f"<{SCHEMA}longitude> ?long }}",
        ):
            try:
                own.setdefault(row["x"].value, (float(row["lat"].value), float(row["long"].value)))
            except ValueError:
                continue  # a malformed coordinate is left off the map, not an error
        up: dict[str, list[str]] = {}
        for row in select(
            store,
            f"SELECT ?x ?place WHERE {{ ?x <{SCHEMA}location>|<{SCHEMA}containedInPlace> ?place "
            "FILTER(isIRI(?place)) }",
        ):
            up.setdefault(row["x"].value, []).append(row["place"].value)
        found = dict(own)
        for thing in up:
            if thing in own:
                continue
            level, seen = sorted(up[thing]), {thing}
            while level:  # breadth first: the nearest placed place wins
                placed = [p for p in level if p in own]
                if placed:
                    found[thing] = own[placed[0]]
                    break
                seen.update(level)
                level = sorted({q for p in level for q in up.get(p, []) if q not in seen})
        return found

    return cached(("points",), compute)


def describe_iri(iri: str) -> dict[str, Any] | None:
    """Label, page, kind and point of ``iri``; None when the graph knows nothing of it."""
    index = label_index()
    placed = points().get(iri)
    url = page_url(iri)
    if not index.is_known(iri) and placed is None and url is None:
        return None
    found: dict[str, Any] = {"label": index.label(iri), "url": url, "kind": index.kind(iri)}
    if placed is not None:
        found["point"] = list(placed)
    return found


@blueprint.route("/api/labels", methods=["POST"])
def labels() -> Response:
    """Labels (and kinds, pages, points) of the IRIs in the JSON body ``{"iris": [...]}``."""
    body = request.get_json(silent=True)
    iris = body.get("iris") if isinstance(body, dict) else None
    if not isinstance(iris, list) or not all(isinstance(iri, str) for iri in iris):
        return error_response(
            400, 'send JSON {"iris": ["https://...", ...]}: a list of IRIs as strings'
        )
    if len(iris) > MAX_IRIS:
        return error_response(413, f"at most {MAX_IRIS} IRIs per request; got {len(iris)}")
    described = {iri: describe_iri(iri) for iri in dict.fromkeys(iris)}
    return jsonify({"labels": {iri: found for iri, found in described.items() if found}})
