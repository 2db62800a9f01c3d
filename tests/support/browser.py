"""The Chromium tests' shared setup and helpers: Debian's headless Chromium driven by
Playwright, the ``Watched`` page that records requests and console errors, the
``requires_chromium`` marker, running a query on the editor page, the vendored axe-core
accessibility check, and the sideways-scroll check.

Its fixtures (``browser``, ``page``, ``data``) are registered for every test module by
``pytest_plugins`` in ``tests/conftest.py``, so a module only names them as arguments (and
``pytest --fixtures`` lists them with this file as their home). ``page`` needs the module's
own ``server`` fixture: each module decides which server its pages come from.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import combinations
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from rdflib import Graph

from sdkg.resources import bundled_path
from support.sheets import bundled_data

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"

# Outside CI a developer without Chromium may skip these; in CI (.ci/run installs it) a
# missing browser is a failure, never a silent skip.
requires_chromium = pytest.mark.skipif(
    not CHROMIUM.exists() and not os.environ.get("CI"),
    reason="Debian's chromium is not installed (run .ci/system-packages)",
)

#: Impacts that fail a page (axe-core's two worst of four).
FAILING_IMPACTS = ("critical", "serious")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


class Watched:
    """A browser page whose requests and console errors are recorded."""

    def __init__(self, page, base: str) -> None:
        self.page = page
        self.base = base
        self.requests: list[str] = []
        self.errors: list[str] = []
        page.on("request", lambda request: self.requests.append(request.url))
        page.on(
            "console",
            lambda message: self.errors.append(message.text) if message.type == "error" else None,
        )
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.failed: list[str] = []
        page.on(
            "response",
            lambda response: (
                self.failed.append(f"{response.status} {response.url}")
                if response.status >= 400
                else None
            ),
        )

    def open(self, path: str):
        response = self.page.goto(self.base.rstrip("/") + path)
        self.page.wait_for_load_state("networkidle")
        return response

    def shot(self, name: str, full_page: bool = True) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)

    def check_clean(self) -> None:
        origin = urlsplit(self.base).netloc
        outside = [
            url
            for url in self.requests
            if not url.startswith(("data:", "about:", "blob:")) and urlsplit(url).netloc != origin
        ]
        assert outside == [], f"requests left the server: {outside}"
        for url in self.requests:
            assert urlsplit(url).hostname in ("127.0.0.1", "localhost") or url.startswith(
                ("data:", "about:", "blob:")
            )
        assert self.errors == [], f"console errors: {self.errors}; failed: {self.failed}"


@contextmanager
def watched_page(browser, base: str, **context_options) -> Iterator[Watched]:
    """A ``Watched`` page on ``base`` in a new browser context (``context_options`` as for
    Playwright's ``new_context``); after use the context closes and the page must be clean."""
    context = browser.new_context(**context_options)
    watched = Watched(context.new_page(), base)
    yield watched
    context.close()
    watched.check_clean()


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, headless, launched once per test module."""
    import playwright.sync_api as playwright_api  # only the browser tests need it

    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, server):
    """A desktop-sized ``Watched`` page on the module's ``server``, checked clean after."""
    with watched_page(browser, server.base, viewport=DESKTOP) as watched:
        yield watched


@pytest.fixture(scope="module")
def data() -> Graph:
    """The bundled data files (not the ontology), read with rdflib: the independent oracle
    the pages are checked against. Shared: do not change it."""
    return bundled_data()


def query_text(name: str) -> str:
    """The text of the named query of ``queries/`` (``cq07-twas-location``)."""
    return (bundled_path("queries") / f"{name}.rq").read_text(encoding="utf-8")


def open_query(watched, query: str, fragment: str = "") -> None:
    """Open the editor with ``query`` in its URL and wait until its rows are drawn."""
    watched.open("/sparql?query=" + quote(query) + fragment)
    wait_for_result(watched)


def wait_for_result(watched) -> None:
    """Wait until the status line reports the finished run (rows drawn with labels)."""
    watched.page.locator("#run-status", has_text=re.compile(r"rows? in|Done in|failed")).wait_for()


def views_offered(watched) -> list[str]:
    """The names of the result views the page offers for the current result."""
    buttons = watched.page.locator("#yasr .yasr_btn[class*='select_']:not(.disabled)")
    return [
        re.search(r"select_(\w+)", buttons.nth(i).get_attribute("class")).group(1)
        for i in range(buttons.count())
    ]


def axe_problems(page) -> list[str]:
    """Critical and serious axe-core violations on the page, one line each.

    The vendored axe-core is loaded from the server itself (the pages' CSP allows only
    their own origin), then run on the whole document.
    """
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(url="/static/vendor/axe-core/axe.min.js")
    found = page.evaluate(
        """async () => {
          const result = await axe.run(document, { resultTypes: ["violations"] });
          return result.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 3).map(n => n.target.join(" ")) }));
        }"""
    )
    return [
        f"{v['impact']}: {v['id']} ({v['help']}) at {v['nodes']}"
        for v in found
        if v["impact"] in FAILING_IMPACTS
    ]


def scroll_width(page) -> int:
    """How wide the page's content is; more than the viewport means sideways scrolling."""
    return page.evaluate("document.documentElement.scrollWidth")


def node_boxes(page) -> list[dict]:
    return page.page.locator(".view-graph, .entity-graph").first.evaluate(
        "e => e.cy.nodes().map(n => ({label: n.data('label'), url: n.data('url'),"
        " box: n.renderedBoundingBox({includeLabels: true}), pos: n.renderedPosition()}))"
    )


def overlapping(boxes: list[dict]) -> list[tuple[str, str]]:
    def meet(a: dict, b: dict) -> bool:
        return a["x1"] < b["x2"] and b["x1"] < a["x2"] and a["y1"] < b["y2"] and b["y1"] < a["y2"]

    return [(a["label"], b["label"]) for a, b in combinations(boxes, 2) if meet(a["box"], b["box"])]


def tap_node(page, selector: str, tap: bool = False) -> None:
    """One click (or tap) on a node in sight opens its page."""
    page.page.locator(selector).scroll_into_view_if_needed()
    nodes = node_boxes(page)  # where they are now (a full-page screenshot may move them)
    origin = page.page.locator(selector).bounding_box()
    target = next(
        n
        for n in nodes
        if 20 < n["pos"]["x"] < origin["width"] - 20
        and 20 < n["pos"]["y"] < origin["height"] - 20
        and not page.page.url.endswith(n["url"])  # not the page's own entity
    )
    where = (origin["x"] + target["pos"]["x"], origin["y"] + target["pos"]["y"])
    if tap:
        page.page.touchscreen.tap(*where)
    else:
        page.page.mouse.click(*where)
    page.page.wait_for_url(re.compile(re.escape(target["url"]) + "$"))
