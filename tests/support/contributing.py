"""Helpers for the contribution tests: tokens, requests, dumps, and a hard kill."""

from __future__ import annotations

import contextlib
import gzip
import os
import re
import signal
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

TOKEN = "test-token-alice-0123456789"
OTHER_TOKEN = "test-token-bob-9876543210"
ALICE = "https://orcid.org/0000-0002-1825-0097"
BOB = "Bob Example"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
HOSTILE = FIXTURES / "hostile"
GATE = FIXTURES / "gate"
#: An accepted contribution whose Wikidata link nothing in the graph verifies, and the
#: entity page it marks (the gate report tests and the accessibility tests use it).
UNVERIFIED_CASE = GATE / "accepted-identity-unverified-wikidata-warned.ttl"
UNVERIFIED_IRI = "http://www.wikidata.org/entity/Q4855937"
UNVERIFIED_ENTITY = "bangladesh-academy-of-sciences"

PREFIXES = """@prefix sdkg: <https://w3id.org/sdkg/ontology#> .
@prefix id: <https://w3id.org/sdkg/id/> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix schema: <https://schema.org/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
"""

#: A contribution the gate refuses (a founding date that is not a date), for the forms.
BROKEN_CONTRIBUTION = """@prefix sdkg: <https://w3id.org/sdkg/ontology#> .
@prefix id: <https://w3id.org/sdkg/id/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix schema: <https://schema.org/> .

id:new-centre a sdkg:CentreOfExcellence ;
    rdfs:label "A new centre"@en ;
    schema:foundingDate "nineteen-ninety" .
"""


def write_tokens(folder: Path) -> Path:
    """A tokens file with a comment, Alice (an IRI) and Bob (a name)."""
    path = folder / "tokens"
    path.write_text(
        f"# contribution tokens\n\n{TOKEN} {ALICE}\n{OTHER_TOKEN} {BOB}\n", encoding="utf-8"
    )
    return path


def fellowship(slug: str, host: str = "id:ustc") -> str:
    """A conforming contribution: a new person and a fellowship hosted by ``host``."""
    return (
        PREFIXES
        + f"""
id:{slug} a foaf:Person ;
    rdfs:label "Fellow {slug}"@en ;
    dcterms:source id:cas-twas-science-diplomacy-essay .

id:{slug}-fellowship a sdkg:Fellowship ;
    rdfs:label "Fellowship of {slug}"@en ;
    org:member id:{slug} ;
    org:organization {host} ;
    sdkg:programme id:cas-twas-presidents-fellowship ;
    dcterms:source id:cas-twas-science-diplomacy-essay .
"""
    )


def post(
    base: str,
    path: str,
    body: str | bytes,
    *,
    content_type: str = "text/turtle",
    token: str | None = TOKEN,
    headers: dict[str, str] | None = None,
) -> requests.Response:
    """POST ``body`` to ``base + path`` with a bearer token (unless ``token`` is None)."""
    sent = {"Content-Type": content_type, **(headers or {})}
    if token is not None:
        sent["Authorization"] = f"Bearer {token}"
    data = body.encode("utf-8") if isinstance(body, str) else body
    return requests.post(base + path, data=data, headers=sent, timeout=60)


def submit(
    client: FlaskClient,
    path: str,
    body: str | bytes,
    *,
    content_type: str = "text/turtle",
    token: str | None = TOKEN,
    headers: dict[str, str] | None = None,
) -> TestResponse:
    """:func:`post` to an app in-process: ``body`` to ``path`` through Flask's test client."""
    sent = {"Content-Type": content_type, "Accept": "*/*", **(headers or {})}
    if token is not None:
        sent["Authorization"] = f"Bearer {token}"
    data = body.encode("utf-8") if isinstance(body, str) else body
    return client.post(path, data=data, headers=sent)


_BLANK = re.compile(r"_:[A-Za-z0-9]+")


def dump_lines(base: str) -> list[str]:
    """The whole store as sorted N-Quads lines (from ``GET /dump.nq.gz``), blank node
    labels blanked out: each worker process labels its blank nodes differently."""
    response = requests.get(base + "dump.nq.gz", timeout=60)
    response.raise_for_status()
    text = gzip.decompress(response.content).decode("utf-8")
    return sorted(_BLANK.sub("_:", line) for line in text.splitlines())


def _results(base: str, query: str, session: requests.Session | None = None) -> dict:
    """The SPARQL JSON results of ``query`` on the endpoint at ``base`` (through
    ``session`` when given: a test that must reach a given worker keeps its connection)."""
    response = (session or requests).post(
        base + "sparql",
        data={"query": query},
        headers={"Accept": "application/sparql-results+json"},
        timeout=60,
    )
    response.raise_for_status()
    return response.json()


def ask(base: str, query: str) -> bool:
    """The answer of a SPARQL ASK query."""
    return _results(base, query)["boolean"]


def bindings(base: str, query: str, session: requests.Session | None = None) -> list[dict]:
    """The rows of a SPARQL SELECT query, as the JSON results give them."""
    return _results(base, query, session)["results"]["bindings"]


def withdraw(base: str, cid: str, token: str = TOKEN) -> requests.Response:
    """DELETE the contribution ``cid`` with a bearer token."""
    return requests.delete(
        base + f"contributions/{cid}", headers={"Authorization": f"Bearer {token}"}, timeout=60
    )


def both_workers(server, check, tries: int = 300) -> set[int]:
    """Ask /healthz until two worker pids answered, each time checking ``check(health)``.

    The requests go eight at a time, each on a new connection: asked one after the
    other, the kernel may hand every connection to the same (idle) worker.
    """

    def health(_: int) -> dict:
        with requests.Session() as session:
            return session.get(server.base + "healthz", timeout=30).json()

    seen: set[int] = set()
    with ThreadPoolExecutor(8) as pool:
        for _ in range(0, tries, 8):
            for answer in pool.map(health, range(8)):
                assert check(answer), answer
                seen.add(answer["pid"])
            if len(seen) == 2:
                return seen
    pytest.fail(f"only worker(s) {seen} answered")


def process_tree(pid: int) -> list[int]:
    """``pid`` and all its descendants (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def kill_hard(process) -> None:
    """SIGKILL a server and all its workers at once, as a power cut would."""
    os.kill(process.pid, signal.SIGSTOP)  # the arbiter must not start new workers
    for pid in process_tree(process.pid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    process.wait(30)
