"""Fair use of a public endpoint: per-client rate limit and cap on concurrent requests.

A client is its address (an IPv6 client is its /64 network, the block one subscriber
usually gets); with ``--trust-proxy N`` it is the address the nearest N reverse
proxies report in ``X-Forwarded-For``, otherwise that header is ignored, since anyone
can send it.

- Rate: a token bucket per client. It holds ``burst`` tokens and refills at ``rate``
  tokens per second; each request takes one. An empty bucket gives ``429 Too Many
  Requests`` with ``Retry-After`` (whole seconds until a token is back).
- Concurrency: at most ``max_concurrent`` requests of one client are answered at the
  same time; one more gives 429 with ``Retry-After: 1``.

``/healthz``, ``/metrics`` and ``/static/`` files are exempt (probes, scrapers, a page's
own assets). Both limits are kept in memory **per worker process**: with
``--workers N`` a client can get up to N times the rate and the concurrency, depending
on which process accepts its connections.
"""

from __future__ import annotations

import functools
import ipaddress
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from flask import Flask, Response, g, request
from werkzeug.middleware.proxy_fix import ProxyFix

from sdkg.config import Settings
from sdkg.web.metrics import note_rejection
from sdkg.web.responses import error_response

#: Paths never limited: health probes, metric scrapers and static assets.
EXEMPT_PREFIXES = ("/healthz", "/metrics", "/static/")

# Buckets of this many clients at most; past it the longest-idle one is forgotten
# (which only gives that client a full bucket again), so memory stays bounded.
_MAX_CLIENTS = 65_536


@functools.lru_cache(maxsize=4096)  # parsing an address costs more than the limit check
def client_key(address: str | None) -> str:
    """The identity a limit is counted against: the IPv4 address, or the IPv6 /64."""
    if not address:
        return "unknown"
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address  # e.g. a unix socket peer: counted as given
    if ip.version == 6:
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


class TokenBuckets:
    """One token bucket per client, thread-safe, with bounded memory."""

    def __init__(
        self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, client: str) -> float:
        """Take a token for ``client``: 0.0 if granted, else the seconds until one is back."""
        now = self._clock()
        with self._lock:
            tokens, then = self._buckets.pop(client, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - then) * self.rate)
            wait = 0.0
            if tokens >= 1.0:
                tokens -= 1.0
            else:
                wait = (1.0 - tokens) / self.rate
            self._buckets[client] = (tokens, now)  # most recently used last
            if len(self._buckets) > _MAX_CLIENTS:
                self._buckets.popitem(last=False)
            return wait


class ConcurrencyCap:
    """Counts each client's requests in progress; refuses one past ``limit``."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._running: dict[str, int] = {}
        self._lock = threading.Lock()

    def enter(self, client: str) -> bool:
        """Start a request of ``client``; False (and nothing counted) if at the cap."""
        with self._lock:
            running = self._running.get(client, 0)
            if running >= self.limit:
                return False
            self._running[client] = running + 1
            return True

    def leave(self, client: str) -> None:
        """End a request started by a successful :meth:`enter`."""
        with self._lock:
            running = self._running.get(client, 0) - 1
            if running > 0:
                self._running[client] = running
            else:
                self._running.pop(client, None)


def install(app: Flask, settings: Settings) -> None:
    """Apply the configured limits (and proxy trust) to every route of ``app``."""
    if settings.trust_proxy:
        proxies = settings.trust_proxy
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]  # Flask's documented way
            app.wsgi_app, x_for=proxies, x_proto=proxies
        )
    buckets = None
    if settings.rate_limit:
        buckets = TokenBuckets(settings.rate_limit, settings.rate_burst)
    cap = ConcurrencyCap(settings.max_concurrent_per_client)
    if buckets is None and not cap.limit:
        return

    def refuse(reason: str, message: str, retry_after: int) -> Response:
        note_rejection(reason)
        return error_response(429, message, {"Retry-After": str(retry_after)})

    def check_limits() -> Response | None:
        if request.path.startswith(EXEMPT_PREFIXES):
            return None
        client = client_key(request.remote_addr)
        if buckets is not None:
            wait = buckets.take(client)
            if wait > 0:
                seconds = max(1, math.ceil(wait))
                return refuse(
                    "rate_limited",
                    f"too many requests from {client}: the limit is {buckets.rate:g} per "
                    f"second, in bursts of up to {buckets.burst}; retry after {seconds} s",
                    seconds,
                )
        if cap.limit:
            if not cap.enter(client):
                return refuse(
                    "concurrency",
                    f"too many requests at once from {client}: at most {cap.limit} may run "
                    "at the same time; wait for one to finish, then retry",
                    1,
                )
            g.sdkg_limited_client = client
        return None

    def release(_error: BaseException | None) -> None:
        client = g.pop("sdkg_limited_client", None)
        if client is not None:
            cap.leave(client)

    app.before_request(check_limits)
    app.teardown_request(release)
