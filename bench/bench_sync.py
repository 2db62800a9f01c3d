"""The sync of a restart on unchanged data: trusting the recorded stat against re-hashing.

    python bench/bench_sync.py --size 10M --out /tmp/sdkg-bench [--rounds 5]

Generates (or reuses) the synthetic data of ``--size`` and runs the file sync
(:func:`sdkg.sources.sync_files`) through a target that loads nothing, so that only the
sync's own work is timed: a first sync records the manifest, then ``--rounds`` times,
alternating, (a) the restart's sync of this checkout (a file whose size, time and inode
are recorded is not read) and (b) what the restart did before: a SHA-256 of every file.
The page cache is warm for both after the first round (the files were just written).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

from generate import generate, parse_size

from sdkg.sources import SourceFile, file_sha256, source_files, sync_files


class NoLoad:
    """A sync target that records nothing: the sync's own cost alone."""

    def remove_graph(self, graph: str) -> None:
        pass

    def load_source(self, source: SourceFile) -> list[str]:
        return [source.graph]

    def quad_count(self) -> int:
        return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", default="1M")
    parser.add_argument("--out", type=Path, default=Path("/tmp/sdkg-bench"))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    triples = parse_size(args.size)
    data = args.out / f"gen-{args.size}"
    meta_file = data / "generator.json"
    meta = json.loads(meta_file.read_text()) if meta_file.is_file() else {}
    if meta.get("target_triples") != triples or meta.get("seed") != args.seed:
        print(f"generating {args.size} triples into {data}", flush=True)
        generate(data, triples, args.seed)
    sources = source_files(None, data)
    size = sum(s.path.stat().st_size for s in sources)
    time.sleep(1.1)  # files written in the same second as a sync are hashed again
    manifest, _ = sync_files(NoLoad(), sources, {})
    stat_check, rehash = [], []
    for _ in range(args.rounds):
        started = time.perf_counter()
        _, report = sync_files(NoLoad(), sources, manifest)
        stat_check.append(time.perf_counter() - started)
        assert report.hashed == [] and report.loaded == []
        started = time.perf_counter()
        for source in sources:
            file_sha256(source.path)
        rehash.append(time.perf_counter() - started)
    a, b = statistics.median(stat_check), statistics.median(rehash)
    print(f"{args.size}: {len(sources)} files, {size / 1e6:.0f} MB; median of {args.rounds}")
    print(f"  restart sync, stat check (this checkout): {a * 1000:.2f} ms")
    print(f"  re-hashing every file (before):          {b * 1000:.1f} ms   ({b / a:.0f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
