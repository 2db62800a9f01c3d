"""Class pages (``/class/<prefix>:<Name>``): members, counts, facets; linked from the home
page counts and from every type on entity pages. Oracle: the bundled data and ontology
parsed with rdflib."""

from __future__ import annotations

import re
from html import unescape

import pytest
import requests
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import RDF, RDFS
from support.browser import PHONE, requires_chromium, scroll_width, watched_page
from support.sheets import bundled_data

from sdkg.resources import ontology_file

ID = Namespace("https://w3id.org/sdkg/id/")
SDKG = Namespace("https://w3id.org/sdkg/ontology#")
SCHEMA = Namespace("https://schema.org/")
ORG = Namespace("http://www.w3.org/ns/org#")
BROWSER = "text/html"


@pytest.fixture(scope="module")
def server(start_server):
    return start_server("--memory")


@pytest.fixture(scope="module")
def data() -> Graph:
    """The bundled data files and the ontology, read with rdflib."""
    graph = Graph()
    graph += bundled_data()  # a copy: the shared graph stays as it is
    graph.parse(ontology_file())
    return graph


def members_of(data: Graph, cls: URIRef) -> set[URIRef]:
    classes = set(data.transitive_subjects(RDFS.subClassOf, cls))
    return {s for c in classes for s in data.subjects(RDF.type, c) if str(s).startswith(str(ID))}


def country_of(data: Graph, thing: URIRef) -> set[URIRef]:
    found, todo = (
        set(),
        list(data.objects(thing, SCHEMA.location))
        + list(data.objects(thing, SCHEMA.containedInPlace)),
    )
    while todo:
        place = todo.pop()
        if (place, RDF.type, SCHEMA.Country) in data:
            found.add(place)
        todo.extend(data.objects(place, SCHEMA.containedInPlace))
    return found


def member_links(html: str) -> set[str]:
    table = html[html.index('id="members"') :]
    return set(re.findall(r'<tr><td><a href="(/id/[^"]+)">', table))


def get(server, path, **params):
    return requests.get(server.base + path.lstrip("/"), params=params, headers={"Accept": BROWSER})


def test_class_page_lists_every_member_with_the_count(server, data):
    response = get(server, "/class/sdkg:CentreOfExcellence")
    assert response.status_code == 200
    html = unescape(response.text)
    expected = members_of(data, SDKG.CentreOfExcellence)
    assert len(expected) == 5
    assert f"{len(expected)} entities in this graph" in html
    assert member_links(html) == {"/id/" + str(m)[len(str(ID)) :] for m in expected}


def test_facets_filter_and_count(server, data):
    organizations = members_of(data, ORG.Organization)
    html = unescape(get(server, "/class/org:Organization").text)
    in_italy = {m for m in organizations if ID.italy in country_of(data, m)}
    assert re.search(rf'href="\?country=italy">Italy</a> <span class="n">\({len(in_italy)}\)', html)
    filtered = unescape(get(server, "/class/org:Organization", country="italy").text)
    assert member_links(filtered) == {"/id/" + str(m)[len(str(ID)) :] for m in in_italy}
    # Two filters: centres in China with a research area.
    both = unescape(
        get(server, "/class/org:Organization", country="china", area="biotechnology").text
    )
    wanted = {
        m
        for m in organizations
        if ID.china in country_of(data, m) and (m, SDKG.researchArea, ID.biotechnology) in data
    }
    assert member_links(both) == {"/id/" + str(m)[len(str(ID)) :] for m in wanted} != set()
    kind = unescape(get(server, "/class/org:Organization", kind="sdkg:University").text)
    universities = members_of(data, SDKG.University) & organizations
    assert member_links(kind) == {"/id/" + str(m)[len(str(ID)) :] for m in universities}


def test_unknown_classes_are_404_with_a_way_on(server):
    for name in ("nope:Thing", "sdkg:NoSuchClass", "Thing%20With%20Spaces"):
        response = get(server, f"/class/{name}")
        assert response.status_code == 404
        assert "/class/sdkg:CentreOfExcellence" in response.text


def test_home_counts_and_entity_types_link_to_class_pages(server):
    home = unescape(get(server, "/").text)
    linked = re.findall(r'<li><a href="(/class/[^"]+)"><span class="n">(\d+)</span>', home)
    assert len(linked) >= 5
    for path, count in linked:
        page = unescape(get(server, path).text)
        # The class page holds at least the entities counted under that kind on the home page.
        assert len(member_links(page)) >= int(count)
    twas = unescape(get(server, "/id/twas").text)
    types = re.findall(r'<a href="(/class/[^"]+)">', twas.split("Types:")[1].split("</p>")[0])
    assert types
    for path in types:
        assert "/id/twas" in member_links(unescape(get(server, path).text))


@requires_chromium
def test_browse_from_home_to_a_class_and_filter_it_on_a_phone(browser, server):
    with watched_page(browser, server.base, viewport=PHONE, is_mobile=True) as watched:
        watched.open("/")
        watched.page.locator("ul.counts a", has_text="university").first.click()
        watched.page.wait_for_url(re.compile(r"/class/sdkg:University$"))
        assert scroll_width(watched.page) <= PHONE["width"]
        before = watched.page.locator("table.members tbody tr").count()
        watched.page.locator(".facets a", has_text="China").first.click()
        watched.page.wait_for_url(re.compile(r"country=china"))
        after = watched.page.locator("table.members tbody tr")
        assert 0 < after.count() < before
        for i in range(after.count()):
            assert "China" in after.nth(i).inner_text()
        watched.shot("phone-class-university")
