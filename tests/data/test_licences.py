"""Each graph states its own licence, and the VoID description reports each one.

The curated data files and the ontology are under the project's licence (MIT), the ROR
cache under CC0; ``/.well-known/void`` gives each named graph that states a licence its
own ``void:subset`` with that licence, instead of the first licence found anywhere. The
answers come from the app in-process (Flask's test client over the bundled data).
"""

from __future__ import annotations

import re

import rdflib
from rdflib import RDF, URIRef
from rdflib.namespace import DCTERMS

from sdkg import resources
from sdkg.describe import SD, VOID

MIT = URIRef("https://opensource.org/license/mit")
CC0 = URIRef("https://creativecommons.org/publicdomain/zero/1.0/")
GRAPH = "https://w3id.org/sdkg/graph/"


def test_every_bundled_file_states_its_graphs_licence() -> None:
    data = resources.bundled_path("data")
    files = sorted(data.glob("*.ttl")) + [resources.ontology_file(), data / "external/ror.ttl"]
    for path in files:
        graph = rdflib.Graph().parse(path)
        if path.parent.name == "external":
            name, expected = "external/ror", CC0
        elif path.parent.name == "ontology":
            name, expected = "ontology", MIT
        else:
            name, expected = path.stem, MIT
        assert list(graph.objects(URIRef(GRAPH + name), DCTERMS.license)) == [expected], path


def test_void_gives_each_subset_its_own_licence(client) -> None:
    response = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    void = rdflib.Graph().parse(data=response.text, format="turtle")
    dataset = next(void.subjects(VOID.sparqlEndpoint, None))
    licences = {}
    for subset in void.objects(dataset, VOID.subset):
        if (subset, RDF.type, VOID.Linkset) in void:
            continue
        licences[str(void.value(subset, SD.name))] = set(void.objects(subset, DCTERMS.license))
        assert int(void.value(subset, VOID.triples)) > 0
    assert licences[GRAPH + "external/ror"] == {CC0}
    assert licences[GRAPH + "ontology"] == {MIT}
    assert licences[GRAPH + "organizations"] == {MIT}
    assert licences[GRAPH + "sources"] == {MIT}
    # The parts differ: the dataset as a whole claims no single licence (not the first found).
    assert set(void.objects(dataset, DCTERMS.license)) == set()


def test_home_page_names_the_projects_licence_for_its_data(client) -> None:
    html = client.get("/", headers={"Accept": "text/html"}).text
    # (Links from data are isolated in <bdi>, see sdkg.web.links.)
    assert re.search(r"MIT</a>(</bdi>)? — the ontology and the project&#39;s data", html)
    assert re.search(r"CC0 1.0</a>(</bdi>)? — \d+ source records", html)
