"""The dataset's statistics: every figure the VoID description and the Service Description
print (:mod:`sdkg.describe`), counted once and kept up to date cheaply.

Counting the whole store (distinct subjects and objects, class and property partitions,
linksets) takes minutes at 10 million triples, so the figures are split in two parts:

- the *base*: the graphs loaded from the data files (every graph but the contributions'),
  which change only when the files do (``store.files_generation``). It is counted once per
  files generation, by ``sdkg serve``'s sync step, and kept in ``statistics.json`` in the
  store folder (built under a file lock by one process, written to a temporary file and
  renamed, read by every process and reused after a restart); in memory when there is no
  store folder (``--memory``).
- the *contributions*: what the contribution graphs add to the base, counted per store
  generation by queries over those graphs alone (their cost follows the contributions'
  size, not the store's): a subject, object or class member counts only if no data file
  graph has it already, and once however many contributions have it.

The two add up to exactly what the whole-store queries give (:func:`count`). The union
default graph counts a triple once per graph that holds it (Oxigraph's, which sdkg's
embedded store is), so triples, property partitions, linksets and graph sizes are sums.

A store whose files generation follows every write (a remote store: its graphs are not
told apart by where they came from) is counted whole, per generation, as before.
"""

from __future__ import annotations

import fcntl
import json
import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from sdkg import namespaces
from sdkg.contributions import CONTRIBUTION_GRAPH_BASE
from sdkg.durable import write_atomically
from sdkg.graphstore import Dataset, GraphStore, Rows

log = logging.getLogger(__name__)

#: Entities are the subjects in this IRI space (``void:entities``, ``void:uriSpace``).
ENTITY_SPACE = namespaces.ENTITY
#: Predicates that link our entities to other datasets, counted as VoID linksets: the
#: links ``sdkg link check`` checks.
LINK_PREDICATES = namespaces.ALL_LINKS
#: The IRI a data file may use to state the licence of the whole dataset.
DATASET_IRI = namespaces.BASE + "dataset"
LICENSE = "http://purl.org/dc/terms/license"
#: How many example resources the description names (the first entities, in IRI order).
EXAMPLES = 3

#: The file beside (inside) the store folder, and the version of its layout.
STATISTICS_FILE = "statistics.json"
FILE_VERSION = 1


@dataclass(frozen=True)
class DatasetStatistics:
    """The figures of the descriptions. Terms are kept in N-Triples form (``<iri>``,
    ``"literal"``, ``_:b``), so that an IRI and a literal of the same text stay apart as
    the queries keep them."""

    triples: int = 0
    entities: int = 0
    distinct_subjects: int = 0
    distinct_objects: int = 0
    #: The first :data:`EXAMPLES` entities (IRIs), in IRI order.
    examples: tuple[str, ...] = ()
    #: Class -> distinct members.
    classes: Mapping[str, int] = field(default_factory=dict)
    #: Property -> triples.
    properties: Mapping[str, int] = field(default_factory=dict)
    #: (link predicate, target host) -> triples.
    linksets: Mapping[tuple[str, str], int] = field(default_factory=dict)
    #: (graph, the licence it states about itself) -> triples of that graph.
    licensed_graphs: Mapping[tuple[str, str], int] = field(default_factory=dict)
    #: The licences stated for :data:`DATASET_IRI`, in order.
    stated_licences: tuple[str, ...] = ()
    #: Named graph -> triples.
    graph_triples: Mapping[str, int] = field(default_factory=dict)

    def plus(self, added: DatasetStatistics) -> DatasetStatistics:
        """These figures with what ``added`` adds: its distinct counts (subjects, objects,
        entities, class members) must be of what these do not have already."""
        return DatasetStatistics(
            triples=self.triples + added.triples,
            entities=self.entities + added.entities,
            distinct_subjects=self.distinct_subjects + added.distinct_subjects,
            distinct_objects=self.distinct_objects + added.distinct_objects,
            examples=tuple(sorted({*self.examples, *added.examples}))[:EXAMPLES],
            classes=_sum(self.classes, added.classes),
            properties=_sum(self.properties, added.properties),
            linksets=_sum(self.linksets, added.linksets),
            licensed_graphs=_sum(self.licensed_graphs, added.licensed_graphs),
            stated_licences=tuple(sorted({*self.stated_licences, *added.stated_licences})),
            graph_triples=_sum(self.graph_triples, added.graph_triples),
        )

    def to_json(self) -> dict[str, Any]:
        """A JSON-able form (:meth:`from_json` reads it back)."""
        return {
            "triples": self.triples,
            "entities": self.entities,
            "distinct_subjects": self.distinct_subjects,
            "distinct_objects": self.distinct_objects,
            "examples": list(self.examples),
            "classes": dict(self.classes),
            "properties": dict(self.properties),
            "linksets": [[p, host, n] for (p, host), n in self.linksets.items()],
            "licensed_graphs": [[g, lic, n] for (g, lic), n in self.licensed_graphs.items()],
            "stated_licences": list(self.stated_licences),
            "graph_triples": dict(self.graph_triples),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DatasetStatistics:
        """Read :meth:`to_json`'s form; ValueError (or TypeError, KeyError) if it is not."""

        def counts(value: Any) -> dict[str, int]:
            if not isinstance(value, dict):
                raise ValueError("expected an object of counts")
            return {str(key): int(n) for key, n in value.items()}

        return cls(
            triples=int(data["triples"]),
            entities=int(data["entities"]),
            distinct_subjects=int(data["distinct_subjects"]),
            distinct_objects=int(data["distinct_objects"]),
            examples=tuple(str(e) for e in data["examples"]),
            classes=counts(data["classes"]),
            properties=counts(data["properties"]),
            linksets={(str(p), str(h)): int(n) for p, h, n in data["linksets"]},
            licensed_graphs={(str(g), str(lic)): int(n) for g, lic, n in data["licensed_graphs"]},
            stated_licences=tuple(str(lic) for lic in data["stated_licences"]),
            graph_triples=counts(data["graph_triples"]),
        )


def _sum(first: Mapping[Any, int], second: Mapping[Any, int]) -> dict[Any, int]:
    total = dict(first)
    for key, n in second.items():
        total[key] = total.get(key, 0) + n
    return total


def term_value(text: str) -> str:
    """The value of a term in N-Triples form: an IRI's IRI, a literal's lexical form, a
    blank node's label (what a query row's ``.value`` gives)."""
    if text.startswith("<") and text.endswith(">"):
        return text[1:-1]
    if text.startswith("_:"):
        return text[2:]
    quad = next(iter(ox.parse(f"<urn:x:s> <urn:x:p> {text} .", ox.RdfFormat.N_TRIPLES)))
    return str(quad.object.value)


# --------------------------------------------------------------------------- counting

_ENTITY = f'FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{ENTITY_SPACE}"))'
_LINKS = " ".join(f"<{p}>" for p in LINK_PREDICATES)
#: The host of a link's target IRI.
_HOST = 'REPLACE(STR(?o), "^[A-Za-z][A-Za-z0-9+.-]*://([^/:?#]+).*$", "$1")'
#: The queries of the figures over the query's default graph: what the whole-store
#: queries of the descriptions were. In the templates (doubled braces), ``{new_subject}``
#: and the others are empty, or the filters of :data:`_NEW`.
_PROPERTIES = "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p"
_CLASSES = "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a ?c {new_member} }} GROUP BY ?c"
_LINKSETS = (
    f"SELECT ?p ?host (COUNT(*) AS ?n) WHERE {{ VALUES ?p {{ {_LINKS} }} ?s ?p ?o "
    f'FILTER(isIRI(?o) && !STRSTARTS(STR(?o), "{namespaces.BASE}")) BIND({_HOST} AS ?host) }} '
    "GROUP BY ?p ?host"
)
_EXAMPLES = f"SELECT DISTINCT ?s WHERE {{ ?s ?p ?o {_ENTITY} }} ORDER BY ?s LIMIT {EXAMPLES}"
#: Every entity: sorting them in Python is much faster than ORDER BY (which decodes each
#: IRI from the database at each comparison: 28 s against 2 s at 1M triples on disk).
_ENTITY_LIST = f"SELECT DISTINCT ?s WHERE {{ ?s ?p ?o {_ENTITY} }}"
_STATED = f"SELECT DISTINCT ?l WHERE {{ <{DATASET_IRI}> <{LICENSE}> ?l }}"
_ENTITIES = f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{{{ ?s ?p ?o {_ENTITY} {{new_subject}} }}}}"
_SUBJECTS = "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s ?p ?o {new_subject} }}"
_OBJECTS = "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE {{ ?s ?p ?o {new_object} }}"
#: Per named graph: the licence a graph states about itself, and the graphs' sizes.
_LICENSED = (
    f"SELECT ?g ?l (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?g <{LICENSE}> ?l }} "
    "GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ?l"
)
_GRAPHS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
#: Contributions: a subject (object, class member) is new only if no graph of the data
#: files has it; those graphs are the query's named graphs.
_NEW = {
    "new_subject": "FILTER NOT EXISTS { GRAPH ?h { ?s ?hp ?ho } }",
    "new_object": "FILTER NOT EXISTS { GRAPH ?h { ?hs ?hp ?o } }",
    "new_member": "FILTER NOT EXISTS { GRAPH ?h { ?s a ?c } }",
}
_ALL = dict.fromkeys(_NEW, "")


def _rows(store: GraphStore, sparql: str, dataset: Dataset | None) -> list[dict[str, Any]]:
    """Rows of a SELECT as {variable: term} (None when unbound)."""
    result = store.query(sparql, dataset)
    if not isinstance(result, ox.QuerySolutions | Rows):
        raise TypeError(f"expected the solutions of a SELECT query, got {type(result).__name__}")
    names = [v.value for v in result.variables]
    return [{name: row[name] for name in names} for row in result]


def _count(
    store: GraphStore,
    dataset: Dataset | None,
    graphs: Dataset | None,
    *,
    new_only: bool = False,
    list_entities: bool = False,
) -> DatasetStatistics:
    """The figures over ``dataset``'s default graph (the per-graph ones over ``graphs``'
    named graphs); with ``new_only``, the distinct ones count only what no named graph
    of ``dataset`` has. With ``list_entities`` the entities are read (fast in process,
    too many rows for a remote store) rather than counted and sorted by the store."""
    filters = _NEW if new_only else _ALL

    def rows(sparql: str, over: Dataset | None = dataset) -> list[dict[str, Any]]:
        return _rows(store, sparql, over)

    def number(template: str) -> int:
        return int(rows(template.format(**filters))[0]["n"].value)

    properties = {str(r["p"]): int(r["n"].value) for r in rows(_PROPERTIES)}
    if list_entities:
        entities = sorted(str(r["s"].value) for r in rows(_ENTITY_LIST))
        entity_count, examples = len(entities), entities[:EXAMPLES]
    else:
        entity_count = number(_ENTITIES)
        examples = sorted(str(r["s"].value) for r in rows(_EXAMPLES))
    return DatasetStatistics(
        # The default graph counts a triple once per graph holding it, as COUNT(*) does.
        triples=sum(properties.values()),
        entities=entity_count,
        distinct_subjects=number(_SUBJECTS),
        distinct_objects=number(_OBJECTS),
        examples=tuple(examples),
        classes={str(r["c"]): int(r["n"].value) for r in rows(_CLASSES.format(**filters))},
        properties=properties,
        linksets={(str(r["p"]), str(r["host"].value)): int(r["n"].value) for r in rows(_LINKSETS)},
        licensed_graphs={
            (str(r["g"]), str(r["l"])): int(r["n"].value) for r in rows(_LICENSED, graphs)
        },
        stated_licences=tuple(sorted(str(r["l"]) for r in rows(_STATED))),
        graph_triples={str(r["g"]): int(r["n"].value) for r in rows(_GRAPHS, graphs)},
    )


def count(store: GraphStore) -> DatasetStatistics:
    """The figures of the whole store, by whole-store queries (the union default graph)."""
    return _count(store, None, None)


def is_contribution_graph(graph: str) -> bool:
    """True for the named graph of a contribution."""
    return graph.startswith(CONTRIBUTION_GRAPH_BASE)


def count_base(store: GraphStore) -> DatasetStatistics:
    """The figures of the graphs of the data files (every graph but the contributions')."""
    base = tuple(g for g in store.graphs() if not is_contribution_graph(g))
    if not base:
        return DatasetStatistics()
    graphs = Dataset(default_graphs=base, named_graphs=base)
    return _count(store, graphs, graphs, list_entities=store.in_process)


def count_contributions(store: GraphStore, graphs: list[str]) -> DatasetStatistics:
    """What the contribution graphs add to :func:`count_base`'s figures."""
    contributions = tuple(g for g in graphs if is_contribution_graph(g))
    if not contributions:
        return DatasetStatistics()
    base = tuple(g for g in graphs if not is_contribution_graph(g))
    return _count(
        store,
        Dataset(default_graphs=contributions, named_graphs=base),
        Dataset(default_graphs=contributions, named_graphs=contributions),
        new_only=True,
    )


# --------------------------------------------------------------------------- keeping


class _Base:
    """The base figures of one store for this process, and the files generation they are of."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.generation: str | None = None
        self.statistics = DatasetStatistics()
        self.lock = threading.Lock()


_BASES: dict[Any, _Base] = {}
_BASES_LOCK = threading.Lock()


def base_statistics(store: GraphStore, folder: Path | None) -> DatasetStatistics:
    """:func:`count_base` of ``store`` for its files generation: kept in
    ``folder/statistics.json`` (shared by every process, reused after a restart), or in
    this process's memory when ``folder`` is None. Counted only when missing, of another
    generation, or unreadable."""
    key = str(folder) if folder is not None else id(store)
    with _BASES_LOCK:
        entry = _BASES.setdefault(key, _Base(None if folder is None else folder / STATISTICS_FILE))
    generation = store.files_generation
    with entry.lock:
        if entry.generation != generation:
            if entry.path is None:
                entry.statistics = count_base(store)
            else:
                entry.statistics = _from_file(entry.path, store, generation)
            entry.generation = generation
        return entry.statistics


def dataset_statistics(store: GraphStore, folder: Path | None) -> DatasetStatistics:
    """The figures of the whole store as it is now: the base (:func:`base_statistics`)
    plus what the contributions add (a remote store: :func:`count`)."""
    if store.files_generation == store.generation:
        return count(store)
    graphs = store.graphs()
    base = base_statistics(store, folder)
    return base.plus(count_contributions(store, graphs))


def _from_file(path: Path, store: GraphStore, generation: str) -> DatasetStatistics:
    found = _read(path, generation)
    if found is not None:
        return found
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one process counts; the others then read
        found = _read(path, generation)
        if found is not None:
            return found
        started = time.perf_counter()
        counted = count_base(store)
        data = {"version": FILE_VERSION, "base": generation, "statistics": counted.to_json()}
        try:
            write_atomically(path, json.dumps(data, indent=1).encode())
        except OSError as error:  # a read-only folder: counted again by the next process
            log.warning("cannot keep the dataset statistics in %s: %s", path, error)
        log.info("dataset statistics counted in %.1f s: %s", time.perf_counter() - started, path)
        return counted


def _read(path: Path, generation: str) -> DatasetStatistics | None:
    """The statistics ``path`` keeps for ``generation``; None when it has none (missing,
    of another generation, or unreadable: then it is counted again and replaced)."""
    try:
        data = json.loads(path.read_bytes())
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        log.warning("dataset statistics %s unreadable (%s); counting them again", path, error)
        return None
    if not isinstance(data, dict) or data.get("version") != FILE_VERSION:
        return None
    if data.get("base") != generation:
        return None
    try:
        return DatasetStatistics.from_json(data["statistics"])
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        log.warning("dataset statistics %s unreadable (%s); counting them again", path, error)
        return None
