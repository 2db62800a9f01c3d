"""Blueprint for entity pages: ``GET /id/<slug>`` as linked data.

Browsers get HTML; clients that ask get Turtle, JSON-LD, N-Triples or RDF/XML (Accept,
``format=``, or a ``.ttl`` / ``.jsonld`` / ``.nt`` / ``.rdf`` suffix), always with
``Vary: Accept``. The HTML reads the store with ``GRAPH ?g`` so that our own facts and the
facts cached from external sources (reached through ``owl:sameAs`` / ``skos:exactMatch``)
stay apart, and shows the evidence (document and exact sentence) behind each fact.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox
from flask import Blueprint, Response, render_template, request

from sdkg import formats, serialize
from sdkg.negotiation import Choice, format_values, negotiate
from sdkg.protocol import serialize_result
from sdkg.web import state
from sdkg.web.labels import LABEL_PREDICATES, RDF_TYPE, LabelIndex
from sdkg.web.pages import label_index
from sdkg.web.terms import (
    ENTITY_NS,
    GRAPH_NS,
    SLUG,
    compact,
    entity_iri,
    external_source,
    language_tag,
    page_url,
)

blueprint = Blueprint("entity", __name__)

#: The RDF formats of an entity, each also at ``/id/<slug><extension>`` (``.ttl``, ...).
ENTITY_FORMATS = formats.offered("graph")
LINK_PREDICATES = (
    "http://www.w3.org/2002/07/owl#sameAs",
    "http://www.w3.org/2004/02/skos/core#exactMatch",
)
#: Properties listed first on a page, in this order; the rest by readable label.
FIRST_PROPERTIES = LABEL_PREDICATES[:2] + (
    "http://www.w3.org/2004/02/skos/core#altLabel",
    "https://w3id.org/sdkg/ontology#acronym",
)
LONG_TEXT = 400  # characters; longer literals are folded away
MAX_NEIGHBOURS = 24


# --------------------------------------------------------------------------- view model


@dataclass
class Evidence:
    """The document and exact words behind one fact."""

    text: str
    source: str | None
    source_label: str | None
    source_url: str | None


@dataclass
class Value:
    """One value of a property, ready to render."""

    kind: str  # "entity", "external", "literal" or "blank"
    text: str
    url: str | None = None
    iri: str | None = None
    language: str = ""
    datatype: str = ""
    graph: str = ""
    evidence: list[Evidence] = field(default_factory=list)

    @property
    def long(self) -> bool:
        """True for a literal too long to show unfolded."""
        return self.kind == "literal" and len(self.text) > LONG_TEXT


@dataclass
class PropertyValues:
    """A property of the entity and its values."""

    iri: str
    label: str
    curie: str
    url: str
    values: list[Value]


@dataclass
class EnrichedSource:
    """Facts an external source states about the external IRI our entity links to."""

    source: str
    graph: str
    external_iri: str
    properties: list[PropertyValues]


@dataclass
class Neighbour:
    """A node of the neighbourhood picture, placed on a circle around the entity."""

    label: str
    url: str
    x: float
    y: float
    edge: str  # the property that links them, as a short label
    incoming: bool


# --------------------------------------------------------------------------- route


@blueprint.route("/id/<path:name>")
def entity(name: str) -> Response:
    """One entity as HTML or RDF, chosen by suffix, ``format=`` or Accept."""
    slug, suffix_format = name, None
    for fmt in ENTITY_FORMATS:
        if name.endswith(fmt.extension):
            slug, suffix_format = name[: -len(fmt.extension)], fmt.name
            break
    choice = negotiate(
        request.accept_mimetypes,
        [suffix_format] if suffix_format else format_values(request.args.items(multi=True)),
        "graph",
        html=suffix_format is None,
    )
    iri = entity_iri(slug)
    store = state().store
    known = bool(SLUG.match(slug)) and bool(
        store.query(f"ASK {{ {{ <{iri}> ?p ?o }} UNION {{ ?s ?q <{iri}> }} }}")
    )
    if not known:
        response = _not_found(slug, html=choice.kind == "html")
    elif choice.kind == "html":
        response = Response(render_template("entity.html", **_entity_view(iri, slug)))
    else:
        response = _entity_rdf(iri, choice)
    response.vary.add("Accept")
    if known:
        response.headers["Link"] = ", ".join(
            f'</id/{slug}{fmt.extension}>; rel="alternate"; type="{fmt.media_type}"'
            for fmt in ENTITY_FORMATS
        )
    return response


def _entity_rdf(iri: str, choice: Choice) -> Response:
    """The entity's triples in the negotiated RDF format (JSON-LD compacted by default)."""
    answer = serialize_result(
        state().store.query(_DESCRIBE.replace("<IRI>", f"<{iri}>")),
        choice.format,
        state().settings.max_rows,
    )
    body, content_type = serialize.finish(answer.body, choice, compact_by_default=True)
    response = Response(body, headers=answer.headers())
    response.headers["Content-Type"] = content_type
    return response


#: The entity's own triples and the evidence nodes about it.
_DESCRIBE = """
CONSTRUCT { <IRI> ?p ?o . ?evidence ?ep ?eo }
WHERE {
  { <IRI> ?p ?o }
  UNION
  { ?evidence a <https://w3id.org/sdkg/ontology#Evidence> ;
              <http://www.w3.org/1999/02/22-rdf-syntax-ns#subject> <IRI> ;
              ?ep ?eo }
}"""


def _not_found(slug: str, *, html: bool) -> Response:
    words = slug.replace("-", " ").replace("_", " ").replace(".", " ")
    index = label_index()
    suggestions = index.suggest(words, limit=8)
    if html:
        body = render_template("not_found.html", slug=slug, words=words, suggestions=suggestions)
        return Response(body, status=404, mimetype="text/html")
    lines = [f"no entity {ENTITY_NS}{slug} in this graph; search: /search?q={words}"]
    lines += [f"did you mean {hit.iri} ({hit.label})?" for hit in suggestions[:3]]
    return Response("\n".join(lines) + "\n", status=404, mimetype="text/plain")


# --------------------------------------------------------------------------- reading


def _entity_view(iri: str, slug: str) -> dict[str, Any]:
    """Everything the entity page shows, read from the store."""
    store = state().store
    index = label_index()
    evidence = _evidence(iri, index)

    own: dict[str, list[Value]] = defaultdict(list)
    seen: set[tuple[str, str]] = set()
    types: list[Value] = []
    for row in store.query(f"SELECT ?p ?o ?g WHERE {{ GRAPH ?g {{ <{iri}> ?p ?o }} }}"):
        predicate, obj, graph = row["p"].value, row["o"], row["g"].value
        key = (predicate, str(obj))
        if key in seen:
            continue
        seen.add(key)
        value = _value(obj, index, graph)
        value.evidence = evidence.get(key, [])
        (types if predicate == RDF_TYPE else own[predicate]).append(value)

    enriched = _enriched(iri, index)
    incoming = _incoming(iri, index)
    names: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for predicate in LABEL_PREDICATES:
        for value in own.get(predicate, []):
            if value.kind == "literal":
                names[value.language or "(no language)"].append((value.text, compact(predicate)))
    label = index.label(iri)
    return {
        "iri": iri,
        "slug": slug,
        "label": label,
        "kind": index.kind(iri),
        "types": sorted(types, key=lambda v: v.text.casefold()),
        "names": dict(sorted(names.items())),
        "properties": _property_list(own, index),
        "enriched": enriched,
        "incoming": incoming,
        "neighbours": _neighbourhood(own, incoming, index),
        "search_query": "",
    }


def _evidence(iri: str, index: LabelIndex) -> dict[tuple[str, str], list[Evidence]]:
    """Evidence nodes about ``iri``, keyed by (predicate, object in N-Triples form)."""
    found: dict[tuple[str, str], list[Evidence]] = defaultdict(list)
    for row in state().store.query(
        "SELECT ?p ?o ?doc ?text WHERE { "
        "?e a <https://w3id.org/sdkg/ontology#Evidence> ; "
        f"<http://www.w3.org/1999/02/22-rdf-syntax-ns#subject> <{iri}> ; "
        "<http://www.w3.org/1999/02/22-rdf-syntax-ns#predicate> ?p ; "
        "<http://www.w3.org/1999/02/22-rdf-syntax-ns#object> ?o . "
        "OPTIONAL { ?e <http://purl.org/dc/terms/source> ?doc } "
        "OPTIONAL { ?e <http://www.w3.org/ns/prov#value> ?text } } ORDER BY ?doc ?text"
    ):
        doc = row["doc"].value if row["doc"] is not None else None
        found[(row["p"].value, str(row["o"]))].append(
            Evidence(
                text=row["text"].value if row["text"] is not None else "",
                source=doc,
                source_label=index.label(doc) if doc else None,
                source_url=(page_url(doc) or doc) if doc else None,
            )
        )
    return found


def _enriched(iri: str, index: LabelIndex) -> list[EnrichedSource]:
    """Facts from external caches about the IRIs our entity is the same as."""
    links = " ".join(f"<{p}>" for p in LINK_PREDICATES)
    grouped: dict[tuple[str, str], dict[str, list[Value]]] = defaultdict(lambda: defaultdict(list))
    for row in state().store.query(
        f"SELECT ?ext ?p ?o ?g WHERE {{ VALUES ?link {{ {links} }} <{iri}> ?link ?ext . "
        f'GRAPH ?g {{ ?ext ?p ?o }} FILTER(STRSTARTS(STR(?g), "{GRAPH_NS}external/")) }}'
    ):
        graph = row["g"].value
        grouped[(graph, row["ext"].value)][row["p"].value].append(_value(row["o"], index, graph))
    return [
        EnrichedSource(external_source(graph) or graph, graph, ext, _property_list(props, index))
        for (graph, ext), props in sorted(grouped.items())
    ]


def _incoming(iri: str, index: LabelIndex) -> list[PropertyValues]:
    """Who refers to the entity, grouped by property."""
    by_property: dict[str, list[Value]] = defaultdict(list)
    for row in state().store.query(
        f"SELECT DISTINCT ?s ?p WHERE {{ ?s ?p <{iri}> FILTER(isIRI(?s)) }} ORDER BY ?p ?s"
    ):
        by_property[row["p"].value].append(_value(row["s"], index, ""))
    return _property_list(by_property, index)


def _value(term: Any, index: LabelIndex, graph: str) -> Value:
    if isinstance(term, ox.NamedNode):
        url = page_url(term.value)
        return Value(
            kind="entity" if url else "external",
            text=index.label(term.value)
            if url or term.value in index.labels
            else compact(term.value),
            url=url or term.value,
            iri=term.value,
            graph=graph,
        )
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value if term.datatype else ""
        shown = "" if term.language or datatype.endswith(("#string", "#langString")) else datatype
        return Value(
            kind="literal",
            text=term.value,
            language=language_tag(term.language or ""),
            datatype=compact(shown) if shown else "",
            graph=graph,
        )
    return Value(kind="blank", text="(an unnamed node)", graph=graph)


def _property_list(values: dict[str, list[Value]], index: LabelIndex) -> list[PropertyValues]:
    def order(predicate: str) -> tuple[int, str]:
        if predicate in FIRST_PROPERTIES:
            return (FIRST_PROPERTIES.index(predicate), "")
        return (len(FIRST_PROPERTIES), index.term_label(predicate).casefold())

    return [
        PropertyValues(
            iri=predicate,
            label=index.term_label(predicate),
            curie=compact(predicate),
            url=page_url(predicate) or predicate,
            values=sorted(values[predicate], key=lambda v: (v.language, v.text.casefold())),
        )
        for predicate in sorted(values, key=order)
    ]


def _neighbourhood(
    own: dict[str, list[Value]], incoming: list[PropertyValues], index: LabelIndex
) -> list[Neighbour]:
    """Linked entities of ours, both directions, laid out on a circle (one per entity)."""
    edges: dict[str, tuple[str, str, bool]] = {}
    for predicate, values in sorted(own.items()):
        for value in values:
            if value.kind == "entity" and value.iri and value.iri.startswith(ENTITY_NS):
                edges.setdefault(value.iri, (value.url or "", index.term_label(predicate), False))
    for prop in incoming:
        for value in prop.values:
            if value.kind == "entity" and value.iri and value.iri.startswith(ENTITY_NS):
                edges.setdefault(value.iri, (value.url or "", prop.label, True))
    chosen = sorted(
        edges.items(),
        key=lambda item: (_prominence(item[0], index), index.label(item[0]).casefold()),
    )
    chosen = chosen[:MAX_NEIGHBOURS]
    neighbours = []
    for position, (iri, (url, edge, is_incoming)) in enumerate(chosen):
        angle = 2 * math.pi * position / max(len(chosen), 1) - math.pi / 2
        # With many neighbours, every other one sits on an inner ring so labels do not collide.
        ring = 0.72 if len(chosen) > 12 and position % 2 else 1.0
        neighbours.append(
            Neighbour(
                label=_short(index.label(iri), 24),
                url=url,
                x=round(CENTER[0] + ring * RADIUS[0] * math.cos(angle), 1),
                y=round(CENTER[1] + ring * RADIUS[1] * math.sin(angle), 1),
                edge=_short(edge, 22),
                incoming=is_incoming,
            )
        )
    return neighbours


#: Neighbours drawn first when there are too many: organizations and people, then places.
PROMINENT_TYPES = (
    {
        "http://www.w3.org/ns/org#Organization",
        "http://xmlns.com/foaf/0.1/Person",
        "http://xmlns.com/foaf/0.1/Group",
    },
    {"https://schema.org/City", "https://schema.org/Country", "https://schema.org/Continent"},
)


def _prominence(iri: str, index: LabelIndex) -> int:
    types = set(index.types.get(iri, ()))
    for rank, wanted in enumerate(PROMINENT_TYPES):
        if types & wanted:
            return rank
    return len(PROMINENT_TYPES)


CENTER = (400.0, 250.0)  # in the SVG's 800 x 500 view box
RADIUS = (310.0, 200.0)


def _short(text: str, limit: int = 28) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
