"""Run a SPARQL query over the bundled ontology and data, the way the server does.

Every ``.ttl`` file under ``ontology/`` and ``data/`` (recursively) is loaded
into an in-memory pyoxigraph store as its own named graph, and the query runs
with the default graph as the union of all graphs: the server's semantics.
The store is built once per test session.
"""

from __future__ import annotations

from functools import cache

from pyoxigraph import NamedNode, QuerySolutions, RdfFormat, Store

from sdkg.resources import bundled_path

GRAPH_BASE = "https://w3id.org/sdkg/graph/"


@cache
def _store() -> Store:
    store = Store()
    for folder in ("ontology", "data"):
        root = bundled_path(folder)
        for path in sorted(root.rglob("*.ttl")):
            name = f"{folder}/{path.relative_to(root).with_suffix('').as_posix()}"
            store.load(path=path, format=RdfFormat.TURTLE, to_graph=NamedNode(GRAPH_BASE + name))
    return store


def run_query(text: str) -> list[dict[str, str]]:
    """The rows of a SELECT query: variable name -> lexical value, IRI or blank node id.

    Unbound variables are absent from their row. Rows keep the query's order.
    """
    solutions = _store().query(text, use_default_graph_as_union=True)
    if not isinstance(solutions, QuerySolutions):
        raise TypeError("run_query expects a SELECT query")
    names = [variable.value for variable in solutions.variables]
    rows = []
    for solution in solutions:
        row = {}
        for name in names:
            term = solution[name]
            if term is not None:
                row[name] = term.value
        rows.append(row)
    return rows
