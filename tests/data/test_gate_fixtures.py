"""Every realistic contribution of ``tests/fixtures/gate/`` through the gate, three ways.

Each case is ``<case>.ttl`` with ``<case>.expect.toml``::

    verdict = "accepted"            # or "refused"
    must_contain = ["This is id:cas (same Wikidata Q530471)"]

and goes through ``POST /validate`` and ``POST /contributions`` of a real ``sdkg
serve`` on loopback, on the embedded store and in front of Virtuoso (with a token:
an accepted case must be stored, then is withdrawn so the next case sees the
bundled graph again; a refused one must leave ``/dump`` unchanged) and through
``sdkg validate FILE``. The verdict must match, every string of ``must_contain``
must appear in the report's messages, and the CLI and the server
must give the same results (one implementation).
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner
from support.contributing import FIXTURES, TOKEN, dump_lines, post, write_tokens
from support.servers import BACKENDS, start_on

from sdkg.cli import main

GATE = FIXTURES / "gate"
CASES = sorted(GATE.glob("*.ttl"))
MIN_CASES = 18
VERDICTS = {"accepted", "refused"}


def expectation(case: Path) -> dict:
    """The case's ``.expect.toml``, checked for its keys."""
    path = case.with_suffix(".expect.toml")
    assert path.is_file(), f"{case.name} has no {path.name}"
    expected = tomllib.loads(path.read_text("utf-8"))
    assert set(expected) <= {"verdict", "must_contain"}, f"{path.name}: unknown keys"
    assert expected.get("verdict") in VERDICTS, f"{path.name}: verdict must be one of {VERDICTS}"
    assert all(isinstance(s, str) for s in expected.get("must_contain", [])), path.name
    return {"verdict": expected["verdict"], "must_contain": expected.get("must_contain", [])}


@pytest.fixture(scope="module", params=BACKENDS)
def server(request, start_server, store_args, tmp_path_factory):
    """The bundled data (embedded store, or Virtuoso), contributions open to the token."""
    folder = tmp_path_factory.mktemp(f"gate-{request.param}")
    tokens = write_tokens(folder)
    return start_on(
        start_server,
        store_args,
        request.param,
        "gate-fixtures",
        "--contributions",
        str(folder / "contributions"),
        env={"SDKG_TOKENS_FILE": str(tokens)},
    )


def messages(report: dict) -> str:
    return "\n".join(r["message"] for r in report["results"])


def assert_expected(report: dict, expected: dict, where: str) -> None:
    verdict = "accepted" if report["conforms"] else "refused"
    assert verdict == expected["verdict"], f"{where}: {verdict}\n{json.dumps(report, indent=1)}"
    text = messages(report)
    for wanted in expected["must_contain"]:
        assert wanted in text, f"{where}: {wanted!r} not in the messages:\n{text}"


_BLANK = re.compile(r"^_:.*")


def comparable(report: dict) -> list[tuple]:
    """Results without the input's name (a file for the CLI, "body" for HTTP) and
    with blank-node labels blanked (they differ between runs)."""
    return [
        tuple(
            _BLANK.sub("_:", str(r[k])) if r[k] is not None else None
            for k in ("focus_node", "path", "value", "severity", "message", "line")
        )
        for r in report["results"]
    ]


def test_the_catalogue_has_its_cases_each_with_an_expectation() -> None:
    assert len(CASES) >= MIN_CASES, f"only {len(CASES)} cases in {GATE}"
    verdicts = {expectation(case)["verdict"] for case in CASES}
    assert verdicts == VERDICTS, "the catalogue needs both refused and accepted cases"
    stray = (
        {p.name for p in GATE.iterdir()}
        - {p.name for p in CASES}
        - {p.with_suffix(".expect.toml").name for p in CASES}
    )
    assert stray == set(), f"files that are no case: {stray}"


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_case_through_validate_contributions_and_the_cli(server, case: Path) -> None:
    expected = expectation(case)
    body = case.read_text("utf-8")

    checked = post(server.base, "validate", body, token=None)
    assert checked.status_code == 200, checked.text
    from_http = checked.json()
    assert_expected(from_http, expected, "POST /validate")

    before = dump_lines(server.base)
    contributed = post(server.base, "contributions", body, token=TOKEN)
    if expected["verdict"] == "accepted":
        assert contributed.status_code == 201, contributed.text
        stored = contributed.json()
        assert_expected(stored["report"], expected, "POST /contributions")
        after = dump_lines(server.base)
        assert set(before) < set(after), "an accepted contribution must be in the store"
        withdrawn = requests.delete(
            server.base + stored["location"].lstrip("/"),
            headers={"Authorization": f"Bearer {TOKEN}"},
            timeout=60,
        )
        assert withdrawn.status_code == 200, withdrawn.text
        assert dump_lines(server.base) == before
    else:
        assert contributed.status_code == 422, contributed.text
        assert_expected(contributed.json(), expected, "POST /contributions")
        assert dump_lines(server.base) == before, "a refused contribution changed the store"

    outcome = CliRunner().invoke(main, ["validate", str(case), "--format", "json"])
    assert outcome.exit_code == (0 if expected["verdict"] == "accepted" else 1), outcome.output
    from_cli = json.loads(outcome.stdout)
    assert_expected(from_cli, expected, "sdkg validate")
    assert comparable(from_cli) == comparable(from_http)
