"""A short bounded load: 12 concurrent clients for a few seconds of mixed requests.

The load itself is ``bench/loadgen.py`` (``bench/bench_load.py`` runs it long and
prints figures); here it must give zero errors: no failed request, no status or answer
that differs from what the same request gets on an idle server.
"""

from __future__ import annotations

import sys

import pytest
from support import REPO

sys.path.insert(0, str(REPO / "bench"))
import loadgen  # noqa: E402

CLIENTS = 12
SECONDS = 4.0


@pytest.fixture(scope="module")
def loaded_server(start_server):
    """The bundled data in memory (the named queries' own data), 8 threads."""
    return start_server("--memory", "--threads", "8", "--allow-service", "none")


def test_mixed_load_gives_zero_errors(loaded_server):
    base = loaded_server.base
    calls = loadgen.build_mix(base)
    expected = loadgen.expected_answers(base, calls)
    kinds = {call.kind for call in calls}
    assert {"query", "lookup", "description", "health", "page"} <= kinds
    result = loadgen.run_load(base, calls, expected, CLIENTS, SECONDS)
    assert result.errors == []
    assert set(result.latencies) == kinds  # every kind was sent under load
    assert result.requests >= len(calls)  # the whole mix went round at least once
    assert result.percentile(0.99) < 10
    assert loaded_server.process.poll() is None
    assert "Traceback" not in loaded_server.log_text()
