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
    """The passage of ``text`` most like ``wanted``, and how similar it is (0..1).

    The passage is taken from the run of up to four consecutive sentences (or lines)
    that holds most of the quote's words, trimmed to the stretch that matches.
    """
    words = _WORDS.findall(wanted.lower())
    if not words:
        return "", 0.0
    pieces = [p for p in (normalise(x) for x in _PASSAGE_BREAKS.split(text)) if p]
    best, best_key = "", (0.0, 0)
    for start in range(len(pieces)):
        candidate = ""
        for end in range(start, min(start + 4, len(pieces))):
            candidate = f"{candidate} {pieces[end]}".strip()
            present = set(_WORDS.findall(candidate.lower()))
            key = (sum(w in present for w in words) / len(words), -len(candidate))
            if key > best_key:
                best, best_key = candidate, key
    if not best:
        return "", 0.0
    passage = _matching_stretch(best, wanted)
    return passage, difflib.SequenceMatcher(None, passage, wanted, autojunk=False).ratio()


_WORDS = re.compile(r"\w+")


def _matching_stretch(passage: str, wanted: str) -> str:
    """The part of ``passage`` from the first to the last stretch it shares with
    ``wanted``, widened to whole words."""
    matcher = difflib.SequenceMatcher(None, passage, wanted, autojunk=False)
    blocks = [b for b in matcher.get_matching_blocks() if b.size >= 3]
    if not blocks:
        return passage
    start, end = blocks[0].a, blocks[-1].a + blocks[-1].size
    if end - start > 2 * len(wanted):
        # Scattered matches: show a quote-sized stretch around the longest one.
        longest = max(blocks, key=lambda b: b.size)
        start = max(0, longest.a - (len(wanted) - longest.size) // 2)
        end = min(len(passage), start + len(wanted))
    while start > 0 and not passage[start - 1].isspace():
        start -= 1
    while end < len(passage) and not passage[end].isspace():
        end += 1
    return passage[start:end]
