"""The name index file (``names.sqlite``) that every worker of a store reads, rebuilt
while another connection has it open (a remote store's index is rebuilt after each
write)."""

from __future__ import annotations

import pyoxigraph as ox

from sdkg.embedded import OxigraphStore, PreparedStore
from sdkg.names import INDEX_FILE, NameIndex, name_index_for
from sdkg.namespaces import ENTITY, RDFS
from sdkg.sources import SyncReport

LABEL = ox.NamedNode(RDFS + "label")
GRAPH = ox.NamedNode("https://w3id.org/sdkg/graph/data")


def store_naming(label: str, files_generation: str) -> OxigraphStore:
    """A store holding one entity named ``label``, built from data files of that generation."""
    memory = ox.Store()
    memory.add(
        ox.Quad(ox.NamedNode(ENTITY + "thing"), LABEL, ox.Literal(label, language="en"), GRAPH)
    )
    return OxigraphStore(
        memory, "memory", PreparedStore("memory", files_generation, 0, SyncReport())
    )


def named(index: NameIndex, text: str) -> list[str]:
    return [name.iri for name in index.exact(text)]


def test_a_reader_of_the_index_file_sees_the_rebuilt_index(tmp_path) -> None:
    name_index_for(store_naming("Alpha Institute", "files-1"), tmp_path)
    # Another worker's connection to the same file, reading before and after the rebuild.
    reader = NameIndex(path=str(tmp_path / INDEX_FILE))
    assert named(reader, "alpha institute") == [ENTITY + "thing"]

    rebuilt = name_index_for(store_naming("Beta Institute", "files-2"), tmp_path)
    assert named(rebuilt, "Beta Institute") == [ENTITY + "thing"]
    # The reader's connection stays on the one file: it sees the new names, not the old
    # ones, and no "database disk image is malformed".
    assert named(reader, "Beta Institute") == [ENTITY + "thing"]
    assert named(reader, "Alpha Institute") == []
    assert sorted(p.name for p in tmp_path.iterdir() if "building" in p.name) == []
