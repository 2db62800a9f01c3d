"""How every engine in the benchmark is timed, so that the figures compare like with like.

A query is run once to warm up, then again until ``budget`` seconds have passed (at
least ``min_runs`` times, at most ``max_runs``). :func:`summarize` drops the warm-up
run whenever there are others.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any


def measure(
    run: Callable[[], Any],
    budget: float,
    *,
    min_runs: int = 5,
    max_runs: int = 200,
    on_run: Callable[[float], None] | None = None,
) -> list[float]:
    """Seconds per run of ``run``, the warm-up run first."""
    times: list[float] = []
    started = time.perf_counter()
    while len(times) < max_runs + 1:
        begin = time.perf_counter()
        run()
        elapsed = time.perf_counter() - begin
        times.append(elapsed)
        if on_run is not None:
            on_run(elapsed)
        if len(times) > min_runs and time.perf_counter() - started >= budget:
            break
    return times


def summarize(times: list[float], *, warmup: bool = True) -> dict[str, Any]:
    """Median and p95 (nearest rank) in seconds; with ``warmup``, the first run is dropped
    when there are others."""
    counted = times[1:] if warmup and len(times) > 1 else times
    if not counted:
        return {"runs": 0, "median": None, "p95": None}
    ordered = sorted(counted)
    rank = max(0, min(len(ordered) - 1, -(-95 * len(ordered) // 100) - 1))
    return {"runs": len(counted), "median": statistics.median(ordered), "p95": ordered[rank]}
