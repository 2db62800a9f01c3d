"""Gate check: evidence backs the exact asserted triple (see :mod:`sdkg.gate`).

A statement about an organization, a person, a programme, a partnership or a
quantity needs an ``sdkg:Evidence`` node whose ``rdf:subject``, ``rdf:predicate``
*and* ``rdf:object`` are the statement's own terms (same IRI; for a literal, same
text, datatype and language). Evidence for ``id:ustc org:memberOf id:apru`` does
not back ``id:ustc org:memberOf id:c9-league``. The evidence may be in the
submission or already in the graph.

Statements that need no evidence: the node's types, its names (``rdfs:label``,
``skos:prefLabel``, ``skos:altLabel``, ``foaf:name``), its ``dcterms:source``,
editors' notes (``rdfs:comment``) and its external identifiers (``owl:sameAs``,
``skos:exactMatch``, ``skos:closeMatch``: the identity check verifies those
against the reference table, which the data cites as their source).

The other direction: an evidence node whose triple nobody asserts (not the
submission, not the graph) is an error, and when the graph or the submission
asserts another value for that subject and property the message names it
(evidence for founding year 2019 beside an asserted 2017).

Where a SHACL evidence shape (``ontology/shapes.ttl``) already reports that a
subject has no evidence at all for a property, this check does not repeat it; it
adds what SHACL cannot see: evidence for the wrong value.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

import pyoxigraph as ox
from rdflib import OWL, RDF, RDFS, SH, SKOS, BNode, Graph, Literal, Namespace, Node, URIRef
from rdflib.namespace import DCTERMS, FOAF, NamespaceManager

from sdkg import namespaces
from sdkg.gate.findings import Finding, GateInput
from sdkg.solutions import Queryable, select
from sdkg.validation import bundled_shapes, short

SDKG = Namespace(namespaces.ONTOLOGY)
ORG = Namespace("http://www.w3.org/ns/org#")
SCHEMA = Namespace("https://schema.org/")

#: Kinds of node whose statements need evidence (and their subclasses).
NEEDS_EVIDENCE_CLASSES = frozenset(
    {
        ORG.Organization,
        SCHEMA.Organization,
        FOAF.Person,
        SCHEMA.Person,
        SDKG.Programme,
        SDKG.Partnership,
        SCHEMA.QuantitativeValue,
    }
)

#: Properties whose statements need no evidence (see the module docstring).
EXEMPT_PROPERTIES = frozenset(
    {
        RDF.type,
        RDFS.label,
        SKOS.prefLabel,
        SKOS.altLabel,
        SKOS.hiddenLabel,
        FOAF.name,
        DCTERMS.source,
        RDFS.comment,
        OWL.sameAs,
        SKOS.exactMatch,
        SKOS.closeMatch,
    }
)

RULE_MISSING = "EvidenceMissing"
RULE_UNASSERTED = "EvidenceUnasserted"


def check(gate: GateInput) -> list[Finding]:
    """Facts without evidence for their exact value; evidence for facts nobody asserts."""
    names = _names(gate)
    facts = facts_needing_evidence(gate.submission, gate.context)
    backed = _backed_facts(gate, facts)
    findings = [
        _missing(gate, fact, names)
        for fact in facts
        if fact not in backed and _reportable(gate, fact)
    ]
    findings.extend(_unasserted(gate, names))
    return findings


# --------------------------------------------------------------------------- what needs evidence


def facts_needing_evidence(submission: Graph, context: Graph) -> list[tuple[Node, Node, Node]]:
    """The submission's statements that need an evidence node, in a stable order."""
    scoped_classes = _with_subclasses(NEEDS_EVIDENCE_CLASSES, submission, context)
    facts = []
    for s, p, o in submission:
        if p in EXEMPT_PROPERTIES or _is_evidence(submission, context, s):
            continue
        kinds = set(submission.objects(s, RDF.type)) | set(context.objects(s, RDF.type))
        if kinds & scoped_classes:
            facts.append((s, p, o))
    return sorted(facts, key=lambda t: tuple(str(x) for x in t))


def _with_subclasses(classes: Iterable[Node], *graphs: Graph) -> set[Node]:
    """``classes`` and every class below them (``rdfs:subClassOf``, transitively)."""
    found = set(classes)
    changed = True
    while changed:
        changed = False
        for graph in graphs:
            for sub, sup in graph.subject_objects(RDFS.subClassOf):
                if sup in found and sub not in found:
                    found.add(sub)
                    changed = True
    return found


def _is_evidence(submission: Graph, context: Graph, node: Node) -> bool:
    return (node, RDF.type, SDKG.Evidence) in submission or (
        node,
        RDF.type,
        SDKG.Evidence,
    ) in context


def evidence_nodes(graph: Graph) -> list[tuple[Node, Node, Node, Node]]:
    """``(evidence, subject, predicate, object)`` for each complete evidence node of ``graph``."""
    found = []
    for node in graph.subjects(RDF.type, SDKG.Evidence):
        s = graph.value(node, RDF.subject)
        p = graph.value(node, RDF.predicate)
        o = graph.value(node, RDF.object)
        if s is not None and p is not None and o is not None:
            found.append((node, s, p, o))
    return found


# --------------------------------------------------------------------------- backing


def _backed_facts(gate: GateInput, facts: list[tuple[Node, Node, Node]]) -> set[tuple]:
    """The facts an evidence node of the submission or of the graph backs exactly."""
    backed = {(s, p, o) for _, s, p, o in evidence_nodes(gate.submission)}
    wanted = [f for f in facts if f not in backed and _in_store_terms(f)]
    if wanted and gate.store is not None:
        backed |= _evidenced_in_store(gate.store, wanted)
    return backed


def _evidenced_in_store(store: Queryable, facts: list[tuple[Node, Node, Node]]) -> set[tuple]:
    """Those of ``facts`` that an evidence node in the store backs (one query)."""
    rows = " ".join(f"({_sparql(s)} {_sparql(p)} {_sparql(o)})" for s, p, o in facts)
    query = f"""SELECT ?s ?p ?o WHERE {{
  VALUES (?s ?p ?o) {{ {rows} }}
  ?e a <{SDKG.Evidence}> ; <{RDF.subject}> ?s ; <{RDF.predicate}> ?p ; <{RDF.object}> ?o .
}}"""
    found = set()
    for row in select(store, query):
        found.add(tuple(_from_ox(row[name]) for name in ("s", "p", "o")))
    # A store may return "x"^^xsd:string for a plain "x": compare as the submission wrote it.
    return {f for f in facts if f in found or _plain(f) in found}


@functools.cache
def _shacl_evidence_properties() -> frozenset[Node]:
    """Properties for which a SHACL shape already reports 'no evidence at all'."""
    shapes = bundled_shapes()
    found = set()
    for shape, prop in shapes.subject_objects(SH.targetSubjectsOf):
        for prop_shape in shapes.objects(shape, SH.property):
            if shapes.value(prop_shape, SH.qualifiedMinCount) is not None:
                found.add(prop)
    return frozenset(found)


def _reportable(gate: GateInput, fact: tuple[Node, Node, Node]) -> bool:
    """False where a SHACL evidence shape already reports this (no evidence for s and p)."""
    s, p, _ = fact
    if p not in _shacl_evidence_properties():
        return True
    return bool(_evidence_for(gate, s, p))


def _evidence_for(gate: GateInput, s: Node, p: Node) -> list[tuple[Node | None, Node]]:
    """``(evidence node, object)`` of every evidence for ``s`` and ``p`` (submission, graph);
    the evidence node is None for the graph's."""
    graph = gate.submission
    found: list[tuple[Node | None, Node]] = [
        (e, value)
        for e in graph.subjects(RDF.subject, s)
        if (e, RDF.type, SDKG.Evidence) in graph
        and (e, RDF.predicate, p) in graph
        and (value := graph.value(e, RDF.object)) is not None
    ]
    if gate.store is not None and _in_store_terms((s, p)):
        query = f"""SELECT ?o WHERE {{
  ?e a <{SDKG.Evidence}> ; <{RDF.subject}> {_sparql(s)} ; <{RDF.predicate}> {_sparql(p)} ;
     <{RDF.object}> ?o .
}}"""
        found.extend((None, _from_ox(row["o"])) for row in select(gate.store, query))
    return found


def _missing(gate: GateInput, fact: tuple[Node, Node, Node], names: NamespaceManager) -> Finding:
    s, p, o = fact
    statement = f"{short(s, names)} {short(p, names)} {short(o, names)}"
    message = (
        f"Fact without evidence: no sdkg:Evidence node backs {statement} "
        "(its rdf:subject, rdf:predicate and rdf:object must be exactly these terms). "
        f"Add [] a sdkg:Evidence ; rdf:subject {short(s, names)} ; "
        f"rdf:predicate {short(p, names)} ; rdf:object {short(o, names)} ; "
        'dcterms:source <document> ; prov:value "the exact words" .'
    )
    others = sorted({other for _, other in _evidence_for(gate, s, p) if other != o}, key=str)
    if others:
        message += (
            f" The evidence there is for {short(p, names)} "
            f"{', '.join(short(x, names) for x in others)}: it backs only the value it names."
        )
    return Finding(s, message, RULE_MISSING, path=p, value=o)


# --------------------------------------------------------------------------- evidence, no fact


def _unasserted(gate: GateInput, names: NamespaceManager) -> list[Finding]:
    """Evidence in the submission for a triple neither the submission nor the graph asserts."""
    candidates = []
    for node, s, p, o in evidence_nodes(gate.submission):
        if (s, p, o) in gate.submission or (s, p, o) in gate.context:
            continue
        candidates.append((node, s, p, o))
    if not candidates:
        return []
    in_store = _asserted_in_store(gate.store, [(s, p, o) for _, s, p, o in candidates])
    findings = []
    for _node, s, p, o in candidates:
        if (s, p, o) in in_store or _plain((s, p, o)) in in_store:
            continue
        statement = f"{short(s, names)} {short(p, names)} {short(o, names)}"
        asserted = sorted(
            set(gate.submission.objects(s, p))
            | set(gate.context.objects(s, p))
            | _values_in_store(gate.store, s, p),
            key=str,
        )
        if asserted:
            message = (
                f"Evidence contradicts the data: it is for {statement}, but the data asserts "
                f"{short(s, names)} {short(p, names)} "
                f"{', '.join(short(v, names) for v in asserted)}. "
                "Evidence must name the asserted value: correct its rdf:object, or correct "
                "the statement if the evidence is right."
            )
        else:
            message = (
                f"Evidence for a fact nobody asserts: {statement} is neither in this "
                "submission nor in the graph. Add the statement itself, or remove the evidence."
            )
        findings.append(Finding(s, message, RULE_UNASSERTED, path=p, value=o))
    return findings


def _asserted_in_store(
    store: Queryable | None, triples: list[tuple[Node, Node, Node]]
) -> set[tuple]:
    iri_triples = [t for t in triples if _in_store_terms(t)]
    if store is None or not iri_triples:
        return set()
    rows = " ".join(f"({_sparql(s)} {_sparql(p)} {_sparql(o)})" for s, p, o in iri_triples)
    query = f"SELECT ?s ?p ?o WHERE {{ VALUES (?s ?p ?o) {{ {rows} }} ?s ?p ?o }}"
    return {tuple(_from_ox(row[n]) for n in ("s", "p", "o")) for row in select(store, query)}


def _values_in_store(store: Queryable | None, s: Node, p: Node) -> set[Node]:
    if store is None or not _in_store_terms((s, p)):
        return set()
    query = f"SELECT ?o WHERE {{ {_sparql(s)} {_sparql(p)} ?o }}"
    return {_from_ox(row["o"]) for row in select(store, query)}


# --------------------------------------------------------------------------- terms


def _names(gate: GateInput) -> NamespaceManager:
    graph = Graph(bind_namespaces="rdflib")
    for prefix, namespace in gate.submission.namespaces():
        graph.bind(prefix, namespace, override=False)
    graph.bind("id", namespaces.ENTITY, override=False)
    graph.bind("sdkg", namespaces.ONTOLOGY, override=False)
    return graph.namespace_manager


def _sparql(term: Node) -> str:
    """A term in SPARQL syntax, checked by pyoxigraph (nothing can escape the query)."""
    if isinstance(term, URIRef):
        return str(ox.NamedNode(str(term)))
    if isinstance(term, Literal):
        if term.language:
            return str(ox.Literal(str(term), language=term.language))
        if term.datatype is not None:
            return str(ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype))))
        return str(ox.Literal(str(term)))
    raise ValueError(f"no SPARQL form for {term!r}")


def _from_ox(term: object) -> Node:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == "http://www.w3.org/2001/XMLSchema#string":
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype))
    return BNode(str(term))


def _in_store_terms(terms: tuple[Node, ...]) -> bool:
    """True when every term can be looked up in the store: a submission's blank nodes
    (and anything but IRIs and literals) cannot be there."""
    return all(isinstance(t, URIRef | Literal) for t in terms)


def _plain(fact: tuple[Node, Node, Node]) -> tuple[Node, Node, Node]:
    """The fact with an ``xsd:string`` object written as a plain literal."""
    s, p, o = fact
    if isinstance(o, Literal) and str(o.datatype) == "http://www.w3.org/2001/XMLSchema#string":
        return (s, p, Literal(str(o)))
    return fact
