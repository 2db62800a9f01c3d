"""The one table of formats sdkg reads and writes: results, graphs, datasets and HTML.

Each :class:`Format` is built on pyoxigraph's own format metadata (media type, file
extension, W3C format IRI, label) and adds what pyoxigraph does not know: the short
``format=`` names and aliases that clients and other servers use (Virtuoso, Fuseki,
SPARQLWrapper, rdflib), the other media types seen in the wild, and rdflib's parser and
serializer name. Negotiation (:mod:`sdkg.negotiation`), the dump, the file loaders, the
CLI and the Service Description all read this table, so a format is declared once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import pyoxigraph as ox

#: ``boolean`` is the result of ASK: SPARQL JSON and XML only, since the CSV and TSV
#: results formats are defined for SELECT alone.
Kind = Literal["solutions", "boolean", "graph", "dataset", "html"]
KINDS: tuple[Kind, ...] = ("solutions", "boolean", "graph", "dataset", "html")
BOOLEAN_FORMATS = ("json", "xml")


@dataclass(frozen=True)
class Format:
    """One serialization format and every name it goes by."""

    #: The canonical short name: the value of ``format=`` and of ``sdkg query --format``.
    name: str
    #: ``solutions`` (SELECT / ASK results), ``graph`` (triples), ``dataset`` (quads), ``html``.
    kind: Kind
    #: pyoxigraph's format, the source of the media type, extension, IRI and label.
    oxigraph: ox.RdfFormat | ox.QueryResultsFormat | None
    #: rdflib's parser / serializer name, where rdflib reads or writes the format.
    rdflib: str | None = None
    #: Other ``format=`` / ``output=`` values meaning this format (lowercase).
    names: tuple[str, ...] = ()
    #: Other media types of exactly this format (older or unregistered names).
    media_types: tuple[str, ...] = ()
    #: Other file extensions (with the dot) read as this format.
    extensions: tuple[str, ...] = ()
    #: Broader media types this format answers for in negotiation but that do not say
    #: how to parse a body (``text/plain``, ``application/xml``, the N3 family).
    answers_for: tuple[str, ...] = ()
    #: The format's IRI where pyoxigraph's differs from the W3C registry of formats.
    registry_iri: str | None = None

    @property
    def media_type(self) -> str:
        """The registered media type, without parameters (``text/turtle``)."""
        if self.oxigraph is None:
            return "text/html"
        return self.oxigraph.media_type.split(";")[0].strip()

    @property
    def rdf_format(self) -> ox.RdfFormat:
        """pyoxigraph's format of a graph or dataset format; TypeError for the others."""
        if not isinstance(self.oxigraph, ox.RdfFormat):
            raise TypeError(f"{self.name} is not an RDF format")
        return self.oxigraph

    @property
    def results_format(self) -> ox.QueryResultsFormat:
        """pyoxigraph's format of a query results format; TypeError for the others."""
        if not isinstance(self.oxigraph, ox.QueryResultsFormat):
            raise TypeError(f"{self.name} is not a query results format")
        return self.oxigraph

    @property
    def label(self) -> str:
        """A readable name for messages: ``Turtle``, ``SPARQL Results in JSON``."""
        return self.oxigraph.name if self.oxigraph is not None else "HTML"

    @property
    def extension(self) -> str:
        """The usual file extension, with the dot (``.ttl``)."""
        return "." + self.oxigraph.file_extension if self.oxigraph is not None else ".html"

    @property
    def iri(self) -> str | None:
        """The format's IRI under http://www.w3.org/ns/formats/ (Service Description)."""
        if self.registry_iri is not None:
            return self.registry_iri
        return self.oxigraph.iri if self.oxigraph is not None else None

    @property
    def all_names(self) -> tuple[str, ...]:
        """The canonical name first, then the aliases."""
        return (self.name, *self.names)

    @property
    def exact_media_types(self) -> tuple[str, ...]:
        """The media types naming exactly this format (to read a body sent as one)."""
        return (self.media_type, *self.media_types)

    @property
    def all_media_types(self) -> tuple[str, ...]:
        """Every media type this format answers for in negotiation, registered first."""
        return (self.media_type, *self.media_types, *self.answers_for)

    @property
    def all_extensions(self) -> tuple[str, ...]:
        """The usual file extension first, then the others."""
        return (self.extension, *self.extensions)

    @property
    def textual(self) -> bool:
        """True for text formats, which are always written as UTF-8."""
        media_type = self.media_type
        return media_type.startswith("text/") or media_type.endswith(("json", "xml"))

    def content_type(self, **parameters: str) -> str:
        """The ``Content-Type`` value: media type, UTF-8 for text, then ``parameters``."""
        parts = [self.media_type]
        if self.textual:
            parts.append("charset=utf-8")
        parts += [f"{key}={value}" for key, value in parameters.items()]
        return "; ".join(parts)


R, Q = ox.RdfFormat, ox.QueryResultsFormat

#: Every format, each kind's default first.
FORMATS: tuple[Format, ...] = (
    # SELECT and ASK results.
    Format("json", "solutions", Q.JSON, "json", ("srj",), ("application/json",)),
    Format("xml", "solutions", Q.XML, "xml", ("srx",), ("application/xml", "text/xml")),
    Format("csv", "solutions", Q.CSV, "csv"),
    Format("tsv", "solutions", Q.TSV, "tsv", ("tab-separated-values",)),
    # Graphs: CONSTRUCT and DESCRIBE results, entity pages, the ontology, descriptions.
    # Turtle answers for N3 too: an N3 parser reads Turtle (SPARQLWrapper's format=n3).
    Format("turtle", "graph", R.TURTLE, "turtle", ("ttl", "n3"),
           ("application/x-turtle", "application/turtle"),
           answers_for=("text/n3", "text/rdf+n3", "application/n3")),
    Format("nt", "graph", R.N_TRIPLES, "nt", ("ntriples", "n-triples", "ntriple"),
           answers_for=("text/plain",)),
    # pyoxigraph names JSON-LD .../ns/formats/data/JSON-LD; https://www.w3.org/ns/formats/
    # (and so Service Description readers) say http://www.w3.org/ns/formats/JSON-LD.
    Format("jsonld", "graph", R.JSON_LD, "json-ld", ("json-ld", "json"),
           ("application/json", "application/x-json+ld"),
           registry_iri="http://www.w3.org/ns/formats/JSON-LD"),
    Format("rdfxml", "graph", R.RDF_XML, "xml", ("rdf+xml", "rdf", "xml", "rdf/xml", "owl"),
           extensions=(".owl",), answers_for=("application/xml", "text/xml")),
    # Datasets: the dump and data files with named graphs.
    Format("nq", "dataset", R.N_QUADS, "nquads", ("nquads", "n-quads"), ("text/x-nquads",)),
    Format("trig", "dataset", R.TRIG, "trig", (), ("application/x-trig",)),
    # Pages for people.
    Format("html", "html", None, None, (), ("application/xhtml+xml",)),
)  # fmt: skip

#: For a client that accepts only formats of another kind, the format of the kind at
#: hand it can most likely parse: the same syntax family (JSON, XML), or a line-based
#: one for line-based tables; a quad format reads its triple subset and back.
CLOSEST: dict[tuple[str, Kind], str] = {
    ("json", "graph"): "jsonld",
    ("xml", "graph"): "rdfxml",
    ("csv", "graph"): "nt",
    ("tsv", "graph"): "nt",
    ("nq", "graph"): "nt",
    ("trig", "graph"): "turtle",
    ("jsonld", "solutions"): "json",
    ("rdfxml", "solutions"): "xml",
    ("turtle", "solutions"): "tsv",
    ("nt", "solutions"): "tsv",
    ("nq", "solutions"): "tsv",
    ("trig", "solutions"): "tsv",
    # An ASK answer exists only in SPARQL JSON and XML.
    ("csv", "boolean"): "json",
    ("tsv", "boolean"): "json",
    ("jsonld", "boolean"): "json",
    ("rdfxml", "boolean"): "xml",
    ("nt", "dataset"): "nq",
    ("turtle", "dataset"): "trig",
}

_BY_NAME = {f.name: f for f in FORMATS}


def get(name: str) -> Format:
    """The format with canonical name ``name`` (``KeyError`` if none)."""
    return _BY_NAME[name]


def of_kind(kind: Kind) -> list[Format]:
    """The formats of ``kind``, the default first."""
    if kind == "boolean":
        return [_BY_NAME[name] for name in BOOLEAN_FORMATS]
    return [f for f in FORMATS if f.kind == kind]


def offered(kind: Kind, *, html: bool = False) -> list[Format]:
    """The formats of ``kind``, the default first, and HTML last when ``html``."""
    found = of_kind(kind)
    return [*found, _BY_NAME["html"]] if html and kind != "html" else found


def names(*kinds: Kind) -> list[str]:
    """The canonical names of the formats of ``kinds``, in table order."""
    return [f.name for f in FORMATS if f.kind in kinds]


def base_media_type(value: str) -> str:
    """``text/csv`` for ``Text/CSV; charset=utf-8``: the media type without parameters."""
    return value.split(";", 1)[0].strip().lower()


def by_name(value: str, kind: Kind | Iterable[Kind] | None = None) -> Format | None:
    """The format a ``format=`` value names, among ``kind`` (a kind or several; all if None).

    A value may be a short name or alias (``ttl``, ``rdf+xml``) or a media type (with or
    without parameters). Aliases depend on the kind: ``json`` is SPARQL JSON for results
    and JSON-LD for graphs, so the first kind given wins.
    """
    kinds = _kinds(kind)
    wanted = value.strip().lower()
    if "/" in wanted:
        return by_media_type(wanted, kinds)
    for k in kinds:
        for fmt in of_kind(k):
            if wanted in fmt.all_names:
                return fmt
    return None


def by_media_type(value: str, kind: Kind | Iterable[Kind] | None = None) -> Format | None:
    """The format of a media type (parameters ignored), among ``kind`` (all if None)."""
    wanted = base_media_type(value)
    for k in _kinds(kind):
        for fmt in of_kind(k):
            if wanted in fmt.all_media_types:
                return fmt
    return None


def by_extension(suffix: str, kind: Kind | Iterable[Kind] = ("graph", "dataset")) -> Format | None:
    """The RDF format of a file extension (``.ttl``, ``.OWL``; the dot is optional)."""
    wanted = "." + suffix.lower().lstrip(".")
    for k in _kinds(kind):
        for fmt in of_kind(k):
            if wanted in fmt.all_extensions:
                return fmt
    return None


def rdf_files() -> dict[str, Format]:
    """File extension (``.ttl``, lowercase, with the dot) -> RDF format, for the loaders."""
    return {e: f for f in FORMATS if f.kind in ("graph", "dataset") for e in f.all_extensions}


def rdf_bodies(kind: Kind = "graph") -> dict[str, Format]:
    """Media type -> format of ``kind``, for reading a body by its ``Content-Type``."""
    return {m: f for f in FORMATS if f.kind == kind for m in f.exact_media_types}


def closest(fmt: Format, kind: Kind) -> Format | None:
    """``fmt`` itself if it is of ``kind``, else the format of ``kind`` nearest to it."""
    if fmt in of_kind(kind):
        return fmt
    name = CLOSEST.get((fmt.name, kind))
    return _BY_NAME[name] if name else None


def _kinds(kind: Kind | Iterable[Kind] | None) -> tuple[Kind, ...]:
    if kind is None:
        return KINDS
    if isinstance(kind, str):
        return (kind,)
    return tuple(kind)
