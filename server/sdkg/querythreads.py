"""Long-lived threads that run queries under a time limit.

A query runs in a thread of its own so that the request thread can give up on it at
the time limit (pyoxigraph cannot cancel a query; the process is then recycled). A new
thread per query cost 0.2-0.3 ms a request (start, and the seccomp filter of an
offline thread built and installed each time), about as much as the whole web stack;
here a thread that finished its query waits for the next one instead of ending.

Two kinds of threads, never mixed: *offline* ones (:mod:`sdkg.offline`: the kernel
refuses them sockets, for good, from their first job on) and ordinary ones, for
queries that may call an allow-listed SERVICE endpoint. A thread that overruns the
time limit is simply left to its query: it goes back to the idle ones only if and
when its query ends, and the next query gets another thread meanwhile. At most
:data:`MAX_IDLE` threads of each kind wait; one more, after its job, ends.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Any, TypeVar, cast

from sdkg import offline

T = TypeVar("T")

#: Idle threads kept per kind; a thread finishing a job while this many wait ends.
MAX_IDLE = 16


class Timeout(Exception):
    """``work`` did not finish within the time allowed (it goes on in its thread)."""


class _Job:
    """One call: the work, then its value or error, and a lock released when done."""

    __slots__ = ("work", "value", "error", "done")

    def __init__(self, work: Callable[[], Any]) -> None:
        self.work: Callable[[], Any] | None = work
        self.value: Any = None
        self.error: BaseException | None = None
        self.done = threading.Lock()
        self.done.acquire()


class _Runner:
    """A thread that runs the jobs handed to it, one at a time, and waits in between."""

    __slots__ = ("pool", "job", "go", "thread")

    def __init__(self, pool: _Pool) -> None:
        self.pool = pool
        self.job: _Job | None = None
        # A lock used as a binary semaphore: the cheapest wake-up CPython has (an
        # Event or a Condition allocates a lock per wait).
        self.go = threading.Lock()
        self.go.acquire()
        self.thread = threading.Thread(target=self._loop, name=pool.thread_name, daemon=True)

    def _loop(self) -> None:
        setup_error: BaseException | None = None
        if self.pool.offline:
            try:
                offline.go_offline()
            except OSError as error:
                # Never run a job online that was meant to run offline: the job fails
                # (as it did when each query went offline in its own thread).
                setup_error = error
        while True:
            self.go.acquire()
            job = self.job
            self.job = None
            assert job is not None
            if setup_error is not None:
                job.error = setup_error
            else:
                try:
                    assert job.work is not None  # set until the job is done
                    job.value = job.work()
                except BaseException as error:  # re-raised in the caller's thread
                    job.error = _detached(error)
            job.work = None  # the work's closure may hold pyoxigraph objects: drop here
            keep = setup_error is None and self.pool.take_back(self)
            job.done.release()
            del job
            if not keep:
                return


class _Pool:
    """The idle runners of one kind (offline or not), most recently used first."""

    def __init__(self, offline_threads: bool) -> None:
        self.offline = offline_threads
        self.thread_name = "sdkg-query-offline" if offline_threads else "sdkg-query"
        self.idle: list[_Runner] = []
        self.lock = threading.Lock()

    def take_back(self, runner: _Runner) -> bool:
        """Put ``runner`` back among the idle ones; False when enough wait already."""
        with self.lock:
            if len(self.idle) >= MAX_IDLE:
                return False
            self.idle.append(runner)
            return True

    def submit(self, job: _Job) -> None:
        with self.lock:
            runner = self.idle.pop() if self.idle else None
        if runner is None:
            runner = _Runner(self)
            runner.job = job
            runner.go.release()
            runner.thread.start()
            return
        runner.job = job
        runner.go.release()


_POOLS = {True: _Pool(True), False: _Pool(False)}


def run(work: Callable[[], T], seconds: float, *, offline_thread: bool = False) -> T:
    """Run ``work`` in a pooled thread and wait at most ``seconds`` for its value.

    Raises :class:`Timeout` past the limit (``work`` goes on in its thread), else
    returns what ``work`` returned or raises what it raised, without its traceback
    (its frames hold the objects ``work`` made, which are dropped in its own thread).
    With ``offline_thread`` the thread cannot open sockets (:mod:`sdkg.offline`).
    """
    job = _Job(work)
    _POOLS[offline_thread].submit(job)
    if not job.done.acquire(timeout=min(max(seconds, 0.0), threading.TIMEOUT_MAX)):
        raise Timeout(seconds)
    if job.error is not None:
        raise job.error
    return cast(T, job.value)


def _detached(error: BaseException) -> BaseException:
    """``error`` (and the errors chained to it) without tracebacks."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        current.__traceback__ = None
        current = current.__cause__ or current.__context__
    return error


def _forget_parent_runners() -> None:
    # A forked child (a gunicorn worker) has none of its parent's threads.
    for pool in _POOLS.values():
        pool.idle = []
        pool.lock = threading.Lock()


os.register_at_fork(after_in_child=_forget_parent_runners)
