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

Anything that answers SPARQL can serve the endpoint if it implements :class:`GraphStore`.
"""

from __future__ import annotations

import errno
import fcntl
import gc
import hashlib
import json
import logging
import multiprocessing
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Protocol

import pyoxigraph as ox

from sdkg import formats, namespaces, resources, sparql_text
from sdkg.config import Settings
from sdkg.durable import write_atomically

log = logging.getLogger(__name__)

GRAPH_BASE = namespaces.GRAPH
MANIFEST_VERSION = 1

#: File extensions loaded from ``ontology/`` and ``data/``; other files are ignored.
RDF_FILE_FORMATS: dict[str, ox.RdfFormat] = {
    ext: fmt.oxigraph
    for ext, fmt in formats.rdf_files().items()
    if isinstance(fmt.oxigraph, ox.RdfFormat)
}

# Files above this size go through bulk_load (fast for big files, one SST per call);
# smaller ones through load (a transaction; cheaper for many small files).
_BULK_LOAD_BYTES = 1 << 20


class StoreError(Exception):
    """A problem with the store or the files, with a message a person can act on."""


class StoreBusy(StoreError):
    """Another process holds the store folder."""


class StoreReadOnly(StoreError):
    """A write was asked of a store sdkg may not write (``--store-read-only``)."""


class StoreUnavailable(StoreError):
    """The store cannot answer now (unreachable, failing, refusing sdkg): ``status`` is the
    HTTP status clients get (502 or 503)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


# --------------------------------------------------------------------------- interface


@dataclass(frozen=True)
class Dataset:
    """The RDF dataset of a query, as named by the protocol's graph-uri parameters.

    ``None`` for both means the store's default: the default graph is the union of
    all graphs and every named graph is visible.
    """

    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None

    @property
    def is_default(self) -> bool:
        """True when the request named no graphs."""
        return self.default_graphs is None and self.named_graphs is None


class GraphStore(Protocol):
    """What the endpoint needs from a store: :class:`OxigraphStore` (embedded) or
    :class:`sdkg.remote_store.RemoteStore` (any SPARQL 1.1 store over HTTP)."""

    kind: str
    #: True when every server process (and host) writes the same store (a remote one),
    #: False when each process holds its own copy.
    shared: bool
    #: True when sdkg must never write to the store: writes raise :class:`StoreReadOnly`.
    read_only: bool

    def query(
        self, sparql: str, dataset: Dataset | None = None, *, base_iri: str | None = None
    ) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        """Run a query (relative IRIs against ``base_iri``). Results must be consumed in
        the calling thread."""

    def graphs(self) -> list[str]:
        """The IRIs of the named graphs."""

    def replace_graph(self, graph: str, data: bytes, format: ox.RdfFormat) -> None:
        """Make ``graph`` hold exactly the triples in ``data``."""

    def drop_graph(self, graph: str) -> None:
        """Remove ``graph`` and its triples."""

    def dump(self, output: IO[bytes], format: ox.RdfFormat) -> None:
        """Write the whole dataset (all graphs) to ``output``."""

    def triple_count(self) -> int:
        """Number of quads in the store."""

    @property
    def generation(self) -> str:
        """Changes whenever the content changes; use it as a cache key."""

    def status(self) -> dict[str, Any]:
        """A JSON-able summary for health checks."""


# --------------------------------------------------------------------------- source files


@dataclass(frozen=True)
class SourceFile:
    """One RDF file that becomes one named graph (or, for TriG / N-Quads, its own graphs)."""

    key: str  # "ontology/sdkg.ttl", "data/external/ror.ttl": stable name in the manifest
    path: Path
    graph: str
    format: ox.RdfFormat

    @property
    def has_own_graphs(self) -> bool:
        """TriG and N-Quads files name their graphs; their default graph goes to ``graph``."""
        return self.format in (ox.RdfFormat.TRIG, ox.RdfFormat.N_QUADS)


def ontology_graph(rel: Path) -> str:
    """Graph IRI of an ontology file: sdkg.ttl -> graph/ontology, shapes.ttl -> graph/shapes."""
    stem = rel.with_suffix("").as_posix()
    if stem == "sdkg":
        return GRAPH_BASE + "ontology"
    if stem == "shapes":
        return GRAPH_BASE + "shapes"
    return GRAPH_BASE + "ontology/" + stem


def data_graph(rel: Path) -> str:
    """Graph IRI of a data file: organizations.ttl -> graph/organizations."""
    return GRAPH_BASE + rel.with_suffix("").as_posix()


def source_files(ontology_dir: Path | None, data_dir: Path | None) -> list[SourceFile]:
    """Every loadable file under the two folders, in a stable order."""
    found: list[SourceFile] = []
    for label, folder, naming in (
        ("ontology", ontology_dir, ontology_graph),
        ("data", data_dir, data_graph),
    ):
        if folder is None:
            continue
        if not folder.is_dir():
            raise StoreError(f"{label} folder {folder} does not exist or is not a folder")
        for path in sorted(folder.rglob("*")):
            rel = path.relative_to(folder)
            fmt = RDF_FILE_FORMATS.get(path.suffix.lower())
            if fmt is None or not path.is_file() or any(p.startswith(".") for p in rel.parts):
                continue
            found.append(SourceFile(f"{label}/{rel.as_posix()}", path, naming(rel), fmt))
    return found


def configured_sources(settings: Settings) -> list[SourceFile]:
    """The files ``settings`` asks for: the bundled ontology plus bundled or given data."""
    try:
        ontology_dir: Path | None = resources.bundled_path("ontology")
    except FileNotFoundError:
        log.warning("the bundled ontology/ folder is missing; serving data only")
        ontology_dir = None
    if settings.data_dir is not None:
        data_dir: Path | None = settings.data_dir
    else:
        try:
            data_dir = resources.bundled_path("data")
        except FileNotFoundError:
            data_dir = None
    return source_files(ontology_dir, data_dir)


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# --------------------------------------------------------------------------- loading


def load_source(store: ox.Store, source: SourceFile) -> list[str]:
    """Load one file into ``store``; return the graphs it wrote. Raises StoreError."""
    graph = ox.NamedNode(source.graph)
    try:
        if source.has_own_graphs:
            quads = [
                q
                if not isinstance(q.graph_name, ox.DefaultGraph)
                else ox.Quad(q.subject, q.predicate, q.object, graph)
                for q in ox.parse(path=source.path, format=source.format)
            ]
            store.extend(quads)
            return sorted({q.graph_name.value for q in quads} | {source.graph})
        if source.path.stat().st_size > _BULK_LOAD_BYTES:
            store.bulk_load(path=source.path, format=source.format, to_graph=graph)
        else:
            store.load(path=source.path, format=source.format, to_graph=graph)
        return [source.graph]
    except SyntaxError as error:
        raise StoreError(f"{source.path}: {error}") from None
    except (OSError, ValueError) as error:
        raise StoreError(f"cannot load {source.path}: {error}") from None


def parse_source(source: SourceFile) -> dict[str, list[ox.Triple]]:
    """The triples of one file by graph (a file's default graph is ``source.graph``)."""
    by_graph: dict[str, list[ox.Triple]] = {source.graph: []}
    try:
        for quad in ox.parse(path=source.path, format=source.format):
            name = quad.graph_name
            graph = source.graph if isinstance(name, ox.DefaultGraph) else name.value
            by_graph.setdefault(graph, []).append(quad.triple)
    except SyntaxError as error:
        raise StoreError(f"{source.path}: {error}") from None
    except (OSError, ValueError) as error:
        raise StoreError(f"cannot load {source.path}: {error}") from None
    return by_graph


def _graphs_of_file_without_loading(source: SourceFile) -> list[str]:
    """Graphs a file will write, for the one-file-per-graph check before anything changes."""
    if not source.has_own_graphs:
        return [source.graph]
    try:
        names = {
            q.graph_name.value
            for q in ox.parse(path=source.path, format=source.format)
            if not isinstance(q.graph_name, ox.DefaultGraph)
        }
    except SyntaxError as error:
        raise StoreError(f"{source.path}: {error}") from None
    return sorted(names | {source.graph})


@dataclass
class SyncReport:
    """What a sync did; logged by the server and shown in ``/healthz``."""

    loaded: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> str:
        """One line for the log."""
        return (
            f"{len(self.loaded)} file(s) loaded, {len(self.reused)} reused unchanged, "
            f"{len(self.dropped)} dropped, in {self.seconds:.2f} s"
        )

    def as_json(self) -> dict[str, Any]:
        """The report as plain JSON values."""
        return {
            "loaded": self.loaded,
            "reused": self.reused,
            "dropped": self.dropped,
            "seconds": round(self.seconds, 3),
        }


class SyncTarget(Protocol):
    """What :func:`sync_files` writes through: an embedded or a remote store."""

    def remove_graph(self, graph: str) -> None:
        """Remove ``graph`` and its triples."""

    def load_source(self, source: SourceFile) -> list[str]:
        """Load one file; return the graphs it wrote."""

    def quad_count(self) -> int:
        """Number of quads in the store."""


class _OxigraphTarget:
    """:class:`SyncTarget` over a pyoxigraph store."""

    def __init__(self, store: ox.Store) -> None:
        self.store = store

    def remove_graph(self, graph: str) -> None:
        self.store.remove_graph(ox.NamedNode(graph))

    def load_source(self, source: SourceFile) -> list[str]:
        return load_source(self.store, source)

    def quad_count(self) -> int:
        return len(self.store)


def sync_files(
    store: ox.Store | SyncTarget, sources: list[SourceFile], manifest: dict[str, Any]
) -> tuple[dict[str, Any], SyncReport]:
    """Bring ``store`` in line with ``sources``; return the new manifest and a report.

    Only graphs recorded in the manifest are ever dropped, so graphs written by other
    parts of sdkg (contributions) are left alone.
    """
    target = _OxigraphTarget(store) if isinstance(store, ox.Store) else store
    started = time.perf_counter()
    report = SyncReport()
    old_files: dict[str, Any] = manifest.get("files", {})
    hashes = {s.key: file_sha256(s.path) for s in sources}
    changed = [s for s in sources if old_files.get(s.key, {}).get("sha256") != hashes[s.key]]

    # Each graph must come from one file: clearing a graph on reload must not erase
    # triples another file put there. Check before changing anything.
    claims: dict[str, str] = {}
    changed_keys = {s.key for s in changed}
    for source in sources:
        if source.key in changed_keys:
            graphs = _graphs_of_file_without_loading(source)
        else:
            graphs = old_files[source.key]["graphs"]
        for graph in graphs:
            if graph in claims:
                raise StoreError(
                    f"graph <{graph}> is written by both {claims[graph]} and {source.key}; "
                    "each named graph must come from one file"
                )
            claims[graph] = source.key

    current_keys = {s.key for s in sources}
    files: dict[str, Any] = {}
    for key, entry in old_files.items():
        if key not in current_keys or key in changed_keys:
            for graph in entry["graphs"]:
                target.remove_graph(graph)
            if key not in current_keys:
                report.dropped.append(key)
    for source in sources:
        if source.key in changed_keys:
            graphs = target.load_source(source)
            report.loaded.append(source.key)
        else:
            graphs = old_files[source.key]["graphs"]
            report.reused.append(source.key)
        files[source.key] = {"sha256": hashes[source.key], "graphs": graphs}

    generation = hashlib.sha256(
        json.dumps(sorted((k, v["sha256"]) for k, v in files.items())).encode()
    ).hexdigest()[:16]
    new_manifest = {
        "version": MANIFEST_VERSION,
        "files": files,
        "generation": generation,
        "triples": target.quad_count()
        if (report.loaded or report.dropped)
        else manifest.get("triples"),
        "snapshot": manifest.get("snapshot"),
    }
    if new_manifest["triples"] is None:
        new_manifest["triples"] = target.quad_count()
    report.seconds = time.perf_counter() - started
    return new_manifest, report


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
    """A store brought up to date with the files, ready to be opened by server processes."""

    kind: str  # "disk", "memory" or "remote"
    generation: str
    triples: int
    report: SyncReport
    database: Path | None = None
    snapshot: Path | None = None
    memory_store: ox.Store | None = None
    lock: StoreLock | None = None
    synced: bool = True
    settings: Settings | None = None  # for "remote": where the store is
    #: ``--store-memory disk``: every process answers from the shared on-disk database
    #: (:class:`sdkg.disk_store.DiskStore`) instead of its own in-memory copy.
    serve_from_disk: bool = False


def prepare_store(
    settings: Settings, sources: list[SourceFile] | None = None, *, isolate: bool = False
) -> PreparedStore:
    """Sync the files into the store (or into memory with ``settings.memory``).

    With ``isolate``, the on-disk database is written by a short-lived child process, so
    that this process never starts RocksDB's background threads: a process that forks
    workers afterwards (the server) must not, or the workers can hang when they exit.

    Raises :class:`StoreBusy` when another process uses the store folder and
    :class:`StoreError` when a file cannot be loaded.
    """
    sources = configured_sources(settings) if sources is None else sources
    if settings.store_url is not None:
        from sdkg.remote_store import RemoteStore

        remote = RemoteStore(settings)
        report = remote.take_as_is(sources) if remote.read_only else remote.sync(sources)
        return PreparedStore(
            "remote",
            remote.generation,
            remote.triple_count(),
            report,
            synced=remote.synced,
            settings=settings,
        )
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
        "disk",
        manifest["generation"],
        manifest["triples"],
        report,
        database,
        snapshot,
        lock=lock,
        serve_from_disk=settings.store_memory == "disk",
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


def open_prepared(prepared: PreparedStore, *, warm: bool = True) -> GraphStore:
    """Open a prepared store for queries; with ``warm``, copy it into memory in the background."""
    if prepared.kind == "remote" and prepared.settings is not None:
        from sdkg.remote_store import RemoteStore

        return RemoteStore(prepared.settings, prepared.report if prepared.synced else None)
    if prepared.memory_store is not None:
        return OxigraphStore(prepared.memory_store, "memory", prepared)
    if prepared.serve_from_disk:
        from sdkg.disk_store import DiskStore

        return DiskStore(prepared)
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
    ) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        """Run ``sparql``; the default graph is the union of all graphs unless the
        protocol (``dataset``) or the query (FROM / FROM NAMED) names graphs. Relative
        IRIs resolve against ``base_iri`` (a ``BASE`` in the query wins)."""
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
