"""sdkg: the Science Diplomacy Knowledge Graph.

An OWL ontology, SHACL-validated Turtle data and a SPARQL 1.1 endpoint over
them. See README.md for the commands; DESIGN.md in the shared folder for the map.
"""

__version__ = "0.1.0"
