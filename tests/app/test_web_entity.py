"""Entity pages ``/id/<slug>`` in-process (Flask's test client): negotiation, suffixes,
404s, content.

The oracle is the bundled data parsed with rdflib, independent of the app's store.
"""

from __future__ import annotations

import re
from html import unescape

import pytest
from flask.testing import FlaskClient
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, RDF, RDFS
from werkzeug.test import TestResponse

ID = Namespace("https://w3id.org/sdkg/id/")
SDKG = Namespace("https://w3id.org/sdkg/ontology#")
PROV = Namespace("http://www.w3.org/ns/prov#")
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
RDF_TYPES = {
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
}
SUFFIXES = {".ttl": "turtle", ".jsonld": "json-ld", ".nt": "nt", ".rdf": "xml"}


def get(client: FlaskClient, path: str, accept: str = "*/*", **params: str) -> TestResponse:
    """``path`` with an Accept header (``*/*`` unless given, as HTTP libraries send)."""
    return client.get(path, headers={"Accept": accept}, query_string=params or None)


def own_triples(data: Graph, entity: URIRef) -> set:
    return {(entity, p, o) for p, o in data.predicate_objects(entity)}


@pytest.mark.parametrize("media_type", sorted(RDF_TYPES))
def test_rdf_by_accept_holds_the_entitys_triples(client, data, media_type):
    response = get(client, "/id/twas", media_type)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith(media_type)
    assert "Accept" in response.headers["Vary"]
    graph = Graph().parse(data=response.data, format=RDF_TYPES[media_type])
    assert own_triples(data, ID.twas) <= set(graph)
    assert (ID.twas, SDKG.acronym, Literal("TWAS")) in graph


@pytest.mark.parametrize("suffix", sorted(SUFFIXES))
def test_suffix_urls_give_that_format_whatever_the_accept(client, data, suffix):
    response = get(client, f"/id/cas{suffix}", "text/html")
    assert response.status_code == 200
    assert not response.headers["Content-Type"].startswith("text/html")
    graph = Graph().parse(data=response.data, format=SUFFIXES[suffix])
    assert own_triples(data, ID.cas) <= set(graph)


def test_rdf_carries_the_evidence_of_each_fact(client):
    response = get(client, "/id/twas.ttl")
    graph = Graph().parse(data=response.data, format="turtle")
    evidence = list(graph.subjects(RDF.subject, ID.twas))
    assert evidence, "no evidence nodes about id:twas"
    founded = [e for e in evidence if graph.value(e, RDF.predicate) == SDKG.foundingLeader]
    assert "Abdus Salam" in str(graph.value(founded[0], PROV.value))


def test_format_parameter_and_plain_clients(client):
    by_param = get(client, "/id/ustc", format="jsonld")
    assert by_param.headers["Content-Type"].startswith("application/ld+json")
    curl_like = get(client, "/id/ustc", "*/*")
    assert curl_like.headers["Content-Type"].startswith("text/turtle")


def test_browsers_get_html_with_vary_and_alternates(client):
    response = get(client, "/id/twas", BROWSER)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    assert "Accept" in response.headers["Vary"]
    assert '</id/twas.ttl>; rel="alternate"; type="text/turtle"' in response.headers["Link"]


def test_nothing_acceptable_is_406(client):
    response = get(client, "/id/twas", "image/png")
    assert response.status_code == 406
    assert "text/turtle" in response.text


def test_unknown_slug_is_404_with_suggestions(client):
    page = get(client, "/id/twass", BROWSER)
    assert page.status_code == 404
    assert page.headers["Content-Type"].startswith("text/html")
    assert 'href="/id/twas"' in page.text
    assert 'href="/search?q=twass"' in page.text
    turtle = get(client, "/id/twass.ttl")
    assert turtle.status_code == 404
    assert "/search?q=" in turtle.text
    odd = get(client, "/id/..%2Fetc", BROWSER)
    assert odd.status_code == 404


def _section(html: str, section_id: str) -> str:
    """The HTML from the heading with ``id`` to the next h2."""
    start = html.index(f'id="{section_id}"')
    end = html.find("<h2", start)
    return html[start : end if end > 0 else None]


def test_html_shows_names_facts_evidence_enriched_and_incoming(client, data):
    html = unescape(get(client, "/id/cas", BROWSER).text)
    names = _section(html, "names")
    for label in data.objects(ID.cas, URIRef("http://www.w3.org/2004/02/skos/core#prefLabel")):
        assert str(label) in names
    assert "zh-Hans" in names
    facts = _section(html, "facts")
    # Every property of CAS in the data is listed, with a readable label; the external
    # identifiers have their own section.
    identifiers = _section(html, "identifiers")
    for external in data.objects(ID.cas, OWL.sameAs):
        assert f'href="{external}"' in identifiers and f'href="{external}"' not in facts
    for predicate in set(data.predicates(ID.cas)) - {RDF.type, OWL.sameAs}:
        assert f'href="{predicate}"' in facts or str(predicate).startswith(str(SDKG))
    assert "founding date" in facts
    # Values of ours link to their pages; the essay's sentence is behind the facts.
    assert 'href="/id/beijing"' in facts
    assert "the national academy of PRC" in facts
    # Enriched facts come from the ROR cache, through owl:sameAs, marked with their source.
    ror = next(o for o in data.objects(ID.cas, OWL.sameAs) if "ror.org" in str(o))
    enriched = _section(html, "enriched")
    assert "from ror" in enriched and str(ror) in enriched
    # Referenced by: USTC is a sub-organization of CAS.
    incoming = _section(html, "referenced-by")
    assert 'href="/id/ustc"' in incoming
    # The neighbourhood picture comes with its links as a list.
    picture = _section(html, "neighbourhood")
    assert re.search(r'<a href="/id/ustc">[^<]+</a> — [^<]+ → <a href="/id/cas">', picture)


def test_external_links_leave_and_ours_stay(client, data):
    html = get(client, "/id/twas", BROWSER).text
    for external in data.objects(ID.twas, OWL.sameAs):
        assert f'href="{external}"' in html
    assert 'href="https://w3id.org/sdkg/id/' not in html
    label = str(data.value(ID.ictp, RDFS.label))
    assert f'<a href="/id/ictp">{label}</a>' in html
