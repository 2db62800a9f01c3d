"""Faults: the store folder on a full disk, a worker killed mid-request, slow queries.

Each gives clear errors to clients, the service recovers when the fault ends, and
nothing stored is lost. The full disk is a real one: a small tmpfs (needs root and
``mount``; skipped, saying so, where they are missing).
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest
import requests
from support.robustness import RUNAWAY, STORE_ARGS, metric, scrape, slow_query, wait_for
from support.servers import ENDPOINT_DATA

COUNT_QUADS = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
GRAPHS = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"


def answer(server, query: str) -> str:
    response = requests.get(server.sparql, params={"query": query, "format": "csv"}, timeout=30)
    assert response.status_code == 200, response.text
    return response.text


# ------------------------------------------------------------------ full disk


@pytest.fixture
def small_disk(tmp_path):
    """A 16 MB tmpfs: a disk of its own that a test can fill."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("a full disk needs root and mount (for a small tmpfs)")
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(mount_point)],
        capture_output=True, text=True,
    )  # fmt: skip
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    yield mount_point
    subprocess.run(["umount", "-l", str(mount_point)], check=False)


def fill(disk: Path) -> Path:
    """Write a file until the disk is full; return it (delete it to end the fault)."""
    filler = disk / "filler"
    descriptor = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o644)
    size = 1 << 20
    try:
        while size >= 512:  # ever smaller writes fill the last blocks too
            try:
                os.write(descriptor, b"\0" * size)
            except OSError as error:
                assert error.errno == errno.ENOSPC
                size //= 2
    finally:
        os.close(descriptor)
    assert shutil.disk_usage(disk).free < 4096
    return filler


def test_store_on_a_full_disk(start_server, small_disk, tmp_path):
    store = small_disk / "store"
    data = tmp_path / "data"
    shutil.copytree(ENDPOINT_DATA, data)
    server = start_server("--store", str(store), "--data", str(data))
    before = {query: answer(server, query) for query in (COUNT_QUADS, GRAPHS)}
    assert int(before[COUNT_QUADS].split()[1]) > 0

    # The disk fills while the server runs: queries are answered from memory.
    filler = fill(small_disk)
    for query, expected in before.items():
        assert answer(server, query) == expected
    assert server.health()["status"] == "ok"
    assert server.stop() == 0

    # A start on the full disk, with a changed data file to load, stops with a clear
    # message and a failure status.
    with (data / "organizations.ttl").open("a", encoding="utf-8") as handle:
        handle.write('\n<https://w3id.org/sdkg/id/new-org> <http://www.w3.org/2000/01/'
                     'rdf-schema#label> "New organization"@en .\n')  # fmt: skip
    failed = start_server("--store", str(store), "--data", str(data), wait=False)
    assert failed.process.wait(60) == 1
    log = failed.log_text()
    assert "No space left on device" in log
    assert f"The disk holding the store {store} is full" in log
    assert "Free space on that disk, or use another store folder (--store DIR)" in log
    assert "Traceback" not in log

    # Space is back: the next start finishes the sync; nothing that was there is lost.
    filler.unlink()
    recovered = start_server("--store", str(store), "--data", str(data))
    assert recovered.health()["sync"]["loaded"] == ["data/organizations.ttl"]
    assert answer(recovered, GRAPHS) == before[GRAPHS]
    assert int(answer(recovered, COUNT_QUADS).split()[1]) == (
        int(before[COUNT_QUADS].split()[1]) + 1
    )
    assert "New organization" in answer(
        recovered, "SELECT ?l WHERE { <https://w3id.org/sdkg/id/new-org> ?p ?l }"
    )
    assert not list(store.glob("*.tmp"))  # no half-written file left holding space
    recovered.stop()


# ------------------------------------------------------------------ killed worker


def test_worker_killed_mid_request(start_server):
    server = start_server(*STORE_ARGS, "--workers", "1", "--timeout", "60")
    victim = server.health()["pid"]
    outcome: dict = {}

    def slow_client() -> None:
        try:
            requests.get(server.sparql, params={"query": slow_query(60)}, timeout=120)
        except requests.ConnectionError as error:
            outcome["error"] = error
        else:
            outcome["error"] = None

    client = threading.Thread(target=slow_client)
    client.start()
    assert wait_for(lambda: metric(scrape(server.base), "sdkg_http_requests_in_progress") >= 2)
    killed_at = time.monotonic()
    os.kill(victim, signal.SIGKILL)
    client.join(30)
    # The client learns at once that its request failed (no hang, no wrong answer).
    assert not client.is_alive()
    assert isinstance(outcome["error"], requests.ConnectionError)
    assert time.monotonic() - killed_at < 10

    # Requests sent while the worker is replaced wait for the new one: none fails.
    statuses = [
        requests.get(server.sparql, params={"query": "ASK { ?s ?p ?o }"}, timeout=60).status_code
        for _ in range(5)
    ]
    assert statuses == [200] * 5
    health = server.health()
    assert health["pid"] != victim
    assert health["triples"] > 0
    log = server.log_text()
    assert re.search(rf"Worker \(pid:{victim}\) was sent SIGKILL", log), log[-2000:]
    assert len(re.findall(r"Booting worker", log)) == 2
    assert server.process.poll() is None


# ------------------------------------------------------------------ slow queries


def test_slow_queries_from_one_client_do_not_starve_the_others(start_server):
    server = start_server(
        *STORE_ARGS, "--workers", "2", "--threads", "4", "--timeout", "2", "--trust-proxy", "1",
        "--max-concurrent-per-client", "2", "--rate-limit", "off",
    )  # fmt: skip
    heavy = {"X-Forwarded-For": "203.0.113.66"}
    light = {"X-Forwarded-For": "198.51.100.1"}
    before = scrape(server.base)
    statuses: list[int] = []
    texts: list[str] = []
    heavy_answers: list[float] = []  # when each heavy query's answer arrived

    def heavy_client() -> None:
        response = requests.get(server.sparql, params={"query": RUNAWAY}, headers=heavy, timeout=60)
        statuses.append(response.status_code)
        texts.append(response.text)
        heavy_answers.append(time.monotonic())

    flood = [threading.Thread(target=heavy_client) for _ in range(6)]
    for thread in flood:
        thread.start()
    # Meanwhile another client is served, quickly.
    light_answers = []  # when each light query's answer arrived
    while any(thread.is_alive() for thread in flood):
        response = requests.get(
            server.sparql, params={"query": "ASK { ?s ?p ?o }"}, headers=light, timeout=60
        )
        assert response.status_code == 200
        light_answers.append(time.monotonic())
        time.sleep(0.05)
    for thread in flood:
        thread.join()

    # The heavy client: at most 2 at once per worker process ran and were stopped at
    # the time limit with a clear 503; the others were refused at once with a 429.
    assert sorted(set(statuses)) <= [429, 503] and statuses.count(503) >= 2
    assert statuses.count(429) >= 2
    for status, text in zip(statuses, texts, strict=True):
        expected = "exceeded the 2 s limit" if status == 503 else "too many requests at once"
        assert expected in text
    # The order of events: the light client was answered while heavy queries still ran.
    assert light_answers and light_answers[0] < max(heavy_answers)

    # The workers that ran them are recycled; the service is back to normal and the
    # timeouts show in /metrics.
    def recovered() -> bool:
        try:
            return answer(server, COUNT_QUADS).startswith("n\r\n")
        except (requests.ConnectionError, AssertionError):
            return False

    assert wait_for(recovered, timeout=30)
    after = scrape(server.base)
    timeouts = metric(after, "sdkg_query_timeouts_total") - metric(
        before, "sdkg_query_timeouts_total"
    )
    assert timeouts == statuses.count(503)
    concurrency = metric(after, "sdkg_rejections_total", reason="concurrency") - metric(
        before, "sdkg_rejections_total", reason="concurrency"
    )
    assert concurrency == statuses.count(429)
    assert server.process.poll() is None


def test_contributions_on_a_full_disk(start_server, small_disk, tmp_path):
    from support.contributing import fellowship, post, write_tokens

    args = (
        "--memory", "--contributions", str(small_disk / "contributions"),
        "--tokens-file", str(write_tokens(tmp_path)),
    )  # fmt: skip
    server = start_server(*args)
    first = post(server.base, "contributions", fellowship("disk-first"))
    assert first.status_code == 201, first.text

    filler = fill(small_disk)
    refused = post(server.base, "contributions", fellowship("disk-second"))
    assert refused.status_code == 507, refused.text
    assert "disk is full" in refused.text and "nothing was stored" in refused.text
    listed = requests.get(server.base + "contributions", timeout=30).json()
    assert [c["id"] for c in listed["contributions"]] == [first.headers["Location"].rsplit("/")[-1]]
    assert not list((small_disk / "contributions").glob("*.tmp"))

    filler.unlink()  # the fault ends: the same contribution now lands
    second = post(server.base, "contributions", fellowship("disk-second"))
    assert second.status_code == 201, second.text
    assert server.stop() == 0
    restarted = start_server(*args)
    ids = {c["id"] for c in requests.get(restarted.base + "contributions", timeout=30).json()[
        "contributions"]}  # fmt: skip
    assert ids == {r.headers["Location"].rsplit("/")[-1] for r in (first, second)}
