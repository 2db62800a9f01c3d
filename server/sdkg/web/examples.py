"""The named queries of ``queries/``, grouped by persona, for the query editor and home page.

``sdkg.named_queries`` (the named-queries module) reads and checks the files; until it is
merged, :func:`_read_headers` reads the same ``# title:`` / ``# description:`` / ``# tags:``
header itself, so the editor works either way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from sdkg.resources import bundled_path

PERSONA_TITLES = {
    "analyst": "Science-policy analyst",
    "diplomat": "Diplomat",
    "office": "Research-office staff",
    "curator": "Data curator",
}


@dataclass(frozen=True)
class Example:
    """A named query as the editor shows it."""

    name: str  # "cq02-centre-acronyms"
    title: str
    description: str
    persona: str
    text: str


def examples() -> list[Example]:
    """Every named query, in file order; an unreadable ``queries/`` folder gives none."""
    try:
        from sdkg import named_queries  # type: ignore[attr-defined]
    except ImportError:
        return _read_headers()
    return [
        Example(q.name, q.title, q.description, q.persona, q.text)
        for q in named_queries.list_queries()
    ]


def by_persona(found: list[Example]) -> list[tuple[str, str, list[Example]]]:
    """``(persona, heading, examples)`` for each persona that has queries, known ones first."""
    order = [*PERSONA_TITLES, *sorted({e.persona for e in found} - set(PERSONA_TITLES))]
    groups = []
    for persona in order:
        members = [e for e in found if e.persona == persona]
        if members:
            groups.append((persona, PERSONA_TITLES.get(persona, persona.title()), members))
    return groups


_HEADER = re.compile(r"^#\s*(title|description|tags):\s*(.*)$")


def _read_headers(folder: Path | None = None) -> list[Example]:
    """Stand-in for ``sdkg.named_queries``: the header of each ``queries/*.rq`` file."""
    try:
        folder = bundled_path("queries") if folder is None else folder
    except FileNotFoundError:
        return []
    found = []
    for path in sorted(folder.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        fields: dict[str, str] = {}
        current = None
        for line in text.splitlines():
            if not line.startswith("#"):
                break
            match = _HEADER.match(line)
            if match:
                current = match[1]
                fields[current] = match[2].strip()
            elif current and line[1:].strip():
                fields[current] += " " + line[1:].strip()
        tags = [t.strip() for t in fields.get("tags", "").split(",") if t.strip()]
        found.append(
            Example(
                path.stem,
                fields.get("title", path.stem),
                fields.get("description", ""),
                tags[0] if tags else "other",
                text,
            )
        )
    return found
