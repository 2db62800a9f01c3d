"""Content negotiation: which format to answer in, from ``format=`` values and Accept.

Pure functions over :mod:`sdkg.formats`; the Accept header is parsed and matched by
werkzeug (:class:`~werkzeug.datastructures.MIMEAccept`, what Flask gives as
``request.accept_mimetypes``). The rules, in order:

1. A ``format`` / ``output`` / ``results`` parameter naming a format (a short name, an
   alias such as ``rdf+xml`` or ``n3``, or a media type) wins. An unknown value is
   passed over, so the Accept header decides (SPARQLWrapper and others send such
   values alongside a correct Accept header).
2. Otherwise the best Accept match among the formats of the result's kind; a tie goes
   to the first format offered, so ``*/*`` or no Accept gets the default.
3. A client that accepts only formats of the other kind (SELECT results for a graph
   query, as rdflib's SPARQLStore asks) gets the closest format of the right kind
   (JSON-LD for SPARQL JSON, RDF/XML for SPARQL XML, and back); ``Content-Type`` says
   what was sent.
4. Media-type parameters are understood where they mean something (``header`` of
   ``text/csv``, ``profile`` of ``application/ld+json``) and otherwise ignored, as
   RFC 9110 allows: ``text/turtle; charset=utf-8`` is Turtle. Only a header naming
   nothing of the kind, nor of the other kind, gets :class:`NotAcceptable` (406).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header, parse_options_header

from sdkg import formats
from sdkg.errors import HttpError
from sdkg.formats import Format, Kind

#: Request parameters naming the answer's format, as clients send them (SPARQLWrapper
#: sends all three; Virtuoso reads ``format``, Fuseki ``output``).
FORMAT_PARAMETERS = ("format", "output", "results")
JSONLD = "http://www.w3.org/ns/json-ld#"
JSONLD_FORMS = ("expanded", "compacted", "flattened")

#: For each kind, the kinds whose formats may stand in for it (rule 3).
_OTHER_KINDS: dict[str, tuple[Kind, ...]] = {
    "solutions": ("graph", "dataset"),
    "boolean": ("solutions", "graph"),
    "graph": ("solutions", "dataset"),
    "dataset": ("graph",),
    "html": (),
}


class NotAcceptable(HttpError):
    """Nothing the client accepts can be sent (HTTP 406); the message lists what can."""

    def __init__(self, message: str) -> None:
        super().__init__(406, message)


@dataclass(frozen=True)
class Choice:
    """The negotiated format and the media-type parameters understood for it."""

    format: Format
    #: ``compacted``, ``expanded`` or ``flattened`` when a JSON-LD profile was asked for.
    jsonld_form: str | None = None
    #: ``present`` or ``absent`` when a CSV ``header`` parameter was given.
    csv_header: str | None = None
    #: Parameters of the answer's Content-Type besides the charset.
    parameters: dict[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """The format's canonical name."""
        return self.format.name

    @property
    def kind(self) -> Kind:
        """The format's kind."""
        return self.format.kind

    def content_type(self, jsonld_form: str | None = None) -> str:
        """``Content-Type`` for the answer; ``jsonld_form`` is the JSON-LD shape sent."""
        parameters = dict(self.parameters)
        if self.csv_header:
            parameters["header"] = self.csv_header
        form = jsonld_form or self.jsonld_form
        if self.format.name == "jsonld" and form:
            parameters["profile"] = f'"{JSONLD}{form}"'
        return self.format.content_type(**parameters)


def format_values(values: Iterable[tuple[str, str]]) -> list[str]:
    """The values of the format parameters among ``(name, value)`` request parameters."""
    return [v for k, v in values if k in FORMAT_PARAMETERS and v.strip()]


def negotiate(
    accept: MIMEAccept | str | None,
    format_params: Sequence[str] = (),
    kind: Kind = "solutions",
    *,
    html: bool = False,
) -> Choice:
    """Choose the format of an answer of ``kind`` (see the module's rules).

    ``accept`` is the parsed Accept header (or its text; None or empty means anything),
    ``format_params`` the values of the format parameters in request order, ``html``
    whether an HTML page is on offer too. Given as text, the outcome is cached: clients
    send few distinct headers, and matching one costs more than the rest of a lookup.
    """
    if isinstance(accept, MIMEAccept):
        return _negotiate(accept, format_params, kind, html)
    text = accept or ""
    params = tuple(format_params)
    if len(text) + sum(map(len, params)) > _MAX_CACHED_KEY:
        return _negotiate(parse_accept_header(text, MIMEAccept), params, kind, html)
    outcome = _negotiate_text(text, params, kind, html)
    if isinstance(outcome, str):
        raise NotAcceptable(outcome)
    return outcome


# Longer headers (and format values) are matched each time: the cache stays small.
_MAX_CACHED_KEY = 1024


@functools.lru_cache(maxsize=512)
def _negotiate_text(
    accept: str, format_params: tuple[str, ...], kind: Kind, html: bool
) -> Choice | str:
    """:func:`negotiate` of a header's text: the choice, or the 406 message."""
    try:
        return _negotiate(parse_accept_header(accept, MIMEAccept), format_params, kind, html)
    except NotAcceptable as refused:
        return refused.message


def _negotiate(accept: MIMEAccept, format_params: Sequence[str], kind: Kind, html: bool) -> Choice:
    offers = formats.offered(kind, html=html)
    for value in format_params:
        chosen = _from_parameter(value, kind, html)
        if chosen is not None:
            return chosen
    if not accept:
        return Choice(offers[0])
    chosen = _best(accept, offers)
    if chosen is not None:
        return chosen
    for other in _OTHER_KINDS[kind]:
        candidates = [f for f in formats.offered(other) if formats.closest(f, kind)]
        found = _best(accept, candidates)
        if found is not None:
            stand_in = formats.closest(found.format, kind)
            assert stand_in is not None
            return _with_parameters(stand_in, _accept_parameters(accept, found.format))
    listing = ", ".join(f"{f.media_type} (format={f.name})" for f in offers)
    raise NotAcceptable(
        f"none of the media types in the Accept header is offered. Offered: {listing}"
    )


def by_name(name: str, kind: Kind) -> Choice:
    """The format called ``name`` (or an alias) for a result of ``kind``, for the CLI.

    Strict, unlike HTTP negotiation: a person who names a format of the other kind is
    told so. Raises :class:`NotAcceptable` listing the formats of ``kind``.
    """
    found = formats.by_name(name, kind)
    if found is None:
        names = ", ".join(f"{f.name} ({f.media_type})" for f in formats.offered(kind))
        what = {"solutions": "SELECT results", "boolean": "ASK results",
                "graph": "graphs"}.get(kind, kind)  # fmt: skip
        raise NotAcceptable(f"{name!r} is not a format for {what}; use one of: {names}")
    return Choice(found)


def _from_parameter(value: str, kind: Kind, html: bool) -> Choice | None:
    kinds: list[Kind] = [kind, *_OTHER_KINDS[kind]]
    if html:
        kinds.append("html")
    found = formats.by_name(value, kinds)
    if found is None:
        return None
    stand_in = found if found.kind == "html" else formats.closest(found, kind)
    if stand_in is None:
        return None
    _, parameters = parse_options_header(value) if "/" in value else ("", {})
    return _with_parameters(stand_in, parameters)


def _best(accept: MIMEAccept, offers: list[Format]) -> Choice | None:
    """The best match of ``accept`` among ``offers``, media-type parameters set aside."""
    # werkzeug matches parameters exactly (``text/turtle; charset=utf-8`` would not match
    # ``text/turtle``); the parameters are read separately, so match on the bare types.
    bare = MIMEAccept([(formats.base_media_type(value), q) for value, q in accept])
    # Registered media types first, so that ``text/*`` means text/csv, not text/xml.
    by_media_type = {fmt.media_type: fmt for fmt in offers}
    for fmt in offers:
        for media_type in fmt.all_media_types:
            by_media_type.setdefault(media_type, fmt)
    best = bare.best_match(list(by_media_type))
    if best is None:
        return None
    fmt = by_media_type[best]
    return _with_parameters(fmt, _accept_parameters(accept, fmt))


def _accept_parameters(accept: MIMEAccept, fmt: Format) -> dict[str, str]:
    """The parameters of the most preferred Accept entry naming ``fmt`` exactly."""
    entries = [
        (q, parse_options_header(value)) for value, q in accept if q > 0
    ]  # werkzeug keeps them sorted by preference
    for _, (media_type, parameters) in entries:
        if media_type.lower() in fmt.all_media_types:
            return parameters
    return {}


def _with_parameters(fmt: Format, parameters: dict[str, str]) -> Choice:
    """A :class:`Choice` of ``fmt`` with the parameters that mean something for it."""
    lowered = {k.lower(): v for k, v in parameters.items()}
    if fmt.name == "csv" and lowered.get("header", "").lower() in ("present", "absent"):
        return Choice(fmt, csv_header=lowered["header"].lower())
    if fmt.name == "jsonld" and "profile" in lowered:
        # A profile may list several IRIs; the first of the three forms named wins.
        for iri in lowered["profile"].split():
            form = iri.removeprefix(JSONLD)
            if iri.startswith(JSONLD) and form in JSONLD_FORMS:
                return Choice(fmt, jsonld_form=form)
    return Choice(fmt)
