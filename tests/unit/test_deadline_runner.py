"""sdkg.querying's deadline: the timeout names the limit, and a forked process runs work
without its parent's threads.

The query threads themselves (reused, given up on past the deadline, errors handed
back) are tested in test_query_threads.py.
"""

from __future__ import annotations

import multiprocessing
import threading

import pytest

from sdkg.errors import QueryTimeout
from sdkg.querying import run_with_deadline


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
