"""Accepted contributions: durable files, named graphs with provenance, cross-process sync.

The contributions folder is the truth. Each accepted contribution is one Turtle
file ``<id>.ttl`` holding its triples and its PROV metadata; it becomes the named
graph ``https://w3id.org/sdkg/graph/contribution/<id>``. Withdrawing writes the
sidecar ``<id>.withdrawn`` (JSON: when, by whom); the file itself is never erased.

Files are written through a temporary file, fsync, an atomic rename and an fsync
of the folder, so after a crash a contribution is either complete or absent; a
left-over temporary file (``*.tmp``) is removed on the next start.

Several server processes each hold their own in-memory store. Writers take an
exclusive ``flock`` on ``.lock`` (so contributions are validated and written one
at a time, each against everything accepted before it) and then rewrite the
marker file ``.generation``. Every request first reads that small marker; when it
changed, the process rescans the folder, loads new graphs and drops withdrawn ones.

Each file begins with a checksum line, ``# sdkg-checksum sha256=<hex>``, over the bytes
after it; a file whose checksum does not match (truncated, edited by hand) is never
loaded, and is reported in the log, in ``/healthz`` and by ``sdkg contributions check``.
Files written before checksums existed have no such line: they are read as they are,
and ``sdkg contributions check --seal`` adds it.

A retried submission with the same ``Idempotency-Key`` is answered with the
contribution it made the first time: the key (per contributor) and a hash of the body
are kept in ``.idempotency/``, written before the contribution file, so keys survive
restarts and a crash between the two writes leaves a key that points at nothing.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import hashlib
import json
import logging
import os
import re
import secrets
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Graph

from sdkg import namespaces
from sdkg.durable import write_atomically
from sdkg.echo import shorten
from sdkg.errors import HttpError
from sdkg.graphstore import GraphStore
from sdkg.sources import GRAPH_BASE
from sdkg.tokens import Contributor

log = logging.getLogger(__name__)

CONTRIBUTION_GRAPH_BASE = GRAPH_BASE + "contribution/"
#: Namespaces a contribution may not describe: the ontology, the shapes, the graphs
#: (a contribution must not forge another contribution's provenance).
RESERVED_NAMESPACES = (
    namespaces.ONTOLOGY,
    namespaces.SHAPES,
    GRAPH_BASE,
)

PROV = "http://www.w3.org/ns/prov#"
FOAF = "http://xmlns.com/foaf/0.1/"
DCTERMS = "http://purl.org/dc/terms/"
SPDX = namespaces.PREFIXES["spdx"]
VOID = namespaces.PREFIXES["void"]
HTTP_HEADERS = namespaces.PREFIXES["httph"]
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
#: ``<contribution graph> sdkg:unverifiedLink <iri>``: an external identifier of the
#: contribution that was neither verified nor cached when it was accepted.
UNVERIFIED_LINK = namespaces.ONTOLOGY + "unverifiedLink"
#: Prefixes for writing contributions as Turtle.
CONTRIBUTION_PREFIXES = {
    **namespaces.CORE_PREFIXES,
    **namespaces.prefixes("spdx", "void", "httph"),
}

#: The answer to a contribution or withdrawal when sdkg may not write its store.
READ_ONLY_MESSAGE = "this server's store is read-only; contributions are closed"

_ID = re.compile(r"^\d{8}-\d{6}-\d{6}-[0-9a-f]{8}$")
_MARKER = ".generation"
_LOCK = ".lock"
_WITHDRAWN = ".withdrawn"
_IDEMPOTENCY = ".idempotency"
#: ``sdkg link check`` records here the unverified links whose external record it found
#: with a matching label (external IRI -> what matched); see ``confirm_links``.
_CONFIRMATIONS = ".link-confirmations.json"
#: The first line of every contribution file: the SHA-256 of the bytes after it.
CHECKSUM_PREFIX = b"# sdkg-checksum sha256="
#: Longest ``Idempotency-Key`` accepted (characters).
MAX_IDEMPOTENCY_KEY = 200
_KEY = re.compile(r"^[\x21-\x7e]+$")


class ContributionError(HttpError):
    """A contribution that cannot be accepted, with an HTTP status and a message."""


class DamagedFile(ValueError):
    """A contribution file whose checksum line is missing or does not match."""


def seal(turtle: bytes) -> bytes:
    """The stored form of a contribution file: a checksum line, then the Turtle."""
    return CHECKSUM_PREFIX + hashlib.sha256(turtle).hexdigest().encode() + b"\n" + turtle


def unseal(data: bytes) -> tuple[bytes, bool]:
    """The Turtle of a stored file after checking its checksum line, and whether it has
    one (files written before sdkg added checksums have none, and are read as they are).

    Raises :class:`DamagedFile` saying what is wrong. The checksum line is a Turtle
    comment, so the file stays readable by any RDF tool.
    """
    if not data:
        raise DamagedFile("the file is empty")
    if not data.startswith(CHECKSUM_PREFIX):
        return data, False
    first, newline, rest = data.partition(b"\n")
    expected = first[len(CHECKSUM_PREFIX) :].strip().decode("ascii", "replace")
    actual = hashlib.sha256(rest).hexdigest()
    if not newline or expected != actual:
        raise DamagedFile(
            f"the checksum does not match (recorded {expected[:16]}..., content {actual[:16]}...): "
            "the file was truncated or edited"
        )
    return rest, True


@dataclass(frozen=True)
class FileCheck:
    """What checking one contribution file found (``problem`` is None when intact)."""

    id: str
    path: Path
    problem: str | None
    withdrawn: bool = False
    #: False for a file written before checksums (read as it is; ``seal`` adds one).
    sealed: bool = True


@dataclass(frozen=True)
class Replayed:
    """The stored answer of a submission repeated with the same ``Idempotency-Key``."""

    report: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        """The validation report as it was first answered."""
        return self.report


@dataclass(frozen=True)
class Submission:
    """What arrived with a contribution, besides its triples."""

    contributor: Contributor
    body: bytes
    media_type: str
    note: str | None = None
    user_agent: str | None = None
    #: The client's ``Idempotency-Key`` (checked with :func:`check_idempotency_key`).
    idempotency_key: str | None = None
    #: External identifiers the gate could not verify (stored as UNVERIFIED_LINK).
    unverified_links: tuple[str, ...] = ()


@dataclass(frozen=True)
class Contribution:
    """One accepted contribution, as its file describes it."""

    id: str
    contributor: str
    time: str
    triples: int
    sha256: str
    media_type: str | None
    note: str | None
    user_agent: str | None
    withdrawn: dict[str, str] | None = None
    unverified_links: tuple[str, ...] = ()

    @property
    def graph(self) -> str:
        """The named graph the contribution is loaded into."""
        return CONTRIBUTION_GRAPH_BASE + self.id

    @property
    def location(self) -> str:
        """Its address on the server."""
        return f"/contributions/{self.id}"

    def to_json(self) -> dict[str, Any]:
        """The contribution as listed by ``GET /contributions``."""
        return {
            "id": self.id,
            "graph": self.graph,
            "location": self.location,
            "contributor": self.contributor,
            "time": self.time,
            "triples": self.triples,
            "sha256": self.sha256,
            "media_type": self.media_type,
            "note": self.note,
            "user_agent": self.user_agent,
            "status": "withdrawn" if self.withdrawn else "active",
            "withdrawn": self.withdrawn,
            "unverified_links": list(self.unverified_links),
        }


def is_contribution_id(text: str) -> bool:
    """True for a well-formed id (``20260128-101530-123456-9f3a1c2b``)."""
    return bool(_ID.match(text))


def new_id(now: datetime) -> str:
    """A new id: UTC time to the microsecond (ids sort by time) and 32 random bits."""
    return f"{now:%Y%m%d-%H%M%S-%f}-{secrets.token_hex(4)}"


def utc_text(moment: datetime) -> str:
    """``2026-01-28T10:15:30Z``: how times are written in files and JSON."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def check_idempotency_key(key: str) -> None:
    """Raise :class:`ContributionError` 400 for a key that is empty, too long or not
    visible ASCII (the key itself is not echoed)."""
    if not key or len(key) > MAX_IDEMPOTENCY_KEY or not _KEY.match(key):
        raise ContributionError(
            400,
            f"the Idempotency-Key header must be 1 to {MAX_IDEMPOTENCY_KEY} visible ASCII "
            f"characters without spaces (got {len(key)} characters); a UUID is a good key",
        )


def reserved_subjects(graph: Graph) -> list[str]:
    """IRIs in the reserved namespaces that ``graph`` describes (it must describe none)."""
    return sorted({str(s) for s in graph.subjects() if str(s).startswith(RESERVED_NAMESPACES)})


# --------------------------------------------------------------------------- files


def contribution_file(graph: Graph, contribution_id: str, submission: Submission, now: datetime):
    """The Turtle bytes to store: the triples, then the PROV metadata about the graph.

    The triples go through pyoxigraph's strict parser first: what rdflib accepted
    but a store would refuse is refused here, before anything is written.
    Raises :class:`ContributionError` (400) for such data.
    """
    try:
        quads = list(
            ox.parse(graph.serialize(format="nt", encoding="utf-8"), ox.RdfFormat.N_TRIPLES)
        )
    except SyntaxError as error:
        raise ContributionError(400, f"the data cannot be stored: {error}") from None
    # Sorted by subject, types first, so the Turtle groups each node's triples.
    triples = sorted(
        (ox.Triple(q.subject, q.predicate, q.object) for q in quads),
        key=lambda t: (
            str(t.subject),
            t.predicate.value != RDF_TYPE,
            str(t.predicate),
            str(t.object),
        ),
    )
    count = len(triples)
    triples.extend(_metadata(contribution_id, submission, now, count))
    used = set()
    for triple in triples:
        for term in (triple.subject, triple.predicate, triple.object):
            if isinstance(term, ox.Literal):
                term = term.datatype
            if isinstance(term, ox.NamedNode):
                used.add(term.value)
    prefixes = {
        p: ns for p, ns in CONTRIBUTION_PREFIXES.items() if any(i.startswith(ns) for i in used)
    }
    return ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=prefixes)


def _metadata(
    contribution_id: str, submission: Submission, now: datetime, count: int
) -> list[ox.Triple]:
    graph = ox.NamedNode(CONTRIBUTION_GRAPH_BASE + contribution_id)

    def iri(namespace: str, local: str) -> ox.NamedNode:
        return ox.NamedNode(namespace + local)

    contributor = submission.contributor
    agent: ox.NamedNode | ox.BlankNode | None = None
    if contributor.is_iri:
        with contextlib.suppress(ValueError):  # the tokens file is checked; be safe anyway
            agent = ox.NamedNode(contributor.name)
    if agent is not None:
        about_agent = []
    else:
        agent = ox.BlankNode()
        about_agent = [
            ox.Triple(agent, ox.NamedNode(RDF_TYPE), iri(PROV, "Agent")),
            ox.Triple(agent, iri(FOAF, "name"), ox.Literal(contributor.name)),
        ]
    checksum = ox.BlankNode()
    sha256 = hashlib.sha256(submission.body).hexdigest()
    triples = [
        ox.Triple(graph, ox.NamedNode(RDF_TYPE), iri(PROV, "Entity")),
        ox.Triple(graph, iri(PROV, "wasAttributedTo"), agent),
        *about_agent,
        ox.Triple(
            graph,
            iri(PROV, "generatedAtTime"),
            ox.Literal(utc_text(now), datatype=iri(XSD, "dateTime")),
        ),
        ox.Triple(
            graph, iri(VOID, "triples"), ox.Literal(str(count), datatype=iri(XSD, "integer"))
        ),
        ox.Triple(graph, iri(DCTERMS, "format"), ox.Literal(submission.media_type)),
        ox.Triple(graph, iri(SPDX, "checksum"), checksum),
        ox.Triple(checksum, iri(SPDX, "algorithm"), iri(SPDX, "checksumAlgorithm_sha256")),
        ox.Triple(checksum, iri(SPDX, "checksumValue"), ox.Literal(sha256)),
    ]
    if submission.note:
        triples.append(ox.Triple(graph, iri(DCTERMS, "description"), ox.Literal(submission.note)))
    if submission.user_agent:
        triples.append(
            ox.Triple(graph, iri(HTTP_HEADERS, "user-agent"), ox.Literal(submission.user_agent))
        )
    for link in submission.unverified_links:
        triples.append(ox.Triple(graph, ox.NamedNode(UNVERIFIED_LINK), ox.NamedNode(link)))
    return triples


def read_metadata(contribution_id: str, data: bytes) -> Contribution:
    """The :class:`Contribution` a stored file describes (its metadata triples)."""
    graph = CONTRIBUTION_GRAPH_BASE + contribution_id
    about: dict[str, list[Any]] = {}
    by_node: dict[Any, dict[str, Any]] = {}
    for triple in ox.parse(data, ox.RdfFormat.TURTLE):
        by_node.setdefault(triple.subject, {})[triple.predicate.value] = triple.object
        if isinstance(triple.subject, ox.NamedNode) and triple.subject.value == graph:
            about.setdefault(triple.predicate.value, []).append(triple.object)

    def first(predicate: str) -> Any:
        values = about.get(predicate)
        return values[0] if values else None

    agent = first(PROV + "wasAttributedTo")
    if isinstance(agent, ox.NamedNode):
        contributor = agent.value
    else:
        name = by_node.get(agent, {}).get(FOAF + "name")
        contributor = name.value if name is not None else ""
    checksum = by_node.get(first(SPDX + "checksum"), {}).get(SPDX + "checksumValue")

    def text(predicate: str) -> str | None:
        value = first(predicate)
        return None if value is None else value.value

    return Contribution(
        id=contribution_id,
        contributor=contributor,
        time=text(PROV + "generatedAtTime") or "",
        triples=int(text(VOID + "triples") or 0),
        sha256=checksum.value if checksum is not None else "",
        media_type=text(DCTERMS + "format"),
        note=text(DCTERMS + "description"),
        user_agent=text(HTTP_HEADERS + "user-agent"),
        unverified_links=tuple(sorted(o.value for o in about.get(UNVERIFIED_LINK, []))),
    )


class ContributionFolder:
    """The folder of contribution files: durable writes, the lock and the marker."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def prepare(self) -> list[str]:
        """Create the folder and remove temporary files a crash left; return their names."""
        self.path.mkdir(parents=True, exist_ok=True)
        removed = []
        with self.locked():  # no writer is half-way through a temporary file now
            leftovers = [*self.path.glob("*.tmp"), *self.path.glob(f"{_IDEMPOTENCY}/*.tmp")]
            for leftover in sorted(leftovers):
                leftover.unlink()
                removed.append(leftover.name)
        for name in removed:
            log.warning("removed %s, a contribution file whose write never finished", name)
        return removed

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the folder's write lock (between processes and between threads)."""
        # One open file description per holder: flock then also excludes other
        # threads of this process, which hold their own descriptor.
        fd = os.open(self.path / _LOCK, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    def marker(self) -> str:
        """The current generation marker ("" before the first write)."""
        try:
            return (self.path / _MARKER).read_text(encoding="utf-8")
        except FileNotFoundError:
            return ""

    def bump(self, reason: str) -> None:
        """Tell every process the folder changed (call with the lock held)."""
        stamp = f"{datetime.now(UTC).isoformat()} {reason} {secrets.token_hex(4)}"
        write_atomically(self.path / _MARKER, stamp.encode())

    def write(self, contribution_id: str, data: bytes) -> None:
        """Store a contribution file durably (temporary file, fsync, rename, fsync folder),
        with its checksum line."""
        write_atomically(self.file(contribution_id), seal(data))

    def read(self, contribution_id: str) -> bytes:
        """The Turtle of a contribution file, its checksum verified.

        Raises :class:`DamagedFile` or :class:`OSError`.
        """
        return unseal(self.file(contribution_id).read_bytes())[0]

    def check(self, *, seal_unsealed: bool = False) -> list[FileCheck]:
        """Check every contribution file: checksum, then the Turtle and its metadata.

        With ``seal_unsealed``, a readable file written before checksums gets its
        checksum line (the same bytes after it; written durably, under the folder lock).
        """
        found = []
        with self.locked() if seal_unsealed else contextlib.nullcontext():
            for contribution_id, withdrawn in self.scan().items():
                path = self.file(contribution_id)
                problem, sealed = None, True
                try:
                    data, sealed = unseal(path.read_bytes())
                    read_metadata(contribution_id, data)
                except OSError as error:
                    problem = f"cannot be read: {error.strerror or error}"
                except DamagedFile as error:
                    problem = str(error)
                except (SyntaxError, ValueError) as error:
                    problem = f"not readable Turtle: {error}"
                if problem is None and not sealed and seal_unsealed:
                    self.write(contribution_id, data)
                    sealed = True
                found.append(
                    FileCheck(contribution_id, path, problem, withdrawn is not None, sealed)
                )
        return found

    def _key_file(self, contributor: str, key: str) -> Path:
        # Keys are per contributor; hashed, so any key is a safe file name.
        digest = hashlib.sha256(f"{contributor}\n{key}".encode()).hexdigest()
        return self.path / _IDEMPOTENCY / f"{digest}.json"

    def remembered(self, contributor: str, key: str) -> dict[str, Any] | None:
        """The record of an earlier submission with this key, if its contribution exists."""
        try:
            record = json.loads(self._key_file(contributor, key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(record, dict) or not is_contribution_id(str(record.get("id"))):
            return None
        # A key written just before a crash may point at a file that never came.
        return record if self.file(record["id"]).exists() else None

    def remember(self, contributor: str, key: str, record: dict[str, Any]) -> None:
        """Keep the record of a submission with this key, durably."""
        write_atomically(self._key_file(contributor, key), json.dumps(record).encode())

    def mark_withdrawn(self, contribution_id: str, by: str, now: datetime) -> dict[str, str]:
        """Write the withdrawal sidecar durably; return what it records."""
        record = {"time": utc_text(now), "by": by}
        sidecar = self.path / f"{contribution_id}{_WITHDRAWN}"
        write_atomically(sidecar, json.dumps(record).encode())
        return record

    def confirmed_links(self) -> dict[str, dict[str, str]]:
        """External IRI -> the record of its confirmation (labels, source, time), for the
        unverified links a label check confirmed; empty if none was ever confirmed."""
        try:
            record = json.loads((self.path / _CONFIRMATIONS).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as error:
            log.error("%s cannot be read, no link counts as confirmed: %s", _CONFIRMATIONS, error)
            return {}
        confirmed = record.get("confirmed") if isinstance(record, dict) else None
        return confirmed if isinstance(confirmed, dict) else {}

    def confirm_links(self, confirmed: dict[str, dict[str, str]], refuted: set[str]) -> bool:
        """Record ``confirmed`` links (IRI -> what matched) and forget earlier confirmations
        of the ``refuted`` IRIs (their record's label no longer matches), durably and under
        the folder lock; every server process then re-reads it (the generation marker).

        Returns True if the file changed.
        """
        with self.locked():
            before = self.confirmed_links()
            after = {k: v for k, v in before.items() if k not in refuted}
            after.update(confirmed)
            if after == before:
                return False
            text = json.dumps({"confirmed": dict(sorted(after.items()))}, indent=2)
            write_atomically(self.path / _CONFIRMATIONS, text.encode("utf-8"))
            self.bump("confirm links")
        return True

    def file(self, contribution_id: str) -> Path:
        """The file of a contribution."""
        return self.path / f"{contribution_id}.ttl"

    def scan(self) -> dict[str, dict[str, str] | None]:
        """Every contribution id in the folder -> its withdrawal record (``None``: active)."""
        names = set(os.listdir(self.path))
        found: dict[str, dict[str, str] | None] = {}
        for name in sorted(names):
            stem, dot, extension = name.partition(".")
            if extension != "ttl" or not dot or not is_contribution_id(stem):
                continue
            withdrawn = None
            if stem + _WITHDRAWN in names:
                withdrawn = self._withdrawal(stem)
            found[stem] = withdrawn
        return found

    def _withdrawal(self, contribution_id: str) -> dict[str, str]:
        try:
            text = (self.path / f"{contribution_id}{_WITHDRAWN}").read_text(encoding="utf-8")
            record = json.loads(text)
            return {"time": str(record.get("time", "")), "by": str(record.get("by", ""))}
        except (OSError, ValueError, AttributeError):
            return {"time": "", "by": ""}


# --------------------------------------------------------------------------- per process


class Contributions:
    """One server process's view of the contributions, kept in step with the folder."""

    def __init__(self, folder: ContributionFolder, store: GraphStore) -> None:
        self.folder = folder
        self.store = store
        self._seen: str | None = None
        self._known: dict[str, Contribution] = {}
        self._confirmed: frozenset[str] = frozenset()
        #: Contribution files that could not be loaded: id -> (path, problem).
        self.damaged: dict[str, tuple[str, str]] = {}
        self._lock = threading.Lock()

    def sync(self, *, force: bool = False) -> None:
        """Load new contribution graphs and drop withdrawn ones, if the folder changed.

        A store shared by every process (a remote one) is written only by the process
        that adds or withdraws (``force``, under the folder lock) and, under the lock too,
        by each process's first sync (which loads what the store lacks, and drops what a
        crash left); other processes only learn the metadata, so a late reload by one of
        them can never bring back a graph another has just withdrawn.

        A read-only store is never written: the folder's contributions are listed (they are
        what a read-write sdkg in front of the same store accepted) but not loaded.
        """
        marker = self.folder.marker()
        if marker == self._seen and not force:
            return
        shared = self.store.shared
        first = self._seen is None
        # The folder lock before the thread lock, as in submit and withdraw (which hold it
        # already when they call this with ``force``): the other order could deadlock.
        may_write = not self.store.read_only
        folder_lock = self.folder.locked() if may_write and shared and first and not force else None
        with folder_lock or contextlib.nullcontext(), self._lock:
            if marker == self._seen and not force:
                return
            write = may_write and (not shared or force or first)
            present = set(self.store.graphs()) if write and shared and first else None
            for contribution_id, withdrawn in self.folder.scan().items():
                known = self._known.get(contribution_id)
                if known is None:
                    load = write and withdrawn is None
                    known = self._load(contribution_id, active=load, present=present)
                    if known is None:
                        continue
                    if (
                        write
                        and first
                        and withdrawn is not None
                        and known.graph in (present or set(self.store.graphs()))
                    ):
                        # A withdrawal a crash cut short, or made while another store mode
                        # served the folder (a database written by --store-memory disk).
                        self.store.drop_graph(known.graph)
                if withdrawn is not None and known.withdrawn is None:
                    if write:
                        self.store.drop_graph(known.graph)
                    known = dataclasses.replace(known, withdrawn=withdrawn)
                self._known[contribution_id] = known
            self._confirmed = frozenset(self.folder.confirmed_links())
            self._seen = marker

    def _load(
        self, contribution_id: str, *, active: bool, present: set[str] | None = None
    ) -> Contribution | None:
        """Read a contribution file; with ``active``, load its graph unless ``present``
        (the graphs a shared store already holds: contribution files never change)."""
        path = self.folder.file(contribution_id)
        try:
            data = self.folder.read(contribution_id)
            contribution = read_metadata(contribution_id, data)
            if active and (present is None or contribution.graph not in present):
                self.store.replace_graph(contribution.graph, data, ox.RdfFormat.TURTLE)
        except (OSError, SyntaxError, ValueError) as error:
            # Only a file damaged or edited by hand gets here: written files are complete.
            problem = str(error)
            if self.damaged.get(contribution_id) != (str(path), problem):
                log.error("contribution file %s is damaged, not served: %s", path, problem)
            self.damaged[contribution_id] = (str(path), problem)
            return None
        self.damaged.pop(contribution_id, None)
        return contribution

    def check_open(self) -> None:
        """Raise :class:`ContributionError` 403 when the store may not be written."""
        if self.store.read_only:
            raise ContributionError(403, READ_ONLY_MESSAGE)

    def submit(
        self,
        graph: Graph,
        submission: Submission,
        check: Callable[[], Any],
        accept: Callable[[Any], bool],
        amend: Callable[[Any, Submission], Submission] | None = None,
    ) -> tuple[Contribution | None, Any]:
        """Validate and, if ``accept(report)``, store ``graph`` as a new contribution.

        ``amend(report, submission)`` may add what the report found to the stored
        metadata (the unverified external identifiers).

        ``check()`` validates against this process's store; it runs with the folder
        locked after a full sync, so it sees every contribution accepted before.
        Returns the new contribution (``None`` if refused) and the report.
        Raises :class:`ContributionError` for reserved subjects or unstorable data.
        """
        self.check_open()
        reserved = reserved_subjects(graph)
        if reserved:
            raise ContributionError(
                422,
                "a contribution cannot describe the ontology, the shapes or the graphs: "
                + ", ".join(f"<{iri}>" for iri in reserved[:5]),
            )
        key = submission.idempotency_key
        who = submission.contributor.name
        body_sha256 = hashlib.sha256(submission.body).hexdigest()
        with self.folder.locked():
            self.sync(force=True)
            if key is not None and (record := self.folder.remembered(who, key)) is not None:
                return self._replay(record, body_sha256, submission.media_type)
            report = check()
            if not accept(report):
                return None, report
            if amend is not None:
                submission = amend(report, submission)
            now = datetime.now(UTC)
            contribution_id = new_id(now)
            data = contribution_file(graph, contribution_id, submission, now)
            if key is not None:
                # Before the file: a crash in between leaves a key pointing at nothing.
                self.folder.remember(
                    who,
                    key,
                    {
                        "id": contribution_id,
                        "body_sha256": body_sha256,
                        "media_type": submission.media_type,
                        "report": report.to_json() if hasattr(report, "to_json") else None,
                    },
                )
            self.folder.write(contribution_id, data)
            self.folder.bump(f"add {contribution_id}")
            self.sync(force=True)
        return self._shown(self._known[contribution_id]), report

    def _replay(
        self, record: dict[str, Any], body_sha256: str, media_type: str
    ) -> tuple[Contribution, Replayed]:
        """The first answer to a repeated key, or 422 when the body is not the same."""
        contribution_id = record["id"]
        if record.get("body_sha256") != body_sha256 or record.get("media_type") != media_type:
            raise ContributionError(
                422,
                f"this Idempotency-Key was already used for contribution {contribution_id} "
                "with a different body; a retry must send the same body, and new data needs "
                "a new key",
            )
        known = self.get(contribution_id)
        return known, Replayed(record.get("report") or {})

    def withdraw(self, contribution_id: str, by: Contributor) -> Contribution:
        """Withdraw a contribution: its graph leaves every store, its file stays.

        Only the contributor who made it, or a curator or admin, may withdraw it.
        Raises :class:`ContributionError`: 403 read-only store or not allowed, 404 unknown,
        410 already withdrawn.
        """
        self.check_open()
        with self.folder.locked():
            self.sync(force=True)
            known = self.get(contribution_id)
            if known.contributor != by.name and not by.may_withdraw_any:
                raise ContributionError(
                    403,
                    f"only the contributor who made contribution {contribution_id} "
                    f"({known.contributor}), or a token with role curator or admin in the "
                    f"tokens file, may withdraw it; your token stands for {by.name} "
                    f"(role {by.role})",
                )
            if known.withdrawn is not None:
                raise ContributionError(410, _withdrawn_message(known))
            self.folder.mark_withdrawn(contribution_id, by.name, datetime.now(UTC))
            self.folder.bump(f"withdraw {contribution_id}")
            self.sync(force=True)
        return self._shown(self._known[contribution_id])

    def confirmed_links(self) -> frozenset[str]:
        """The external IRIs ``sdkg link check`` confirmed (no longer unverified)."""
        return self._confirmed

    def _shown(self, contribution: Contribution) -> Contribution:
        """The contribution without the unverified links confirmed since it was stored."""
        still = tuple(i for i in contribution.unverified_links if i not in self._confirmed)
        if still == contribution.unverified_links:
            return contribution
        return dataclasses.replace(contribution, unverified_links=still)

    def get(self, contribution_id: str) -> Contribution:
        """One contribution; raises :class:`ContributionError` 404 when there is none."""
        known = self._known.get(contribution_id) if is_contribution_id(contribution_id) else None
        if known is None:
            raise ContributionError(404, f"there is no contribution {shorten(contribution_id)!r}")
        return self._shown(known)

    def all(self) -> list[Contribution]:
        """Every contribution, active and withdrawn, oldest first."""
        return [self._shown(self._known[k]) for k in sorted(self._known)]

    def triples(self, contribution_id: str) -> list[ox.Triple]:
        """The stored triples (data and metadata) of an active contribution, from its file."""
        known = self.get(contribution_id)
        if known.withdrawn is not None:
            raise ContributionError(410, _withdrawn_message(known))
        try:
            data = self.folder.read(contribution_id)
        except DamagedFile as error:
            path = self.folder.file(contribution_id)
            log.error("contribution file %s is damaged: %s", path, error)
            # Not the client's doing and not served as active: unavailable until an
            # operator repairs or removes the file (never a 500).
            raise ContributionError(
                503,
                f"contribution {contribution_id} is unavailable: its stored file is damaged "
                "and is not served; the operator is told (sdkg contributions check lists it)",
            ) from None
        return list(ox.parse(data, ox.RdfFormat.TURTLE))


def _withdrawn_message(contribution: Contribution) -> str:
    withdrawn = contribution.withdrawn or {}
    return (
        f"contribution {contribution.id} was withdrawn at {withdrawn.get('time')} by "
        f"{withdrawn.get('by')}; its file is kept on the server"
    )
