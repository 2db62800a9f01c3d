"""The web application in-process, through Flask's test client: fixtures for the ``app`` tests.

A pytest plugin (``pytest_plugins`` in ``tests/conftest.py``). No process, no socket: the
same application ``sdkg serve`` runs (``create_app``), over an in-memory store, called
through :meth:`flask.Flask.test_client`. What depends on HTTP itself, on processes or on
time limits (workers, recycling, gunicorn, clients' libraries) is tested on a real
server instead (:mod:`support.servers`).

- ``bundled_app``: one app over the bundled data for the whole session (read-only: a
  test must not change its data);
- ``make_app(**settings)``: a fresh app, its own store and settings, for tests that need
  other data or other limits;
- ``client``: a test client of ``bundled_app``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from sdkg.config import Settings
from sdkg.web import create_app

#: The base URL the test client's requests are made to (Flask's default ``SERVER_NAME``).
BASE = "http://localhost/"


def app_settings(folder: Path, **changes: Any) -> Settings:
    """Settings of an in-process app: in memory, its store folder in ``folder``, and the
    fair-use limits off (as on the test servers) unless ``changes`` set them."""
    defaults: dict[str, Any] = {
        "memory": True,
        "store_dir": folder / "store",
        "rate_limit": 0,
        "max_concurrent_per_client": 0,
    }
    return Settings(**{**defaults, **changes})


@pytest.fixture(scope="session")
def make_app(tmp_path_factory) -> Callable[..., Flask]:
    """Factory: ``make_app(**settings) -> Flask``, a new app with its own in-memory store."""

    def make(**changes: Any) -> Flask:
        app = create_app(app_settings(tmp_path_factory.mktemp("app"), **changes))
        app.testing = True
        return app

    return make


@pytest.fixture(scope="session")
def bundled_app(make_app) -> Flask:
    """One app over the bundled data, shared by the session's tests: do not change its data."""
    return make_app()


@pytest.fixture
def client(bundled_app) -> FlaskClient:
    """A test client of :func:`bundled_app`."""
    return bundled_app.test_client()
