"""The ontology, the shapes and the bundled data fit together.

- the bundled data (with the ontology) conforms to the SHACL shapes;
- OWL-RL reasoning over ontology + data finds no inconsistency;
- every class and property the data uses is declared in the ontology or exists
  in the reused vocabulary it belongs to;
- every sdkg: term has one English label and a definition;
- every constraint in the shapes carries an sh:message;
- evidence quotes the essay verbatim and backs facts that are really asserted.
"""

from __future__ import annotations

import re

import owlrl
import pyshacl
import pytest
from rdflib import RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib import namespace as rdfns
from support.oracle import load_curated_graph

from sdkg.resources import bundled_path, ontology_file, shapes_file

# rdflib's vocabularies are used through the module: pytest inspects module-level
# names, and a closed DefinedNamespace warns on every unknown attribute lookup.
DCTERMS, FOAF, ORG, OWL, PROV = rdfns.DCTERMS, rdfns.FOAF, rdfns.ORG, rdfns.OWL, rdfns.PROV
SH, SKOS, VANN = rdfns.SH, rdfns.SKOS, rdfns.VANN
SDKG = Namespace("https://w3id.org/sdkg/ontology#")
ID = Namespace("https://w3id.org/sdkg/id/")
# owlrl writes inconsistencies as resources of this class (owlrl.Namespaces.ERRNS).
OWLRL_ERROR = URIRef("http://www.daml.org/2002/03/agents/agent-ont#ErrorMessage")
OWLRL_ERROR_TEXT = URIRef("http://www.daml.org/2002/03/agents/agent-ont#error")

# Reused vocabularies whose term lists rdflib ships: a term used under one of
# these namespaces must exist in that list (rdflib's closed DefinedNamespaces).
REUSED_VOCABULARIES = ("RDF", "RDFS", "OWL", "SKOS", "DCTERMS", "FOAF", "ORG", "PROV", "SDO")

# Constraint parameters of SHACL Core; a shape using any of them reports
# results and so needs an sh:message.
CONSTRAINT_PARAMETERS = {
    SH["class"],
    SH.datatype,
    SH.nodeKind,
    SH.minCount,
    SH.maxCount,
    SH.minInclusive,
    SH.maxInclusive,
    SH.minExclusive,
    SH.maxExclusive,
    SH.minLength,
    SH.maxLength,
    SH.pattern,
    SH.languageIn,
    SH.uniqueLang,
    SH.equals,
    SH.disjoint,
    SH.lessThan,
    SH.lessThanOrEquals,
    SH["not"],
    SH["and"],
    SH["or"],
    SH.xone,
    SH.node,
    SH.qualifiedMinCount,
    SH.qualifiedMaxCount,
    SH.closed,
    SH.hasValue,
    SH["in"],
}
# Shapes nested under these parameters report through their parent shape.
NESTING_PARAMETERS = (SH["or"], SH["and"], SH.xone, SH["not"], SH.node, SH.qualifiedValueShape)


@pytest.fixture(scope="module")
def data_graph() -> Graph:
    return load_curated_graph()


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ontology_file())


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(shapes_file())


# --- SHACL -----------------------------------------------------------------


def test_bundled_data_conforms_to_the_shapes(data_graph: Graph, shapes: Graph) -> None:
    conforms, report, text = pyshacl.validate(
        data_graph, shacl_graph=shapes, inference="none", allow_warnings=True
    )
    violations = list(report.subjects(SH.resultSeverity, SH.Violation))
    assert conforms, text
    assert violations == [], text


def test_shapes_report_a_broken_fact_in_the_bundled_data(data_graph: Graph, shapes: Graph) -> None:
    """The shapes bite on the real data: a second founding date for TWAS is a violation."""
    broken = Graph() + data_graph
    broken.add((ID.twas, rdfns.SDO.foundingDate, Literal("1985", datatype=rdfns.XSD.gYear)))
    conforms, report, _ = pyshacl.validate(broken, shacl_graph=shapes, inference="none")
    assert not conforms
    focus = {
        report.value(result, SH.focusNode)
        for result in report.subjects(SH.sourceConstraintComponent, SH.MaxCountConstraintComponent)
    }
    assert focus == {ID.twas}


def test_every_constraint_has_a_message(shapes: Graph) -> None:
    nested = set()
    for parameter in NESTING_PARAMETERS:
        for value in shapes.objects(None, parameter):
            members = list(shapes.items(value)) if (value, RDF.first, None) in shapes else [value]
            nested.update(members)
    # ... and the property shapes of nested shapes, to any depth.
    frontier = set(nested)
    while frontier:
        inner = {p for shape in frontier for p in shapes.objects(shape, SH.property)} - nested
        nested |= inner
        frontier = inner
    missing = []
    for shape in set(shapes.subjects()) - nested:
        parameters = {p for p in shapes.predicates(shape) if p in CONSTRAINT_PARAMETERS}
        if parameters and shapes.value(shape, SH.message) is None:
            missing.append((shape, sorted(parameters)))
    assert missing == []


def test_messages_are_english_and_unique_per_shape(shapes: Graph) -> None:
    for shape in set(shapes.subjects(SH.message, None)):
        messages = list(shapes.objects(shape, SH.message))
        assert len(messages) == 1, shape
        assert messages[0].language == "en", shape


# --- OWL-RL ----------------------------------------------------------------


def owlrl_errors(graph: Graph) -> list[str]:
    """Run OWL-RL to its closure; return the inconsistencies it finds."""
    closure = Graph() + graph
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(closure)
    errors = [
        str(closure.value(node, OWLRL_ERROR_TEXT))
        for node in closure.subjects(RDF.type, OWLRL_ERROR)
    ]
    errors += [f"{node} is owl:Nothing" for node in closure.subjects(RDF.type, OWL.Nothing)]
    return errors


def test_owl_rl_finds_no_inconsistency(data_graph: Graph) -> None:
    assert owlrl_errors(data_graph) == []


def test_owl_rl_check_detects_a_clash(ontology: Graph) -> None:
    """The check above can fail: a university that is also a research institute clashes."""
    clash = Graph() + ontology
    clash.add((ID.ustc, RDF.type, SDKG.University))
    clash.add((ID.ustc, RDF.type, SDKG.ResearchInstitute))
    assert owlrl_errors(clash) != []


# --- Vocabulary ------------------------------------------------------------


def declared_sdkg_terms(ontology: Graph) -> set[URIRef]:
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
    return {term for kind in kinds for term in ontology.subjects(RDF.type, kind)}


def vocabulary_of(term: URIRef) -> type[rdfns.DefinedNamespace] | None:
    """The reused rdflib vocabulary whose namespace the term is in, if any."""
    for name in REUSED_VOCABULARIES:
        vocabulary = getattr(rdfns, name)
        if str(term).startswith(str(vocabulary._NS)):
            return vocabulary
    return None


def used_terms(graph: Graph) -> set[URIRef]:
    """Every property and every class (object of rdf:type) used in a graph."""
    return set(graph.predicates()) | {
        o for o in graph.objects(None, RDF.type) if isinstance(o, URIRef)
    }


def test_every_term_used_in_data_is_declared(ontology: Graph) -> None:
    data = Graph()
    for path in sorted(bundled_path("data").glob("*.ttl")):
        data.parse(path)
    declared = declared_sdkg_terms(ontology)
    unknown = []
    for term in used_terms(data):
        if str(term).startswith(str(SDKG)):
            if term not in declared:
                unknown.append(term)
            continue
        vocabulary = vocabulary_of(term)
        # `term in vocabulary` looks the term up in rdflib's list of the vocabulary's terms.
        if vocabulary is None or term not in vocabulary:
            unknown.append(term)
    assert sorted(unknown) == []


def test_every_reused_term_the_ontology_refines_exists(ontology: Graph) -> None:
    refined = set(ontology.objects(None, RDFS.subClassOf)) | set(
        ontology.objects(None, RDFS.subPropertyOf)
    )
    refined |= set(ontology.objects(None, RDFS.domain)) | set(ontology.objects(None, RDFS.range))
    missing = [
        term
        for term in refined
        if isinstance(term, URIRef)
        and not str(term).startswith(str(SDKG))
        and term != RDF.langString
        and not str(term).startswith(str(rdfns.XSD))
        and (vocabulary_of(term) is None or term not in vocabulary_of(term))
    ]
    assert missing == []


def test_vocabulary_check_rejects_an_invented_term() -> None:
    assert URIRef("https://schema.org/foundingDate") in rdfns.SDO
    assert URIRef("https://schema.org/foundedIn") not in rdfns.SDO
    assert URIRef("http://www.w3.org/ns/org#subOrganizationOf") in ORG
    assert URIRef("http://www.w3.org/ns/org#subOrganzationOf") not in ORG


def test_every_sdkg_term_has_one_english_label_and_a_definition(ontology: Graph) -> None:
    terms = {
        s for s in ontology.subjects() if isinstance(s, URIRef) and str(s).startswith(str(SDKG))
    }
    terms.discard(URIRef(str(SDKG)))  # the ontology itself
    assert len(terms) > 30
    for term in terms:
        labels = list(ontology.objects(term, RDFS.label))
        assert len(labels) == 1 and labels[0].language == "en", term
        assert ontology.value(term, SKOS.definition) is not None, term


def test_every_sdkg_term_is_placed_under_a_reused_term(ontology: Graph) -> None:
    for term in declared_sdkg_terms(ontology):
        parents = set(ontology.objects(term, RDFS.subClassOf)) | set(
            ontology.objects(term, RDFS.subPropertyOf)
        )
        assert parents, f"{term} has no super-class or super-property"


def test_ontology_header(ontology: Graph) -> None:
    header = URIRef(str(SDKG))
    assert (header, RDF.type, OWL.Ontology) in ontology
    for prop in (
        OWL.versionIRI,
        OWL.versionInfo,
        DCTERMS.title,
        DCTERMS.description,
        DCTERMS.license,
        DCTERMS.creator,
    ):
        assert ontology.value(header, prop) is not None, prop
    assert str(ontology.value(header, VANN.preferredNamespacePrefix)) == "sdkg"


# --- Data conventions --------------------------------------------------------


def test_chinese_is_always_tagged_zh_hans(data_graph: Graph) -> None:
    tags = {o.language for o in data_graph.objects() if isinstance(o, Literal) and o.language}
    chinese = {tag for tag in tags if tag.lower().startswith("zh")}
    assert chinese == {"zh-Hans"}


def test_schema_org_is_only_used_with_https(data_graph: Graph) -> None:
    nodes = set(data_graph.subjects()) | set(data_graph.predicates()) | set(data_graph.objects())
    assert not [
        n for n in nodes if isinstance(n, URIRef) and str(n).startswith("http://schema.org/")
    ]


def test_entity_iris_are_lowercase_kebab_case(data_graph: Graph) -> None:
    slugs = {str(n)[len(str(ID)) :] for n in data_graph.all_nodes() if str(n).startswith(str(ID))}
    assert {
        "cas",
        "twas",
        "ictp",
        "ustc",
        "coebio",
        "cewe",
        "icces",
        "cegt",
        "sdim",
        "cern",
        "iter",
    } <= slugs
    assert [s for s in slugs if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", s)] == []


def essay_text(graph: Graph) -> str:
    return str(graph.value(ID["cas-twas-science-diplomacy-essay"], rdfns.SDO.text))


def test_essay_evidence_quotes_the_essay_verbatim(data_graph: Graph) -> None:
    essay = essay_text(data_graph)
    assert essay.startswith("CAS TWAS Science Diplomacy:")
    quoted = [
        str(data_graph.value(evidence, PROV.value))
        for evidence in data_graph.subjects(DCTERMS.source, ID["cas-twas-science-diplomacy-essay"])
        if (evidence, RDF.type, SDKG.Evidence) in data_graph
    ]
    assert len(quoted) > 100
    assert [words for words in quoted if words not in essay] == []


def test_claims_and_quotation_use_the_essays_words(data_graph: Graph) -> None:
    essay = essay_text(data_graph)
    texts = [
        str(data_graph.value(node, rdfns.SDO.text))
        for kind in (rdfns.SDO.Claim, rdfns.SDO.Quotation)
        for node in data_graph.subjects(RDF.type, kind)
    ]
    assert len(texts) > 20
    assert [text for text in texts if text not in essay] == []


def test_evidence_backs_facts_that_are_asserted(data_graph: Graph) -> None:
    unasserted = []
    for evidence in data_graph.subjects(RDF.type, SDKG.Evidence):
        fact = tuple(
            data_graph.value(evidence, p) for p in (RDF.subject, RDF.predicate, RDF.object)
        )
        if fact not in data_graph:
            unasserted.append(fact)
    assert unasserted == []


def test_partnership_nodes_and_shortcuts_agree(data_graph: Graph) -> None:
    kinds = {
        ID["joint-research"]: SDKG.jointResearchPartner,
        ID["joint-education"]: SDKG.educationPartner,
    }
    from_nodes = set()
    for partnership in data_graph.subjects(RDF.type, SDKG.Partnership):
        members = set(data_graph.objects(partnership, SDKG.partner))
        assert ID.ustc in members
        for kind in data_graph.objects(partnership, SDKG.partnershipKind):
            for partner in members - {ID.ustc}:
                from_nodes.add((ID.ustc, kinds[kind], partner))
    shortcuts = {(s, p, o) for p in kinds.values() for s, o in data_graph.subject_objects(p)}
    assert from_nodes == shortcuts
    assert len(shortcuts) == 18
