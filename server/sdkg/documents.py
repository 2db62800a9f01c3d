"""The texts of the documents the data cites, and finding a quoted passage in them.

``data/documents/manifest.toml`` ties each text file under ``data/documents/`` to
the IRI of the document it is (the essay, the reference notes and table, the ROR
records). These files are not RDF: the store loads only RDF files, so they are
never loaded as graphs. :func:`find_passage` says whether a quote occurs in a
text once whitespace, quotation marks and dashes are normalised, and otherwise
which passage comes closest.
"""

from __future__ import annotations

import difflib
import functools
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from sdkg import resources

MANIFEST = "manifest.toml"

# Typographic variants -> the plain ASCII character a person would type.
_QUOTE_CHARS = {
    **dict.fromkeys("“”„‟«»″〝〞＂", '"'),
    **dict.fromkeys("‘’‚‛‹›′＇`", "'"),
    **dict.fromkeys("‐‑‒–—―−﹘﹣－", "-"),
}
_TRANSLATE = str.maketrans(_QUOTE_CHARS)
_SPACES = re.compile(r"\s+")
# Where a closest passage may start and end: sentence ends and line breaks.
_PASSAGE_BREAKS = re.compile(r"(?<=[.!?;])\s+|\n+")


@dataclass(frozen=True)
class Document:
    """One document with a text in the repository."""

    iri: str
    path: Path
    licence: str

    @functools.cached_property
    def text(self) -> str:
        """The file's text (UTF-8)."""
        return self.path.read_text("utf-8")

    @functools.cached_property
    def normalised(self) -> str:
        """The text with whitespace, quotation marks and dashes normalised."""
        return normalise(self.text)


def normalise(text: str) -> str:
    """``text`` with Unicode compatibility forms folded (NFKC), curly quotes and
    dashes made plain, and every run of whitespace made one space."""
    text = unicodedata.normalize("NFKC", text).translate(_TRANSLATE)
    return _SPACES.sub(" ", text).strip()


def documents_folder() -> Path:
    """``data/documents/`` of the bundled data."""
    return resources.bundled_path("data") / "documents"


@functools.cache
def known_documents() -> dict[str, Document]:
    """The documents of the manifest, by IRI (read once per process)."""
    folder = documents_folder()
    manifest = tomllib.loads((folder / MANIFEST).read_text("utf-8"))
    found: dict[str, Document] = {}
    for entry in manifest.get("document", []):
        path = folder / entry["file"]
        found[entry["iri"]] = Document(entry["iri"], path, entry.get("licence", ""))
    return found


def document(iri: str) -> Document | None:
    """The document with IRI ``iri``, or None when the repository has no text for it."""
    return known_documents().get(str(iri))


@dataclass(frozen=True)
class Passage:
    """Where a quote was looked for: found, or the closest passage and how close (0..1)."""

    found: bool
    closest: str
    similarity: float


def find_passage(quote: str, doc: Document) -> Passage:
    """Whether ``quote`` occurs in ``doc`` (normalised); if not, the closest passage."""
    wanted = normalise(quote)
    if wanted and wanted in doc.normalised:
        return Passage(True, wanted, 1.0)
    return Passage(False, *_closest(wanted, doc.text))


def _closest(wanted: str, text: str) -> tuple[str, float]:
    """The run of consecutive sentences/lines of ``text`` most like ``wanted``."""
    pieces = [normalise(p) for p in _PASSAGE_BREAKS.split(text)]
    pieces = [p for p in pieces if p]
    best, best_ratio = "", 0.0
    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(wanted)
    for start in range(len(pieces)):
        candidate = ""
        for end in range(start, min(start + 4, len(pieces))):
            candidate = f"{candidate} {pieces[end]}".strip()
            matcher.set_seq1(candidate)
            if matcher.real_quick_ratio() <= best_ratio or matcher.quick_ratio() <= best_ratio:
                if len(candidate) > 2 * len(wanted):
                    break
                continue
            ratio = matcher.ratio()
            if ratio > best_ratio:
                best, best_ratio = candidate, ratio
            if len(candidate) > 2 * len(wanted):
                break
    return best, best_ratio
