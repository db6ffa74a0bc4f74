"""Data against its Table Schema, through Frictionless.

Row numbers and error codes are Frictionless' own (the header is row 1).  Problems are
capped per file and code, with a count of the rest.  Before Frictionless runs we check what
it cannot explain well: a missing or oversized file, a non-UTF-8 byte (we report its line).
"""

from __future__ import annotations

import codecs
import csv
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from catalog.checks.fastpath import Finding, validate_fast
from catalog.core.model import Catalog, Dataset, Resource, Schema
from catalog.core.problems import Problem, problem
from catalog.io.filebytes import FileBytes

LIMIT_ERRORS = 10_000  # Frictionless stops collecting after this many (memory bound)

TYPE_EXAMPLES = {
    "integer": "a whole number such as 42",
    "number": "a number such as 3.5 (no currency signs or thousands separators unless the schema declares groupChar)",
    "date": "a date such as 2024-07-01",
    "datetime": "a date-time such as 2024-07-01T13:45:00",
    "time": "a time such as 13:45:00",
    "year": "a year such as 2024",
    "yearmonth": "a year and month such as 2024-07",
    "boolean": "true or false",
    "geopoint": "a point such as '41.76,-72.68'",
}

UNPUBLISHABLE_HINT = (
    "Write the value so that a typed download can carry it: an identifier as a string field (`type: string`), times of one column all with a UTC offset or all without, times of day without an offset."
)

HINTS = {
    "missing-cell": "The row has fewer values than the header: add the missing values (empty is fine) or quote text that contains a comma.",
    "extra-cell": "The row has more values than the header: remove the extra value, or quote text that contains a comma.",
    "blank-row": "Delete the blank row.",
    "primary-key": "Each row needs a non-empty key that no other row has: remove the duplicate row or correct its key.",
    "unique-error": "The field is declared unique: correct or remove the repeated value.",
    "blank-label": "Every column needs a header: name it, or remove the empty column.",
    "duplicate-label": "Two columns share a header: rename one.",
    "incorrect-label": "The header must match the schema's field names, in order: rename the column or the field.",
    "missing-label": "The schema lists a field the file lacks: add the column, or remove the field from the schema.",
    "extra-label": "The file has a column the schema lacks: describe it in the schema, or remove it from the file.",
    "source-error": "The file must be a non-empty CSV with a header row.",
    "format-error": "Save the data as CSV (comma-separated, UTF-8).",
    "scheme-error": "Check the file exists and is readable.",
    "foreign-key": "The value must exist in the referenced resource.",
}


def header_of(file: Path) -> tuple[str, ...] | None:
    """The first record of a CSV, or None if it cannot be read as UTF-8 CSV."""
    try:
        with file.open(encoding="utf-8-sig", newline="") as fh:
            for row in csv.reader(fh):
                return tuple(row)
    except (OSError, UnicodeDecodeError, csv.Error):
        return None
    return ()


def check_resource(catalog: Catalog, ds: Dataset, res: Resource, data: FileBytes | None = None) -> list[Problem]:
    if not res.schema.well_formed:
        return []  # its structure problems are already reported; data checks would only echo them
    root = Path(catalog.root)
    file = root / res.path
    yaml_line = ds.lines.of(("resources", res.index, "path"))
    if not file.is_file():
        return [problem("file-missing", f"data file {res.file!r} does not exist", ds.path, line=yaml_line, hint=f"Add {res.file} to {ds.folder}/, or correct `path:`.")]
    size_mb = file.stat().st_size / 1_048_576
    limit = catalog.config.limits.max_file_mb
    if size_mb > limit:
        return [
            problem(
                "file-too-large",
                f"{res.file} is {size_mb:,.0f} MB; this catalog accepts at most {limit:,.0f} MB per file",
                res.path,
                hint="Split the file (by year, for example) into several resources, or ask the CDO to raise limits.max_file_mb in catalog.yaml.",
            )
        ]
    if file.stat().st_size == 0:
        return [problem("source-error", f"{res.file} is empty (0 bytes)", res.path, line=1, hint="Export the data again with a header row and at least one data row.")]
    data = data or FileBytes(file)
    bad = data.bad_utf8
    if bad:
        line, offset, raw = bad
        return [
            problem(
                "encoding-error",
                f"{res.file} is not UTF-8: byte {raw[:1].hex()} at offset {offset:,} on line {line}",
                res.path,
                line=line,
                hint="Re-save the file as 'CSV UTF-8' (Excel) or convert it, e.g. `iconv -f WINDOWS-1252 -t UTF-8 in.csv > out.csv`.",
            )
        ]
    if _looks_binary(file):
        return [problem("format-error", f"{res.file} is not a text CSV file (it contains NUL bytes)", res.path, line=1, hint="Export the data as CSV; spreadsheets and zip files are not accepted.")]
    header = header_of(file)
    descriptor = res.schema.frictionless_descriptor(present=header)
    schema_problems = check_table_schema(ds, res.schema, descriptor)
    if schema_problems:
        return schema_problems
    return run_frictionless(file, descriptor, res.path, catalog.config.limits.max_problems_per_code, res.schema, data)


def csv_syntax(file: Path, path: str) -> list[Problem]:
    """What Frictionless accepts silently: a quote opened and never closed swallows the
    rest of the file into one cell."""
    header = header_of(file) or ()
    if len(header) == 1:
        for sep, name in ((";", "semicolons"), ("\t", "tabs"), ("|", "pipes")):
            if sep in header[0]:
                return [
                    problem(
                        "csv-syntax",
                        f"the file is delimited by {name}; the catalog publishes comma-separated CSV",
                        path,
                        line=1,
                        hint="Save it as comma-separated CSV; `catalog new --from` converts a file for you.",
                    )
                ]
    with file.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh, strict=True)
        start = 1
        try:
            for _ in reader:
                start = reader.line_num + 1
        except csv.Error as exc:
            if "unexpected end of data" in str(exc) or "EOF" in str(exc):
                return [
                    problem(
                        "csv-syntax",
                        f"a quoted value opened on line {start} is never closed: the rest of the file would be read as one cell",
                        path,
                        line=start,
                        hint='Close the quote, or write a literal quote inside a quoted value as two quotes ("").',
                    )
                ]
    return []


def _looks_binary(file: Path) -> bool:
    with file.open("rb") as fh:
        return b"\x00" in fh.read(8192)


def check_table_schema(ds: Dataset, schema: Schema, descriptor: dict[str, Any]) -> list[Problem]:
    """What Frictionless' own descriptor check misses, and what it finds."""
    where = schema.path or ds.path
    lines = ds.lines if schema.path is None else None

    def line(*key: str | int) -> int | None:
        return lines.of((*schema.key_path, *key)) if lines else None

    out: list[Problem] = []
    names = [f.name for f in schema.fields]
    for k in schema.primary_key:
        if k not in names:
            out.append(problem("invalid-table-schema", f"primaryKey names {k!r}, which is not a field", where, line=line("primaryKey"), field=k, hint="List field names that exist in `fields`."))
    for i, f in enumerate(schema.fields):
        pattern = f.constraints.get("pattern")
        if isinstance(pattern, str):
            try:
                re.compile(pattern)
            except re.error as exc:
                out.append(
                    problem(
                        "invalid-table-schema",
                        f"field {f.name!r}: pattern is not a valid regular expression ({exc})",
                        where,
                        line=line("fields", i, "constraints", "pattern"),
                        field=f.name,
                        hint="Fix the regular expression.",
                    )
                )
        for c in ("minimum", "maximum"):
            v = f.constraints.get(c)
            if v is not None and f.type in ("integer", "number") and (isinstance(v, bool) or not isinstance(v, (int, float))):
                out.append(
                    problem("invalid-table-schema", f"field {f.name!r}: {c} must be a number", where, line=line("fields", i, "constraints", c), field=f.name, hint=f"Write `{c}: 0` (no quotes).")
                )
        if "enum" in f.constraints and not isinstance(f.constraints["enum"], list):
            out.append(
                problem(
                    "invalid-table-schema", f"field {f.name!r}: enum must be a list", where, line=line("fields", i, "constraints", "enum"), field=f.name, hint="Write the allowed values as a list."
                )
            )
    if out:
        return out
    import frictionless  # imported when needed: it costs a tenth of a second to load

    try:
        report = frictionless.Schema.validate_descriptor(descriptor)
    except Exception as exc:  # noqa: BLE001 - Frictionless raises assorted types on odd input
        return [problem("invalid-table-schema", f"Table Schema is not valid: {exc}", where, line=line(), hint="Check the schema against the Table Schema specification.")]
    for err in report.errors:
        out.append(
            problem(
                "invalid-table-schema",
                f"Table Schema is not valid: {err.note or err.message}",
                where,
                line=line(),
                hint="Check field types, formats and constraints against the Table Schema specification.",
            )
        )
    return out


def run_frictionless(file: Path, descriptor: dict[str, Any], path: str, cap: int, schema: Schema | None = None, data: FileBytes | None = None) -> list[Problem]:
    """Frictionless' findings for a CSV: from the fast path when it can reproduce them
    exactly, else from Frictionless itself."""
    with file.open("rb") as fh:
        encoding = "utf-8-sig" if fh.read(3) == codecs.BOM_UTF8 else "utf-8"
    data = data or FileBytes(file)
    if data.odd_quotes:  # a quote opened and never closed: say so before anything else
        syntax = csv_syntax(file, path)
        if syntax:
            return syntax
    fast = validate_fast(file, descriptor, encoding, data)
    if fast is not None:
        names = [f["name"] for f in descriptor["fields"]]
        found = [_from_fast(f, names) for f in sorted(fast, key=lambda f: (f.row, f.field, f.code))]
        return _cap(found, path, cap, schema, truncated=len(fast) >= LIMIT_ERRORS)
    syntax = csv_syntax(file, path)  # only here: the fast path refuses such files itself
    if syntax:
        return syntax
    import frictionless
    from frictionless import FrictionlessException
    from frictionless.formats import CsvControl

    try:
        resource = frictionless.Resource(
            path=file.name,
            basepath=str(file.parent),
            schema=frictionless.Schema.from_descriptor(descriptor),
            encoding=encoding,
            format="csv",
            control=CsvControl(delimiter=","),  # published CSVs are comma-separated
        )
        report = resource.validate(limit_errors=LIMIT_ERRORS)
    except FrictionlessException as exc:
        err = exc.error
        return [problem(err.type if err.type in HINTS else "source-error", f"{file.name}: {err.note or err.message}", path, hint=HINTS.get(err.type, "Check the file is a CSV with a header row."))]
    errors = [_from_error(e) for task in report.tasks for e in task.errors] + [_from_error(e) for e in report.errors]
    return _cap(errors, path, cap, schema, truncated=len(errors) >= LIMIT_ERRORS)


# Frictionless' message templates, for the findings the fast path reproduces
TEMPLATES = {
    "blank-row": 'Row at position "{row}" is completely blank',
    "primary-key": 'Row at position "{row}" violates the primary key: {note}',
    "unique-error": 'Row at position "{row}" has unique constraint violation in field "{field}" at position "{number}": {note}',
}


@dataclass(frozen=True)
class Found:
    """One finding, from the fast path or from a Frictionless error."""

    code: str
    row: int | None
    field: str | None
    cell: str | None
    note: str
    message: str  # Frictionless' own wording, used when we have none of ours


def _from_fast(f: Finding, names: list[str]) -> Found:
    number = names.index(f.field) + 1 if f.field in names else 0
    template = TEMPLATES.get(f.code, "")
    return Found(f.code, f.row, f.field or None, f.cell, f.note, template.format(row=f.row, field=f.field, number=number, note=f.note))


def _from_error(e: Any) -> Found:
    field = getattr(e, "field_name", None) or getattr(e, "label", None) or None
    return Found(e.type, getattr(e, "row_number", None), str(field) if field is not None else None, getattr(e, "cell", None), getattr(e, "note", "") or "", e.message)


def _cap(found: list[Found], path: str, cap: int, schema: Schema | None, *, truncated: bool) -> list[Problem]:
    out: list[Problem] = []
    counts: Counter[str] = Counter()
    for f in found:
        counts[f.code] += 1
        if counts[f.code] > cap:
            continue
        out.append(_problem_from(f, path, schema))
    for code, n in sorted(counts.items()):
        if n > cap:
            more = n - cap
            atleast = "at least " if truncated else ""
            out.append(
                problem("more-problems", f"{atleast}{more:,} more {code} problems in this file are not shown", path, hint=f"Fix the {code} problems above; the rest are often the same mistake.")
            )
    return out


def _problem_from(f: Found, path: str, schema: Schema | None) -> Problem:
    code, row, field, cell = f.code, f.row, f.field, f.cell
    if code == "type-error" and schema is not None and field:
        fld = schema.field_named(field)
        ftype = fld.type if fld else "the declared type"
        want = TYPE_EXAMPLES.get(ftype, f"a valid {ftype}")
        fmt = f" in format {fld.format!r}" if fld and fld.format and fld.format != "default" else ""
        message = f"row {row}, field {field!r}: {cell!r} is not {ftype}{fmt}"
        hint = f"Write {want}{fmt}; if the value means 'no data', declare it in the schema's missingValues (e.g. ['', 'NA', '*'])."
    elif code == "constraint-error":
        message = f"row {row}, field {field!r}: {cell!r} breaks a constraint: {f.note}"
        hint = "Correct the value, or change the constraint in the schema if the value is right."
    elif code == "unpublishable-value":
        message = f"row {row}, field {field!r}: {cell!r} {f.note}"
        hint = UNPUBLISHABLE_HINT
    else:
        message = f.message
        hint = HINTS.get(code, "See the Frictionless documentation of this error.")
    return problem(code, message, path, row=row, field=field, hint=hint)
