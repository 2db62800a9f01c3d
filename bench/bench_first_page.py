"""The first pages after a start: restart to first answer, first home page, first entity page.

    python bench/bench_first_page.py --size 1M --out /tmp/sdkg-bench \
        [--compare /path/to/other/checkout] [--rounds 3] [--server-args '...']

Generates (or reuses) the synthetic data of ``--size``, fills a store folder for each
candidate (its first start, not timed), then, ``--rounds`` times and alternating between
the candidates, restarts ``sdkg serve`` on unchanged data twice: once to time the first
answer and then the first home page (``/``), once to time the first answer and then the
first page of an entity (``/id/...``), each on a server that has served nothing else. The
sync's own time (``/healthz`` ``sync.seconds``: reading the data files to compare them
with the manifest) is printed beside. ``--compare`` runs the package of another checkout
(e.g. ``git worktree add /tmp/main main``) as ``compare``, on its own store folder, in the
same run; the table gives each figure's median and the ratio compare / this checkout.
"""

from __future__ import annotations

import argparse
import json
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

import workload
from bench_endpoint import Server
from generate import generate, parse_size

HTML = {"Accept": "text/html"}


def timed_get(server: Server, path: str) -> float:
    """Seconds for one GET of ``path`` (a 200 with a body, else an error)."""
    base = server.endpoint.removesuffix("/sparql")
    started = time.perf_counter()
    response = server.session.get(base + path, headers=HTML, timeout=3600)
    seconds = time.perf_counter() - started
    if response.status_code != 200 or not response.text:
        raise SystemExit(f"GET {path}: HTTP {response.status_code}: {response.text[:300]}")
    return seconds


def restart(name: str, store: Path, data: Path, args: argparse.Namespace, code: Path | None,
            lookup: dict[str, str], page: str, log: Path) -> dict[str, float]:  # fmt: skip
    """One start on ``store``: seconds to the first answer, the sync's seconds, the page's."""
    server = Server(store, data, log, shlex.split(args.server_args))
    if code is not None:
        server.command = ["env", f"PYTHONPATH={code / 'server'}", *server.command]
    try:
        timeline = _start(server, lookup)
        seconds = timed_get(server, page)
    finally:
        _stop(server)
    return {"first_answer": timeline["first_answer"], "sync": timeline["sync"], "page": seconds}


def _stop(server: Server) -> None:
    if server.process is not None and server.process.poll() is None:
        server.process.send_signal(signal.SIGTERM)
        server.process.wait(120)


def _start(server: Server, lookup: dict[str, str]) -> dict[str, float]:
    """Start, wait for /healthz and the first answer (not for the background copy)."""
    with server.log.open("wb") as log:
        started = time.perf_counter()
        server.process = subprocess.Popen(server.command, stdout=log, stderr=subprocess.STDOUT)
    server.endpoint = server._wait_for_url()
    base = server.endpoint.removesuffix("/sparql")
    health = None
    while health is None:
        health = server._health(base)
        time.sleep(0.005)
    server.ask(lookup)
    first_answer = time.perf_counter() - started
    return {"first_answer": first_answer, "sync": health.get("sync", {}).get("seconds", 0.0)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", default="1M", help="synthetic triples: 100k, 1M, 10M")
    parser.add_argument("--out", type=Path, default=Path("/tmp/sdkg-bench"))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=3, help="restarts per figure and candidate")
    parser.add_argument("--server-args", default="", help="more `sdkg serve` options")
    parser.add_argument("--compare", type=Path, help="another checkout, run as `compare`")
    parser.add_argument(
        "--keep-stores", action="store_true", help="reuse filled store folders (no first start)"
    )
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    triples = parse_size(args.size)
    data = args.out / f"gen-{args.size}"
    meta_file = data / "generator.json"
    meta = json.loads(meta_file.read_text()) if meta_file.is_file() else {}
    if meta.get("target_triples") != triples or meta.get("seed") != args.seed:
        print(f"generating {args.size} triples into {data}", flush=True)
        meta = generate(data, triples, args.seed)
    lookup = workload.queries(meta)[0]
    entity = meta["lookup"][0]
    page = "/id/" + entity.rsplit("/", 1)[1]

    candidates: dict[str, Path | None] = {"this": None}
    if args.compare is not None:
        candidates["compare"] = args.compare.resolve()
    stores = {name: args.out / f"first-page-{name}-{args.size}" for name in candidates}
    for name, code in candidates.items():
        store = stores[name]
        if args.keep_stores and (store / "manifest.json").is_file():
            continue
        shutil.rmtree(store, ignore_errors=True)
        print(f"[{name}] first start on an empty store (not timed)", flush=True)
        # Fills the store and its name index (a search builds names.sqlite).
        log = args.out / f"first-page-{name}-fill.log"
        filled = restart(name, store, data, args, code, lookup, "/search?q=academy", log)
        print(f"[{name}] filled: first answer {filled['first_answer']:.1f} s", flush=True)

    figures: dict[str, dict[str, list[float]]] = {
        name: {"first answer": [], "sync": [], "home page": [], "entity page": []}
        for name in candidates
    }
    for round_number in range(args.rounds):
        for name, code in candidates.items():
            for label, path in (("home page", "/"), ("entity page", page)):
                log = args.out / f"first-page-{name}-{round_number}-{label.split()[0]}.log"
                found = restart(name, stores[name], data, args, code, lookup, path, log)
                figures[name]["first answer"].append(found["first_answer"])
                figures[name]["sync"].append(found["sync"])
                figures[name][label].append(found["page"])
                print(f"[{name}] round {round_number + 1}: {label} {found['page']:.3f} s, "
                      f"first answer {found['first_answer']:.3f} s, sync {found['sync']:.3f} s",
                      flush=True)  # fmt: skip

    print(f"\n### {args.size} triples ({meta.get('triples', '?')} written), {args.rounds} "
          f"round(s), entity page {page}\n")  # fmt: skip
    names = list(candidates)
    header = "| figure (median s) | " + " | ".join(names)
    print(header + (" | compare / this |" if "compare" in names else " |"))
    print("|---" * (len(names) + 1 + ("compare" in names)) + "|")
    for figure in ("sync", "first answer", "home page", "entity page"):
        medians = {name: statistics.median(figures[name][figure]) for name in names}
        row = f"| {figure} | " + " | ".join(f"{medians[n]:.3f}" for n in names)
        if "compare" in names:
            ratio = medians["compare"] / medians["this"] if medians["this"] else float("inf")
            row += f" | {ratio:.1f}x"
        print(row + " |")
    (args.out / f"first-page-{args.size}.json").write_text(json.dumps(figures, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
