"""Blueprint for the reconciliation service (W3C Entity Reconciliation CG API 0.2).

``/reconcile`` answers OpenRefine and other reconciliation clients:

- ``GET /reconcile``: the service manifest;
- ``GET|POST /reconcile`` with ``queries=<JSON batch>``: candidates per query;
- ``GET|POST /reconcile`` with ``extend=<JSON>``: property values (data extension);
- ``GET /reconcile/suggest/{entity,type,property}?prefix=&cursor=``: autocomplete;
- ``GET /reconcile/preview?id=``: a small HTML card of an entity;
- ``GET /reconcile/propose_properties?type=&limit=``: properties to fetch for a type.

Matching is :mod:`sdkg.reconciliation` over the name index of :mod:`sdkg.names`, both
rebuilt when the store changes. Entity identifiers are the slugs of our IRIs
(``cas`` for ``https://w3id.org/sdkg/id/cas``); types are CURIEs (``org:Organization``).
Responses allow any origin (browser clients); JSONP is not offered.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, jsonify, render_template_string, request

import sdkg
from sdkg import namespaces
from sdkg.reconciliation import (
    DEFAULT_TYPES,
    PROPERTIES,
    PROPERTY_BY_ID,
    Constraint,
    Reconciler,
    ReconciliationError,
    build_facts,
    class_names,
    entity_of,
    property_names,
    slug_of,
    type_id,
    type_name,
)
from sdkg.web.context import cached, name_index, state
from sdkg.web.responses import error_response

blueprint = Blueprint("reconcile", __name__, url_prefix="/reconcile")

#: Most candidates a query may ask for, and most queries or ids in one request.
MAX_LIMIT = 100
MAX_BATCH = 1000
PREVIEW_SIZE = {"width": 420, "height": 170}
#: The preview is shown inside clients' pages (an iframe in OpenRefine): it may be framed,
#: and it loads nothing.
PREVIEW_POLICY = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors *"


def reconciler() -> Reconciler:
    """The reconciler of the current store generation."""
    return cached(("reconciler",), lambda: Reconciler(name_index(), build_facts(state().store)))


@blueprint.after_request
def allow_cross_origin(response: Response) -> Response:
    """Reconciliation clients run in browsers too: any origin may read the answers."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@blueprint.errorhandler(ReconciliationError)
def bad_query(error: ReconciliationError) -> Response:
    return error_response(400, str(error))


# --------------------------------------------------------------------------- manifest


@blueprint.route("", methods=["GET", "POST"])
def service() -> Response:
    """The manifest, or the answer to ``queries`` or ``extend`` (query string or form)."""
    values = request.form if request.method == "POST" else request.args
    if "queries" in values:
        return jsonify(answer_batch(_json_parameter(values["queries"], "queries")))
    if "extend" in values:
        return jsonify(answer_extend(_json_parameter(values["extend"], "extend")))
    if request.method == "POST":
        raise ReconciliationError(
            "POST a form with a 'queries' field (a reconciliation query batch) or an "
            "'extend' field (a data extension query); GET /reconcile gives the manifest"
        )
    return jsonify(manifest())


def manifest() -> dict[str, Any]:
    """The service manifest: identity, default types, view, preview, suggest and extend."""
    root = request.url_root.rstrip("/")
    names = name_index()

    def service_path(path: str) -> dict[str, str]:
        return {"service_url": root, "service_path": f"/reconcile/{path}"}

    return {
        "versions": ["0.2"],
        "name": "sdkg: Science Diplomacy Knowledge Graph",
        "identifierSpace": namespaces.ENTITY,
        "schemaSpace": namespaces.ONTOLOGY,
        "serviceVersion": sdkg.__version__,
        "view": {"url": root + "/id/{{id}}"},
        "defaultTypes": [
            {"id": type_id(iri), "name": type_name(names, iri)} for iri in DEFAULT_TYPES
        ],
        "preview": {"url": root + "/reconcile/preview?id={{id}}", **PREVIEW_SIZE},
        "suggest": {
            "entity": service_path("suggest/entity"),
            "type": service_path("suggest/type"),
            "property": service_path("suggest/property"),
        },
        "extend": {"propose_properties": service_path("propose_properties")},
    }


# --------------------------------------------------------------------------- queries


def answer_batch(batch: Any) -> dict[str, Any]:
    """The result batch for a query batch: ``{key: {"result": [candidates]}}``."""
    if not isinstance(batch, dict):
        raise ReconciliationError(
            'queries must be a JSON object of queries by key, e.g. {"q0": {"query": "CAS"}}'
        )
    if len(batch) > MAX_BATCH:
        raise ReconciliationError(f"at most {MAX_BATCH} queries in one batch; split it")
    service = reconciler()
    answers = {}
    for key, query in batch.items():
        text, types, constraints, limit = _read_query(key, query)
        results = service.reconcile(text, types=types, constraints=constraints, limit=limit)
        answers[key] = {
            "result": [
                {
                    "id": slug_of(result.iri),
                    "name": result.name,
                    "description": service.description(result.iri),
                    "score": result.score,
                    "match": result.match,
                    "type": _types(service, result.iri),
                    "features": [
                        {"id": feature, "value": value}
                        for feature, value in result.features.items()
                        if value is not None
                    ],
                }
                for result in results
            ]
        }
    return answers


def _read_query(key: str, query: Any) -> tuple[str, list[str], list[Constraint], int]:
    if not isinstance(query, dict):
        raise ReconciliationError(f"query {key!r} must be a JSON object with a 'query' field")
    text = query.get("query", "")
    properties = query.get("properties", [])
    if not isinstance(text, str):
        raise ReconciliationError(f"query {key!r}: 'query' must be a string")
    if not text.strip() and not properties:
        raise ReconciliationError(f"query {key!r} has neither a 'query' text nor 'properties'")
    kinds = query.get("type", [])
    kinds = [kinds] if isinstance(kinds, str) else kinds
    if not isinstance(kinds, list) or not all(isinstance(k, str) for k in kinds):
        raise ReconciliationError(f"query {key!r}: 'type' must be a type id or a list of them")
    kinds = [k for k in kinds if k.strip()]  # an empty type means none (some clients send "")
    limit = query.get("limit", 5)
    if not isinstance(limit, int | float) or isinstance(limit, bool) or limit < 1:
        raise ReconciliationError(f"query {key!r}: 'limit' must be a positive number")
    if not isinstance(properties, list):
        raise ReconciliationError(f"query {key!r}: 'properties' must be a list of {{pid, v}}")
    constraints = []
    for item in properties:
        if not isinstance(item, dict) or "pid" not in item or "v" not in item:
            raise ReconciliationError(f"query {key!r}: each property needs 'pid' and 'v'")
        prop = PROPERTY_BY_ID.get(str(item["pid"]))
        if prop is None:
            known = ", ".join(PROPERTY_BY_ID)
            raise ReconciliationError(
                f"query {key!r}: unknown property {item['pid']!r}; use one of {known}"
            )
        values = item["v"] if isinstance(item["v"], list) else [item["v"]]
        constraints.append(Constraint(prop, [v if isinstance(v, dict) else str(v) for v in values]))
    return text, kinds, constraints, min(int(limit), MAX_LIMIT)


def _types(service: Reconciler, iri: str) -> list[dict[str, str]]:
    return [{"id": type_id(t), "name": service.type_name(t)} for t in service.types_of(iri)]


# --------------------------------------------------------------------------- extend


def answer_extend(query: Any) -> dict[str, Any]:
    """The data extension response: ``meta`` (the columns) and ``rows`` by entity id."""
    if not isinstance(query, dict) or not isinstance(query.get("ids"), list):
        raise ReconciliationError(
            'extend must be a JSON object {"ids": [...], "properties": [{"id": ...}]}'
        )
    ids = [str(i) for i in query["ids"]]
    wanted = query.get("properties")
    if not isinstance(wanted, list) or not all(isinstance(p, dict) and "id" in p for p in wanted):
        raise ReconciliationError('extend: "properties" must be a list of {"id": ...}')
    if len(ids) > MAX_BATCH:
        raise ReconciliationError(f"extend at most {MAX_BATCH} ids at once; split them")
    unknown = [p["id"] for p in wanted if p["id"] not in PROPERTY_BY_ID]
    if unknown:
        known = ", ".join(PROPERTY_BY_ID)
        raise ReconciliationError(f"extend: unknown properties {unknown}; use {known}")
    service = reconciler()
    rows = service.extend([entity_of(i) for i in ids], [p["id"] for p in wanted])
    meta = []
    for item in wanted:
        prop = PROPERTY_BY_ID[item["id"]]
        column: dict[str, Any] = {"id": prop.id, "name": prop.name}
        if prop.value_type:
            kind = prop.value_type
            column["type"] = {"id": type_id(kind), "name": service.type_name(kind)}
        meta.append(column)
    return {"meta": meta, "rows": {i: rows[entity_of(i)] for i in ids}}


@blueprint.route("/propose_properties")
def propose_properties() -> Response:
    """The properties worth fetching for entities of a type (all of ours, in order)."""
    kind = request.args.get("type", "")
    limit = request.args.get("limit", "")
    if limit and not limit.isdigit():
        raise ReconciliationError(f"limit={limit!r}: give a whole number")
    proposed = [{"id": p.id, "name": p.name, "description": p.description} for p in PROPERTIES]
    if limit:
        proposed = proposed[: int(limit)]
    body: dict[str, Any] = {"type": kind, "properties": proposed}
    if limit:
        body["limit"] = int(limit)
    return jsonify(body)


# --------------------------------------------------------------------------- suggest


def _suggest_window() -> tuple[str, int]:
    prefix = request.args.get("prefix", "")
    cursor = request.args.get("cursor", "0")
    if not cursor.isdigit():
        raise ReconciliationError(f"cursor={cursor!r}: give a whole number of items to skip")
    return prefix, int(cursor)


@blueprint.route("/suggest/entity")
def suggest_entity() -> Response:
    """Entities whose names begin or resemble ``prefix`` (an entity's id finds it too)."""
    prefix, cursor = _suggest_window()
    service = reconciler()
    found = [c.iri for c in service.names.search(prefix, limit=cursor + 10)] if prefix else []
    by_id = entity_of(prefix) if prefix.strip() else ""
    if by_id in service.names.display:
        found = [by_id, *[iri for iri in found if iri != by_id]]
    found = [iri for iri in found if iri.startswith(namespaces.ENTITY)]
    return jsonify(
        {
            "result": [
                {
                    "id": slug_of(iri),
                    "name": service.names.display.get(iri, slug_of(iri)),
                    "description": service.description(iri),
                    "notable": _types(service, iri),
                }
                for iri in found[cursor : cursor + 10]
            ]
        }
    )


@blueprint.route("/suggest/type")
def suggest_type() -> Response:
    """Classes that have members, by name or CURIE."""
    prefix, cursor = _suggest_window()
    classes = cached(("reconcile-classes",), lambda: class_names(name_index()))
    found = classes.search(prefix, limit=cursor + 10) if prefix else []
    return jsonify(
        {
            "result": [
                {"id": type_id(c.iri), "name": classes.display[c.iri]}
                for c in found[cursor : cursor + 10]
            ]
        }
    )


@blueprint.route("/suggest/property")
def suggest_property() -> Response:
    """The properties the service matches on and fetches."""
    prefix, cursor = _suggest_window()
    index = cached(("reconcile-properties",), property_names)
    found = [c.iri for c in index.search(prefix, limit=cursor + 10)] if prefix else []
    if not prefix:
        found = list(PROPERTY_BY_ID)
    return jsonify(
        {
            "result": [
                {
                    "id": pid,
                    "name": PROPERTY_BY_ID[pid].name,
                    "description": PROPERTY_BY_ID[pid].description,
                }
                for pid in found[cursor : cursor + 10]
            ]
        }
    )


# --------------------------------------------------------------------------- preview


@blueprint.route("/preview")
def preview() -> Response:
    """A small HTML card of one entity, for clients to show beside a candidate."""
    identifier = request.args.get("id", "").strip()
    if not identifier:
        raise ReconciliationError("preview needs ?id=<entity id>, e.g. ?id=cas")
    service = reconciler()
    iri = entity_of(identifier)
    if iri not in service.names.display:
        return error_response(404, f"no entity {iri} in this graph")
    facts = {
        prop.name: [service.names.display.get(v, v) for v in service.facts.of(iri, prop.id)]
        for prop in PROPERTIES
    }
    page = render_template_string(
        _PREVIEW,
        name=service.names.display[iri],
        url=request.url_root.rstrip("/") + "/id/" + slug_of(iri),
        description=service.description(iri),
        facts={name: values for name, values in facts.items() if values},
    )
    response = Response(page, mimetype="text/html")
    response.headers["Content-Security-Policy"] = PREVIEW_POLICY
    return response


def _json_parameter(text: str, name: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ReconciliationError(
            f"{name} is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}"
        ) from None


_PREVIEW = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ name }}</title></head>
<body style="margin:0;font:14px/1.35 system-ui,sans-serif;color:#1d2433">
<div style="padding:.5rem .75rem">
<p style="margin:0 0 .2rem"><a href="{{ url }}" target="_blank" rel="noopener"
 style="font-weight:600;color:#1f5fa8">{{ name }}</a></p>
<p style="margin:0 0 .35rem;color:#5b6478">{{ description }}</p>
<dl style="margin:0;display:grid;grid-template-columns:max-content 1fr;gap:0 .6rem">
{% for label, values in facts.items() %}<dt style="color:#5b6478">{{ label }}</dt>
<dd style="margin:0">{{ values|join(", ") }}</dd>
{% endfor %}</dl></div></body></html>"""
