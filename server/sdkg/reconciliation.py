"""Reconciliation: which of our entities a name from a spreadsheet means, and how sure.

Used by the reconciliation service (``/reconcile``, :mod:`sdkg.web.reconcile`) and by the
CSV intake (:mod:`sdkg.csv_intake`): one rule decides both what OpenRefine is told is a
certain match and which rows of a contributed spreadsheet add to an existing entity.

Candidates come from the name index (:mod:`sdkg.names`); property constraints (country,
acronym, founding year, ROR, Wikidata, parent organization, city, affiliation) then
agree, disagree or say nothing about each one. A candidate is a *match* only when that is
unambiguous (:meth:`Reconciler.reconcile`):

- an external identifier given in the query (ROR, Wikidata) belongs to it and to no
  other entity, and the name, if given, is at least a plausible one for it; or
- the name equals one of its names or acronyms exactly (after folding), at least one
  other given property agrees and none disagrees, and no other candidate qualifies so.

An exact name alone is not enough: two organizations can share a name or an acronym.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sdkg import namespaces
from sdkg.graphstore import GraphStore
from sdkg.names import Name, NameIndex, fold, folded
from sdkg.solutions import select

SCHEMA = "https://schema.org/"
ORG = "http://www.w3.org/ns/org#"
OWL_SAME_AS = "http://www.w3.org/2002/07/owl#sameAs"
ROR = "https://ror.org/"
WIKIDATA = "http://www.wikidata.org/entity/"

#: Prefixes of the type and property identifiers the service uses (CURIEs).
TYPE_PREFIXES = {
    "sdkg": namespaces.ONTOLOGY,
    "org": ORG,
    "foaf": "http://xmlns.com/foaf/0.1/",
    "schema": SCHEMA,
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "prov": "http://www.w3.org/ns/prov#",
}
#: Types clients are offered first: the kinds of things the graph is about.
DEFAULT_TYPES = (
    ORG + "Organization",
    "http://xmlns.com/foaf/0.1/Person",
    SCHEMA + "Country",
    SCHEMA + "City",
    namespaces.ONTOLOGY + "Programme",
    "http://www.w3.org/2004/02/skos/core#Concept",
)
#: A name scoring at least this is a plausible name for the entity an identifier names.
PLAUSIBLE_NAME = 50.0
_AGREE_BONUS = 10.0
_DISAGREE_PENALTY = 25.0


@dataclass(frozen=True)
class Property:
    """A property the service can match on and fetch (data extension)."""

    id: str
    name: str
    description: str
    #: SPARQL pattern binding ``?s`` (our entity) to ``?v`` (its value).
    pattern: str
    #: For values that are our entities: the class of the values (for clients' type column).
    value_type: str | None = None
    #: An external identifier: decisive when it agrees.
    identifier: bool = False


PROPERTIES = (
    Property(
        "country",
        "country",
        "The country the entity is located in (through its city), or a person's nationality",
        f"?s (<{SCHEMA}location>|<{SCHEMA}nationality>)/<{SCHEMA}containedInPlace>* ?v . "
        f"?v a <{SCHEMA}Country>",
        value_type=SCHEMA + "Country",
    ),
    Property(
        "city",
        "city",
        "The city the entity is located in",
        f"?s <{SCHEMA}location> ?v . ?v a <{SCHEMA}City>",
        value_type=SCHEMA + "City",
    ),
    Property(
        "acronym",
        "acronym",
        "An acronym of the entity's name",
        f"?s <{namespaces.ONTOLOGY}acronym> ?v",
    ),
    Property(
        "foundingYear",
        "founding year",
        "The year the organization was founded",
        f"?s <{SCHEMA}foundingDate> ?date BIND(SUBSTR(STR(?date), 1, 4) AS ?v)",
    ),
    Property(
        "ror",
        "ROR ID",
        "The organization's Research Organization Registry identifier (https://ror.org/...)",
        f'?s <{OWL_SAME_AS}> ?v FILTER(STRSTARTS(STR(?v), "{ROR}"))',
        identifier=True,
    ),
    Property(
        "wikidata",
        "Wikidata item",
        "The entity's Wikidata item (Q...)",
        f'?s <{OWL_SAME_AS}> ?v FILTER(STRSTARTS(STR(?v), "{WIKIDATA}"))',
        identifier=True,
    ),
    Property(
        "parentOrganization",
        "parent organization",
        "The organization this one is part of",
        f"?s (<{ORG}subOrganizationOf>|<{SCHEMA}parentOrganization>) ?v",
        value_type=ORG + "Organization",
    ),
    Property(
        "affiliation",
        "affiliation",
        "The organization a person is affiliated with",
        f"?s <{SCHEMA}affiliation> ?v",
        value_type=ORG + "Organization",
    ),
)
PROPERTY_BY_ID = {p.id: p for p in PROPERTIES}


class ReconciliationError(ValueError):
    """A query the service cannot answer, with a message a person can act on."""


def slug_of(iri: str) -> str:
    """Our entity's identifier in the service: the IRI's part after ``/id/``."""
    return iri[len(namespaces.ENTITY) :] if iri.startswith(namespaces.ENTITY) else iri


def entity_of(identifier: str) -> str:
    """The IRI of an identifier given by a client: a slug or a full entity IRI."""
    identifier = identifier.strip()
    return identifier if "://" in identifier else namespaces.ENTITY + identifier


def type_iri(identifier: str) -> str:
    """The class IRI of a type identifier: a CURIE of :data:`TYPE_PREFIXES` or an IRI."""
    prefix, colon, rest = identifier.partition(":")
    if colon and prefix in TYPE_PREFIXES and not rest.startswith("//"):
        return TYPE_PREFIXES[prefix] + rest
    return identifier


def type_id(iri: str) -> str:
    """The CURIE of a class IRI (the IRI itself outside :data:`TYPE_PREFIXES`)."""
    for prefix, namespace in TYPE_PREFIXES.items():
        if iri.startswith(namespace) and "/" not in iri[len(namespace) :]:
            return f"{prefix}:{iri[len(namespace) :]}"
    return iri


def normalize_identifier(property_id: str, value: str) -> str | None:
    """An external identifier in its canonical IRI form, from any way people write it
    (``034t30j35``, ``ror.org/034t30j35``, ``Q530471``, ``wd:Q530471``, a Wikidata URL)."""
    value = value.strip()
    if property_id == "ror":
        found = re.search(r"(?:^|ror\.org/)(0[a-z0-9]{6}[0-9]{2})$", value, re.IGNORECASE)
        return ROR + found.group(1).lower() if found else None
    if property_id == "wikidata":
        found = re.search(r"(?:^|[/:])(Q[1-9][0-9]*)$", value, re.IGNORECASE)
        return WIKIDATA + found.group(1).upper() if found else None
    return None


@dataclass
class Facts:
    """The values of every :data:`PROPERTIES` for every entity."""

    values: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    #: external identifier IRI -> the entities it names.
    by_identifier: dict[str, set[str]] = field(default_factory=dict)

    def of(self, iri: str, property_id: str) -> list[str]:
        """The values of one property of one entity (IRIs or literal strings)."""
        return self.values.get(iri, {}).get(property_id, [])


def build_facts(store: GraphStore) -> Facts:
    """Read the values of :data:`PROPERTIES` for our entities from ``store``."""
    values: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    by_identifier: dict[str, set[str]] = defaultdict(set)
    for prop in PROPERTIES:
        query = (
            f"SELECT DISTINCT ?s ?v WHERE {{ {prop.pattern} "
            f'FILTER(STRSTARTS(STR(?s), "{namespaces.ENTITY}") && ?s != ?v) }} ORDER BY ?s ?v'
        )
        for row in select(store, query):
            iri, value = row["s"].value, row["v"].value
            values[iri][prop.id].append(value)
            if prop.identifier:
                by_identifier[value].add(iri)
    return Facts({k: dict(v) for k, v in values.items()}, dict(by_identifier))


@dataclass
class Constraint:
    """One property constraint of a query: its property and the values the client gave."""

    property: Property
    values: list[str | dict[str, Any]]


@dataclass
class Result:
    """A candidate for a query."""

    iri: str
    name: str
    score: float
    match: bool
    #: name score, then one entry per constraint: True agree, False disagree, None unknown.
    features: dict[str, float | bool | None]
    matched: str = ""
    exact: bool = False


@dataclass
class Reconciler:
    """Answers reconciliation queries over one store generation."""

    names: NameIndex
    facts: Facts

    # ------------------------------------------------------------------ reconcile

    def reconcile(
        self,
        text: str,
        *,
        types: Iterable[str] = (),
        constraints: Iterable[Constraint] = (),
        limit: int = 5,
    ) -> list[Result]:
        """Candidates for one query, best first, with ``match`` set as the module says."""
        wanted_types = [type_iri(t) for t in types]
        constraints = list(constraints)
        found = {
            c.iri: c
            for c in self.names.search(text, types=wanted_types or None, limit=max(limit * 4, 20))
        }
        # An identifier in a column finds its entity even when the name is far off.
        identified: set[str] = set()
        for constraint in constraints:
            if constraint.property.identifier:
                for value in constraint.values:
                    canonical = normalize_identifier(constraint.property.id, _text(value))
                    identified |= self.facts.by_identifier.get(canonical or "", set())
        results = []
        for iri in dict.fromkeys([*found, *sorted(identified)]):
            if wanted_types and not (self.names.types.get(iri, frozenset()) & set(wanted_types)):
                continue
            candidate = found.get(iri)
            name_score = candidate.score if candidate else self._name_score(text, iri)
            features: dict[str, float | bool | None] = {"name": name_score}
            score = name_score
            for constraint in constraints:
                verdict = self.agrees(iri, constraint)
                features[constraint.property.id] = verdict
                if verdict is True:
                    score += _AGREE_BONUS
                elif verdict is False:
                    score -= _DISAGREE_PENALTY
            identified_here = any(
                features[c.property.id] is True for c in constraints if c.property.identifier
            )
            if identified_here:
                score = 100.0
            elif not (candidate and candidate.exact):
                score = min(score, 99.0)  # 100 is for an exact name or a confirming identifier
            results.append(
                Result(
                    iri=iri,
                    name=self.names.display.get(iri, slug_of(iri)),
                    score=round(max(0.0, min(100.0, score)), 1),
                    match=False,
                    features=features,
                    matched=candidate.matched if candidate else "",
                    exact=bool(candidate and candidate.exact),
                )
            )
        self._decide_matches(results, constraints, has_text=bool(fold(text)))
        results.sort(key=lambda r: (-r.score, not r.match, r.name.casefold()))
        return results[:limit]

    def _decide_matches(
        self, results: list[Result], constraints: list[Constraint], *, has_text: bool
    ) -> None:
        def certain(result: Result) -> bool:
            verdicts = [result.features[c.property.id] for c in constraints]
            if False in verdicts:
                return False
            by_identifier = any(
                result.features[c.property.id] is True for c in constraints if c.property.identifier
            )
            if by_identifier:
                return not has_text or float(result.features["name"] or 0) >= PLAUSIBLE_NAME
            return result.exact and True in verdicts

        sure = [r for r in results if certain(r)]
        if len(sure) == 1:
            sure[0].match = True

    def _name_score(self, text: str, iri: str) -> float:
        """The score of ``iri``'s best name for ``text`` (0 when none is close)."""
        if not fold(text):
            return 0.0
        for candidate in self.names.search(text, limit=200, minimum=0.0):
            if candidate.iri == iri:
                return candidate.score
        return 0.0

    def agrees(self, iri: str, constraint: Constraint) -> bool | None:
        """True if a value of the entity agrees with a given value, False if the entity has
        values and none agrees, None if it has none (or the client gave none)."""
        prop = constraint.property
        have = self.facts.of(iri, prop.id)
        given = [v for v in constraint.values if _text(v).strip()]
        if not have or not given:
            return None
        understood = False  # a value naming nothing we know says nothing either way
        for value in given:
            if prop.identifier:
                canonical = normalize_identifier(prop.id, _text(value))
                understood |= canonical is not None
                if canonical in have:
                    return True
            elif prop.value_type is not None:
                named = self._resolve(value, prop.value_type)
                understood |= bool(named)
                if named & set(have):
                    return True
            elif prop.id == "foundingYear":
                understood = True
                if _text(value).strip()[:4] in have:
                    return True
            else:
                understood = True
                if folded(_text(value)) in {folded(h) for h in have}:
                    return True
        return False if understood else None

    def _resolve(self, value: str | dict[str, Any], value_type: str) -> set[str]:
        """The entities a property value names: an ``{"id": ...}`` or a name."""
        if isinstance(value, dict) and value.get("id"):
            return {entity_of(str(value["id"]))}
        text = _text(value)
        found = self.names.search(text, prefix=False, limit=5, minimum=85.0)
        typed = [c for c in found if value_type in self.names.types.get(c.iri, frozenset())]
        return {c.iri for c in (typed or found)}

    # ------------------------------------------------------------------ extend

    def extend(self, iris: Iterable[str], property_ids: Iterable[str]) -> dict[str, Any]:
        """The values of ``property_ids`` for each entity, as the data extension answers."""
        rows: dict[str, dict[str, list[dict[str, Any]]]] = {}
        wanted = [PROPERTY_BY_ID[p] for p in property_ids]
        for iri in iris:
            rows[iri] = {p.id: [self._cell(p, v) for v in self.facts.of(iri, p.id)] for p in wanted}
        return rows

    def _cell(self, prop: Property, value: str) -> dict[str, Any]:
        if prop.value_type is not None:
            return {"id": slug_of(value), "name": self.names.display.get(value, slug_of(value))}
        if prop.id == "foundingYear" and value.isdigit():
            return {"int": int(value)}
        return {"str": value}

    # ------------------------------------------------------------------ describing

    def types_of(self, iri: str) -> list[str]:
        """The entity's most specific types (none a superclass of another), ours first."""
        direct = self.names.direct_types.get(iri, frozenset())
        supers = self.names.supers
        specific = [t for t in direct if not any(t in supers.get(o, ()) for o in direct)]
        return sorted(specific, key=lambda t: (not t.startswith(namespaces.ONTOLOGY), t))

    def type_name(self, iri: str) -> str:
        """A class's name: its label in the graph, else its local name in words."""
        return type_name(self.names, iri)

    def description(self, iri: str) -> str:
        """One line to tell namesakes apart: kind, acronym, city and country, founding year."""
        parts = [self.type_name(t) for t in self.types_of(iri)[:1]]
        acronyms = self.facts.of(iri, "acronym")
        if acronyms and acronyms[0] != self.names.display.get(iri):
            parts.append(acronyms[0])
        places = [v for p in ("city", "country") for v in self.facts.of(iri, p)[:1]]
        where = ", ".join(self.names.display.get(v, slug_of(v)) for v in places)
        if where:
            parts.append(where)
        founded = self.facts.of(iri, "foundingYear")
        if founded:
            parts.append(f"founded {founded[0]}")
        return " · ".join(parts)


def _text(value: str | dict[str, Any] | float | bool) -> str:
    if isinstance(value, dict):
        return str(value.get("name") or value.get("id") or "")
    return str(value)


def type_name(names: NameIndex, iri: str) -> str:
    """A class's name: its label in the graph, else its local name in words
    (``org:OrganizationalUnit`` -> "organizational unit")."""
    label = names.display.get(iri)
    if label:
        return label
    local = re.split(r"[#/]", iri)[-1]
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", local).lower() or iri


def class_names(names: NameIndex) -> NameIndex:
    """A name index of the classes that have members (for the type suggest service)."""
    classes = sorted({t for kinds in names.types.values() for t in kinds})
    entries: list[Name] = []
    display: dict[str, str] = {}
    for iri in classes:
        label = type_name(names, iri)
        display[iri] = label
        for text in dict.fromkeys([label, type_id(iri), re.split(r"[#/]", iri)[-1]]):
            entries.append(Name(iri, text, "", "", tuple(fold(text))))
    return NameIndex(names=entries, display=display)


def property_names() -> NameIndex:
    """A name index of :data:`PROPERTIES` (for the property suggest service)."""
    entries = [
        Name(p.id, text, "", "", tuple(fold(text))) for p in PROPERTIES for text in (p.name, p.id)
    ]
    return NameIndex(names=entries, display={p.id: p.name for p in PROPERTIES})
