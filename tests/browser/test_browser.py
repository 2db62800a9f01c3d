"""The web pages in a real browser: Debian's headless Chromium driven by Playwright.

Each test opens pages of a real ``sdkg serve`` on the bundled data and acts as a person
would (typing, clicking, pressing Enter). Every request the page makes is recorded: none
may leave the server's origin, and no page may log a console error. Screenshots of each
page go to ``artifacts/screenshots/``.
"""

from __future__ import annotations

import re

import pytest
import requests
from support.browser import Watched, requires_chromium
from support.contributing import BROKEN_CONTRIBUTION

# The five centres of the essay's numbered list, by acronym.
CENTRE_ACRONYMS = ["CEGT", "CEWE", "CoEBio", "ICCES", "SDIM"]

pytestmark = requires_chromium


@pytest.fixture(scope="module")
def server(start_server):
    """A server on the bundled data."""
    return start_server("--memory")


def test_search_twas_from_home_and_reach_its_page(page):
    page.open("/")
    page.shot("home")
    page.page.get_by_label("Find an organization, person, place or concept").fill("TWAS")
    page.page.keyboard.press("Enter")
    page.page.wait_for_url(re.compile(r"/search\?q=TWAS"))
    page.shot("search-twas")
    first = page.page.locator("ul.hits a").first
    assert first.inner_text() == "The World Academy of Sciences"
    first.click()
    page.page.wait_for_url(re.compile(r"/id/twas$"))
    assert page.page.locator("h1").inner_text() == "The World Academy of Sciences"
    page.shot("entity-twas")


def test_editor_runs_a_query_from_its_url_with_sortable_linked_rows(page):
    query = (
        "PREFIX sdkg: <https://w3id.org/sdkg/ontology#>\n"
        "SELECT ?centre ?acronym WHERE { ?centre a sdkg:CentreOfExcellence ; "
        "sdkg:acronym ?acronym } ORDER BY ?acronym"
    )
    page.open("/sparql?" + requests.compat.urlencode({"query": query}))
    rows = page.page.locator("#yasr table tbody tr")
    rows.first.wait_for()
    assert rows.count() == len(CENTRE_ACRONYMS)
    acronyms = [rows.nth(i).locator("td").nth(2).inner_text() for i in range(rows.count())]
    assert acronyms == sorted(CENTRE_ACRONYMS)
    # Entity IRIs link to their pages here, not to w3id.org.
    link = rows.first.locator("td").nth(1).locator("a")
    assert link.get_attribute("href").startswith("/id/")
    # Sorting, by keyboard: the column's sort button twice gives descending order.
    sort_button = page.page.get_by_role("button", name=re.compile(r"^acronym: "))
    for _ in range(2):
        sort_button.focus()
        page.page.keyboard.press("Enter")
    # The table is drawn again after the click: wait for the new order, not a moment.
    from playwright.sync_api import expect

    acronym_cells = page.page.locator("#yasr table tbody tr td:nth-child(3)")
    expect(acronym_cells).to_have_text(sorted(CENTRE_ACRONYMS, reverse=True))
    # The page URL is the shareable link.
    assert page.page.locator("#share-link").input_value() == page.page.url
    assert "query=" in page.page.url
    page.shot("editor-query")


def test_editor_runs_a_named_example_query(page, server):
    page.open("/sparql")
    page.page.locator("a.example[data-example^='cq02']").click()
    rows = page.page.locator("#yasr table tbody tr")
    rows.first.wait_for()
    text = page.page.locator("#yasr table tbody").inner_text()
    assert rows.count() == len(CENTRE_ACRONYMS)
    for acronym in CENTRE_ACRONYMS:
        assert acronym in text
    page.shot("editor-named-query")


def test_entity_page_shows_evidence_and_links_work_by_keyboard(page):
    page.open("/id/ustc")
    page.shot("entity-ustc")
    body = page.page.locator("main")
    assert "中国科学技术大学" in body.inner_text()
    assert page.page.locator("#referenced-by").count() == 1
    assert page.page.locator(".neighbourhood .view-list a").count() > 3
    evidence = page.page.locator("blockquote.evidence", has_text="CAS TWAS Science Diplomacy").first
    assert evidence.is_visible() and "USTC" in evidence.inner_text()
    # Follow the link to CAS with the keyboard only.
    link = page.page.locator("dl.facts a", has_text="Chinese Academy of Sciences").first
    link.focus()
    page.page.keyboard.press("Enter")
    page.page.wait_for_url(re.compile(r"/id/cas$"))
    assert page.page.locator("h1").inner_text() == "Chinese Academy of Sciences"
    # The neighbourhood's links, as a list beside the picture.
    page.page.locator(".neighbourhood summary").click()
    node = page.page.locator(".neighbourhood .view-list a", has_text="Beijing").first
    node.click()
    page.page.wait_for_url(re.compile(r"/id/beijing$"))
    page.shot("entity-beijing")


def test_unknown_entity_suggests_pages(page):
    response = page.open("/id/twass")
    assert response.status == 404
    page.shot("not-found")
    suggestion = page.page.locator("ul.hits a", has_text="The World Academy of Sciences")
    assert suggestion.count() == 1
    suggestion.click()
    page.page.wait_for_url(re.compile(r"/id/twas$"))
    # The 404 of the page itself is the point of this test; Chromium logs it as an error.
    assert page.failed == [f"404 {page.base}id/twass"]
    page.errors = [e for e in page.errors if "status of 404" not in e]


def test_ontology_page_has_a_section_per_term(page):
    page.open("/ontology#CentreOfExcellence")
    section = page.page.locator("section#CentreOfExcellence")
    assert section.is_visible()
    assert "org:OrganizationalCollaboration" in section.inner_text()
    page.shot("ontology", full_page=False)  # the whole page is very long


def test_validate_a_broken_contribution_in_the_form(page, server):
    probe = requests.post(
        server.base + "validate",
        data=BROKEN_CONTRIBUTION.encode(),
        headers={"Content-Type": "text/turtle", "Accept": "application/json"},
        timeout=30,
    )
    assert probe.status_code == 200, probe.text
    page.open("/contribute")
    page.page.get_by_label("RDF to contribute").fill(BROKEN_CONTRIBUTION)
    page.page.get_by_role("button", name="Validate").click()
    report = page.page.locator("#report .summary")
    report.wait_for()
    assert "Does not conform" in report.inner_text()
    results = page.page.locator("#report ol.results")
    assert "foundingDate" in results.inner_text()
    assert "xsd:gYear" in results.inner_text()
    page.shot("contribute-report")


def test_pages_read_on_a_phone(browser, server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    watched = Watched(context.new_page(), server.base)
    for path, name in (
        ("/", "phone-home"),
        ("/id/twas", "phone-entity"),
        ("/contribute", "phone-contribute"),
    ):
        watched.open(path)
        watched.shot(name)
        width = watched.page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path} scrolls sideways on a phone ({width}px)"
    context.close()
    watched.check_clean()
