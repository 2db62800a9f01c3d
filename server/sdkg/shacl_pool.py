"""SHACL validation (pyshacl) in child processes, which can be stopped one at a time.

pyshacl is CPU-bound Python: in a server thread it takes the interpreter from every
other request of its process (long garbage collections and long C calls freeze all
threads for seconds), and past its time limit it cannot be interrupted. So each server
process keeps a few child processes (one per validation it may run at once) that only
run :func:`sdkg.validation.validate_graph`: the request sends the graphs, waits at most
the time left, and on a timeout the child is killed and a fresh one started; nothing else
in the server is disturbed.

Children are started with ``spawn`` (a fresh interpreter: the server process has
threads, which ``fork`` would copy badly) and end when their server process does (their
pipe closes, or within a second when they are busy).
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections.abc import Mapping
from typing import Any

from rdflib import Graph, Node

from sdkg.validation import SourceLocation, ValidationReport


class ShaclTimeout(Exception):
    """The validation did not finish in time; its child process was stopped."""


def _child(connection: Any) -> None:
    """A child's loop: validate what arrives, send back the report (or the error)."""
    from sdkg.validation import bundled_shapes, validate_graph

    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()
    bundled_shapes()  # parsed once, before the first request arrives
    while True:
        try:
            graph, ontology, locations = connection.recv()
        except (EOFError, OSError):
            return  # the server process is gone
        try:
            answer: tuple[str, Any] = (
                "ok",
                validate_graph(graph, ontology=ontology, locations=locations),
            )
        except Exception as error:  # noqa: BLE001 - handed to the server, raised there
            answer = ("error", error)
        try:
            connection.send(answer)
        except Exception as error:  # noqa: BLE001 - e.g. an error that does not pickle
            connection.send(("error", RuntimeError(f"{type(error).__name__}: {error}")))


def _exit_with_parent(parent: int) -> None:
    """End this child when its server process is gone, even in the middle of a validation
    nobody waits for any more."""
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(0)


class _Child:
    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self.connection, theirs = context.Pipe()
        self.process = context.Process(target=_child, args=(theirs,), daemon=True,
                                       name="sdkg-shacl")  # fmt: skip
        self.process.start()
        theirs.close()

    def stop(self) -> None:
        self.process.kill()
        self.process.join(5)
        self.connection.close()


class ShaclPool:
    """Up to ``size`` children; :meth:`validate` borrows one for one validation."""

    def __init__(self, size: int) -> None:
        self._idle: list[_Child] = []
        self._lock = threading.Lock()
        self._size = size
        for _ in range(size):
            self._idle.append(_Child())

    def validate(
        self,
        graph: Graph,
        ontology: Graph,
        locations: Mapping[Node, SourceLocation] | None,
        deadline: float,
    ) -> ValidationReport:
        """``validate_graph(graph, ontology=ontology, locations=locations)`` in a child, by
        ``deadline`` (``time.monotonic()``) or :class:`ShaclTimeout`."""
        with self._lock:
            child = self._idle.pop() if self._idle else _Child()
        try:
            child.connection.send((graph, ontology, dict(locations or {})))
            if not child.connection.poll(max(deadline - time.monotonic(), 0.0)):
                child.stop()
                child = _Child()  # a fresh one for the next validation
                raise ShaclTimeout
            status, value = child.connection.recv()
        except (EOFError, OSError, BrokenPipeError) as error:
            child.stop()
            child = _Child()
            raise RuntimeError(f"the validation process failed: {error}") from None
        finally:
            with self._lock:
                if len(self._idle) < self._size:
                    self._idle.append(child)
                else:
                    child.stop()
        if status == "error":
            raise value
        return value
