"""Threads that cannot open a network connection: the kernel refuses them sockets.

pyoxigraph runs ``SERVICE`` calls itself, from the thread that evaluates the query, and
its parser is not exposed to Python, so no text check can prove what the engine will
call. A query that names no allow-listed endpoint therefore runs in an *offline* thread:
a seccomp filter, installed in that thread only, makes every ``socket()`` call fail with
``EACCES``. Whatever the query text looks like, the engine cannot reach any address (nor
resolve a name) from there; a hidden ``SERVICE`` fails as a refused connection.

Linux on x86-64 and AArch64 only; elsewhere :func:`available` is False and the caller
falls back to the strict text rule of :mod:`sdkg.federation`.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import functools
import platform
import struct
import sys
import threading
from typing import Any

_PR_SET_NO_NEW_PRIVS = 38
_PR_SET_SECCOMP = 22
_SECCOMP_MODE_FILTER = 2
_SECCOMP_RET_ALLOW = 0x7FFF0000
_SECCOMP_RET_ERRNO = 0x00050000
# BPF opcodes: load word at absolute offset, jump if equal, return constant.
_LD_W_ABS = 0x20
_JEQ_K = 0x15
_RET_K = 0x06
# struct seccomp_data: int nr; __u32 arch; __u64 instruction_pointer; __u64 args[6].
_OFFSET_NR = 0
_OFFSET_ARCH = 4
# Architecture -> (AUDIT_ARCH value, syscall numbers of socket()).
_ARCHES = {
    "x86_64": (0xC000003E, (41, 0x40000000 | 41)),  # native and x32 ABI
    "aarch64": (0xC00000B7, (198,)),
}


@functools.cache
def _filter_program() -> bytes | None:
    """The BPF program: ``socket()`` fails with EACCES, everything else is allowed."""
    arch = _ARCHES.get(platform.machine())
    if arch is None or not sys.platform.startswith("linux"):
        return None
    audit_arch, numbers = arch
    deny = _SECCOMP_RET_ERRNO | errno.EACCES
    program = [
        (_LD_W_ABS, 0, 0, _OFFSET_ARCH),
        # Another ABI than the one filtered (e.g. 32-bit calls): refuse it all.
        (_JEQ_K, 1, 0, audit_arch),
        (_RET_K, 0, 0, deny),
        (_LD_W_ABS, 0, 0, _OFFSET_NR),
    ]
    for index, number in enumerate(numbers):
        remaining = len(numbers) - index - 1
        # On a match jump to the deny at the end, else try the next number.
        program.append((_JEQ_K, remaining + 1, 0, number))
    program += [(_RET_K, 0, 0, _SECCOMP_RET_ALLOW), (_RET_K, 0, 0, deny)]
    return b"".join(struct.pack("HBBI", *instruction) for instruction in program)


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


@functools.cache
def _libc() -> Any:
    return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)


def go_offline() -> None:
    """Refuse sockets to the calling thread (and threads it starts) for good.

    Raises OSError when the kernel does not allow it (no seccomp)."""
    program = _filter_program()
    if program is None:
        raise OSError(errno.ENOSYS, "seccomp filters are not supported on this platform")
    libc = _libc()
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        code = ctypes.get_errno()
        raise OSError(code, f"prctl(PR_SET_NO_NEW_PRIVS): {errno.errorcode.get(code, code)}")
    buffer = ctypes.create_string_buffer(program, len(program))
    fprog = _SockFprog(len(program) // 8, ctypes.cast(buffer, ctypes.c_void_p))
    if libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) != 0:
        code = ctypes.get_errno()
        raise OSError(code, f"prctl(PR_SET_SECCOMP): {errno.errorcode.get(code, code)}")


@functools.cache
def available() -> bool:
    """True when offline threads work here (checked once, in a throwaway thread)."""
    outcome: list[bool] = []

    def probe() -> None:
        import socket

        try:
            go_offline()
        except OSError:
            outcome.append(False)
            return
        try:
            socket.socket(socket.AF_INET, socket.SOCK_STREAM).close()
        except PermissionError:
            outcome.append(True)
        else:
            outcome.append(False)

    thread = threading.Thread(target=probe, name="sdkg-offline-probe", daemon=True)
    thread.start()
    thread.join()
    return bool(outcome and outcome[0])
