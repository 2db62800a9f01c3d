"""sdkg.answer_cache.AnswerCache through its Python API: what is kept, for how long, and
identical requests arriving together sharing one computation."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from sdkg.answer_cache import ENTRY_OVERHEAD, Answer, AnswerCache


def answer_of(text: str, size: int = 10) -> Answer:
    return Answer(text.encode().ljust(size, b"."), (("Content-Type", "text/plain"),))


def test_a_kept_answer_is_returned_without_computing_it_again() -> None:
    cache = AnswerCache(1 << 20, min_seconds=0)
    assert cache.answer("g1", "q", lambda: answer_of("one")) == (answer_of("one"), "stored")
    found, outcome = cache.answer("g1", "q", lambda: pytest.fail("computed again"))
    assert (found, outcome) == (answer_of("one"), "hit")


def test_a_new_generation_drops_every_answer_and_an_old_one_keeps_none() -> None:
    cache = AnswerCache(1 << 20, min_seconds=0)
    cache.answer("g1", "q", lambda: answer_of("old"))
    assert cache.answer("g2", "q", lambda: answer_of("new")) == (answer_of("new"), "stored")
    assert len(cache) == 1
    # A slow request of the older generation: answered, not kept, not found.
    assert cache.answer("g1", "q", lambda: answer_of("old")) == (answer_of("old"), "miss")
    assert cache.answer("g2", "q", lambda: answer_of("x")) == (answer_of("new"), "hit")


def test_the_least_recently_used_answers_go_first_past_the_bytes_allowed() -> None:
    each = ENTRY_OVERHEAD + 20  # what a 20-byte answer counts for
    cache = AnswerCache(5 * each, min_seconds=0)
    for name in ("a", "b", "c", "d"):
        cache.answer("g", name, lambda name=name: answer_of(name, 20))
    assert cache.size == 4 * each
    cache.answer("g", "a", lambda: pytest.fail("a was dropped"))  # a is now the newest
    cache.answer("g", "e", lambda: answer_of("e", 20))
    assert cache.size == 5 * each
    cache.answer("g", "f", lambda: answer_of("f", 20))  # one too many: b (least recent) goes
    assert cache.size == 5 * each
    assert cache.answer("g", "b", lambda: answer_of("b2", 20))[1] == "stored"
    for kept in ("a", "e", "f"):
        assert cache.answer("g", kept, lambda: answer_of("?"))[1] == "hit"


def test_many_small_answers_count_their_keeping_too() -> None:
    cache = AnswerCache(10 * ENTRY_OVERHEAD, min_seconds=0)
    for number in range(100):
        cache.answer("g", number, lambda: Answer(b"1"))
    assert len(cache) == 9  # 9 x (1 + 512) bytes fit in 5,120; 10 do not
    assert cache.size <= 10 * ENTRY_OVERHEAD


def test_what_is_too_big_too_quick_or_not_to_be_kept_is_not_kept() -> None:
    small = AnswerCache(4 * (ENTRY_OVERHEAD + 10), min_seconds=0)  # a quarter: 10 bytes
    assert small.answer("g", "big", lambda: answer_of("big", 11))[1] == "miss"
    assert small.answer("g", "fits", lambda: answer_of("fits", 10))[1] == "stored"
    quick = AnswerCache(1 << 20, min_seconds=60)  # no computation here takes a minute
    assert quick.answer("g", "q", lambda: answer_of("q"))[1] == "miss"
    page = Answer(b"<html>", keep=False)
    assert small.answer("g", "page", lambda: page)[1] == "miss"
    assert len(small) == 1 and len(quick) == 0


def test_identical_requests_arriving_together_share_one_computation() -> None:
    cache = AnswerCache(1 << 20, min_seconds=0)
    release = threading.Event()
    computed: list[str] = []

    def slow() -> Answer:
        computed.append("first")
        release.wait(60)
        return answer_of("shared")

    with ThreadPoolExecutor(5) as pool:
        first = pool.submit(cache.answer, "g", "q", slow)
        while not computed:
            threading.Event().wait(0.01)
        others = [pool.submit(cache.answer, "g", "q", lambda: answer_of("again")) for _ in range(4)]
        while cache.waiting < 4:  # every other request is waiting for the first
            threading.Event().wait(0.01)
        release.set()
        assert first.result() == (answer_of("shared"), "stored")
        assert [other.result() for other in others] == [(answer_of("shared"), "shared")] * 4
    assert computed == ["first"] and cache.waiting == 0


def test_when_the_first_fails_the_waiting_requests_compute_for_themselves() -> None:
    cache = AnswerCache(1 << 20, min_seconds=0)
    started, release = threading.Event(), threading.Event()

    def failing() -> Answer:
        started.set()
        release.wait(60)
        raise TimeoutError("the first request's query ran out of time")

    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(cache.answer, "g", "q", failing)
        started.wait(60)
        second = pool.submit(cache.answer, "g", "q", lambda: answer_of("own"))
        while cache.waiting < 1:
            threading.Event().wait(0.01)
        release.set()
        with pytest.raises(TimeoutError):
            first.result()
        assert second.result() == (answer_of("own"), "miss")


def test_a_waiting_request_stops_waiting_at_its_own_time_limit() -> None:
    cache = AnswerCache(1 << 20, min_seconds=0)
    started, release = threading.Event(), threading.Event()
    events: list[str] = []

    def slow() -> Answer:
        started.set()
        release.wait(60)
        events.append("first finished")
        return answer_of("late")

    def own() -> Answer:
        events.append("second computed its own")
        return answer_of("own")

    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(cache.answer, "g", "q", slow)
        started.wait(60)
        assert cache.answer("g", "q", own, wait_seconds=lambda: 0.05) == (answer_of("own"), "miss")
        release.set()
        assert first.result()[0] == answer_of("late")
    assert events == ["second computed its own", "first finished"]
