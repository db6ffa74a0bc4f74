"""The dataset contract as code: vocabularies and JSON Schemas of the three YAML files.

The JSON Schemas in ``catalog/schemas/`` are generated from this module
(``catalog docs schemas``) so that editors can offer completion; the test suite checks the
shipped files are current.  Vocabularies that catalog.yaml may replace (categories,
licences) are defaults here and checked in ``validate``.
"""

from __future__ import annotations

import json
from typing import Any

SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]*$"
MOST_COLUMNS = 1999  # columns a table may have under any limits (SQLite allows 2,000)
# resource names whose downloads would be files the catalog writes for every dataset
RESERVED_RESOURCE_NAMES = {"datapackage": "datapackage.json"}
RESOURCE_NAME_PATTERN = r"^[a-z0-9][a-z0-9._-]*$"
DATASET_ID_PATTERN = r"^[a-z0-9][a-z0-9-]*/[a-z0-9][a-z0-9-]*$"
SOCRATA_ID_PATTERN = r"^[a-z0-9]{4}-[a-z0-9]{4}$"
SOCRATA_PATH_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9-]{0,99}/[A-Za-z0-9][A-Za-z0-9-]{0,99}$"
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
# a mailbox as people and mailto: links use it (no quoted local parts, no '?', '"' or spaces)
EMAIL_PATTERN = (
    r"^[A-Za-z0-9._%+'-]+@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)
HANDLE_PATTERN = r"^@?[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:/[A-Za-z0-9._-]+)?$"

DEFAULT_CATEGORIES = (
    "Business",
    "Education",
    "Environment and Natural Resources",
    "Government",
    "Health and Human Services",
    "Housing and Development",
    "Local Government",
    "Public Safety",
    "Tax and Revenue",
    "Transportation",
)

# update_frequency → DCAT-US accrualPeriodicity
UPDATE_FREQUENCIES: dict[str, str] = {
    "Not updated (historical only)": "irregular",
    "As needed": "irregular",
    "Annually": "R/P1Y",
    "Bi-annually": "R/P6M",
    "Quarterly": "R/P3M",
    "Bi-monthly": "R/P2M",
    "Monthly": "R/P1M",
    "Bi-weekly": "R/P2W",
    "Weekly": "R/P1W",
    "Every weekday": "R/P1D",
    "Daily": "R/P1D",
    "Other": "irregular",
}

# Days after which a dataset counts as overdue for its update frequency (freshness report).
FREQUENCY_DAYS: dict[str, int | None] = {
    "Not updated (historical only)": None,
    "As needed": None,
    "Annually": 366,
    "Bi-annually": 183,
    "Quarterly": 92,
    "Bi-monthly": 62,
    "Monthly": 31,
    "Bi-weekly": 14,
    "Weekly": 7,
    "Every weekday": 3,
    "Daily": 1,
    "Other": None,
}

ACCESS_LEVELS = ("public", "restricted public", "non-public")

GEOGRAPHIC_UNITS = (
    "Latitude/longitude",
    "Street address",
    "Parcel",
    "Census block",
    "Census block group",
    "Census tract",
    "Zip code",
    "Municipality",
    "Planning region",
    "County",
    "State",
    "Other",
    "Not applicable",
)

EXEMPTION_CATEGORIES = (
    "state-law",
    "federal-law",
    "personal-privacy",
    "public-safety",
    "public-health",
    "security",
    "law-enforcement",
    "trade-secret",
    "deliberative",
    "litigation",
    "operational-burden",
)

STATUSES = ("published", "archived")

DEFAULT_LICENSES = ("CC0-1.0", "CC-BY-4.0", "ODbL-1.0", "PDDL-1.0", "ODC-By-1.0")

# SPDX id → licence URL, for data.json, JSON-LD and pages.
LICENSE_URLS: dict[str, str] = {
    "CC0-1.0": "https://creativecommons.org/publicdomain/zero/1.0/",
    "CC-BY-4.0": "https://creativecommons.org/licenses/by/4.0/",
    "CC-BY-SA-4.0": "https://creativecommons.org/licenses/by-sa/4.0/",
    "ODbL-1.0": "https://opendatacommons.org/licenses/odbl/1-0/",
    "PDDL-1.0": "https://opendatacommons.org/licenses/pddl/1-0/",
    "ODC-By-1.0": "https://opendatacommons.org/licenses/by/1-0/",
    "OGL-UK-3.0": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
}

MARKS = ("bar", "line", "area", "point", "map")
NUMERIC = ("integer", "number")  # field types a chart can sum
TEMPORAL = ("date", "datetime", "year", "yearmonth", "time")  # field types a timeUnit applies to
NUMERIC_AGGREGATES = ("sum", "mean", "average", "median", "min", "max")
LAT_NAMES = ("latitude", "lat", "y_lat")  # coordinate fields found by name when a map names none
LON_NAMES = ("longitude", "lon", "lng", "long", "x_lon")
AGGREGATES = (
    "count",
    "sum",
    "mean",
    "average",
    "median",
    "min",
    "max",
    "distinct",
    "valid",
    "missing",
)
TIME_UNITS = (
    "year",
    "quarter",
    "month",
    "week",
    "day",
    "date",
    "yearmonth",
    "yearquarter",
    "yearmonthdate",
    "monthdate",
    "hours",
    "dayofyear",
)
ENCODING_TYPES = ("quantitative", "temporal", "nominal", "ordinal")

TABLE_SCHEMA_TYPES = (
    "string",
    "number",
    "integer",
    "boolean",
    "object",
    "array",
    "date",
    "time",
    "datetime",
    "year",
    "yearmonth",
    "duration",
    "geopoint",
    "geojson",
    "any",
)

PLACEHOLDER_MARK = "FILL IN"  # what `catalog new` writes where the ADO must write something
PLACEHOLDER_EMAIL = "fill-in@example.invalid"

SCHEMA_ID = "https://open-data-catalog.invalid/schemas/"

_text = {"type": "string", "minLength": 1}
_url = {"type": "string", "format": "uri", "pattern": "^https?://"}
_date = {"type": "string", "pattern": DATE_PATTERN}
_email = {"type": "string", "format": "email", "pattern": EMAIL_PATTERN}


def _obj(props: dict[str, Any], required: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "object", "properties": props, "additionalProperties": False}
    if required:
        out["required"] = required
    out.update(extra)
    return out


_encoding = {
    "oneOf": [
        {"type": "string", "minLength": 1, "description": "a field name"},
        _obj(
            {
                "field": {**_text, "description": "a field of the resource"},
                "aggregate": {"enum": list(AGGREGATES)},
                "timeUnit": {"enum": list(TIME_UNITS)},
                "type": {"enum": list(ENCODING_TYPES)},
                "title": _text,
                "sort": {"enum": ["ascending", "descending", "-x", "x", "-y", "y"]},
            },
        ),
    ]
}

# the constraints each field type supports (as Frictionless 5 has them; `unique` applies to all)
_ORDERED = (
    "required",
    "unique",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "enum",
)
_SIZED = ("required", "unique", "minLength", "maxLength", "enum")
CONSTRAINTS_BY_TYPE: dict[str, tuple[str, ...]] = {
    "string": ("required", "unique", "minLength", "maxLength", "pattern", "enum"),
    **dict.fromkeys(
        ("number", "integer", "date", "time", "datetime", "year", "yearmonth"), _ORDERED
    ),
    **dict.fromkeys(("object", "array"), _SIZED),
    **dict.fromkeys(
        ("boolean", "duration", "geopoint", "geojson", "any"), ("required", "unique", "enum")
    ),
}
# the formats a type accepts where Table Schema names them (dates and times take any pattern)
FORMATS_BY_TYPE: dict[str, tuple[str, ...]] = {
    "string": ("default", "email", "uri", "binary", "uuid", "wkt"),
    "geopoint": ("default", "array", "object"),
    "geojson": ("default", "topojson"),
}
_length = {"type": "integer", "minimum": 0}
CONSTRAINTS_SCHEMA = {
    "type": "object",
    "properties": {
        "required": {"type": "boolean"},
        "unique": {"type": "boolean"},
        "minLength": _length,
        "maxLength": _length,
        "pattern": {"type": "string"},
        "enum": {"type": "array", "minItems": 1},
        "minimum": {},
        "maximum": {},
        "exclusiveMinimum": {},
        "exclusiveMaximum": {},
    },
    "additionalProperties": False,
}


def _by_type(kind: str) -> dict[str, Any]:
    """What a field of one type may say, as a JSON Schema ``if``/``then`` (no ``type`` is
    a string, as in Table Schema)."""
    is_kind: dict[str, Any] = {"properties": {"type": {"const": kind}}, "required": ["type"]}
    if kind == "string":
        is_kind = {"anyOf": [is_kind, {"not": {"required": ["type"]}}]}
    then: dict[str, Any] = {
        "properties": {"constraints": {"propertyNames": {"enum": list(CONSTRAINTS_BY_TYPE[kind])}}}
    }
    if kind in FORMATS_BY_TYPE:
        then["properties"]["format"] = {"enum": list(FORMATS_BY_TYPE[kind])}
    return {"if": is_kind, "then": then}


_KEYS = {
    "oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}, "minItems": 1}]
}

FIELD_SCHEMA = {
    "type": "object",
    "required": ["name"],
    "allOf": [_by_type(kind) for kind in CONSTRAINTS_BY_TYPE],
    "properties": {
        "name": _text,
        "type": {"enum": list(TABLE_SCHEMA_TYPES)},
        "format": {"type": "string"},
        "title": {"type": "string"},
        "description": {"type": "string"},
        "example": {},
        "constraints": CONSTRAINTS_SCHEMA,
        "rdfType": {"type": "string"},
        "trueValues": {"type": "array", "items": {"type": "string"}},
        "falseValues": {"type": "array", "items": {"type": "string"}},
        "bareNumber": {"type": "boolean"},
        "groupChar": {"type": "string"},
        "decimalChar": {"type": "string"},
        "missingValues": {"type": "array", "items": {"type": "string"}},
        "protected": {
            "type": "boolean",
            "description": "never published: removed from every output",
        },
        "exemption": {
            "type": "string",
            "minLength": 1,
            "description": "legal authority for protecting the field, e.g. CGS 1-210(b)(2)",
        },
        "min_cell": {
            "type": "integer",
            "minimum": 2,
            "description": "values 1..min_cell-1 must be suppressed",
        },
        "unit": {"type": "string", "minLength": 1, "description": "unit of measure"},
    },
    "additionalProperties": False,
}

TABLE_SCHEMA = {
    "type": "object",
    "required": ["fields"],
    "properties": {
        "fields": {"type": "array", "minItems": 1, "items": FIELD_SCHEMA},
        "primaryKey": {
            "oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]
        },
        "foreignKeys": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["fields", "reference"],
                "properties": {
                    "fields": _KEYS,
                    "reference": {
                        "type": "object",
                        "required": ["fields"],
                        "properties": {"resource": {"type": "string"}, "fields": _KEYS},
                        "additionalProperties": False,
                    },
                },
                "additionalProperties": False,
            },
        },
        "missingValues": {"type": "array", "items": {"type": "string"}},
        "fieldsMatch": {"enum": ["exact", "equal", "subset", "superset", "partial"]},
        "$schema": {"type": "string"},
    },
    "additionalProperties": False,
}

DATASET_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": SCHEMA_ID + "dataset.schema.json",
    "title": "dataset.yaml",
    "description": "One dataset of the catalog (datasets/<agency>/<dataset>/dataset.yaml).",
    **_obj(
        {
            "title": {**_text, "maxLength": 200, "description": "plain-language title"},
            "description": {
                "type": "string",
                "minLength": 50,
                "maxLength": 20000,
                "description": "Markdown, at least 50 characters",
            },
            "category": {
                **_text,
                "description": "one value of catalog.yaml's categories",
                "examples": list(DEFAULT_CATEGORIES),
            },
            "keywords": {
                "type": "array",
                "minItems": 1,
                "maxItems": 50,
                "items": {**_text, "maxLength": 100},
            },
            "update_frequency": {"enum": list(UPDATE_FREQUENCIES)},
            "access_level": {"enum": list(ACCESS_LEVELS)},
            "rights": {**_text, "maxLength": 255},
            "exemptions": {
                "type": "array",
                "minItems": 1,
                "items": _obj(
                    {
                        "authority": {**_text, "maxLength": 200},
                        "category": {"enum": list(EXEMPTION_CATEGORIES)},
                        "note": {"type": "string", "maxLength": 1000},
                    },
                    ["authority", "category"],
                ),
            },
            "access_url": _url,
            "license": {**_text, "examples": list(DEFAULT_LICENSES)},
            "contact": _obj(
                {"name": {**_text, "maxLength": 200}, "email": _email}, ["name", "email"]
            ),
            "attribution": {**_text, "maxLength": 300},
            "row_label": {**_text, "maxLength": 100},
            "geographic_unit": {"enum": list(GEOGRAPHIC_UNITS)},
            "temporal_coverage": _obj(
                {"start": _date, "end": {"oneOf": [_date, {"type": "null"}]}}, ["start"]
            ),
            "spatial": {
                "oneOf": [
                    {**_text, "maxLength": 300},
                    {"type": "array", "items": {"type": "number"}, "minItems": 4, "maxItems": 4},
                ]
            },
            "source_link": _url,
            "references": {"type": "array", "items": _url},
            "issued": _date,
            "status": {"enum": list(STATUSES)},
            "default_chart": {
                "type": "boolean",
                "description": "false: no default chart when none is declared",
            },
            "socrata": _obj(
                {
                    "id": {"type": "string", "pattern": SOCRATA_ID_PATTERN},
                    "path": {
                        "type": "string",
                        "pattern": SOCRATA_PATH_PATTERN,
                        "description": "the old page's path, <Category>/<Name>",
                    },
                    "fields": {
                        "type": "object",
                        "additionalProperties": {
                            "type": "string",
                            "pattern": "^[A-Za-z0-9_:@]{1,128}$",
                        },
                        "description": "column name → the old API's field name",
                    },
                },
                ["id"],
                description="where the dataset lived on a Socrata portal (catalog import socrata)",
            ),
            "boundaries": _obj(
                {
                    "path": {
                        **_text,
                        "description": "a GeoJSON or TopoJSON file inside the dataset folder",
                    },
                    "key": {
                        **_text,
                        "description": "the property that names each area uniquely (e.g. GEOID)",
                    },
                    "name": {**_text, "description": "the property holding each area's name"},
                    "aliases": {
                        "type": "array",
                        "items": _text,
                        "description": (
                            "other properties whose values name areas too (e.g. NAMELSAD: "
                            "'Capitol Planning Region' besides 'Capitol')"
                        ),
                    },
                },
                ["path", "key"],
                description="areas other datasets' maps colour by value (a boundary dataset)",
            ),
            "harvested": _obj(
                {
                    "from": {**_text, "maxLength": 2000},
                    "identifier": {**_text, "maxLength": 2000},
                    "distributions": {
                        "type": "array",
                        "items": _obj(
                            {
                                "title": {**_text, "maxLength": 200},
                                "url": _url,
                                "media_type": {"type": "string", "maxLength": 100},
                                "kind": {"enum": ["download", "access"]},
                            },
                            ["title", "url"],
                        ),
                    },
                },
                ["from", "identifier"],
                description="a dataset whose data lives elsewhere (catalog import dcat)",
            ),
            "resources": {
                "type": "array",
                "items": _obj(
                    {
                        "name": {"type": "string", "pattern": RESOURCE_NAME_PATTERN},
                        "path": {**_text, "description": "a CSV file inside the dataset folder"},
                        "title": {**_text, "maxLength": 200},
                        "description": {"type": "string", "maxLength": 5000},
                        "schema": {
                            "oneOf": [
                                {
                                    **_text,
                                    "description": (
                                        "path to a YAML/JSON Table Schema inside the dataset folder"
                                    ),
                                },
                                TABLE_SCHEMA,
                            ]
                        },
                    },
                    ["name", "path", "schema"],
                ),
            },
            "charts": {
                "type": "array",
                "items": _obj(
                    {
                        "resource": _text,
                        "mark": {"enum": list(MARKS)},
                        "title": {**_text, "maxLength": 200},
                        "description": {"type": "string", "maxLength": 1000},
                        "x": _encoding,
                        "y": _encoding,
                        "color": _encoding,
                        "latitude": _text,
                        "longitude": _text,
                        "area": {
                            **_text,
                            "description": "the column holding each row's area (key or name)",
                        },
                        "boundaries": {
                            "type": "string",
                            "pattern": DATASET_ID_PATTERN,
                            "description": "the boundary dataset (<agency>/<dataset>)",
                        },
                        "filter": {
                            "type": "object",
                            "minProperties": 1,
                            "additionalProperties": {"type": ["string", "number", "boolean"]},
                            "description": (
                                "only rows whose field equals the value ('latest': the largest)"
                            ),
                        },
                        "midpoint": {
                            "type": "number",
                            "description": "a diverging colour scale around this value",
                        },
                        "others": {
                            "type": "array",
                            "items": _text,
                            "description": "values of the area column that are not areas",
                        },
                    },
                    ["resource", "mark", "title"],
                ),
            },
        },
        [
            "title",
            "description",
            "category",
            "keywords",
            "update_frequency",
            "access_level",
            "contact",
        ],
    ),
}

AGENCY_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": SCHEMA_ID + "agency.schema.json",
    "title": "agency.yaml",
    "description": "One agency of the catalog (datasets/<agency>/agency.yaml).",
    **_obj(
        {
            "name": {**_text, "maxLength": 200},
            "abbreviation": {**_text, "maxLength": 20},
            "website": _url,
            "description": {"type": "string", "maxLength": 5000},
            "data_officer": _obj(
                {
                    "name": {
                        **_text,
                        "maxLength": 200,
                        "description": "a role, e.g. 'Agency Data Officer'",
                    },
                    "handle": {"type": "string", "pattern": HANDLE_PATTERN},
                    "email": _email,
                },
                ["name", "handle"],
            ),
        },
        ["name", "abbreviation", "website", "description", "data_officer"],
    ),
}

CATALOG_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": SCHEMA_ID + "catalog.schema.json",
    "title": "catalog.yaml",
    "description": "Catalog-wide settings, owned by the Chief Data Officer.",
    **_obj(
        {
            "title": {**_text, "maxLength": 200},
            "base_url": {
                **_url,
                "description": "where the site is published, e.g. https://data.example.gov/",
            },
            "files_url": {
                **_url,
                "description": (
                    "where downloads are published when they live on object storage, e.g. "
                    "https://files.data.example.gov/ (the build writes them to a second tree)"
                ),
            },
            "description": {"type": "string", "maxLength": 5000},
            "publisher": {**_text, "maxLength": 200},
            "language": {"type": "string", "pattern": "^[a-z]{2}(-[A-Z]{2})?$"},
            "default_license": _text,
            "licenses": {"type": "array", "minItems": 1, "items": _text},
            "categories": {"type": "array", "minItems": 1, "items": _text},
            "cdo": _obj(
                {
                    "name": _text,
                    "email": _email,
                    "handle": {"type": "string", "pattern": HANDLE_PATTERN},
                },
                ["name", "email", "handle"],
            ),
            "repository": {"enum": ["public", "private"]},
            "repository_url": _url,
            "list_non_public": {
                "type": "boolean",
                "description": "list non-public inventory entries on the site and in data.json",
            },
            "map_outlines": {
                "type": "string",
                "pattern": DATASET_ID_PATTERN,
                "description": (
                    "a boundary dataset (<agency>/<dataset>) whose outlines point maps draw "
                    "behind their points unless a chart names its own boundaries"
                ),
            },
            "keep_old_files": {
                "type": "boolean",
                "description": (
                    "publish each public version's CSV at a permanent address "
                    "(datasets/<id>/<sha256 prefix>/<resource>.csv); natural with files_url"
                ),
            },
            "limits": _obj(
                {
                    "max_file_mb": {"type": "number", "exclusiveMinimum": 0},
                    "max_line_mb": {
                        "type": "number",
                        "minimum": 8,
                        "maximum": 256,
                        "description": "longest line of a data file, in MB",
                    },
                    "max_columns": {
                        "type": "integer",
                        "minimum": 1,
                        "maximum": MOST_COLUMNS,
                        "description": "most columns in a table (SQLite allows 2,000)",
                    },
                    "max_field_name_length": {
                        "type": "integer",
                        "minimum": 1,
                        "maximum": 1024,
                        "description": "longest field name, in characters",
                    },
                    "max_output_mb": {
                        "type": "number",
                        "exclusiveMinimum": 0,
                        "description": "largest estimated size of one resource's downloads",
                    },
                    "compress_above_mb": {
                        "type": "number",
                        "minimum": 0,
                        "description": (
                            "`catalog new` writes a data file larger than this compressed (.csv.gz)"
                        ),
                    },
                    "site_mb": {
                        "type": "number",
                        "exclusiveMinimum": 0,
                        "description": (
                            "largest pages' tree the host takes (GitHub Pages: 1 GB); the "
                            "build warns at 80 % and stops past it"
                        ),
                    },
                    "boundary_mb": {
                        "type": "number",
                        "exclusiveMinimum": 0,
                        "description": "largest boundary file (GeoJSON/TopoJSON) of a dataset",
                    },
                    "json_max_rows": {
                        "type": "integer",
                        "minimum": 0,
                        "description": (
                            "a JSON download for tables of up to this many rows (JSON is "
                            "two to four times the CSV)"
                        ),
                    },
                    "preview_rows": {"type": "integer", "minimum": 0, "maximum": 1000},
                    "max_problems_per_code": {"type": "integer", "minimum": 1},
                    "bulk_sqlite_rows": {
                        "type": "integer",
                        "minimum": 0,
                        "description": (
                            "build bulk/catalog.sqlite.gz while the catalog's public rows are at "
                            "most this many"
                        ),
                    },
                }
            ),
            "bureau_code": {"type": "string", "pattern": r"^\d{3}:\d{2}$"},
            "program_code": {"type": "string", "pattern": r"^\d{3}:\d{3}$"},
        },
        ["title", "base_url"],
    ),
}

SCHEMAS = {"dataset": DATASET_SCHEMA, "agency": AGENCY_SCHEMA, "catalog": CATALOG_SCHEMA}


def schema_json(name: str) -> str:
    """The JSON Schema of one of the three YAML files, as shipped in catalog/schemas."""
    return json.dumps(SCHEMAS[name], indent=2, ensure_ascii=False) + "\n"
