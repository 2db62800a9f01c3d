"""Replacing a server process that ran away, without a gap in service.

A pyoxigraph query (or a pyshacl validation) cannot be interrupted inside its process,
so after a time limit the process that ran it must end. Ending it at once would cut
the other requests it is answering; letting it drain first would leave nobody to
accept connections when it is the only worker. So the order is:

1. the worker answers 503 to the client of the runaway work, then *asks to retire*
   (:func:`retire_this_worker`): a marker file and a signal to the arbiter;
2. the arbiter starts a replacement at once, and the old worker keeps serving;
3. the replacement, once it can answer, says so (:func:`announce_ready`);
4. only then the arbiter asks the old worker to stop (SIGTERM): it stops accepting,
   finishes every request in flight (each bounded by its own time limit), and exits,
   which ends the runaway work.

The arbiter side is :class:`sdkg.server.GracefulArbiter`. Outside ``sdkg serve`` (no
arbiter folder in the environment) a retiring process simply stops gracefully.
"""

from __future__ import annotations

import contextlib
import os
import signal
from pathlib import Path

#: Environment variable naming the folder of retire / ready markers (set by the arbiter).
FOLDER_ENV = "SDKG_RECYCLING_DIR"
#: The signal a worker sends the arbiter to have its markers read (ignored by default).
SIGNAL = signal.SIGURG
RETIRE_PREFIX = "retire-"
READY_PREFIX = "ready-"


def _folder() -> Path | None:
    value = os.environ.get(FOLDER_ENV)
    return Path(value) if value else None


def retire_this_worker() -> None:
    """Ask for this process to be replaced, then stopped once the replacement answers."""
    folder = _folder()
    pid = os.getpid()
    if folder is None:
        os.kill(pid, signal.SIGTERM)
        return
    (folder / f"{RETIRE_PREFIX}{pid}").touch()
    os.kill(os.getppid(), SIGNAL)


def announce_ready() -> None:
    """Tell the arbiter this (new) worker can answer requests."""
    folder = _folder()
    if folder is None:
        return
    (folder / f"{READY_PREFIX}{os.getpid()}").touch()
    os.kill(os.getppid(), SIGNAL)


def take_markers(folder: Path, prefix: str) -> list[int]:
    """The pids of the markers with ``prefix`` in ``folder``, removing the markers."""
    pids = []
    for marker in folder.glob(f"{prefix}*"):
        with contextlib.suppress(ValueError):
            pids.append(int(marker.name[len(prefix) :]))
        marker.unlink(missing_ok=True)
    return pids
