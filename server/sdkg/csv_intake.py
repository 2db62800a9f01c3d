"""Spreadsheet contributions: CSV rows -> entities, facts and evidence, reconciled with the graph.

A contributor sends a CSV file and a *mapping* that says which column plays which role
(the name, the kind, the parent, the country, the source document, the quote, ...) for
one of three *templates*:

- ``organizations``: one organization per row (new, or facts added to an existing one);
- ``partnerships``: two organizations and the kind of their partnership per row;
- ``fellowships``: a fellow, the host organization and the fellowship programme per row.

The mapping is a small JSON document (documented in ``docs/spreadsheets.md``)::

    {"template": "organizations",
     "columns": {"name": "Institution", "country": "Country", "quote": "Evidence"},
     "defaults": {"source": "cas-twas-science-diplomacy-essay"}}

``columns`` maps roles to column titles (a role left out is looked for under its
template title, e.g. ``Name``); ``defaults`` gives values for roles no column holds. A
CSVW metadata document (``tableSchema.columns`` with ``titles`` and ``propertyUrl``)
is read the same way, its ``propertyUrl`` naming the role (see :data:`CSVW_PROPERTIES`).

Every name in a row is looked up with :class:`sdkg.reconciliation.Reconciler`, the same
rule the reconciliation service uses: a row naming "Chinese Academy of Sciences" adds to
``id:cas``; a name that is only *close* to an existing one is refused with the candidate
named, so that a typo never creates a near-duplicate (write the exact name, or its id in
the ``id`` column, or a new id there to create a new entity on purpose).

Each fact a row states gets an evidence node (``sdkg:Evidence`` with ``rdf:subject``,
``rdf:predicate``, ``rdf:object``, ``dcterms:source`` the document and ``prov:value``
the quote), as in ``data/sources.ttl``. :func:`convert` returns the graph and, for every
node and fact, the row and column it came from, so that the contribution gate's report
(:func:`locate_results`) points to cells, not triples.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from rdflib import RDF, RDFS, XSD, BNode, Graph, Literal, Namespace, Node, URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG, OWL, PROV, SKOS

from sdkg import namespaces
from sdkg.names import folded
from sdkg.reconciliation import (
    PROPERTY_BY_ID,
    Constraint,
    Reconciler,
    Result,
    normalize_identifier,
    type_iri,
)
from sdkg.store import GraphStore

SDKG = Namespace(namespaces.ONTOLOGY)
ID = Namespace(namespaces.ENTITY)
SCHEMA = Namespace("https://schema.org/")
ORGANIZATION = ORG.Organization
DOCUMENT = FOAF.Document
#: Most rows in one file (each row is looked up in the graph; split larger files).
MAX_ROWS = 2000
#: A name this close to an existing one, but not equal, is refused (probably a typo).
NEAR_DUPLICATE = 85.0


class CsvIntakeError(ValueError):
    """The file or the mapping cannot be read at all (not a row's problem)."""


@dataclass(frozen=True)
class Role:
    """A column's job in a template."""

    name: str
    title: str  # the column title in the template spreadsheet
    help: str
    required: bool = False


@dataclass(frozen=True)
class Template:
    """A kind of spreadsheet contribution: its roles and an example row."""

    name: str
    description: str
    roles: tuple[Role, ...]
    example: tuple[str, ...]

    def role(self, name: str) -> Role:
        return next(r for r in self.roles if r.name == name)


_SOURCE = Role(
    "source",
    "Source",
    "the document that states the row's facts: its name or id in the graph "
    "(e.g. cas-twas-science-diplomacy-essay)",
    required=True,
)
_QUOTE = Role("quote", "Quote", "the exact words of the source that state the facts", True)
_ID = Role("id", "Id", "optional: the id of an existing entity, or a new id to create one")

ESSAY_QUOTE_TWAS = (
    "Whereas, The World Academy of Sciences (TWAS) is merit-based science academy located on "
    "the premises of the Abdus Salam International Center for Theoretical Physics (ICTP), "
    "connecting more than 1,000 scientists in some 70 countries."
)
TEMPLATES = {
    "organizations": Template(
        "organizations",
        "One organization per row: a new one, or facts about one the graph has.",
        (
            Role("name", "Name", "the organization's name (English)", required=True),
            _ID,
            Role("kind", "Kind", "what it is: university, research institute, national academy…"),
            Role("acronym", "Acronym", "its acronym, e.g. TWAS"),
            Role("chinese_name", "Chinese name", "its official Chinese name, if it has one"),
            Role("parent", "Parent", "the organization it is part of (name or id)"),
            Role("city", "City", "the city it is in"),
            Role("country", "Country", "the country it is in (also tells namesakes apart)"),
            Role("founded", "Founded", "the year it was founded, e.g. 1983"),
            Role("ror", "ROR", "its ROR id, e.g. https://ror.org/00twbd828 (verified only)"),
            Role("wikidata", "Wikidata", "its Wikidata item, e.g. Q337352 (verified only)"),
            _SOURCE,
            _QUOTE,
        ),
        (
            "The World Academy of Sciences",
            "",
            "international academy",
            "TWAS",
            "",
            "",
            "",
            "Italy",
            "",
            "",
            "",
            "CAS TWAS Science Diplomacy",
            ESSAY_QUOTE_TWAS,
        ),
    ),
    "partnerships": Template(
        "partnerships",
        "One partnership per row between two organizations the graph has.",
        (
            Role("partner", "Partner", "the first partner (name or id)", required=True),
            Role("other_partner", "Other partner", "the second partner", required=True),
            Role(
                "kind",
                "Kind",
                "joint research, joint education, or both separated by ';'",
                required=True,
            ),
            Role("start_date", "Start date", "optional: when it began, as YYYY-MM-DD"),
            _SOURCE,
            _QUOTE,
        ),
        (
            "USTC",
            "Stanford University",
            "joint research; joint education",
            "",
            "CAS TWAS Science Diplomacy",
            "It is engage in joint research and educational activities with internationally "
            "acclaimed organizations such as the European Organization for Nuclear Research "
            "(CERN), International Thermonuclear Experimental Reactor (ITER), the Max Planck "
            "Society, Oxford University, Heidelberg University, Stanford University, MIT, "
            "Berkeley, and Yale University, etc.",
        ),
    ),
    "fellowships": Template(
        "fellowships",
        "One fellowship per row: a fellow (new or known), the host and the programme.",
        (
            Role("fellow", "Fellow", "the fellow's name", required=True),
            Role("host", "Host", "the host organization (name or id)", required=True),
            Role("programme", "Programme", "the fellowship programme (name or id)", True),
            _SOURCE,
            _QUOTE,
        ),
        (
            "Mirza A.A. Baig",
            "USTC",
            "CAS-TWAS President's Fellowship",
            "CAS TWAS Science Diplomacy",
            "About the Author: Mirza A.A. Baig is CAS-TWAS President’s Fellow at USTC.",
        ),
    ),
}
#: CSVW ``propertyUrl`` values (compact or full) -> roles, for CSVW metadata mappings.
CSVW_PROPERTIES = {
    "rdfs:label": "name",
    "sdkg:acronym": "acronym",
    "rdf:type": "kind",
    "org:subOrganizationOf": "parent",
    "schema:location": "city",
    "schema:addressCountry": "country",
    "schema:foundingDate": "founded",
    "dcterms:source": "source",
    "prov:value": "quote",
    "org:hasMember": "partner",
    "sdkg:partnershipKind": "kind",
    "schema:startDate": "start_date",
    "org:member": "fellow",
    "org:organization": "host",
    "sdkg:programme": "programme",
}
_PARTNERSHIP_SHORTCUTS = {
    "joint-research": SDKG.jointResearchPartner,
    "joint-education": SDKG.educationPartner,
}


# --------------------------------------------------------------------------- mapping


@dataclass
class ColumnMapping:
    """Which column plays which role, and default values for roles without a column."""

    template: Template
    columns: dict[str, str]
    defaults: dict[str, str] = field(default_factory=dict)


def read_mapping(text: str | bytes | None, template: str | None = None) -> ColumnMapping:
    """A mapping from its JSON (ours or CSVW metadata), or a template's own column titles.

    Raises :class:`CsvIntakeError` saying what to fix.
    """
    document: dict[str, Any] = {}
    if text:
        try:
            document = json.loads(text)
        except (ValueError, UnicodeDecodeError) as error:
            raise CsvIntakeError(f"the mapping is not valid JSON: {error}") from None
        if not isinstance(document, dict):
            raise CsvIntakeError("the mapping must be a JSON object (see docs/spreadsheets.md)")
    name = document.get("template") or template
    if not name:
        raise CsvIntakeError(
            "say which template the file follows: 'template' in the mapping, or "
            f"?template= ({', '.join(TEMPLATES)})"
        )
    if name not in TEMPLATES:
        raise CsvIntakeError(f"unknown template {name!r}: use one of {', '.join(TEMPLATES)}")
    chosen = TEMPLATES[name]
    if "tableSchema" in document:
        columns = _csvw_columns(document["tableSchema"], chosen)
    else:
        columns = document.get("columns", {})
    defaults = document.get("defaults", {})
    for what, value in (("columns", columns), ("defaults", defaults)):
        if not isinstance(value, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()
        ):
            raise CsvIntakeError(f"'{what}' must map role names to strings")
        unknown = sorted(set(value) - {r.name for r in chosen.roles})
        if unknown:
            roles = ", ".join(r.name for r in chosen.roles)
            raise CsvIntakeError(f"unknown roles {unknown} for {name}: use {roles}")
    return ColumnMapping(chosen, dict(columns), dict(defaults))


def _csvw_columns(schema: Any, chosen: Template) -> dict[str, str]:
    if not isinstance(schema, dict) or not isinstance(schema.get("columns"), list):
        raise CsvIntakeError("CSVW metadata: tableSchema.columns must be a list")
    columns: dict[str, str] = {}
    for column in schema["columns"]:
        if not isinstance(column, dict):
            raise CsvIntakeError("CSVW metadata: each column must be an object")
        title = column.get("titles") or column.get("name")
        title = title[0] if isinstance(title, list) and title else title
        prop = str(column.get("propertyUrl", ""))
        role = CSVW_PROPERTIES.get(prop) or _role_of_full_iri(prop) or column.get("name")
        if not isinstance(title, str) or not role:
            continue
        if role == "partner" and "partner" in columns:
            role = "other_partner"  # two org:hasMember columns: the two partners
        if role in {r.name for r in chosen.roles}:
            columns[role] = title
    return columns


def _role_of_full_iri(iri: str) -> str | None:
    from sdkg.protocol import TURTLE_PREFIXES

    for prefix, namespace in TURTLE_PREFIXES.items():
        if iri.startswith(namespace):
            return CSVW_PROPERTIES.get(f"{prefix}:{iri[len(namespace) :]}")
    return None


def guess_template(header: list[str]) -> str:
    """The template whose required column titles the header has all of."""
    fitting = [
        t.name for t in TEMPLATES.values() if all(r.title in header for r in t.roles if r.required)
    ]
    if len(fitting) != 1:
        raise CsvIntakeError(
            "cannot tell which template the file follows from its columns: give the template "
            f"({', '.join(TEMPLATES)}) or a mapping"
        )
    return fitting[0]


# --------------------------------------------------------------------------- reading


@dataclass
class Table:
    """A CSV file's header and rows (each row a dict by column title)."""

    header: list[str]
    rows: list[dict[str, str]]


def read_csv(body: bytes) -> Table:
    """The rows of a CSV file (UTF-8, with or without BOM; comma, semicolon or tab).

    Raises :class:`CsvIntakeError` for undecodable, empty or ragged files.
    """
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise CsvIntakeError(
            f"the file is not UTF-8 (byte {error.start}): save it as 'CSV UTF-8'"
        ) from None
    if not text.strip():
        raise CsvIntakeError("the CSV file is empty")
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        records = [row for row in reader if any(cell.strip() for cell in row)]
    except csv.Error as error:
        raise CsvIntakeError(f"cannot read the CSV at line {reader.line_num}: {error}") from None
    header = [title.strip() for title in records[0]]
    if len(set(header)) != len(header) or "" in header:
        raise CsvIntakeError("every column needs a title of its own in the first row")
    rows = []
    for number, record in enumerate(records[1:], 2):
        if len(record) > len(header):
            raise CsvIntakeError(
                f"row {number} has {len(record)} cells but the header has {len(header)} columns"
            )
        rows.append({title: cell.strip() for title, cell in zip(header, record, strict=False)})
    if not rows:
        raise CsvIntakeError("the CSV file has a header but no rows")
    if len(rows) > MAX_ROWS:
        raise CsvIntakeError(f"the file has {len(rows)} rows; send at most {MAX_ROWS} at a time")
    return Table(header, rows)


# --------------------------------------------------------------------------- converting


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
        for row in self.store.query(f"SELECT ?x WHERE {{ {pattern} }} ORDER BY ?x LIMIT 1"):
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
            for row in self.store.query(query):
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
        from sdkg.reconciliation import class_names

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
        names = self.reconciler.names.display
        cell = self.cell(number, "partner")
        self.out.nodes.setdefault(first, cell)
        self.out.nodes.setdefault(second, self.cell(number, "other_partner"))
        key = ("partnership", *sorted((str(first), str(second))))
        node = self.minted_relations.get(key) or self.existing(
            f"?x a <{SDKG.Partnership}> ; <{ORG.hasMember}> {first.n3()} , {second.n3()}"
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
            self.add(node, ORG.hasMember, first, cell)
            self.add(node, ORG.hasMember, second, self.cell(number, "other_partner"))
        self.out.nodes[node] = cell
        for kind in kinds:
            self.add(node, SDKG.partnershipKind, kind, self.cell(number, "kind"))
            shortcut = _PARTNERSHIP_SHORTCUTS[_slug(str(kind))]
            self.fact(first, shortcut, second, self.cell(number, "kind"), doc, quote)
        if start:
            self.add(node, SCHEMA.startDate, Literal(start, datatype=XSD.date),
                     self.cell(number, "start_date"))  # fmt: skip
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


def intake(
    body: bytes,
    mapping_text: str | None,
    template: str | None,
    reconciler: Reconciler,
    store: GraphStore,
) -> tuple[ColumnMapping, Conversion]:
    """Read, map and convert a CSV file: the one path for HTTP and the command line.

    Without a mapping or a template, the template is the one the columns tell.
    Raises :class:`CsvIntakeError` for a file or mapping that cannot be used at all.
    """
    table = read_csv(body)
    if not template and not mapping_text:
        template = guess_template(table.header)
    mapping = read_mapping(mapping_text, template)
    return mapping, convert(table, mapping, reconciler, store)


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


# --------------------------------------------------------------------------- reporting


def locate_results(results: list[dict[str, Any]], conversion: Conversion) -> list[dict[str, Any]]:
    """The validation results of the converted graph, each with the row and column it is
    about (and without the graph's line numbers, which mean nothing here)."""
    located = []
    for result in results:
        focus = result["focus_node"]
        node: Node = BNode(focus[2:]) if focus.startswith("_:") else URIRef(focus)
        cell = conversion.cell_of(node, result.get("path"))
        if cell is None and result.get("path"):
            cell = conversion.cell_of(node, None)
        entry = {**(cell.to_json() if cell else {"row": None, "column": None}), **result}
        entry.pop("file", None)
        entry.pop("line", None)
        located.append(entry)
    located.sort(key=lambda r: (r["row"] or 0, r["column"] or ""))
    return located


def report(conversion: Conversion, validation: dict[str, Any] | None) -> dict[str, Any]:
    """The report on a file: the problems in its cells (``validation`` None), or the
    gate's report (its JSON) with each result located in a row and column; and what
    each row became."""
    if validation is None:
        return problems_report(conversion)
    return {
        **validation,
        "results": locate_results(validation["results"], conversion),
        "rows": [o.to_json() for o in conversion.outcomes],
    }


def problems_report(conversion: Conversion) -> dict[str, Any]:
    """A report (the validation report's JSON shape) of the problems found in cells."""
    violations = sum(1 for p in conversion.problems if p.severity == "Violation")
    return {
        "conforms": violations == 0,
        "summary": {"violations": violations, "warnings": len(conversion.problems) - violations},
        "results": [p.to_json() for p in conversion.problems],
        "rows": [o.to_json() for o in conversion.outcomes],
    }


def template_csv(name: str) -> bytes:
    """The template spreadsheet: its column titles and one example row."""
    chosen = TEMPLATES[name]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([role.title for role in chosen.roles])
    writer.writerow(chosen.example)
    return buffer.getvalue().encode("utf-8")


def template_mapping(name: str) -> dict[str, Any]:
    """The mapping for a template's own spreadsheet (every role under its title)."""
    chosen = TEMPLATES[name]
    return {
        "template": name,
        "columns": {role.name: role.title for role in chosen.roles},
        "defaults": {},
        "help": {role.name: role.help for role in chosen.roles},
    }
