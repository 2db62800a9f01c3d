"""Label search at scale: build the name index for N synthetic entities, time a query mix.

    python bench/bench_search.py [--entities 1M] [--out DIR] [--store STORE_DIR]

The entities are named the way bench/generate.py names them (invented syllables in
English and a Chinese transcription; academies, universities, institutes, people), each
with an English label, an English and a Chinese preferred label and, for
organizations, an acronym: about four names per entity. The index is built in a file
(``DIR/names-N.sqlite``, as the server keeps it beside the store) and the build time
printed. Then each query of the mix runs through :meth:`sdkg.names.NameIndex.search`
(the call behind ``/search``, the header's autocomplete and ``/reconcile``), and the
p50 / p95 per kind of query and overall are printed, with the target (p95 < 50 ms).

Kinds of query: a whole English name, the same with one typo (a letter dropped,
doubled, changed or two swapped), the beginning of a name (autocomplete), an acronym,
1, 2 and 3 Chinese characters, a common word alone ("academy").

With ``--store``, the index is also built from that store folder (read-only; e.g. the
10M-triple store of bench_endpoint.py), and the same kinds of query timed against it;
``--entities 0`` skips the synthetic index, for that store's alone.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

from generate import SYLLABLES, parse_size

import sdkg.names as names_module
from sdkg.names import Name, NameIndex, fold, name_index_for

LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
PREF = "http://www.w3.org/2004/02/skos/core#prefLabel"
ACRONYM = "https://w3id.org/sdkg/ontology#acronym"
ID = "https://w3id.org/sdkg/id/"
KINDS = [
    ("{} National Academy of Sciences", "{}国家科学院"),
    ("University of {}", "{}大学"),
    ("{} Institute of Physics", "{}物理研究所"),
    ("{} Institute of Chemistry", "{}化学研究所"),
    ("{} Laboratory of Marine Sciences", "{}海洋科学实验室"),
    ("{} Research Society", "{}研究学会"),
    ("{} Centre of Excellence", "{}卓越中心"),
    ("{} {}", "{}{}"),  # a person: given and family name
]


def invented(chance: random.Random, syllables: int) -> tuple[str, str]:
    picked = [chance.choice(SYLLABLES) for _ in range(syllables)]
    return "".join(s for s, _ in picked).capitalize(), "".join(c for _, c in picked)


def entities(count: int, seed: int) -> tuple[list[Name], dict[str, str]]:
    """Names of ``count`` synthetic entities, and their display names."""
    chance = random.Random(seed)
    names: list[Name] = []
    display: dict[str, str] = {}
    for number in range(count):
        english, chinese = invented(chance, chance.randint(2, 4))
        pattern, pattern_zh = KINDS[number % len(KINDS)]
        iri = f"{ID}thing-{number}"
        if pattern == "{} {}":
            family, family_zh = invented(chance, chance.randint(2, 3))
            label, label_zh = f"{english} {family}", f"{chinese}{family_zh}"
            extra = []
        else:
            label, label_zh = pattern.format(english), pattern_zh.format(chinese)
            acronym = "".join(w[0] for w in label.split() if w[0].isupper()) + str(number % 97)
            extra = [Name(iri, acronym, "", ACRONYM, tuple(fold(acronym)))]
        display[iri] = label
        names += [
            Name(iri, label, "en", LABEL, tuple(fold(label))),
            Name(iri, label, "en", PREF, tuple(fold(label))),
            Name(iri, label_zh, "zh-Hans", PREF, tuple(fold(label_zh))),
            *extra,
        ]
    return names, display


def typo(chance: random.Random, word: str) -> str:
    i = chance.randrange(1, len(word) - 1)
    edit = chance.choice(["drop", "double", "change", "swap"])
    if edit == "drop":
        return word[:i] + word[i + 1 :]
    if edit == "double":
        return word[:i] + word[i] + word[i:]
    if edit == "change":
        return word[:i] + ("x" if word[i] != "x" else "q") + word[i + 1 :]
    return word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]


def query_mix(names: list[Name], per_kind: int, seed: int) -> dict[str, list[str]]:
    """``per_kind`` queries of each kind, drawn from the indexed names."""
    chance = random.Random(seed + 1)
    english = [n.text for n in names if n.language == "en" and n.predicate == LABEL]
    chinese = [n.text for n in names if n.language.startswith("zh")]
    acronyms = [n.text for n in names if n.predicate == ACRONYM]
    mix: dict[str, list[str]] = {k: [] for k in (
        "english name", "one typo", "beginning (autocomplete)", "acronym", "Chinese 1 char",
        "Chinese 2 chars", "Chinese 3 chars", "common word")}  # fmt: skip
    for _ in range(per_kind):
        name = chance.choice(english)
        mix["english name"].append(name)
        words = name.split()
        longest = max(words, key=len)
        mix["one typo"].append(name.replace(longest, typo(chance, longest), 1))
        mix["beginning (autocomplete)"].append(longest[: chance.randint(3, 6)])
        mix["acronym"].append(chance.choice(acronyms))
        text = chance.choice(chinese)
        for size in (1, 2, 3):
            start = chance.randrange(0, max(1, len(text) - size))
            mix[f"Chinese {size} char" + ("s" if size > 1 else "")].append(
                text[start : start + size]
            )
        mix["common word"].append(chance.choice(["academy", "university", "institute", "科学"]))
    return mix


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def time_queries(index: NameIndex, mix: dict[str, list[str]]) -> list[str]:
    """Markdown rows, one per kind and one overall; searches as /search asks them."""
    rows = []
    every: list[float] = []
    for kind, queries in mix.items():
        index.search(queries[0], limit=20)  # warm-up, dropped
        times = []
        found = 0
        for text in queries:
            started = time.perf_counter()
            hits = index.search(text, limit=20)
            times.append(time.perf_counter() - started)
            found += bool(hits)
        every += times
        rows.append(
            f"| {kind} | {len(queries)} | {statistics.median(times) * 1000:.2f} | "
            f"{percentile(times, 0.95) * 1000:.2f} | {max(times) * 1000:.2f} | "
            f"{found}/{len(queries)} |"
        )
    p95 = percentile(every, 0.95)
    rows.append(
        f"| **all** | {len(every)} | {statistics.median(every) * 1000:.2f} | "
        f"**{p95 * 1000:.2f}** | {max(every) * 1000:.2f} | |"
    )
    verdict = "PASS" if p95 < 0.050 else "FAIL"
    rows.append(f"\n{verdict}: p95 {p95 * 1000:.1f} ms (target < 50 ms)")
    return rows


HEADER = ["| queries | n | p50 ms | p95 ms | max ms | with hits |", "|---|---|---|---|---|---|"]


def _entity_count(text: str) -> int:
    """A size like 1M, or 0 (no synthetic index)."""
    return 0 if text.strip() == "0" else parse_size(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--entities",
        type=_entity_count,
        default=1_000_000,
        help="default 1M; 0 to time only the --store's index",
    )
    parser.add_argument("--out", type=Path, default=Path("/tmp/sdkg-bench"))
    parser.add_argument("--per-kind", type=int, default=200, help="queries per kind (200)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--store", type=Path, help="also index this store folder (read-only)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    print(f"Command: `python bench/bench_search.py {' '.join(argv or sys.argv[1:])}`\n")
    print(f"Machine: {os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.2f} at the start\n")

    if args.entities:  # 0: only the --store's index
        started = time.perf_counter()
        names, display = entities(args.entities, args.seed)
        made = time.perf_counter() - started
        path = args.out / f"names-{args.entities}.sqlite"
        path.unlink(missing_ok=True)
        started = time.perf_counter()
        index = NameIndex(names, display, path=str(path))
        built = time.perf_counter() - started
        print(
            f"### {args.entities:,} entities, {len(names):,} names, {len(index.words):,} words\n\n"
            f"Names made in {made:.1f} s; index built in **{built:.1f} s** "
            f"({path.stat().st_size / (1 << 20):.0f} MB on disk).\n"
        )
        print("\n".join(HEADER + time_queries(index, query_mix(names, args.per_kind, args.seed))))

    if args.store is not None:
        from sdkg.config import Settings
        from sdkg.store import attach_store, open_prepared

        store = open_prepared(attach_store(Settings(store_dir=args.store)), warm=False)
        folder = args.out / "store-index"
        folder.mkdir(exist_ok=True)
        (folder / "names.sqlite").unlink(missing_ok=True)
        started = time.perf_counter()
        from_store = name_index_for(store, folder)
        built = time.perf_counter() - started
        names_module._FILES.clear()  # as a new process would: open the file, check it
        started = time.perf_counter()
        name_index_for(store, folder)
        again = time.perf_counter() - started
        stored = from_store.names
        print(
            f"\n### From the store {args.store} ({store.triple_count():,} quads)\n\n"
            f"{len(stored):,} names; built from the store in **{built:.1f} s**; "
            f"opened again (a restart, unchanged data) in {again * 1000:.0f} ms.\n"
        )
        print("\n".join(HEADER + time_queries(from_store, query_mix(stored, 100, args.seed))))
    print(f"\nLoad average at the end: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
