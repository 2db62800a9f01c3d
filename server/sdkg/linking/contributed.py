"""The unverified links of accepted contributions, and their label check.

The gate stores ``<contribution graph> sdkg:unverifiedLink <iri>`` for an external
identifier it could not verify (:data:`sdkg.contributions.UNVERIFIED_LINK`).
``sdkg link fetch`` fetches those identifiers' records too, and ``sdkg link check``
compares each record's labels with the labels of the entity that links to it: the
links whose labels match are recorded as confirmed in the contributions folder
(:meth:`sdkg.contributions.ContributionFolder.confirm_links`), where every server
process reads them; a mismatch stays unverified and is an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef

from sdkg.contributions import ContributionFolder, DamagedFile, read_metadata
from sdkg.linking.ourdata import LINK_PREDICATES
from sdkg.names import ACRONYM_PREDICATES, NAME_PREDICATES, folded

#: Names compared: every naming predicate but acronyms and notations (too short to tell).
LABEL_PREDICATES = tuple(p for p in NAME_PREDICATES if p not in ACRONYM_PREDICATES)
_LINKS = frozenset(str(p) for p in LINK_PREDICATES)


@dataclass(frozen=True, order=True)
class ContributedLink:
    """An unverified link ``entity -> target`` stated by an active contribution."""

    target: str
    entity: str
    contribution: str
    #: The entity's names in the contribution (the curated data may add more).
    labels: tuple[str, ...] = ()


def contributed_links(folder: Path) -> list[ContributedLink]:
    """The unverified links of every active contribution in ``folder`` (none if there
    is no such folder); damaged files are skipped (``sdkg contributions check`` names them)."""
    if not folder.is_dir():
        return []
    contributions = ContributionFolder(folder)
    found = set()
    for contribution_id, withdrawn in contributions.scan().items():
        if withdrawn is not None:
            continue
        try:
            data = contributions.read(contribution_id)
            unverified = set(read_metadata(contribution_id, data).unverified_links)
            triples = list(ox.parse(data, ox.RdfFormat.TURTLE))
        except (OSError, DamagedFile, SyntaxError, ValueError):
            continue
        names: dict[str, set[str]] = {}
        for t in triples:
            if t.predicate.value in LABEL_PREDICATES and isinstance(t.object, ox.Literal):
                names.setdefault(t.subject.value, set()).add(t.object.value)
        for t in triples:
            if t.predicate.value in _LINKS and t.object.value in unverified:
                labels = tuple(sorted(names.get(t.subject.value, ())))
                found.add(ContributedLink(t.object.value, t.subject.value, contribution_id, labels))
    return sorted(found)


def names_of(graph: Graph, iri: str) -> set[str]:
    """The names ``graph`` gives ``iri`` (every language)."""
    return {
        str(o)
        for p in LABEL_PREDICATES
        for o in graph.objects(URIRef(iri), URIRef(p))
        if isinstance(o, Literal)
    }


def matching_label(ours: set[str], theirs: set[str]) -> tuple[str, str] | None:
    """A pair (our name, their name) equal once case, accents, punctuation and stop words
    are folded away (:func:`sdkg.names.folded`), or None."""
    folded_theirs = {folded(name): name for name in sorted(theirs)}
    for name in sorted(ours):
        if (match := folded_theirs.get(folded(name))) is not None:
            return name, match
    return None


@dataclass(frozen=True)
class LabelCheck:
    """The verdict on one contributed link: ``matched`` (our name, theirs), or not."""

    link: ContributedLink
    ours: tuple[str, ...]
    theirs: tuple[str, ...]
    cache: str | None  # the cache that holds the record, None if none does
    matched: tuple[str, str] | None


def check_labels(
    links: list[ContributedLink], our_data: Graph, caches: dict[str, Graph]
) -> list[LabelCheck]:
    """Compare each link's entity names (contribution and curated data) with the names
    its cached record gives the target."""
    checks = []
    for link in links:
        ours = set(link.labels) | names_of(our_data, link.entity)
        cache: str | None = None
        theirs: set[str] = set()
        for name, cached in sorted(caches.items()):
            if found := names_of(cached, link.target):
                cache, theirs = name, theirs | found
        matched = matching_label(ours, theirs) if theirs else None
        checks.append(LabelCheck(link, tuple(sorted(ours)), tuple(sorted(theirs)), cache, matched))
    return checks


def record_confirmations(folder: Path, checks: list[LabelCheck]) -> bool:
    """Record the matched links as confirmed and withdraw the confirmation of links whose
    record now has other names; links with no cached record are left as they were.
    Returns True if the confirmations file changed."""
    if not folder.is_dir() or not checks:
        return False
    now = datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    confirmed = {
        c.link.target: {
            "entity": c.link.entity,
            "entity_label": c.matched[0],
            "external_label": c.matched[1],
            "cache": c.cache or "",
            "time": now,
        }
        for c in checks
        if c.matched is not None
    }
    # An IRI is confirmed for every entity or none: one entity named otherwise than the
    # record keeps it unverified everywhere.
    refuted = {c.link.target for c in checks if c.cache is not None and c.matched is None}
    confirmed = {iri: record for iri, record in confirmed.items() if iri not in refuted}
    previous = ContributionFolder(folder).confirmed_links()
    # The time alone is no change: keep the first confirmation's record.
    confirmed = {
        iri: previous[iri] if _same_but_time(previous.get(iri), record) else record
        for iri, record in confirmed.items()
    }
    return ContributionFolder(folder).confirm_links(confirmed, refuted)


def _same_but_time(old: dict[str, str] | None, new: dict[str, str]) -> bool:
    if old is None:
        return False
    return {k: v for k, v in old.items() if k != "time"} == {
        k: v for k, v in new.items() if k != "time"
    }
