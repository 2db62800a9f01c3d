"""A source document read with its facts: its text, sentence by sentence, each sentence
with the facts whose evidence quotes it (and the sentences that yield none marked so).

Used by the entity page of any document that carries ``schema:text`` (the essay).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from sdkg.solutions import select
from sdkg.web.context import cached, state
from sdkg.web.labels import LabelIndex
from sdkg.web.sentences import Sentence, document_sentences, quoted_sentences
from sdkg.web.terms import page_url


@dataclass
class Fact:
    """One fact drawn from a sentence, in words: subject, relation, value (with pages)."""

    subject: str
    subject_url: str | None
    relation: str
    value: str
    value_url: str | None


@dataclass
class ReadSentence:
    """A sentence and the facts drawn from it."""

    sentence: Sentence
    facts: list[Fact] = field(default_factory=list)


def _term_text(term: Any, index: LabelIndex) -> tuple[str, str | None]:
    if isinstance(term, ox.NamedNode):
        return index.label(term.value), page_url(term.value) or term.value
    return str(getattr(term, "value", term)), None


def annotated_text(document: str, index: LabelIndex) -> list[list[ReadSentence]]:
    """The document's paragraphs, each a list of its sentences with their facts."""
    sentences = document_sentences(document)
    if not sentences:
        return []
    # One cache entry for all documents (few: those with a text), filled as they are read.
    read: dict[str, list[list[ReadSentence]]] = cached(("annotated",), dict)
    if document not in read:
        read[document] = _annotate(document, sentences, index)
    return read[document]


def _annotate(
    document: str, sentences: list[Sentence], index: LabelIndex
) -> list[list[ReadSentence]]:
    """Sentences of ``document`` with the facts whose evidence quotes each."""
    facts: dict[int, list[Fact]] = defaultdict(list)
    for row in select(
        state().store,
        "SELECT DISTINCT ?s ?p ?o ?text WHERE { "
        "?e a <https://w3id.org/sdkg/ontology#Evidence> ; "
        "<http://www.w3.org/1999/02/22-rdf-syntax-ns#subject> ?s ; "
        "<http://www.w3.org/1999/02/22-rdf-syntax-ns#predicate> ?p ; "
        "<http://www.w3.org/1999/02/22-rdf-syntax-ns#object> ?o ; "
        f"<http://purl.org/dc/terms/source> <{document}> ; "
        "<http://www.w3.org/ns/prov#value> ?text } ORDER BY ?s ?p ?o",
    ):
        subject, subject_url = _term_text(row["s"], index)
        value, value_url = _term_text(row["o"], index)
        fact = Fact(subject, subject_url, index.term_label(row["p"].value), value, value_url)
        for sentence in quoted_sentences(row["text"].value, sentences):
            if fact not in facts[sentence.number]:
                facts[sentence.number].append(fact)
    paragraphs: dict[int, list[ReadSentence]] = defaultdict(list)
    for sentence in sentences:
        paragraphs[sentence.paragraph].append(
            ReadSentence(sentence, facts.get(sentence.number, []))
        )
    return [paragraphs[number] for number in sorted(paragraphs)]
