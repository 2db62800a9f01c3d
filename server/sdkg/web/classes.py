"""Class pages: ``/class/<prefix>:<Name>`` lists the entities of a class (and of its
subclasses), with counts and facets: kind, country and research area.

Facet filters are query parameters (``?country=china&area=biotechnology``: entity slugs,
``?kind=sdkg:University``); each facet's counts are over the members the *other* filters
keep, so a reader always sees what choosing a value would give.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, Response, render_template, request

from sdkg.solutions import select
from sdkg.web.context import cached, state
from sdkg.web.pages import label_index
from sdkg.web.terms import ENTITY_NS, PREFIXES, compact, page_url

blueprint = Blueprint("classes", __name__)

SUBCLASS = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
COUNTRY = "https://schema.org/Country"
#: The country of a thing: where it is located, or the place it lies in, up to a country.
COUNTRY_PATH = (
    "(<https://schema.org/location>|<https://schema.org/containedInPlace>)"
    "/<https://schema.org/containedInPlace>*"
)
RESEARCH_AREA = "https://w3id.org/sdkg/ontology#researchArea"
LOCAL_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
FACETS = (("kind", "Kind"), ("country", "Country"), ("area", "Research area"))


@dataclass
class Member:
    """An entity of the class, with what its facets need."""

    iri: str
    label: str
    url: str
    kind: str  # class IRI of its most specific type
    countries: list[str] = field(default_factory=list)
    areas: list[str] = field(default_factory=list)

    def facet_values(self, facet: str) -> list[str]:
        """The member's values for ``facet`` (IRIs)."""
        return {"kind": [self.kind], "country": self.countries, "area": self.areas}[facet]


def class_path(iri: str) -> str | None:
    """``/class/sdkg:University`` for a class IRI in a known namespace, else None."""
    curie = compact(iri)
    return f"/class/{curie}" if curie != iri else None


def _class_iri(name: str) -> str | None:
    prefix, _, local = name.partition(":")
    if not local:
        prefix, local = "sdkg", name
    namespace = PREFIXES.get(prefix)
    return namespace + local if namespace and LOCAL_NAME.match(local) else None


def members(class_iri: str) -> list[Member]:
    """The entities of ours typed with ``class_iri`` or a subclass, with facet values."""
    # One cache entry for all classes, filled as they are asked for (only classes with
    # members are kept, so made-up names cannot fill it).
    known: dict[str, list[Member]] = cached(("class-members",), dict)
    if class_iri not in known:
        found = _members(class_iri)
        if not found:
            return []
        known[class_iri] = found
    return known[class_iri]


def _members(class_iri: str) -> list[Member]:
    """Query the members of ``class_iri`` and their facet values."""
    store, index = state().store, label_index()
    found = {
        row["m"].value
        for row in select(
            store,
            f"SELECT DISTINCT ?m WHERE {{ ?m a/<{SUBCLASS}>* <{class_iri}> "
            f'FILTER(STRSTARTS(STR(?m), "{ENTITY_NS}")) }}',
        )
    }
    index.load(found)
    countries: dict[str, list[str]] = {}
    for row in select(
        store, f"SELECT DISTINCT ?m ?c WHERE {{ ?m {COUNTRY_PATH} ?c . ?c a <{COUNTRY}> }}"
    ):
        countries.setdefault(row["m"].value, []).append(row["c"].value)
    areas: dict[str, list[str]] = {}
    for row in select(store, f"SELECT DISTINCT ?m ?a WHERE {{ ?m <{RESEARCH_AREA}> ?a }}"):
        areas.setdefault(row["m"].value, []).append(row["a"].value)
    listed = [
        Member(
            iri=iri,
            label=index.label(iri),
            url=page_url(iri) or iri,
            kind=index.kind_class(iri) or class_iri,
            countries=sorted(countries.get(iri, [])),
            areas=sorted(areas.get(iri, [])),
        )
        for iri in found
    ]
    return sorted(listed, key=lambda m: m.label.casefold())


def _wanted(facet: str, value: str) -> str:
    """The IRI a filter value names: an entity slug, or a class as a prefixed name."""
    if facet == "kind":
        return _class_iri(value) or value
    return ENTITY_NS + value


def _param(facet: str, iri: str) -> str:
    return (compact(iri) if facet == "kind" else iri[len(ENTITY_NS) :]) or iri


@blueprint.app_template_global()
def class_url(iri: str) -> str | None:
    """The class page of a class IRI (templates link every "type" with it)."""
    return class_path(iri)


@blueprint.route("/class/<name>")
def class_page(name: str) -> Response:
    """The members of one class, with facet counts and filters."""
    class_iri = _class_iri(name)
    index = label_index()
    everyone = members(class_iri) if class_iri else []
    if not class_iri or not everyone:
        message = f"No class “{name}” with members in this graph."
        body = render_template("class.html", missing=message, name=name)
        return Response(body, status=404, mimetype="text/html")
    chosen = {f: _wanted(f, request.args[f]) for f, _ in FACETS if request.args.get(f)}

    def keeps(member: Member, skip: str | None = None) -> bool:
        return all(v in member.facet_values(f) for f, v in chosen.items() if f != skip)

    shown = [m for m in everyone if keeps(m)]
    facets: list[dict[str, Any]] = []
    for facet, title in FACETS:
        counts = Counter(v for m in everyone if keeps(m, facet) for v in m.facet_values(facet))
        if len(counts) < 2 and facet not in chosen:
            continue  # a facet with one value chooses nothing
        others = {k: _param(k, v) for k, v in chosen.items() if k != facet}
        values = [
            {
                "label": index.term_label(v) if facet == "kind" else index.label(v),
                "count": n,
                "selected": chosen.get(facet) == v,
                "params": {**others, facet: _param(facet, v)},
            }
            for v, n in sorted(counts.items(), key=lambda item: (-item[1], index.label(item[0])))
        ]
        facets.append({"name": facet, "title": title, "options": values, "clear": others})
    return Response(
        render_template(
            "class.html",
            name=name,
            iri=class_iri,
            label=index.term_label(class_iri),
            total=len(everyone),
            members=shown,
            facets=facets,
            filtered=bool(chosen),
            index=index,
            page_url=page_url,
        )
    )
