"""Run the benchmark queries on an in-process engine; print one JSON document.

    python bench/engines.py oxigraph SNAPSHOT.nq QUERIES.json [--budget 2]
    python bench/engines.py rdflib SNAPSHOT.nq QUERIES.json [--budget 2] [--timeout 30]

Started by ``bench_endpoint.py`` as a fresh process per engine, so that its memory
figures are its own:

- ``oxigraph``: raw in-memory pyoxigraph, loaded from the server's own snapshot
  (the same quads, loaded the same way as the server's warm-up). Each run is the query
  plus JSON serialization (Turtle for DESCRIBE), as the endpoint does. The RSS growth
  of this process while loading is the "store itself" of the memory target.
- ``rdflib``: an rdflib ``Dataset`` with the union default graph. Each query runs in a
  forked child (copy-on-write, the dataset is loaded once) that is killed when the
  query has run ``--timeout`` seconds in total; a query with no finished run is
  reported as ``timed_out`` (its true time is above the timeout).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import select
import signal
import sys
import time
from pathlib import Path
from typing import Any

import psutil
from timing import measure


def rss() -> int:
    return psutil.Process().memory_info().rss


def run_oxigraph(
    snapshot: Path, queries: list[dict[str, str]], budget: float, *, disk: bool = False
) -> dict[str, Any]:
    """``disk``: ``snapshot`` is the server's database folder, opened read-only (as
    ``--store-memory disk`` serves it) instead of loaded into memory."""
    import pyoxigraph as ox

    gc.collect()
    before = rss()
    started = time.perf_counter()
    if disk:
        store = ox.Store.read_only(str(snapshot))
    else:
        store = ox.Store()
        store.bulk_load(path=snapshot, format=ox.RdfFormat.N_QUADS, lenient=True)
    load_seconds = time.perf_counter() - started
    gc.collect()
    after = rss()

    def answer(sparql: str) -> bytes:
        result = store.query(sparql, use_default_graph_as_union=True)
        if isinstance(result, ox.QueryTriples):
            return ox.serialize(result, format=ox.RdfFormat.TURTLE)
        return result.serialize(format=ox.QueryResultsFormat.JSON)

    results = {}
    for query in queries:
        sparql = query["sparql"]
        times = measure(lambda sparql=sparql: answer(sparql), budget)
        rows = sum(1 for _ in store.query(sparql, use_default_graph_as_union=True))
        results[query["name"]] = {"times": times, "rows": rows}
    return {
        "engine": "oxigraph",
        "quads": len(store),
        "load_seconds": load_seconds,
        "rss_before": before,
        "rss_after": after,
        "store_bytes": after - before,
        "peak_rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        "queries": results,
    }


def run_rdflib(
    snapshot: Path, queries: list[dict[str, str]], budget: float, timeout: float
) -> dict[str, Any]:
    import rdflib

    gc.collect()
    before = rss()
    started = time.perf_counter()
    dataset = rdflib.Dataset(default_union=True)
    dataset.parse(snapshot, format="nquads")
    load_seconds = time.perf_counter() - started
    gc.collect()
    after = rss()

    def answer(sparql: str) -> int:
        result = dataset.query(sparql)
        if result.type in ("CONSTRUCT", "DESCRIBE"):
            result.graph.serialize(format="turtle")
        else:
            result.serialize(format="json")
        return len(result)

    results = {}
    for query in queries:
        results[query["name"]] = in_child(answer, query["sparql"], budget, timeout)
    return {
        "engine": "rdflib",
        "quads": len(dataset),
        "load_seconds": load_seconds,
        "rss_before": before,
        "rss_after": after,
        "store_bytes": after - before,
        "queries": results,
    }


def in_child(answer: Any, sparql: str, budget: float, timeout: float) -> dict[str, Any]:
    """Time ``answer(sparql)`` in a forked child; stop it after ``timeout`` seconds."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report each run as a line, then the row count
        os.close(read_end)
        out = os.fdopen(write_end, "w", buffering=1)
        rows: list[int] = []
        try:
            measure(lambda: rows.append(answer(sparql)), budget, min_runs=1, max_runs=20,
                    on_run=lambda t: out.write(f"time {t}\n"))  # fmt: skip
            out.write(f"rows {rows[-1]}\n")
        except Exception as error:  # reported to the parent as one line of text
            message = f"{type(error).__name__}: {error}".replace("\n", " ")
            out.write(f"error {message}\n")
        out.flush()
        os._exit(0)
    os.close(write_end)
    started = time.perf_counter()
    times: list[float] = []
    rows: int | None = None
    error = None
    buffer = b""
    finished = False
    while not finished:
        left = timeout - (time.perf_counter() - started)
        if left <= 0 or not select.select([read_end], [], [], left)[0]:
            break
        chunk = os.read(read_end, 65536)
        if not chunk:
            break
        buffer += chunk
        *lines, buffer = buffer.split(b"\n")
        for line in lines:
            word, _, value = line.decode().partition(" ")
            if word == "time":
                times.append(float(value))
            elif word == "rows":
                rows = int(value)
                finished = True
            elif word == "error":
                error = value
                finished = True
    timed_out = not finished
    if timed_out:
        os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    os.close(read_end)
    return {"times": times, "rows": rows, "timed_out": timed_out and not times,
            "stopped": timed_out, "error": error, "timeout": timeout}  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("engine", choices=["oxigraph", "oxigraph-disk", "rdflib"])
    parser.add_argument("snapshot", type=Path)
    parser.add_argument("queries", type=Path)
    parser.add_argument("--budget", type=float, default=2.0, help="seconds of runs per query")
    parser.add_argument("--timeout", type=float, default=30.0, help="rdflib: seconds per query")
    args = parser.parse_args()
    queries = json.loads(args.queries.read_text(encoding="utf-8"))
    if args.engine.startswith("oxigraph"):
        report = run_oxigraph(
            args.snapshot, queries, args.budget, disk=args.engine == "oxigraph-disk"
        )
    else:
        report = run_rdflib(args.snapshot, queries, args.budget, args.timeout)
    json.dump(report, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
