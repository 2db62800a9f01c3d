"""``sdkg query``: run a SPARQL query on the local store, without a server."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import IO

from sdkg import serialize
from sdkg.config import Settings
from sdkg.negotiation import NotAcceptable, by_name
from sdkg.protocol import (
    QueryTimeout,
    Table,
    describe_syntax_error,
    result_kind,
    serialize_result,
    tabulate,
    term_text,
)
from sdkg.store import open_local_store

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2
_CELL_WIDTH = 60


class QuerySourceError(Exception):
    """The query text could not be read."""


def read_query(source: str | None, text: str | None, stdin: IO[str]) -> str:
    """The query from ``--query TEXT``, from stdin (``-``), from a file, or by name.

    A SOURCE that is not an existing file is looked up among the named queries of
    ``queries/`` (``cq02``, ``2``, ``centre-acronyms``), so ``sdkg query cq02`` works.
    """
    from sdkg.named_queries import NamedQueryError, find_query

    if (source is None) == (text is None):
        raise QuerySourceError(
            "give exactly one of: a query FILE, a named query (see --list), '-' for stdin, "
            "--query TEXT"
        )
    if text is not None:
        return text
    if source == "-":
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
    """Run ``query`` on the local store and write the result; return the exit status."""
    store = open_local_store(settings, warm=False)
    try:
        result = store.query(query)
        if output_format == "table":
            table = tabulate(result, settings.max_rows)
            out.write(format_table(table).encode("utf-8"))
            truncated = table.truncated
        else:
            choice = by_name(output_format, result_kind(result))
            serialized = serialize_result(result, choice.format, settings.max_rows)
            body, _ = serialize.finish(serialized.body, choice)
            out.write(body)
            if not body.endswith(b"\n"):
                out.write(b"\n")
            truncated = serialized.truncated
    except SyntaxError as error:
        print(describe_syntax_error(error, query), file=sys.stderr)
        return EXIT_USAGE
    except NotAcceptable as error:
        print(f"--format {output_format}: {error.message}", file=sys.stderr)
        return EXIT_USAGE
    except (ValueError, QueryTimeout) as error:  # refused by a remote store, or too slow
        print(f"cannot run this query: {error}", file=sys.stderr)
        return EXIT_ERROR
    out.flush()
    if truncated:
        print(f"note: results truncated at {settings.max_rows} rows (--max-rows)", file=sys.stderr)
    return EXIT_OK


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
