"""An entity page's "Referenced by" section when many things point to the entity: a
sample is listed, the rest counted and given as a query (in-process, Flask's test client)."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from sdkg.web.entity import INCOMING_SHOWN

MANY = INCOMING_SHOWN + 10
FEW = 3
PREFIXES = """@prefix id: <https://w3id.org/sdkg/id/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix schema: <https://schema.org/> .
"""
HTML = {"Accept": "text/html"}


@pytest.fixture(scope="module")
def client(make_app, tmp_path_factory) -> FlaskClient:
    lines = [PREFIXES, 'id:topic a schema:Thing ; rdfs:label "The topic"@en .']
    lines += [
        f'id:paper-{i} rdfs:label "Paper {i}"@en ; schema:about id:topic .' for i in range(MANY)
    ]
    lines += [
        f'id:event-{i} rdfs:label "Event {i}"@en ; schema:mentions id:topic .' for i in range(FEW)
    ]
    data: Path = tmp_path_factory.mktemp("referenced-data")
    (data / "referrers.ttl").write_text("\n".join(lines), encoding="utf-8")
    return make_app(data_dir=data).test_client()


def referenced_by(client: FlaskClient) -> list[str]:
    """The "Referenced by" section of the topic's page, one string per property."""
    response = client.get("/id/topic", headers=HTML)
    assert response.status_code == 200
    section = response.text.split('<h2 id="referenced-by">', 1)[1].split("</dl>", 1)[0]
    return section.split("<dt>")[1:]


def test_a_property_with_many_referrers_lists_some_and_links_a_query_for_all(client):
    about = next(part for part in referenced_by(client) if "schema:about" in part)
    listed = set(re.findall(r'href="/id/(paper-\d+)"', about))
    assert len(listed) == INCOMING_SHOWN
    assert listed <= {f"paper-{i}" for i in range(MANY)}
    assert f"and {MANY - INCOMING_SHOWN} more" in about
    found = re.search(r'<a href="(/sparql\?query=[^"]+)">list all (\d+)', about)
    assert found is not None and int(found[2]) == MANY
    link = unescape(found[1])
    answer = client.get(link, headers={"Accept": "application/sparql-results+json"})
    assert answer.status_code == 200
    everyone = {
        row["thing"]["value"].rsplit("/", 1)[1] for row in answer.json["results"]["bindings"]
    }
    assert everyone == {f"paper-{i}" for i in range(MANY)}


def test_a_property_with_few_referrers_lists_them_all(client):
    mentions = next(part for part in referenced_by(client) if "schema:mentions" in part)
    assert set(re.findall(r'href="/id/(event-\d+)"', mentions)) == {
        f"event-{i}" for i in range(FEW)
    }
    assert "more" not in mentions
