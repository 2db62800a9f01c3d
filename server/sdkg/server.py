"""``sdkg serve``: the production WSGI server (gunicorn, threaded workers).

The parent process (gunicorn's arbiter) syncs the files into the store once; each
worker process then opens the store read-only, answers at once, and warms an
in-memory copy in the background. A query past the time limit gets a 503 and its
worker is recycled (gracefully: other requests in it finish), because a running
pyoxigraph query cannot be cancelled; the arbiter starts a fresh worker.
"""

from __future__ import annotations

import importlib
import logging
import os
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from gunicorn.app.base import BaseApplication
from gunicorn.arbiter import Arbiter

from sdkg import recycling
from sdkg.config import Settings
from sdkg.contributions import ContributionFolder
from sdkg.store import Prepared, open_prepared, prepare_store
from sdkg.tokens import check_tokens_file

log = logging.getLogger("sdkg")

#: Access log line: client, time, request line, status, bytes, and the duration in ms.
ACCESS_LOG_FORMAT = '%(h)s %(t)s "%(r)s" %(s)s %(B)s %(M)sms "%(a)s"'


class SdkgServer(BaseApplication):
    """A gunicorn application serving ``create_app`` with one store per worker."""

    #: Where the store is, printed with the addresses once the server listens.
    store_note: str = ""

    def __init__(self, settings: Settings, prepared: Prepared) -> None:
        self.settings = settings
        self.prepared = prepared
        super().__init__()

    def load_config(self) -> None:
        settings = self.settings
        options: dict[str, Any] = {
            "bind": [f"{settings.host}:{settings.port}"],
            "workers": settings.workers,
            # gthread, with each request read whole before a thread takes it: slow
            # clients cost a socket, not a thread (sdkg.httpworker).
            "worker_class": "sdkg.httpworker.BufferedThreadWorker",
            "threads": settings.threads,
            # Heartbeat: gthread workers report from their main loop, so long
            # queries (which run in other threads) never trip it.
            "timeout": max(60, int(settings.timeout * 2) + 10),
            # On SIGTERM, requests in flight get their time limit to finish (a query's or
            # a validation's): a worker that stops never cuts an answer.
            "graceful_timeout": int(max(settings.timeout, settings.validation_timeout)) + 5,
            "keepalive": 5,
            # Long GET queries: no 8 KB request-line limit (gunicorn then caps it at
            # 1 MB); the query-length limit is enforced by the app with a 413.
            "limit_request_line": 0,
            "accesslog": "-" if settings.access_log else None,
            "access_log_format": ACCESS_LOG_FORMAT,
            "errorlog": "-",
            "loglevel": "info",
            "when_ready": _print_urls,
            "proc_name": "sdkg",
            # gunicorn >= 24 opens a control socket in the home folder; sdkg does not
            # use it, and several servers (tests) would fight over the one path.
            "control_socket_disable": True,
            "worker_exit": _exit_now,
            "child_exit": _forget_dead_worker,
            "post_worker_init": _graceful_sigint_in_worker,
        }
        for key, value in options.items():
            if key in self.cfg.settings:
                self.cfg.set(key, value)

    def run(self) -> None:
        try:
            GracefulArbiter(self).run()
        except RuntimeError as error:
            print(f"Error: {error}", file=sys.stderr)
            sys.exit(1)

    def load(self) -> Any:
        # Runs in each worker after the fork: every process has its own store handle.
        # Imported here, not at the top: prometheus_client must see the metrics folder
        # first (the parent imports it once :func:`_shared_metrics_folder` has run).
        from sdkg.web import create_app

        store = open_prepared(self.prepared, warm=True)
        # A runaway pyoxigraph query can only be stopped with its process; a remote
        # store's query ends with its HTTP request (and the store's own limit).
        return create_app(
            self.settings, store, recycle_on_timeout=not store.stops_queries_on_timeout
        )


class GracefulArbiter(Arbiter):
    """gunicorn's arbiter, with two changes.

    - SIGINT (Ctrl-C) stops gracefully, like SIGTERM: gunicorn answers SIGINT with a
      quick stop (SIGQUIT to the workers), whose handler in threaded workers can
      deadlock on the thread pool's lock when it interrupts the accept loop.
    - A worker that ran away (a query or validation past its time limit) is replaced
      before it stops (:mod:`sdkg.recycling`): its replacement starts at once, and the
      old worker is asked to stop only when the replacement answers, so someone always
      accepts connections and the old worker's requests in flight all finish.
    """

    SIGNALS = [*Arbiter.SIGNALS, recycling.SIGNAL]
    SIG_NAMES = {**Arbiter.SIG_NAMES, recycling.SIGNAL: "recycle"}
    #: Longest wait for a replacement to answer before the old worker is stopped anyway.
    READY_WAIT = 60.0

    def __init__(self, app: Any) -> None:
        super().__init__(app)
        self.recycling_folder = Path(tempfile.mkdtemp(prefix="sdkg-recycling-"))
        os.environ[recycling.FOLDER_ENV] = str(self.recycling_folder)
        self.retiring: dict[int, float] = {}  # old worker pid -> when it asked
        self.replacing: dict[int, int] = {}  # replacement pid -> old worker pid

    def handle_int(self) -> None:
        self.handle_term()

    def handle_recycle(self) -> None:
        """Read the markers: start replacements, stop workers whose replacement is ready."""
        for pid in recycling.take_markers(self.recycling_folder, recycling.RETIRE_PREFIX):
            if pid in self.WORKERS and pid not in self.retiring:
                self.retiring[pid] = time.monotonic()
                replacement = self.spawn_worker()
                self.replacing[replacement] = pid
                log.info("worker %d ran away; replacement %d started, %d stops once it "
                         "answers", pid, replacement, pid)  # fmt: skip
        for pid in recycling.take_markers(self.recycling_folder, recycling.READY_PREFIX):
            old = self.replacing.pop(pid, None)
            if old is not None and old in self.WORKERS:
                log.info("replacement %d answers; worker %d finishes its requests and stops",
                         pid, old)  # fmt: skip
                self.kill_worker(old, signal.SIGTERM)

    def manage_workers(self) -> None:
        """Keep ``num_workers`` workers that are not retiring (gunicorn counts them all)."""
        now = time.monotonic()
        for replacement, old in list(self.replacing.items()):
            if replacement not in self.WORKERS or now - self.retiring.get(old, now) > (
                self.READY_WAIT
            ):
                del self.replacing[replacement]
                if old in self.WORKERS:
                    self.kill_worker(old, signal.SIGTERM)
        for pid in list(self.retiring):
            if pid not in self.WORKERS:
                del self.retiring[pid]
        active = sorted(
            ((pid, w) for pid, w in self.WORKERS.items() if pid not in self.retiring),
            key=lambda item: item[1].age,
        )
        for _ in range(self.num_workers - len(active)):
            self.spawn_worker()
        while len(active) > self.num_workers:
            pid, _ = active.pop(0)
            self.kill_worker(pid, signal.SIGTERM)

    def halt(self, reason: str | None = None, exit_status: int = 0) -> None:
        shutil.rmtree(self.recycling_folder, ignore_errors=True)
        super().halt(reason, exit_status)


def _graceful_sigint_in_worker(worker: Any) -> None:
    # Ctrl-C in a terminal reaches the workers too: treat it like SIGTERM there as well.
    signal.signal(signal.SIGINT, worker.handle_exit)
    # The app is loaded: this worker can answer (a worker it replaces may now stop).
    recycling.announce_ready()


def _exit_now(server: Any, worker: Any) -> None:
    """End a worker without interpreter clean-up: a query thread may still be running
    inside pyoxigraph (after a timeout), and tearing down its store under it at exit
    could hang or crash. Requests are done and logs flushed by now."""
    if os.getpid() != worker.pid:  # gunicorn also calls this hook in the arbiter
        return
    # Keep the exit status gunicorn chose (it tells the arbiter about boot errors).
    error = sys.exc_info()[1]
    status = 0
    if isinstance(error, SystemExit):
        status = error.code if isinstance(error.code, int) else 1
    elif error is not None:
        status = 1
    for handler in logging.getLogger().handlers:
        handler.flush()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status & 0xFF)


def _forget_dead_worker(server: Any, worker: Any) -> None:
    """Drop a dead worker's live gauges (requests in progress, store size) from /metrics;
    its counters stay, so totals survive a recycled worker."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def _shared_metrics_folder() -> Path | None:
    """Point ``PROMETHEUS_MULTIPROC_DIR`` at a folder all workers write their metrics to.

    Must run before ``prometheus_client`` is imported (the workers inherit the choice).
    An operator's own ``PROMETHEUS_MULTIPROC_DIR`` is used, emptied of the previous
    run's files; otherwise a temporary folder is made, returned, and removed at exit.
    """
    given = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if given:
        folder = Path(given)
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob("*.db"):
            stale.unlink()
        return None
    folder = Path(tempfile.mkdtemp(prefix="sdkg-metrics-"))
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(folder)
    return folder


def _print_urls(server: Any) -> None:
    # The last lines of the start: where the store is, and the two addresses to open.
    print(f"sdkg: store: {server.app.store_note}", flush=True)
    for listener in server.LISTENERS:
        host, port = listener.sock.getsockname()[:2]
        shown = f"[{host}]" if ":" in host else host
        print(f"sdkg: web pages at http://{shown}:{port}/", flush=True)
        print(f"sdkg: serving SPARQL at http://{shown}:{port}/sparql", flush=True)


def _store_note(settings: Settings, first_run: bool) -> str:
    """Where the store is, said for a person (and how to choose another on a first run)."""
    if settings.store_url is not None:
        return settings.store_url
    if settings.memory:
        return "in memory (nothing is kept between runs)"
    where = str(settings.resolved_store_dir)
    if first_run:
        return (
            f"{where} (first run: made now from ontology/ and data/; "
            "--store DIR or SDKG_STORE chooses another folder)"
        )
    return where


def serve(settings: Settings) -> None:
    """Sync the store, then serve until SIGTERM or SIGINT."""
    logging.basicConfig(
        level=logging.INFO, stream=sys.stderr, format="[%(process)d] %(levelname)s %(message)s"
    )
    if settings.store_url is not None:
        where = settings.store_url
    else:
        where = "memory" if settings.memory else str(settings.resolved_store_dir)
    log.info("store: %s", where)
    if settings.tokens_file is not None:
        # Before anything slow: a missing or unreadable tokens file stops the start.
        for warning in check_tokens_file(settings.tokens_file):
            log.warning("%s", warning)
    first_run = not settings.resolved_store_dir.exists()
    prepared = prepare_store(settings, isolate=True, build_indexes=True)
    log.info(
        "store %s: %d triples, generation %s",
        f"synced: {prepared.report.summary()}" if prepared.synced else "taken as is (read-only)",
        prepared.triples,
        prepared.generation,
    )
    for key in prepared.report.loaded:
        log.info("loaded %s", key)
    # Before any worker starts: left-over temporary files of a crash go away.
    contributions = ContributionFolder(settings.resolved_contributions_dir)
    contributions.prepare()
    log.info("contributions: %s", contributions.path)
    for found in contributions.check():
        if found.problem is not None:
            log.error("contribution file %s is damaged, not served: %s", found.path, found.problem)
        elif not found.sealed:
            log.warning(
                "contribution file %s has no checksum line (written before checksums); "
                "`sdkg contributions check --seal` adds one",
                found.path,
            )
    own_metrics_folder = _shared_metrics_folder()
    # The web code, imported once here (after the metrics folder is set, which
    # prometheus_client reads on import): the workers inherit it and start sooner.
    importlib.import_module("sdkg.web")
    arbiter_pid = os.getpid()
    try:
        application = SdkgServer(settings, prepared)
        application.store_note = _store_note(settings, first_run)
        application.run()
    finally:
        if own_metrics_folder is not None and os.getpid() == arbiter_pid:
            shutil.rmtree(own_metrics_folder, ignore_errors=True)
