"""Time to validate a 100-triple contribution against graphs of growing size.

    .venv/bin/python bench/bench_validation.py [--sizes 10k 100k 1M] [--repeat 5]
        [--store OUT/store-10M --gen OUT/gen-10M [--in-memory]]

For each size, ``bench/generate.py`` writes a synthetic graph that follows the
ontology and shapes, which is loaded into an in-memory Oxigraph store (one named
graph per file, as the server does); then a contribution of about 100 triples
(9 new people and their fellowships hosted by existing organizations of the graph,
and a nickname with its evidence for an existing organization) is validated as
``POST /validate`` does it: :func:`sdkg.closure.validate_against_graph` (closure
query + pyshacl). Prints the median time per size and its ratio to the smallest.
"""

from __future__ import annotations

import argparse
import inspect
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from sdkg.closure import validate_against_graph
from sdkg.embedded import OxigraphStore, PreparedStore
from sdkg.names import INDEX_FILE, NameIndex
from sdkg.protocol import TURTLE_PREFIXES
from sdkg.sources import SyncReport

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate, parse_size  # noqa: E402 (bench/ is not a package)

PREFIXES = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in TURTLE_PREFIXES.items())
GRAPH = "https://w3id.org/sdkg/graph/"


def as_graph_store(store: ox.Store) -> OxigraphStore:
    """``store`` behind sdkg's store interface, as a server's worker holds it."""
    prepared = PreparedStore("memory", "bench", len(store), SyncReport())
    return OxigraphStore(store, "memory", prepared)


def store_names(folder: Path) -> dict[str, NameIndex]:
    """``names=`` for the validation: the store folder's name index, as the server passes
    it (a checkout whose validation takes no ``names`` builds what it needs itself)."""
    index = folder / INDEX_FILE
    if not index.is_file() or "names" not in inspect.signature(validate_against_graph).parameters:
        return {}
    return {"names": NameIndex(path=str(index))}


def build_store(triples: int, work: Path) -> tuple[ox.Store, dict]:
    """An in-memory store holding a generated graph, and the generator's metadata."""
    folder = work / f"validation-{triples}"
    meta = generate(folder, triples)
    store = ox.Store()
    for path in sorted(folder.glob("*.ttl")):
        store.bulk_load(path=path, format=ox.RdfFormat.TURTLE,
                        to_graph=ox.NamedNode(GRAPH + path.stem))  # fmt: skip
    return store, meta


def open_store(folder: Path, gen: Path, *, in_memory: bool) -> tuple[ox.Store, dict]:
    """A server's store folder: its database read-only on disk, or its snapshot in memory."""
    meta = json.loads((gen / "generator.json").read_text())
    if not in_memory:
        return ox.Store.read_only(str(folder / "oxigraph")), meta
    store = ox.Store()
    store.bulk_load(path=folder / "snapshot.nq", format=ox.RdfFormat.N_QUADS, lenient=True)
    return store, meta


def contribution(meta: dict, rng: random.Random, serial: int) -> Graph:
    """About 100 triples: 9 new people with fellowships at existing organizations, and a
    nickname with its evidence for an existing organization."""
    hosts = meta["lookup"]
    programme = meta["samples"]["fellowship-programme"]
    source = meta["samples"]["document"]
    parts = [PREFIXES]
    for i in range(9):
        person = f"id:new-person-{serial}-{i}"
        parts.append(
            f'{person} a foaf:Person ; rdfs:label "New person {serial}-{i}"@en ;\n'
            f"    dcterms:source <{source}> .\n"
            f"id:new-fellowship-{serial}-{i} a sdkg:Fellowship ;\n"
            f'    rdfs:label "Fellowship of new person {serial}-{i}"@en ;\n'
            f"    org:member {person} ; org:organization <{rng.choice(hosts)}> ;\n"
            f"    sdkg:programme <{programme}> ; dcterms:source <{source}> .\n"
        )
    target = rng.choice(hosts)
    parts.append(
        f'<{target}> sdkg:nickname "Nickname {serial}"@en .\n'
        f"[] a sdkg:Evidence ; rdf:subject <{target}> ; rdf:predicate sdkg:nickname ;\n"
        f'    rdf:object "Nickname {serial}"@en ; dcterms:source <{source}> ;\n'
        f'    prov:value "known as Nickname {serial}" .\n'
    )
    return Graph().parse(data="".join(parts), format="turtle")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=parse_size, nargs="+",
                        default=[10_000, 100_000, 1_000_000], help="10k 100k 1M ...")  # fmt: skip
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "sdkg-bench")
    parser.add_argument("--store", type=Path, action="append", default=[],
                        help="also a store folder of `sdkg serve` (e.g. bench_endpoint.py's "
                        "OUT/store-10M), with its generator data in --gen; repeatable")  # fmt: skip
    parser.add_argument(
        "--gen",
        type=Path,
        action="append",
        default=[],
        help="the generated folder of each --store (for its sample IRIs)",
    )
    parser.add_argument("--in-memory", action="store_true",
                        help="load each --store's snapshot into memory, as the default server "
                        "(--store-memory copy) does; without it, read the store on disk "
                        "(--store-memory disk)")  # fmt: skip
    options = parser.parse_args()
    rng = random.Random(1)
    first: float | None = None
    print(f"{'graph triples':>14} {'contribution':>12} {'closure':>8} {'median s':>9} "
          f"{'min s':>7} {'ratio':>6} verdict")  # fmt: skip
    if len(options.store) != len(options.gen):
        parser.error("give one --gen for each --store")
    stores = list(zip(options.store, options.gen, strict=True))
    jobs: list[int | tuple[Path, Path]] = [*options.sizes, *stores]
    for size in jobs:
        started = time.perf_counter()
        if isinstance(size, tuple):
            store, meta = open_store(*size, in_memory=options.in_memory)
        else:
            store, meta = build_store(size, options.out)
        load_seconds = time.perf_counter() - started
        wrapped = as_graph_store(store)
        names = store_names(size[0]) if isinstance(size, tuple) else {}
        # Warms the caches; without a store folder's index, builds one in memory (untimed).
        validate_against_graph(contribution(meta, rng, 0), wrapped, **names)
        times, verdicts, closure = [], set(), 0
        for serial in range(1, options.repeat + 1):
            submission = contribution(meta, rng, serial)
            started = time.perf_counter()
            result = validate_against_graph(submission, wrapped, **names)
            times.append(time.perf_counter() - started)
            verdicts.add(result.report.summary_line().split(":")[0])
            closure = result.closure_triples
        median = statistics.median(times)
        first = first or median
        print(
            f"{len(store):>14,} {len(submission):>12} {closure:>8} {median:>9.3f} "
            f"{min(times):>7.3f} {median / first:>6.2f} {'/'.join(sorted(verdicts))}"
            f"   ({'opened' if isinstance(size, tuple) else 'generated and loaded'} "
            f"in {load_seconds:.1f} s)",
            flush=True,
        )
        del store, wrapped


if __name__ == "__main__":
    main()
