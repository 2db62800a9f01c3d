"""Run a SPARQL query on the bundled ontology and data through sdkg's public surfaces.

``rows_over_http`` asks a real ``sdkg serve`` process at ``/sparql``;
``rows_over_cli`` runs ``sdkg query --format json`` (in-process, through click).
Both return the rows of a SELECT query as dicts: variable name -> lexical value,
IRI or blank node id; unbound variables are absent; rows keep the query's order.
"""

from __future__ import annotations

import json
from typing import Any

import requests
from click.testing import CliRunner

from sdkg.cli import main as sdkg_main


def rows_from_results(results: dict[str, Any]) -> list[dict[str, str]]:
    """The rows of a parsed ``application/sparql-results+json`` document."""
    return [
        {name: term["value"] for name, term in binding.items()}
        for binding in results["results"]["bindings"]
    ]


def rows_over_http(sparql_url: str, text: str) -> list[dict[str, str]]:
    """POST the query to a running endpoint and parse its JSON results."""
    response = requests.post(
        sparql_url, data={"query": text}, headers={"Accept": "application/sparql-results+json"}
    )
    assert response.status_code == 200, response.text
    return rows_from_results(response.json())


def rows_over_cli(text: str) -> list[dict[str, str]]:
    """Run ``sdkg query --memory --format json --query TEXT`` and parse its output."""
    result = CliRunner().invoke(
        sdkg_main, ["query", "--memory", "--format", "json", "--query", text]
    )
    assert result.exit_code == 0, result.output
    return rows_from_results(json.loads(result.stdout))
