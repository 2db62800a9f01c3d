"""Label search at scale: build the name index for N synthetic entities, time a query mix.

    python bench/bench_search.py [--entities 1M] [--out DIR] [--store STORE_DIR]
    python bench/bench_search.py --entities 0 --index names.sqlite [--baseline REV] [--rounds 3]

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

With ``--index``, an index file already built (a store's ``names.sqlite``, or a copy of
it) is timed directly, without the store; the query mix is drawn from its names.
``--baseline REV`` also times the search of ``server/sdkg/names.py`` as it was at git
revision REV on the same file and queries, the two taking turns for ``--rounds`` rounds
(medians of the rounds printed), and counts the queries whose results (things and
scores, in order) differ between the two.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

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


def time_queries(index: Any, mix: dict[str, list[str]]) -> list[str]:
    """Markdown rows, one per kind and one overall; searches as /search asks them."""
    times, found = run_mix(index, mix)
    return table({kind: [t] for kind, t in times.items()}, found)


def run_mix(
    index: Any, mix: dict[str, list[str]]
) -> tuple[dict[str, list[float]], dict[str, list[list[tuple[str, float]]]]]:
    """Each kind's query times (s), and each query's results (things and scores)."""
    times: dict[str, list[float]] = {}
    results: dict[str, list[list[tuple[str, float]]]] = {}
    for kind, queries in mix.items():
        index.search(queries[0], limit=20)  # warm-up, dropped
        times[kind], results[kind] = [], []
        for text in queries:
            started = time.perf_counter()
            hits = index.search(text, limit=20)
            times[kind].append(time.perf_counter() - started)
            results[kind].append([(hit.iri, hit.score) for hit in hits])
    return times, results


def table(rounds: dict[str, list[list[float]]], results: dict) -> list[str]:
    """Rows of p50 / p95 / max per kind and overall: the median over rounds of each."""

    def figures(per_round: list[list[float]]) -> tuple[float, float, float]:
        return (
            statistics.median(statistics.median(times) for times in per_round) * 1000,
            statistics.median(percentile(times, 0.95) for times in per_round) * 1000,
            statistics.median(max(times) for times in per_round) * 1000,
        )

    rows = []
    for kind, per_round in rounds.items():
        hits = sum(bool(found) for found in results[kind])
        p50, p95, top = figures(per_round)
        rows.append(
            f"| {kind} | {len(per_round[0])} | {p50:.2f} | {p95:.2f} | {top:.2f} | "
            f"{hits}/{len(per_round[0])} |"
        )
    every = [
        [t for per_round in rounds.values() for t in per_round[n]]
        for n in range(len(next(iter(rounds.values()))))
    ]
    p50, p95, top = figures(every)
    rows.append(f"| **all** | {len(every[0])} | {p50:.2f} | **{p95:.2f}** | {top:.2f} | |")
    verdict = "PASS" if p95 < 50 else "FAIL"
    rounds_note = f", median of {len(every)} rounds" if len(every) > 1 else ""
    rows.append(f"\n{verdict}: p95 {p95:.1f} ms (target < 50 ms{rounds_note})")
    return rows


def baseline_names(revision: str) -> ModuleType:
    """``server/sdkg/names.py`` as it was at git ``revision``, imported as a module of its
    own (the rest of the package is today's)."""
    repository = Path(__file__).resolve().parent.parent
    source = subprocess.run(
        ["git", "-C", str(repository), "show", f"{revision}:server/sdkg/names.py"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    name = f"sdkg_names_at_{revision.replace('/', '_')}"
    spec = importlib.util.spec_from_loader(name, loader=None)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up
    exec(compile(source, f"{revision}:server/sdkg/names.py", "exec"), module.__dict__)
    return module


def compare_on_file(
    path: Path, revision: str | None, rounds: int, per_kind: int, seed: int
) -> None:
    """Time the index file ``path`` with today's search (and REV's), taking turns."""
    index = NameIndex(path=str(path))
    started = time.perf_counter()
    stored = index.names
    print(
        f"\n### The index file {path}\n\n{len(stored):,} names "
        f"(read in {time.perf_counter() - started:.1f} s to draw the queries).\n"
    )
    mix = query_mix(stored, per_kind, seed)
    contenders: dict[str, Any] = {"this checkout": index}
    if revision is not None:
        contenders[revision] = baseline_names(revision).NameIndex(path=str(path))
    times: dict[str, dict[str, list[list[float]]]] = {label: {} for label in contenders}
    results: dict[str, dict] = {}
    for _ in range(rounds):
        for label, contender in contenders.items():
            found_times, results[label] = run_mix(contender, mix)
            for kind, kind_times in found_times.items():
                times[label].setdefault(kind, []).append(kind_times)
    for label in contenders:
        print(f"\n#### {label}\n")
        print("\n".join(HEADER + table(times[label], results[label])))
    if revision is not None:
        ours, theirs = results["this checkout"], results[revision]
        differ = [
            (kind, text, ours[kind][n], theirs[kind][n])
            for kind, queries in mix.items()
            for n, text in enumerate(queries)
            if ours[kind][n] != theirs[kind][n]
        ]
        print(
            f"\nResults (things and scores, in order) differ on {len(differ)} "
            f"of {sum(len(queries) for queries in mix.values())} queries"
        )
        for kind, text, now, before in differ[:10]:
            print(f"  {kind}: {text!r}\n    now:    {now[:5]}\n    before: {before[:5]}")
        for kind in times["this checkout"]:
            now = statistics.median(percentile(t, 0.95) for t in times["this checkout"][kind])
            before = statistics.median(percentile(t, 0.95) for t in times[revision][kind])
            print(f"  p95 {kind}: {before * 1000:.1f} -> {now * 1000:.1f} ms ({before / now:.1f}x)")


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
    parser.add_argument("--index", type=Path, help="also time this names.sqlite file directly")
    parser.add_argument("--baseline", help="with --index: also time names.py of this git revision")
    parser.add_argument("--rounds", type=int, default=3, help="with --index: rounds (3)")
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
    if args.index is not None:
        compare_on_file(args.index, args.baseline, args.rounds, args.per_kind, args.seed)
    print(f"\nLoad average at the end: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
