"""The cache of one external source: ``data/external/<source>.ttl``.

The store loads ``data/external/<source>.ttl`` into the named graph
``https://w3id.org/sdkg/graph/external/<source>`` (by its path: that is the
convention), so the file describes that graph's own provenance with the graph
IRI as subject. Files are written sorted (stable diffs) and atomically (a
temporary file renamed over the old one only once it is complete).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from rdflib import DCTERMS, PROV, RDF, RDFS, XSD, Graph, Literal, URIRef

from sdkg import __version__, namespaces
from sdkg.linking.ourdata import EXTERNAL_FOLDER, parse_turtle
from sdkg.linking.sources import Mapping

GRAPH_BASE = namespaces.EXTERNAL_GRAPH
# The only triples that differ between two runs on the same input.
TIME_PREDICATES = frozenset({PROV.startedAtTime, PROV.endedAtTime, PROV.generatedAtTime})


def graph_iri(source: str) -> URIRef:
    """The named graph that holds ``source``'s cache."""
    return URIRef(GRAPH_BASE + source)


def cache_path(data_dir: Path, source: str) -> Path:
    """Where ``source``'s cache file lives under ``data_dir``."""
    return data_dir / EXTERNAL_FOLDER / f"{source}.ttl"


def now() -> datetime:
    """The current time in UTC, to the second (enough for provenance, stable to read)."""
    return datetime.now(UTC).replace(microsecond=0)


def new_cache_graph(mapping: Mapping) -> Graph:
    """An empty graph with the mapping file's prefixes bound (for readable Turtle)."""
    graph = Graph(bind_namespaces="core")
    for prefix, namespace in sorted(mapping.prefixes.items()):
        graph.bind(prefix, namespace, override=True, replace=True)
    return graph


def add_provenance(
    graph: Graph,
    source: str,
    *,
    title: str,
    activity: str,
    started: datetime,
    ended: datetime,
    used: list[URIRef],
) -> URIRef:
    """Describe the cache graph: what made it (an activity of sdkg), from what, and when.

    Returns the activity's IRI (``<graph>#<activity>``) so callers can add to it.
    """
    graph_node = graph_iri(source)
    activity_node = URIRef(f"{graph_node}#{activity}")
    graph.add((graph_node, RDF.type, PROV.Entity))
    graph.add((graph_node, DCTERMS.title, Literal(title, lang="en")))
    graph.add((graph_node, PROV.wasGeneratedBy, activity_node))
    graph.add((graph_node, PROV.generatedAtTime, Literal(ended, datatype=XSD.dateTime)))
    graph.add((activity_node, RDF.type, PROV.Activity))
    graph.add((activity_node, RDFS.label, Literal(f"sdkg link {activity} (sdkg {__version__})")))
    graph.add((activity_node, PROV.startedAtTime, Literal(started, datatype=XSD.dateTime)))
    graph.add((activity_node, PROV.endedAtTime, Literal(ended, datatype=XSD.dateTime)))
    for thing in used:
        graph.add((activity_node, PROV.used, thing))
        graph.add((graph_node, PROV.wasDerivedFrom, thing))
    return activity_node


def serialize(graph: Graph) -> bytes:
    """Turtle, sorted by subject, predicate and object, so equal graphs give equal bytes.

    The graphs written here have no blank nodes (their labels would not be stable).
    """
    return graph.serialize(format="turtle", encoding="utf-8")


def without_times(graph: Graph) -> set[tuple]:
    """The triples of ``graph`` except the provenance times."""
    return {t for t in graph if t[1] not in TIME_PREDICATES}


def same_except_times(path: Path, graph: Graph) -> bool:
    """True if the cache file at ``path`` already holds ``graph`` (times aside)."""
    if not path.exists():
        return False
    return without_times(parse_turtle(path)) == without_times(graph)


def load_caches(data_dir: Path) -> dict[str, Graph]:
    """Every cache file under ``data_dir/external/``, by source name (the file's stem)."""
    folder = data_dir / EXTERNAL_FOLDER
    if not folder.is_dir():
        return {}
    return {path.stem: parse_turtle(path) for path in sorted(folder.glob("*.ttl"))}
