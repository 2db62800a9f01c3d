"""The threads that run queries under a deadline are reused, and never make work wait."""

from __future__ import annotations

import multiprocessing
import threading

import pytest

from sdkg.errors import QueryTimeout
from sdkg.querying import run_with_deadline


def test_work_past_its_deadline_does_not_hold_up_the_next() -> None:
    release = threading.Event()
    with pytest.raises(QueryTimeout):
        run_with_deadline(lambda: release.wait(60), 0.2, limit=7)
    try:
        # The first work still runs (its thread is busy); the next one gets another thread.
        assert run_with_deadline(lambda: threading.current_thread().name, 30) == "sdkg-query"
        assert not release.is_set()
    finally:
        release.set()


def test_the_limit_is_named_in_the_timeout() -> None:
    release = threading.Event()
    try:
        with pytest.raises(QueryTimeout) as stopped:
            run_with_deadline(lambda: release.wait(60), 0.1, limit=7)
        assert stopped.value.seconds == 7
        assert "exceeded the 7 s limit" in str(stopped.value)
    finally:
        release.set()


def test_threads_are_reused_and_errors_come_back() -> None:
    names = {run_with_deadline(lambda: threading.get_ident(), 30) for _ in range(20)}
    assert len(names) < 20  # reused, not one thread per call
    with pytest.raises(ZeroDivisionError):
        run_with_deadline(lambda: 1 / 0, 30)


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
