"""Problems are values: every finding of loading or validation is a ``Problem``.

The registry below is the single source of truth for problem codes: each code has a
default severity, a title and a description, and ``docs/problems.md`` is generated from it
(``catalog docs problems``).  Codes are stable, kebab-case, and never reused.  Codes that
come from Frictionless keep Frictionless' own names (``type-error``, ``blank-row`` …).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any, Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Code:
    """A problem code: its severity, title and what it means."""

    code: str
    severity: Severity
    title: str
    description: str


@dataclass(frozen=True)
class Message:
    """What a problem says, as templates (``str.format`` fields): its message and the fix.
    A key is a code (``file-missing``) or a code and a variant (``file-missing:schema``)."""

    key: str
    message: str
    hint: str

    @property
    def code(self) -> str:
        return self.key.split(":", 1)[0]


@dataclass(frozen=True, order=True)
class Problem:
    """One finding. ``path`` is relative to the catalog root; ``line`` is a line of a YAML
    file, ``row`` a row of a CSV file counted as Frictionless does (the header is row 1)."""

    path: str
    line: int | None
    row: int | None
    code: str
    severity: Severity
    message: str
    field: str | None = None
    hint: str | None = None

    def as_dict(self) -> dict[str, object]:
        return asdict(self)

    @property
    def location(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
        if self.row is not None:
            where += f" row {self.row}"
        if self.field:
            where += f" field {self.field!r}"
        return where


_CODES: dict[str, Code] = {}
_MESSAGES: dict[str, Message] = {}


def _c(code: str, severity: Severity, title: str, description: str) -> None:
    assert code not in _CODES, f"{code} defined twice"
    _CODES[code] = Code(code, severity, title, description)


def _m(key: str, message: str, hint: str) -> None:
    assert key.split(":", 1)[0] in _CODES, f"message {key} for an unknown code"
    assert key not in _MESSAGES, f"message {key} defined twice"
    _MESSAGES[key] = Message(key, message, hint)


# --- files and YAML --------------------------------------------------------------------
_c("yaml-syntax", "error", "YAML syntax error", "The file is not valid YAML.")
_c(
    "yaml-alias",
    "error",
    "YAML alias or anchor",
    "Anchors and aliases (`&x`, `*x`) are refused: they make files hard to review "
    "and allow 'billion laughs' expansion.",
)
_c(
    "yaml-duplicate-key",
    "error",
    "Duplicate YAML key",
    "A mapping names the same key twice; YAML would silently keep the last one.",
)
_c("yaml-not-mapping", "error", "Not a mapping", "The file must hold a mapping of keys to values.")
_c("file-missing", "error", "File missing", "A file the catalog needs does not exist.")
_c(
    "file-unreadable",
    "error",
    "File unreadable",
    "A file could not be read (permissions, not UTF-8, too large).",
)
_c(
    "folder-not-slug",
    "error",
    "Folder name is not a slug",
    "Agency and dataset folders must be lowercase slugs: `[a-z0-9][a-z0-9-]*`.",
)
_c(
    "stray-file",
    "warning",
    "Unexpected file",
    "A file sits where the catalog does not look for one.",
)
# --- metadata --------------------------------------------------------------------------
_c("required-key", "error", "Required key missing", "A key the contract requires is absent.")
_c("unknown-key", "error", "Unknown key", "A key the contract does not define; often a typo.")
_c(
    "wrong-type",
    "error",
    "Wrong type",
    "A value has the wrong type (text, list, mapping, number …).",
)
_c("invalid-value", "error", "Value not allowed", "A value is not one of the allowed values.")
_c("too-short", "error", "Too short", "A text or list is shorter than required.")
_c("too-long", "error", "Too long", "A text or list is longer than allowed.")
_c("invalid-url", "error", "Invalid URL", "A URL must be absolute http(s).")
_c(
    "over-limit",
    "error",
    "Over a limit",
    "A file, table or name is beyond one of catalog.yaml's `limits:`, which keep every "
    "build within bounded time, memory and output size.",
)
_c(
    "reserved-name",
    "error",
    "Reserved name",
    "A resource is named like a file the catalog writes for every dataset.",
)
_c(
    "control-characters",
    "warning",
    "Control characters",
    "Text holds invisible control characters (often pasted from another program); feeds "
    "and exports drop them.",
)
_c(
    "formula-like-text",
    "warning",
    "Text shaped like a formula",
    "A title or keyword starts with `=`, `+`, `-` or `@`: a spreadsheet opening the "
    "catalog's own CSV would run it as a formula, so `catalog.csv` writes it with a leading "
    "apostrophe.",
)
_c("invalid-email", "error", "Invalid email", "An email address is malformed.")
_c("invalid-date", "error", "Invalid date", "Dates are ISO 8601: YYYY-MM-DD.")
_c(
    "invalid-category",
    "error",
    "Unknown category",
    "The category is not in catalog.yaml's vocabulary.",
)
_c(
    "invalid-license",
    "error",
    "Licence not allowed",
    "The licence is not in catalog.yaml's allowed list.",
)
_c(
    "placeholder",
    "warning",
    "Placeholder left in",
    "A value still holds the text `catalog new` wrote; replace it.",
)
_c(
    "duplicate-identifier",
    "error",
    "Duplicate identifier",
    "Two datasets, resources, fields or charts share one identifier.",
)
_c(
    "unsafe-path",
    "error",
    "Unsafe path",
    "A resource or schema path leaves the dataset folder (absolute, `..`, or a symbolic link).",
)
_c(
    "invalid-table-schema",
    "error",
    "Invalid Table Schema",
    "The Table Schema is not valid Frictionless Table Schema.",
)
_c(
    "invalid-chart",
    "error",
    "Invalid chart",
    "A chart declaration names a missing resource or field, or an encoding that cannot work.",
)
_c(
    "invalid-boundaries",
    "error",
    "Unusable boundary file",
    "A boundary dataset's GeoJSON/TopoJSON file cannot be read, is not longitude/latitude, "
    "holds areas that are not polygons, or does not name each area by a unique key.",
)
_c(
    "invalid-map-outlines",
    "error",
    "Map outlines are not a boundary dataset",
    "catalog.yaml's `map_outlines` names a dataset that does not exist, has no boundary "
    "file, or is not public.",
)
_c(
    "boundary-repaired",
    "warning",
    "Invalid polygon repaired",
    "An area's polygon is not valid (a ring crosses itself, rings overlap); the build "
    "repairs it with shapely's make_valid, which may not be what the source meant.",
)
_c(
    "unknown-area",
    "error",
    "Value is not an area",
    "A map's area column holds a value that is neither a key nor a name of its boundaries.",
)
# --- exemptions ------------------------------------------------------------------------
_c(
    "access-level-missing",
    "error",
    "Access level missing",
    "Every dataset must say whether it is public, restricted public or non-public.",
)
_c(
    "rights-missing",
    "error",
    "Rights statement missing",
    "Datasets that are not public must say why (`rights`, at most 255 characters).",
)
_c(
    "exemptions-missing",
    "error",
    "Exemption missing",
    "Datasets that are not public must give the legal basis (`exemptions`).",
)
_c(
    "access-url-missing",
    "error",
    "Access URL missing",
    "Restricted public datasets must say where access is requested (`access_url`).",
)
_c(
    "resources-missing",
    "error",
    "No resources",
    "A public dataset must publish at least one resource.",
)
_c(
    "non-public-data-committed",
    "error",
    "Data of a non-public dataset is committed",
    "In a public repository, a restricted or non-public dataset must not carry "
    "data files: the repository itself would disclose them.",
)
_c(
    "protected-column-committed",
    "error",
    "Protected column committed",
    "In a public repository, a CSV must not contain a protected column: the repository "
    "itself would disclose it.",
)
_c(
    "protected-without-exemption",
    "error",
    "Protected field without exemption",
    "A protected field must name the legal authority (`exemption`).",
)
_c(
    "small-cell",
    "error",
    "Small cell not suppressed",
    "A value between 1 and min_cell-1 must be suppressed (written as a declared missing value).",
)
_c(
    "personal-data",
    "warning",
    "Suspected personal data",
    "A column looks like personal data (SSN, email, phone, birth date); flag "
    "it `protected` or remove it.",
)
_c(
    "personal-data-ssn",
    "error",
    "Social Security numbers",
    "Values shaped like Social Security numbers in an unprotected column.",
)
# --- data (Frictionless' own codes) ----------------------------------------------------
for _code, _title, _desc in [
    ("type-error", "Type error", "A cell cannot be read as the field's type/format."),
    (
        "constraint-error",
        "Constraint error",
        "A cell breaks a field constraint (minimum, maximum, pattern, enum, length, required).",
    ),
    ("missing-cell", "Missing cell", "A row has fewer cells than the header."),
    ("extra-cell", "Extra cell", "A row has more cells than the header."),
    ("blank-row", "Blank row", "A row is completely blank."),
    ("primary-key", "Primary key violation", "A primary key value is missing or repeated."),
    ("unique-error", "Unique constraint violation", "A value in a `unique` field is repeated."),
    ("foreign-key", "Foreign key violation", "A value has no match in the referenced resource."),
    ("blank-label", "Blank header", "A header cell is empty."),
    ("duplicate-label", "Duplicate header", "Two header cells have the same name."),
    (
        "incorrect-label",
        "Header does not match schema",
        "A header cell differs from the Table Schema's field name at that position.",
    ),
    ("missing-label", "Header missing a field", "The Table Schema has a field the header lacks."),
    (
        "extra-label",
        "Header has an extra column",
        "The header has a column the Table Schema lacks.",
    ),
    ("encoding-error", "Not UTF-8", "The file is not valid UTF-8 text."),
    ("source-error", "Unreadable data", "The file is empty or not a CSV."),
    ("scheme-error", "Unreadable data", "The file cannot be opened."),
    ("format-error", "Unsupported format", "The file format is not supported."),
    ("row-error", "Row error", "A row-level error reported by Frictionless."),
    ("cell-error", "Cell error", "A cell-level error reported by Frictionless."),
    ("label-error", "Header error", "A header error reported by Frictionless."),
    ("sequential-value", "Sequential value", "A value breaks a sequence check."),
    (
        "unpublishable-value",
        "Value no download can carry",
        "A value reads as its type, but no typed download could carry it: an integer "
        "beyond 64 bits, a time of day with a UTC offset, times with and without "
        "offsets in one column.",
    ),
    (
        "csv-syntax",
        "CSV syntax error",
        "The file breaks CSV syntax in a way that changes its meaning (a quote never closed).",
    ),
    (
        "file-too-large",
        "File too large",
        "A data file exceeds catalog.yaml's `limits.max_file_mb`.",
    ),
    (
        "unreadable-row",
        "Row error",
        "A row cannot be read (an error Frictionless reports of a whole row).",
    ),
]:
    _c(_code, "error", _title, _desc)
_c(
    "more-problems",
    "warning",
    "More problems not shown",
    "Problems of one code in one file are capped; this counts the rest.",
)
# --- catalog ---------------------------------------------------------------------------
_c(
    "agency-yaml-missing",
    "error",
    "agency.yaml missing",
    "Every agency folder needs an `agency.yaml`.",
)
_c(
    "codeowners-stale",
    "error",
    "CODEOWNERS out of date",
    "`.github/CODEOWNERS` differs from what `catalog codeowners` would write.",
)
_c(
    "internal-error",
    "error",
    "Internal error",
    "The catalog tool failed unexpectedly; please report it.",
)
_c(
    "site-too-large",
    "error",
    "Site over its host's limit",
    "The pages' tree would pass catalog.yaml's `limits.site_mb` (GitHub Pages: 1 GB); "
    "the build stops before publishing.",
)
_c(
    "site-near-limit",
    "warning",
    "Site near its host's limit",
    "The pages' tree holds more than 80 % of `limits.site_mb`.",
)
_c(
    "history-incomplete",
    "warning",
    "Change history incomplete",
    "The repository is a shallow clone: its history stops short, so versions counted from it "
    "would not be the repository's. The site is built without version numbers and row-level "
    "changes.",
)
_c(
    "explorer-unavailable",
    "warning",
    "Explorer not installed",
    "The explorer's JavaScript modules (pinned in `js/package.json`) are not installed, so "
    "the dataset pages are built without it: readers see the static preview only.",
)


# --- messages ----------------------------------------------------------------------------
# files and YAML
_m(
    "yaml-syntax",
    "YAML syntax error: {what}",
    "Check indentation (spaces, not tabs) and quote values that contain ': ' "
    "or start with a special character.",
)
_m("yaml-syntax:other", "YAML syntax error: {what}", "Check the file is YAML.")
_m(
    "yaml-syntax:too-deep",
    "values are nested more than {limit} levels deep",
    "Flatten the structure: no part of the contract nests deeper than a few levels.",
)
_m("yaml-syntax:value", "YAML value error: {what}", "Check the value's syntax.")
_m(
    "yaml-alias",
    "YAML anchors and aliases (`&name`, `*name`) are not allowed",
    "Write the repeated value out in full.",
)
_m("yaml-alias:merge", "merge keys (`<<`) are not allowed", "Write the keys out in full.")
_m(
    "yaml-duplicate-key",
    "key {key!r} appears twice in one mapping",
    "Keep one {key!r}; YAML would silently use the last one.",
)
_m(
    "yaml-not-mapping",
    "the file must be a mapping of keys to values",
    "Start each line with `key: value`.",
)
_m(
    "yaml-not-mapping:empty",
    "the file is empty",
    "Fill in the keys the contract requires; `catalog new` writes a template.",
)
_m(
    "wrong-type:yaml-tag",
    "YAML tag {tag!r} is not allowed",
    "Remove the `!!tag`: write plain text, numbers, lists and mappings.",
)
_m(
    "wrong-type:yaml-key",
    "a mapping key must be plain text",
    "Write keys as plain words, e.g. `title:`.",
)
_m("wrong-type:yaml-binary", "binary YAML values are not allowed", "Write plain text.")
_m(
    "file-unreadable:yaml-size",
    "YAML file is {size:,} bytes, more than {limit:,}",
    "Move long content (schemas) into separate files.",
)
_m(
    "file-unreadable:json-size",
    "JSON file is {size:,} bytes, more than {limit:,}",
    "Table Schemas are small; check this is the schema and not the data.",
)
_m("file-unreadable:os", "cannot read file: {reason}", "Check the file exists and is readable.")
_m(
    "file-unreadable:lfs-pointer",
    "{file} is a Git LFS pointer, not the data: the file was never pulled",
    "Run `git lfs install` and `git lfs pull`, then check again (in a workflow: "
    "actions/checkout with `lfs: true`).",
)
_m(
    "file-unreadable:compressed",
    "{file} cannot be decompressed as {format}: {reason}",
    "The file is truncated or not {format}: compress the CSV again (`gzip -k -9 FILE.csv` "
    "or `zstd -19 FILE.csv`) and add the whole file.",
)
_m(
    "file-unreadable:twice",
    "the folder holds both {file} and {other}, the same data plain and compressed",
    "Keep only the file `path:` names: delete {other}.",
)
_m("file-unreadable:not-utf8", "the file is not UTF-8 text", "Save the file as UTF-8.")
_m(
    "file-missing:datasets-folder",
    "the catalog has no datasets/ folder",
    "Create datasets/<agency>/agency.yaml; `catalog new` does it for you.",
)
_m(
    "file-missing:dataset-yaml",
    "dataset folder {folder} has no dataset.yaml",
    "Add dataset.yaml (`catalog new {ident} --from data.csv` writes one) or remove the folder.",
)
_m(
    "file-missing:schema",
    "schema file {path!r} does not exist",
    "Check the file name, or write the schema inline.",
)
_m(
    "file-missing:data",
    "data file {file!r} does not exist",
    "Add {file} to {folder}/, or correct `path:`.",
)
_m(
    "stray-file",
    "{name} is not an agency folder",
    "Agency folders hold agency.yaml; move or remove this file.",
)
_m(
    "folder-not-slug",
    "{kind} folder {name!r} is not a lowercase slug",
    "Rename it to {slug!r} (lowercase letters, digits and '-').",
)
_m(
    "agency-yaml-missing",
    "agency folder {name!r} has no agency.yaml",
    "Add agency.yaml with name, abbreviation, website, description and data_officer "
    "(name, handle).",
)
# metadata
_m("required-key", "required key {key!r} is missing{where}", "Add `{key}:` {want}.")
_m("access-level-missing", "required key {key!r} is missing{where}", "Add `{key}:` {want}.")
_m("unknown-key", "unknown key {key!r}{where}.{suggestion}", "Allowed keys here: {allowed}.")
_m("invalid-value", "{where}: {value!r} is not allowed.{suggestion}", "Use one of: {allowed}.")
_m(
    "invalid-value:handle",
    "{where}: {value!r} is not a code-host handle",
    "Write a user or team handle such as @octocat or @org/team.",
)
_m(
    "invalid-value:resource-name",
    "{where}: {value!r} is not a valid resource name",
    "Use lowercase letters, digits, '-', '_' or '.', starting with a letter or digit.",
)
_m(
    "invalid-value:pattern",
    "{where}: {value!r} does not match {pattern}",
    "Correct the value's format.",
)
_m(
    "invalid-value:range",
    "{where}: {value!r} is out of range ({bound} {limit})",
    "Correct the number.",
)
_m("invalid-value:other", "{where}: {what}", "Correct the value.")
_m(
    "invalid-table-schema:constraint",
    "{where}: constraint {value!r} does not apply to a field of type {type}",
    "The constraints of a {type} field: {allowed}.",
)
_m(
    "invalid-table-schema:foreign-key",
    "foreignKeys/{index}: {here} field(s) refer to {there} field(s)",
    "A foreign key names as many fields of this resource as of the one it refers to.",
)
_m("wrong-type", "{where} must be {want}, not {have}", "Write it {example}.")
_m(
    "too-short",
    "{where} has {have} {unit}; at least {least} needed",
    "Give at least {least} {unit}.",
)
_m(
    "too-short:description",
    "{where} has {have} {unit}; at least {least} needed",
    "Write at least {least} {unit}: what the data is, who collects it, how and "
    "why (search engines require it).",
)
_m(
    "too-long",
    "{where} has {have} {unit}; at most {most} allowed",
    "Shorten it to {most} {unit} or fewer.",
)
_m(
    "invalid-url",
    "{where}: {value!r} is not an http(s) URL",
    "Write the full address, starting with https://.",
)
_m(
    "invalid-url:reason",
    "{where}: {value!r} is not a URL to publish: {reason}",
    "Copy the address from the browser's address bar (https://…).",
)
_m(
    "invalid-email",
    "{where}: {value!r} is not an email address",
    "Write a role mailbox such as data.officer@agency.example.gov.",
)
_m(
    "invalid-date",
    "{where}: {value!r} is not a date written YYYY-MM-DD",
    "Write the date as YYYY-MM-DD, e.g. 2024-07-01.",
)
_m("invalid-date:calendar", "{where}: {value!r} is not a calendar date", "Check the month and day.")
_m(
    "invalid-date:coverage",
    "temporal_coverage ends before it starts",
    "Swap start and end, or correct one of them.",
)
_m(
    "invalid-category",
    "category {category!r} is not in the catalog's vocabulary.{suggestion}",
    "Use one of: {allowed}.",
)
_m(
    "invalid-license",
    "license {license!r} is not allowed in this catalog.{suggestion}",
    "Use an SPDX id from catalog.yaml's licenses: {allowed}, or leave it out for the default.",
)
_m(
    "invalid-license:default",
    "default_license {license!r} is not in licenses",
    "Add it to `licenses:` or choose one of: {allowed}.",
)
_m(
    "placeholder",
    "{key} still holds the placeholder written by `catalog new` or `catalog import`",
    "Replace the text marked FILL IN with the real value.",
)
_m(
    "placeholder:agency",
    "{key} still holds the placeholder written by `catalog new` or `catalog import`",
    "Replace it with the agency's real details.",
)
_m(
    "duplicate-identifier:resource",
    "two resources are named {name!r}",
    "Give each resource its own name.",
)
_m("duplicate-identifier:field", "two fields are named {name!r}", "Give each field its own name.")
_m(
    "duplicate-identifier:table",
    "resources {first!r} and {name!r} both become the table {table!r} of the bulk database",
    "Rename one of them: names differing only in '-', '_' or '.' collide.",
)
_m(
    "duplicate-identifier:socrata",
    "datasets {first!r} and {name!r} both give the old portal identifier {ident!r}",
    "Keep socrata.id on the dataset that replaces the old one and remove it from the other: "
    "the old addresses can lead to one dataset only.",
)
_m(
    "reserved-name:socrata-path",
    "socrata.path {path!r} starts with {top!r}, a folder of this site",
    "Give the old page's path as the portal had it (<Category>/<Name>), or leave path out: "
    "/d/<id> still leads to the dataset.",
)
_m(
    "reserved-name",
    "resource name {name!r} is the name of a file the catalog writes ({file})",
    "Rename the resource (for example {name}-data).",
)
_m(
    "over-limit:columns",
    "{where} has {count:,} columns; this catalog accepts at most {limit:,}",
    "Split the table into several resources that share a key column, or ask the CDO to "
    "raise limits.max_columns in catalog.yaml (at most 1,999: SQLite's own limit).",
)
_m(
    "over-limit:field-name",
    "field name {name!r} is {length:,} characters long; at most {limit:,} allowed",
    "Use a short name (it heads the column in every download and repeats in every JSON "
    "row) and put the full wording in the field's title or description.",
)
_m(
    "over-limit:line",
    "{file}: line {line:,} is {size:,.1f} MB long; this catalog accepts lines of at most "
    "{limit:,.0f} MB",
    "A line this long is usually an export fault (a whole file on one line, or a quote "
    "that never closes); fix the export, or ask the CDO to raise limits.max_line_mb.",
)
_m(
    "over-limit:output",
    "{file}: its downloads would take about {size:,.0f} MB (the JSON download repeats every "
    "column name on each of its {rows:,} rows); at most {limit:,.0f} MB per resource",
    "Shorten the column names, split the file into several resources, or ask the CDO to "
    "raise limits.max_output_mb in catalog.yaml.",
)
_m(
    "control-characters",
    "{where} holds the control character U+{code:04X}",
    "Remove it: retype the text, or paste it through a plain-text editor.",
)
_m(
    "formula-like-text",
    "{where} starts with {first!r}: a spreadsheet would read {value!r} as a formula",
    "Start it with a word, or leave it: catalog.csv writes it with a leading apostrophe.",
)
_m(
    "duplicate-identifier:field-case",
    "fields {first!r} and {name!r} differ only in case: databases, R and spreadsheets "
    "read them as one column",
    "Rename one of the two columns (in the CSV header and the schema), e.g. add "
    "what distinguishes them.",
)
_m("duplicate-identifier:category", "category {name!r} is listed twice", "List each category once.")
_m("duplicate-identifier:keyword", "keyword {name!r} is listed twice", "List each keyword once.")
_m(
    "unsafe-path:resource",
    "resource path {path!r} {reason}",
    "Put the file inside the dataset folder and write its name, e.g. `path: data.csv`.",
)
_m(
    "unsafe-path:boundaries",
    "boundary file path {path!r} {reason}",
    "Put the GeoJSON or TopoJSON file inside the dataset folder, e.g. `path: towns.geojson`.",
)
_m(
    "unsafe-path:schema",
    "schema path {path!r} {reason}",
    "Put the schema file inside the dataset folder, e.g. `schema: schema.yaml`.",
)
_m("invalid-table-schema:json", "schema file is not valid JSON: {error}", "Fix the JSON syntax.")
_m(
    "invalid-table-schema:not-mapping",
    "a Table Schema must be a mapping with `fields`",
    "Write `fields:` with a list of fields.",
)
_m(
    "invalid-table-schema:primary-key",
    "primaryKey names {name!r}, which is not a field",
    "List field names that exist in `fields`.",
)
_m(
    "invalid-table-schema:pattern",
    "field {name!r}: pattern is not a valid regular expression ({error})",
    "Fix the regular expression.",
)
_m(
    "invalid-table-schema:bound",
    "field {name!r}: {constraint} must be a number",
    "Write `{constraint}: 0` (no quotes).",
)
_m(
    "invalid-table-schema:enum",
    "field {name!r}: enum must be a list",
    "Write the allowed values as a list.",
)

_m(
    "invalid-chart:not-public",
    "chart {title!r}: a {level} dataset has no charts",
    "Remove the chart: only public datasets publish charts.",
)
_m(
    "invalid-chart:resource",
    "chart {title!r}: resource {resource!r} does not exist.{suggestion}",
    "Name one of the dataset's resources: {names}.",
)
_m(
    "invalid-chart:map-field",
    "chart {title!r}: a map needs a {role} field{declared}",
    "Add `{role}: <field>` naming a numeric {role} field of {resource!r}.",
)
_m(
    "invalid-chart:protected",
    "chart {title!r}: {role} field {name!r} is protected and cannot be charted",
    "Chart a field that is published.",
)
_m(
    "invalid-chart:not-numeric",
    "chart {title!r}: {role} field {name!r} is {type}, not a number",
    "Declare {name!r} as type number in the schema.",
)
_m(
    "invalid-chart:no-encoding",
    "chart {title!r}: needs an x or a y encoding",
    "Add `x: <field>` and `y: <field>` (or `y: {{aggregate: count}}`).",
)
_m(
    "invalid-chart:no-x",
    "chart {title!r}: a {mark} chart needs an x encoding",
    "Add `x: <date field>`.",
)
_m(
    "invalid-chart:field",
    "chart {title!r}: {role} field {name!r} is not a field of {resource!r}.{suggestion}",
    "Use one of: {names}.",
)
_m(
    "invalid-chart:aggregate",
    "chart {title!r}: {role}: aggregate {aggregate!r} needs a numeric field; {name!r} is {type}",
    "Use `aggregate: count` or `distinct`, or a numeric field.",
)
_m(
    "invalid-chart:time-unit",
    "chart {title!r}: {role}: timeUnit {unit!r} needs a date field; {name!r} is {type}",
    "Remove timeUnit, or declare the field as date/datetime/year/yearmonth.",
)
_m(
    "invalid-chart:area-field",
    "chart {title!r}: area column {name!r} is not a field of {resource!r}.{suggestion}",
    "Name the column holding each row's area (a town, a region): one of {names}.",
)
_m(
    "invalid-chart:no-area",
    "chart {title!r}: a map by area needs `area: <column>`",
    "Add `area:` naming the column whose values are keys or names of the boundaries' areas.",
)
_m(
    "invalid-chart:no-boundaries",
    "chart {title!r}: a map by area needs `boundaries: <agency>/<dataset>`",
    "Name the boundary dataset to draw on{known}.",
)
_m(
    "invalid-chart:boundaries",
    "chart {title!r}: boundary dataset {name!r} does not exist.{suggestion}",
    "Name a dataset that has a `boundaries:` file{known}.",
)
_m(
    "invalid-chart:not-boundaries",
    "chart {title!r}: dataset {name!r} has no boundary file",
    "Name a dataset with a `boundaries:` file{known}, or add one to {name!r}.",
)
_m(
    "invalid-chart:boundaries-not-public",
    "chart {title!r}: boundary dataset {name!r} is not public",
    "Maps are published: draw them on a public boundary dataset.",
)
_m(
    "invalid-chart:unusable-boundaries",
    "chart {title!r}: the boundary file of {name!r} has errors ({file})",
    "Fix the problems reported for {file}; the map is drawn once they are fixed.",
)
_m(
    "invalid-chart:filter",
    "chart {title!r}: filter field {name!r} is not a field of {resource!r}.{suggestion}",
    "Filter on a published field: {names}.",
)
_m(
    "invalid-chart:filter-value",
    "chart {title!r}: no row has {name} = {value!r}",
    "Use a value that occurs in the column, or `latest` for its largest value.",
)
_m(
    "unknown-area",
    "{value!r} in column {column!r} is not an area of {boundaries}.{suggestion}",
    "Correct the value to an area's key or name, or list it under the chart's `others:` if it "
    "is not an area on purpose (a statewide total).",
)
_m(
    "more-problems:unknown-area",
    "{more} more values of column {column!r} are not areas of {boundaries}",
    "Check the column against the boundary dataset's areas.",
)
_m(
    "invalid-boundaries:missing",
    "boundary file {file!r} does not exist",
    "Add the GeoJSON/TopoJSON file to the dataset folder, or correct `boundaries.path`.",
)
_m(
    "invalid-boundaries:too-large",
    "the boundary file is {size:,.0f} MB, over limits.boundary_mb ({limit:,.0f} MB)",
    "Simplify it before committing (e.g. mapshaper -simplify 10% keep-shapes), or use the "
    "Census Bureau's cartographic (generalised) boundaries instead of the detailed TIGER ones.",
)
_m(
    "invalid-boundaries:encoding",
    "the boundary file is not UTF-8 text ({error})",
    "Save it as UTF-8 GeoJSON or TopoJSON.",
)
_m(
    "invalid-boundaries:json",
    "the boundary file is not valid JSON: {error} (column {column})",
    "Fix the JSON syntax, or export the file again as GeoJSON.",
)
_m(
    "invalid-boundaries:type",
    "the boundary file is a JSON {found}, not a GeoJSON FeatureCollection or a TopoJSON Topology",
    "Export the areas as GeoJSON (a FeatureCollection of polygons) or TopoJSON.",
)
_m(
    "invalid-boundaries:topojson",
    "the TopoJSON file cannot be decoded: {error}",
    "Export it again (its arcs, objects or transform are broken), or commit GeoJSON.",
)
_m(
    "invalid-boundaries:empty",
    "the boundary file holds no areas",
    "Add the areas' features.",
)
_m(
    "invalid-boundaries:projected",
    "coordinates are not longitude/latitude (WGS84): {where}",
    "Reproject to WGS84 (EPSG:4326), e.g. `ogr2ogr -t_srs EPSG:4326 out.geojson in.shp`; "
    "GeoJSON is longitude/latitude by definition (RFC 7946).",
)
_m(
    "invalid-boundaries:key",
    "no area has the key property {key!r}; properties found: {found}",
    "Set `boundaries.key` to the property that names each area uniquely (e.g. GEOID).",
)
_m(
    "invalid-boundaries:no-key",
    "area {number} has no {key!r} property (found: {found})",
    "Give every area its key, or remove areas that are not part of the set.",
)
_m(
    "invalid-boundaries:duplicate-key",
    "two areas have {key} = {value!r} (the first at line {other})",
    "Each area needs its own key: merge the two into one MultiPolygon, or correct one key.",
)
_m(
    "invalid-boundaries:geometry",
    "area {value!r} is a {found}, not a Polygon or MultiPolygon",
    "Boundary files hold areas; points and lines belong in a data column.",
)
_m(
    "invalid-boundaries:coordinates",
    "area {value!r} has unreadable coordinates: {error}",
    "Each ring is a list of at least four [longitude, latitude] pairs, first equal to last.",
)
_m(
    "invalid-map-outlines",
    "map_outlines {name!r} is not a public boundary dataset.{suggestion}",
    "Name a public dataset with a `boundaries:` file (the catalog's: {known}), or remove "
    "map_outlines.",
)
_m(
    "boundary-repaired",
    "area {value!r} is not a valid polygon ({reason}); the build repairs it",
    "Fix the ring in the source file (e.g. mapshaper -clean, or QGIS 'Fix geometries') so "
    "the shape is the one meant.",
)
# exemptions
_m(
    "rights-missing",
    "a {level} dataset needs `rights`: why it is not public, or how to request access",
    "Add `rights:` (at most 255 characters), e.g. 'Contains personal health information "
    "protected by CGS 19a-25.'",
)
_m(
    "exemptions-missing",
    "a {level} dataset needs `exemptions`: the legal basis for withholding it",
    "Add `exemptions:` with `- authority: CGS 1-210(b)(2)` and `category: personal-privacy` "
    "(see the contract's categories).",
)
_m(
    "access-url-missing",
    "a restricted public dataset needs `access_url`: where access is requested",
    "Add `access_url: https://…` pointing to the request form or instructions.",
)
_m(
    "resources-missing",
    "a public dataset must publish at least one resource",
    "Add `resources:` with a CSV and its schema, or set access_level to 'restricted "
    "public' or 'non-public' with rights and exemptions.",
)
_m(
    "non-public-data-committed",
    "{file} is a data file of a {level} dataset in a public repository",
    "Remove the file from the repository (and from its git history): only the "
    "metadata of a non-public dataset may be committed.",
)
_m(
    "protected-without-exemption",
    "protected field {name!r} does not name its legal authority",
    "Add `exemption: <authority>` to the field, e.g. `exemption: CGS 1-210(b)(2)`.",
)
_m(
    "protected-column-committed",
    "protected column {name!r} is in a CSV of a public repository",
    "Delete the column from the committed file (and from git history); the schema "
    "keeps the field so the catalog documents it.",
)
_m(
    "small-cell",
    "row {row}, field {name!r}: a count between 1 and {largest} is published (min_cell {min_cell})",
    "Suppress counts below {min_cell}: write a declared missing value such as "
    "'*' and list it in the schema's missingValues.",
)
_m(
    "more-problems:small-cell",
    "{more:,} more small-cell problems in field {name!r}",
    "Suppress every small count, not only the ones listed.",
)
_PERSONAL_FIX = (
    "If this is personal data, remove the column or mark the field `protected: "
    "true` with its `exemption`; "
    "if it is not (a public office's phone, say), say so in the field's description."
)
_m(
    "personal-data",
    "field {name!r} has values shaped like {kind}s (first at row {first}, {count} rows)",
    _PERSONAL_FIX,
)
_m(
    "personal-data-ssn",
    "field {name!r} has values shaped like {kind}s (first at row {first}, {count} rows)",
    _PERSONAL_FIX,
)
_m(
    "personal-data:name",
    "column {name!r} is named like personal data",
    "Remove the column, or mark the field `protected: true` with its `exemption`.",
)
# data
_m(
    "file-too-large",
    "{file} is {size:,.0f} MB; this catalog accepts at most {limit:,.0f} MB per file",
    "Split the file (by year, for example) into several resources, or ask the "
    "CDO to raise limits.max_file_mb in catalog.yaml.",
)
_m(
    "file-too-large:decompressed",
    "{file} holds more than {limit:,.0f} MB of data once decompressed; this catalog "
    "accepts at most {limit:,.0f} MB per file",
    "Split the data (by year, for example) into several resources, or ask the "
    "CDO to raise limits.max_file_mb in catalog.yaml.",
)
_m(
    "source-error:empty",
    "{file} is empty (0 bytes)",
    "Export the data again with a header row and at least one data row.",
)
_m(
    "encoding-error",
    "{file} is not UTF-8: byte {byte} at offset {offset:,} on line {line}",
    "Re-save the file as 'CSV UTF-8' (Excel) or convert it, e.g. `iconv -f WINDOWS-1252 "
    "-t UTF-8 in.csv > out.csv`.",
)
_m(
    "format-error:binary",
    "{file} is not a text CSV file (it contains NUL bytes)",
    "Export the data as CSV; spreadsheets and zip files are not accepted.",
)
_m(
    "csv-syntax:delimiter",
    "the file is delimited by {name}; the catalog publishes comma-separated CSV",
    "Save it as comma-separated CSV; `catalog new --from` converts a file for you.",
)
_m(
    "csv-syntax",
    "a quoted value opened on line {line} is never closed: the rest of the file "
    "would be read as one cell",
    'Close the quote, or write a literal quote inside a quoted value as two quotes ("").',
)
_m(
    "type-error",
    "row {row}, field {name!r}: {cell!r} is not {type}{format}",
    "Write {example}{format}; if the value means 'no data', declare it in the "
    "schema's missingValues (e.g. ['', 'NA', '*']).",
)
_m(
    "constraint-error",
    "row {row}, field {name!r}: {cell!r} breaks a constraint: {note}",
    "Correct the value, or change the constraint in the schema if the value is right.",
)
_m(
    "unpublishable-value",
    "row {row}, field {name!r}: {cell!r} {reason}",
    "Write the value so that a typed download can carry it: an identifier as "
    "a string field (`type: string`), "
    "times of one column all with a UTC offset or all without, times of day without an offset.",
)
_m(
    "more-problems",
    "{atleast}{more:,} more {code} problems in this file are not shown",
    "Fix the {code} problems above; the rest are often the same mistake.",
)
# Frictionless' own findings keep its wording (its template); the fix is ours
for _code, _fix in [
    (
        "missing-cell",
        "The row has fewer values than the header: add the missing values (empty "
        "is fine) or quote text that contains a comma.",
    ),
    (
        "extra-cell",
        "The row has more values than the header: remove the extra value, or quote "
        "text that contains a comma.",
    ),
    ("blank-row", "Delete the blank row."),
    (
        "primary-key",
        "Each row needs a non-empty key that no other row has: remove the duplicate "
        "row or correct its key.",
    ),
    ("unique-error", "The field is declared unique: correct or remove the repeated value."),
    ("blank-label", "Every column needs a header: name it, or remove the empty column."),
    ("duplicate-label", "Two columns share a header: rename one."),
    (
        "incorrect-label",
        "The header must match the schema's field names, in order: rename the column or the field.",
    ),
    (
        "missing-label",
        "The schema lists a field the file lacks: add the column, or remove the field "
        "from the schema.",
    ),
    (
        "extra-label",
        "The file has a column the schema lacks: describe it in the schema, or remove "
        "it from the file.",
    ),
    ("source-error", "The file must be a non-empty CSV with a header row."),
    ("format-error", "Save the data as CSV (comma-separated, UTF-8)."),
    ("scheme-error", "Check the file exists and is readable."),
    ("foreign-key", "The value must exist in the referenced resource."),
    ("encoding-error", "Re-save the file as 'CSV UTF-8' (Excel), or convert it."),
    (
        "type-error",
        "Correct the value, or declare it in the schema's missingValues if it means 'no data'.",
    ),
    (
        "constraint-error",
        "Correct the value, or change the constraint in the schema if the value is right.",
    ),
    ("row-error", "Correct the row."),
    ("cell-error", "Correct the cell."),
    ("label-error", "Correct the header."),
    ("unreadable-row", "Correct the row."),
    ("sequential-value", "Correct the value so that the sequence holds."),
]:
    _m(f"{_code}:reported", "{message}", _fix)
# catalog
_m(
    "codeowners-stale",
    "{file} does not match the agencies' data officers",
    "Run `catalog codeowners` and commit the result.",
)
_m(
    "site-too-large",
    "the site would be {size:,.0f} MB, over limits.site_mb ({limit:,.0f} MB); largest "
    "datasets: {largest}",
    "Put the downloads on object storage: set files_url in catalog.yaml (see "
    "docs/publishing.md); they then leave the pages' tree. Or raise limits.site_mb if the "
    "host allows more.",
)
_m(
    "site-near-limit",
    "the site is {size:,.0f} MB, {share:.0f} % of limits.site_mb ({limit:,.0f} MB); largest "
    "datasets: {largest}",
    "Plan the move of downloads to object storage: set files_url in catalog.yaml (see "
    "docs/publishing.md).",
)
_m(
    "history-incomplete",
    "this checkout is a shallow clone: the change history (versions, row-level changes, "
    "changes.json and feeds) is left out",
    "Fetch the whole history before building: `git fetch --unshallow`, or `fetch-depth: 0` "
    "in actions/checkout (the publish workflow does).",
)
_m(
    "explorer-unavailable",
    "the explorer's modules (hyparquet and fzstd, pinned in js/package.json) are not installed: "
    "dataset pages get the static preview only",
    "Run `npm ci --prefix js` (Node's npm checks each package against js/package-lock.json; "
    "`./run serve` does it), then build again.",
)
_m(
    "internal-error",
    "checking {what} failed unexpectedly: {error}",
    "This is a fault of the catalog tool, not of your files: please report it "
    "with the file; the other checks ran.",
)


def registry() -> dict[str, Code]:
    """Every problem code, by code."""
    return dict(_CODES)


def messages() -> dict[str, Message]:
    """Every message template, by key."""
    return dict(_MESSAGES)


def problem(
    key: str,
    path: str,
    /,
    *,
    line: int | None = None,
    row: int | None = None,
    field: str | None = None,
    severity: Severity | None = None,
    **values: Any,
) -> Problem:
    """The problem of registry message ``key`` (a code, or ``code:variant``) at ``path``,
    its templates filled with ``values``. An unknown key is an error: every message and
    fix lives in the registry, so that they are documented and reviewed in one place."""
    m = _MESSAGES[key]
    fill = {"line": line, "row": row, **values}  # templates may name the problem's own line and row
    return Problem(
        path,
        line,
        row,
        m.code,
        severity or _CODES[m.code].severity,
        m.message.format(**fill),
        field,
        m.hint.format(**fill),
    )


def has_errors(problems: Iterable[Problem]) -> bool:
    """Is any of the problems an error (not a warning)?"""
    return any(p.severity == "error" for p in problems)


def sort_problems(problems: Iterable[Problem]) -> list[Problem]:
    """Problems in the order they are reported: by file, line, row, code."""
    return sorted(
        problems, key=lambda p: (p.path, p.line or 0, p.row or 0, p.code, p.field or "", p.message)
    )


def to_json(problems: Iterable[Problem]) -> str:
    """Problems as a JSON array of objects."""
    return json.dumps([p.as_dict() for p in problems], indent=2, ensure_ascii=False)


def docs_markdown() -> str:
    """docs/problems.md: every code and every message with its fix."""
    lines = [
        "# Problem codes",
        "",
        "Generated from `catalog/core/problems.py` by `catalog docs problems`; do not edit.",
        "",
    ]
    lines += ["| code | severity | title | what it means |", "|---|---|---|---|"]
    for c in sorted(_CODES.values(), key=lambda c: c.code):
        lines.append(f"| `{c.code}` | {c.severity} | {c.title} | {c.description} |")
    lines += [
        "",
        "## Messages",
        "",
        "What each problem says and the fix it suggests; `{…}` is filled in for the case at hand.",
        "",
    ]
    lines += ["| key | message | fix |", "|---|---|---|"]
    for m in sorted(_MESSAGES.values(), key=lambda m: m.key):
        lines.append(f"| `{m.key}` | {_cell(m.message)} | {_cell(m.hint)} |")
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
