"""sdkg.solutions: a query's rows or triples, lazy (pyoxigraph) or read in full (a list,
as a DeadlineStore or a remote store gives them), and a TypeError for the wrong form."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from sdkg.embedded import OxigraphStore, PreparedStore
from sdkg.querying import DeadlineStore
from sdkg.solutions import construct, select
from sdkg.sources import SyncReport

DATA = b"""<https://example.org/a> <https://example.org/p> "one" .
<https://example.org/b> <https://example.org/p> "two" .
"""
SELECT = "SELECT ?o WHERE { ?s <https://example.org/p> ?o } ORDER BY ?o"
CONSTRUCT = "CONSTRUCT { ?s <https://example.org/q> ?o } WHERE { ?s <https://example.org/p> ?o }"


@pytest.fixture(params=["lazy", "read in full"])
def store(request):
    """The same data as pyoxigraph answers it, and as a DeadlineStore (lists)."""
    memory = ox.Store()
    memory.load(DATA, ox.RdfFormat.N_TRIPLES)
    if request.param == "lazy":
        return memory
    prepared = PreparedStore("memory", "g", 2, SyncReport(), memory_store=memory)
    return DeadlineStore(OxigraphStore(memory, "memory", prepared), lambda: None, 30)


def test_select_gives_the_rows(store):
    assert [row["o"].value for row in select(store, SELECT)] == ["one", "two"]


def test_construct_gives_the_triples(store):
    triples = sorted(str(triple) for triple in construct(store, CONSTRUCT))
    assert triples == [
        '<https://example.org/a> <https://example.org/q> "one"',
        '<https://example.org/b> <https://example.org/q> "two"',
    ]


def test_the_wrong_form_is_a_type_error_naming_what_was_expected(store):
    with pytest.raises(TypeError, match="expected the solutions of a SELECT query"):
        select(store, CONSTRUCT)
    with pytest.raises(TypeError, match="expected the triples of a CONSTRUCT query"):
        construct(store, SELECT)
    with pytest.raises(TypeError, match="got bool|got QueryBoolean"):
        select(store, "ASK { ?s ?p ?o }")
