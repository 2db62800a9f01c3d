"""Memory and log lines per request when a SERVICE endpoint fails while results are read.

    .venv/bin/python bench/bench_service_failures.py [--requests 2000]

Starts ``sdkg serve`` allowing one loopback endpoint that promises a result and hangs up
half-way (``tests/support/ssrf.py``), sends ``--requests`` queries calling it, and prints
the worker's resident memory growth per request (after 200 warm-up requests) and how many
"unsendable" lines (pyoxigraph results dropped in the wrong thread) the log holds.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from support.ssrf import CountingEndpoint  # noqa: E402 (tests/ is not a package)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    broken = CountingEndpoint(broken=True)
    env = {**os.environ, "SDKG_RATE_LIMIT": "off", "SDKG_MAX_CONCURRENT_PER_CLIENT": "0",
           "SDKG_ACCESS_LOG": "0"}  # fmt: skip
    with tempfile.TemporaryDirectory() as work:
        log_path = Path(work) / "server.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "sdkg.cli", "serve", "--memory", "--port", "0",
                 "--allow-service", broken.url],
                stdout=log, stderr=log, env={**env, "SDKG_STORE": work},
            )  # fmt: skip
        try:
            base = None
            for _ in range(600):
                match = re.search(r"serving SPARQL at (http://\S+/)sparql", log_path.read_text())
                if match:
                    base = match[1]
                    try:
                        requests.get(base + "healthz", timeout=2).raise_for_status()
                        break
                    except requests.RequestException:
                        pass
                time.sleep(0.1)
            assert base is not None, log_path.read_text()
            pid = requests.get(base + "healthz", timeout=10).json()["pid"]
            query = {"query": f"SELECT * {{ SERVICE <{broken.url}> {{ ?s ?p ?o }} }}"}

            def rss_kb() -> int:
                status = Path(f"/proc/{pid}/status").read_text()
                return int(re.search(r"VmRSS:\s+(\d+)", status)[1])

            for _ in range(200):
                requests.post(base + "sparql", data=query, timeout=60)
            before = rss_kb()
            for _ in range(args.requests):
                requests.post(base + "sparql", data=query, timeout=60)
            growth = rss_kb() - before
        finally:
            process.terminate()
            process.wait(30)
            broken.close()
        lines = log_path.read_text(errors="replace").count("unsendable")
    print(
        f"{args.requests} failing SERVICE requests: RSS +{growth} KB "
        f"({growth * 1024 / args.requests:.0f} bytes/request); 'unsendable' log lines: {lines}"
    )


if __name__ == "__main__":
    main()
