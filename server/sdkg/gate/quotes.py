"""Gate check: quoted words occur in the cited document's text (see :mod:`sdkg.gate`).

Every ``prov:value`` (the exact words of an evidence node) and every
``schema:text`` of a ``schema:Quotation`` or ``schema:Claim`` (the words a document
says them in) is checked against the text of the document it cites
(``dcterms:source``, ``prov:wasQuotedFrom`` or, for a quotation,
``schema:isPartOf``), when the repository holds that text
(:mod:`sdkg.documents`). Whitespace, quotation marks and dashes are normalised;
anything else must match. A quote that is not there is an error that shows the
closest passage.

A contribution may cite a document the repository has no text for. It must
describe it (a label, and a URL or a bibliographic reference); its quotes cannot
be checked, and the report says so with an Info result whose message begins
with :data:`NOT_VERIFIED`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import RDF, RDFS, Graph, Literal, Namespace, Node, URIRef
from rdflib.namespace import DCTERMS, FOAF, PROV

from sdkg import documents
from sdkg.gate.findings import Finding, GateInput, Severity
from sdkg.validation import short

SCHEMA = Namespace("https://schema.org/")

#: The words the report, the stored contribution and its page use for an unchecked quote.
NOT_VERIFIED = "quote not verified"
#: A document is described when it has one of these ...
LABEL_PROPERTIES = (RDFS.label, DCTERMS.title, SCHEMA.name)
#: ... and one of these (a URL or a bibliographic reference).
REFERENCE_PROPERTIES = (
    FOAF.homepage,
    FOAF.page,
    SCHEMA.url,
    DCTERMS.bibliographicCitation,
    SCHEMA.citation,
)

RULE_MISMATCH = "QuoteNotInSource"
RULE_UNDESCRIBED = "QuoteSourceUndescribed"
RULE_UNVERIFIED = "QuoteNotVerified"


@dataclass(frozen=True)
class Quote:
    """Words a node attributes to a document."""

    node: Node  # the evidence node or quotation
    words: Literal
    path: URIRef  # prov:value or schema:text
    source: Node  # the document cited
    about: Node  # what a finding points at: the evidence's rdf:subject, else the node


def quotes_in(graph: Graph) -> list[Quote]:
    """Every quoted passage of ``graph`` with the document it cites, in a stable order."""
    found: list[Quote] = []
    for node, words in graph.subject_objects(PROV.value):
        if not isinstance(words, Literal):
            continue
        sources = set(graph.objects(node, DCTERMS.source)) | set(
            graph.objects(node, PROV.wasQuotedFrom)
        )
        about = graph.value(node, RDF.subject) or node
        found.extend(Quote(node, words, PROV.value, source, about) for source in sources)
    quoting = set(graph.subjects(RDF.type, SCHEMA.Quotation)) | set(
        graph.subjects(RDF.type, SCHEMA.Claim)
    )
    for node in sorted(quoting, key=str):
        sources = set(graph.objects(node, SCHEMA.isPartOf)) | set(
            graph.objects(node, DCTERMS.source)
        )
        for words in graph.objects(node, SCHEMA.text):
            if isinstance(words, Literal):
                found.extend(Quote(node, words, SCHEMA.text, source, node) for source in sources)
    return sorted(found, key=lambda q: (str(q.about), str(q.source), str(q.words)))


def check(gate: GateInput) -> list[Finding]:
    """Quotes not in their document; documents without text that are not described."""
    names = gate.submission.namespace_manager
    findings = []
    for quote in quotes_in(gate.submission):
        doc = documents.document(str(quote.source))
        source = short(quote.source, names)
        if doc is not None:
            passage = documents.find_passage(str(quote.words), doc)
            if passage.found:
                continue
            message = (
                f'Quote not in its source: {source} does not contain "{quote.words}" '
                "(whitespace, quotation marks and dashes aside). "
            )
            if passage.closest:
                message += (
                    f'The closest passage is "{passage.closest}" '
                    f"({round(passage.similarity * 100)}% similar). "
                )
            message += "Copy the exact words of the document into prov:value."
            findings.append(_finding(quote, message, RULE_MISMATCH, "Violation"))
        elif _described(gate, quote.source):
            message = (
                f"{NOT_VERIFIED}: the repository holds no text of {source}, so "
                f'"{quote.words}" cannot be checked against it.'
            )
            findings.append(_finding(quote, message, RULE_UNVERIFIED, "Info"))
        else:
            message = (
                f'Unknown source document: {source} is cited for "{quote.words}", the '
                "repository holds no text of it, and neither this submission nor the graph "
                "describes it with a label and a URL or bibliographic reference. Describe it: "
                f'{source} a foaf:Document ; rdfs:label "…"@en ; and foaf:homepage <URL> or '
                'dcterms:bibliographicCitation "…" .'
            )
            findings.append(_finding(quote, message, RULE_UNDESCRIBED, "Violation"))
    return findings


def unverified_quotes(graph: Graph) -> list[Quote]:
    """The quotes of ``graph`` whose document has no text in the repository.

    Used to mark a stored contribution "quote not verified" (its JSON and its page).
    """
    return [q for q in quotes_in(graph) if documents.document(str(q.source)) is None]


def _described(gate: GateInput, document: Node) -> bool:
    """True when ``document`` has a label and a URL or bibliographic reference."""
    if not isinstance(document, URIRef):
        return _described_in(gate.submission, document)
    if _described_in(gate.submission, document) or _described_in(gate.context, document):
        return True
    store = gate.store
    if store is None:
        return False
    labels = " ".join(f"<{p}>" for p in LABEL_PROPERTIES)
    references = " ".join(f"<{p}>" for p in REFERENCE_PROPERTIES)
    iri = str(ox.NamedNode(str(document)))
    query = f"""ASK {{
  VALUES ?label {{ {labels} }} VALUES ?reference {{ {references} }}
  {iri} ?label ?l ; ?reference ?r .
}}"""
    return bool(store.query(query))


def _described_in(graph: Graph, document: Node) -> bool:
    has_label = any((document, p, None) in graph for p in LABEL_PROPERTIES)
    has_reference = any((document, p, None) in graph for p in REFERENCE_PROPERTIES)
    return has_label and has_reference


def _finding(quote: Quote, message: str, rule: str, severity: Severity) -> Finding:
    return Finding(quote.about, message, rule, severity, path=quote.path, value=quote.words)
