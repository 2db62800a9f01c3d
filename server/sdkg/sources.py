"""The RDF files sdkg serves, and bringing a store in line with them.

Each file of ``ontology/`` and ``data/`` is one named graph (a TriG or N-Quads file names
its own). :func:`sync_files` re-loads only the files whose SHA-256 changed and drops the
graphs of removed files, through a :class:`SyncTarget`: the embedded store
(:mod:`sdkg.store`) or a remote one (:mod:`sdkg.remote_store`) alike.

A file whose size, modification time (ns) and inode are those the manifest recorded is
taken as unchanged without reading it (as git and make do), so a restart on unchanged
data reads no file; only a file whose stat differs is hashed, and reloaded only if its
hash differs. A stat is recorded only once the file's time is a second older than the
sync, so that a file written in the same instant as the sync is hashed again next time.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import pyoxigraph as ox

from sdkg import formats, namespaces, resources
from sdkg.config import Settings
from sdkg.errors import StoreError

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


#: A file modified less than this before a sync has its hash, but not its stat, trusted
#: next time (an edit in the same clock tick would not change the stat).
_SETTLED_NS = 1_000_000_000


def file_stat(path: Path) -> list[int]:
    """What the manifest records to tell a file unchanged without reading it: size,
    modification time in nanoseconds, inode."""
    stat = path.stat()
    return [stat.st_size, stat.st_mtime_ns, stat.st_ino]


@dataclass(frozen=True)
class FileCheck:
    """A file's SHA-256 now, and how it was known."""

    sha256: str
    #: The stat to record with it (None: modified too recently to be trusted next time).
    stat: list[int] | None
    #: The file was read (its stat was not the one recorded).
    read: bool


def check_file(path: Path, recorded: dict[str, Any] | None) -> FileCheck:
    """The file's SHA-256: the recorded one, without reading the file, when ``recorded``
    (its manifest entry) holds this very stat; else hashed from its bytes."""
    stat = file_stat(path)
    if recorded and recorded.get("stat") == stat and "sha256" in recorded:
        return FileCheck(recorded["sha256"], stat, read=False)
    settled = stat[1] < time.time_ns() - _SETTLED_NS
    return FileCheck(file_sha256(path), stat if settled else None, read=True)


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
            return sorted({_graph_iri(q.graph_name) for q in quads} | {source.graph})
        if source.path.stat().st_size > _BULK_LOAD_BYTES:
            store.bulk_load(path=source.path, format=source.format, to_graph=graph)
        else:
            store.load(path=source.path, format=source.format, to_graph=graph)
        return [source.graph]
    except SyntaxError as error:
        raise StoreError(f"{source.path}: {error}") from None
    except (OSError, ValueError) as error:
        raise StoreError(f"cannot load {source.path}: {error}") from None


def _graph_iri(name: ox.NamedNode | ox.BlankNode | ox.DefaultGraph) -> str:
    """The IRI of a named graph (a blank-node graph name by its label)."""
    return name.value if not isinstance(name, ox.DefaultGraph) else ""


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
    #: Files read to hash them (their size, time or inode had changed, or were new).
    hashed: list[str] = field(default_factory=list)
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
            "hashed": self.hashed,
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
    checks = {s.key: check_file(s.path, old_files.get(s.key)) for s in sources}
    report.hashed = [s.key for s in sources if checks[s.key].read]
    hashes = {key: check.sha256 for key, check in checks.items()}
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
        if checks[source.key].stat is not None:
            files[source.key]["stat"] = checks[source.key].stat

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
