"""Validators for the third-party JSON Schemas in the shared corpus (DCAT-US, Data Package)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jsonschema import Draft4Validator, Draft7Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4, DRAFT7


def _registry(folder: Path, spec: Any) -> tuple[Registry, dict[str, Any]]:
    registry: Registry = Registry()
    by_name: dict[str, Any] = {}
    for f in sorted(folder.glob("*.json")):
        schema = json.loads(f.read_text("utf-8"))
        res = Resource.from_contents(schema, default_specification=spec)
        by_name[f.name] = schema
        registry = registry.with_resource(f.name, res)
        for key in ("id", "$id"):
            if isinstance(schema.get(key), str):
                registry = registry.with_resource(schema[key], res)
    return registry, by_name


def dcat_us_non_federal(corpus: Path) -> Draft4Validator:
    folder = corpus / "suites/dcat-us-project-open-data/dashboard/schema/non-federal-v1.1"
    registry, by_name = _registry(folder, DRAFT4)
    return Draft4Validator(
        by_name["catalog.json"], registry=registry, format_checker=FormatChecker()
    )


def data_package(corpus: Path) -> Draft7Validator:
    folder = corpus / "suites/table-schema-spec/public/profiles/1.0"
    registry, by_name = _registry(folder, DRAFT7)
    return Draft7Validator(
        by_name["datapackage.json"], registry=registry, format_checker=FormatChecker()
    )


def errors(validator: Any, data: Any) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(data)
    ][:20]
