"""Spreadsheet contributions: CSV rows -> entities, facts and evidence, reconciled with the graph.

Modules: :mod:`~sdkg.csv_intake.templates` (the templates), :mod:`~sdkg.csv_intake.reading`
(the file and its mapping), :mod:`~sdkg.csv_intake.converting` (rows to RDF) and
:mod:`~sdkg.csv_intake.reporting` (the report by row and column).

A contributor sends a CSV file and a *mapping* that says which column plays which role
(the name, the kind, the parent, the country, the source document, the quote, ...) for
one of three *templates*:

- ``organizations``: one organization per row (new, or facts added to an existing one);
- ``partnerships``: two organizations and the kind of their partnership per row;
- ``fellowships``: a fellow, the host organization and the fellowship programme per row.

The mapping is a small JSON document (documented in ``docs/spreadsheets.md``)::

    {"template": "organizations",
     "columns": {"name": "Institution", "country": "Country", "quote": "Evidence"},
     "defaults": {"source": "cas-twas-science-diplomacy-essay"}}

``columns`` maps roles to column titles (a role left out is looked for under its
template title, e.g. ``Name``); ``defaults`` gives values for roles no column holds. A
CSVW metadata document (``tableSchema.columns`` with ``titles`` and ``propertyUrl``)
is read the same way, its ``propertyUrl`` naming the role (see
:data:`sdkg.csv_intake.reading.CSVW_PROPERTIES`).

Every name in a row is looked up with :class:`sdkg.reconciliation.Reconciler`, the same
rule the reconciliation service uses: a row naming "Chinese Academy of Sciences" adds to
``id:cas``; a name that is only *close* to an existing one is refused with the candidate
named, so that a typo never creates a near-duplicate (write the exact name, or its id in
the ``id`` column, or a new id there to create a new entity on purpose).

Each fact a row states gets an evidence node (``sdkg:Evidence`` with ``rdf:subject``,
``rdf:predicate``, ``rdf:object``, ``dcterms:source`` the document and ``prov:value``
the quote), as in ``data/sources.ttl``. :func:`convert` returns the graph and, for every
node and fact, the row and column it came from, so that the contribution gate's report
(:func:`locate_results`) points to cells, not triples.
"""

from __future__ import annotations

from sdkg.csv_intake.converting import Conversion, convert, identify, slugify
from sdkg.csv_intake.reading import (
    MAX_ROWS,
    ColumnMapping,
    CsvIntakeError,
    Table,
    guess_template,
    read_csv,
    read_mapping,
)
from sdkg.csv_intake.reporting import locate_results, problems_report, report
from sdkg.csv_intake.templates import TEMPLATES, template_csv, template_mapping
from sdkg.graphstore import GraphStore
from sdkg.reconciliation import Reconciler

__all__ = [
    "MAX_ROWS",
    "TEMPLATES",
    "ColumnMapping",
    "Conversion",
    "CsvIntakeError",
    "Table",
    "convert",
    "guess_template",
    "identify",
    "intake",
    "locate_results",
    "problems_report",
    "read_csv",
    "read_mapping",
    "report",
    "slugify",
    "template_csv",
    "template_mapping",
]


def intake(
    body: bytes,
    mapping_text: str | None,
    template: str | None,
    reconciler: Reconciler,
    store: GraphStore,
) -> tuple[ColumnMapping, Conversion]:
    """Read, map and convert a CSV file: the one path for HTTP and the command line.

    Without a mapping or a template, the template is the one the columns tell.
    Raises :class:`CsvIntakeError` for a file or mapping that cannot be used at all.
    """
    table = read_csv(body)
    if not template and not mapping_text:
        template = guess_template(table.header)
    mapping = read_mapping(mapping_text, template)
    return mapping, convert(table, mapping, reconciler, store)
