"""Unit tests of the file sync (sdkg.store.sync_files) through a small in-memory target.

The target keeps each graph as a set of N-Triples lines and logs every call, so a test
can check both what the store holds after a sync and which graphs were touched, in which
order. The sync over a real store, across restarts of a server, is in
``tests/server/test_store.py``.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from sdkg.store import SourceFile, StoreError, sync_files

GRAPH = "https://example.org/graph/"


class GraphsTarget:
    """A :class:`~sdkg.store.SyncTarget` holding graphs as sets of N-Triples lines."""

    def __init__(self) -> None:
        self.graphs: dict[str, set[str]] = {}
        self.calls: list[tuple[str, str]] = []

    def remove_graph(self, graph: str) -> None:
        self.calls.append(("remove", graph))
        self.graphs.pop(graph, None)

    def load_source(self, source: SourceFile) -> list[str]:
        self.calls.append(("load", source.key))
        written = set()
        for quad in ox.parse(path=source.path, format=source.format):
            graph = (
                source.graph
                if isinstance(quad.graph_name, ox.DefaultGraph)
                else quad.graph_name.value
            )
            line = f"{quad.subject} {quad.predicate} {quad.object} ."
            self.graphs.setdefault(graph, set()).add(line)
            written.add(graph)
        return sorted(written | {source.graph})

    def quad_count(self) -> int:
        self.calls.append(("count", ""))
        return sum(len(lines) for lines in self.graphs.values())


def turtle(folder: Path, name: str, *objects: str) -> SourceFile:
    """A Turtle file ``name`` with one triple per object; its graph is GRAPH + name."""
    path = folder / f"{name}.ttl"
    path.write_text(
        "".join(f'<https://example.org/{name}> <https://example.org/p> "{o}" .\n' for o in objects),
        encoding="utf-8",
    )
    return SourceFile(f"data/{name}.ttl", path, GRAPH + name, ox.RdfFormat.TURTLE)


def trig(folder: Path, name: str, graph: str) -> SourceFile:
    """A TriG file writing one triple into its own named graph ``graph``."""
    path = folder / f"{name}.trig"
    path.write_text(f'<{graph}> {{ <https://example.org/s> <https://example.org/p> "o" . }}\n')
    return SourceFile(f"data/{name}.trig", path, GRAPH + name, ox.RdfFormat.TRIG)


def test_first_sync_loads_every_file_and_records_it(tmp_path):
    target = GraphsTarget()
    a, b = turtle(tmp_path, "a", "1", "2"), turtle(tmp_path, "b", "3")
    manifest, report = sync_files(target, [a, b], {})
    assert report.loaded == ["data/a.ttl", "data/b.ttl"]
    assert report.reused == report.dropped == []
    assert manifest["files"]["data/a.ttl"]["graphs"] == [GRAPH + "a"]
    assert manifest["triples"] == 3
    assert set(target.graphs) == {GRAPH + "a", GRAPH + "b"}


def test_unchanged_files_are_not_touched_and_keep_the_generation(tmp_path):
    target = GraphsTarget()
    sources = [turtle(tmp_path, "a", "1"), turtle(tmp_path, "b", "2")]
    first, _ = sync_files(target, sources, {})
    target.calls.clear()
    second, report = sync_files(target, sources, first)
    assert report.reused == ["data/a.ttl", "data/b.ttl"]
    assert report.loaded == report.dropped == []
    assert target.calls == []  # nothing loaded, removed, nor even counted
    assert second["generation"] == first["generation"]
    assert second["triples"] == first["triples"]


def test_a_changed_file_is_emptied_then_loaded_alone(tmp_path):
    target = GraphsTarget()
    a, b = turtle(tmp_path, "a", "1", "2"), turtle(tmp_path, "b", "3")
    first, _ = sync_files(target, [a, b], {})
    a = turtle(tmp_path, "a", "changed")
    target.calls.clear()
    second, report = sync_files(target, [a, b], first)
    assert report.loaded == ["data/a.ttl"] and report.reused == ["data/b.ttl"]
    assert target.calls[:2] == [("remove", GRAPH + "a"), ("load", "data/a.ttl")]
    assert len(target.graphs[GRAPH + "a"]) == 1  # the old triples are gone
    assert second["generation"] != first["generation"]
    assert second["triples"] == 2


def test_a_removed_file_drops_only_its_graphs(tmp_path):
    target = GraphsTarget()
    a, b = turtle(tmp_path, "a", "1"), turtle(tmp_path, "b", "2")
    first, _ = sync_files(target, [a, b], {})
    # A graph the sync did not write (a contribution, say) must survive.
    target.graphs[GRAPH + "contribution/1"] = {"<x> <y> <z> ."}
    second, report = sync_files(target, [a], first)
    assert report.dropped == ["data/b.ttl"]
    assert set(target.graphs) == {GRAPH + "a", GRAPH + "contribution/1"}
    assert list(second["files"]) == ["data/a.ttl"]


def test_a_graph_written_by_two_files_is_refused_before_anything_changes(tmp_path):
    target = GraphsTarget()
    a = turtle(tmp_path, "a", "1")
    first, _ = sync_files(target, [a], {})
    before = {graph: set(lines) for graph, lines in target.graphs.items()}
    target.calls.clear()
    clash = trig(tmp_path, "clash", GRAPH + "a")
    with pytest.raises(StoreError, match=r"graph <https://example.org/graph/a> is written by both"):
        sync_files(target, [turtle(tmp_path, "a", "new"), clash], first)
    assert target.calls == []
    assert target.graphs == before


def test_trig_files_keep_their_own_graphs(tmp_path):
    target = GraphsTarget()
    source = trig(tmp_path, "named", "https://example.org/elsewhere")
    manifest, _ = sync_files(target, [source], {})
    assert manifest["files"]["data/named.trig"]["graphs"] == [
        "https://example.org/elsewhere",
        GRAPH + "named",
    ]
    assert "https://example.org/elsewhere" in target.graphs
