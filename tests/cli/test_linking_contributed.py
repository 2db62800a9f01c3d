"""Unverified links of contributions: ``sdkg link fetch`` fetches their records from a
stand-in SPARQL endpoint on 127.0.0.1, ``sdkg link check`` compares names, and a real
``sdkg serve`` drops the "unverified" mark (list and entity page) only for a match."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import requests
from support.contributing import FIXTURES, TOKEN, post, write_tokens
from support.linking_cli import FIXTURES as LINKING
from support.linking_cli import sdkg
from support.linking_standin import StandInEndpoint

CASE = FIXTURES / "gate" / "accepted-identity-unverified-wikidata-warned.ttl"
IRI = "http://www.wikidata.org/entity/Q4855937"
ENTITY = "https://w3id.org/sdkg/id/bangladesh-academy-of-sciences"
PAGE = "id/bangladesh-academy-of-sciences"
BADGE = ">unverified</span>"


def record(path: Path, label: str) -> Path:
    """What the stand-in endpoint knows: Q4855937 with one English label."""
    path.write_text(
        f'<{IRI}> <http://www.w3.org/2000/01/rdf-schema#label> "{label}"@en ;\n'
        "  <http://www.wikidata.org/prop/direct/P17> "
        "<http://www.wikidata.org/entity/Q902> .\n",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def setup(tmp_path: Path, start_server):
    """A server taking contributions into ``contributions/``, and a data folder to fetch into."""
    contributions = tmp_path / "contributions"
    tokens = write_tokens(tmp_path)
    server = start_server(
        "--memory", "--contributions", str(contributions), env={"SDKG_TOKENS_FILE": str(tokens)}
    )
    data = tmp_path / "data"
    shutil.copytree(LINKING / "data", data)
    return server, contributions, data


def listed(base: str, contribution_id: str) -> list[str]:
    everything = requests.get(base + "contributions", timeout=30).json()["contributions"]
    return next(c["unverified_links"] for c in everything if c["id"] == contribution_id)


def badges(base: str) -> int:
    response = requests.get(base + PAGE, headers={"Accept": "text/html"}, timeout=30)
    assert response.status_code == 200, response.text
    return response.text.count(BADGE)


def fetch(endpoint: StandInEndpoint, data: Path, contributions: Path):
    return sdkg("link", "fetch", "--source", "wikidata", "--endpoint", endpoint.url,
                "--data", data, "--contributions", contributions)  # fmt: skip


def check(data: Path, contributions: Path, *extra: str):
    return sdkg("link", "check", "--data", data, "--contributions", contributions, *extra)


def contribute(base: str) -> str:
    response = post(base, "contributions", CASE.read_text("utf-8"), token=TOKEN)
    assert response.status_code == 201, response.text
    assert response.json()["unverified_links"] == [IRI]
    return response.json()["id"]


def test_mismatch_stays_flagged_and_a_matching_record_confirms(setup, tmp_path: Path) -> None:
    server, contributions, data = setup
    contribution_id = contribute(server.base)
    assert listed(server.base, contribution_id) == [IRI]
    assert badges(server.base) == 1

    # The source names Q4855937 otherwise: fetched, but still unverified, and an error.
    with StandInEndpoint(record(tmp_path / "other.ttl", "Bangladesh Agricultural University"))\
            as endpoint:  # fmt: skip
        fetched = fetch(endpoint, data, contributions)
    assert fetched.returncode == 0, fetched.stderr
    assert any(IRI in seen.query for seen in endpoint.seen)
    assert "1 with another name" in fetched.stdout
    checked = check(data, contributions)
    assert checked.returncode == 1, checked.stdout + checked.stderr
    error = next(line for line in checked.stdout.splitlines() if IRI in line)
    assert '"Bangladesh Academy of Sciences"' in error
    assert '"Bangladesh Agricultural University"' in error
    assert contribution_id in error
    assert listed(server.base, contribution_id) == [IRI]
    assert badges(server.base) == 1

    # Now the record has the entity's name (other case and punctuation): confirmed.
    with StandInEndpoint(record(tmp_path / "same.ttl", "bangladesh academy of sciences.")) as ep:
        fetched = fetch(ep, data, contributions)
    assert fetched.returncode == 0, fetched.stderr
    assert "1 confirmed (same name), 0 with another name" in fetched.stdout
    # The fetch alone confirms it; the check agrees and says so.
    assert listed(server.base, contribution_id) == []
    checked = check(data, contributions, "--format", "json")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    (confirmed,) = [f for f in json.loads(checked.stdout)["findings"] if f.get("target") == IRI]
    assert confirmed["problem"] == "unverified-link-confirmed"
    assert confirmed["entity"] == ENTITY
    assert listed(server.base, contribution_id) == []
    assert badges(server.base) == 0
    # The stored contribution itself still says what the gate found.
    turtle = requests.get(
        server.base + f"contributions/{contribution_id}", params={"format": "turtle"}, timeout=30
    ).text
    assert f"sdkg:unverifiedLink <{IRI}>" in turtle


def test_check_alone_confirms_from_the_cache_and_a_new_mismatch_undoes_it(setup) -> None:
    server, contributions, data = setup
    contribution_id = contribute(server.base)
    unfetched = check(data, contributions)
    assert unfetched.returncode == 0, unfetched.stdout
    assert f"<{IRI}>: no cache holds its record yet" in unfetched.stdout
    assert badges(server.base) == 1

    cache = data / "external" / "wikidata.ttl"
    cache.parent.mkdir(exist_ok=True)
    record(cache, "Bangladesh Academy of Sciences")
    assert check(data, contributions).returncode == 0
    assert listed(server.base, contribution_id) == []
    assert badges(server.base) == 0

    # The record is fetched again and now names something else: flagged again.
    record(cache, "Bangladesh Atomic Energy Commission")
    again = check(data, contributions)
    assert again.returncode == 1
    assert '"Bangladesh Atomic Energy Commission"' in again.stdout
    assert listed(server.base, contribution_id) == [IRI]
    assert badges(server.base) == 1


def test_withdrawn_contributions_are_not_fetched(setup, tmp_path: Path) -> None:
    server, contributions, data = setup
    contribution_id = contribute(server.base)
    gone = requests.delete(
        server.base + f"contributions/{contribution_id}",
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=30,
    )
    assert gone.status_code == 200, gone.text
    with StandInEndpoint(record(tmp_path / "same.ttl", "Bangladesh Academy of Sciences")) as ep:
        assert fetch(ep, data, contributions).returncode == 0
    assert not any(IRI in seen.query for seen in ep.seen)
    assert IRI not in check(data, contributions).stdout


def test_a_contributions_folder_that_is_not_there_is_an_error(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(LINKING / "data", data)
    missing = tmp_path / "no-such-folder"
    checked = check(data, missing)
    assert checked.returncode == 2
    assert f"the contributions folder {missing} does not exist" in checked.stderr
    with StandInEndpoint(LINKING / "wikidata-like.ttl") as endpoint:
        fetched = fetch(endpoint, data, missing)
    assert fetched.returncode == 1
    assert f"the contributions folder {missing} does not exist" in fetched.stderr
    assert endpoint.seen == []
    assert "Traceback" not in checked.stderr + fetched.stderr
