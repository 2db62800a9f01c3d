"""Labels and kinds on pages, looked up per IRI (sdkg.web.labels), and the home page's
kind counts from the name index, over a small graph written for the rules.

Oracles: the rules of sdkg.names.NAME_PREDICATES (predicate order first, then English,
untagged, other languages), the ontology's class hierarchy, and the data below.
"""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest
from flask.testing import FlaskClient

DATA = """\
@prefix id: <https://w3id.org/sdkg/id/> .
@prefix sdkg: <https://w3id.org/sdkg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix schema: <https://schema.org/> .

id:uni-a a sdkg:University , org:FormalOrganization ;
    rdfs:label "Université A"@fr , "University A"@en ;
    skos:prefLabel "Uni A"@en ;
    schema:location id:place-p .
id:uni-b a sdkg:University ;
    skos:prefLabel "大学乙"@zh ;
    foaf:name "University B" .
id:person-c a schema:Person , foaf:Person ;
    schema:affiliation id:uni-a .
id:place-p a schema:Place .
"""
HTML = {"Accept": "text/html"}


@pytest.fixture(scope="module")
def client(make_app, tmp_path_factory) -> FlaskClient:
    data: Path = tmp_path_factory.mktemp("label-data")
    (data / "labels.ttl").write_text(DATA, encoding="utf-8")
    return make_app(data_dir=data).test_client()


def title(client: FlaskClient, path: str) -> str:
    response = client.get(path, headers=HTML)
    assert response.status_code == 200
    found = re.search(r"<h1>(.*?)</h1>", response.text, re.S)
    assert found is not None
    return unescape(re.sub(r"<[^>]+>", "", found.group(1))).strip()


def test_the_english_label_of_the_first_name_predicate_is_shown(client):
    # rdfs:label before skos:prefLabel, English before French.
    assert title(client, "/id/uni-a") == "University A"


def test_the_predicate_order_comes_before_the_language(client):
    # skos:prefLabel (Chinese) ranks above foaf:name (untagged).
    assert title(client, "/id/uni-b") == "大学乙"


def test_a_thing_without_a_name_is_shown_by_its_local_name(client):
    assert title(client, "/id/person-c") == "person-c"


def test_labels_of_linked_things_appear_on_the_page(client):
    html = unescape(client.get("/id/person-c", headers=HTML).text)
    assert re.search(r'<a href="/id/uni-a"[^>]*>(<bdi>)?University A', html)


def test_home_counts_each_thing_once_under_its_most_specific_type(client):
    html = unescape(client.get("/", headers=HTML).text)
    counted = {
        kind.strip(): int(n) for n, kind in re.findall(r'<span class="n">(\d+)</span>([^<]+)', html)
    }
    # uni-a is also an org:FormalOrganization, a superclass of sdkg:University;
    # schema:Person is a subclass of foaf:Person.
    assert counted.get("university") == 2
    assert "formal organization" not in {k.casefold() for k in counted}
    assert sum(counted.get(k, 0) for k in counted if "person" in k.casefold()) == 1


def test_labels_api_answers_for_iris_and_ignores_what_is_not_one(client):
    iris = [
        "https://w3id.org/sdkg/id/uni-b",
        "https://w3id.org/sdkg/id/x> } ; <a",
        "not an iri",
    ]
    response = client.post("/api/labels", json={"iris": iris})
    assert response.status_code == 200
    labels = response.get_json()["labels"]
    assert set(labels) == {iris[0]}
    assert labels[iris[0]]["label"] == "大学乙"
    assert labels[iris[0]]["kind"] == "university"
