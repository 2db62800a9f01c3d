"""Run one function in a short-lived child process and get its value back.

The store does some work in a child so that this process never does it itself: the sync
of a server that forks workers afterwards (:mod:`sdkg.store`: RocksDB's background
threads must not start in the parent) and the writes of the disk mode
(:mod:`sdkg.disk_store`: the one process that opens the database read-write).

The child sends ``("ok", value)`` or ``("error", message)`` through a one-way pipe; the
parent returns the value, or raises :class:`~sdkg.errors.StoreError` with the message, also
when the child died before answering.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from multiprocessing.connection import Connection
from multiprocessing.context import ForkContext, SpawnContext
from typing import Literal, TypeVar, cast

from sdkg.errors import StoreError

T = TypeVar("T")


def run_in_child(
    function: Callable[..., T],
    *args: object,
    method: Literal["fork", "spawn"] = "fork",
    name: str = "sdkg-child",
    died: str = "the child process died",
) -> T:
    """``function(*args)`` run in a child process started by ``method``; its value.

    With ``"spawn"`` the function, its arguments and its value must pickle (a module-level
    function). Raises :class:`~sdkg.errors.StoreError`: with the message of a StoreError
    raised in the child, ``"Type: message"`` for any other exception, or ``died`` when the
    child ended without answering. ``name`` is the child's process name.
    """
    # One call per literal: given a variable, get_context is typed as giving a BaseContext,
    # which has no Process for the type checker.
    context: ForkContext | SpawnContext = (
        multiprocessing.get_context("fork")
        if method == "fork"
        else multiprocessing.get_context("spawn")
    )
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(send, function, args), name=name)
    process.start()
    send.close()  # so that the child's end closing (it died) reads as EOF here
    try:
        status, value = receive.recv()
    except EOFError:
        status, value = "error", died
    finally:
        receive.close()
    process.join()
    if status != "ok":
        raise StoreError(value)
    return cast(T, value)


def _child(send: Connection, function: Callable[..., object], args: tuple[object, ...]) -> None:
    """The child's entry (module-level, so that ``spawn`` can import it)."""
    try:
        send.send(("ok", function(*args)))
    except StoreError as error:
        send.send(("error", str(error)))
    except BaseException as error:  # reported to the parent, which raises it
        send.send(("error", f"{type(error).__name__}: {error}"))
