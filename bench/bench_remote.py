"""Benchmark sdkg in front of Virtuoso beside sdkg on its embedded store; print the ratios.

    python bench/bench_remote.py [--sizes 10k,1M] [--out DIR] [--budget 2]

Per size, on the graph of bench/generate.py (reused when already there):

1. ``sdkg serve --store DIR --data GEN``: time until warm (the embedded store);
2. a throwaway Virtuoso (tests/support/virtuoso.py, Debian's ``virtuoso-t``) and
   ``sdkg serve --store-url ... --store-graph-url ... --data GEN``: time until ready,
   which includes loading every file through the Graph Store Protocol;
3. each query of bench/workload.py over HTTP on both servers (median of runs within
   ``--budget`` seconds, bench/timing.py), the ratio Virtuoso / embedded, and whether
   both answered the same rows (a wrong answer is reported, not timed as a success).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import workload
from bench_endpoint import BenchError, Server, say
from generate import generate, parse_size
from timing import measure, summarize

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))
from support import virtuoso as virtuoso_support  # noqa: E402 - the tests' throwaway Virtuoso


def answer_rows(query: dict[str, str], body: bytes) -> list[tuple[str, ...]]:
    """The answer as sorted rows of lexical values (triples for DESCRIBE), to compare."""
    if query["accept"] == workload.GRAPH:
        triples = ox.parse(body, format=ox.RdfFormat.TURTLE)
        return sorted((str(q.subject), str(q.predicate), str(q.object)) for q in triples)
    data = json.loads(body)
    names = data["head"]["vars"]
    return sorted(
        tuple(b[n]["value"] if n in b else "" for n in names) for b in data["results"]["bindings"]
    )


def start(server: Server, first_query: dict[str, str]) -> dict[str, Any]:
    """Start a server and keep its timeline (seconds until ready and warm)."""
    timeline = server.start(first_query)
    return {k: round(timeline[k], 2) for k in ("ready", "first_answer", "warm")}


def bench_size(label: str, triples: int, args: argparse.Namespace) -> dict[str, Any]:
    out: Path = args.out
    gen = out / f"gen-{label}"
    meta_file = gen / "generator.json"
    meta = json.loads(meta_file.read_text()) if meta_file.is_file() else {}
    if meta.get("target_triples") != triples or meta.get("seed") != args.seed:
        say(f"[{label}] generating {triples} triples into {gen}")
        meta = generate(gen, triples, args.seed)
    queries = workload.queries(meta)
    report: dict[str, Any] = {"size": label, "triples": meta.get("triples", triples)}

    store = out / f"remote-bench-store-{label}"
    shutil.rmtree(store, ignore_errors=True)
    embedded = Server(store, gen, out / f"remote-bench-embedded-{label}.log")
    virtuoso_folder = out / f"virtuoso-{label}"
    shutil.rmtree(virtuoso_folder, ignore_errors=True)
    say(f"[{label}] starting Virtuoso in {virtuoso_folder}")
    virtuoso = virtuoso_support.start_virtuoso(virtuoso_folder, buffers=args.buffers)
    remote = Server(store, gen, out / f"remote-bench-virtuoso-{label}.log")
    remote.command = [sys.executable, "-m", "sdkg.cli", "serve", *virtuoso.sdkg_args(),
                      "--data", str(gen), "--port", "0", "--host", "127.0.0.1"]  # fmt: skip
    # The servers inherit the credentials, and no fair-use limits (one client, many runs).
    os.environ.update(
        virtuoso.sdkg_env(), SDKG_RATE_LIMIT="off", SDKG_MAX_CONCURRENT_PER_CLIENT="0"
    )
    try:
        say(f"[{label}] embedded store: first start")
        report["embedded_start"] = start(embedded, queries[0])
        say(f"[{label}] Virtuoso: first start (loads the files into it)")
        report["virtuoso_start"] = start(remote, queries[0])
        results = []
        for query in queries:
            say(f"[{label}] {query['name']}")
            row: dict[str, Any] = {"name": query["name"], "kind": query["kind"]}
            for name, server in (("embedded", embedded), ("virtuoso", remote)):
                try:
                    body = server.ask(query)
                except BenchError as error:
                    row[name] = {"error": str(error)[:300]}
                    continue
                times = measure(lambda server=server, query=query: server.ask(query), args.budget)
                row[name] = {**summarize(times), "rows": answer_rows(query, body)}
            results.append(row)
        report["queries"] = results
    finally:
        embedded.stop()
        remote.stop()
        virtuoso.stop()
    return report


def render(report: dict[str, Any]) -> str:
    """The figures of one size as a plain table."""
    lines = [
        f"== {report['size']} ({report['triples']} triples)",
        f"first start, embedded: ready {report['embedded_start']['ready']} s, warm "
        f"{report['embedded_start']['warm']} s; Virtuoso (load included): ready "
        f"{report['virtuoso_start']['ready']} s",
        f"{'query':32} {'embedded':>10} {'Virtuoso':>10} {'ratio':>7}  rows (same?)",
    ]
    for row in report["queries"]:
        cells = []
        for name in ("embedded", "virtuoso"):
            result = row[name]
            cells.append("error" if "error" in result else f"{result['median'] * 1000:.1f} ms")
        both = [row[n] for n in ("embedded", "virtuoso")]
        if any("error" in r for r in both):
            ratio, rows = "-", " / ".join(r.get("error", str(len(r["rows"]))) for r in both)
        else:
            ratio = f"{both[1]['median'] / both[0]['median']:.1f}x"
            same = "same" if both[0]["rows"] == both[1]["rows"] else "DIFFERENT"
            rows = f"{len(both[0]['rows'])} / {len(both[1]['rows'])} ({same})"
        lines.append(f"{row['name']:32} {cells[0]:>10} {cells[1]:>10} {ratio:>7}  {rows}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10k,1M", help="comma-separated: 10k,100k,1M")
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "sdkg-bench",
                        help="working folder (generated graphs are reused)")  # fmt: skip
    parser.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    parser.add_argument("--budget", type=float, default=2.0, help="seconds of runs per query")
    parser.add_argument("--buffers", type=int, default=200_000,
                        help="Virtuoso NumberOfBuffers (8 KB pages; default 200000)")  # fmt: skip
    args = parser.parse_args(argv)
    missing = virtuoso_support.missing_binaries()
    if missing:
        print(f"not installed: {', '.join(missing)} (apt-get install virtuoso-opensource-7-bin)",
              file=sys.stderr)  # fmt: skip
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    reports = []
    for text in args.sizes.split(","):
        triples = parse_size(text)
        started = time.perf_counter()
        report = bench_size(text.strip(), triples, args)
        report["seconds"] = round(time.perf_counter() - started, 1)
        reports.append(report)
        print(render(report), flush=True)
    for report in reports:  # keep the JSON small: row counts, not rows
        for row in report["queries"]:
            for name in ("embedded", "virtuoso"):
                if "rows" in row[name]:
                    row[name]["rows"] = len(row[name]["rows"])
    (args.out / "remote-report.json").write_text(json.dumps(reports, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
