"""Validating reconciliation responses against the specification's own JSON schemas.

The schemas (Reconciliation Service API 0.2) are vendored in
``tests/fixtures/vendor/reconciliation-schemas`` with their licence; they refer to each
other by ``$id`` (``type.json``), so they are loaded into one registry.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

SCHEMAS = Path(__file__).resolve().parents[1] / "fixtures" / "vendor" / "reconciliation-schemas"


def _registry() -> tuple[Registry, dict[str, dict]]:
    schemas = {}
    resources = []
    for path in sorted(SCHEMAS.glob("*.json")):
        if path.name == "openapi.json":
            continue
        schema = json.loads(path.read_text(encoding="utf-8"))
        schemas[path.stem] = schema
        # "$schema": "http://json-schema.org/schema#" names no draft; the schemas use
        # draft-7 keywords.
        resources.append((schema["$id"], Resource.from_contents(schema, DRAFT7)))
    return Registry().with_resources(resources), schemas


REGISTRY, SCHEMA_BY_NAME = _registry()


def validate(document: object, schema_name: str) -> None:
    """Raise ``jsonschema.ValidationError`` unless ``document`` fits the named schema."""
    schema = SCHEMA_BY_NAME[schema_name]
    validator = jsonschema.Draft7Validator(schema, registry=REGISTRY)
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
    if errors:
        raise errors[0]
