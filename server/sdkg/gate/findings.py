"""What a gate check reads (:class:`GateInput`) and reports (:class:`Finding`).

The checks (the other modules of :mod:`sdkg.gate`) import this module, and
:mod:`sdkg.gate` imports them, so imports run one way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal

from rdflib import Graph, Node

from sdkg.names import NameIndex
from sdkg.solutions import Queryable
from sdkg.validation import SourceLocation

#: How grave a finding is: the SHACL severities.
Severity = Literal["Violation", "Warning", "Info"]


@dataclass(frozen=True)
class GateInput:
    """What a check may look at.

    ``submission`` is the contributed graph (or the files ``sdkg validate`` reads);
    ``context`` is what already exists and matters for it: the bundled ontology plus
    the submission's closure from the store (see :mod:`sdkg.closure`). ``store`` is the
    store itself, for look-ups beyond the closure (an identifier used elsewhere, a
    label to compare); it is None when the submission is validated alone. ``names`` is
    the store's name index (:mod:`sdkg.names`), where checks find things by name without
    reading every label of the store.
    """

    submission: Graph
    context: Graph
    locations: Mapping[Node, SourceLocation]
    store: Queryable | None = None
    names: NameIndex | None = None


@dataclass(frozen=True)
class Finding:
    """One problem a check found, in the words a contributor can act on."""

    focus_node: Node
    message: str
    rule: str  # the rule's name: the shape IRI is sdkg-shapes:Gate<rule>
    severity: Severity = "Violation"
    path: Node | None = None
    value: Node | None = None


Check = Callable[[GateInput], list[Finding]]
