"""Blueprint for the people-facing pages: home (``/``), name search (``/search``, also the
header's autocomplete) and the contribution form (``/contribute``).

Everything is rendered on the server from the store; the home page's figures are cached
per store generation and counted in the name index (:mod:`sdkg.names`), and each request
looks up the labels of the IRIs it shows (:mod:`sdkg.web.labels`): no page reads the
whole store.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, cast

from flask import Blueprint, Response, g, has_request_context, jsonify, render_template, request

from sdkg.names import superclasses
from sdkg.namespaces import EXTERNAL_GRAPH, GRAPH
from sdkg.solutions import select
from sdkg.web.context import cached, name_index, state
from sdkg.web.examples import examples, grouped
from sdkg.web.labels import LabelIndex, most_specific
from sdkg.web.responses import error_response
from sdkg.web.terms import ONTOLOGY_NS, PREFIXES, page_url

blueprint = Blueprint("pages", __name__)

LICENCE_NAMES = {
    "https://opensource.org/license/mit": "MIT",
    "https://opensource.org/licenses/MIT": "MIT",
    "https://creativecommons.org/publicdomain/zero/1.0/": "CC0 1.0",
    "https://creativecommons.org/licenses/by/4.0/": "CC BY 4.0",
}


def label_index() -> LabelIndex:
    """Labels of the IRIs this request shows, looked up as they are asked for (one
    :class:`LabelIndex` per request; the class hierarchy cached per store generation)."""
    if has_request_context() and "label_index" in g:
        return cast(LabelIndex, g.label_index)
    supers = cached(("superclasses",), lambda: superclasses(state().store))
    index = LabelIndex(state().store, supers)
    if has_request_context():
        g.label_index = index
    return index


def search_hits(text: str, limit: int = 100) -> list[dict[str, Any]]:
    """Ranked hits for ``text``: iri, page url, display label, kind, the name that matched
    and the score (0-100)."""
    labels = label_index()
    return [
        {
            "iri": found.iri,
            "url": page_url(found.iri) or found.iri,
            "label": found.name,
            "kind": labels.kind(found.iri),
            "matched": found.matched,
            "score": found.score,
        }
        for found in name_index().search(text, limit=limit)
    ]


# --------------------------------------------------------------------------- home


@blueprint.route("/")
def home() -> str:
    """What the dataset is, how big, and where to go next."""
    overview = cached(("overview",), _overview)
    found = cached(("examples",), examples)
    return render_template(
        "home.html",
        overview=overview,
        personas=grouped(found),
        example_count=len(found),
        active="home",
    )


def _overview() -> dict[str, Any]:
    store = state().store
    index = label_index()
    supers = cached(("superclasses",), lambda: superclasses(store))
    # Counted in the name index (each entity's types, in SQLite): no page reads every
    # entity of the store. Things with the same types are of the same kind.
    kinds: Counter[str] = Counter()
    kind_classes: dict[str, str] = {}  # each kind's class, for the link to its class page
    counted = [
        (most_specific(sorted(types), supers), count)
        for types, count in sorted(name_index().type_counts().items(), key=lambda i: sorted(i[0]))
    ]
    index.load(kind_class for kind_class, _ in counted)
    for kind_class, count in counted:
        kind = index.term_label(kind_class)
        kinds[kind] += count
        kind_classes[kind] = kind_class
    sources = [
        {
            "iri": row["doc"].value,
            "url": page_url(row["doc"].value),
            "title": row["title"].value,
            "author": index.label(row["author"].value) if row["author"] else None,
            "author_url": page_url(row["author"].value) if row["author"] else None,
        }
        for row in select(
            store,
            "SELECT ?doc ?title ?author WHERE { ?doc a <https://schema.org/Article> ; "
            "<http://purl.org/dc/terms/title> ?title . "
            "OPTIONAL { ?doc <https://schema.org/author> ?author } } ORDER BY ?doc",
        )
    ]
    licences: list[dict[str, str]] = []
    # The ontology and the curated data graphs state the project's licence (each graph
    # about itself); source records and external caches state theirs.
    for row in select(
        store,
        "SELECT ?licence (COUNT(DISTINCT ?x) AS ?n) (MAX(?own) AS ?ours) WHERE { "
        "?x <http://purl.org/dc/terms/license> ?licence "
        f'BIND(IF(?x = <{ONTOLOGY_NS}> || (STRSTARTS(STR(?x), "{GRAPH}") '
        f'&& !STRSTARTS(STR(?x), "{EXTERNAL_GRAPH}")), 1, 0) AS ?own) }} '
        "GROUP BY ?licence ORDER BY DESC(?n)",
    ):
        iri = row["licence"].value
        ours = row["ours"].value == "1"
        applies = (
            "the ontology and the project's data" if ours else f"{row['n'].value} source records"
        )
        entry = {"iri": iri, "name": LICENCE_NAMES.get(iri, iri), "applies": applies}
        # The ontology's licence is the project's: it comes first.
        licences.insert(0 if ours else len(licences), entry)
    graphs = store.graphs()
    return {
        "kinds": sorted(kinds.items(), key=lambda item: (-item[1], item[0])),
        "kind_classes": kind_classes,
        "entities": sum(kinds.values()),
        "triples": store.triple_count(),
        "graphs": len(graphs),
        "sources": sources,
        "licences": licences,
    }


# --------------------------------------------------------------------------- search


@blueprint.route("/search")
def search() -> Response:
    """Ranked name search; HTML grouped by kind, or JSON for ``Accept: application/json`` /
    ``format=json`` (``limit`` caps the hits: the header's autocomplete asks for 8)."""
    query = request.args.get("q", "").strip()
    limit = request.args.get("limit", "100")
    if not limit.isdigit() or not 1 <= int(limit) <= 1000:
        return error_response(400, f"limit={limit!r}: give a whole number from 1 to 1000")
    hits = search_hits(query, int(limit)) if query else []
    wanted = request.args.get("format", "").lower()
    # The answer depends on Accept, so caches must keep the two apart.
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    if wanted == "json" or (not wanted and best == "application/json"):
        base = request.host_url.rstrip("/")
        response = jsonify(
            {
                "query": query,
                "count": len(hits),
                "hits": [
                    {**hit, "url": base + hit["url"] if hit["url"].startswith("/") else hit["url"]}
                    for hit in hits
                ],
            }
        )
        response.vary.add("Accept")
        return response
    groups: dict[str, list[Any]] = {}
    for hit in hits:
        groups.setdefault(hit["kind"] or "other", []).append(hit)
    response = Response(
        render_template(
            "search.html", query=query, groups=groups, count=len(hits), search_query=query
        )
    )
    response.vary.add("Accept")
    return response


# --------------------------------------------------------------------------- contribute


@blueprint.route("/contribute")
def contribute() -> str:
    """The contribution form: paste or upload RDF, validate it, submit it with a token."""
    return render_template("contribute.html", prefixes=PREFIXES, active="contribute")
