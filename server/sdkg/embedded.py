"""The embedded backend: a store folder's lock, a prepared folder, and :class:`OxigraphStore`.

:mod:`sdkg.store` (the factory) prepares a folder and opens it as an :class:`OxigraphStore`
(each process its own in-memory copy, warmed from the snapshot) or, with
``--store-memory disk``, as a :class:`sdkg.disk_store.DiskStore` (every process reading
the one on-disk database).
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox

from sdkg import sparql_text
from sdkg.errors import (
    QueryRejected,
    QuerySyntaxError,
)
from sdkg.graphstore import Dataset, QueryResult
from sdkg.sources import SyncReport

log = logging.getLogger(__name__)


class StoreLock:
    """An advisory lock on the store folder: exclusive to write, shared to read."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self._fd = os.open(folder / "lock", os.O_RDWR | os.O_CREAT, 0o644)
        self.folder = folder

    def try_exclusive(self) -> bool:
        """Take the lock for writing if nobody else holds it."""
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            return False

    def shared(self) -> None:
        """Hold the lock for reading (also turns an exclusive lock into a shared one)."""
        fcntl.flock(self._fd, fcntl.LOCK_SH)

    def release(self) -> None:
        """Let go of the lock."""
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


@dataclass
class PreparedStore:
    """An embedded store brought up to date with the files, ready to be opened by server
    processes (:class:`sdkg.remote_store.PreparedRemote` is a remote one)."""

    kind: str  # "disk" or "memory"
    generation: str
    triples: int
    report: SyncReport
    database: Path | None = None
    snapshot: Path | None = None
    memory_store: ox.Store | None = None
    lock: StoreLock | None = None
    synced: bool = True
    #: ``--store-memory disk``: every process answers from the shared on-disk database
    #: (:class:`sdkg.disk_store.DiskStore`) instead of its own in-memory copy.
    serve_from_disk: bool = False


class OxigraphStore:
    """A :class:`GraphStore` over pyoxigraph, answering from disk until memory is warm."""

    shared = False
    read_only = False
    in_process = True
    stops_queries_on_timeout = False

    def __init__(self, store: ox.Store, kind: str, prepared: PreparedStore) -> None:
        self._store = store
        self.kind = kind
        self._prepared = prepared
        self._warm = threading.Event()
        if kind == "memory":
            self._warm.set()
        self._writes = 0
        self._triples: int | None = prepared.triples
        self._write_lock = threading.Lock()
        self.warm_seconds: float | None = None

    # -- warm-up

    def start_warm_up(self) -> threading.Thread:
        """Load the snapshot into memory in a background thread, then swap it in."""
        thread = threading.Thread(target=self._warm_up, name="sdkg-warm-up", daemon=True)
        thread.start()
        return thread

    def _warm_up(self) -> None:
        started = time.perf_counter()
        memory = ox.Store()
        try:
            snapshot = self._prepared.snapshot
            if snapshot is not None and snapshot.is_file():
                # Written by us from the store itself: skip IRI validation for speed.
                memory.bulk_load(path=snapshot, format=ox.RdfFormat.N_QUADS, lenient=True)
            else:
                memory.bulk_extend(self._store.quads_for_pattern(None, None, None, None))
        except (OSError, SyntaxError, ValueError) as error:
            log.error("could not copy the store into memory (serving from disk): %s", error)
            return
        # One attribute assignment: queries already running keep the disk store.
        self._store = memory
        self.kind = "memory"
        self.warm_seconds = time.perf_counter() - started
        self._warm.set()
        log.info("store copied into memory in %.2f s", self.warm_seconds)

    def wait_until_warm(self, timeout: float | None = None) -> bool:
        """Block until queries run from memory; False if ``timeout`` passed first."""
        return self._warm.wait(timeout)

    def close(self) -> None:
        """Release the store folder (other processes may then sync it); no queries after."""
        if self._prepared.lock is not None:
            self._prepared.lock.release()
            self._prepared.lock = None

    # -- GraphStore

    def query(
        self, sparql: str, dataset: Dataset | None = None, *, base_iri: str | None = None
    ) -> QueryResult:
        """Run ``sparql``; the default graph is the union of all graphs unless the
        protocol (``dataset``) or the query (FROM / FROM NAMED) names graphs. Relative
        IRIs resolve against ``base_iri`` (a ``BASE`` in the query wins).

        Raises :class:`~sdkg.errors.QuerySyntaxError` and
        :class:`~sdkg.errors.QueryRejected`; errors while the results are read are
        pyoxigraph's (:func:`sdkg.querying.run` translates those).
        """
        try:
            return self._query(sparql, dataset, base_iri)
        except SyntaxError as error:
            message = sparql_text.describe_syntax_error(error, sparql)
            raise QuerySyntaxError(message, str(error)) from None
        except (RuntimeError, ValueError) as error:
            # What the query asks and the engine cannot do (an unknown function, say).
            raise QueryRejected(f"cannot run this query: {error}") from None

    def _query(self, sparql: str, dataset: Dataset | None, base_iri: str | None) -> QueryResult:
        store = self._store
        if dataset is not None and not dataset.is_default:
            default = dataset.default_graphs or ()
            named = dataset.named_graphs or ()
            return store.query(
                sparql,
                base_iri=base_iri,
                default_graph=[ox.NamedNode(g) for g in default],
                named_graphs=[ox.NamedNode(g) for g in named],
            )
        if sparql_text.has_dataset_clause(sparql):
            return store.query(sparql, base_iri=base_iri)
        return store.query(sparql, base_iri=base_iri, use_default_graph_as_union=True)

    def graphs(self) -> list[str]:
        """The IRIs of the named graphs, sorted."""
        return sorted(g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))

    def replace_graph(self, graph: str, data: bytes, format: ox.RdfFormat) -> None:
        """Make ``graph`` hold exactly ``data`` (waits for the in-memory copy)."""
        self._warm.wait()
        node = ox.NamedNode(graph)
        with self._write_lock:
            self._store.clear_graph(node)
            self._store.load(data, format, to_graph=node)
            self._changed()

    def drop_graph(self, graph: str) -> None:
        """Remove ``graph`` (waits for the in-memory copy)."""
        self._warm.wait()
        with self._write_lock:
            self._store.remove_graph(ox.NamedNode(graph))
            self._changed()

    def _changed(self) -> None:
        self._writes += 1
        self._triples = None

    def dump(self, output: IO[bytes], format: ox.RdfFormat) -> None:
        """Write every graph to ``output`` in a dataset format (N-Quads, TriG)."""
        self._store.dump(output, format)

    def triple_count(self) -> int:
        """Number of quads in the store."""
        if self._triples is None:
            self._triples = len(self._store)
        return self._triples

    @property
    def generation(self) -> str:
        """The files' generation, plus the number of writes since."""
        return f"{self._prepared.generation}.{self._writes}"

    @property
    def files_generation(self) -> str:
        """The generation of the data files alone (not counting contributions since)."""
        return self._prepared.generation

    @property
    def warming(self) -> bool:
        """True while queries are answered from disk and the memory copy is being built."""
        return not self._warm.is_set()

    def status(self) -> dict[str, Any]:
        """Health summary: kind, counts, warm-up and the last sync."""
        prepared = self._prepared
        return {
            "store": f"oxigraph-{self.kind}",
            "read_only": False,
            "warming": self.warming,
            "triples": self.triple_count(),
            "graphs": len(self.graphs()),
            "generation": self.generation,
            "synced": prepared.synced,
            "sync": prepared.report.as_json(),
        }
