"""The graph store: files -> named graphs in Oxigraph, and the interface queries go through.

Two stages, split so that a multi-process server does the slow part once:

1. :func:`prepare_store` (the server's parent process, or the CLI / Python API) brings the
   store folder up to date with the files: each file of ``ontology/`` and ``data/`` is one
   named graph, re-parsed only when its SHA-256 changed; the graphs of removed files are
   dropped. It also writes an N-Quads snapshot, the fastest source for an in-memory copy.
2. :func:`open_prepared` (each server process) returns a :class:`OxigraphStore`: it answers
   at once from the on-disk store opened read-only, while a background thread loads the
   snapshot into memory and swaps it in, so queries soon run at in-memory speed.

Store folder layout: ``oxigraph/`` (the database), ``manifest.json`` (file hashes and the
graphs each file produced), ``snapshot.nq`` and ``lock`` (held while the store is in use,
so two processes never write it at once).

This module is also the one factory of stores: :func:`prepare_store` chooses the backend
from the settings (embedded, or :mod:`sdkg.remote_store` with ``--store-url``), and only
this module knows both. The interface is :class:`sdkg.graphstore.GraphStore`; the file
sync both backends share is :mod:`sdkg.sources`.
"""

from __future__ import annotations

import errno
import fcntl
import gc
import json
import logging
import multiprocessing
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox

from sdkg import sparql_text
from sdkg.config import Settings
from sdkg.durable import write_atomically
from sdkg.errors import (
    QueryRejected,
    QuerySyntaxError,
    StoreBusy,
    StoreError,
    StoreReadOnly,
    StoreUnavailable,
)
from sdkg.graphstore import Dataset, GraphStore, QueryResult
from sdkg.remote_store import PreparedRemote
from sdkg.sources import (
    GRAPH_BASE,
    MANIFEST_VERSION,
    RDF_FILE_FORMATS,
    SourceFile,
    SyncReport,
    configured_sources,
    data_graph,
    file_sha256,
    ontology_graph,
    source_files,
    sync_files,
)

log = logging.getLogger(__name__)

#: Names other modules import from here (the factory re-exports what its callers need).
__all__ = [
    "GRAPH_BASE",
    "RDF_FILE_FORMATS",
    "Dataset",
    "GraphStore",
    "OxigraphStore",
    "PreparedStore",
    "SourceFile",
    "StoreBusy",
    "StoreError",
    "StoreReadOnly",
    "StoreUnavailable",
    "SyncReport",
    "attach_store",
    "configured_sources",
    "data_graph",
    "file_sha256",
    "ontology_graph",
    "open_local_store",
    "open_prepared",
    "prepare_store",
    "source_files",
]

# --------------------------------------------------------------------------- store folder


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


def _read_manifest(path: Path) -> dict[str, Any]:
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError):
        log.warning("store manifest %s is unreadable; rebuilding the store", path)
        return {}
    return manifest if manifest.get("version") == MANIFEST_VERSION else {}


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


#: What :func:`prepare_store` gives, for :func:`open_prepared`.
Prepared = PreparedStore | PreparedRemote


def prepare_store(
    settings: Settings, sources: list[SourceFile] | None = None, *, isolate: bool = False
) -> Prepared:
    """Sync the files into the store (or into memory with ``settings.memory``).

    With ``isolate``, the on-disk database is written by a short-lived child process, so
    that this process never starts RocksDB's background threads: a process that forks
    workers afterwards (the server) must not, or the workers can hang when they exit.

    Raises :class:`StoreBusy` when another process uses the store folder and
    :class:`StoreError` when a file cannot be loaded.
    """
    sources = configured_sources(settings) if sources is None else sources
    if settings.store_url is not None:  # the one place the backend is chosen
        return PreparedRemote.prepare(settings, sources)
    if settings.memory:
        store = ox.Store()
        manifest, report = sync_files(store, sources, {})
        return PreparedStore(
            "memory", manifest["generation"], manifest["triples"], report, memory_store=store
        )

    folder = settings.resolved_store_dir
    lock = StoreLock(folder)
    if not lock.try_exclusive():
        lock.release()
        raise StoreBusy(
            f"the store {folder} is in use by another sdkg process (a server, a query or a "
            "notebook); stop it, or give this one its own folder with --store DIR"
        )
    database = folder / "oxigraph"
    snapshot = folder / "snapshot.nq"
    try:
        if isolate:
            manifest, report = _in_child_process(_sync_folder, folder, database, snapshot, sources)
        else:
            manifest, report = _sync_folder(folder, database, snapshot, sources)
    except BaseException:
        lock.release()
        raise
    # The read-write database is closed now; server processes may open it read-only.
    gc.collect()
    lock.shared()
    return PreparedStore(
        "disk", manifest["generation"], manifest["triples"], report, database, snapshot, lock=lock
    )


def _sync_folder(
    folder: Path, database: Path, snapshot: Path, sources: list[SourceFile]
) -> tuple[dict[str, Any], SyncReport]:
    """Open the database read-write, sync it, refresh the snapshot; closed on return."""
    try:
        return _sync_database(folder, database, snapshot, sources)
    except (OSError, StoreError) as error:
        if not _is_full_disk(error):
            raise
        raise StoreError(
            f"{error}\nThe disk holding the store {folder} is full. Nothing is lost: the "
            "files are the truth and the next start finishes the sync. Free space on that "
            "disk, or use another store folder (--store DIR), or --memory."
        ) from None


def _is_full_disk(error: Exception) -> bool:
    """True for "no space left" errors, also as Oxigraph (RocksDB) words them."""
    if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    return "No space left on device" in str(error) or "Disk quota exceeded" in str(error)


def _sync_database(
    folder: Path, database: Path, snapshot: Path, sources: list[SourceFile]
) -> tuple[dict[str, Any], SyncReport]:
    manifest_path = folder / "manifest.json"
    manifest = _read_manifest(manifest_path) if database.is_dir() else {}
    try:
        store = ox.Store(str(database))
    except OSError as error:
        raise StoreError(f"cannot open the store {database}: {error}") from None
    if not manifest:
        store.clear()
    try:
        manifest, report = sync_files(store, sources, manifest)
    finally:
        store.flush()
    if manifest.get("snapshot") != manifest["generation"] or not snapshot.is_file():
        write_atomically(snapshot, lambda handle: store.dump(handle, ox.RdfFormat.N_QUADS))
        manifest["snapshot"] = manifest["generation"]
    write_atomically(manifest_path, json.dumps(manifest).encode())
    return manifest, report


def _in_child_process(function: Any, *args: Any) -> Any:
    """Run ``function(*args)`` in a forked child and return its result; StoreError passes."""
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)

    def child() -> None:
        try:
            send.send(("ok", function(*args)))
        except StoreError as error:
            send.send(("error", str(error)))
        except BaseException as error:  # reported to the parent, which raises it
            send.send(("error", f"{type(error).__name__}: {error}"))

    process = context.Process(target=child, name="sdkg-store-sync")
    process.start()
    send.close()
    try:
        status, value = receive.recv()
    except EOFError:
        status, value = "error", "the store sync process died; see the messages above"
    process.join()
    if status != "ok":
        raise StoreError(value)
    return value


def attach_store(settings: Settings) -> PreparedStore:
    """Use a store folder another process is serving, as it is (no sync)."""
    folder = settings.resolved_store_dir
    manifest = _read_manifest(folder / "manifest.json")
    if not manifest:
        raise StoreError(f"the store {folder} is in use and has not been filled yet; retry")
    lock = StoreLock(folder)
    lock.shared()
    return PreparedStore(
        "disk",
        manifest["generation"],
        manifest["triples"],
        SyncReport(),
        folder / "oxigraph",
        folder / "snapshot.nq",
        lock=lock,
        synced=False,
    )


def open_prepared(prepared: Prepared, *, warm: bool = True) -> GraphStore:
    """Open a prepared store for queries; with ``warm``, copy it into memory in the background."""
    if isinstance(prepared, PreparedRemote):
        return prepared.open()
    if prepared.memory_store is not None:
        return OxigraphStore(prepared.memory_store, "memory", prepared)
    try:
        disk = ox.Store.read_only(str(prepared.database))
    except OSError as error:
        raise StoreError(f"cannot open the store {prepared.database}: {error}") from None
    store = OxigraphStore(disk, "disk", prepared)
    if warm:
        store.start_warm_up()
    return store


def open_local_store(settings: Settings, *, warm: bool = False) -> GraphStore:
    """Sync and open the store for this process; read it as it is if a server holds it.

    With ``settings.store_url`` this is the remote store, synced with the files."""
    try:
        prepared = prepare_store(settings)
    except StoreBusy:
        log.warning("store in use by another sdkg process: querying it as it is, without sync")
        prepared = attach_store(settings)
    return open_prepared(prepared, warm=warm)


# --------------------------------------------------------------------------- serving store


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
