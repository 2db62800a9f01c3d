"""The first pages after a start: restart to first answer, first home page, first entity
page, first VoID description, first Service Description.

    python bench/bench_first_page.py --size 1M --out /tmp/sdkg-bench \
        [--compare /path/to/other/checkout] [--rounds 3] [--server-args '...'] \
        [--pages home,entity,void,sd] [--count-statistics]

Generates (or reuses) the synthetic data of ``--size``, fills a store folder for each
candidate (its first start, not timed), then, ``--rounds`` times and alternating between
the candidates, restarts ``sdkg serve`` on unchanged data once per page of ``--pages``:
each time to time the first answer and then the first request of that page (``/``, the
page of an entity ``/id/...``, ``/.well-known/void``, ``GET /sparql`` as Turtle), each on
a server that has served nothing else. The sync's own time (``/healthz``
``sync.seconds``: reading the data files to compare them with the manifest) is printed
beside. ``--compare`` runs the package of another checkout (e.g. ``git worktree add
/tmp/main main``) as ``compare``, on its own store folder, in the same run; the table
gives each figure's median and the ratio compare / this checkout.

``--count-statistics`` first restarts each candidate once without the store folder's
``statistics.json`` and reports how long its sync step took to count it (the server's
log line), for the candidates that keep one.
"""

from __future__ import annotations

import argparse
import json
import re
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
TURTLE = {"Accept": "text/turtle"}
#: The pages ``--pages`` chooses from: label, path (None: an entity's), Accept.
PAGES = {
    "home": ("home page", "/", HTML),
    "entity": ("entity page", None, HTML),
    "void": ("VoID", "/.well-known/void", TURTLE),
    "sd": ("service description", "/sparql", TURTLE),
}
#: What a server that keeps statistics logs when its sync counted them.
_COUNTED = re.compile(r"dataset statistics counted in ([0-9.]+) s")


def timed_get(server: Server, path: str, headers: dict[str, str] = HTML) -> float:
    """Seconds for one GET of ``path`` (a 200 with a body, else an error)."""
    base = server.endpoint.removesuffix("/sparql")
    started = time.perf_counter()
    response = server.session.get(base + path, headers=headers, timeout=3600)
    seconds = time.perf_counter() - started
    if response.status_code != 200 or not response.text:
        raise SystemExit(f"GET {path}: HTTP {response.status_code}: {response.text[:300]}")
    return seconds


def restart(name: str, store: Path, data: Path, args: argparse.Namespace, code: Path | None,
            lookup: dict[str, str], page: str, log: Path,
            headers: dict[str, str] = HTML) -> dict[str, float]:  # fmt: skip
    """One start on ``store``: seconds to the first answer, the sync's seconds, the page's."""
    server = Server(store, data, log, shlex.split(args.server_args), code=code)
    try:
        timeline = _start(server, lookup)
        seconds = timed_get(server, page, headers)
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
    parser.add_argument(
        "--pages", default="home,entity", help=f"pages to time, of {', '.join(PAGES)}"
    )
    parser.add_argument(
        "--count-statistics",
        action="store_true",
        help="first time counting statistics.json in the sync step (restarts without it)",
    )
    args = parser.parse_args(argv)
    pages = [PAGES[name] for name in args.pages.split(",")]
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
    entity_page = "/id/" + entity.rsplit("/", 1)[1]

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

    counted: dict[str, float | None] = {}
    if args.count_statistics:
        for name, code in candidates.items():
            (stores[name] / "statistics.json").unlink(missing_ok=True)
            log = args.out / f"first-page-{name}-count-statistics.log"
            restart(name, stores[name], data, args, code, lookup, "/", log)
            found = _COUNTED.search(log.read_text(errors="replace"))
            counted[name] = float(found.group(1)) if found else None
            said = "not kept" if found is None else found.group(1) + " s"
            print(f"[{name}] statistics counted at start: {said}", flush=True)

    labels = [label for label, _, _ in pages]
    figures: dict[str, dict[str, list[float]]] = {
        name: {"first answer": [], "sync": [], **{label: [] for label in labels}}
        for name in candidates
    }
    for round_number in range(args.rounds):
        for name, code in candidates.items():
            for label, path, headers in pages:
                log = args.out / f"first-page-{name}-{round_number}-{label.split()[0]}.log"
                found = restart(name, stores[name], data, args, code, lookup,
                                path or entity_page, log, headers)  # fmt: skip
                figures[name]["first answer"].append(found["first_answer"])
                figures[name]["sync"].append(found["sync"])
                figures[name][label].append(found["page"])
                print(f"[{name}] round {round_number + 1}: {label} {found['page']:.3f} s, "
                      f"first answer {found['first_answer']:.3f} s, sync {found['sync']:.3f} s",
                      flush=True)  # fmt: skip

    print(f"\n### {args.size} triples ({meta.get('triples', '?')} written), {args.rounds} "
          f"round(s), entity page {entity_page}\n")  # fmt: skip
    names = list(candidates)
    header = "| figure (median s) | " + " | ".join(names)
    print(header + (" | compare / this |" if "compare" in names else " |"))
    print("|---" * (len(names) + 1 + ("compare" in names)) + "|")
    for figure in ("sync", "first answer", *labels):
        medians = {name: statistics.median(figures[name][figure]) for name in names}
        row = f"| {figure} | " + " | ".join(f"{medians[n]:.3f}" for n in names)
        if "compare" in names:
            ratio = medians["compare"] / medians["this"] if medians["this"] else float("inf")
            row += f" | {ratio:.1f}x"
        print(row + " |")
    if counted:
        print("\nstatistics counted at start (s): " + ", ".join(
            f"{name} {'not kept' if seconds is None else f'{seconds:.1f}'}"
            for name, seconds in counted.items()))  # fmt: skip
    (args.out / f"first-page-{args.size}.json").write_text(
        json.dumps({**figures, "statistics counted": counted}, indent=1)
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
