"""axe-core (vendored) on every page, at desktop and phone sizes, with results, views and
the editor open: no critical or serious violation, vendored widgets included; and no page
scrolls sideways on a phone."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from support.browser import (
    DESKTOP,
    PHONE,
    Watched,
    axe_problems,
    query_text,
    requires_chromium,
    scroll_width,
    wait_for_result,
)
from support.contributing import (
    BROKEN_CONTRIBUTION,
    TOKEN,
    UNVERIFIED_CASE,
    UNVERIFIED_ENTITY,
    post,
    write_tokens,
)

pytestmark = requires_chromium


def _query(name: str, view: str = "") -> str:
    return "/sparql?query=" + quote(query_text(name)) + (f"#view={view}" if view else "")


def _run(watched) -> None:
    wait_for_result(watched)


def _raw_terms(watched) -> None:
    wait_for_result(watched)
    watched.page.locator("#raw-terms").check()


def _code_open(watched) -> None:
    wait_for_result(watched)
    watched.page.locator("#code-section summary").click()
    watched.page.locator("#code-text").wait_for()


def _response_view(watched) -> None:
    wait_for_result(watched)
    watched.page.locator("#yasr .select_response").click()


def _map_popup(watched) -> None:
    wait_for_result(watched)
    watched.page.locator(".view-map path.leaflet-interactive").first.click()
    watched.page.locator(".leaflet-popup-content a").wait_for()
    # Leaflet fades a popup in (0.2 s): check it as a reader sees it, fully drawn, not
    # half-transparent (axe would measure the contrast of a colour mid-fade).
    from playwright.sync_api import expect

    expect(watched.page.locator(".leaflet-popup")).to_have_css("opacity", "1")


def _sentence_open(watched) -> None:
    watched.page.locator(".essay .sentence.has-facts").nth(3).focus()


def _suggestions_open(watched) -> None:
    watched.page.locator("#site-search").press_sequentially("twa")
    watched.page.locator("#site-search-options [role=option]").first.wait_for()


def _unverified_badge(watched) -> None:
    watched.page.locator(".badge", has_text="unverified").scroll_into_view_if_needed()


def _validation_report(watched) -> None:
    watched.page.get_by_label("RDF to contribute").fill(BROKEN_CONTRIBUTION)
    watched.page.get_by_role("button", name="Validate").click()
    watched.page.locator("#report .summary").wait_for()


#: (name, path, what to do before checking)
PAGES = [
    ("home", "/", None),
    ("search", "/search?q=TWAS", None),
    ("search-matched", "/search?q=" + quote("中国科学院"), None),
    ("search-nothing", "/search?q=zzzqx", None),
    ("autocomplete", "/", _suggestions_open),
    ("editor", "/sparql", None),
    ("results-table", _query("cq14-ustc-partners-by-place"), _run),
    ("results-raw", _query("cq06-twas-founding"), _raw_terms),
    ("results-code", _query("cq02-centre-acronyms"), _code_open),
    ("results-response", _query("cq02-centre-acronyms"), _response_view),
    ("view-map", _query("cq07-twas-location", "map"), _map_popup),
    ("view-timeline", _query("cq11-cas-research-institutes", "timeline"), _run),
    ("view-chart", _query("cq01-centre-organizers", "chart"), _run),
    ("view-graph", _query("cq14-ustc-partners-by-place", "graph"), _run),
    ("entity", "/id/twas", None),
    ("entity-place", "/id/beijing", None),
    ("entity-unverified", f"/id/{UNVERIFIED_ENTITY}", _unverified_badge),
    ("essay", "/id/cas-twas-science-diplomacy-essay", _sentence_open),
    ("class", "/class/org:Organization?country=china", None),
    ("ontology", "/ontology", None),
    ("contribute", "/contribute", _validation_report),
    ("not-found", "/id/twass", None),
]


@pytest.fixture(scope="module")
def server(start_server, tmp_path_factory):
    """The bundled graph plus one accepted contribution with an unverified Wikidata link."""
    folder = tmp_path_factory.mktemp("accessibility")
    started = start_server(
        "--memory",
        "--contributions",
        str(folder / "contributions"),
        env={"SDKG_TOKENS_FILE": str(write_tokens(folder))},
    )
    stored = post(started.base, "contributions", UNVERIFIED_CASE.read_text("utf-8"), token=TOKEN)
    assert stored.status_code == 201, stored.text
    return started


@pytest.mark.parametrize("size", ["desktop", "phone"])
@pytest.mark.parametrize(("name", "path", "action"), PAGES, ids=[p[0] for p in PAGES])
def test_no_serious_accessibility_problems(browser, server, size, name, path, action):
    viewport = DESKTOP if size == "desktop" else PHONE
    context = browser.new_context(viewport=viewport, is_mobile=size == "phone")
    watched = Watched(context.new_page(), server.base)
    watched.open(path)
    if action is not None:
        action(watched)
    problems = axe_problems(watched.page)
    width = scroll_width(watched.page)
    if size == "phone":
        watched.shot(f"axe-phone-{name}", full_page=False)
    context.close()
    assert problems == [], f"{name} at {size}: {problems}"
    assert width <= viewport["width"], f"{path} scrolls sideways at {size} ({width}px)"
    if name == "not-found":  # the page is a 404 on purpose; Chromium logs that
        watched.errors = [e for e in watched.errors if "status of 404" not in e]
    watched.check_clean()
