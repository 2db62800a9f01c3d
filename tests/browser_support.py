"""Helpers for the Chromium tests of the readable pages: running a query on the editor
page, the vendored axe-core accessibility check, and the sideways-scroll check."""

from __future__ import annotations

import re
from itertools import combinations
from urllib.parse import quote

from sdkg.resources import bundled_path

#: Impacts that fail a page (axe-core's two worst of four).
FAILING_IMPACTS = ("critical", "serious")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


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
