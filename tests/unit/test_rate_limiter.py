"""Unit tests of the fair-use limits (sdkg.limits): the token buckets on a clock the test
moves, the concurrency cap, whose limit a client counts against, and how rates are read.

The same limits through a real server (429, Retry-After, exemptions, workers) are in
``tests/server/test_limits.py``.
"""

from __future__ import annotations

import pytest

from sdkg.config import parse_rate
from sdkg.web import limits
from sdkg.web.limits import ConcurrencyCap, TokenBuckets, client_key


class Clock:
    """A clock that only moves when the test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def test_a_full_bucket_grants_the_burst_then_says_when_a_token_is_back(clock):
    buckets = TokenBuckets(rate=4.0, burst=3, clock=clock)
    assert [buckets.take("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert buckets.take("a") == pytest.approx(0.25)  # one token at 4 per second


def test_tokens_come_back_at_the_rate(clock):
    buckets = TokenBuckets(rate=2.0, burst=2, clock=clock)
    buckets.take("a"), buckets.take("a")
    wait = buckets.take("a")
    assert wait == pytest.approx(0.5)
    clock.now += wait
    assert buckets.take("a") == 0.0
    assert buckets.take("a") > 0.0


def test_a_refused_request_takes_nothing(clock):
    buckets = TokenBuckets(rate=1.0, burst=1, clock=clock)
    buckets.take("a")
    clock.now += 0.5
    # Asking again and again while empty does not push the next token further away.
    assert buckets.take("a") == pytest.approx(0.5)
    assert buckets.take("a") == pytest.approx(0.5)
    clock.now += 0.5
    assert buckets.take("a") == 0.0


def test_an_idle_client_gets_at_most_a_full_bucket(clock):
    buckets = TokenBuckets(rate=10.0, burst=3, clock=clock)
    for _ in range(3):
        buckets.take("a")
    clock.now += 3600
    assert [buckets.take("a") == 0.0 for _ in range(4)] == [True, True, True, False]


def test_each_client_has_its_own_bucket(clock):
    buckets = TokenBuckets(rate=1.0, burst=1, clock=clock)
    assert buckets.take("a") == 0.0
    assert buckets.take("a") > 0.0
    assert buckets.take("b") == 0.0


def test_past_the_most_clients_the_longest_idle_is_forgotten(clock, monkeypatch):
    monkeypatch.setattr(limits, "_MAX_CLIENTS", 2)
    buckets = TokenBuckets(rate=1.0, burst=1, clock=clock)
    for client in ("a", "b"):
        buckets.take(client)
    buckets.take("a")  # refused, and now the most recently seen
    buckets.take("c")  # a third client: "b", the longest idle, is forgotten
    assert buckets.take("a") > 0.0  # still empty: remembered
    assert buckets.take("b") == 0.0  # a full bucket again


def test_concurrency_cap_counts_per_client_and_frees_on_leave():
    cap = ConcurrencyCap(2)
    assert cap.enter("a") and cap.enter("a")
    assert not cap.enter("a")
    assert cap.enter("b")
    cap.leave("a")
    assert cap.enter("a")
    assert not cap.enter("a")


def test_a_refused_entry_is_not_counted():
    cap = ConcurrencyCap(1)
    assert cap.enter("a")
    assert not cap.enter("a")
    cap.leave("a")  # the one request that entered
    assert cap.enter("a")


@pytest.mark.parametrize(
    ("address", "key"),
    [
        ("192.0.2.7", "192.0.2.7"),
        # An IPv6 subscriber usually gets a /64: its addresses share one limit.
        ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:bbbb::9", "2001:db8:1:2::/64"),
        ("::ffff:192.0.2.7", "192.0.2.7"),
        (None, "unknown"),
        ("", "unknown"),
        ("/run/sdkg.sock", "/run/sdkg.sock"),
    ],
)
def test_the_key_a_limit_counts_against(address, key):
    assert client_key(address) == key


@pytest.mark.parametrize(
    ("text", "per_second"),
    [("20/s", 20.0), ("600/min", 10.0), ("7200/h", 2.0), ("2.5", 2.5), ("off", 0.0)],
)
def test_rates_are_read_per_time_unit(text, per_second):
    assert parse_rate(text) == per_second
