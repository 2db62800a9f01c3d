"""Load benchmark: concurrent clients on loopback, run after run; print figures.

    python bench/bench_load.py [--clients 16] [--seconds 60] [--runs 3] [--workers 1]
                               [--threads 8] [--data DIR] [--store DIR] [--serve-args ARGS]

Starts ``sdkg serve --memory`` (or on ``--store DIR``; the limits off: one address plays
every client) and,
after a warm-up, runs the mixed load of ``loadgen.py`` ``--runs`` times. Per run:
requests, throughput, p50 / p99 latency (all, and per kind), errors, and the resident
memory (RSS) of the server's processes before and after. The target is zero errors and
no memory growth from run to run (the first run may grow while caches fill).

Clients run in this process (Python threads), on the same cores as the server: the
figures are for the pair, not the server alone.
"""

from __future__ import annotations

import argparse
import shlex
import sys
import tempfile
import time
from pathlib import Path

import loadgen
import psutil

MB = 1 << 20


def server_rss(pid: int) -> int:
    """Resident memory of the server: the arbiter and its workers, in bytes."""
    process = psutil.Process(pid)
    return sum(p.memory_info().rss for p in [process, *process.children(recursive=True)])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--data", type=Path, help="data folder (default: the bundled data)")
    parser.add_argument(
        "--store", type=Path, help="serve this store folder (default: in memory, --memory)"
    )
    parser.add_argument(
        "--serve-args", default="", help='more `sdkg serve` options, e.g. "--store-memory disk"'
    )
    args = parser.parse_args(argv)
    sys.stdout.reconfigure(line_buffering=True)  # each run's line shows as it ends

    store = ["--store", str(args.store)] if args.store else ["--memory"]
    serve_args = [*store, "--rate-limit", "off", "--max-concurrent-per-client", "0",
                  "--allow-service", "none", "--workers", str(args.workers),
                  "--threads", str(args.threads)]  # fmt: skip
    if args.data:
        serve_args += ["--data", str(args.data)]
    serve_args += shlex.split(args.serve_args)
    log_path = Path(tempfile.mkdtemp(prefix="sdkg-bench-load-")) / "server.log"
    with loadgen.serve_in_background(serve_args, log_path) as (base, pid):
        calls = loadgen.build_mix(base)
        expected = loadgen.expected_answers(base, calls)
        kinds = sorted({call.kind for call in calls})
        print(f"server {base} (pid {pid}), {args.workers} worker(s) x {args.threads} threads; "
              f"log {log_path}")  # fmt: skip
        counts = ", ".join(f"{sum(c.kind == k for c in calls)} {k}" for k in kinds)
        print(f"mix: {len(calls)} requests ({counts}); {args.clients} clients x "
              f"{args.seconds:g} s x {args.runs} runs")  # fmt: skip
        loadgen.run_load(base, calls, expected, args.clients, min(5.0, args.seconds))  # warm-up
        print()
        print(f"{'run':>3} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} "
              f"{'errors':>6} {'RSS before MB':>14} {'RSS after MB':>13}")  # fmt: skip
        rss_after: list[int] = []
        total_errors = 0
        for run in range(1, args.runs + 1):
            before = server_rss(pid)
            result = loadgen.run_load(base, calls, expected, args.clients, args.seconds)
            time.sleep(0.5)  # let in-flight clean-up finish before measuring
            after = server_rss(pid)
            rss_after.append(after)
            total_errors += len(result.errors)
            print(f"{run:>3} {result.requests:>9} {result.throughput:>8.0f} "
                  f"{result.percentile(0.5) * 1000:>8.1f} {result.percentile(0.99) * 1000:>8.1f} "
                  f"{len(result.errors):>6} {before / MB:>14.1f} {after / MB:>13.1f}")  # fmt: skip
            for error in result.errors[:5]:
                print(f"    error: {error}")
        print()
        print(f"{'kind':<12} {'requests':>9} {'p50 ms':>8} {'p99 ms':>8}   (last run)")
        for kind in kinds:
            print(f"{kind:<12} {len(result.latencies.get(kind, [])):>9} "
                  f"{result.percentile(0.5, kind) * 1000:>8.1f} "
                  f"{result.percentile(0.99, kind) * 1000:>8.1f}")  # fmt: skip
        print()
        growth = [(b - a) / MB for a, b in zip(rss_after, rss_after[1:], strict=False)]
        shown = ", ".join(f"{g:+.1f}" for g in growth) or "n/a (one run)"
        print(f"RSS growth run over run (MB): {shown}")
        print(f"errors: {total_errors}  {'PASS' if total_errors == 0 else 'FAIL'}")
    return 0 if total_errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
