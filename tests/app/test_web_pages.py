"""Home, search, query editor, ontology docs and contribution form, in-process (Flask's
test client over the bundled data).

Oracles: the essay (five centres of excellence, the acronyms), the bundled ontology and
data parsed with rdflib, never the pages' own output.
"""

from __future__ import annotations

import re
import statistics
import time
from html import unescape

import pytest
from rdflib import Graph
from rdflib.namespace import OWL, RDF
from support.apps import BASE

from sdkg.resources import ontology_file

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
ONTOLOGY_NS = "https://w3id.org/sdkg/ontology#"


def get(client, path, accept=BROWSER, **params):
    return client.get(path, headers={"Accept": accept}, query_string=params or None)


# --------------------------------------------------------------------------- home


def test_home_gives_source_licence_counts_and_links(client):
    response = get(client, "/")
    assert response.status_code == 200
    html = unescape(response.text)
    assert "CAS TWAS Science Diplomacy" in html and 'href="/id/mirza-baig"' in html
    assert 'href="https://opensource.org/license/mit"' in html
    # The essay lists five centres of excellence.
    assert re.search(r'<span class="n">5</span>centre of excellence', html)
    for link in ("/sparql", "/ontology", "/contribute", "/.well-known/void", "/dump", "/search"):
        assert f'"{link}"' in html
    assert "Content-Security-Policy" in response.headers
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]


# --------------------------------------------------------------------------- search


def search_json(client, q, **extra):
    response = get(client, "/search", accept="application/json", q=q, **extra)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    return response.get_json()


@pytest.mark.parametrize(
    ("query", "slug"),
    [
        ("TWAS", "twas"),  # acronym
        ("twas", "twas"),  # any case
        ("中国科学院", "cas"),  # Chinese official name
        ("中国科学技术大学", "ustc"),
        ("Tríëste", "trieste"),  # accents in the query are ignored
        ("forderung", "max-planck-society"),  # ... and in the label (Förderung)
        ("UNIVERSITAT HEIDELBERG", "heidelberg-university"),
        ("Abdus Salam", "abdus-salam"),
    ],
)
def test_search_finds_labels_acronyms_and_chinese_names(client, query, slug):
    body = search_json(client, query)
    iris = [hit["iri"] for hit in body["hits"]]
    assert f"https://w3id.org/sdkg/id/{slug}" in iris[:3], iris[:5]


def test_search_json_hits_have_iri_page_label_kind(client):
    body = search_json(client, "TWAS")
    assert body["query"] == "TWAS" and body["count"] == len(body["hits"]) > 0
    first = body["hits"][0]
    assert first["iri"] == "https://w3id.org/sdkg/id/twas"
    assert first["url"] == BASE + "id/twas"
    assert first["label"] == "The World Academy of Sciences"
    assert first["kind"] == "international academy"
    by_param = get(client, "/search", accept=BROWSER, q="TWAS", format="json").get_json()
    assert by_param == body


def test_search_html_groups_by_kind(client):
    response = get(client, "/search", q="heidelberg")
    assert response.headers["Content-Type"].startswith("text/html")
    assert "Accept" in response.headers["Vary"]
    headings = re.findall(r"<h2>([^<]+) <span", unescape(response.text))
    assert "City" in headings and "University" in headings
    assert len(headings) == len(set(headings))


def test_search_without_matches_or_query(client):
    assert search_json(client, "zzzqqq")["hits"] == []
    assert search_json(client, "")["hits"] == []
    assert get(client, "/search").status_code == 200


# --------------------------------------------------------------------------- editor


def test_editor_page_for_browsers_with_vendored_assets(client):
    response = get(client, "/sparql")
    assert response.status_code == 200
    html = response.text
    assert "<textarea" in html  # the no-script form
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', html)
    assert any("yasqe.min.js" in a for a in assets) and any("yasr.min.js" in a for a in assets)
    for asset in assets:
        assert client.get(asset).status_code == 200, asset
    assert "https://" not in "".join(re.findall(r'<script[^>]*src="([^"]+)"', html))


def test_editor_shows_a_query_from_the_url_and_its_rows_without_script(client):
    query = (
        "SELECT ?c ?a WHERE { ?c a <https://w3id.org/sdkg/ontology#CentreOfExcellence> ; "
        "<https://w3id.org/sdkg/ontology#acronym> ?a } ORDER BY ?a"
    )
    html = unescape(get(client, "/sparql", query=query).text)
    assert query in html
    cells = re.findall(r"<td>([^<]+)</td>", html)
    assert sorted(cells) == sorted(["CEGT", "CEWE", "CoEBio", "ICCES", "SDIM"])
    assert html.count('href="/id/') >= 5


def test_vocabulary_for_completion(client):
    body = get(client, "/editor/vocabulary.json", accept="application/json").get_json()
    assert body["prefixes"]["sdkg"] == ONTOLOGY_NS
    assert body["prefixes"]["org"] == "http://www.w3.org/ns/org#"
    assert ONTOLOGY_NS + "CentreOfExcellence" in body["classes"]
    assert ONTOLOGY_NS + "acronym" in body["properties"]


# --------------------------------------------------------------------------- ontology


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ontology_file(), format="turtle")


def test_ontology_page_has_an_anchor_per_term(client, ontology):
    html = get(client, "/ontology").text
    terms = {
        str(s)[len(ONTOLOGY_NS) :]
        for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
        for s in ontology.subjects(RDF.type, kind)
        if str(s).startswith(ONTOLOGY_NS)
    }
    assert len(terms) > 20
    for term in terms:
        assert f'id="{term}"' in html, term


def test_ontology_page_shows_hierarchy_domains_and_shapes(client):
    html = unescape(get(client, "/ontology").text)
    university = html[html.index('id="University"') :]
    university = university[: university.index("</section>")]
    assert "org:FormalOrganization" in university
    assert 'href="#jointResearchPartner"' in university  # domain org:Organization applies
    assert "What a contribution must contain" in html
    assert "schema:foundingDate must be a date at the precision known" in html


@pytest.mark.parametrize("how", [{"accept": "text/turtle"}, {"path": "/ontology.ttl"}])
def test_ontology_as_turtle_is_the_file(client, how):
    response = get(client, how.get("path", "/ontology"), accept=how.get("accept", BROWSER))
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/turtle")
    assert "Accept" in response.headers["Vary"]
    assert response.data == ontology_file().read_bytes()


def test_ontology_in_other_rdf_formats(client, ontology):
    response = get(client, "/ontology", accept="application/ld+json")
    assert response.headers["Content-Type"].startswith("application/ld+json")
    parsed = Graph().parse(data=response.data, format="json-ld")
    assert len(parsed) == len(ontology)
    assert get(client, "/ontology", accept="image/png").status_code == 406


# --------------------------------------------------------------------------- contribute


def test_contribute_form_posts_to_validate(client):
    html = get(client, "/contribute").text
    assert '<form id="contribution-form"' in html and 'action="/validate"' in html
    assert 'name="data"' in html and 'name="file"' in html and 'name="format"' in html
    assert 'type="password"' in html  # the token is never shown
    assert re.search(r"\son[a-z]+=", html) is None  # no inline event handlers


# --------------------------------------------------------------------------- speed

PAGES = [
    "/",
    "/search?q=TWAS",
    "/sparql",
    "/sparql?query=SELECT%20*%20WHERE%20%7B%3Fs%20%3Fp%20%3Fo%7D%20LIMIT%20200",
    "/id/cas",
    "/id/twas",
    "/id/ustc",
    "/id/cas-twas-science-diplomacy-essay",
    "/id/no-such-thing",
    "/ontology",
    "/contribute",
]


def test_every_page_renders_in_under_300_ms(client):
    slow = {}
    for path in PAGES:
        get(client, path)  # first render fills the per-generation caches
        times = []
        for _ in range(5):
            start = time.perf_counter()
            response = get(client, path)
            times.append(time.perf_counter() - start)
            assert response.status_code in (200, 404)
        median = statistics.median(times)
        if median >= 0.3:
            slow[path] = round(median * 1000)
    assert slow == {}
