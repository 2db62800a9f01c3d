"""Real ``sdkg serve`` processes on free loopback ports: fixtures for the ``server`` tests.

A pytest plugin (``pytest_plugins`` in ``tests/conftest.py``), so its fixtures are
available to every test module by name.

Use the session fixture ``start_server`` to start one with any arguments::

    def test_x(start_server):
        server = start_server("--memory", "--data", str(ENDPOINT_DATA))
        requests.get(server.sparql, params={"query": "ASK {}"})

Servers are started with ``--port 0`` (the server picks a free port and prints its
URL), log to a file (``server.log_text()``), get a private store folder unless
``--store`` or ``--memory`` is given, run without rate limits unless flags set them
(``UNLIMITED_ENV``), and are stopped at the end of the session.

Backends: ``endpoint`` is one shared server over ``tests/fixtures/endpoint`` for each
store backend in :data:`BACKENDS`, so every test using it runs twice: on the embedded
store (``--memory``) and in front of a real Virtuoso (``virtuoso``; skipped, with the
reason, only where Debian's ``virtuoso-opensource-7-bin`` is not installed, and an error
instead under ``SDKG_TEST_REQUIRE_VIRTUOSO=1`` as in CI). Tests starting their own
servers take the ``backend`` parameter and ``store_args(backend, name)``: each ``name``
(one dataset) gets its own Virtuoso database, started once per session.
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

from support import virtuoso as virtuoso_support

ENDPOINT_DATA = Path(__file__).resolve().parents[1] / "fixtures" / "endpoint"
BACKENDS = ("oxigraph", "virtuoso")
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
    backend: str = "oxigraph"

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
            # Not listening yet, or too busy starting (loading a store) to answer in time:
            # ask again until the deadline.
            except (requests.ConnectionError, requests.Timeout):
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
    # Signal them all, then wait: each takes a second or two to drain its workers, and
    # one after the other that added up to a minute and a half at the end of a run.
    for server in started:
        if server.process.poll() is None:
            server.process.send_signal(signal.SIGTERM)
    for server in started:
        server.stop(timeout=5)  # the run is over: a server still draining is killed


@pytest.fixture(scope="session")
def virtuoso_stores(tmp_path_factory):
    """Factory: ``virtuoso_stores(name) -> Virtuoso``, one throwaway database per name."""
    missing = virtuoso_support.missing_binaries()
    if missing:
        reason = (
            f"{', '.join(missing)} not installed (Debian package virtuoso-opensource-7-bin; "
            ".ci/system-packages installs it)"
        )
        if os.environ.get("SDKG_TEST_REQUIRE_VIRTUOSO") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    running: dict[str, virtuoso_support.Virtuoso] = {}

    def get(name: str) -> virtuoso_support.Virtuoso:
        if name not in running:
            folder = tmp_path_factory.mktemp(f"virtuoso-{name}")
            running[name] = virtuoso_support.start_virtuoso(folder)
        return running[name]

    yield get
    for virtuoso in running.values():  # all signalled first, as in start_server
        if virtuoso.process.poll() is None:
            virtuoso.process.send_signal(signal.SIGTERM)
    for virtuoso in running.values():
        virtuoso.stop(timeout=5)  # throwaway databases: no need to wait for a checkpoint


@pytest.fixture(scope="session")
def store_args(request):
    """Factory: ``store_args(backend, name) -> (args, env)`` choosing the store of a server.

    ``oxigraph`` is the embedded store in memory; ``virtuoso`` a Virtuoso database kept
    for ``name``: servers given the same name share it (and must serve the same files).
    """

    def args_for(backend: str, name: str) -> tuple[list[str], dict[str, str]]:
        if backend == "oxigraph":
            return ["--memory"], {}
        virtuoso = request.getfixturevalue("virtuoso_stores")(name)
        return virtuoso.sdkg_args(), virtuoso.sdkg_env()

    return args_for


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    """The store backend a test runs on: each test taking it runs once per backend."""
    return request.param


def start_on(start_server, store_args, backend: str, name: str, *args: str, **kwargs):
    """Start a server on ``backend`` (store ``name`` for Virtuoso) with more arguments."""
    backend_args, env = store_args(backend, name)
    server = start_server(*backend_args, *args, env={**env, **kwargs.pop("env", {})}, **kwargs)
    server.backend = backend
    return server


@pytest.fixture(scope="session", params=BACKENDS)
def endpoint(request, start_server, store_args) -> RunningServer:
    """One server over the endpoint fixture data per backend, shared by the test modules."""
    return start_on(
        start_server,
        store_args,
        request.param,
        "endpoint",
        "--data",
        str(ENDPOINT_DATA),
        "--max-rows",
        str(SHARED_MAX_ROWS),
        "--max-query-length",
        "5000",
        "--timeout",
        "20",
    )
