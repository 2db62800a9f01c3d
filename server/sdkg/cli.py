"""The ``sdkg`` command line: one click group, one sub-command per job."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from sdkg import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="sdkg")
def main() -> None:
    """sdkg: the Science Diplomacy Knowledge Graph."""


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
def serve(**options: Any) -> None:
    """Serve the SPARQL endpoint (production WSGI server)."""
    from sdkg.server import serve as run_server
    from sdkg.store import StoreError

    settings = _settings(**options)
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
@store_options
def query(source: str | None, text: str | None, output_format: str, **options: Any) -> None:
    """Run a SPARQL query on the local store, without a server.

    SOURCE is a query file, or - to read the query from stdin.
    """
    from sdkg import localquery
    from sdkg.store import StoreError

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
