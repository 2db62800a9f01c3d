"""``sdkg link import-ror``: map a ROR data dump onto the cache graph ``.../external/ror``.

A ROR dump is a JSON array of records; a folder of one-record ``.json`` files
is read the same way. Records of schema v1 (``name``/``labels``/``aliases``/
``acronyms``/``addresses``, external ids keyed by type) and v2 (``names`` with
types and ``lang``, ``locations``, external ids as a list) are first read into
one shape (:class:`RorRecord`), then mapped to RDF as ``link_sources.toml``'s
``[ror]`` table says. The subject of every fact is the record's ROR IRI: our
entities reach it through their ``owl:sameAs`` links.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from rdflib import DCTERMS, PROV, RDF, RDFS, SKOS, XSD, Graph, Literal, URIRef
from rdflib.namespace import SDO

from sdkg.durable import write_atomically
from sdkg.linking import cache
from sdkg.linking.errors import LinkingError
from sdkg.linking.ourdata import linked_iris, load_our_data
from sdkg.linking.sources import Mapping

SOURCE = "ror"
GEONAMES = "https://sws.geonames.org/{}/"
ROR_PREFIX = "https://ror.org/"
# ROR names its dumps like v1.67-2025-06-24-ror-data.json (also .zip, _schema_v2).
DUMP_NAME = re.compile(r"v(?P<version>\d+(?:\.\d+)+)-(?P<date>\d{4}-\d{2}-\d{2})")


@dataclass(frozen=True)
class Name:
    value: str
    lang: str | None
    kinds: tuple[str, ...]  # ror_display, label, alias, acronym


@dataclass(frozen=True)
class Place:
    geonames_id: int
    name: str | None
    lat: float | None
    lng: float | None
    country_code: str | None
    country_name: str | None
    country_geonames_id: int | None


@dataclass(frozen=True)
class Relationship:
    kind: str  # parent, child, related, successor, predecessor (lower-cased)
    iri: str
    label: str | None


@dataclass(frozen=True)
class ExternalId:
    kind: str  # wikidata, grid, isni, fundref, ... (lower-cased)
    preferred: str | None
    all: tuple[str, ...]


@dataclass
class RorRecord:
    """One ROR record, whatever its schema version."""

    iri: str
    schema: str  # "1" or "2"
    names: list[Name] = field(default_factory=list)
    types: list[str] = field(default_factory=list)
    established: int | None = None
    places: list[Place] = field(default_factory=list)
    relationships: list[Relationship] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)  # (website|wikipedia, url)
    external_ids: list[ExternalId] = field(default_factory=list)
    status: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class DumpVersion:
    """The dump's version and date, and where they were read from."""

    version: str | None
    date: str | None
    basis: str
    from_file_name: bool = False


@dataclass
class ImportResult:
    """What ``import_ror`` did, for the command to report."""

    read: int
    kept: list[str]
    skipped: int
    linked_missing: list[str]
    dump: DumpVersion
    out: Path
    changed: bool
    warnings: list[str]


# ------------------------------------------------------------------ reading


def read_dump(path: Path) -> list[dict[str, Any]]:
    """The raw records of a dump file (JSON array or one object) or a folder of .json files."""
    if path.is_dir():
        files = sorted(path.glob("*.json"))
        if not files:
            raise LinkingError(f"the folder {path} holds no .json files")
    elif path.is_file():
        files = [path]
    else:
        raise LinkingError(f"{path} does not exist")
    records: list[dict[str, Any]] = []
    for file in files:
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise LinkingError(
                f"{file} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
            ) from exc
        items = data if isinstance(data, list) else [data]
        for index, item in enumerate(items):
            if not isinstance(item, dict) or not str(item.get("id", "")).startswith(ROR_PREFIX):
                raise LinkingError(
                    f"{file}: item {index} is not a ROR record (no 'id' starting with {ROR_PREFIX})"
                )
            records.append(item)
    return records


def parse_record(raw: dict[str, Any]) -> RorRecord:
    """Read a v1 or v2 ROR record into a :class:`RorRecord`."""
    try:
        return _parse_v2(raw) if "names" in raw else _parse_v1(raw)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise LinkingError(
            f"ROR record {raw.get('id')} has an unexpected shape ({type(exc).__name__}: {exc})"
        ) from exc


def _parse_v2(raw: dict[str, Any]) -> RorRecord:
    record = RorRecord(iri=raw["id"], schema="2")
    record.names = [
        Name(n["value"], n.get("lang"), tuple(n.get("types") or ())) for n in raw["names"]
    ]
    record.types = [t.lower() for t in raw.get("types") or ()]
    record.established = raw.get("established")
    for loc in raw.get("locations") or ():
        details = loc.get("geonames_details") or {}
        record.places.append(
            Place(
                geonames_id=int(loc["geonames_id"]),
                name=details.get("name"),
                lat=details.get("lat"),
                lng=details.get("lng"),
                country_code=details.get("country_code"),
                country_name=details.get("country_name"),
                country_geonames_id=None,  # v2 gives the ISO code only
            )
        )
    record.relationships = [
        Relationship(r["type"].lower(), r["id"], r.get("label"))
        for r in raw.get("relationships") or ()
    ]
    record.links = [(link["type"], link["value"]) for link in raw.get("links") or ()]
    record.external_ids = [
        ExternalId(e["type"].lower(), e.get("preferred"), tuple(e.get("all") or ()))
        for e in raw.get("external_ids") or ()
    ]
    record.status = raw.get("status")
    record.last_modified = ((raw.get("admin") or {}).get("last_modified") or {}).get("date")
    return record


def _parse_v1(raw: dict[str, Any]) -> RorRecord:
    record = RorRecord(iri=raw["id"], schema="1")
    # v1 gives no language for the main name, aliases and acronyms.
    record.names = [Name(raw["name"], None, ("ror_display",))]
    record.names += [
        Name(lb["label"], lb.get("iso639"), ("label",)) for lb in raw.get("labels") or ()
    ]
    record.names += [Name(a, None, ("alias",)) for a in raw.get("aliases") or ()]
    record.names += [Name(a, None, ("acronym",)) for a in raw.get("acronyms") or ()]
    record.types = [t.lower() for t in raw.get("types") or ()]
    record.established = raw.get("established")
    country_code = (raw.get("country") or {}).get("country_code")
    country_name = (raw.get("country") or {}).get("country_name")
    for address in raw.get("addresses") or ():
        city = address.get("geonames_city") or {}
        if not city.get("id"):
            continue
        record.places.append(
            Place(
                geonames_id=int(city["id"]),
                name=city.get("city") or address.get("city"),
                lat=address.get("lat"),
                lng=address.get("lng"),
                country_code=country_code,
                country_name=country_name,
                country_geonames_id=address.get("country_geonames_id"),
            )
        )
    record.relationships = [
        Relationship(r["type"].lower(), r["id"], r.get("label"))
        for r in raw.get("relationships") or ()
    ]
    record.links = [("website", url) for url in raw.get("links") or ()]
    if raw.get("wikipedia_url"):
        record.links.append(("wikipedia", raw["wikipedia_url"]))
    for kind, ids in (raw.get("external_ids") or {}).items():
        every = ids.get("all")
        every = (every,) if isinstance(every, str) else tuple(every or ())
        record.external_ids.append(ExternalId(kind.lower(), ids.get("preferred"), every))
    record.status = raw.get("status")
    return record


def dump_version(path: Path, records: list[RorRecord]) -> DumpVersion:
    """The dump's version and date: from its file name if ROR named it, else from the records."""
    match = DUMP_NAME.search(path.name)
    if match:
        return DumpVersion(match["version"], match["date"], "the dump file name", True)
    dates = [r.last_modified for r in records if r.last_modified]
    if dates:
        return DumpVersion(
            None,
            max(dates),
            "the records' latest admin.last_modified.date; no version in the file name",
        )
    return DumpVersion(None, None, "unknown: no version in the file name, no dates in the records")


# ------------------------------------------------------------------ mapping


def add_record(graph: Graph, record: RorRecord, mapping: Mapping, kept: set[str]) -> list[str]:
    """Add the RDF of one record to ``graph``; return warnings about what could not be mapped."""
    m = mapping.ror
    warnings: list[str] = []
    org = URIRef(record.iri)
    for cls in m.types:
        graph.add((org, RDF.type, cls))
    for kind in record.types:
        graph.add((org, m.type_property, Literal(kind)))
        if kind in m.type_classes:
            graph.add((org, RDF.type, m.type_classes[kind]))
    for name in record.names:
        for kind in name.kinds:
            if kind in m.name_properties:
                lang = mapping.language(name.lang)
                graph.add((org, m.name_properties[kind], Literal(name.value, lang=lang)))
    if record.established:
        year = Literal(f"{int(record.established):04d}", datatype=XSD.gYear)
        graph.add((org, m.established_property, year))
    for place in record.places:
        warnings += _add_place(graph, org, place, mapping)
    for rel in record.relationships:
        predicate = m.relationship_properties.get(rel.kind)
        if predicate is None:
            warnings.append(f"{record.iri}: relationship type {rel.kind!r} is not mapped")
            continue
        graph.add((org, predicate, URIRef(rel.iri)))
        # Name the related organization unless its own record is in the graph.
        if rel.label and rel.iri not in kept:
            graph.add((URIRef(rel.iri), RDFS.label, Literal(rel.label)))
    for kind, url in record.links:
        if url and kind in m.link_properties:
            graph.add((org, m.link_properties[kind], URIRef(url)))
    for ext in record.external_ids:
        _add_external_id(graph, org, ext, m.external_ids.get(ext.kind))
    if record.status:
        graph.add((org, m.status_property, Literal(record.status)))
    if record.last_modified:
        graph.add((org, m.modified_property, Literal(record.last_modified, datatype=XSD.date)))
    return warnings


def _add_place(graph: Graph, org: URIRef, place: Place, mapping: Mapping) -> list[str]:
    city = URIRef(GEONAMES.format(place.geonames_id))
    graph.add((org, mapping.ror.location_property, city))
    graph.add((city, RDF.type, SDO.Place))
    if place.name:
        graph.add((city, SDO.name, Literal(place.name)))
    if place.lat is not None and place.lng is not None:
        graph.add((city, SDO.latitude, Literal(str(place.lat), datatype=XSD.decimal)))
        graph.add((city, SDO.longitude, Literal(str(place.lng), datatype=XSD.decimal)))
    code = (place.country_code or "").upper()
    country_id = place.country_geonames_id or mapping.ror.country_geonames.get(code)
    if not country_id:
        return [
            f"{org}: country {code or '(none)'} has no GeoNames id; "
            "add it to [ror.country_geonames] in the mapping file"
        ]
    country = URIRef(GEONAMES.format(country_id))
    graph.add((city, SDO.containedInPlace, country))
    graph.add((country, RDF.type, SDO.Country))
    if code:
        graph.add((country, SDO.identifier, Literal(code)))
    if place.country_name:
        graph.add((country, SDO.name, Literal(place.country_name)))
    return []


def _add_external_id(graph: Graph, org: URIRef, ext: ExternalId, template: str | None) -> None:
    if template is None:
        return  # a type the mapping file does not keep (e.g. OrgRef)
    preferred = ext.preferred or (ext.all[0] if len(ext.all) == 1 else None)
    for value in sorted({*ext.all, *([preferred] if preferred else [])}):
        iri = URIRef(template.format(id=value, id_nospace=value.replace(" ", "")))
        graph.add((org, SKOS.exactMatch if value == preferred else SKOS.relatedMatch, iri))


def add_dump_provenance(
    graph: Graph,
    mapping: Mapping,
    dump_path: Path,
    dump: DumpVersion,
    started: datetime,
    ended: datetime,
) -> None:
    """PROV for the ROR graph: which dump (version, date, how we know), which import, when."""
    dump_node = URIRef(f"{cache.graph_iri(SOURCE)}#dump")
    graph.add((dump_node, RDF.type, PROV.Entity))
    graph.add((dump_node, DCTERMS.title, Literal("ROR data dump", lang="en")))
    graph.add((dump_node, DCTERMS.identifier, Literal(dump_path.name)))
    graph.add((dump_node, DCTERMS.publisher, URIRef("https://ror.org/")))
    graph.add((dump_node, DCTERMS.license, mapping.ror.license))
    if dump.version:
        graph.add((dump_node, DCTERMS.hasVersion, Literal(f"v{dump.version}")))
    if dump.date:
        # A release date (in ROR's file name) is the dump's issue date; the
        # records' latest change is only when its content was last modified.
        date_property = DCTERMS.issued if dump.from_file_name else DCTERMS.modified
        graph.add((dump_node, date_property, Literal(dump.date, datatype=XSD.date)))
    graph.add((dump_node, DCTERMS.description, Literal(f"Version and date from {dump.basis}.")))
    cache.add_provenance(
        graph,
        SOURCE,
        title=mapping.ror.graph_title,
        activity="import-ror",
        started=started,
        ended=ended,
        used=[dump_node],
    )
    graph.add((cache.graph_iri(SOURCE), DCTERMS.license, mapping.ror.license))


def import_ror(
    dump_path: Path,
    data_dir: Path,
    out: Path,
    mapping: Mapping,
    *,
    keep_all: bool = False,
) -> ImportResult:
    """Import the records of ``dump_path`` that ``data_dir`` links to into the Turtle file ``out``.

    With ``keep_all`` every record is kept (for data that has no ROR links yet).
    The file is rewritten only if its content (provenance times aside)
    changes, so a second run on the same dump leaves it byte-identical.
    """
    started = cache.now()
    records = [parse_record(raw) for raw in read_dump(dump_path)]
    linked = {
        str(iri) for iri in linked_iris(load_our_data(data_dir)) if str(iri).startswith(ROR_PREFIX)
    }
    chosen = records if keep_all else [r for r in records if r.iri in linked]
    if not chosen:
        raise LinkingError(
            f"none of the {len(records)} records in {dump_path} is an organization that "
            f"{data_dir} links to (owl:sameAs <{ROR_PREFIX}…>); "
            "pass --all to import every record of the dump"
        )
    kept = {r.iri for r in chosen}
    graph = cache.new_cache_graph(mapping)
    warnings: list[str] = []
    for record in sorted(chosen, key=lambda r: r.iri):
        warnings += add_record(graph, record, mapping, kept)
    dump = dump_version(dump_path, records)
    add_dump_provenance(graph, mapping, dump_path, dump, started, cache.now())
    changed = not cache.same_except_times(out, graph)
    if changed:
        write_atomically(out, cache.serialize(graph))
    return ImportResult(
        read=len(records),
        kept=sorted(kept),
        skipped=len(records) - len(chosen),
        linked_missing=sorted(linked - {r.iri for r in records}),
        dump=dump,
        out=out,
        changed=changed,
        warnings=sorted(set(warnings)),
    )
