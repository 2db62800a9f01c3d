"""Descriptions of the endpoint and the dataset: SPARQL Service Description and VoID.

Both are computed from the store (counts, graphs, classes, links) and returned as rdflib
graphs; callers cache them per store generation, since counting walks the whole store.
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF, XSD

from sdkg import formats, namespaces
from sdkg.graphstore import GraphStore, Rows

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = Namespace("http://rdfs.org/ns/void#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
ENTAILMENT = Namespace("http://www.w3.org/ns/entailment/")
ENTITY_SPACE = namespaces.ENTITY

#: Predicates that link our entities to other datasets, counted as VoID linksets: the
#: links ``sdkg link check`` checks.
LINK_PREDICATES = namespaces.ALL_LINKS


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


def _select(store: GraphStore, sparql: str) -> list[dict[str, Any]]:
    """Rows of a SELECT as {variable: plain value}."""
    result = store.query(sparql)
    if not isinstance(result, ox.QuerySolutions | Rows):
        raise TypeError(f"expected the solutions of a SELECT query, got {type(result).__name__}")
    names = [v.value for v in result.variables]
    return [
        {name: (row[name].value if row[name] is not None else None) for name in names}
        for row in result
    ]


def _bind(graph: Graph) -> None:
    for prefix, namespace in (("sd", SD), ("void", VOID), ("formats", FORMATS)):
        graph.bind(prefix, namespace)
    graph.bind("dcterms", DCTERMS)


def service_description(store: GraphStore, endpoint: str, *, federated: bool = False) -> Graph:
    """The SPARQL 1.1 Service Description of ``endpoint``."""
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
    counts = _select(
        store,
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g",
    )
    total = 0
    for row in counts:
        named, inner = BNode(), BNode()
        graph.add((dataset, SD.namedGraph, named))
        graph.add((named, RDF.type, SD.NamedGraph))
        graph.add((named, SD.name, URIRef(row["g"])))
        graph.add((named, SD.graph, inner))
        graph.add((inner, RDF.type, SD.Graph))
        graph.add((inner, VOID.triples, Literal(int(row["n"]), datatype=XSD.integer)))
        total += int(row["n"])
    graph.add((default_graph, VOID.triples, Literal(total, datatype=XSD.integer)))
    return graph


def void_description(store: GraphStore, base_url: str) -> Graph:
    """A VoID description of the dataset served at ``base_url`` (ending in ``/``)."""
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

    def count(sparql: str) -> Literal:
        return Literal(int(_select(store, sparql)[0]["n"]), datatype=XSD.integer)

    graph.add((dataset, VOID.triples, count("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")))
    graph.add(
        (
            dataset,
            VOID.entities,
            count(
                "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o "
                f'FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{ENTITY_SPACE}")) }}'
            ),
        )
    )
    graph.add((dataset, VOID.distinctSubjects, count(
        "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o }")))  # fmt: skip
    graph.add((dataset, VOID.distinctObjects, count(
        "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?s ?p ?o }")))  # fmt: skip

    for licence in _dataset_licences(store, graph, dataset, here):
        graph.add((dataset, DCTERMS.license, licence))
    for row in _select(store, (
        "SELECT DISTINCT ?s WHERE { ?s ?p ?o "
        f'FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{ENTITY_SPACE}")) }} ORDER BY ?s LIMIT 3'
    )):  # fmt: skip
        graph.add((dataset, VOID.exampleResource, URIRef(row["s"])))

    classes = _select(store, (
        "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY ?c"
    ))  # fmt: skip
    graph.add((dataset, VOID.classes, Literal(len(classes), datatype=XSD.integer)))
    for row in classes:
        part = BNode()
        graph.add((dataset, VOID.classPartition, part))
        graph.add((part, VOID["class"], URIRef(row["c"])))
        graph.add((part, VOID.entities, Literal(int(row["n"]), datatype=XSD.integer)))
    properties = _select(store, (
        "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p ORDER BY ?p"
    ))  # fmt: skip
    graph.add((dataset, VOID.properties, Literal(len(properties), datatype=XSD.integer)))
    for row in properties:
        part = BNode()
        graph.add((dataset, VOID.propertyPartition, part))
        graph.add((part, VOID.property, URIRef(row["p"])))
        graph.add((part, VOID.triples, Literal(int(row["n"]), datatype=XSD.integer)))

    values = " ".join(f"<{p}>" for p in LINK_PREDICATES)
    links = _select(store, (
        f"SELECT ?p ?host (COUNT(*) AS ?n) WHERE {{ VALUES ?p {{ {values} }} ?s ?p ?o "
        f'FILTER(isIRI(?o) && !STRSTARTS(STR(?o), "{namespaces.BASE}")) '
        f'BIND(REPLACE(STR(?o), "^[A-Za-z][A-Za-z0-9+.-]*://([^/:?#]+).*$", "$1") AS ?host) }} '
        "GROUP BY ?p ?host ORDER BY ?host ?p"
    ))  # fmt: skip
    for row in links:
        host = row["host"]
        target = URIRef(f"{here}#target-{host}")
        graph.add((target, RDF.type, VOID.Dataset))
        graph.add((target, DCTERMS.title, Literal(host)))
        graph.add((target, FOAF.homepage, URIRef(f"https://{host}/")))
        linkset = URIRef(f"{here}#links-{host}-{row['p'].rsplit('#', 1)[-1]}")
        graph.add((dataset, VOID.subset, linkset))
        graph.add((linkset, RDF.type, VOID.Linkset))
        graph.add((linkset, VOID.subjectsTarget, dataset))
        graph.add((linkset, VOID.objectsTarget, target))
        graph.add((linkset, VOID.linkPredicate, URIRef(row["p"])))
        graph.add((linkset, VOID.triples, Literal(int(row["n"]), datatype=XSD.integer)))
    return graph


#: The IRI a data file may use to state the licence of the whole dataset.
DATASET_IRI = namespaces.BASE + "dataset"


def _dataset_licences(store: GraphStore, graph: Graph, dataset: URIRef, here: str) -> list[URIRef]:
    """Add one ``void:subset`` per named graph that states its own licence, with that
    licence; return the licence(s) of the dataset as a whole.

    A named graph states its licence about itself (``GRAPH ?g { ?g dcterms:license ?l }``):
    the curated data, the ontology and the ROR cache each have their own. The dataset as a
    whole gets the licence stated for :data:`DATASET_IRI` if there is one, else the one
    licence all graphs share, else none: the subsets say which part is under which.
    """
    rows = _select(store, (
        "SELECT ?g ?l (COUNT(*) AS ?n) WHERE { "
        "GRAPH ?g { ?g <http://purl.org/dc/terms/license> ?l } GRAPH ?g { ?s ?p ?o } } "
        "GROUP BY ?g ?l ORDER BY ?g ?l"
    ))  # fmt: skip
    for row in rows:
        name = row["g"]
        local = name[len(namespaces.GRAPH) :] if name.startswith(namespaces.GRAPH) else name
        subset = URIRef(f"{here}#graph-{local.replace('/', '-')}")
        graph.add((dataset, VOID.subset, subset))
        graph.add((subset, RDF.type, VOID.Dataset))
        graph.add((subset, SD.name, URIRef(name)))
        graph.add((subset, DCTERMS.license, URIRef(row["l"])))
        graph.add((subset, VOID.triples, Literal(int(row["n"]), datatype=XSD.integer)))
    stated = _select(
        store, f"SELECT DISTINCT ?l WHERE {{ <{DATASET_IRI}> <{DCTERMS.license}> ?l }} ORDER BY ?l"
    )
    if stated:
        return [URIRef(row["l"]) for row in stated]
    shared = {row["l"] for row in rows}
    return [URIRef(shared.pop())] if len(shared) == 1 else []
