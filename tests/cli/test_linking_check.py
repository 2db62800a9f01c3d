"""`sdkg link check` finds each kind of planted link defect; exit 1 on errors, 0 on warnings."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from support.linking_cli import FIXTURES, sdkg


@pytest.fixture(scope="module")
def defects(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The defects data, with the planted withdrawn ROR record imported into its cache."""
    data = tmp_path_factory.mktemp("defects") / "data"
    shutil.copytree(FIXTURES / "defects", data)
    dump = FIXTURES / "dump" / "v2.0-2099-01-01-ror-data.json"
    run = sdkg("link", "import-ror", dump, "--data", data)
    assert run.returncode == 0, run.stderr
    assert (data / "external" / "ror.ttl").exists()
    return data


def findings(data: Path) -> tuple[int, dict]:
    run = sdkg("link", "check", "--data", data, "--format", "json")
    assert "Traceback" not in run.stderr
    return run.returncode, json.loads(run.stdout)


def of(report: dict, problem: str) -> list[dict]:
    return [f for f in report["findings"] if f["problem"] == problem]


ID = "https://w3id.org/sdkg/id/"


def test_malformed_identifiers_each_form(defects: Path) -> None:
    code, report = findings(defects)
    assert code == 1
    malformed = {f["entity"].removeprefix(ID): f for f in of(report, "malformed-identifier")}
    assert set(malformed) == {
        "wiki-page-link",
        "bad-ror-checksum",
        "geonames-without-slash",
        "dbpedia-https",
        "sdg-wrong-form",
        "text-id",
    }
    assert malformed["wiki-page-link"]["source"] == "wikidata"
    assert "checksum" in malformed["bad-ror-checksum"]["message"]
    assert malformed["geonames-without-slash"]["source"] == "geonames"
    assert malformed["dbpedia-https"]["source"] == "dbpedia"
    assert malformed["sdg-wrong-form"]["source"] == "un_sdg"
    assert "written as text" in malformed["text-id"]["message"]
    assert all(f["severity"] == "error" for f in malformed.values())


def test_duplicate_links(defects: Path) -> None:
    _, report = findings(defects)
    (duplicate,) = of(report, "duplicate-link")
    assert duplicate["target"] == "http://www.wikidata.org/entity/Q42944"
    assert duplicate["entities"] == [ID + "cern", ID + "cern-again"]


def test_retired_external_records_from_the_caches(defects: Path) -> None:
    _, report = findings(defects)
    reasons: dict[str, set[tuple[str, str]]] = {}
    for f in of(report, "retired-external"):
        reasons.setdefault(f["entity"].removeprefix(ID), set()).add((f["cache"], f["reason"]))
    assert reasons == {
        # the withdrawn ROR record also names its successor, which ROR redirects to
        "withdrawn-org": {
            ("ror", "record status is withdrawn"),
            ("ror", "redirected to <https://ror.org/0xyzvmk02>"),
        },
        "redirected-org": {
            ("wikidata", "redirected to <http://www.wikidata.org/entity/Q13406268>"),
        },
    }


def test_missing_links_are_warnings(defects: Path) -> None:
    _, report = findings(defects)
    (missing,) = of(report, "missing-link")
    assert missing["entity"] == ID + "lonely"
    assert missing["kind"] == "https://schema.org/Person"
    assert missing["severity"] == "warning"
    assert report["warnings"] == 1
    assert report["errors"] == len(report["findings"]) - 1


def test_text_report_is_grouped_by_problem(defects: Path) -> None:
    run = sdkg("link", "check", "--data", defects)
    assert run.returncode == 1
    lines = run.stdout.splitlines()
    headings = [line for line in lines if line.startswith(("ERROR:", "WARNING:"))]
    assert [h.split(" (")[0] for h in headings] == [
        "ERROR: malformed identifiers",
        "ERROR: external IRIs linked from more than one entity",
        "ERROR: links to external records that are retired or redirected",
        "WARNING: entities without any external link",
    ]
    assert "malformed identifiers (6)" in headings[0]


def test_warnings_only_exit_zero(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(FIXTURES / "data", data)
    # An organization without links is a warning; a project (not a linkable kind) is nothing.
    (data / "lonely.ttl").write_text(
        "<https://w3id.org/sdkg/id/lonely-org> a <http://www.w3.org/ns/org#FormalOrganization> .\n"
    )
    code, report = findings(data)
    assert code == 0
    assert report["errors"] == 0
    assert [f["entity"] for f in report["findings"]] == [ID + "lonely-org"]


def test_unreadable_data_exit_two(tmp_path: Path) -> None:
    (tmp_path / "broken.ttl").write_text("<https://w3id.org/sdkg/id/x> a .\n")
    run = sdkg("link", "check", "--data", tmp_path)
    assert run.returncode == 2
    assert "broken.ttl is not valid Turtle" in run.stderr
    assert "Traceback" not in run.stderr


def test_bundled_data_has_no_link_errors_and_warns_only_for_linkable_kinds() -> None:
    from sdkg.resources import bundled_path

    code, report = findings(bundled_path("data"))
    assert code == 0 and report["errors"] == 0
    missing = {f["entity"].removeprefix(ID) for f in of(report, "missing-link")}
    # The reference table has no identifier for the five centres nor for the author
    # (README of the reference folder): they must be reported, claims and evidence not.
    assert {"coebio", "cewe", "icces", "cegt", "sdim", "mirza-baig"} <= missing
    kinds = {f["kind"] for f in of(report, "missing-link")}
    assert kinds <= {
        "http://www.w3.org/ns/org#Organization",
        "http://www.w3.org/ns/org#FormalOrganization",
        "https://schema.org/Organization",
        "http://xmlns.com/foaf/0.1/Person",
        "https://schema.org/Person",
        "https://schema.org/City",
        "https://schema.org/Country",
    }
    assert not any("claim" in entity for entity in missing)
