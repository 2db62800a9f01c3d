"""Limits and lifecycle: row cap, query time limit, clean shutdown, access log."""

from __future__ import annotations

import re
import signal
import threading
import time
from pathlib import Path

import pytest
import rdflib
import requests
from support.robustness import RUNAWAY
from support.servers import ENDPOINT_DATA, SHARED_MAX_ROWS, start_on

ALL_QUADS = "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }"
TRUNCATED = f"true; limit={SHARED_MAX_ROWS}"


def total_quads(endpoint) -> int:
    query = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    response = requests.get(endpoint.sparql, params={"query": query})
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_rows_past_the_cap_are_cut_and_flagged(endpoint, fmt):
    assert total_quads(endpoint) > SHARED_MAX_ROWS  # the cap really bites
    response = requests.get(endpoint.sparql, params={"query": ALL_QUADS, "format": fmt})
    assert response.status_code == 200
    assert response.headers["SDKG-Results-Truncated"] == TRUNCATED
    if fmt == "json":
        count = len(response.json()["results"]["bindings"])
    elif fmt == "xml":
        count = response.text.count("<result>")
    else:
        count = len(response.text.splitlines()) - 1  # minus the header line
    assert count == SHARED_MAX_ROWS


def test_results_within_the_cap_are_not_flagged(endpoint):
    for limit in (5, SHARED_MAX_ROWS):
        query = f"{ALL_QUADS} LIMIT {limit}"
        response = requests.get(endpoint.sparql, params={"query": query})
        assert "SDKG-Results-Truncated" not in response.headers
        assert len(response.json()["results"]["bindings"]) == limit


def test_construct_past_the_cap_is_cut_and_flagged(endpoint):
    query = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"
    response = requests.get(endpoint.sparql, params={"query": query, "format": "nt"})
    assert response.headers["SDKG-Results-Truncated"] == TRUNCATED
    assert len(rdflib.Graph().parse(data=response.text, format="nt")) == SHARED_MAX_ROWS


def test_runaway_query_is_stopped_while_others_are_served(start_server, store_args, backend):
    server = start_on(start_server, store_args, backend, "endpoint",
                      "--data", str(ENDPOINT_DATA), "--timeout", "2", "--workers", "2")  # fmt: skip
    outcome: dict = {}

    def run_runaway() -> None:
        response = requests.get(server.sparql, params={"query": RUNAWAY}, timeout=120)
        outcome.update(status=response.status_code, text=response.text, answered=time.monotonic())

    sent = time.monotonic()
    runaway = threading.Thread(target=run_runaway)
    runaway.start()
    light_answers = []  # when each light query's answer arrived
    while runaway.is_alive():
        response = requests.get(server.sparql, params={"query": "ASK { ?s ?p ?o }"}, timeout=60)
        assert response.status_code == 200 and response.json()["boolean"] is True
        light_answers.append(time.monotonic())
        time.sleep(0.1)
    runaway.join()
    assert outcome["status"] == 503
    assert "exceeded the 2 s limit" in outcome["text"]
    # The order of events, not a count within a time: another client was answered after
    # the runaway query was sent and before it was stopped.
    assert any(sent < at < outcome["answered"] for at in light_answers)
    if backend != "oxigraph":
        # A remote store stops the query itself (Virtuoso gets a timeout parameter).
        assert "recycling worker" not in server.log_text()
        return

    # The worker that ran it is recycled, so the query really stops.
    match = re.search(r"recycling worker (\d+)", server.log_text())
    assert match, server.log_text()
    proc = Path(f"/proc/{match.group(1)}")
    deadline = time.monotonic() + 30
    while proc.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not proc.exists()
    # ... and the server answers normally afterwards.
    for _ in range(6):
        response = requests.get(server.sparql, params={"query": "ASK { ?s ?p ?o }"}, timeout=10)
        assert response.status_code == 200


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_shuts_down_cleanly_on_signal(start_server, store_args, backend, sig):
    server = start_on(start_server, store_args, backend, "endpoint", "--data", str(ENDPOINT_DATA))
    assert requests.get(server.sparql, params={"query": "ASK {}"}).status_code == 200
    started = time.monotonic()
    assert server.stop(sig, timeout=20) == 0
    assert time.monotonic() - started < 10
    assert "Shutting down" in server.log_text()
    assert "Traceback" not in server.log_text()
    with pytest.raises(requests.ConnectionError):
        requests.get(server.sparql, params={"query": "ASK {}"}, timeout=5)


def test_each_request_is_logged_with_its_time(endpoint):
    marker = "logged-marker-4711"
    requests.get(endpoint.sparql, params={"query": f"ASK {{ ?s ?p '{marker}' }}"})
    time.sleep(0.2)
    lines = [line for line in endpoint.log_text().splitlines() if marker in line]
    assert lines
    assert re.search(r'"GET /sparql\?query=\S+ HTTP/1.1" 200 \d+ \d+ms', lines[-1])


def tricky_rows(count: int) -> str:
    """A query of ``count`` rows whose JSON defeats naive row counting: literals holding
    `,{"` and `{}`, rows binding nothing, rows binding only the second variable."""
    values = []
    for i in range(count):
        values.append(
            [
                f'("x,{{\\"a\\":{i}}}" <http://example.org/{i}>)',
                "(UNDEF UNDEF)",
                f'(UNDEF "{{}} {i}")',
            ][i % 3]
        )
    return f"SELECT ?x ?y WHERE {{ VALUES (?x ?y) {{ {' '.join(values)} }} }}"


@pytest.mark.parametrize("extra", [-1, 0, 1, 7])
def test_row_cap_is_exact_in_json_whatever_the_rows_hold(endpoint, extra):
    count = SHARED_MAX_ROWS + extra
    query = tricky_rows(count)
    json_answer = requests.get(endpoint.sparql, params={"query": query, "format": "json"})
    tsv_answer = requests.get(endpoint.sparql, params={"query": query, "format": "tsv"})
    assert json_answer.status_code == tsv_answer.status_code == 200, json_answer.text
    bindings = json_answer.json()["results"]["bindings"]  # also proves it is valid JSON
    assert len(bindings) == min(count, SHARED_MAX_ROWS)
    flagged = "SDKG-Results-Truncated" in json_answer.headers
    assert flagged == (count > SHARED_MAX_ROWS)
    # The same rows, in the same order, as the TSV answer (cut by line).
    tsv_rows = tsv_answer.text.splitlines()[1:]
    assert len(tsv_rows) == len(bindings)
    for binding, line in zip(bindings, tsv_rows, strict=True):
        cells = dict(zip(("x", "y"), line.split("\t"), strict=True))
        assert set(binding) == {name for name, cell in cells.items() if cell}
