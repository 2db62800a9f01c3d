"""`sdkg link fetch` against a stand-in SPARQL endpoint on 127.0.0.1."""

from __future__ import annotations

import re
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from rdflib import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, Graph, Literal, Namespace, URIRef
from support.linking_cli import FIXTURES, sdkg
from support.linking_standin import StandInEndpoint

from sdkg import __version__

WD = Namespace("http://www.wikidata.org/entity/")
WDT = Namespace("http://www.wikidata.org/prop/direct/")
WIKIDATA_GRAPH = URIRef("https://w3id.org/sdkg/graph/external/wikidata")
TIME_LINE = re.compile(rb"^.*AtTime .*$", re.MULTILINE)
WIKIDATA_LIKE = FIXTURES / "wikidata-like.ttl"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(FIXTURES / "data", target)
    return target


def linked_wikidata_items() -> set[URIRef]:
    ours = Graph().parse(FIXTURES / "data" / "organizations.ttl")
    return {
        o
        for p in (OWL.sameAs, SKOS.exactMatch, SKOS.closeMatch)
        for o in ours.objects(None, p)
        if str(o).startswith(str(WD))
    }


def fetch(endpoint: StandInEndpoint, data_dir: Path, *extra: str):
    return sdkg(
        "link",
        "fetch",
        "--source",
        "wikidata",
        "--endpoint",
        endpoint.url,
        "--data",
        data_dir,
        "--batch-size",
        "3",
        *extra,
    )


def test_fetch_fills_cache_with_declared_facts_and_provenance(data_dir: Path) -> None:
    started = datetime.now(UTC).replace(microsecond=0)
    with StandInEndpoint(WIKIDATA_LIKE) as endpoint:
        run = fetch(endpoint, data_dir)
    assert run.returncode == 0, run.stderr
    cache = Graph().parse(data_dir / "external" / "wikidata.ttl")

    cas = WD.Q530471
    assert (cas, WDT.P17, WD.Q148) in cache
    assert (cas, WDT.P571, None) in cache
    assert (cas, WDT.P856, URIRef("https://www.cas.cn")) in cache
    assert (cas, WDT.P6782, Literal("034t30j35")) in cache
    assert (cas, WDT.P625, None) in cache and (cas, WDT.P154, None) in cache
    assert (cas, RDFS.label, Literal("Académie chinoise des sciences", lang="fr")) in cache
    # Wikidata's zh-hans becomes the project's one Chinese tag
    assert (cas, RDFS.label, Literal("中国科学院", lang="zh-Hans")) in cache
    # what the mapping file does not declare is not pulled
    assert (cas, WDT.P31, None) not in cache
    assert not [o for o in cache.objects(cas, RDFS.label) if o.language == "ja"]
    # facts of concepts linked with skos:exactMatch too
    assert (WD.Q131201, RDFS.label, Literal("sustainable development", lang="en")) in cache

    # PROV: endpoint, query, retrieval time
    assert (WIKIDATA_GRAPH, PROV.wasDerivedFrom, URIRef(endpoint.url)) in cache
    activity = cache.value(WIKIDATA_GRAPH, PROV.wasGeneratedBy)
    query = next(q for q in cache.objects(activity, PROV.used) if (q, RDF.type, PROV.Plan) in cache)
    assert "VALUES ?item { {{iris}} }" in str(cache.value(query, PROV.value))
    assert (query, DCTERMS.format, Literal("application/sparql-query")) in cache
    retrieved = cache.value(WIKIDATA_GRAPH, PROV.generatedAtTime).toPython()
    assert started <= retrieved <= datetime.now(UTC)


def test_fetch_batches_and_user_agent(data_dir: Path) -> None:
    items = linked_wikidata_items()
    with StandInEndpoint(WIKIDATA_LIKE) as endpoint:
        run = fetch(endpoint, data_dir)
    assert run.returncode == 0, run.stderr
    assert len(endpoint.seen) == -(-len(items) // 3)  # ceil: batches of 3
    asked = [
        set(re.findall(r"<(http://www\.wikidata\.org/entity/Q\d+)>", s.query))
        for s in endpoint.seen
    ]
    assert all(len(batch) <= 3 for batch in asked)
    assert set().union(*asked) == {str(i) for i in items}
    for seen in endpoint.seen:
        assert seen.user_agent.startswith(f"sdkg/{__version__} (https://w3id.org/sdkg;")
    assert f"{len(items)} entities" in run.stderr  # the progress label
    assert f"in {len(endpoint.seen)} requests" in run.stdout


def test_second_fetch_same_content_but_retrieval_time(data_dir: Path) -> None:
    out = data_dir / "external" / "wikidata.ttl"
    with StandInEndpoint(WIKIDATA_LIKE) as endpoint:
        assert fetch(endpoint, data_dir).returncode == 0
        first = out.read_bytes()
        time.sleep(1.1)  # times are to the second: make the second run's differ
        assert fetch(endpoint, data_dir).returncode == 0
    second = out.read_bytes()
    assert first != second
    assert TIME_LINE.sub(b"", first) == TIME_LINE.sub(b"", second)


def test_429_then_500_then_hang_gives_up_and_keeps_old_cache(data_dir: Path) -> None:
    out = data_dir / "external" / "wikidata.ttl"
    with StandInEndpoint(WIKIDATA_LIKE) as endpoint:
        assert fetch(endpoint, data_dir).returncode == 0
    old = out.read_bytes()
    # first batch answered, then the second batch meets 429, 500 and silence
    with StandInEndpoint(WIKIDATA_LIKE, script=["ok", "429", "500", "hang"]) as endpoint:
        run = fetch(endpoint, data_dir, "--timeout", "1", "--max-retries", "2")
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    assert "HTTP 429 with Retry-After 1; retry 1 of 2" in run.stderr
    assert "HTTP 500; retry 2 of 2" in run.stderr
    assert "gave up after 3 attempt(s); last: no answer within 1 s" in run.stderr
    assert len(endpoint.seen) == 4
    # Retry-After: 1 was honoured before the next attempt
    assert endpoint.seen[2].at - endpoint.seen[1].at >= 1.0
    assert out.read_bytes() == old
    assert list(out.parent.glob("*.tmp")) == []


def test_retries_then_success(data_dir: Path) -> None:
    with StandInEndpoint(WIKIDATA_LIKE, script=["500", "ok"]) as endpoint:
        run = fetch(endpoint, data_dir, "--max-retries", "1")
    assert run.returncode == 0, run.stderr
    assert "HTTP 500; retry 1 of 1" in run.stderr
    assert (WD.Q530471, WDT.P17, WD.Q148) in Graph().parse(data_dir / "external" / "wikidata.ttl")


def test_sources_without_endpoint_or_links_are_clear_errors(data_dir: Path, tmp_path: Path) -> None:
    run = sdkg("link", "fetch", "--source", "ror", "--data", data_dir)
    assert run.returncode == 1 and "import-ror" in run.stderr
    run = sdkg("link", "fetch", "--source", "nowhere", "--data", data_dir)
    assert run.returncode == 1 and "unknown source 'nowhere'" in run.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    run = sdkg("link", "fetch", "--data", empty, "--endpoint", "http://127.0.0.1:9/sparql")
    assert run.returncode == 1 and "nothing to fetch" in run.stderr
    assert "Traceback" not in run.stderr
