"""The ``sdkg`` command line: one click group, one sub-command per job."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Any

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


# ---------------------------------------------------------------- link

DATA_OPTION = click.option(
    "--data",
    "data_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Our data folder (default: the bundled data/). Caches go to DATA/external/.",
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
    """Links to external linked-data sources: import, fetch, check."""


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
@MAPPING_OPTION
def link_fetch(
    source: str,
    endpoint: str | None,
    data_dir: Path | None,
    out: Path | None,
    batch_size: int | None,
    timeout: float | None,
    max_retries: int | None,
    mapping_file: Path | None,
) -> None:
    """Pull the declared facts about every entity linked to SOURCE into its cache file."""
    from sdkg.linking import LinkingError, cache, fetch, ourdata, sources

    try:
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
            say=lambda message: click.echo(message, err=True),
        )
    except LinkingError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(
        f"fetched {result.triples} triples about {result.entities} entities "
        f"in {result.batches} requests from {result.endpoint}"
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
@MAPPING_OPTION
def link_check(data_dir: Path | None, output_format: str, mapping_file: Path | None) -> None:
    """Report missing, malformed, duplicate and retired external links.

    Exit status: 0 with warnings only (missing links), 1 with errors,
    2 if the data could not be read.
    """
    from sdkg.linking import LinkingError, check, ourdata, sources

    try:
        report = check.check_links(
            ourdata.data_dir_or_default(data_dir), sources.load_mapping(mapping_file)
        )
    except LinkingError as exc:
        click.echo(f"Error: {exc}", err=True)
        raise SystemExit(2) from exc
    click.echo(report.to_json() if output_format == "json" else report.to_text())
    raise SystemExit(report.exit_code)


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
@click.option("--threads", type=int, help="Request threads per process [default: 8].")
@click.option("--timeout", type=float, help="Query time limit in seconds [default: 30].")
@click.option("--max-query-length", type=int, help="Longest query, characters [default: 100000].")
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
    """Serve the SPARQL endpoint (production WSGI server)."""
    from sdkg.config import parse_rate
    from sdkg.server import serve as run_server
    from sdkg.store import StoreError

    try:
        rate = None if rate_limit is None else parse_rate(rate_limit)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--rate-limit") from None
    settings = _settings(**options, allow_service=allow_service or None, rate_limit=rate)
    try:
        run_server(settings)
    except StoreError as error:
        raise click.ClickException(str(error)) from None


@main.command()
@click.argument("source", required=False)
@click.option("--query", "-q", "text", help="The query text (instead of SOURCE).")
@click.option("--format", "-f", "output_format", default="table", show_default=True,
              type=click.Choice(["table", "csv", "tsv", "json", "xml", "turtle", "nt",
                                 "jsonld", "rdfxml"]),
              help="Output format.")  # fmt: skip
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
    from sdkg.store import StoreError

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
    try:
        status = localquery.run_query(settings, sparql, output_format, sys.stdout.buffer)
    except StoreError as error:
        raise click.ClickException(str(error)) from None
    sys.exit(status)


if __name__ == "__main__":
    main()
