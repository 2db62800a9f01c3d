"""Cost of ``POST /validate`` as the submission grows: it should grow linearly.

    .venv/bin/python bench/bench_validate_size.py [--sizes 1000 5000 10000] [--prefixes 50]

Each submission is Turtle with ``--prefixes`` prefix declarations (all used) and
``size`` triples about ``size / 4`` new people; it is posted to ``/validate`` of an
in-process app over the bundled data (the whole path: read, parse, locate subjects,
SHACL). Prints the median seconds per size, the time per 1,000 triples and its ratio
to the smallest size's (about 1.0 for linear cost), and the same for the step that
finds each subject's line in the text (it once looked every subject up under every
prefix: prefixes x subjects).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from sdkg.config import Settings
from sdkg.rdfio import parse_rdf
from sdkg.validation import subject_lines
from sdkg.web import create_app


def submission(triples: int, prefixes: int) -> bytes:
    """Turtle with ``triples`` triples and ``prefixes`` prefix declarations in use."""
    lines = ["@prefix foaf: <http://xmlns.com/foaf/0.1/> .",
             "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> ."]  # fmt: skip
    lines += [f"@prefix p{n}: <https://w3id.org/sdkg/id/bench{n}-> ." for n in range(prefixes)]
    for person in range(triples // 4):
        name = f"p{person % prefixes}:person{person}"
        lines.append(
            f'{name} a foaf:Person ;\n  rdfs:label "Person {person}"@en ;\n'
            f'  foaf:name "Person {person}" ;\n  foaf:givenName "P{person}" .'
        )
    return "\n".join(lines).encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000, 10000])
    parser.add_argument("--prefixes", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        settings = Settings.load(
            {"memory": True, "store_dir": Path(work), "max_contribution_triples": 100_000}
        )
        client = create_app(settings).test_client()
        client.post("/validate", data=submission(40, 2), content_type="text/turtle")  # warm
        base = None
        base_lines = None
        print(f"{'triples':>8} {'seconds':>8} {'s/1k':>7} {'ratio':>6}   "
              f"{'lines s':>8} {'s/1k':>7} {'ratio':>6}")  # fmt: skip
        for size in args.sizes:
            body = submission(size, args.prefixes)
            times = []
            for _ in range(args.repeat):
                started = time.perf_counter()
                response = client.post("/validate", data=body, content_type="text/turtle")
                times.append(time.perf_counter() - started)
                assert response.status_code == 200, response.get_data(as_text=True)[:300]
            median = statistics.median(times)
            per_k = median / size * 1000
            base = base or per_k
            graph = parse_rdf(body, "turtle", name="bench")
            text = body.decode()
            started = time.perf_counter()
            subject_lines(text, graph, "turtle")
            lines = time.perf_counter() - started
            lines_k = lines / size * 1000
            base_lines = base_lines or lines_k
            print(f"{size:>8} {median:>8.3f} {per_k:>7.3f} {per_k / base:>6.2f}   "
                  f"{lines:>8.3f} {lines_k:>7.4f} {lines_k / base_lines:>6.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
