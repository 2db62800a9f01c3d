"""Unit tests of the format registry (sdkg.formats) and of negotiation (sdkg.negotiation).

Pure functions: no server, no store. The Accept headers are the ones real clients send.
"""

from __future__ import annotations

import pytest
from support import REPO

from sdkg import formats
from sdkg.negotiation import NotAcceptable, by_name, format_values, negotiate

# --------------------------------------------------------------------------- registry


def test_every_format_takes_media_type_extension_and_iri_from_pyoxigraph():
    for fmt in formats.FORMATS:
        if fmt.oxigraph is None:
            continue
        assert fmt.media_type == fmt.oxigraph.media_type.split(";")[0]
        assert fmt.extension == "." + fmt.oxigraph.file_extension
        assert fmt.iri is not None and fmt.iri.startswith("http://www.w3.org/ns/formats/")
        if fmt.kind == "dataset":
            assert fmt.oxigraph.supports_datasets


def test_names_are_unique_within_a_kind():
    for kind in formats.KINDS:
        seen: dict[str, str] = {}
        for fmt in formats.offered(kind):
            for name in fmt.all_names:
                assert name not in seen, f"{name} names both {seen[name]} and {fmt.name}"
                seen[name] = fmt.name


@pytest.mark.parametrize(
    ("value", "kind", "expected"),
    [
        # SPARQLWrapper's values (format=, output=, results=)
        ("json", "solutions", "json"),
        ("xml", "solutions", "xml"),
        ("csv", "solutions", "csv"),
        ("tsv", "solutions", "tsv"),
        ("json", "graph", "jsonld"),
        ("json-ld", "graph", "jsonld"),
        ("xml", "graph", "rdfxml"),
        ("rdf+xml", "graph", "rdfxml"),
        ("rdf", "graph", "rdfxml"),
        ("n3", "graph", "turtle"),
        ("turtle", "graph", "turtle"),
        # rdflib's names and Virtuoso's / Fuseki's
        ("ttl", "graph", "turtle"),
        ("nt", "graph", "nt"),
        ("ntriples", "graph", "nt"),
        ("N-Triples", "graph", "nt"),
        ("nquads", "dataset", "nq"),
        ("trig", "dataset", "trig"),
        # media types, with or without parameters
        ("application/sparql-results+json", "solutions", "json"),
        ("text/tab-separated-values", "solutions", "tsv"),
        ("application/rdf+xml", "graph", "rdfxml"),
        ("text/turtle; charset=utf-8", "graph", "turtle"),
    ],
)
def test_by_name_knows_the_names_clients_use(value, kind, expected):
    found = formats.by_name(value, kind)
    assert found is not None and found.name == expected


def test_by_name_of_an_unknown_value_is_none():
    assert formats.by_name("yaml", "solutions") is None
    assert formats.by_name("csv", "graph") is None


def test_extensions_for_the_loaders():
    assert formats.by_extension(".OWL").name == "rdfxml"
    assert formats.by_extension("ttl").name == "turtle"
    assert formats.by_extension(".nq").kind == "dataset"
    assert formats.by_extension(".csv") is None
    assert set(formats.rdf_files()) == {".ttl", ".nt", ".jsonld", ".rdf", ".owl", ".nq", ".trig"}


def test_bodies_are_read_only_by_exact_media_types():
    bodies = formats.rdf_bodies("graph")
    assert bodies["application/json"].name == "jsonld"
    assert "text/plain" not in bodies and "application/xml" not in bodies


def test_content_type_declares_utf8_for_text_only():
    assert formats.get("turtle").content_type() == "text/turtle; charset=utf-8"
    assert formats.get("nq").content_type() == "application/n-quads"
    assert formats.get("csv").content_type(header="absent") == (
        "text/csv; charset=utf-8; header=absent"
    )


# --------------------------------------------------------------------------- negotiation

SPARQLWRAPPER_JSON = (
    "application/sparql-results+json,application/json,text/javascript,application/javascript"
)
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.mark.parametrize(
    ("accept", "kind", "expected"),
    [
        ("text/turtle; charset=utf-8", "graph", "turtle"),
        ("application/sparql-results+json; charset=utf-8", "solutions", "json"),
        ("text/csv; charset=utf-8; header=present", "solutions", "csv"),
        ('application/ld+json; profile="http://www.w3.org/ns/json-ld#compacted"', "graph",
         "jsonld"),
        (SPARQLWRAPPER_JSON, "solutions", "json"),
        ("*/*", "solutions", "json"),
        ("*/*", "graph", "turtle"),
        ("", "graph", "turtle"),
        ("text/*", "solutions", "csv"),
        ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", "solutions", "xml"),
    ],
)  # fmt: skip
def test_accept_with_parameters_is_matched(accept, kind, expected):
    assert negotiate(accept, (), kind).name == expected


def test_understood_parameters_are_kept():
    csv = negotiate("text/csv; header=absent", (), "solutions")
    assert csv.csv_header == "absent"
    assert csv.content_type() == "text/csv; charset=utf-8; header=absent"
    expanded = negotiate(
        'application/ld+json; profile="http://www.w3.org/ns/json-ld#expanded"', (), "graph"
    )
    assert expanded.jsonld_form == "expanded"
    several = negotiate(
        'application/ld+json;profile="http://example.org/x http://www.w3.org/ns/json-ld#flattened"',
        (),
        "graph",
    )
    assert several.jsonld_form == "flattened"
    assert negotiate("text/turtle; charset=latin-1", (), "graph").content_type() == (
        "text/turtle; charset=utf-8"
    )


@pytest.mark.parametrize(
    ("accept", "kind", "expected"),
    [
        # rdflib SPARQLStore, returnFormat="json" / "xml", asking for a CONSTRUCT
        ("application/sparql-results+json", "graph", "jsonld"),
        ("application/sparql-results+xml", "graph", "rdfxml"),
        ("text/tab-separated-values", "graph", "nt"),
        # graph formats only, for a SELECT
        ("application/ld+json", "solutions", "json"),
        ("application/rdf+xml", "solutions", "xml"),
        ("text/turtle", "solutions", "tsv"),
        # an ASK answer has no CSV or TSV form (the W3C formats cover SELECT only)
        ("text/csv", "boolean", "json"),
        ("application/rdf+xml", "boolean", "xml"),
        # a triple format for the dump: its dataset superset
        ("application/n-triples", "dataset", "nq"),
        ("text/turtle", "dataset", "trig"),
    ],
)
def test_formats_of_the_other_kind_get_the_closest_stand_in(accept, kind, expected):
    assert negotiate(accept, (), kind).name == expected


def test_a_format_of_the_kind_wins_over_a_stand_in():
    accept = "application/sparql-results+json, text/turtle;q=0.1"
    assert negotiate(accept, (), "graph").name == "turtle"


def test_format_parameter_wins_and_unknown_values_fall_back_to_accept():
    assert negotiate("text/csv", ["xml"], "solutions").name == "xml"
    assert negotiate("text/csv", ["yaml"], "solutions").name == "csv"
    # SPARQLWrapper sends format=tsv&format=text/tab-separated-values
    assert negotiate("*/*", ["rdf+xml", "application/rdf+xml"], "graph").name == "rdfxml"
    assert negotiate("text/turtle", ["csv"], "graph").name == "nt"
    assert negotiate("text/turtle", ["html"], "graph").name == "turtle"  # no page on offer
    assert negotiate("text/turtle", ["html"], "graph", html=True).kind == "html"


def test_browsers_get_html_only_where_it_is_offered():
    assert negotiate(BROWSER, (), "solutions", html=True).kind == "html"
    assert negotiate(BROWSER, (), "solutions").name == "xml"  # application/xml;q=0.9


def test_nothing_acceptable_lists_the_offers():
    with pytest.raises(NotAcceptable) as raised:
        negotiate("image/png", (), "solutions")
    for fmt in formats.offered("solutions"):
        assert fmt.media_type in raised.value.message


def test_format_values_reads_every_format_parameter_in_order():
    params = [
        ("query", "ASK{}"),
        ("format", "json"),
        ("output", "xml"),
        ("results", " "),
        ("x", "1"),
    ]
    assert format_values(params) == ["json", "xml"]


def test_cli_names_are_strict():
    assert by_name("ttl", "graph").name == "turtle"
    with pytest.raises(NotAcceptable) as raised:
        by_name("csv", "graph")
    assert "text/turtle" in raised.value.message


def test_the_clients_page_lists_every_format_as_the_registry_says():

    page = (REPO / "docs" / "clients.md").read_text(encoding="utf-8")
    for fmt in formats.FORMATS:
        row = next(line for line in page.splitlines() if line.startswith(f"| `{fmt.name}` |"))
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        assert cells[1] == fmt.kind and cells[3] == f"`{fmt.media_type}`", row
        for name in fmt.names:
            assert f"`{name}`" in cells[5], (fmt.name, name)
