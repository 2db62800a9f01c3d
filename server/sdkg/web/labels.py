"""Labels and kinds of every IRI in the store.

A :class:`LabelIndex` is built with a few SPARQL queries and kept per store generation
(see :func:`sdkg.web.cached`), so pages look labels up in a dict: no query per label.
Search by name is :mod:`sdkg.names`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from sdkg.graphstore import GraphStore
from sdkg.names import NAME_PREDICATES, RDFS_LABEL
from sdkg.solutions import select
from sdkg.web.terms import ONTOLOGY_NS, PREFIXES, humanize, local_name

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

#: Predicates whose literal values name a thing, best display label first.
LABEL_PREDICATES = NAME_PREDICATES
#: When an entity has several types, the kind shown comes from the first namespace here.
KIND_NAMESPACE_ORDER = tuple(
    PREFIXES[p] for p in ("sdkg", "schema", "foaf", "org", "skos", "prov", "owl", "rdfs")
)


@dataclass(frozen=True)
class Label:
    """One label of a term: its text, language tag ('' if none) and predicate."""

    text: str
    language: str
    predicate: str


@dataclass
class LabelIndex:
    """Labels, types and kinds of the store's IRIs."""

    labels: dict[str, list[Label]] = field(default_factory=dict)
    types: dict[str, list[str]] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)

    def label(self, iri: str) -> str:
        """The display label: English rdfs:label first, then other names, else the local name."""
        candidates = self.labels.get(iri)
        if not candidates:
            return humanize(local_name(iri)) if iri.startswith(ONTOLOGY_NS) else local_name(iri)

        def rank(label: Label) -> tuple[int, int]:
            language = 0 if label.language == "en" else 1 if label.language == "" else 2
            return (LABEL_PREDICATES.index(label.predicate), language)

        return min(candidates, key=rank).text

    def term_label(self, iri: str) -> str:
        """A label for a vocabulary term (property or class): its rdfs:label or local name."""
        for label in self.labels.get(iri, []):
            if label.predicate == RDFS_LABEL and label.language in ("en", ""):
                return label.text
        return humanize(local_name(iri))

    def kind(self, iri: str) -> str:
        """What kind of thing ``iri`` is, as a readable class label ('' when untyped)."""
        kind_class = self.kinds.get(iri)
        return self.term_label(kind_class) if kind_class else ""


def build_label_index(store: GraphStore) -> LabelIndex:
    """Read labels, types and the class hierarchy from ``store`` into a :class:`LabelIndex`."""
    index = LabelIndex()
    values = " ".join(f"<{p}>" for p in LABEL_PREDICATES)
    labels: dict[str, list[Label]] = defaultdict(list)
    for row in select(
        store,
        f"SELECT DISTINCT ?s ?p ?o WHERE {{ VALUES ?p {{ {values} }} ?s ?p ?o "
        "FILTER(isIRI(?s) && isLiteral(?o)) }",
    ):
        literal = row["o"]
        labels[row["s"].value].append(Label(literal.value, literal.language or "", row["p"].value))
    index.labels = dict(labels)

    types: dict[str, list[str]] = defaultdict(list)
    for row in select(
        store, f"SELECT DISTINCT ?s ?t WHERE {{ ?s <{RDF_TYPE}> ?t FILTER(isIRI(?s)) }}"
    ):
        types[row["s"].value].append(row["t"].value)
    index.types = dict(types)
    supers: dict[str, set[str]] = defaultdict(set)
    for row in select(
        store,
        "SELECT DISTINCT ?c ?super WHERE { "
        "?c <http://www.w3.org/2000/01/rdf-schema#subClassOf>+ ?super FILTER(isIRI(?super)) }",
    ):
        supers[row["c"].value].add(row["super"].value)
    index.kinds = {iri: _most_specific(found, supers) for iri, found in types.items()}

    return index


def _most_specific(types: list[str], supers: dict[str, set[str]]) -> str:
    """The type to show: not a superclass of another of the types; our namespace first."""
    specific = [t for t in types if not any(t in supers.get(other, ()) for other in types)]

    def rank(iri: str) -> tuple[int, str]:
        for position, namespace in enumerate(KIND_NAMESPACE_ORDER):
            if iri.startswith(namespace):
                return (position, iri)
        return (len(KIND_NAMESPACE_ORDER), iri)

    return min(specific or types, key=rank)


def is_literal(term: object) -> bool:
    """True for a pyoxigraph literal (templates use it)."""
    return isinstance(term, ox.Literal)
