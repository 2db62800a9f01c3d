"""sdkg.querying's deadline: the timeout names the limit, a forked process runs work
without its parent's threads, and a DeadlineStore passes all but ``query`` through.

The query threads themselves (reused, given up on past the deadline, errors handed
back) are tested in test_query_threads.py.
"""

from __future__ import annotations

import multiprocessing
import threading

import pyoxigraph as ox
import pytest

from sdkg.embedded import OxigraphStore, PreparedStore
from sdkg.errors import QueryTimeout
from sdkg.querying import DeadlineStore, run_with_deadline
from sdkg.sources import SyncReport

GRAPH = "https://w3id.org/sdkg/graph/test"


def test_the_limit_is_named_in_the_timeout() -> None:
    release = threading.Event()
    try:
        with pytest.raises(QueryTimeout) as stopped:
            run_with_deadline(lambda: release.wait(60), 0.1, limit=7)
        assert stopped.value.seconds == 7
        assert "exceeded the 7 s limit" in str(stopped.value)
    finally:
        release.set()


def _in_child(queue: multiprocessing.Queue) -> None:
    queue.put(run_with_deadline(lambda: "answered in the child", 30))


def test_a_forked_process_runs_work_without_the_parents_threads() -> None:
    run_with_deadline(lambda: None, 30)  # the parent now has an idle thread
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_in_child, args=(queue,))
    child.start()
    assert queue.get(timeout=60) == "answered in the child"
    child.join(60)
    assert child.exitcode == 0


def test_a_deadline_store_is_the_wrapped_store_but_for_its_queries() -> None:
    backend = OxigraphStore(ox.Store(), "memory", PreparedStore("memory", "g1", 0, SyncReport()))
    store = DeadlineStore(backend, lambda: None, 30)
    triple = b"<https://example.org/a> <https://example.org/b> <https://example.org/c> .\n"
    store.replace_graph(GRAPH, triple, ox.RdfFormat.N_TRIPLES)
    assert backend.graphs() == [GRAPH]
    assert (store.graphs(), store.triple_count()) == ([GRAPH], 1)
    assert (store.generation, store.files_generation) == (backend.generation, "g1")
    assert store.generation != "g1.0"  # the write through the wrapper counted
    assert store.status() == backend.status()
    capabilities = ("shared", "read_only", "in_process", "stops_queries_on_timeout")
    assert [getattr(store, c) for c in capabilities] == [getattr(backend, c) for c in capabilities]
    assert store.query(f"ASK {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }}") is True
    store.drop_graph(GRAPH)
    assert backend.graphs() == []
    # Only GraphStore's members pass: the embedded store's own stay its own.
    assert hasattr(backend, "warming") and not hasattr(store, "warming")
