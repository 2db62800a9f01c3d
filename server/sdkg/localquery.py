"""``sdkg query``: run a SPARQL query on the local store, without a server."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import IO

from sdkg import querying, serialize
from sdkg.config import Settings
from sdkg.errors import (
    EXIT_ERROR,
    EXIT_OK,
    EXIT_USAGE,
    QueryRejected,
    QuerySyntaxError,
    SdkgError,
    StoreError,
    exit_status,
)
from sdkg.graphstore import QueryResult
from sdkg.named_queries import NamedQueryError, find_query
from sdkg.negotiation import NotAcceptable, by_name
from sdkg.protocol import Table, result_kind, serialize_result, tabulate, term_text
from sdkg.store import open_local_store

__all__ = ["EXIT_ERROR", "EXIT_OK", "EXIT_USAGE", "read_query", "run_query"]
_CELL_WIDTH = 60


class QuerySourceError(Exception):
    """The query text could not be read."""


def read_query(source: str | None, text: str | None, stdin: IO[str]) -> str:
    """The query from ``--query TEXT``, from stdin (``-``), from a file, or by name.

    A SOURCE that is not an existing file is looked up among the named queries of
    ``queries/`` (``cq02``, ``2``, ``centre-acronyms``), so ``sdkg query cq02`` works.
    """
    if (source is None) == (text is None):
        raise QuerySourceError(
            "give exactly one of: a query FILE, a named query (see --list), '-' for stdin, "
            "--query TEXT"
        )
    if text is not None:
        return text
    if source == "-" or source is None:
        return stdin.read()
    path = Path(source)
    if not path.is_file():
        if path.suffix == ".rq" and len(path.parts) > 1:
            raise QuerySourceError(f"no such query file: {source}")
        try:
            return find_query(source).text
        except NamedQueryError as error:
            raise QuerySourceError(f"no such query file or named query: {error}") from None
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise QuerySourceError(f"cannot read {source}: {error}") from None


def run_query(settings: Settings, query: str, output_format: str, out: IO[bytes]) -> int:
    """Run ``query`` on the local store and write the result; return the exit status.

    Errors are reported in one line each (no traceback), with the exit status of
    :func:`sdkg.errors.exit_status`: 2 for a query to fix, 1 for one that could not run.
    """
    try:
        store = open_local_store(settings, warm=False)
        try:
            outcome = querying.run(store, query, lambda result: _write(result, output_format,
                                   settings.max_rows), seconds=None)  # fmt: skip
        finally:
            store.close()
    except NotAcceptable as error:
        print(f"--format {output_format}: {error.message}", file=sys.stderr)
        return EXIT_USAGE
    except SdkgError as error:
        print(_error_line(error), file=sys.stderr)
        return exit_status(error)
    except Exception as error:  # a bug: still one line, and the status of a failure
        print(f"sdkg query failed unexpectedly ({type(error).__name__}: {error}); "
              "please report it", file=sys.stderr)  # fmt: skip
        return EXIT_ERROR
    body, truncated = outcome
    out.write(body)
    out.flush()
    if truncated:
        print(f"note: results truncated at {settings.max_rows} rows (--max-rows)", file=sys.stderr)
    return EXIT_OK


def _write(result: QueryResult, output_format: str, max_rows: int) -> tuple[bytes, bool]:
    """The result written in ``output_format`` (``table`` or a format name), and whether
    rows were cut at ``max_rows``."""
    if output_format == "table":
        table = tabulate(result, max_rows)
        return format_table(table).encode("utf-8"), table.truncated
    choice = by_name(output_format, result_kind(result))
    serialized = serialize_result(result, choice.format, max_rows)
    body, _ = serialize.finish(serialized.body, choice)
    return (body if body.endswith(b"\n") else body + b"\n"), serialized.truncated


def _error_line(error: SdkgError) -> str:
    """What ``sdkg query`` prints for an error: a query's own message says what to change;
    others are said to have stopped the query."""
    if isinstance(error, (QuerySyntaxError, QueryRejected)):
        return str(error)
    if isinstance(error, StoreError):
        return f"Error: {error}"
    return f"cannot run this query: {error}"


def format_table(table: Table) -> str:
    """An aligned plain-text table, like a database shell prints."""
    if table.kind == "ask":
        return ("yes" if table.boolean else "no") + "\n"
    header = table.variables
    cells = [[_cell(term) for term in row] for row in table.rows]
    widths = [max([len(h), *(len(r[i]) for r in cells)]) for i, h in enumerate(header)]
    lines = [
        " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)),
        "-+-".join("-" * w for w in widths),
        *(" | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in cells),
    ]
    count = len(cells)
    lines.append(
        f"({count} row{'s' if count != 1 else ''}{', truncated' if table.truncated else ''})"
    )
    return "\n".join(line.rstrip() for line in lines) + "\n"


def _cell(term: object) -> str:
    text = term_text(term).replace("\n", " ")
    return text if len(text) <= _CELL_WIDTH else text[: _CELL_WIDTH - 1] + "…"
