"""The mapping file ``link_sources.toml``: the external sources and what is taken from each.

Everything that says *what* is linked or pulled lives in that file; this
module only reads and checks it, so a broken mapping file fails early with a
message naming the key to fix.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from rdflib import URIRef

from sdkg import __version__
from sdkg.linking.errors import LinkingError

DEFAULT_MAPPING_FILE = Path(__file__).resolve().parent.parent / "link_sources.toml"
IRIS_PLACEHOLDER = "{{iris}}"
CROCKFORD_BASE32 = "0123456789abcdefghjkmnpqrstvwxyz"


def ror_checksum_ok(iri: str) -> bool:
    """True if the ROR id's last two digits are the ISO 7064 Mod 97-10 checksum of the rest.

    A ROR id is ``0`` + six Crockford base32 characters + two check digits.
    """
    ror_id = iri.rsplit("/", 1)[-1]
    number = 0
    for char in ror_id[:7]:
        number = number * 32 + CROCKFORD_BASE32.index(char)
    return 98 - (number * 100) % 97 == int(ror_id[7:])


# Checksums a source may declare with `checksum = "<name>"`.
CHECKSUMS = {"ror": ror_checksum_ok}


@dataclass(frozen=True)
class HttpPolicy:
    """Timeouts and retries of every request to an external endpoint."""

    timeout: float
    max_retries: int
    backoff: float
    max_wait: float
    user_agent: str


@dataclass(frozen=True)
class Source:
    """One external source: the form of its IRIs and, if it has one, its SPARQL endpoint."""

    name: str
    title: str
    hosts: tuple[str, ...]
    iri_pattern: re.Pattern[str]
    redirect_predicates: tuple[URIRef, ...] = ()
    checksum: str | None = None
    endpoint: str | None = None
    batch_size: int = 50
    construct: str | None = None

    def owns(self, iri: str) -> bool:
        """True if ``iri`` is on one of this source's hosts (well-formed or not)."""
        host = (urlsplit(iri).hostname or "").lower()
        return any(host == h or host.endswith("." + h) for h in self.hosts)

    def malformation(self, iri: str) -> str | None:
        """Why ``iri`` is not a well-formed identifier of this source, or None if it is."""
        if not self.iri_pattern.match(iri):
            return f"not of the form {self.iri_pattern.pattern}"
        if self.checksum and not CHECKSUMS[self.checksum](iri):
            return f"wrong {self.checksum} checksum (last two digits)"
        return None


@dataclass(frozen=True)
class RorMapping:
    """How a ROR record becomes RDF (the ``[ror]`` table)."""

    graph_title: str
    license: URIRef
    types: tuple[URIRef, ...]
    type_property: URIRef
    status_property: URIRef
    established_property: URIRef
    modified_property: URIRef
    location_property: URIRef
    type_classes: dict[str, URIRef]
    name_properties: dict[str, URIRef]
    relationship_properties: dict[str, URIRef]
    link_properties: dict[str, URIRef]
    external_ids: dict[str, str]
    country_geonames: dict[str, int]


@dataclass(frozen=True)
class Mapping:
    """The whole mapping file."""

    prefixes: dict[str, str]
    language_tags: dict[str, str]
    http: HttpPolicy
    status_predicate: URIRef
    retired_statuses: frozenset[str]
    link_expected_for: frozenset[URIRef]
    sources: dict[str, Source]
    ror: RorMapping

    def language(self, tag: str | None) -> str | None:
        """The project's tag for a source's language tag (``zh`` -> ``zh-Hans``)."""
        if not tag:
            return None
        return self.language_tags.get(tag.lower(), tag)

    def source(self, name: str) -> Source:
        """The source called ``name``, or a LinkingError listing the known ones."""
        try:
            return self.sources[name]
        except KeyError:
            known = ", ".join(sorted(self.sources))
            raise LinkingError(
                f"unknown source {name!r}; the mapping file knows: {known}"
            ) from None

    def source_of(self, iri: str) -> Source | None:
        """The source whose hosts ``iri`` is on, if any."""
        return next((s for s in self.sources.values() if s.owns(iri)), None)


def load_mapping(path: Path | None = None) -> Mapping:
    """Read and check the mapping file (default: the one shipped with sdkg)."""
    path = path or DEFAULT_MAPPING_FILE
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise LinkingError(f"cannot read the mapping file {path}: {exc.strerror}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise LinkingError(f"the mapping file {path} is not valid TOML: {exc}") from exc
    try:
        return _build_mapping(raw)
    except KeyError as exc:
        raise LinkingError(f"the mapping file {path} lacks the key {exc}") from exc
    except (TypeError, ValueError, re.error) as exc:
        raise LinkingError(f"the mapping file {path} is wrong: {exc}") from exc


def _build_mapping(raw: dict[str, Any]) -> Mapping:
    prefixes: dict[str, str] = dict(raw["prefixes"])

    def term(curie: str) -> URIRef:
        if curie.startswith(("http://", "https://")):
            return URIRef(curie)
        prefix, sep, local = curie.partition(":")
        if not sep or prefix not in prefixes:
            raise ValueError(f"{curie!r} is neither a full IRI nor a CURIE with a known prefix")
        return URIRef(prefixes[prefix] + local)

    http = raw["http"]
    policy = HttpPolicy(
        timeout=float(http["timeout"]),
        max_retries=int(http["max_retries"]),
        backoff=float(http["backoff"]),
        max_wait=float(http["max_wait"]),
        user_agent=str(http["user_agent"]).format(version=__version__),
    )
    sources = {name: _build_source(name, table, term) for name, table in raw["sources"].items()}
    ror = raw["ror"]
    return Mapping(
        prefixes=prefixes,
        language_tags={k.lower(): v for k, v in raw.get("language_tags", {}).items()},
        http=policy,
        status_predicate=term(raw["check"]["status_predicate"]),
        retired_statuses=frozenset(raw["check"]["retired_statuses"]),
        link_expected_for=frozenset(term(c) for c in raw["check"]["link_expected_for"]),
        sources=sources,
        ror=RorMapping(
            graph_title=ror["graph_title"],
            license=URIRef(ror["license"]),
            types=tuple(term(t) for t in ror["types"]),
            type_property=term(ror["type_property"]),
            status_property=term(ror["status_property"]),
            established_property=term(ror["established_property"]),
            modified_property=term(ror["modified_property"]),
            location_property=term(ror["location_property"]),
            type_classes={k: term(v) for k, v in ror["type_classes"].items()},
            name_properties={k: term(v) for k, v in ror["name_properties"].items()},
            relationship_properties={k: term(v) for k, v in ror["relationship_properties"].items()},
            link_properties={k: term(v) for k, v in ror["link_properties"].items()},
            external_ids=dict(ror["external_ids"]),
            country_geonames={k.upper(): int(v) for k, v in ror["country_geonames"].items()},
        ),
    )


def _build_source(name: str, table: dict[str, Any], term: Any) -> Source:
    construct = table.get("construct")
    if construct is not None and construct.count(IRIS_PLACEHOLDER) != 1:
        raise ValueError(f"sources.{name}.construct must contain {IRIS_PLACEHOLDER} exactly once")
    if (construct is None) != (table.get("endpoint") is None):
        raise ValueError(f"sources.{name} needs both endpoint and construct, or neither")
    checksum = table.get("checksum")
    if checksum is not None and checksum not in CHECKSUMS:
        raise ValueError(f"sources.{name}.checksum {checksum!r} is not one of {sorted(CHECKSUMS)}")
    batch_size = int(table.get("batch_size", 50))
    if batch_size < 1:
        raise ValueError(f"sources.{name}.batch_size must be at least 1")
    return Source(
        name=name,
        title=table["title"],
        hosts=tuple(h.lower() for h in table["hosts"]),
        iri_pattern=re.compile(table["iri_pattern"]),
        redirect_predicates=tuple(term(p) for p in table.get("redirect_predicates", [])),
        checksum=checksum,
        endpoint=table.get("endpoint"),
        batch_size=batch_size,
        construct=construct,
    )
