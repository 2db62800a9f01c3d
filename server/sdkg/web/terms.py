"""IRIs as people read them: prefixed names, readable local names, and where a term's page is.

Pure functions, no store access: the web pages use them to turn RDF terms into links.
"""

from __future__ import annotations

import re

from sdkg import namespaces

ENTITY_NS = namespaces.ENTITY
ONTOLOGY_NS = namespaces.ONTOLOGY
GRAPH_NS = namespaces.GRAPH
EXTERNAL_GRAPH_NS = GRAPH_NS + "external/"

#: The project's prefixes plus the other vocabularies its files use.
PREFIXES: dict[str, str] = {
    **namespaces.CORE_PREFIXES,
    **namespaces.prefixes(
        "sh", "sdkgsh", "vann", "adms", "void", "sd", "geonames", "wd", "ror", "dbr"
    ),
}

#: Entity slugs: what may follow ``/id/`` (lowercase words, digits, ``-``, ``_``, ``.``).
SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def compact(iri: str) -> str:
    """``sdkg:acronym`` for a known namespace, else the IRI itself."""
    best = ""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(namespace) > len(PREFIXES.get(best, "")):
            best = prefix
    if best:
        return f"{best}:{iri[len(PREFIXES[best]) :]}"
    return iri


def _split_at(iri: str) -> int:
    """Index of the last ``#`` or ``/`` (a trailing ``/`` does not count)."""
    stripped = iri.rstrip("/")
    return max(stripped.rfind("#"), stripped.rfind("/"))


def local_name(iri: str) -> str:
    """The part after the last ``#`` or ``/``: ``foundingDate``, ``1816670``."""
    return iri.rstrip("/")[_split_at(iri) + 1 :] or iri


def namespace_of(iri: str) -> str:
    """The IRI up to and including its last ``#`` or ``/``."""
    return iri[: _split_at(iri) + 1]


def humanize(name: str) -> str:
    """``foundingDate`` -> ``founding date``; ``hostedBy`` -> ``hosted by``; acronyms kept."""
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])|[_-]+", " ", name).split()
    return " ".join(w if w.isupper() and len(w) > 1 else w.lower() for w in words) or name


def page_url(iri: str) -> str | None:
    """The local page of one of our terms (an entity or an ontology term), else None."""
    if iri.startswith(ENTITY_NS):
        slug = iri[len(ENTITY_NS) :]
        return f"/id/{slug}" if SLUG.match(slug) else None
    if iri.startswith(ONTOLOGY_NS):
        name = iri[len(ONTOLOGY_NS) :]
        return f"/ontology#{name}" if name else "/ontology"
    return None


def entity_iri(slug: str) -> str:
    """The IRI of the entity called ``slug``."""
    return ENTITY_NS + slug


def external_source(graph: str) -> str | None:
    """``ror`` for ``.../graph/external/ror``; None for graphs that are not external caches."""
    return graph[len(EXTERNAL_GRAPH_NS) :] if graph.startswith(EXTERNAL_GRAPH_NS) else None


def language_tag(tag: str) -> str:
    """A language tag in its usual case (``zh-hans`` -> ``zh-Hans``, ``en-gb`` -> ``en-GB``).

    The store lowercases tags; BCP 47 writes scripts in title case and regions in capitals.
    """
    parts = tag.split("-")
    shown = [parts[0].lower()]
    for part in parts[1:]:
        if len(part) == 4 and part.isalpha():
            shown.append(part.title())
        elif len(part) == 2 and part.isalpha():
            shown.append(part.upper())
        else:
            shown.append(part.lower())
    return "-".join(shown) if tag else tag
