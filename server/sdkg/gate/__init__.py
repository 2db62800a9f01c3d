"""The contribution gate: the checks that SHACL shapes cannot express.

``POST /validate``, ``POST /contributions`` and ``sdkg validate`` all validate a
submission with :func:`sdkg.closure.validate_against_graph`, which runs the SHACL
shapes and then :func:`run_checks`. Each check family lives in a module of its own
and exposes ``check(gate: GateInput) -> list[Finding]``:

- :mod:`sdkg.gate.evidence`: evidence backs the exact asserted triple;
- :mod:`sdkg.gate.quotes`: quoted words occur in the cited document's text;
- :mod:`sdkg.gate.identity`: external identifiers and near-duplicate names;
- :mod:`sdkg.gate.vocabulary`: ``sdkg:`` terms exist, other terms come from reused vocabularies;
- :mod:`sdkg.gate.structure`: no cycles in hierarchies;
- :mod:`sdkg.gate.protected_terms`: no statements about ontology or vocabulary terms.

Findings become ordinary results of the one :class:`~sdkg.validation.ValidationReport`
(JSON, Turtle ``sh:ValidationReport`` and text alike), each with the shape IRI
``sdkg-shapes:Gate<Name>`` that names the rule it enforces.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from rdflib import RDF, SH, BNode, Literal, Node, URIRef

from sdkg import namespaces
from sdkg.gate import evidence, identity, protected_terms, quotes, structure, vocabulary
from sdkg.gate.findings import Check, Finding, GateInput, Severity
from sdkg.validation import SourceLocation, ValidationReport, ValidationResult, report_node

__all__ = ["Check", "Finding", "GateInput", "checks", "run_checks"]

#: The constraint component every gate finding reports (SHACL-SPARQL's, the closest
#: standard component for a rule written as code).
GATE_COMPONENT = SH.SPARQLConstraintComponent
_SEVERITY_IRIS: dict[Severity, URIRef] = {
    "Violation": SH.Violation,
    "Warning": SH.Warning,
    "Info": SH.Info,
}


def checks() -> list[Check]:
    """The gate's checks, in the order their findings are most useful to fix."""
    return [
        protected_terms.check,
        vocabulary.check,
        identity.check,
        structure.check,
        evidence.check,
        quotes.check,
    ]


def run_checks(gate: GateInput) -> list[Finding]:
    """Every finding of every check on ``gate``."""
    findings: list[Finding] = []
    for check in checks():
        findings.extend(check(gate))
    return findings


def add_findings(
    report: ValidationReport,
    findings: list[Finding],
    locations: Mapping[Node, SourceLocation],
) -> ValidationReport:
    """``report`` with ``findings`` added as results (JSON, text and Turtle alike)."""
    if not findings:
        return report
    graph = report.graph
    root = report_node(graph)
    results = list(report.results)
    # One result per distinct finding: four evidence nodes quoting one unverifiable
    # sentence are one thing to know, not four.
    for finding in dict.fromkeys(findings):
        shape = URIRef(namespaces.SHAPES + "Gate" + finding.rule)
        where = locations.get(finding.focus_node)
        results.append(
            ValidationResult(
                focus_node=finding.focus_node,
                path=None if finding.path is None else str(finding.path),
                value=finding.value,
                message=finding.message,
                severity=finding.severity,
                constraint=GATE_COMPONENT,
                shape=str(shape),
                file=where.file if where else None,
                line=where.line if where else None,
            )
        )
        node = BNode()
        graph.add((root, SH.result, node))
        graph.add((node, RDF.type, SH.ValidationResult))
        graph.add((node, SH.focusNode, finding.focus_node))
        graph.add((node, SH.resultSeverity, _SEVERITY_IRIS[finding.severity]))
        graph.add((node, SH.sourceConstraintComponent, GATE_COMPONENT))
        graph.add((node, SH.sourceShape, shape))
        graph.add((node, SH.resultMessage, Literal(finding.message, lang="en")))
        if finding.path is not None:
            graph.add((node, SH.resultPath, finding.path))
        if finding.value is not None:
            graph.add((node, SH.value, finding.value))
    graph.set((root, SH.conforms, Literal(False)))
    results.sort(key=ValidationResult.sort_key)
    return dataclasses.replace(report, results=results)
