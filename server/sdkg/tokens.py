"""Bearer tokens for writing contributions, read from the file ``SDKG_TOKENS_FILE`` names.

One ``<token> <contributor IRI or name>`` per line; blank lines and lines starting
with ``#`` are skipped. Tokens are compared in constant time and never logged (a
bad line is reported by its number only). The file is read again when it changes,
so tokens can be added or revoked without a restart.
"""

from __future__ import annotations

import hmac
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

#: Shorter tokens are skipped with a warning: they could be guessed.
MIN_TOKEN_LENGTH = 16


class TokensUnavailable(Exception):
    """The tokens file is configured but cannot be read."""


@dataclass(frozen=True)
class Contributor:
    """Who a token stands for: an IRI (``https://orcid.org/...``) or a plain name."""

    name: str

    @property
    def is_iri(self) -> bool:
        """True when the contributor was given as an http(s) or urn IRI."""
        return self.name.startswith(("http://", "https://", "urn:"))


class TokenFile:
    """The tokens of one file; :meth:`contributor_for` answers who a token stands for."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._stamp: tuple[int, int, int] | None = None
        self._entries: list[tuple[bytes, Contributor]] = []

    def contributor_for(self, token: str) -> Contributor | None:
        """The contributor whose token this is, or ``None``.

        Every known token is compared (in constant time each), so the time taken
        does not tell which token, or how much of one, matched.
        Raises :class:`TokensUnavailable` when the file cannot be read.
        """
        given = token.encode("utf-8")
        found = None
        for secret, contributor in self._current():
            if hmac.compare_digest(given, secret) and found is None:
                found = contributor
        return found

    def _current(self) -> list[tuple[bytes, Contributor]]:
        try:
            info = os.stat(self.path)
        except OSError as error:
            raise TokensUnavailable(f"cannot read the tokens file: {error.strerror}") from None
        stamp = (info.st_mtime_ns, info.st_size, info.st_ino)
        with self._lock:
            if stamp != self._stamp:
                try:
                    text = self.path.read_text(encoding="utf-8")
                except (OSError, UnicodeDecodeError) as error:
                    raise TokensUnavailable(f"cannot read the tokens file: {error}") from None
                self._entries = parse_tokens(text, str(self.path))
                self._stamp = stamp
            return self._entries


def parse_tokens(text: str, source: str) -> list[tuple[bytes, Contributor]]:
    """The ``(token, contributor)`` pairs of a tokens file's text, in file order."""
    entries: list[tuple[bytes, Contributor]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split(maxsplit=1)
        if len(parts) < 2:
            log.warning("%s line %d: no contributor after the token; line skipped", source, number)
            continue
        if len(parts[0]) < MIN_TOKEN_LENGTH:
            log.warning(
                "%s line %d: token shorter than %d characters; line skipped",
                source,
                number,
                MIN_TOKEN_LENGTH,
            )
            continue
        entries.append((parts[0].encode("utf-8"), Contributor(parts[1].strip())))
    return entries
