"""The answer to work stopped at its time limit, and the end of the process that ran it.

Used by the query endpoint and by validation: the client gets a 503 saying which limit
was hit and what to do; once that answer is sent, this worker asks to be replaced and
stopped (:mod:`sdkg.recycling`), because the work itself cannot be interrupted in the
process (pyoxigraph, pyshacl). Other clients keep being answered meanwhile.
"""

from __future__ import annotations

import logging
import os

from flask import Response

from sdkg import metrics, recycling
from sdkg.web import error_response, state

log = logging.getLogger(__name__)


def stopped_response(
    message: str, what: str, seconds: float, *, still_running: bool = True
) -> Response:
    """A 503 for ``what`` (a query, a validation) stopped after ``seconds``; with
    ``still_running`` the work goes on in this process, which is then replaced."""
    metrics.note_timeout()
    response = error_response(503, message, {"Retry-After": "5"})
    if not still_running:
        log.warning("%s passed its %g s limit; its process was stopped", what, seconds)
    elif state().recycle_on_timeout:
        log.warning("%s passed its %g s limit; recycling worker %d to stop it (a replacement "
                    "starts first)", what, seconds, os.getpid())  # fmt: skip
        response.call_on_close(recycling.retire_this_worker)
    else:
        log.warning("%s passed its %g s limit; it keeps running in the background", what,
                    seconds)  # fmt: skip
    return response
