"""The query editor: what browsers get at ``/sparql`` (YASQE + YASR, vendored).

:func:`editor_page` is the ``sparql_page`` hook of :class:`sdkg.web.AppState`: the
endpoint calls it for browsers, with the query and a server-side result table when the
URL carries a query (shown without JavaScript; with it, the editor runs the query
itself against ``/sparql`` and shows YASR's sortable table). ``/editor/vocabulary.json``
feeds completion: the prefixes of the namespaces the graph uses, its classes and properties.
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox
from flask import Blueprint, Response, jsonify, render_template

from sdkg.protocol import Table, term_text
from sdkg.solutions import select
from sdkg.web.context import cached, state
from sdkg.web.examples import examples, grouped
from sdkg.web.terms import PREFIXES, namespace_of, page_url

blueprint = Blueprint("editor", __name__)

DEFAULT_QUERY = """PREFIX sdkg: <https://w3id.org/sdkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>

SELECT ?centre ?name ?acronym
WHERE {
  ?centre a sdkg:CentreOfExcellence ;
          rdfs:label ?name ;
          sdkg:acronym ?acronym .
}
ORDER BY ?acronym"""


def editor_page(*, query: str | None, table: Table | None, error: str | None) -> str:
    """The editor page, with ``query`` in the editor and ``table`` as a no-script fallback."""
    found = cached(("examples",), examples)
    return render_template(
        "editor.html",
        query=query or DEFAULT_QUERY,
        # A query from the URL runs at once, unless the server already found it wrong.
        from_url=query is not None and error is None,
        table=table,
        error=error,
        personas=grouped(found),
        examples_json=[
            {"name": e.name, "title": e.title, "description": e.description, "query": e.text}
            for e in found
        ],
        prefixes=cached(("vocabulary",), _vocabulary)["prefixes"],
        text=term_text,
        local_link=_local_link,
        map_tiles=state().settings.map_tiles,
        map_attribution=state().settings.map_attribution,
        active="sparql",
    )


def _local_link(term: Any) -> str | None:
    """The local page of an IRI of ours (entity or ontology term), for result cells."""
    return page_url(term.value) if isinstance(term, ox.NamedNode) else None


@blueprint.route("/editor/vocabulary.json")
def vocabulary() -> Response:
    """Prefixes (``{prefix: namespace}``), classes and properties of the graph, for completion."""
    response = jsonify(cached(("vocabulary",), _vocabulary))
    response.cache_control.max_age = 300
    return response


def _vocabulary() -> dict[str, Any]:
    store = state().store
    classes = sorted(
        row["c"].value
        for row in select(store, "SELECT DISTINCT ?c WHERE { ?s a ?c FILTER(isIRI(?c)) }")
    )
    properties = sorted(
        row["p"].value for row in select(store, "SELECT DISTINCT ?p WHERE { ?s ?p ?o }")
    )
    used = {namespace_of(iri) for iri in (*classes, *properties)}
    # Entity IRIs are objects, not predicates or classes; their namespace is always offered.
    used.add(PREFIXES["id"])
    prefixes = {prefix: ns for prefix, ns in PREFIXES.items() if ns in used}
    return {
        "prefixes": dict(sorted(prefixes.items())),
        "classes": classes,
        "properties": properties,
    }
