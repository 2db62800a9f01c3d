"""The ``sdkg`` command line: one click group, one sub-command per job."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Any

import click

from sdkg import __version__

EXAMPLES = """\b
Examples:
  sdkg serve                  web pages and SPARQL endpoint at http://127.0.0.1:8000/
  sdkg query cq02             run a named query (sdkg query --list shows all 30)
  sdkg query -q 'ASK {}'      run your own SPARQL on the local store
  sdkg validate my-data.ttl   check data against the SHACL shapes
  sdkg contribute rows.csv    check a spreadsheet contribution before sending it
  sdkg doctor                 what is missing to serve, or to run every test
Help on one command: sdkg COMMAND --help. Documentation: docs/ (mkdocs serve)."""


@click.group(context_settings={"help_option_names": ["-h", "--help"]}, epilog=EXAMPLES)
@click.version_option(__version__, prog_name="sdkg")
def main() -> None:
    """sdkg: the Science Diplomacy Knowledge Graph."""


NO_RDF_FILES = "no RDF files in this folder (.ttl .nt .jsonld .rdf .owl .trig .nq)"


@main.command(short_help="Validate RDF files against the SHACL shapes.")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--shapes",
    type=click.Path(path_type=Path),
    help="SHACL shapes file (default: the bundled ontology/shapes.ttl).",
)
@click.option(
    "--alone",
    is_flag=True,
    help="Validate the files by themselves, without the bundled graph as context.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "turtle"]),
    default="text",
    show_default=True,
    help="Report format: readable text, stable JSON, or the standard sh:ValidationReport.",
)
def validate(paths: tuple[Path, ...], shapes: Path | None, alone: bool, output_format: str) -> None:
    """Validate RDF files or folders as the server validates a contribution.

    PATHs (files, or folders searched recursively for .ttl .nt .jsonld .rdf .owl
    .trig .nq files) are checked like POST /validate: against the bundled graph as
    context, with the shapes and the gate's checks. --alone checks them by
    themselves. Without PATHs, the bundled data is validated. With --shapes, the
    data graph is exactly the given files, checked with those shapes only.
    Exit status: 0 conforms (warnings allowed), 1 violations, 2 unreadable input.
    """
    from sdkg.rdfio import RDFInputError, find_rdf_files, read_rdf_file
    from sdkg.validation import ShapesError, validate_files

    # rdflib logs a traceback for every ill-typed literal ("1880"^^xsd:date) and
    # pyshacl logs the errors it then raises: the report and our message say it
    # already, and people should not see tracebacks.
    logging.getLogger("rdflib.term").setLevel(logging.ERROR)
    logging.getLogger("pyshacl-validate").disabled = True
    as_json: Any = None
    try:
        for folder in paths:
            if folder.is_dir() and not find_rdf_files([folder]):
                raise RDFInputError(str(folder), NO_RDF_FILES)
        if shapes is not None:
            shapes_graph = read_rdf_file(shapes)
            report = validate_files(list(paths) or None, shapes_graph, with_ontology=not paths)
        else:
            validation = _validate_with_gate(list(paths), alone=alone)
            report, as_json = validation.report, validation.to_json()
    except RDFInputError as exc:
        click.echo(f"sdkg validate: error: {exc}", err=True)
        sys.exit(2)
    except ShapesError as exc:
        click.echo(
            f"sdkg validate: error: unusable shapes ({shapes or 'bundled'}): {exc}", err=True
        )
        sys.exit(2)
    if output_format == "json":
        click.echo(json.dumps(as_json or report.to_json(), indent=2, ensure_ascii=False))
    elif output_format == "turtle":
        click.echo(report.to_turtle(), nl=False)
    else:
        click.echo(report.to_text(), nl=False)
    sys.exit(0 if report.conforms else 1)


def _validate_with_gate(paths: list[Path], *, alone: bool) -> Any:
    """``paths`` (default: the curated bundled data) through the server's validation:
    with the bundled graph, held in memory, as context unless ``alone`` or no paths."""
    from sdkg.closure import validate_against_graph
    from sdkg.config import Settings
    from sdkg.store import open_local_store
    from sdkg.validation import curated_data_files, load_rdf_files

    loaded = load_rdf_files(paths or curated_data_files())
    store = None
    if paths and not alone:
        # The bundled ontology and data only (not SDKG_* settings): the context
        # every contributor's copy of sdkg has.
        store = open_local_store(Settings(memory=True))
    return validate_against_graph(
        loaded.graph, store, locations=loaded.locations, files=len(loaded.files)
    )


# ---------------------------------------------------------------- link

DATA_OPTION = click.option(
    "--data",
    "data_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Our data folder (default: the bundled data/). Caches go to DATA/external/.",
)
CONTRIBUTIONS_OPTION = click.option(
    "--contributions",
    "contributions_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder of accepted contributions whose unverified links are included "
    "[default: the configured store's contributions folder].",
)
MAPPING_OPTION = click.option(
    "--mapping",
    "mapping_file",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    default=None,
    help="The link sources mapping file (default: the one shipped with sdkg).",
)


@main.group()
def link() -> None:
    """Links to external datasets: import, fetch, check."""


@link.command("import-ror")
@click.argument("dump", type=click.Path(exists=True, path_type=Path))
@DATA_OPTION
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Turtle file to write (default: DATA/external/ror.ttl).",
)
@click.option("--all", "keep_all", is_flag=True, help="Keep every record, linked or not.")
@MAPPING_OPTION
def link_import_ror(
    dump: Path, data_dir: Path | None, out: Path | None, keep_all: bool, mapping_file: Path | None
) -> None:
    """Import the ROR records of our linked organizations from DUMP (a ROR data dump:
    a JSON array of records, schema v1 or v2, or a folder of one-record .json files)."""
    from sdkg.linking import LinkingError, cache, ourdata, ror, sources

    try:
        data = ourdata.data_dir_or_default(data_dir)
        result = ror.import_ror(
            dump,
            data,
            out or cache.cache_path(data, ror.SOURCE),
            sources.load_mapping(mapping_file),
            keep_all=keep_all,
        )
    except LinkingError as exc:
        raise click.ClickException(str(exc)) from exc
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(
        f"read {result.read} ROR records; kept {len(result.kept)}"
        + (" (--all)" if keep_all else " linked from our data")
        + f", skipped {result.skipped}"
    )
    if result.linked_missing:
        click.echo(
            f"{len(result.linked_missing)} linked ROR IRIs are not in the dump: "
            + " ".join(result.linked_missing)
        )
    version = f"v{result.dump.version}" if result.dump.version else "version unknown"
    click.echo(f"dump: {version}, date {result.dump.date or 'unknown'} (from {result.dump.basis})")
    click.echo(f"{'wrote' if result.changed else 'unchanged:'} {result.out}")


@link.command("fetch")
@click.option(
    "--source",
    default="wikidata",
    show_default=True,
    help="Source to fetch from, as named in the mapping file (wikidata, dbpedia, ...).",
)
@click.option("--endpoint", default=None, help="SPARQL endpoint URL (default: the source's).")
@DATA_OPTION
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Turtle file to write (default: DATA/external/SOURCE.ttl).",
)
@click.option("--batch-size", type=click.IntRange(min=1), default=None, help="IRIs per request.")
@click.option(
    "--timeout", type=click.FloatRange(min=0.1), default=None, help="Seconds per request."
)
@click.option(
    "--max-retries", type=click.IntRange(min=0), default=None, help="Retries per request."
)
@CONTRIBUTIONS_OPTION
@MAPPING_OPTION
def link_fetch(
    source: str,
    endpoint: str | None,
    data_dir: Path | None,
    out: Path | None,
    batch_size: int | None,
    timeout: float | None,
    max_retries: int | None,
    contributions_dir: Path | None,
    mapping_file: Path | None,
) -> None:
    """Pull the declared facts about every entity linked to SOURCE into its cache file,
    and about the unverified links of the accepted contributions (a record whose name
    matches the entity's confirms the link)."""
    from sdkg.linking import LinkingError, cache, fetch, ourdata, sources

    try:
        folder = _contributions_folder(contributions_dir)
        data = ourdata.data_dir_or_default(data_dir)
        result = fetch.fetch(
            source,
            data,
            out or cache.cache_path(data, source),
            sources.load_mapping(mapping_file),
            endpoint=endpoint,
            batch_size=batch_size,
            timeout=timeout,
            max_retries=max_retries,
            contributions_dir=folder,
            say=lambda message: click.echo(message, err=True),
        )
    except LinkingError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(
        f"fetched {result.triples} triples about {result.entities} entities "
        f"in {result.batches} requests from {result.endpoint}"
    )
    if result.contributed:
        click.echo(
            f"{result.contributed} of them are unverified links of contributions in {folder}: "
            f"{result.confirmed} confirmed (same name), {result.mismatched} with another name "
            "(see sdkg link check)"
        )
    click.echo(f"wrote {result.out}")


@link.command("check")
@DATA_OPTION
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
)
@CONTRIBUTIONS_OPTION
@MAPPING_OPTION
def link_check(
    data_dir: Path | None,
    output_format: str,
    contributions_dir: Path | None,
    mapping_file: Path | None,
) -> None:
    """Report missing, malformed, duplicate and retired external links, and check the
    name of each unverified link of the accepted contributions against its cached
    record: a match is recorded as confirmed, a mismatch is an error.

    Exit status: 0 with warnings only (missing links), 1 with errors,
    2 if the data could not be read.
    """
    from sdkg.linking import LinkingError, check, ourdata, sources

    try:
        folder = _contributions_folder(contributions_dir)
        report = check.check_links(
            ourdata.data_dir_or_default(data_dir),
            sources.load_mapping(mapping_file),
            contributions_dir=folder,
        )
    except LinkingError as exc:
        click.echo(f"Error: {exc}", err=True)
        raise SystemExit(2) from exc
    click.echo(report.to_json() if output_format == "json" else report.to_text())
    raise SystemExit(report.exit_code)


def _contributions_folder(given: Path | None) -> Path:
    """The contributions folder whose unverified links ``sdkg link`` includes: ``given``
    (which must exist), else the configured store's (which may not exist yet)."""
    from sdkg.linking import LinkingError

    if given is not None and not given.is_dir():
        raise LinkingError(f"the contributions folder {given} does not exist")
    return _settings(contributions_dir=given).resolved_contributions_dir


def _settings(**overrides: Any) -> Any:
    from sdkg.config import Settings

    if overrides.get("memory") and overrides.get("store_dir") is not None:
        raise click.UsageError("--store and --memory exclude each other")
    try:
        return Settings.load(overrides)
    except ValueError as error:
        raise click.UsageError(str(error)) from None


_DIR = click.Path(file_okay=False, path_type=Path)
_store_options = [
    click.option("--store", "store_dir", type=_DIR, help="Store folder [default: per-user data]."),
    click.option("--memory", is_flag=True, default=None, help="Keep the store in memory only."),
    click.option(
        "--data",
        "data_dir",
        type=click.Path(exists=True, file_okay=False, path_type=Path),
        help="Data folder replacing the bundled data/.",
    ),  # fmt: skip
    click.option("--max-rows", type=int, help="Most result rows returned [default: 10000]."),
    click.option(
        "--store-url",
        metavar="QUERY_URL",
        help="Serve an existing SPARQL 1.1 store at this Query endpoint instead of the "
        "embedded one (credentials from SDKG_STORE_USER / SDKG_STORE_PASSWORD).",
    ),
    click.option(
        "--store-update-url", metavar="UPDATE_URL", help="Its Update endpoint [default: QUERY_URL]."
    ),
    click.option(
        "--store-graph-url",
        metavar="GRAPH_STORE_URL",
        help="Its Graph Store Protocol endpoint, for fast loads and dumps [default: none].",
    ),
    click.option(
        "--store-read-only",
        is_flag=True,
        default=None,
        help="Never write to the store (QLever, replicas): no file sync, serve its graphs as "
        "they are, contributions closed.",
    ),
]


def store_options(command: Any) -> Any:
    """The options that choose the store, shared by serve and query."""
    for option in reversed(_store_options):
        command = option(command)
    return command


@main.command()
@click.option("--host", help="Interface to listen on [default: 127.0.0.1].")
@click.option("--port", type=int, help="Port; 0 picks a free one [default: 8000].")
@store_options
@click.option("--workers", type=int, help="Server processes [default: 1].")
@click.option(
    "--store-memory",
    type=click.Choice(["copy", "disk"]),
    help="copy: each process loads the store into memory; disk: all processes answer from "
    "the shared on-disk store and the OS page cache [default: copy].",
)
@click.option("--threads", type=int, help="Request threads per process [default: 8].")
@click.option("--timeout", type=float, help="Query time limit in seconds [default: 30].")
@click.option("--max-query-length", type=int, help="Longest query, characters [default: 100000].")
@click.option(
    "--answer-cache-mb",
    type=int,
    help="Memory per process for answers of expensive queries, kept until the data "
    "changes; 0 keeps none [default: 32].",
)
@click.option(
    "--validation-timeout", type=float, help="Validation time limit in seconds [default: 30]."
)
@click.option(
    "--max-contribution-triples",
    type=int,
    help="Most triples in a contribution or validation [default: 10000].",
)
@click.option(
    "--max-contribution-prefixes",
    type=int,
    help="Most prefix declarations in a contribution or validation [default: 500].",
)
@click.option(
    "--max-concurrent-validations",
    type=int,
    help="Validations one server process runs at once; more get 503 [default: 2].",
)
@click.option(
    "--max-nesting-depth",
    type=int,
    help="Deepest nesting of blank nodes and lists in a contribution [default: 64].",
)
@click.option(
    "--allow-service",
    multiple=True,
    metavar="URL",
    help="SPARQL endpoint a query may call with SERVICE (repeatable; 'none' turns federation "
    "off) [default: the Wikidata and DBpedia endpoints].",
)
@click.option(
    "--contributions",
    "contributions_dir",
    type=_DIR,
    help="Folder of accepted contributions [default: STORE/contributions].",
)
@click.option(
    "--tokens-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Contribution tokens file [default: none: contributions closed].",
)
@click.option(
    "--rate-limit",
    metavar="RATE",
    help="Requests per client on average, e.g. 20/s, 600/min, or off [default: 20/s].",
)
@click.option("--rate-burst", type=int, help="Requests per client in a burst [default: 100].")
@click.option(
    "--max-concurrent-per-client",
    type=int,
    help="Requests one client may have running at once; 0 = no cap [default: 4].",
)
@click.option(
    "--trust-proxy",
    type=int,
    metavar="N",
    help="Believe X-Forwarded-For/-Proto from N reverse proxies in front [default: 0].",
)
def serve(allow_service: tuple[str, ...], rate_limit: str | None, **options: Any) -> None:
    """Serve the web pages and the SPARQL endpoint (gunicorn)."""
    from sdkg.config import parse_rate
    from sdkg.errors import StoreError
    from sdkg.server import serve as run_server
    from sdkg.tokens import TokensUnavailable

    try:
        rate = None if rate_limit is None else parse_rate(rate_limit)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--rate-limit") from None
    settings = _settings(**options, allow_service=allow_service or None, rate_limit=rate)
    try:
        run_server(settings)
    except (StoreError, TokensUnavailable) as error:
        raise click.ClickException(str(error)) from None


@main.group()
def contributions() -> None:
    """Accepted contributions: check their files."""


@contributions.command("check")
@click.option(
    "--contributions",
    "contributions_dir",
    type=_DIR,
    help="Folder of accepted contributions [default: STORE/contributions].",
)
@click.option("--store", "store_dir", type=_DIR, help="Store folder [default: per-user data].")
@click.option(
    "--seal", is_flag=True, help="Add the checksum line to readable files written before checksums."
)
def contributions_check(contributions_dir: Path | None, store_dir: Path | None, seal: bool) -> None:
    """List contribution files that are damaged (checksum, Turtle); exit 1 if any is.

    Exit status: 0 all intact, 1 some damaged, 2 no such folder.
    """
    from sdkg.contributions import ContributionFolder

    settings = _settings(contributions_dir=contributions_dir, store_dir=store_dir)
    folder = ContributionFolder(settings.resolved_contributions_dir)
    if not folder.path.is_dir():
        click.echo(f"sdkg contributions check: error: no folder {folder.path}", err=True)
        sys.exit(2)
    checked = folder.check(seal_unsealed=seal)
    damaged = [c for c in checked if c.problem is not None]
    unsealed = [c for c in checked if c.problem is None and not c.sealed]
    for check in damaged:
        click.echo(f"damaged: {check.path}: {check.problem}")
    for check in unsealed:
        click.echo(f"no checksum: {check.path}: written before checksums; --seal adds one")
    click.echo(
        f"{len(checked)} contribution file(s) in {folder.path}: "
        f"{len(checked) - len(damaged)} intact, {len(damaged)} damaged"
        + (f" ({len(unsealed)} without checksum)" if unsealed else "")
    )
    sys.exit(1 if damaged else 0)


def _query_formats() -> list[str]:
    """``sdkg query --format`` values: ``table``, then the format registry's names."""
    from sdkg import formats

    return ["table", *formats.names("solutions", "graph")]


@main.command()
@click.argument("source", required=False)
@click.option("--query", "-q", "text", help="The query text (instead of SOURCE).")
@click.option("--format", "-f", "output_format", default="table", show_default=True,
              type=click.Choice(_query_formats()), help="Output format.")  # fmt: skip
@click.option("--list", "list_named", is_flag=True, help="List the named queries and exit.")
@store_options
def query(
    source: str | None, text: str | None, output_format: str, list_named: bool, **options: Any
) -> None:
    """Run a SPARQL query on the local store, without a server.

    SOURCE is a query file, a named query of queries/ (cq02, 2, centre-acronyms; see
    --list), or - to read the query from stdin.
    """
    from sdkg import localquery

    if list_named:
        from sdkg.named_queries import NamedQueryError, format_query_list

        try:
            click.echo(format_query_list(), nl=False)
        except NamedQueryError as error:
            raise click.ClickException(str(error)) from None
        return
    settings = _settings(**options)
    try:
        sparql = localquery.read_query(source, text, sys.stdin)
    except localquery.QuerySourceError as error:
        raise click.UsageError(str(error)) from None
    # Every error is reported by run_query in one line, with its exit status.
    sys.exit(localquery.run_query(settings, sparql, output_format, sys.stdout.buffer))


@main.command()
@click.option(
    "--store", "store_dir", type=_DIR, help="Store folder to check [default: per-user data]."
)
def doctor(store_dir: Path | None) -> None:
    """Check the environment: what is missing, and how to get it.

    Exit status: 0 when sdkg can run (optional things, such as Chromium for the browser
    tests, may be missing: their tests are skipped), 1 when something required is missing.
    """
    from sdkg.doctor import run_checks, summary

    checks = run_checks(_settings(store_dir=store_dir))
    for check in checks:
        click.echo(check.line())
    click.echo(summary(checks))
    sys.exit(1 if any(check.required and not check.ok for check in checks) else 0)


@main.command()
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--mapping",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Mapping JSON (ours or CSVW metadata) [default: the template's own columns].",
)
@click.option(
    "--template",
    type=click.Choice(["organizations", "partnerships", "fellowships"]),
    help="The template the file follows [default: told by its columns].",
)
@click.option(
    "--server",
    metavar="URL",
    help="Submit to this server (token from SDKG_TOKEN) instead of checking locally.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Report format.",
)
@store_options
def contribute(csv_file: Path, mapping: Path | None, template: str | None, server: str | None,
               output_format: str, **options: Any) -> None:  # fmt: skip
    """Check a spreadsheet (CSV) contribution here, or submit it.

    Checked against the local graph, or submitted to a server with --server.

    The report names rows and columns. Exit status: 0 conforms (or stored), 1 refused,
    2 unusable input. See docs/spreadsheets.md for the mapping.
    """
    from sdkg import csv_command

    try:
        if server:
            status, report = csv_command.submit(server, csv_file, mapping, template)
        else:
            settings = _settings(**options)
            status, report = csv_command.check_locally(settings, csv_file, mapping, template)
    except csv_command.CommandError as error:
        raise click.UsageError(str(error)) from None
    text = csv_command.as_json if output_format == "json" else csv_command.format_report
    click.echo(text(report), nl=False)
    sys.exit(status)


if __name__ == "__main__":
    main()
