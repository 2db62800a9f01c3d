"""Writing an answer as negotiated: what pyoxigraph's writers leave to the caller.

pyoxigraph writes every format (see :func:`sdkg.protocol.serialize_result`); this module
applies the media-type parameters a client asked for (:class:`sdkg.negotiation.Choice`):
CSV without its header line, and JSON-LD compacted with a ``@context`` of the project's
prefixes (rdflib's JSON-LD writer) instead of pyoxigraph's expanded, flattened form. It
also writes rdflib graphs (the descriptions and the ontology) in any negotiated format.
"""

from __future__ import annotations

import json

from rdflib import Graph

from sdkg import namespaces
from sdkg.negotiation import Choice


def finish(body: bytes, choice: Choice, *, compact_by_default: bool = False) -> tuple[bytes, str]:
    """``body`` as written by pyoxigraph in ``choice``'s format, with its parameters applied.

    Returns the final bytes and the ``Content-Type``. JSON-LD is compacted when the client
    asked for the compacted profile, or by default when ``compact_by_default``.
    """
    if choice.csv_header == "absent":
        body = body.split(b"\n", 1)[1] if b"\n" in body else b""
    if choice.format.name == "jsonld":
        form = choice.jsonld_form or ("compacted" if compact_by_default else "expanded")
        if form == "compacted":
            graph = Graph(bind_namespaces="none").parse(data=body, format="json-ld")
            return compacted_jsonld(graph), choice.content_type(form)
        return body, choice.content_type(form)
    return body, choice.content_type()


def write_graph(graph: Graph, choice: Choice) -> tuple[bytes, str]:
    """An rdflib ``graph`` in ``choice``'s graph format (JSON-LD compacted unless asked
    otherwise), with the ``Content-Type`` to send."""
    if choice.format.name == "jsonld":
        form = choice.jsonld_form or "compacted"
        if form == "compacted":
            return compacted_jsonld(graph), choice.content_type(form)
        return graph.serialize(format="json-ld", encoding="utf-8"), choice.content_type(form)
    rdflib_name = choice.format.rdflib
    assert rdflib_name is not None, f"{choice.format.name} is not an RDF format"
    return graph.serialize(format=rdflib_name, encoding="utf-8"), choice.content_type()


def compacted_jsonld(graph: Graph) -> bytes:
    """``graph`` as compacted JSON-LD whose ``@context`` maps the project's prefixes, and
    then those the graph binds itself (``sd:``, ``void:``), that the graph uses (JSON-LD
    1.1 compaction by rdflib)."""
    used = {str(term) for triple in graph for term in triple}
    known = dict(namespaces.CORE_PREFIXES)
    for prefix, namespace in graph.namespaces():
        if prefix and prefix not in known and str(namespace) not in known.values():
            known[prefix] = str(namespace)
    context = {
        prefix: namespace
        for prefix, namespace in known.items()
        if any(iri.startswith(namespace) for iri in used)
    }
    for term in graph.objects():
        datatype = getattr(term, "datatype", None)
        if datatype is not None and str(datatype).startswith(namespaces.CORE_PREFIXES["xsd"]):
            context.setdefault("xsd", namespaces.CORE_PREFIXES["xsd"])
    text = graph.serialize(format="json-ld", context=context, auto_compact=True)
    # An empty graph is written as the bare context; keep it a document with a graph.
    document = json.loads(text)
    if isinstance(document, dict) and set(document) == {"@context"}:
        document["@graph"] = []
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")
