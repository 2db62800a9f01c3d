"""A newcomer's first commands: ``sdkg --help``, ``sdkg doctor``, ``sdkg serve``."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import requests

from sdkg.cli import main

STORE_LINE = re.compile(r"\S+ +store folder: ")


def sdkg(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run the sdkg command line in a fresh process."""
    return subprocess.run(
        [sys.executable, "-m", "sdkg.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
        check=False,
    )


def test_help_lists_each_command_on_one_line_and_shows_examples():
    done = sdkg("--help")
    assert done.returncode == 0
    lines = done.stdout.splitlines()
    for name in main.commands:
        [line] = [line for line in lines if re.match(rf"  {re.escape(name)}\s{{2,}}\S", line)]
        assert not line.rstrip().endswith("..."), f"the help of {name} is cut: {line!r}"
    examples = lines[lines.index("  Examples:") + 1 :]
    shown = [line.split()[1] for line in examples if line.startswith("    sdkg ")]
    assert {"serve", "query", "validate", "doctor"} <= set(shown)
    assert set(shown) <= set(main.commands)


def test_doctor_says_a_store_folder_that_cannot_be_made_is_missing(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    done = sdkg("doctor", env={"SDKG_STORE": str(blocker / "store")})
    assert done.returncode == 1
    [line] = [line for line in done.stdout.splitlines() if STORE_LINE.match(line)]
    assert line.startswith("MISSING")
    assert f"{blocker} is a file" in line and "--store DIR or SDKG_STORE" in line
    assert done.stdout.splitlines()[-1].startswith("required and missing: store folder")


def test_doctor_accepts_a_writable_store_folder(tmp_path):
    done = sdkg("doctor", "--store", str(tmp_path / "new" / "store"))
    [line] = [line for line in done.stdout.splitlines() if STORE_LINE.match(line)]
    assert line.startswith("ok") and "made by the first sdkg serve" in line
    assert "required and missing" not in done.stdout
    assert done.returncode == 0
    assert not (tmp_path / "new").exists()  # a check changes nothing


def test_doctor_reports_the_optional_programs_as_found_on_path(tmp_path):
    programs = {"Chromium": "chromium", "Virtuoso": "virtuoso-t", "Node.js": "node", "npm": "npm"}
    # This machine's PATH (whatever it has), then a PATH with none of them.
    for path in (os.environ["PATH"], str(tmp_path)):
        done = sdkg("doctor", "--store", str(tmp_path / "store"), env={"PATH": path})
        assert done.returncode == 0, done.stdout  # optional things never fail it
        for name, program in programs.items():
            [line] = [line for line in done.stdout.splitlines() if f" {name}: " in line]
            if shutil.which(program, path=path) is not None:
                assert line.startswith("ok ")
            else:
                assert line.startswith("missing ")
                assert "apt-get install" in line and "skipped" in line
    assert "optional and missing: Chromium, Virtuoso, Node.js, npm" in done.stdout


def test_serve_prints_the_store_and_both_addresses_and_says_first_run_once(start_server, tmp_path):
    store = tmp_path / "store"
    first = start_server("--store", str(store))
    log = first.log_text()
    assert f"sdkg: store: {store} (first run: made now" in log
    assert f"sdkg: web pages at {first.base}\n" in log
    assert f"sdkg: serving SPARQL at {first.base}sparql\n" in log
    assert "<form" in requests.get(first.base, timeout=10).text
    described = requests.get(first.sparql, headers={"Accept": "text/turtle"}, timeout=10)
    assert "ServiceDescription" in described.text or "sd:Service" in described.text
    first.stop()
    again = start_server("--store", str(store))
    assert f"sdkg: store: {store}\n" in again.log_text()
    assert "first run" not in again.log_text()
