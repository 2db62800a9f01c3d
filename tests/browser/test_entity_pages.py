"""Entity pages people can read, and the essay read with its facts, in a real browser.

Oracles: the bundled data parsed with rdflib (labels, identifiers, evidence sentences,
coordinates, the essay's text), never the page's own output.
"""

from __future__ import annotations

import re

import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import OWL, RDF, RDFS
from support.browser import (
    PHONE,
    node_boxes,
    overlapping,
    requires_chromium,
    scroll_width,
    tap_node,
    watched_page,
)

ID = Namespace("https://w3id.org/sdkg/id/")
SCHEMA = Namespace("https://schema.org/")
SDKG = Namespace("https://w3id.org/sdkg/ontology#")
DCTERMS_SOURCE = URIRef("http://purl.org/dc/terms/source")
PROV_VALUE = URIRef("http://www.w3.org/ns/prov#value")
ESSAY = ID["cas-twas-science-diplomacy-essay"]

pytestmark = requires_chromium


@pytest.fixture(scope="module")
def server(start_server):
    return start_server("--memory")


@pytest.fixture
def phone(browser, server):
    with watched_page(browser, server.base, viewport=PHONE, is_mobile=True, has_touch=True) as w:
        yield w


def label_of(data: Graph, iri) -> str:
    labels = [o for o in data.objects(URIRef(iri), RDFS.label) if o.language in ("en", None)]
    return str(labels[0]) if labels else ""


def squash(text: str) -> str:
    return " ".join(text.split())


def evidence_of(data: Graph, subject) -> list[tuple[URIRef, str]]:
    """(predicate, quoted words) of the essay's evidence about ``subject``."""
    return [
        (data.value(e, RDF.predicate), str(data.value(e, PROV_VALUE)))
        for e in data.subjects(RDF.subject, subject)
        if (e, RDF.type, SDKG.Evidence) in data and (e, DCTERMS_SOURCE, ESSAY) in data
    ]


def test_entity_page_says_what_it_is_and_groups_its_identifiers(page, data):
    page.open("/id/twas")
    description = page.page.locator("h1 + p.description").inner_text()
    city = data.value(ID.twas, SCHEMA.location)
    assert label_of(data, city) in description
    assert str(data.value(ID.twas, SCHEMA.foundingDate))[:4] in description
    identifiers = page.page.locator("h2#identifiers + p + .table-wrap")
    facts = page.page.locator("h2#facts ~ dl.facts").first
    for external in data.objects(ID.twas, OWL.sameAs):
        assert identifiers.locator(f'a[href="{external}"]').count() == 1
        assert facts.locator(f'a[href="{external}"]').count() == 0
    # Plain words first: the readable property label, the RDF term small beside it.
    term = page.page.locator("dl.facts dt", has_text="founding date").first
    assert term.locator("a").inner_text() == "founding date"
    assert term.locator("code.term").inner_text() == "schema:foundingDate"
    page.shot("entity-twas-readable")


def test_each_fact_shows_its_sentence_and_links_to_it_in_the_essay(page, data):
    page.open("/id/twas")
    founding = [text for p, text in evidence_of(data, ID.twas) if p == SCHEMA.foundingDate]
    assert founding
    fact = page.page.locator("dl.facts dt", has_text="founding date").first.locator("xpath=..")
    quote = page.page.locator("blockquote.evidence", has_text=founding[0][:60]).first
    assert quote.is_visible()  # not collapsed
    assert squash(founding[0]) in squash(quote.inner_text())
    # Facts without a sentence say so.
    label_fact = page.page.locator("dl.facts dt#rdfs-label + dd")
    assert "no sentence recorded" in label_fact.inner_text()
    assert fact.count() == 1
    link = quote.locator("a")
    href = link.get_attribute("href")
    assert re.fullmatch(r"/id/cas-twas-science-diplomacy-essay#s\d+", href)
    link.click()
    page.page.wait_for_url(re.compile(re.escape(href) + "$"))
    target = page.page.locator(href[href.index("#") :])
    assert squash(founding[0]) in squash(target.inner_text())


def test_neighbourhood_network_has_full_labels_no_overlaps_and_a_legend(page, data):
    page.open("/id/twas")
    nodes = node_boxes(page)
    linked = {o for o in data.objects(ID.twas) if str(o).startswith(str(ID))} | {
        s for s in data.subjects(None, ID.twas) if str(s).startswith(str(ID))
    }
    assert {n["url"] for n in nodes} >= {"/id/" + str(iri)[len(str(ID)) :] for iri in linked}
    for node in nodes:
        wanted = label_of(data, ID[node["url"][len("/id/") :]])
        assert not wanted or node["label"] == wanted  # full labels, never cut
    assert overlapping(nodes) == []
    legend = page.page.locator(".neighbourhood ul.legend li")
    relations = page.page.locator(".neighbourhood .view-list li")
    assert 2 <= legend.count() <= relations.count()
    page.shot("entity-twas-network", full_page=False)


def test_a_tap_on_a_phone_opens_a_neighbour(phone):
    phone.open("/id/ustc")
    assert scroll_width(phone.page) <= PHONE["width"]
    tap_node(phone, "#entity-graph", tap=True)
    assert "/id/" in phone.page.url and not phone.page.url.endswith("/id/ustc")


def test_map_and_timeline_of_an_organization(page, data):
    page.open("/id/twas")
    city = data.value(ID.twas, SCHEMA.location)
    latitude = float(data.value(city, SCHEMA.latitude))
    longitude = float(data.value(city, SCHEMA.longitude))
    page.page.locator("#entity-map path.leaflet-interactive").first.wait_for()
    listed = page.page.locator("h2#map + figure .view-list li").first.inner_text()
    assert f"({latitude:.2f}, {longitude:.2f})" in listed
    assert label_of(data, ID.twas) in listed
    timeline = page.page.locator("h2#timeline + ol.timeline").inner_text()
    assert str(data.value(ID.twas, SCHEMA.foundingDate)) in timeline
    assert "founding date" in timeline


def test_the_essay_reads_with_its_facts(page, data):
    page.open("/id/cas-twas-science-diplomacy-essay")
    sentences = page.page.locator(".essay .sentence")
    # The full text, every word of it, in order.
    shown = " ".join(
        sentences.nth(i).evaluate(
            "e => Array.from(e.childNodes).filter(n => n.nodeType === 3)"
            ".map(n => n.textContent).join('')"
        )
        for i in range(sentences.count())
    )
    assert squash(shown) == squash(str(data.value(ESSAY, SCHEMA.text)))
    # Every quoted sentence is highlighted; the others are marked as yielding no fact.
    quotes = [
        squash(str(data.value(e, PROV_VALUE)))
        for e in data.subjects(DCTERMS_SOURCE, ESSAY)
        if (e, RDF.type, SDKG.Evidence) in data
    ]
    no_facts = page.page.locator(".essay .sentence.no-facts")
    assert no_facts.count() > 0
    for i in range(no_facts.count()):
        text = no_facts.nth(i).inner_text().replace("(no fact drawn from this sentence)", "")
        text = squash(text)
        assert not any(text in q or q in text for q in quotes), text
    founding = [t for p, t in evidence_of(data, ID.twas) if p == SCHEMA.foundingDate][0]
    sentence = page.page.locator(".essay .sentence.has-facts", has_text=founding[:50]).first
    pop = sentence.locator(".facts-pop")
    assert not pop.is_visible()
    sentence.hover()
    assert pop.is_visible()
    assert pop.locator('a[href="/id/twas"]').count() >= 1
    assert "founding date" in pop.inner_text()
    page.shot("essay-with-facts")


def test_the_essay_on_a_phone_lists_facts_on_tap(phone):
    phone.open("/id/cas-twas-science-diplomacy-essay")
    assert scroll_width(phone.page) <= PHONE["width"]
    sentence = phone.page.locator(".essay .sentence.has-facts", has_text="TWAS was founded").first
    sentence.tap()
    pop = sentence.locator(".facts-pop")
    assert pop.is_visible()
    pop.locator('a[href="/id/twas"]').first.tap()
    phone.page.wait_for_url(re.compile(r"/id/twas$"))
    phone.shot("phone-essay")
