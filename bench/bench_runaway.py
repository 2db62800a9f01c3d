"""Latency of simple queries while a runaway query is stopped, with a slow validation
in flight.

    .venv/bin/python bench/bench_runaway.py [--clients 4] [--timeout 3] [--seconds 20]

Starts ``sdkg serve`` (one worker, the default) on the bundled data; ``--clients``
threads send ``ASK { ?s ?p ?o }`` in a loop (a new connection each time, as many
clients do). Two seconds in, a validation of 10,000 triples starts, then a runaway
query that passes ``--timeout``. The event lasts from the runaway query's start until
the old worker has exited. Prints p50 / p99 / max latency of the simple queries before
and during the event, the errors, and whether the validation got its answer.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

ASK = {"query": "ASK { ?s ?p ?o }"}
RUNAWAY = (
    "SELECT (COUNT(*) AS ?n) "
    "WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n1 ?o . ?p ?q ?r }"
)


def people(count: int) -> bytes:
    lines = ["@prefix foaf: <http://xmlns.com/foaf/0.1/> .",
             "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> ."]  # fmt: skip
    for n in range(count):
        lines.append(f'<https://w3id.org/sdkg/id/bench-{n}> a foaf:Person ; rdfs:label "P {n}"@en'
                     f' ; foaf:name "P {n}" ; foaf:givenName "P" .')  # fmt: skip
    return "\n".join(lines).encode()


def start(timeout: float, log: Path) -> tuple[subprocess.Popen, str]:
    # The validation limit by environment: older versions (to compare) ignore it.
    env = {**os.environ, "SDKG_RATE_LIMIT": "off", "SDKG_MAX_CONCURRENT_PER_CLIENT": "0",
           "SDKG_VALIDATION_TIMEOUT": "300"}  # fmt: skip
    command = [sys.executable, "-m", "sdkg.cli", "serve", "--memory", "--port", "0",
               "--timeout", str(timeout)]  # fmt: skip
    with log.open("wb") as handle:
        process = subprocess.Popen(command, stdout=handle, stderr=subprocess.STDOUT, env=env)
    for _ in range(600):
        match = re.search(r"serving SPARQL at (http://\S+/)sparql", log.read_text())
        if match:
            try:
                requests.get(match[1] + "healthz", timeout=5).raise_for_status()
                return process, match[1]
            except requests.RequestException:
                pass
        time.sleep(0.1)
    process.kill()
    raise SystemExit(f"the server did not start:\n{log.read_text()}")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--timeout", type=float, default=3.0)
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        log = Path(work) / "server.log"
        process, base = start(args.timeout, log)
        try:
            old_pid = requests.get(base + "healthz", timeout=10).json()["pid"]
            samples: list[tuple[float, float]] = []  # (sent at, latency)
            errors: list[str] = []
            stop = time.monotonic() + args.seconds
            marks: dict[str, float] = {}

            def client() -> None:
                while time.monotonic() < stop:
                    sent = time.monotonic()
                    try:
                        response = requests.get(base + "sparql", params=ASK, timeout=60)
                        response.raise_for_status()
                        samples.append((sent, time.monotonic() - sent))
                    except requests.RequestException as error:
                        errors.append(str(error))
                    time.sleep(0.02)

            def validation() -> None:
                try:
                    response = requests.post(base + "validate", data=people(2500), timeout=300,
                                             headers={"Content-Type": "text/turtle"})  # fmt: skip
                    marks["validation status"] = response.status_code
                except requests.RequestException as error:
                    marks["validation status"] = f"cut ({type(error).__name__})"

            def runaway() -> None:
                marks["runaway sent"] = time.monotonic()
                response = requests.get(base + "sparql", params={"query": RUNAWAY}, timeout=120)
                marks["runaway status"] = response.status_code

            threads = [threading.Thread(target=client) for _ in range(args.clients)]
            for thread in threads:
                thread.start()
            time.sleep(2)
            extra = [threading.Thread(target=validation), threading.Thread(target=runaway)]
            extra[0].start()
            time.sleep(0.5)
            extra[1].start()
            while Path(f"/proc/{old_pid}").exists() and time.monotonic() < stop:
                time.sleep(0.05)
            marks["old worker gone"] = time.monotonic()
            for thread in threads + extra:
                thread.join()
        finally:
            process.terminate()
            process.wait(30)
    start_event = marks["runaway sent"]
    end_event = marks["old worker gone"]
    before = [lat for sent, lat in samples if sent < start_event]
    during = [lat for sent, lat in samples if start_event <= sent <= end_event]
    print(f"event: runaway query sent -> old worker exited: {end_event - start_event:.1f} s")
    for name, values in (("before", before), ("during", during)):
        print(f"{name:>7}: {len(values):5d} queries  p50 {statistics.median(values) * 1000:7.1f} ms"
              f"  p99 {percentile(values, 0.99) * 1000:7.1f} ms"
              f"  max {max(values) * 1000:7.1f} ms")  # fmt: skip
    print(
        f" errors: {len(errors)}   runaway: {marks.get('runaway status')}   "
        f"validation in flight: {marks.get('validation status')}"
    )


if __name__ == "__main__":
    main()
