"""The figures of ``/.well-known/void`` and of the Service Description, kept with the store
(``statistics.json`` for the data files, plus what the contributions add), against the
whole-store SPARQL queries sent to ``/sparql`` as the oracle: after contributions land and
are withdrawn, in every worker, and across restarts, data changes and a damaged file."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlparse

import pytest
import rdflib
import requests
from rdflib import RDF
from support.contributing import bindings, fellowship, post, withdraw, write_tokens
from support.servers import ENDPOINT_DATA, start_on

SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
TURTLE = {"Accept": "text/turtle"}
ENTITY = "https://w3id.org/sdkg/id/"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
PERSON = "http://xmlns.com/foaf/0.1/Person"
FELLOWSHIP = "https://w3id.org/sdkg/ontology#Fellowship"
LINKS = (
    "http://www.w3.org/2002/07/owl#sameAs",
    "http://www.w3.org/2004/02/skos/core#exactMatch",
    "http://www.w3.org/2004/02/skos/core#closeMatch",
    "http://www.w3.org/2004/02/skos/core#relatedMatch",
    "http://www.w3.org/2004/02/skos/core#broadMatch",
    "http://www.w3.org/2004/02/skos/core#narrowMatch",
    "http://www.w3.org/2004/02/skos/core#related",
)
#: The new entity of the contribution: first in IRI order, so the first example resource.
FELLOW = "aardvark-statistics-fellow"
#: The host of the link the contribution adds: no data file links there.
NEW_HOST = "records.statistics-test.example"

#: The whole-store queries the descriptions' figures were counted with.
ORACLE = {
    "triples": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "entities": "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o "
    f'FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{ENTITY}")) }}',
    "subjects": "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o }",
    "objects": "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?s ?p ?o }",
    "examples": f"SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER(isIRI(?s) && "
    f'STRSTARTS(STR(?s), "{ENTITY}")) }} ORDER BY ?s LIMIT 3',
    "classes": "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c",
    "properties": "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p",
    "links": "SELECT ?p ?o WHERE { VALUES ?p { "
    + " ".join(f"<{p}>" for p in LINKS)
    + ' } ?s ?p ?o FILTER(isIRI(?o) && !STRSTARTS(STR(?o), "https://w3id.org/sdkg/")) }',
    "subsets": "SELECT ?g ?l (COUNT(*) AS ?n) WHERE { GRAPH ?g "
    "{ ?g <http://purl.org/dc/terms/license> ?l } GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ?l",
    "graphs": "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
}


def rows(session: requests.Session, base: str, query: str) -> list[dict[str, str]]:
    """The rows of a SELECT query, each cell's value only."""
    found = bindings(base, query, session)
    return [{name: cell["value"] for name, cell in row.items()} for row in found]


def oracle(session: requests.Session, base: str) -> dict:
    """Every figure, from the whole-store queries."""

    def number(name: str) -> int:
        return int(rows(session, base, ORACLE[name])[0]["n"])

    def counts(name: str, *keys: str) -> dict:
        return {
            tuple(row[k] for k in keys) if len(keys) > 1 else row[keys[0]]: int(row["n"])
            for row in rows(session, base, ORACLE[name])
        }

    graphs = counts("graphs", "g")
    return {
        "triples": number("triples"),
        "entities": number("entities"),
        "distinctSubjects": number("subjects"),
        "distinctObjects": number("objects"),
        "examples": sorted(row["s"] for row in rows(session, base, ORACLE["examples"])),
        "classes": counts("classes", "c"),
        "properties": counts("properties", "p"),
        "linksets": dict(
            Counter(
                (urlparse(row["o"]).hostname, row["p"])
                for row in rows(session, base, ORACLE["links"])
            )
        ),
        "subsets": counts("subsets", "g", "l"),
        "graphs": graphs,
        "graph total": sum(graphs.values()),
    }


def described(session: requests.Session, base: str) -> dict:
    """Every figure, as ``/.well-known/void`` and the Service Description print them."""
    response = session.get(base + ".well-known/void", headers=TURTLE, timeout=120)
    assert response.status_code == 200, response.text
    void = rdflib.Graph().parse(data=response.text, format="turtle")
    dataset = next(void.subjects(VOID.sparqlEndpoint, None))

    def figure(subject, predicate) -> int:
        return int(void.value(subject, predicate))

    classes = {
        str(void.value(p, VOID["class"])): figure(p, VOID.entities)
        for p in void.objects(dataset, VOID.classPartition)
    }
    assert figure(dataset, VOID.classes) == len(classes)
    properties = {
        str(void.value(p, VOID.property)): figure(p, VOID.triples)
        for p in void.objects(dataset, VOID.propertyPartition)
    }
    assert figure(dataset, VOID.properties) == len(properties)
    linksets, subsets = {}, {}
    for subset in void.objects(dataset, VOID.subset):
        if (subset, RDF.type, VOID.Linkset) in void:
            target = void.value(subset, VOID.objectsTarget)
            host = urlparse(str(void.value(target, rdflib.FOAF.homepage))).hostname
            key = (host, str(void.value(subset, VOID.linkPredicate)))
            linksets[key] = figure(subset, VOID.triples)
        else:
            for licence in void.objects(subset, rdflib.DCTERMS.license):
                key = (str(void.value(subset, SD.name)), str(licence))
                subsets[key] = figure(subset, VOID.triples)

    response = session.get(base + "sparql", headers=TURTLE, timeout=120)
    assert response.status_code == 200, response.text
    sd = rdflib.Graph().parse(data=response.text, format="turtle")
    service = next(sd.subjects(RDF.type, SD.Service))
    default_dataset = sd.value(service, SD.defaultDataset)
    graphs = {
        str(sd.value(named, SD.name)): int(sd.value(sd.value(named, SD.graph), VOID.triples))
        for named in sd.objects(default_dataset, SD.namedGraph)
    }
    return {
        "triples": figure(dataset, VOID.triples),
        "entities": figure(dataset, VOID.entities),
        "distinctSubjects": figure(dataset, VOID.distinctSubjects),
        "distinctObjects": figure(dataset, VOID.distinctObjects),
        "examples": sorted(str(e) for e in void.objects(dataset, VOID.exampleResource)),
        "classes": classes,
        "properties": properties,
        "linksets": linksets,
        "subsets": subsets,
        "graphs": graphs,
        "graph total": int(sd.value(sd.value(default_dataset, SD.defaultGraph), VOID.triples)),
    }


def figures_in_each_worker(base: str, workers: int = 2, tries: int = 200) -> dict:
    """The described figures, checked against the oracle in each worker (a session keeps
    its connection, so ``/healthz``, the oracle and the descriptions reach one worker);
    the figures, the same in every worker.

    Sessions open eight at a time, in parallel: opened one after the other, the kernel
    may hand every connection to the same idle worker."""
    seen: dict[int, dict] = {}

    def opened(_: int) -> tuple[requests.Session, int]:
        session = requests.Session()
        return session, session.get(base + "healthz", timeout=30).json()["pid"]

    with ThreadPoolExecutor(8) as pool:
        for _ in range(0, tries, 8):
            for session, pid in pool.map(opened, range(8)):
                with session:
                    if pid in seen:
                        continue
                    figures = described(session, base)
                    assert session.get(base + "healthz", timeout=30).json()["pid"] == pid
                    assert figures == oracle(session, base)
                    seen[pid] = figures
            if len(seen) == workers:
                break
    assert len(seen) == workers, f"only worker(s) {sorted(seen)} answered"
    first, *others = seen.values()
    assert all(figures == first for figures in others)
    return first


def contribution(existing_type: tuple[str, str], existing_label: tuple[str, str, str]) -> str:
    """A new person (the first entity in IRI order) and fellowship, a link to a host no
    data file links to, and two triples the data files hold already: a class membership
    and a label."""
    entity, cls = existing_type
    labelled, label, language = existing_label
    return (
        fellowship(FELLOW)
        + f"""
id:{FELLOW} <{LINKS[2]}> <https://{NEW_HOST}/person/1> .
<{entity}> a <{cls}> .
<{labelled}> rdfs:label {json.dumps(label)}@{language} .
"""
    )


@pytest.mark.parametrize("store", ["copy", "disk", "virtuoso"])
def test_figures_follow_contributions_in_every_worker(start_server, store_args, tmp_path, store):
    """Each worker's in-memory copy, the on-disk store every worker reads, and a remote
    store (counted whole, per generation)."""
    tokens = write_tokens(tmp_path)
    env = {"SDKG_TOKENS_FILE": str(tokens)}
    if store == "virtuoso":
        server = start_on(start_server, store_args, store, "statistics", "--workers", "2", env=env)
    else:
        server = start_server(
            "--store", str(tmp_path / "store"), "--store-memory", store, "--workers", "2", env=env
        )
    base = server.base
    before = figures_in_each_worker(base)

    with requests.Session() as session:
        typed = rows(session, base, (
            f'SELECT ?s ?c WHERE {{ ?s a ?c FILTER(STRSTARTS(STR(?s), "{ENTITY}") '
            f"&& ?c NOT IN (<{PERSON}>, <{FELLOWSHIP}>)) }} "
            "ORDER BY ?s ?c LIMIT 1"
        ))[0]  # fmt: skip
        labelled = rows(session, base, (
            f"SELECT ?s ?l WHERE {{ ?s <{RDFS_LABEL}> ?l "
            f'FILTER(STRSTARTS(STR(?s), "{ENTITY}") && LANG(?l) = "en") }} ORDER BY ?s LIMIT 1'
        ))[0]  # fmt: skip
    body = contribution((typed["s"], typed["c"]), (labelled["s"], labelled["l"], "en"))
    response = post(base, "contributions", body)
    assert response.status_code == 201, response.text
    added = figures_in_each_worker(base)
    # The contribution counts: more triples and subjects; the restated membership and
    # label are triples again, but the member and the label's subject are not new.
    assert added["triples"] > before["triples"]
    assert added["distinctSubjects"] > before["distinctSubjects"]
    assert added["classes"][PERSON] == before["classes"][PERSON] + 1
    assert added["classes"][typed["c"]] == before["classes"][typed["c"]]
    assert added["linksets"][(NEW_HOST, LINKS[2])] == 1
    assert added["examples"][0] == ENTITY + FELLOW != before["examples"][0]
    assert set(added["graphs"]) - set(before["graphs"]) == {response.json()["graph"]}

    assert withdraw(base, response.json()["id"]).status_code == 200
    assert figures_in_each_worker(base) == before


def test_the_start_counts_the_data_files_once_and_a_data_change_counts_again(
    start_server, tmp_path
):
    data, store = tmp_path / "data", tmp_path / "store"
    shutil.copytree(ENDPOINT_DATA, data)
    args = ("--store", str(store), "--data", str(data))
    server = start_server(*args)
    kept = store / "statistics.json"
    # Counted by the start, before any request asked for a description.
    assert kept.is_file()
    counted = kept.stat().st_ino  # counting again replaces the file
    first = figures_in_each_worker(server.base, workers=1)
    assert server.stop() == 0

    again = start_server(*args)
    assert again.health()["sync"]["loaded"] == []
    assert kept.stat().st_ino == counted
    assert figures_in_each_worker(again.base, workers=1) == first
    assert again.stop() == 0

    with (data / "organizations.ttl").open("a", encoding="utf-8") as file:
        file.write(f'\n<{ENTITY}statistics-lab> <{RDFS_LABEL}> "A laboratory"@en .\n')
    changed = start_server(*args)
    assert changed.health()["sync"]["loaded"] == ["data/organizations.ttl"]
    assert kept.stat().st_ino != counted
    figures = figures_in_each_worker(changed.base, workers=1)
    assert figures["triples"] == first["triples"] + 1


@pytest.mark.parametrize("damage", [b"", b"{not json", b'{"version": 1, "base": "x"}'])
def test_a_damaged_statistics_file_is_counted_again(start_server, tmp_path, damage):
    args = ("--store", str(tmp_path / "store"), "--data", str(ENDPOINT_DATA))
    server = start_server(*args)
    kept = tmp_path / "store" / "statistics.json"
    assert server.stop() == 0
    kept.write_bytes(damage)
    # Damaged before a start: the start counts again.
    server = start_server(*args)
    assert json.loads(kept.read_bytes())["statistics"]["triples"] > 0
    # Damaged while serving, before any description was asked for: the worker counts again.
    kept.write_bytes(damage)
    figures_in_each_worker(server.base, workers=1)
    assert json.loads(kept.read_bytes())["statistics"]["triples"] > 0
