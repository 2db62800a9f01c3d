"""``--store-memory disk``: every server process answers from the one on-disk store.

In the default ``copy`` mode each server process loads the store into its own memory,
so memory grows by a store's worth with each worker (about 4.5 GB per worker at 10
million triples). In ``disk`` mode each process opens the on-disk database read-only
and never copies it: the operating system's page cache holds the hot parts once for
every process, so memory stays about flat as workers are added, at the price of
slower queries while the cache is cold.

Writes (contributions landing or being withdrawn) go into the database itself, so
every process sees them: the store is *shared* (as a remote store is, see
:meth:`sdkg.contributions.Contributions.sync`), written only by the process that
accepts or withdraws, under the contributions folder lock. A write runs in a child
process started with ``spawn`` (the only process that opens the database read-write;
the server process never starts RocksDB's writer threads), then bumps the counter in
``disk-writes`` beside the database. Before each query a process compares that file
with what it last saw and, when it changed, reopens its read-only handle: a read-only
RocksDB handle sees the database as it was when opened.
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
from typing import IO

import pyoxigraph as ox

from sdkg.childprocess import run_in_child
from sdkg.durable import write_atomically
from sdkg.embedded import OxigraphStore, PreparedStore
from sdkg.errors import StoreError
from sdkg.graphstore import Dataset, QueryResult

log = logging.getLogger(__name__)

#: Counter of writes made to the database since it was created, beside it.
WRITES_FILE = "disk-writes"


class DiskStore(OxigraphStore):
    """A :class:`sdkg.store.GraphStore` answering from the shared on-disk database."""

    #: Every process reads (and one at a time writes) the same database.
    shared = True

    def __init__(self, prepared: PreparedStore) -> None:
        if prepared.database is None:
            raise StoreError("the disk store mode needs a store folder")
        self._database = prepared.database
        self._writes_file = prepared.database.parent / WRITES_FILE
        self._reopen_lock = threading.Lock()
        self._seen = self._stamp()
        super().__init__(self._open(), "disk", prepared)
        self._warm.set()  # nothing to copy: queries run from disk from the start
        self._disk_writes = self._read_writes()

    # -- reading

    def _open(self) -> ox.Store:
        try:
            return ox.Store.read_only(str(self._database))
        except OSError as error:
            raise StoreError(f"cannot open the store {self._database}: {error}") from None

    def _stamp(self) -> tuple[int, int, int] | None:
        try:
            found = os.stat(self._writes_file)
        except FileNotFoundError:
            return None
        return (found.st_ino, found.st_mtime_ns, found.st_size)

    def _read_writes(self) -> int:
        try:
            return int(self._writes_file.read_text(encoding="ascii").strip() or 0)
        except (FileNotFoundError, ValueError):
            return 0

    def _fresh(self) -> ox.Store:
        """The read-only handle, reopened first if any process wrote since it was opened."""
        stamp = self._stamp()
        if stamp != self._seen:
            with self._reopen_lock:
                if stamp != self._seen:
                    # One assignment: queries already running keep the handle they hold.
                    self._store = self._open()
                    self._seen = stamp
                    self._disk_writes = self._read_writes()
                    self._triples = None
        return self._store

    def query(
        self, sparql: str, dataset: Dataset | None = None, *, base_iri: str | None = None
    ) -> QueryResult:
        """Run ``sparql`` against the database as its latest write left it."""
        self._fresh()
        return super().query(sparql, dataset, base_iri=base_iri)

    def graphs(self) -> list[str]:
        """The IRIs of the named graphs, sorted."""
        self._fresh()
        return super().graphs()

    def dump(self, output: IO[bytes], format: ox.RdfFormat) -> None:
        """Write every graph to ``output`` in a dataset format (N-Quads, TriG)."""
        self._fresh().dump(output, format)

    def triple_count(self) -> int:
        """Number of quads in the store."""
        self._fresh()
        return super().triple_count()

    @property
    def generation(self) -> str:
        """The files' generation, plus the writes any process made since (so every
        process's caches follow every write)."""
        self._fresh()
        return f"{self._prepared.generation}.d{self._disk_writes}"

    # -- writing

    def replace_graph(self, graph: str, data: bytes, format: ox.RdfFormat) -> None:
        """Make ``graph`` hold exactly ``data``, in the database every process reads."""
        self._write("replace", graph, data, format.media_type)

    def drop_graph(self, graph: str) -> None:
        """Remove ``graph`` from the database every process reads."""
        self._write("drop", graph, b"", "")

    def _write(self, action: str, graph: str, data: bytes, media_type: str) -> None:
        lock_path = self._database.parent / (WRITES_FILE + ".lock")
        with open(lock_path, "a+b") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # one writer at a time, across processes
            try:
                run_in_child(
                    _write_graph,
                    str(self._database),
                    action,
                    graph,
                    data,
                    media_type,
                    method="spawn",
                    name="sdkg-disk-write",
                    died="the store writer process died",
                )
            except StoreError as error:
                raise StoreError(f"cannot write graph <{graph}> to the store: {error}") from None
            count = self._read_writes() + 1
            write_atomically(self._writes_file, f"{count}\n".encode("ascii"))
        self._fresh()
        self._writes += 1


def _write_graph(database: str, action: str, graph: str, data: bytes, media_type: str) -> None:
    """In the writer child: open the database read-write, change one graph, close."""
    store = ox.Store(database)
    node = ox.NamedNode(graph)
    if action == "drop":
        store.remove_graph(node)
    else:
        fmt = ox.RdfFormat.from_media_type(media_type)
        if fmt is None:
            raise ValueError(f"unknown RDF media type {media_type}")
        store.clear_graph(node)
        store.load(data, fmt, to_graph=node)
    store.flush()
