"""Reading RDF files safely, with errors a person can act on.

One job: turn bytes in one of the supported syntaxes into an rdflib graph, or
raise :class:`RDFInputError` (missing file, unknown extension),
:class:`RDFSyntaxError` (with file, line and column) or :class:`RDFTooLarge`
(over a :class:`ParseLimits` limit). Parsing never reaches the network or the
local file system: JSON-LD remote contexts are refused, and RDF/XML with a DTD,
entity declarations or external references is refused before rdflib sees it.
Text that is not UTF-8, structures nested deeper than a parser can follow and
IRIs that no store would accept are refused with a message, never a traceback.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import cast
from xml.sax import SAXParseException

import defusedxml.ElementTree
import pyoxigraph as ox
from defusedxml import DefusedXmlException, DTDForbidden, EntitiesForbidden
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.exceptions import ParserError
from rdflib.plugins.parsers.notation3 import BadSyntax
from rdflib.term import Identifier, Node

from sdkg import formats

# File extension -> rdflib parser name (sdkg.formats). Quad formats are read into a
# Dataset and flattened: SHACL validates one data graph.
FORMAT_BY_EXTENSION = {ext: f.rdflib for ext, f in formats.rdf_files().items() if f.rdflib}
QUAD_FORMATS = frozenset(f.rdflib for f in formats.offered("dataset") if f.rdflib)
LINE_BASED_FORMATS = frozenset({"nt", "nquads"})

#: Media type -> rdflib parser name, for RDF sent over HTTP (triple formats only:
#: a contribution is one graph, so TriG and N-Quads are not accepted there).
FORMAT_BY_MEDIA_TYPE = {mt: f.rdflib for mt, f in formats.rdf_bodies("graph").items() if f.rdflib}

#: JSON-LD nested deeper than this is refused (real documents nest a few levels;
#: rdflib's JSON-LD parser recurses and would give up near 1000).
MAX_JSON_DEPTH = 100

# An absolute IRI without the characters RFC 3987 forbids; rdflib accepts such
# IRIs with a warning, but they cannot be stored or written back as RDF.
_VALID_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\x00-\x20<>\"{}|^`\\]*$")
_BYTE_ORDER_MARKS = {
    b"\xff\xfe\x00\x00": "UTF-32",
    b"\x00\x00\xfe\xff": "UTF-32",
    b"\xff\xfe": "UTF-16",
    b"\xfe\xff": "UTF-16",
}
_UTF8_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class ParseLimits:
    """Limits for input from strangers (HTTP); ``None`` means no limit (local files).

    Each bounds a cost of parsing and validating: bytes and triples the work itself,
    prefix declarations the parser's namespace handling (thousands of them once cost
    a minute of CPU), nesting the parsers' recursion.
    """

    max_bytes: int | None = None
    max_triples: int | None = None
    max_literal_length: int | None = None
    max_prefixes: int | None = None
    max_depth: int | None = None


class RDFInputError(Exception):
    """An RDF input that cannot be read: missing, unknown kind, or malformed."""

    def __init__(self, file: str, message: str) -> None:
        super().__init__(f"{file}: {message}")
        self.file = file
        self.message = message


class RDFTooLarge(RDFInputError):
    """An input over one of the :class:`ParseLimits` (HTTP 413)."""


class RDFSyntaxError(RDFInputError):
    """A parse error, located at ``line`` and ``column`` (both 1-based) when known."""

    def __init__(self, file: str, message: str, line: int | None, column: int | None) -> None:
        super().__init__(file, message)
        self.line = line
        self.column = column
        where = ":".join(str(n) for n in (line, column) if n is not None)
        self.args = (f"{file}:{where}: {message}" if where else f"{file}: {message}",)


def format_for(path: Path) -> str:
    """The rdflib parser name for ``path``'s extension, or raise :class:`RDFInputError`."""
    fmt = FORMAT_BY_EXTENSION.get(path.suffix.lower())
    if fmt is None:
        known = " ".join(sorted(FORMAT_BY_EXTENSION))
        raise RDFInputError(str(path), f"unknown RDF file extension (known: {known})")
    return fmt


def find_rdf_files(paths: Iterable[Path]) -> list[Path]:
    """Expand folders recursively to the files with a known extension, in sorted order.

    A path named explicitly must exist and have a known extension; inside a
    folder, files of other kinds (README.md, ...) are skipped.
    """
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                sorted(
                    p
                    for p in path.rglob("*")
                    if p.is_file() and p.suffix.lower() in FORMAT_BY_EXTENSION
                )
            )
        elif path.is_file():
            format_for(path)
            found.append(path)
        else:
            raise RDFInputError(str(path), "no such file or folder")
    return found


def read_rdf_file(path: Path, *, name: str | None = None) -> Graph:
    """Parse one file (format by extension) into a new graph; relative IRIs resolve
    against the file's ``file:`` URI. ``name`` is how errors refer to the file."""
    label = name or str(path)
    fmt = format_for(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RDFInputError(label, exc.strerror or str(exc)) from exc
    return parse_rdf(data, fmt, name=label, base=path.resolve().as_uri())


def parse_rdf(
    data: bytes,
    fmt: str,
    *,
    name: str,
    base: str | None = None,
    limits: ParseLimits | None = None,
) -> Graph:
    """Parse ``data`` in rdflib format ``fmt`` into a new graph (quads flattened).

    Raises :class:`RDFSyntaxError` naming ``name`` with the position of the error,
    and :class:`RDFTooLarge` when ``data`` is over one of ``limits``.
    """
    limits = limits or ParseLimits()
    if limits.max_bytes is not None and len(data) > limits.max_bytes:
        raise RDFTooLarge(
            name, f"{len(data)} bytes is more than the limit of {limits.max_bytes} bytes"
        )
    if fmt != "xml":  # XML declares its own encoding, and expat reads it
        data = _utf8_text(data, name)
    if fmt == "json-ld":
        _refuse_remote_contexts(data, name, limits)
    elif fmt == "xml":
        _refuse_xml_entities(data, name, limits)
    else:
        _check_turtle_shape(data, name, limits)
    # Only the file's own prefixes, so that line finding sees what the file says.
    target = Dataset() if fmt in QUAD_FORMATS else Graph(bind_namespaces="none")
    try:
        target.parse(data=data, format=fmt, publicID=base)
    except Exception as exc:  # rdflib's parsers raise many unrelated types
        raise _located_error(exc, data, fmt, name) from exc
    if isinstance(target, Dataset):  # a quad format
        graph = Graph(bind_namespaces="none")
        for prefix, namespace in target.namespaces():
            graph.bind(prefix, namespace, override=False)
        for s, p, o, _ in target.quads((None, None, None, None)):
            graph.add((s, p, o))
    else:
        graph = target
    check_terms(graph, name, limits)
    return graph


def sorted_terms(nodes: Iterable[Node]) -> list[Identifier]:
    """``nodes`` in rdflib's order of terms (blank nodes, IRIs, literals; then by value).

    Every node of a graph is an :class:`~rdflib.term.Identifier`; rdflib's ``Node``, which
    also stands for formulae, has no order of its own.
    """
    return sorted(cast(Iterable[Identifier], nodes))


def check_terms(graph: Graph, name: str, limits: ParseLimits) -> None:
    """Refuse what parsed but cannot be stored or is over a limit: too many triples,
    an overlong literal, an IRI with forbidden characters or without a scheme."""
    if limits.max_triples is not None and len(graph) > limits.max_triples:
        raise RDFTooLarge(
            name,
            f"{len(graph)} triples is more than the limit of {limits.max_triples} triples "
            "(--max-contribution-triples, SDKG_MAX_CONTRIBUTION_TRIPLES); split it into "
            f"contributions of at most {limits.max_triples} triples, each entity with all "
            "its statements",
        )
    longest = limits.max_literal_length
    checked: set[URIRef] = set()
    for triple in graph:
        for term in triple:
            if isinstance(term, Literal):
                if longest is not None and len(term) > longest:
                    raise RDFTooLarge(
                        name,
                        f"a literal of {len(term)} characters (starting {str(term)[:40]!r}) is "
                        f"longer than the limit of {longest} characters",
                    )
                iri: Node | None = term.datatype
            else:
                iri = term
            if isinstance(iri, URIRef) and iri not in checked:
                if not _VALID_IRI.match(iri):
                    raise RDFSyntaxError(
                        name,
                        f"<{iri}> is not a valid absolute IRI (a scheme such as https: and no "
                        "spaces, quotes, <, >, {, }, |, ^, ` or backslashes)",
                        None,
                        None,
                    )
                try:  # the store's own rules (e.g. no [ ] outside an IPv6 host)
                    ox.NamedNode(iri)
                except ValueError as error:
                    raise RDFSyntaxError(
                        name, f"<{iri}> is not a valid IRI: {error}", None, None
                    ) from None
                checked.add(iri)


def _utf8_text(data: bytes, name: str) -> bytes:
    """``data`` without a UTF-8 byte-order mark; anything else that is not UTF-8
    is refused with the position of the first bad byte."""
    if data.startswith(_UTF8_BOM):
        return data[len(_UTF8_BOM) :]
    for mark, encoding in _BYTE_ORDER_MARKS.items():
        if data.startswith(mark):
            raise RDFSyntaxError(
                name, f"the text is {encoding}, not UTF-8; send it encoded as UTF-8", 1, 1
            )
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise RDFSyntaxError(
            name,
            f"not UTF-8 text (byte 0x{data[exc.start]:02x}: {exc.reason}); "
            "send it encoded as UTF-8",
            line,
            column,
        ) from None
    return data


# Turtle / TriG / N-Triples: a prefix declaration, and the tokens that matter for nesting
# (strings, IRIs and comments are matched whole so brackets inside them do not count).
_PREFIX_DECLARATION = re.compile(rb"(?:@prefix|(?i:prefix))[ \t\r\n]+[^ \t\r\n:<>]*:[ \t\r\n]*<")
_NESTING_TOKEN = re.compile(
    rb'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    rb'|"(?:[^"\\\n\r]|\\.)*"|\'(?:[^\'\\\n\r]|\\.)*\'|<[^<>\s]*>|#[^\n\r]*|[\[\]()]',
    re.DOTALL,
)


def _too_many_prefixes(name: str, count: int, limit: int) -> RDFTooLarge:
    return RDFTooLarge(
        name,
        f"{count} prefix declarations is more than the limit of {limit} "
        "(--max-contribution-prefixes, SDKG_MAX_CONTRIBUTION_PREFIXES); declare only the "
        "prefixes the data uses, or split it into several contributions",
    )


def _too_deeply_nested(name: str, limit: int) -> RDFSyntaxError:
    return RDFSyntaxError(
        name,
        f"the data is nested too deeply for the parser: more than {limit} levels of blank "
        "nodes, lists or elements (--max-nesting-depth, SDKG_MAX_NESTING_DEPTH); give the "
        "inner nodes names (IRIs) and describe each on its own",
        None,
        None,
    )


def _check_turtle_shape(data: bytes, name: str, limits: ParseLimits) -> None:
    """Prefix declarations and bracket nesting of Turtle-like text, in one linear pass."""
    if limits.max_prefixes is not None:
        count = len(_PREFIX_DECLARATION.findall(data))
        if count > limits.max_prefixes:
            raise _too_many_prefixes(name, count, limits.max_prefixes)
    if limits.max_depth is not None and (b"[" in data or b"(" in data):
        depth = 0
        for match in _NESTING_TOKEN.finditer(data):
            token = match[0]
            if token in (b"[", b"("):
                depth += 1
                if depth > limits.max_depth:
                    raise _too_deeply_nested(name, limits.max_depth)
            elif token in (b"]", b")"):
                depth = max(depth - 1, 0)


def _refuse_remote_contexts(data: bytes, name: str, limits: ParseLimits | None = None) -> None:
    """JSON-LD may name a context by URL; resolving it would fetch from the network."""
    try:
        document = json.loads(data)
    except json.JSONDecodeError as exc:
        raise RDFSyntaxError(name, exc.msg, exc.lineno, exc.colno) from exc
    except UnicodeDecodeError as exc:
        raise RDFSyntaxError(name, f"not UTF-8 text ({exc.reason})", None, None) from exc
    except RecursionError:
        raise _too_deep(name) from None
    max_depth = MAX_JSON_DEPTH
    if limits is not None and limits.max_depth is not None:
        # A node nested in JSON-LD takes up to two JSON levels (an array and an object).
        max_depth = min(max_depth, 2 * limits.max_depth)
    max_prefixes = None if limits is None else limits.max_prefixes
    terms = 0
    stack = [(document, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > max_depth:
            raise _too_deep(name, max_depth)
        if isinstance(node, list):
            stack.extend((item, depth + 1) for item in node)
        elif isinstance(node, dict):
            for key, value in node.items():
                if key == "@context" and max_prefixes is not None:
                    # Each term a context defines is a prefix declaration's cost.
                    contexts = value if isinstance(value, list) else [value]
                    terms += sum(len(c) for c in contexts if isinstance(c, dict))
                    if terms > max_prefixes:
                        raise _too_many_prefixes(name, terms, max_prefixes)
                contexts = value if isinstance(value, list) else [value]
                if key in ("@context", "@import") and any(isinstance(c, str) for c in contexts):
                    raise RDFSyntaxError(
                        name,
                        "remote JSON-LD contexts are not fetched; put the context inline",
                        None,
                        None,
                    )
                stack.append((value, depth + 1))


def _too_deep(name: str, limit: int = MAX_JSON_DEPTH) -> RDFSyntaxError:
    return RDFSyntaxError(
        name,
        f"the document is nested too deeply (more than {limit} levels); "
        "flatten it, e.g. with @graph and @id references (--max-nesting-depth)",
        None,
        None,
    )


def _refuse_xml_entities(data: bytes, name: str, limits: ParseLimits | None = None) -> None:
    """A DTD, entity declarations and external references could read files, fetch
    from the network or explode in size: refused before rdflib's parser runs. Also
    checks the prefix (``xmlns:``) and element nesting limits."""
    limits = limits or ParseLimits()
    if limits.max_prefixes is not None:
        count = data.count(b"xmlns:")
        if count > limits.max_prefixes:
            raise _too_many_prefixes(name, count, limits.max_prefixes)
    try:
        root = defusedxml.ElementTree.fromstring(
            data, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
        if limits.max_depth is not None:
            stack = [(root, 1)]
            while stack:
                element, depth = stack.pop()
                if depth > limits.max_depth:
                    raise _too_deeply_nested(name, limits.max_depth)
                stack.extend((child, depth + 1) for child in element)
    except DefusedXmlException as exc:
        if isinstance(exc, DTDForbidden):
            why = "remove the <!DOCTYPE> declaration (no DTD is read)"
        elif isinstance(exc, EntitiesForbidden):
            why = f"entity {exc.name!r} is declared; write its text out instead"
        else:
            why = str(exc)
        raise RDFSyntaxError(
            name, f"XML entity declarations and external references are refused: {why}", None, None
        ) from exc
    except defusedxml.ElementTree.ParseError as exc:
        line, column = exc.position
        message = str(exc).split(":")[0]
        raise RDFSyntaxError(name, message, line, column + 1) from exc


# rdflib's RDF/XML handler reports "<systemId>:<line>:<column>: <message>".
_XML_LOCATED = re.compile(r"^.*?:(\d+):(\d+): (.*)$", re.DOTALL)
# rdflib's N-Triples/N-Quads parser ends its message with the unparsed rest of the line.
_NT_REST = re.compile(r"(?:Invalid line: |\bat )(.*?)\)?(?::\n.*)?$", re.DOTALL)


def _located_error(exc: Exception, data: bytes, fmt: str, name: str) -> RDFSyntaxError:
    """Turn whatever rdflib raised into an :class:`RDFSyntaxError` with a position."""
    if isinstance(exc, BadSyntax):
        # Turtle/TriG: the exception keeps the whole text and the character offset.
        # A negative offset means "at the end": point just after the last content.
        text: bytes = exc._str
        offset = exc._i if 0 <= exc._i <= len(text) else len(text.rstrip())
        line = text.count(b"\n", 0, offset) + 1
        column = offset - (text.rfind(b"\n", 0, offset) + 1) + 1
        return RDFSyntaxError(name, exc._why, line, column)
    if isinstance(exc, SAXParseException):
        # expat counts columns from 0.
        sax_column = exc.getColumnNumber()
        column_number = None if sax_column is None else sax_column + 1
        return RDFSyntaxError(name, exc.getMessage(), exc.getLineNumber(), column_number)
    if isinstance(exc, json.JSONDecodeError):
        return RDFSyntaxError(name, exc.msg, exc.lineno, exc.colno)
    if fmt == "xml" and (match := _XML_LOCATED.match(str(exc))):
        return RDFSyntaxError(name, match[3], int(match[1]), int(match[2]) + 1)
    if isinstance(exc, ParserError) and fmt in LINE_BASED_FORMATS:
        return _locate_line_error(exc, data, fmt, name)
    if isinstance(exc, UnicodeDecodeError):
        return RDFSyntaxError(name, f"not UTF-8 text ({exc.reason})", None, None)
    if isinstance(exc, RecursionError):
        return RDFSyntaxError(
            name,
            "the document is nested too deeply for the parser (blank nodes or lists inside "
            "each other); flatten it with named nodes",
            None,
            None,
        )
    return RDFSyntaxError(name, str(exc) or type(exc).__name__, None, None)


def _locate_line_error(exc: ParserError, data: bytes, fmt: str, name: str) -> RDFSyntaxError:
    """N-Triples and N-Quads hold one statement per line: the first line that does
    not parse on its own is the one rdflib stopped at."""
    match = _NT_REST.search(str(exc))
    rest = match[1].strip() if match else ""
    message = f"cannot parse the statement from here: {rest}" if rest else str(exc)
    for number, raw in enumerate(data.split(b"\n"), start=1):
        try:
            Dataset().parse(data=raw + b"\n", format=fmt)
        except Exception:
            text = raw.decode("utf-8", "replace")
            column = text.rindex(rest) + 1 if rest and rest in text else 1
            return RDFSyntaxError(name, message, number, column)
    return RDFSyntaxError(name, message, None, None)
