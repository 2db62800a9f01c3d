"""Shared test fixtures: real ``sdkg serve`` processes on free loopback ports.

Use the session fixture ``start_server`` to start one with any arguments::

    def test_x(start_server):
        server = start_server("--memory", "--data", str(ENDPOINT_DATA))
        requests.get(server.sparql, params={"query": "ASK {}"})

Servers are started with ``--port 0`` (the server picks a free port and prints its
URL), log to a file (``server.log_text()``), get a private store folder unless
``--store`` or ``--memory`` is given, run without rate limits unless flags set them
(``UNLIMITED_ENV``), and are stopped at the end of the session.
``endpoint`` is one shared in-memory server over ``tests/fixtures/endpoint``.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

ENDPOINT_DATA = Path(__file__).parent / "fixtures" / "endpoint"
# Servers in tests run without the fair-use limits (tests send bursts from one
# address); tests of the limits set them with flags, which win over the environment.
UNLIMITED_ENV = {"SDKG_RATE_LIMIT": "off", "SDKG_MAX_CONCURRENT_PER_CLIENT": "0"}
SHARED_MAX_ROWS = 20
_URL = re.compile(r"serving SPARQL at (http://\S+/)sparql")


@dataclass
class RunningServer:
    """A started ``sdkg serve`` process."""

    process: subprocess.Popen
    base: str  # "http://127.0.0.1:PORT/"
    log_path: Path

    @property
    def sparql(self) -> str:
        """URL of the SPARQL endpoint."""
        return self.base + "sparql"

    def log_text(self) -> str:
        """Everything the server printed so far."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def health(self) -> dict:
        """The /healthz JSON."""
        response = requests.get(self.base + "healthz", timeout=10)
        response.raise_for_status()
        return response.json()

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> int:
        """Signal the server and wait for it to exit; return its exit code."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


def _start(args: tuple[str, ...], log_path: Path, env: dict[str, str], wait: bool) -> RunningServer:
    command = [sys.executable, "-m", "sdkg.cli", "serve", "--port", "0", *args]
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
    deadline = time.monotonic() + 60
    base = None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            if not wait:
                return RunningServer(process, "", log_path)
            raise RuntimeError(
                f"sdkg serve exited with {process.returncode}:\n{log_path.read_text()}"
            )
        if base is None:
            match = _URL.search(log_path.read_text(errors="replace"))
            base = match.group(1) if match else None
        if base is not None:
            try:
                if requests.get(base + "healthz", timeout=5).status_code == 200:
                    return RunningServer(process, base, log_path)
            except requests.ConnectionError:
                pass
        time.sleep(0.05)
    process.kill()
    raise RuntimeError(f"sdkg serve did not become ready:\n{log_path.read_text()}")


@pytest.fixture(scope="session")
def start_server(tmp_path_factory):
    """Factory: ``start_server(*args, env=None, wait=True) -> RunningServer``.

    With ``wait=False`` a server that exits at once (bad arguments, bad data) is
    returned instead of raising, so its exit code and log can be checked.
    """
    started: list[RunningServer] = []

    def start(*args: str, env: dict[str, str] | None = None, wait: bool = True) -> RunningServer:
        folder = tmp_path_factory.mktemp("server")
        full_env = {
            **os.environ,
            "SDKG_STORE": str(folder / "store"),
            **UNLIMITED_ENV,
            **(env or {}),
        }
        server = _start(tuple(args), folder / "server.log", full_env, wait)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture(scope="session")
def endpoint(start_server) -> RunningServer:
    """One in-memory server over the endpoint fixture data, shared by the test modules."""
    return start_server(
        "--memory",
        "--data",
        str(ENDPOINT_DATA),
        "--max-rows",
        str(SHARED_MAX_ROWS),
        "--max-query-length",
        "5000",
        "--timeout",
        "20",
    )


GRAPH = "https://w3id.org/sdkg/graph/"


ONTOLOGY_GRAPH_NAMES = {"sdkg": "ontology", "shapes": "shapes"}


def load_fixture_dataset(folder: Path = ENDPOINT_DATA):
    """An rdflib Dataset of ``folder`` with sdkg's graph naming: the tests' independent oracle.

    Each file is the graph ``GRAPH + <path without extension>``; TriG / N-Quads files
    keep their own graphs and put their default-graph triples in that graph. The
    bundled ontology, which the server always loads, is there too: ``sdkg.ttl`` as
    ``GRAPH + "ontology"``, ``shapes.ttl`` as ``GRAPH + "shapes"``.
    """
    from rdflib import Dataset, URIRef

    from sdkg.resources import bundled_path

    dataset = Dataset(default_union=True)
    for path in sorted(bundled_path("ontology").glob("*.ttl")):
        name = ONTOLOGY_GRAPH_NAMES.get(path.stem, "ontology/" + path.stem)
        dataset.graph(URIRef(GRAPH + name)).parse(path, format="turtle")
    for path in sorted(folder.rglob("*")):
        formats = {".ttl": "turtle", ".trig": "trig", ".nq": "nquads"}
        if path.suffix not in formats:
            continue
        graph_iri = URIRef(GRAPH + path.relative_to(folder).with_suffix("").as_posix())
        if path.suffix == ".ttl":
            dataset.graph(graph_iri).parse(path, format="turtle")
            continue
        parsed = Dataset()
        parsed.parse(path, format=formats[path.suffix])
        for s, p, o, g in parsed.quads((None, None, None, None)):
            name = g.identifier if hasattr(g, "identifier") else g
            target = graph_iri if name is None or str(name).startswith("urn:x-rdflib:") else name
            dataset.graph(URIRef(str(target))).add((s, p, o))
    return dataset


def load_curated_graph():
    """The bundled curated data (``data/`` without ``data/external/``) and the ontology,
    as one rdflib graph: what the shapes and the fact tests look at."""
    from rdflib import Graph

    from sdkg.resources import ontology_file
    from sdkg.validation import curated_data_files

    graph = Graph()
    for path in curated_data_files():
        graph.parse(path)
    graph.parse(ontology_file())
    return graph
