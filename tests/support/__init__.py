"""The test suite's support code: fixtures (pytest plugins) and helpers, imported by tests.

``tests/`` is on ``sys.path`` while pytest runs (``tests/conftest.py`` is a rootless
conftest), so modules import ``support.<name>``. Plugins registered by
``pytest_plugins`` in ``tests/conftest.py``: :mod:`support.servers` (real ``sdkg
serve`` processes, Virtuoso), :mod:`support.apps` (the app in-process through Flask's
test client) and :mod:`support.browser` (Chromium). The others are plain helpers.
"""

from pathlib import Path

#: The ``tests/`` folder, its fixture files, and the repository.
TESTS = Path(__file__).resolve().parents[1]
FIXTURES = TESTS / "fixtures"
REPO = TESTS.parent
