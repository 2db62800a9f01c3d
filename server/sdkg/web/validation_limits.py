"""Limits on running validations (``POST /validate``, ``POST /contributions``).

- At most ``max_concurrent_validations`` at once in a server process: a request takes a
  slot before its body is parsed (parsing costs CPU too) and gives it back when its
  validation really ends; as many more may wait a few seconds for one, and past that
  a request gets a 503 with ``Retry-After``.
- A time limit, ``validation_timeout``: the SHACL step runs in a child process
  (:mod:`sdkg.shacl_pool`) that is stopped at the limit; the steps around it run in a
  thread, and if they run :data:`AROUND_SHACL` seconds past the limit, the worker is
  replaced as for a runaway query (:func:`sdkg.web.responses.stopped_response`). Either
  way the client gets a 503 saying which limit it hit and how to split the contribution.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, current_app, g, request
from rdflib import Graph, Node

from sdkg.closure import GraphValidation, validate_against_graph
from sdkg.errors import QueryTimeout
from sdkg.protocol import ProtocolError
from sdkg.querying import run_with_deadline
from sdkg.shacl_pool import ShaclPool, ShaclTimeout
from sdkg.validation import SourceLocation
from sdkg.web.context import name_index, state
from sdkg.web.responses import stopped_response

#: The endpoints that validate a request body.
VALIDATING_ENDPOINTS = ("contribute.validate", "contribute.contribute")
#: Seconds, past the validation time limit, allowed for the steps before and after SHACL.
AROUND_SHACL = 5.0


class ValidationStopped(Exception):
    """A validation passed its time limit and was stopped (HTTP 503)."""

    def __init__(self, seconds: float, triples: int, *, still_running: bool = True) -> None:
        half = max(triples // 2, 1)
        super().__init__(
            f"validation exceeded the {seconds:g} s limit (--validation-timeout, "
            f"SDKG_VALIDATION_TIMEOUT) and was stopped; nothing was stored. Split the "
            f"{triples} triples into smaller contributions (e.g. two of about {half} "
            "triples, each entity with all its statements) and send them one after the other"
        )
        self.seconds = seconds
        #: True when the work goes on in this process (which must then be replaced).
        self.still_running = still_running


class _Slots:
    """The slots of one process, and a queue as long as there are slots: a request waits
    up to :data:`SLOT_WAIT` seconds for a slot if the queue has room. Queued requests hold
    request threads, so the queue is short: the other threads stay free for queries."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.free = threading.BoundedSemaphore(size)
        self._waiting = 0
        self._lock = threading.Lock()

    def take(self) -> bool:
        """Take a slot, waiting in the queue if it has room; False if none was had."""
        if self.free.acquire(blocking=False):
            return True
        with self._lock:
            if self._waiting >= self.size:
                return False
            self._waiting += 1
        try:
            return self.free.acquire(timeout=SLOT_WAIT)
        finally:
            with self._lock:
                self._waiting -= 1


#: Longest a validating request waits in the queue for a slot, in seconds.
SLOT_WAIT = 5.0


class ValidationSlot:
    """One of this process's ``max_concurrent_validations`` slots (503 if none is had)."""

    def __init__(self) -> None:
        settings = state().settings
        slots = current_app.extensions.get("sdkg-validation-slots")
        if slots is None:
            slots = current_app.extensions.setdefault(
                "sdkg-validation-slots", _Slots(settings.max_concurrent_validations)
            )
        self._slots = slots.free
        if not slots.take():
            raise ProtocolError(
                503,
                f"{settings.max_concurrent_validations} validations are running on this server "
                "process already, and as many are waiting (--max-concurrent-validations); "
                "retry in a few seconds",
                {"Retry-After": "2"},
            )
        self._held = True
        self._lock = threading.Lock()
        #: True once a validation thread owns the slot (it then gives it back itself).
        self.handed_over = False

    def release(self) -> None:
        """Give the slot back (once; later calls do nothing)."""
        with self._lock:
            if self._held:
                self._held = False
                self._slots.release()


def install(app: Flask) -> None:
    """Take slots for validating requests, give them back, answer stopped validations."""

    @app.before_request
    def take_a_validation_slot() -> None:
        if request.method == "POST" and request.endpoint in VALIDATING_ENDPOINTS:
            g.sdkg_validation_slot = ValidationSlot()
            shacl_pool()  # the first time, its processes start while the body is parsed

    @app.teardown_request
    def give_back_the_validation_slot(_error: BaseException | None) -> None:
        slot = g.pop("sdkg_validation_slot", None)
        if slot is not None and not slot.handed_over:
            slot.release()

    @app.errorhandler(ValidationStopped)
    def validation_stopped(error: ValidationStopped) -> Response:
        return stopped_response(
            str(error), "a validation", error.seconds, still_running=error.still_running
        )


def shacl_pool() -> ShaclPool:
    """This process's SHACL child processes, started on first use."""
    pool = current_app.extensions.get("sdkg-shacl-pool")
    if pool is None:
        size = state().settings.max_concurrent_validations
        pool = current_app.extensions.setdefault("sdkg-shacl-pool", ShaclPool(size))
    return pool


def validate_in_time(
    graph: Graph, locations: Mapping[Node, SourceLocation] | None
) -> GraphValidation:
    """:func:`sdkg.closure.validate_against_graph` within the time limit and the request's
    slot, or :class:`ValidationStopped`."""
    slot: ValidationSlot | None = g.get("sdkg_validation_slot")
    store = state().store.backend  # the validation has its own deadline
    names = name_index()  # in this thread: it reads the app's state
    seconds = state().settings.validation_timeout
    deadline = time.monotonic() + seconds
    pool = shacl_pool()

    def shacl(data: Graph, context: Graph, where: Any) -> Any:
        return pool.validate(data, context, where, deadline)

    def work() -> GraphValidation:
        # The slot is held until the validation really ends, even past its time limit.
        try:
            return validate_against_graph(
                graph, store, locations=locations, shacl=shacl, names=names
            )
        finally:
            if slot is not None:
                slot.release()

    if slot is not None:
        slot.handed_over = True
    try:
        # The SHACL step stops itself at the deadline; the thread gets a margin for the
        # steps around it, so that it is found stuck only when it really is.
        return run_with_deadline(work, seconds + AROUND_SHACL)
    except ShaclTimeout:
        # The SHACL step ran out of time in its own process, which is stopped already.
        raise ValidationStopped(seconds, len(graph), still_running=False) from None
    except QueryTimeout:
        raise ValidationStopped(seconds, len(graph)) from None
