"""`sdkg link import-ror` on the real ROR reference records (schema v1 and v2)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from rdflib import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, Graph, Literal, URIRef
from rdflib import namespace as ns  # ns.SDO, ns.XSD: not as globals, pytest would probe them
from rdflib.namespace import ORG
from support.linking_cli import FIXTURES, reference_ror, sdkg

ROR_GRAPH = URIRef("https://w3id.org/sdkg/graph/external/ror")
ADMS_STATUS = URIRef("http://www.w3.org/ns/adms#status")
CAS = "034t30j35"  # schema v2
IAP = "0424h4e32"  # schema v1
TIME_LINE = re.compile(rb"^.*AtTime .*$", re.MULTILINE)


def ror_record(ror_id: str) -> dict:
    return json.loads((reference_ror() / f"{ror_id}.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Graph, Path, str]:
    out = tmp_path_factory.mktemp("ror") / "ror.ttl"
    run = sdkg("link", "import-ror", reference_ror(), "--data", FIXTURES / "data", "--out", out)
    assert run.returncode == 0, run.stderr
    return Graph().parse(out, format="turtle"), out, run.stdout


def linked_ror_iris() -> set[str]:
    ours = Graph().parse(FIXTURES / "data" / "organizations.ttl")
    return {str(o) for o in ours.objects(None, OWL.sameAs) if str(o).startswith("https://ror.org/")}


def test_only_records_our_data_links_to_are_kept(imported) -> None:
    graph, _, stdout = imported
    on_disk = {f"https://ror.org/{p.stem}" for p in reference_ror().glob("*.json")}
    kept = {str(s) for s in graph.subjects(RDF.type, ns.SDO.Organization)}
    assert kept == linked_ror_iris() & on_disk
    assert URIRef("https://ror.org/00f54p054") not in set(graph.subjects(RDF.type, None))
    assert f"kept {len(kept)} linked from our data, skipped {len(on_disk) - len(kept)}" in stdout
    # the linked organization without a record in the folder is named, not silently dropped
    assert "not in the dump: https://ror.org/0419fj215" in stdout


def test_v2_record_names_year_place_ids_status(imported) -> None:
    graph, _, _ = imported
    raw = ror_record(CAS)
    cas = URIRef(raw["id"])
    year = Literal(str(raw["established"]), datatype=ns.XSD.gYear)
    assert (cas, ns.SDO.foundingDate, year) in graph
    chinese = next(n["value"] for n in raw["names"] if n["lang"] == "zh")
    assert (cas, RDFS.label, Literal(chinese, lang="zh-Hans")) in graph
    display = next(n for n in raw["names"] if "ror_display" in n["types"])
    assert (cas, SKOS.prefLabel, Literal(display["value"], lang=display["lang"])) in graph
    acronym = next(n["value"] for n in raw["names"] if "acronym" in n["types"])
    assert (cas, ns.SDO.alternateName, Literal(acronym)) in graph
    city = URIRef(f"https://sws.geonames.org/{raw['locations'][0]['geonames_id']}/")
    assert (cas, ns.SDO.location, city) in graph
    assert (city, ns.SDO.containedInPlace, URIRef("https://sws.geonames.org/1814991/")) in graph
    qid = next(e["all"][0] for e in raw["external_ids"] if e["type"] == "wikidata")
    assert (cas, SKOS.exactMatch, URIRef(f"http://www.wikidata.org/entity/{qid}")) in graph
    website = next(lk["value"] for lk in raw["links"] if lk["type"] == "website")
    assert (cas, ns.SDO.url, URIRef(website)) in graph
    assert (cas, ADMS_STATUS, Literal(raw["status"])) in graph
    for kind in raw["types"]:
        assert (cas, ns.SDO.additionalType, Literal(kind)) in graph
    children = {r["id"] for r in raw["relationships"] if r["type"] == "child"}
    assert {str(c) for c in graph.objects(cas, ORG.hasSubOrganization)} == children


def test_v1_record_parent_label_country(imported) -> None:
    graph, _, _ = imported
    raw = ror_record(IAP)
    iap = URIRef(raw["id"])
    parent = next(r["id"] for r in raw["relationships"] if r["type"] == "Parent")
    assert (iap, ORG.subOrganizationOf, URIRef(parent)) in graph
    zh = next(lb["label"] for lb in raw["labels"] if lb["iso639"] == "zh")
    assert (iap, RDFS.label, Literal(zh, lang="zh-Hans")) in graph
    assert (iap, SKOS.prefLabel, Literal(raw["name"])) in graph
    address = raw["addresses"][0]
    city = URIRef(f"https://sws.geonames.org/{address['geonames_city']['id']}/")
    country = URIRef(f"https://sws.geonames.org/{address['country_geonames_id']}/")
    assert (city, ns.SDO.containedInPlace, country) in graph
    grid = raw["external_ids"]["GRID"]["preferred"]
    assert (iap, SKOS.exactMatch, URIRef(f"https://www.grid.ac/institutes/{grid}")) in graph
    # ITER, also v1: its (odd) parent as ROR records it
    iter_raw = ror_record("01d7n9638")
    iter_parent = iter_raw["relationships"][0]["id"]
    assert (URIRef(iter_raw["id"]), ORG.subOrganizationOf, URIRef(iter_parent)) in graph


def test_provenance_names_dump_date_and_basis(imported) -> None:
    graph, _, stdout = imported
    kept = [
        ror_record(iri.rsplit("/", 1)[1]) for iri in linked_ror_iris() if "0419fj215" not in iri
    ]
    latest = max(r["admin"]["last_modified"]["date"] for r in kept if "admin" in r)
    dump = graph.value(ROR_GRAPH, PROV.wasDerivedFrom)
    activity = graph.value(ROR_GRAPH, PROV.wasGeneratedBy)
    assert (activity, RDF.type, PROV.Activity) in graph
    assert (activity, PROV.used, dump) in graph
    assert graph.value(activity, PROV.endedAtTime).datatype == ns.XSD.dateTime
    # every record of the folder counts for the dump's date, not only the kept ones
    all_dates = [
        json.loads(p.read_text())["admin"]["last_modified"]["date"]
        for p in reference_ror().glob("*.json")
        if "admin" in json.loads(p.read_text())
    ]
    assert str(graph.value(dump, DCTERMS.modified)) == max(all_dates) >= latest
    assert "admin.last_modified" in str(graph.value(dump, DCTERMS.description))
    assert "admin.last_modified" in stdout


def test_output_is_deterministic_and_idempotent(imported, tmp_path: Path) -> None:
    _, first, _ = imported
    second = tmp_path / "ror.ttl"
    run = sdkg(
        "link",
        "import-ror",
        reference_ror(),
        "--data",
        FIXTURES / "data",
        "--out",
        second,
        env={"PYTHONHASHSEED": "12345"},
    )
    assert run.returncode == 0, run.stderr
    # two fresh runs: identical bytes but for the lines with the import time
    assert TIME_LINE.sub(b"", first.read_bytes()) == TIME_LINE.sub(b"", second.read_bytes())
    before = second.read_bytes()
    again = sdkg(
        "link", "import-ror", reference_ror(), "--data", FIXTURES / "data", "--out", second
    )
    assert again.returncode == 0, again.stderr
    assert "unchanged" in again.stdout
    assert second.read_bytes() == before


def test_json_array_dump_version_from_file_name(tmp_path: Path) -> None:
    dump = FIXTURES / "dump" / "v2.0-2099-01-01-ror-data.json"
    out = tmp_path / "ror.ttl"
    run = sdkg("link", "import-ror", dump, "--data", FIXTURES / "defects", "--out", out)
    assert run.returncode == 0, run.stderr
    graph = Graph().parse(out)
    record = json.loads(dump.read_text())[0]
    org = URIRef(record["id"])
    assert (org, ADMS_STATUS, Literal("withdrawn")) in graph
    successor = URIRef(record["relationships"][0]["id"])
    assert (org, DCTERMS.isReplacedBy, successor) in graph
    dump_node = graph.value(ROR_GRAPH, PROV.wasDerivedFrom)
    assert (dump_node, DCTERMS.hasVersion, Literal("v2.0")) in graph
    assert (dump_node, DCTERMS.issued, Literal("2099-01-01", datatype=ns.XSD.date)) in graph
    assert "from the dump file name" in run.stdout


def test_no_linked_record_is_an_error_that_keeps_the_old_file(tmp_path: Path) -> None:
    out = tmp_path / "ror.ttl"
    out.write_text("# the previous cache\n")
    empty_data = tmp_path / "data"
    empty_data.mkdir()
    run = sdkg("link", "import-ror", reference_ror(), "--data", empty_data, "--out", out)
    assert run.returncode == 1
    assert "--all" in run.stderr and "Traceback" not in run.stderr
    assert out.read_text() == "# the previous cache\n"
    # --all keeps every record of the folder
    run = sdkg("link", "import-ror", reference_ror(), "--data", empty_data, "--out", out, "--all")
    assert run.returncode == 0, run.stderr
    count = len(list(reference_ror().glob("*.json")))
    assert len(set(Graph().parse(out).subjects(RDF.type, ns.SDO.Organization))) == count


def test_bad_json_names_the_file(tmp_path: Path) -> None:
    folder = tmp_path / "dump"
    shutil.copytree(FIXTURES / "dump", folder)
    (folder / "broken.json").write_text('[{"id": "https://ror.org/0abcdef23",')
    run = sdkg(
        "link", "import-ror", folder, "--data", FIXTURES / "defects", "--out", tmp_path / "x.ttl"
    )
    assert run.returncode == 1
    assert "broken.json is not valid JSON (line 1" in run.stderr
    assert "Traceback" not in run.stderr
    assert not (tmp_path / "x.ttl").exists()
