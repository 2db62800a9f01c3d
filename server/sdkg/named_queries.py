"""The named SPARQL queries shipped in ``queries/``: read, list and find them.

Each query is a file ``cqNN-<slug>.rq`` (NN: two digits, the competency
question's number) that opens with a comment header::

    # title: <the question, as a user would type it>
    # description: <what the query does, which modeling choice it relies on,
    #   caveats; a description may go on over indented comment lines>
    # tags: <persona>, <topic>

The persona is one of :data:`PERSONAS`. :func:`list_queries` reads every file
(in number order); :func:`find_query` finds one by number ("2", "02",
"cq02") or name ("cq02-centre-acronyms", "centre-acronyms").
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path

from sdkg.resources import bundled_path

PERSONAS = ("analyst", "diplomat", "office", "curator")
PERSONA_TITLES = {
    "analyst": "Science-policy analyst",
    "diplomat": "Diplomat",
    "office": "Research-office staff",
    "curator": "Data curator",
}
HEADER_KEYS = ("title", "description", "tags")

_FILE_NAME = re.compile(r"^cq(?P<number>\d{2})-(?P<slug>[a-z0-9]+(?:-[a-z0-9]+)*)\.rq$")
_HEADER_LINE = re.compile(r"^#\s*(?P<key>[a-z]+):\s*(?P<value>.*)$")
_NUMBER_ONLY = re.compile(r"^(?:cq)?(?P<number>\d{1,2})$")


class NamedQueryError(Exception):
    """A named query cannot be read or found; the message says what to do."""


class QueryFileError(NamedQueryError):
    """A file in ``queries/`` has a bad name or header."""


class QueryNotFound(NamedQueryError, LookupError):
    """No named query matches the name asked for."""


@dataclass(frozen=True)
class NamedQuery:
    """One named query: its number, names, header fields and SPARQL text."""

    number: int
    slug: str
    title: str
    description: str
    tags: tuple[str, ...]
    text: str
    path: Path

    @property
    def name(self) -> str:
        """The file name without ``.rq``, e.g. ``cq02-centre-acronyms``."""
        return f"cq{self.number:02d}-{self.slug}"

    @property
    def persona(self) -> str:
        """Who asks the question: the first tag (one of :data:`PERSONAS`)."""
        return self.tags[0]

    @property
    def topic(self) -> str:
        """What the question is about: the second tag ("" if there is none)."""
        return self.tags[1] if len(self.tags) > 1 else ""

    def to_json(self) -> dict[str, object]:
        """A JSON-ready summary (for the web query editor and ``--format json``)."""
        return {
            "name": self.name,
            "number": self.number,
            "slug": self.slug,
            "title": self.title,
            "description": self.description,
            "persona": self.persona,
            "topic": self.topic,
            "tags": list(self.tags),
            "text": self.text,
        }


def read_query(path: Path) -> NamedQuery:
    """Read one ``cqNN-<slug>.rq`` file; raise :class:`QueryFileError` if it is malformed."""
    match = _FILE_NAME.match(path.name)
    if match is None:
        raise QueryFileError(
            f"{path}: a named query file must be called cqNN-<slug>.rq "
            "(NN two digits, slug lowercase words joined by '-'), e.g. cq02-centre-acronyms.rq"
        )
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise QueryFileError(f"{path}: cannot read the file: {exc}") from exc
    header = _parse_header(path, text)
    tags = tuple(tag.strip() for tag in header["tags"].split(",") if tag.strip())
    if not tags or tags[0] not in PERSONAS:
        raise QueryFileError(
            f"{path}: the first tag must be a persona ({', '.join(PERSONAS)}); "
            f"found '# tags: {header['tags']}'"
        )
    return NamedQuery(
        number=int(match["number"]),
        slug=match["slug"],
        title=header["title"],
        description=header["description"],
        tags=tags,
        text=text,
        path=path,
    )


def _parse_header(path: Path, text: str) -> dict[str, str]:
    """The ``# key: value`` lines at the top of a query; continuation lines join the last key."""
    fields: dict[str, list[str]] = {}
    current: str | None = None
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        match = _HEADER_LINE.match(line)
        if match and match["key"] in HEADER_KEYS:
            current = match["key"]
            if current in fields:
                raise QueryFileError(f"{path}: the header has '# {current}:' twice")
            fields[current] = [match["value"].strip()]
        elif current is not None and line[1:].strip():
            fields[current].append(line[1:].strip())
    missing = [key for key in HEADER_KEYS if not " ".join(fields.get(key, [])).strip()]
    if missing:
        raise QueryFileError(
            f"{path}: the header lacks {', '.join(f'# {key}:' for key in missing)}; a named "
            "query starts with '# title: ...', '# description: ...' and '# tags: persona, topic'"
        )
    return {key: " ".join(value) for key, value in fields.items()}


def list_queries(folder: Path | None = None) -> list[NamedQuery]:
    """Every named query in ``folder`` (default: the bundled ``queries/``), by number."""
    folder = bundled_path("queries") if folder is None else folder
    queries = [read_query(path) for path in sorted(folder.glob("*.rq"))]
    seen: dict[int, NamedQuery] = {}
    for query in queries:
        if query.number in seen:
            raise QueryFileError(
                f"{query.path}: number {query.number:02d} is also used by {seen[query.number].path}"
            )
        seen[query.number] = query
    return sorted(queries, key=lambda query: query.number)


def find_query(name: str, queries: list[NamedQuery] | None = None) -> NamedQuery:
    """The named query called ``name``: a number ("2", "02", "cq02"), its file name
    with or without ``.rq`` ("cq02-centre-acronyms"), or its slug ("centre-acronyms").

    Raises :class:`QueryNotFound` naming the closest matches.
    """
    queries = list_queries() if queries is None else queries
    wanted = name.strip().lower().removesuffix(".rq")
    number = _NUMBER_ONLY.match(wanted)
    for query in queries:
        if (number and int(number["number"]) == query.number) or wanted in (
            query.name,
            query.slug,
        ):
            return query
    candidates = {query.name: query for query in queries}
    candidates.update({query.slug: query for query in queries})
    close = difflib.get_close_matches(wanted, candidates, n=3, cutoff=0.5)
    names = list(dict.fromkeys(candidates[match].name for match in close))
    hint = f"closest: {', '.join(names)}" if names else "run 'sdkg query --list' to see them all"
    raise QueryNotFound(
        f"no named query '{name}' (give a number like 2 or cq02, a name like "
        f"cq02-centre-acronyms, or a slug like centre-acronyms); {hint}"
    )


def by_persona(queries: list[NamedQuery] | None = None) -> dict[str, list[NamedQuery]]:
    """The queries grouped by persona, in :data:`PERSONAS` order (for the query editor)."""
    queries = list_queries() if queries is None else queries
    return {
        persona: [query for query in queries if query.persona == persona] for persona in PERSONAS
    }


def format_query_list(queries: list[NamedQuery] | None = None) -> str:
    """The text ``sdkg query --list`` prints: one line per query (name, persona, title)."""
    queries = list_queries() if queries is None else queries
    width = max((len(query.name) for query in queries), default=0)
    persona_width = max(len(persona) for persona in PERSONAS)
    return "".join(
        f"{query.name:<{width}}  {query.persona:<{persona_width}}  {query.title}\n"
        for query in queries
    )
