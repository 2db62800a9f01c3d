"""Settings for the store, the server and the query command.

One dataclass, :class:`Settings`, filled from (highest priority first) command-line
flags, ``SDKG_*`` environment variables, and the defaults documented on each field.
"""

from __future__ import annotations

import functools
import os
import typing
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

import platformdirs


def default_store_dir() -> Path:
    """The per-user store folder, e.g. ``~/.local/share/sdkg/store`` on Linux."""
    return Path(platformdirs.user_data_dir("sdkg", appauthor=False)) / "store"


#: The public endpoints federation is allowed to by default (Wikidata, DBpedia).
DEFAULT_ALLOWED_SERVICES = ("https://query.wikidata.org/sparql", "https://dbpedia.org/sparql")


@dataclass(frozen=True)
class Settings:
    """Everything the store and the server can be told.

    Each field can be set by the environment variable ``SDKG_<FIELD NAME IN CAPITALS>``
    (``SDKG_STORE``, ``SDKG_DATA``, ``SDKG_CONTRIBUTIONS`` and ``SDKG_ALLOW_SERVICE`` are
    the exceptions noted).
    """

    #: Interface the server listens on (``SDKG_HOST``).
    host: str = "127.0.0.1"
    #: TCP port; 0 picks a free one and the server prints which (``SDKG_PORT``).
    port: int = 8000
    #: Store folder (``SDKG_STORE``); ``None`` means :func:`default_store_dir`.
    store_dir: Path | None = None
    #: Keep everything in memory and write nothing to disk (``SDKG_MEMORY=1``).
    memory: bool = False
    #: Data folder replacing the bundled ``data/`` (``SDKG_DATA``); the ontology is always loaded.
    data_dir: Path | None = None
    #: Server processes (``SDKG_WORKERS``); see ``store_memory`` for how each holds the store.
    workers: int = 1
    #: How each server process holds the embedded store (``--store-memory`` /
    #: ``SDKG_STORE_MEMORY``): ``copy`` loads it into the process's memory (fastest queries;
    #: memory grows with each worker), ``disk`` answers from the on-disk store that every
    #: process shares through the operating system's page cache (memory does not grow with
    #: workers; for large data or many workers). See :mod:`sdkg.disk_store`.
    store_memory: str = "copy"
    #: Request threads per process; queries run in parallel (``SDKG_THREADS``).
    threads: int = 8
    #: Longest a query may run, in seconds, before it is stopped (``SDKG_TIMEOUT``).
    timeout: float = 30.0
    #: Most result rows (or triples) returned; past it the answer is marked truncated
    #: (``SDKG_MAX_ROWS``).
    max_rows: int = 10_000
    #: Memory per server process for the answers of expensive queries, in MiB, kept until
    #: the store's content changes (``SDKG_ANSWER_CACHE_MB``; 0 keeps none). See
    #: :mod:`sdkg.answer_cache`.
    answer_cache_mb: int = 32
    #: Longest query text accepted, in characters (``SDKG_MAX_QUERY_LENGTH``).
    max_query_length: int = 100_000
    #: SERVICE endpoints a query may call, as full IRIs (``--allow-service``, repeatable, or
    #: ``SDKG_ALLOW_SERVICE``, space separated; ``none`` turns federation off). Any other
    #: SERVICE is refused before a request leaves the server.
    allow_service: tuple[str, ...] = DEFAULT_ALLOWED_SERVICES
    #: Log each request with its duration (``SDKG_ACCESS_LOG=0`` to turn off).
    access_log: bool = True
    #: Folder of accepted contributions, the truth they are loaded from
    #: (``SDKG_CONTRIBUTIONS``); ``None`` means ``contributions/`` in the store folder.
    contributions_dir: Path | None = None
    #: File of ``<token> <contributor IRI or name>`` lines (``SDKG_TOKENS_FILE``);
    #: ``None`` closes ``POST /contributions`` (``/validate`` still works).
    tokens_file: Path | None = None
    #: Largest contribution or validation body, in bytes (``SDKG_MAX_CONTRIBUTION_BYTES``).
    max_contribution_bytes: int = 1_048_576
    #: Most triples in one contribution (``SDKG_MAX_CONTRIBUTION_TRIPLES``).
    max_contribution_triples: int = 10_000
    #: Longest literal in a contribution, in characters (``SDKG_MAX_LITERAL_LENGTH``).
    max_literal_length: int = 20_000
    #: Most prefix declarations (JSON-LD context terms, ``xmlns:``) in a contribution or
    #: validation body (``SDKG_MAX_CONTRIBUTION_PREFIXES``).
    max_contribution_prefixes: int = 500
    #: Deepest nesting of blank nodes and lists (JSON-LD objects, XML elements) in a
    #: contribution or validation body (``SDKG_MAX_NESTING_DEPTH``).
    max_nesting_depth: int = 64
    #: Longest a validation (``/validate``, ``POST /contributions``) may run, in seconds,
    #: before it is stopped with a 503 (``SDKG_VALIDATION_TIMEOUT``).
    validation_timeout: float = 30.0
    #: Validations one server process runs at the same time; one more gets a 503 with
    #: ``Retry-After`` (``SDKG_MAX_CONCURRENT_VALIDATIONS``). Validation is CPU-bound Python:
    #: this keeps a core, and the interpreter, for queries.
    max_concurrent_validations: int = 2
    #: Requests per second one client may make on average (``--rate-limit`` /
    #: ``SDKG_RATE_LIMIT`` as ``20/s``, ``600/min`` or ``off``); 0 means no limit.
    #: Counted per worker process.
    rate_limit: float = 20.0
    #: Requests a client may make in a burst above the average rate (``SDKG_RATE_BURST``).
    rate_burst: int = 100
    #: Requests one client may have running at the same time; 0 means no cap
    #: (``SDKG_MAX_CONCURRENT_PER_CLIENT``). Counted per worker process.
    max_concurrent_per_client: int = 4
    #: Number of reverse proxies in front of the server whose ``X-Forwarded-For`` and
    #: ``X-Forwarded-Proto`` headers are believed (``SDKG_TRUST_PROXY``); 0 believes none.
    trust_proxy: int = 0
    #: SPARQL 1.1 Query endpoint of an existing store to serve instead of the embedded
    #: one (``SDKG_STORE_URL``); see :mod:`sdkg.remote_store`.
    store_url: str | None = None
    #: Its SPARQL 1.1 Update endpoint (``SDKG_STORE_UPDATE_URL``); default: ``store_url``.
    store_update_url: str | None = None
    #: Its Graph Store Protocol endpoint, used for bulk loads and dumps when given
    #: (``SDKG_STORE_GRAPH_URL``); without it, sdkg writes with SPARQL Update.
    store_graph_url: str | None = None
    #: User name for the store, HTTP basic or digest as it asks (``SDKG_STORE_USER``).
    store_user: str | None = None
    #: Password for the store (``SDKG_STORE_PASSWORD``; deliberately no command-line flag,
    #: so it never shows in a process list).
    store_password: str | None = None
    #: Never write to the store (``--store-read-only`` / ``SDKG_STORE_READ_ONLY=1``): no file
    #: sync, no catalogue writes, contributions closed; for stores sdkg may not write
    #: (QLever, a replica, a user without update rights). See :mod:`sdkg.remote_store`.
    store_read_only: bool = False
    #: Map tiles for the map views, as a Leaflet URL template such as
    #: ``https://tile.example.org/{z}/{x}/{y}.png`` (``SDKG_MAP_TILES``); empty means the
    #: offline base map of Natural Earth country outlines, so no request leaves the server.
    map_tiles: str = ""
    #: Attribution text shown with those tiles (``SDKG_MAP_ATTRIBUTION``).
    map_attribution: str = ""

    @property
    def resolved_store_dir(self) -> Path:
        """The store folder actually used."""
        return self.store_dir if self.store_dir is not None else default_store_dir()

    @property
    def resolved_contributions_dir(self) -> Path:
        """The contributions folder actually used."""
        if self.contributions_dir is not None:
            return self.contributions_dir
        return self.resolved_store_dir / "contributions"

    @classmethod
    def load(
        cls, overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
    ) -> Settings:
        """Build settings from ``environ`` (default ``os.environ``), then ``overrides``.

        ``overrides`` holds command-line values; a ``None`` value means "not given".
        """
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = environ.get(_ENV_NAMES.get(f.name, f"SDKG_{f.name.upper()}"))
            if raw is not None and raw != "":
                values[f.name] = _convert(f.name, raw)
        for name, value in (overrides or {}).items():
            if value is not None:
                values[name] = value
        if "allow_service" in values:
            values["allow_service"] = allowed_services(tuple(values["allow_service"]))
        settings = cls(**values)
        settings.check()
        return settings

    def with_changes(self, **changes: Any) -> Settings:
        """A copy with some fields changed."""
        return replace(self, **changes)

    def check(self) -> None:
        """Raise ``ValueError`` with a clear message for a value that cannot work."""
        if not 0 <= self.port <= 65535:
            raise ValueError(f"port must be between 0 and 65535, not {self.port}")
        for name in (
            "workers",
            "threads",
            "max_rows",
            "max_query_length",
            "max_contribution_bytes",
            "max_contribution_triples",
            "max_literal_length",
            "max_contribution_prefixes",
            "max_nesting_depth",
            "max_concurrent_validations",
        ):
            if getattr(self, name) < 1:
                raise ValueError(f"{name.replace('_', '-')} must be at least 1")
        if self.answer_cache_mb < 0:
            raise ValueError("answer-cache-mb must be 0 (keep no answers) or more")
        if self.timeout <= 0:
            raise ValueError("timeout must be a positive number of seconds")
        if self.validation_timeout <= 0:
            raise ValueError("validation-timeout must be a positive number of seconds")
        urls = ("store_url", "store_update_url", "store_graph_url")
        for name in urls:
            value = getattr(self, name)
            if value is not None and not value.startswith(("http://", "https://")):
                raise ValueError(f"{name.replace('_', '-')} {value!r} is not an http(s) URL")
        if self.map_tiles and not self.map_tiles.startswith(("http://", "https://")):
            raise ValueError(f"map-tiles {self.map_tiles!r} is not an http(s) URL template")
        if self.store_url is None and (self.store_update_url or self.store_graph_url):
            raise ValueError("store-update-url and store-graph-url need store-url")
        if self.store_read_only and self.store_url is None:
            raise ValueError(
                "--store-read-only needs --store-url (the embedded store is sdkg's own)"
            )
        if self.store_read_only and (self.store_update_url or self.store_graph_url):
            raise ValueError(
                "--store-read-only excludes --store-update-url and --store-graph-url: "
                "a read-only sdkg sends the store nothing but queries"
            )
        if self.store_url is not None and self.memory:
            raise ValueError("--store-url and --memory exclude each other (the data lives there)")
        if self.store_memory not in ("copy", "disk"):
            raise ValueError(f"store-memory must be 'copy' or 'disk', not {self.store_memory!r}")
        if self.store_memory == "disk" and (self.memory or self.store_url is not None):
            raise ValueError(
                "--store-memory disk serves the embedded on-disk store; it excludes --memory "
                "and --store-url"
            )
        if (self.store_user is None) != (self.store_password is None):
            raise ValueError("give both SDKG_STORE_USER and SDKG_STORE_PASSWORD, or neither")
        if self.rate_limit < 0:
            raise ValueError("rate-limit must not be negative; use 'off' for no limit")
        if self.rate_limit > 0 and self.rate_burst < 1:
            raise ValueError("rate-burst must be at least 1")
        for name in ("max_concurrent_per_client", "trust_proxy"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name.replace('_', '-')} must not be negative (0 turns it off)")


_RATE_UNITS = {"s": 1.0, "sec": 1.0, "second": 1.0, "m": 60.0, "min": 60.0, "minute": 60.0,
               "h": 3600.0, "hour": 3600.0}  # fmt: skip


def parse_rate(text: str) -> float:
    """Requests per second from ``20/s``, ``600/min``, ``1000/h``, ``20`` or ``off`` (0)."""
    cleaned = text.strip().lower()
    if cleaned in ("off", "none", "0"):
        return 0.0
    number, _, unit = cleaned.partition("/")
    seconds = _RATE_UNITS.get(unit.strip() or "s")
    try:
        count = float(number)
    except ValueError:
        count = -1.0
    if seconds is None or not count >= 0 or count == float("inf"):
        raise ValueError(
            f"rate limit {text!r} is not understood; write requests per time, "
            "e.g. 20/s, 600/min, 1000/h, or off"
        )
    return count / seconds


def allowed_services(values: tuple[str, ...]) -> tuple[str, ...]:
    """The allow-list from flag or environment values: ``none`` alone means no federation."""
    if "none" in values:
        if len(values) > 1:
            raise ValueError("allow-service 'none' cannot be combined with endpoints")
        return ()
    for value in values:
        scheme = value.split(":", 1)[0]
        if scheme not in ("http", "https") or "://" not in value:
            raise ValueError(f"allow-service {value!r} is not an http(s) endpoint IRI")
    return tuple(dict.fromkeys(values))


_ENV_NAMES = {
    "store_dir": "SDKG_STORE",
    "data_dir": "SDKG_DATA",
    "contributions_dir": "SDKG_CONTRIBUTIONS",
}
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _convert(name: str, raw: str) -> object:
    """Turn an environment string into the field's type, or raise a clear ValueError."""
    kind = _field_types()[name]
    if name == "rate_limit":
        try:
            return parse_rate(raw)
        except ValueError as error:
            raise ValueError(f"SDKG_RATE_LIMIT: {error}") from None
    try:
        if kind is bool:
            low = raw.strip().lower()
            if low not in _TRUE | _FALSE:
                raise ValueError
            return low in _TRUE
        if kind is int:
            return int(raw)
        if kind is float:
            return float(raw)
        if kind == Path | None:
            return Path(raw).expanduser()
        if kind == tuple[str, ...]:
            return tuple(raw.split())
        return raw  # str, str | None
    except ValueError:
        env = _ENV_NAMES.get(name, f"SDKG_{name.upper()}")
        raise ValueError(
            f"{env}={raw!r} is not a valid {getattr(kind, '__name__', kind)}"
        ) from None


@functools.cache
def _field_types() -> dict[str, object]:
    """Each Settings field's type, resolved (the annotations are strings in this module)."""
    return typing.get_type_hints(Settings)
