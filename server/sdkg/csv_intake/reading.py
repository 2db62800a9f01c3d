"""Reading a CSV file and its mapping (ours or CSVW metadata) into rows and roles."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from typing import Any

from sdkg import namespaces
from sdkg.csv_intake.templates import TEMPLATES, Template

#: Most rows in one file (each row is looked up in the graph; split larger files).
MAX_ROWS = 2000


class CsvIntakeError(ValueError):
    """The file or the mapping cannot be read at all (not a row's problem)."""


#: CSVW ``propertyUrl`` values (compact or full) -> roles, for CSVW metadata mappings.
CSVW_PROPERTIES = {
    "rdfs:label": "name",
    "sdkg:acronym": "acronym",
    "rdf:type": "kind",
    "org:subOrganizationOf": "parent",
    "schema:location": "city",
    "schema:addressCountry": "country",
    "schema:foundingDate": "founded",
    "dcterms:source": "source",
    "prov:value": "quote",
    "sdkg:partner": "partner",
    "sdkg:partnershipKind": "kind",
    "schema:startDate": "start_date",
    "org:member": "fellow",
    "org:organization": "host",
    "sdkg:programme": "programme",
}


@dataclass
class ColumnMapping:
    """Which column plays which role, and default values for roles without a column."""

    template: Template
    columns: dict[str, str]
    defaults: dict[str, str] = field(default_factory=dict)


def read_mapping(text: str | bytes | None, template: str | None = None) -> ColumnMapping:
    """A mapping from its JSON (ours or CSVW metadata), or a template's own column titles.

    Raises :class:`CsvIntakeError` saying what to fix.
    """
    document: dict[str, Any] = {}
    if text:
        try:
            document = json.loads(text)
        except (ValueError, UnicodeDecodeError) as error:
            raise CsvIntakeError(f"the mapping is not valid JSON: {error}") from None
        if not isinstance(document, dict):
            raise CsvIntakeError("the mapping must be a JSON object (see docs/spreadsheets.md)")
    name = document.get("template") or template
    if not name:
        raise CsvIntakeError(
            "say which template the file follows: 'template' in the mapping, or "
            f"?template= ({', '.join(TEMPLATES)})"
        )
    if name not in TEMPLATES:
        raise CsvIntakeError(f"unknown template {name!r}: use one of {', '.join(TEMPLATES)}")
    chosen = TEMPLATES[name]
    if "tableSchema" in document:
        columns = _csvw_columns(document["tableSchema"], chosen)
    else:
        columns = document.get("columns", {})
    defaults = document.get("defaults", {})
    for what, value in (("columns", columns), ("defaults", defaults)):
        if not isinstance(value, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()
        ):
            raise CsvIntakeError(f"'{what}' must map role names to strings")
        unknown = sorted(set(value) - {r.name for r in chosen.roles})
        if unknown:
            roles = ", ".join(r.name for r in chosen.roles)
            raise CsvIntakeError(f"unknown roles {unknown} for {name}: use {roles}")
    return ColumnMapping(chosen, dict(columns), dict(defaults))


def _csvw_columns(schema: Any, chosen: Template) -> dict[str, str]:
    if not isinstance(schema, dict) or not isinstance(schema.get("columns"), list):
        raise CsvIntakeError("CSVW metadata: tableSchema.columns must be a list")
    columns: dict[str, str] = {}
    for column in schema["columns"]:
        if not isinstance(column, dict):
            raise CsvIntakeError("CSVW metadata: each column must be an object")
        title = column.get("titles") or column.get("name")
        title = title[0] if isinstance(title, list) and title else title
        prop = str(column.get("propertyUrl", ""))
        role = CSVW_PROPERTIES.get(prop) or _role_of_full_iri(prop) or column.get("name")
        if not isinstance(title, str) or not role:
            continue
        if role == "partner" and "partner" in columns:
            role = "other_partner"  # two sdkg:partner columns: the two partners
        if role in {r.name for r in chosen.roles}:
            columns[role] = title
    return columns


def _role_of_full_iri(iri: str) -> str | None:

    for prefix, namespace in namespaces.CORE_PREFIXES.items():
        if iri.startswith(namespace):
            return CSVW_PROPERTIES.get(f"{prefix}:{iri[len(namespace) :]}")
    return None


def guess_template(header: list[str]) -> str:
    """The template whose required column titles the header has all of."""
    fitting = [
        t.name for t in TEMPLATES.values() if all(r.title in header for r in t.roles if r.required)
    ]
    if len(fitting) != 1:
        raise CsvIntakeError(
            "cannot tell which template the file follows from its columns: give the template "
            f"({', '.join(TEMPLATES)}) or a mapping"
        )
    return fitting[0]


@dataclass
class Table:
    """A CSV file's header and rows (each row a dict by column title)."""

    header: list[str]
    rows: list[dict[str, str]]


def read_csv(body: bytes) -> Table:
    """The rows of a CSV file (UTF-8, with or without BOM; comma, semicolon or tab).

    Raises :class:`CsvIntakeError` for undecodable, empty or ragged files.
    """
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise CsvIntakeError(
            f"the file is not UTF-8 (byte {error.start}): save it as 'CSV UTF-8'"
        ) from None
    if not text.strip():
        raise CsvIntakeError("the CSV file is empty")
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        records = [row for row in reader if any(cell.strip() for cell in row)]
    except csv.Error as error:
        raise CsvIntakeError(f"cannot read the CSV at line {reader.line_num}: {error}") from None
    header = [title.strip() for title in records[0]]
    if len(set(header)) != len(header) or "" in header:
        raise CsvIntakeError("every column needs a title of its own in the first row")
    rows = []
    for number, record in enumerate(records[1:], 2):
        if len(record) > len(header):
            raise CsvIntakeError(
                f"row {number} has {len(record)} cells but the header has {len(header)} columns"
            )
        rows.append({title: cell.strip() for title, cell in zip(header, record, strict=False)})
    if not rows:
        raise CsvIntakeError("the CSV file has a header but no rows")
    if len(rows) > MAX_ROWS:
        raise CsvIntakeError(f"the file has {len(rows)} rows; send at most {MAX_ROWS} at a time")
    return Table(header, rows)
