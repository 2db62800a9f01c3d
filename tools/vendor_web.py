#!/usr/bin/env python3
"""Re-vendor the web front end's npm packages into ``server/sdkg/web/static/vendor/``.

Installs exactly what ``server/sdkg/web/package.json`` and its ``package-lock.json`` pin
(``npm ci`` in a temporary folder, no install scripts), then copies:

- the browser builds of the packages the pages load (:data:`BUILDS`), without their
  source-map comments (the maps are not shipped);
- the licence text of every package in their dependency tree (the builds bundle those
  packages) to ``vendor/licenses/<package>.txt``; a package whose npm tarball has no
  licence file gets its ``package.json`` licence field and author, marked as such;
- ``vendor/vendored.json``: name, version, licence and files of each package.

Run: ``python3 tools/vendor_web.py`` (needs ``npm``; the server itself never does).
Without a lock file, ``npm install`` creates one next to package.json first.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

WEB = Path(__file__).resolve().parent.parent / "server" / "sdkg" / "web"
VENDOR = WEB / "static" / "vendor"
#: package -> the files of its browser build that the pages load.
BUILDS = {
    "@zazuko/yasqe": ["build/yasqe.min.js", "build/yasqe.min.css"],
    "@zazuko/yasr": ["build/yasr.min.js", "build/yasr.min.css"],
    # Result views and entity pages: map, chart, network drawing.
    "leaflet": ["dist/leaflet.js", "dist/leaflet.css"],
    "topojson-client": ["dist/topojson-client.min.js"],
    # Natural Earth 1:110m country outlines: the offline base map (no tile server).
    "world-atlas": ["countries-110m.json"],
    "chart.js": ["dist/chart.umd.min.js"],
    "cytoscape": ["dist/cytoscape.min.js"],
    # Accessibility checks in the browser tests (never loaded by the pages themselves).
    "axe-core": ["axe.min.js"],
}
LICENSE_FILE = re.compile(r"^(licen[cs]e|copying)(\.(md|txt))?$", re.IGNORECASE)
SOURCE_MAP = re.compile(rb"\n?/[/*]# sourceMappingURL=[^\n]*\s*$")

MIT_TEXT = """Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
"""


def npm(args: list[str], cwd: Path) -> None:
    """Run npm quietly; stop with its output if it fails."""
    done = subprocess.run(["npm", *args], cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"npm {' '.join(args)} failed:\n{done.stdout}{done.stderr}")


def install(work: Path) -> Path:
    """Install the pinned packages into ``work``; return its node_modules folder."""
    shutil.copy(WEB / "package.json", work)
    lock = WEB / "package-lock.json"
    if not lock.exists():
        npm(["install", "--package-lock-only", "--ignore-scripts", "--no-audit", "--no-fund"], work)
        shutil.copy(work / "package-lock.json", lock)
    shutil.copy(lock, work)
    npm(["ci", "--ignore-scripts", "--omit=dev", "--no-audit", "--no-fund"], work)
    return work / "node_modules"


def author_of(meta: dict) -> str:
    """The package's author (and contributors) as package.json states them."""
    names = []
    for person in [meta.get("author"), *meta.get("contributors", [])]:
        if isinstance(person, dict):
            person = person.get("name")
        if person:
            names.append(str(person))
    return ", ".join(names) or "(not stated)"


def license_text(folder: Path, meta: dict) -> str:
    """The package's licence file, or a note built from package.json when it ships none."""
    for path in sorted(folder.iterdir()):
        if path.is_file() and LICENSE_FILE.match(path.name):
            return path.read_text(encoding="utf-8", errors="replace")
    declared = meta.get("license", "(none declared)")
    note = (
        f"The npm package {meta['name']} {meta['version']} ships no licence file.\n"
        f"Its package.json declares the licence {declared!r}; author: {author_of(meta)}.\n"
        f"Source: {meta.get('homepage') or meta.get('repository') or 'not stated'}\n"
    )
    return note + ("\nThe MIT License:\n\n" + MIT_TEXT if declared == "MIT" else "")


def main() -> None:
    """Install, copy the builds and the licences, write vendored.json."""
    with tempfile.TemporaryDirectory(prefix="sdkg-vendor-") as temp:
        modules = install(Path(temp))
        if VENDOR.exists():
            shutil.rmtree(VENDOR)
        (VENDOR / "licenses").mkdir(parents=True)
        manifest = []
        # Every installed package, nested copies included, as the lock file lists them.
        lock = json.loads((modules.parent / "package-lock.json").read_text(encoding="utf-8"))
        for key in sorted(k for k in lock["packages"] if k.startswith("node_modules/")):
            folder = modules.parent / key
            meta = json.loads((folder / "package.json").read_text(encoding="utf-8"))
            name, version = meta["name"], meta["version"]
            safe = f"{name}@{version}".replace("/", "__")
            (VENDOR / "licenses" / f"{safe}.txt").write_text(
                license_text(folder, meta), encoding="utf-8"
            )
            files = []
            for rel in BUILDS.get(name, []):
                target = VENDOR / name.split("/")[-1] / Path(rel).name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(SOURCE_MAP.sub(b"\n", (folder / rel).read_bytes()))
                files.append(target.relative_to(VENDOR).as_posix())
            manifest.append(
                {
                    "name": name,
                    "version": version,
                    "license": meta.get("license", "(none declared)"),
                    "licenseFile": f"licenses/{safe}.txt",
                    "files": files,
                }
            )
        (VENDOR / "vendored.json").write_text(
            json.dumps(manifest, indent=2) + "\n", encoding="utf-8"
        )
    print(f"vendored {len(BUILDS)} builds and {len(manifest)} licences into {VENDOR}")


if __name__ == "__main__":
    main()
