"""The gate's report: lines of statements, the order to fix things in, unverified
links marked on the stored contribution and the entity page, and ``sdkg validate``
against the bundled graph (``--alone`` without it)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner
from support.contributing import (
    PREFIXES,
    TOKEN,
    UNVERIFIED_CASE,
    UNVERIFIED_ENTITY,
    UNVERIFIED_IRI,
    fellowship,
    post,
    write_tokens,
)

from sdkg import resources
from sdkg.cli import main


def cli(*args: str | Path):
    return CliRunner().invoke(main, ["validate", *map(str, args)])


def line_of(text: str, fragment: str) -> int:
    """The 1-based line of ``text`` holding ``fragment`` (exactly one line must)."""
    found = [n for n, line in enumerate(text.splitlines(), start=1) if fragment in line]
    assert len(found) == 1, (fragment, found)
    return found[0]


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("gate-report")


@pytest.fixture(scope="module")
def server(start_server, folder):
    tokens = write_tokens(folder)
    return start_server(
        "--memory",
        "--contributions",
        str(folder / "contributions"),
        env={"SDKG_TOKENS_FILE": str(tokens)},
    )


# --- lines and order ------------------------------------------------------------


MIXED = (
    PREFIXES
    + """@prefix owl: <http://www.w3.org/2002/07/owl#> .

id:institute-of-physics-cas a org:Organization , sdkg:ResearchInstitute ;
    skos:prefLabel "Institute of Physics, Chinese Academy of Sciences"@en ;
    schema:location id:beijing ;
    org:subOrganisationOf id:cas ;
    dcterms:source id:cas-twas-science-diplomacy-essay .
"""
)


def test_each_result_points_to_its_statement_and_the_first_is_the_one_to_fix(server):
    # Three problems on one node: a misspelled ORG property (fix first: the fact is
    # lost), a missing label (a shape), a location without evidence (evidence last).
    report = post(server.base, "validate", MIXED, token=None).json()
    violations = [r for r in report["results"] if r["severity"] == "Violation"]
    assert violations[0]["message"].startswith("org:subOrganisationOf is not a term")
    assert violations[0]["line"] == line_of(MIXED, "org:subOrganisationOf id:cas")
    paths = [r["path"] for r in violations]
    label = paths.index("http://www.w3.org/2000/01/rdf-schema#label")
    evidence = next(i for i, r in enumerate(violations) if "evidence" in r["message"])
    assert 0 < label < evidence
    assert violations[evidence]["line"] == line_of(MIXED, "schema:location id:beijing")
    # Warnings come after every violation.
    severities = [r["severity"] for r in report["results"]]
    assert severities == sorted(severities, key=["Violation", "Warning", "Info"].index)


def test_a_statement_in_a_multi_line_node_has_its_own_line_in_the_text_report(tmp_path):
    path = tmp_path / "institute.ttl"
    path.write_text(MIXED, encoding="utf-8")
    outcome = cli(path)
    assert outcome.exit_code == 1
    subject_line = line_of(MIXED, "id:institute-of-physics-cas a")
    statement_line = line_of(MIXED, "org:subOrganisationOf id:cas")
    assert f"id:institute-of-physics-cas  ({path}:{subject_line})" in outcome.stdout
    assert f"Violation (line {statement_line}): org:subOrganisationOf" in outcome.stdout


# --- sdkg validate ---------------------------------------------------------------


def test_cli_validates_against_the_bundled_graph_and_alone_on_request(tmp_path):
    path = tmp_path / "fellowship.ttl"
    path.write_text(fellowship("jane-doe"), encoding="utf-8")
    in_context = cli(path, "--format", "json")
    assert in_context.exit_code == 0, in_context.output
    assert json.loads(in_context.stdout)["conforms"] is True
    # By itself, the file cannot show that id:ustc is an organization.
    alone = cli(path, "--alone", "--format", "json")
    assert alone.exit_code == 1
    values = {r["value"] for r in json.loads(alone.stdout)["results"]}
    assert "https://w3id.org/sdkg/id/ustc" in values


def test_cli_checks_statements_added_to_existing_entities(tmp_path):
    path = tmp_path / "cas.ttl"
    path.write_text(PREFIXES + 'id:cas schema:foundingDate "1950"^^xsd:gYear .\n', "utf-8")
    report = json.loads(cli(path, "--format", "json").stdout)
    assert any("The graph already has" in r["message"] for r in report["results"])
    assert cli(path, "--alone").exit_code == 1  # alone: no second date, no evidence


def test_a_folder_without_rdf_files_is_an_error(tmp_path):
    (tmp_path / "README.md").write_text("no RDF here\n")
    outcome = cli(tmp_path)
    assert outcome.exit_code == 2
    assert outcome.stderr.startswith(f"sdkg validate: error: {tmp_path}: no RDF files")
    assert outcome.stdout == ""


# --- unverified links ------------------------------------------------------------


def html(url: str) -> str:
    response = requests.get(url, headers={"Accept": "text/html"}, timeout=30)
    assert response.status_code == 200, response.text
    return response.text


def contribute(base: str, body: str) -> dict:
    response = post(base, "contributions", body, token=TOKEN)
    assert response.status_code == 201, response.text
    return response.json()


def test_unverified_identifier_is_marked_on_the_contribution_and_the_entity_page(server):
    stored = contribute(server.base, UNVERIFIED_CASE.read_text("utf-8"))
    assert stored["unverified_links"] == [UNVERIFIED_IRI]
    listed = requests.get(server.base + "contributions", timeout=30).json()["contributions"]
    assert [c["unverified_links"] for c in listed if c["id"] == stored["id"]] == [[UNVERIFIED_IRI]]
    turtle = requests.get(
        server.base + stored["location"].lstrip("/"), params={"format": "turtle"}, timeout=30
    ).text
    assert f"sdkg:unverifiedLink <{UNVERIFIED_IRI}>" in turtle
    page = html(server.base + f"id/{UNVERIFIED_ENTITY}")
    assert page.count(">unverified</span>") == 1
    # A link the graph has verified is not marked.
    known = contribute(
        server.base, PREFIXES + "id:hefei skos:exactMatch <https://sws.geonames.org/1808722/> .\n"
    )
    assert known["unverified_links"] == []
    assert ">unverified</span>" not in html(server.base + "id/hefei")


def test_a_cached_record_confirms_an_unverified_link(server, folder, start_server, tmp_path):
    """Once a fetch has cached the identifier's record, neither the gate nor the page
    calls it unverified (a second server on the same contributions, with that cache)."""
    contribute(server.base, UNVERIFIED_CASE.read_text("utf-8"))
    data = tmp_path / "data"
    shutil.copytree(resources.bundled_path("data"), data)
    (data / "external" / "wikidata.ttl").write_text(
        f'<{UNVERIFIED_IRI}> <http://www.w3.org/2000/01/rdf-schema#label> "Bangladesh Academy of'
        ' Sciences"@en .\n',
        encoding="utf-8",
    )
    fetched = start_server(
        "--memory", "--data", str(data), "--contributions", str(folder / "contributions")
    )
    page = html(fetched.base + f"id/{UNVERIFIED_ENTITY}")
    assert "Bangladesh Academy of Sciences" in page
    assert ">unverified</span>" not in page
    report = post(fetched.base, "validate", UNVERIFIED_CASE.read_text("utf-8"), token=None).json()
    assert "is not a verified" not in "\n".join(r["message"] for r in report["results"])
