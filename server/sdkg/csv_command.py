"""``sdkg contribute FILE.csv``: check a spreadsheet contribution locally, or submit it.

Without ``--server`` the file is converted and validated against the local store
(the same conversion and gate as ``POST /validate``); nothing is written. With
``--server URL`` it is posted to that server's ``/contributions`` with the token from
the ``SDKG_TOKEN`` environment variable (never a command-line argument: those end up
in shell histories and process lists).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from sdkg.config import Settings

EXIT_OK, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2
TOKEN_VARIABLE = "SDKG_TOKEN"


class CommandError(Exception):
    """A usage problem: the message says what to do; exit status 2."""


def check_locally(
    settings: Settings, csv_path: Path, mapping_path: Path | None, template: str | None
) -> tuple[int, dict[str, Any]]:
    """Convert and validate the file against the local store: (exit status, report)."""
    from sdkg.closure import validate_against_graph
    from sdkg.csv_intake import CsvIntakeError, intake, problems_report, report
    from sdkg.names import name_index_for
    from sdkg.reconciliation import Reconciler, build_facts
    from sdkg.store import open_local_store

    body, mapping_text = _read_files(csv_path, mapping_path)
    store = open_local_store(settings, warm=False)
    names = name_index_for(store, None)  # one index for reconciling and validating
    reconciler = Reconciler(names, build_facts(store))
    try:
        _, conversion = intake(body, mapping_text, template, reconciler, store)
    except CsvIntakeError as error:
        raise CommandError(f"{csv_path}: {error}") from None
    validation = None
    if problems_report(conversion)["conforms"]:
        validation = validate_against_graph(conversion.graph, store, names=names).to_json()
    answer = report(conversion, validation)
    return (EXIT_OK if answer["conforms"] else EXIT_REFUSED), answer


def submit(
    server: str, csv_path: Path, mapping_path: Path | None, template: str | None
) -> tuple[int, dict[str, Any]]:
    """Post the file to ``server``'s /contributions: (exit status, the server's answer)."""
    import requests

    token = os.environ.get(TOKEN_VARIABLE, "").strip()
    if not token:
        raise CommandError(f"set {TOKEN_VARIABLE} to your contribution token to submit")
    body, mapping_text = _read_files(csv_path, mapping_path)
    params = {k: v for k, v in (("template", template), ("mapping", mapping_text)) if v}
    url = server.rstrip("/") + "/contributions"
    try:
        response = requests.post(
            url,
            data=body,
            params=params,
            headers={"Content-Type": "text/csv", "Authorization": f"Bearer {token}"},
            timeout=120,
        )
    except requests.RequestException as error:
        raise CommandError(f"cannot reach {url}: {error}") from None
    if response.headers.get("Content-Type", "").startswith("application/json"):
        answer = response.json()
    else:
        answer = {"error": response.text.strip(), "status": response.status_code}
    if response.status_code in (200, 201):
        return EXIT_OK, answer
    if response.status_code == 422:
        return EXIT_REFUSED, answer
    raise CommandError(f"{url} answered {response.status_code}: {answer.get('error', answer)}")


def _read_files(csv_path: Path, mapping_path: Path | None) -> tuple[bytes, str | None]:
    try:
        body = csv_path.read_bytes()
        mapping = mapping_path.read_text(encoding="utf-8") if mapping_path else None
    except (OSError, UnicodeDecodeError) as error:
        raise CommandError(f"cannot read {error}") from None
    return body, mapping


def format_report(report: dict[str, Any]) -> str:
    """The report for a terminal: one line per problem, by row and column, then the rows."""
    inner = report.get("report", report)
    lines = []
    if "id" in report:
        lines.append(f"contribution {report['id']} stored ({report.get('triples')} triples)")
    if "message" in report:
        lines.append(report["message"])
    for result in inner.get("results", []):
        where = f"row {result['row']}" if result.get("row") else "file"
        if result.get("column"):
            where += f", column {result['column']!r}"
        value = f" [{result['value']}]" if result.get("value") else ""
        lines.append(f"{where}: {result['severity']}: {result['message']}{value}")
    for row in inner.get("rows", []):
        if row.get("entity"):
            state = "new" if row["new"] else "existing"
            lines.append(f"row {row['row']}: {row['name']} -> {row['entity']} ({state})")
    summary = inner.get("summary", {})
    if inner.get("conforms") and summary.get("triples") == 0:
        lines.append("nothing new: the graph already states every fact of these rows")
    verdict = "conforms" if inner.get("conforms") else "does not conform"
    lines.append(
        f"{verdict}: {summary.get('violations', 0)} violation(s), "
        f"{summary.get('warnings', 0)} warning(s)"
    )
    return "\n".join(lines) + "\n"


def as_json(report: dict[str, Any]) -> str:
    """The report as indented JSON."""
    return json.dumps(report, indent=2, ensure_ascii=False) + "\n"
