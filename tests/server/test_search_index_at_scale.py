"""The name index at scale: kept in ``names.sqlite`` in the store folder, updated when
contributions land or are withdrawn (in every worker), reused after a restart; the
large-index candidate path ranks as a scan of every name would; Chinese queries of one
and two characters.

Oracles: brute-force scoring of every name (``score_name`` over all of them), the
bundled data read with rdflib, and the contributions' own names.
"""

from __future__ import annotations

import random

import pytest
import requests
from rdflib import Graph, URIRef
from rdflib.namespace import RDFS, SKOS
from support.contributing import PREFIXES, TOKEN, write_tokens

from sdkg import names as names_module
from sdkg import resources
from sdkg.names import Name, NameIndex, fold, score_name

ID = "https://w3id.org/sdkg/id/"
LABEL = str(RDFS.label)
PREF = str(SKOS.prefLabel)
SYLLABLES = [("ka", "卡"), ("lo", "洛"), ("ri", "里"), ("ma", "马"), ("ne", "内"), ("ta", "塔"),
             ("si", "西"), ("va", "瓦"), ("ber", "贝"), ("lin", "林")]  # fmt: skip
KINDS = [("{} National Academy of Sciences", "{}国家科学院"), ("University of {}", "{}大学"),
         ("{} Institute of Physics", "{}物理研究所"), ("{} {}", "{}{}")]  # fmt: skip


def synthetic_names(count: int) -> list[Name]:
    """Names of ``count`` invented entities: English label, Chinese label, acronym."""
    chance = random.Random(17)
    found = []
    for number in range(count):
        picked = [chance.choice(SYLLABLES) for _ in range(chance.randint(2, 4))]
        english = "".join(s for s, _ in picked).capitalize()
        chinese = "".join(c for _, c in picked)
        pattern, pattern_zh = KINDS[number % len(KINDS)]
        if pattern == "{} {}":
            family = [chance.choice(SYLLABLES) for _ in range(2)]
            label = f"{english} {''.join(s for s, _ in family).capitalize()}"
            label_zh = chinese + "".join(c for _, c in family)
        else:
            label, label_zh = pattern.format(english), pattern_zh.format(chinese)
        iri = f"{ID}thing-{number}"
        found.append(Name(iri, label, "en", LABEL, tuple(fold(label))))
        found.append(Name(iri, label_zh, "zh-Hans", PREF, tuple(fold(label_zh))))
        acronym = "".join(w[0] for w in label.split() if w[0].isupper()) + str(number % 13)
        found.append(Name(iri, acronym, "", names_module.ACRONYM, tuple(fold(acronym))))
    return found


def scan(index: NameIndex, every: list[Name], text: str) -> dict[str, tuple[float, str]]:
    """Each thing's best score (and the name giving it) by a scan of every name."""
    query = fold(text)[: names_module.MAX_QUERY_WORDS]
    credits = [index.words.lookup(word, prefix=True) for word in query]
    best: dict[str, tuple[float, str]] = {}
    for name in every:
        score = score_name(query, name, credits)
        if score >= 40.0 and score > best.get(name.iri, (0.0, ""))[0]:
            best[name.iri] = (score, name.text)
    return best


def top(found: dict[str, tuple[float, str]], limit: int) -> list[float]:
    return sorted((score for score, _ in found.values()), reverse=True)[:limit]


def test_a_large_index_ranks_as_a_scan_of_every_name_would(tmp_path):
    every = synthetic_names(6000)
    index = NameIndex(every, path=str(tmp_path / "names.sqlite"))
    chance = random.Random(3)
    english = [n.text for n in every if n.language == "en"]
    chinese = [n.text for n in every if n.language.startswith("zh")]
    queries = ["academy", "university", "卡", "科学", "national academy", "Institute Physics"]
    for _ in range(15):
        label = chance.choice(english)
        queries += [label, label.replace("a", "", 1), label.split()[0][:4]]
        text = chance.choice(chinese)
        queries += [text[:1], text[1:3], text[:3]]
        queries.append(chance.choice([n.text for n in every if n.predicate.endswith("acronym")]))
    capped = 0
    for text in queries:
        credits = [index.words.lookup(w, prefix=True) for w in fold(text)]
        words = {w for found in credits for w in found}
        capped += index.words.uses(words) > names_module.FULL_RECALL_POSTINGS
        hits = index.search(text, limit=10)
        oracle = scan(index, every, text)
        if not names_module._CJK.match(text):
            assert [hit.score for hit in hits] == top(oracle, 10), text
            continue
        # Chinese: every character is a word, and a common one; at scale the names
        # holding the query's characters in a row are all found (and the shortest
        # holding them in any order), ranked as the scan ranks them.
        assert all(hit.score == oracle[hit.iri][0] for hit in hits), text
        cut = top(oracle, 10)[-1]
        in_a_row = {iri for iri, (score, name) in oracle.items() if text in name and score > cut}
        assert in_a_row <= {hit.iri for hit in hits}, text
    assert capped > len(queries) // 2  # most queries took the large-index path


def test_chinese_queries_of_one_and_two_characters_find_every_thing_holding_them(
    start_server, tmp_path
):
    server = start_server("--store", str(tmp_path / "store"))
    data = Graph()
    for path in sorted((resources.bundled_path("data")).rglob("*.ttl")):
        data.parse(path)
    for text in ("中", "中国", "科学"):
        holding = {
            str(s)
            for s, p, o in data
            if p in (RDFS.label, SKOS.prefLabel)
            and str(s).startswith(ID)
            and isinstance(s, URIRef)
            and all(char in str(o) for char in text)
        }
        assert holding, text
        response = requests.get(
            server.base + "search",
            params={"q": text, "limit": 100},
            headers={"Accept": "application/json"},
            timeout=60,
        )
        assert response.status_code == 200, response.text
        hits = [hit["iri"] for hit in response.json()["hits"]]
        assert holding <= set(hits), (text, holding - set(hits))


def contribution(slug: str, label: str) -> str:
    return (
        PREFIXES
        + f"""
id:{slug} a <http://www.w3.org/ns/org#Organization> ;
    rdfs:label "{label}"@en ;
    dcterms:source id:{slug}-page .
id:{slug}-page a <http://xmlns.com/foaf/0.1/Document> ;
    rdfs:label "About the {label} (web page)"@en ;
    <https://schema.org/url> <https://example.org/{slug}/about> .
"""
    )


def search_iris(base: str, text: str) -> list[str]:
    with requests.Session() as session:  # a new connection: any worker
        response = session.get(
            base + "search", params={"q": text}, headers={"Accept": "application/json"}, timeout=60
        )
    assert response.status_code == 200, response.text
    return [hit["iri"] for hit in response.json()["hits"]]


@pytest.mark.parametrize("mode", ["copy", "disk"])
def test_the_index_file_follows_contributions_and_survives_a_restart(start_server, tmp_path, mode):
    tokens = write_tokens(tmp_path)
    store = tmp_path / "store"
    args = ("--store", str(store), "--store-memory", mode)
    env = {"SDKG_TOKENS_FILE": str(tokens)}
    server = start_server(*args, "--workers", "2", env=env)
    assert ID + "twas" in search_iris(server.base, "TWSA")
    index_file = store / names_module.INDEX_FILE
    assert index_file.is_file()

    kept = requests.post(
        server.base + "contributions",
        data=contribution("zanzibar-ocean-institute", "Zanzibar Ocean Institute").encode(),
        headers={"Content-Type": "text/turtle", "Authorization": f"Bearer {TOKEN}"},
        timeout=60,
    )
    assert kept.status_code == 201, kept.text
    gone = requests.post(
        server.base + "contributions",
        data=contribution("pemba-reef-laboratory", "Pemba Reef Laboratory").encode(),
        headers={"Content-Type": "text/turtle", "Authorization": f"Bearer {TOKEN}"},
        timeout=60,
    )
    assert gone.status_code == 201, gone.text
    for _ in range(10):  # either worker
        assert search_iris(server.base, "Zanzibr Ocean")[:1] == [ID + "zanzibar-ocean-institute"]
        assert search_iris(server.base, "Pemba Reef")[:1] == [ID + "pemba-reef-laboratory"]
    withdrawn = requests.delete(
        server.base + f"contributions/{gone.json()['id']}",
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=60,
    )
    assert withdrawn.status_code == 200
    for _ in range(10):
        assert ID + "pemba-reef-laboratory" not in search_iris(server.base, "Pemba Reef")
    assert "name index built" in server.log_text()
    identity = index_file.stat().st_ino
    assert server.stop() == 0

    again = start_server(*args, env=env)
    assert search_iris(again.base, "Zanzibar Ocean Institute")[:1] == [
        ID + "zanzibar-ocean-institute"
    ]
    assert ID + "pemba-reef-laboratory" not in search_iris(again.base, "Pemba Reef")
    # The same file, updated in place: not built again on unchanged data.
    assert index_file.stat().st_ino == identity
    assert "name index built" not in again.log_text()


# --------------------------------------------------------------------------- names holding
# every query word, found from a second start with less work

SYLLABLES_FEW = ["ka", "lo", "ri", "ma", "ne", "ta", "si", "va", "do", "ra", "zu", "mo"]


def people_turtle(count: int, seed: int) -> str:
    """``count`` people named "Given Family": given names of two syllables, a few of them
    held by over a thousand people (a Zipf draw); family names of one of four syllables
    ("Ka") or of three beginning with one ("Kavama"): typos and beginnings find many words."""
    chance = random.Random(seed)
    given = [a + b for a in SYLLABLES_FEW for b in SYLLABLES_FEW]
    weights = [1 / (rank + 1) ** 1.1 for rank in range(len(given))]
    lines = [f"@prefix id: <{ID}> .", f"@prefix rdfs: <{RDFS}> ."]
    for number in range(count):
        first = chance.choices(given, weights)[0]
        family = chance.choice(SYLLABLES_FEW[:4])
        if chance.random() < 0.75:
            family += chance.choice(SYLLABLES_FEW[:6]) + chance.choice(SYLLABLES_FEW[:6])
        label = f"{first.capitalize()} {family.capitalize()}"
        lines.append(f'id:person-{number} rdfs:label "{label}"@en .')
    return "\n".join(lines) + "\n"


def test_the_second_start_finds_the_names_walking_it_would_find(tmp_path):
    """From the second (less rare) query word, the names holding every query word are
    read from the first word's and a partial word's names (``_holding_all_again``): the
    same names as walking the second word's shortest names, as the definition says; and
    the search ranks as scoring every candidate of that definition would."""
    from sdkg.config import Settings
    from sdkg.names import build_name_index
    from sdkg.store import open_local_store

    data = tmp_path / "data"
    data.mkdir()
    (data / "people.ttl").write_text(people_turtle(14_000, seed=5), encoding="utf-8")
    store = open_local_store(Settings(memory=True, data_dir=data, store_dir=tmp_path / "s"))
    index = build_name_index(store, str(tmp_path / "names.sqlite"))
    db = index._db()
    people = sorted(name.text for name in index.names if name.iri.startswith(ID + "person-"))
    assert len(set(people)) > 1000
    chance = random.Random(11)
    queries = []
    for label in chance.sample(people, 150):  # common names more often
        given, family = label.split()
        queries += [label, f"{given} {family[:2]}", f"{given[:-1]} {family}"]
    shortcut = walked_again = skipped = 0
    for text in queries:
        query = fold(text)
        credits = [index.words.lookup(word, prefix=True) for word in query]
        wanted = [sorted(found) for found in credits if found]
        if len(wanted) < 2:
            continue
        starts = sorted(((index.words.uses(words), words) for words in wanted), key=lambda s: s[0])
        first, second = starts[0][1], starts[1][1]
        held, partial = index._holding_all(db, first, wanted)
        walking = index._holding_all(db, second, wanted)[0]
        # The search scores every name either start finds, however it finds them.
        assert held | walking <= index._candidates(db, query, credits), text
        disjoint = len(set().union(*wanted)) == sum(len(words) for words in wanted)
        if not partial and disjoint:
            assert walking <= held, text  # nothing to find again: the second start is skipped
            skipped += 1
            continue
        found = index._holding_all_again(db, [first, second], wanted, held, partial)
        assert found == walking, text
        few = [v for v in second if index.words.uses([v]) <= names_module.ALL_WORDS_SCAN]
        if disjoint and few and index.words.uses(partial) <= names_module.PARTIAL_WORDS_SCAN:
            shortcut += 1
            holding = _names(index, walking)
            walked_again += any(sum(v in name.words for name in holding) >= 150 for v in few)
    # The second start was skipped, the shortcut taken, and the shortcut walked second
    # words held by 150 names or more.
    assert skipped > 50, skipped
    assert shortcut > 50, shortcut
    assert walked_again > 0, walked_again


def _names(index: NameIndex, ids: set[int]) -> list[Name]:
    rows = index._db().execute(
        f"SELECT {names_module._NAME_COLUMNS} FROM name WHERE id IN "
        f"({','.join(str(i) for i in sorted(ids))})"
    )
    return [names_module._name(row) for row in rows]
