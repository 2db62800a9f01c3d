"""Helpers shared by the robustness tests (limits, metrics, faults, fuzzing, load)."""

from __future__ import annotations

import time
from collections.abc import Callable

import requests
from prometheus_client.parser import text_string_to_metric_families

from support.servers import ENDPOINT_DATA

#: Flags choosing the store of the servers these tests start. The place to parametrize
#: them over store backends (a remote store) later.
STORE_ARGS = ("--memory", "--data", str(ENDPOINT_DATA))


# Six-way cross product: about 1000^6 combinations, far past any time limit.
RUNAWAY = (
    "SELECT (COUNT(*) AS ?n) "
    "WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n1 ?o . ?p ?q ?r }"
)


def slow_query(million_rows: float) -> str:
    """A query that counts ``million_rows`` million rows of a cross product: a slow query
    that still ends (about a quarter of a second per million rows here)."""
    rows = int(million_rows * 1_000_000)
    return (
        "SELECT (COUNT(*) AS ?n) WHERE { { SELECT * WHERE "
        f"{{ ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }} LIMIT {rows} }} }}"
    )


def scrape(base: str) -> dict[tuple[str, frozenset], float]:
    """``GET /metrics``, parsed by prometheus_client's own parser: sample -> value."""
    response = requests.get(base + "metrics", timeout=10)
    response.raise_for_status()
    samples: dict[tuple[str, frozenset], float] = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return samples


def metric(samples: dict[tuple[str, frozenset], float], name: str, **labels: str) -> float:
    """The value of one sample (0 when it was never recorded)."""
    return samples.get((name, frozenset(labels.items())), 0.0)


def wait_for(condition: Callable[[], bool], timeout: float = 20, interval: float = 0.05) -> bool:
    """Poll ``condition`` until it holds (True) or ``timeout`` seconds pass (False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()


def people(count: int, prefixes: int = 2) -> bytes:
    """Turtle describing ``count`` new people (four triples each)."""
    lines = ["@prefix foaf: <http://xmlns.com/foaf/0.1/> .",
             "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> ."]  # fmt: skip
    lines += [f"@prefix p{n}: <https://w3id.org/sdkg/id/x{n}-> ." for n in range(prefixes - 2)]
    for n in range(count):
        lines.append(
            f'<https://w3id.org/sdkg/id/person-{n}> a foaf:Person ; rdfs:label "P {n}"@en ; '
            f'foaf:name "P {n}" ; foaf:givenName "P" .'
        )
    return "\n".join(lines).encode()
