"""The report on a CSV file: problems in cells, or the gate's results by row and column."""

from __future__ import annotations

from typing import Any

from rdflib import BNode, Node, URIRef

from sdkg.csv_intake.converting import Conversion


def locate_results(results: list[dict[str, Any]], conversion: Conversion) -> list[dict[str, Any]]:
    """The validation results of the converted graph, each with the row and column it is
    about (and without the graph's line numbers, which mean nothing here)."""
    located = []
    for result in results:
        focus = result["focus_node"]
        node: Node = BNode(focus[2:]) if focus.startswith("_:") else URIRef(focus)
        cell = conversion.cell_of(node, result.get("path"))
        if cell is None and result.get("path"):
            cell = conversion.cell_of(node, None)
        entry = {**(cell.to_json() if cell else {"row": None, "column": None}), **result}
        entry.pop("file", None)
        entry.pop("line", None)
        located.append(entry)
    located.sort(key=lambda r: (r["row"] or 0, r["column"] or ""))
    return located


def report(conversion: Conversion, validation: dict[str, Any] | None) -> dict[str, Any]:
    """The report on a file: the problems in its cells (``validation`` None), or the
    gate's report (its JSON) with each result located in a row and column; and what
    each row became."""
    if validation is None:
        return problems_report(conversion)
    return {
        **validation,
        "results": locate_results(validation["results"], conversion),
        "rows": [o.to_json() for o in conversion.outcomes],
    }


def problems_report(conversion: Conversion) -> dict[str, Any]:
    """A report (the validation report's JSON shape) of the problems found in cells."""
    violations = sum(1 for p in conversion.problems if p.severity == "Violation")
    return {
        "conforms": violations == 0,
        "summary": {"violations": violations, "warnings": len(conversion.problems) - violations},
        "results": [p.to_json() for p in conversion.problems],
        "rows": [o.to_json() for o in conversion.outcomes],
    }
