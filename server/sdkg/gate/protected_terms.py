"""Gate check: contributions make no statements about vocabulary terms (see :mod:`sdkg.gate`).

A contribution describes entities. A triple whose subject is a term of the ontology
(``sdkg:``, the shapes) or of a reused vocabulary (ORG, FOAF, schema.org, SKOS, DCTERMS,
PROV-O, RDF, RDFS, OWL, ...) would change what every curated page says: relabelling
``org:Organization`` renamed the type of every organization. Such terms are recognised
by their namespace, or because the bundled ontology declares them as a class or property.
``owl:sameAs`` / ``owl:equivalentClass`` / ``owl:equivalentProperty`` pointing *at* such a
term change it as well, and are refused the same way.
"""

from __future__ import annotations

from collections import Counter

from rdflib import OWL, RDF, RDFS, Node, URIRef

from sdkg import namespaces
from sdkg.gate.findings import Finding, GateInput

#: Namespaces of vocabularies (never of entities): ours, and those the project reuses.
VOCABULARY_NAMESPACES: tuple[str, ...] = (
    *(ns for prefix, ns in namespaces.CORE_PREFIXES.items() if ns != namespaces.ENTITY),
    namespaces.SHAPES,
    "http://www.w3.org/ns/shacl#",
    "http://purl.org/dc/elements/1.1/",
    "http://purl.org/vocab/vann/",
    "http://rdfs.org/ns/void#",
    "http://www.w3.org/ns/dcat#",
    "http://www.w3.org/2006/time#",
    "http://www.w3.org/2003/01/geo/wgs84_pos#",
    "http://www.opengis.net/ont/geosparql#",
    "http://www.w3.org/ns/adms#",
)
#: What the ontology declares terms as.
TERM_TYPES = frozenset(
    {
        OWL.Class,
        RDFS.Class,
        RDF.Property,
        OWL.ObjectProperty,
        OWL.DatatypeProperty,
        OWL.AnnotationProperty,
        OWL.Ontology,
    }
)
#: Statements *pointing at* a term that change its meaning too.
REDEFINING = (OWL.sameAs, OWL.equivalentClass, OWL.equivalentProperty)
MESSAGE = (
    "{term} is a term of {what}; statements about vocabulary terms are not accepted as "
    "contributions (remove the {count} statement(s) about it; to change the ontology, "
    "propose it to the maintainers)"
)


def check(gate: GateInput) -> list[Finding]:
    """One Violation per vocabulary term the submission makes statements about."""
    declared = {
        term
        for kind in TERM_TYPES
        for term in gate.context.subjects(RDF.type, kind)
        if isinstance(term, URIRef)
    }
    statements: Counter[Node] = Counter()
    for subject, predicate, obj in gate.submission:
        if _is_term(subject, declared):
            statements[subject] += 1
        elif predicate in REDEFINING and _is_term(obj, declared):
            statements[obj] += 1
    return [
        Finding(
            focus_node=term,
            message=MESSAGE.format(term=f"<{term}>", what=_what(term), count=count),
            rule="ProtectedTerm",
            value=term,
        )
        for term, count in sorted(statements.items(), key=lambda item: str(item[0]))
    ]


def _is_term(node: Node, declared: set[URIRef]) -> bool:
    return isinstance(node, URIRef) and (
        node in declared or str(node).startswith(VOCABULARY_NAMESPACES)
    )


def _what(term: Node) -> str:
    text = str(term)
    if text.startswith((namespaces.ONTOLOGY, namespaces.SHAPES)):
        return "the sdkg ontology"
    for prefix, namespace in namespaces.CORE_PREFIXES.items():
        if text.startswith(namespace):
            return f"a reused vocabulary ({prefix}:)"
    for namespace in VOCABULARY_NAMESPACES:
        if text.startswith(namespace):
            return f"a reused vocabulary (<{namespace}>)"
    return "the ontology (declared there)"
