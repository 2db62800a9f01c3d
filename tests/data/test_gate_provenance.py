"""Evidence at the level of the value, and quotes checked against the documents' texts.

The cases are ``tests/fixtures/gate/evidence-*.ttl`` and ``quote-*.ttl``, each with its
``.expect.toml`` (verdict, strings the report must contain). Each goes through
``POST /validate`` and ``POST /contributions`` of the app over the bundled data, in-process;
the bundled data itself must pass both checks.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from support.contributing import FIXTURES, PREFIXES, submit, write_tokens

from sdkg import documents
from sdkg.gate import GateInput, evidence, quotes
from sdkg.validation import bundled_ontology, curated_data_files, load_rdf_files

GATE = FIXTURES / "gate"
CASES = sorted(GATE.glob("evidence-*.ttl")) + sorted(GATE.glob("quote-*.ttl"))
ESSAY = "https://w3id.org/sdkg/id/cas-twas-science-diplomacy-essay"


@pytest.fixture(scope="module")
def client(make_app, tmp_path_factory) -> FlaskClient:
    """The bundled data on the embedded store, contributions open (token from contributing)."""
    tokens = write_tokens(tmp_path_factory.mktemp("tokens"))
    folder = tmp_path_factory.mktemp("gate-contributions")
    return make_app(contributions_dir=folder, tokens_file=tokens).test_client()


def expectation(case: Path) -> dict:
    return tomllib.loads(case.with_suffix("").with_suffix(".expect.toml").read_text("utf-8"))


def messages(report: dict) -> str:
    return "\n".join(r["message"] for r in report["results"])


def test_at_least_twelve_evidence_and_quote_cases() -> None:
    assert len(CASES) >= 12
    verdicts = {expectation(c)["verdict"] for c in CASES}
    assert verdicts == {"accepted", "refused"}


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_case_through_validate_and_contributions(client, case: Path) -> None:
    expected = expectation(case)
    body = case.read_text("utf-8")
    report = submit(client, "/validate", body, token=None).get_json()
    text = messages(report)
    assert report["conforms"] is (expected["verdict"] == "accepted"), text
    for wanted in expected["must_contain"]:
        assert wanted in text, f"{wanted!r} not in:\n{text}"

    stored = submit(client, "/contributions", body)
    if expected["verdict"] == "refused":
        assert stored.status_code == 422, stored.text
        for wanted in expected["must_contain"]:
            assert wanted in messages(stored.get_json())
    else:
        assert stored.status_code == 201, stored.text
        assert messages(stored.get_json()["report"]) == text


def test_new_document_quote_is_marked_not_verified_in_json_and_page(client) -> None:
    body = (GATE / "quote-new-document-not-verified.ttl").read_text("utf-8")
    body = body.replace("salam-nobel-biography", "salam-nobel-biography-2")
    stored = submit(client, "/contributions", body)
    assert stored.status_code == 201, stored.text
    [info] = [r for r in stored.get_json()["report"]["results"] if r["severity"] == "Info"]
    assert info["message"].startswith("quote not verified")
    assert stored.get_json()["quotes_not_verified"] == [
        {
            "subject": "https://w3id.org/sdkg/id/abdus-salam",
            "source": "https://w3id.org/sdkg/id/salam-nobel-biography-2",
            "quote": "Abdus Salam was born in Jhang, a small town in what is now Pakistan, "
            "in 1926.",
            "status": "quote not verified",
        }
    ]
    page = client.get(stored.get_json()["location"], headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "quote not verified" in page.text
    assert "salam-nobel-biography-2" in page.text


def test_quotes_of_known_documents_are_not_marked(client) -> None:
    stored = submit(client, "/contributions", (GATE / "quote-from-ror-record.ttl").read_text())
    assert stored.status_code == 201, stored.text
    assert stored.get_json()["quotes_not_verified"] == []
    page = client.get(stored.get_json()["location"], headers={"Accept": "*/*"})
    assert "quote not verified" not in page.text


def test_evidence_in_the_store_backs_a_restated_fact(client) -> None:
    # USTC's membership of APRU has its evidence in the graph: restating it needs none.
    body = PREFIXES + "id:ustc org:memberOf id:apru .\n"
    report = submit(client, "/validate", body, token=None).get_json()
    assert report["results"] == []
    # ... but a new statement about USTC is not backed by USTC's other evidence.
    body = PREFIXES + 'id:ustc sdkg:acronym "UST China" .\n'
    report = submit(client, "/validate", body, token=None).get_json()
    assert report["conforms"] is False
    assert 'id:ustc sdkg:acronym "UST China"' in messages(report)


def test_bundled_data_passes_the_evidence_and_quote_checks() -> None:
    loaded = load_rdf_files(curated_data_files())
    gate = GateInput(loaded.graph, bundled_ontology().graph, loaded.locations, None)
    facts = evidence.facts_needing_evidence(gate.submission, gate.context)
    backed = {(s, p, o) for _, s, p, o in evidence.evidence_nodes(gate.submission)}
    assert [f for f in facts if f not in backed] == []
    assert len(facts) > 200  # acronyms, opportunities, partners, quantities' parts...
    assert evidence.check(gate) == []
    assert quotes.check(gate) == []
    assert len(quotes.quotes_in(gate.submission)) > 150


def test_bundled_data_conforms_with_sdkg_validate() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "sdkg.cli", "validate"], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines()[-1].startswith("conforms: 0 violations")


def test_every_cited_document_with_a_text_is_in_the_manifest() -> None:
    known = documents.known_documents()
    for doc in known.values():
        assert doc.path.is_file(), doc.path
        assert doc.text.strip()
    graph = load_rdf_files(curated_data_files()).graph
    cited = {str(q.source) for q in quotes.quotes_in(graph)}
    assert cited <= set(known), cited - set(known)
    assert ESSAY in known


def test_closest_passage_is_the_essays_sentence() -> None:
    essay = documents.document(ESSAY)
    found = documents.find_passage("TWAS was created in 1983 by Abdus Salam of Pakistan", essay)
    assert not found.found
    assert found.closest.startswith("TWAS was founded in 1983")
    # Curly quotes, dashes and line breaks are normalised; words are not.
    assert documents.find_passage(
        'regarded as the "Cradle of Scientific Elites" - one', essay
    ).found
    assert not documents.find_passage("regarded as the cradle of scientific elites", essay).found


def test_documents_are_not_loaded_as_graphs(client) -> None:
    answer = client.get(
        "/sparql",
        query_string={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"},
        headers={"Accept": "application/sparql-results+json"},
    ).get_json()
    graphs = {b["g"]["value"] for b in answer["results"]["bindings"]}
    assert not [g for g in graphs if "documents" in g]
    assert "https://w3id.org/sdkg/graph/organizations" in graphs


def test_blank_nodes_in_facts_and_evidence_get_a_report_not_a_500(client) -> None:
    body = PREFIXES + (
        "id:cas sdkg:advisesOn [ a skos:Concept ] .\n"
        "[] a sdkg:Evidence ; rdf:subject id:cas ; rdf:predicate sdkg:advisesOn ; rdf:object [] ;\n"
        "   dcterms:source id:cas-twas-science-diplomacy-essay ;\n"
        '   prov:value "providing advisory and appraisal services" .\n'
    )
    response = submit(client, "/validate", body, token=None)
    assert response.status_code == 200, response.text
    text = messages(response.get_json())
    assert "Fact without evidence" in text
    # Two different blank nodes: the evidence names another value than the statement.
    assert "Evidence contradicts the data" in text
