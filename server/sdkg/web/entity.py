"""Blueprint for entity pages: ``GET /id/<slug>`` as linked data.

Browsers get HTML; clients that ask get Turtle, JSON-LD, N-Triples or RDF/XML (Accept,
``format=``, or a ``.ttl`` / ``.jsonld`` / ``.nt`` / ``.rdf`` suffix), always with
``Vary: Accept``. The HTML reads the store with ``GRAPH ?g`` so that our own facts and the
facts cached from external sources (reached through ``owl:sameAs`` / ``skos:exactMatch``)
stay apart, and shows the evidence (document and exact sentence) behind each fact.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import pyoxigraph as ox
from flask import Blueprint, Response, render_template, request

from sdkg import formats, namespaces, serialize
from sdkg.contributions import UNVERIFIED_LINK
from sdkg.linking.contributed import LABEL_PREDICATES as NAMES_COMPARED
from sdkg.linking.contributed import matching_label
from sdkg.negotiation import Choice, format_values, negotiate
from sdkg.protocol import serialize_result
from sdkg.solutions import select
from sdkg.web import entity_extras as extras
from sdkg.web import essay
from sdkg.web.context import state
from sdkg.web.contribution_access import confirmed_links
from sdkg.web.labels import LABEL_PREDICATES, RDF_TYPE, LabelIndex
from sdkg.web.pages import label_index, search_hits
from sdkg.web.sentences import SCHEMA_TEXT
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
#: Links to the same thing elsewhere: their targets' identifiers and facts are shown.
LINK_PREDICATES = namespaces.IDENTITY_LINKS
#: Properties listed first on a page, in this order; the rest by readable label.
FIRST_PROPERTIES = LABEL_PREDICATES[:2] + (
    "http://www.w3.org/2004/02/skos/core#altLabel",
    "https://w3id.org/sdkg/ontology#acronym",
)
LONG_TEXT = 400  # characters; longer literals are folded away
#: Referrers listed per property under "Referenced by"; past it the page lists this many,
#: gives their number and a query listing them all (a concept of a large graph has tens of
#: thousands).
INCOMING_SHOWN = 50


# --------------------------------------------------------------------------- view model


@dataclass
class Evidence:
    """The document and exact words behind one fact."""

    text: str
    source: str | None
    source_label: str | None
    source_url: str | None
    #: The quoted sentence on the document's page (set by entity_extras.link_sentences).
    sentence_url: str | None = None


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
    unverified: bool = False  # an external link no source has confirmed yet

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
    #: Values not listed (``values`` holds the first ones), and a query listing them all.
    more: int = 0
    more_url: str = ""


@dataclass
class EnrichedSource:
    """Facts an external source states about the external IRI our entity links to."""

    source: str
    graph: str
    external_iri: str
    properties: list[PropertyValues]


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
    suggestions = search_hits(words, limit=8)
    if html:
        body = render_template("not_found.html", slug=slug, words=words, suggestions=suggestions)
        return Response(body, status=404, mimetype="text/html")
    lines = [f"no entity {ENTITY_NS}{slug} in this graph; search: /search?q={words}"]
    lines += [f"did you mean {hit['iri']} ({hit['label']})?" for hit in suggestions[:3]]
    return Response("\n".join(lines) + "\n", status=404, mimetype="text/plain")


# --------------------------------------------------------------------------- reading


def _entity_view(iri: str, slug: str) -> dict[str, Any]:
    """Everything the entity page shows, read from the store."""
    store = state().store
    index = label_index()
    referrers = _referrers(iri)
    index.load(_neighbours(iri) | {s for _, shown in referrers.values() for s in shown})
    evidence = _evidence(iri, index)

    own: dict[str, list[Value]] = defaultdict(list)
    seen: set[tuple[str, str]] = set()
    types: list[Value] = []
    unverified = _unverified_links(iri)
    for row in select(store, f"SELECT ?p ?o ?g WHERE {{ GRAPH ?g {{ <{iri}> ?p ?o }} }}"):
        predicate, obj, graph = row["p"].value, row["o"], row["g"].value
        key = (predicate, str(obj))
        if key in seen:
            continue
        seen.add(key)
        value = _value(obj, index, graph)
        value.evidence = evidence.get(key, [])
        value.unverified = value.iri in unverified
        (types if predicate == RDF_TYPE else own[predicate]).append(value)

    enriched = _enriched(iri, index)
    incoming = _incoming(iri, referrers, index)
    names: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for predicate in LABEL_PREDICATES:
        for value in own.get(predicate, []):
            if value.kind == "literal":
                names[value.language or "(no language)"].append((value.text, compact(predicate)))
    label = index.label(iri)
    # External identifiers get their own section; the facts are the rest.
    links = [value for predicate in LINK_PREDICATES for value in own.get(predicate, [])]
    # A document's text is shown whole, sentence by sentence with its facts, not as a fact.
    reading = essay.annotated_text(iri, index)
    hidden = (*LINK_PREDICATES, *((SCHEMA_TEXT,) if reading else ()))
    properties = _property_list({p: v for p, v in own.items() if p not in hidden}, index)
    extras.link_sentences(properties)
    graph = extras.network(iri, own, incoming, index)
    return {
        "iri": iri,
        "slug": slug,
        "label": label,
        "kind": index.kind(iri),
        "description": extras.description(iri, own, index),
        "types": sorted(types, key=lambda v: v.text.casefold()),
        "names": dict(sorted(names.items())),
        "properties": properties,
        "identifiers": extras.identifiers(links),
        "enriched": enriched,
        "incoming": incoming,
        "network": graph,
        "points": extras.map_points(iri, graph["nodes"], index),
        "dated": extras.dated_facts(properties),
        "reading": reading,
        "map_tiles": state().settings.map_tiles,
        "map_attribution": state().settings.map_attribution,
        "search_query": "",
    }


def _neighbours(iri: str) -> set[str]:
    """The entity, the IRIs it links to and from, and the properties between them: what
    its page labels (looked up together, not one by one)."""
    # The things linking to it are not read here: there can be too many (_referrers).
    return {iri} | {
        row["x"].value
        for row in select(
            state().store,
            f"SELECT DISTINCT ?x WHERE {{ {{ <{iri}> ?x ?o }} UNION {{ <{iri}> ?p ?x }} "
            f"UNION {{ ?s ?x <{iri}> }} FILTER(isIRI(?x)) }}",
        )
    }


def _unverified_links(iri: str) -> set[str]:
    """External IRIs of ``iri`` that the contribution stating them marked unverified
    (:data:`sdkg.contributions.UNVERIFIED_LINK`) and that nothing has confirmed since:
    neither ``sdkg link check`` (recorded in the contributions folder) nor an external
    cache in the store whose record has one of the entity's names."""
    store = state().store
    flagged = {
        row["ext"].value
        for row in select(
            store,
            f"SELECT DISTINCT ?ext WHERE {{ GRAPH ?g {{ <{iri}> ?p ?ext . "
            f"?g <{UNVERIFIED_LINK}> ?ext }} }}",
        )
    } - confirmed_links()
    if not flagged:
        return flagged
    names = " ".join(f"<{p}>" for p in NAMES_COMPARED)
    ours = {
        row["n"].value
        for row in select(
            store,
            f"SELECT DISTINCT ?n WHERE {{ VALUES ?p {{ {names} }} GRAPH ?g {{ <{iri}> ?p ?n }} }}",
        )
    }
    unconfirmed = set()
    for ext in flagged:
        theirs = {
            row["n"].value
            for row in select(
                store,
                f"SELECT DISTINCT ?n WHERE {{ VALUES ?p {{ {names} }} GRAPH ?c {{ <{ext}> ?p ?n }} "
                f'FILTER(STRSTARTS(STR(?c), "{GRAPH_NS}external/")) }}',
            )
        }
        if matching_label(ours, theirs) is None:
            unconfirmed.add(ext)
    return unconfirmed


def _evidence(iri: str, index: LabelIndex) -> dict[tuple[str, str], list[Evidence]]:
    """Evidence nodes about ``iri``, keyed by (predicate, object in N-Triples form)."""
    found: dict[tuple[str, str], list[Evidence]] = defaultdict(list)
    for row in select(
        state().store,
        "SELECT ?p ?o ?doc ?text WHERE { "
        "?e a <https://w3id.org/sdkg/ontology#Evidence> ; "
        f"<http://www.w3.org/1999/02/22-rdf-syntax-ns#subject> <{iri}> ; "
        "<http://www.w3.org/1999/02/22-rdf-syntax-ns#predicate> ?p ; "
        "<http://www.w3.org/1999/02/22-rdf-syntax-ns#object> ?o . "
        "OPTIONAL { ?e <http://purl.org/dc/terms/source> ?doc } "
        "OPTIONAL { ?e <http://www.w3.org/ns/prov#value> ?text } } ORDER BY ?doc ?text",
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
    for row in select(
        state().store,
        f"SELECT ?ext ?p ?o ?g WHERE {{ VALUES ?link {{ {links} }} <{iri}> ?link ?ext . "
        f'GRAPH ?g {{ ?ext ?p ?o }} FILTER(STRSTARTS(STR(?g), "{GRAPH_NS}external/")) }}',
    ):
        graph = row["g"].value
        grouped[(graph, row["ext"].value)][row["p"].value].append(_value(row["o"], index, graph))
    return [
        EnrichedSource(external_source(graph) or graph, graph, ext, _property_list(props, index))
        for (graph, ext), props in sorted(grouped.items())
    ]


def _referrers(iri: str) -> dict[str, tuple[int, list[str]]]:
    """Per property, how many things refer to the entity with it and
    :data:`INCOMING_SHOWN` of them (in the store's order: sorting tens of thousands of
    IRIs to show the first few took 0.7 s at 10M triples; the page sorts those it shows)."""
    store = state().store
    counts = {
        row["p"].value: int(row["n"].value)
        for row in select(
            store,
            f"SELECT ?p (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s ?p <{iri}> FILTER(isIRI(?s)) }} "
            "GROUP BY ?p",
        )
    }
    found: dict[str, tuple[int, list[str]]] = {}
    for predicate, count in sorted(counts.items()):
        rows = select(
            store,
            f"SELECT DISTINCT ?s WHERE {{ ?s <{predicate}> <{iri}> FILTER(isIRI(?s)) }} "
            f"LIMIT {INCOMING_SHOWN}",
        )
        found[predicate] = (count, [row["s"].value for row in rows])
    return found


def _incoming(
    iri: str, referrers: dict[str, tuple[int, list[str]]], index: LabelIndex
) -> list[PropertyValues]:
    """Who refers to the entity, grouped by property; past :data:`INCOMING_SHOWN` a
    property's referrers are counted and left to a query."""
    by_property = {
        predicate: [_value(ox.NamedNode(s), index, "") for s in shown]
        for predicate, (_, shown) in referrers.items()
    }
    listed = _property_list(by_property, index)
    for entry in listed:
        count, shown = referrers[entry.iri]
        if count > len(shown):
            entry.more = count - len(shown)
            query = (
                f"SELECT DISTINCT ?thing WHERE {{\n  ?thing <{entry.iri}> <{iri}> .\n"
                "  FILTER(isIRI(?thing))\n}\nORDER BY ?thing"
            )
            entry.more_url = "/sparql?" + urlencode({"query": query})
    return listed


def _value(term: Any, index: LabelIndex, graph: str) -> Value:
    if isinstance(term, ox.NamedNode):
        url = page_url(term.value)
        return Value(
            kind="entity" if url else "external",
            text=index.label(term.value)
            if url or index.labels_of(term.value)
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
