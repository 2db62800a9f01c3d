"""Gate check: identity is protected (see :mod:`sdkg.gate`).

- **Forms.** An external identifier (Wikidata, ROR, GeoNames, DBpedia, ISNI, GRID)
  is written in its one IRI form wherever it appears, on every property and every
  subject: a Wikidata page URL where the entity IRI belongs is an error, with the
  right IRI to use.
- **Taken identifiers.** An identifier linked (``owl:sameAs``, ``skos:exactMatch``,
  ``schema:sameAs``) from a subject of the submission that already belongs to
  another of our entities (directly, or through the external record it is linked
  to, e.g. the ISNI a ROR record lists) is an error naming that entity: a new
  entity is a duplicate of it, an existing entity must not be merged with it.
  An external IRI used as the value of an ordinary property where it stands for
  one of our entities is an error too (point to our entity).
- **Unverified identifiers.** An identifier that neither the bundled data (the
  verified links) nor an external source's cache (``data/external/``) knows is a
  warning naming it; a stored contribution records it as unverified
  (:data:`UNVERIFIED_RULE`).
- **Likely duplicates.** A new entity whose normalised label (case, accents,
  punctuation, "the", "of") matches the label of an existing entity of the same
  kind is a warning naming that entity.

Each look-up in the store is one SPARQL query for the whole submission.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import OWL, RDF, RDFS, BNode, Graph, Node, URIRef
from rdflib.namespace import FOAF, ORG, SDO, SKOS

from sdkg import namespaces
from sdkg.gate.findings import Finding, GateInput
from sdkg.names import folded
from sdkg.solutions import select
from sdkg.validation import display_name

#: Properties that say "this is the same thing as that external record".
IDENTITY_PREDICATES = (OWL.sameAs, SKOS.exactMatch, SDO.sameAs)
#: The rule (shape ``sdkg-shapes:GateUnverifiedLink``) of an unverified identifier.
UNVERIFIED_RULE = "UnverifiedLink"
_CONTRIBUTIONS = namespaces.GRAPH + "contribution/"
_LABELS = (RDFS.label, SKOS.prefLabel, SKOS.altLabel, FOAF.name)
#: An evidence node restates a statement: the statement itself is what is checked.
_RESTATING = (RDF.subject, RDF.object)


@dataclass(frozen=True)
class Scheme:
    """One external identifier scheme: how to recognise its IRIs and the one right form."""

    name: str
    host: re.Pattern[str]
    key: re.Pattern[str]  # finds the identifier itself in any IRI of the scheme
    template: str  # the right IRI, from the key
    right: re.Pattern[str]

    def canonical(self, iri: str) -> str | None:
        match = self.key.search(iri)
        return self.template.format(match[1]) if match else None


SCHEMES = (
    Scheme(
        "Wikidata",
        re.compile(r"^https?://(www\.|m\.)?wikidata\.org/", re.I),
        re.compile(r"/(?:wiki|entity|Special:EntityPage)/(Q[1-9][0-9]*)(?:$|[/#?])"),
        "http://www.wikidata.org/entity/{}",
        re.compile(r"^http://www\.wikidata\.org/entity/Q[1-9][0-9]*$"),
    ),
    Scheme(
        "ROR",
        re.compile(r"^https?://(www\.)?ror\.org/", re.I),
        re.compile(r"ror\.org/(0[a-hj-km-np-tv-z0-9]{6}[0-9]{2})/?$", re.I),
        "https://ror.org/{}",
        re.compile(r"^https://ror\.org/0[a-hj-km-np-tv-z0-9]{6}[0-9]{2}$"),
    ),
    Scheme(
        "GeoNames",
        re.compile(r"^https?://(sws\.|www\.)?geonames\.org/", re.I),
        re.compile(r"geonames\.org/([1-9][0-9]*)(?:$|[/#?])"),
        "https://sws.geonames.org/{}/",
        re.compile(r"^https://sws\.geonames\.org/[1-9][0-9]*/$"),
    ),
    Scheme(
        "DBpedia",
        re.compile(r"^https?://([a-z-]+\.)?dbpedia\.org/", re.I),
        re.compile(r"dbpedia\.org/(?:resource|page)/([^/?# ]+)$"),
        "http://dbpedia.org/resource/{}",
        re.compile(r"^http://dbpedia\.org/resource/[^/?# ]+$"),
    ),
    Scheme(
        "ISNI",
        re.compile(r"^https?://(www\.)?isni\.org/", re.I),
        re.compile(r"isni\.org/(?:isni/)?([0-9]{15}[0-9X])$", re.I),
        "https://isni.org/isni/{}",
        re.compile(r"^https://isni\.org/isni/[0-9]{15}[0-9X]$"),
    ),
    Scheme(
        "GRID",
        re.compile(r"^https?://(www\.)?grid\.ac/", re.I),
        re.compile(r"(grid\.[0-9]+\.[0-9a-f]+)$"),
        "https://www.grid.ac/institutes/{}",
        re.compile(r"^https://www\.grid\.ac/institutes/grid\.[0-9]+\.[0-9a-f]+$"),
    ),
)

#: Kinds of entity a duplicate must share, by the classes that mean them.
KINDS = {
    "organization": (
        ORG.Organization,
        FOAF.Organization,
        SDO.Organization,
        SDO.EducationalOrganization,
        SDO.CollegeOrUniversity,
        SDO.GovernmentOrganization,
        SDO.ResearchOrganization,
        SDO.Consortium,
        SDO.NGO,
    ),
    "person": (FOAF.Person, SDO.Person),
    "place": (SDO.Place, SDO.City, SDO.Country, SDO.Continent, ORG.Site),
    "concept": (SKOS.Concept, SKOS.ConceptScheme),
    "programme": (URIRef(namespaces.ONTOLOGY + "Programme"),),
    "document": (FOAF.Document, SDO.Article, SDO.CreativeWork),
}


def scheme_of(iri: Node) -> Scheme | None:
    """The identifier scheme an IRI belongs to (Wikidata properties are not identifiers)."""
    if not isinstance(iri, URIRef):
        return None
    for scheme in SCHEMES:
        if scheme.host.match(iri):
            if scheme.name == "Wikidata" and "/prop/" in iri:
                return None
            return scheme
    return None


def check(gate: GateInput) -> list[Finding]:
    """Identifier forms, taken identifiers, unverified identifiers, likely duplicates."""
    findings: list[Finding] = []
    identifiers: dict[URIRef, Scheme] = {}  # canonical IRI -> scheme, every one used
    uses: dict[URIRef, list[tuple[Node, URIRef, URIRef]]] = {}  # canonical -> (s, p, written)
    links: list[tuple[Node, URIRef, URIRef, URIRef]] = []  # subject, predicate, as written, IRI
    references: list[tuple[Node, URIRef, URIRef, URIRef]] = []
    for s, p, o in sorted(gate.submission, key=lambda t: (str(t[0]), str(t[1]), str(t[2]))):
        scheme = scheme_of(o)
        # scheme_of knows IRIs only, and a predicate is always one
        if scheme is None or p in _RESTATING or not isinstance(o, URIRef):
            continue
        if not isinstance(p, URIRef):
            continue
        right = scheme.canonical(str(o))
        # A page of the registry itself (foaf:homepage <https://ror.org/>) is no identifier.
        if not scheme.right.match(str(o)) and (right is not None or p in IDENTITY_PREDICATES):
            findings.append(_form_finding(s, p, o, scheme, right))
        if right is None:
            continue
        identifiers[URIRef(right)] = scheme
        uses.setdefault(URIRef(right), []).append((s, p, o))
        (links if p in IDENTITY_PREDICATES else references).append((s, p, o, URIRef(right)))
    subjects = {s for s in gate.submission.subjects() if isinstance(s, URIRef) and scheme_of(s)}
    for s in sorted(subjects, key=str):
        scheme = scheme_of(s)
        right = scheme.canonical(str(s)) if scheme else None
        if scheme and right and not scheme.right.match(str(s)):
            findings.append(_form_finding(s, None, s, scheme, right))
    if not identifiers:
        return findings + _duplicates(gate)
    owners = _owners(gate, list(identifiers))
    findings += _taken(gate, links, owners)
    findings += _references(references, owners)
    findings += _unverified(gate, identifiers, uses)
    return findings + _duplicates(gate)


def _form_finding(
    s: Node, p: URIRef | None, o: URIRef, scheme: Scheme, right: str | None
) -> Finding:
    if right is None:
        what = f"Cannot read a {scheme.name} identifier in <{o}>"
        fix = "write the identifier's IRI in its one form (see docs/validation.md)"
    else:
        kind = "a page URL" if "/wiki/" in o or "/page/" in o else "not the identifier's IRI form"
        what = f"<{o}> is {kind}, not the {scheme.name} identifier"
        fix = f"write <{right}> (the form the graph uses everywhere)"
    return Finding(s, f"{what}: {fix}.", "IdentifierForm", path=p, value=o)


def _values(iris: Iterable[URIRef]) -> str:
    return " ".join(str(ox.NamedNode(str(i))) for i in sorted(set(iris)))


def _owners(gate: GateInput, identifiers: list[URIRef]) -> dict[URIRef, set[URIRef]]:
    """Our entities each identifier belongs to: linked directly, or through the
    external record an entity is linked to (a ROR record lists Wikidata, ISNI, GRID)."""
    owners: dict[URIRef, set[URIRef]] = {}
    same = "|".join(f"<{p}>" for p in IDENTITY_PREDICATES)
    if gate.store is not None:
        query = f"""SELECT DISTINCT ?id ?owner WHERE {{
  VALUES ?id {{ {_values(identifiers)} }}
  {{ ?owner {same} ?id }}
  UNION {{ ?owner {same} ?record . ?record {same} ?id }}
  UNION {{ ?id {same} ?record . ?owner {same} ?record }}
  FILTER(STRSTARTS(STR(?owner), "{namespaces.ENTITY}"))
}}"""
        for row in select(gate.store, query):
            owners.setdefault(URIRef(row["id"].value), set()).add(URIRef(row["owner"].value))
    # Links of this submission between its own subjects count too.
    for p in IDENTITY_PREDICATES:
        for owner, identifier in gate.submission.subject_objects(p):
            if isinstance(owner, URIRef) and owner.startswith(namespaces.ENTITY):
                scheme = scheme_of(identifier)
                right = scheme.canonical(str(identifier)) if scheme else None
                if right is not None:
                    owners.setdefault(URIRef(right), set()).add(owner)
    return owners


def _exists(gate: GateInput, subject: Node) -> bool:
    return isinstance(subject, URIRef) and (subject, None, None) in gate.context


def _taken(
    gate: GateInput,
    links: list[tuple[Node, URIRef, URIRef, URIRef]],
    owners: dict[URIRef, set[URIRef]],
) -> list[Finding]:
    findings = []
    for subject, predicate, written, identifier in links:
        others = sorted(owners.get(identifier, set()) - {subject})
        if not others:
            continue
        scheme = scheme_of(identifier)
        name = scheme.name if scheme else "identifier"
        match = scheme.key.search(str(identifier)) if scheme else None
        key = match[1] if match else str(identifier)
        other = display_name(others[0])
        if _exists(gate, subject):
            message = (
                f"{display_name(identifier)} is {other}'s {name} identifier ({key}): "
                f"{display_name(subject)} is another entity and cannot be the same as it. "
                f"Remove this link; relate the two with a property that says how "
                f"(e.g. sdkg:hostedBy, org:subOrganizationOf)."
            )
        else:
            message = (
                f"This is {other} (same {name} {key}); add your statements to {other} "
                f"instead of creating {display_name(subject)}."
            )
        findings.append(Finding(subject, message, "Identity", path=predicate, value=written))
    return findings


def _references(
    references: list[tuple[Node, URIRef, URIRef, URIRef]], owners: dict[URIRef, set[URIRef]]
) -> list[Finding]:
    findings = []
    for subject, predicate, written, identifier in references:
        ours = sorted(owners.get(identifier, set()) - {subject})
        if ours:
            findings.append(
                Finding(
                    subject,
                    f"{display_name(identifier)} is {display_name(ours[0])} in this graph: "
                    f"point {display_name(predicate)} to {display_name(ours[0])}, "
                    "not to the external identifier.",
                    "Identity",
                    path=predicate,
                    value=written,
                )
            )
    return findings


def _unverified(
    gate: GateInput,
    identifiers: dict[URIRef, Scheme],
    uses: dict[URIRef, list[tuple[Node, URIRef, URIRef]]],
) -> list[Finding]:
    """A warning for each identifier neither the bundled links nor a cache knows."""
    if gate.store is None:
        return []
    same = "|".join(f"<{p}>" for p in IDENTITY_PREDICATES)
    external = namespaces.EXTERNAL_GRAPH
    # Verified: linked in the curated graphs (not a contribution, not a cache); or
    # described by a cache (its record was fetched), or listed by a cached record.
    query = f"""SELECT DISTINCT ?id WHERE {{
  VALUES ?id {{ {_values(identifiers)} }}
  {{ GRAPH ?g {{ ?x {same} ?id }}
     FILTER(!STRSTARTS(STR(?g), "{_CONTRIBUTIONS}") && !STRSTARTS(STR(?g), "{external}")) }}
  UNION {{ GRAPH ?g {{ ?id ?p ?x }} FILTER(STRSTARTS(STR(?g), "{external}")) }}
  UNION {{ GRAPH ?g {{ ?record {same} ?id }} FILTER(STRSTARTS(STR(?g), "{external}")) }}
}}"""
    known = {URIRef(row["id"].value) for row in select(gate.store, query)}
    findings = []
    for identifier in sorted(set(identifiers) - known):
        for s, p, written in uses[identifier]:
            findings.append(_unverified_finding(s, p, written, identifiers[identifier]))
    return findings


def _unverified_finding(s: Node, p: URIRef, identifier: URIRef, scheme: Scheme) -> Finding:
    """``identifier`` as the submission writes it (its record is what must be fetched)."""
    return Finding(
        s,
        f"<{identifier}> is not a verified {scheme.name} identifier: it is neither in the "
        "graph's verified links nor in a cache of an external source (data/external/). "
        "Check that it names the same thing; it is stored marked unverified until "
        "`sdkg link fetch` brings its record.",
        UNVERIFIED_RULE,
        severity="Warning",
        path=p,
        value=identifier,
    )


# --------------------------------------------------------------------------- duplicates


def kinds_of(types: Iterable[Node], ontology: Graph) -> set[str]:
    """The kinds (organization, person, place, ...) that classes mean, with superclasses."""
    reach: set[Node] = set()
    todo = list(types)
    while todo:
        cls = todo.pop()
        if cls in reach:
            continue
        reach.add(cls)
        todo.extend(ontology.objects(cls, RDFS.subClassOf))
    return {kind for kind, classes in KINDS.items() if reach & set(classes)}


def _duplicates(gate: GateInput) -> list[Finding]:
    """A warning for each new entity whose label and kind match an existing entity's."""
    if gate.store is None:
        return []
    wanted: dict[str, list[tuple[Node, URIRef, Node, set[str]]]] = {}
    for subject in set(gate.submission.subjects(RDF.type, None)):
        if isinstance(subject, BNode) or _exists(gate, subject):
            continue
        kinds = kinds_of(gate.submission.objects(subject, RDF.type), gate.context)
        if not kinds:
            continue
        for predicate in _LABELS:
            for label in gate.submission.objects(subject, predicate):
                key = folded(str(label))
                if key:
                    wanted.setdefault(key, []).append((subject, predicate, label, kinds))
    if not wanted or gate.names is None:
        return []
    # The name index holds every name folded: it finds the entities bearing each label
    # without reading the store's labels; only theirs are then read and compared.
    found = {
        name.iri
        for key in wanted  # each label once, already folded (folding it again changes nothing)
        for name in gate.names.exact(key)
        if name.iri.startswith(namespaces.ENTITY)
    }
    if not found:
        return []
    predicates = ", ".join(f"<{p}>" for p in _LABELS)
    entities = " ".join(str(ox.NamedNode(iri)) for iri in sorted(found))
    # A FILTER, not a path or a second VALUES: Virtuoso refuses a path from bound nodes
    # ("transitive start not given") and Oxigraph would read every label of the store.
    query = f"""SELECT DISTINCT ?e ?label ?type WHERE {{
  VALUES ?e {{ {entities} }}
  ?e ?p ?label ; a ?type .
  FILTER(?p IN ({predicates}))
}}"""
    existing: dict[URIRef, tuple[set[str], set[Node]]] = {}
    for row in select(gate.store, query):
        entry = existing.setdefault(URIRef(row["e"].value), (set(), set()))
        entry[0].add(row["label"].value)
        entry[1].add(URIRef(row["type"].value))
    findings = []
    reported: set[tuple[Node, URIRef]] = set()
    for entity, (labels, types) in sorted(existing.items()):
        entity_kinds = kinds_of(types, gate.context)
        for existing_label in sorted(labels):
            matching = wanted.get(folded(existing_label), [])
            for subject, predicate, written, kinds in matching:
                shared = kinds & entity_kinds
                if subject == entity or not shared or (subject, entity) in reported:
                    continue
                reported.add((subject, entity))
                findings.append(
                    Finding(
                        subject,
                        f'Likely a duplicate of {display_name(entity)} ("{existing_label}", also '
                        f"{'an' if min(shared)[0] in 'aeiou' else 'a'} {min(shared)}): if it is "
                        f"the same, add your statements to {display_name(entity)} instead; "
                        "if not, give a label that tells them apart.",
                        "Duplicate",
                        severity="Warning",
                        path=predicate,
                        value=written,
                    )
                )
    return findings
