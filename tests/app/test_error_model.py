"""One error model: each error of sdkg.errors maps to one HTTP answer and one exit status.

The HTTP side is exercised through the app's own error handlers (a route raising each
error, answered by Flask's test client); the command side through ``sdkg query``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from support.servers import ENDPOINT_DATA

from sdkg import errors
from sdkg.config import Settings
from sdkg.contributions import ContributionError
from sdkg.negotiation import NotAcceptable
from sdkg.protocol import ProtocolError
from sdkg.store import open_local_store
from sdkg.web import create_app

FIXTURES = ENDPOINT_DATA

#: Each error, the status and message a client gets, and the exit status of a command.
CASES = [
    (errors.QuerySyntaxError("syntax error at line 1, column 1: expected SELECT"), 400, 2),
    (errors.QueryRejected("cannot run this query: no such function"), 400, 1),
    (errors.ServiceRefused("SERVICE <http://x.example/> is not allowed"), 403, 2),
    (errors.ServiceFailed("a SERVICE endpoint failed: refused"), 502, 1),
    (errors.QueryTimeout(2), 503, 1),
    (errors.StoreUnavailable(502, "the SPARQL store failed (HTTP 500)"), 502, 1),
    (errors.StoreUnavailable(503, "the SPARQL store cannot be reached"), 503, 1),
    (errors.StoreReadOnly("the store is read-only for sdkg"), 403, 1),
    (ProtocolError(415, "unsupported Content-Type"), 415, 1),
    (ContributionError(422, "the contribution does not conform"), 422, 1),
    (NotAcceptable("cannot send text/x-unknown; ask for one of: ..."), 406, 1),
]


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    settings = Settings(memory=True, data_dir=FIXTURES, rate_limit=0,
                        store_dir=tmp_path_factory.mktemp("store"))  # fmt: skip
    app = create_app(settings)

    @app.route("/raise/<int:number>")
    def raising(number: int):
        raise CASES[number][0]

    return app.test_client()


@pytest.mark.parametrize("number", range(len(CASES)), ids=[type(c[0]).__name__ for c in CASES])
def test_each_error_has_its_http_status_and_its_message(client, number: int) -> None:
    error, status, _ = CASES[number]
    response = client.get(f"/raise/{number}")
    assert response.status_code == status
    assert response.get_data(as_text=True) == str(error).rstrip("\n") + "\n"
    assert response.mimetype == "text/plain"
    retry = isinstance(error, errors.QueryTimeout | errors.StoreUnavailable)
    assert ("Retry-After" in response.headers) == retry


@pytest.mark.parametrize("number", range(len(CASES)), ids=[type(c[0]).__name__ for c in CASES])
def test_each_error_has_its_exit_status(number: int) -> None:
    error, _, exit_status = CASES[number]
    assert errors.exit_status(error) == exit_status


def test_an_error_outside_the_model_is_a_500_without_internals(client) -> None:
    assert errors.exit_status(RuntimeError("a bug")) == errors.EXIT_ERROR
    response = client.get("/raise/99")  # IndexError in the test route: a bug
    assert response.status_code == 500
    assert response.get_data(as_text=True) == "internal server error; it has been logged\n"


def test_the_embedded_store_raises_the_model_at_its_boundary(tmp_path: Path) -> None:
    store = open_local_store(Settings(memory=True, data_dir=FIXTURES, store_dir=tmp_path))
    with pytest.raises(errors.QuerySyntaxError) as syntax:
        store.query("SELECT ?s WHERE { ?s ?p }")
    assert str(syntax.value).startswith("syntax error at line 1, column")
    assert "^" in str(syntax.value)  # the pointer under the error
    assert isinstance(syntax.value, SyntaxError)  # as pyoxigraph's own, for API users
    with pytest.raises(errors.QueryRejected) as rejected:
        store.query("SELECT (<http://example.org/no-such-function>(1) AS ?x) WHERE {}")
    assert str(rejected.value).startswith("cannot run this query:")
    result = store.query("ASK { ?s ?p ?o }")
    assert isinstance(result, ox.QueryBoolean) and bool(result)


def sdkg_query(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "sdkg.cli", "query", "--memory", "--data", str(FIXTURES),
               *args]  # fmt: skip
    return subprocess.run(command, capture_output=True, text=True, timeout=120,
                          env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})  # fmt: skip


def test_sdkg_query_with_a_syntax_error_exits_2_with_the_pointer_and_no_traceback(
    tmp_path: Path,
) -> None:
    result = sdkg_query(tmp_path, "--query", "SELECT ?s WHERE { ?s ?p }")
    assert result.returncode == errors.EXIT_USAGE == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("syntax error at line 1, column")
    assert result.stdout == ""


def test_sdkg_query_refused_by_the_engine_exits_1_with_one_line(tmp_path: Path) -> None:
    query = "SELECT (<http://example.org/no-such-function>(1) AS ?x) WHERE {}"
    result = sdkg_query(tmp_path, "--query", query)
    assert result.returncode == errors.EXIT_ERROR == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("cannot run this query:")
    assert len(result.stderr.strip().splitlines()) == 1
