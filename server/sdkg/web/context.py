"""What the views share: :class:`AppState` (settings, the store, hooks), the per-request
deadline every store query runs under, and the per-generation response cache.

Views reach the state with :func:`state`. ``state().store`` is a
:class:`~sdkg.querying.DeadlineStore`: each of its queries runs within what is left of
the request's deadline (``--timeout`` from the request's first query), so a slow store
gives a 503 on any page, as on ``/sparql``.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

from flask import current_app, g, has_request_context

from sdkg import namespaces, offline
from sdkg.answer_cache import AnswerCache
from sdkg.config import Settings
from sdkg.graphstore import Dataset, GraphStore, QueryResult
from sdkg.names import NameIndex, name_index_for
from sdkg.protocol import check_query
from sdkg.querying import DeadlineStore

T = TypeVar("T")

#: Relative IRIs in queries resolve against the entity namespace, so ``<twas>`` is an entity.
QUERY_BASE_IRI = namespaces.ENTITY

#: Store generations whose cached values are kept: the current one and the one before,
#: which requests that started before a write may still be reading.
CACHED_GENERATIONS = 2


class ResponseCache:
    """Values computed from the store, kept until its content changes (thread-safe).

    Keyed on the store's generation and a name chosen by the code (never on anything a
    client sends). When a new generation appears, the entries of generations older than
    the last :data:`CACHED_GENERATIONS` are dropped; nothing else is.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        #: Generations in the order they were first seen, each with its entries.
        self._by_generation: OrderedDict[str, dict[tuple[str, ...], Any]] = OrderedDict()
        #: Generations dropped lately: a slow request of one computes, but stores nothing.
        self._dropped: deque[str] = deque(maxlen=64)

    def get(self, generation: str, key: tuple[str, ...], compute: Callable[[], T]) -> T:
        """The value of ``key`` for ``generation``, computed once (outside the lock; two
        threads may both compute a missing value, and the first stored wins). The value
        returned is the one stored or, if its generation was dropped meanwhile, the one
        computed."""
        with self._lock:
            entries = self._by_generation.get(generation)
            if entries is not None and key in entries:
                return cast(T, entries[key])
            if entries is None and generation not in self._dropped:
                self._by_generation[generation] = {}  # seen now: newer than those before
                while len(self._by_generation) > CACHED_GENERATIONS:
                    dropped, _ = self._by_generation.popitem(last=False)
                    self._dropped.append(dropped)
        value = compute()
        with self._lock:
            entries = self._by_generation.get(generation)
            if entries is None:  # dropped meanwhile: a newer generation is being served
                return value
            return cast(T, entries.setdefault(key, value))

    def __len__(self) -> int:
        with self._lock:
            return sum(len(entries) for entries in self._by_generation.values())

    def generations(self) -> list[str]:
        """The generations that have entries, oldest first."""
        with self._lock:
            return list(self._by_generation)


@dataclass
class AppState:
    """What the views share: settings, store, and replaceable hooks."""

    settings: Settings
    #: The store as the views use it: queries under the request's deadline.
    store: DeadlineStore
    #: After a query timeout, stop this process so the runaway query really ends
    #: (set by the gunicorn integration, whose arbiter starts a fresh worker).
    recycle_on_timeout: bool = False
    #: Renders the readable /sparql page for browsers; the web front end replaces it.
    #: Called as ``sparql_page(query=str | None, table=Table | None, error=str | None)``.
    sparql_page: Callable[..., str] = lambda **_: ""
    #: Per-generation cache of descriptions, indexes and figures.
    cache: ResponseCache = field(default_factory=ResponseCache)
    #: Answers of expensive ``/sparql`` queries, until the store changes (``--answer-cache-mb``).
    answers: AnswerCache = field(default_factory=lambda: AnswerCache(0))

    @classmethod
    def create(cls, settings: Settings, store: GraphStore, **options: Any) -> AppState:
        """The state over ``store``, whose queries get the request's deadline."""
        deadline_store = DeadlineStore(store, seconds_left, settings.timeout)
        answers = AnswerCache(settings.answer_cache_mb * 1024 * 1024)
        return cls(settings=settings, store=deadline_store, answers=answers, **options)


def state() -> AppState:
    """The :class:`AppState` of the current app."""
    return cast(AppState, current_app.extensions["sdkg"])


def seconds_left() -> float | None:
    """What is left of this request's deadline for queries, which starts at its first
    query; None (the full ``--timeout``) outside a request, or in another thread."""
    if not has_request_context():
        return None
    limit = float(state().settings.timeout)
    deadline: float | None = g.get("sdkg_deadline")
    if deadline is None:
        deadline = g.sdkg_deadline = time.monotonic() + limit
    return max(deadline - time.monotonic(), 0.0)


def restart_deadline() -> None:
    """Give this request's later queries the whole limit again: the editor page drawn for
    a query that timed out reads its (small, cached) examples after the deadline passed."""
    g.pop("sdkg_deadline", None)


def generation() -> str:
    """The store's generation, read once per request (a remote store's costs a query)."""
    if not has_request_context():
        return state().store.generation
    found = g.get("sdkg_generation")
    if found is None:
        found = g.sdkg_generation = state().store.generation
    return str(found)


def cached(key: tuple[str, ...], compute: Callable[[], T]) -> T:
    """A value cached until the store's content changes (keyed by its generation only,
    with ``key`` naming what it is)."""
    return state().cache.get(generation(), key, compute)


def name_index() -> NameIndex:
    """The name index, up to date with the store (search, reconciliation, CSV intake, the
    gate's duplicate check): in ``names.sqlite`` in the store folder, shared by every
    process (in memory with --memory)."""
    settings = state().settings
    folder = None if settings.memory else settings.resolved_store_dir
    return cached(("names",), lambda: name_index_for(state().store, folder))


def run_query(query: str, dataset: Dataset | None, consume: Callable[[QueryResult], T]) -> T:
    """Run a client's ``query`` as the endpoint does and ``consume`` its result in the
    query's thread: updates refused, the federation plan (an offline thread, or the strict
    SERVICE rule; :mod:`sdkg.federation`), the request's deadline. Raises the errors of
    :mod:`sdkg.errors`, which :mod:`sdkg.web.responses` answers."""
    app_state = state()
    settings, store = app_state.settings, app_state.store
    can_run_offline = store.in_process and offline.available()
    plan = check_query(query, settings.allow_service, can_run_offline=can_run_offline)
    return store.run(plan.text, consume, dataset=dataset, base_iri=QUERY_BASE_IRI,
                     offline_thread=plan.offline, allowed_services=settings.allow_service,
                     shown_as=query)  # fmt: skip
