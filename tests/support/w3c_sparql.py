"""The W3C SPARQL 1.1 query test suite, read for running through the HTTP endpoint.

The suite is vendored at ``tests/fixtures/vendor/w3c-sparql11`` (licence beside it). This
module reads its manifests, builds one data folder per test folder (each data file of the
folder becomes a named graph called by the file's IRI, written as N-Quads, which
``sdkg serve --data`` loads keeping the graph names), and compares the endpoint's answers
with the expected results: solutions as multisets with blank nodes matched by graph
isomorphism (``rdflib.compare``), graphs by isomorphism. rdflib, not pyoxigraph, reads
every answer and every expected result: the oracle is independent of the engine.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from xml.etree import ElementTree

import pyoxigraph as ox
import rdflib
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.compare import isomorphic
from rdflib.namespace import XSD
from rdflib.util import from_n3

SUITE = Path(__file__).resolve().parents[1] / "fixtures" / "vendor" / "w3c-sparql11"
#: The suite's own base: relative IRIs in manifests, data, queries and results resolve here.
BASE = "http://www.w3.org/2009/sparql/docs/tests/data-sparql11/"
#: The default graph of a test that names no data: a graph nobody loads, so it is empty.
EMPTY_GRAPH = BASE + "no-data-empty-default-graph"

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
QT = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-query#")
RS = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/result-set#")
DAWGT = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-dawg#")

EVALUATION = (MF.QueryEvaluationTest, MF.CSVResultFormatTest)
SYNTAX = {MF.PositiveSyntaxTest11: True, MF.NegativeSyntaxTest11: False}

#: Formats each kind of answer is fetched in: format= value -> media type (and rdflib name).
SOLUTION_FORMATS = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}
BOOLEAN_FORMATS = {k: SOLUTION_FORMATS[k] for k in ("json", "xml")}
GRAPH_FORMATS = {
    "turtle": ("text/turtle", "turtle"),
    "nt": ("application/n-triples", "nt"),
    "jsonld": ("application/ld+json", "json-ld"),
    # JSON-LD compacted with the project's @context (asked by profile, not format=)
    "jsonld-compacted": ("application/ld+json", "json-ld"),
    "rdfxml": ("application/rdf+xml", "xml"),
}


@dataclass(frozen=True)
class W3CTest:
    """One test of the suite."""

    folder: str
    name: str  # the local name of the test's IRI
    title: str
    query: Path
    #: Evaluation tests: the default graph's files, the named graphs' files, the result.
    data: tuple[Path, ...] = ()
    graph_data: tuple[Path, ...] = ()
    result: Path | None = None
    #: Syntax tests: whether the query is valid SPARQL 1.1.
    valid: bool | None = None

    @property
    def id(self) -> str:
        """``folder/name``."""
        return f"{self.folder}/{self.name}"

    @property
    def query_iri(self) -> str:
        """The query's IRI: its base for relative IRIs."""
        return iri_of(self.query)

    def query_text(self) -> str:
        """The query with its base declared, as the suite's harness gives it."""
        return f"BASE <{self.query_iri}>\n" + self.query.read_text(encoding="utf-8")

    def dataset_params(self) -> list[tuple[str, str]]:
        """The protocol's dataset parameters for the test's data (empty default graph if none).

        A query with its own FROM / FROM NAMED keeps its own: in the suite a query's
        dataset description wins over the manifest's (which says what to load).
        """
        if _has_dataset_clause(self.query):
            return []
        defaults = [iri_of(p) for p in self.data] or [EMPTY_GRAPH]
        params = [("default-graph-uri", iri) for iri in defaults]
        return params + [("named-graph-uri", iri_of(p)) for p in self.graph_data]


def iri_of(path: Path) -> str:
    """The suite IRI of a file of the suite."""
    return BASE + path.relative_to(SUITE).as_posix()


def folders() -> list[str]:
    """The test folders, in order."""
    return sorted(p.parent.name for p in SUITE.glob("*/manifest.ttl"))


def read_manifest(folder: str) -> list[W3CTest]:
    """The tests of ``folder`` in manifest order."""
    path = SUITE / folder / "manifest.ttl"
    graph = Graph().parse(path, format="turtle", publicID=iri_of(path))
    manifest = URIRef(iri_of(path))
    entries = graph.value(manifest, MF.entries)
    tests = []
    for test in Collection(graph, entries) if entries is not None else []:
        kind = graph.value(test, rdflib.RDF.type)
        title = str(graph.value(test, MF.name) or "")
        name = str(test).rsplit("#", 1)[-1]
        action = graph.value(test, MF.action)
        if kind in SYNTAX:
            tests.append(W3CTest(folder, name, title, _path(action), valid=SYNTAX[kind]))
        elif kind in EVALUATION:
            tests.append(
                W3CTest(
                    folder,
                    name,
                    title,
                    _path(graph.value(action, QT.query)),
                    data=tuple(_path(d) for d in graph.objects(action, QT.data)),
                    graph_data=tuple(_path(d) for d in graph.objects(action, QT.graphData)),
                    result=_path(graph.value(test, MF.result)),
                )
            )
    return tests


def _path(iri: object) -> Path:
    return SUITE / str(iri).removeprefix(BASE)


def _has_dataset_clause(query: Path) -> bool:
    from sdkg import sparql_text

    return sparql_text.has_dataset_clause(query.read_text(encoding="utf-8"))


def query_form(test: W3CTest) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE."""
    from sdkg import sparql_text

    return sparql_text.operation_keyword(test.query.read_text(encoding="utf-8")) or "SELECT"


def build_data_folder(tests: list[W3CTest], target: Path) -> None:
    """Write every data file the tests use as ``target/<name>.nq``, in the graph of its IRI."""
    from sdkg import formats

    target.mkdir(parents=True, exist_ok=True)
    files = sorted({p for t in tests for p in (*t.data, *t.graph_data)})
    for number, path in enumerate(files):
        fmt = formats.by_extension(path.suffix)
        assert fmt is not None and isinstance(fmt.oxigraph, ox.RdfFormat), path
        graph = ox.NamedNode(iri_of(path))
        quads = [
            ox.Quad(t.subject, t.predicate, t.object, graph)
            for t in ox.parse(path=path, format=fmt.oxigraph, base_iri=iri_of(path))
        ]
        out = target / f"{number:03d}-{path.stem}.nq"
        out.write_bytes(ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b"")


# --------------------------------------------------------------------------- results


@dataclass
class Solutions:
    """A SELECT result: variables and rows ({variable: rdflib term}); or an ASK boolean."""

    variables: list[str]
    rows: list[dict[str, object]]
    boolean: bool | None = None


def parse_answer(body: bytes, media_type: str) -> Solutions:
    """An endpoint's answer in a results format, every row kept (rdflib's result parsers
    drop rows that bind nothing, so the formats are read here, terms by rdflib)."""
    text = body.decode("utf-8")
    if media_type == "text/csv":
        return _parse_csv(text)
    if media_type == "text/tab-separated-values":
        return _parse_tsv(text)
    if media_type == "application/sparql-results+xml":
        return _parse_xml(body)
    return _parse_json(text)


def expected_solutions(path: Path) -> Solutions:
    """The expected result of an evaluation test, from .srx, .srj, .tsv, .csv or .ttl."""
    suffix = path.suffix
    if suffix == ".ttl":
        return _from_result_set_graph(Graph().parse(path, format="turtle", publicID=iri_of(path)))
    media_type = {
        ".srx": "application/sparql-results+xml",
        ".srj": "application/sparql-results+json",
        ".tsv": "text/tab-separated-values",
        ".csv": "text/csv",
    }[suffix]
    return parse_answer(path.read_bytes(), media_type)


def _parse_json(text: str) -> Solutions:
    document = json.loads(text)
    if "boolean" in document:
        return Solutions([], [], boolean=bool(document["boolean"]))
    variables = list(document["head"].get("vars", []))
    rows = []
    for binding in document["results"]["bindings"]:
        row = {}
        for name, term in binding.items():
            kind, value = term["type"], term["value"]
            if kind == "uri":
                row[name] = URIRef(value)
            elif kind == "bnode":
                row[name] = BNode(value)
            else:
                row[name] = Literal(value, lang=term.get("xml:lang"),
                                    datatype=term.get("datatype"))  # fmt: skip
        rows.append(row)
    return Solutions(variables, rows)


_SRX = "{http://www.w3.org/2005/sparql-results#}"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _parse_xml(body: bytes) -> Solutions:
    root = ElementTree.fromstring(body)
    boolean = root.find(_SRX + "boolean")
    if boolean is not None:
        return Solutions([], [], boolean=(boolean.text or "").strip() == "true")
    variables = [v.get("name", "") for v in root.iter(_SRX + "variable")]
    rows = []
    for result in root.iter(_SRX + "result"):
        row: dict[str, object] = {}
        for binding in result.findall(_SRX + "binding"):
            term = binding[0]
            text = term.text or ""
            if term.tag == _SRX + "uri":
                row[binding.get("name", "")] = URIRef(text)
            elif term.tag == _SRX + "bnode":
                row[binding.get("name", "")] = BNode(text)
            else:
                row[binding.get("name", "")] = Literal(
                    text, lang=term.get(_XML_LANG), datatype=term.get("datatype")
                )
        rows.append(row)
    return Solutions(variables, rows)


def _parse_tsv(text: str) -> Solutions:
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    header = lines[0].split("\t") if lines and lines[0] else []
    if header in (["true"], ["false"]) and len(lines) == 1:
        return Solutions([], [], boolean=header[0] == "true")
    variables = [h.removeprefix("?").removeprefix("$") for h in header]
    rows = []
    for line in lines[1:]:
        cells = line.split("\t")
        rows.append({v: from_n3(c) for v, c in zip(variables, cells, strict=False) if c != ""})
    return Solutions(variables, rows)


def expected_graph(path: Path) -> Graph:
    """The expected graph of a CONSTRUCT test."""
    fmt = {".ttl": "turtle", ".nt": "nt", ".rdf": "xml"}[path.suffix]
    return Graph().parse(path, format=fmt, publicID=iri_of(path))


def is_result_set(path: Path) -> bool:
    """True when an expected .ttl file is a result set (rs:ResultSet), not a graph."""
    if path.suffix != ".ttl":
        return path.suffix in (".srx", ".srj", ".tsv", ".csv")
    graph = Graph().parse(path, format="turtle", publicID=iri_of(path))
    return (None, rdflib.RDF.type, RS.ResultSet) in graph


def _from_result_set_graph(graph: Graph) -> Solutions:
    result_set = graph.value(None, rdflib.RDF.type, RS.ResultSet, any=False)
    boolean = graph.value(result_set, RS.boolean)
    if boolean is not None:
        return Solutions([], [], boolean=bool(boolean.toPython()))
    variables = [str(v) for v in graph.objects(result_set, RS.resultVariable)]
    rows = []
    for solution in graph.objects(result_set, RS.solution):
        row = {}
        for binding in graph.objects(solution, RS.binding):
            row[str(graph.value(binding, RS.variable))] = graph.value(binding, RS.value)
        rows.append(row)
    return Solutions(variables, rows)


def _parse_csv(text: str) -> Solutions:
    reader = csv.reader(io.StringIO(text))
    header = next(reader, [])
    rows = []
    for record in reader:
        row: dict[str, object] = {}
        for name, value in zip(header, record, strict=False):
            if value == "":
                continue
            row[name] = BNode(value[2:]) if value.startswith("_:") else Literal(value)
        rows.append(row)
    if len(header) == 1 and header[0] in ("true", "false") and not rows:
        return Solutions([], [], boolean=header[0] == "true")
    return Solutions(header, rows)


def canonical(solutions: Solutions) -> Solutions:
    """Literals in rdflib's canonical form (``"30000"^^xsd:double`` is ``"30000.0"``): an
    engine may write any lexical form of a value."""

    def term(value: object) -> object:
        if not isinstance(value, Literal):
            return value
        if value.language:  # language tags are case-insensitive (BCP 47)
            return Literal(str(value), lang=value.language.lower())
        if value.datatype is None:
            return value
        lexical, datatype = str(value), str(value.datatype)
        try:
            if datatype in _INTEGERS:
                return Literal(str(int(lexical.strip())), datatype=value.datatype)
            if datatype == str(XSD.decimal):
                return Literal(str(Decimal(lexical.strip()).normalize()), datatype=value.datatype)
            if datatype in (str(XSD.double), str(XSD.float)):
                return Literal(repr(float(lexical.strip())), datatype=value.datatype)
        except (ValueError, InvalidOperation):
            return value  # an ill-typed literal is compared as written
        return Literal(lexical, datatype=value.datatype)

    rows = [{k: term(v) for k, v in row.items()} for row in solutions.rows]
    return Solutions(solutions.variables, rows, solutions.boolean)


_INTEGERS = {str(XSD[name]) for name in (
    "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
    "nonPositiveInteger", "negativeInteger", "unsignedInt", "unsignedLong", "unsignedShort",
    "unsignedByte")}  # fmt: skip
_DURATION = re.compile(r"^-?P(\d+Y)?(\d+M)?(\d+D)?(T(\d+H)?(\d+M)?([\d.]+S)?)?$")
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def lossy(solutions: Solutions) -> Solutions:
    """What survives CSV: each term but a blank node as its plain string; an empty string
    is no binding; numbers by value (CSV keeps no datatype to say which lexical form)."""

    def plain(value: object) -> object | None:
        if isinstance(value, BNode):
            return value
        text = str(value)
        if text == "":
            return None
        if _NUMBER.match(text):
            try:
                return Literal(str(Decimal(text).normalize()))
            except InvalidOperation:
                pass
        if _DURATION.match(text):  # PT0S and P0D are one duration
            return Literal(str(Literal(text, datatype=XSD.duration)))
        return Literal(text)

    rows = [{k: p for k, v in row.items() if (p := plain(v)) is not None} for row in solutions.rows]
    return Solutions(solutions.variables, rows, solutions.boolean)


def as_graph(solutions: Solutions) -> Graph:
    """Solutions as an RDF graph, so that two results compare by isomorphism: equal up to
    the naming of blank nodes, row order, and with duplicate rows counted."""
    graph = Graph()
    result_set = BNode()
    for variable in solutions.variables:
        graph.add((result_set, RS.resultVariable, Literal(variable)))
    if solutions.boolean is not None:
        graph.add((result_set, RS.boolean, Literal(solutions.boolean)))
    for row in solutions.rows:
        solution = BNode()
        graph.add((result_set, RS.solution, solution))
        for variable, value in sorted(row.items()):
            binding = BNode()
            graph.add((solution, RS.binding, binding))
            graph.add((binding, RS.variable, Literal(variable)))
            graph.add((binding, RS.value, value))
    return graph


def same_solutions(found: Solutions, expected: Solutions) -> bool:
    """Equal booleans, or equal variable sets and equal rows up to blank-node names."""
    if expected.boolean is not None or found.boolean is not None:
        return found.boolean == expected.boolean
    if set(found.variables) != set(expected.variables):
        return False
    if len(found.rows) != len(expected.rows):
        return False
    return isomorphic(as_graph(found), as_graph(expected))


def has_blank_nodes(solutions: Solutions) -> bool:
    """True when some row binds a blank node."""
    return any(isinstance(v, BNode) for row in solutions.rows for v in row.values())


def is_sub_multiset(found: Solutions, expected: Solutions) -> bool:
    """Every row of ``found`` is a row of ``expected``, counted (no blank nodes)."""
    available = Counter(frozenset(row.items()) for row in expected.rows)
    for row in found.rows:
        key = frozenset(row.items())
        if available[key] == 0:
            return False
        available[key] -= 1
    return True


def describe(solutions: Solutions, limit: int = 8) -> str:
    """A short readable form for failure messages."""
    if solutions.boolean is not None:
        return str(solutions.boolean)
    rows = [
        {k: (v.n3() if hasattr(v, "n3") else str(v)) for k, v in row.items()}
        for row in solutions.rows[:limit]
    ]
    more = f" (+{len(solutions.rows) - limit} more)" if len(solutions.rows) > limit else ""
    return f"vars={solutions.variables} rows={json.dumps(rows, ensure_ascii=False)}{more}"
