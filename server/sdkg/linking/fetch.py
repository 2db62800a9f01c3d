"""``sdkg link fetch``: pull declared facts about our linked entities from a SPARQL endpoint.

For every external IRI of the source that our data links to, the source's
CONSTRUCT template (``link_sources.toml``) is sent in batches (one ``VALUES``
block per batch). The answers, with PROV (endpoint, query, retrieval time),
become ``data/external/<source>.ttl``; that file is replaced only after every
batch succeeded, so a failure leaves the previous cache as it was.

Answers are untrusted input: each is read within a time and a size limit and parsed
with the same safe parser as contributions (:func:`sdkg.rdfio.parse_rdf`).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

import click
import requests
import urllib3
from rdflib import DCTERMS, PROV, RDF, Graph, Literal, URIRef

from sdkg import formats
from sdkg.durable import write_atomically
from sdkg.linking import cache
from sdkg.linking.contributed import check_labels, contributed_links, record_confirmations
from sdkg.linking.errors import LinkingError
from sdkg.linking.ourdata import linked_iris, load_our_data
from sdkg.linking.sources import IRIS_PLACEHOLDER, HttpPolicy, Mapping, Source
from sdkg.rdfio import ParseLimits, RDFInputError, parse_rdf

RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})
# What we ask for, best first; how rdflib reads each answer comes from sdkg.formats.
ACCEPT = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"

#: An answer larger than this, or with more triples, is refused (one batch of facts is
#: a few hundred kilobytes); the whole answer must also arrive within the request timeout.
ANSWER_LIMITS = ParseLimits(max_bytes=32 * 1024 * 1024, max_triples=500_000)


class _SlowAnswer(Exception):
    """The answer was still arriving when the time limit passed."""


def _too_large(endpoint: str, limit: int) -> str:
    return (
        f"{endpoint} sent an answer larger than the limit of {limit} bytes; "
        "use a smaller --batch-size"
    )


@dataclass(frozen=True)
class FetchResult:
    """What ``fetch`` did, for the command to report."""

    source: str
    endpoint: str
    entities: int
    batches: int
    triples: int
    out: Path
    #: Of ``entities``, the unverified links of contributions (not linked from our data).
    contributed: int = 0
    #: Contributed links whose fetched record has (or has not) the entity's name.
    confirmed: int = 0
    mismatched: int = 0


def render_query(template: str, iris: list[URIRef]) -> str:
    """The template with one batch of IRIs in its VALUES block."""
    return template.replace(IRIS_PLACEHOLDER, " ".join(iri.n3() for iri in iris))


def retry_after_seconds(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delay-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


class SparqlClient:
    """Sends SPARQL queries to one endpoint: User-Agent, timeouts, retries with backoff.

    A 429/5xx answer, a timeout or a refused connection is retried up to
    ``policy.max_retries`` times, waiting what the server's ``Retry-After``
    asks for or else ``backoff * 2**n`` seconds, never more than ``max_wait``.
    Other HTTP errors (a 400 for a bad query, a 403) are not retried.
    """

    def __init__(self, endpoint: str, policy: HttpPolicy, say: Callable[[str], None]) -> None:
        self.endpoint = endpoint
        self.policy = policy
        self.say = say
        self.session = requests.Session()
        self.session.headers["User-Agent"] = policy.user_agent

    def construct(self, query: str) -> Graph:
        """Run a CONSTRUCT query and return its triples.

        The answer is parsed like a contribution (:func:`sdkg.rdfio.parse_rdf`): no remote
        JSON-LD context is fetched, RDF/XML with a DTD or entities is refused, and it must
        stay within :data:`ANSWER_LIMITS`.
        """
        media_type, body = self._post(query)
        found = formats.by_media_type(media_type, "graph")
        rdf_format = found.rdflib if found is not None else None
        if rdf_format is None:
            raise LinkingError(
                f"{self.endpoint} answered with {media_type or 'no content type'}, "
                f"not RDF (asked for {ACCEPT})"
            )
        try:
            return parse_rdf(body, rdf_format, name=f"the answer of {self.endpoint}",
                             limits=ANSWER_LIMITS)  # fmt: skip
        except RDFInputError as exc:
            raise LinkingError(f"{self.endpoint} sent {media_type} that is refused: {exc}") from exc

    def _read(self, response: requests.Response, started: float) -> bytes:
        """The whole body, or :class:`_SlowAnswer` past the time limit, or LinkingError
        over the size limit; read as it arrives, so a trickle cannot hold us."""
        limit = ANSWER_LIMITS.max_bytes or 0
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > limit:
            response.close()
            raise LinkingError(_too_large(self.endpoint, limit))
        chunks, size = [], 0
        with response:
            while chunk := response.raw.read1(65536, decode_content=True):
                size += len(chunk)
                if size > limit:
                    raise LinkingError(_too_large(self.endpoint, limit))
                if time.monotonic() - started > self.policy.timeout:
                    raise _SlowAnswer
                chunks.append(chunk)
        return b"".join(chunks)

    def _post(self, query: str) -> tuple[str, bytes]:
        attempts = self.policy.max_retries + 1
        for attempt in range(1, attempts + 1):
            wait = min(self.policy.backoff * 2 ** (attempt - 1), self.policy.max_wait)
            started = time.monotonic()
            try:
                response = self.session.post(
                    self.endpoint,
                    data={"query": query},
                    headers={"Accept": ACCEPT},
                    timeout=self.policy.timeout,
                    stream=True,
                )
                if response.ok:
                    media_type = response.headers.get("Content-Type", "")
                    body = self._read(response, started)
                    return media_type.split(";")[0].strip().lower(), body
            except (requests.Timeout, urllib3.exceptions.TimeoutError):
                problem = f"no answer within {self.policy.timeout:g} s"
            except _SlowAnswer:
                problem = f"the answer was not complete within {self.policy.timeout:g} s"
            except (requests.ConnectionError, urllib3.exceptions.ProtocolError) as exc:
                problem = f"cannot connect ({type(exc).__name__})"
            else:
                if response.status_code not in RETRYABLE_STATUS:
                    # Only the start of an error page: its size is not ours to choose.
                    start = response.raw.read(500, decode_content=True) or b""
                    response.close()
                    raise LinkingError(
                        f"{self.endpoint} answered HTTP {response.status_code}: "
                        f"{start.decode('utf-8', 'replace').strip()}"
                    )
                response.close()
                problem = f"HTTP {response.status_code}"
                asked = retry_after_seconds(response.headers.get("Retry-After"))
                if asked is not None:
                    wait = min(asked, self.policy.max_wait)
                    problem += f" with Retry-After {response.headers['Retry-After']}"
            if attempt == attempts:
                raise LinkingError(
                    f"{self.endpoint}: gave up after {attempts} attempt(s); last: {problem}. "
                    "The cache was not changed; try again later or raise --timeout/--max-retries."
                )
            self.say(f"{problem}; retry {attempt} of {self.policy.max_retries} in {wait:g} s")
            time.sleep(wait)
        raise AssertionError("unreachable")  # the loop returns or raises


def fetch(
    source_name: str,
    data_dir: Path,
    out: Path,
    mapping: Mapping,
    *,
    endpoint: str | None = None,
    batch_size: int | None = None,
    timeout: float | None = None,
    max_retries: int | None = None,
    contributions_dir: Path | None = None,
    say: Callable[[str], None] = lambda message: None,
) -> FetchResult:
    """Fetch ``source_name``'s declared facts for every entity ``data_dir`` links to it,
    and for the unverified links of the active contributions in ``contributions_dir``.

    ``endpoint``, ``batch_size``, ``timeout`` and ``max_retries`` override the
    mapping file. Writes ``out`` only when every batch succeeded.
    """
    source = mapping.source(source_name)
    if source.endpoint is None or source.construct is None:
        hint = " (use `sdkg link import-ror` for ROR)" if source_name == "ror" else ""
        raise LinkingError(f"{source.title} has no SPARQL endpoint in the mapping file{hint}")
    endpoint = endpoint or source.endpoint
    size = batch_size or source.batch_size
    if size < 1:
        raise LinkingError("--batch-size must be at least 1")
    policy = mapping.http
    if timeout is not None:
        policy = replace(policy, timeout=timeout)
    if max_retries is not None:
        policy = replace(policy, max_retries=max_retries)

    our_data = load_our_data(data_dir)
    linked = set(linked_iris(our_data))
    ours_contributed = [
        link
        for link in (contributed_links(contributions_dir) if contributions_dir else [])
        if source.iri_pattern.match(link.target)
    ]
    contributed = {URIRef(link.target) for link in ours_contributed}
    iris = sorted(iri for iri in linked | contributed if source.iri_pattern.match(str(iri)))
    if not iris:
        where = f"{data_dir}" + (f" nor in {contributions_dir}" if contributions_dir else "")
        raise LinkingError(
            f"no entity in {where} links to a well-formed {source.title} IRI; nothing to fetch "
            f"(the cache {out} was left as it was)"
        )
    batches = [iris[i : i + size] for i in range(0, len(iris), size)]
    client = SparqlClient(endpoint, policy, say)
    started = cache.now()
    facts = Graph()
    with click.progressbar(
        batches, label=f"{source.title}: {len(iris)} entities", file=sys.stderr
    ) as bar:
        for batch in bar:
            facts += client.construct(render_query(source.construct, batch))

    graph = _cache_graph(source, endpoint, facts, mapping, started)
    write_atomically(out, cache.serialize(graph))
    # A fetch confirms the contributed links whose record has the entity's name, as a
    # check would (sdkg link check also reports the mismatches, as errors).
    checks = check_labels(ours_contributed, our_data, {source.name: graph})
    if contributions_dir is not None:
        record_confirmations(contributions_dir, checks)
    return FetchResult(
        source.name,
        endpoint,
        len(iris),
        len(batches),
        len(facts),
        out,
        contributed=len(contributed - linked),
        confirmed=sum(c.matched is not None for c in checks),
        mismatched=sum(c.cache is not None and c.matched is None for c in checks),
    )


def _cache_graph(
    source: Source, endpoint: str, facts: Graph, mapping: Mapping, started: datetime
) -> Graph:
    graph = cache.new_cache_graph(mapping)
    for s, p, o in facts:
        # One language tag per language across the project (zh-hans -> zh-Hans).
        if isinstance(o, Literal) and o.language:
            o = Literal(str(o), lang=mapping.language(o.language))
        graph.add((s, p, o))
    query_node = URIRef(f"{cache.graph_iri(source.name)}#query")
    graph.add((query_node, RDF.type, PROV.Plan))
    graph.add((query_node, DCTERMS.format, Literal("application/sparql-query")))
    graph.add((query_node, PROV.value, Literal(source.construct)))
    graph.add((URIRef(endpoint), RDF.type, PROV.Entity))
    activity = cache.add_provenance(
        graph,
        source.name,
        title=f"Facts from {source.title} about the entities sdkg links to",
        activity="fetch",
        started=started,
        ended=cache.now(),
        used=[URIRef(endpoint)],
    )
    graph.add((activity, PROV.used, query_node))
    return graph
