"""Answers of expensive queries, kept until the store's content changes.

The same query text over the same store content gives the same answer: a named query
linked from a page, a dashboard asking for the same counts every minute, a room of
analysts opening the same report. :class:`AnswerCache` keeps the serialized answers of
queries that took at least :data:`MIN_SECONDS` to compute, up to a number of bytes, and
drops them all when the store's generation changes (a contribution landed, the data files
changed). It also makes identical queries that arrive together share one computation:
the first computes, the others wait for its answer (each no longer than its own time
limit), so sixteen clients asking the same whole-graph count run it once, not sixteen
times on two cores.

What may be kept is the caller's choice (``/sparql`` keeps only answers of deterministic
queries over a store sdkg owns; see :func:`sdkg.web.sparql`); this module only keeps
bytes under a key.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Literal

#: Answers computed faster than this are not kept: computing them again costs less than
#: the memory they would hold (a lookup by IRI takes well under a millisecond).
MIN_SECONDS = 0.05

#: Bytes counted for each answer on top of its body (its key, headers and bookkeeping),
#: so that many small answers cannot hold more memory than ``max_bytes`` says.
ENTRY_OVERHEAD = 512

#: How an answer was found (the ``outcome`` label of ``sdkg_answer_cache_total``): kept
#: from before, shared with an identical request computing it, computed and kept, or
#: computed and not kept (too fast, too big, or not to be kept).
Outcome = Literal["hit", "shared", "stored", "miss"]


@dataclass(frozen=True)
class Answer:
    """A finished answer: its body and the headers that go with it."""

    body: bytes
    headers: tuple[tuple[str, str], ...] = ()
    #: False for an answer that may not be kept (a page drawn for this request).
    keep: bool = True


@dataclass
class _Flight:
    """A computation under way that later identical requests wait for."""

    #: Made by the first request to wait (most computations have none waiting).
    done: threading.Event | None = None
    answer: Answer | None = None


class AnswerCache:
    """Answers kept by (generation, key), least recently used first out (thread-safe).

    ``max_bytes`` bounds the answers kept, each counted as its body plus
    :data:`ENTRY_OVERHEAD` (0 keeps nothing, but identical requests still share a
    computation); one answer may take at most a quarter of it. Keys should be small
    (a digest of what names the answer): they are not counted.
    """

    def __init__(self, max_bytes: int, min_seconds: float = MIN_SECONDS) -> None:
        self.max_bytes = max_bytes
        self.min_seconds = min_seconds
        self._lock = threading.Lock()
        self._generation: str | None = None
        #: Generations seen before the current one (the latest few).
        self._retired: deque[str] = deque(maxlen=64)
        self._answers: OrderedDict[Hashable, Answer] = OrderedDict()
        self._bytes = 0
        self._flights: dict[tuple[str, Hashable], _Flight] = {}
        self._waiting = 0

    def answer(
        self,
        generation: str,
        key: Hashable,
        compute: Callable[[], Answer],
        wait_seconds: Callable[[], float | None] = lambda: None,
    ) -> tuple[Answer, Outcome]:
        """The answer for ``key`` in ``generation``: kept, shared with an identical request
        computing it now (waiting at most ``wait_seconds()``, None: as long as it takes), or
        computed by ``compute``.

        What ``compute`` raises passes to this caller; requests that were waiting for it
        then compute for themselves.
        """
        with self._lock:
            current = self._turn_to(generation)
            if current:
                kept = self._answers.get(key)
                if kept is not None:
                    self._answers.move_to_end(key)
                    return kept, "hit"
            flight_key = (generation, key)
            flight = self._flights.get(flight_key)
            if flight is None:
                flight = self._flights[flight_key] = _Flight()
                leading = True
            else:
                leading = False
                if flight.done is None:
                    flight.done = threading.Event()
                done = flight.done
                self._waiting += 1
        if not leading:
            try:
                done.wait(wait_seconds())
            finally:
                with self._lock:
                    self._waiting -= 1
            if flight.answer is not None:
                return flight.answer, "shared"
            return compute(), "miss"  # the first failed, or this request's time is up
        try:
            started = time.monotonic()
            answer = compute()
            took = time.monotonic() - started
            flight.answer = answer
        finally:
            with self._lock:
                del self._flights[flight_key]
                if flight.done is not None:
                    flight.done.set()
        if answer.keep and took >= self.min_seconds and self._keep(generation, key, answer):
            return answer, "stored"
        return answer, "miss"

    def _turn_to(self, generation: str) -> bool:
        """Note ``generation`` (lock held); True if it is the current one. A generation
        not seen before is newer than all others: what was kept for them is dropped."""
        if generation == self._generation:
            return True
        if generation in self._retired:
            return False  # a slow request of an older generation: keeps nothing
        if self._generation is not None:
            self._retired.append(self._generation)
        self._generation = generation
        self._answers.clear()
        self._bytes = 0
        return True

    def _keep(self, generation: str, key: Hashable, answer: Answer) -> bool:
        """Keep ``answer``, dropping the least recently used ones past ``max_bytes``;
        False if it is too big or its generation is no longer the current one."""
        size = len(answer.body) + ENTRY_OVERHEAD
        if size > self.max_bytes // 4:
            return False
        with self._lock:
            if generation != self._generation:
                return False
            if key not in self._answers:
                self._answers[key] = answer
                self._bytes += size
            while self._bytes > self.max_bytes:
                _, dropped = self._answers.popitem(last=False)
                self._bytes -= len(dropped.body) + ENTRY_OVERHEAD
            return True

    @property
    def waiting(self) -> int:
        """Requests waiting now for an identical request's computation."""
        with self._lock:
            return self._waiting

    def __len__(self) -> int:
        with self._lock:
            return len(self._answers)

    @property
    def size(self) -> int:
        """Bytes counted for the answers kept (bodies and :data:`ENTRY_OVERHEAD` each)."""
        with self._lock:
            return self._bytes
