"""Gate check: quotes (see :mod:`sdkg.gate`). Not written yet: finds nothing."""

from __future__ import annotations

from sdkg.gate import Finding, GateInput


def check(gate: GateInput) -> list[Finding]:
    """No findings yet."""
    return []
