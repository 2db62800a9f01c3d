"""What sdkg adds to each request: sdkg beside the web stack's floor and a peer server.

    python bench/bench_overhead.py [--requests 300] [--runs 3] [--size 100k] [--out DIR]

On the bundled data (the lookup by IRI of one entity), in one run and interleaved so
that machine noise falls on every candidate alike, each run sends ``--requests``
POSTs (application/sparql-query, keep-alive, one client, after 20 unmeasured ones) to:

- ``raw``: in-process pyoxigraph, the same quads, query + JSON serialisation (no HTTP);
- ``bare-gunicorn``: ``bench/bare_app.py`` (a Flask app with a fixed answer) under
  gunicorn gthread, as ``sdkg serve`` runs;
- ``bare-granian``: the same app under granian (a Rust HTTP server), when installed;
- ``oxigraph``: Oxigraph's own server (``oxigraph serve-read-only``, PyPI package
  ``oxigraph``), the peer a user would pick for a bare endpoint, when installed;
- ``sdkg``: ``sdkg serve`` with its defaults (fair-use limits, metrics, logging on).

It prints the median of each run, sdkg's added latency over the bare app, and the
ratio to the peer. With ``--size`` it also runs bench/workload.py's queries on a
generated graph of that size on sdkg and on the peer, and prints the ratio per query
(the target is 1.1x or better for queries over 10 ms).

Install the candidates with ``pip install -e '.[bench]'``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import requests
import workload
from bench_endpoint import BenchError, Server, say
from generate import generate, parse_size

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
LOOKUP = workload.lookup_query("https://w3id.org/sdkg/id/twas")
ACCEPT = "application/sparql-results+json"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def tool(name: str) -> str | None:
    """A command installed beside this Python (the venv's bin), else on PATH."""
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.exists() else shutil.which(name)


class Process:
    """A server started from a command line, answering SPARQL at ``endpoint``."""

    def __init__(self, name: str, command: list[str], endpoint: str, log: Path, cwd: Path) -> None:
        self.name, self.endpoint = name, endpoint
        with log.open("wb") as out:
            self.process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, cwd=cwd)
        self.log = log
        session = requests.Session()
        session.trust_env = False
        deadline = time.perf_counter() + 120
        while time.perf_counter() < deadline:
            if self.process.poll() is not None:
                raise BenchError(f"{name} exited ({self.process.returncode}); see {log}")
            try:
                if post(session, endpoint, LOOKUP).status_code == 200:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.05)
        raise BenchError(f"{name} did not answer within 120 s; see {log}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def post(session: requests.Session, endpoint: str, sparql: str) -> requests.Response:
    return session.post(
        endpoint,
        data=sparql.encode(),
        headers={"Content-Type": "application/sparql-query", "Accept": ACCEPT},
        timeout=300,
    )


def http_runner(endpoint: str, sparql: str) -> Callable[[], None]:
    session = requests.Session()
    session.trust_env = False

    def run() -> None:
        response = post(session, endpoint, sparql)
        if response.status_code != 200:
            raise BenchError(f"{endpoint}: HTTP {response.status_code}: {response.text[:200]}")

    return run


def raw_runner(snapshot: Path, sparql: str) -> Callable[[], None]:
    store = ox.Store()
    store.bulk_load(path=snapshot, format=ox.RdfFormat.N_QUADS)

    def run() -> None:
        result = store.query(sparql, use_default_graph_as_union=True)
        result.serialize(format=ox.QueryResultsFormat.JSON)

    return run


def median_ms(run: Callable[[], None], count: int) -> float:
    for _ in range(20):
        run()
    times = []
    for _ in range(count):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def start_sdkg(work: Path, data: Path, name: str, code: Path | None = None) -> Server:
    """``sdkg serve`` on ``data``, warm; with ``code``, the package of that checkout."""
    # Every per-request mechanism stays on (these options come after, so win over,
    # Server's "off"); the rate is only raised so that one benchmark client is never
    # refused.
    limits = ["--rate-limit", "1000000/s", "--rate-burst", "1000000",
              "--max-concurrent-per-client", "4"]  # fmt: skip
    sdkg = Server(work / f"{name}-store", data, work / f"{name}.log", limits, code=code)
    sdkg.start({"name": "lookup", "sparql": LOOKUP, "accept": ACCEPT})
    return sdkg


def start_candidates(
    work: Path, data: Path, snapshot_from: Path, compare: Path | None = None
) -> dict[str, Any]:
    """Every candidate that can run here, keyed by name, plus the started sdkg."""
    candidates: dict[str, Any] = {"sdkg": start_sdkg(work, data, "sdkg")}
    if compare is not None:
        candidates["sdkg-compare"] = start_sdkg(work, data, "sdkg-compare", compare)
    snapshot = snapshot_from if snapshot_from.is_file() else work / "sdkg-store" / "snapshot.nq"
    candidates["raw"] = snapshot
    gunicorn = tool("gunicorn")
    if gunicorn:
        port = free_port()
        candidates["bare-gunicorn"] = Process(
            "bare-gunicorn",
            [
                gunicorn,
                "-k",
                "gthread",
                "--threads",
                "8",
                "-w",
                "1",
                "-b",
                f"127.0.0.1:{port}",
                "bare_app:app",
            ],  # fmt: skip
            f"http://127.0.0.1:{port}/sparql",
            work / "bare-gunicorn.log",
            HERE,
        )
    granian = tool("granian")
    if granian:
        port = free_port()
        candidates["bare-granian"] = Process(
            "bare-granian",
            [
                granian,
                "--interface",
                "wsgi",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--blocking-threads",
                "8",
                "bare_app:app",
            ],  # fmt: skip
            f"http://127.0.0.1:{port}/sparql",
            work / "bare-granian.log",
            HERE,
        )
    oxigraph = tool("oxigraph")
    if oxigraph:
        location = work / "oxigraph-store"
        subprocess.run(
            [oxigraph, "load", "--location", str(location), "--file", str(snapshot)],
            check=True, capture_output=True,
        )  # fmt: skip
        port = free_port()
        candidates["oxigraph"] = Process(
            "oxigraph",
            [
                oxigraph,
                "serve-read-only",
                # sdkg's default graph is the union of the graphs: the same answers.
                "--union-default-graph",
                "--location",
                str(location),
                "--bind",
                f"127.0.0.1:{port}",
            ],  # fmt: skip
            f"http://127.0.0.1:{port}/query",
            work / "oxigraph.log",
            work,
        )
    return candidates


def runner_for(name: str, candidate: Any, sparql: str) -> Callable[[], None]:
    if name == "raw":
        return raw_runner(candidate, sparql)
    if name.startswith("sdkg"):
        return http_runner(candidate.endpoint, sparql)
    if name.startswith("bare") and sparql != LOOKUP:
        raise BenchError("the bare app only answers the lookup")
    return http_runner(candidate.endpoint, sparql)


def stop_all(candidates: dict[str, Any]) -> None:
    for candidate in candidates.values():
        if isinstance(candidate, Process | Server):
            candidate.stop()


def lookup_overhead(candidates: dict[str, Any], args: argparse.Namespace) -> dict[str, list[float]]:
    runners = {name: runner_for(name, c, LOOKUP) for name, c in candidates.items()}
    medians: dict[str, list[float]] = {name: [] for name in runners}
    for run in range(args.runs):
        for name, runner in runners.items():
            medians[name].append(median_ms(runner, args.requests))
        say(f"run {run + 1}: " + ", ".join(f"{n} {m[-1]:.3f} ms" for n, m in medians.items()))
    return medians


def workload_ratios(work: Path, args: argparse.Namespace) -> list[dict[str, Any]]:
    """bench/workload.py's queries at ``args.size`` on sdkg and on Oxigraph's server."""
    gen = work / "gen"
    meta = generate(gen, args.size)
    queries = [q for q in workload.queries(meta) if q["accept"] == ACCEPT]
    candidates = start_candidates(work / "workload", gen, Path("/nonexistent"))
    try:
        rows = []
        for query in queries:
            row: dict[str, Any] = {"name": query["name"]}
            # Both servers must give the same answer, or the times compare nothing.
            counts = {
                name: answer_rows(candidates[name].endpoint, query["sparql"])
                for name in ("sdkg", "oxigraph")
                if name in candidates
            }
            row["rows"] = "/".join(str(count) for count in counts.values())
            if len(set(counts.values())) > 1:
                row["rows"] += " (DIFFERENT)"
            for name in ("raw", "sdkg", "oxigraph"):
                if name in candidates:
                    runner = runner_for(name, candidates[name], query["sparql"])
                    row[name] = median_ms(runner, max(10, args.requests // 10))
            rows.append(row)
            say(json.dumps(row))
        return rows
    finally:
        stop_all(candidates)


def answer_rows(endpoint: str, sparql: str) -> int:
    """The number of rows of a SELECT answer (SPARQL JSON)."""
    session = requests.Session()
    session.trust_env = False
    return len(post(session, endpoint, sparql).json()["results"]["bindings"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=300, help="timed requests per run")
    parser.add_argument("--runs", type=int, default=3, help="interleaved runs")
    parser.add_argument("--size", type=parse_size, help="also run the workload at this size")
    parser.add_argument("--out", type=Path, help="work folder (default: a temporary one)")
    parser.add_argument(
        "--compare",
        type=Path,
        metavar="CHECKOUT",
        help="also run `sdkg serve` from this checkout's server/ (e.g. the previous commit, "
        "from `git worktree add`) as the candidate sdkg-compare",
    )
    args = parser.parse_args(argv)
    work = args.out or Path(tempfile.mkdtemp(prefix="sdkg-overhead-"))
    work.mkdir(parents=True, exist_ok=True)
    (work / "workload").mkdir(exist_ok=True)
    try:
        candidates = start_candidates(work, REPO / "data", Path("/nonexistent"), args.compare)
        try:
            medians = lookup_overhead(candidates, args)
        finally:
            stop_all(candidates)
        print(f"\nlookup by IRI on the bundled data, median of {args.requests} requests a run")
        for name, values in medians.items():
            print(f"  {name:14} " + "  ".join(f"{v:7.3f} ms" for v in values))
        best = {name: min(values) for name, values in medians.items()}
        if "bare-gunicorn" in best:
            added = [s - b for s, b in zip(medians["sdkg"], medians["bare-gunicorn"], strict=True)]
            print(f"  sdkg adds over the bare app: {min(added):.3f}-{max(added):.3f} ms"
                  " (target <= 0.5 ms)")  # fmt: skip
        if "sdkg-compare" in best:
            gain = [c - s for s, c in zip(medians["sdkg"], medians["sdkg-compare"], strict=True)]
            print(f"  sdkg is faster than sdkg-compare by {min(gain):.3f}-{max(gain):.3f} ms")
        if "oxigraph" in best:
            ratios = [s / o for s, o in zip(medians["sdkg"], medians["oxigraph"], strict=True)]
            print(f"  sdkg / oxigraph server: {min(ratios):.2f}-{max(ratios):.2f}x (target <= 2x)")
        if args.size:
            rows = workload_ratios(work, args)
            print(f"\nworkload at {args.size} triples, median ms (ratio to oxigraph server)")
            for row in rows:
                ratio = row["sdkg"] / row["oxigraph"] if "oxigraph" in row else float("nan")
                print(f"  {row['name']:32} raw {row.get('raw', 0):8.2f}  sdkg {row['sdkg']:8.2f}"
                      f"  oxigraph {row.get('oxigraph', 0):8.2f}  {ratio:5.2f}x"
                      f"  rows {row['rows']}")  # fmt: skip
    except BenchError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    finally:
        if args.out is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
