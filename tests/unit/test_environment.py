"""The tests run without the ``SDKG_*`` settings of the shell they were started from.

``tests/conftest.py`` removes them for every test (``.ci/run`` itself exports one,
``SDKG_CI_ISOLATED``, so CI exercises this); ``SDKG_TEST_*`` variables, which the test
support reads, are kept.
"""

from __future__ import annotations

import os

from sdkg.config import Settings


def test_no_sdkg_setting_of_the_shell_reaches_a_test():
    leaked = [k for k in os.environ if k.startswith("SDKG_") and not k.startswith("SDKG_TEST_")]
    assert leaked == []


def test_settings_from_the_environment_are_the_defaults():
    assert Settings.load() == Settings()


def test_a_test_may_set_what_it_needs(monkeypatch):
    monkeypatch.setenv("SDKG_MAX_ROWS", "7")
    assert Settings.load().max_rows == 7
