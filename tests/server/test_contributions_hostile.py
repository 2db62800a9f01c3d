"""The catalogue in tests/fixtures/hostile/: each input gets its 4xx and message, and
nothing in the store or the contributions folder changes."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
import requests
from support.contributing import HOSTILE, TOKEN, dump_lines, write_tokens
from support.servers import BACKENDS, start_on

MANIFEST = tomllib.loads((HOSTILE / "manifest.toml").read_text(encoding="utf-8"))["case"]
CONTENT_TYPES = {
    ".ttl": "text/turtle",
    ".nt": "application/n-triples",
    ".jsonld": "application/ld+json",
    ".rdf": "application/rdf+xml",
}
LIMITS = {
    "SDKG_MAX_CONTRIBUTION_BYTES": "20000",
    "SDKG_MAX_CONTRIBUTION_TRIPLES": "50",
    "SDKG_MAX_LITERAL_LENGTH": "500",
}


def _case_id(case: dict) -> str:
    extra = case.get("send", "") + case.get("token", "")
    return case["file"] + (f"-{extra}" if extra else "")


@pytest.fixture(scope="module", params=BACKENDS)
def server(request, start_server, store_args, tmp_path_factory):
    tokens = write_tokens(tmp_path_factory.mktemp("tokens"))
    return start_on(start_server, store_args, request.param, "bundled",
                    env={"SDKG_TOKENS_FILE": str(tokens), **LIMITS})  # fmt: skip


@pytest.fixture(scope="module")
def before(server):
    """The store and the folder before any hostile input."""
    folder = server.log_text().split("contributions: ", 1)[1].split()[0]
    return dump_lines(server.base), folder


def send(base: str, path: str, case: dict) -> requests.Response:
    body = (HOSTILE / case["file"]).read_bytes()
    headers = {}
    token = case.get("token", "valid")
    if token != "none":
        headers["Authorization"] = "Bearer " + (
            TOKEN if token == "valid" else "wrong-token-xyz-123"
        )
    how = case.get("send", "body")
    form = {"format": case["format_field"]} if "format_field" in case else {}
    if how == "upload":
        files = {"file": (case["file"], body, "application/octet-stream")}
        return requests.post(base + path, files=files, data=form, headers=headers, timeout=60)
    if how == "paste":
        form["data"] = body.decode("utf-8")
        return requests.post(base + path, data=form, headers=headers, timeout=60)
    suffix = "." + case["file"].rsplit(".", 1)[-1]
    headers["Content-Type"] = case.get("content_type", CONTENT_TYPES.get(suffix, ""))
    return requests.post(base + path, data=body, headers=headers, timeout=60)


def test_catalogue_has_at_least_25_cases_with_their_files():
    assert len(MANIFEST) >= 25
    for case in MANIFEST:
        assert (HOSTILE / case["file"]).is_file(), case["file"]
        assert 400 <= case["status"] < 500 and case["message"]


@pytest.mark.parametrize("case", MANIFEST, ids=_case_id)
def test_hostile_contribution_is_refused_clearly(server, before, case):
    response = send(server.base, "contributions", case)
    assert response.status_code == case["status"], response.text
    assert case["message"] in response.text
    assert "Traceback" not in response.text
    # The server keeps serving.
    assert requests.get(server.base + "healthz", timeout=30).status_code == 200


PARSE_CASES = [
    c for c in MANIFEST if c["status"] in (400, 413, 415) and c.get("token", "valid") == "valid"
]


@pytest.mark.parametrize("case", PARSE_CASES, ids=_case_id)
def test_validate_refuses_the_same_inputs_the_same_way(server, case):
    response = send(server.base, "validate", case)
    assert response.status_code == case["status"], response.text
    assert case["message"] in response.text


def test_nothing_changed_after_the_catalogue(server, before):
    dump, folder = before
    # Runs after the parametrized tests above (file order).
    assert dump_lines(server.base) == dump
    assert sorted(p.name for p in Path(folder).iterdir() if not p.name.startswith(".")) == []
    listing = requests.get(server.base + "contributions", timeout=30).json()
    assert listing == {"contributions": []}
    assert "Traceback" not in server.log_text()
