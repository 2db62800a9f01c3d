"""Helpers of the remote-store tests (tests/remote/): the labels a server answers with, and
the installed ``sdkg`` command."""

from __future__ import annotations

import sys
from pathlib import Path

import requests

LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
LABELS = f"SELECT ?label WHERE {{ ?s <{LABEL}> ?label }}"
#: The ``sdkg`` command of the running interpreter's environment.
SDKG = str(Path(sys.executable).parent / "sdkg")


def labels(server) -> set[str]:
    """Every rdfs:label value ``server`` answers with (asserting a 200)."""
    response = requests.post(server.sparql, data={"query": LABELS})
    assert response.status_code == 200, response.text
    return {b["label"]["value"] for b in response.json()["results"]["bindings"]}
