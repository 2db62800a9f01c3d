"""Helpers for the search, reconciliation, spreadsheet and CSV contribution tests."""

from __future__ import annotations

import functools

import requests
from rdflib import Graph

from sdkg.resources import bundled_path


@functools.cache
def bundled_data() -> Graph:
    """The bundled data files (not the ontology), read with rdflib: the independent oracle.
    Shared: do not change it."""
    graph = Graph()
    for path in sorted(bundled_path("data").rglob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


def sparql_json(server, query: str) -> dict:
    """The server's SPARQL JSON answer to ``query`` (asserting a 200)."""
    response = requests.get(
        server.sparql,
        params={"query": query},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert response.status_code == 200, response.text
    return response.json()
