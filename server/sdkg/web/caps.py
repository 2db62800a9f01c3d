"""Length caps on what a request may ask pages to search for or echo back.

A search text or an ``/id/`` name longer than its cap is refused before any work
(400 / 414, with a message naming the cap), so no page ever echoes a huge value;
:func:`sdkg.echo.shorten` cuts any other value an error message repeats.
"""

from __future__ import annotations

from flask import Flask, Response, request

from sdkg.web.responses import error_response

#: Longest search text, in characters (``/search?q=``).
MAX_SEARCH_TEXT = 200
#: Longest entity name after ``/id/`` (slug and format suffix), in characters.
MAX_SLUG = 200


def _refuse_overlong() -> Response | None:
    if request.path.startswith("/id/"):
        name = request.path[len("/id/") :]
        if len(name) > MAX_SLUG:
            return error_response(
                414,
                f"the entity name after /id/ is {len(name)} characters long; the limit is "
                f"{MAX_SLUG} characters (entity names are short, e.g. /id/ustc)",
            )
    if request.path == "/search":
        text = request.args.get("q", "")
        if len(text) > MAX_SEARCH_TEXT:
            return error_response(
                400,
                f"the search text is {len(text)} characters long; the limit is "
                f"{MAX_SEARCH_TEXT} characters: search for a name, an acronym or a few words",
            )
    return None


def install(app: Flask) -> None:
    """Check the caps before every request."""
    app.before_request(_refuse_overlong)
