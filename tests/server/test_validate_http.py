"""POST /validate through a real server: formats, the closure, negotiation, CLI agreement."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import requests
from rdflib import RDF, SH, Graph, Literal, URIRef
from support.contributing import FIXTURES, PREFIXES, fellowship, post
from support.servers import BACKENDS, start_on

from sdkg.closure import closure_query, fetch_closure
from sdkg.config import Settings
from sdkg.store import open_local_store

ID = "https://w3id.org/sdkg/id/"
INVALID = FIXTURES / "invalid"


@pytest.fixture(scope="module", params=BACKENDS)
def server(request, start_server, store_args):
    """The bundled data (in memory, or in Virtuoso), no tokens file: contributions closed."""
    return start_on(start_server, store_args, request.param, "bundled")


def validate(server, body: str | bytes, content_type: str = "text/turtle", **kw):
    return post(server.base, "validate", body, content_type=content_type, token=None, **kw)


def results(response: requests.Response) -> list[dict]:
    assert response.status_code == 200, response.text
    return response.json()["results"]


# --- the closure: the submission is checked against the graph -----------------


def test_new_fellowship_hosted_by_existing_ustc_conforms_without_false_errors(server):
    response = validate(server, fellowship("jane-doe"))
    report = response.json()
    assert report["conforms"] is True
    # The only result: the new person has no external link (a warning).
    assert [(r["focus_node"], r["severity"]) for r in report["results"]] == [
        (ID + "jane-doe", "Warning")
    ]
    assert report["closure"]["existing_subjects"] == 0
    assert report["closure"]["triples"] > 0


def test_reference_to_an_entity_the_graph_lacks_fails_with_the_value(server):
    response = validate(server, fellowship("jane-doe", host="id:no-such-university"))
    violations = [r for r in results(response) if r["severity"] == "Violation"]
    assert len(violations) == 1
    assert violations[0]["path"] == "http://www.w3.org/ns/org#organization"
    assert violations[0]["value"] == ID + "no-such-university"
    assert "must be the host organization" in violations[0]["message"]


def test_reference_to_an_entity_of_the_wrong_kind_fails(server):
    # id:beijing exists, but is a city, not an organization.
    response = validate(server, fellowship("jane-doe", host="id:beijing"))
    values = [r["value"] for r in results(response) if r["severity"] == "Violation"]
    assert values == [ID + "beijing"]


SECOND_FOUNDING_DATE = (
    PREFIXES
    + """
id:cas schema:foundingDate "1950"^^xsd:gYear .
[] a sdkg:Evidence ; rdf:subject id:cas ; rdf:predicate schema:foundingDate ;
   rdf:object "1950"^^xsd:gYear ; dcterms:source id:cas-history-page ;
   prov:value "CAS was founded in 1950" .
id:cas-history-page a foaf:Document ; rdfs:label "A page on the history of CAS"@en ;
   foaf:homepage <https://example.org/cas-history> .
"""
)


def test_second_founding_date_for_cas_fails_naming_both_values(server):
    # (The quote of the new document cannot be checked: an Info result, not counted here.)
    found = [r for r in results(validate(server, SECOND_FOUNDING_DATE)) if r["severity"] != "Info"]
    assert len(found) == 1
    result = found[0]
    assert result["focus_node"] == ID + "cas"
    assert result["constraint"] == "sh:MaxCountConstraintComponent"
    # The line where id:cas is a subject in the body.
    assert (
        result["line"]
        == SECOND_FOUNDING_DATE.splitlines().index('id:cas schema:foundingDate "1950"^^xsd:gYear .')
        + 1
    )
    assert '"1949"^^xsd:gYear' in result["message"]
    assert '"1950"^^xsd:gYear' in result["message"]
    assert result["message"].index("1949") < result["message"].index("1950")


def test_new_fact_about_existing_cas_sees_its_existing_triples(server):
    # CAS's label, names and sources are in the graph, not in the submission:
    # without them every sh:minCount on CAS would fail.
    body = PREFIXES + (
        'id:cas sdkg:nickname "the national scientific think tank"@en .\n'
        "[] a sdkg:Evidence ; rdf:subject id:cas ; rdf:predicate sdkg:nickname ;\n"
        '   rdf:object "the national scientific think tank"@en ;\n'
        "   dcterms:source id:cas-twas-science-diplomacy-essay ;\n"
        '   prov:value "functioning as the national scientific think tank" .\n'
    )
    report = validate(server, body).json()
    assert report["results"] == []
    assert report["closure"]["existing_subjects"] == 1


def test_new_fact_without_its_evidence_fails(server):
    body = PREFIXES + 'id:cas sdkg:nickname "The Academy"@en .\n'
    found = results(validate(server, body))
    assert len(found) == 1
    assert found[0]["shape"].startswith("https://w3id.org/sdkg/shapes#NicknameEvidenceShape")
    assert found[0]["message"].startswith("Fact without evidence")


def test_untyped_new_node_is_a_violation(server):
    found = results(validate(server, PREFIXES + 'id:mystery rdfs:label "Mystery"@en .\n'))
    assert [(r["focus_node"], r["path"]) for r in found] == [(ID + "mystery", str(RDF.type))]
    assert "No rdf:type" in found[0]["message"]


def test_closure_is_types_of_mentioned_iris_and_descriptions_of_existing_subjects():
    store = open_local_store(Settings(memory=True))
    submission = Graph().parse(data=SECOND_FOUNDING_DATE, format="turtle")
    closure = fetch_closure(submission, store)
    cas, twas = URIRef(ID + "cas"), URIRef(ID + "twas")
    essay = URIRef(ID + "cas-twas-science-diplomacy-essay")
    schema = "https://schema.org/"
    # CAS, an existing subject, comes with its triples (the old founding date too)...
    assert (cas, URIRef(schema + "foundingDate"), Literal("1949", datatype=URIRef(
        "http://www.w3.org/2001/XMLSchema#gYear"))) in closure  # fmt: skip
    # ... and with its existing evidence nodes' subject and predicate.
    evidence_predicates = {
        closure.value(e, RDF.predicate) for e in closure.subjects(RDF.subject, cas)
    }
    assert URIRef(schema + "foundingDate") in evidence_predicates
    # The essay is only pointed at: its types, nothing else.
    assert set(closure.predicates(essay, None)) == {RDF.type}
    # Entities the submission does not mention are not pulled in.
    assert (twas, None, None) not in closure
    # Plain strings come back as plain literals (not ^^xsd:string): sh:in works.
    assert Literal("CAS") in set(closure.objects(cas, None))
    assert "VALUES" in closure_query(submission)


# --- formats and ways to send -------------------------------------------------


FORMATS = [
    ("nt", "application/n-triples"),
    ("json-ld", "application/ld+json"),
    ("xml", "application/rdf+xml"),
]


def _comparable(report: dict) -> list[tuple]:
    return sorted(
        (r["focus_node"], r["path"], r["value"], r["severity"], r["constraint"], r["shape"])
        for r in report["results"]
    )


@pytest.mark.parametrize(("rdflib_format", "media_type"), FORMATS)
def test_every_format_gives_the_same_report(server, rdflib_format, media_type):
    turtle = fellowship("jane-doe", host="id:beijing")
    expected = validate(server, turtle).json()
    body = Graph().parse(data=turtle, format="turtle").serialize(format=rdflib_format)
    report = validate(server, body, media_type).json()
    assert _comparable(report) == _comparable(expected)
    assert report["summary"]["triples"] == expected["summary"]["triples"] == 9


def test_upload_and_pasted_text_give_the_same_report(server):
    turtle = fellowship("jane-doe", host="id:beijing")
    expected = validate(server, turtle).json()
    uploaded = requests.post(
        server.base + "validate",
        files={"file": ("fellowship.ttl", turtle.encode(), "application/octet-stream")},
        timeout=30,
    ).json()
    pasted = requests.post(
        server.base + "validate", data={"data": turtle, "format": "turtle"}, timeout=30
    ).json()
    assert _comparable(uploaded) == _comparable(pasted) == _comparable(expected)
    assert {r["file"] for r in uploaded["results"]} == {"fellowship.ttl"}


# --- negotiation ----------------------------------------------------------------


def test_report_negotiation_json_turtle_html(server):
    body = fellowship("jane-doe", host="id:beijing")
    default = validate(server, body, headers={"Accept": "*/*"})
    assert default.headers["Content-Type"].startswith("application/json")
    turtle = validate(server, body, headers={"Accept": "text/turtle"})
    assert turtle.headers["Content-Type"].startswith("text/turtle")
    graph = Graph().parse(data=turtle.text, format="turtle")
    report = graph.value(None, RDF.type, SH.ValidationReport, any=False)
    assert graph.value(report, SH.conforms) == Literal(False)
    focus = {graph.value(r, SH.focusNode) for r in graph.objects(report, SH.result)}
    assert focus == {URIRef(ID + "jane-doe-fellowship"), URIRef(ID + "jane-doe")}
    browser = validate(
        server, body, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    )
    assert browser.headers["Content-Type"].startswith("text/html")
    assert "must be the host organization" in browser.text
    assert "does not conform" in browser.text


def test_turtle_report_has_only_the_submissions_results(server):
    turtle = validate(server, SECOND_FOUNDING_DATE, headers={"Accept": "text/turtle"})
    graph = Graph().parse(data=turtle.text, format="turtle")
    found = [
        r
        for r in graph.subjects(RDF.type, SH.ValidationResult)
        if (r, SH.resultSeverity, SH.Info) not in graph
    ]
    assert len(found) == 1
    message = str(graph.value(found[0], SH.resultMessage))
    assert "1949" in message and "1950" in message


def test_form_page_for_browsers(server):
    page = requests.get(server.base + "validate", timeout=10)
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in page.text


def test_contributions_are_closed_without_tokens_file_but_validate_works(server):
    response = post(server.base, "contributions", fellowship("jane-doe"))
    assert response.status_code == 403
    assert response.text.strip() == "contributions are closed on this server (no SDKG_TOKENS_FILE)"
    assert validate(server, fellowship("jane-doe")).status_code == 200


# --- the CLI and HTTP agree -------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["two-founding-dates.ttl", "relation-to-wrong-kind.ttl", "missing-label.ttl"]
)
def test_cli_and_http_give_the_same_results(server, name):
    path = INVALID / name
    cli = subprocess.run(
        [sys.executable, "-m", "sdkg.cli", "validate", str(path), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert cli.returncode == 1, cli.stderr
    from_cli = json.loads(cli.stdout)
    from_http = requests.post(
        server.base + "validate",
        files={"file": (str(path), path.read_bytes(), "text/turtle")},
        timeout=30,
    ).json()
    assert from_http["results"], "the fixture must give at least one result"

    # Blank-node labels differ between runs; everything else must be equal.
    def normalized(report: dict) -> list[dict]:
        return [
            {k: ("_:" if str(v).startswith("_:") else v) for k, v in r.items()}
            for r in report["results"]
        ]

    assert normalized(from_http) == normalized(from_cli)
    assert from_http["conforms"] == from_cli["conforms"] is False
    assert from_http["summary"] == from_cli["summary"]


def test_unreadable_input_is_a_clear_400(server):
    response = validate(server, PREFIXES + "id:x rdfs:label 'unterminated .\n")
    assert response.status_code == 400
    line = len(PREFIXES.splitlines()) + 1
    assert response.text.startswith(f"cannot read the Turtle at line {line}, column")


def test_validate_changes_nothing(server):
    before = requests.get(server.base + "healthz", timeout=10).json()["triples"]
    validate(server, fellowship("someone-new"))
    assert requests.get(server.base + "healthz", timeout=10).json()["triples"] == before
