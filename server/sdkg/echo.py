"""Echoing values from requests in messages: never in full when they are long.

An error message that repeats what a client sent helps the client, but a message that
repeats a megabyte helps no one and amplifies the request: :func:`shorten` keeps the
start of a long value and says how long it was.
"""

from __future__ import annotations

#: How much of a value a message repeats, in characters.
MAX_ECHO = 80


def shorten(value: str, limit: int = MAX_ECHO) -> str:
    """``value``, or its first ``limit`` characters and how long it was."""
    if len(value) <= limit:
        return value
    return f"{value[:limit]}… ({len(value)} characters)"
