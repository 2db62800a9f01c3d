"""GET /metrics: Prometheus text format, counted over every worker process."""

from __future__ import annotations

import re
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from support.robustness import RUNAWAY, STORE_ARGS, metric, scrape, wait_for


@pytest.fixture(scope="module")
def two_workers(start_server):
    """Two worker processes, so figures must be added up across processes."""
    return start_server(
        *STORE_ARGS, "--workers", "2", "--max-query-length", "200", "--timeout", "2"
    )


def fresh_get(url: str, **params: str) -> requests.Response:
    """A request on a new connection, so the kernel may hand it to either worker."""
    with requests.Session() as session:
        return session.get(url, params=params, headers={"Connection": "close"}, timeout=30)


def test_exposition_is_prometheus_text(two_workers):
    too_long = "ASK { " + "?s ?p ?o . " * 30 + "}"
    assert fresh_get(two_workers.sparql, query=too_long).status_code == 413
    response = requests.get(two_workers.base + "metrics", timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
    names = {name for name, _ in scrape(two_workers.base)}
    assert {
        "sdkg_http_requests_total",
        "sdkg_http_request_duration_seconds_bucket",
        "sdkg_http_request_duration_seconds_count",
        "sdkg_http_request_duration_seconds_sum",
        "sdkg_http_requests_in_progress",
        "sdkg_query_timeouts_total",
        "sdkg_rejections_total",
        "sdkg_store_triples",
        "sdkg_store_graphs",
    } <= names


def test_openmetrics_is_served_to_scrapers_that_ask(two_workers):
    accept = "application/openmetrics-text; version=1.0.0"
    response = requests.get(two_workers.base + "metrics", headers={"Accept": accept})
    assert response.headers["Content-Type"].startswith(accept)
    assert response.text.endswith("# EOF\n")
    assert "\n# TYPE sdkg_query_timeouts counter\n" in response.text


def test_requests_are_counted_by_route_and_status_over_all_workers(two_workers):
    before = scrape(two_workers.base)
    queries = ["SELECT * WHERE {" if n % 4 == 0 else "ASK { ?s ?p ?o }" for n in range(40)]
    # Requests in parallel, so that one worker is busy when the next connection arrives
    # and the other takes it: one after the other, the kernel may give all to one worker.
    with ThreadPoolExecutor(8) as pool:
        statuses = list(
            pool.map(lambda q: fresh_get(two_workers.sparql, query=q).status_code, queries)
        )
        health_asked, pids = 0, set()
        while len(pids) < 2 and health_asked < 800:
            burst = list(pool.map(lambda _: fresh_get(two_workers.base + "healthz"), range(40)))
            health_asked += len(burst)
            pids |= {response.json()["pid"] for response in burst}
    answers = {status: statuses.count(status) for status in set(statuses)}
    assert answers == {200: 30, 400: 10}
    assert len(pids) == 2  # both processes answered some of them
    # Whichever worker answers the scrape, the totals are the same and exact.
    for _ in range(4):
        after = scrape(two_workers.base)
        for status, count in answers.items():
            labels = {"route": "/sparql", "method": "GET", "status": str(status)}
            added = metric(after, "sdkg_http_requests_total", **labels) - metric(
                before, "sdkg_http_requests_total", **labels
            )
            assert added == count
        # Each answer of the 30 good queries went through the answer cache one way or
        # another (computed, kept, found kept or shared); the 10 bad ones never did.
        outcomes = ("miss", "stored", "hit", "shared")
        assert (
            sum(
                metric(after, "sdkg_answer_cache_total", outcome=outcome)
                - metric(before, "sdkg_answer_cache_total", outcome=outcome)
                for outcome in outcomes
            )
            == answers[200]
        )
        healthz = {"route": "/healthz", "method": "GET", "status": "200"}
        assert (
            metric(after, "sdkg_http_requests_total", **healthz)
            - metric(before, "sdkg_http_requests_total", **healthz)
            == health_asked
        )


def test_latency_histogram_is_cumulative_and_complete(two_workers):
    fresh_get(two_workers.sparql, query="ASK {}")
    samples = scrape(two_workers.base)
    name = "sdkg_http_request_duration_seconds"
    buckets = sorted(
        (float(dict(labels)["le"]), value)
        for (sample, labels), value in samples.items()
        if sample == name + "_bucket" and dict(labels)["route"] == "/sparql"
    )
    counts = [value for _, value in buckets]
    assert buckets[-1][0] == float("inf")
    assert counts == sorted(counts)  # cumulative
    assert counts[-1] == metric(samples, name + "_count", route="/sparql") > 0
    assert 0 < metric(samples, name + "_sum", route="/sparql") < counts[-1] * 2


def test_random_paths_do_not_grow_the_label_set(two_workers):
    before = scrape(two_workers.base)
    for n in range(5):
        assert fresh_get(two_workers.base + f"wp-admin/probe-{n}.php").status_code == 404
    response = requests.get(two_workers.base + "metrics", timeout=10)
    assert "probe-" not in response.text
    unmatched = {"route": "unmatched", "method": "GET", "status": "404"}
    after = scrape(two_workers.base)
    assert (
        metric(after, "sdkg_http_requests_total", **unmatched)
        - metric(before, "sdkg_http_requests_total", **unmatched)
        == 5
    )


def test_rejections_are_counted_by_reason(two_workers):
    before = scrape(two_workers.base)
    too_long = "ASK { " + "?s ?p ?o . " * 30 + "}"
    assert fresh_get(two_workers.sparql, query=too_long).status_code == 413
    update = "INSERT DATA { <urn:a> <urn:b> <urn:c> }"
    assert fresh_get(two_workers.sparql, query=update).status_code == 403
    after = scrape(two_workers.base)
    for reason in ("too_large", "forbidden"):
        added = metric(after, "sdkg_rejections_total", reason=reason) - metric(
            before, "sdkg_rejections_total", reason=reason
        )
        assert added == 1


def test_store_size_matches_healthz(two_workers):
    health = two_workers.health()
    samples = scrape(two_workers.base)
    assert metric(samples, "sdkg_store_triples") == health["triples"] > 0
    assert metric(samples, "sdkg_store_graphs") == health["graphs"] > 0


def test_timeouts_are_counted_and_survive_the_recycled_worker(two_workers):
    before = scrape(two_workers.base)
    response = fresh_get(two_workers.sparql, query=RUNAWAY)
    assert response.status_code == 503
    match = re.search(r"recycling worker (\d+)", two_workers.log_text())
    assert match
    proc = Path(f"/proc/{match.group(1)}")
    assert wait_for(lambda: not proc.exists(), timeout=30)
    time.sleep(0.5)
    after = scrape(two_workers.base)
    assert (
        metric(after, "sdkg_query_timeouts_total") - metric(before, "sdkg_query_timeouts_total")
        == 1
    )
    # Nothing counted by the process that is gone was lost: the totals grew by exactly
    # the scrape before and the timed-out query.
    assert total(after, "sdkg_http_requests_total") - total(before, "sdkg_http_requests_total") == 2


def total(samples, name: str) -> float:
    return sum(value for (sample, _), value in samples.items() if sample == name)
