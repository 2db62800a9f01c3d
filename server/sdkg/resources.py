"""Where the bundled ontology, data and queries are.

In a source checkout (or an editable install) they sit at the repository root;
in a built wheel they are copied into ``sdkg/_bundled/``. Callers ask for a
folder by name and never need to know which case they are in.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
BUNDLED_NAMES = ("ontology", "data", "queries")


def bundled_path(name: str) -> Path:
    """Return the folder ``ontology``, ``data`` or ``queries`` shipped with sdkg."""
    if name not in BUNDLED_NAMES:
        raise ValueError(f"unknown bundled folder {name!r}; expected one of {BUNDLED_NAMES}")
    installed = PACKAGE_DIR / "_bundled" / name
    if installed.is_dir():
        return installed
    # server/sdkg/resources.py -> repository root is two levels above the package.
    checkout = PACKAGE_DIR.parent.parent / name
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(
        f"the bundled {name}/ folder is missing: looked in {installed} and {checkout}"
    )


def ontology_file() -> Path:
    """The OWL ontology, ``ontology/sdkg.ttl``."""
    return bundled_path("ontology") / "sdkg.ttl"


def shapes_file() -> Path:
    """The SHACL shapes, ``ontology/shapes.ttl``."""
    return bundled_path("ontology") / "shapes.ttl"
