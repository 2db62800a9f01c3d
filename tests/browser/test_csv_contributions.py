"""Spreadsheet (CSV) contributions through a real server and the ``sdkg contribute`` command:
templates, mappings (ours and CSVW), reconciliation with existing entities, evidence for
every fact, the contribution gate, and reports that point to rows and columns.

Oracles: the bundled data (id:cas and its names), the essay's sentences used as quotes,
and SPARQL queries against the server after the fact; never the intake's own output.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys

import pytest
import requests
from support.browser import requires_chromium
from support.contributing import TOKEN, write_tokens
from support.sheets import sparql_json

ID = "https://w3id.org/sdkg/id/"
ESSAY = "CAS TWAS Science Diplomacy"
QUOTE_CAS = (
    "The Chinese Academy of Sciences (CAS) – the national academy of PRC, functioning as the "
    "national scientific think tank and academic governing body, providing advisory and "
    "appraisal services on issues stemming from the national economy, social development, "
    "and science and technology progress."
)
QUOTE_PARTNERS = (
    "It is engage in joint research and educational activities with internationally acclaimed "
    "organizations such as the European Organization for Nuclear Research (CERN), International "
    "Thermonuclear Experimental Reactor (ITER), the Max Planck Society, Oxford University, "
    "Heidelberg University, Stanford University, MIT, Berkeley, and Yale University, etc."
)
QUOTE_AUTHOR = "About the Author: Mirza A.A. Baig is CAS-TWAS President’s Fellow at USTC."
ORG_HEADER = ["Name", "Kind", "Acronym", "Parent", "City", "Country", "Founded", "Source", "Quote"]


@pytest.fixture(scope="module")
def tokens(tmp_path_factory):
    return write_tokens(tmp_path_factory.mktemp("tokens"))


@pytest.fixture(scope="module")
def server(start_server, tmp_path_factory, tokens):
    folder = tmp_path_factory.mktemp("contributions")
    return start_server(
        "--memory", "--contributions", str(folder), env={"SDKG_TOKENS_FILE": str(tokens)}
    )


def sheet(header: list[str], *rows: list[str]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def post(server, path: str, body: bytes, token: str | None = TOKEN, **params) -> requests.Response:
    headers = {"Content-Type": "text/csv"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return requests.post(server.base + path, data=body, params=params, headers=headers)


def ask(server, query: str) -> bool:
    return sparql_json(server, query)["boolean"]


def select(server, query: str) -> list[dict]:
    return sparql_json(server, query)["results"]["bindings"]


def count_contributions(server) -> int:
    return len(requests.get(server.base + "contributions").json()["contributions"])


# --------------------------------------------------------------------------- templates


@pytest.mark.parametrize("name", ["organizations", "partnerships", "fellowships"])
def test_templates_download_and_their_example_row_passes_the_gate(server, name):
    template = requests.get(server.base + f"contribute/templates/{name}.csv")
    assert template.status_code == 200
    assert template.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(template.text)))
    mapping = requests.get(server.base + f"contribute/templates/{name}.json").json()
    assert mapping["template"] == name
    assert rows[0] == list(mapping["columns"].values())
    assert len(rows) == 2  # the header and one example row
    report = post(server, "validate", template.content, token=None).json()
    assert report["conforms"] is True, report
    assert all(row["entity"] for row in report["rows"])


def test_the_contribute_page_links_the_templates(server):
    page = requests.get(server.base + "contribute", headers={"Accept": "text/html"}).text
    for name in ("organizations", "partnerships", "fellowships"):
        assert f'href="/contribute/templates/{name}.csv"' in page


# --------------------------------------------------------------------------- reconciled


def test_a_row_naming_an_existing_organization_adds_to_it_and_a_new_one_is_created(server):
    before = count_contributions(server)
    body = sheet(
        ORG_HEADER,
        ["Chinese Academy of Sciences", "", "CAS", "", "", "China", "", ESSAY, QUOTE_CAS],
        ["Academy of the Essay Readers", "research institute", "AER", "CAS", "Beijing", "China",
         "2024", ESSAY, QUOTE_CAS],
    )  # fmt: skip
    response = post(server, "contributions", body)
    assert response.status_code == 201, response.text
    answer = response.json()
    rows = {row["row"]: row for row in answer["report"]["rows"]}
    assert rows[2] == {**rows[2], "entity": ID + "cas", "new": False}
    assert rows[3]["new"] is True
    new = rows[3]["entity"]
    assert count_contributions(server) == before + 1
    # No second Chinese Academy of Sciences: one entity carries that name.
    named = select(
        server,
        "SELECT DISTINCT ?s WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> "
        f'"Chinese Academy of Sciences"@en FILTER(STRSTARTS(STR(?s), "{ID}")) }}',
    )
    assert [b["s"]["value"] for b in named] == [ID + "cas"]
    # The new organization, its parent and city, each fact with its evidence and quote.
    for predicate, obj in (
        ("http://www.w3.org/ns/org#subOrganizationOf", f"<{ID}cas>"),
        ("https://schema.org/location", f"<{ID}beijing>"),
        ("https://schema.org/foundingDate", '"2024"^^<http://www.w3.org/2001/XMLSchema#gYear>'),
        ("https://w3id.org/sdkg/ontology#acronym", '"AER"'),
    ):
        assert ask(
            server,
            f"""ASK {{ <{new}> <{predicate}> {obj} .
            ?e a <https://w3id.org/sdkg/ontology#Evidence> ;
               <http://www.w3.org/1999/02/22-rdf-syntax-ns#subject> <{new}> ;
               <http://www.w3.org/1999/02/22-rdf-syntax-ns#predicate> <{predicate}> ;
               <http://www.w3.org/1999/02/22-rdf-syntax-ns#object> {obj} ;
               <http://purl.org/dc/terms/source> <{ID}cas-twas-science-diplomacy-essay> ;
               <http://www.w3.org/ns/prov#value> ?quote
               FILTER(STR(?quote) = {json.dumps(QUOTE_CAS)}) }}""",
        ), predicate
    # It is found by name at once (the name index follows the store).
    hits = requests.get(server.base + "search", params={"q": "AER", "format": "json"}).json()[
        "hits"
    ]
    assert hits[0]["iri"] == new


def test_sending_the_same_rows_again_adds_nothing(server):
    body = sheet(ORG_HEADER, ["CAS", "", "CAS", "", "", "China", "", ESSAY, QUOTE_CAS])
    first = post(server, "contributions", body)
    assert first.status_code in (200, 201), first.text
    before = count_contributions(server)
    again = post(server, "contributions", body)
    assert again.status_code == 200 and again.json()["stored"] is False
    assert count_contributions(server) == before


def test_partnership_rows_name_existing_partners_and_state_the_shortcuts(server):
    body = sheet(
        ["Partner", "Other partner", "Kind", "Start date", "Source", "Quote"],
        ["CERN", "ITER", "joint research", "2020-01-15", ESSAY, QUOTE_PARTNERS],
    )
    response = post(server, "contributions", body)
    assert response.status_code == 201, response.text
    partnership = response.json()["report"]["rows"][0]["entity"]
    assert ask(
        server,
        f"""ASK {{ <{partnership}> a <https://w3id.org/sdkg/ontology#Partnership> ;
            <https://w3id.org/sdkg/ontology#partner> <{ID}cern> , <{ID}iter> ;
            <https://schema.org/startDate> ?d .
          <{ID}cern> <https://w3id.org/sdkg/ontology#jointResearchPartner> <{ID}iter> }}""",
    )


def test_fellowship_rows_create_the_fellow_once(server):
    body = sheet(
        ["Fellow", "Host", "Programme", "Source", "Quote"],
        ["Ada Example", "USTC", "CAS-TWAS President's Fellowship", ESSAY, QUOTE_AUTHOR],
        ["Ada Example", "University of Science and Technology of China",
         "cas-twas-presidents-fellowship", ESSAY, QUOTE_AUTHOR],
    )  # fmt: skip
    response = post(server, "contributions", body)
    assert response.status_code == 201, response.text
    people = select(
        server,
        'SELECT ?p WHERE { ?p <http://xmlns.com/foaf/0.1/name> "Ada Example" }',
    )
    assert len(people) == 1
    person = people[0]["p"]["value"]
    fellowships = select(
        server,
        f"SELECT ?f WHERE {{ ?f <http://www.w3.org/ns/org#member> <{person}> ; "
        f"<http://www.w3.org/ns/org#organization> <{ID}ustc> }}",
    )
    assert len(fellowships) == 1


# --------------------------------------------------------------------------- reports


def test_the_report_points_to_rows_and_columns_and_nothing_is_stored(server):
    before = count_contributions(server)
    body = sheet(
        ORG_HEADER,
        ["Chinese Academy of Sciences", "", "", "", "", "", "", ESSAY, QUOTE_CAS],
        ["Chinese Acadmy of Sciences", "", "", "", "", "", "", ESSAY, QUOTE_CAS],
        ["Sea Institute", "", "", "No Such Parent Body", "", "", "19x5", ESSAY, QUOTE_CAS],
        ["Lake Institute", "spaceship", "", "", "", "", "", "", ""],
    )
    response = post(server, "contributions", body)
    assert response.status_code == 422
    cells = {(r["row"], r["column"]) for r in response.json()["results"]}
    assert cells == {
        (3, "Name"),
        (4, "Parent"),
        (4, "Founded"),
        (5, "Source"),
        (5, "Quote"),
    }
    assert all("focus_node" not in r for r in response.json()["results"])
    assert count_contributions(server) == before
    assert not ask(server, 'ASK { ?s ?p "Sea Institute"@en }')


def test_a_gate_violation_is_reported_at_its_cell(server):
    # The graph says CAS was founded in 1949; a second founding year breaks sh:maxCount.
    body = sheet(
        ORG_HEADER,
        ["Chinese Academy of Sciences", "", "", "", "", "China", "1950", ESSAY, QUOTE_CAS],
    )
    response = post(server, "contributions", body)
    assert response.status_code == 422, response.text
    results = response.json()["results"]
    violations = [r for r in results if r["severity"] == "Violation"]
    assert violations
    assert {(r["row"], r["column"]) for r in violations} == {(2, "Founded")}
    assert "1949" in " ".join(r["message"] for r in violations)


# --------------------------------------------------------------------------- mappings


def test_a_mapping_names_other_columns_and_gives_defaults(server):
    body = sheet(
        ["Institution", "Land", "Evidence"],
        ["Chinese Academy of Sciences", "China", QUOTE_CAS],
    )
    mapping = {
        "template": "organizations",
        "columns": {"name": "Institution", "country": "Land", "quote": "Evidence"},
        "defaults": {"source": "cas-twas-science-diplomacy-essay"},
    }
    response = requests.post(
        server.base + "validate",
        files={
            "file": ("partners.csv", body, "text/csv"),
            "mapping": ("mapping.json", json.dumps(mapping), "application/json"),
        },
    )
    assert response.status_code == 200, response.text
    assert response.json()["rows"][0]["entity"] == ID + "cas"


def test_a_csvw_metadata_mapping_is_understood(server):
    body = sheet(["Institution", "Doc", "Words"], ["CAS", ESSAY, QUOTE_CAS])
    metadata = {
        "@context": "http://www.w3.org/ns/csvw",
        "url": "partners.csv",
        "tableSchema": {
            "columns": [
                {"titles": "Institution", "propertyUrl": "rdfs:label"},
                {"titles": "Doc", "propertyUrl": "http://purl.org/dc/terms/source"},
                {"titles": "Words", "propertyUrl": "prov:value"},
            ]
        },
    }
    response = post(
        server, "validate", body, token=None, template="organizations", mapping=json.dumps(metadata)
    )
    assert response.status_code == 200, response.text
    assert response.json()["rows"][0]["entity"] == ID + "cas"


@pytest.mark.parametrize(
    ("body", "params", "status", "words"),
    [
        ("Name,Quote\nx,y\n".encode("utf-16"), {}, 400, "UTF-8"),
        (b"Colour,Size\nred,3\n", {}, 400, "template"),
        (b"Name,Source,Quote\nx,y,z\n", {"template": "recipes"}, 400, "unknown template"),
        (b"Name,Source,Quote\nx,y,z\n", {"mapping": "{oops"}, 400, "not valid JSON"),
        (b"Name,Source\nx,y\n", {"template": "organizations"}, 400, "'Quote'"),
        (b"Name,Source,Quote\n", {}, 400, "no rows"),
        (b"Name,Source,Quote\nx,y,z,extra\n", {}, 400, "row 2"),
        (b"Name,Source,Quote\n" + b"x,y,z\n" * 2001, {}, 400, "at most 2000"),
    ],
)
def test_unusable_files_get_a_400_saying_what_to_do(server, body, params, status, words):
    before = count_contributions(server)
    response = post(server, "contributions", body, **params)
    assert response.status_code == status, response.text
    assert words in response.text and "Traceback" not in response.text
    assert count_contributions(server) == before


def test_contributing_needs_a_token(server):
    body = sheet(ORG_HEADER, ["CAS", "", "", "", "", "", "", ESSAY, QUOTE_CAS])
    assert post(server, "contributions", body, token=None).status_code == 401


# --------------------------------------------------------------------------- the command


def run_cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sdkg.cli", "contribute", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=300,
    )


def test_the_command_checks_locally_and_names_rows_and_columns(tmp_path):
    path = tmp_path / "orgs.csv"
    path.write_bytes(
        sheet(
            ORG_HEADER,
            ["Chinese Academy of Sciences", "", "CAS", "", "", "China", "", ESSAY, QUOTE_CAS],
            ["Chinese Acadmy of Sciences", "", "", "", "", "", "", ESSAY, QUOTE_CAS],
        )
    )
    refused = run_cli(str(path), "--memory")
    assert refused.returncode == 1, refused.stderr
    assert "row 3, column 'Name'" in refused.stdout and "cas" in refused.stdout
    path.write_bytes(sheet(ORG_HEADER, ["CAS", "", "", "", "", "China", "", ESSAY, QUOTE_CAS]))
    accepted = run_cli(str(path), "--memory", "--format", "json")
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert json.loads(accepted.stdout)["rows"][0]["entity"] == ID + "cas"
    unusable = run_cli(str(path), "--memory", "--template", "fellowships")
    assert unusable.returncode == 2 and "Fellow" in unusable.stderr


def test_the_command_submits_to_a_server_with_the_token_from_the_environment(server, tmp_path):
    path = tmp_path / "fellows.csv"
    path.write_bytes(
        sheet(
            ["Fellow", "Host", "Programme", "Source", "Quote"],
            ["Bo Example", "USTC", "CAS-TWAS President's Fellowship", ESSAY, QUOTE_AUTHOR],
        )
    )
    before = count_contributions(server)
    without = run_cli(str(path), "--server", server.base, env={"SDKG_TOKEN": ""})
    assert without.returncode == 2 and "SDKG_TOKEN" in without.stderr
    done = run_cli(str(path), "--server", server.base, env={"SDKG_TOKEN": TOKEN})
    assert done.returncode == 0, done.stdout + done.stderr
    assert "stored" in done.stdout
    assert count_contributions(server) == before + 1


# --------------------------------------------------------------------------- the page


@requires_chromium
def test_the_contribute_page_validates_a_spreadsheet_and_shows_rows_and_columns(
    browser, server, tmp_path
):
    path = tmp_path / "partners.csv"
    path.write_bytes(
        sheet(
            ORG_HEADER,
            ["Chinese Academy of Sciences", "", "CAS", "", "", "China", "", ESSAY, QUOTE_CAS],
            ["Chinese Acadmy of Sciences", "", "", "", "", "", "", ESSAY, QUOTE_CAS],
        )
    )
    page = browser.new_page()
    try:
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(server.base + "contribute")
        page.set_input_files("#file", str(path))
        page.get_by_text("Loaded partners.csv").wait_for()
        assert page.locator("#format").input_value() == "text/csv"
        page.click("#validate")
        page.get_by_text("Does not conform").wait_for()
        item = page.locator("#report li").first
        assert "row 3, column “Name”" in item.inner_text()
        assert "close to the existing cas" in item.inner_text()
        assert errors == []
    finally:
        page.close()


def test_a_spreadsheet_validation_has_the_same_time_limit_as_any(start_server):
    # CSV goes through the same stoppable validation as Turtle (issue 11, item 2).
    server = start_server("--memory", "--validation-timeout", "1")
    rows = [
        [f"Institute of Imaginary Studies {n}", "research institute", f"IIS{n}",
         "Chinese Academy of Sciences", "Beijing", "China", "1990", ESSAY, QUOTE_CAS]
        for n in range(300)  # about 9,600 triples: under the triple limit
    ]  # fmt: skip
    response = post(server, "validate", sheet(ORG_HEADER, *rows), token=None)
    assert response.status_code == 503, response.text[:500]
    assert "validation exceeded the 1 s limit" in response.text
    assert "--validation-timeout" in response.text
    assert "Traceback" not in server.log_text()
