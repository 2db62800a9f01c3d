"""One vocabulary table: the VoID description and ``sdkg link check`` agree on what a link
is, and every prefix table is a part of ``sdkg.namespaces.PREFIXES``."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph

from sdkg import contributions, describe, formats, namespaces, protocol, statistics
from sdkg.config import Settings
from sdkg.linking import ourdata
from sdkg.store import open_local_store
from sdkg.web import terms
from sdkg.web.entity import LINK_PREDICATES as SHOWN_ON_ENTITY_PAGES

EXTERNAL = "http://www.wikidata.org/entity/Q"


def data_linking_by_every_predicate(folder: Path) -> Path:
    """One entity linked to a different external record by each link predicate, and by
    a predicate that is no link (rdfs:seeAlso)."""
    data = folder / "data"
    data.mkdir()
    lines = [f'<{namespaces.ENTITY}lab> <{namespaces.RDFS}label> "A lab"@en .']
    for number, predicate in enumerate(namespaces.ALL_LINKS):
        lines.append(f"<{namespaces.ENTITY}lab> <{predicate}> <{EXTERNAL}{number}> .")
    lines.append(f"<{namespaces.ENTITY}lab> <{namespaces.RDFS}seeAlso> <{EXTERNAL}99> .")
    (data / "links.ttl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return data


def test_void_and_link_check_count_the_same_links(tmp_path: Path) -> None:
    data = data_linking_by_every_predicate(tmp_path)
    store = open_local_store(Settings(memory=True, data_dir=data, store_dir=tmp_path / "s"))
    void = describe.void_description(statistics.count(store), "http://localhost/")
    in_void = {str(p) for p in void.objects(None, describe.VOID.linkPredicate)}
    checked = {str(link.predicate) for link in ourdata.external_links(ourdata.load_our_data(data))}
    assert in_void == checked == set(namespaces.ALL_LINKS)
    assert namespaces.RDFS + "seeAlso" not in in_void


def test_the_named_sets_of_links_nest() -> None:
    identity, enriching = set(namespaces.IDENTITY_LINKS), set(namespaces.ENRICHING_LINKS)
    assert identity < enriching < set(namespaces.ALL_LINKS)
    assert set(SHOWN_ON_ENTITY_PAGES) == identity
    assert {str(p) for p in ourdata.IDENTITY_PREDICATES} == identity
    assert {str(p) for p in ourdata.ENRICHABLE_PREDICATES} == enriching


def test_every_prefix_table_is_part_of_the_one_table() -> None:
    table = namespaces.PREFIXES.items()
    for name, prefixes in (
        ("protocol.TURTLE_PREFIXES", protocol.TURTLE_PREFIXES),
        ("web.terms.PREFIXES", terms.PREFIXES),
        ("contributions.CONTRIBUTION_PREFIXES", contributions.CONTRIBUTION_PREFIXES),
    ):
        assert prefixes.items() <= table, name
    # One namespace per prefix and one prefix per namespace: a written IRI reads back.
    assert len(set(namespaces.PREFIXES.values())) == len(namespaces.PREFIXES)


def test_turtle_results_declare_the_core_prefixes_only(tmp_path: Path) -> None:
    data = data_linking_by_every_predicate(tmp_path)
    store = open_local_store(Settings(memory=True, data_dir=data, store_dir=tmp_path / "s"))
    result = store.query(f"CONSTRUCT WHERE {{ <{namespaces.ENTITY}lab> ?p ?o }}")
    body = protocol.serialize_result(result, formats.get("turtle"), 100).body.decode()
    declared = {line.split()[1].rstrip(":") for line in body.splitlines() if "@prefix" in line}
    assert declared <= set(namespaces.CORE_PREFIXES)
    assert "wd" not in declared  # wd: is known to the pages, not written in results
    assert len(Graph().parse(data=body, format="turtle")) == len(namespaces.ALL_LINKS) + 2
