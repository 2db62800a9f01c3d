"""Time to validate a 100-triple contribution against graphs of growing size.

    .venv/bin/python bench/bench_validation.py [--sizes 10000 100000 1000000] [--repeat 5]

For each size, a synthetic graph shaped like sdkg's data (universities with
founding dates and evidence, people, fellowships) is loaded into an in-memory
Oxigraph store; then a contribution of about 100 triples (9 new people and their
fellowships hosted by existing universities, and a new fact with its evidence
about an existing one) is validated as ``POST /validate`` does it:
:func:`sdkg.closure.validate_against_graph` (closure query + pyshacl). Prints
the median time per size and its ratio to the smallest size.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Iterator

import pyoxigraph as ox
from rdflib import Graph

from sdkg.closure import validate_against_graph
from sdkg.store import Dataset

ID = "https://w3id.org/sdkg/id/"
PREFIXES = """@prefix sdkg: <https://w3id.org/sdkg/ontology#> .
@prefix id: <https://w3id.org/sdkg/id/> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix schema: <https://schema.org/> .
"""
HEADER = """
id:bench-source a foaf:Document ; rdfs:label "Benchmark source"@en .
id:bench-programme a sdkg:FellowshipProgramme ; rdfs:label "Benchmark fellowships"@en ;
    sdkg:jointlyOrganizedBy id:university-0 ; dcterms:source id:bench-source .
"""
# Triples per block below: a university (with one evidence node) and three people
# with their fellowships.
UNIVERSITY = """id:university-{n} a org:Organization , sdkg:University ;
    rdfs:label "University {n}"@en ; skos:prefLabel "University number {n}"@en ;
    schema:foundingDate "{year}"^^xsd:gYear ; owl:sameAs <http://www.wikidata.org/entity/Q{q}> ;
    dcterms:source id:bench-source .
[] a sdkg:Evidence ; rdf:subject id:university-{n} ; rdf:predicate schema:foundingDate ;
    rdf:object "{year}"^^xsd:gYear ; dcterms:source id:bench-source ; prov:value "founded {year}" .
"""
PERSON = """id:person-{n} a foaf:Person ; rdfs:label "Person {n}"@en ;
    owl:sameAs <http://www.wikidata.org/entity/Q{q}> ; dcterms:source id:bench-source .
id:fellowship-{n} a sdkg:Fellowship ; rdfs:label "Fellowship {n}"@en ;
    org:member id:person-{n} ; org:organization id:university-{host} ;
    sdkg:programme id:bench-programme ; dcterms:source id:bench-source .
"""
TRIPLES_PER_UNIVERSITY = 13
TRIPLES_PER_PERSON = 11
PEOPLE_PER_UNIVERSITY = 3


class MemoryStore:
    """The part of :class:`sdkg.store.GraphStore` validation uses, over an ox.Store."""

    def __init__(self, store: ox.Store) -> None:
        self.store = store

    def query(self, sparql: str, dataset: Dataset | None = None):
        return self.store.query(sparql, use_default_graph_as_union=True)


def generate(triples: int) -> Iterator[str]:
    """Turtle chunks of a synthetic graph of about ``triples`` triples."""
    per_block = TRIPLES_PER_UNIVERSITY + PEOPLE_PER_UNIVERSITY * TRIPLES_PER_PERSON
    universities = max(1, triples // per_block)
    yield PREFIXES + HEADER
    person = 0
    for n in range(universities):
        chunk = [UNIVERSITY.format(n=n, year=1900 + n % 120, q=1000 + n)]
        for _ in range(PEOPLE_PER_UNIVERSITY):
            chunk.append(PERSON.format(n=person, q=10_000_000 + person, host=n))
            person += 1
        yield "".join(chunk)


def build_store(triples: int) -> tuple[ox.Store, int]:
    """An in-memory store holding the synthetic graph; returns it and its university count."""
    store = ox.Store()
    chunks = generate(triples)
    prefixes = next(chunks)
    store.load(prefixes.encode(), ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(ID + "g/head"))
    batch: list[str] = []
    for chunk in chunks:
        batch.append(chunk)
        if len(batch) == 2000:
            store.bulk_load(
                (PREFIXES + "".join(batch)).encode(),
                ox.RdfFormat.TURTLE,
                to_graph=ox.NamedNode(ID + "g/data"),
            )
            batch = []
    if batch:
        store.bulk_load(
            (PREFIXES + "".join(batch)).encode(),
            ox.RdfFormat.TURTLE,
            to_graph=ox.NamedNode(ID + "g/data"),
        )
    per_block = TRIPLES_PER_UNIVERSITY + PEOPLE_PER_UNIVERSITY * TRIPLES_PER_PERSON
    return store, max(1, triples // per_block)


def contribution(universities: int, rng: random.Random) -> Graph:
    """About 100 triples: 9 new people with fellowships at existing universities, and
    a nickname with its evidence for an existing university."""
    parts = [PREFIXES]
    for i in range(9):
        parts.append(
            PERSON.format(n=f"new-{i}", q=90_000_000 + i, host=rng.randrange(universities))
        )
    target = rng.randrange(universities)
    parts.append(
        f'id:university-{target} sdkg:nickname "Nickname {target}"@en .\n'
        f"[] a sdkg:Evidence ; rdf:subject id:university-{target} ; "
        f'rdf:predicate sdkg:nickname ; rdf:object "Nickname {target}"@en ;\n'
        f'    dcterms:source id:bench-source ; prov:value "known as Nickname {target}" .\n'
    )
    return Graph().parse(data="".join(parts), format="turtle")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=5)
    options = parser.parse_args()
    rng = random.Random(1)
    first: float | None = None
    print(f"{'graph triples':>14} {'contribution':>12} {'closure':>8} {'median s':>9} "
          f"{'min s':>7} {'ratio':>6} verdict")  # fmt: skip
    for size in options.sizes:
        started = time.perf_counter()
        store, universities = build_store(size)
        load_seconds = time.perf_counter() - started
        wrapped = MemoryStore(store)
        validate_against_graph(contribution(universities, rng), wrapped)  # warm caches
        times, verdicts, closure = [], set(), 0
        for _ in range(options.repeat):
            submission = contribution(universities, rng)
            started = time.perf_counter()
            result = validate_against_graph(submission, wrapped)
            times.append(time.perf_counter() - started)
            verdicts.add(result.report.summary_line().split(":")[0])
            closure = result.closure_triples
        median = statistics.median(times)
        first = first or median
        print(
            f"{len(store):>14,} {len(submission):>12} {closure:>8} {median:>9.3f} "
            f"{min(times):>7.3f} {median / first:>6.2f} {'/'.join(sorted(verdicts))}"
            f"   (store built in {load_seconds:.1f} s)",
            flush=True,
        )
        del store, wrapped


if __name__ == "__main__":
    main()
