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
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Code:
    code: str
    severity: Severity
    title: str
    description: str


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


def _c(code: str, severity: Severity, title: str, description: str) -> None:
    _CODES[code] = Code(code, severity, title, description)


# --- files and YAML --------------------------------------------------------------------
_c("yaml-syntax", "error", "YAML syntax error", "The file is not valid YAML.")
_c("yaml-alias", "error", "YAML alias or anchor", "Anchors and aliases (`&x`, `*x`) are refused: they make files hard to review and allow 'billion laughs' expansion.")
_c("yaml-duplicate-key", "error", "Duplicate YAML key", "A mapping names the same key twice; YAML would silently keep the last one.")
_c("yaml-not-mapping", "error", "Not a mapping", "The file must hold a mapping of keys to values.")
_c("file-missing", "error", "File missing", "A file the catalog needs does not exist.")
_c("file-unreadable", "error", "File unreadable", "A file could not be read (permissions, not UTF-8, too large).")
_c("folder-not-slug", "error", "Folder name is not a slug", "Agency and dataset folders must be lowercase slugs: `[a-z0-9][a-z0-9-]*`.")
_c("stray-file", "warning", "Unexpected file", "A file sits where the catalog does not look for one.")
# --- metadata --------------------------------------------------------------------------
_c("required-key", "error", "Required key missing", "A key the contract requires is absent.")
_c("unknown-key", "error", "Unknown key", "A key the contract does not define; often a typo.")
_c("wrong-type", "error", "Wrong type", "A value has the wrong type (text, list, mapping, number …).")
_c("invalid-value", "error", "Value not allowed", "A value is not one of the allowed values.")
_c("too-short", "error", "Too short", "A text or list is shorter than required.")
_c("too-long", "error", "Too long", "A text or list is longer than allowed.")
_c("invalid-url", "error", "Invalid URL", "A URL must be absolute http(s).")
_c("invalid-email", "error", "Invalid email", "An email address is malformed.")
_c("invalid-date", "error", "Invalid date", "Dates are ISO 8601: YYYY-MM-DD.")
_c("invalid-category", "error", "Unknown category", "The category is not in catalog.yaml's vocabulary.")
_c("invalid-license", "error", "Licence not allowed", "The licence is not in catalog.yaml's allowed list.")
_c("placeholder", "warning", "Placeholder left in", "A value still holds the text `catalog new` wrote; replace it.")
_c("duplicate-identifier", "error", "Duplicate identifier", "Two datasets, resources, fields or charts share one identifier.")
_c("unsafe-path", "error", "Unsafe path", "A resource or schema path leaves the dataset folder (absolute, `..`, or a symbolic link).")
_c("invalid-table-schema", "error", "Invalid Table Schema", "The Table Schema is not valid Frictionless Table Schema.")
_c("invalid-chart", "error", "Invalid chart", "A chart declaration names a missing resource or field, or an encoding that cannot work.")
# --- exemptions ------------------------------------------------------------------------
_c("access-level-missing", "error", "Access level missing", "Every dataset must say whether it is public, restricted public or non-public.")
_c("rights-missing", "error", "Rights statement missing", "Datasets that are not public must say why (`rights`, at most 255 characters).")
_c("exemptions-missing", "error", "Exemption missing", "Datasets that are not public must give the legal basis (`exemptions`).")
_c("access-url-missing", "error", "Access URL missing", "Restricted public datasets must say where access is requested (`access_url`).")
_c("resources-missing", "error", "No resources", "A public dataset must publish at least one resource.")
_c(
    "non-public-data-committed",
    "error",
    "Data of a non-public dataset is committed",
    "In a public repository, a restricted or non-public dataset must not carry data files: the repository itself would disclose them.",
)
_c("protected-column-committed", "error", "Protected column committed", "In a public repository, a CSV must not contain a protected column: the repository itself would disclose it.")
_c("protected-without-exemption", "error", "Protected field without exemption", "A protected field must name the legal authority (`exemption`).")
_c("small-cell", "error", "Small cell not suppressed", "A value between 1 and min_cell-1 must be suppressed (written as a declared missing value).")
_c("personal-data", "warning", "Suspected personal data", "A column looks like personal data (SSN, email, phone, birth date); flag it `protected` or remove it.")
_c("personal-data-ssn", "error", "Social Security numbers", "Values shaped like Social Security numbers in an unprotected column.")
# --- data (Frictionless' own codes) ----------------------------------------------------
for _code, _title, _desc in [
    ("type-error", "Type error", "A cell cannot be read as the field's type/format."),
    ("constraint-error", "Constraint error", "A cell breaks a field constraint (minimum, maximum, pattern, enum, length, required)."),
    ("missing-cell", "Missing cell", "A row has fewer cells than the header."),
    ("extra-cell", "Extra cell", "A row has more cells than the header."),
    ("blank-row", "Blank row", "A row is completely blank."),
    ("primary-key", "Primary key violation", "A primary key value is missing or repeated."),
    ("unique-error", "Unique constraint violation", "A value in a `unique` field is repeated."),
    ("foreign-key", "Foreign key violation", "A value has no match in the referenced resource."),
    ("blank-label", "Blank header", "A header cell is empty."),
    ("duplicate-label", "Duplicate header", "Two header cells have the same name."),
    ("incorrect-label", "Header does not match schema", "A header cell differs from the Table Schema's field name at that position."),
    ("missing-label", "Header missing a field", "The Table Schema has a field the header lacks."),
    ("extra-label", "Header has an extra column", "The header has a column the Table Schema lacks."),
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
        "A value reads as its type, but no typed download could carry it: an integer beyond 64 bits, a time of day with a UTC offset, times with and without offsets in one column.",
    ),
    ("csv-syntax", "CSV syntax error", "The file breaks CSV syntax in a way that changes its meaning (a quote never closed)."),
    ("file-too-large", "File too large", "A data file exceeds catalog.yaml's `limits.max_file_mb`."),
    ("more-problems", "More problems not shown", "Problems of one code in one file are capped; this counts the rest."),
]:
    _c(_code, "error", _title, _desc)
_CODES["more-problems"] = Code("more-problems", "warning", _CODES["more-problems"].title, _CODES["more-problems"].description)
# --- catalog ---------------------------------------------------------------------------
_c("agency-yaml-missing", "error", "agency.yaml missing", "Every agency folder needs an `agency.yaml`.")
_c("codeowners-stale", "error", "CODEOWNERS out of date", "`.github/CODEOWNERS` differs from what `catalog codeowners` would write.")
_c("internal-error", "error", "Internal error", "The catalog tool failed unexpectedly; please report it.")


def registry() -> dict[str, Code]:
    return dict(_CODES)


def problem(
    code: str,
    message: str,
    path: str,
    *,
    line: int | None = None,
    row: int | None = None,
    field: str | None = None,
    hint: str | None = None,
    severity: Severity | None = None,
) -> Problem:
    known = _CODES.get(code)
    if known is None:  # a Frictionless code we have not catalogued: keep it, as an error
        sev: Severity = severity or "error"
    else:
        sev = severity or known.severity
    return Problem(path, line, row, code, sev, message, field, hint)


def has_errors(problems: Iterable[Problem]) -> bool:
    return any(p.severity == "error" for p in problems)


def sort_problems(problems: Iterable[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (p.path, p.line or 0, p.row or 0, p.code, p.field or "", p.message))


def to_json(problems: Iterable[Problem]) -> str:
    return json.dumps([p.as_dict() for p in problems], indent=2, ensure_ascii=False)


def docs_markdown() -> str:
    lines = ["# Problem codes", "", "Generated from `catalog/problems.py` by `catalog docs problems`; do not edit.", ""]
    lines += ["| code | severity | title | what it means |", "|---|---|---|---|"]
    for c in sorted(_CODES.values(), key=lambda c: c.code):
        lines.append(f"| `{c.code}` | {c.severity} | {c.title} | {c.description} |")
    return "\n".join(lines) + "\n"
