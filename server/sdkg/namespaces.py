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

#: The project's prefixes: written in Turtle, in the JSON-LD ``@context``, and offered
#: by the query editor (which adds the other vocabularies its files use).
PREFIXES: dict[str, str] = {
    "sdkg": ONTOLOGY,
    "id": ENTITY,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "org": "http://www.w3.org/ns/org#",
    "prov": "http://www.w3.org/ns/prov#",
    "schema": "https://schema.org/",
}
