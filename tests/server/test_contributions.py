"""POST/GET/DELETE /contributions through a real two-worker server."""

from __future__ import annotations

import hashlib
import json
import threading
import time

import pytest
import requests
from rdflib import Graph, URIRef
from support.contributing import (
    ALICE,
    BOB,
    OTHER_TOKEN,
    PREFIXES,
    TOKEN,
    ask,
    both_workers,
    dump_lines,
    fellowship,
    post,
    withdraw,
    write_tokens,
)
from support.servers import BACKENDS, start_on

GRAPH = "https://w3id.org/sdkg/graph/contribution/"
ID = "https://w3id.org/sdkg/id/"


@pytest.fixture(scope="module", params=BACKENDS)
def store_backend(request) -> str:
    """Every test of this module runs on the embedded store and in front of Virtuoso."""
    return request.param


@pytest.fixture(scope="module")
def folder(tmp_path_factory, store_backend):
    return tmp_path_factory.mktemp(f"contributions-{store_backend}")


@pytest.fixture(scope="module")
def server(start_server, store_args, store_backend, folder, tmp_path_factory):
    tokens = write_tokens(tmp_path_factory.mktemp("tokens"))
    return start_on(
        start_server,
        store_args,
        store_backend,
        "contributions",
        "--workers",
        "2",
        "--threads",
        "4",
        "--contributions",
        str(folder / "files"),
        env={"SDKG_TOKENS_FILE": str(tokens)},
    )


def files(folder) -> list[str]:
    return sorted(p.name for p in (folder / "files").iterdir() if not p.name.startswith("."))


def listed(server) -> dict[str, dict]:
    response = requests.get(server.base + "contributions", timeout=30)
    response.raise_for_status()
    return {c["id"]: c for c in response.json()["contributions"]}


# --- authentication ----------------------------------------------------------


def test_missing_or_wrong_token_is_401_and_stores_nothing(server, folder):
    before = files(folder)
    missing = post(server.base, "contributions", fellowship("no-token"), token=None)
    assert missing.status_code == 401
    assert missing.headers["WWW-Authenticate"].startswith("Bearer")
    wrong = post(
        server.base, "contributions", fellowship("no-token"), token="not-a-real-token-at-all"
    )
    assert wrong.status_code == 401
    assert 'error="invalid_token"' in wrong.headers["WWW-Authenticate"]
    assert files(folder) == before
    assert not ask(server.base, f"ASK {{ <{ID}no-token> ?p ?o }}")


def test_tokens_never_appear_in_the_log(server):
    post(server.base, "contributions", fellowship("log-check"), token="a-wrong-token-in-the-log")
    post(server.base, "contributions", "not turtle at all", token=TOKEN)
    log = server.log_text()
    assert "POST /contributions" in log  # the access log is on
    for secret in (TOKEN, OTHER_TOKEN, "a-wrong-token-in-the-log"):
        assert secret not in log


# --- accepting -----------------------------------------------------------------


def test_conforming_contribution_is_stored_loaded_and_described(server, folder):
    body = fellowship("ada-lovelace")
    response = post(
        server.base,
        "contributions",
        body,
        headers={"X-Contribution-Note": "from the 2015 annual report", "User-Agent": "test/1.0"},
    )
    assert response.status_code == 201, response.text
    created = response.json()
    cid = created["id"]
    assert response.headers["Location"] == f"/contributions/{cid}"
    assert created["graph"] == GRAPH + cid
    assert created["contributor"] == ALICE
    assert created["triples"] == 9
    assert created["sha256"] == hashlib.sha256(body.encode()).hexdigest()
    assert created["report"]["conforms"] is True
    # The file is the truth: it holds the triples and the provenance.
    stored = Graph().parse((folder / "files" / f"{cid}.ttl").read_bytes(), format="turtle")
    assert len(stored) > 9
    # Loaded as its own named graph with PROV metadata, in every worker.
    query = f"""PREFIX prov: <http://www.w3.org/ns/prov#>
    PREFIX spdx: <http://spdx.org/rdf/terms#> PREFIX void: <http://rdfs.org/ns/void#>
    PREFIX dcterms: <http://purl.org/dc/terms/>
    ASK {{ GRAPH <{GRAPH}{cid}> {{
        <{ID}ada-lovelace-fellowship> ?p ?o .
        <{GRAPH}{cid}> prov:wasAttributedTo <{ALICE}> ; prov:generatedAtTime ?t ;
            void:triples 9 ; dcterms:description "from the 2015 annual report" ;
            <http://www.w3.org/2011/http-headers#user-agent> "test/1.0" ;
            spdx:checksum/spdx:checksumValue "{created["sha256"]}" . }} }}"""
    for _ in range(20):
        assert ask(server.base, query)
    entry = listed(server)[cid]
    assert (entry["contributor"], entry["triples"], entry["status"]) == (ALICE, 9, "active")


def test_accepted_contribution_is_visible_to_every_worker(server):
    baseline = {}

    def record(health):
        baseline.setdefault(health["pid"], health["triples"])
        return True

    both_workers(server, record)
    response = post(server.base, "contributions", fellowship("grace-hopper"))
    assert response.status_code == 201
    # Every worker now holds more triples than before, without a restart.
    both_workers(server, lambda h: h["triples"] > baseline.get(h["pid"], 0))


def test_every_worker_finds_a_contributed_entity_as_a_duplicate_until_it_is_withdrawn(server):
    created = post(server.base, "contributions", fellowship("ada-twin-check"))
    assert created.status_code == 201
    twin = PREFIXES + (
        'id:another-ada a foaf:Person ; rdfs:label "FELLOW Ada Twin-Check"@en ;\n'
        "    dcterms:source id:cas-twas-science-diplomacy-essay .\n"
    )

    def warned_by(session: requests.Session) -> bool:
        report = session.post(server.base + "validate", data=twin.encode(),
                               headers={"Content-Type": "text/turtle"}, timeout=60)  # fmt: skip
        assert report.status_code == 200, report.text
        return any("Likely a duplicate of id:ada-twin-check" in r["message"]
                   for r in report.json()["results"])  # fmt: skip

    # A new connection each time, so both workers answer (the name index is shared).
    for _ in range(6):
        with requests.Session() as session:
            assert warned_by(session)
    assert withdraw(server.base, created.json()["id"]).status_code == 200
    for _ in range(6):
        with requests.Session() as session:
            assert not warned_by(session)


def test_contributor_name_and_formats(server):
    response = post(server.base, "contributions", fellowship("rosalind"), token=OTHER_TOKEN)
    assert response.status_code == 201
    cid = response.json()["id"]
    assert response.json()["contributor"] == BOB
    for accept, media_type in [
        ("text/turtle", "text/turtle"),
        ("application/n-triples", "application/n-triples"),
        ("application/ld+json", "application/ld+json"),
        ("application/rdf+xml", "application/rdf+xml"),
    ]:
        got = requests.get(
            server.base + f"contributions/{cid}", headers={"Accept": accept}, timeout=30
        )
        assert got.status_code == 200
        assert got.headers["Content-Type"].startswith(media_type)
        rdflib_format = {"application/ld+json": "json-ld", "application/rdf+xml": "xml"}.get(
            media_type, media_type
        )
        graph = Graph().parse(data=got.content, format=rdflib_format)
        assert (URIRef(ID + "rosalind"), None, None) in graph
        names = {str(o) for o in graph.objects(None, URIRef("http://xmlns.com/foaf/0.1/name"))}
        assert names == {BOB}


def test_non_conforming_contribution_is_422_with_the_report_and_changes_nothing(server, folder):
    before_files, before_dump = files(folder), dump_lines(server.base)
    response = post(
        server.base,
        "contributions",
        fellowship("nobody", host="id:beijing"),
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 422
    violations = [r for r in response.json()["results"] if r["severity"] == "Violation"]
    assert [v["value"] for v in violations] == [ID + "beijing"]
    turtle = post(
        server.base,
        "contributions",
        fellowship("nobody", host="id:beijing"),
        headers={"Accept": "text/turtle"},
    )
    assert turtle.status_code == 422
    assert "sh:ValidationReport" in turtle.text
    assert files(folder) == before_files
    assert dump_lines(server.base) == before_dump


def test_later_contribution_is_validated_against_earlier_ones(server):
    first = PREFIXES + (
        "id:new-academy a org:Organization , sdkg:NationalAcademy ;\n"
        '    rdfs:label "New Academy"@en ; skos:prefLabel "New Academy of Sciences"@en ;\n'
        '    schema:foundingDate "2001"^^xsd:gYear ;\n'
        "    dcterms:source id:cas-twas-science-diplomacy-essay .\n"
        "[] a sdkg:Evidence ; rdf:subject id:new-academy ; rdf:predicate schema:foundingDate ;\n"
        '   rdf:object "2001"^^xsd:gYear ; dcterms:source id:new-academy-charter ;\n'
        '   prov:value "founded in 2001" .\n'
        'id:new-academy-charter a foaf:Document ; rdfs:label "Charter of the New Academy"@en ;\n'
        "   foaf:homepage <https://example.org/new-academy/charter> .\n"
    )
    assert post(server.base, "contributions", first).status_code == 201, "first"
    second = PREFIXES + (
        'id:new-academy schema:foundingDate "2002"^^xsd:gYear .\n'
        "[] a sdkg:Evidence ; rdf:subject id:new-academy ; rdf:predicate schema:foundingDate ;\n"
        '   rdf:object "2002"^^xsd:gYear ; dcterms:source id:new-academy-charter ;\n'
        '   prov:value "founded in 2002" .\n'
    )
    response = post(server.base, "contributions", second)
    assert response.status_code == 422
    [violation] = [r for r in response.json()["results"] if r["severity"] == "Violation"]
    message = violation["message"]
    assert '"2001"^^xsd:gYear' in message and '"2002"^^xsd:gYear' in message


def test_two_contributions_at_the_same_moment_both_land(server):
    start = threading.Barrier(2)
    answers: dict[str, requests.Response] = {}

    def send(slug: str) -> None:
        start.wait()
        answers[slug] = post(server.base, "contributions", fellowship(slug))

    threads = [threading.Thread(target=send, args=(s,)) for s in ("twin-one", "twin-two")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert {a.status_code for a in answers.values()} == {201}
    ids = {a.json()["id"] for a in answers.values()}
    assert len(ids) == 2 and ids <= set(listed(server))
    for slug in ("twin-one", "twin-two"):
        assert ask(server.base, f"ASK {{ <{ID}{slug}-fellowship> ?p ?o }}")


# --- withdrawing -------------------------------------------------------------------


def test_withdrawal_removes_the_graph_and_keeps_the_file(server, folder):
    created = post(server.base, "contributions", fellowship("withdrawn-fellow")).json()
    cid = created["id"]
    url = server.base + f"contributions/{cid}"
    assert requests.delete(url, timeout=30).status_code == 401
    # Bob did not make it and is no curator (tests/server/test_contributions_security.py has more).
    refused = withdraw(server.base, cid, OTHER_TOKEN)
    assert refused.status_code == 403
    response = withdraw(server.base, cid)
    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"
    assert response.json()["withdrawn"]["by"] == ALICE
    # Gone from the store in every worker ...
    both_workers(server, lambda h: True)
    for _ in range(20):
        assert not ask(server.base, f"ASK {{ GRAPH <{GRAPH}{cid}> {{ ?s ?p ?o }} }}")
    # ... but the file is kept, marked as withdrawn.
    assert f"{cid}.ttl" in files(folder)
    sidecar = json.loads((folder / "files" / f"{cid}.withdrawn").read_text())
    assert sidecar["by"] == ALICE
    assert listed(server)[cid]["status"] == "withdrawn"
    gone = requests.get(url, timeout=30)
    assert gone.status_code == 410 and "withdrawn" in gone.text
    again = withdraw(server.base, cid)
    assert again.status_code == 410


def test_unknown_or_malformed_ids_are_404(server):
    for cid in ("20200101-000000-000000-00000000", "x", "..ttl"):
        response = requests.get(server.base + f"contributions/{cid}", timeout=30)
        assert response.status_code == 404
        assert f"there is no contribution '{cid}'" in response.text
    traversal = requests.get(server.base + "contributions/..%2F..%2Fetc%2Fpasswd", timeout=30)
    assert traversal.status_code == 404


def test_listing_is_oldest_first(server):
    ids = list(listed(server))
    assert ids == sorted(ids) and len(ids) >= 3
    times = [c["time"] for c in listed(server).values()]
    assert times == sorted(times)
    assert time.strftime("%Y") in times[-1]
