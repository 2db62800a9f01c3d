"""Who may contribute, and the contributions' state shared by the contribution views.

:mod:`sdkg.web.contribute` (RDF) and :mod:`sdkg.web.csv_contribute` (spreadsheets) both
use it; it imports neither, so that those two import one way.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import current_app, request

from sdkg.contributions import Contributions
from sdkg.protocol import ProtocolError
from sdkg.rdfio import ParseLimits
from sdkg.tokens import Contributor, TokenFile, TokensUnavailable

log = logging.getLogger(__name__)

CLOSED_MESSAGE = "contributions are closed on this server (no SDKG_TOKENS_FILE)"
NOTE_HEADER = "X-Contribution-Note"


@dataclass
class ContributeState:
    """What the views share: the contributions, the tokens and the parse limits."""

    contributions: Contributions
    tokens: TokenFile | None
    limits: ParseLimits


def _state() -> ContributeState:
    """The contributions' state of the current app."""
    return current_app.extensions["sdkg-contribute"]


def confirmed_links() -> frozenset[str]:
    """The unverified links of contributions that ``sdkg link check`` has since confirmed."""
    return _state().contributions.confirmed_links()


def _authenticate() -> Contributor:
    """The contributor of the request's bearer token; else a 403 or 401 ProtocolError
    (403 first when the store is read-only: no token can open it)."""
    _state().contributions.check_open()
    tokens = _state().tokens
    if tokens is None:
        raise ProtocolError(403, CLOSED_MESSAGE)
    challenge = {"WWW-Authenticate": 'Bearer realm="sdkg"'}
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ProtocolError(
            401, "send your contribution token as 'Authorization: Bearer <token>'", challenge
        )
    try:
        contributor = tokens.contributor_for(token.strip())
    except TokensUnavailable as error:
        log.error("%s", error)
        raise ProtocolError(
            503, "contributions are unavailable: the server cannot read its tokens file"
        ) from None
    if contributor is None:
        raise ProtocolError(
            401,
            "this token is not valid here; check it, or ask the operator for one",
            {"WWW-Authenticate": 'Bearer realm="sdkg", error="invalid_token"'},
        )
    return contributor
