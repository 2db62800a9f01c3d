"""The ontology's header: dates, version, and the vocabularies it reuses, all of them real.

Every namespace a term of the ontology, the shapes or the bundled data comes from is
declared with ``voaf:reliesOn`` (with its preferred prefix), and every declared
vocabulary is used: no references to vocabularies that are not there.
"""

from __future__ import annotations

import rdflib
from rdflib import OWL, RDF, Namespace, URIRef
from rdflib.namespace import DCTERMS

from sdkg import namespaces, resources

VOAF = Namespace("http://purl.org/vocommons/voaf#")
VANN = Namespace("http://purl.org/vocab/vann/")
HEADER = URIRef(namespaces.ONTOLOGY)
# Namespaces whose IRIs are data, not vocabulary: ours, and the external datasets linked to.
NOT_VOCABULARIES = (
    namespaces.BASE,
    "http://www.wikidata.org/",
    "http://dbpedia.org/",
    "https://ror.org/",
    "https://sws.geonames.org/",
    "http://metadata.un.org/",
    "https://creativecommons.org/",
    "https://opensource.org/",
    "http://www.w3.org/ns/shacl#",  # the shapes graph's own language
    "http://www.w3.org/ns/adms#",  # used only by the ROR cache (data/external)
)


def ontology() -> rdflib.Graph:
    return rdflib.Graph().parse(resources.ontology_file())


def namespace_of(iri: str) -> str:
    cut = max(iri.rfind("#"), iri.rfind("/"))
    return iri[: cut + 1]


def test_header_has_dates_and_version() -> None:
    graph = ontology()
    assert str(graph.value(HEADER, DCTERMS.created).datatype).endswith("XMLSchema#date")
    created = graph.value(HEADER, DCTERMS.created).toPython()
    assert graph.value(HEADER, DCTERMS.modified).toPython() >= created
    version = graph.value(HEADER, OWL.versionIRI)
    assert str(version).endswith(str(graph.value(HEADER, OWL.versionInfo)))


def test_reused_vocabularies_are_declared_and_used() -> None:
    graph = ontology()
    declared = {str(v) for v in graph.objects(HEADER, VOAF.reliesOn)}
    for vocabulary in declared:
        assert (URIRef(vocabulary), RDF.type, VOAF.Vocabulary) in graph
        assert str(graph.value(URIRef(vocabulary), VANN.preferredNamespaceUri)) == vocabulary
    used = set()
    files = [resources.ontology_file(), resources.shapes_file()]
    files += sorted(resources.bundled_path("data").glob("*.ttl"))
    for path in files:
        data = rdflib.Graph().parse(path)
        for _s, p, o in data:
            terms = [p] + ([o] if p == RDF.type else [])
            if isinstance(o, rdflib.Literal) and o.datatype is not None:
                terms.append(o.datatype)
            for term in terms:
                space = namespace_of(str(term))
                if not space.startswith(NOT_VOCABULARIES):
                    used.add(space)
    assert used <= declared, sorted(used - declared)
    assert declared <= used | {"http://purl.org/vocommons/voaf#"}, sorted(declared - used)
