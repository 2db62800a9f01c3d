"""Query results as spreadsheets: CSV and Excel workbooks, with labels beside the IRIs.

People open results in Excel or LibreOffice; an IRI alone says little there. So every
column that holds IRIs of things the graph names gets a ``<column> label`` column right
after it, numbers and years stay numbers, and dates stay dates.

:func:`labelled_sheet` turns a :class:`sdkg.protocol.Table` into a :class:`Sheet`;
:func:`to_csv` and :func:`to_xlsx` write it. No web code here: the web layer
(:mod:`sdkg.web.exports`) and the CLI can both use it.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import pyoxigraph as ox
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from sdkg.protocol import Table, term_text

XSD = "http://www.w3.org/2001/XMLSchema#"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MEDIA_TYPE = "text/csv"
_INTEGERS = {
    XSD + name
    for name in (
        "integer",
        "int",
        "long",
        "short",
        "byte",
        "nonNegativeInteger",
        "positiveInteger",
        "nonPositiveInteger",
        "negativeInteger",
        "unsignedInt",
        "unsignedLong",
        "unsignedShort",
        "unsignedByte",
        "gYear",
    )
}
_DECIMALS = {XSD + "decimal", XSD + "double", XSD + "float"}
_MAX_WIDTH = 60
#: Excel refuses cells longer than this.
_MAX_CELL = 32767


@dataclass
class Sheet:
    """A table of plain cell values (str, int, float, bool, date or None) and notes."""

    header: list[str]
    rows: list[list[Any]]
    #: Which columns hold IRIs (shown as links in a workbook).
    link_columns: set[int] = field(default_factory=set)
    truncated: bool = False


def labelled_sheet(table: Table, label_of: Callable[[str], str | None]) -> Sheet:
    """The rows of ``table`` as cell values, with a label column after each IRI column.

    ``label_of(iri)`` gives the label of an IRI, or None when the graph has none; a label
    column is added only where at least one IRI has a label and the query does not select
    one itself (``?centreLabel`` for ``?centre``). An ASK result is one cell.
    """
    if table.kind == "ask":
        return Sheet(["answer"], [[bool(table.boolean)]])
    header: list[str] = []
    columns: list[tuple[int, bool]] = []  # (variable position, is a label column)
    links: set[int] = set()
    for position, variable in enumerate(table.variables):
        values = [row[position] for row in table.rows]
        iris = [v.value for v in values if isinstance(v, ox.NamedNode)]
        links_here = bool(iris)
        header.append(variable)
        columns.append((position, False))
        if links_here:
            links.add(len(header) - 1)
        # A query that selects the label itself (?xLabel, the Wikidata habit) keeps its own.
        own = {f"{variable.lower()}label", f"{variable.lower()}_label"}
        own_label = own & {v.lower() for v in table.variables}
        if not own_label and any(label_of(iri) for iri in iris):
            header.append(_free_name(f"{variable} label", table.variables))
            columns.append((position, True))
    rows = []
    for row in table.rows:
        cells = []
        for position, is_label in columns:
            term = row[position]
            if is_label:
                cells.append(label_of(term.value) if isinstance(term, ox.NamedNode) else None)
            else:
                cells.append(cell_value(term))
        rows.append(cells)
    return Sheet(header, rows, links, table.truncated)


def _free_name(name: str, taken: Sequence[str]) -> str:
    while name in taken:
        name += "_"
    return name


def cell_value(term: Any) -> Any:
    """A term as a spreadsheet cell: numbers as numbers, dates as dates, the rest as text
    (language tags are dropped: the column says what the text is)."""
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value if term.datatype else ""
        text = term.value
        try:
            if datatype in _INTEGERS:
                return int(text)
            if datatype in _DECIMALS:
                number = Decimal(text)
                return int(number) if number == number.to_integral_value() else float(number)
            if datatype == XSD + "boolean":
                return text in ("true", "1")
            if datatype == XSD + "date":
                return datetime.date.fromisoformat(text)
        except (ValueError, InvalidOperation):
            return text  # an ill-typed literal stays as written
        return text
    return term_text(term)


def to_csv(sheet: Sheet) -> bytes:
    """The sheet as CSV (RFC 4180, UTF-8, CRLF line ends, a header row)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(sheet.header)
    for row in sheet.rows:
        writer.writerow(["" if cell is None else _csv_text(cell) for cell in row])
    return buffer.getvalue().encode("utf-8")


def _csv_text(cell: Any) -> str:
    if isinstance(cell, bool):
        return "true" if cell else "false"
    return str(cell)


def to_xlsx(sheet: Sheet, *, title: str, about: Sequence[tuple[str, str]] = ()) -> bytes:
    """The sheet as an Excel workbook: a "results" sheet (bold, frozen header row, filters,
    IRIs as links) and an "about" sheet with ``about``'s (name, value) lines."""
    book = Workbook()
    results = book.active
    assert isinstance(results, Worksheet)  # a new workbook's one sheet
    results.title = "results"
    results.append(sheet.header)
    for cell in results[1]:
        cell.font = Font(bold=True)
    for row_number, row in enumerate(sheet.rows, 2):
        for column_number, value in enumerate(row, 1):
            _put(results.cell(row_number, column_number), value)
    for column in sheet.link_columns:
        letter = get_column_letter(column + 1)
        for cell in results[letter][1:]:
            if isinstance(cell.value, str) and cell.value.startswith(("http://", "https://")):
                cell.hyperlink = cell.value
                cell.style = "Hyperlink"
    results.freeze_panes = "A2"
    if sheet.rows:
        results.auto_filter.ref = results.dimensions
    for position, name in enumerate(sheet.header, 1):
        longest = max([len(name), *(len(str(r[position - 1] or "")) for r in sheet.rows[:200])])
        results.column_dimensions[get_column_letter(position)].width = min(longest + 2, _MAX_WIDTH)
    notes = book.create_sheet("about")
    notes.append(["title", title])
    for row_number, (name, value) in enumerate(about, 2):
        notes.cell(row_number, 1, name)
        _put(notes.cell(row_number, 2), value)
    if sheet.truncated:
        notes.append(["note", "the result was cut at the server's row limit"])
    notes.column_dimensions["A"].width = 14
    notes.column_dimensions["B"].width = 100
    book.properties.title = title[:255]
    book.properties.creator = "sdkg"
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def _put(cell: Any, value: Any) -> None:
    """Write a value; text stays text even when it starts like a formula ("=..."), so
    nothing in a result ever runs in the spreadsheet program."""
    if isinstance(value, str):
        cell.value = value[:_MAX_CELL]
        cell.data_type = "s"
    else:
        cell.value = value
