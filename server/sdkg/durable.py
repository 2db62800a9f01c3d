"""Durable file writes: a reader sees the old file or the new one, never half of one."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO


def write_atomically(path: Path, write: Callable[[IO[bytes]], object] | bytes) -> None:
    """Write ``path`` through a temporary file, fsync, an atomic rename and an fsync of the
    folder, so the new content survives a crash once this returns.

    ``write`` is the bytes to write, or a function that writes to the open binary file.
    The temporary file (``.<name>.<random>.tmp``) is in the same folder, since a rename
    across file systems would not be atomic; it is removed if writing fails. The file
    keeps the old file's mode, else gets rw-r--r--.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            if isinstance(write, bytes):
                handle.write(write)
            else:
                write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, mode)
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
