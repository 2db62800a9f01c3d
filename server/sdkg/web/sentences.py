"""Source documents as numbered sentences, and which sentence a piece of evidence quotes.

The essay's page shows its text sentence by sentence (``#s12`` is sentence 12), and each
fact's evidence on an entity page links to the sentence it quotes. Both use
:func:`document_sentences`, so the numbers always agree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sdkg.solutions import select
from sdkg.web.context import cached, state

#: A sentence ends at . ! ? (maybe followed by a closing quote or bracket) before a space
#: and a capital, digit or opening quote; list items and lines of their own end one too.
_SENTENCE_END = re.compile(r"(?<=[.!?])[”’\"')]?\s+(?=[A-Z0-9“‘\"(])")
#: What ends in a full stop without ending a sentence: a list number, an initial.
_NOT_AN_END = re.compile(r"(^\s*\d+\.$)|(\b[A-Z]\.$)")
SCHEMA_TEXT = "https://schema.org/text"


@dataclass(frozen=True)
class Sentence:
    """One sentence of a document: its number (from 1), paragraph (from 1) and words."""

    number: int
    paragraph: int
    text: str
    #: True when the sentence starts a new line inside its paragraph (a list item).
    new_line: bool = False

    @property
    def anchor(self) -> str:
        """The fragment id of the sentence on the document's page."""
        return f"s{self.number}"


def split_sentences(text: str) -> list[Sentence]:
    """Paragraphs (blank lines), lines within them, then sentence ends, numbered in order."""
    found: list[Sentence] = []
    paragraphs = [p for p in re.split(r"\n\s*\n", text) if p.strip()]
    for paragraph_number, paragraph in enumerate(paragraphs, start=1):
        for line_number, line in enumerate(paragraph.splitlines()):
            start = 0
            line = line.strip()
            first_of_line = line_number > 0
            for match in _SENTENCE_END.finditer(line):
                end = match.start() + len(match.group(0).rstrip())
                if _NOT_AN_END.search(line[start:end]):
                    continue  # "1." of a numbered list, "A.A." of a name
                words = line[start:end].strip()
                found.append(Sentence(len(found) + 1, paragraph_number, words, first_of_line))
                first_of_line = False
                start = match.end()
            if line[start:].strip():
                found.append(
                    Sentence(len(found) + 1, paragraph_number, line[start:].strip(), first_of_line)
                )
    return found


def _squash(text: str) -> str:
    return " ".join(text.split()).casefold()


def quoted_sentences(evidence: str, sentences: list[Sentence]) -> list[Sentence]:
    """The sentences ``evidence`` quotes: those containing it, or contained in it."""
    wanted = _squash(evidence)
    if not wanted:
        return []
    return [
        s for s in sentences if wanted in _squash(s.text) or (_squash(s.text) in wanted and s.text)
    ]


def document_sentences(document: str) -> list[Sentence]:
    """The numbered sentences of ``document``'s ``schema:text`` ([] when it has none).

    All documents are split at once and kept as one cache entry per store generation
    (the shared cache holds few entries: one per document would evict the others).
    """

    def compute() -> dict[str, list[Sentence]]:
        return {
            row["doc"].value: split_sentences(row["text"].value)
            for row in select(
                state().store,
                f"SELECT ?doc (SAMPLE(?t) AS ?text) WHERE {{ ?doc <{SCHEMA_TEXT}> ?t "
                "FILTER(isIRI(?doc)) } GROUP BY ?doc",
            )
        }

    return cached(("sentences",), compute).get(document, [])
