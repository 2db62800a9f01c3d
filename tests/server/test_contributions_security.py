"""Issue 11 on contributions, through real ``sdkg serve`` processes and the ``sdkg`` command:
who may withdraw, the tokens file, checksummed files, Idempotency-Key, vocabulary terms."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import requests
from support.contributing import ALICE, BOB, OTHER_TOKEN, PREFIXES, TOKEN, ask, fellowship, post

CURATOR_TOKEN = "test-token-carol-curator-0123"
CAROL = "https://orcid.org/0000-0001-5109-3700"
BAD_IRI_TOKEN = "test-token-with-a-bad-iri-000"
GRAPH = "https://w3id.org/sdkg/graph/contribution/"
ID = "https://w3id.org/sdkg/id/"


def write_tokens(folder: Path, extra: str = "") -> Path:
    """Alice and Bob (contributors, as in the older format) and Carol (a curator)."""
    path = folder / "tokens"
    path.write_text(
        f"# contribution tokens\n{TOKEN} {ALICE}\n{OTHER_TOKEN} {BOB}\n"
        f"{CURATOR_TOKEN} {CAROL} role=curator\n{extra}",
        encoding="utf-8",
    )
    path.chmod(0o600)
    return path


def start(start_server, contributions: Path, tokens: Path, *, wait: bool = True):
    return start_server(
        "--memory",
        "--contributions",
        str(contributions),
        "--tokens-file",
        str(tokens),
        wait=wait,
    )


def sdkg(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sdkg.cli", *args], capture_output=True, text=True, timeout=120
    )


def withdraw(server, cid: str, token: str) -> requests.Response:
    return requests.delete(
        server.base + f"contributions/{cid}",
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )


def stored_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.glob("*.ttl"))


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("secured") / "files"


@pytest.fixture(scope="module")
def server(start_server, folder, tmp_path_factory):
    return start(start_server, folder, write_tokens(tmp_path_factory.mktemp("tokens")))


# --- item 5: who may withdraw -----------------------------------------------------------


def test_another_contributor_may_not_withdraw_and_is_told_who_may(server):
    cid = post(server.base, "contributions", fellowship("withdraw-guarded")).json()["id"]
    refused = withdraw(server, cid, OTHER_TOKEN)
    assert refused.status_code == 403
    assert f"only the contributor who made contribution {cid} ({ALICE})" in refused.text
    assert "role curator or admin" in refused.text
    assert f"your token stands for {BOB}" in refused.text
    # Nothing changed: still active and still in the store.
    assert requests.get(server.base + f"contributions/{cid}", timeout=30).status_code == 200
    assert ask(server.base, f"ASK {{ GRAPH <{GRAPH}{cid}> {{ ?s ?p ?o }} }}")
    mine = withdraw(server, cid, TOKEN)
    assert mine.status_code == 200 and mine.json()["withdrawn"]["by"] == ALICE


def test_a_curator_may_withdraw_anyones_contribution(server):
    cid = post(server.base, "contributions", fellowship("by-bob"), token=OTHER_TOKEN).json()["id"]
    assert withdraw(server, cid, TOKEN).status_code == 403
    done = withdraw(server, cid, CURATOR_TOKEN)
    assert done.status_code == 200
    assert done.json()["withdrawn"]["by"] == CAROL
    assert not ask(server.base, f"ASK {{ GRAPH <{GRAPH}{cid}> {{ ?s ?p ?o }} }}")


# --- the tokens file, checked at start ----------------------------------------------------


def test_missing_tokens_file_stops_the_start_naming_it(start_server, tmp_path):
    missing = tmp_path / "no-such-tokens"
    server = start(start_server, tmp_path / "files", missing, wait=False)
    assert server.process.wait(60) != 0
    log = server.log_text()
    assert f"the tokens file {missing} does not exist" in log
    assert "Traceback" not in log


def test_tokens_file_warnings_at_start_and_a_bad_contributor_is_never_a_500(start_server, tmp_path):
    tokens = write_tokens(tmp_path, f"{BAD_IRI_TOKEN} https://orcid.org/0000 0002 bad\n")
    tokens.chmod(0o644)
    server = start(start_server, tmp_path / "files", tokens)
    log = server.log_text()
    assert f"the tokens file {tokens} can be read by other users (mode 0644)" in log
    assert f"{tokens} line 5: the contributor is not a valid IRI" in log
    assert BAD_IRI_TOKEN not in log
    answer = post(server.base, "contributions", fellowship("bad-iri"), token=BAD_IRI_TOKEN)
    assert answer.status_code == 401, answer.text
    assert stored_files(tmp_path / "files") == []


def test_empty_tokens_file_is_a_warning(start_server, tmp_path):
    tokens = tmp_path / "tokens"
    tokens.write_text("# nobody yet\n", encoding="utf-8")
    tokens.chmod(0o600)
    server = start(start_server, tmp_path / "files", tokens)
    assert f"the tokens file {tokens} holds no usable token" in server.log_text()
    assert post(server.base, "contributions", fellowship("nobody-yet")).status_code == 401


# --- checksums --------------------------------------------------------------------------


def test_damaged_files_are_not_served_and_are_reported(start_server, tmp_path):
    files = tmp_path / "files"
    tokens = write_tokens(tmp_path)
    first = start(start_server, files, tokens)
    ids = [
        post(first.base, "contributions", fellowship(slug)).json()["id"]
        for slug in ("kept-intact", "to-truncate", "to-edit")
    ]
    first.stop()
    intact, truncated, edited = (files / f"{cid}.ttl" for cid in ids)
    truncated.write_bytes(truncated.read_bytes()[:-40])
    edited.write_bytes(edited.read_bytes().replace(b"Fellow to-edit", b"Fellow EDITED"))

    checked = sdkg("contributions", "check", "--contributions", str(files))
    assert checked.returncode == 1
    assert f"damaged: {truncated}: the checksum does not match" in checked.stdout
    assert f"damaged: {edited}: the checksum does not match" in checked.stdout
    assert str(intact) not in checked.stdout
    assert "3 contribution file(s)" in checked.stdout and "1 intact, 2 damaged" in checked.stdout

    second = start(start_server, files, tokens)
    health = second.health()["contributions"]
    assert health["active"] == 1
    assert {(d["id"], d["path"]) for d in health["damaged"]} == {
        (ids[1], str(truncated)),
        (ids[2], str(edited)),
    }
    log = second.log_text()
    assert f"contribution file {truncated} is damaged, not served" in log
    assert f"contribution file {edited} is damaged, not served" in log
    assert not ask(second.base, 'ASK { ?s ?p "Fellow EDITED"@en }')
    assert ask(second.base, f"ASK {{ GRAPH <{GRAPH}{ids[0]}> {{ ?s ?p ?o }} }}")
    listed = {
        c["id"]
        for c in requests.get(second.base + "contributions", timeout=30).json()["contributions"]
    }
    assert listed == {ids[0]}
    for cid in ids[1:]:
        assert requests.get(second.base + f"contributions/{cid}", timeout=30).status_code == 404


def test_a_file_damaged_while_served_is_unavailable_not_an_error(server, folder):
    cid = post(server.base, "contributions", fellowship("damaged-later")).json()["id"]
    stored = folder / f"{cid}.ttl"
    intact = stored.read_bytes()
    stored.write_bytes(intact[:-40])
    try:
        response = requests.get(server.base + f"contributions/{cid}", timeout=30)
    finally:
        stored.write_bytes(intact)  # the module's other tests share this folder
    assert response.status_code == 503
    assert "its stored file is damaged" in response.text
    assert "sdkg contributions check" in response.text
    assert "Traceback" not in server.log_text()


def test_contributions_check_passes_on_intact_files(server, folder):
    post(server.base, "contributions", fellowship("check-me"))
    checked = sdkg("contributions", "check", "--contributions", str(folder))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    count = len(stored_files(folder))
    assert f"{count} contribution file(s) in {folder}: {count} intact, 0 damaged" in checked.stdout


# --- Idempotency-Key --------------------------------------------------------------------


def test_a_retry_with_the_same_key_returns_the_first_answer(start_server, tmp_path):
    files = tmp_path / "files"
    tokens = write_tokens(tmp_path)
    server = start(start_server, files, tokens)
    key = {"Idempotency-Key": "3f1c9a2e-retry-once"}
    body = fellowship("retried")
    first = post(server.base, "contributions", body, headers=key)
    assert first.status_code == 201
    again = post(server.base, "contributions", body, headers=key)
    assert again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert again.headers["Location"] == first.headers["Location"]
    assert again.json()["report"] == first.json()["report"]
    assert stored_files(files) == [f"{first.json()['id']}.ttl"]

    other = post(server.base, "contributions", fellowship("another-body"), headers=key)
    assert other.status_code == 422
    assert f"already used for contribution {first.json()['id']} with a different body" in (
        other.text
    )
    # Keys belong to one contributor: Bob's same key is a new submission of his.
    bobs = post(server.base, "contributions", fellowship("bobs"), token=OTHER_TOKEN, headers=key)
    assert bobs.status_code == 201 and bobs.json()["id"] != first.json()["id"]
    assert len(stored_files(files)) == 2

    # Keys survive a restart.
    server.stop()
    restarted = start(start_server, files, tokens)
    after = post(restarted.base, "contributions", body, headers=key)
    assert after.status_code == 201 and after.json()["id"] == first.json()["id"]
    assert len(stored_files(files)) == 2


def test_an_unusable_key_is_400_naming_the_cap_without_echoing_it(server):
    long_key = "k" * 5000
    answer = post(
        server.base, "contributions", fellowship("long-key"), headers={"Idempotency-Key": long_key}
    )
    assert answer.status_code == 400
    assert "1 to 200 visible ASCII characters" in answer.text
    assert long_key[:300] not in answer.text


# --- statements about vocabulary terms ----------------------------------------------------

RELABEL = (
    PREFIXES
    + """
org:Organization rdfs:label "Company"@en .
id:someone a foaf:Person ; rdfs:label "Someone"@en ;
    dcterms:source id:cas-twas-science-diplomacy-essay .
id:someone-else owl:sameAs foaf:Person .
"""
).replace("@prefix rdf:", "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n@prefix rdf:")


def test_statements_about_vocabulary_terms_are_refused(server, folder):
    validated = post(server.base, "validate", RELABEL, token=None)
    assert validated.status_code == 200
    report = validated.json()
    assert report["conforms"] is False
    about: dict[str, str] = {}
    for result in report["results"]:
        about[result["focus_node"]] = about.get(result["focus_node"], "") + result["message"]
    for term in ("http://www.w3.org/ns/org#Organization", "http://xmlns.com/foaf/0.1/Person"):
        assert f"<{term}> is a term of a reused vocabulary" in about.get(term, ""), about
        assert "statements about vocabulary terms are not accepted as contributions" in about[term]
    assert "a reused vocabulary (org:)" in about["http://www.w3.org/ns/org#Organization"]
    before = stored_files(folder)
    refused = post(server.base, "contributions", RELABEL)
    assert refused.status_code == 422
    assert stored_files(folder) == before
    assert not ask(server.base, 'ASK { <http://www.w3.org/ns/org#Organization> ?p "Company"@en }')


def test_files_from_before_checksums_are_served_and_can_be_sealed(start_server, tmp_path):
    files = tmp_path / "files"
    tokens = write_tokens(tmp_path)
    first = start(start_server, files, tokens)
    cid = post(first.base, "contributions", fellowship("written-long-ago")).json()["id"]
    first.stop()
    path = files / f"{cid}.ttl"
    sealed = path.read_bytes()
    path.write_bytes(sealed.split(b"\n", 1)[1])  # as sdkg wrote files before checksums

    checked = sdkg("contributions", "check", "--contributions", str(files))
    assert checked.returncode == 0
    assert f"no checksum: {path}: written before checksums; --seal adds one" in checked.stdout
    assert "1 intact, 0 damaged (1 without checksum)" in checked.stdout
    second = start(start_server, files, tokens)
    assert f"contribution file {path} has no checksum line" in second.log_text()
    assert ask(second.base, f"ASK {{ GRAPH <{GRAPH}{cid}> {{ ?s ?p ?o }} }}")
    second.stop()

    resealed = sdkg("contributions", "check", "--seal", "--contributions", str(files))
    assert resealed.returncode == 0
    assert "1 intact, 0 damaged" in resealed.stdout
    assert path.read_bytes() == sealed
    assert "no checksum" not in sdkg("contributions", "check", "--contributions", str(files)).stdout
