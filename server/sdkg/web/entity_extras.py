"""What an entity page shows besides its facts: a one-line description, its external
identifiers, the sentence each fact comes from, its neighbourhood as a network, its place
on a map and a small timeline of its dated facts.

Plain functions over what :mod:`sdkg.web.entity` has read; the drawing is done in the
browser (``entity.js``) from the JSON these functions build.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from sdkg.web.labels import LabelIndex
from sdkg.web.sentences import document_sentences, quoted_sentences
from sdkg.web.terms import ENTITY_NS, page_url
from sdkg.web.views_api import points_of

#: Predicates whose text describes a thing, best first.
DESCRIPTION_PREDICATES = (
    "https://schema.org/description",
    "http://purl.org/dc/terms/description",
    "http://www.w3.org/2004/02/skos/core#definition",
    "http://www.w3.org/2000/01/rdf-schema#comment",
)
LOCATION = "https://schema.org/location"
FOUNDING_DATE = "https://schema.org/foundingDate"
#: Identifier schemes by IRI prefix, as people name them.
SCHEMES = (
    ("http://www.wikidata.org/entity/", "Wikidata"),
    ("https://www.wikidata.org/wiki/", "Wikidata"),
    ("https://ror.org/", "ROR"),
    ("https://sws.geonames.org/", "GeoNames"),
    ("http://dbpedia.org/resource/", "DBpedia"),
    ("https://unstats.un.org/sdgs/", "UN SDG"),
    ("http://metadata.un.org/sdg/", "UN SDG"),
)
DATE_TYPES = ("#date", "#gYear", "#gYearMonth", "#dateTime")
MAX_NEIGHBOURS = 40
#: Neighbours drawn first when there are too many: organizations and people, then places.
PROMINENT_TYPES = (
    {
        "http://www.w3.org/ns/org#Organization",
        "http://xmlns.com/foaf/0.1/Person",
        "http://xmlns.com/foaf/0.1/Group",
    },
    {"https://schema.org/City", "https://schema.org/Country", "https://schema.org/Continent"},
)


def description(iri: str, own: dict[str, list[Any]], index: LabelIndex) -> str:
    """One line saying what the thing is: its own description, else kind, place and year."""
    for predicate in DESCRIPTION_PREDICATES:
        texts = sorted(
            (v for v in own.get(predicate, []) if v.kind == "literal"),
            key=lambda v: v.language not in ("en", ""),
        )
        if texts:
            first = texts[0].text.split(". ")[0].rstrip(".")
            return first if len(first) <= 200 else first[:199].rstrip() + "…"
    kind = index.kind(iri) or "entity"
    line = kind[:1].upper() + kind[1:]
    places = [v.text for v in own.get(LOCATION, []) if v.kind == "entity"]
    if places:
        line += " in " + " and ".join(sorted(places))
    years = [v.text[:4] for v in own.get(FOUNDING_DATE, []) if v.kind == "literal"]
    if years:
        line += f", founded in {min(years)}"
    return line


def scheme_of(iri: str) -> str:
    """``Wikidata`` for a Wikidata IRI; else the IRI's host."""
    for prefix, name in SCHEMES:
        if iri.startswith(prefix):
            return name
    return urlsplit(iri).hostname or iri


def identifiers(values: list[Any]) -> list[dict[str, Any]]:
    """External identifiers (from owl:sameAs and skos:exactMatch) by scheme: scheme, id, url,
    and whether the identifier is still unverified (a contribution's, unconfirmed)."""
    found: dict[str, dict[str, Any]] = {}
    for value in values:
        if value.kind != "external" or not value.iri:
            continue
        scheme = scheme_of(value.iri)
        local = value.iri.rstrip("/").rsplit("/", 1)[-1]
        unverified = getattr(value, "unverified", False) or found.get(value.iri, {}).get(
            "unverified"
        )
        found[value.iri] = {
            "scheme": scheme,
            "id": local,
            "url": value.iri,
            "unverified": bool(unverified),
        }
    return sorted(found.values(), key=lambda i: (i["scheme"], i["id"]))


def link_sentences(properties: list[Any]) -> None:
    """Point each fact's evidence at the sentence it quotes on the document's page."""
    for prop in properties:
        for value in prop.values:
            for evidence in value.evidence:
                if not evidence.source or not evidence.source_url:
                    continue
                quoted = quoted_sentences(evidence.text, document_sentences(evidence.source))
                if quoted:
                    evidence.sentence_url = f"{evidence.source_url}#{quoted[0].anchor}"


def _prominence(iri: str, index: LabelIndex) -> int:
    types = set(index.types_of(iri))
    for rank, wanted in enumerate(PROMINENT_TYPES):
        if types & wanted:
            return rank
    return len(PROMINENT_TYPES)


def network(
    iri: str, own: dict[str, list[Any]], incoming: list[Any], index: LabelIndex
) -> dict[str, Any]:
    """The entity and its linked entities of ours, both ways, as nodes and labelled edges."""
    edges: list[dict[str, str]] = []
    for predicate, values in sorted(own.items()):
        for value in values:
            if value.kind == "entity" and (value.iri or "").startswith(ENTITY_NS):
                relation = index.term_label(predicate)
                edges.append({"source": iri, "target": value.iri, "relation": relation})
    for prop in incoming:
        for value in prop.values:
            if value.kind == "entity" and (value.iri or "").startswith(ENTITY_NS):
                edges.append({"source": value.iri, "target": iri, "relation": prop.label})
    others = {e["target"] if e["source"] == iri else e["source"] for e in edges} - {iri}
    kept = set(
        sorted(others, key=lambda o: (_prominence(o, index), index.label(o).casefold()))[
            :MAX_NEIGHBOURS
        ]
    )
    edges = [e for e in edges if {e["source"], e["target"]} - {iri} <= kept]
    unique = {(e["source"], e["relation"], e["target"]): e for e in edges}
    nodes = [iri, *sorted(kept, key=lambda o: index.label(o).casefold())]
    return {
        "center": iri,
        "nodes": [{"id": n, "label": index.label(n), "url": page_url(n) or n} for n in nodes],
        "edges": [
            {**e, "id": f"{e['source']} {e['relation']} {e['target']}"} for e in unique.values()
        ],
        "truncated": len(others) - len(kept),
    }


def map_points(iri: str, neighbours: list[dict[str, str]], index: LabelIndex) -> list[dict]:
    """The entity's point (its own coordinates or its place's) and its neighbours' points."""
    placed = points_of(node["id"] for node in neighbours)
    found = []
    for node in neighbours:
        point = placed.get(node["id"])
        if point is not None:
            found.append(
                {
                    "lat": point[0],
                    "lon": point[1],
                    "label": node["label"],
                    "url": node["url"],
                    "main": node["id"] == iri,
                }
            )
    return found if any(p["main"] for p in found) else []


def dated_facts(properties: list[Any]) -> list[dict[str, str]]:
    """Facts whose value is a date or year, oldest first: date text, year, what."""
    found = []
    for prop in properties:
        for value in prop.values:
            if value.kind == "literal" and value.datatype.endswith(
                tuple(t.replace("#", ":") for t in DATE_TYPES)
            ):
                found.append({"date": value.text, "year": value.text[:4], "what": prop.label})
    return sorted(found, key=lambda f: f["date"])
