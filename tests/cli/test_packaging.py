"""The built wheel carries the ontology, data and queries, and works from any directory."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import requests
from support import REPO


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(out), str(REPO)],
        check=True,
    )
    (built,) = out.glob("sdkg-*.whl")
    return built


def test_wheel_ships_every_bundled_file(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder in ("ontology", "data", "queries"):
        for path in (REPO / folder).rglob("*"):
            if path.is_file():
                rel = path.relative_to(REPO).as_posix()
                assert f"sdkg/_bundled/{rel}" in names, f"{rel} is missing from the wheel"


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel installed (not editable) into a folder of its own."""
    target = tmp_path_factory.mktemp("site")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
    )
    return target


def test_installed_wheel_validates_bundled_data_from_another_directory(
    installed: Path, tmp_path: Path
) -> None:
    target = installed
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"}
    where = subprocess.run(
        [sys.executable, "-c", "import sdkg.resources as r; print(r.bundled_path('data'))"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert Path(where.stdout.strip()).is_relative_to(target)
    run = subprocess.run(
        [sys.executable, "-m", "sdkg.cli", "validate"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stdout + run.stderr


def test_installed_wheel_checks_quotes_against_its_own_documents(
    installed: Path, tmp_path: Path
) -> None:
    # The documents' texts ship in the wheel (data/documents/), not as graphs.
    code = (
        "from sdkg import documents as d; "
        "e = d.document('https://w3id.org/sdkg/id/cas-twas-science-diplomacy-essay'); "
        "print(e.path); print(d.find_passage('Cradle of Scientific Elites', e).found)"
    )
    env = {"PYTHONPATH": str(installed), "PATH": "/usr/bin:/bin"}
    run = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    path, found = run.stdout.split()
    assert Path(path).is_relative_to(installed)
    assert found == "True"


def test_installed_wheel_serves_pages_and_vendored_assets(installed: Path, start_server) -> None:
    server = start_server("--memory", env={"PYTHONPATH": str(installed)})
    home = requests.get(server.base, timeout=30)
    assert home.status_code == 200 and "TWAS" in home.text
    editor = requests.get(server.sparql, headers={"Accept": "text/html"}, timeout=30)
    assert editor.status_code == 200
    assets = re.findall(r'(?:src|href)="/(static/[^"]+)"', editor.text)
    assert any("vendor" in asset for asset in assets)
    for asset in assets:
        assert requests.get(server.base + asset, timeout=30).status_code == 200, asset
