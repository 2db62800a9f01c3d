"""Reusing W3C ORG safely: its own axioms must not change what the data says.

An OWL-RL closure (owlrl) over the sdkg ontology, the ORG and FOAF axioms
(``tests/fixtures/vendor/org-foaf/``), the bundled data and the ROR cache must not
turn programmes into organizations, make USTC a member of its partnerships, or carry a
ROR record's parent and location into the curated facts (ITER). Organizations and
memberships among our own entities are counted before and after.
"""

from __future__ import annotations

import owlrl
import pytest
from rdflib import OWL, RDF, RDFS, Graph, Namespace, URIRef

from sdkg import namespaces, resources

ORG = Namespace("http://www.w3.org/ns/org#")
SDKG = Namespace(namespaces.ONTOLOGY)
SCHEMA = Namespace("https://schema.org/")
ID = Namespace(namespaces.ENTITY)
AXIOMS = resources.PACKAGE_DIR.parent.parent / "tests/fixtures/vendor/org-foaf/axioms.ttl"


def ours(node) -> bool:
    return isinstance(node, URIRef) and str(node).startswith(namespaces.ENTITY)


def organizations(graph: Graph) -> set[URIRef]:
    """Our entities typed org:Organization, foaf:Organization (its equivalent in ORG)
    or a subclass (rdfs:subClassOf*): the organizations the data declares."""
    found = graph.query(
        "SELECT DISTINCT ?x WHERE { VALUES ?kind { <http://www.w3.org/ns/org#Organization> "
        "<http://xmlns.com/foaf/0.1/Organization> } "
        "?x a/<http://www.w3.org/2000/01/rdf-schema#subClassOf>* ?kind }"
    )
    return {row[0] for row in found if ours(row[0])}


def memberships(graph: Graph) -> set[tuple[URIRef, URIRef]]:
    """(member, organization) pairs among our entities, from both directions."""
    pairs = {(s, o) for s, o in graph.subject_objects(ORG.memberOf)}
    pairs |= {(o, s) for s, o in graph.subject_objects(ORG.hasMember)}
    return {(m, o) for m, o in pairs if ours(m) and ours(o)}


@pytest.fixture(scope="module")
def graphs() -> tuple[Graph, Graph]:
    """The graph as given (ontology + axioms + data + ROR cache) and its OWL-RL closure."""
    given = Graph()
    given.parse(resources.ontology_file())
    given.parse(AXIOMS)
    for path in sorted(resources.bundled_path("data").rglob("*.ttl")):
        given.parse(path)
    closed = Graph()
    closed += given
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(closed)
    return given, closed


def test_reasoning_adds_no_organization(graphs) -> None:
    given, closed = graphs
    before = organizations(given)
    after = {s for s in closed.subjects(RDF.type, ORG.Organization) if ours(s)}
    assert len(before) > 20
    assert after == before, sorted(after - before)


def test_programmes_stay_programmes(graphs) -> None:
    _, closed = graphs
    programmes = {s for s in closed.subjects(RDF.type, SDKG.Programme) if ours(s)}
    assert ID["cas-twas-programmes"] in programmes
    assert ID["cas-twas-presidents-fellowship"] in programmes
    assert {p for p in programmes if (p, RDF.type, ORG.Organization) in closed} == set()


def test_reasoning_adds_no_membership(graphs) -> None:
    given, closed = graphs
    before = memberships(given)
    assert before == {(ID.ustc, ID.apru), (ID.ustc, ID.aearu)}
    assert memberships(closed) == before
    partnerships = set(closed.subjects(RDF.type, SDKG.Partnership))
    assert len(partnerships) == 9
    assert {o for _, o in closed.subject_objects(ORG.memberOf) if o in partnerships} == set()


def test_iter_keeps_its_curated_place_and_no_ror_parent(graphs) -> None:
    _, closed = graphs
    iter_ = ID.iter
    assert set(closed.objects(iter_, ORG.subOrganizationOf)) == set()
    places = set(closed.objects(iter_, SCHEMA.location))
    curated = ID["saint-paul-les-durance"]
    aliases = {curated} | set(closed.objects(curated, OWL.sameAs))
    assert curated in places and places <= aliases, places
    assert (iter_, OWL.sameAs, URIRef("http://www.wikidata.org/entity/Q191788")) not in closed


def test_the_axioms_fixture_is_the_reasoning_input() -> None:
    axioms = Graph().parse(AXIOMS)
    # The two axioms the modeling choices are about.
    assert (ORG.memberOf, OWL.inverseOf, ORG.hasMember) in axioms
    assert (ORG.hasMember, RDFS.domain, ORG.Organization) in axioms
