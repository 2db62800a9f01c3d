"""The Python API for notebooks and scripts.

    >>> from sdkg import open_graph
    >>> rows = open_graph().query("SELECT ?s WHERE { ?s a ?type } LIMIT 3")

SELECT gives a list of :class:`Row` (a tuple of Python values, also indexable by
variable name), ASK a ``bool``, CONSTRUCT / DESCRIBE an ``rdflib.Graph``.
"""

from __future__ import annotations

import datetime
import decimal
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import rdflib

from sdkg.config import Settings
from sdkg.graphstore import GraphStore, triples_of
from sdkg.store import open_local_store

XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGER_TYPES = {
    XSD + name
    for name in (
        "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
        "negativeInteger", "nonPositiveInteger", "unsignedLong", "unsignedInt",
        "unsignedShort", "unsignedByte",
    )
}  # fmt: skip


class Row(tuple):
    """One solution: a tuple of values that can also be read by variable name."""

    variables: tuple[str, ...] = ()

    def __new__(cls, variables: tuple[str, ...], values: list[Any]) -> Row:
        row = super().__new__(cls, values)
        row.variables = variables
        return row

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            try:
                return super().__getitem__(self.variables.index(key))
            except ValueError:
                raise KeyError(key) from None
        return super().__getitem__(key)

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    def asdict(self) -> dict[str, Any]:
        """The row as {variable: value}."""
        return dict(zip(self.variables, self, strict=True))


def to_python(term: Any) -> Any:
    """A pyoxigraph term as a Python value: IRIs as str, literals by datatype, None if unbound.

    A literal whose text does not fit its datatype comes back as its text.
    """
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if not isinstance(term, ox.Literal):
        return str(term)
    datatype, text = term.datatype.value, term.value
    try:
        if datatype in _INTEGER_TYPES:
            return int(text)
        if datatype == XSD + "decimal":
            return decimal.Decimal(text)
        if datatype in (XSD + "double", XSD + "float"):
            return float(text)
        if datatype == XSD + "boolean":
            return text in ("true", "1")
        if datatype == XSD + "date":
            return datetime.date.fromisoformat(text)
        if datatype == XSD + "dateTime":
            return datetime.datetime.fromisoformat(text)
    except (ValueError, decimal.InvalidOperation):
        return text
    return text


class KnowledgeGraph:
    """The sdkg graph, opened for queries."""

    def __init__(self, store: GraphStore) -> None:
        self.store = store

    def close(self) -> None:
        """Let go of the store folder, so that ``sdkg serve`` can sync it."""
        self.store.close()

    def __enter__(self) -> KnowledgeGraph:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def query(self, sparql: str) -> list[Row] | bool | rdflib.Graph:
        """Run a SPARQL query; see the module docstring for what comes back."""
        result = self.store.query(sparql)
        if isinstance(result, ox.QueryBoolean):
            return bool(result)
        if isinstance(result, ox.QuerySolutions):
            variables = tuple(v.value for v in result.variables)
            return [Row(variables, [to_python(s[v]) for v in variables]) for s in result]
        graph = rdflib.Graph()
        graph.parse(
            data=ox.serialize(triples_of(result), format=ox.RdfFormat.N_TRIPLES), format="nt"
        )
        return graph


def open_graph(
    store: str | Path | None = None, *, data: str | Path | None = None, memory: bool = False
) -> KnowledgeGraph:
    """Open the sdkg graph: the store folder is synced with the files first.

    ``store`` defaults to the per-user store folder (``SDKG_STORE`` if set); ``data``
    replaces the bundled data folder; ``memory=True`` keeps everything in memory.
    """
    settings = Settings.load(
        {
            "store_dir": Path(store) if store is not None else None,
            "data_dir": Path(data) if data is not None else None,
            "memory": memory or None,
        }
    )
    return KnowledgeGraph(open_local_store(settings, warm=True))
