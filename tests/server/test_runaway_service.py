"""While a runaway query is stopped, everyone else is answered and nothing in flight is cut.

One worker (the default). A slow validation is in flight when a runaway query passes the
time limit. The worker that ran the query must end (the query cannot be interrupted),
but a replacement answers new clients before the old worker stops, and the old worker
finishes the validation before it exits. The test asserts the order of events only.
"""

from __future__ import annotations

import threading
import time

import requests
from support.robustness import RUNAWAY, people
from support.servers import ENDPOINT_DATA


def test_runaway_query_with_a_slow_validation_in_flight(start_server):
    server = start_server(
        "--memory", "--data", str(ENDPOINT_DATA), "--timeout", "2",
        "--validation-timeout", "300",
    )  # fmt: skip
    old_pid = server.health()["pid"]
    events: list[tuple] = []
    lock = threading.Lock()

    def note(*event) -> None:
        with lock:
            events.append(event)

    def slow_validation() -> None:
        response = requests.post(server.base + "validate", data=people(1600),
                                 headers={"Content-Type": "text/turtle"}, timeout=300)  # fmt: skip
        body = response.json() if response.status_code == 200 else response.text
        note("validation", response.status_code, body)

    def runaway() -> None:
        response = requests.get(server.sparql, params={"query": RUNAWAY}, timeout=120)
        note("runaway", response.status_code, response.text)

    validation = threading.Thread(target=slow_validation)
    validation.start()
    time.sleep(0.5)  # the validation is being read and parsed
    query = threading.Thread(target=runaway)
    query.start()
    others = []
    while validation.is_alive() or query.is_alive() or len(others) < 5:
        response = requests.get(server.base + "healthz", timeout=60)
        ask = requests.get(server.sparql, params={"query": "ASK { ?s ?p ?o }"}, timeout=60)
        assert response.status_code == 200 and ask.status_code == 200
        note("other", response.json()["pid"])
        if not validation.is_alive():
            others.append(response.json()["pid"])
    validation.join()
    query.join()

    kinds = [e[0] for e in events]
    runaway_at = kinds.index("runaway")
    validation_at = kinds.index("validation")
    runaway_event, validation_event = events[runaway_at], events[validation_at]
    assert runaway_event[1] == 503 and "exceeded the 2 s limit" in runaway_event[2]
    # The validation was in flight when the query was stopped ...
    assert runaway_at < validation_at, events
    # ... and got its full answer, not a cut connection.
    assert validation_event[1] == 200, validation_event
    assert validation_event[2]["summary"]["triples"] == 6400
    # Meanwhile a new worker answered others, before the old one had finished.
    replacement_answers = [i for i, e in enumerate(events) if e[0] == "other" and e[1] != old_pid]
    assert replacement_answers and replacement_answers[0] < validation_at, events
    # In the end the old worker is gone, and the log has no traceback.
    assert old_pid not in others
    assert "Traceback" not in server.log_text()
