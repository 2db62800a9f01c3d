"""``sdkg query`` (a real subprocess) and the Python API ``open_graph``."""

from __future__ import annotations

import csv
import datetime
import decimal
import io
import json
import subprocess
import sys

import pytest
import rdflib
from support.oracle import load_fixture_dataset
from support.servers import ENDPOINT_DATA

FOUNDED = (
    "SELECT ?org ?year WHERE { ?org <https://w3id.org/sdkg/ontology#foundingYear> ?year } "
    "ORDER BY ?year"
)
CONSTRUCT = (
    "CONSTRUCT { ?s <http://www.w3.org/2004/02/skos/core#altLabel> ?n } "
    "WHERE { ?s <http://www.w3.org/2004/02/skos/core#altLabel> ?n }"
)


def expected_years() -> list[tuple[str, int]]:
    return [(str(o), y.toPython()) for o, y in load_fixture_dataset().query(FOUNDED)]


def sdkg_query(*args: str, stdin: str | None = None, tmp_path=None) -> subprocess.CompletedProcess:
    env_store = ["--store", str(tmp_path / "store")] if tmp_path is not None else ["--memory"]
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "sdkg.cli",
            "query",
            *args,
            *env_store,
            "--data",
            str(ENDPOINT_DATA),
        ],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_table_is_aligned_and_complete():
    result = sdkg_query("--query", FOUNDED)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    header, rule, *body, footer = lines
    assert [c.strip() for c in header.split("|")] == ["org", "year"]
    assert set(rule) <= {"-", "+"}
    positions = {line.index("|") for line in [header, *body]}
    assert len(positions) == 1  # the column separator lines up on every row
    rows = [tuple(c.strip() for c in line.split("|")) for line in body]
    assert [(org, int(year)) for org, year in rows] == expected_years()
    assert footer == f"({len(body)} rows)"


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json", "xml"])
def test_result_formats_parse(fmt):
    result = sdkg_query("--query", FOUNDED, "--format", fmt)
    assert result.returncode == 0, result.stderr
    if fmt == "csv":
        rows = [(r["org"], int(r["year"])) for r in csv.DictReader(io.StringIO(result.stdout))]
    elif fmt == "json":
        bindings = json.loads(result.stdout)["results"]["bindings"]
        rows = [(b["org"]["value"], int(b["year"]["value"])) for b in bindings]
    else:
        parsed = rdflib.query.Result.parse(io.StringIO(result.stdout), format=fmt)
        rows = [(str(r[0]), r[1].toPython()) for r in parsed]
    assert rows == expected_years()


@pytest.mark.parametrize(
    ("fmt", "rdflib_format"), [("turtle", "turtle"), ("nt", "nt"), ("jsonld", "json-ld")]
)
def test_graph_formats_parse(fmt, rdflib_format):
    result = sdkg_query("--query", CONSTRUCT, "--format", fmt)
    assert result.returncode == 0, result.stderr
    graph = rdflib.Graph().parse(data=result.stdout, format=rdflib_format)
    assert set(graph) == set(load_fixture_dataset().query(CONSTRUCT).graph)


def test_query_from_file_and_stdin_and_store_folder(tmp_path):
    path = tmp_path / "founded.rq"
    path.write_text(FOUNDED)
    from_file = sdkg_query(str(path), "--format", "csv", tmp_path=tmp_path)
    from_stdin = sdkg_query("-", "--format", "csv", stdin=FOUNDED, tmp_path=tmp_path)
    assert from_file.returncode == 0 and from_stdin.returncode == 0, from_file.stderr
    assert from_file.stdout == from_stdin.stdout
    assert (tmp_path / "store" / "manifest.json").is_file()


def test_syntax_error_exits_2_with_line_and_column():
    result = sdkg_query("--query", "SELECT ?s\nWHERE { ?s ?p }")
    assert result.returncode == 2
    assert "line 2, column" in result.stderr
    assert "Traceback" not in result.stderr


def test_usage_errors_exit_2():
    assert sdkg_query().returncode == 2  # neither a file nor --query
    missing = sdkg_query("no-such-file.rq")
    assert missing.returncode == 2 and "no such query file" in missing.stderr
    wrong = sdkg_query("--query", CONSTRUCT, "--format", "csv")
    assert wrong.returncode == 2 and "text/turtle" in wrong.stderr


# --------------------------------------------------------------------------- Python API


def test_open_graph_gives_rows_of_python_values(tmp_path):
    from sdkg import open_graph

    graph = open_graph(tmp_path / "store", data=ENDPOINT_DATA)
    rows = graph.query(FOUNDED)
    assert [(r.org, r["year"]) for r in rows] == expected_years()
    assert all(isinstance(r.year, int) for r in rows)
    (cas,) = graph.query(
        "PREFIX sdkg: <https://w3id.org/sdkg/ontology#> "
        "SELECT ?label ?share ?date ?public WHERE { <https://w3id.org/sdkg/id/cas> "
        "<http://www.w3.org/2000/01/rdf-schema#label> ?label ; sdkg:budgetShare ?share ; "
        "sdkg:foundingDate ?date ; sdkg:isPublic ?public FILTER(lang(?label) = 'en') }"
    )
    label, share, date, public = cas
    assert (label, share, date, public) == (
        "Chinese Academy of Sciences",
        decimal.Decimal("0.25"),
        datetime.date(1949, 11, 1),
        True,
    )
    assert graph.query("ASK { ?s ?p ?o }") is True
    constructed = graph.query(CONSTRUCT)
    assert isinstance(constructed, rdflib.Graph)
    assert set(constructed) == set(load_fixture_dataset().query(CONSTRUCT).graph)


def test_open_graph_holds_the_store_until_closed(tmp_path, start_server):
    from sdkg import open_graph

    args = ("--store", str(tmp_path / "store"), "--data", str(ENDPOINT_DATA))
    with open_graph(tmp_path / "store", data=ENDPOINT_DATA) as graph:
        assert graph.query("ASK { ?s ?p ?o }") is True
        refused = start_server(*args, wait=False)
        assert refused.process.wait(30) != 0
        assert "in use" in refused.log_text()
    server = start_server(*args)
    assert server.health()["sync"]["reused"]  # synced by open_graph, reused by the server
