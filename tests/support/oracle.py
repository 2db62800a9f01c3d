"""The tests' independent oracle: the fixture data and the curated data read by rdflib.

Expected answers are computed here from the files, not from sdkg, so a test compares
sdkg's output with what the data says; and graphs are compared by isomorphism (blank
nodes have no stable names): :func:`same_graph` puts both in W3C RDF Dataset
Canonicalization (RDFC-1.0) form, ~70x faster than rdflib's ``isomorphic`` on the
shapes graph (0.1 s against 7 s: its 700 blank nodes), and equally exact.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import pyoxigraph as ox
import rdflib

from support.servers import ENDPOINT_DATA

GRAPH = "https://w3id.org/sdkg/graph/"


ONTOLOGY_GRAPH_NAMES = {"sdkg": "ontology", "shapes": "shapes"}


def load_fixture_dataset(folder: Path = ENDPOINT_DATA):
    """An rdflib Dataset of ``folder`` with sdkg's graph naming: the tests' independent oracle.

    Each file is the graph ``GRAPH + <path without extension>``; TriG / N-Quads files
    keep their own graphs and put their default-graph triples in that graph. The
    bundled ontology, which the server always loads, is there too: ``sdkg.ttl`` as
    ``GRAPH + "ontology"``, ``shapes.ttl`` as ``GRAPH + "shapes"``.
    """
    from rdflib import Dataset, URIRef

    from sdkg.resources import bundled_path

    dataset = Dataset(default_union=True)
    for path in sorted(bundled_path("ontology").glob("*.ttl")):
        name = ONTOLOGY_GRAPH_NAMES.get(path.stem, "ontology/" + path.stem)
        dataset.graph(URIRef(GRAPH + name)).parse(path, format="turtle")
    for path in sorted(folder.rglob("*")):
        formats = {".ttl": "turtle", ".trig": "trig", ".nq": "nquads"}
        if path.suffix not in formats:
            continue
        graph_iri = URIRef(GRAPH + path.relative_to(folder).with_suffix("").as_posix())
        if path.suffix == ".ttl":
            dataset.graph(graph_iri).parse(path, format="turtle")
            continue
        parsed = Dataset()
        parsed.parse(path, format=formats[path.suffix])
        for s, p, o, g in parsed.quads((None, None, None, None)):
            name = g.identifier if hasattr(g, "identifier") else g
            target = graph_iri if name is None or str(name).startswith("urn:x-rdflib:") else name
            dataset.graph(URIRef(str(target))).add((s, p, o))
    return dataset


def load_curated_graph():
    """The bundled curated data (``data/`` without ``data/external/``) and the ontology,
    as one rdflib graph: what the shapes and the fact tests look at."""
    from rdflib import Graph

    from sdkg.resources import ontology_file
    from sdkg.validation import curated_data_files

    graph = Graph()
    for path in curated_data_files():
        graph.parse(path)
    graph.parse(ontology_file())
    return graph


def dump_graphs(content: bytes, fmt: str) -> dict[str, rdflib.Graph]:
    """The graphs of a gzip dump by name, for comparison by isomorphism (blank nodes)."""
    dataset = rdflib.Dataset()
    dataset.parse(data=gzip.decompress(content), format=fmt)
    return graphs_by_name(dataset)


def graphs_by_name(dataset: rdflib.Dataset) -> dict[str, rdflib.Graph]:
    """The graphs of ``dataset`` by name (a graph per name, to compare)."""
    graphs: dict[str, rdflib.Graph] = {}
    for s, p, o, g in dataset.quads((None, None, None, None)):
        name = str(g.identifier if hasattr(g, "identifier") else g)
        graphs.setdefault(name, rdflib.Graph()).add((s, p, o))
    return graphs


def assert_same_graphs(found: dict[str, rdflib.Graph], expected: dict[str, rdflib.Graph]) -> None:
    """The same graph names, and each pair of graphs isomorphic (blank nodes aside)."""
    assert set(found) == set(expected)
    for name, graph in expected.items():
        assert same_graph(found[name], graph), f"graph {name} differs"


def canonical_triples(graph: rdflib.Graph) -> set[str]:
    """``graph``'s triples with blank nodes named by RDFC-1.0 (pyoxigraph's implementation
    of the W3C algorithm; the graph itself was read by rdflib, not by sdkg)."""
    dataset = ox.Dataset(
        ox.parse(graph.serialize(format="nt", encoding="utf-8"), ox.RdfFormat.N_TRIPLES)
    )
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return {str(quad) for quad in dataset}


def same_graph(first: rdflib.Graph, second: rdflib.Graph) -> bool:
    """Whether the two graphs are isomorphic (the same triples, blank nodes aside)."""
    return len(first) == len(second) and canonical_triples(first) == canonical_triples(second)
