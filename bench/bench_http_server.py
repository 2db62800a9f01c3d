"""HTTP server candidates side by side: per-request latency, and service under slow clients.

    .venv/bin/python bench/bench_http_server.py [--requests 300] [--slow 8]

Candidates, each serving the same sdkg app over the bundled data in memory, one
process with eight request threads:

- ``gunicorn-gthread``: gunicorn's stock threaded worker (sdkg before issue 11);
- ``gunicorn-buffered``: ``sdkg serve`` as shipped (:mod:`sdkg.httpworker`: the main
  loop reads each request whole before a thread takes it);
- ``granian``: granian's WSGI server (Rust I/O), if installed (``pip install granian``;
  not a dependency of sdkg).

For each: the median and p99 latency of ``--requests`` lookups (a SELECT by IRI) on one
keep-alive connection; then ``--slow`` connections send a request a byte every 0.5 s
(for at most 12 s, then close) while a normal client sends one lookup per 0.2 s:
its worst latency and failures during that time.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

JSON = {"Accept": "application/sparql-results+json"}
LOOKUP = "SELECT ?p ?o WHERE { <https://w3id.org/sdkg/id/ustc> ?p ?o } LIMIT 5"
ENV = {**os.environ, "SDKG_RATE_LIMIT": "off", "SDKG_MAX_CONCURRENT_PER_CLIENT": "0",
       "SDKG_ACCESS_LOG": "0"}  # fmt: skip

_GTHREAD = """
import sys
from sdkg import server
from sdkg.config import Settings
from sdkg.store import prepare_store
settings = Settings.load({"memory": True, "port": int(sys.argv[1]), "access_log": False})
class Stock(server.SdkgServer):
    def load_config(self):
        super().load_config()
        self.cfg.set("worker_class", "gthread")
server._shared_metrics_folder()
print(f"sdkg: serving SPARQL at http://127.0.0.1:{sys.argv[1]}/sparql", flush=True)
Stock(settings, prepare_store(settings, isolate=True)).run()
"""

_GRANIAN_APP = """
from sdkg.config import Settings
from sdkg.web import create_app

def make_app():
    return create_app(Settings.load({"memory": True, "access_log": False}))
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def command(name: str, port: int, work: Path) -> list[str] | None:
    if name == "gunicorn-gthread":
        return [sys.executable, "-c", _GTHREAD, str(port)]
    if name == "gunicorn-buffered":
        return [sys.executable, "-m", "sdkg.cli", "serve", "--memory", "--port", str(port)]
    granian = shutil.which("granian", path=str(Path(sys.executable).parent))
    if granian is None:
        return None
    (work / "granian_app.py").write_text(_GRANIAN_APP)
    return [granian, "--interface", "wsgi", "--factory", "--host", "127.0.0.1", "--port",
            str(port), "--workers", "1", "--blocking-threads", "8", "--no-ws",
            "granian_app:make_app"]  # fmt: skip


def wait_ready(base: str, process: subprocess.Popen) -> None:
    for _ in range(600):
        if process.poll() is not None:
            raise SystemExit(f"server exited with {process.returncode}")
        try:
            if requests.get(base + "healthz", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise SystemExit("server did not start")


def lookups(base: str, count: int) -> list[float]:
    times = []
    with requests.Session() as session:
        for _ in range(count):
            started = time.perf_counter()
            response = session.get(base + "sparql", params={"query": LOOKUP}, headers=JSON)
            response.raise_for_status()
            times.append(time.perf_counter() - started)
    return times


def dribble(port: int, stop: float) -> None:
    pad = b"a" * 64
    request = b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\nX-Pad: " + pad + b"\r\n\r\n"
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=15) as sock:
            for byte in request:
                if time.monotonic() > stop:
                    return
                sock.sendall(bytes([byte]))
                time.sleep(0.5)
    except OSError:
        return


def under_slow_clients(base: str, port: int, slow: int) -> tuple[float, int, int]:
    stop = time.monotonic() + 12
    threads = [threading.Thread(target=dribble, args=(port, stop)) for _ in range(slow)]
    for thread in threads:
        thread.start()
    time.sleep(1)
    worst, failures, answered = 0.0, 0, 0
    while time.monotonic() < stop - 1:
        started = time.perf_counter()
        try:
            requests.get(base + "sparql", params={"query": LOOKUP}, timeout=15).raise_for_status()
            answered += 1
        except requests.RequestException:
            failures += 1
        worst = max(worst, time.perf_counter() - started)
        time.sleep(0.2)
    for thread in threads:
        thread.join()
    return worst, failures, answered


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--slow", type=int, default=8)
    parser.add_argument("--only", nargs="*")
    args = parser.parse_args()
    names = args.only or ["gunicorn-gthread", "gunicorn-buffered", "granian"]
    print(f"{'server':<18} {'p50 ms':>7} {'p99 ms':>7}   {'slow clients: worst s':>22} "
          f"{'failed':>6} {'answered':>8}")  # fmt: skip
    for name in names:
        with tempfile.TemporaryDirectory() as work:
            port = free_port()
            argv = command(name, port, Path(work))
            if argv is None:
                print(f"{name:<18} (not installed)")
                continue
            env = {**ENV, "SDKG_STORE": str(Path(work) / "store"),
                   "PYTHONPATH": work + os.pathsep + ENV.get("PYTHONPATH", "")}  # fmt: skip
            log = (Path(work) / "log").open("wb")
            process = subprocess.Popen(argv, cwd=work, env=env, stdout=log, stderr=log)
            base = f"http://127.0.0.1:{port}/"
            try:
                wait_ready(base, process)
                lookups(base, 30)  # warm
                times = lookups(base, args.requests)
                p50 = statistics.median(times) * 1000
                p99 = sorted(times)[int(0.99 * len(times))] * 1000
                worst, failures, answered = under_slow_clients(base, port, args.slow)
                print(f"{name:<18} {p50:>7.2f} {p99:>7.2f}   {worst:>22.2f} {failures:>6} "
                      f"{answered:>8}")  # fmt: skip
            finally:
                process.terminate()
                try:
                    process.wait(30)
                except subprocess.TimeoutExpired:
                    process.kill()
                log.close()


if __name__ == "__main__":
    main()
