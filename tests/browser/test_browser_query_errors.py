"""A shared link with a broken query, opened in a real browser (Chromium via Playwright).

The link opens the query editor holding the query, with the endpoint's message (line,
column, what was expected) under it, instead of a bare text page; clients that are not
browsers still get the plain-text 400.
"""

from __future__ import annotations

import pytest
import requests
from support.browser import requires_chromium

pytestmark = requires_chromium

BROKEN = "SELECT ?s WHERE {\n  ?s ?p\n}"


@pytest.fixture(scope="module")
def server(start_server):
    return start_server("--memory")


def test_a_broken_query_link_opens_the_editor_with_the_error(browser, server):
    context = browser.new_context()
    page = context.new_page()
    link = server.sparql + "?" + requests.compat.urlencode({"query": BROKEN})
    response = page.goto(link)
    page.wait_for_load_state("networkidle")
    assert response.status == 400
    # The editor (YASQE, a CodeMirror) holds the query as it was shared.
    page.locator("#yasqe .CodeMirror").wait_for()
    text = page.evaluate("document.querySelector('#yasqe .CodeMirror').CodeMirror.getValue()")
    assert text == BROKEN
    # The error is under the editor, with the line and column of the mistake.
    alert = page.locator("[role=alert]")
    assert "syntax error at line 3, column" in alert.inner_text()
    editor_box, alert_box = page.locator("#yasqe").bounding_box(), alert.bounding_box()
    assert alert_box["y"] > editor_box["y"] + editor_box["height"]
    # The page did not run the broken query again by itself.
    assert page.locator("#run-status").inner_text() == ""
    context.close()


def test_other_clients_still_get_plain_text(server):
    response = requests.get(server.sparql, params={"query": BROKEN})
    assert response.status_code == 400
    assert response.headers["Content-Type"].startswith("text/plain")
    assert "syntax error at line 3, column" in response.text


def test_a_query_over_the_time_limit_opens_the_editor_with_the_message(start_server):
    from support.robustness import RUNAWAY
    from support.servers import ENDPOINT_DATA

    slow = start_server("--memory", "--data", str(ENDPOINT_DATA), "--timeout", "1")
    page = requests.get(
        slow.sparql, params={"query": RUNAWAY}, headers={"Accept": "text/html"}, timeout=120
    )
    assert page.status_code == 503 and page.headers["Retry-After"] == "5"
    assert page.headers["Content-Type"].startswith("text/html")
    assert "exceeded the 1 s limit" in page.text
    assert '"run": false' in page.text  # the editor holds the query without running it again
    plain = requests.get(slow.sparql, params={"query": RUNAWAY}, timeout=120)
    assert plain.status_code == 503 and plain.headers["Content-Type"].startswith("text/plain")
