"""The name index: every name the data gives an entity, and ranked, typo-tolerant look-up.

One index serves the site search (``/search`` and the header's autocomplete), the
reconciliation service (``/reconcile``) and the CSV intake (a row naming "Chinese
Academy of Sciences" adds to ``id:cas``): one way to find a thing by its name.

What is indexed: every literal of :data:`NAME_PREDICATES` (official names, the essay's
names, acronyms, alternate, other-language and Chinese labels) on our entities and
ontology terms, and the names an external record linked by ``owl:sameAs`` gives them
(a ROR alias).

How a query is matched (:meth:`NameIndex.search`):

1. Names and queries are *folded* (:func:`fold`): accents, case and punctuation go,
   "the", "of", "and" go, British and American spellings meet ("centre" = "center"),
   common abbreviations are written out ("Univ." = "University", "Intl" = "International"),
   Chinese, Japanese and Korean text becomes one word per character.
2. Each query word is looked up in the index's vocabulary of name words
   (:class:`WordIndex`): the same word, a word within a small edit distance (one typo in
   four letters, two in eight, transpositions count as one: "Salaam", "TWSA"), or a word
   it begins (autocomplete: "heidel"). A word is never found *inside* another word, so
   "bridge" does not find Cambridge.
3. Each name holding any found word is scored 0-100 by how much of the query it covers
   and how much of the name the query covers (so "Abdus Salam" ranks the person before
   the centre named after him), with word order free (:func:`score_name`).

Where it lives (:func:`name_index_for`): in SQLite, in the file ``names.sqlite`` beside
the store folder (in memory with ``--memory``). Every server process reads the same
file, so it is built once, and a restart on unchanged data reuses it. When the store
changes (a contribution lands or is withdrawn, in any process), the next request that
needs the index brings it up to date: only the things named in the graphs that came or
went are read again from the store. A change of the data files rebuilds it.

Nothing scans: the vocabulary is a B-tree with each word's deletion neighbourhood
(:class:`WordIndex`, typos in a few probes); the names holding a word are a B-tree
ordered by name length (``posting``), so the shortest names holding a common word, the
ones a short query best describes, come first without reading the others; names holding
every query word are found by walking the rarest query word's shortest names and testing
each for the other query words (then the next rarest's, unless the first walk was
complete: :meth:`NameIndex._holding_all_again`). Scoring then runs on a few hundred
candidates, rarely a few thousand, whatever the size of the data.
"""

from __future__ import annotations

import fcntl
import itertools
import logging
import os
import re
import sqlite3
import threading
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rapidfuzz.distance import OSA

from sdkg import namespaces
from sdkg.graphstore import GraphStore
from sdkg.solutions import select

log = logging.getLogger(__name__)

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS_PREF = "http://www.w3.org/2004/02/skos/core#prefLabel"
SKOS_ALT = "http://www.w3.org/2004/02/skos/core#altLabel"
SKOS_NOTATION = "http://www.w3.org/2004/02/skos/core#notation"
ACRONYM = namespaces.ONTOLOGY + "acronym"
SAME_AS = "http://www.w3.org/2002/07/owl#sameAs"
SUBCLASS_OF = "http://www.w3.org/2000/01/rdf-schema#subClassOf"

#: Predicates whose literal values name a thing, best display name first.
NAME_PREDICATES = (
    RDFS_LABEL,
    SKOS_PREF,
    "http://xmlns.com/foaf/0.1/name",
    "https://schema.org/name",
    "http://purl.org/dc/terms/title",
    SKOS_ALT,
    ACRONYM,
    "https://schema.org/alternateName",
    namespaces.ONTOLOGY + "nickname",
    SKOS_NOTATION,
)
#: Predicates whose values are short forms: matched as one word, typos only by transposition
#: or one letter in four.
ACRONYM_PREDICATES = frozenset({ACRONYM, SKOS_NOTATION})

#: Words that carry no identity in a name ("The World Academy", "University of ...").
STOP_WORDS = frozenset({"the", "of", "and", "a", "an", "for", "on", "in", "at", "de"})
#: Spellings that differ between English variants, and the abbreviations spreadsheets
#: use for words of institutions' names; folded to one form.
SPELLINGS = {
    "centre": "center",
    "centres": "centers",
    "organisation": "organization",
    "organisations": "organizations",
    "programme": "program",
    "programmes": "programs",
    "univ": "university",
    "intl": "international",
    "natl": "national",
    "inst": "institute",
    "acad": "academy",
    "assoc": "association",
    "tech": "technology",
    "ctr": "center",
    "dept": "department",
}
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")

#: Words of a query that count (a name is rarely longer; a pasted paragraph costs no more).
MAX_QUERY_WORDS = 16
#: Score of a name equal to the query (after folding), and what partial matches earn.
EXACT = 100.0
_PREFIX_CREDIT = 0.85  # "heidel" for "heidelberg"
_TYPO_COST = 0.15  # per edit


def fold(text: str) -> list[str]:
    """The words of ``text`` as the index compares them (see the module docstring).

    >>> fold("The Abdus Salam International Centre for Theoretical Physics")
    ['abdus', 'salam', 'international', 'center', 'theoretical', 'physics']
    >>> fold("中国科学院")
    ['中', '国', '科', '学', '院']
    """
    if text.isascii():
        # The same result as below, fast (an index build folds millions of names): in
        # ASCII only letters and digits are word characters, and nothing decomposes.
        words = _NOT_WORD.split(text.replace("'", "").lower())
        words = [w for w in words if w]
    else:
        words = _fold_unicode(text)
    meaningful = [SPELLINGS.get(w, w) for w in words if w not in STOP_WORDS]
    return meaningful or words  # a query of only stop words still means something


_NOT_WORD = re.compile(r"[^a-z0-9]+")


def _fold_unicode(text: str) -> list[str]:
    decomposed = unicodedata.normalize("NFKD", text)
    kept = []
    for char in decomposed:
        category = unicodedata.category(char)
        if category.startswith("M"):
            continue  # combining accents: "é" matches "e"
        if _CJK.match(char):
            kept.append(f" {char} ")  # no spaces between CJK words: each character is one
        elif char in "'’":
            continue  # "People's" -> "peoples"
        else:
            kept.append(" " if category[0] in "PSZC" else char)
    return "".join(kept).casefold().split()


def folded(text: str) -> str:
    """:func:`fold` joined by spaces: the form two names are compared in for equality."""
    return " ".join(fold(text))


def allowed_typos(word: str) -> int:
    """Edits a word of this length may differ by and still match: 0 up to 3 letters,
    1 from 4, 2 from 8 (CJK characters never)."""
    if _CJK.match(word) or len(word) < 4:
        return 0
    return 1 if len(word) < 8 else 2


@dataclass(frozen=True)
class Name:
    """One name of one thing, as the data gives it."""

    iri: str
    text: str
    language: str
    predicate: str
    words: tuple[str, ...]

    @property
    def is_acronym(self) -> bool:
        """An acronym: by its predicate, or a short all-capitals single word ("PRC")."""
        return _is_acronym(self.text, self.predicate)


def _is_acronym(text: str, predicate: str) -> bool:
    if predicate in ACRONYM_PREDICATES:
        return True
    return " " not in text and 2 <= len(text) <= 8 and text.isupper()


@dataclass(frozen=True)
class Candidate:
    """A thing found for a query: its display name, the name that matched, and the score."""

    iri: str
    name: str
    matched: str
    score: float
    #: The whole folded query equals the folded matched name.
    exact: bool
    #: The matched name is an acronym.
    acronym: bool


def deletions(word: str, depth: int) -> set[str]:
    """Every string made by deleting up to ``depth`` letters of ``word`` (``word`` too).

    Two words within ``d`` edits (substitution, insertion, deletion, or a transposition
    of neighbours) share such a string with ``d`` deletions on each side: "twsa" and
    "twas" both give "twa". Looking these up finds typo candidates without a scan.
    """
    found = {word}
    frontier = {word}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1 :] for w in frontier for i in range(len(w))}
        found |= frontier
    return found


_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS word(word TEXT PRIMARY KEY, uses INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS near(variant TEXT NOT NULL, word TEXT NOT NULL,
    PRIMARY KEY(variant, word)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS name(id INTEGER PRIMARY KEY, iri TEXT NOT NULL, text TEXT NOT NULL,
    language TEXT NOT NULL, predicate TEXT NOT NULL, words TEXT NOT NULL, nwords INTEGER NOT NULL);
CREATE UNIQUE INDEX IF NOT EXISTS name_key ON name(iri, text, language, predicate);
CREATE INDEX IF NOT EXISTS name_words ON name(words);
CREATE TABLE IF NOT EXISTS posting(word TEXT NOT NULL, nwords INTEGER NOT NULL,
    name INTEGER NOT NULL, PRIMARY KEY(word, nwords, name)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS posting_name ON posting(name, word);
CREATE TABLE IF NOT EXISTS entity(iri TEXT PRIMARY KEY, display TEXT, types TEXT NOT NULL)
    WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS superclass(class TEXT NOT NULL, super TEXT NOT NULL,
    PRIMARY KEY(class, super)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS graph(graph TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS graph_entity(graph TEXT NOT NULL, iri TEXT NOT NULL,
    PRIMARY KEY(graph, iri)) WITHOUT ROWID;
"""
#: Bumped when the tables change: an index file of another version is rebuilt.
SCHEMA_VERSION = "1"
#: Below this many postings for a query's words, every name holding one is scored (so
#: small indexes rank exactly as a full scan would); above it, the candidates are the
#: shortest names holding each word and the shortest holding every query word.
FULL_RECALL_POSTINGS = 1500
#: Shortest names taken per matched word, and names holding every query word.
PER_WORD_NAMES = 30
ALL_WORDS_NAMES = 150
#: Names of the rarest query word (shortest first) probed for the other query words.
ALL_WORDS_SCAN = 1000
#: Most names of the rarest query word's partial words read in full (see
#: :meth:`NameIndex._holding_all_again`).
PARTIAL_WORDS_SCAN = 4 * ALL_WORDS_SCAN
#: Matched words per query word that fetch names (best credit first).
WORDS_PER_QUERY_WORD = 8
#: Most vocabulary words one typed beginning completes to (alphabetical order).
MAX_PREFIX_WORDS = 64


_MEMORY_NAMES = itertools.count()


class _Database:
    """One SQLite database, with a connection per thread (SQLite runs queries without the
    GIL, so request threads search in parallel)."""

    def __init__(self, path: str) -> None:
        if path == ":memory:":
            # Every thread's connection must see the same in-memory database.
            path = f"file:sdkg-names-{next(_MEMORY_NAMES)}?mode=memory&cache=shared"
            self._keep = sqlite3.connect(path, uri=True, check_same_thread=False)
        self.path = path
        self._local = threading.local()
        self.write_lock = threading.Lock()

    def connection(self) -> sqlite3.Connection:
        """This thread's connection."""
        found = getattr(self._local, "db", None)
        if found is None:
            found = sqlite3.connect(
                self.path, uri=self.path.startswith("file:"), check_same_thread=False, timeout=60
            )
            found.execute("PRAGMA busy_timeout = 60000")
            # Read the file through the OS page cache, mapped: one copy for every process
            # and thread, instead of each connection's own page cache.
            found.execute(f"PRAGMA mmap_size = {1 << 34}")
            self._local.db = found
        return found


class WordIndex:
    """The vocabulary of name words, and which words a query word finds.

    Kept in SQLite (in memory unless ``path`` names a file): a B-tree of words for exact
    and prefix look-ups, and each word's deletion neighbourhood (:func:`deletions`, as
    SymSpell does) for typos; rapidfuzz then checks the candidates' real distance.
    Nothing scans the vocabulary.

    Why not SQLite FTS5's trigram index: a transposed short word shares no trigram with
    the right one ("twsa": tws, wsa; "twas": twa, was), short acronyms are what people
    mistype most, and trigrams find a word inside another ("bridge" in Cambridge), which
    the search must not.
    """

    def __init__(
        self,
        words: Iterable[str] = (),
        path: str = ":memory:",
        *,
        database: _Database | None = None,
    ) -> None:
        self._database = database or _Database(path)
        db = self._database.connection()
        db.executescript(_SCHEMA)
        vocabulary = sorted(set(words))
        if vocabulary:
            add_words(db, Counter(vocabulary))
            db.commit()

    def __len__(self) -> int:
        return self._database.connection().execute("SELECT COUNT(*) FROM word").fetchone()[0]

    def uses(self, words: Iterable[str]) -> int:
        """How many names hold any of ``words`` (counting a name once per word)."""
        listed = list(words)
        if not listed:
            return 0
        marks = ",".join("?" * len(listed))
        row = self._database.connection().execute(
            f"SELECT SUM(uses) FROM word WHERE word IN ({marks})", listed
        )
        return row.fetchone()[0] or 0

    def uses_of(self, words: Iterable[str]) -> dict[str, int]:
        """How many names hold each of ``words`` (in the vocabulary)."""
        listed = list(words)
        return dict(
            _rows_by_id(self._database.connection(), "SELECT word, uses FROM word", "word", listed)
        )

    def lookup(self, word: str, *, prefix: bool) -> dict[str, float]:
        """Words of the vocabulary ``word`` finds, each with a credit in (0, 1]."""
        found: dict[str, float] = {}
        typos = allowed_typos(word)
        variants = sorted(deletions(word, typos))
        marks = ",".join("?" * len(variants))
        db = self._database.connection()
        candidates = {
            row[0]
            for row in db.execute(
                f"SELECT word FROM word WHERE word IN ({marks}) AND uses > 0 "
                f"UNION SELECT near.word FROM near JOIN word USING (word) "
                f"WHERE variant IN ({marks}) AND uses > 0",
                [*variants, *variants],
            )
        }
        longer = (
            [
                row[0]
                for row in db.execute(
                    "SELECT word FROM word WHERE word > ? AND word < ? AND uses > 0 "
                    "ORDER BY word LIMIT ?",
                    (word, word + "\U0010ffff", MAX_PREFIX_WORDS),
                )
            ]
            if prefix and len(word) >= 2 and not _CJK.match(word)
            else []
        )
        for other in candidates:
            distance = OSA.distance(word, other)
            # Within the query word's allowance, and a short vocabulary word may not be
            # found through typos of a long one.
            if distance <= typos and allowed_typos(other) >= distance:
                found[other] = 1.0 - _TYPO_COST * distance
        for other in longer:
            found.setdefault(other, _PREFIX_CREDIT)
        return found


def add_words(db: sqlite3.Connection, counts: Counter[str], *, fresh: bool = False) -> None:
    """Count ``counts`` more uses of words; a word new to the vocabulary gets its
    deletion neighbourhood. (A word whose uses fall to 0 stays, found by nothing.)
    ``fresh``: the vocabulary is empty (every word is new)."""
    new = [
        word
        for word in counts
        if fresh or db.execute("SELECT 1 FROM word WHERE word = ?", (word,)).fetchone() is None
    ]
    db.executemany(
        "INSERT INTO word VALUES (?, ?) "
        "ON CONFLICT(word) DO UPDATE SET uses = uses + excluded.uses",
        counts.items(),
    )
    db.executemany(
        "INSERT OR IGNORE INTO near VALUES (?, ?)",
        (
            (variant, word)
            for word in new
            for variant in deletions(word, allowed_typos(word))
            if variant != word
        ),
    )


_NAME_COLUMNS = "id, iri, text, language, predicate, words"


def _name(row: tuple) -> Name:
    return Name(row[1], row[2], row[3], row[4], tuple(row[5].split(" ")) if row[5] else ())


def _types_of(row: tuple) -> frozenset[str] | None:
    return frozenset(row[1].split(" ")) if row[1] else None


class _Column(Mapping[str, Any]):
    """A read-only mapping over the ``entity`` table (display names, types)."""

    def __init__(self, index: NameIndex, convert: Callable[[tuple], Any], column: str) -> None:
        self._index = index
        self._convert = convert
        self._column = column

    def __getitem__(self, iri: str) -> Any:
        row = (
            self._index._db()
            .execute("SELECT display, types FROM entity WHERE iri = ?", (iri,))
            .fetchone()
        )
        value = None if row is None else self._convert(row)
        if value is None:
            raise KeyError(iri)
        return value

    def __iter__(self) -> Iterator[str]:
        rows = self._index._db().execute("SELECT iri, display, types FROM entity").fetchall()
        for iri, display, types in rows:
            if self._convert((display, types)) is not None:
                yield iri

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def values(self) -> list[Any]:  # type: ignore[override]
        """Every value; types are read once per distinct set (many things share them)."""
        select = (
            "SELECT DISTINCT NULL, types FROM entity"
            if self._column == "types"
            else "SELECT display, types FROM entity"
        )
        rows = self._index._db().execute(select).fetchall()
        return [v for v in (self._convert(row) for row in rows) if v is not None]


class NameIndex:
    """Every name of every indexed thing, its display name and its types, in SQLite.

    Built from given names (small indexes: classes, properties) or from a store
    (:func:`build_name_index`, :func:`name_index_for`), in memory or in a file.
    """

    def __init__(
        self,
        names: Iterable[Name] = (),
        display: Mapping[str, str] | None = None,
        types: Mapping[str, frozenset[str]] | None = None,
        direct_types: Mapping[str, frozenset[str]] | None = None,
        supers: Mapping[str, frozenset[str]] | None = None,
        *,
        path: str = ":memory:",
    ) -> None:
        self._database = _Database(path)
        self.words = WordIndex(database=self._database)
        self.path = path
        #: The data generation the index was built for (see :func:`name_index_for`).
        self.base: str | None = None
        direct = dict(direct_types or types or {})
        given = list(names)
        db = self._db()
        with self._database.write_lock:
            if supers:
                db.executemany(
                    "INSERT OR IGNORE INTO superclass VALUES (?, ?)",
                    ((c, s) for c, found in supers.items() for s in found),
                )
            if given:
                fresh = db.execute("SELECT 1 FROM word LIMIT 1").fetchone() is None
                if fresh and not path.startswith(":"):
                    _fast_writes(db)
                _insert_names(
                    db, ((n.iri, n.text, n.language, n.predicate) for n in given), fresh=fresh
                )
            iris = {n.iri for n in given} | set(display or {}) | set(direct)
            if iris:
                db.executemany(
                    "INSERT OR REPLACE INTO entity VALUES (?, ?, ?)",
                    (
                        (iri, (display or {}).get(iri), " ".join(sorted(direct.get(iri, ()))))
                        for iri in iris
                    ),
                )
            db.commit()
        self.reload_supers()
        #: Each thing's types as the data states them.
        self.direct_types: Mapping[str, frozenset[str]] = _Column(self, _types_of, "types")
        #: Each thing's types, with every superclass of them.
        self.types: Mapping[str, frozenset[str]] = _Column(self, self._closed_types, "types")
        #: The name to show for each thing.
        self.display: Mapping[str, str] = _Column(self, lambda row: row[0], "display")

    def _db(self) -> sqlite3.Connection:
        return self._database.connection()

    def reload_supers(self) -> None:
        """Read the class hierarchy into memory (small, and asked for on every type test)."""
        found: dict[str, set[str]] = defaultdict(set)
        for cls, sup in self._db().execute("SELECT class, super FROM superclass"):
            found[cls].add(sup)
        #: Each class's superclasses.
        self.supers: dict[str, frozenset[str]] = {k: frozenset(v) for k, v in found.items()}

    def _closed_types(self, row: tuple) -> frozenset[str] | None:
        kinds = _types_of(row)
        if kinds is None:
            return None
        return frozenset({*kinds, *(s for kind in kinds for s in self.supers.get(kind, ()))})

    def type_counts(self) -> Counter[frozenset[str]]:
        """How many things have each set of direct types (typed things only): one pass over
        the ``entity`` table in SQLite, for the figures of the home page."""
        rows = self._db().execute(
            "SELECT types, COUNT(*) FROM entity WHERE types != '' GROUP BY types"
        )
        return Counter({frozenset(types.split(" ")): count for types, count in rows})

    @property
    def names(self) -> list[Name]:
        """Every name in the index (reads them all: for small indexes and checks)."""
        return [_name(row) for row in self._db().execute(f"SELECT {_NAME_COLUMNS} FROM name")]

    def names_of(self, iri: str) -> list[Name]:
        """Every name of ``iri`` in the index."""
        rows = self._db().execute(f"SELECT {_NAME_COLUMNS} FROM name WHERE iri = ?", (iri,))
        return [_name(row) for row in rows]

    def exact(self, text: str) -> list[Name]:
        """The names equal to ``text`` once folded (any thing, any predicate)."""
        rows = self._db().execute(
            f"SELECT {_NAME_COLUMNS} FROM name WHERE words = ?", (folded(text),)
        )
        return [_name(row) for row in rows]

    def search(
        self,
        text: str,
        *,
        limit: int = 20,
        types: Iterable[str] | None = None,
        prefix: bool = True,
        minimum: float = 40.0,
    ) -> list[Candidate]:
        """Things whose names answer ``text``, best first (one candidate per thing).

        ``types``: keep only things of one of these classes (subclasses count).
        ``prefix``: a query word may be the beginning of a name word (autocomplete).
        ``minimum``: leave out candidates scoring below it.
        """
        query = fold(text)[:MAX_QUERY_WORDS]
        if not query:
            return []
        wanted = frozenset(types) if types else None
        credits = [self.words.lookup(word, prefix=prefix) for word in query]
        db = self._db()
        ids = self._candidates(db, query, credits)
        if not ids:
            return []
        rows = _rows_by_id(
            db,
            "SELECT n.iri, n.text, n.predicate, n.words, e.display, e.types "
            "FROM name n LEFT JOIN entity e ON e.iri = n.iri",
            "n.id",
            sorted(ids),
        )
        best: dict[str, Candidate] = {}
        joined = " ".join(query)
        ordered = sorted(query)
        for iri, text, predicate, words, display, kinds in rows:
            if wanted is not None:
                closed = self._closed_types((display, kinds)) or frozenset()
                if not closed & wanted:
                    continue
            score = _score(query, ordered, tuple(words.split(" ")) if words else (), credits)
            if score < minimum:
                continue
            shown = display or text
            held = best.get(iri)
            if held is None or _better(score, shown, text, held):
                best[iri] = Candidate(
                    iri=iri,
                    name=shown,
                    matched=text,
                    score=score,
                    exact=words == joined,
                    acronym=_is_acronym(text, predicate),
                )
        ranked = sorted(best.values(), key=lambda c: (-c.score, len(c.name), c.name.casefold()))
        return ranked[:limit]

    def _candidates(
        self, db: sqlite3.Connection, query_words: list[str], credits: list[dict[str, float]]
    ) -> set[int]:
        """Ids of the names worth scoring (see the module docstring)."""
        every = sorted({word for found in credits for word in found})
        if not every:
            return set()
        if self.words.uses(every) <= FULL_RECALL_POSTINGS:
            return {row[0] for row in _rows_by_id(db, "SELECT name FROM posting", "word", every)}
        best_words = [
            sorted(found, key=lambda w: (-found[w], w))[:WORDS_PER_QUERY_WORD]
            for found in credits
            if found
        ]
        ids: set[int] = set()
        if len(best_words) > 1:
            # Names holding a word of every query word: walk the rarest query word's
            # shortest names and keep those holding the others (short names score best).
            all_words = [sorted(found) for found in credits if found]
            starts = [(self.words.uses(words), words) for words in all_words]
            # Chinese characters are each a word, and each common: two in a row (a
            # bigram posting) are far rarer, and find every name holding them in a row.
            starts += [(self.words.uses([gram]), [gram]) for gram in _bigrams(query_words)]
            picked = [words for _, words in sorted(starts, key=lambda start: start[0])[:2]]
            held, partial = self._holding_all(db, picked[0], all_words)
            ids.update(held)
            # With no partial word, every name holding a word of each query word was
            # found: a second start could only find some of them again (when no word is
            # found by two query words: the second start does not look for its own
            # query word's words in the other query words).
            disjoint = len(set().union(*all_words)) == sum(len(words) for words in all_words)
            if len(picked) > 1 and (partial or picked[0] not in all_words or not disjoint):
                ids.update(self._holding_all_again(db, picked, all_words, held, partial))
        # Names holding one query word (partial matches), shortest first; when enough names
        # hold every query word, only for rare words: a common word's short names would
        # cover too little of the query to rank among them.
        enough = len(ids) >= PER_WORD_NAMES
        for words in best_words:
            for word in words:
                if enough and self.words.uses([word]) > PER_WORD_NAMES:
                    continue
                ids.update(
                    row[0]
                    for row in db.execute(
                        "SELECT name FROM posting WHERE word = ? ORDER BY nwords LIMIT ?",
                        (word, PER_WORD_NAMES),
                    )
                )
        return ids

    def _holding_all(
        self,
        db: sqlite3.Connection,
        start: list[str],
        wanted: list[list[str]],
        *,
        walk: list[str] | None = None,
    ) -> tuple[set[int], list[str]]:
        """Among the shortest names holding a word of ``start`` (each word's
        :data:`ALL_WORDS_SCAN` shortest), the :data:`ALL_WORDS_NAMES` shortest holding a
        word of each of ``wanted``; and the *partial* words of ``start``, those some of
        whose names holding them all may not be among these (a limit was reached).
        ``walk``: the words of ``start`` to walk (all by default)."""
        others = [words for words in wanted if not set(words) & set(start)]
        found: set[int] = set()
        partial = []
        walked = start if walk is None else walk
        uses = self.words.uses_of(walked)
        for word in walked:
            held = _holding(db, [word], others, ALL_WORDS_SCAN, ALL_WORDS_NAMES)
            found.update(held)
            if len(held) >= ALL_WORDS_NAMES or uses.get(word, 0) > ALL_WORDS_SCAN:
                partial.append(word)
        return found, partial

    def _holding_all_again(
        self,
        db: sqlite3.Connection,
        picked: list[list[str]],
        wanted: list[list[str]],
        held: set[int],
        partial: list[str],
    ) -> set[int]:
        """What :meth:`_holding_all` finds from the second start ``picked[1]``, once the
        first, ``picked[0]``, found ``held`` with ``partial`` words.

        The same names, read with less work when the query words find disjoint words: a
        word ``v`` of the second start held by at most :data:`ALL_WORDS_SCAN` names has
        them all walked, so it finds every name holding ``v`` and a word of each query
        word. Such a name holds a word of the first start: a word that was not partial
        (its names were all walked: the name is in ``held``) or a partial one (the name
        is among the few holding a partial word, ``v`` and the rest, read here in full).
        So the names holding ``v`` among those two sets are the ones walking ``v`` would
        find, unless there are :data:`ALL_WORDS_NAMES` or more: then ``v`` is walked,
        as are the words held by more names."""
        first, second = picked
        disjoint = len(set().union(*wanted)) == sum(len(words) for words in wanted)
        uses = self.words.uses_of(second)
        complete = [v for v in second if uses.get(v, 0) <= ALL_WORDS_SCAN]
        if (
            not disjoint
            or first not in wanted
            or second not in wanted
            or not complete
            or self.words.uses(partial) > PARTIAL_WORDS_SCAN
        ):
            return self._holding_all(db, second, wanted)[0]
        found = set()
        if len(complete) < len(second):
            walked = [v for v in second if v not in complete]
            found = self._holding_all(db, second, wanted, walk=walked)[0]
        rest = [words for words in wanted if words is not first and words is not second]
        pool = held | _holding(db, partial, [complete, *rest], None, None)
        words_of = {
            name: set(words.split(" "))
            for name, words in _rows_by_id(db, "SELECT id, words FROM name", "id", sorted(pool))
        }
        for v in complete:
            holding = [name for name in pool if v in words_of[name]]
            if len(holding) < ALL_WORDS_NAMES:
                found.update(holding)
            else:  # which of them are the shortest: as walking ``v`` orders them
                found.update(self._holding_all(db, second, wanted, walk=[v])[0])
        return found


def _holding(
    db: sqlite3.Connection,
    start: list[str],
    others: list[list[str]],
    scan: int | None,
    most: int | None,
) -> set[int]:
    """Names holding a word of ``start`` (among each word's ``scan`` shortest names) and a
    word of each of ``others``: the ``most`` shortest of each word's (None: no limit)."""
    # A name holds a word of a short list: probe the posting B-tree for each word. Of a
    # long list (a typo-tolerant or prefix query word finds dozens): read the name's
    # few postings and test them against the list ("+q.word" keeps SQLite from probing
    # once per listed word, twelve times slower at 10M triples).
    tests = " ".join(
        "AND EXISTS (SELECT 1 FROM posting q WHERE q.name = p.name AND "
        f"{'+' if len(words) > _PROBED_WORDS else ''}q.word IN "
        f"({','.join('?' * len(words))}))"
        for words in others
    )
    values = [w for words in others for w in words]
    window = "" if scan is None else f"ORDER BY nwords LIMIT {int(scan)}"
    keep = "" if most is None else f"ORDER BY p.nwords LIMIT {int(most)}"
    found: set[int] = set()
    for word in start:
        found.update(
            row[0]
            for row in db.execute(
                f"SELECT p.name FROM (SELECT name, nwords FROM posting WHERE word = ? {window}) p "
                f"WHERE 1 {tests} {keep}",
                (word, *values),
            )
        )
    return found


#: Up to this many words a query word finds, names are tested for them by probes.
_PROBED_WORDS = 3


_BIGRAM = "\x02"  # marks a posting of two CJK characters in a row (never a query word)


def _bigrams(words: list[str]) -> list[str]:
    """Posting keys of each two CJK characters in a row among ``words``."""
    return [
        _BIGRAM + first + second
        for first, second in itertools.pairwise(words)
        if _CJK.match(first) and _CJK.match(second)
    ]


def _tokens(words: list[str]) -> set[str]:
    """What a name is posted under: its words, and its CJK bigrams."""
    return {*words, *_bigrams(words)}


def _fast_writes(db: sqlite3.Connection) -> None:
    """For building a new file nobody reads yet: no journal, no syncs (a crash loses only
    the half-built file, rebuilt on the next start)."""
    db.execute("PRAGMA journal_mode = OFF")
    db.execute("PRAGMA synchronous = OFF")
    db.execute("PRAGMA cache_size = -262144")  # 256 MB


def _rows_by_id(db: sqlite3.Connection, select: str, column: str, keys: list[Any]) -> list[tuple]:
    """``select`` with ``WHERE column IN keys``, in chunks (SQLite limits parameters)."""
    rows: list[tuple] = []
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        rows += db.execute(
            f"{select} WHERE {column} IN ({','.join('?' * len(chunk))})", chunk
        ).fetchall()
    return rows


def _insert_names(
    db: sqlite3.Connection, names: Iterable[tuple[str, str, str, str]], *, fresh: bool = False
) -> set[str]:
    """Add names (iri, text, language, predicate) with their postings and words; return
    the IRIs named. Names that fold to no word, and repeats, are left out.

    ``fresh``: the index is being built from nothing (bulk load: postings are sorted once
    at the end instead of inserted one by one into the B-tree)."""
    counts: Counter[str] = Counter()
    named: set[str] = set()
    seen: set[tuple[str, str, str, str]] = set()
    folds: dict[str, str] = {}  # a name's label and preferred label are often the same text
    next_id = (db.execute("SELECT MAX(id) FROM name").fetchone()[0] or 0) + 1
    rows: list[tuple[int, str, str, str, str, str, int]] = []
    postings: list[tuple[str, int, int]] = []
    if fresh:
        # Indexes are made once, sorted, at the end: faster than growing them row by row.
        db.executescript(
            "DROP INDEX IF EXISTS name_key; DROP INDEX IF EXISTS name_words;"
            "DROP INDEX IF EXISTS posting_name;"
            "CREATE TEMP TABLE IF NOT EXISTS posting_load(word, nwords, name);"
        )
    target = "temp.posting_load" if fresh else "posting"

    def flush() -> None:
        db.executemany("INSERT INTO name VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
        db.executemany(f"INSERT INTO {target} VALUES (?, ?, ?)", postings)
        rows.clear()
        postings.clear()

    for entry in names:
        if entry in seen:
            continue
        seen.add(entry)
        iri, text, language, predicate = entry
        words = folds.get(text)
        if words is None:
            words = folds[text] = " ".join(fold(text))
        if not words:
            continue
        split = words.split(" ")
        distinct = _tokens(split)
        rows.append((next_id, iri, text, language, predicate, words, len(split)))
        postings.extend((word, len(split), next_id) for word in distinct)
        counts.update(distinct)
        named.add(iri)
        next_id += 1
        if len(rows) >= 20_000:
            flush()
            folds.clear()
    flush()
    if fresh:
        db.execute("INSERT INTO posting SELECT * FROM temp.posting_load ORDER BY 1, 2, 3")
        db.execute("DROP TABLE temp.posting_load")
        db.executescript(_SCHEMA)  # the indexes again
    add_words(db, counts, fresh=fresh)
    return named


def _remove_things(db: sqlite3.Connection, iris: Iterable[str]) -> None:
    """Take every name and the entity row of ``iris`` out of the index."""
    counts: Counter[str] = Counter()
    for iri in iris:
        for name_id, words in db.execute(
            "SELECT id, words FROM name WHERE iri = ?", (iri,)
        ).fetchall():
            distinct = _tokens(words.split(" "))
            counts.update(distinct)
            db.executemany(
                "DELETE FROM posting WHERE name = ? AND word = ?",
                ((name_id, word) for word in distinct),
            )
        db.execute("DELETE FROM name WHERE iri = ?", (iri,))
        db.execute("DELETE FROM entity WHERE iri = ?", (iri,))
    db.executemany(
        "UPDATE word SET uses = uses - ? WHERE word = ?", ((n, w) for w, n in counts.items())
    )


def score_name(query: list[str], name: Name, credits: list[dict[str, float]]) -> float:
    """How well ``name`` answers ``query`` (0-100), word order free.

    ``credits[i]`` maps the vocabulary words query word ``i`` finds to their credit.
    Each query word takes its best name word (each name word used once); the score
    weighs the share of the query covered (70 %) and of the name covered (30 %), and
    an exact equality of the folded forms scores :data:`EXACT`.
    """
    return _score(query, sorted(query), name.words, credits)


def _score(
    query: list[str], ordered: list[str], words: tuple[str, ...], credits: list[dict[str, float]]
) -> float:
    """:func:`score_name` of a name's ``words``, ``ordered`` being the query's words sorted
    (sorted once per search, not once per name)."""
    if len(words) == len(query):  # the two equalities need as many words
        if list(words) == query:
            return EXACT
        if sorted(words) == ordered:
            return EXACT - 2  # the same words in another order
    used: set[int] = set()
    covered = 0.0
    for found in credits:
        if not found:
            continue  # a query word that found no word covers nothing
        best, best_at = 0.0, -1
        for position, word in enumerate(words):
            credit = found.get(word, 0.0)
            if position not in used and credit > best:
                best, best_at = credit, position
        if best_at >= 0:
            used.add(best_at)
            covered += best
    if not used:
        return 0.0
    query_share = covered / len(query)
    name_share = covered / len(words)
    return round(100 * (0.7 * query_share + 0.3 * name_share) * 0.97, 1)


def _better(score: float, shown: str, matched: str, old: Candidate) -> bool:
    """A name of ``score`` (the thing shown as ``shown``, matched by ``matched``) is a better
    hit for its thing than ``old``: the higher score; on a tie the display name itself,
    then the shorter name."""
    if score != old.score:
        return score > old.score
    if (matched == shown) != (old.matched == old.name):
        return matched == shown
    return len(matched) < len(old.matched)


# --------------------------------------------------------------------------- from the store

_OWN = (namespaces.ENTITY, namespaces.ONTOLOGY)
_NAME_VALUES = " ".join(f"<{p}>" for p in NAME_PREDICATES)
_NAME_LIST = ", ".join(f"<{p}>" for p in NAME_PREDICATES)


def _values(iris: list[str] | None) -> str:
    return "" if iris is None else "VALUES ?s { " + " ".join(f"<{i}>" for i in iris) + " } "


def _store_names(
    store: GraphStore, iris: list[str] | None = None
) -> Iterator[tuple[str, str, str, str]]:
    """(iri, text, language, predicate) of every name of our things (of ``iris`` only, if
    given), and the names an external record linked by owl:sameAs gives them (a ROR alias)."""
    # For given IRIs the predicates are a filter: Oxigraph joins two VALUES blocks by
    # reading every name of the store.
    pick = f"VALUES ?p {{ {_NAME_VALUES} }} " if iris is None else ""
    keep = "" if iris is None else f" && ?p IN ({_NAME_LIST})"
    for row in select(
        store,
        f"SELECT DISTINCT ?s ?p ?o WHERE {{ {_values(iris)}{pick}"
        f"?s ?p ?o FILTER(isIRI(?s) && isLiteral(?o){keep}) }}",
    ):
        if row["s"].value.startswith(_OWN):
            literal = row["o"]
            yield row["s"].value, literal.value, literal.language or "", row["p"].value
    for row in select(
        store,
        f"SELECT DISTINCT ?s ?o WHERE {{ {_values(iris)}?s <{SAME_AS}> ?ext . "
        f"{pick}?ext ?p ?o "
        f'FILTER(isLiteral(?o) && STRSTARTS(STR(?s), "{namespaces.ENTITY}"){keep}) }}',
    ):
        literal = row["o"]
        yield row["s"].value, literal.value, literal.language or "", SKOS_ALT


def _store_types(store: GraphStore, iris: list[str] | None = None) -> dict[str, set[str]]:
    types: dict[str, set[str]] = defaultdict(set)
    for row in select(
        store,
        f"SELECT DISTINCT ?s ?t WHERE {{ {_values(iris)}?s <{RDF_TYPE}> ?t "
        f'FILTER(isIRI(?s) && isIRI(?t) && STRSTARTS(STR(?s), "{namespaces.ENTITY}")) }}',
    ):
        types[row["s"].value].add(row["t"].value)
    return types


def _fill(db: sqlite3.Connection, store: GraphStore, iris: list[str] | None = None) -> None:
    """Index the names and types of our things (of ``iris`` only, if given) from ``store``;
    without ``iris``, into an empty index."""
    named = _insert_names(db, _store_names(store, iris), fresh=iris is None)
    types = _store_types(store, iris)
    displays: dict[str, str] = {}
    if iris is None:
        rows = db.execute("SELECT iri, text, language, predicate FROM name ORDER BY iri")
        for iri, group in itertools.groupby(rows, key=lambda row: row[0]):
            displays[iri] = _display_name([row[1:] for row in group])
    else:
        for iri in named:
            found = db.execute(
                "SELECT text, language, predicate FROM name WHERE iri = ?", (iri,)
            ).fetchall()
            displays[iri] = _display_name(found)
    db.executemany(
        "INSERT OR REPLACE INTO entity VALUES (?, ?, ?)",
        (
            (iri, displays.get(iri), " ".join(sorted(types.get(iri, ()))))
            for iri in sorted(named | set(types))
        ),
    )


def _things_in_graph(store: GraphStore, graph: str) -> list[str]:
    """Our things a graph names, types or links (whose index entries it can change)."""
    rows = select(
        store,
        f"SELECT DISTINCT ?s WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} "
        f"VALUES ?p {{ {_NAME_VALUES} <{RDF_TYPE}> <{SAME_AS}> }} FILTER(isIRI(?s)) }}",
    )
    return [row["s"].value for row in rows if row["s"].value.startswith(_OWN)]


def _build(db: sqlite3.Connection, store: GraphStore, base: str, graphs: set[str]) -> None:
    db.executescript(_SCHEMA)
    db.executemany(
        "INSERT OR IGNORE INTO superclass VALUES (?, ?)",
        ((c, s) for c, found in superclasses(store).items() for s in found),
    )
    _fill(db, store)
    db.executemany("INSERT INTO graph VALUES (?)", ((g,) for g in sorted(graphs)))
    db.executemany(
        "INSERT OR REPLACE INTO meta VALUES (?, ?)",
        (("version", SCHEMA_VERSION), ("base", base)),
    )
    db.commit()


def _update(
    db: sqlite3.Connection, store: GraphStore, graphs: set[str], previous: set[str] | None
) -> bool:
    """Bring the index in line with ``graphs`` (this process's view of the store); True if
    anything changed. A graph is taken out only when this process saw it go (``previous``
    had it) or, on its first look, when its view is complete: another process that has not
    loaded a graph yet must not take it out of everyone's index."""
    indexed = {row[0] for row in db.execute("SELECT graph FROM graph")}
    added = sorted(graphs - indexed)
    gone = sorted((indexed - graphs) & (previous if previous is not None else indexed))
    if not added and not gone:
        return False
    affected: set[str] = set()
    for graph in gone:
        affected.update(
            row[0] for row in db.execute("SELECT iri FROM graph_entity WHERE graph = ?", (graph,))
        )
        db.execute("DELETE FROM graph_entity WHERE graph = ?", (graph,))
        db.execute("DELETE FROM graph WHERE graph = ?", (graph,))
    for graph in added:
        things = _things_in_graph(store, graph)
        affected.update(things)
        db.executemany(
            "INSERT OR IGNORE INTO graph_entity VALUES (?, ?)", ((graph, t) for t in things)
        )
        db.execute("INSERT OR IGNORE INTO graph VALUES (?)", (graph,))
    ordered = sorted(affected)
    _remove_things(db, ordered)
    for start in range(0, len(ordered), 200):
        _fill(db, store, ordered[start : start + 200])
    db.commit()
    log.info("name index: %d graph(s) added, %d gone, %d thing(s) re-read",
             len(added), len(gone), len(ordered))  # fmt: skip
    return True


def build_name_index(store: GraphStore, path: str = ":memory:") -> NameIndex:
    """Read every name of our entities and ontology terms from ``store`` into a new index."""
    index = NameIndex(path=path)
    db = index._db()
    with index._database.write_lock:
        _build(db, store, "", set(store.graphs()))
    index.reload_supers()
    return index


class _IndexFile:
    """The name index of one store for this process: where it is, and what this process
    last saw of the store's graphs."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.index: NameIndex | None = None
        self.seen: set[str] | None = None
        self.lock = threading.Lock()


_FILES: dict[Any, _IndexFile] = {}
_FILES_LOCK = threading.Lock()
#: The index file beside (inside) the store folder.
INDEX_FILE = "names.sqlite"


def name_index_for(store: GraphStore, folder: Path | None) -> NameIndex:
    """The name index of ``store``, up to date with it: kept in ``folder/names.sqlite``
    (shared by every process, reused after a restart), or in memory when ``folder`` is
    None. Built on first use; afterwards only the graphs that came or went are read."""
    key = str(folder) if folder is not None else id(store)
    with _FILES_LOCK:
        entry = _FILES.setdefault(key, _IndexFile(None if folder is None else folder / INDEX_FILE))
    with entry.lock:
        graphs = set(store.graphs())
        base = store.files_generation  # the data files (not contributions) it is built from
        if entry.path is None:
            if entry.index is None or entry.index.base != base:
                entry.index = build_name_index(store)
                entry.index.base = base
            else:
                with entry.index._database.write_lock:
                    if _update(entry.index._db(), store, graphs, entry.seen):
                        entry.index.reload_supers()
            entry.seen = graphs
            return entry.index
        entry.index = _open_file(entry, store, base, graphs)
        entry.seen = graphs
        return entry.index


def _open_file(entry: _IndexFile, store: GraphStore, base: str, graphs: set[str]) -> NameIndex:
    assert entry.path is not None
    path = entry.path
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one process builds or updates at a time
        current = _file_base(path)
        if current != base:
            started = time.perf_counter()
            building = path.with_suffix(f".building-{os.getpid()}")
            building.unlink(missing_ok=True)
            db = sqlite3.connect(building)
            _fast_writes(db)
            _build(db, store, base, graphs)
            db.execute("PRAGMA journal_mode = WAL")  # readers in every process, one writer
            _put_in_place(db, building, path)
            log.info("name index built in %.1f s: %s", time.perf_counter() - started, path)
        if entry.index is not None and entry.index.path == str(path):
            index = entry.index
        else:
            index = NameIndex(path=str(path))
        with index._database.write_lock:
            if _update(index._db(), store, graphs, entry.seen) or index.base != base:
                index.reload_supers()
        index.base = base
    return index


def _put_in_place(built: sqlite3.Connection, building: Path, path: Path) -> None:
    """Make the index just built in ``building`` the one at ``path``, and close it.

    Over a file other processes may be reading, the new pages are copied in, in one
    transaction (SQLite's backup), so readers see the old index or the new one. Moving
    the new file over it instead would leave their connections on the old inode with the
    ``-wal``/``-shm`` files of the new one, which SQLite then reports as a malformed
    database (seen with a remote store, whose index is rebuilt after each write)."""
    try:
        if path.is_file():
            live = sqlite3.connect(path, timeout=60)
            try:
                built.backup(live)
            finally:
                live.close()
            built.close()
            building.unlink()
        else:
            built.close()
            os.replace(building, path)
    except sqlite3.DatabaseError:  # not a database SQLite can write into: replaced
        built.close()
        os.replace(building, path)
    for suffix in ("-wal", "-shm"):
        Path(f"{building}{suffix}").unlink(missing_ok=True)


def _file_base(path: Path) -> str | None:
    """The data generation an index file was built for (None: no usable file)."""
    if not path.is_file():
        return None
    try:
        db = sqlite3.connect(path)
        try:
            rows = dict(db.execute("SELECT key, value FROM meta").fetchall())
        finally:
            db.close()
    except sqlite3.Error:
        return None
    return rows.get("base") if rows.get("version") == SCHEMA_VERSION else None


def name_rank(predicate: str, language: str) -> tuple[int, int]:
    """How good a name is to show: by predicate (the order of :data:`NAME_PREDICATES`),
    then English, untagged, other languages. The one ranking of display names: the
    search's and the pages' (:mod:`sdkg.web.labels`)."""
    preference = 0 if language == "en" else 1 if language == "" else 2
    return (NAME_PREDICATES.index(predicate), preference)


def _display_name(found: list[tuple[str, str, str]]) -> str:
    """English rdfs:label first, then the other name predicates in order."""
    return min(found, key=lambda entry: name_rank(entry[2], entry[1]))[0]


def superclasses(store: GraphStore) -> dict[str, frozenset[str]]:
    """Each class of ``store`` with every class above it (``rdfs:subClassOf+``)."""
    # The direct links, closed here: an ontology has a few hundred, and a path with both
    # ends free is refused by some stores (Virtuoso: "transitive start not given").
    direct: dict[Any, set[Any]] = defaultdict(set)
    for row in select(store, f"SELECT DISTINCT ?c ?super WHERE {{ ?c <{SUBCLASS_OF}> ?super }}"):
        direct[row["c"]].add(row["super"])
    supers: dict[str, frozenset[str]] = {}
    for cls in direct:
        found: set[Any] = set()
        todo = list(direct[cls])
        while todo:
            above = todo.pop()
            if above not in found:
                found.add(above)
                todo.extend(direct.get(above, ()))
        named = frozenset(term.value for term in found if isinstance(term, ox.NamedNode))
        if isinstance(cls, ox.NamedNode) and named:
            supers[cls.value] = named
    return supers
