"""Limits and lifecycle: row cap, query time limit, clean shutdown, access log."""

from __future__ import annotations

import csv
import io
import json
import re
import signal
import threading
import time
from pathlib import Path

import pyoxigraph as ox
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


def sparql_literal(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("\n", "\\n").replace("\r", "\\r") + '"'


def tricky_rows(count: int) -> tuple[str, list[dict[str, str]]]:
    """A query of ``count`` rows that defeats naive row counting in every format, and its
    rows (variable -> value). Literals hold `,{"` and `{}` (JSON), line breaks, commas and
    quotes (CSV), `<result>` (XML); some rows bind nothing, some only the second variable."""
    values, rows = [], []
    for i in range(count):
        kind = i % 4
        if kind == 0:
            x, y = f'x,{{"a":{i}}}\r\n<result> "q"', f"http://example.org/{i}"
            values.append(f"({sparql_literal(x)} <{y}>)")
            rows.append({"x": x, "y": y})
        elif kind == 1:
            values.append("(UNDEF UNDEF)")
            rows.append({})
        elif kind == 2:
            y = f'{{}} {i}\n,"'
            values.append(f"(UNDEF {sparql_literal(y)})")
            rows.append({"y": y})
        else:
            x = f"plain {i}"
            values.append(f"({sparql_literal(x)} UNDEF)")
            rows.append({"x": x})
    return f"SELECT ?x ?y WHERE {{ VALUES (?x ?y) {{ {' '.join(values)} }} }}", rows


def answer_rows(fmt: str, body: bytes) -> list[dict[str, str]]:
    """The rows of a SELECT answer, read by a parser of the format (not by counting)."""
    if fmt == "json":
        bindings = json.loads(body)["results"]["bindings"]
        return [{name: term["value"] for name, term in row.items()} for row in bindings]
    if fmt == "csv":
        reader = csv.DictReader(io.StringIO(body.decode(), newline=""))
        return [{name: cell for name, cell in row.items() if cell} for row in reader]
    parsed = ox.parse_query_results(body, ox.QueryResultsFormat.from_extension(fmt))
    names = [variable.value for variable in parsed.variables]
    return [{n: row[n].value for n in names if row[n] is not None} for row in parsed]


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
@pytest.mark.parametrize("extra", [-1, 0, 1, 7])
def test_row_cap_is_exact_in_every_format_whatever_the_rows_hold(endpoint, fmt, extra):
    count = SHARED_MAX_ROWS + extra
    query, rows = tricky_rows(count)
    answer = requests.get(endpoint.sparql, params={"query": query, "format": fmt})
    assert answer.status_code == 200, answer.text
    # The same rows, in the same order, as the query gives: exactly the first ones.
    assert answer_rows(fmt, answer.content) == rows[:SHARED_MAX_ROWS]
    flagged = answer.headers.get("SDKG-Results-Truncated")
    assert flagged == (TRUNCATED if count > SHARED_MAX_ROWS else None)
