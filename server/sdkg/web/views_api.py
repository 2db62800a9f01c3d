"""What the query page needs to show results readably: labels, kinds and places of IRIs.

``POST /api/labels`` takes ``{"iris": [...]}`` and answers, for each IRI the graph knows,
its display label, page, kind and, when it has coordinates (its own, or those of the
place it is located in), a point. The result table shows labels instead of IRIs and the
map view draws points without the query having to ask for either.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import Blueprint, Response, jsonify, request

from sdkg.solutions import select
from sdkg.web.context import state
from sdkg.web.labels import is_iri
from sdkg.web.pages import label_index
from sdkg.web.responses import error_response
from sdkg.web.terms import page_url

blueprint = Blueprint("views_api", __name__)

#: Most IRIs one request may ask about (a result page rarely shows more).
MAX_IRIS = 5000

SCHEMA = "https://schema.org/"


def points_of(iris: Iterable[str]) -> dict[str, tuple[float, float]]:
    """``{iri: (latitude, longitude)}`` for those of ``iris`` that are placed: a thing's
    own coordinates, else those of the nearest place it is in (an organization through
    ``schema:location``, then ``schema:containedInPlace``: its city before its country).

    Reads the coordinates and places of these IRIs and of the places above them, level by
    level, a batch at a time: never every placed thing of the store."""
    store = state().store
    own: dict[str, tuple[float, float]] = {}
    up: dict[str, list[str]] = {}
    read: set[str] = set()

    def fetch(batch: Iterable[str]) -> None:
        wanted = sorted({iri for iri in batch if iri not in read and is_iri(iri)})
        read.update(wanted)
        for start in range(0, len(wanted), 500):
            subjects = " ".join(f"<{iri}>" for iri in wanted[start : start + 500])
            for row in select(
                store,
                f"SELECT ?x ?lat ?long WHERE {{ VALUES ?x {{ {subjects} }} "
                f"?x <{SCHEMA}latitude> ?lat ; <{SCHEMA}longitude> ?long }}",
            ):
                try:
                    own.setdefault(
                        row["x"].value, (float(row["lat"].value), float(row["long"].value))
                    )
                except ValueError:
                    continue  # a malformed coordinate is left off the map, not an error
            for row in select(
                store,
                f"SELECT ?x ?place WHERE {{ VALUES ?x {{ {subjects} }} "
                f"?x <{SCHEMA}location>|<{SCHEMA}containedInPlace> ?place FILTER(isIRI(?place)) }}",
            ):
                up.setdefault(row["x"].value, []).append(row["place"].value)

    asked = list(dict.fromkeys(iris))
    fetch(asked)
    found = {iri: own[iri] for iri in asked if iri in own}
    # Breadth first from each thing, all things a level at a time: the nearest placed
    # place wins (the first in IRI order among places equally near).
    walking = {iri: (sorted(up.get(iri, [])), {iri}) for iri in asked if iri not in own}
    while walking:
        fetch(place for level, _ in walking.values() for place in level)
        following = {}
        for thing, (level, seen) in walking.items():
            placed = [p for p in level if p in own]
            if placed:
                found[thing] = own[placed[0]]
                continue
            seen.update(level)
            higher = sorted({q for p in level for q in up.get(p, []) if q not in seen})
            if higher:
                following[thing] = (higher, seen)
        walking = following
    return found


def describe_iri(iri: str, placed: tuple[float, float] | None = None) -> dict[str, Any] | None:
    """Label, page, kind and point (``placed``: from :func:`points_of`) of ``iri``; None
    when the graph knows nothing of it."""
    index = label_index()
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
    asked = list(dict.fromkeys(iris))
    label_index().load(asked)
    placed = points_of(asked)
    described = {iri: describe_iri(iri, placed.get(iri)) for iri in asked}
    return jsonify({"labels": {iri: found for iri, found in described.items() if found}})
