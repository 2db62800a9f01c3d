"""Descriptions of the endpoint and the dataset: SPARQL Service Description and VoID.

Both are built from the dataset's figures (:mod:`sdkg.statistics`: counts, graphs,
classes, links, kept with the store) and returned as rdflib graphs; callers cache them
per store generation.
"""

from __future__ import annotations

from typing import Any

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF, XSD

from sdkg import formats, namespaces
from sdkg.statistics import ENTITY_SPACE, DatasetStatistics, term_value

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = Namespace("http://rdfs.org/ns/void#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
ENTAILMENT = Namespace("http://www.w3.org/ns/entailment/")

#: The address descriptions are computed for, replaced by the one a client asked at
#: (:func:`at_address`): so a description is cached once per store generation, whatever
#: ``Host`` header clients send (``.invalid`` never names a real host).
PLACEHOLDER_BASE = "http://sdkg.invalid/"
PLACEHOLDER_ENDPOINT = PLACEHOLDER_BASE + "sparql"


def at_address(graph: Graph, placeholder: str, address: str) -> Graph:
    """A copy of ``graph`` with IRIs starting with ``placeholder`` moved to ``address``."""

    def moved(term: Any) -> Any:
        if isinstance(term, URIRef) and str(term).startswith(placeholder):
            return URIRef(address + str(term)[len(placeholder) :])
        return term

    copy = Graph()
    for prefix, namespace in graph.namespaces():
        copy.bind(prefix, namespace, override=True, replace=True)
    for triple in graph:
        copy.add((moved(triple[0]), moved(triple[1]), moved(triple[2])))
    return copy


def _node(term: str) -> URIRef:
    """A term of the statistics (N-Triples form) as the descriptions name it: by its value."""
    return URIRef(term_value(term))


def _integer(number: int) -> Literal:
    return Literal(number, datatype=XSD.integer)


def _bind(graph: Graph) -> None:
    for prefix, namespace in (("sd", SD), ("void", VOID), ("formats", FORMATS)):
        graph.bind(prefix, namespace)
    graph.bind("dcterms", DCTERMS)


def service_description(
    statistics: DatasetStatistics, endpoint: str, *, federated: bool = False
) -> Graph:
    """The SPARQL 1.1 Service Description of ``endpoint``, with the triples of each
    named graph from ``statistics``."""
    graph = Graph()
    _bind(graph)
    service = URIRef(endpoint)
    graph.add((service, RDF.type, SD.Service))
    graph.add((service, SD.endpoint, service))
    graph.add((service, DCTERMS.title, Literal("sdkg: the Science Diplomacy Knowledge Graph")))
    graph.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    graph.add((service, SD.defaultEntailmentRegime, ENTAILMENT.Simple))
    graph.add((service, SD.feature, SD.UnionDefaultGraph))
    graph.add((service, SD.feature, SD.EmptyGraphs))
    if federated:
        graph.add((service, SD.feature, SD.BasicFederatedQuery))
    # Every result format the endpoint writes, by its W3C format IRI (formats registry).
    for fmt in (*formats.offered("solutions"), *formats.offered("graph")):
        if fmt.iri is not None:
            graph.add((service, SD.resultFormat, URIRef(fmt.iri)))

    dataset = BNode()
    graph.add((service, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    default_graph = BNode()
    graph.add((dataset, SD.defaultGraph, default_graph))
    graph.add((default_graph, RDF.type, SD.Graph))
    graph.add((default_graph, DCTERMS.description, Literal("the union of all named graphs")))
    total = 0
    for name, triples in sorted(statistics.graph_triples.items()):
        named, inner = BNode(), BNode()
        graph.add((dataset, SD.namedGraph, named))
        graph.add((named, RDF.type, SD.NamedGraph))
        graph.add((named, SD.name, _node(name)))
        graph.add((named, SD.graph, inner))
        graph.add((inner, RDF.type, SD.Graph))
        graph.add((inner, VOID.triples, _integer(triples)))
        total += triples
    graph.add((default_graph, VOID.triples, _integer(total)))
    return graph


def void_description(statistics: DatasetStatistics, base_url: str) -> Graph:
    """A VoID description of the dataset served at ``base_url`` (ending in ``/``), with
    the figures of ``statistics``."""
    graph = Graph()
    _bind(graph)
    graph.bind("foaf", FOAF)
    here = base_url + ".well-known/void"
    dataset = URIRef(here + "#sdkg")
    graph.add((dataset, RDF.type, VOID.Dataset))
    graph.add((dataset, DCTERMS.title, Literal("sdkg: the Science Diplomacy Knowledge Graph")))
    graph.add((dataset, VOID.sparqlEndpoint, URIRef(base_url + "sparql")))
    graph.add((dataset, VOID.dataDump, URIRef(base_url + "dump")))
    graph.add((dataset, VOID.uriSpace, Literal(ENTITY_SPACE)))
    for fmt in formats.offered("dataset"):  # the dump's formats
        if fmt.iri is not None:
            graph.add((dataset, VOID.feature, URIRef(fmt.iri)))

    graph.add((dataset, VOID.triples, _integer(statistics.triples)))
    graph.add((dataset, VOID.entities, _integer(statistics.entities)))
    graph.add((dataset, VOID.distinctSubjects, _integer(statistics.distinct_subjects)))
    graph.add((dataset, VOID.distinctObjects, _integer(statistics.distinct_objects)))

    for licence in _dataset_licences(statistics, graph, dataset, here):
        graph.add((dataset, DCTERMS.license, licence))
    for example in statistics.examples:
        graph.add((dataset, VOID.exampleResource, URIRef(example)))

    graph.add((dataset, VOID.classes, _integer(len(statistics.classes))))
    for name, members in statistics.classes.items():
        part = BNode()
        graph.add((dataset, VOID.classPartition, part))
        graph.add((part, VOID["class"], _node(name)))
        graph.add((part, VOID.entities, _integer(members)))
    graph.add((dataset, VOID.properties, _integer(len(statistics.properties))))
    for name, triples in statistics.properties.items():
        part = BNode()
        graph.add((dataset, VOID.propertyPartition, part))
        graph.add((part, VOID.property, _node(name)))
        graph.add((part, VOID.triples, _integer(triples)))

    for (predicate, host), triples in statistics.linksets.items():
        predicate_iri = term_value(predicate)
        target = URIRef(f"{here}#target-{host}")
        graph.add((target, RDF.type, VOID.Dataset))
        graph.add((target, DCTERMS.title, Literal(host)))
        graph.add((target, FOAF.homepage, URIRef(f"https://{host}/")))
        linkset = URIRef(f"{here}#links-{host}-{predicate_iri.rsplit('#', 1)[-1]}")
        graph.add((dataset, VOID.subset, linkset))
        graph.add((linkset, RDF.type, VOID.Linkset))
        graph.add((linkset, VOID.subjectsTarget, dataset))
        graph.add((linkset, VOID.objectsTarget, target))
        graph.add((linkset, VOID.linkPredicate, URIRef(predicate_iri)))
        graph.add((linkset, VOID.triples, _integer(triples)))
    return graph


def _dataset_licences(
    statistics: DatasetStatistics, graph: Graph, dataset: URIRef, here: str
) -> list[URIRef]:
    """Add one ``void:subset`` per named graph that states its own licence, with that
    licence; return the licence(s) of the dataset as a whole.

    A named graph states its licence about itself (``GRAPH ?g { ?g dcterms:license ?l }``):
    the curated data, the ontology and the ROR cache each have their own. The dataset as a
    whole gets the licence stated for :data:`sdkg.statistics.DATASET_IRI` if there is
    one, else the one licence all graphs share, else none: the subsets say which part is
    under which.
    """
    for (name_term, licence), triples in statistics.licensed_graphs.items():
        name = term_value(name_term)
        local = name[len(namespaces.GRAPH) :] if name.startswith(namespaces.GRAPH) else name
        subset = URIRef(f"{here}#graph-{local.replace('/', '-')}")
        graph.add((dataset, VOID.subset, subset))
        graph.add((subset, RDF.type, VOID.Dataset))
        graph.add((subset, SD.name, URIRef(name)))
        graph.add((subset, DCTERMS.license, _node(licence)))
        graph.add((subset, VOID.triples, _integer(triples)))
    if statistics.stated_licences:
        return [_node(licence) for licence in statistics.stated_licences]
    shared = {term_value(licence) for _, licence in statistics.licensed_graphs}
    return [URIRef(shared.pop())] if len(shared) == 1 else []
