"""Gate check: no cycles in hierarchies (see :mod:`sdkg.gate`).

``org:subOrganizationOf``, ``skos:broader`` and ``schema:containedInPlace`` are
hierarchies: following one from a node must never lead back to it. A statement of
the submission that closes a cycle, with the submission's other statements and the
graph's, is an error naming every statement of the cycle (and where each is: this
submission's line, or the graph). The graph's part of the hierarchies comes from
one SPARQL query: the edges reachable from the submission's statements.

(Dates at the precision known are the shapes' job: ``ontology/shapes.ttl``,
``sdkgsh:DateAtKnownPrecision``.)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pyoxigraph as ox
from rdflib import Node, URIRef
from rdflib.namespace import ORG, SDO, SKOS

from sdkg.gate.findings import Finding, GateInput
from sdkg.rdfio import sorted_terms
from sdkg.solutions import select
from sdkg.validation import display_name

#: The hierarchy properties, and what their statements say in words.
HIERARCHIES = {
    ORG.subOrganizationOf: "is part of",
    SKOS.broader: "is narrower than",
    SDO.containedInPlace: "lies in",
}


def check(gate: GateInput) -> list[Finding]:
    """An error for each submitted hierarchy statement that closes a cycle."""
    submitted = {
        p: [(s, o) for s, o in gate.submission.subject_objects(p) if isinstance(o, URIRef)]
        for p in HIERARCHIES
    }
    if not any(submitted.values()):
        return []
    existing = _graph_edges(gate, submitted)
    findings = []
    for predicate, edges in submitted.items():
        children: dict[Node, set[Node]] = {}
        for s, o in existing.get(predicate, set()) | set(edges):
            children.setdefault(s, set()).add(o)
        reported: set[frozenset] = set()
        for s, o in sorted(edges, key=lambda e: (str(e[0]), str(e[1]))):
            path = _path(children, o, s)
            if path is None:
                continue
            cycle = [(s, o), *zip(path, path[1:], strict=False)]
            key = frozenset(cycle)
            if key in reported:
                continue
            reported.add(key)
            findings.append(_cycle_finding(gate, predicate, cycle, set(edges)))
    return findings


def _graph_edges(
    gate: GateInput, submitted: Mapping[URIRef, Sequence[tuple[Node, Node]]]
) -> dict[URIRef, set[tuple[Node, Node]]]:
    """The graph's hierarchy statements reachable from the submitted ones' values."""
    found: dict[URIRef, set[tuple[Node, Node]]] = {}
    if gate.store is None:
        for p in HIERARCHIES:
            found[p] = {(s, o) for s, o in gate.context.subject_objects(p)}
        return found
    branches = []
    for p, edges in submitted.items():
        starts = {o for _, o in edges} | {s for s, _ in edges if isinstance(s, URIRef)}
        if not starts:
            continue
        values = " ".join(str(ox.NamedNode(str(n))) for n in sorted_terms(starts))
        branches.append(
            f"{{ VALUES ?start {{ {values} }} ?start <{p}>* ?s . ?s <{p}> ?o . BIND(<{p}> AS ?p) }}"
        )
    query = "SELECT DISTINCT ?p ?s ?o WHERE {\n" + "\nUNION\n".join(branches) + "\n}"
    for row in select(gate.store, query):
        if isinstance(row["o"], ox.NamedNode) and isinstance(row["s"], ox.NamedNode):
            found.setdefault(URIRef(row["p"].value), set()).add(
                (URIRef(row["s"].value), URIRef(row["o"].value))
            )
    return found


def _path(children: dict[Node, set[Node]], start: Node, goal: Node) -> list[Node] | None:
    """The nodes of a shortest path from ``start`` to ``goal`` (both included), if any."""
    previous: dict[Node, Node | None] = {start: None}
    todo = [start]
    while todo:
        following = []
        for node in todo:
            if node == goal:
                path = [node]
                while (parent := previous[path[-1]]) is not None:
                    path.append(parent)
                return path[::-1]
            for child in sorted(children.get(node, ()), key=str):
                if child not in previous:
                    previous[child] = node
                    following.append(child)
        todo = following
    return None


def _cycle_finding(
    gate: GateInput,
    predicate: URIRef,
    cycle: list[tuple[Node, Node]],
    submitted: set[tuple[Node, Node]],
) -> Finding:
    s, o = cycle[0]
    statements = []
    for a, b in cycle:
        where = "this submission" if (a, b) in submitted else "the graph"
        statements.append(
            f"{display_name(a)} {display_name(predicate)} {display_name(b)} ({where})"
        )
    if len(cycle) == 1:
        message = (
            f"{display_name(s)} {HIERARCHIES[predicate]} itself: remove "
            f"{display_name(s)} {display_name(predicate)} {display_name(o)}."
        )
    else:
        message = (
            f"Cycle in {display_name(predicate)}: "
            + " and ".join(statements)
            + f". {display_name(s)} cannot {_verb(predicate)} {display_name(o)} while "
            f"{display_name(o)} {_verb(predicate, third=True)} {display_name(s)}: "
            "remove the statement that is wrong, or correct the other."
        )
    return Finding(s, message, "Structure", path=predicate, value=o)


_BASE_FORMS = {
    "is part of": "be part of",
    "is narrower than": "be narrower than",
    "lies in": "lie in",
}


def _verb(predicate: URIRef, *, third: bool = False) -> str:
    phrase = HIERARCHIES[predicate]
    return phrase if third else _BASE_FORMS[phrase]
