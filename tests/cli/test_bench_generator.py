"""The benchmark's synthetic graphs (bench/generate.py) follow the ontology and shapes.

Everything runs through the command line: the generator script, ``sdkg validate``
and ``sdkg query`` (the loader ``sdkg serve --data DIR`` uses).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from support import REPO

GENERATE = REPO / "bench" / "generate.py"
SDKG = [sys.executable, "-m", "sdkg.cli"]


def generate(out: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(GENERATE), "--out", str(out), *args],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


@pytest.fixture(scope="module")
def graph_10k(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("gen-10k")
    done = generate(out, "--triples", "10k", "--seed", "1")
    assert done.returncode == 0, done.stderr
    return out


def test_10k_graph_conforms_to_the_shapes(graph_10k: Path) -> None:
    done = subprocess.run(
        # --alone: the generated folder is a whole dataset (served with --data), not a
        # contribution on top of the bundled graph.
        [*SDKG, "validate", str(graph_10k), "--alone", "--format", "json"],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr
    report = json.loads(done.stdout)
    assert report["conforms"] is True
    # Only the findings the generator chooses on purpose: it mints no external
    # identifiers (owl:sameAs), since a made-up one would be wrong; and its evidence
    # quotes synthetic documents the repository has no text of (described, with a URL),
    # so the gate cannot check the words.
    kinds = {(r["severity"], r["path"]) for r in report["results"]}
    assert kinds == {
        ("Warning", "http://www.w3.org/2002/07/owl#sameAs"),
        ("Info", "http://www.w3.org/ns/prov#value"),
    }
    infos = [r["message"] for r in report["results"] if r["severity"] == "Info"]
    assert all(message.startswith("quote not verified") for message in infos)


def test_size_is_near_the_target_and_counted_exactly(graph_10k: Path) -> None:
    meta = json.loads((graph_10k / "generator.json").read_text())
    store = ox.Store()
    for path in graph_10k.glob("*.ttl"):
        store.bulk_load(path=path, format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(path.as_uri()))
    assert len(store) == meta["triples"]
    assert 10_000 <= meta["triples"] <= 10_500


def test_same_seed_same_bytes_other_seed_other_graph(graph_10k: Path, tmp_path: Path) -> None:
    again, other = tmp_path / "again", tmp_path / "other"
    assert generate(again, "--triples", "10k", "--seed", "1").returncode == 0
    assert generate(other, "--triples", "10k", "--seed", "2").returncode == 0
    files = sorted(p.name for p in graph_10k.glob("*.ttl"))
    assert files == sorted(p.name for p in again.glob("*.ttl"))
    for name in files:
        assert (graph_10k / name).read_bytes() == (again / name).read_bytes(), name
    assert any((graph_10k / n).read_bytes() != (other / n).read_bytes() for n in files)


def test_every_organization_kind_of_the_ontology_is_generated(graph_10k: Path) -> None:
    # The kinds come from the ontology itself, so a new kind needs the generator too.
    query = """
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        PREFIX org: <http://www.w3.org/ns/org#>
        SELECT ?kind (COUNT(?x) AS ?n) WHERE {
          ?kind rdfs:subClassOf+ org:Organization .
          FILTER(STRSTARTS(STR(?kind), "https://w3id.org/sdkg/ontology#"))
          OPTIONAL { ?x a/rdfs:subClassOf* ?kind }
        } GROUP BY ?kind"""
    done = subprocess.run(
        [*SDKG, "query", "--memory", "--data", str(graph_10k), "--format", "json", "-q", query],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    counts = {
        b["kind"]["value"].rsplit("#", 1)[1]: int(b["n"]["value"])
        for b in json.loads(done.stdout)["results"]["bindings"]
    }
    assert "CentreOfExcellence" in counts and "NationalAcademy" in counts
    assert {kind for kind, n in counts.items() if n == 0} == set()


@pytest.mark.parametrize("size", ["abc", "10", "0.5k"])
def test_a_bad_size_is_refused_with_a_message(tmp_path: Path, size: str) -> None:
    done = generate(tmp_path / "out", "--triples", size)
    assert done.returncode == 2
    assert "size" in done.stderr
    assert not (tmp_path / "out").exists()
