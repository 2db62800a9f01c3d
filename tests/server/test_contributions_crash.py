"""Kill -9 during a burst of contributions, restart: every 201 is there, nothing partial."""

from __future__ import annotations

import random
import threading
import time

import requests
from rdflib import Graph
from support.contributing import ask, fellowship, kill_hard, post, write_tokens

GRAPH = "https://w3id.org/sdkg/graph/contribution/"
ROUNDS = 3
SENDERS = 4


def burst(base: str, stop: threading.Event, acknowledged: list[str], tag: str) -> None:
    """Post contributions until ``stop``; record the ids that got a 201."""
    number = 0
    while not stop.is_set():
        number += 1
        try:
            response = post(base, "contributions", fellowship(f"{tag}-{number}"))
        except requests.RequestException:
            return  # the server died under us: this one was never acknowledged
        if response.status_code == 201:
            acknowledged.append(response.json()["id"])


def test_killed_server_keeps_every_acknowledged_contribution(
    start_server, store_args, backend, tmp_path
):
    tokens = write_tokens(tmp_path)
    store, folder = tmp_path / "store", tmp_path / "contributions"
    if backend == "oxigraph":
        store_option, store_env = ["--store", str(store)], {}
    else:
        store_option, store_env = store_args(backend, "crash")
    args = (*store_option, "--contributions", str(folder), "--workers", "2")
    env = {"SDKG_TOKENS_FILE": str(tokens), **store_env}
    acknowledged: list[str] = []
    rng = random.Random(4)
    for round_number in range(ROUNDS):
        server = start_server(*args, env=env)
        stop = threading.Event()
        senders = [
            threading.Thread(
                target=burst, args=(server.base, stop, acknowledged, f"r{round_number}s{i}")
            )
            for i in range(SENDERS)
        ]
        already = len(acknowledged)
        for sender in senders:
            sender.start()
        deadline = time.monotonic() + 60
        while len(acknowledged) < already + 3 and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(rng.uniform(0, 0.3))  # kill at an arbitrary moment of the burst
        kill_hard(server.process)
        stop.set()
        for sender in senders:
            sender.join(60)
        assert len(acknowledged) >= already + 3
        # A write that a crash cut short: a temporary file with half a contribution.
        half = folder / "20200101-000000-000000-0badf00d.ttl.tmp"
        half.write_bytes(fellowship("half").encode()[:200])

        restarted = start_server(*args, env=env)
        listed = requests.get(restarted.base + "contributions", timeout=30).json()
        ids = {c["id"] for c in listed["contributions"] if c["status"] == "active"}
        assert set(acknowledged) <= ids
        for cid in acknowledged:
            assert ask(restarted.base, f"ASK {{ GRAPH <{GRAPH}{cid}> {{ ?s ?p ?o }} }}"), cid
        # No partial contribution: the temporary file is gone, every file is whole.
        assert not half.exists()
        assert sorted(p.name for p in folder.glob("*.tmp")) == []
        stored = sorted(folder.glob("*.ttl"))
        assert {p.stem for p in stored} == ids
        for path in stored:
            graph = Graph().parse(path, format="turtle")
            assert len(graph) >= 9 + 6, path  # the fellowship and its provenance
        kill_hard(restarted.process)
