"""sdkg: the Science Diplomacy Knowledge Graph.

An OWL ontology, SHACL-validated Turtle data and a SPARQL 1.1 endpoint over
them. See README.md for the commands; DESIGN.md in the shared folder for the map.

``from sdkg import open_graph`` gives the Python API (see :mod:`sdkg.api`).
"""

from typing import Any

__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    # Imported on first use, so that `sdkg --version` does not load the store code.
    if name == "open_graph":
        from sdkg.api import open_graph

        return open_graph
    raise AttributeError(f"module 'sdkg' has no attribute {name!r}")
