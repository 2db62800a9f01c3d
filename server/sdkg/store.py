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
so two processes never write it at once); ``names.sqlite`` (:mod:`sdkg.names`) and
``statistics.json`` (:mod:`sdkg.statistics`) are built from the data files by the sync.

This module is also the one factory of stores: :func:`prepare_store` chooses the backend
from the settings (embedded, or :mod:`sdkg.remote_store` with ``--store-url``), and only
this module knows both. The interface is :class:`sdkg.graphstore.GraphStore`; the file
sync both backends share is :mod:`sdkg.sources`.
"""

from __future__ import annotations

import errno
import gc
import json
import logging
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from sdkg.childprocess import run_in_child
from sdkg.config import Settings
from sdkg.disk_store import DiskStore
from sdkg.durable import write_atomically
from sdkg.embedded import OxigraphStore, PreparedStore, StoreLock
from sdkg.errors import (
    StoreBusy,
    StoreError,
    StoreReadOnly,
    StoreUnavailable,
)
from sdkg.graphstore import Dataset, GraphStore
from sdkg.names import name_index_for
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
from sdkg.statistics import base_statistics

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


def _read_manifest(path: Path) -> dict[str, Any]:
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError):
        log.warning("store manifest %s is unreadable; rebuilding the store", path)
        return {}
    return manifest if manifest.get("version") == MANIFEST_VERSION else {}


#: What :func:`prepare_store` gives, for :func:`open_prepared`.
Prepared = PreparedStore | PreparedRemote


def prepare_store(
    settings: Settings,
    sources: list[SourceFile] | None = None,
    *,
    isolate: bool = False,
    build_indexes: bool = False,
) -> Prepared:
    """Sync the files into the store (or into memory with ``settings.memory``).

    With ``isolate``, the on-disk database is written by a short-lived child process, so
    that this process never starts RocksDB's background threads: a process that forks
    workers afterwards (the server) must not, or the workers can hang when they exit.
    With ``build_indexes``, what serving reads from the store folder is built there too
    when the data files changed since it was built: the name index (``names.sqlite``,
    which search and the pages read) and the data files' statistics (``statistics.json``,
    for the VoID and Service Descriptions): before serving, outside any request's time
    limit.

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
            manifest, report = run_in_child(
                _sync_folder,
                folder,
                database,
                snapshot,
                sources,
                build_indexes,
                name="sdkg-store-sync",
                died="the store sync process died; see the messages above",
            )
        else:
            manifest, report = _sync_folder(folder, database, snapshot, sources, build_indexes)
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
    folder: Path,
    database: Path,
    snapshot: Path,
    sources: list[SourceFile],
    build_indexes: bool = False,
) -> tuple[dict[str, Any], SyncReport]:
    """Open the database read-write, sync it, refresh the snapshot (and the name index and
    the statistics, with ``build_indexes``); closed on return."""
    try:
        return _sync_database(folder, database, snapshot, sources, build_indexes)
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
    folder: Path,
    database: Path,
    snapshot: Path,
    sources: list[SourceFile],
    build_indexes: bool = False,
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
    if build_indexes:
        # At 10M triples the build takes minutes: within a page's time limit it would
        # never finish. Reused as it is when the data files are unchanged.
        prepared = PreparedStore(
            "memory", manifest["generation"], manifest["triples"], report, memory_store=store
        )
        opened = OxigraphStore(store, "memory", prepared)
        name_index_for(opened, folder)
        base_statistics(opened, folder)
    return manifest, report


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
    if prepared.serve_from_disk:
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
