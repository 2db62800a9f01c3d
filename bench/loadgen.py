"""A mixed, bounded load on a running sdkg server; used by ``bench_load.py`` and the tests.

The mix (:func:`build_mix`): the named queries of ``queries/`` (federated ones left out:
nothing may leave loopback), lookups of entities by IRI (DESCRIBE), the Service
Description, VoID and ``/healthz``, and, where the server has them, page views
(``/``, ``/id/<slug>``, ``/search``, the ``/sparql`` page) and validations
(``POST /validate``).

Each client is a thread with its own keep-alive session that sends requests from the mix
in turn, starting at a different place. Before the run every request is sent once
alone; under load an answer is an error when its status differs or, for answers that do
not change between requests, its body does: concurrency must not change answers.
"""

from __future__ import annotations

import hashlib
import random
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import requests

ROOT = Path(__file__).resolve().parent.parent
# Typed entities, as the index gives them: no ORDER BY, so that at 10 million triples the
# query stops after 60 instead of sorting every subject (same store, same 60 each time).
ENTITY_IRIS = (
    "SELECT DISTINCT ?s WHERE { ?s a ?type "
    'FILTER(STRSTARTS(STR(?s), "https://w3id.org/sdkg/id/")) } LIMIT 60'
)
VALIDATION_BODY = b"""@prefix sdkg: <https://w3id.org/sdkg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://w3id.org/sdkg/id/load-test-centre> a sdkg:CentreOfExcellence ;
    rdfs:label "Load test centre"@en .
"""


@dataclass(frozen=True)
class Call:
    """One request of the mix."""

    kind: str  # "query", "lookup", "page", "validation", "description", "health"
    method: str
    path: str
    params: tuple[tuple[str, str], ...] = ()
    body: bytes | None = None
    headers: tuple[tuple[str, str], ...] = ()
    #: False for answers that change between requests (health: pid; pages: none known).
    stable: bool = True

    def send(self, session: requests.Session, base: str) -> requests.Response:
        """Send it on ``session``."""
        return session.request(
            self.method, base + self.path, params=self.params or None, data=self.body,
            headers=dict(self.headers), timeout=120,
        )  # fmt: skip


def named_queries() -> list[str]:
    """The texts of queries/*.rq (not queries/federated/)."""
    return [path.read_text(encoding="utf-8") for path in sorted((ROOT / "queries").glob("*.rq"))]


def has_route(base: str, method: str, path: str) -> bool:
    """True if the server knows ``path`` (other parts may not be merged yet)."""
    # A first page view at 10 million triples builds the label index: minutes, not seconds.
    return requests.request(method, base + path, timeout=900).status_code != 404


def build_mix(base: str) -> list[Call]:
    """The request mix for the server at ``base``."""
    form = (("Content-Type", "application/x-www-form-urlencoded"),)
    json_accept = (("Accept", "application/sparql-results+json"),)
    calls = [
        Call("query", "POST", "sparql", body=_form(text), headers=form + json_accept)
        for text in named_queries()
    ]
    found = requests.get(base + "sparql", params={"query": ENTITY_IRIS}, timeout=30)
    found.raise_for_status()
    iris = [row["s"]["value"] for row in found.json()["results"]["bindings"]]
    turtle = (("Accept", "text/turtle"),)
    calls += [
        Call("lookup", "GET", "sparql", (("query", f"DESCRIBE <{iri}>"),), headers=turtle)
        for iri in iris
    ]
    calls += [
        Call("description", "GET", "sparql", headers=turtle),
        Call("description", "GET", ".well-known/void", headers=turtle),
        Call("health", "GET", "healthz", stable=False),
    ]
    html = (("Accept", "text/html"),)
    calls.append(Call("page", "GET", "sparql", headers=html))
    if has_route(base, "GET", ""):
        calls.append(Call("page", "GET", "", headers=html))
    slugs = [iri.rsplit("/", 1)[1] for iri in iris[:20]]
    if has_route(base, "GET", f"id/{slugs[0]}"):
        calls += [Call("page", "GET", f"id/{slug}", headers=html) for slug in slugs]
    if has_route(base, "GET", "search"):
        for word in ("academy", "centre", "science", "TWAS"):
            calls.append(Call("page", "GET", "search", (("q", word),), headers=html))
    if has_route(base, "POST", "validate"):
        turtle_body = (("Content-Type", "text/turtle"),)
        calls.append(Call("validation", "POST", "validate", body=VALIDATION_BODY,
                          headers=turtle_body))  # fmt: skip
    return calls


def _form(query: str) -> bytes:
    return urlencode({"query": query}).encode()


@dataclass
class Expected:
    """The answer a call gets when sent alone."""

    status: int
    digest: str | None  # None: the body may change between requests


@dataclass
class LoadResult:
    """What a load run measured."""

    seconds: float
    latencies: dict[str, list[float]] = field(default_factory=dict)  # by kind, seconds
    errors: list[str] = field(default_factory=list)

    @property
    def requests(self) -> int:
        """Requests answered (errors included)."""
        return sum(len(values) for values in self.latencies.values())

    @property
    def throughput(self) -> float:
        """Requests per second."""
        return self.requests / self.seconds

    def percentile(self, fraction: float, kind: str | None = None) -> float:
        """Latency percentile in seconds (all kinds, or one)."""
        values = sorted(
            self.latencies.get(kind, [])
            if kind
            else [v for vs in self.latencies.values() for v in vs]
        )
        if not values:
            return float("nan")
        return values[min(len(values) - 1, int(fraction * len(values)))]


def expected_answers(base: str, calls: list[Call]) -> list[Expected]:
    """Each call once, alone: its status and (for stable answers) body digest.

    Raises RuntimeError when a call fails on an idle server (a wrong mix, not load).
    """
    expected = []
    with requests.Session() as session:
        for call in calls:
            response = call.send(session, base)
            if response.status_code >= 400 and call.kind != "validation":
                raise RuntimeError(
                    f"{call.method} /{call.path} fails on an idle server: "
                    f"{response.status_code} {response.text[:300]}"
                )
            if response.status_code >= 500:
                raise RuntimeError(f"validation fails on an idle server: {response.text[:300]}")
            digest = _digest(response.content) if call.stable else None
            expected.append(Expected(response.status_code, digest))
    return expected


def _digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def run_load(
    base: str, calls: list[Call], expected: list[Expected], clients: int, seconds: float
) -> LoadResult:
    """``clients`` threads send ``calls`` for ``seconds``; compare with ``expected``."""
    result = LoadResult(seconds=seconds)
    lock = threading.Lock()
    stop = time.monotonic() + seconds
    start_line = threading.Barrier(clients)

    def client(number: int) -> None:
        order = list(range(len(calls)))
        random.Random(number).shuffle(order)
        latencies: dict[str, list[float]] = {}
        errors: list[str] = []
        with requests.Session() as session:
            start_line.wait()
            position = 0
            while time.monotonic() < stop:
                index = order[position % len(order)]
                position += 1
                call, wanted = calls[index], expected[index]
                started = time.perf_counter()
                try:
                    response = call.send(session, base)
                    body = response.content
                except requests.RequestException as error:
                    errors.append(f"{call.method} /{call.path}: {type(error).__name__}")
                    continue
                finally:
                    latencies.setdefault(call.kind, []).append(time.perf_counter() - started)
                if response.status_code != wanted.status:
                    errors.append(f"{call.method} /{call.path}: status {response.status_code} "
                                  f"instead of {wanted.status}: {body[:200]!r}")  # fmt: skip
                elif wanted.digest is not None and _digest(body) != wanted.digest:
                    errors.append(f"{call.method} /{call.path}: answer differs under load")
        with lock:
            for kind, values in latencies.items():
                result.latencies.setdefault(kind, []).extend(values)
            result.errors.extend(errors)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.seconds = time.monotonic() - started
    return result


_URL = re.compile(r"serving SPARQL at (http://\S+/)sparql")


@contextmanager
def serve_in_background(args: list[str], log_path: Path) -> Iterator[tuple[str, int]]:
    """Start ``sdkg serve --port 0 ARGS``; yield (base URL, arbiter pid); stop it after."""
    command = [sys.executable, "-m", "sdkg.cli", "serve", "--port", "0", *args]
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 1800  # a large store takes minutes to warm
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"sdkg serve exited:\n{log_path.read_text()}")
            match = _URL.search(log_path.read_text(errors="replace"))
            if match and _answers(match.group(1)):
                yield match.group(1), process.pid
                return
            time.sleep(0.1)
        raise RuntimeError(f"sdkg serve did not start:\n{log_path.read_text()}")
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _answers(base: str) -> bool:
    try:
        health = requests.get(base + "healthz", timeout=5)
    except (requests.ConnectionError, requests.Timeout):
        return False  # not listening yet, or too busy starting to answer
    return health.status_code == 200 and not health.json().get("warming")
