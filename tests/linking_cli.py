"""Run the real ``sdkg`` command in a subprocess for the linking tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "linking"


def reference_ror() -> Path:
    """The real ROR records in ``shared/reference/ror/``, beside the repository (or above it)."""
    for folder in Path(__file__).resolve().parents:
        candidate = folder / "shared" / "reference" / "ror"
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("shared/reference/ror/ not found beside the repository")


def sdkg(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """``sdkg ARGS`` with captured text output (never raises on a non-zero exit)."""
    return subprocess.run(
        [sys.executable, "-m", "sdkg.cli", *map(str, args)],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
    )
