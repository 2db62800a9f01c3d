"""Large answers: sdkg's capped writing of a SELECT result beside pyoxigraph's own.

    python bench/bench_large_answers.py [--rows 100000] [--repeat 9] [--http]

On a graph from bench/generate.py (about ``--rows`` triples), the query
``SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT <rows>`` is answered in each result format
(JSON, XML, CSV, TSV), interleaved, ``--repeat`` times after a warm-up:

- ``raw``: ``store.query(...).serialize(format=...)``, pyoxigraph's own writing;
- ``sdkg``: ``sdkg.protocol.serialize_result`` as ``/sparql`` runs it, with a row cap
  above the row count (rows counted as written; sdkg.rowcap);
- ``sdkg-cut``: the same with the cap at half the rows (the cap bites: the answer is
  cut and the evaluation stops early, so it is cheaper).

Both include the query's evaluation (pyoxigraph evaluates while writing). It prints the
median and minimum of each, and sdkg / raw (target: at most 1.2x in JSON). With
``--http`` it also fetches the JSON answer from ``sdkg serve --max-rows`` over HTTP
beside the raw figure (what a client sees: the body also crosses loopback).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import requests
from generate import generate

from sdkg import formats, protocol

FORMATS = ("json", "xml", "csv", "tsv")


def load(folder: Path) -> ox.Store:
    store = ox.Store()
    for path in sorted(folder.glob("*.ttl")):
        store.bulk_load(path=path, format=ox.RdfFormat.TURTLE)
    return store


def timed(run: Callable[[], object]) -> float:
    started = time.perf_counter()
    run()
    return (time.perf_counter() - started) * 1000


def in_process(store: ox.Store, query: str, rows: int, repeat: int) -> None:
    print(f"{'format':6} {'candidate':9} {'median ms':>10} {'min ms':>8} {'/ raw':>6}  rows out")
    for name in FORMATS:
        fmt = formats.by_name(name, "solutions")
        assert fmt is not None
        candidates: dict[str, Callable[[], object]] = {
            "raw": lambda fmt=fmt: store.query(query).serialize(format=fmt.oxigraph),
            "sdkg": lambda fmt=fmt: protocol.serialize_result(store.query(query), fmt, rows + 1),
            "sdkg-cut": lambda fmt=fmt: protocol.serialize_result(
                store.query(query), fmt, rows // 2
            ),
        }
        for run in candidates.values():  # warm-up
            run()
        times: dict[str, list[float]] = {label: [] for label in candidates}
        for _ in range(repeat):  # interleaved: machine noise falls on all alike
            for label, run in candidates.items():
                times[label].append(timed(run))
        raw = statistics.median(times["raw"])
        for label, values in times.items():
            out = rows if label != "sdkg-cut" else rows // 2
            median = statistics.median(values)
            print(f"{name:6} {label:9} {median:10.1f} {min(values):8.1f} {median / raw:6.2f}  "
                  f"{out:,}")  # fmt: skip


def over_http(data: Path, store: ox.Store, query: str, rows: int, repeat: int) -> None:
    sys.path.insert(0, str(Path(__file__).parent))
    from bench_endpoint import Server

    with tempfile.TemporaryDirectory() as work:
        server = Server(Path(work) / "store", data, Path(work) / "serve.log")
        server.command += ["--max-rows", str(rows + 1)]
        json_query = {"name": "large", "sparql": query, "accept": ACCEPT_JSON}
        server.start(json_query)
        try:
            session = requests.Session()
            session.trust_env = False
            fmt = ox.QueryResultsFormat.JSON
            http, raw = [], []
            for _ in range(repeat):
                http.append(timed(lambda: server.ask(json_query, session)))
                raw.append(timed(lambda: store.query(query).serialize(format=fmt)))
            ratio = statistics.median(http) / statistics.median(raw)
            print(f"\nJSON over HTTP (sdkg serve --max-rows {rows + 1}, requests client): "
                  f"median {statistics.median(http):.1f} ms, raw {statistics.median(raw):.1f}"
                  f" ms, {ratio:.2f}x")  # fmt: skip
        finally:
            server.stop()


ACCEPT_JSON = "application/sparql-results+json"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000, help="rows of the answer")
    parser.add_argument("--repeat", type=int, default=9, help="timed runs per candidate")
    parser.add_argument("--http", action="store_true", help="also time JSON over HTTP")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as work:
        data = Path(work) / "gen"
        generate(data, int(args.rows * 1.05))
        store = load(data)
        query = f"SELECT ?s ?p ?o WHERE {{ ?s ?p ?o }} LIMIT {args.rows}"
        count = sum(1 for _ in store.query(query))
        if count != args.rows:
            print(f"error: the graph gave {count} rows, not {args.rows}", file=sys.stderr)
            return 1
        print(f"SELECT of {count:,} rows from a generated graph; {args.repeat} runs each, "
              "interleaved\n")  # fmt: skip
        in_process(store, query, count, args.repeat)
        if args.http:
            over_http(data, store, query, count, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
