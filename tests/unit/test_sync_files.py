"""Unit tests of the file sync (sdkg.store.sync_files) through a small in-memory target.

The target keeps each graph as a set of N-Triples lines and logs every call, so a test
can check both what the store holds after a sync and which graphs were touched, in which
order. The sync over a real store, across restarts of a server, is in
``tests/server/test_store.py``.
"""

from __future__ import annotations

import os
import time
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


def settle(*sources: SourceFile, seconds_ago: int = 60) -> None:
    """Date files a while back, as data files are (a file written in the same second as a
    sync has its hash, not its stat, trusted at the next one)."""
    when = time.time_ns() - seconds_ago * 1_000_000_000
    for source in sources:
        os.utime(source.path, ns=(when, when))


def overwrite_in_place(source: SourceFile, old: str, new: str) -> None:
    """Replace ``old`` by ``new`` (same length) in the file's bytes, keeping its inode."""
    assert len(old) == len(new)
    data = source.path.read_bytes().replace(old.encode(), new.encode())
    with source.path.open("r+b") as handle:
        handle.write(data)


def objects(target: GraphsTarget, name: str) -> set[str]:
    return {line.split(" ", 2)[2] for line in target.graphs[GRAPH + name]}


def test_a_file_with_the_recorded_size_time_and_inode_is_not_read(tmp_path):
    target = GraphsTarget()
    a, b = turtle(tmp_path, "a", "1"), turtle(tmp_path, "b", "2")
    settle(a, b)
    first, report = sync_files(target, [a, b], {})
    assert report.hashed == ["data/a.ttl", "data/b.ttl"]
    # Change a's bytes behind the sync's back and put its time back: only reading the
    # file could notice, and the sync must not read it.
    recorded = a.path.stat()
    overwrite_in_place(a, '"1"', '"9"')
    os.utime(a.path, ns=(recorded.st_atime_ns, recorded.st_mtime_ns))
    target.calls.clear()
    second, report = sync_files(target, [a, b], first)
    assert report.hashed == [] and report.loaded == []
    assert target.calls == []
    assert second["generation"] == first["generation"]
    assert objects(target, "a") == {'"1" .'}


def test_a_file_changed_to_the_same_size_with_a_new_time_is_read_and_reloaded(tmp_path):
    target = GraphsTarget()
    a, b = turtle(tmp_path, "a", "1"), turtle(tmp_path, "b", "2")
    settle(a, b)
    first, _ = sync_files(target, [a, b], {})
    overwrite_in_place(a, '"1"', '"9"')
    settle(a, seconds_ago=30)
    second, report = sync_files(target, [a, b], first)
    assert report.hashed == ["data/a.ttl"] and report.loaded == ["data/a.ttl"]
    assert objects(target, "a") == {'"9" .'}
    assert second["generation"] != first["generation"]


def test_a_file_replaced_by_another_with_the_same_size_and_time_is_read(tmp_path):
    target = GraphsTarget()
    a = turtle(tmp_path, "a", "1")
    settle(a)
    first, _ = sync_files(target, [a], {})
    recorded = a.path.stat()
    other = tmp_path / "other.ttl"
    other.write_bytes(a.path.read_bytes().replace(b'"1"', b'"9"'))
    os.utime(other, ns=(recorded.st_atime_ns, recorded.st_mtime_ns))
    other.replace(a.path)  # a new inode under the old name
    _, report = sync_files(target, [a], first)
    assert report.hashed == ["data/a.ttl"] and report.loaded == ["data/a.ttl"]
    assert objects(target, "a") == {'"9" .'}


def test_a_touched_file_with_the_same_content_is_read_but_not_reloaded(tmp_path):
    target = GraphsTarget()
    a, b = turtle(tmp_path, "a", "1"), turtle(tmp_path, "b", "2")
    settle(a, b)
    first, _ = sync_files(target, [a, b], {})
    settle(a, seconds_ago=30)  # touched: a new time, the same bytes
    target.calls.clear()
    second, report = sync_files(target, [a, b], first)
    assert report.hashed == ["data/a.ttl"]
    assert report.loaded == [] and target.calls == []
    assert second["generation"] == first["generation"]
    # Its new stat is recorded: the next sync reads nothing.
    _, report = sync_files(target, [a, b], second)
    assert report.hashed == []


def test_a_file_written_in_the_second_of_the_sync_is_read_again_at_the_next(tmp_path):
    target = GraphsTarget()
    a = turtle(tmp_path, "a", "1")  # written just now
    first, _ = sync_files(target, [a], {})
    _, report = sync_files(target, [a], first)
    # An edit within the same clock tick would leave its stat as recorded.
    assert report.hashed == ["data/a.ttl"]
    assert report.loaded == []


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
