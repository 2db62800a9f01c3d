"""Benchmark the SPARQL endpoint against raw pyoxigraph and rdflib; print figures and targets.

    python bench/bench_endpoint.py [--sizes 10k,100k,1M] [--out DIR] [--no-rdflib]

Per size, in one run: generate the graph (bench/generate.py; reused when already
there), then

1. first start: ``sdkg serve --store DIR --data GEN --port 0`` on an empty store
   folder: time until answering and until warm (in memory), peak memory;
2. restart on unchanged data: time until the first answered query and until warm;
3. median and p95 latency of the query set (bench/workload.py) over HTTP
   (requests.Session, keep-alive, JSON results; Turtle for DESCRIBE);
4. requests per second with N concurrent clients on lookups by IRI;
5. the same queries on raw in-memory pyoxigraph and on rdflib (bench/engines.py,
   a fresh process each), with the ratios, and PASS/FAIL per target.

Memory of the server is the sum over its process tree (gunicorn arbiter, the sync
child, workers) of PSS, sampled from /proc by bench/memwatch.py (every 0.1 s while
starting, 0.5 s while queries are timed); the "store itself"
is the RSS growth of a bare process loading the same quads into in-memory pyoxigraph.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import psutil
import pyoxigraph as ox
import requests
import workload
from generate import generate, parse_size
from timing import measure, summarize

HERE = Path(__file__).resolve().parent
MB = 1 << 20
URL_LINE = re.compile(r"serving SPARQL at (http://\S+/sparql)")


class BenchError(Exception):
    """Something in the benchmark went wrong; the message says what."""


# --------------------------------------------------------------------------- memory


class TreeMemory:
    """bench/memwatch.py watching a server's process tree, in a process of its own."""

    def __init__(self, pid: int) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(HERE / "memwatch.py"), str(pid)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip

    def send(self, command: str) -> None:
        """``phase NAME`` or ``interval SECONDS``."""
        assert self.process.stdin is not None
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()

    def stop(self) -> dict[str, Any]:
        """The peaks, per phase and overall."""
        output, _ = self.process.communicate(timeout=60)
        return json.loads(output)


# --------------------------------------------------------------------------- server


class Server:
    """One ``sdkg serve`` process on a free loopback port, with its timeline and memory."""

    def __init__(self, store: Path, data: Path, log: Path, extra: list[str] | None = None,
                 code: Path | None = None) -> None:  # fmt: skip
        """``code``: run the package of that checkout instead of this one."""
        # Fair-use limits off: the benchmark is one client measuring the server, not abuse.
        # No kept answers: each query is asked several times for a median, which must
        # measure the engine each time, not the answer cache (sdkg.answer_cache).
        checkout = code if code is not None else HERE.parent
        keeps_answers = (checkout / "server" / "sdkg" / "answer_cache.py").exists()
        self.command = [sys.executable, "-m", "sdkg.cli", "serve", "--store", str(store),
                        "--data", str(data), "--port", "0", "--host", "127.0.0.1",
                        "--rate-limit", "off", "--max-concurrent-per-client", "0",
                        *(["--answer-cache-mb", "0"] if keeps_answers else []),
                        *(extra or [])]  # fmt: skip
        if code is not None:
            self.command = ["env", f"PYTHONPATH={code / 'server'}", *self.command]
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None
        self.memory: TreeMemory | None = None
        self.endpoint = ""
        self.session = requests.Session()
        self.session.trust_env = False  # loopback only, never a proxy

    def start(self, first_query: dict[str, str]) -> dict[str, Any]:
        """Start and wait until warm. Seconds from the start: url, ready, first answer, warm."""
        with self.log.open("wb") as log:
            started = time.perf_counter()
            self.process = subprocess.Popen(self.command, stdout=log, stderr=subprocess.STDOUT)
        self.memory = TreeMemory(self.process.pid)
        self.endpoint = self._wait_for_url()
        listening = time.perf_counter() - started
        base = self.endpoint.removesuffix("/sparql")
        self._poll(lambda: self._health(base) is not None)
        ready = time.perf_counter() - started
        self.ask(first_query)
        first_answer = time.perf_counter() - started
        # Every 0.25 s: health checks answered while warming take the GIL from the copy.
        self._poll(lambda: not self._health(base)["warming"], interval=0.25)
        warm = time.perf_counter() - started
        health = self._health(base)
        # Less often while queries are timed: reading PSS makes the kernel walk the
        # server's page tables. Peaks between samples still show in VmHWM.
        self.memory.send("phase serving")
        self.memory.send("interval 0.5")
        return {"listening": listening, "ready": ready, "first_answer": first_answer,
                "warm": warm, "health": health}  # fmt: skip

    def stop(self) -> dict[str, Any]:
        """SIGTERM and wait; the memory peaks of this run."""
        if self.process is None or self.memory is None:
            return {}
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(60)
        except subprocess.TimeoutExpired as error:
            self.process.kill()
            self.process.wait()
            raise BenchError(
                f"the server did not stop within 60 s on SIGTERM; see {self.log}"
            ) from error
        return self.memory.stop()

    def ask(self, query: dict[str, str], session: requests.Session | None = None) -> bytes:
        """POST one query (application/sparql-query); the body of a 200, else BenchError."""
        response = (session or self.session).post(
            self.endpoint,
            data=query["sparql"].encode(),
            headers={"Content-Type": "application/sparql-query", "Accept": query["accept"]},
            timeout=300,
        )
        if response.status_code != 200:
            raise BenchError(f"{query['name']}: HTTP {response.status_code}: {response.text[:300]}")
        if "SDKG-Results-Truncated" in response.headers:
            raise BenchError(f"{query['name']}: the answer was truncated at the row cap")
        return response.content

    def _wait_for_url(self) -> str:
        deadline = time.perf_counter() + 3600
        while time.perf_counter() < deadline:
            match = URL_LINE.search(self.log.read_text(encoding="utf-8", errors="replace"))
            if match:
                return match[1]
            if self.process is not None and self.process.poll() is not None:
                raise BenchError(f"the server exited ({self.process.returncode}); see {self.log}")
            time.sleep(0.01)
        raise BenchError(f"the server printed no URL within 3600 s; see {self.log}")

    def _health(self, base: str) -> dict[str, Any] | None:
        try:
            response = self.session.get(base + "/healthz", timeout=30)
        except requests.ConnectionError:
            return None
        return response.json() if response.status_code == 200 else None

    def _poll(self, done: Any, timeout: float = 3600, interval: float = 0.005) -> None:
        deadline = time.perf_counter() + timeout
        while not done():
            if time.perf_counter() > deadline:
                raise BenchError(f"server not ready within {timeout} s; see {self.log}")
            time.sleep(interval)


def http_rows(query: dict[str, str], body: bytes) -> int:
    """Rows of a SPARQL JSON answer, or triples of a Turtle one."""
    if query["accept"] == workload.GRAPH:
        return sum(1 for _ in ox.parse(body, format=ox.RdfFormat.TURTLE))
    return len(json.loads(body)["results"]["bindings"])


def throughput(server: Server, iris: list[str], clients: int, seconds: float) -> dict[str, Any]:
    """Requests per second of ``clients`` threads, each with its own keep-alive session,
    asking lookups by IRI (a different IRI each time) for ``seconds``."""
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors: list[str] = []
    barrier = threading.Barrier(clients + 1)
    stop_at = [0.0]

    def client(index: int) -> None:
        session = requests.Session()
        session.trust_env = False
        k = index
        barrier.wait()
        while time.perf_counter() < stop_at[0]:
            query = {"name": "lookup", "sparql": workload.lookup_query(iris[k % len(iris)]),
                     "accept": workload.SOLUTIONS}  # fmt: skip
            begin = time.perf_counter()
            try:
                server.ask(query, session)
            except (BenchError, requests.RequestException) as error:
                errors.append(str(error))
            latencies[index].append(time.perf_counter() - begin)
            k += clients

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    stop_at[0] = time.perf_counter() + seconds
    started = time.perf_counter()
    barrier.wait()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    done = [t for per_client in latencies for t in per_client]
    return {"clients": clients, "seconds": elapsed, "requests": len(done),
            "errors": len(errors), "first_error": errors[0] if errors else None,
            "per_second": len(done) / elapsed, **{f"latency_{k}": v for k, v in
            summarize(done, warmup=False).items()}}  # fmt: skip


# --------------------------------------------------------------------------- engines


def run_engine(
    engine: str, snapshot: Path, queries_file: Path, budget: float, timeout: float
) -> dict[str, Any]:
    """bench/engines.py in a fresh process; its JSON report."""
    command = [sys.executable, str(HERE / "engines.py"), engine, str(snapshot), str(queries_file),
               "--budget", str(budget), "--timeout", str(timeout)]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BenchError(f"{engine} run failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return json.loads(done.stdout)


# --------------------------------------------------------------------------- one size


def bench_size(label: str, triples: int, args: argparse.Namespace) -> dict[str, Any]:
    out: Path = args.out
    gen = out / f"gen-{label}"
    meta_file = gen / "generator.json"
    meta = json.loads(meta_file.read_text()) if meta_file.is_file() else {}
    if meta.get("target_triples") != triples or meta.get("seed") != args.seed:
        say(f"[{label}] generating {triples} triples into {gen}")
        meta = generate(gen, triples, args.seed)
    queries = workload.queries(meta)
    queries_file = out / f"queries-{label}.json"
    queries_file.write_text(json.dumps(queries, ensure_ascii=False, indent=1))
    store = out / f"store-{label}"
    extra = shlex.split(args.server_args)
    lookup = queries[0]
    report: dict[str, Any] = {"size": label, "generated": meta, "load_before": os.getloadavg()}
    report["server_args"] = args.server_args

    if args.keep_store and (store / "manifest.json").is_file():
        say(f"[{label}] reusing the store {store} (no first start)")
        report["first_start"] = None
    else:
        shutil.rmtree(store, ignore_errors=True)
        say(f"[{label}] first start on an empty store")
        server = Server(store, gen, out / f"server-{label}-first.log", extra)
        try:
            report["first_start"] = server.start(lookup)
        finally:
            memory = server.stop()
        report["first_start"]["memory"] = memory

    say(f"[{label}] restart on unchanged data")
    server = Server(store, gen, out / f"server-{label}-restart.log", extra)
    try:
        report["restart"] = server.start(lookup)
        http: dict[str, Any] = {}
        for query in queries:
            body = server.ask(query)
            times = measure(lambda query=query: server.ask(query), args.budget)
            http[query["name"]] = {"times": times, "rows": http_rows(query, body)}
        report["http"] = http
        assert server.memory is not None
        server.memory.send("phase concurrency")
        say(f"[{label}] {args.clients} concurrent clients for {args.concurrency_seconds} s")
        report["throughput"] = throughput(
            server, meta["lookup"], args.clients, args.concurrency_seconds
        )
    finally:
        memory = server.stop()
    report["restart"]["memory"] = memory

    snapshot = store / "snapshot.nq"
    if args.raw_from is not None:
        say(f"[{label}] raw pyoxigraph figures from {args.raw_from}")
        report["raw"] = json.loads(args.raw_from.read_text())["raw"]
        report["raw_from"] = f"taken from {args.raw_from} (an earlier run)"
    elif args.raw_disk:
        say(f"[{label}] raw pyoxigraph on the store's database, read-only on disk")
        report["raw"] = run_engine(
            "oxigraph-disk", store / "oxigraph", queries_file, args.budget, 0
        )
        report["raw_from"] = "the store's database opened read-only (--raw-disk)"
    else:
        say(f"[{label}] raw pyoxigraph")
        report["raw"] = run_engine("oxigraph", snapshot, queries_file, args.budget, 0)
    if args.no_rdflib:
        report["rdflib"] = None
    else:
        say(f"[{label}] rdflib (at most {args.rdflib_timeout:g} s per query)")
        report["rdflib"] = run_engine(
            "rdflib", snapshot, queries_file, args.budget, args.rdflib_timeout
        )
    report["load_after"] = os.getloadavg()
    report["queries"] = [{k: q[k] for k in ("name", "kind")} for q in queries]
    report["targets"] = evaluate_targets(report)
    return report


# --------------------------------------------------------------------------- targets


def per_query(report: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per query: HTTP, raw and rdflib summaries, rows and ratios."""
    rows = []
    for query in report["queries"]:
        name = query["name"]
        http = summarize(report["http"][name]["times"])
        raw = summarize(report["raw"]["queries"][name]["times"])
        row: dict[str, Any] = {"name": name, "kind": query["kind"], "http": http, "raw": raw,
                               "rows_http": report["http"][name]["rows"],
                               "rows_raw": report["raw"]["queries"][name]["rows"],
                               "http_over_raw": http["median"] / raw["median"]}  # fmt: skip
        rdf = (report["rdflib"] or {}).get("queries", {}).get(name)
        if rdf is not None:
            summary = summarize(rdf["times"])
            # A query stopped before its first run finished took longer than the timeout:
            # use the timeout as a lower bound of its time.
            lower_bound = rdf["timed_out"]
            seconds = rdf["timeout"] if lower_bound else summary["median"]
            row["rdflib"] = {**summary, "median": seconds, "lower_bound": lower_bound,
                             "rows": rdf["rows"], "error": rdf["error"]}  # fmt: skip
            if seconds is not None:
                row["rdflib_over_raw"] = seconds / raw["median"]
                row["rdflib_over_http"] = seconds / http["median"]
        rows.append(row)
    return rows


def evaluate_targets(report: dict[str, Any]) -> list[dict[str, Any]]:
    """PASS / FAIL (or n/a) for each target of issue 3; binding at 1M triples."""
    rows = per_query(report)
    by_name = {r["name"]: r for r in rows}
    targets = []

    slow = [r for r in rows if r["raw"]["median"] >= 0.010]
    worst = max(slow, key=lambda r: r["http_over_raw"], default=None)
    targets.append({
        "target": "HTTP <= 1.2x raw pyoxigraph on queries taking >= 10 ms (medians)",
        "pass": None if worst is None else worst["http_over_raw"] <= 1.2,
        "detail": "no query takes 10 ms raw" if worst is None else
        ", ".join(f"{r['name']} {r['http_over_raw']:.2f}x" for r in slow),
    })  # fmt: skip

    lookup = by_name["lookup-iri"]
    added = lookup["http"]["median"] - lookup["raw"]["median"]
    targets.append({"target": "<= 2 ms added to the median of a lookup by IRI",
                    "pass": added <= 0.002, "detail": f"+{added * 1000:.2f} ms"})  # fmt: skip

    heavy = [r for r in rows if r["kind"] in ("join", "aggregate")]
    for via, key in (("the endpoint over HTTP", "rdflib_over_http"),
                     ("raw pyoxigraph", "rdflib_over_raw")):  # fmt: skip
        target = f">= 20x faster than rdflib on every join and aggregate: {via}"
        if not report.get("rdflib"):
            targets.append({"target": target, "pass": None, "detail": "rdflib not run"})
            continue
        targets.append({
            "target": target,
            "pass": all((r.get(key) or 0) >= 20 for r in heavy),
            "detail": ", ".join(
                f"{r['name']} {'>' if r['rdflib']['lower_bound'] else ''}{r.get(key) or 0:.0f}x"
                for r in heavy),
        })  # fmt: skip

    restart = report["restart"]["first_answer"]
    targets.append({"target": "restart on unchanged data answers in < 2 s",
                    "pass": restart < 2.0, "detail": f"{restart:.2f} s to the first answer, "
                    f"{report['restart']['warm']:.2f} s to warm"})  # fmt: skip

    phases = [p for p in (report["first_start"], report["restart"]) if p]
    peak = max(p["memory"]["overall"]["pss"] for p in phases)
    own = report["raw"]["store_bytes"]
    targets.append({"target": "peak server memory (PSS, process tree) < 2x the store itself",
                    "pass": peak < 2 * own,
                    "detail": f"{peak / MB:.0f} MB vs store {own / MB:.0f} MB = "
                    f"{peak / own:.2f}x"})  # fmt: skip
    return targets


# --------------------------------------------------------------------------- printing


def ms(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    return f"{seconds * 1000:.2f}" if seconds < 10 else f"{seconds * 1000:.0f}"


def render(report: dict[str, Any]) -> str:
    """The report of one size as Markdown."""
    meta = report["generated"]
    first, restart, raw = report["first_start"], report["restart"], report["raw"]
    lines = [
        f"### {report['size']}: {meta['triples']:,} generated triples, "
        f"{restart['health']['triples']:,} quads in the store (with ontology and shapes)"
        + (f"; server options `{report['server_args']}`" if report.get("server_args") else ""),
        "",
        "| phase | ready (answers) | first answer | warm (in memory) | sync | peak PSS | "
        "peak RSS | sum of VmHWM |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, phase in (("first start (load)", first), ("restart, unchanged data", restart)):
        if phase is None:
            continue
        memory = phase["memory"]["overall"]
        lines.append(
            f"| {name} | {phase['ready']:.2f} s | {phase['first_answer']:.2f} s | "
            f"{phase['warm']:.2f} s | {phase['health']['sync']['seconds']:.2f} s | "
            f"{memory['pss'] / MB:.0f} MB | {memory['rss'] / MB:.0f} MB | "
            f"{memory['hwm_sum'] / MB:.0f} MB |"
        )
    if report.get("raw_from"):
        lines += ["", f"Raw pyoxigraph figures: {report['raw_from']}."]
    lines += [
        "",
        f"Store itself (bare process, in-memory pyoxigraph, same quads): "
        f"+{raw['store_bytes'] / MB:.0f} MB RSS, loaded in {raw['load_seconds']:.2f} s.",
    ]
    if report.get("rdflib"):
        rdf = report["rdflib"]
        lines.append(
            f"rdflib Dataset: +{rdf['store_bytes'] / MB:.0f} MB RSS, "
            f"parsed in {rdf['load_seconds']:.1f} s."
        )
    lines += [
        "",
        "| query | kind | rows | HTTP median | HTTP p95 | raw median | raw p95 | "
        "rdflib median | HTTP/raw | rdflib/raw | rdflib/HTTP |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    mismatches = []
    for row in per_query(report):
        rdf = row.get("rdflib")
        rows = {row["rows_http"], row["rows_raw"]} | ({rdf["rows"]} if rdf and rdf["rows"]
                                                      is not None else set())  # fmt: skip
        if len(rows) > 1:
            mismatches.append(f"{row['name']}: HTTP {row['rows_http']}, raw {row['rows_raw']}, "
                              f"rdflib {rdf['rows'] if rdf else '-'}")  # fmt: skip
        bound = ">" if rdf and rdf["lower_bound"] else ""
        rdf_median = f"{bound}{ms(rdf['median'])}" if rdf else "-"
        if rdf and rdf["error"]:
            rdf_median = "error"
        lines.append(
            f"| {row['name']} | {row['kind']} | {row['rows_raw']} | {ms(row['http']['median'])} | "
            f"{ms(row['http']['p95'])} | {ms(row['raw']['median'])} | {ms(row['raw']['p95'])} | "
            f"{rdf_median} | {row['http_over_raw']:.2f} | "
            f"{bound}{row.get('rdflib_over_raw', 0):.0f} | "
            f"{bound}{row.get('rdflib_over_http', 0):.0f} |"
        )
    lines.append("")
    lines.append(
        "Times in ms. Runs per query: HTTP and raw repeat for the time budget after one "
        "warm-up run (dropped); '>' = rdflib stopped at the timeout (lower bound)."
    )
    if mismatches:
        lines.append("Row counts differ (DESCRIBE's answer is left to each implementation by "
                     "SPARQL 1.1): " + "; ".join(mismatches))  # fmt: skip
    t = report["throughput"]
    lines += [
        "",
        f"Throughput, {t['clients']} concurrent clients, lookups by IRI: "
        f"**{t['per_second']:.0f} requests/s** ({t['requests']} in {t['seconds']:.1f} s, "
        f"{t['errors']} errors; latency median {ms(t['latency_median'])} ms, "
        f"p95 {ms(t['latency_p95'])} ms).",
        "",
        "Machine load (1/5/15-minute averages, 2 cores shared with other work): "
        f"{_loads(report['load_before'])} before, {_loads(report['load_after'])} after.",
        "",
        "Targets (binding at 1M triples):",
        "",
    ]
    for target in report["targets"]:
        verdict = {True: "PASS", False: "FAIL", None: "n/a"}[target["pass"]]
        lines.append(f"- {verdict}: {target['target']} — {target['detail']}")
    return "\n".join(lines) + "\n"


def _loads(loads: list[float]) -> str:
    return "/".join(f"{x:.1f}" for x in loads)


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10k,100k,1M", help="comma-separated: 10k,100k,1M")
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "sdkg-bench",
                        help="work folder: generated data, stores, logs, JSON reports")  # fmt: skip
    parser.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    parser.add_argument("--budget", type=float, default=2.0,
                        help="seconds of runs per query and engine (default 2)")  # fmt: skip
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients (default 8)")
    parser.add_argument("--concurrency-seconds", type=float, default=5.0,
                        help="length of the throughput test (default 5)")  # fmt: skip
    parser.add_argument("--rdflib-timeout", type=float, default=30.0,
                        help="seconds rdflib may spend on one query (default 30)")  # fmt: skip
    parser.add_argument("--no-rdflib", action="store_true", help="skip rdflib")
    parser.add_argument(
        "--server-args",
        default="",
        help='more `sdkg serve` options, e.g. "--workers 4 --store-memory disk"',
    )
    parser.add_argument(
        "--raw-from",
        type=Path,
        help="take raw pyoxigraph's figures from an earlier report-SIZE.json (same data and "
        "queries) instead of loading the store again",
    )
    parser.add_argument(
        "--raw-disk",
        action="store_true",
        help="raw pyoxigraph reads the store's database read-only on disk (to compare with "
        "--server-args '--store-memory disk') instead of loading the snapshot into memory",
    )
    parser.add_argument(
        "--keep-store",
        action="store_true",
        help="reuse OUT/store-SIZE when it exists: restart only, no first start",
    )
    args = parser.parse_args(argv)
    try:
        sizes = [(label.strip(), parse_size(label)) for label in args.sizes.split(",")]
    except argparse.ArgumentTypeError as error:
        parser.error(str(error))
    args.out.mkdir(parents=True, exist_ok=True)
    command = shlex.join(["python", os.path.relpath(__file__), *(argv or sys.argv[1:])])
    print(f"Command: `{command}`\n")
    print(f"Machine: {os.cpu_count()} CPUs, {psutil.virtual_memory().total / (1 << 30):.0f} GB; "
          f"Python {sys.version.split()[0]}, pyoxigraph {ox.__version__}, "
          f"rdflib {_version('rdflib')}\n", flush=True)  # fmt: skip
    failed = False
    for label, triples in sizes:
        started = time.perf_counter()
        try:
            report = bench_size(label, triples, args)
        except BenchError as error:
            print(f"### {label}: benchmark failed\n\n{error}\n", flush=True)
            failed = True
            continue
        report["seconds"] = time.perf_counter() - started
        (args.out / f"report-{label}.json").write_text(json.dumps(report, indent=1))
        print(render(report), flush=True)
        print(f"({label} took {report['seconds']:.0f} s)\n", flush=True)
    return 1 if failed else 0


def _version(package: str) -> str:
    from importlib.metadata import version

    return version(package)


if __name__ == "__main__":
    sys.exit(main())
