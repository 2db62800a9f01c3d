"""The long-lived query threads (sdkg.querythreads): reused, kept offline, never blocked.

Each query runs in a pooled thread the request thread can give up on. These tests use
real threads and real sockets (loopback only): a thread is reused for the next query,
an offline thread stays unable to open sockets on every later job while ordinary ones
can, a thread stuck past its time limit is passed over (the next query gets another),
and it serves again once its work ends.
"""

from __future__ import annotations

import socket
import threading
import time

import pytest

from sdkg import offline, querythreads

needs_seccomp = pytest.mark.skipif(not offline.available(), reason="no seccomp filters here")


def can_open_socket() -> bool:
    try:
        socket.socket(socket.AF_INET, socket.SOCK_STREAM).close()
    except PermissionError:
        return False
    return True


def test_a_thread_serves_one_query_after_another():
    first = querythreads.run(threading.get_ident, 5)
    second = querythreads.run(threading.get_ident, 5)
    assert first == second
    assert first != threading.get_ident()


def test_the_value_and_the_error_of_the_work_reach_the_caller_without_traceback():
    assert querythreads.run(lambda: 6 * 7, 5) == 42

    def fail() -> None:
        try:
            raise KeyError("inner")
        except KeyError as cause:
            raise ValueError("the work failed") from cause

    with pytest.raises(ValueError, match="the work failed") as raised:
        querythreads.run(fail, 5)
    # The traceback's frames would hold the work's objects in the caller's thread.
    assert raised.value.__cause__ is not None
    assert raised.value.__cause__.__traceback__ is None


@needs_seccomp
def test_offline_threads_stay_offline_and_ordinary_ones_stay_online():
    outcomes = []
    for _ in range(3):  # interleaved, so that each kind of thread is reused
        outcomes.append(("offline", querythreads.run(can_open_socket, 5, offline_thread=True)))
        outcomes.append(("online", querythreads.run(can_open_socket, 5)))
    assert outcomes == [("offline", False), ("online", True)] * 3
    offline_ids = {querythreads.run(threading.get_ident, 5, offline_thread=True) for _ in "ab"}
    online_ids = {querythreads.run(threading.get_ident, 5) for _ in "ab"}
    assert not offline_ids & online_ids


def test_a_stuck_query_is_given_up_and_the_next_one_gets_another_thread():
    release = threading.Event()
    stuck: list[int] = []

    def hang() -> str:
        stuck.append(threading.get_ident())
        release.wait(60)
        return "late"

    with pytest.raises(querythreads.Timeout):
        querythreads.run(hang, 0.2)
    try:
        other = querythreads.run(threading.get_ident, 5)
        assert stuck and other != stuck[0]
    finally:
        release.set()
    # Once its work ends, the stuck thread waits for jobs again (it is not lost for good).
    pool = querythreads._POOLS[False]
    for _ in range(1000):
        if stuck[0] in {runner.thread.ident for runner in pool.idle}:
            break
        time.sleep(0.01)  # the stuck thread's work ends in its own time
    assert stuck[0] in {runner.thread.ident for runner in pool.idle}


def test_concurrent_queries_each_get_a_thread_and_idle_ones_are_bounded():
    count = querythreads.MAX_IDLE + 4
    barrier = threading.Barrier(count)
    idents: list[int] = []

    def meet() -> None:
        barrier.wait(30)  # only passes when all run at once, each in its own thread
        idents.append(threading.get_ident())

    callers = [threading.Thread(target=querythreads.run, args=(meet, 60)) for _ in range(count)]
    for caller in callers:
        caller.start()
    for caller in callers:
        caller.join(60)
    assert len(set(idents)) == count
    pool = querythreads._POOLS[False]
    assert len(pool.idle) <= querythreads.MAX_IDLE
