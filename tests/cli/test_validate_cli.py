"""``sdkg validate`` and the validation API, on small fixtures of our own.

Most tests use click's CliRunner (the same public CLI, in-process); a few run
the installed ``sdkg`` command in a subprocess. Fixtures: tests/fixtures/validate/
(shapes.ttl; one invalid person per input format under formats/; broken/ files
with syntax errors at known positions).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from rdflib import RDF, SH, Dataset, Graph, Literal, Namespace
from rdflib.util import guess_format
from support import TESTS

from sdkg.cli import main
from sdkg.validation import load_rdf_files, validate_files, validate_graph

FIX = TESTS / "fixtures" / "validate"
SHAPES = FIX / "shapes.ttl"
FORMATS = FIX / "formats"
CONFORMING = FIX / "conforming" / "people.ttl"
BROKEN = FIX / "broken"
EX = Namespace("http://example.org/people#")
SDKG = Path(sys.executable).parent / "sdkg"

# Each file holds one person whose ex:birthYear is not an xsd:gYear: the file,
# the person, the lexical value, the line where the fixture introduces them, and
# the line of the ex:birthYear statement (where a result points).
FORMAT_CASES = [
    ("alice.ttl", "alice", "nineteen-eighty", 3, 6),
    ("bob.nt", "bob", "1990", 1, 4),
    ("carol.jsonld", "carol", "1971", 5, 9),
    ("dave.rdf", "dave", "1960-01-01", 4, 7),
    ("erin.owl", "erin", "about 1950", 4, 8),
    ("frank.trig", "frank", "1944", 4, 7),
    ("grace.nq", "grace", "1906-12-09", 1, 4),
    ("more/heidi.ttl", "heidi", "1880", 5, 8),
]

# Broken files: where the error is, by construction of the fixture.
PARSE_ERRORS = [
    ("missing-semicolon.ttl", 4, 19, "expected '.'"),  # at "ex:extra"
    ("undefined-prefix.ttl", 5, 5, 'Prefix "nope:" not bound'),
    ("unclosed-graph.trig", 4, 27, "needed '}'"),  # end of the content
    ("bare-literal.nt", 3, 66, "Ann ."),  # the unquoted literal
    ("extra-term.nq", 2, 92, "<http://example.org/extra>"),  # the fifth term
    ("trailing-comma.jsonld", 5, 1, "Expecting property name"),  # the "}" after ","
    ("mismatched-tag.rdf", 5, 19, "mismatched tag"),  # the name in "</ex:nam>"
]


def validate(*args: str) -> Result:
    return CliRunner().invoke(main, ["validate", *map(str, args)])


def triples_in(*paths: Path) -> int:
    """Count triples with rdflib directly, independently of sdkg's loader."""
    total = 0
    for path in paths:
        files = sorted(path.rglob("*")) if path.is_dir() else [path]
        for file in files:
            fmt = guess_format(str(file))
            if fmt is None:
                continue
            if fmt in ("trig", "nquads"):
                total += sum(1 for _ in Dataset().parse(file, format=fmt).quads())
            else:
                total += len(Graph().parse(file, format=fmt))
    return total


# --- formats and folders -----------------------------------------------------


@pytest.mark.parametrize(("name", "person", "value", "_", "line"), FORMAT_CASES)
def test_every_input_format_is_read_and_located(
    name: str, person: str, value: str, _: int, line: int
) -> None:
    path = FORMATS / name
    outcome = validate(path, "--shapes", SHAPES, "--format", "json")
    assert outcome.exit_code == 1, outcome.output
    report = json.loads(outcome.stdout)
    assert report["results"] == [
        {
            "focus_node": str(EX[person]),
            "path": str(EX.birthYear),
            "value": value,
            "message": 'Give the birth year as one xsd:gYear, e.g. "1983"^^xsd:gYear.',
            "severity": "Violation",
            "constraint": "sh:DatatypeConstraintComponent",
            "shape": f"{EX.PersonShape}[{EX.birthYear}]",
            "file": str(path),
            "line": line,
        }
    ]
    assert report["summary"]["files"] == 1


def test_folder_is_searched_recursively_for_known_extensions() -> None:
    outcome = validate(FORMATS, "--shapes", SHAPES, "--format", "json")
    assert outcome.exit_code == 1, outcome.output
    report = json.loads(outcome.stdout)
    assert {r["focus_node"] for r in report["results"]} == {str(EX[c[1]]) for c in FORMAT_CASES}
    assert {r["file"] for r in report["results"]} == {str(FORMATS / c[0]) for c in FORMAT_CASES}
    # README.txt is in the folder and skipped.
    assert report["summary"]["files"] == len(FORMAT_CASES)


# --- output formats ----------------------------------------------------------


def test_json_report_has_the_stable_shape() -> None:
    outcome = validate(FORMATS, CONFORMING, "--shapes", SHAPES, "--format", "json")
    assert outcome.exit_code == 1
    report = json.loads(outcome.stdout)
    assert set(report) == {"conforms", "summary", "results"}
    assert report["conforms"] is False
    assert report["summary"] == {
        "violations": len(FORMAT_CASES),
        "warnings": 1,
        "infos": 0,
        "files": len(FORMAT_CASES) + 1,
        "triples": triples_in(FORMATS, CONFORMING),
    }
    keys = {"focus_node", "path", "value", "message", "severity", "constraint", "shape"}
    for result in report["results"]:
        assert set(result) == keys | {"file", "line"}
    # The order to fix things in: violations first, then by file and line.
    severities = [r["severity"] for r in report["results"]]
    assert severities == sorted(severities, key=["Violation", "Warning"].index)
    violations = [(r["file"], r["line"]) for r in report["results"] if r["severity"] == "Violation"]
    assert violations == sorted(violations)
    warning = next(r for r in report["results"] if r["severity"] == "Warning")
    assert warning["focus_node"] == str(EX.bea)
    assert warning["path"] == str(EX.homepage)
    assert warning["value"] is None
    assert warning["constraint"] == "sh:MinCountConstraintComponent"
    assert (warning["file"], warning["line"]) == (str(CONFORMING), 14)


def test_text_report_groups_results_by_node_and_ends_with_a_summary() -> None:
    outcome = validate(FORMATS, CONFORMING, "--shapes", SHAPES)
    assert outcome.exit_code == 1
    text = outcome.stdout
    alice = FORMATS / "alice.ttl"
    assert text.count("ex:alice  (") == 1
    block = text.split(f"ex:alice  ({alice}:3)\n", 1)[1].split("\n\n", 1)[0]
    assert block.splitlines() == [
        '  Violation (line 6): ex:birthYear = "nineteen-eighty"',
        '    Give the birth year as one xsd:gYear, e.g. "1983"^^xsd:gYear.'
        "  [sh:DatatypeConstraintComponent]",
    ]
    assert f"ex:bea  ({CONFORMING}:14)\n  Warning: ex:homepage\n" in text
    triples = triples_in(FORMATS, CONFORMING)
    assert text.rstrip("\n").splitlines()[-1] == (
        f"does not conform: 8 violations, 1 warning in 9 nodes (9 files, {triples} triples)"
    )
    assert "Traceback" not in outcome.output


def test_text_report_shows_the_value_of_a_node_level_constraint(tmp_path: Path) -> None:
    data, shapes = tmp_path / "data.ttl", tmp_path / "shapes.ttl"
    data.write_text("@prefix ex: <http://example.org/people#> .\n\nex:x a ex:Thing .\n")
    shapes.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "@prefix ex: <http://example.org/people#> .\n"
        "ex:S a sh:NodeShape ; sh:targetNode ex:x ; sh:class ex:Person .\n"
    )
    outcome = validate(data, "--shapes", shapes)
    assert outcome.exit_code == 1
    assert outcome.stdout.startswith(f"ex:x  ({data}:3)\n  Violation: value ex:x\n")


def test_turtle_report_is_a_shacl_validation_report() -> None:
    outcome = validate(FORMATS, "--shapes", SHAPES, "--format", "turtle")
    assert outcome.exit_code == 1
    report = Graph().parse(data=outcome.stdout, format="turtle")
    (node,) = report.subjects(RDF.type, SH.ValidationReport)
    assert report.value(node, SH.conforms).toPython() is False
    results = list(report.objects(node, SH.result))
    assert {report.value(r, SH.focusNode) for r in results} == {EX[c[1]] for c in FORMAT_CASES}
    assert {report.value(r, SH.sourceConstraintComponent) for r in results} == {
        SH.DatatypeConstraintComponent
    }


# --- exit status -------------------------------------------------------------


def test_conforming_data_with_a_warning_exits_0() -> None:
    outcome = validate(CONFORMING, "--shapes", SHAPES)
    assert outcome.exit_code == 0, outcome.output
    assert outcome.stdout.splitlines()[-1] == (
        f"conforms: 0 violations, 1 warning in 1 node (1 file, {triples_in(CONFORMING)} triples)"
    )


def test_missing_file_exits_2_with_its_name() -> None:
    missing = FIX / "no-such-file.ttl"
    outcome = validate(missing, "--shapes", SHAPES)
    assert outcome.exit_code == 2
    assert outcome.stderr == f"sdkg validate: error: {missing}: no such file or folder\n"
    assert outcome.stdout == ""


def test_missing_shapes_file_exits_2() -> None:
    outcome = validate(CONFORMING, "--shapes", FIX / "no-shapes.ttl")
    assert outcome.exit_code == 2
    assert "no-shapes.ttl: No such file or directory" in outcome.stderr


def test_unknown_extension_named_explicitly_exits_2() -> None:
    outcome = validate(FORMATS / "README.txt", "--shapes", SHAPES)
    assert outcome.exit_code == 2
    assert "README.txt: unknown RDF file extension" in outcome.stderr


def test_unknown_output_format_is_a_usage_error() -> None:
    outcome = validate(CONFORMING, "--format", "yaml")
    assert outcome.exit_code == 2
    assert "Invalid value for '--format'" in outcome.stderr


def test_unusable_shapes_exit_2_with_the_reason(tmp_path: Path) -> None:
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "@prefix ex: <http://example.org/people#> .\n"
        "ex:S a sh:NodeShape ; sh:targetClass ex:Person ;\n"
        '    sh:property [ sh:path ex:name ; sh:minCount "many" ] .\n'
    )
    outcome = validate(CONFORMING, "--shapes", shapes)
    assert outcome.exit_code == 2
    assert f"unusable shapes ({shapes})" in outcome.stderr
    assert "sh:minCount" in outcome.stderr


@pytest.mark.parametrize(("name", "line", "column", "message"), PARSE_ERRORS)
def test_parse_error_exits_2_with_file_line_and_column(
    name: str, line: int, column: int, message: str
) -> None:
    path = BROKEN / name
    outcome = validate(path, "--shapes", SHAPES)
    assert outcome.exit_code == 2
    prefix = f"sdkg validate: error: {path}:{line}:{column}: "
    assert outcome.stderr.startswith(prefix), outcome.stderr
    assert message in outcome.stderr
    assert outcome.stderr.count("\n") == 1
    assert outcome.stdout == ""


def test_parse_error_in_a_folder_names_the_broken_file() -> None:
    outcome = validate(BROKEN, "--shapes", SHAPES)
    assert outcome.exit_code == 2
    first_broken = sorted(BROKEN.iterdir())[0]
    assert outcome.stderr.startswith(f"sdkg validate: error: {first_broken}:")


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("external-entity.rdf", "XML entity declarations and external references are refused"),
        ("remote-context.jsonld", "remote JSON-LD contexts are not fetched"),
    ],
)
def test_inputs_that_would_reach_outside_are_refused(name: str, message: str) -> None:
    outcome = validate(BROKEN / name, "--shapes", SHAPES)
    assert outcome.exit_code == 2
    assert outcome.stderr.startswith(f"sdkg validate: error: {BROKEN / name}: {message}")


def test_remote_context_nested_in_a_list_is_refused(tmp_path: Path) -> None:
    doc = tmp_path / "nested.jsonld"
    doc.write_text(
        json.dumps(
            {"@graph": [{"@context": [{"ex": str(EX)}, "http://127.0.0.1:9/ctx"], "@id": EX.x}]}
        )
    )
    outcome = validate(doc, "--shapes", SHAPES)
    assert outcome.exit_code == 2
    assert "remote JSON-LD contexts are not fetched" in outcome.stderr


# --- Python API --------------------------------------------------------------


def _worker_data() -> Graph:
    data = Graph()
    data.add((EX.zed, RDF.type, EX.Person))
    data.add((EX.zed, EX.name, Literal("Zed")))
    data.add((EX.zed, EX.worksFor, EX.uni))
    data.add((EX.uni, RDF.type, EX.University))
    return data


def test_ontology_joins_the_data_graph_so_sh_class_sees_subclasses() -> None:
    shapes = Graph().parse(SHAPES)
    ontology = Graph().parse(
        data="@prefix ex: <http://example.org/people#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "ex:University rdfs:subClassOf ex:Organization .\n",
        format="turtle",
    )
    data = _worker_data()
    without = validate_graph(data, shapes)
    assert [r.constraint for r in without.results if r.severity == "Violation"] == [
        SH.ClassConstraintComponent
    ]
    with_ontology = validate_graph(data, shapes, ontology=ontology)
    assert with_ontology.conforms
    assert {r.constraint for r in with_ontology.results} == {SH.MinCountConstraintComponent}
    assert len(data) == 4  # the caller's graph is not changed
    assert with_ontology.triples == 4


def test_focus_nodes_limit_validation() -> None:
    loaded = load_rdf_files([FORMATS])
    report = validate_graph(loaded.graph, Graph().parse(SHAPES), focus_nodes=[EX.alice, EX.bob])
    assert {r.focus_node for r in report.results} == {EX.alice, EX.bob}


def test_load_rdf_files_records_where_subjects_are_defined() -> None:
    loaded = load_rdf_files([FORMATS])
    assert loaded.files == sorted(str(FORMATS / c[0]) for c in FORMAT_CASES)
    for name, person, _, line, _ in FORMAT_CASES:
        where = loaded.locations[EX[person]]
        assert (where.file, where.line) == (str(FORMATS / name), line)


def test_api_and_cli_give_the_same_report() -> None:
    api = validate_files([FORMATS, CONFORMING], Graph().parse(SHAPES), with_ontology=False)
    cli = validate(FORMATS, CONFORMING, "--shapes", SHAPES, "--format", "json")
    assert json.loads(cli.stdout) == api.to_json()


# --- the installed command ---------------------------------------------------


def test_bundled_data_conforms() -> None:
    done = subprocess.run([SDKG, "validate"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines()[-1].startswith("conforms: 0 violations")


def test_command_reports_parse_errors_without_traceback() -> None:
    path = BROKEN / "missing-semicolon.ttl"
    done = subprocess.run(
        [SDKG, "validate", path, "--shapes", SHAPES], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert done.stderr.startswith(f"sdkg validate: error: {path}:4:19: ")
    assert "Traceback" not in done.stderr


def test_command_json_output_on_ill_typed_literals_has_no_noise() -> None:
    done = subprocess.run(
        [SDKG, "validate", FORMATS, "--shapes", SHAPES, "--format", "json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert json.loads(done.stdout)["summary"]["violations"] == len(FORMAT_CASES)
    assert done.stderr == ""  # heidi's "1880"^^xsd:date makes rdflib log a traceback
