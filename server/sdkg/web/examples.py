"""The named queries of ``queries/`` as the query editor and the home page show them.

Reading and checking the files is :mod:`sdkg.named_queries`' job; this module only
groups them for the pages (cached per store generation by the callers).
"""

from __future__ import annotations

from sdkg.named_queries import PERSONA_TITLES, NamedQuery, by_persona, list_queries


def examples() -> list[NamedQuery]:
    """Every named query, in number order."""
    return list_queries()


def grouped(found: list[NamedQuery]) -> list[tuple[str, str, list[NamedQuery]]]:
    """``(persona, heading, queries)`` for each persona that has queries."""
    return [
        (persona, PERSONA_TITLES.get(persona, persona), members)
        for persona, members in by_persona(found).items()
        if members
    ]
