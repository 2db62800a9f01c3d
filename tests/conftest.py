"""The test layers, the fixtures' plugins and a clean environment for every test.

Layers are folders, each giving its tests a marker of the same name:

- ``unit/``: pure functions (formats, negotiation, the rate limiter, file sync);
- ``app/``: the web application in-process through Flask's test client;
- ``cli/``, ``data/``, ``docs/``: the command line, the ontology and data, the docs;
- ``server/``: real ``sdkg serve`` processes (HTTP, workers, recycling, faults, load);
- ``remote/``: sdkg in front of another store (Virtuoso, a proxy);
- ``browser/``: pages in Chromium.

Whatever its folder, a test is also marked by what it needs, read from its fixtures:
``server`` when it starts ``sdkg serve`` (``start_server``, ``endpoint``), ``virtuoso``
when it runs on a Virtuoso store, ``browser`` when it drives Chromium. So
``pytest -m "unit or app"`` is the fast run, ``-m "not virtuoso"`` leaves out Virtuoso.
See CONTRIBUTING.md.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytest_plugins = ["support.servers", "support.apps", "support.browser"]

TESTS = Path(__file__).resolve().parent
LAYERS = ("unit", "app", "cli", "data", "docs", "server", "remote", "browser")
#: Variables the test support reads itself (``SDKG_TEST_REQUIRE_VIRTUOSO``): kept.
_KEPT_PREFIX = "SDKG_TEST_"


def _settings_variables() -> list[str]:
    return [k for k in os.environ if k.startswith("SDKG_") and not k.startswith(_KEPT_PREFIX)]


@pytest.fixture(scope="session", autouse=True)
def _no_sdkg_settings_in_session():
    """No ``SDKG_*`` setting of the developer's shell reaches a session-wide server."""
    with pytest.MonkeyPatch.context() as patch:
        for name in _settings_variables():
            patch.delenv(name)
        yield


@pytest.fixture(autouse=True)
def _no_sdkg_settings(_no_sdkg_settings_in_session, monkeypatch):
    """Each test starts with no ``SDKG_*`` setting in the environment (``SDKG_TEST_*``
    aside); a test sets the ones it needs with ``monkeypatch.setenv`` or a server's env."""
    for name in _settings_variables():
        monkeypatch.delenv(name)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark each test with its folder's layer and with what it needs (see the module)."""
    for item in items:
        try:
            layer = item.path.relative_to(TESTS).parts[0]
        except ValueError:
            layer = None
        if layer in LAYERS:
            item.add_marker(layer)
        names = set(getattr(item, "fixturenames", ()))
        if names & {"start_server", "endpoint"} and layer != "server":
            item.add_marker("server")
        params = getattr(getattr(item, "callspec", None), "params", {})
        if "virtuoso_stores" in names or "virtuoso" in params.values():
            item.add_marker("virtuoso")
        if "browser" in names and layer != "browser":
            item.add_marker("browser")
