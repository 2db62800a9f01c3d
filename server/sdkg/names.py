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

The vocabulary look-up is the one step that grows with the data. :class:`WordIndex`
keeps the vocabulary in SQLite with each word's deletion neighbourhood, so a look-up is
a few index probes, never a scan, and the same tables can live in a file at scale.

The index is rebuilt per store generation (see :func:`sdkg.web.cached`): a contribution
that lands is searchable on the next request.
"""

from __future__ import annotations

import re
import sqlite3
import threading
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz.distance import OSA

from sdkg import namespaces
from sdkg.graphstore import GraphStore
from sdkg.solutions import select

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
    words = "".join(kept).casefold().split()
    meaningful = [SPELLINGS.get(w, w) for w in words if w not in STOP_WORDS]
    return meaningful or words  # a query of only stop words still means something


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
        if self.predicate in ACRONYM_PREDICATES:
            return True
        return " " not in self.text and 2 <= len(self.text) <= 8 and self.text.isupper()


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


class WordIndex:
    """The vocabulary of name words, and which words a query word finds.

    Kept in SQLite (in memory unless ``path`` names a file, for vocabularies too large
    for memory): a B-tree of words for exact and prefix look-ups, and each word's
    deletion neighbourhood (:func:`deletions`, as SymSpell does) for typos; rapidfuzz
    then checks the candidates' real distance. Nothing scans the vocabulary.

    Why not SQLite FTS5's trigram index: a transposed short word shares no trigram with
    the right one ("twsa": tws, wsa; "twas": twa, was), and short acronyms are what
    people mistype most.
    """

    def __init__(self, words: Iterable[str], path: str = ":memory:") -> None:
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False)
        self._db.executescript(
            "DROP TABLE IF EXISTS word; DROP TABLE IF EXISTS near;"
            "CREATE TABLE word(word TEXT PRIMARY KEY) WITHOUT ROWID;"
            "CREATE TABLE near(variant TEXT NOT NULL, word TEXT NOT NULL);"
        )
        vocabulary = sorted(set(words))
        self._db.executemany("INSERT INTO word VALUES (?)", ((w,) for w in vocabulary))
        self._db.executemany(
            "INSERT INTO near VALUES (?, ?)",
            (
                (variant, word)
                for word in vocabulary
                for variant in deletions(word, allowed_typos(word))
                if variant != word
            ),
        )
        self._db.execute("CREATE INDEX near_variant ON near(variant)")
        self._db.commit()

    def __len__(self) -> int:
        with self._lock:
            return self._db.execute("SELECT COUNT(*) FROM word").fetchone()[0]

    def lookup(self, word: str, *, prefix: bool) -> dict[str, float]:
        """Words of the vocabulary ``word`` finds, each with a credit in (0, 1]."""
        found: dict[str, float] = {}
        typos = allowed_typos(word)
        variants = sorted(deletions(word, typos))
        marks = ",".join("?" * len(variants))
        with self._lock:
            candidates = {
                row[0]
                for row in self._db.execute(
                    f"SELECT word FROM word WHERE word IN ({marks}) "
                    f"UNION SELECT word FROM near WHERE variant IN ({marks})",
                    [*variants, *variants],
                )
            }
            longer = (
                [
                    row[0]
                    for row in self._db.execute(
                        "SELECT word FROM word WHERE word > ? AND word < ?",
                        (word, word + "\U0010ffff"),
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


def score_name(query: list[str], name: Name, credits: list[dict[str, float]]) -> float:
    """How well ``name`` answers ``query`` (0-100), word order free.

    ``credits[i]`` maps the vocabulary words query word ``i`` finds to their credit.
    Each query word takes its best name word (each name word used once); the score
    weighs the share of the query covered (70 %) and of the name covered (30 %), and
    an exact equality of the folded forms scores :data:`EXACT`.
    """
    if list(name.words) == query:
        return EXACT
    if sorted(name.words) == sorted(query):
        return EXACT - 2  # the same words in another order
    used: set[int] = set()
    covered = 0.0
    for found in credits:
        best, best_at = 0.0, -1
        for position, word in enumerate(name.words):
            credit = found.get(word, 0.0)
            if position not in used and credit > best:
                best, best_at = credit, position
        if best_at >= 0:
            used.add(best_at)
            covered += best
    if not used:
        return 0.0
    query_share = covered / len(query)
    name_share = covered / len(name.words)
    return round(100 * (0.7 * query_share + 0.3 * name_share) * 0.97, 1)


@dataclass
class NameIndex:
    """Every name of every indexed thing, its display name and its types."""

    names: list[Name] = field(default_factory=list)
    #: The name to show for each thing.
    display: dict[str, str] = field(default_factory=dict)
    #: Each thing's types, with every superclass of them.
    types: dict[str, frozenset[str]] = field(default_factory=dict)
    #: Each thing's types as the data states them.
    direct_types: dict[str, frozenset[str]] = field(default_factory=dict)
    #: Each class's superclasses.
    supers: dict[str, frozenset[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._postings: dict[str, list[int]] = defaultdict(list)
        self._exact: dict[str, list[int]] = defaultdict(list)
        for position, name in enumerate(self.names):
            for word in set(name.words):
                self._postings[word].append(position)
            self._exact[" ".join(name.words)].append(position)
        self.words = WordIndex(self._postings)

    def names_of(self, iri: str) -> list[Name]:
        """Every name of ``iri`` in the index."""
        return [name for name in self.names if name.iri == iri]

    def exact(self, text: str) -> list[Name]:
        """The names equal to ``text`` once folded (any thing, any predicate)."""
        return [self.names[i] for i in self._exact.get(folded(text), [])]

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
        seen: set[int] = set()
        for found in credits:
            for word in found:
                seen.update(self._postings[word])
        best: dict[str, Candidate] = {}
        joined = " ".join(query)
        for position in seen:
            name = self.names[position]
            if wanted is not None and not (self.types.get(name.iri, frozenset()) & wanted):
                continue
            score = score_name(query, name, credits)
            if score < minimum:
                continue
            candidate = Candidate(
                iri=name.iri,
                name=self.display.get(name.iri, name.text),
                matched=name.text,
                score=score,
                exact=" ".join(name.words) == joined,
                acronym=name.is_acronym,
            )
            held = best.get(name.iri)
            if held is None or _better(candidate, held):
                best[name.iri] = candidate
        ranked = sorted(best.values(), key=lambda c: (-c.score, len(c.name), c.name.casefold()))
        return ranked[:limit]


def _better(new: Candidate, old: Candidate) -> bool:
    """Prefer the higher score; on a tie the display name itself, then the shorter name."""
    if new.score != old.score:
        return new.score > old.score
    if (new.matched == new.name) != (old.matched == old.name):
        return new.matched == new.name
    return len(new.matched) < len(old.matched)


def build_name_index(store: GraphStore) -> NameIndex:
    """Read every name of our entities and ontology terms from ``store``."""
    values = " ".join(f"<{p}>" for p in NAME_PREDICATES)
    own = (namespaces.ENTITY, namespaces.ONTOLOGY)
    collected: dict[str, dict[tuple[str, str, str], None]] = defaultdict(dict)
    for row in select(
        store,
        f"SELECT DISTINCT ?s ?p ?o WHERE {{ VALUES ?p {{ {values} }} ?s ?p ?o "
        "FILTER(isIRI(?s) && isLiteral(?o)) }",
    ):
        literal = row["o"]
        collected[row["s"].value][(literal.value, literal.language or "", row["p"].value)] = None
    # Names an external record gives one of our entities (a ROR alias) find it too.
    for row in select(
        store,
        f"SELECT DISTINCT ?s ?p ?o WHERE {{ ?s <{SAME_AS}> ?ext . VALUES ?p {{ {values} }} "
        f'?ext ?p ?o FILTER(isLiteral(?o) && STRSTARTS(STR(?s), "{namespaces.ENTITY}")) }}',
    ):
        literal = row["o"]
        collected[row["s"].value][(literal.value, literal.language or "", SKOS_ALT)] = None

    names: list[Name] = []
    display: dict[str, str] = {}
    for iri, found in collected.items():
        if not iri.startswith(own):
            continue
        for text, language, predicate in found:
            words = tuple(fold(text))
            if words:
                names.append(Name(iri, text, language, predicate, words))
        display[iri] = _display_name(list(found))
    supers = _superclasses(store)
    direct = _direct_types(store)
    types = {
        iri: frozenset({*kinds, *(s for kind in kinds for s in supers.get(kind, ()))})
        for iri, kinds in direct.items()
    }
    return NameIndex(names=names, display=display, types=types, direct_types=direct, supers=supers)


def _display_name(found: list[tuple[str, str, str]]) -> str:
    """English rdfs:label first, then the other name predicates in order."""

    def rank(entry: tuple[str, str, str]) -> tuple[int, int]:
        _, language, predicate = entry
        preference = 0 if language == "en" else 1 if language == "" else 2
        return (NAME_PREDICATES.index(predicate), preference)

    return min(found, key=rank)[0]


def _superclasses(store: GraphStore) -> dict[str, frozenset[str]]:
    supers: dict[str, set[str]] = defaultdict(set)
    for row in select(
        store,
        f"SELECT DISTINCT ?c ?super WHERE {{ ?c <{SUBCLASS_OF}>+ ?super FILTER(isIRI(?super)) }}",
    ):
        supers[row["c"].value].add(row["super"].value)
    return {iri: frozenset(found) for iri, found in supers.items()}


def _direct_types(store: GraphStore) -> dict[str, frozenset[str]]:
    types: dict[str, set[str]] = defaultdict(set)
    for row in select(
        store,
        f"SELECT DISTINCT ?s ?t WHERE {{ ?s <{RDF_TYPE}> ?t "
        f'FILTER(isIRI(?s) && isIRI(?t) && STRSTARTS(STR(?s), "{namespaces.ENTITY}")) }}',
    ):
        types[row["s"].value].add(row["t"].value)
    return {iri: frozenset(found) for iri, found in types.items()}
