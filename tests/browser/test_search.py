"""Ranked, typo-tolerant name search (``sdkg.names``) through a real server: ``/search``
JSON and HTML, the header's autocomplete in Chromium, and the index following the store
when a contribution lands.

Oracles: the bundled data's own names (rdfs:label, skos:prefLabel, sdkg:acronym), read
with rdflib, and the essay's wording; never the search's own output.
"""

from __future__ import annotations

from itertools import pairwise

import pytest
import requests
from rdflib import Literal, URIRef
from rdflib.namespace import RDFS, SKOS
from support.browser import requires_chromium
from support.contributing import PREFIXES, TOKEN, write_tokens

ID = "https://w3id.org/sdkg/id/"
ACRONYM = URIRef("https://w3id.org/sdkg/ontology#acronym")


@pytest.fixture(scope="module")
def server(start_server, tmp_path_factory):
    tokens = write_tokens(tmp_path_factory.mktemp("tokens"))
    folder = tmp_path_factory.mktemp("contributions")
    return start_server(
        "--memory", "--contributions", str(folder), env={"SDKG_TOKENS_FILE": str(tokens)}
    )


def hits(server, q, **params):
    response = requests.get(
        server.base + "search", params={"q": q, **params}, headers={"Accept": "application/json"}
    )
    assert response.status_code == 200, response.text
    return response.json()["hits"]


def first(server, q) -> str:
    found = hits(server, q)
    assert found, f"nothing for {q!r}"
    return found[0]["iri"]


@pytest.mark.parametrize(
    ("query", "slug"),
    [
        ("Abdus Salaam", "abdus-salam"),  # one letter too many
        ("TWSA", "twas"),  # transposed acronym
        ("Salam Abdus", "abdus-salam"),  # word order
        ("Academy of Sciences, Chinese", "cas"),
        ("Max Plank Society", "max-planck-society"),  # a letter missing
        ("Universty of Science & Technology of China", "ustc"),
        ("Abdus Salam International Centre for Theoretical Physics", "ictp"),  # British spelling
        ("中国科学院", "cas"),
        ("中国科学技术大学", "ustc"),
        ("ICTP", "ictp"),
        ("cambridge", "cambridge-massachusetts"),
        ("Univ. of Oxford", "university-of-oxford"),  # abbreviations written out
        ("Intl Centre for Theoretical Physics", "ictp"),
    ],
)
def test_typos_word_order_acronyms_and_chinese_rank_the_intended_entity_first(server, query, slug):
    assert first(server, query) == ID + slug


def test_every_acronym_and_chinese_label_in_the_data_finds_its_entity_first(server, data):
    names = [(s, o) for s, o in data.subject_objects(ACRONYM)]
    names += [(s, o) for s, o in data.subject_objects(SKOS.prefLabel) if o.language == "zh-Hans"]
    assert len(names) > 15
    # Two things may share a name (an acronym of a centre and of its host); the search
    # then offers both first, in either order.
    sharing: dict[str, set] = {}
    for subject, name in names:
        sharing.setdefault(str(name), set()).add(str(subject))
    for subject, name in names:
        found = [hit["iri"] for hit in hits(server, str(name))]
        assert str(subject) in found[: len(sharing[str(name)])], (name, found[:3])


def test_a_word_inside_another_word_is_not_a_match(server, data):
    # "bridge" is inside "Cambridge"; only names with the word bridge may come back.
    found = hits(server, "bridge")
    assert ID + "cambridge-massachusetts" not in [hit["iri"] for hit in found]
    for hit in found:
        assert "bridge" in hit["matched"].lower().split() or "bridge" in hit["matched"].lower()
        assert "cambridge" not in hit["matched"].lower()


def test_exact_name_outranks_a_longer_name_containing_it(server):
    found = [hit["iri"] for hit in hits(server, "Abdus Salam")]
    assert found.index(ID + "abdus-salam") < found.index(ID + "ictp")


def test_scores_fall_and_json_limit_caps_the_hits(server):
    found = hits(server, "TWAS")
    scores = [hit["score"] for hit in found]
    assert scores == sorted(scores, reverse=True) and len(found) > 3
    assert found[0]["score"] == 100
    assert len(hits(server, "TWAS", limit=2)) == 2


@pytest.mark.parametrize("limit", ["0", "-1", "many", "100000"])
def test_a_bad_limit_is_refused_with_a_message(server, limit):
    response = requests.get(server.base + "search", params={"q": "TWAS", "limit": limit})
    assert response.status_code == 400
    assert "limit" in response.text and "Traceback" not in response.text


def test_a_pasted_paragraph_is_searched_by_its_first_sixteen_words(server):
    first_words = (
        "The Abdus Salam International Centre for Theoretical Physics in Trieste hosts "
        "TWAS and works with UNESCO on physics teaching research training"
    )
    assert len(first_words.split()) - 5 == 16  # "The", "for", "in", "and", "on" do not count
    found = hits(server, first_words)
    assert found and found[0]["iri"] == ID + "ictp"
    # Words past the sixteenth do not change the answer (within the search text's length
    # cap, which tests/app/test_web_untrusted.py checks).
    assert hits(server, first_words + " lorem ipsum" * 4) == found


def test_labels_in_the_data_are_what_the_search_shows(server, data):
    hit = hits(server, "USTC")[0]
    assert Literal(hit["label"], lang="en") in set(data.objects(URIRef(hit["iri"]), RDFS.label))


def test_a_contribution_is_searchable_on_the_next_request(server):
    assert ID + "zanzibar-ocean-institute" not in [hit["iri"] for hit in hits(server, "Zanzibar")]
    body = (
        PREFIXES
        + """
id:zanzibar-ocean-institute a <http://www.w3.org/ns/org#Organization> ;
    rdfs:label "Zanzibar Ocean Institute"@en ;
    sdkg:acronym "ZOI" ;
    dcterms:source id:zoi-about-page .
[] a sdkg:Evidence ; rdf:subject id:zanzibar-ocean-institute ; rdf:predicate sdkg:acronym ;
    rdf:object "ZOI" ; dcterms:source id:zoi-about-page ;
    <http://www.w3.org/ns/prov#value> "The Zanzibar Ocean Institute (ZOI)" .
id:zoi-about-page a <http://xmlns.com/foaf/0.1/Document> ;
    rdfs:label "About the Zanzibar Ocean Institute (web page)"@en ;
    <https://schema.org/url> <https://example.org/zoi/about> .
"""
    )
    response = requests.post(
        server.base + "contributions",
        data=body.encode(),
        headers={"Content-Type": "text/turtle", "Authorization": f"Bearer {TOKEN}"},
    )
    assert response.status_code == 201, response.text
    assert first(server, "Zanzibr Ocean Institute") == ID + "zanzibar-ocean-institute"
    assert first(server, "ZOI") == ID + "zanzibar-ocean-institute"


def test_search_page_lists_ranked_hits_in_html(server):
    response = requests.get(server.base + "search", params={"q": "Abdus Salaam"})
    assert response.headers["Content-Type"].startswith("text/html")
    page = response.text
    assert page.index('href="/id/abdus-salam"') < page.index('href="/id/ictp"')


def test_every_page_loads_the_autocomplete_script(server):
    for path in ("", "search?q=x", "contribute", "id/twas"):
        page = requests.get(server.base + path, headers={"Accept": "text/html"}).text
        assert '<script src="/static/autocomplete.js" defer></script>' in page, path
        assert 'id="site-search"' in page, path
    assert requests.get(server.base + "static/autocomplete.js").status_code == 200


@requires_chromium
def test_header_autocomplete_is_an_accessible_combobox_that_navigates(browser, server):
    page = browser.new_page()
    try:
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(server.base)
        box = page.locator("#site-search")
        assert box.get_attribute("role") == "combobox"
        assert box.get_attribute("aria-expanded") == "false"
        box.click()
        box.press_sequentially("Abdus Salaam", delay=20)
        options = page.get_by_role("option")
        options.first.wait_for()
        assert box.get_attribute("aria-expanded") == "true"
        listbox = page.locator("#" + box.get_attribute("aria-controls"))
        assert listbox.get_attribute("role") == "listbox"
        assert options.first.inner_text().startswith("Abdus Salam")
        box.press("ArrowDown")
        assert box.get_attribute("aria-activedescendant") == options.first.get_attribute("id")
        assert options.first.get_attribute("aria-selected") == "true"
        box.press("Enter")
        page.wait_for_url("**/id/abdus-salam")
        page.goto(server.base)
        box = page.locator("#site-search")
        box.click()
        box.press_sequentially("TWSA", delay=20)
        page.get_by_role("option").first.wait_for()
        # One suggestion a line, under each other (not the header's menu row).
        boxes = [o.bounding_box() for o in page.get_by_role("option").all()]
        assert len(boxes) > 1
        assert all(b["y"] >= a["y"] + a["height"] for a, b in pairwise(boxes)), boxes
        box.press("Escape")
        assert box.get_attribute("aria-expanded") == "false"
        assert errors == []
    finally:
        page.close()


# --------------------------------------------------------------------------- the word index


def test_the_word_index_finds_exactly_what_a_scan_of_the_vocabulary_finds():
    """The SQLite deletion-neighbourhood index against a brute-force scan (the oracle),
    for every word of the bundled names and typos of each made four ways."""
    import random

    from rapidfuzz.distance import OSA

    from sdkg.config import Settings
    from sdkg.names import WordIndex, allowed_typos, build_name_index, fold
    from sdkg.store import open_local_store

    index = build_name_index(open_local_store(Settings(memory=True)))
    vocabulary = sorted({word for name in index.names for word in fold(name.text)})
    words = WordIndex(vocabulary)
    assert len(words) == len(vocabulary) > 300

    def scan(query: str, prefix: bool) -> dict[str, float]:
        found = {}
        for word in vocabulary:
            distance = OSA.distance(query, word)
            if distance <= allowed_typos(query) and allowed_typos(word) >= distance:
                found[word] = 1.0 - 0.15 * distance
        if prefix and len(query) >= 2 and not ("\u4e00" <= query[0] <= "\u9fff"):
            for word in vocabulary:
                if word.startswith(query) and word != query and word not in found:
                    found[word] = 0.85
        return found

    chance = random.Random(15)
    queries = set(vocabulary)
    for word in vocabulary:
        if len(word) < 3:
            continue
        i = chance.randrange(len(word) - 1)
        queries.add(word[:i] + word[i + 1] + word[i] + word[i + 2 :])  # transposed
        queries.add(word[:i] + word[i + 1 :])  # a letter dropped
        queries.add(word[:i] + "x" + word[i:])  # a letter added
        queries.add(word[:i] + "q" + word[i + 1 :])  # a letter changed
        queries.add(word[: len(word) // 2])  # the beginning
    for query in sorted(queries):
        for prefix in (False, True):
            assert words.lookup(query, prefix=prefix) == scan(query, prefix), (query, prefix)
