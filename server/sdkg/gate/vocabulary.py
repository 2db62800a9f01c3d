"""Gate check: the vocabulary is closed where it is ours (see :mod:`sdkg.gate`).

- Every class and property of the ``sdkg:`` namespace a submission uses must be
  declared in the ontology; an unknown one is an error with the nearest declared
  term as a suggestion (``sdkg:foundingleader`` -> ``sdkg:foundingLeader``).
- Terms of other namespaces must come from the vocabularies the ontology reuses
  (the namespaces its own triples use or point to with ``rdfs:seeAlso`` and the
  like); a term of any other namespace is a warning. Within a reused vocabulary
  whose term list rdflib carries (ORG, FOAF, schema.org, SKOS, DCTERMS, PROV, OWL,
  RDFS, RDF, OWL-Time), a term that is not in the list is an error when it is
  close to one that is (a misspelling), else a warning.
- Every typed subject gets the entity checks (a label and a source), whatever its
  class: the shapes target the classes they know, and a subject none of them
  targets (a node typed only ``org:Organization``, ``schema:Event``, ...) is
  checked here instead, with the same messages. Blank nodes are parts of the
  entity that points to them (an interval, a selector), not entities.
"""

from __future__ import annotations

import difflib
import functools

from rdflib import DCTERMS, OWL, RDF, RDFS, SH, Graph, Node, URIRef
from rdflib.namespace import FOAF, ORG, PROV, SDO, SKOS, TIME, XSD, DefinedNamespace

from sdkg import namespaces
from sdkg.gate.findings import Finding, GateInput
from sdkg.validation import bundled_ontology, bundled_shapes, display_name

#: rdflib's term lists of reused vocabularies: a term outside them does not exist.
TERM_LISTS: tuple[type[DefinedNamespace], ...] = (
    ORG,
    FOAF,
    SDO,
    SKOS,
    DCTERMS,
    PROV,
    OWL,
    RDFS,
    RDF,
    TIME,
    XSD,
)
#: Always part of RDF data, whatever the ontology says.
CORE_NAMESPACES = frozenset(str(ns) for ns in (RDF, RDFS, OWL, XSD))
#: Ontology predicates that name a vocabulary it relies on.
_DECLARING = (
    RDFS.seeAlso,
    OWL.imports,
    DCTERMS.references,
    DCTERMS.requires,
    URIRef("http://purl.org/vocommons/voaf#reliesOn"),
    URIRef("http://purl.org/vocommons/voaf#extends"),
    URIRef("http://purl.org/vocommons/voaf#specializes"),
)
#: Ontology predicates whose objects are terms of a vocabulary it builds on.
_BUILDS_ON = (RDF.type, RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, RDFS.range)
#: Classes a shape checks on purpose without a label or source (evidence, documents).
LABEL_MESSAGE = (
    "Missing rdfs:label: add one English display label, e.g. "
    'rdfs:label "Chinese Academy of Sciences"@en .'
)
SOURCE_MESSAGE = (
    "No provenance: add dcterms:source pointing to the document this is taken from "
    "(e.g. id:cas-twas-science-diplomacy-essay or a ROR record)."
)


def check(gate: GateInput) -> list[Finding]:
    """Unknown ``sdkg:`` terms, terms of unreused vocabularies, unchecked typed subjects."""
    return _term_findings(gate.submission) + _entity_findings(gate)


# --------------------------------------------------------------------------- terms


def namespace_of(term: str) -> str:
    """The namespace of an IRI: up to its last ``#`` or ``/``."""
    cut = max(term.rfind("#"), term.rfind("/"))
    return term[: cut + 1]


@functools.cache
def declared_terms() -> frozenset[URIRef]:
    """The ``sdkg:`` classes and properties the ontology declares."""
    ontology = bundled_ontology().graph
    return frozenset(
        s
        for s in ontology.subjects(RDF.type, None)
        if isinstance(s, URIRef) and s.startswith(namespaces.ONTOLOGY) and s != namespaces.ONTOLOGY
    )


@functools.cache
def reused_namespaces() -> frozenset[str]:
    """The namespaces of the vocabularies the ontology reuses."""
    ontology = bundled_ontology().graph
    found = set(CORE_NAMESPACES)
    for _, p, o in ontology:
        found.add(namespace_of(str(p)))
        if p in _BUILDS_ON and isinstance(o, URIRef):
            found.add(namespace_of(str(o)))
        if p in _DECLARING and isinstance(o, URIRef) and str(o).endswith(("#", "/")):
            found.add(str(o))
    found.discard(namespaces.ENTITY)
    return frozenset(found)


def _term_list(term: URIRef) -> tuple[type[DefinedNamespace], list[str]] | None:
    for vocabulary in TERM_LISTS:
        if term.startswith(str(vocabulary._NS)):
            names = set(getattr(vocabulary, "__annotations__", {})) | set(
                getattr(vocabulary, "_extras", [])
            )
            return vocabulary, sorted(names)
    return None


def _suggest(local: str, candidates: list[str]) -> str | None:
    """The candidate nearest to ``local`` (case-insensitive), if any is near enough."""
    lowered = {c.lower(): c for c in candidates}
    exact = lowered.get(local.lower())
    if exact is not None:
        return exact
    close = difflib.get_close_matches(local.lower(), list(lowered), n=1, cutoff=0.75)
    return lowered[close[0]] if close else None


def _used_terms(submission: Graph) -> list[tuple[URIRef, str, Node]]:
    """Each class and property the submission uses once: (term, "class"/"property", subject)."""
    seen: dict[URIRef, tuple[URIRef, str, Node]] = {}
    for s, p, o in sorted(submission, key=lambda t: (str(t[0]), str(t[1]), str(t[2]))):
        if isinstance(p, URIRef):  # always, in RDF: a predicate is an IRI
            seen.setdefault(p, (p, "property", s))
        if p == RDF.type and isinstance(o, URIRef):
            seen.setdefault(o, (o, "class", s))
    return list(seen.values())


def _term_findings(submission: Graph) -> list[Finding]:
    findings = []
    declared = declared_terms()
    reused = reused_namespaces()
    for term, kind, subject in _used_terms(submission):
        path = RDF.type if kind == "class" else term
        value = term if kind == "class" else None
        if term.startswith(namespaces.ONTOLOGY):
            if term in declared:
                continue
            local = term[len(namespaces.ONTOLOGY) :]
            suggestion = _suggest(local, [t[len(namespaces.ONTOLOGY) :] for t in declared])
            hint = (
                f"did you mean sdkg:{suggestion}?"
                if suggestion
                else "see the ontology (/ontology) for the declared terms"
            )
            findings.append(
                Finding(
                    subject,
                    f"sdkg:{local} is not a term of the sdkg ontology; {hint} "
                    "Use a declared term, or propose the new one for the ontology.",
                    "Vocabulary",
                    path=path,
                    value=value,
                )
            )
            continue
        if namespace_of(str(term)) not in reused:
            findings.append(
                Finding(
                    subject,
                    f"{display_name(term)} is from a vocabulary the ontology does not reuse; "
                    "prefer a term of ORG, FOAF, schema.org, SKOS, DCTERMS or PROV "
                    "(see /ontology), or an sdkg: term.",
                    "Vocabulary",
                    severity="Warning",
                    path=path,
                    value=value,
                )
            )
            continue
        known = _term_list(term)
        if known is None or term in known[0]:
            continue
        vocabulary, names = known
        local = term[len(str(vocabulary._NS)) :]
        suggestion = _suggest(local, names)
        prefix = display_name(term)[: -len(local)] if display_name(term).endswith(local) else ""
        if suggestion and suggestion != local:
            findings.append(
                Finding(
                    subject,
                    f"{display_name(term)} is not a term of its vocabulary; "
                    f"did you mean {prefix}{suggestion}?",
                    "Vocabulary",
                    path=path,
                    value=value,
                )
            )
        else:
            findings.append(
                Finding(
                    subject,
                    f"{display_name(term)} is not a term of its vocabulary as sdkg knows it; "
                    "check the spelling against the vocabulary's documentation.",
                    "Vocabulary",
                    severity="Warning",
                    path=path,
                    value=value,
                )
            )
    return findings


# --------------------------------------------------------------------------- entities


@functools.cache
def shape_targets() -> frozenset[URIRef]:
    """The classes some bundled node shape targets (those shapes do the entity checks)."""
    targets = bundled_shapes().objects(None, SH.targetClass)
    return frozenset(o for o in targets if isinstance(o, URIRef))


def _superclasses(cls: Node, context: Graph) -> set[Node]:
    found, todo = {cls}, [cls]
    while todo:
        for parent in context.objects(todo.pop(), RDFS.subClassOf):
            if parent not in found:
                found.add(parent)
                todo.append(parent)
    return found


def _entity_findings(gate: GateInput) -> list[Finding]:
    """Label and source for typed subjects that no shape targets."""
    targets = shape_targets()
    findings = []
    for subject in sorted(set(gate.submission.subjects(RDF.type, None)), key=str):
        if not isinstance(subject, URIRef):
            continue  # a blank node is part of its entity (a time interval, a selector)
        types = set(gate.submission.objects(subject, RDF.type)) | set(
            gate.context.objects(subject, RDF.type)
        )
        reach: set[Node] = set()
        for cls in types:
            reach |= _superclasses(cls, gate.context)
        if reach & targets:
            continue  # a shape checks it, with its own rules

        def has(predicate: URIRef, node: Node = subject) -> bool:
            return (node, predicate, None) in gate.submission or (
                node,
                predicate,
                None,
            ) in gate.context

        if not has(RDFS.label):
            findings.append(Finding(subject, LABEL_MESSAGE, "Entity", path=RDFS.label))
        if not has(DCTERMS.source):
            findings.append(Finding(subject, SOURCE_MESSAGE, "Entity", path=DCTERMS.source))
    return findings
