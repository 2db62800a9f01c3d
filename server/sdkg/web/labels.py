"""Labels, types and kinds of the IRIs a page shows.

A :class:`LabelIndex` reads nothing for the whole store: each IRI's labels and types are
looked up in the store when a page first asks for them (:meth:`LabelIndex.load` fetches
many in one query) and kept for the life of the object, one request
(:func:`sdkg.web.pages.label_index`). A page costs lookups in proportion to the IRIs it
shows, whatever the size of the store. Figures about every entity (the home page's count
of each kind) come from the name index (:mod:`sdkg.names`), which keeps each entity's
types in SQLite; which name is shown first is :func:`sdkg.names.name_rank`, for the
search and the pages alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pyoxigraph as ox

from sdkg.graphstore import GraphStore
from sdkg.names import NAME_PREDICATES, RDFS_LABEL, name_rank
from sdkg.solutions import select
from sdkg.web.terms import ONTOLOGY_NS, PREFIXES, humanize, local_name

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

#: Predicates whose literal values name a thing, best display label first.
LABEL_PREDICATES = NAME_PREDICATES
#: When an entity has several types, the kind shown comes from the first namespace here.
KIND_NAMESPACE_ORDER = tuple(
    PREFIXES[p] for p in ("sdkg", "schema", "foaf", "org", "skos", "prov", "owl", "rdfs")
)
#: IRIs per look-up query (a VALUES block of this many).
BATCH = 500
# A filter, not a second VALUES block: Oxigraph joins two VALUES blocks by reading every
# label of the store (475 ms for 30 IRIs at 1M triples, 4 ms with the filter).
_PREDICATE_LIST = ", ".join(f"<{p}>" for p in LABEL_PREDICATES)


@dataclass(frozen=True)
class Label:
    """One label of a term: its text, language tag ('' if none) and predicate."""

    text: str
    language: str
    predicate: str


class LabelIndex:
    """Labels, types and kinds of IRIs, looked up in ``store`` as they are asked for.

    ``supers`` is the class hierarchy (:func:`sdkg.names.superclasses`), which decides
    an IRI's kind among its types.
    """

    def __init__(self, store: GraphStore, supers: Mapping[str, frozenset[str]]) -> None:
        self._store = store
        self._supers = supers
        self._labels: dict[str, list[Label]] = {}
        self._types: dict[str, list[str]] = {}

    def load(self, iris: Iterable[str]) -> None:
        """Look up the labels and types of every IRI of ``iris`` not looked up yet, in
        a few queries (call it with what a page will show before asking one by one)."""
        wanted = sorted({iri for iri in iris if iri not in self._labels})
        writable = []
        for iri in wanted:
            self._labels[iri], self._types[iri] = [], []
            # An IRI a client sent (/api/labels) goes into a query only if it is one.
            if is_iri(iri):
                writable.append(iri)
        for start in range(0, len(writable), BATCH):
            self._fetch(writable[start : start + BATCH])

    def _fetch(self, iris: list[str]) -> None:
        subjects = " ".join(f"<{iri}>" for iri in iris)
        for row in select(
            self._store,
            f"SELECT DISTINCT ?s ?p ?o WHERE {{ VALUES ?s {{ {subjects} }} ?s ?p ?o "
            f"FILTER(isLiteral(?o) && ?p IN ({_PREDICATE_LIST})) }}",
        ):
            literal = row["o"]
            self._labels[row["s"].value].append(
                Label(literal.value, literal.language or "", row["p"].value)
            )
        for row in select(
            self._store,
            f"SELECT DISTINCT ?s ?t WHERE {{ VALUES ?s {{ {subjects} }} ?s <{RDF_TYPE}> ?t }}",
        ):
            self._types[row["s"].value].append(row["t"].value)

    def labels_of(self, iri: str) -> list[Label]:
        """Every label the store gives ``iri``."""
        if iri not in self._labels:
            self.load([iri])
        return self._labels[iri]

    def types_of(self, iri: str) -> list[str]:
        """The types the store states for ``iri``."""
        if iri not in self._types:
            self.load([iri])
        return self._types[iri]

    def is_known(self, iri: str) -> bool:
        """True when the store labels or types ``iri``."""
        return bool(self.labels_of(iri) or self.types_of(iri))

    def label(self, iri: str) -> str:
        """The display label: English rdfs:label first, then other names, else the local name."""
        candidates = self.labels_of(iri)
        if not candidates:
            return humanize(local_name(iri)) if iri.startswith(ONTOLOGY_NS) else local_name(iri)
        return min(candidates, key=lambda label: name_rank(label.predicate, label.language)).text

    def term_label(self, iri: str) -> str:
        """A label for a vocabulary term (property or class): its rdfs:label or local name."""
        for label in self.labels_of(iri):
            if label.predicate == RDFS_LABEL and label.language in ("en", ""):
                return label.text
        return humanize(local_name(iri))

    def kind_class(self, iri: str) -> str | None:
        """The class that says what ``iri`` is (None when untyped)."""
        types = self.types_of(iri)
        return most_specific(types, self._supers) if types else None

    def kind(self, iri: str) -> str:
        """What kind of thing ``iri`` is, as a readable class label ('' when untyped)."""
        kind_class = self.kind_class(iri)
        return self.term_label(kind_class) if kind_class else ""


def most_specific(types: Iterable[str], supers: Mapping[str, frozenset[str]]) -> str:
    """The type to show: not a superclass of another of the types; our namespace first."""
    listed = list(types)
    specific = [t for t in listed if not any(t in supers.get(other, ()) for other in listed)]

    def rank(iri: str) -> tuple[int, str]:
        for position, namespace in enumerate(KIND_NAMESPACE_ORDER):
            if iri.startswith(namespace):
                return (position, iri)
        return (len(KIND_NAMESPACE_ORDER), iri)

    return min(specific or listed, key=rank)


def is_iri(text: str) -> bool:
    """True when ``text`` is an IRI (and so can be written into a query as ``<text>``)."""
    try:
        ox.NamedNode(text)
    except ValueError:
        return False
    return True


def is_literal(term: object) -> bool:
    """True for a pyoxigraph literal (templates use it)."""
    return isinstance(term, ox.Literal)
