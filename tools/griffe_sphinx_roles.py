"""Show the code's Sphinx roles (:class:`Row`, :func:`open_graph`) as code in the API pages.

The docstrings are written for Sphinx-style readers; mkdocstrings renders Markdown, where
the role markers would show as text. Loaded by mkdocs.yml (mkdocstrings' griffe extensions).
"""

from __future__ import annotations

import re
from typing import Any

import griffe

ROLE = re.compile(r":(?:class|func|meth|mod|attr|data|exc|obj):`~?([^`]+)`")


class SphinxRoles(griffe.Extension):
    """Turn ``:role:`name``` into ``name`` in code style in every docstring."""

    def on_object(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = ROLE.sub(r"`\1`", obj.docstring.value)
