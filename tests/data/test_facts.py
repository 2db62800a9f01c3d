"""Fact checks: each test asks the bundled data one fact of the source essay
("CAS TWAS Science Diplomacy") with SPARQL. Expected values are written from
the essay's text (or, where marked, from the reference material), never copied
from query output.
"""

from __future__ import annotations

import pytest
from rdflib import Graph
from support.oracle import load_curated_graph

PREFIXES = """
PREFIX sdkg:    <https://w3id.org/sdkg/ontology#>
PREFIX id:      <https://w3id.org/sdkg/id/>
PREFIX rdf:     <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs:    <http://www.w3.org/2000/01/rdf-schema#>
PREFIX xsd:     <http://www.w3.org/2001/XMLSchema#>
PREFIX skos:    <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX org:     <http://www.w3.org/ns/org#>
PREFIX foaf:    <http://xmlns.com/foaf/0.1/>
PREFIX prov:    <http://www.w3.org/ns/prov#>
PREFIX schema:  <https://schema.org/>
PREFIX owl:     <http://www.w3.org/2002/07/owl#>
"""

ESSAY = "id:cas-twas-science-diplomacy-essay"


@pytest.fixture(scope="module")
def graph() -> Graph:
    return load_curated_graph()


def ask(graph: Graph, query: str) -> bool:
    return bool(graph.query(PREFIXES + query).askAnswer)


def rows(graph: Graph, query: str) -> set[tuple[str, ...]]:
    """The rows of a SELECT query, as a set of tuples of strings."""
    return {tuple(str(value) for value in row) for row in graph.query(PREFIXES + query)}


def column(graph: Graph, query: str) -> set[str]:
    """The first column of a SELECT query, as a set of strings."""
    return {row[0] for row in rows(graph, query)}


def quantities(graph: Graph, subject: str, prop: str) -> set[tuple[str, str]]:
    """(number, qualifier label) of each quantity `subject prop` states."""
    return rows(
        graph,
        f"""SELECT ?v ?q WHERE {{ {subject} {prop} ?n .
             ?n schema:value ?v ; sdkg:qualifier/rdfs:label ?q }}""",
    )


# --- TWAS ------------------------------------------------------------------


def test_twas_founded_in_1983(graph: Graph) -> None:
    assert ask(graph, 'ASK { id:twas schema:foundingDate "1983"^^xsd:gYear }')


def test_twas_founded_under_the_leadership_of_abdus_salam(graph: Graph) -> None:
    assert column(graph, "SELECT ?n WHERE { id:twas sdkg:foundingLeader/rdfs:label ?n }") == {
        "Abdus Salam"
    }


def test_abdus_salam_is_of_pakistan(graph: Graph) -> None:
    assert column(graph, "SELECT ?c WHERE { id:abdus-salam schema:nationality/rdfs:label ?c }") == {
        "Pakistan"
    }


def test_abdus_salam_is_a_nobel_laureate(graph: Graph) -> None:
    assert ask(graph, 'ASK { id:abdus-salam schema:award ?a FILTER(CONTAINS(STR(?a), "Nobel")) }')


def test_twas_founded_by_a_group_of_distinguished_scientists(graph: Graph) -> None:
    assert ask(
        graph,
        """ASK { id:twas schema:founder ?g . ?g a foaf:Group ; schema:description ?d
                 FILTER(CONTAINS(?d, "group of distinguished scientists")) }""",
    )


def test_twas_principal_aim(graph: Graph) -> None:
    assert column(graph, "SELECT ?a WHERE { id:twas sdkg:principalAim ?a }") == {
        "to promote scientific capacity and excellence for sustainable development in the South"
    }


def test_twas_on_the_premises_of_ictp(graph: Graph) -> None:
    assert ask(
        graph,
        "ASK { id:twas sdkg:onPremisesOf id:ictp ; org:hasSite ?s . id:ictp org:hasSite ?s }",
    )


def test_twas_connects_more_than_1000_scientists(graph: Graph) -> None:
    assert quantities(graph, "id:twas", "sdkg:numberOfScientists") == {("1000", "more than")}


def test_twas_scientists_are_in_some_70_countries(graph: Graph) -> None:
    assert quantities(graph, "id:twas", "sdkg:numberOfCountries") == {("70", "some")}


def test_twas_is_a_merit_based_science_academy(graph: Graph) -> None:
    assert ask(
        graph,
        """ASK { id:twas a sdkg:InternationalAcademy .
                 ?c a schema:Claim ; schema:about id:twas ; schema:text ?t
                 FILTER(CONTAINS(?t, "merit-based")) }""",
    )


def test_twas_founding_is_evidenced_by_the_essays_sentence(graph: Graph) -> None:
    assert ask(
        graph,
        f"""ASK {{ ?e rdf:subject id:twas ; rdf:predicate schema:foundingDate ;
                  dcterms:source {ESSAY} ; prov:value ?w
                  FILTER(STRSTARTS(?w, "TWAS was founded in 1983")) }}""",
    )


# --- CAS -------------------------------------------------------------------


def test_cas_comprises_over_114_research_institutes_per_the_essay(graph: Graph) -> None:
    assert rows(
        graph,
        f"""SELECT ?v ?q WHERE {{ id:cas sdkg:numberOfResearchInstitutes ?n .
             ?n schema:value ?v ; sdkg:qualifier/rdfs:label ?q ; dcterms:source {ESSAY} }}""",
    ) == {("114", "over")}


def test_the_essays_words_for_the_114_institutes(graph: Graph) -> None:
    assert ask(
        graph,
        f"""ASK {{ ?e rdf:subject id:cas ; rdf:predicate sdkg:numberOfResearchInstitutes ;
                  dcterms:source {ESSAY} ; prov:value ?w
                  FILTER(CONTAINS(?w, "over 114 research institutes")) }}""",
    )


def test_cas_is_the_national_academy_of_the_prc(graph: Graph) -> None:
    assert ask(
        graph,
        """ASK { id:cas a sdkg:NationalAcademy ; schema:areaServed ?c .
                 ?c skos:prefLabel "People's Republic of China"@en }""",
    )


def test_cas_national_roles(graph: Graph) -> None:
    assert column(graph, "SELECT ?r WHERE { id:cas sdkg:nationalRole/rdfs:label ?r }") == {
        "national academy",
        "national scientific think tank",
        "academic governing body",
    }


def test_cas_advises_on_economy_society_and_st_progress(graph: Graph) -> None:
    assert column(graph, "SELECT ?i WHERE { id:cas sdkg:advisesOn/rdfs:label ?i }") == {
        "national economy",
        "social development",
        "science and technology progress",
    }


def test_cas_is_the_worlds_largest_research_organization(graph: Graph) -> None:
    assert ask(
        graph,
        """ASK { ?c schema:about id:cas ; schema:text ?t
                 FILTER(CONTAINS(?t, "world’s largest scientific and research organization")) }""",
    )


def test_cas_ranked_first_among_research_institutes(graph: Graph) -> None:
    assert ask(
        graph,
        """ASK { ?c schema:about id:cas ; schema:text ?t
                 FILTER(CONTAINS(?t, "consistently ranked first")) }""",
    )


def test_cas_founding_year_comes_from_ror_not_the_essay(graph: Graph) -> None:
    # Reference material: the ROR record 034t30j35 says "established": 1949.
    assert ask(graph, 'ASK { id:cas schema:foundingDate "1949"^^xsd:gYear }')
    assert column(
        graph,
        """SELECT ?s WHERE { ?e rdf:subject id:cas ; rdf:predicate schema:foundingDate ;
             dcterms:source ?s }""",
    ) == {"https://w3id.org/sdkg/id/ror-record-034t30j35"}


# --- USTC ------------------------------------------------------------------


def test_ustc_under_the_jurisdiction_of_cas(graph: Graph) -> None:
    assert ask(graph, "ASK { id:ustc a sdkg:University ; org:subOrganizationOf id:cas }")


def test_ustc_is_the_cradle_of_scientific_elites(graph: Graph) -> None:
    assert column(graph, "SELECT ?n WHERE { id:ustc sdkg:nickname ?n }") == {
        "Cradle of Scientific Elites"
    }


def test_ustc_member_of_apru_and_aearu(graph: Graph) -> None:
    assert column(graph, "SELECT ?n WHERE { id:ustc org:memberOf/rdfs:label ?n }") == {
        "Association of Pacific Rim Universities",
        "Association of East Asian Research Universities",
    }


ESSAY_PARTNER_NAMES = {
    "European Organization for Nuclear Research",
    "International Thermonuclear Experimental Reactor",
    "Max Planck Society",
    "Oxford University",
    "Heidelberg University",
    "Stanford University",
    "MIT",
    "Berkeley",
    "Yale University",
}


def test_ustc_joint_research_partners(graph: Graph) -> None:
    assert (
        column(graph, "SELECT ?n WHERE { id:ustc sdkg:jointResearchPartner/rdfs:label ?n }")
        == ESSAY_PARTNER_NAMES
    )


def test_ustc_education_partners(graph: Graph) -> None:
    assert (
        column(graph, "SELECT ?n WHERE { id:ustc sdkg:educationPartner/rdfs:label ?n }")
        == ESSAY_PARTNER_NAMES
    )


def test_each_ustc_partnership_is_for_research_and_education(graph: Graph) -> None:
    assert (
        column(
            graph,
            """SELECT ?n WHERE { ?p a sdkg:Partnership ; sdkg:partner id:ustc , ?o ;
             sdkg:partnershipKind id:joint-research , id:joint-education .
             ?o rdfs:label ?n FILTER(?o != id:ustc) }""",
        )
        == ESSAY_PARTNER_NAMES
    )


def test_essay_names_kept_beside_official_names(graph: Graph) -> None:
    assert rows(
        graph,
        """SELECT ?essay ?official WHERE {
             VALUES ?o { id:university-of-oxford id:mit id:uc-berkeley }
             ?o rdfs:label ?essay ; skos:prefLabel ?official }""",
    ) == {
        ("Oxford University", "University of Oxford"),
        ("MIT", "Massachusetts Institute of Technology"),
        ("Berkeley", "University of California, Berkeley"),
    }


def test_ustc_has_approximately_18000_students(graph: Graph) -> None:
    assert quantities(graph, "id:ustc", "sdkg:numberOfStudents") == {("18000", "approximately")}


def test_ustc_mission_statement(graph: Graph) -> None:
    assert column(graph, "SELECT ?m WHERE { id:ustc sdkg:missionStatement ?m }") == {
        "To Build a Global University and Educate the Brilliant of the World."
    }


def test_ustc_pedagogical_philosophy(graph: Graph) -> None:
    assert column(graph, "SELECT ?p WHERE { id:ustc sdkg:pedagogicalPhilosophy ?p }") == {
        "integrates teaching with research and theory with practice"
    }


def test_ustc_official_chinese_name(graph: Graph) -> None:
    # Reference material: the ROR record 04c4dkn09 carries the Chinese label.
    assert ask(graph, 'ASK { id:ustc skos:prefLabel "中国科学技术大学"@zh-Hans }')


# --- Centres and programmes ----------------------------------------------------


def test_five_centres_organized_by_cas_and_twas(graph: Graph) -> None:
    centres = column(
        graph,
        """SELECT ?c WHERE { ?c a sdkg:CentreOfExcellence ;
             sdkg:jointlyOrganizedBy id:cas , id:twas }""",
    )
    assert len(centres) == 5


def test_the_centres_and_their_acronyms(graph: Graph) -> None:
    assert rows(
        graph,
        "SELECT ?n ?a WHERE { ?c a sdkg:CentreOfExcellence ; rdfs:label ?n ; sdkg:acronym ?a }",
    ) == {
        ("CAS-TWAS Center of Excellence for Biotechnology", "CoEBio"),
        ("CAS-TWAS Center of Excellence for Water and Environment", "CEWE"),
        ("CAS-TWAS Center of Excellence for Climate and Environment Sciences", "ICCES"),
        ("CAS-TWAS Center of Excellence for Green Technology", "CEGT"),
        ("CAS-TWAS Center of Excellence on Space Science for Disaster Mitigation", "SDIM"),
    }


def test_centres_are_for_researchers_from_developing_countries(graph: Graph) -> None:
    assert column(
        graph,
        "SELECT DISTINCT ?a WHERE { ?c a sdkg:CentreOfExcellence ; schema:audience/rdfs:label ?a }",
    ) == {"researchers and scholars from developing countries"}


def test_centres_offer_study_training_and_work(graph: Graph) -> None:
    assert column(
        graph,
        """SELECT ?o WHERE {
             id:cas-twas-centres-of-excellence sdkg:offersOpportunity/rdfs:label ?o }""",
    ) == {
        "study",
        "training",
        "work",
    }


def test_centres_are_in_beijing(graph: Graph) -> None:
    assert column(
        graph,
        "SELECT DISTINCT ?p WHERE { ?c a sdkg:CentreOfExcellence ; schema:location/rdfs:label ?p }",
    ) == {"Beijing"}


def test_climate_and_disaster_research_areas(graph: Graph) -> None:
    assert rows(
        graph,
        """SELECT ?a ?r WHERE { VALUES ?c { id:icces id:sdim }
             ?c sdkg:acronym ?a ; sdkg:researchArea/rdfs:label ?r }""",
    ) == {
        ("ICCES", "climate and environment sciences"),
        ("SDIM", "space science for disaster mitigation"),
    }


def test_cas_and_twas_programmes_build_a_bridge_to_diplomacy(graph: Graph) -> None:
    assert ask(
        graph,
        """ASK { ?p a sdkg:Programme ; sdkg:jointlyOrganizedBy id:cas , id:twas ;
                 sdkg:principalAim ?a
                 FILTER(CONTAINS(?a, "bridge between the worlds of science, technology")) }""",
    )


def test_centre_hosts_come_from_the_reference_notes(graph: Graph) -> None:
    # Reference material (not the essay): CoEBio is hosted by the Institute of Microbiology.
    assert ask(
        graph,
        """ASK { id:coebio sdkg:hostedBy id:imcas .
                 ?e rdf:subject id:coebio ; rdf:predicate sdkg:hostedBy ;
                    dcterms:source id:reference-notes }""",
    )


# --- People, the essay and its quotation ----------------------------------------


def test_essay_title_and_author(graph: Graph) -> None:
    assert rows(
        graph, f"SELECT ?t ?a WHERE {{ {ESSAY} dcterms:title ?t ; schema:author/rdfs:label ?a }}"
    ) == {("CAS TWAS Science Diplomacy", "Mirza A.A. Baig")}


def test_author_is_cas_twas_presidents_fellow_at_ustc(graph: Graph) -> None:
    assert rows(
        graph,
        """SELECT ?programme ?host WHERE { ?f a sdkg:Fellowship ; org:member id:mirza-baig ;
             org:organization/rdfs:label ?host ; sdkg:programme/rdfs:label ?programme }""",
    ) == {("CAS-TWAS President's Fellowship", "University of Science and Technology of China")}


def test_author_is_connected_to_twas_through_the_fellowship(graph: Graph) -> None:
    assert ask(
        graph, f"ASK {{ {ESSAY} schema:author/sdkg:fellowOf/sdkg:jointlyOrganizedBy id:twas }}"
    )


def test_opening_quotation_is_by_xi_jinping(graph: Graph) -> None:
    assert ask(
        graph,
        f"""ASK {{ ?q a schema:Quotation ; schema:creator/rdfs:label "Xi Jinping"@en ;
                  schema:isPartOf {ESSAY} ; schema:text ?t
                  FILTER(STRSTARTS(?t, "Nowadays the challenges for science and technology")) }}""",
    )


# --- Science diplomacy ------------------------------------------------------


def test_definition_of_science_diplomacy(graph: Graph) -> None:
    assert ask(
        graph,
        """ASK { id:science-diplomacy skos:altLabel "SD"@en ; skos:definition ?d
                 FILTER(CONTAINS(?d, "influence foreign policies with scientific advice")) }""",
    )


def test_fields_in_which_sd_cultivates_relations(graph: Graph) -> None:
    assert column(
        graph, "SELECT ?f WHERE { id:science-diplomacy sdkg:cultivatesRelationsIn/rdfs:label ?f }"
    ) == {
        "science",
        "technology",
        "innovation",
        "education",
    }


def test_global_challenges(graph: Graph) -> None:
    assert column(
        graph, "SELECT ?c WHERE { ?x skos:inScheme id:global-challenges ; rdfs:label ?c }"
    ) == {
        "climate change",
        "cyber security",
        "food security",
        "sustainable development",
        "demographic transformation",
        "energy",
    }


def test_dimensions_of_science_diplomacy(graph: Graph) -> None:
    assert column(
        graph, "SELECT ?d WHERE { ?x skos:broader id:science-diplomacy ; rdfs:label ?d }"
    ) == {
        "international scientific affiliation",
        "scientific advice and evidence for foreign policy",
        "foreign-policy instrument",
        "stabilizing relations between countries with conflicting systems",
    }


def test_benefit_stabilizing_effects_for_conflicting_systems(graph: Graph) -> None:
    assert ask(
        graph,
        """ASK { ?c a schema:Claim ; dcterms:type id:claim-kind-benefit ; schema:text ?t
                 FILTER(CONTAINS(?t, "stabilizing effects for countries with conflicting")) }""",
    )


def test_benefit_additional_foreign_policy_instrument(graph: Graph) -> None:
    assert ask(
        graph,
        """ASK { ?c dcterms:type id:claim-kind-benefit ;
                 schema:about id:sd-foreign-policy-instrument ;
                 schema:text ?t FILTER(CONTAINS(?t, "additional foreign policy instrument")) }""",
    )


def test_need_for_sd_growing_in_china(graph: Graph) -> None:
    assert ask(
        graph,
        """ASK { ?c schema:about id:science-diplomacy , id:china ; schema:text ?t
                 FILTER(CONTAINS(?t, "the need for SD is growing worldwide")) }""",
    )


def test_climate_change_relates_to_sdg_13(graph: Graph) -> None:
    # Reference material: UN SDG 13 "Climate action", an editorial skos:related mapping.
    assert ask(graph, "ASK { id:climate-change skos:related <http://metadata.un.org/sdg/13> }")
