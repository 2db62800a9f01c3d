"""Short links (``POST /q``, ``GET /q/<id>``) and "copy as code" on the query page.

Real servers on loopback; the generated code is run for real (bash + curl, Python,
Node) against the server and its output compared with the endpoint's own JSON.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from support.browser import (
    DESKTOP,
    open_query,
    query_text,
    requires_chromium,
    wait_for_result,
    watched_page,
)

QUERY = query_text("cq07-twas-location")


@pytest.fixture(scope="module")
def store_folder(tmp_path_factory):
    return tmp_path_factory.mktemp("shortlinks") / "store"


@pytest.fixture(scope="module")
def server(start_server, store_folder):
    """A server that keeps its store (and short links) in a folder."""
    return start_server(env={"SDKG_STORE": str(store_folder)})


def shorten(server, **body):
    return requests.post(server.base + "q", json=body, timeout=30)


def test_short_link_round_trip_survives_a_restart(start_server, server, store_folder):
    made = shorten(server, query=QUERY, view="map")
    assert made.status_code == 201
    link = made.json()
    assert link["url"] == server.base + "q/" + link["id"]
    assert shorten(server, query=QUERY, view="map").json()["id"] == link["id"]  # idempotent
    assert shorten(server, query=QUERY).json()["id"] != link["id"]  # another view
    assert (store_folder / "shortlinks" / f"{link['id']}.json").is_file()
    server.stop()
    again = start_server(env={"SDKG_STORE": str(store_folder)})
    opened = requests.get(again.base + "q/" + link["id"], allow_redirects=False, timeout=30)
    assert opened.status_code == 303
    target = urlsplit(opened.headers["Location"])
    assert target.path == "/sparql" and target.fragment == "view=map"
    assert parse_qs(target.query)["query"] == [QUERY]


@pytest.fixture(scope="module")
def live(start_server):
    return start_server("--memory")


@pytest.mark.parametrize("path", ["q/abc", "q/AAAAAAAAAA", "q/..%2F..%2Fetc", "q/" + "x" * 300])
def test_bad_or_unknown_ids_are_404(live, path):
    response = requests.get(live.base + path, allow_redirects=False, timeout=30)
    assert response.status_code == 404
    assert "no short link" in response.text or "Not Found" in response.text


def test_bad_bodies_are_refused_with_a_message(live):
    assert shorten(live).status_code == 400
    assert shorten(live, query="  ").status_code == 400
    wrong_view = shorten(live, query=QUERY, view="pie")
    assert wrong_view.status_code == 400 and "unknown view" in wrong_view.text
    huge = shorten(live, query="#" + "x" * 70_000)
    assert huge.status_code == 413 and "KiB" in huge.text
    # A form post works as well as JSON.
    form = requests.post(live.base + "q", data={"query": QUERY}, timeout=30)
    assert form.status_code == 201


# --------------------------------------------------------------------------- in the browser


@pytest.fixture
def page(browser, live):
    """The shared ``page`` fixture's page, on the ``live`` server."""
    with watched_page(browser, live.base, viewport=DESKTOP) as watched:
        yield watched


@requires_chromium
def test_short_link_made_in_the_page_opens_the_same_query_and_view(page):
    open_query(page, QUERY, "#view=graph")
    page.page.get_by_role("button", name="Make a short link").click()
    share = page.page.locator("#share-link")
    page.page.locator("#run-status", has_text="Short link made").wait_for()
    short = share.input_value()
    assert "/q/" in short
    page.page.goto("about:blank")
    page.page.goto(short)
    wait_for_result(page)
    assert page.page.locator("#yasr .select_graph.selected").count() == 1
    assert parse_qs(urlsplit(page.page.url).query)["query"] == [QUERY]


def rows_of(answer: dict) -> list[dict]:
    return [{k: v["value"] for k, v in row.items()} for row in answer["results"]["bindings"]]


def printed_rows(output: str) -> list[dict]:
    import ast

    return [ast.literal_eval(line) for line in output.splitlines() if line.strip()]


RUNNERS = {
    "curl": lambda code: ["bash", "-c", code],
    "requests": lambda code: [sys.executable, "-c", code],
    "sparqlwrapper": lambda code: [sys.executable, "-c", code],
    "fetch": lambda code: ["node", "--input-type=module", "-e", code],
}


@requires_chromium
@pytest.mark.parametrize("language", sorted(RUNNERS))
def test_copied_code_runs_the_query(page, live, language):
    if language == "fetch" and shutil.which("node") is None:
        pytest.skip("node is not installed")
    if language == "curl" and shutil.which("curl") is None:
        pytest.skip("curl is not installed")
    open_query(page, QUERY)
    page.page.locator("#code-section summary").click()
    page.page.get_by_label("Run this query from").select_option(language)
    code = page.page.locator("#code-text").inner_text()
    done = subprocess.run(RUNNERS[language](code), capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    expected = rows_of(
        requests.post(
            live.sparql,
            data={"query": QUERY},
            headers={"Accept": "application/sparql-results+json"},
            timeout=30,
        ).json()
    )
    if language == "curl":
        assert rows_of(json.loads(done.stdout)) == expected
    elif language == "fetch":
        assert [json.loads(line) for line in done.stdout.splitlines()] == expected
    else:
        assert printed_rows(done.stdout) == expected
