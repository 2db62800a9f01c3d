"""Simple queries while eight clients post 240 KB submissions to ``/validate`` at once.

    .venv/bin/python bench/bench_validation_flood.py [--bodies 8] [--seconds 30]

Starts ``sdkg serve`` (defaults, one worker) on the bundled data; one client sends
``ASK { ?s ?p ?o }`` in a loop while ``--bodies`` clients each post a Turtle body of about
240 KB (6,400 triples) at the same moment, again as soon as answered, until
``--seconds`` have passed. Prints the simple queries' p50 / p99 / max latency during the
flood, and how the validations were answered (200 report, 503 busy or stopped, other).
"""

from __future__ import annotations

import argparse
import collections
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_runaway import ASK, people, percentile, start  # noqa: E402 (bench/ is not a package)

TURTLE = {"Content-Type": "text/turtle"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bodies", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=30.0)
    args = parser.parse_args()
    body = people(1600)
    with tempfile.TemporaryDirectory() as work:
        process, base = start(30.0, Path(work) / "server.log")
        latencies: list[float] = []
        answers: collections.Counter = collections.Counter()
        stop = time.monotonic() + args.seconds
        try:

            def flood() -> None:
                while time.monotonic() < stop:
                    try:
                        response = requests.post(base + "validate", data=body, timeout=120,
                                                 headers=TURTLE)  # fmt: skip
                        answers[response.status_code] += 1
                        if response.status_code == 503:
                            time.sleep(float(response.headers.get("Retry-After", "1")))
                    except requests.RequestException as error:
                        answers[type(error).__name__] += 1

            threads = [threading.Thread(target=flood) for _ in range(args.bodies)]
            for thread in threads:
                thread.start()
            while time.monotonic() < stop:
                sent = time.monotonic()
                requests.get(base + "sparql", params=ASK, timeout=120).raise_for_status()
                latencies.append(time.monotonic() - sent)
                time.sleep(0.05)
            for thread in threads:
                thread.join()
        finally:
            process.terminate()
            process.wait(60)
    print(
        f"{len(body) / 1024:.0f} KB bodies x {args.bodies}: {len(latencies)} simple queries "
        f"p50 {statistics.median(latencies) * 1000:.1f} ms  "
        f"p99 {percentile(latencies, 0.99) * 1000:.1f} ms  max {max(latencies) * 1000:.1f} ms"
    )
    print("validations answered: " + ", ".join(f"{k}: {v}" for k, v in sorted(answers.items(),
          key=str)))  # fmt: skip


if __name__ == "__main__":
    main()
