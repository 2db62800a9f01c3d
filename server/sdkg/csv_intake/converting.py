"""Rows -> entities, facts and evidence, reconciled with the graph, traced to their cells."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from rdflib import RDF, RDFS, XSD, BNode, Graph, Literal, Namespace, Node, URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG, OWL, PROV, SKOS

from sdkg import namespaces
from sdkg.csv_intake.reading import ColumnMapping, CsvIntakeError, Table
from sdkg.graphstore import GraphStore
from sdkg.names import folded
from sdkg.reconciliation import (
    PROPERTY_BY_ID,
    Constraint,
    Reconciler,
    Result,
    class_names,
    normalize_identifier,
    type_iri,
)
from sdkg.solutions import select

SDKG = Namespace(namespaces.ONTOLOGY)
ID = Namespace(namespaces.ENTITY)
SCHEMA = Namespace("https://schema.org/")
ORGANIZATION = ORG.Organization
DOCUMENT = FOAF.Document
#: A name this close to an existing one, but not equal, is refused (probably a typo).
NEAR_DUPLICATE = 85.0
_PARTNERSHIP_SHORTCUTS = {
    "joint-research": SDKG.jointResearchPartner,
    "joint-education": SDKG.educationPartner,
}


@dataclass(frozen=True)
class Cell:
    """Where something came from: a spreadsheet row (1 is the header) and a column."""

    row: int
    column: str | None

    def to_json(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column}


@dataclass
class Problem:
    """Something wrong in a cell, found before validation."""

    cell: Cell
    message: str
    value: str | None = None
    severity: str = "Violation"

    def to_json(self) -> dict[str, Any]:
        return {
            **self.cell.to_json(),
            "value": self.value,
            "message": self.message,
            "severity": self.severity,
        }


@dataclass
class RowOutcome:
    """What a row became: the entity it names and whether it is new."""

    row: int
    entity: str | None
    new: bool
    label: str

    def to_json(self) -> dict[str, Any]:
        return {"row": self.row, "entity": self.entity, "new": self.new, "name": self.label}


@dataclass
class Conversion:
    """The graph a CSV file becomes, and where each part came from."""

    graph: Graph
    problems: list[Problem] = field(default_factory=list)
    outcomes: list[RowOutcome] = field(default_factory=list)
    #: (subject, predicate) of each fact, and each node -> the cells it came from.
    facts: dict[tuple[Node, Node], list[Cell]] = field(default_factory=dict)
    nodes: dict[Node, Cell] = field(default_factory=dict)

    def cell_of(self, focus: Node, path: str | None) -> Cell | None:
        """The cell a validation result about ``focus`` (and ``path``) points to."""
        if path is not None:
            cells = self.facts.get((focus, URIRef(path)))
            if cells:
                return cells[0]
        return self.nodes.get(focus)


class _Converter:
    """Converts one file row by row (``row_<template>``), collecting problems in cells."""

    def __init__(
        self, table: Table, mapping: ColumnMapping, reconciler: Reconciler, store: GraphStore
    ) -> None:
        self.table = table
        self.mapping = mapping
        self.reconciler = reconciler
        self.store = store
        self.out = Conversion(Graph(bind_namespaces="none"))
        self.minted: dict[str, URIRef] = {}  # folded name -> new entity in this file
        self.minted_relations: dict[tuple[str, ...], URIRef] = {}  # partnerships, fellowships
        self.taken: set[str] = set(reconciler.names.display) | set(reconciler.names.types)
        missing = [
            role.title
            for role in mapping.template.roles
            if role.required
            and role.name not in mapping.defaults
            and self.column(role.name) not in table.header
        ]
        if missing:
            columns = ", ".join(repr(title) for title in missing)
            raise CsvIntakeError(
                f"the file has no column {columns} ({mapping.template.name} template); "
                "name the columns in the mapping, or give defaults"
            )

    # -- cells

    def column(self, role: str) -> str:
        return self.mapping.columns.get(role) or self.mapping.template.role(role).title

    def value(self, row: dict[str, str], role: str) -> str:
        column = self.column(role)
        return row.get(column, "").strip() or self.mapping.defaults.get(role, "").strip()

    def cell(self, number: int, role: str) -> Cell:
        column = self.column(role)
        return Cell(number, column if column in self.table.header else f"{column} (default)")

    def problem(self, number: int, role: str, message: str, value: str | None = None) -> None:
        self.out.problems.append(Problem(self.cell(number, role), message, value))

    # -- facts

    def add(self, s: Node, p: URIRef, o: Node, cell: Cell) -> None:
        self.out.graph.add((s, p, o))
        self.out.facts.setdefault((s, p), []).append(cell)

    def fact(self, s: URIRef, p: URIRef, o: Node, cell: Cell, doc: URIRef, quote: str) -> None:
        """A fact with its evidence node, both traced to ``cell`` (nothing if the graph
        already states it with evidence from the same document: a row sent twice adds
        nothing the second time)."""
        if self.ask(
            f"{s.n3()} {p.n3()} {o.n3()} . ?e <{RDF.subject}> {s.n3()} ; "
            f"<{RDF.predicate}> {p.n3()} ; <{RDF.object}> {o.n3()} ; <{DCTERMS.source}> {doc.n3()}"
        ):
            self.out.facts.setdefault((s, p), []).append(cell)
            return
        self.add(s, p, o, cell)
        evidence = BNode()
        self.out.nodes[evidence] = cell
        for ep, eo in (
            (RDF.type, SDKG.Evidence),
            (RDF.subject, s),
            (RDF.predicate, p),
            (RDF.object, o),
            (DCTERMS.source, doc),
            (PROV.value, Literal(quote, lang="en")),
        ):
            self.add(evidence, ep, eo, cell)

    # -- finding things

    def ask(self, pattern: str) -> bool:
        return bool(self.store.query(f"ASK {{ {pattern} }}"))

    def existing(self, pattern: str) -> URIRef | None:
        """The first existing node ``?x`` matching ``pattern``."""
        for row in select(self.store, f"SELECT ?x WHERE {{ {pattern} }} ORDER BY ?x LIMIT 1"):
            return URIRef(row["x"].value)
        return None

    def resolve(
        self,
        number: int,
        role: str,
        text: str,
        kind: str,
        constraints: Iterable[Constraint] = (),
    ) -> URIRef | None:
        """The existing entity ``text`` names (an id, an IRI or a name), or a problem."""
        by_id = _entity_by_id(text, self.reconciler)
        if by_id is not None:
            return by_id
        if folded(text) in self.minted:
            return self.minted[folded(text)]
        found, candidates = identify(self.reconciler, text, kind, constraints)
        if found is not None:
            return URIRef(found)
        self.problem(number, role, _not_found(text, kind, candidates), text)
        return None

    def new_slug(self, name: str, fallback: str) -> str:
        base = slugify(name) or slugify(fallback) or "entity"
        slug, n = base, 2
        while namespaces.ENTITY + slug in self.taken:
            slug, n = f"{base}-{n}", n + 1
        self.taken.add(namespaces.ENTITY + slug)
        return slug

    def source(self, number: int, row: dict[str, str]) -> tuple[URIRef, str] | None:
        doc_text, quote = self.value(row, "source"), self.value(row, "quote")
        if not doc_text:
            self.problem(number, "source", "no source: name the document that states this row")
        if not quote:
            self.problem(number, "quote", "no quote: copy the words of the source that say it")
        if not doc_text or not quote:
            return None
        doc = self.resolve(number, "source", doc_text, str(DOCUMENT))
        return (doc, quote) if doc is not None else None

    # -- templates

    def run(self) -> Conversion:
        convert_row = getattr(self, "row_" + self.mapping.template.name)
        for number, row in enumerate(self.table.rows, 2):
            convert_row(number, row)
        self.drop_known_triples()
        return self.out

    def drop_known_triples(self, batch: int = 200) -> None:
        """Leave out what the graph already states (a name that found its entity, a
        source it already cites): a contribution holds only what is new."""
        ground = [t for t in self.out.graph if not any(isinstance(x, BNode) for x in t)]
        for start in range(0, len(ground), batch):
            chunk = ground[start : start + batch]
            values = " ".join(f"({s.n3()} {p.n3()} {o.n3()})" for s, p, o in chunk)
            query = f"SELECT ?s ?p ?o WHERE {{ VALUES (?s ?p ?o) {{ {values} }} ?s ?p ?o }}"
            for row in select(self.store, query):
                known = (URIRef(row["s"].value), URIRef(row["p"].value))
                for triple in chunk:
                    if triple[:2] == known and _same_term(triple[2], row["o"]):
                        self.out.graph.remove(triple)

    def row_organizations(self, number: int, row: dict[str, str]) -> None:
        name = self.value(row, "name")
        if not name:
            self.problem(number, "name", "no name: every row needs the organization's name")
            return
        sourced = self.source(number, row)
        constraints = [
            Constraint(PROPERTY_BY_ID[role], [self.value(row, role)])
            for role in ("country", "acronym", "ror", "wikidata")
            if self.value(row, role)
        ]
        explicit = self.value(row, "id")
        entity: URIRef | None
        if explicit:
            entity = _entity_by_id(explicit, self.reconciler)
            new = entity is None
            if new and not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", explicit):
                self.problem(number, "id", "a new id is lowercase words joined by '-'", explicit)
                return
            entity = entity or ID[explicit]
            self.taken.add(str(entity))
        else:
            found, candidates = identify(self.reconciler, name, str(ORGANIZATION), constraints)
            close = [c for c in candidates if c.score >= NEAR_DUPLICATE and not c.exact]
            if found is None and folded(name) in self.minted:
                found = str(self.minted[folded(name)])
            if found is None and close:
                best = close[0]
                self.problem(
                    number,
                    "name",
                    f"close to the existing {_slug(best.iri)} “{best.name}” but not the same: "
                    f"write its exact name or put {_slug(best.iri)} in the "
                    f"{self.column('id')!r} column to add to it, or a new id there to create "
                    "another organization",
                    name,
                )
                return
            new = found is None
            entity = URIRef(found) if found else ID[self.new_slug(name, self.value(row, "acronym"))]
        self.out.nodes.setdefault(entity, self.cell(number, "name"))
        self.out.outcomes.append(RowOutcome(number, str(entity), new, name))
        if sourced is None:
            return
        doc, quote = sourced
        name_cell = self.cell(number, "name")
        if new:
            self.minted[folded(name)] = entity
            kind_text = self.value(row, "kind")
            kind = self.kind(number, kind_text) if kind_text else ORGANIZATION
            if kind is None:
                return
            self.add(entity, RDF.type, kind, self.cell(number, "kind"))
            self.add(entity, RDFS.label, Literal(name, lang="en"), name_cell)
            self.add(entity, SKOS.prefLabel, Literal(name, lang="en"), name_cell)
        self.add(entity, DCTERMS.source, doc, name_cell)
        self.organization_facts(number, row, entity, doc, quote)

    def organization_facts(
        self, number: int, row: dict[str, str], entity: URIRef, doc: URIRef, quote: str
    ) -> None:
        def put(role: str, predicate: URIRef, obj: Node) -> None:
            self.fact(entity, predicate, obj, self.cell(number, role), doc, quote)

        acronym = self.value(row, "acronym")
        if acronym:
            put("acronym", SDKG.acronym, Literal(acronym))
        chinese = self.value(row, "chinese_name")
        if chinese:
            put("chinese_name", SKOS.prefLabel, Literal(chinese, lang="zh-Hans"))
        founded = self.value(row, "founded")
        if founded:
            if re.fullmatch(r"\d{4}", founded):
                put("founded", SCHEMA.foundingDate, Literal(founded, datatype=XSD.gYear))
            else:
                self.problem(number, "founded", "write the founding year as four digits", founded)
        parent_text = self.value(row, "parent")
        if parent_text:
            parent = self.resolve(number, "parent", parent_text, str(ORGANIZATION))
            if parent is not None:
                put("parent", ORG.subOrganizationOf, parent)
        city_text = self.value(row, "city")
        if city_text:
            city = self.city(number, row, city_text, doc)
            if city is not None:
                put("city", SCHEMA.location, city)
        for role in ("ror", "wikidata"):
            text = self.value(row, role)
            if not text:
                continue
            canonical = normalize_identifier(role, text)
            if canonical is None:
                example = "https://ror.org/00twbd828" if role == "ror" else "Q337352"
                self.problem(number, role, f"not a {role} identifier (e.g. {example})", text)
                continue
            self.add(entity, OWL.sameAs, URIRef(canonical), self.cell(number, role))

    def kind(self, number: int, text: str) -> URIRef | None:
        """The organization class a Kind cell names (a class name or a CURIE)."""
        classes = class_names(self.reconciler.names)
        iri = type_iri(text)
        if iri in classes.display:
            found = iri
        else:
            exact = [c for c in classes.search(text, limit=5) if c.exact or c.score >= 95]
            found = exact[0].iri if exact else ""
        supers = self.reconciler.names.supers.get(found, frozenset())
        if found == str(ORGANIZATION) or str(ORGANIZATION) in supers:
            return URIRef(found)
        kinds = sorted(
            classes.display[c]
            for c in classes.display
            if str(ORGANIZATION) in self.reconciler.names.supers.get(c, ())
        )
        self.problem(
            number, "kind", f"not a kind of organization; use one of: {', '.join(kinds)}", text
        )
        return None

    def city(self, number: int, row: dict[str, str], text: str, doc: URIRef) -> URIRef | None:
        country_text = self.value(row, "country")
        hint = [Constraint(PROPERTY_BY_ID["country"], [country_text])] if country_text else []
        by_id = _entity_by_id(text, self.reconciler)
        if by_id is not None:
            return by_id
        if folded(text) in self.minted:
            return self.minted[folded(text)]
        found, candidates = identify(self.reconciler, text, str(SCHEMA.City), hint)
        if found is not None:
            return URIRef(found)
        if not country_text:
            self.problem(number, "city", _not_found(text, str(SCHEMA.City), candidates)
                         + "; or give its country to add it", text)  # fmt: skip
            return None
        country = self.resolve(number, "country", country_text, str(SCHEMA.Country))
        if country is None:
            return None
        city = ID[self.new_slug(text, "city")]
        self.minted[folded(text)] = city
        cell = self.cell(number, "city")
        self.out.nodes[city] = cell
        self.add(city, RDF.type, SCHEMA.City, cell)
        self.add(city, RDFS.label, Literal(text, lang="en"), cell)
        self.add(city, SCHEMA.containedInPlace, country, self.cell(number, "country"))
        self.add(city, DCTERMS.source, doc, cell)
        return city

    def row_partnerships(self, number: int, row: dict[str, str]) -> None:
        sourced = self.source(number, row)
        partners = []
        for role in ("partner", "other_partner"):
            text = self.value(row, role)
            if not text:
                self.problem(number, role, "no partner: name both organizations")
                continue
            partners.append(self.resolve(number, role, text, str(ORGANIZATION)))
        kinds = []
        for text in re.split(r"[;,]", self.value(row, "kind")):
            if not text.strip():
                continue
            kind = self._partnership_kind(text.strip())
            if kind is None:
                self.problem(number, "kind", "use joint research and/or joint education", text)
            kinds.append(kind)
        if not kinds:
            self.problem(number, "kind", "no kind: joint research and/or joint education")
        start = self.value(row, "start_date")
        if start and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", start):
            self.problem(number, "start_date", "write the start date as YYYY-MM-DD", start)
        if sourced is None or len(partners) != 2 or None in partners or None in kinds or not kinds:
            self.out.outcomes.append(RowOutcome(number, None, False, self.value(row, "partner")))
            return
        doc, quote = sourced
        first, second = partners[0], partners[1]
        assert first is not None and second is not None
        known_kinds = [kind for kind in kinds if kind is not None]  # all, as checked above
        names = self.reconciler.names.display
        cell = self.cell(number, "partner")
        self.out.nodes.setdefault(first, cell)
        self.out.nodes.setdefault(second, self.cell(number, "other_partner"))
        key = ("partnership", *sorted((str(first), str(second))))
        node = self.minted_relations.get(key) or self.existing(
            f"?x a <{SDKG.Partnership}> ; <{SDKG.partner}> {first.n3()} , {second.n3()}"
        )
        label = f"{names.get(str(first), _slug(str(first)))} partnership with " + names.get(
            str(second), _slug(str(second))
        )
        self.out.outcomes.append(RowOutcome(number, str(node or ""), node is None, label))
        if node is None:
            node = ID[self.new_slug(f"{_slug(first)} {_slug(second)} partnership", "partnership")]
            self.minted_relations[key] = node
            self.out.outcomes[-1].entity = str(node)
            self.add(node, RDF.type, SDKG.Partnership, cell)
            self.add(node, RDFS.label, Literal(label, lang="en"), cell)
            self.fact(node, SDKG.partner, first, cell, doc, quote)
            self.fact(node, SDKG.partner, second, self.cell(number, "other_partner"), doc, quote)
        self.out.nodes[node] = cell
        for kind in known_kinds:
            self.fact(node, SDKG.partnershipKind, kind, self.cell(number, "kind"), doc, quote)
            shortcut = _PARTNERSHIP_SHORTCUTS[_slug(str(kind))]
            self.fact(first, shortcut, second, self.cell(number, "kind"), doc, quote)
        if start:
            date = Literal(start, datatype=XSD.date)
            self.fact(node, SCHEMA.startDate, date, self.cell(number, "start_date"), doc, quote)
        self.add(node, DCTERMS.source, doc, cell)

    def _partnership_kind(self, text: str) -> URIRef | None:
        for slug in _PARTNERSHIP_SHORTCUTS:
            iri = namespaces.ENTITY + slug
            names = {folded(n.text) for n in self.reconciler.names.names_of(iri)} | {
                folded(slug.replace("-", " "))
            }
            if folded(text) in names:
                return URIRef(iri)
        return None

    def row_fellowships(self, number: int, row: dict[str, str]) -> None:
        sourced = self.source(number, row)
        fellow_name = self.value(row, "fellow")
        if not fellow_name:
            self.problem(number, "fellow", "no fellow: name the person")
        host = programme = None
        if self.value(row, "host"):
            host = self.resolve(number, "host", self.value(row, "host"), str(ORGANIZATION))
        else:
            self.problem(number, "host", "no host: name the host organization")
        if self.value(row, "programme"):
            programme = self.resolve(
                number, "programme", self.value(row, "programme"), str(SDKG.FellowshipProgramme)
            )
        else:
            self.problem(number, "programme", "no programme: name the fellowship programme")
        if not fellow_name or host is None or programme is None or sourced is None:
            self.out.outcomes.append(RowOutcome(number, None, False, fellow_name))
            return
        doc, quote = sourced
        person_cell = self.cell(number, "fellow")
        found = _entity_by_id(fellow_name, self.reconciler)
        if found is None and folded(fellow_name) in self.minted:
            found = self.minted[folded(fellow_name)]
        if found is None:
            iri, _ = identify(self.reconciler, fellow_name, str(FOAF.Person))
            found = URIRef(iri) if iri else None
        person = found or ID[self.new_slug(fellow_name, "person")]
        if found is None:
            self.minted[folded(fellow_name)] = person
            self.add(person, RDF.type, FOAF.Person, person_cell)
            self.add(person, RDFS.label, Literal(fellow_name, lang="en"), person_cell)
            self.add(person, FOAF.name, Literal(fellow_name), person_cell)
            self.add(person, DCTERMS.source, doc, person_cell)
            self.out.nodes[person] = person_cell
        self.out.nodes.setdefault(person, person_cell)
        self.out.outcomes.append(RowOutcome(number, str(person), found is None, fellow_name))
        key = ("fellowship", str(person), str(host), str(programme))
        node = self.minted_relations.get(key) or self.existing(
            f"?x a <{SDKG.Fellowship}> ; <{ORG.member}> {person.n3()} ; "
            f"<{ORG.organization}> {host.n3()} ; <{SDKG.programme}> {programme.n3()}"
        )
        if node is None:
            node = ID[self.new_slug(f"{_slug(person)} fellowship", "fellowship")]
            self.minted_relations[key] = node
            label = Literal(f"Fellowship of {fellow_name}", lang="en")
            self.add(node, RDF.type, SDKG.Fellowship, person_cell)
            self.add(node, RDFS.label, label, person_cell)
            self.add(node, ORG.member, person, person_cell)
            self.add(node, ORG.organization, host, self.cell(number, "host"))
            self.add(node, SDKG.programme, programme, self.cell(number, "programme"))
            self.add(node, DCTERMS.source, doc, person_cell)
        self.out.nodes.setdefault(node, person_cell)
        self.fact(person, SDKG.fellowOf, programme, self.cell(number, "programme"), doc, quote)
        self.fact(person, SCHEMA.affiliation, host, self.cell(number, "host"), doc, quote)


def convert(
    table: Table, mapping: ColumnMapping, reconciler: Reconciler, store: GraphStore
) -> Conversion:
    """The entities, facts and evidence the rows of ``table`` state, reconciled with the
    graph of ``store`` (whose names ``reconciler`` knows). Problems in cells are
    collected, not raised."""
    return _Converter(table, mapping, reconciler, store).run()


def identify(
    reconciler: Reconciler,
    text: str,
    kind: str,
    constraints: Iterable[Constraint] = (),
) -> tuple[str | None, list[Result]]:
    """The one existing entity of class ``kind`` that ``text`` names, and the candidates.

    The reconciliation service's ``match`` decides; failing that, a single candidate whose
    name equals ``text`` and that no property contradicts (a spreadsheet naming "Chinese
    Academy of Sciences" means ``id:cas``: creating a second one is the worse mistake).
    """
    results = reconciler.reconcile(text, types=[kind], constraints=constraints, limit=5)
    sure = [r for r in results if r.match]
    if sure:
        return sure[0].iri, results
    exact = [r for r in results if r.exact and False not in r.features.values()]
    if len(exact) == 1:
        return exact[0].iri, results
    return None, results


def _same_term(term: Node, found: Any) -> bool:
    """An rdflib term and a pyoxigraph term are the same RDF term."""
    if isinstance(term, URIRef):
        return str(term) == getattr(found, "value", None) and not hasattr(found, "datatype")
    if isinstance(term, Literal) and hasattr(found, "datatype"):
        language = found.language or None
        if language is not None:
            return str(term) == found.value and term.language == language
        datatype = str(term.datatype) if term.datatype else str(XSD.string)
        return str(term) == found.value and datatype == found.datatype.value
    return False


def _entity_by_id(text: str, reconciler: Reconciler) -> URIRef | None:
    """The entity ``text`` names by id (``cas``, ``id:cas`` or its IRI), if it exists."""
    text = text.strip()
    slug = text[3:] if text.startswith("id:") else text
    iri = slug if slug.startswith(namespaces.ENTITY) else namespaces.ENTITY + slug
    if " " in slug or iri not in reconciler.names.types:
        return None
    return URIRef(iri)


def _not_found(text: str, kind: str, candidates: list[Result]) -> str:
    what = re.split(r"[#/]", kind)[-1]
    if candidates:
        named = "; ".join(f"{_slug(c.iri)} “{c.name}”" for c in candidates[:3])
        return f"no single {what} called “{text}” in the graph; did you mean {named}? Write its id"
    return f"no {what} called “{text}” in the graph: add it first, or write its id"


def _slug(iri: str | URIRef) -> str:
    iri = str(iri)
    return iri[len(namespaces.ENTITY) :] if iri.startswith(namespaces.ENTITY) else iri


def slugify(text: str) -> str:
    """A new entity's slug from its name: ASCII lowercase words joined by '-'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    return "-".join(w for w in words if w not in ("the",))[:60].strip("-")
