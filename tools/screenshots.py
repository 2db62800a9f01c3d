"""Take the README's screenshots: an entity page and a query result view.

    .venv/bin/python tools/screenshots.py [--out docs/images]

Starts ``sdkg serve --memory`` on the bundled data on a free port, opens the pages in
Debian's headless Chromium (``/usr/bin/chromium``, driven by Playwright; no browser is
downloaded), saves ``entity-twas.png`` and ``result-view.png``, and stops the server.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

import requests
from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
URL = re.compile(r"serving SPARQL at (http://\S+/)sparql")
#: The query of the result view: the joint centres and the institutes hosting them.
RESULT_QUERY = """PREFIX sdkg: <https://w3id.org/sdkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?centre ?acronym ?host WHERE {
  ?centre a sdkg:CentreOfExcellence ; sdkg:acronym ?acronym ; sdkg:hostedBy ?host
} ORDER BY ?acronym"""


def start_server(log: Path) -> tuple[subprocess.Popen, str]:
    """``sdkg serve --memory`` on a free port; its base URL once it answers."""
    command = [sys.executable, "-m", "sdkg.cli", "serve", "--memory", "--port", "0"]
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        found = URL.search(log.read_text(errors="replace"))
        if found:
            try:
                requests.get(found.group(1) + "healthz", timeout=5).raise_for_status()
                return process, found.group(1)
            except requests.RequestException:
                pass
        time.sleep(0.1)
    process.kill()
    raise SystemExit(f"sdkg serve did not start:\n{log.read_text()}")


def main() -> None:
    """Start a server, take the screenshots, stop it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/images"))
    out = parser.parse_args().out
    out.mkdir(parents=True, exist_ok=True)
    process, base = start_server(Path(tempfile.mkdtemp()) / "server.log")
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=["--no-sandbox"]
            )
            page = browser.new_page(viewport={"width": 1100, "height": 760})
            page.goto(base + "id/twas")
            page.locator("h1").wait_for()
            page.screenshot(path=str(out / "entity-twas.png"))
            page.set_viewport_size({"width": 1100, "height": 1000})
            page.goto(base + "sparql?" + urlencode({"query": RESULT_QUERY}))
            page.locator("#yasr table tbody tr").first.wait_for()
            # The editor and its result table, without the example questions above them.
            page.evaluate("document.querySelector('#yasr').scrollIntoView({block: 'end'})")
            page.screenshot(path=str(out / "result-view.png"))
            browser.close()
    finally:
        process.terminate()
        process.wait(30)
    print(f"wrote {out / 'entity-twas.png'} and {out / 'result-view.png'}")


if __name__ == "__main__":
    main()
