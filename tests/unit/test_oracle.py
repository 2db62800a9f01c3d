"""The tests' graph comparison (support.oracle.same_graph) agrees with rdflib's isomorphism."""

import pytest
import rdflib
from rdflib.compare import isomorphic
from support.oracle import same_graph

PREFIX = "@prefix x: <http://x/> .\n"
PAIRS = [
    # Same shape, blank nodes named differently: isomorphic.
    ("[] x:p [ x:q 'v' ] .", "_:a x:p _:b . _:b x:q 'v' ."),
    # The second property moved to the outer node: not isomorphic.
    ("[] x:p [ x:q 'v' ] .", "_:a x:p _:b . _:a x:q 'v' ."),
    # Two blank nodes that only their cycle tells apart.
    ("_:a x:p _:b . _:b x:p _:a .", "_:c x:p _:c ."),
    ("_:a x:p _:b . _:b x:p _:a .", "_:d x:p _:e . _:e x:p _:d ."),
    # A literal's language tag counts.
    ("x:s x:label 'Akademie'@de .", "x:s x:label 'Akademie' ."),
    # An RDF list against the same list in another order.
    ("x:s x:in ( x:a x:b ) .", "x:s x:in ( x:b x:a ) ."),
    ("x:s x:in ( x:a x:b ) .", "x:s x:in ( x:a x:b ) ."),
]


@pytest.mark.parametrize(("first", "second"), PAIRS)
def test_same_graph_agrees_with_rdflib_isomorphism(first, second):
    a = rdflib.Graph().parse(data=PREFIX + first, format="turtle")
    b = rdflib.Graph().parse(data=PREFIX + second, format="turtle")
    assert same_graph(a, b) == isomorphic(a, b)


def test_the_pairs_hold_both_answers():
    answers = set()
    for first, second in PAIRS:
        a = rdflib.Graph().parse(data=PREFIX + first, format="turtle")
        b = rdflib.Graph().parse(data=PREFIX + second, format="turtle")
        answers.add(same_graph(a, b))
    assert answers == {True, False}
