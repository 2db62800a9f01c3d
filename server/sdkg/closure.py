"""Validating a submission against the shapes *and* the graph already in the store.

pyshacl never sees the whole graph (about 50 s at 1M triples). It sees the
submission plus its *closure*: the existing triples its validation depends on,
fetched from the store with one SPARQL query:

1. the ``rdf:type`` of every IRI the submission mentions (subjects and objects),
   so ``sh:class`` and ``sh:targetClass`` see what the graph says those nodes are;
2. for every IRI subject of the submission that the graph already describes: all
   its existing triples (so ``sh:minCount``, ``sh:maxCount`` and ``sh:uniqueLang``
   count old and new values together: a second founding date fails), the
   ``rdf:type`` of their objects, and the ``rdf:subject`` / ``rdf:predicate`` of
   existing evidence nodes about it (the shapes look for evidence through
   ``^rdf:subject``);
3. the bundled ontology, for ``rdfs:subClassOf``.

Only results whose focus node is a subject of the submission are reported: the
closure's other nodes are there to be pointed at, not judged (their type triples
alone would fail every ``sh:minCount``). pyshacl's ``focus_nodes`` option would
do the same filtering, but it accepts only IRIs, and evidence nodes are blank.

One rule is added to the shapes: every subject of a submission must have an
``rdf:type``, in the submission or in the graph (shapes target classes, so an
untyped node would pass unchecked). It is reported like a ``sh:minCount 1`` on
``rdf:type`` from the shape :data:`TYPED_SUBJECT_SHAPE`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence

import pyoxigraph as ox
from rdflib import RDF, SH, BNode, Graph, Literal, Node, URIRef
from rdflib.namespace import NamespaceManager

from sdkg import gate, namespaces
from sdkg.gate import identity
from sdkg.graphstore import GraphStore
from sdkg.names import NameIndex, name_index_for
from sdkg.rdfio import sorted_terms
from sdkg.solutions import construct
from sdkg.validation import (
    SourceLocation,
    ValidationReport,
    ValidationResult,
    bundled_ontology,
    locate_results,
    report_node,
    short,
    validate_graph,
    without_repeated_results,
)

_MAX_COUNT = SH.MaxCountConstraintComponent
TYPED_SUBJECT_SHAPE = URIRef(namespaces.SHAPES + "SubmittedNodeTyped")
TYPED_SUBJECT_MESSAGE = (
    "No rdf:type, here or in the graph: no shape can check this node. Say what it is, "
    "e.g. a foaf:Person, sdkg:Fellowship or org:Organization."
)


def closure_query(graph: Graph) -> str | None:
    """The CONSTRUCT query that fetches ``graph``'s closure, or ``None`` if it names no IRI."""
    mentioned = sorted({t for triple in graph for t in triple if isinstance(t, URIRef)})
    subjects = sorted({s for s in graph.subjects() if isinstance(s, URIRef)})
    if not mentioned:
        return None
    # str(ox.NamedNode) is the IRI in <...>, checked by pyoxigraph: nothing can escape.
    mentioned_values = " ".join(str(ox.NamedNode(iri)) for iri in mentioned)
    subject_values = " ".join(str(ox.NamedNode(iri)) for iri in subjects)
    rdf_type, rdf_subject, rdf_predicate = (
        f"<{RDF.type}>",
        f"<{RDF.subject}>",
        f"<{RDF.predicate}>",
    )
    return f"""CONSTRUCT {{
  ?node {rdf_type} ?type .
  ?s ?p ?o . ?o {rdf_type} ?objectType .
  ?evidence {rdf_subject} ?s ; {rdf_predicate} ?fact .
}} WHERE {{
  {{ VALUES ?node {{ {mentioned_values} }} ?node {rdf_type} ?type }}
  UNION
  {{ VALUES ?s {{ {subject_values} }} ?s ?p ?o OPTIONAL {{ ?o {rdf_type} ?objectType }} }}
  UNION
  {{ VALUES ?s {{ {subject_values} }} ?evidence {rdf_subject} ?s ; {rdf_predicate} ?fact }}
}}"""


def fetch_closure(graph: Graph, store: GraphStore) -> Graph:
    """The existing triples that validating ``graph`` needs, as a plain rdflib graph.

    The triples travel as N-Triples, where a plain string is written without
    ``^^xsd:string``: rdflib then reads it back as the same plain literal the
    data files give (otherwise ``sh:in`` lists of plain strings would not match).
    """
    closure = Graph(bind_namespaces="none")
    query = closure_query(graph)
    if query is None:
        return closure
    data = ox.serialize(construct(store, query), format=ox.RdfFormat.N_TRIPLES)
    if data:
        closure.parse(data=data, format="nt")
    return closure


@dataclasses.dataclass
class GraphValidation:
    """A report on a submission, and the closure it was validated with."""

    report: ValidationReport
    closure_triples: int
    existing_subjects: int

    @property
    def unverified_links(self) -> list[str]:
        """The external identifiers the report found unverified (see :mod:`sdkg.gate.identity`)."""
        shape = namespaces.SHAPES + "Gate" + identity.UNVERIFIED_RULE
        return sorted({str(r.value) for r in self.report.results if r.shape == shape})

    def to_json(self) -> dict:
        """The report's JSON plus a ``closure`` summary (what was pulled from the store)."""
        return {
            **self.report.to_json(),
            "closure": {
                "triples": self.closure_triples,
                "existing_subjects": self.existing_subjects,
            },
        }


def validate_against_graph(
    graph: Graph,
    store: GraphStore | None,
    *,
    locations: Mapping[Node, SourceLocation] | None = None,
    files: int = 1,
    shacl: Callable[..., ValidationReport] | None = None,
    names: NameIndex | None = None,
) -> GraphValidation:
    """Validate ``graph`` (a submission) with the bundled shapes, its closure and the ontology.

    This is the one validation of ``POST /validate``, ``POST /contributions`` and
    ``sdkg validate``: SHACL, the closure's rules here, then the gate's checks
    (:mod:`sdkg.gate`); each result at the line of its statement, in the order to fix
    them. With ``store`` None (``sdkg validate --alone``) the submission is judged by
    itself: the closure is empty and the checks that need the graph find nothing.
    ``shacl(graph, context, locations)`` runs the SHACL step instead of this thread (the
    server runs it in a child process it can stop: :mod:`sdkg.shacl_pool`). ``names`` is
    the store's name index, where the gate looks up labels (the server passes its shared
    one; without it, an index of ``store`` is built in memory).
    """
    locations = locations if locations is not None else {}
    closure = Graph(bind_namespaces="none") if store is None else fetch_closure(graph, store)
    context = Graph(bind_namespaces="none")
    context += bundled_ontology().graph
    context += closure
    if shacl is None:
        report = validate_graph(graph, ontology=context, locations=locations, files=files)
    else:
        report = shacl(graph, context, locations)
    report = without_repeated_results(report)
    subjects = set(graph.subjects())
    report = restrict_report(report, subjects)
    report = name_conflicting_values(report, graph, closure)
    report = require_types(report, graph, closure, locations)
    if names is None and store is not None:
        names = name_index_for(store, None)
    gate_input = gate.GateInput(graph, context, locations, store, names)
    findings = without_repeats(gate.run_checks(gate_input), report)
    report = gate.add_findings(report, findings, locations)
    report = locate_results(report, locations)
    existing = {s for s in subjects if isinstance(s, URIRef) and (s, None, None) in closure}
    return GraphValidation(report, len(closure), len(existing))


def without_repeats(findings: list[gate.Finding], report: ValidationReport) -> list[gate.Finding]:
    """The findings minus identifier-form ones a shape already reported (same node and value)."""
    reported = {(r.focus_node, r.value) for r in report.results if r.value is not None}
    form = "IdentifierForm"
    return [f for f in findings if f.rule != form or (f.focus_node, f.value) not in reported]


def restrict_report(report: ValidationReport, focus_nodes: Iterable[Node]) -> ValidationReport:
    """The report with only the results about ``focus_nodes`` (JSON and Turtle alike)."""
    wanted = set(focus_nodes)
    root = report_node(report.graph)
    keep: list[Node] = []
    drop: list[Node] = []
    for node in report.graph.objects(root, SH.result):
        (keep if report.graph.value(node, SH.focusNode) in wanted else drop).append(node)
    kept_triples: set[tuple[Node, Node, Node]] = set()
    for node in keep:
        kept_triples.update(report.graph.cbd(node))
    graph = Graph(bind_namespaces="none")
    for prefix, namespace in report.graph.namespaces():
        graph.bind(prefix, namespace)
    dropped_triples: set[tuple[Node, Node, Node]] = set()
    for node in drop:
        dropped_triples.update(report.graph.cbd(node))
        dropped_triples.add((root, SH.result, node))
    for triple in report.graph:
        if triple not in dropped_triples or triple in kept_triples:
            graph.add(triple)
    graph.set((root, SH.conforms, Literal(not keep)))
    results = [r for r in report.results if r.focus_node in wanted]
    return dataclasses.replace(report, results=results, graph=graph)


def name_conflicting_values(
    report: ValidationReport, submission: Graph, closure: Graph
) -> ValidationReport:
    """Add both sides to each ``sh:maxCount`` result where old and new values clash.

    ``sh:MaxCountConstraintComponent`` results carry no value; a contributor who
    adds a second founding date needs to see which one the graph has already.
    """
    names = report.graph.namespace_manager
    results = []
    for result in report.results:
        path = URIRef(result.path) if result.path and "://" in result.path else None
        if result.constraint != _MAX_COUNT or path is None or isinstance(result.focus_node, BNode):
            results.append(result)
            continue
        added = sorted_terms(submission.objects(result.focus_node, path))
        existing = sorted_terms(set(closure.objects(result.focus_node, path)) - set(added))
        if not existing:
            results.append(result)
            continue
        message = (
            f"{result.message} The graph already has {_values(existing, names)}; "
            f"this submission adds {_values(added, names)}."
        )
        _replace_message(report.graph, result, path, message)
        results.append(dataclasses.replace(result, message=message))
    return dataclasses.replace(report, results=results)


def require_types(
    report: ValidationReport,
    submission: Graph,
    closure: Graph,
    locations: Mapping[Node, SourceLocation],
) -> ValidationReport:
    """Add a violation for each subject that has no ``rdf:type`` in the submission or graph."""
    # The project's named graphs are described (a data file states its graph's licence)
    # but are not entities; contributions cannot describe them (reserved subjects).
    untyped = [
        s
        for s in set(submission.subjects())
        if (s, RDF.type, None) not in submission
        and (s, RDF.type, None) not in closure
        and not str(s).startswith(namespaces.GRAPH)
    ]
    if not untyped:
        return report
    graph = report.graph
    root = report_node(graph)
    results = list(report.results)
    for node in untyped:
        where = locations.get(node)
        results.append(
            ValidationResult(
                focus_node=node,
                path=str(RDF.type),
                value=None,
                message=TYPED_SUBJECT_MESSAGE,
                severity="Violation",
                constraint=SH.MinCountConstraintComponent,
                shape=str(TYPED_SUBJECT_SHAPE),
                file=where.file if where else None,
                line=where.line if where else None,
            )
        )
        result = BNode()
        graph.add((root, SH.result, result))
        for p, o in (
            (RDF.type, SH.ValidationResult),
            (SH.focusNode, node),
            (SH.resultPath, RDF.type),
            (SH.resultSeverity, SH.Violation),
            (SH.sourceConstraintComponent, SH.MinCountConstraintComponent),
            (SH.sourceShape, TYPED_SUBJECT_SHAPE),
            (SH.resultMessage, Literal(TYPED_SUBJECT_MESSAGE, lang="en")),
        ):
            graph.add((result, p, o))
    graph.set((root, SH.conforms, Literal(False)))
    results.sort(key=ValidationResult.sort_key)
    return dataclasses.replace(report, results=results)


def _values(values: Sequence[Node], names: NamespaceManager) -> str:
    return ", ".join(short(v, names) for v in values)


def _replace_message(graph: Graph, result: ValidationResult, path: URIRef, message: str) -> None:
    for node in list(graph.subjects(SH.focusNode, result.focus_node)):
        if (node, SH.resultPath, path) in graph and (
            node,
            SH.sourceConstraintComponent,
            _MAX_COUNT,
        ) in graph:
            graph.remove((node, SH.resultMessage, None))
            graph.add((node, SH.resultMessage, Literal(message, lang="en")))
