"""The ``sdkg`` command line: one click group, one sub-command per job."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import click

from sdkg import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="sdkg")
def main() -> None:
    """sdkg: the Science Diplomacy Knowledge Graph."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--shapes",
    type=click.Path(path_type=Path),
    help="SHACL shapes file (default: the bundled ontology/shapes.ttl).",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "turtle"]),
    default="text",
    show_default=True,
    help="Report format: readable text, stable JSON, or the standard sh:ValidationReport.",
)
def validate(paths: tuple[Path, ...], shapes: Path | None, output_format: str) -> None:
    """Validate RDF files or folders (default: the bundled data) against SHACL shapes.

    Folders are searched recursively for .ttl .nt .jsonld .rdf .owl .trig .nq
    files. Without --shapes, the bundled ontology joins the data graph; with
    --shapes and PATHs, the data graph is exactly the given files.
    Exit status: 0 conforms (warnings allowed), 1 violations, 2 unreadable input.
    """
    from sdkg.rdfio import RDFInputError, read_rdf_file
    from sdkg.validation import ShapesError, validate_files

    # rdflib logs a traceback for every ill-typed literal ("1880"^^xsd:date) and
    # pyshacl logs the errors it then raises: the report and our message say it
    # already, and people should not see tracebacks.
    logging.getLogger("rdflib.term").setLevel(logging.ERROR)
    logging.getLogger("pyshacl-validate").disabled = True
    try:
        shapes_graph = None if shapes is None else read_rdf_file(shapes)
        report = validate_files(
            list(paths) or None,
            shapes_graph,
            with_ontology=shapes is None or not paths,
        )
    except RDFInputError as exc:
        click.echo(f"sdkg validate: error: {exc}", err=True)
        sys.exit(2)
    except ShapesError as exc:
        click.echo(
            f"sdkg validate: error: unusable shapes ({shapes or 'bundled'}): {exc}", err=True
        )
        sys.exit(2)
    if output_format == "json":
        click.echo(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    elif output_format == "turtle":
        click.echo(report.to_turtle(), nl=False)
    else:
        click.echo(report.to_text(), nl=False)
    sys.exit(0 if report.conforms else 1)


if __name__ == "__main__":
    main()
