"""``sdkg doctor``: is everything in place to serve, and to run every test?

Each check says what it found, and for what is missing, what it is for and how to get it.
Required things (a writable store folder, the bundled ontology and data) make the exit
status 1 when missing; the optional ones (Chromium, Virtuoso, Node.js, the docs tools)
only mean that their tests are skipped.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from sdkg.config import Settings

#: How to install the Debian packages the tests use (root runs .ci/system-packages itself).
_APT = "apt-get install {package} (or, as root, bash .ci/system-packages)"


@dataclass(frozen=True)
class Check:
    """One finding: a name, whether it is fine, what was found or how to fix it."""

    name: str
    ok: bool
    detail: str
    required: bool = False

    def line(self) -> str:
        """The finding as one line: ``ok``, ``missing`` (optional) or ``MISSING``."""
        status = "ok" if self.ok else ("MISSING" if self.required else "missing")
        return f"{status:8} {self.name}: {self.detail}"


def check_store_folder(folder: Path) -> Check:
    """The store folder exists and is writable, or can be made."""
    name = "store folder"
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if existing.exists() and not existing.is_dir():
        return Check(
            name,
            False,
            f"cannot make {folder}: {existing} is a file; choose another folder "
            "with --store DIR or SDKG_STORE",
            required=True,
        )
    if not os.access(existing, os.W_OK | os.X_OK):
        return Check(
            name,
            False,
            f"{existing} is not writable, so {folder} cannot be used; choose another folder "
            "with --store DIR or SDKG_STORE, or make it writable",
            required=True,
        )
    made = "" if folder.exists() else " (made by the first sdkg serve or sdkg query)"
    return Check(name, True, f"{folder} is writable{made}", required=True)


def check_bundled() -> Check:
    """The ontology, data and named queries shipped with sdkg are there."""
    from sdkg.resources import bundled_path

    try:
        folders = [bundled_path(name) for name in ("ontology", "data", "queries")]
    except FileNotFoundError as error:
        return Check("bundled data", False, f"{error}; reinstall sdkg", required=True)
    found = all(any(folder.iterdir()) for folder in folders)
    if not found:
        empty = ", ".join(f"{folder}" for folder in folders if not any(folder.iterdir()))
        return Check("bundled data", False, f"empty: {empty}; reinstall sdkg", required=True)
    return Check("bundled data", True, "ontology/, data/ and queries/ are there", required=True)


def check_python() -> Check:
    """The Python version (sdkg needs 3.11 or newer)."""
    version = ".".join(str(part) for part in sys.version_info[:3])
    ok = sys.version_info >= (3, 11)
    detail = version if ok else f"{version}; sdkg needs Python 3.11 or newer"
    return Check("Python", ok, detail, required=True)


def check_program(name: str, program: str, purpose: str, how: str) -> Check:
    """An optional program on PATH, with the version it reports."""
    found = shutil.which(program)
    if found is None:
        return Check(name, False, f"{program} not found on PATH: {purpose} are skipped; {how}")
    return Check(name, True, f"{found} {_version(found)}".rstrip())


def _version(program: str) -> str:
    """The first line a program prints for --version, or nothing."""
    try:
        done = subprocess.run(
            [program, "--version"], capture_output=True, text=True, timeout=20, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    lines = (done.stdout or done.stderr).strip().splitlines()
    return f"({lines[0].strip()})" if lines else ""


def check_module(name: str, module: str, purpose: str, how: str) -> Check:
    """An optional Python package."""
    if importlib.util.find_spec(module) is None:
        return Check(name, False, f"Python package {module} missing: {purpose}; {how}")
    return Check(name, True, f"Python package {module} installed")


def run_checks(settings: Settings) -> list[Check]:
    """Every check, required ones first."""
    return [
        check_store_folder(settings.resolved_store_dir),
        check_bundled(),
        check_python(),
        check_program(
            "Chromium",
            "chromium",
            "the browser tests (tests/browser/test_browser.py)",
            _APT.format(package="chromium"),
        ),
        check_module(
            "Playwright",
            "playwright",
            "the browser tests are skipped",
            "pip install -e '.[test]'",
        ),
        check_program(
            "Virtuoso",
            "virtuoso-t",
            "the remote-store tests (the virtuoso variants)",
            _APT.format(package="virtuoso-opensource-7-bin"),
        ),
        check_program(
            "Node.js",
            "node",
            "the JavaScript client tests",
            _APT.format(package="nodejs"),
        ),
        check_program(
            "npm",
            "npm",
            "the JavaScript client tests and tools/vendor_web.py",
            _APT.format(package="npm"),
        ),
        check_module(
            "docs tools",
            "mkdocs",
            "the documentation site cannot be built",
            "pip install -e '.[docs]'",
        ),
    ]


def summary(checks: list[Check]) -> str:
    """The last line: what is missing, and what follows from it."""
    required = [check.name for check in checks if check.required and not check.ok]
    optional = [check.name for check in checks if not check.required and not check.ok]
    if required:
        return f"required and missing: {', '.join(required)}: sdkg cannot run until fixed"
    if optional:
        return (
            f"sdkg can run; optional and missing: {', '.join(optional)} "
            "(the tests that need them are skipped)"
        )
    return "everything is in place: sdkg can run and every test can run"
