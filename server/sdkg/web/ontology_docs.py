"""Blueprint for ``/ontology``: documentation generated from ``ontology/sdkg.ttl`` and
``ontology/shapes.ttl`` (read once per file change), or the ontology itself as RDF.

Term IRIs ``https://w3id.org/sdkg/ontology#Term`` resolve to the section ``#Term`` of the
HTML page; clients asking for Turtle (or ``/ontology.ttl``) get the ontology file as it
is, and JSON-LD, N-Triples or RDF/XML by negotiation.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, render_template, request
from rdflib import OWL, RDF, RDFS, SH, SKOS, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection

from sdkg import serialize
from sdkg.negotiation import format_values, negotiate
from sdkg.resources import ontology_file, shapes_file
from sdkg.web.terms import ONTOLOGY_NS, compact, humanize, local_name

blueprint = Blueprint("ontology_docs", __name__)

PROPERTY_TYPES = (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)


@blueprint.route("/ontology")
@blueprint.route("/ontology.ttl", defaults={"suffix_format": "turtle"})
def ontology(suffix_format: str | None = None) -> Response:
    """The ontology documentation (HTML) or the ontology as RDF."""
    choice = negotiate(
        request.accept_mimetypes,
        [suffix_format] if suffix_format else format_values(request.args.items(multi=True)),
        "graph",
        html=suffix_format is None,
    )
    path = ontology_file()
    if choice.kind == "html":
        response = Response(
            render_template(
                "ontology.html", docs=_docs(path, _mtime(path)),
                shapes=_shapes(shapes_file(), _mtime(shapes_file())), active="ontology",
            )
        )  # fmt: skip
    elif choice.name == "turtle":
        response = Response(path.read_bytes(), content_type=choice.content_type())
    else:
        # JSON-LD compacted with the project's prefixes unless a profile asks otherwise.
        body, content_type = serialize.write_graph(_graph(path, _mtime(path)), choice)
        response = Response(body, content_type=content_type)
    response.vary.add("Accept")
    return response


def _mtime(path: Path) -> int:
    return path.stat().st_mtime_ns


@functools.lru_cache(maxsize=4)
def _graph(path: Path, mtime: int) -> Graph:
    """The parsed file; ``mtime`` is part of the cache key, so an edit is seen."""
    return Graph().parse(path, format="turtle")


# --------------------------------------------------------------------------- terms


@dataclass
class TermRef:
    """A link to a term: to its section here (ours) or to its IRI (reused vocabularies)."""

    iri: str
    label: str
    curie: str
    href: str


@dataclass
class ClassDoc:
    """One class: definition, place in the hierarchy, and the properties that apply."""

    ref: TermRef
    definition: str
    supers: list[TermRef]
    subs: list[TermRef]
    properties: list[TermRef] = field(default_factory=list)


@dataclass
class PropertyDoc:
    """One property: kind, definition, domain, range, super-properties."""

    ref: TermRef
    kind: str
    definition: str
    domains: list[TermRef]
    ranges: list[TermRef]
    supers: list[TermRef]


def _ref(graph: Graph, term: Any) -> TermRef:
    iri = str(term)
    label = graph.value(term, RDFS.label)
    ours = iri.startswith(ONTOLOGY_NS)
    return TermRef(
        iri=iri,
        label=str(label) if label else humanize(local_name(iri)),
        curie=compact(iri),
        href=f"#{iri[len(ONTOLOGY_NS) :]}" if ours else iri,
    )


def _definition(graph: Graph, term: Any) -> str:
    text = graph.value(term, SKOS.definition) or graph.value(term, RDFS.comment)
    return str(text) if text else ""


def _sorted(refs: list[TermRef]) -> list[TermRef]:
    return sorted(refs, key=lambda r: r.label.casefold())


@functools.lru_cache(maxsize=4)
def _docs(path: Path, mtime: int) -> dict[str, Any]:
    graph = _graph(path, mtime)
    ours = lambda term: isinstance(term, URIRef) and str(term).startswith(ONTOLOGY_NS)  # noqa: E731
    classes = sorted({c for c in graph.subjects(RDF.type, OWL.Class) if ours(c)}, key=str)
    properties = sorted(
        {p for kind in PROPERTY_TYPES for p in graph.subjects(RDF.type, kind) if ours(p)}, key=str
    )
    ancestors: dict[Any, set[Any]] = {
        c: set(graph.transitive_objects(c, RDFS.subClassOf)) for c in classes
    }
    by_domain: dict[Any, list[Any]] = defaultdict(list)
    property_docs = []
    for prop in properties:
        kind = next(
            humanize(local_name(str(k))) for k in PROPERTY_TYPES if (prop, RDF.type, k) in graph
        )
        domains = list(graph.objects(prop, RDFS.domain))
        for domain in domains:
            by_domain[domain].append(prop)
        property_docs.append(
            PropertyDoc(
                ref=_ref(graph, prop),
                kind=kind,
                definition=_definition(graph, prop),
                domains=_sorted([_ref(graph, d) for d in domains]),
                ranges=_sorted([_ref(graph, r) for r in graph.objects(prop, RDFS.range)]),
                supers=_sorted([_ref(graph, s) for s in graph.objects(prop, RDFS.subPropertyOf)]),
            )
        )
    class_docs = []
    for cls in classes:
        applying = {p for ancestor in ancestors[cls] for p in by_domain.get(ancestor, [])}
        class_docs.append(
            ClassDoc(
                ref=_ref(graph, cls),
                definition=_definition(graph, cls),
                supers=_sorted([_ref(graph, s) for s in graph.objects(cls, RDFS.subClassOf)]),
                subs=_sorted([_ref(graph, s) for s in graph.subjects(RDFS.subClassOf, cls)]),
                properties=_sorted([_ref(graph, p) for p in applying]),
            )
        )
    header = URIRef(ONTOLOGY_NS)
    return {
        "title": str(graph.value(header, URIRef("http://purl.org/dc/terms/title")) or "Ontology"),
        "description": _text(graph.value(header, URIRef("http://purl.org/dc/terms/description"))),
        "version": _text(graph.value(header, OWL.versionInfo)),
        "version_iri": _text(graph.value(header, OWL.versionIRI)),
        "license": _text(graph.value(header, URIRef("http://purl.org/dc/terms/license"))),
        "classes": sorted(class_docs, key=lambda c: c.ref.label.casefold()),
        "properties": sorted(property_docs, key=lambda p: p.ref.label.casefold()),
    }


def _text(term: Any) -> str:
    return str(term) if term is not None else ""


# --------------------------------------------------------------------------- shapes


@dataclass
class Rule:
    """One property constraint of a shape, in words."""

    path: str
    path_href: str | None
    severity: str  # Violation, Warning, Info
    requirement: str
    message: str


@dataclass
class ShapeDoc:
    """A node shape: which nodes it checks and the rules they must follow."""

    name: str
    targets: list[str]
    rules: list[Rule]


SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}


@functools.lru_cache(maxsize=4)
def _shapes(path: Path, mtime: int) -> list[ShapeDoc]:
    graph = _graph(path, mtime)
    docs = []
    for shape in sorted(set(graph.subjects(RDF.type, SH.NodeShape)), key=str):
        targets = [f"every {compact(str(c))}" for c in graph.objects(shape, SH.targetClass)]
        targets += [
            f"everything with a {compact(str(p))}"
            for p in graph.objects(shape, SH.targetSubjectsOf)
        ]
        targets += [f"{compact(str(n))}" for n in graph.objects(shape, SH.targetNode)]
        rules = [_rule(graph, prop) for prop in graph.objects(shape, SH.property)]
        rules.sort(key=lambda r: (SEVERITY_ORDER.get(r.severity, 3), r.path, r.requirement))
        name = local_name(str(shape)) if isinstance(shape, URIRef) else "shape"
        docs.append(ShapeDoc(humanize(name.removesuffix("Shape")), sorted(targets), rules))
    return docs


def _rule(graph: Graph, prop: Any) -> Rule:
    path = graph.value(prop, SH.path)
    severity = graph.value(prop, SH.severity)
    message = graph.value(prop, SH.message)
    return Rule(
        path=_path_text(graph, path),
        path_href=_term_href(path),
        severity=local_name(str(severity)) if severity else "Violation",
        requirement="; ".join(_requirements(graph, prop)) or "see the message",
        message=str(message) if message else "",
    )


def _term_href(term: Any) -> str | None:
    if isinstance(term, URIRef):
        iri = str(term)
        return f"#{iri[len(ONTOLOGY_NS) :]}" if iri.startswith(ONTOLOGY_NS) else iri
    return None


def _path_text(graph: Graph, path: Any) -> str:
    if isinstance(path, BNode):
        inverse = graph.value(path, SH.inversePath)
        if inverse is not None:
            return f"^{compact(str(inverse))} (inverse)"
        return "(complex path)"
    return compact(str(path)) if path is not None else "(the node itself)"


def _requirements(graph: Graph, node: Any) -> list[str]:
    """The constraints of a shape node in short words."""
    said = []
    low, high = graph.value(node, SH.minCount), graph.value(node, SH.maxCount)
    if low is not None and high is not None and int(low) == int(high):
        said.append(f"exactly {int(low)}")
    else:
        if low is not None:
            said.append(f"at least {int(low)}")
        if high is not None:
            said.append(f"at most {int(high)}")
    qualified = graph.value(node, SH.qualifiedMinCount)
    if qualified is not None:
        inner = [
            r
            for shape in graph.objects(node, SH.qualifiedValueShape)
            for p in graph.objects(shape, SH.property)
            for r in _requirements(graph, p) + [_path_text(graph, graph.value(p, SH.path))]
        ]
        said.append(f"at least {int(qualified)} with " + " ".join(reversed(inner)))
    for predicate, words in (
        (SH["class"], "an instance of {}"),
        (SH.datatype, "typed {}"),
        (SH.nodeKind, "a {}"),
        (SH.hasValue, "the value {}"),
    ):
        for value in graph.objects(node, predicate):
            said.append(words.format(compact(str(value)).removeprefix("sh:")))
    for pattern in graph.objects(node, SH.pattern):
        said.append(f"matching /{pattern}/")
    for languages in graph.objects(node, SH.languageIn):
        said.append("language " + " or ".join(str(x) for x in Collection(graph, languages)))
    if graph.value(node, SH.uniqueLang) == Literal(True):
        said.append("one per language")
    for values in graph.objects(node, SH["in"]):
        said.append("one of " + ", ".join(compact(str(x)) for x in Collection(graph, values)))
    for alternatives in graph.objects(node, SH["or"]):
        options = [
            "; ".join(_requirements(graph, a)) or "…" for a in Collection(graph, alternatives)
        ]
        said.append("either " + " or ".join(options))
    for negated in graph.objects(node, SH["not"]):
        said.append("not " + ("; ".join(_requirements(graph, negated)) or "…"))
    for minimum in graph.objects(node, SH.minInclusive):
        said.append(f"at least {minimum}")
    return said
