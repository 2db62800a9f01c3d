"""Run the real ``sdkg`` command in a subprocess for the linking tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "linking"


def reference_ror() -> Path:
    """The real ROR records vendored in ``tests/fixtures/vendor/ror/`` (CC0)."""
    return Path(__file__).resolve().parents[1] / "fixtures" / "vendor" / "ror"


def sdkg(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """``sdkg ARGS`` with captured text output (never raises on a non-zero exit)."""
    return subprocess.run(
        [sys.executable, "-m", "sdkg.cli", *map(str, args)],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
    )
