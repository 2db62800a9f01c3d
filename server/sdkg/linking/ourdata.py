"""Our own data, read with rdflib, and the links it makes to external IRIs.

Our data is every ``*.ttl`` under the data folder except ``external/`` (the
caches of external sources, which describe *their* IRIs, not ours).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import TypeGuard

from rdflib import RDF, Graph, URIRef
from rdflib.term import Node

from sdkg import namespaces
from sdkg.linking.errors import LinkingError
from sdkg.resources import bundled_path

OUR_NAMESPACE = namespaces.BASE
OUR_ENTITIES = OUR_NAMESPACE + "id/"
EXTERNAL_FOLDER = "external"

# The named sets of link predicates of sdkg.namespaces, as rdflib terms.
IDENTITY_PREDICATES = tuple(URIRef(p) for p in namespaces.IDENTITY_LINKS)
ENRICHABLE_PREDICATES = tuple(URIRef(p) for p in namespaces.ENRICHING_LINKS)
LINK_PREDICATES = tuple(URIRef(p) for p in namespaces.ALL_LINKS)


@dataclass(frozen=True, order=True)
class Link:
    """One statement ``entity predicate target`` from our data to something external."""

    entity: URIRef
    predicate: URIRef
    target: Node  # an IRI, or a Literal where someone wrote an id as text (an error)


def data_dir_or_default(data_dir: Path | None) -> Path:
    """``data_dir`` if given, else the bundled data folder."""
    return data_dir if data_dir is not None else bundled_path("data")


def our_data_files(data_dir: Path) -> list[Path]:
    """The Turtle files of our own data under ``data_dir`` (sorted, without ``external/``)."""
    if not data_dir.is_dir():
        raise LinkingError(f"the data folder {data_dir} does not exist")
    return sorted(
        p
        for p in data_dir.rglob("*.ttl")
        if EXTERNAL_FOLDER not in p.relative_to(data_dir).parts[:-1]
    )


def parse_turtle(path: Path, graph: Graph | None = None) -> Graph:
    """Parse one Turtle file into ``graph`` (or a new one), naming the file on a syntax error."""
    graph = graph if graph is not None else Graph()
    try:
        graph.parse(path, format="turtle")
    except Exception as exc:  # rdflib raises many types for bad syntax; all mean the same here
        raise LinkingError(f"{path} is not valid Turtle: {exc}") from exc
    return graph


def load_our_data(data_dir: Path) -> Graph:
    """All of our data as one rdflib graph."""
    graph = Graph()
    for path in our_data_files(data_dir):
        parse_turtle(path, graph)
    return graph


def is_ours(node: Node) -> TypeGuard[URIRef]:
    """True for IRIs in sdkg's own namespace."""
    return isinstance(node, URIRef) and str(node).startswith(OUR_NAMESPACE)


def external_links(graph: Graph, predicates: tuple[URIRef, ...] = LINK_PREDICATES) -> list[Link]:
    """Every link (by one of ``predicates``) from one of our entities to a non-sdkg node, sorted."""
    links = {
        Link(subject, predicate, target)
        for predicate in predicates
        for subject, target in graph.subject_objects(predicate)
        if is_ours(subject) and not is_ours(target)
    }
    return sorted(links)


def linked_iris(
    graph: Graph, predicates: tuple[URIRef, ...] = ENRICHABLE_PREDICATES
) -> dict[URIRef, set[URIRef]]:
    """External IRI -> our entities that link to it."""
    targets: dict[URIRef, set[URIRef]] = defaultdict(set)
    for link in external_links(graph, predicates):
        if isinstance(link.target, URIRef):
            targets[link.target].add(link.entity)
    return dict(targets)


def our_entities_by_kind(graph: Graph) -> dict[URIRef, set[URIRef]]:
    """rdf:type -> our entities (``https://w3id.org/sdkg/id/...``) of that type."""
    kinds: dict[URIRef, set[URIRef]] = defaultdict(set)
    for entity, kind in graph.subject_objects(RDF.type):
        if isinstance(entity, URIRef) and str(entity).startswith(OUR_ENTITIES):
            kinds[kind].add(entity)  # type: ignore[index]
    return dict(kinds)
