"""SHACL validation of sdkg data: one report object with JSON, Turtle and text forms.

The same :class:`ValidationReport` serves ``sdkg validate`` and the HTTP
``/validate`` endpoint. The data graph is validated as given (plus the ontology
when one is passed, so that ``sh:class`` sees ``rdfs:subClassOf``); no OWL or
RDFS inference is run: it is slow, and ``owl:sameAs`` inference duplicates
triples.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyshacl
from pyshacl.errors import ReportableRuntimeError
from rdflib import RDF, SH, BNode, Graph, Literal, Node, URIRef
from rdflib.collection import Collection
from rdflib.namespace import NamespaceManager

from sdkg import resources
from sdkg.namespaces import PREFIXES
from sdkg.rdfio import find_rdf_files, format_for, read_rdf_file, sorted_terms

# Severity IRIs -> the names used in JSON and text. A custom severity (allowed by
# SHACL) keeps its IRI and counts as a violation: it is not a warning or info.
SEVERITY_NAMES: dict[Node, str] = {
    SH.Violation: "Violation",
    SH.Warning: "Warning",
    SH.Info: "Info",
}
NON_BLOCKING_SEVERITIES = frozenset({"Warning", "Info"})
_QUOTED = re.compile(r'"([^"]*)"')


_SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}
#: Stages of fixing, by the local name of the rule's shape (sdkg-shapes:Gate<rule> or a
#: bundled shape) it starts with; other shapes are stage 4, evidence shapes 5.
_FIX_STAGES = (
    ("GateVocabulary", 0),
    ("GateProtectedTerm", 0),
    ("GateIdentifierForm", 1),
    ("GateIdentity", 1),
    ("GateDuplicate", 1),
    ("GateUnverifiedLink", 1),
    ("GateStructure", 2),
    ("SubmittedNodeTyped", 3),
    ("GateQuot", 6),
)


def fix_stage(shape: str) -> int:
    """How early a result of ``shape`` should be fixed (0 first; see ``sort_key``)."""
    shapes = "https://w3id.org/sdkg/shapes#"
    local = shape[len(shapes) :] if shape.startswith(shapes) else ""
    for prefix, stage in _FIX_STAGES:
        if local.startswith(prefix):
            return stage
    return 5 if "Evidence" in local else 4


class ShapesError(Exception):
    """The shapes graph cannot be used (pyshacl rejected it)."""


@dataclass(frozen=True)
class SourceLocation:
    """Where a subject is defined: a file and, when it could be found, a 1-based line."""

    file: str
    line: int | None


class SourceLocations(dict):
    """Where each subject is defined (``Node -> SourceLocation``), and the submitted
    texts, to find the line of each statement (:meth:`statement`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.texts: list[_SourceText] = []

    def add_text(self, name: str, text: str, graph: Graph, fmt: str) -> None:
        """Record one input (its subjects' locations and its text)."""
        lines = subject_lines(text, graph, fmt)
        for subject in set(graph.subjects()):
            self.setdefault(subject, SourceLocation(name, lines.get(subject)))
        self.texts.append(_SourceText(name, text.splitlines(), fmt, graph, lines))

    def statement(
        self, subject: Node, predicate: Node | None, value: Node | None
    ) -> SourceLocation | None:
        """The file and line of the statement ``subject predicate value`` (a ``None``
        predicate or value: any), or of ``subject`` when the statement is not found."""
        for source in self.texts:
            if (subject, None, None) not in source.graph:
                continue
            line = source.statement_line(subject, predicate, value)
            if line is not None:
                return SourceLocation(source.name, line)
        return self.get(subject)


@dataclass
class LoadedData:
    """RDF read from files: the merged graph and where each subject is defined."""

    graph: Graph
    files: list[str]
    locations: SourceLocations = field(default_factory=SourceLocations)


@dataclass(frozen=True)
class ValidationResult:
    """One ``sh:ValidationResult``, with the place in the input it concerns."""

    focus_node: Node
    path: str | None  # an IRI, or a SPARQL property path for complex paths
    value: Node | None
    message: str
    severity: str  # "Violation", "Warning", "Info", or a custom severity's IRI
    constraint: URIRef
    shape: str
    file: str | None
    line: int | None  # the line of the offending statement, else of the node
    node_line: int | None = None  # the line that introduces the node (not in JSON)

    def to_json(self) -> dict[str, Any]:
        """The result as a JSON object (see README, "Validating data")."""
        return {
            "focus_node": term_text(self.focus_node),
            "path": self.path,
            "value": None if self.value is None else term_text(self.value),
            "message": self.message,
            "severity": self.severity,
            "constraint": compact_shacl(self.constraint),
            "shape": self.shape,
            "file": self.file,
            "line": self.line,
        }

    def sort_key(self) -> tuple:
        """The order to fix things in: violations first; within them what makes other
        results moot first (vocabulary, identity, structure, a missing type), then the
        shapes' constraints, then evidence and quotes; then by place in the input."""
        return (
            _SEVERITY_ORDER.get(self.severity, 0),
            fix_stage(self.shape),
            self.file or "\uffff",
            self.line or 0,
            term_text(self.focus_node),
            self.path or "",
            compact_shacl(self.constraint),
            "" if self.value is None else term_text(self.value),
            self.shape,
            self.message,
            self.severity,
        )


@dataclass
class ValidationReport:
    """The outcome of validating one data graph against one shapes graph."""

    results: list[ValidationResult]
    graph: Graph  # the standard sh:ValidationReport, as pyshacl produced it
    files: int
    triples: int

    @property
    def violations(self) -> int:
        return sum(r.severity not in NON_BLOCKING_SEVERITIES for r in self.results)

    @property
    def warnings(self) -> int:
        return sum(r.severity == "Warning" for r in self.results)

    @property
    def infos(self) -> int:
        return sum(r.severity == "Info" for r in self.results)

    @property
    def conforms(self) -> bool:
        """True when there is no violation; warnings and infos are allowed.

        (The Turtle report's ``sh:conforms`` follows the SHACL spec instead and
        is false as soon as there is any result.)
        """
        return self.violations == 0

    def to_json(self) -> dict[str, Any]:
        """The stable machine format: conforms, summary counts, sorted results."""
        return {
            "conforms": self.conforms,
            "summary": {
                "violations": self.violations,
                "warnings": self.warnings,
                "infos": self.infos,
                "files": self.files,
                "triples": self.triples,
            },
            "results": [r.to_json() for r in self.results],
        }

    def to_turtle(self) -> str:
        """The standard SHACL ``sh:ValidationReport`` graph in Turtle."""
        return self.graph.serialize(format="turtle")

    def to_text(self) -> str:
        """A readable report: results grouped by focus node, then a summary line."""
        names = self.graph.namespace_manager
        by_node: dict[Node, list[ValidationResult]] = {}
        for result in sorted(self.results, key=ValidationResult.sort_key):
            by_node.setdefault(result.focus_node, []).append(result)
        blocks = []
        for node, results in by_node.items():
            heading = short(node, names)
            if results[0].file is not None:
                line = results[0].node_line or results[0].line
                heading += f"  ({results[0].file}{'' if line is None else f':{line}'})"
            lines = [heading]
            for r in results:
                here = r.node_line or results[0].node_line
                at = "" if r.line is None or r.line == here else f" (line {r.line})"
                parts = [f"  {r.severity}{at}:"]
                if r.path is not None:
                    parts.append(short(URIRef(r.path), names) if _is_iri(r.path) else r.path)
                if r.value is not None:
                    # "path = value", or for a node-level constraint "value <node>"
                    parts.append(
                        f"{'=' if r.path is not None else 'value'} {short(r.value, names)}"
                    )
                lines.append(" ".join(parts))
                lines.append(f"    {r.message}  [{compact_shacl(r.constraint)}]")
            blocks.append("\n".join(lines))
        blocks.append(self.summary_line())
        return "\n\n".join(blocks) + "\n"

    def summary_line(self) -> str:
        """E.g. ``3 violations, 1 warning in 2 nodes (12 files, 845 triples)``."""
        counts = [_plural(self.violations, "violation"), _plural(self.warnings, "warning")]
        if self.infos:
            counts.append(_plural(self.infos, "info"))
        nodes = len({r.focus_node for r in self.results})
        verdict = "conforms" if self.conforms else "does not conform"
        return (
            f"{verdict}: {', '.join(counts)} in {_plural(nodes, 'node')} "
            f"({_plural(self.files, 'file')}, {_plural(self.triples, 'triple')})"
        )


# --- loading -----------------------------------------------------------------


def load_rdf_files(paths: Iterable[Path]) -> LoadedData:
    """Read files and folders (recursively, known extensions only) into one graph.

    Raises :class:`sdkg.rdfio.RDFInputError` for a missing file, an unknown
    extension or a parse error (with file, line and column).
    """
    loaded = LoadedData(graph=Graph(), files=[])
    for path in find_rdf_files(paths):
        name = str(path)
        part = read_rdf_file(path, name=name)
        text = path.read_text("utf-8", errors="replace")
        loaded.locations.add_text(name, text, part, format_for(path))
        for prefix, namespace in part.namespaces():
            loaded.graph.bind(prefix, namespace, override=False)
        loaded.graph += part
        loaded.files.append(name)
    return loaded


def subject_lines(text: str, graph: Graph, fmt: str) -> dict[Node, int]:
    """Find, for each IRI subject of ``graph``, the line of ``text`` that introduces it.

    Turtle-like syntaxes: the first line that starts with the IRI (``<...>``) or
    one of its prefixed names, unindented lines first (an indented line may hold
    an object). JSON-LD and RDF/XML: the first line with the IRI in quotes
    (``"@id": "..."``, ``rdf:about="..."``). Not found: no entry.
    """
    lines = text.splitlines()
    subjects = [s for s in set(graph.subjects()) if isinstance(s, URIRef)]
    found: dict[Node, int] = {}
    if fmt in ("json-ld", "xml"):
        quoted: dict[str, int] = {}
        for number, line in enumerate(lines, start=1):
            for match in _QUOTED.finditer(line):
                quoted.setdefault(match[1], number)
        return {s: quoted[str(s)] for s in subjects if str(s) in quoted}
    first_token: dict[str, int] = {}
    first_indented: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        stripped = line.lstrip()
        if not stripped or stripped[0] in "#@":
            continue
        token = stripped.split(maxsplit=1)[0].rstrip(";,.")
        target = first_token if line == stripped else first_indented
        target.setdefault(token, number)
    # Each token names one IRI: expand it once (cost linear in the text; looking every
    # subject up under every prefix cost prefixes x subjects).
    namespaces = {prefix: str(ns) for prefix, ns in graph.namespaces()}
    wanted = {str(s): s for s in subjects}
    for table in (first_token, first_indented):
        for token, number in table.items():
            iri = _token_iri(token, namespaces)
            subject = wanted.get(iri) if iri is not None else None
            if subject is not None and (subject not in found or number < found[subject]):
                found[subject] = number
        for located in found:
            wanted.pop(str(located), None)
    return found


def locate(text: str, graph: Graph, fmt: str, name: str) -> SourceLocations:
    """The locations of ``graph``'s subjects and statements in ``text`` (one input)."""
    locations = SourceLocations()
    locations.add_text(name, text, graph, fmt)
    return locations


_LINE_FORMATS = ("nt", "nquads", "nt11")
_BLANK_WINDOW = 12  # lines around a blank node's most distinctive statement


@dataclass
class _SourceText:
    """One input's lines, graph and subject lines, for finding statements."""

    name: str
    lines: list[str]
    fmt: str
    graph: Graph
    subject_starts: dict[Node, int]
    _forms: dict[Node, list[re.Pattern[str]]] = field(default_factory=dict)

    def forms(self, term: Node) -> list[re.Pattern[str]]:
        """Patterns matching ways ``term`` can be written in this input."""
        if term not in self._forms:
            self._forms[term] = self._written_forms(term)
        return self._forms[term]

    def _written_forms(self, term: Node) -> list[re.Pattern[str]]:
        if isinstance(term, Literal):
            lexical = str(term).split("\n", 1)[0][:40]
            return [re.compile(re.escape(lexical))] if lexical else []
        if not isinstance(term, URIRef):
            return []
        found = [re.compile(re.escape(f"<{term}>"))]
        if self.fmt in ("json-ld", "xml"):
            found.append(re.compile(re.escape(f'"{term}"')))
        for prefix, namespace in self.graph.namespaces():
            local = str(term)[len(str(namespace)) :]
            if str(term).startswith(str(namespace)) and local:
                name = re.escape(f"{prefix}:{local}")
                found.append(re.compile(rf"(?<![\w:.-]){name}(?![\w-])"))
        if term == RDF.type:
            found.append(re.compile(r"(?:^|\s|;|\[)a\s"))
        return found

    def statement_line(
        self, subject: Node, predicate: Node | None, value: Node | None
    ) -> int | None:
        """The 1-based line of the statement, or ``None`` if it cannot be told."""
        anchor = self.subject_starts.get(subject) or self._blank_anchor(subject)
        if anchor is None:
            return None
        if predicate is None:
            return anchor
        if isinstance(subject, BNode):
            low, high = max(1, anchor - _BLANK_WINDOW), anchor + _BLANK_WINDOW
        elif self.fmt in _LINE_FORMATS:
            low, high = 1, len(self.lines)
        else:
            later = [n for n in self.subject_starts.values() if n > anchor]
            low, high = anchor, (min(later) - 1 if later else len(self.lines))
        in_range = range(low, min(high, len(self.lines)) + 1)
        by_predicate = [n for n in in_range if self._has(n, self.forms(predicate))]
        if self.fmt in _LINE_FORMATS:
            by_predicate = [n for n in by_predicate if self._has(n, self.forms(subject))]
        with_value = [n for n in by_predicate if value is None or self._has(n, self.forms(value))]
        candidates = with_value or by_predicate
        if not with_value and value is not None:
            # The value on a line of its own after the predicate (``p a ,\n b``).
            after = [
                n
                for n in in_range
                if by_predicate and n > by_predicate[0] and self._has(n, self.forms(value))
            ]
            candidates = after or candidates
        if not candidates:
            return anchor
        blank = isinstance(subject, BNode)  # its statements may come before the anchor
        return min(candidates, key=lambda n: (abs(n - anchor) if blank else 0, n))

    def _has(self, number: int, patterns: list[re.Pattern[str]]) -> bool:
        line = self.lines[number - 1]
        return any(p.search(line) for p in patterns)

    def _blank_anchor(self, subject: Node) -> int | None:
        """The line of the blank node's statement that no other node makes."""
        if not isinstance(subject, BNode):
            return None
        best = None
        for _, predicate, value in self.graph.triples((subject, None, None)):
            if isinstance(value, BNode):
                continue
            if len(set(self.graph.subjects(predicate, value))) != 1:
                continue
            value_forms, predicate_forms = self.forms(value), self.forms(predicate)
            for number in range(1, len(self.lines) + 1):
                if self._has(number, value_forms) and self._has(number, predicate_forms):
                    best = number if best is None else min(best, number)
                    break
        return best


def without_repeated_results(report: ValidationReport) -> ValidationReport:
    """``report`` with one result of each kind: a property shape shared by two node shapes
    that target the same node (dates on an organization) reports the same thing twice.

    (Not for the W3C SHACL suite's reports, which keep such repeats: the gate uses it.)
    """
    graph = report.graph
    root = report_node(graph)
    kept: dict[tuple[Node | None, ...], Node] = {}
    for node in list(graph.objects(root, SH.result)):
        key = (
            graph.value(node, SH.focusNode),
            graph.value(node, SH.resultPath),
            graph.value(node, SH.value),
            graph.value(node, SH.sourceShape),
            graph.value(node, SH.sourceConstraintComponent),
        )
        if key in kept:
            graph.remove((node, None, None))  # its shape may be the kept one's
            graph.remove((root, SH.result, node))
        else:
            kept[key] = node
    results: list[ValidationResult] = []
    for result in report.results:
        if not results or result.sort_key() != results[-1].sort_key():
            results.append(result)
    return dataclasses.replace(report, results=results)


def locate_results(
    report: ValidationReport, locations: Mapping[Node, SourceLocation]
) -> ValidationReport:
    """``report`` with each result's file and line at its statement, re-sorted."""
    results = []
    for r in report.results:
        where = locations.get(r.focus_node)
        if isinstance(locations, SourceLocations):
            path = URIRef(r.path) if r.path and _is_iri(r.path) else None
            value = r.value if path is not None else None
            path = path or _targeted_predicate(r.shape)
            where = locations.statement(r.focus_node, path, value) or where
        node = locations.get(r.focus_node)
        results.append(
            dataclasses.replace(
                r,
                file=where.file if where else r.file,
                line=where.line if where else r.line,
                node_line=node.line if node else r.node_line,
            )
        )
    results.sort(key=ValidationResult.sort_key)
    return dataclasses.replace(report, results=results)


def _targeted_predicate(shape: str) -> URIRef | None:
    """The one property whose subjects ``shape`` (or the node shape of a property
    shape ``<node>[path]``) targets: the statement such a result is about."""
    node = URIRef(shape.split("[", 1)[0])
    targets = list(bundled_shapes().objects(node, SH.targetSubjectsOf))
    return targets[0] if len(targets) == 1 and isinstance(targets[0], URIRef) else None


def _token_iri(token: str, namespaces: Mapping[str, str]) -> str | None:
    """The IRI a Turtle token names (``<iri>`` or ``prefix:local``), if it names one."""
    if token.startswith("<") and token.endswith(">"):
        return token[1:-1]
    prefix, colon, local = token.partition(":")
    if not colon or prefix not in namespaces:
        return None
    return namespaces[prefix] + local


@functools.cache
def bundled_shapes() -> Graph:
    """The bundled SHACL shapes, parsed once per process (do not modify)."""
    return read_rdf_file(resources.shapes_file())


@functools.cache
def bundled_ontology() -> LoadedData:
    """The bundled ontology with its subjects' locations, parsed once (do not modify)."""
    return load_rdf_files([resources.ontology_file()])


# --- validating --------------------------------------------------------------


def validate_graph(
    data: Graph,
    shapes: Graph | None = None,
    *,
    ontology: Graph | None = None,
    focus_nodes: Iterable[URIRef] | None = None,
    locations: Mapping[Node, SourceLocation] | None = None,
    files: int = 1,
) -> ValidationReport:
    """Validate ``data`` against ``shapes`` (default: the bundled shapes).

    ``ontology`` (e.g. ``bundled_ontology().graph``) is added to the data graph
    so class hierarchies are visible; ``data`` itself is not modified.
    ``focus_nodes`` limits validation to those nodes (pyshacl's ``focus_nodes``).
    ``locations`` fills each result's ``file``/``line``; ``files`` is only
    reported in the summary. The summary's triple count is ``len(data)``.
    Raises :class:`ShapesError` when pyshacl cannot use the shapes.
    """
    shapes = bundled_shapes() if shapes is None else shapes
    data_graph = data
    if ontology is not None:
        data_graph = Graph(bind_namespaces="none")
        data_graph += data
        data_graph += ontology
    try:
        _, report_graph, _ = pyshacl.validate(
            data_graph,
            shacl_graph=shapes,
            inference="none",
            inplace=data_graph is not data,  # our own merged copy may be used in place
            focus_nodes=None if focus_nodes is None else list(focus_nodes),
        )
    except ReportableRuntimeError as exc:
        raise ShapesError(exc.message) from exc
    for graph in (shapes, data, ontology):
        for prefix, namespace in graph.namespaces() if graph is not None else ():
            report_graph.bind(prefix, namespace, override=False)
    results = [
        _read_result(report_graph, node, shapes, locations or {})
        for node in report_graph.objects(None, SH.result)
    ]
    results.sort(key=ValidationResult.sort_key)
    return ValidationReport(results=results, graph=report_graph, files=files, triples=len(data))


def curated_data_files() -> list[Path]:
    """The bundled data files that the shapes apply to: ``data/`` minus ``data/external/``."""
    data = resources.bundled_path("data")
    external = data / "external"
    return [p for p in find_rdf_files([data]) if not p.is_relative_to(external)]


def validate_files(
    paths: Iterable[Path] | None = None,
    shapes: Graph | None = None,
    *,
    with_ontology: bool = True,
) -> ValidationReport:
    """Validate files and folders (default: the curated data) as ``sdkg validate`` does.

    The default is the bundled ``data/`` without ``data/external/``: those are
    caches of third-party records (ROR, Wikidata, ...) that describe the external
    IRIs, not our entities, and ``sdkg link check`` is their check.
    With ``with_ontology`` the bundled ontology joins the data graph (its triples
    are not counted in the summary).
    """
    loaded = load_rdf_files(curated_data_files() if paths is None else paths)
    locations = loaded.locations
    ontology = None
    if with_ontology:
        ontology_data = bundled_ontology()
        ontology = ontology_data.graph
        for node, where in ontology_data.locations.items():
            locations.setdefault(node, where)
    report = validate_graph(
        loaded.graph, shapes, ontology=ontology, locations=locations, files=len(loaded.files)
    )
    return locate_results(report, locations)


def _read_result(
    report: Graph, node: Node, shapes: Graph, locations: Mapping[Node, SourceLocation]
) -> ValidationResult:
    focus = _required(report, node, SH.focusNode)
    path = report.value(node, SH.resultPath)
    severity = _required(report, node, SH.resultSeverity)
    constraint = _required(report, node, SH.sourceConstraintComponent)
    if not isinstance(constraint, URIRef):
        raise ValueError(f"the validation report names a constraint {constraint!r} by no IRI")
    where = locations.get(focus)
    return ValidationResult(
        focus_node=focus,
        path=None if path is None else path_text(report, path),
        value=report.value(node, SH.value),
        message=_pick_message(list(report.objects(node, SH.resultMessage))),
        severity=SEVERITY_NAMES.get(severity, str(severity)),
        constraint=constraint,
        shape=shape_text(shapes, report, _required(report, node, SH.sourceShape)),
        file=where.file if where else None,
        line=where.line if where else None,
    )


def report_node(report: Graph) -> Node:
    """The ``sh:ValidationReport`` node of a report graph (which has one)."""
    root = report.value(None, RDF.type, SH.ValidationReport, any=True)
    if root is None:
        raise ValueError("the graph holds no sh:ValidationReport")
    return root


def _required(report: Graph, result: Node, predicate: URIRef) -> Node:
    """The value of ``predicate`` that SHACL requires every validation result to have."""
    value = report.value(result, predicate)
    if value is None:
        raise ValueError(f"the validation report has a result without {predicate.n3()}")
    return value


def _pick_message(messages: list[Node]) -> str:
    """One message: English or untagged first, else the first in sorted order."""
    if not messages:
        return ""
    preferred = [m for m in messages if isinstance(m, Literal) and m.language in (None, "en")]
    return str(sorted_terms(preferred or messages)[0])


# --- rendering terms ---------------------------------------------------------


def term_text(term: Node) -> str:
    """JSON form of a term: IRIs as plain strings, literals as their lexical
    value, blank nodes as ``_:label`` (labels are not stable between runs)."""
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)


def compact_shacl(iri: Node) -> str:
    """``sh:DatatypeConstraintComponent`` for SHACL terms; other IRIs in full."""
    text = str(iri)
    return "sh:" + text[len(str(SH)) :] if text.startswith(str(SH)) else text


def path_text(graph: Graph, path: Node) -> str:
    """A SHACL property path as a string: an IRI as itself, complex paths in
    SPARQL property-path syntax with ``<IRI>`` terms."""
    if isinstance(path, URIRef):
        return str(path)
    return _sparql_path(graph, path)


def _sparql_path(graph: Graph, path: Node) -> str:
    if isinstance(path, URIRef):
        return f"<{path}>"
    if graph.value(path, RDF.first) is not None:
        return "(" + "/".join(_sparql_path(graph, p) for p in Collection(graph, path)) + ")"
    for predicate, template in (
        (SH.inversePath, "^{}"),
        (SH.zeroOrMorePath, "{}*"),
        (SH.oneOrMorePath, "{}+"),
        (SH.zeroOrOnePath, "{}?"),
    ):
        inner = graph.value(path, predicate)
        if inner is not None:
            return template.format(_sparql_path(graph, inner))
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(_sparql_path(graph, p) for p in Collection(graph, alternatives)) + ")"
    return f"_:{path}"


def shape_text(shapes: Graph, report: Graph, shape: Node) -> str:
    """A shape's IRI; a blank-node property shape as ``<parent>[<path>]`` so the
    text is stable between runs (blank node labels are not)."""
    if not isinstance(shape, BNode):
        return str(shape)
    parent = next(shapes.subjects(SH.property, shape), None)
    path = shapes.value(shape, SH.path)
    path = report.value(shape, SH.path) if path is None else path
    graph = shapes if shapes.value(shape, SH.path) is not None else report
    inner = "" if path is None else path_text(graph, path)
    return f"{'_:' if parent is None else parent}[{inner}]"


#: Prefixes for naming terms in messages (those of the project's Turtle, plus the
#: external identifier spaces people recognise).
DISPLAY_PREFIXES = {
    **PREFIXES,
    "time": "http://www.w3.org/2006/time#",
    "wd": "http://www.wikidata.org/entity/",
}


@functools.cache
def _display_names() -> NamespaceManager:
    names = NamespaceManager(Graph(bind_namespaces="none"), bind_namespaces="none")
    for prefix, namespace in DISPLAY_PREFIXES.items():
        names.bind(prefix, namespace)
    return names


def display_name(term: Node) -> str:
    """A term as people read it in a message: ``sdkg:foundingLeader``, ``id:cas``, ``<iri>``."""
    if isinstance(term, URIRef):
        for prefix, namespace in DISPLAY_PREFIXES.items():
            local = str(term)[len(namespace) :]
            plain = all(c.isalnum() or c in "-_." for c in local)
            if term.startswith(namespace) and local and plain:
                return f"{prefix}:{local}"
        return f"<{term}>"
    return short(term, _display_names())


def short(term: Node, names: NamespaceManager) -> str:
    """A term for people: a prefixed name where a prefix is bound, a quoted literal."""
    if isinstance(term, Literal):
        text = f'"{term}"'
        if term.language:
            return f"{text}@{term.language}"
        if term.datatype is not None:
            return f"{text}^^{short(term.datatype, names)}"
        return text
    if isinstance(term, URIRef):
        try:
            return names.normalizeUri(term)
        except Exception:  # rdflib refuses some IRIs as prefixed names
            return f"<{term}>"
    return f"_:{term}"


def _is_iri(text: str) -> bool:
    return not text.startswith(("(", "^", "<", "_:"))


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"
