"""Reading RDF files safely, with errors a person can act on.

One job: turn bytes in one of the supported syntaxes into an rdflib graph, or
raise :class:`RDFInputError` (missing file, unknown extension) or
:class:`RDFSyntaxError` (with file, line and column). Parsing never reaches the
network or the local file system: JSON-LD remote contexts are refused, and
RDF/XML with entity declarations or external references is refused before
rdflib sees it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path
from xml.sax import SAXParseException

import defusedxml.ElementTree
from defusedxml import DefusedXmlException
from rdflib import Dataset, Graph
from rdflib.exceptions import ParserError
from rdflib.plugins.parsers.notation3 import BadSyntax

# File extension -> rdflib parser name. Quad formats are read into a Dataset and
# flattened: SHACL validates one data graph.
FORMAT_BY_EXTENSION = {
    ".ttl": "turtle",
    ".nt": "nt",
    ".jsonld": "json-ld",
    ".rdf": "xml",
    ".owl": "xml",
    ".trig": "trig",
    ".nq": "nquads",
}
QUAD_FORMATS = frozenset({"trig", "nquads"})
LINE_BASED_FORMATS = frozenset({"nt", "nquads"})


class RDFInputError(Exception):
    """An RDF input that cannot be read: missing, unknown kind, or malformed."""

    def __init__(self, file: str, message: str) -> None:
        super().__init__(f"{file}: {message}")
        self.file = file
        self.message = message


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


def parse_rdf(data: bytes, fmt: str, *, name: str, base: str | None = None) -> Graph:
    """Parse ``data`` in rdflib format ``fmt`` into a new graph (quads flattened).

    Raises :class:`RDFSyntaxError` naming ``name`` with the position of the error.
    """
    if fmt == "json-ld":
        _refuse_remote_contexts(data, name)
    elif fmt == "xml":
        _refuse_xml_entities(data, name)
    # Only the file's own prefixes, so that line finding sees what the file says.
    target = Dataset() if fmt in QUAD_FORMATS else Graph(bind_namespaces="none")
    try:
        target.parse(data=data, format=fmt, publicID=base)
    except Exception as exc:  # rdflib's parsers raise many unrelated types
        raise _located_error(exc, data, fmt, name) from exc
    if fmt not in QUAD_FORMATS:
        return target
    graph = Graph(bind_namespaces="none")
    for prefix, namespace in target.namespaces():
        graph.bind(prefix, namespace, override=False)
    for s, p, o, _ in target.quads((None, None, None, None)):
        graph.add((s, p, o))
    return graph


def _refuse_remote_contexts(data: bytes, name: str) -> None:
    """JSON-LD may name a context by URL; resolving it would fetch from the network."""
    try:
        document = json.loads(data)
    except json.JSONDecodeError as exc:
        raise RDFSyntaxError(name, exc.msg, exc.lineno, exc.colno) from exc
    except UnicodeDecodeError as exc:
        raise RDFSyntaxError(name, f"not UTF-8 text ({exc.reason})", None, None) from exc
    stack = [document]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            for key, value in node.items():
                contexts = value if isinstance(value, list) else [value]
                if key in ("@context", "@import") and any(isinstance(c, str) for c in contexts):
                    raise RDFSyntaxError(
                        name,
                        "remote JSON-LD contexts are not fetched; put the context inline",
                        None,
                        None,
                    )
                stack.append(value)


def _refuse_xml_entities(data: bytes, name: str) -> None:
    """Entity declarations and external references could read files or explode in size."""
    try:
        defusedxml.ElementTree.fromstring(
            data, forbid_dtd=False, forbid_entities=True, forbid_external=True
        )
    except DefusedXmlException as exc:
        raise RDFSyntaxError(
            name, f"XML entity declarations and external references are refused ({exc})", None, None
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
        line, column = exc.getLineNumber(), exc.getColumnNumber() + 1
        return RDFSyntaxError(name, exc.getMessage(), line, column)
    if isinstance(exc, json.JSONDecodeError):
        return RDFSyntaxError(name, exc.msg, exc.lineno, exc.colno)
    if fmt == "xml" and (match := _XML_LOCATED.match(str(exc))):
        return RDFSyntaxError(name, match[3], int(match[1]), int(match[2]) + 1)
    if isinstance(exc, ParserError) and fmt in LINE_BASED_FORMATS:
        return _locate_line_error(exc, data, fmt, name)
    if isinstance(exc, UnicodeDecodeError):
        return RDFSyntaxError(name, f"not UTF-8 text ({exc.reason})", None, None)
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
