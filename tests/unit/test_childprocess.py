"""sdkg.childprocess.run_in_child: a function's value or error from a child process,
started by fork (the store sync) or spawn (the disk mode's writes)."""

from __future__ import annotations

import multiprocessing
import os

import pytest

from sdkg.childprocess import run_in_child
from sdkg.errors import StoreError

METHODS = ["fork", "spawn"]

# The children's functions are module-level: a spawned child imports them by name.


def where_and_sum(a: int, b: int) -> tuple[int, str, int]:
    """The child's process id and name, and ``a + b``."""
    return os.getpid(), multiprocessing.current_process().name, a + b


def refuse(message: str) -> None:
    raise StoreError(message)


def fail(message: str) -> None:
    raise ValueError(message)


def die() -> None:
    os._exit(3)  # no answer, no exception: as a crash of the child would end


@pytest.mark.parametrize("method", METHODS)
def test_the_value_comes_back_from_another_process(method):
    pid, name, total = run_in_child(where_and_sum, 2, 3, method=method, name="sdkg-test-child")
    assert total == 5
    assert pid != os.getpid()
    assert name == "sdkg-test-child"


@pytest.mark.parametrize("method", METHODS)
def test_a_store_error_comes_back_with_its_message(method):
    with pytest.raises(StoreError) as raised:
        run_in_child(refuse, "the store is full", method=method)
    assert str(raised.value) == "the store is full"


@pytest.mark.parametrize("method", METHODS)
def test_any_other_exception_comes_back_as_a_store_error_naming_its_type(method):
    with pytest.raises(StoreError) as raised:
        run_in_child(fail, "bad media type", method=method)
    assert str(raised.value) == "ValueError: bad media type"


@pytest.mark.parametrize("method", METHODS)
def test_a_child_that_dies_gives_a_store_error_with_the_given_message(method):
    with pytest.raises(StoreError) as raised:
        run_in_child(die, method=method, died="the test child died")
    assert str(raised.value) == "the test child died"
