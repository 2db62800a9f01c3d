"""The fixed query set of the benchmark, filled in with IRIs from ``generator.json``.

Each query has a ``kind``: ``lookup``, ``search``, ``join``, ``aggregate``, ``path`` or
``describe``; the targets single out lookups, joins and aggregates. Every query returns
fewer rows than the server's default row cap (10 000) at 1M triples, so that HTTP,
raw pyoxigraph and rdflib all return the whole answer.
"""

from __future__ import annotations

from typing import Any

PREFIXES = """PREFIX sdkg: <https://w3id.org/sdkg/ontology#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX schema: <https://schema.org/>
"""

SOLUTIONS = "application/sparql-results+json"
GRAPH = "text/turtle"


def lookup_query(iri: str) -> str:
    """Everything about one IRI: the lookup of the latency table and of the throughput test."""
    return f"SELECT ?p ?o WHERE {{ <{iri}> ?p ?o }}"


def queries(meta: dict[str, Any]) -> list[dict[str, str]]:
    """The benchmark queries for a generated graph (``meta`` is its generator.json)."""
    s = meta["samples"]
    academy, centre, country, continent = s["academy"], s["centre"], s["country"], s["continent"]
    items = [
        ("lookup-iri", "lookup", lookup_query(academy)),
        (
            "label-contains-zh",
            "search",
            f"""SELECT ?s ?label WHERE {{
  ?s skos:prefLabel ?label
  FILTER(LANGMATCHES(LANG(?label), "zh-Hans") && CONTAINS(?label, "{meta["search_zh"]}"))
}}""",
        ),
        (
            "label-regex-en",
            "search",
            """SELECT ?s ?label WHERE {
  ?s rdfs:label ?label
  FILTER(REGEX(STR(?label), "^university of ka", "i"))
}""",
        ),
        (
            "join2-orgs-in-country",
            "join",
            f"""SELECT ?org ?city WHERE {{
  ?city schema:containedInPlace <{country}> .
  ?org schema:location ?city .
}}""",
        ),
        (
            "join3-centre-host-city",
            "join",
            """SELECT ?centre ?host ?cityName WHERE {
  ?centre sdkg:hostedBy ?host .
  ?host schema:location ?city .
  ?city rdfs:label ?cityName .
}""",
        ),
        (
            "join4-fellows-in-continent",
            "join",
            f"""SELECT ?person ?host ?country WHERE {{
  ?fellowship org:member ?person ; org:organization ?host .
  ?host schema:location ?city .
  ?city schema:containedInPlace ?country .
  ?country schema:containedInPlace <{continent}> .
}}""",
        ),
        (
            "agg-orgs-per-country",
            "aggregate",
            """SELECT ?country (COUNT(DISTINCT ?org) AS ?orgs) WHERE {
  ?org a org:Organization ; schema:location ?city .
  ?city schema:containedInPlace ?country .
} GROUP BY ?country ORDER BY DESC(?orgs)""",
        ),
        (
            "agg-4hop-evidence-per-continent",
            "aggregate",
            """SELECT ?continent (COUNT(?evidence) AS ?n) WHERE {
  ?evidence rdf:subject ?org ; rdf:predicate schema:location .
  ?org schema:location ?city .
  ?city schema:containedInPlace ?country .
  ?country schema:containedInPlace ?continent .
} GROUP BY ?continent ORDER BY ?continent""",
        ),
        (
            "agg-evidence-per-source",
            "aggregate",
            """SELECT ?source (COUNT(*) AS ?n) WHERE {
  ?evidence a sdkg:Evidence ; dcterms:source ?source .
} GROUP BY ?source ORDER BY DESC(?n)""",
        ),
        (
            "path-suborganizations",
            "path",
            f"SELECT ?unit WHERE {{ ?unit org:subOrganizationOf+ <{academy}> }}",
        ),
        (
            "path-orgs-in-continent",
            "path",
            f"""SELECT (COUNT(DISTINCT ?org) AS ?orgs) WHERE {{
  ?org a org:Organization ; schema:location/schema:containedInPlace* <{continent}> .
}}""",
        ),
        ("describe-centre", "describe", f"DESCRIBE <{centre}>"),
    ]
    return [
        {
            "name": name,
            "kind": kind,
            "sparql": PREFIXES + text,
            "accept": GRAPH if kind == "describe" else SOLUTIONS,
        }
        for name, kind, text in items
    ]
