"""Server memory by store mode and worker count, on an existing store folder.

    python bench/bench_memory.py --store OUT/store-10M --data OUT/gen-10M \
        [--configs copy:1,copy:4,disk:1,disk:4] [--rounds 3]

For each configuration (``--store-memory MODE --workers N``): start ``sdkg serve`` on the
store (a restart on unchanged data), wait until every worker is warm (copy) or answers
(disk), ask the query set of bench/workload.py ``--rounds`` times on fresh connections
(so every worker answers some), then read the summed PSS and RSS of the server's process
tree (bench/memwatch.py: the peak while serving, shared pages counted once). Prints one
row per configuration and the growth per added worker.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
import time
from pathlib import Path

import requests
import workload
from bench_endpoint import MB, Server

HERE = Path(__file__).resolve().parent


def run(config: str, args: argparse.Namespace, queries: list[dict[str, str]]) -> dict:
    mode, workers = config.split(":")
    log = args.out / f"memory-{mode}-{workers}.log"
    extra = ["--store-memory", mode, "--workers", workers, *shlex.split(args.server_args)]
    server = Server(args.store, args.data, log, extra)
    started = time.perf_counter()
    try:
        timeline = server.start(queries[0])
        base = server.endpoint.removesuffix("/sparql")
        # Every worker warm: ask /healthz on new connections until each pid said so.
        warm: set[int] = set()
        while len(warm) < int(workers):
            with requests.Session() as session:
                session.trust_env = False
                health = session.get(base + "/healthz", timeout=600).json()
            if not health["warming"]:
                warm.add(health["pid"])
            if time.perf_counter() - started > 3600:
                raise SystemExit(f"{config}: workers not warm within an hour; see {log}")
        all_warm = time.perf_counter() - started
        asked = time.perf_counter()
        for _ in range(args.rounds):
            for query in queries:
                with requests.Session() as session:  # a new connection: any worker
                    session.trust_env = False
                    server.ask(query, session)
        asking = time.perf_counter() - asked
    finally:
        memory = server.stop()
    serving = memory["phases"].get("serving", memory["overall"])
    return {"config": config, "first_answer": timeline["first_answer"], "warm": all_warm,
            "asking": asking, "pss": serving["pss"], "rss": serving["rss"],
            "hwm_sum": memory["overall"]["hwm_sum"]}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, required=True, help="store folder (filled)")
    parser.add_argument("--data", type=Path, required=True, help="its generated data folder")
    parser.add_argument("--configs", default="copy:1,copy:4,disk:1,disk:4")
    parser.add_argument("--rounds", type=int, default=3, help="passes over the query set")
    parser.add_argument("--server-args", default="", help="more `sdkg serve` options")
    parser.add_argument("--out", type=Path, default=Path("/tmp/sdkg-bench"))
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    meta = json.loads((args.data / "generator.json").read_text())
    queries = workload.queries(meta)
    print(f"Command: `python bench/bench_memory.py {shlex.join(argv or sys.argv[1:])}`\n")
    print(f"Load average at the start: {os.getloadavg()[0]:.2f}\n")
    print("| mode:workers | first answer | all workers warm | query set x rounds | "
          "peak PSS | peak RSS | sum of VmHWM |")  # fmt: skip
    print("|---|---|---|---|---|---|---|", flush=True)
    rows = []
    for config in args.configs.split(","):
        row = run(config.strip(), args, queries)
        rows.append(row)
        print(f"| {row['config']} | {row['first_answer']:.2f} s | {row['warm']:.1f} s | "
              f"{row['asking']:.1f} s | {row['pss'] / MB:,.0f} MB | {row['rss'] / MB:,.0f} MB | "
              f"{row['hwm_sum'] / MB:,.0f} MB |", flush=True)  # fmt: skip
    by_config = {row["config"]: row for row in rows}
    print()
    for mode in ("copy", "disk"):
        one, four = by_config.get(f"{mode}:1"), by_config.get(f"{mode}:4")
        if one and four:
            print(f"- {mode}: 1 -> 4 workers: PSS x{four['pss'] / one['pss']:.2f} "
                  f"(+{(four['pss'] - one['pss']) / 3 / MB:,.0f} MB per added worker)")  # fmt: skip
    print(f"\nLoad average at the end: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
