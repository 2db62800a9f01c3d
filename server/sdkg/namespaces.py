"""The project's own IRI spaces (DESIGN.md, "IRIs"): one definition for every module."""

from __future__ import annotations

#: Everything sdkg mints lives below this IRI.
BASE = "https://w3id.org/sdkg/"
#: Ontology terms: ``sdkg:`` (``ontology/sdkg.ttl``).
ONTOLOGY = BASE + "ontology#"
#: SHACL shapes (``ontology/shapes.ttl``).
SHAPES = BASE + "shapes#"
#: Entities: ``https://w3id.org/sdkg/id/<slug>``.
ENTITY = BASE + "id/"
#: Named graphs: core data, ontology, each contribution, each external source.
GRAPH = BASE + "graph/"
#: Graphs of external sources' caches (``data/external/<source>.ttl``).
EXTERNAL_GRAPH = GRAPH + "external/"
#: The server's own bookkeeping in a remote store (manifest, lease).
SYSTEM = BASE + "system/"

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"

#: Every prefix sdkg writes or shows, one namespace each: the other prefix tables
#: (:data:`CORE_PREFIXES`, the web's, the contributions') are subsets of this one.
PREFIXES: dict[str, str] = {
    "sdkg": ONTOLOGY,
    "id": ENTITY,
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
    "skos": SKOS,
    "dcterms": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "org": "http://www.w3.org/ns/org#",
    "prov": "http://www.w3.org/ns/prov#",
    "schema": "https://schema.org/",
    "sh": "http://www.w3.org/ns/shacl#",
    "sdkgsh": SHAPES,
    "vann": "http://purl.org/vocab/vann/",
    "adms": "http://www.w3.org/ns/adms#",
    "void": "http://rdfs.org/ns/void#",
    "sd": "http://www.w3.org/ns/sparql-service-description#",
    "geonames": "https://sws.geonames.org/",
    "wd": "http://www.wikidata.org/entity/",
    "ror": "https://ror.org/",
    "dbr": "http://dbpedia.org/resource/",
    "spdx": "http://spdx.org/rdf/terms#",
    "httph": "http://www.w3.org/2011/http-headers#",
}


def prefixes(*names: str) -> dict[str, str]:
    """The part of :data:`PREFIXES` with these names, in this order."""
    return {name: PREFIXES[name] for name in names}


#: The project's prefixes: written in Turtle, in the JSON-LD ``@context``, and offered
#: by the query editor (which adds the other vocabularies its files use).
CORE_PREFIXES: dict[str, str] = prefixes(
    "sdkg", "id", "rdf", "rdfs", "owl", "xsd", "skos", "dcterms", "foaf", "org", "prov", "schema"
)

# --------------------------------------------------------------------------- links

#: Links that say "this is the same thing": two of our entities must not share a target,
#: and the target's identifiers are the entity's (shown on its page).
IDENTITY_LINKS: tuple[str, ...] = (OWL + "sameAs", SKOS + "exactMatch")
#: Links whose targets are worth enriching from (their facts are about our entity too).
ENRICHING_LINKS: tuple[str, ...] = (*IDENTITY_LINKS, SKOS + "closeMatch")
#: Every predicate that links an entity to another resource: what ``sdkg link check``
#: checks and what the VoID description counts as linksets (targets outside sdkg).
ALL_LINKS: tuple[str, ...] = (
    *ENRICHING_LINKS,
    SKOS + "relatedMatch",
    SKOS + "broadMatch",
    SKOS + "narrowMatch",
    SKOS + "related",
)
