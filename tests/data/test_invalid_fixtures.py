"""Deliberately broken contributions each fail with the expected constraint and message.

Every ``tests/fixtures/invalid/*.ttl`` starts with header comments::

    # expect-constraint: sh:DatatypeConstraintComponent
    # expect-path: https://schema.org/foundingDate     (optional)
    # expect-message: <substring of the message>

and is validated as a contributor would: ``sdkg validate FILE --format json``
(bundled shapes; data graph = the file + the ontology). Samples that need their
own shapes (``tests/fixtures/validate/invalid-samples/``) say so with
``# shapes: <path relative to the fixture>``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from support import TESTS

from sdkg.cli import main

FIXTURES = TESTS / "fixtures"
INVALID_DIR = FIXTURES / "invalid"
SAMPLE_DIR = FIXTURES / "validate" / "invalid-samples"
MIN_INVALID_FIXTURES = 12
HEADER = re.compile(r"^#\s*(expect-constraint|expect-path|expect-message|shapes):\s*(.+?)\s*$")


def read_header(path: Path) -> dict[str, str]:
    """The ``# key: value`` lines at the top of a fixture."""
    header = {}
    for line in path.read_text("utf-8").splitlines():
        if not line.startswith("#"):
            break
        if match := HEADER.match(line):
            header[match[1]] = match[2]
    return header


FIXTURE_FILES = sorted(INVALID_DIR.glob("*.ttl")) + sorted(SAMPLE_DIR.glob("*.ttl"))


def test_invalid_fixture_catalogue_is_complete() -> None:
    """One fixture per kind of constraint the shapes check: at least 12."""
    found = sorted(p.name for p in INVALID_DIR.glob("*.ttl"))
    assert len(found) >= MIN_INVALID_FIXTURES, f"only {len(found)} in {INVALID_DIR}: {found}"


@pytest.mark.parametrize("fixture", FIXTURE_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_invalid_fixture_fails_as_expected(fixture: Path) -> None:
    header = read_header(fixture)
    assert "expect-constraint" in header and "expect-message" in header, (
        f"{fixture} lacks its '# expect-constraint:' / '# expect-message:' header"
    )
    args = ["validate", str(fixture), "--format", "json"]
    if "shapes" in header:
        args += ["--shapes", str(fixture.parent / header["shapes"])]
    outcome = CliRunner().invoke(main, args)
    assert outcome.exit_code == 1, outcome.output

    results = json.loads(outcome.stdout)["results"]
    matching = [
        r
        for r in results
        if r["constraint"] == header["expect-constraint"]
        and ("expect-path" not in header or r["path"] == header["expect-path"])
    ]
    assert matching, f"no result with {header} among {json.dumps(results, indent=1)}"
    messages = [r["message"] for r in matching]
    assert any(header["expect-message"] in m for m in messages), messages
