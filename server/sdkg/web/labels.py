"""Labels and kinds of every IRI in the store, and label search over them.

A :class:`LabelIndex` is built with a few SPARQL queries and kept per store generation
(see :func:`sdkg.web.cached`), so pages look labels up in a dict and search runs in
Python over pre-normalized strings: no query per keystroke, accents and case ignored.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from sdkg.store import GraphStore
from sdkg.web.terms import ENTITY_NS, ONTOLOGY_NS, PREFIXES, humanize, local_name, page_url

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS_PREF = "http://www.w3.org/2004/02/skos/core#prefLabel"
SKOS_ALT = "http://www.w3.org/2004/02/skos/core#altLabel"
ACRONYM = ONTOLOGY_NS + "acronym"

#: Predicates whose literal values name a thing, best display label first.
LABEL_PREDICATES = (
    RDFS_LABEL,
    SKOS_PREF,
    "http://xmlns.com/foaf/0.1/name",
    "https://schema.org/name",
    "http://purl.org/dc/terms/title",
    SKOS_ALT,
    ACRONYM,
    "https://schema.org/alternateName",
    ONTOLOGY_NS + "nickname",
    "http://www.w3.org/2004/02/skos/core#notation",
)
#: When an entity has several types, the kind shown comes from the first namespace here.
KIND_NAMESPACE_ORDER = tuple(
    PREFIXES[p] for p in ("sdkg", "schema", "foaf", "org", "skos", "prov", "owl", "rdfs")
)
SAME_AS = "http://www.w3.org/2002/07/owl#sameAs"


def normalize(text: str) -> str:
    """Fold a label for matching: NFKD, marks stripped, case-folded, punctuation as spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    kept = []
    for char in decomposed:
        category = unicodedata.category(char)
        if category.startswith("M"):
            continue  # combining accents: "é" matches "e"
        kept.append(" " if category[0] in "PSZC" else char)
    return " ".join("".join(kept).casefold().split())


@dataclass(frozen=True)
class Label:
    """One label of a term: its text, language tag ('' if none) and predicate."""

    text: str
    language: str
    predicate: str


@dataclass(frozen=True)
class Hit:
    """A search result."""

    iri: str
    url: str
    label: str  # the entity's display label
    matched: str  # the label that matched the query
    kind: str
    score: int

    def to_json(self) -> dict[str, str]:
        """The JSON form of a hit: iri, page url, label, kind (and the label that matched)."""
        return {
            "iri": self.iri,
            "url": self.url,
            "label": self.label,
            "kind": self.kind,
            "matched": self.matched,
        }


@dataclass
class LabelIndex:
    """Labels, types and kinds of the store's IRIs, and a search over our entities' labels."""

    labels: dict[str, list[Label]] = field(default_factory=dict)
    types: dict[str, list[str]] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)
    #: (normalized label, iri, label text) for every searchable label.
    rows: list[tuple[str, str, str]] = field(default_factory=list)

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

    def search(self, query: str, limit: int = 100) -> list[Hit]:
        """Entities whose labels contain every word of ``query`` (accent/case-insensitive).

        Ranked: exact label, label prefix, word prefix, anywhere; then shorter labels.
        """
        wanted = normalize(query)
        if not wanted:
            return []
        words = wanted.split()
        best: dict[str, tuple[int, str]] = {}
        for folded, iri, text in self.rows:
            if not all(word in folded for word in words):
                continue
            if folded == wanted:
                score = 0
            elif folded.startswith(wanted):
                score = 1
            elif f" {wanted}" in f" {folded}":
                score = 2
            else:
                score = 3
            if iri not in best or (score, len(text)) < (best[iri][0], len(best[iri][1])):
                best[iri] = (score, text)
        hits = [
            Hit(iri, page_url(iri) or iri, self.label(iri), text, self.kind(iri), score)
            for iri, (score, text) in best.items()
        ]
        hits.sort(key=lambda h: (h.score, len(h.label), h.label.casefold()))
        return hits[:limit]

    def suggest(self, text: str, limit: int = 8) -> list[Hit]:
        """Search hits for ``text``, or else the entities with the most similar labels
        (for a mistyped name, e.g. on a 404 page)."""
        hits = self.search(text, limit)
        if hits:
            return hits
        wanted = normalize(text)
        by_label: dict[str, str] = {}
        for folded, iri, _ in self.rows:
            by_label.setdefault(folded, iri)
        close = difflib.get_close_matches(wanted, list(by_label), n=limit * 2, cutoff=0.6)
        found = list(dict.fromkeys(by_label[label] for label in close))[:limit]
        return [
            Hit(iri, page_url(iri) or iri, self.label(iri), self.label(iri), self.kind(iri), 4)
            for iri in found
        ]


def build_label_index(store: GraphStore) -> LabelIndex:
    """Read labels, types and the class hierarchy from ``store`` into a :class:`LabelIndex`."""
    index = LabelIndex()
    values = " ".join(f"<{p}>" for p in LABEL_PREDICATES)
    labels: dict[str, list[Label]] = defaultdict(list)
    for row in store.query(
        f"SELECT DISTINCT ?s ?p ?o WHERE {{ VALUES ?p {{ {values} }} ?s ?p ?o "
        "FILTER(isIRI(?s) && isLiteral(?o)) }"
    ):
        literal = row["o"]
        labels[row["s"].value].append(Label(literal.value, literal.language or "", row["p"].value))
    index.labels = dict(labels)

    types: dict[str, list[str]] = defaultdict(list)
    for row in store.query(
        f"SELECT DISTINCT ?s ?t WHERE {{ ?s <{RDF_TYPE}> ?t FILTER(isIRI(?s)) }}"
    ):
        types[row["s"].value].append(row["t"].value)
    index.types = dict(types)
    supers: dict[str, set[str]] = defaultdict(set)
    for row in store.query(
        "SELECT DISTINCT ?c ?super WHERE { "
        "?c <http://www.w3.org/2000/01/rdf-schema#subClassOf>+ ?super FILTER(isIRI(?super)) }"
    ):
        supers[row["c"].value].add(row["super"].value)
    index.kinds = {iri: _most_specific(found, supers) for iri, found in types.items()}

    searchable: dict[str, list[Label]] = defaultdict(list)
    for iri, found in index.labels.items():
        if iri.startswith((ENTITY_NS, ONTOLOGY_NS)):
            searchable[iri].extend(found)
    # Names that an external record gives one of our entities (a ROR alias, say) find it too.
    for row in store.query(
        f"SELECT DISTINCT ?s ?ext WHERE {{ ?s <{SAME_AS}> ?ext "
        f'FILTER(isIRI(?ext) && STRSTARTS(STR(?s), "{ENTITY_NS}")) }}'
    ):
        searchable[row["s"].value].extend(index.labels.get(row["ext"].value, []))
    index.rows = [
        (normalize(label.text), iri, label.text)
        for iri, found in searchable.items()
        for label in dict.fromkeys(found)
    ]
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
