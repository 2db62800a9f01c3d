"""``GET /metrics``: Prometheus text format, from the ``prometheus_client`` library.

The text format 0.0.4 by default; OpenMetrics when the scraper's Accept asks for it.

What is counted, for every route of the app (labels in brackets):

- ``sdkg_http_requests_total`` [route, method, status]: answered requests;
- ``sdkg_http_request_duration_seconds`` [route]: histogram of the time to build the
  answer (for a query: run and serialize it);
- ``sdkg_http_requests_in_progress``: requests being answered now;
- ``sdkg_query_timeouts_total``: queries stopped at the time limit;
- ``sdkg_rejections_total`` [reason]: requests refused by a limit or policy:
  ``rate_limited`` and ``concurrency`` (429), ``too_large`` (413), ``forbidden`` (403:
  an update, a SERVICE not allowed, ...);
- ``sdkg_store_triples``, ``sdkg_store_graphs``: the store's size, read at each scrape.

``route`` is the URL rule (``/sparql``, ``/id/<slug>``), never the raw path, so a
scanner trying random paths cannot make the label set grow (they count as
``unmatched``).

Several worker processes: ``sdkg serve`` sets ``PROMETHEUS_MULTIPROC_DIR`` before any
worker starts (see :mod:`sdkg.server`), so every process writes its figures there and a
scrape answered by any worker adds them up; counts survive a worker being recycled.
Without it (an app made by ``create_app`` in one process), the figures are the process's
own, plus ``prometheus_client``'s standard ``process_*`` metrics.
"""

from __future__ import annotations

import os
import time
from typing import Any

from flask import Flask, Response, g, request
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram, multiprocess
from prometheus_client.exposition import choose_encoder

from sdkg.web.context import state

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

# Queries take from a millisecond (a lookup) to the time limit (30 s by default).
_DURATION_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
                     10.0, 30.0, 60.0)  # fmt: skip
_METHODS = {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"}
# Statuses that mean "refused by a limit or a policy"; 429 says which limit itself.
_REJECTION_BY_STATUS = {403: "forbidden", 413: "too_large"}

REQUESTS = Counter("sdkg_http_requests", "HTTP requests answered.", ["route", "method", "status"])
DURATION = Histogram(
    "sdkg_http_request_duration_seconds",
    "Time to build the answer to a request.",
    ["route"],
    buckets=_DURATION_BUCKETS,
)
IN_PROGRESS = Gauge(
    "sdkg_http_requests_in_progress", "Requests being answered now.", multiprocess_mode="livesum"
)
TIMEOUTS = Counter("sdkg_query_timeouts", "Queries stopped at the time limit.")
REJECTIONS = Counter("sdkg_rejections", "Requests refused by a limit or a policy.", ["reason"])
ANSWERS = Counter(
    "sdkg_answer_cache",
    "Answers of /sparql that may be kept, by how they were found: hit (kept), shared "
    "(computed once for identical requests arriving together), stored (computed, then "
    "kept) or miss (computed, not kept).",
    ["outcome"],
)
STORE_TRIPLES = Gauge(
    "sdkg_store_triples", "Quads in the store.", multiprocess_mode="livemostrecent"
)
STORE_GRAPHS = Gauge(
    "sdkg_store_graphs", "Named graphs in the store.", multiprocess_mode="livemostrecent"
)


# The labelled children already made, by label values. Routes are the app's URL rules
# and statuses a few dozen, so these stay small (as the label sets themselves do).
_REQUEST_COUNTERS: dict[tuple[str, str, int], Any] = {}
_DURATIONS: dict[str, Any] = {}
_ANSWER_COUNTERS: dict[str, Any] = {}


def note_rejection(reason: str) -> None:
    """Record why the current request is refused (for ``sdkg_rejections_total``)."""
    g.sdkg_rejection = reason


def note_timeout() -> None:
    """Count a query stopped at the time limit."""
    TIMEOUTS.inc()


def note_answer(outcome: str) -> None:
    """Count an answer of ``/sparql`` found in (or put into) the answer cache."""
    counter = _ANSWER_COUNTERS.get(outcome)
    if counter is None:
        counter = _ANSWER_COUNTERS[outcome] = ANSWERS.labels(outcome)
    counter.inc()


def install(app: Flask) -> None:
    """Count every request of ``app`` and serve ``GET /metrics``.

    Install it before other ``before_request`` hooks (the rate limiter), so that the
    requests those refuse are timed and counted too.
    """
    app.before_request(_start_timer)
    app.after_request(_count)
    app.teardown_request(_stop_in_progress)
    app.add_url_rule("/metrics", "metrics", _metrics_view, methods=["GET"])


def _start_timer() -> None:
    g.sdkg_started = time.perf_counter()
    IN_PROGRESS.inc()


def _count(response: Response) -> Response:
    rule = request.url_rule
    route = rule.rule if rule is not None else "unmatched"
    method = request.method if request.method in _METHODS else "other"
    key = (route, method, response.status_code)
    counter = _REQUEST_COUNTERS.get(key)
    if counter is None:  # labels() validates and locks: once per label set, not per request
        counter = _REQUEST_COUNTERS[key] = REQUESTS.labels(route, method, str(key[2]))
    counter.inc()
    started = g.get("sdkg_started")
    if started is not None:
        histogram = _DURATIONS.get(route)
        if histogram is None:
            histogram = _DURATIONS[route] = DURATION.labels(route)
        histogram.observe(time.perf_counter() - started)
    reason = g.get("sdkg_rejection") or _REJECTION_BY_STATUS.get(response.status_code)
    if reason is not None:
        REJECTIONS.labels(reason).inc()
    return response


def _stop_in_progress(_error: BaseException | None) -> None:
    # Teardown runs for every request that ran _start_timer, even after an exception.
    if g.pop("sdkg_started", None) is not None:
        IN_PROGRESS.dec()


def _metrics_view() -> Response:
    store = state().store
    STORE_TRIPLES.set(store.triple_count())
    STORE_GRAPHS.set(len(store.graphs()))
    if os.environ.get(MULTIPROC_ENV):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    # The library negotiates the format: Prometheus text 0.0.4 by default, OpenMetrics
    # for scrapers that ask for it.
    encode, content_type = choose_encoder(request.headers.get("Accept", ""))
    return Response(encode(registry), content_type=content_type)
