"""The three spreadsheet templates: their roles (columns), example rows and downloads."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Role:
    """A column's job in a template."""

    name: str
    title: str  # the column title in the template spreadsheet
    help: str
    required: bool = False


@dataclass(frozen=True)
class Template:
    """A kind of spreadsheet contribution: its roles and an example row."""

    name: str
    description: str
    roles: tuple[Role, ...]
    example: tuple[str, ...]

    def role(self, name: str) -> Role:
        return next(r for r in self.roles if r.name == name)


_SOURCE = Role(
    "source",
    "Source",
    "the document that states the row's facts: its name or id in the graph "
    "(e.g. cas-twas-science-diplomacy-essay)",
    required=True,
)
_QUOTE = Role("quote", "Quote", "the exact words of the source that state the facts", True)
_ID = Role("id", "Id", "optional: the id of an existing entity, or a new id to create one")

ESSAY_QUOTE_TWAS = (
    "Whereas, The World Academy of Sciences (TWAS) is merit-based science academy located on "
    "the premises of the Abdus Salam International Center for Theoretical Physics (ICTP), "
    "connecting more than 1,000 scientists in some 70 countries."
)
TEMPLATES = {
    "organizations": Template(
        "organizations",
        "One organization per row: a new one, or facts about one the graph has.",
        (
            Role("name", "Name", "the organization's name (English)", required=True),
            _ID,
            Role("kind", "Kind", "what it is: university, research institute, national academy…"),
            Role("acronym", "Acronym", "its acronym, e.g. TWAS"),
            Role("chinese_name", "Chinese name", "its official Chinese name, if it has one"),
            Role("parent", "Parent", "the organization it is part of (name or id)"),
            Role("city", "City", "the city it is in"),
            Role("country", "Country", "the country it is in (also tells namesakes apart)"),
            Role("founded", "Founded", "the year it was founded, e.g. 1983"),
            Role("ror", "ROR", "its ROR id, e.g. https://ror.org/00twbd828 (verified only)"),
            Role("wikidata", "Wikidata", "its Wikidata item, e.g. Q337352 (verified only)"),
            _SOURCE,
            _QUOTE,
        ),
        (
            "The World Academy of Sciences",
            "",
            "international academy",
            "TWAS",
            "",
            "",
            "",
            "Italy",
            "",
            "",
            "",
            "CAS TWAS Science Diplomacy",
            ESSAY_QUOTE_TWAS,
        ),
    ),
    "partnerships": Template(
        "partnerships",
        "One partnership per row between two organizations the graph has.",
        (
            Role("partner", "Partner", "the first partner (name or id)", required=True),
            Role("other_partner", "Other partner", "the second partner", required=True),
            Role(
                "kind",
                "Kind",
                "joint research, joint education, or both separated by ';'",
                required=True,
            ),
            Role("start_date", "Start date", "optional: when it began, as YYYY-MM-DD"),
            _SOURCE,
            _QUOTE,
        ),
        (
            "USTC",
            "Stanford University",
            "joint research; joint education",
            "",
            "CAS TWAS Science Diplomacy",
            "It is engage in joint research and educational activities with internationally "
            "acclaimed organizations such as the European Organization for Nuclear Research "
            "(CERN), International Thermonuclear Experimental Reactor (ITER), the Max Planck "
            "Society, Oxford University, Heidelberg University, Stanford University, MIT, "
            "Berkeley, and Yale University, etc.",
        ),
    ),
    "fellowships": Template(
        "fellowships",
        "One fellowship per row: a fellow (new or known), the host and the programme.",
        (
            Role("fellow", "Fellow", "the fellow's name", required=True),
            Role("host", "Host", "the host organization (name or id)", required=True),
            Role("programme", "Programme", "the fellowship programme (name or id)", True),
            _SOURCE,
            _QUOTE,
        ),
        (
            "Mirza A.A. Baig",
            "USTC",
            "CAS-TWAS President's Fellowship",
            "CAS TWAS Science Diplomacy",
            "About the Author: Mirza A.A. Baig is CAS-TWAS President’s Fellow at USTC.",
        ),
    ),
}


def template_csv(name: str) -> bytes:
    """The template spreadsheet: its column titles and one example row."""
    chosen = TEMPLATES[name]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([role.title for role in chosen.roles])
    writer.writerow(chosen.example)
    return buffer.getvalue().encode("utf-8")


def template_mapping(name: str) -> dict[str, Any]:
    """The mapping for a template's own spreadsheet (every role under its title)."""
    chosen = TEMPLATES[name]
    return {
        "template": name,
        "columns": {role.name: role.title for role in chosen.roles},
        "defaults": {},
        "help": {role.name: role.help for role in chosen.roles},
    }
