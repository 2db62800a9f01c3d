"""Bearer tokens for writing contributions, read from the file ``SDKG_TOKENS_FILE`` names.

One token per line: ``<token> <contributor IRI or name> [role=<role>]``; blank lines and
lines starting with ``#`` are skipped. The role is ``contributor`` (the default: may add
contributions and withdraw its own), ``curator`` or ``admin`` (may also withdraw anyone's).
Lines without a role are read as before, so older files keep working.

A contributor given as an IRI (``https://``, ``http://``, ``urn:``) must be a valid
absolute IRI: a line with a malformed one is skipped with a warning (by line number),
so a bad line can never make a contribution fail with a server error.

Tokens are compared in constant time and never logged (a bad line is reported by its
number only). The file is read again when it changes, so tokens can be added or revoked
without a restart. :func:`check_tokens_file` checks it when the server starts.
"""

from __future__ import annotations

import hmac
import logging
import os
import re
import stat
import threading
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

log = logging.getLogger(__name__)

#: Shorter tokens are skipped with a warning: they could be guessed.
MIN_TOKEN_LENGTH = 16
#: Who a token may be: contributors withdraw their own contributions, curators and
#: admins anyone's.
ROLES = ("contributor", "curator", "admin")
#: Roles that may withdraw any contribution.
WITHDRAW_ANY_ROLES = frozenset({"curator", "admin"})
_ROLE_FIELD = re.compile(r"\s+role=(\S*)$")


class TokensUnavailable(Exception):
    """The tokens file is configured but cannot be read."""


@dataclass(frozen=True)
class Contributor:
    """Who a token stands for: an IRI (``https://orcid.org/...``) or a plain name,
    and the role the tokens file gives it."""

    name: str
    role: str = "contributor"

    @property
    def is_iri(self) -> bool:
        """True when the contributor was given as an http(s) or urn IRI."""
        return looks_like_iri(self.name)

    @property
    def may_withdraw_any(self) -> bool:
        """True for curators and admins: they may withdraw anyone's contribution."""
        return self.role in WITHDRAW_ANY_ROLES


def looks_like_iri(name: str) -> bool:
    """True for a contributor written as an http(s) or urn IRI."""
    return name.startswith(("http://", "https://", "urn:"))


def is_valid_iri(name: str) -> bool:
    """True when the store would accept ``name`` as an IRI (pyoxigraph's own check)."""
    try:
        ox.NamedNode(name)
    except ValueError:
        return False
    return True


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


def parse_tokens(
    text: str, source: str, problems: list[str] | None = None
) -> list[tuple[bytes, Contributor]]:
    """The ``(token, contributor)`` pairs of a tokens file's text, in file order.

    Each skipped line is appended to ``problems`` if given, else logged as a warning.
    """

    def skip(number: int, why: str) -> None:
        message = f"{source} line {number}: {why}; line skipped"
        if problems is not None:
            problems.append(message)
        else:
            log.warning("%s", message)

    entries: list[tuple[bytes, Contributor]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        role = "contributor"
        if match := _ROLE_FIELD.search(line):
            role, line = match[1], line[: match.start()]
            if role not in ROLES:
                skip(number, f"unknown role {role[:20]!r} (roles: {', '.join(ROLES)})")
                continue
        parts = line.split(maxsplit=1)
        if len(parts) < 2:
            skip(number, "no contributor after the token")
            continue
        if len(parts[0]) < MIN_TOKEN_LENGTH:
            skip(number, f"token shorter than {MIN_TOKEN_LENGTH} characters")
            continue
        name = parts[1].strip()
        if looks_like_iri(name) and not is_valid_iri(name):
            skip(
                number,
                "the contributor is not a valid IRI (no spaces, quotes, <, >, {, }, |, ^, ` "
                "or backslashes; or write a plain name that does not start with http: or urn:)",
            )
            continue
        entries.append((parts[0].encode("utf-8"), Contributor(name, role)))
    return entries


def check_tokens_file(path: Path) -> list[str]:
    """Check the tokens file when the server starts; return warnings to log.

    Raises :class:`TokensUnavailable` naming the file when it is missing or unreadable.
    Warns about a file other users may read (tokens are secrets), an empty file
    (contributions are then refused to everyone) and every skipped line.
    """
    try:
        info = os.stat(path)
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise TokensUnavailable(
            f"the tokens file {path} does not exist: create it (one "
            "'<token> <contributor> [role=curator]' per line) or leave --tokens-file / "
            "SDKG_TOKENS_FILE unset to keep contributions closed"
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        why = error.strerror if isinstance(error, OSError) else f"not UTF-8 text ({error.reason})"
        raise TokensUnavailable(f"cannot read the tokens file {path}: {why}") from None
    warnings: list[str] = []
    if not stat.S_ISREG(info.st_mode):
        raise TokensUnavailable(f"the tokens file {path} is not a regular file")
    if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        warnings.append(
            f"the tokens file {path} can be read by other users (mode "
            f"{stat.S_IMODE(info.st_mode):04o}); its tokens are secrets: chmod 600 {path}"
        )
    entries = parse_tokens(text, str(path), warnings)
    if not entries:
        warnings.append(
            f"the tokens file {path} holds no usable token: every contribution will be refused"
        )
    return warnings
