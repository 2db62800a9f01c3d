"""``sdkg link check``: problems with our links to external sources.

- ``missing-link`` (warning): one of our entities of a kind that is expected to link
  outside (``[check] link_expected_for`` in the mapping file) has no external link.
- ``malformed-identifier`` (error): a link target on a known source's host is
  not in that source's one accepted form (or fails its checksum), or is text.
- ``duplicate-link`` (error): two of our entities are ``owl:sameAs`` /
  ``skos:exactMatch`` the same external IRI.
- ``retired-external`` (error): the cached record of a link target
  (``data/external/*.ttl``) says it is withdrawn / inactive / deleted, or
  redirected to another IRI.
- ``unverified-link-mismatch`` (error): an unverified link of a contribution whose
  cached record names the target otherwise than the entity is named; it stays unverified.
- ``unverified-link-unfetched`` (warning): an unverified link of a contribution whose
  record no cache holds yet (``sdkg link fetch`` gets it).
- ``unverified-link-confirmed`` (info): the record has the entity's name; the link is
  recorded as confirmed in the contributions folder and is no longer marked unverified.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from sdkg.linking.cache import load_caches
from sdkg.linking.contributed import (
    LabelCheck,
    check_labels,
    contributed_links,
    record_confirmations,
)
from sdkg.linking.ourdata import (
    IDENTITY_PREDICATES,
    Link,
    external_links,
    load_our_data,
    our_entities_by_kind,
)
from sdkg.linking.sources import Mapping
from sdkg.rdfio import sorted_terms

ERROR, WARNING, INFO = "error", "warning", "info"
PROBLEMS = {  # problem -> (severity, heading); also the order of the text report
    "malformed-identifier": (ERROR, "malformed identifiers"),
    "duplicate-link": (ERROR, "external IRIs linked from more than one entity"),
    "retired-external": (ERROR, "links to external records that are retired or redirected"),
    "unverified-link-mismatch": (
        ERROR,
        "unverified links of contributions whose record has another name (still unverified)",
    ),
    "missing-link": (WARNING, "entities without any external link"),
    "unverified-link-unfetched": (
        WARNING,
        "unverified links of contributions with no cached record (run sdkg link fetch)",
    ),
    "unverified-link-confirmed": (INFO, "unverified links of contributions confirmed"),
}


@dataclass(frozen=True)
class Finding:
    """One problem; ``details`` are its IRIs (entity, kind, target, ...) as strings."""

    problem: str
    message: str
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def severity(self) -> str:
        return PROBLEMS[self.problem][0]

    def as_json(self) -> dict[str, Any]:
        return {
            "problem": self.problem,
            "severity": self.severity,
            "message": self.message,
            **self.details,
        }


@dataclass
class Report:
    """All findings of a check, sorted by problem then message."""

    findings: list[Finding]

    @property
    def errors(self) -> int:
        return sum(f.severity == ERROR for f in self.findings)

    @property
    def warnings(self) -> int:
        return sum(f.severity == WARNING for f in self.findings)

    @property
    def exit_code(self) -> int:
        """1 if there is any error, 0 if there are only warnings (or nothing)."""
        return 1 if self.errors else 0

    def to_json(self) -> str:
        return json.dumps(
            {
                "errors": self.errors,
                "warnings": self.warnings,
                "findings": [f.as_json() for f in self.findings],
            },
            indent=2,
            ensure_ascii=False,
        )

    def to_text(self) -> str:
        lines = [f"{self.errors} error(s), {self.warnings} warning(s)"]
        for problem, (severity, heading) in PROBLEMS.items():
            group = [f for f in self.findings if f.problem == problem]
            if group:
                lines += ["", f"{severity.upper()}: {heading} ({len(group)})"]
                lines += [f"  {f.message}" for f in group]
        return "\n".join(lines)


def check_links(data_dir: Path, mapping: Mapping, contributions_dir: Path | None = None) -> Report:
    """Check the links of the data under ``data_dir`` (and its caches in ``external/``),
    and the names behind the unverified links of the contributions in
    ``contributions_dir``, recording there the links whose names match."""
    graph = load_our_data(data_dir)
    links = external_links(graph)
    caches = load_caches(data_dir)
    label_checks = []
    if contributions_dir is not None:
        label_checks = check_labels(contributed_links(contributions_dir), graph, caches)
        record_confirmations(contributions_dir, label_checks)
    findings = [
        *malformed_identifiers(links, mapping, graph),
        *duplicate_links(links, graph),
        *retired_externals(links, caches, mapping, graph),
        *missing_links(graph, links, mapping.link_expected_for),
        *contributed_link_findings(label_checks, graph),
    ]
    order = list(PROBLEMS)
    findings.sort(key=lambda f: (order.index(f.problem), f.message))
    return Report(findings)


def _short(node: Node, graph: Graph) -> str:
    """An IRI as a CURIE where our data has a prefix for it, else in <>; text in quotes."""
    return node.n3(graph.namespace_manager)


def malformed_identifiers(links: list[Link], mapping: Mapping, graph: Graph) -> list[Finding]:
    found = []
    for link in links:
        said = f"{_short(link.entity, graph)} {_short(link.predicate, graph)} {link.target.n3()}"
        details = {"entity": str(link.entity), "predicate": str(link.predicate)}
        if isinstance(link.target, Literal):
            found.append(
                Finding(
                    "malformed-identifier",
                    f"{said}: an identifier written as text; link to the IRI instead",
                    {**details, "target": str(link.target), "source": None},
                )
            )
            continue
        source = mapping.source_of(str(link.target))
        reason = source.malformation(str(link.target)) if source else None
        if source and reason:
            found.append(
                Finding(
                    "malformed-identifier",
                    f"{said}: {source.title} IRI {reason}",
                    {**details, "target": str(link.target), "source": source.name},
                )
            )
    return found


def duplicate_links(links: list[Link], graph: Graph) -> list[Finding]:
    entities_of: dict[Node, set[URIRef]] = defaultdict(set)
    for link in links:
        if link.predicate in IDENTITY_PREDICATES and isinstance(link.target, URIRef):
            entities_of[link.target].add(link.entity)
    return [
        Finding(
            "duplicate-link",
            f"{target.n3()} is the same as {len(entities)} of our entities: "
            + ", ".join(_short(e, graph) for e in sorted(entities)),
            {"target": str(target), "entities": sorted(str(e) for e in entities)},
        )
        for target, entities in sorted(entities_of.items())
        if len(entities) > 1
    ]


def retired_externals(
    links: list[Link], caches: dict[str, Graph], mapping: Mapping, graph: Graph
) -> list[Finding]:
    found = []
    for link in links:
        if not isinstance(link.target, URIRef):
            continue
        for cache_name, cached in caches.items():
            for reason in _retirement(link.target, cache_name, cached, mapping):
                found.append(
                    Finding(
                        "retired-external",
                        f"{_short(link.entity, graph)} -> {link.target.n3()}: {reason} "
                        f"(cache external/{cache_name}.ttl)",
                        {
                            "entity": str(link.entity),
                            "target": str(link.target),
                            "cache": cache_name,
                            "reason": reason,
                        },
                    )
                )
    return found


def _retirement(target: URIRef, cache_name: str, cached: Graph, mapping: Mapping) -> list[str]:
    reasons = [
        f"record status is {status}"
        for status in sorted(str(s) for s in cached.objects(target, mapping.status_predicate))
        if status in mapping.retired_statuses
    ]
    source = mapping.sources.get(cache_name)
    for predicate in source.redirect_predicates if source else ():
        reasons += [
            f"redirected to {new.n3()}" for new in sorted_terms(cached.objects(target, predicate))
        ]
    return reasons


def missing_links(graph: Graph, links: list[Link], kinds: frozenset[URIRef]) -> list[Finding]:
    """Our entities of the ``kinds`` expected to link outside that have no link at all."""
    linked = {link.entity for link in links}
    found = []
    for kind, entities in sorted(our_entities_by_kind(graph).items()):
        if kind not in kinds:
            continue
        unlinked = sorted(entities - linked)
        found += [
            Finding(
                "missing-link",
                f"{_short(kind, graph)} {_short(entity, graph)}",
                {"entity": str(entity), "kind": str(kind)},
            )
            for entity in unlinked
        ]
    return found


def contributed_link_findings(checks: list[LabelCheck], graph: Graph) -> list[Finding]:
    """One finding per contributed unverified link: confirmed, mismatched or unfetched."""
    found = []
    for c in checks:
        said = f"{_short(URIRef(c.link.entity), graph)} -> <{c.link.target}>"
        details = {
            "entity": c.link.entity,
            "target": c.link.target,
            "contribution": c.link.contribution,
            "entity_labels": list(c.ours),
            "external_labels": list(c.theirs),
            "cache": c.cache,
        }
        where = f"(contribution {c.link.contribution})"
        if c.matched is not None:
            problem = "unverified-link-confirmed"
            message = (
                f'{said}: "{c.matched[0]}" matches "{c.matched[1]}" '
                f"(cache external/{c.cache}.ttl) {where}"
            )
        elif c.cache is not None:
            problem = "unverified-link-mismatch"
            message = (
                f"{said}: our label {_quoted(c.ours)} does not match the record's label "
                f"{_quoted(c.theirs)} (cache external/{c.cache}.ttl) {where}; "
                "fix the identifier or the label"
            )
        else:
            problem = "unverified-link-unfetched"
            message = f"{said}: no cache holds its record yet {where}"
        found.append(Finding(problem, message, details))
    return found


def _quoted(names: tuple[str, ...]) -> str:
    return " / ".join(f'"{n}"' for n in names) if names else "(none)"
