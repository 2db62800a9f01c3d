"""The query page's readable results and its views (map, timeline, chart, graph).

A real server on the bundled data, a real Chromium. Oracles: the bundled data parsed with
rdflib and the endpoint's own SPARQL JSON for the same query (not the page's drawing).
"""

from __future__ import annotations

import re

import pytest
import requests
from rdflib import Graph, URIRef
from rdflib.namespace import RDFS
from support.browser import (
    PHONE,
    Watched,
    node_boxes,
    open_query,
    overlapping,
    query_text,
    requires_chromium,
    scroll_width,
    tap_node,
    views_offered,
    wait_for_result,
)

SCHEMA = "https://schema.org/"
ID = "https://w3id.org/sdkg/id/"

pytestmark = requires_chromium


@pytest.fixture(scope="module")
def server(start_server):
    return start_server("--memory")


def english_label(data: Graph, iri: str) -> str:
    return next(str(o) for o in data.objects(URIRef(iri), RDFS.label) if o.language == "en")


def sparql_json(server, query: str) -> dict:
    response = requests.post(
        server.base + "sparql",
        data={"query": query},
        headers={"Accept": "application/sparql-results+json"},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return response.json()


def select_view(page, name: str) -> None:
    page.page.locator(f"#yasr .select_{name}").click()
    page.page.locator(f"#yasr .select_{name}.selected").wait_for()


# --------------------------------------------------------------------------- labels API


def test_labels_api_gives_labels_pages_and_places(server, data):
    twas, external = ID + "twas", "https://example.org/not-in-the-graph"
    response = requests.post(server.base + "api/labels", json={"iris": [twas, external]})
    assert response.status_code == 200
    found = response.json()["labels"]
    assert external not in found
    assert found[twas]["label"] == english_label(data, twas)
    assert found[twas]["url"] == "/id/twas"
    # TWAS is placed through its city, whose coordinates the data gives.
    city = data.value(URIRef(twas), URIRef(SCHEMA + "location"))
    latitude = float(data.value(city, URIRef(SCHEMA + "latitude")))
    longitude = float(data.value(city, URIRef(SCHEMA + "longitude")))
    assert found[twas]["point"] == [latitude, longitude]


def test_labels_api_refuses_bad_bodies_with_a_message(server):
    not_json = requests.post(server.base + "api/labels", data="twas")
    assert not_json.status_code == 400 and "list of IRIs" in not_json.text
    wrong_shape = requests.post(server.base + "api/labels", json={"iris": [1, 2]})
    assert wrong_shape.status_code == 400
    too_many = requests.post(server.base + "api/labels", json={"iris": ["x"] * 5001})
    assert too_many.status_code == 413 and "at most" in too_many.text


# --------------------------------------------------------------------------- readable table


def test_table_shows_labels_plain_dates_and_language_tags_raw_on_request(page, data):
    open_query(page, query_text("cq06-twas-founding"))
    cells = page.page.locator("#yasr table tbody tr").first.locator("td")
    headers = page.page.locator("#yasr table thead th")
    names = [headers.nth(i).inner_text().strip() for i in range(headers.count())]
    organization = cells.nth(names.index("organization"))
    # The IRI's label, linking to its page here, not the IRI.
    assert organization.inner_text() == english_label(data, ID + "twas")
    assert organization.locator("a").get_attribute("href") == "/id/twas"
    founded = data.value(URIRef(ID + "twas"), URIRef(SCHEMA + "foundingDate"))
    assert cells.nth(names.index("founded")).inner_text() == str(founded)  # a plain year
    label_cell = cells.nth(names.index("organizationLabel"))
    assert label_cell.locator(".lang").inner_text() == "en"
    assert "@" not in label_cell.inner_text()
    page.shot("results-readable")
    # The raw terms on request: the IRI, the datatype and the language tag.
    page.page.get_by_label(re.compile("Show the raw RDF terms")).check()
    raw = page.page.locator("#yasr table tbody tr").first
    assert "^^" in raw.locator("td").nth(names.index("founded")).inner_text()
    assert "@en" in raw.locator("td").nth(names.index("organizationLabel")).inner_text()
    assert "twas" in raw.locator("td").nth(names.index("organization")).inner_text()
    assert english_label(data, ID + "twas") not in (
        raw.locator("td").nth(names.index("organization")).inner_text()
    )


def test_results_fit_a_phone_and_the_table_scrolls_in_its_box(browser, server):
    context = browser.new_context(viewport=PHONE, is_mobile=True)
    watched = Watched(context.new_page(), server.base)
    open_query(watched, query_text("cq14-ustc-partners-by-place"))
    assert scroll_width(watched.page) <= PHONE["width"]
    box = watched.page.locator("#yasr .yasr_results")
    assert box.evaluate("e => e.scrollWidth > e.clientWidth")  # wide table, own scroll
    watched.shot("phone-results")
    context.close()
    watched.check_clean()


# --------------------------------------------------------------------------- views


def test_map_view_draws_placed_organizations_offline(page, server, data):
    open_query(page, query_text("cq07-twas-location"))
    assert "map" in views_offered(page)
    select_view(page, "map")
    assert "#view=map" in page.page.url
    # The base map: Natural Earth country outlines, drawn from the server's own copy.
    page.page.locator(".view-map path.leaflet-interactive, .view-map path").nth(50).wait_for()
    assert any("world-atlas/countries-110m.json" in url for url in page.requests)
    markers = page.page.locator(".view-map path.leaflet-interactive")
    assert markers.count() == 1  # one row: TWAS, at its city
    markers.first.click()
    popup_link = page.page.locator(".leaflet-popup-content a")
    assert popup_link.inner_text() == english_label(data, ID + "twas")
    assert popup_link.get_attribute("href") == "/id/twas"
    page.shot("view-map")


def test_timeline_view_orders_dated_rows(page, server):
    query = query_text("cq11-cas-research-institutes")
    open_query(page, query)
    assert "timeline" in views_offered(page)
    select_view(page, "timeline")
    answer = sparql_json(server, query)
    dates = [
        b[v]["value"]
        for b in answer["results"]["bindings"]
        for v in answer["head"]["vars"]
        if v in b and b[v].get("datatype", "").endswith(("#gYear", "#date"))
    ]
    shown = page.page.locator("ol.timeline time")
    assert shown.count() == len(dates) > 0
    years = [shown.nth(i).get_attribute("datetime")[:4] for i in range(shown.count())]
    assert years == sorted(d[:4] for d in dates)
    page.shot("view-timeline")


def test_chart_view_plots_label_and_number(page, server):
    query = query_text("cq01-centre-organizers")
    open_query(page, query)
    assert "chart" in views_offered(page)
    select_view(page, "chart")
    assert page.page.locator(".view-chart canvas[role='img']").count() == 1
    answer = sparql_json(server, query)
    rows_json = answer["results"]["bindings"]
    expected = {b["organizationLabel"]["value"]: b["centres"]["value"] for b in rows_json}
    page.page.locator(".view-text summary", has_text="figures").click()
    rows = page.page.locator(".view-text table tr")
    shown = {
        rows.nth(i).locator("td").nth(0).inner_text(): rows.nth(i).locator("td").nth(1).inner_text()
        for i in range(1, rows.count())
    }
    assert shown == expected
    page.shot("view-chart")


def test_graph_view_draws_iri_links_with_full_labels_and_no_overlaps(page, server, data):
    query = query_text("cq14-ustc-partners-by-place")
    open_query(page, query)
    assert "graph" in views_offered(page)
    select_view(page, "graph")
    answer = sparql_json(server, query)
    iris = {
        b[v]["value"]
        for b in answer["results"]["bindings"]
        for v in answer["head"]["vars"]
        if v in b and b[v]["type"] == "uri"
    }
    nodes = node_boxes(page)
    assert {n["url"] for n in nodes} == {"/id/" + iri[len(ID) :] for iri in iris}
    for node in nodes:  # full labels, never cut
        assert node["label"] == english_label(data, ID + node["url"][len("/id/") :])
    assert overlapping(nodes) == []
    assert page.page.locator(".view-graph + .graph-below ul.legend li").count() >= 2
    page.shot("view-graph")
    tap_node(page, ".view-graph")


def test_default_view_comment_and_the_view_in_the_shared_url(page):
    open_query(page, "#defaultView:Map\n" + query_text("cq07-twas-location"))
    assert page.page.locator("#yasr .select_map.selected").count() == 1
    assert page.page.locator(".view-map").count() == 1
    shared = page.page.locator("#share-link").input_value()
    assert shared.endswith("#view=map")
    # The view in the URL wins over the comment, and comes back when the link is opened.
    page.page.goto("about:blank")
    page.page.goto(shared.replace("#view=map", "#view=graph"))
    wait_for_result(page)
    assert page.page.locator("#yasr .select_graph.selected").count() == 1
    assert page.page.locator(".view-graph").count() == 1


def test_views_offered_follow_the_columns(page):
    # Names and acronyms only: no places, dates, numbers or IRI-to-IRI links to draw.
    open_query(
        page,
        "PREFIX sdkg: <https://w3id.org/sdkg/ontology#>\n"
        "SELECT ?acronym WHERE { ?c sdkg:acronym ?acronym }",
    )
    assert views_offered(page) == ["table", "response"]


# --------------------------------------------------------------------------- map tiles setting


def test_an_operator_may_configure_map_tiles(start_server):
    tiles = "https://tiles.example.org/{z}/{x}/{y}.png"
    configured = start_server("--memory", env={"SDKG_MAP_TILES": tiles})
    page = requests.get(configured.base + "sparql", headers={"Accept": "text/html"}, timeout=30)
    assert '"mapTiles": "https://tiles.example.org/{z}/{x}/{y}.png"' in page.text
    assert (
        "img-src 'self' https://tiles.example.org data:;" in page.headers["Content-Security-Policy"]
    )
    refused = start_server("--memory", env={"SDKG_MAP_TILES": "tiles.example.org"}, wait=False)
    assert refused.process.wait(30) != 0
    assert "not an http(s) URL template" in refused.log_text()


def test_without_tiles_pages_load_images_from_their_own_origin_only(server):
    page = requests.get(server.base + "sparql", headers={"Accept": "text/html"}, timeout=30)
    assert '"mapTiles": ""' in page.text
    assert "img-src 'self' data:;" in page.headers["Content-Security-Policy"]


def test_only_web_addresses_become_links_in_results(page):
    open_query(
        page,
        'SELECT ?x ?y WHERE { BIND(IRI("javascript:alert(1)") AS ?x) '
        'BIND(IRI("https://example.org/a") AS ?y) }',
    )
    cells = page.page.locator("#yasr table tbody tr").first.locator("td")
    assert cells.nth(1).locator("a").count() == 0
    assert "javascript:alert(1)" in cells.nth(1).inner_text()
    assert cells.nth(2).locator("a").get_attribute("href") == "https://example.org/a"


@pytest.mark.parametrize(
    "query",
    [
        "PREFIX geo: <http://www.opengis.net/ont/geosparql#>\n"
        'SELECT ?place ?where WHERE { VALUES (?place ?where) { ("Trieste" '
        '"POINT(13.77678 45.64953)"^^geo:wktLiteral) '
        '("Hefei" "POINT(117.28083 31.86389)"^^geo:wktLiteral) } }',
        "SELECT ?place ?lat ?long WHERE { VALUES (?place ?lat ?long) "
        '{ ("Trieste" 45.64953 13.77678) ("Hefei" 31.86389 117.28083) } }',
    ],
    ids=["wkt", "lat-long"],
)
def test_map_view_from_wkt_or_coordinate_columns(page, query):
    open_query(page, query)
    assert "map" in views_offered(page)
    select_view(page, "map")
    assert page.page.locator(".view-map path.leaflet-interactive").count() == 2
    page.page.locator(".view-text summary", has_text="places").click()
    listed = page.page.locator(".view-text .view-list").inner_text()
    assert "Trieste (45.65, 13.78)" in listed and "Hefei (31.86, 117.28)" in listed
