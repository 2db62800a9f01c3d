"""Fair use: per-client rate limit (429 + Retry-After), concurrency cap, trusted proxies."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import pytest
import requests
from support.robustness import STORE_ARGS, metric, scrape, slow_query, wait_for

from sdkg.config import Settings

ASK = {"query": "ASK { ?s ?p ?o }"}


def ask(server, headers: dict[str, str] | None = None) -> requests.Response:
    return requests.get(server.sparql, params=ASK, headers=headers, timeout=30)


def requests_until_refused(server, limit: int, headers: dict[str, str] | None = None):
    """Send queries until one is refused; return (number answered before, the refusal)."""
    for answered in range(limit):
        response = ask(server, headers)
        if response.status_code != 200:
            return answered, response
    pytest.fail(f"no request was refused in {limit}")


@pytest.fixture(scope="module")
def rate_limited(start_server):
    """Behind one trusted proxy: 30 requests per minute in bursts of 5; no concurrency cap.

    Each test names its own client addresses (X-Forwarded-For), so buckets start full.
    """
    return start_server(
        *STORE_ARGS, "--trust-proxy", "1", "--rate-limit", "30/min", "--rate-burst", "5",
        "--max-concurrent-per-client", "0",
    )  # fmt: skip


def client(address: str) -> dict[str, str]:
    return {"X-Forwarded-For": address}


def test_past_the_burst_a_client_gets_429_with_retry_after(rate_limited):
    answered, refused = requests_until_refused(rate_limited, 20, client("203.0.113.1"))
    assert answered == 5  # the burst; refilling one more takes 2 s at 30/min
    assert refused.status_code == 429
    retry_after = int(refused.headers["Retry-After"])
    assert retry_after == 2
    assert refused.headers["Content-Type"].startswith("text/plain")
    assert refused.text == (
        "too many requests from 203.0.113.1: the limit is 0.5 per second, "
        "in bursts of up to 5; retry after 2 s\n"
    )
    # Browsers' scripts can read the refusal (CORS, as on every /sparql answer).
    assert refused.headers["Access-Control-Allow-Origin"] == "*"
    time.sleep(retry_after)
    assert ask(rate_limited, client("203.0.113.1")).status_code == 200


def test_probes_and_metrics_are_not_limited(rate_limited):
    requests_until_refused(rate_limited, 20, client("203.0.113.2"))
    for path in ("healthz", "metrics"):
        for _ in range(10):
            response = requests.get(rate_limited.base + path, headers=client("203.0.113.2"))
            assert response.status_code == 200


def test_each_client_has_its_own_limit(rate_limited):
    requests_until_refused(rate_limited, 20, client("203.0.113.3"))
    assert ask(rate_limited, client("198.51.100.7")).status_code == 200
    # IPv6 clients are counted by /64 network: a subscriber's other addresses share it.
    _, refused = requests_until_refused(rate_limited, 20, client("2001:db8:1:2::1"))
    assert "from 2001:db8:1:2::/64:" in refused.text
    assert ask(rate_limited, client("2001:db8:1:2::2")).status_code == 429
    assert ask(rate_limited, client("2001:db8:1:3::1")).status_code == 200


def test_concurrent_requests_past_the_cap_get_429(start_server):
    server = start_server(
        *STORE_ARGS, "--max-concurrent-per-client", "2", "--rate-limit", "off",
        "--threads", "8", "--timeout", "60",
    )  # fmt: skip
    slow = {"query": slow_query(12)}
    statuses: list[int] = []

    def run_slow() -> None:
        statuses.append(requests.get(server.sparql, params=slow, timeout=120).status_code)

    runners = [threading.Thread(target=run_slow) for _ in range(2)]
    for runner in runners:
        runner.start()
    # Both slow queries are running (the scrape itself is not counted against the cap).
    assert wait_for(
        lambda: metric(scrape(server.base), "sdkg_http_requests_in_progress") >= 3, timeout=30
    )
    refused = ask(server)
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "1"
    assert refused.text == (
        "too many requests at once from 127.0.0.1: at most 2 may run at the same time; "
        "wait for one to finish, then retry\n"
    )
    assert requests.get(server.base + "healthz", timeout=10).status_code == 200
    for runner in runners:
        runner.join()
    assert statuses == [200, 200]
    # Slots come back after every kind of answer, errors included.
    for query in ["SELECT * WHERE {", "INSERT DATA { <a:b> <a:c> <a:d> }", "ASK {}"] * 3:
        status = requests.get(server.sparql, params={"query": query}, timeout=10).status_code
        assert status in (200, 400, 403)
    assert ask(server).status_code == 200


def test_limits_are_on_by_default_and_ignore_forwarded_for(start_server):
    # The test fixture turns the limits off through the environment; empty values
    # mean "not set", so this server runs with the defaults.
    server = start_server(
        *STORE_ARGS, env={"SDKG_RATE_LIMIT": "", "SDKG_MAX_CONCURRENT_PER_CLIENT": ""}
    )
    defaults = Settings()
    assert (defaults.rate_limit, defaults.rate_burst) == (20.0, 100)
    started = time.monotonic()
    answered, refused = requests_until_refused(server, 400)
    refill = int((time.monotonic() - started) * defaults.rate_limit) + 1
    assert defaults.rate_burst <= answered <= defaults.rate_burst + refill
    assert "the limit is 20 per second, in bursts of up to 100" in refused.text
    # Without --trust-proxy a client cannot escape its limit by naming another address.
    _, refused = requests_until_refused(server, 20, client("198.51.100.1"))
    assert refused.text.startswith("too many requests from 127.0.0.1: ")
    assert metric(scrape(server.base), "sdkg_rejections_total", reason="rate_limited") >= 2


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["--rate-limit", "5/fortnight"], {}, "rate limit '5/fortnight' is not understood"),
        (["--rate-limit", "-3/s"], {}, "rate limit '-3/s' is not understood"),
        ([], {"SDKG_RATE_LIMIT": "lots"}, "SDKG_RATE_LIMIT: rate limit 'lots' is not"),
        (["--rate-burst", "0"], {}, "rate-burst must be at least 1"),
        (["--max-concurrent-per-client", "-1"], {}, "max-concurrent-per-client must not be"),
        (["--trust-proxy", "-2"], {}, "trust-proxy must not be negative"),
        (["--answer-cache-mb", "-1"], {}, "answer-cache-mb must be 0 (keep no answers) or more"),
    ],
)
def test_bad_limit_settings_stop_the_start_with_a_message(args, env, message):
    import os

    result = subprocess.run(
        [sys.executable, "-m", "sdkg.cli", "serve", "--memory", "--port", "0", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **env},
    )
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
