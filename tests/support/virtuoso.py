"""A throwaway Virtuoso on 127.0.0.1: for the test suite's ``virtuoso`` backend and by hand.

    python tests/support/virtuoso.py DIR     # or: .ci/virtuoso DIR

starts Debian's ``virtuoso-t`` (package ``virtuoso-opensource-7-bin``) with its database in
DIR on two free ports, creates the user ``sdkg`` with SPARQL Update rights (digest auth
on ``/sparql-auth`` and the Graph Store endpoint ``/sparql-graph-crud-auth``), prints the
settings for ``sdkg serve`` and runs until Ctrl-C.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import requests

SERVER_BINARY = "virtuoso-t"
SQL_BINARY = "isql-vt"
USER = "sdkg"

_INI = """\
[Database]
DatabaseFile = {folder}/virtuoso.db
ErrorLogFile = {folder}/virtuoso.log
LockFile = {folder}/virtuoso.lck
TransactionFile = {folder}/virtuoso.trx
xa_persistent_file = {folder}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {folder}/virtuoso-temp.db
TransactionFile = {folder}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
ServerThreads = 20
CheckpointInterval = 60
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty_buffers}
DirsAllowed = ., {folder}
ThreadCleanupInterval = 0
ResourcesCleanupInterval = 0

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {folder}
ServerThreads = 20
MaxClientConnections = 20
MaxKeepAlives = 20
KeepAliveTimeout = 10

[SPARQL]
; Above sdkg's row cap, so sdkg's cap (flagged to clients) is the one that bites.
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 120
MaxQueryCostEstimationTime = 0
"""


def missing_binaries() -> list[str]:
    """The Virtuoso programs not on PATH (empty when Virtuoso can run here)."""
    return [b for b in (SERVER_BINARY, SQL_BINARY) if shutil.which(b) is None]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Virtuoso:
    """A running throwaway Virtuoso."""

    process: subprocess.Popen
    folder: Path
    http_port: int
    sql_port: int
    password: str

    @property
    def query_url(self) -> str:
        """The authenticated SPARQL endpoint (query and update, digest auth)."""
        return f"http://127.0.0.1:{self.http_port}/sparql-auth"

    @property
    def graph_url(self) -> str:
        """The authenticated Graph Store Protocol endpoint."""
        return f"http://127.0.0.1:{self.http_port}/sparql-graph-crud-auth"

    def sdkg_args(self) -> list[str]:
        """``sdkg serve`` options that put sdkg in front of this store."""
        return ["--store-url", self.query_url, "--store-graph-url", self.graph_url]

    def sdkg_env(self) -> dict[str, str]:
        """The credentials, as sdkg reads them."""
        return {"SDKG_STORE_USER": USER, "SDKG_STORE_PASSWORD": self.password}

    def start_again(self) -> None:
        """Start the stopped server again on the same database and ports."""
        self.process = _launch(self.folder)
        _wait_until_up(self.process, self.folder, self.http_port, 60)

    def stop(self, timeout: float = 30) -> None:
        """Stop the server and wait for it (``timeout`` seconds, then kill it)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_virtuoso(folder: Path, *, buffers: int = 10_000, timeout: float = 60) -> Virtuoso:
    """Start Virtuoso on a new database in ``folder``; return when it answers SPARQL."""
    folder = folder.resolve()
    folder.mkdir(parents=True, exist_ok=True)
    http_port, sql_port = _free_port(), _free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(
        _INI.format(
            folder=folder,
            http_port=http_port,
            sql_port=sql_port,
            buffers=buffers,
            dirty_buffers=buffers * 3 // 4,
        )
    )
    process = _launch(folder)
    _wait_until_up(process, folder, http_port, timeout)
    password = secrets.token_hex(12)
    # A user with SPARQL Update rights and read/write on every graph (3 = read + write;
    # no "sponge" bit, so the store never fetches IRIs from the web).
    _sql(
        sql_port,
        f"DB.DBA.USER_CREATE('{USER}', '{password}'); "
        f'GRANT SPARQL_UPDATE TO "{USER}"; '
        f"DB.DBA.RDF_DEFAULT_USER_PERMS_SET('{USER}', 3);",
    )
    return Virtuoso(process, folder, http_port, sql_port, password)


def _launch(folder: Path) -> subprocess.Popen:
    with (folder / "stdout.log").open("ab") as log:
        return subprocess.Popen(
            [SERVER_BINARY, "+configfile", str(folder / "virtuoso.ini"), "+foreground"],
            cwd=folder,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def _wait_until_up(process: subprocess.Popen, folder: Path, http_port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    url = f"http://127.0.0.1:{http_port}/sparql"
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"virtuoso-t exited:\n{(folder / 'stdout.log').read_text()}")
        try:
            if requests.get(url, params={"query": "ASK {}"}, timeout=5).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        if time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"virtuoso-t did not start:\n{(folder / 'stdout.log').read_text()}")
        time.sleep(0.1)


def _sql(port: int, statements: str) -> None:
    result = subprocess.run(
        [SQL_BINARY, f"127.0.0.1:{port}", "dba", "dba", f"exec={statements}"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    if result.returncode != 0 or "Error" in result.stdout + result.stderr:
        raise RuntimeError(f"isql failed:\n{result.stdout}\n{result.stderr}")


def main(argv: list[str]) -> int:
    """Run a throwaway Virtuoso in the folder given, until interrupted."""
    if len(argv) != 1:
        print("usage: tests/support/virtuoso.py DIR", file=sys.stderr)
        return 2
    missing = missing_binaries()
    if missing:
        print(f"not found: {', '.join(missing)}; apt-get install virtuoso-opensource-7-bin",
              file=sys.stderr)  # fmt: skip
        return 1
    virtuoso = start_virtuoso(Path(argv[0]))
    print(f"Virtuoso on 127.0.0.1:{virtuoso.http_port} (database in {virtuoso.folder})")
    print("Serve sdkg in front of it with:")
    for name, value in virtuoso.sdkg_env().items():
        print(f"  export {name}={value}")
    print("  sdkg serve " + " ".join(virtuoso.sdkg_args()), flush=True)
    # SIGTERM (kill, timeout) stops Virtuoso too, as Ctrl-C does: no server left behind.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        virtuoso.process.wait()
    except KeyboardInterrupt:
        pass
    finally:
        virtuoso.stop()
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main(sys.argv[1:]))
