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
