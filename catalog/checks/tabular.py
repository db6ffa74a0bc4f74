"""Data against its Table Schema, through Frictionless.

Row numbers and error codes are Frictionless' own (the header is row 1).  Problems are
capped per file and code, with a count of the rest.  Before Frictionless runs we check what
it cannot explain well: a missing or oversized file, a non-UTF-8 byte (we report its line).
"""

from __future__ import annotations

import codecs
import csv
import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from catalog.checks import metadata
from catalog.checks.fastpath import Finding, validate_fast
from catalog.core.model import Catalog, Dataset, Field, Limits, Resource, Schema
from catalog.core.problems import Problem, messages, problem
from catalog.io.datafile import (
    COMPRESSIONS,
    UnreadableData,
    compression,
    head,
    is_lfs_pointer,
    open_data,
    open_text,
    plain_name,
)
from catalog.io.filebytes import FileBytes

LIMIT_ERRORS = 10_000  # Frictionless stops collecting after this many (memory bound)

TYPE_EXAMPLES = {
    "integer": "a whole number such as 42",
    "number": (
        "a number such as 3.5 (no currency signs or thousands separators unless the "
        "schema declares groupChar)"
    ),
    "date": "a date such as 2024-07-01",
    "datetime": "a date-time such as 2024-07-01T13:45:00",
    "time": "a time such as 13:45:00",
    "year": "a year such as 2024",
    "yearmonth": "a year and month such as 2024-07",
    "boolean": "true or false",
    "geopoint": "a point such as '41.76,-72.68'",
}


def header_of(file: Path) -> tuple[str, ...] | None:
    """The first record of a CSV, or None if it cannot be read as UTF-8 CSV."""
    try:
        with open_text(file) as fh:
            for row in csv.reader(fh):
                return tuple(row)
    except (OSError, UnicodeDecodeError, csv.Error, UnreadableData):
        return None
    return ()


def check_resource(
    catalog: Catalog, ds: Dataset, res: Resource, data: FileBytes | None = None
) -> list[Problem]:
    """Problems of one resource's data file against its Table Schema."""
    file = Path(catalog.root) / res.path
    data = data or FileBytes(file)
    refused = refusals(catalog, ds, res, data)
    if refused or not res.schema.well_formed:
        return refused
    header = header_of(file)
    descriptor = res.schema.frictionless_descriptor(present=header)
    schema_problems = check_table_schema(ds, res.schema)
    if schema_problems:
        return schema_problems
    limits = catalog.config.limits
    return run_frictionless(
        file, descriptor, res.path, limits.max_problems_per_code, res.schema, data
    )


MB = 1_048_576


def refusals(catalog: Catalog, ds: Dataset, res: Resource, data: FileBytes) -> list[Problem]:
    """What stops a data file being read at all — missing, empty, not UTF-8, binary, or
    beyond catalog.yaml's limits (file size, line length, columns, output size) — checked
    cheaply, before any check reads it as CSV. Empty: the file may be read."""
    if not res.schema.well_formed:
        return []  # its structure problems are already reported; data checks would only echo them
    limits = catalog.config.limits
    over = metadata.table_limits(res.name, res.schema, ds, limits)
    if over:
        return over  # the same problems as the metadata check's (reported once)
    file = Path(catalog.root) / res.path
    if not file.is_file():
        line = ds.lines.of(("resources", res.index, "path"))
        return [problem("file-missing:data", ds.path, line=line, file=res.file, folder=ds.folder)]
    stored = _stored_problem(file, res)
    if stored:
        return [stored]
    too_large = _size_problem(file, res, data, limits)
    if too_large:
        return [too_large]
    size = data.size
    if size == 0:
        return [problem("source-error:empty", res.path, line=1, file=res.file)]
    bad = data.bad_utf8
    if bad:
        line, offset, raw = bad
        return [
            problem(
                "encoding-error",
                res.path,
                line=line,
                file=res.file,
                byte=raw[:1].hex(),
                offset=offset,
            )
        ]
    longest, line = data.longest_line
    if longest > limits.max_line_mb * MB:
        return [
            problem(
                "over-limit:line",
                res.path,
                line=line,
                file=res.file,
                size=longest / MB,
                limit=limits.max_line_mb,
            )
        ]
    if _looks_binary(file):
        return [problem("format-error:binary", res.path, line=1, file=res.file)]
    columns = len(header_of(file) or ())
    if columns > limits.max_columns:
        return [
            problem(
                "over-limit:columns",
                res.path,
                line=1,
                where=res.file,
                count=columns,
                limit=limits.max_columns,
            )
        ]
    return _output_size(res, data, size, limits)


def _size_problem(file: Path, res: Resource, data: FileBytes, limits: Limits) -> Problem | None:
    """The file, or its data once decompressed, beyond limits.max_file_mb; a compressed
    file that cannot be read to its end."""
    size = file.stat().st_size
    if size > limits.max_file_mb * MB:
        return problem(
            "file-too-large", res.path, file=res.file, size=size / MB, limit=limits.max_file_mb
        )
    if data.unreadable:
        reason = data.unreadable.split(": ", 1)[-1]
        return problem(
            "file-unreadable:compressed",
            res.path,
            file=res.file,
            format=compression(file),
            reason=reason,
        )
    if data.over_limit:
        return problem(
            "file-too-large:decompressed", res.path, file=res.file, limit=limits.max_file_mb
        )
    return None


def _stored_problem(file: Path, res: Resource) -> Problem | None:
    """A Git LFS pointer where the data should be, or the same data twice (plain and
    compressed) beside each other."""
    if is_lfs_pointer(file):
        return problem("file-unreadable:lfs-pointer", res.path, line=1, file=res.file)
    plain = plain_name(file)
    for name in [plain, *(plain + suffix for suffix in COMPRESSIONS)]:
        if name != file.name and (file.parent / name).is_file():
            return problem("file-unreadable:twice", res.path, file=res.file, other=name)
    return None


def _output_size(res: Resource, data: FileBytes, size: int, limits: Limits) -> list[Problem]:
    """The downloads' size, estimated from the file's size and lines: the CSV and Parquet
    copies at most the file's size each, and the JSON (json_estimate)."""
    rows = max(data.lines - 1, 0)
    names = [f.name for f in res.schema.public_fields]
    estimate = 2 * size + json_estimate(names, size, rows, data.escapes)
    if estimate <= limits.max_output_mb * MB:
        return []
    return [
        problem(
            "over-limit:output",
            res.path,
            file=res.file,
            size=estimate / MB,
            rows=rows,
            limit=limits.max_output_mb,
        )
    ]


def json_estimate(names: list[str], size: int, rows: int, escapes: int) -> int:
    """At most the bytes of a resource's JSON download: every cell's text (escaped), and on
    every row each column's quoted name, colon and comma, quotes or ``null`` for its value,
    and the row's braces and line break; and the list's brackets."""
    per_row = sum(len(json.dumps(n, ensure_ascii=False).encode("utf-8")) + 6 for n in names) + 4
    return size + escapes + rows * per_row + 4


def csv_syntax(file: Path, path: str) -> list[Problem]:
    """What Frictionless accepts silently: a quote opened and never closed swallows the
    rest of the file into one cell."""
    header = header_of(file) or ()
    if len(header) == 1:
        for sep, name in ((";", "semicolons"), ("\t", "tabs"), ("|", "pipes")):
            if sep in header[0]:
                return [problem("csv-syntax:delimiter", path, line=1, name=name)]
    with open_text(file) as fh:
        reader = csv.reader(fh, strict=True)
        start = 1
        try:
            for _ in reader:
                start = reader.line_num + 1
        except csv.Error as exc:
            if "unexpected end of data" in str(exc) or "EOF" in str(exc):
                return [problem("csv-syntax", path, line=start)]
    return []


def _looks_binary(file: Path) -> bool:
    return b"\x00" in head(file, 8192)


def check_table_schema(ds: Dataset, schema: Schema) -> list[Problem]:
    """What the Table Schema's JSON Schema cannot say: keys naming fields, patterns
    Python can compile, numeric bounds, foreign keys of matching size. (Frictionless' own
    descriptor rules are in the JSON Schema: ``catalog/core/contract.py``.)"""
    where = schema.path or ds.path
    lines = ds.lines if schema.path is None else None

    def at(key: str, *rest: str | int, **values: Any) -> Problem:
        line = lines.of((*schema.key_path, *rest)) if lines else None
        return problem(f"invalid-table-schema:{key}", where, line=line, **values)

    names = [f.name for f in schema.fields]
    out = [
        at("primary-key", "primaryKey", field=k, name=k)
        for k in schema.primary_key
        if k not in names
    ]
    for i, f in enumerate(schema.fields):
        out += _field_rules(f, partial(_field_at, at, i, f.name))
    for i, fk in enumerate(schema.descriptor.get("foreignKeys") or []):
        here, there = _count(fk.get("fields")), _count((fk.get("reference") or {}).get("fields"))
        if here != there:
            out.append(at("foreign-key", "foreignKeys", i, index=i, here=here, there=there))
    return out


def _field_at(
    at: Callable[..., Problem], i: int, name: str, key: str, *rest: str, **values: Any
) -> Problem:
    return at(key, "fields", i, "constraints", *rest, field=name, name=name, **values)


def _field_rules(f: Field, at: Callable[..., Problem]) -> list[Problem]:
    out: list[Problem] = []
    pattern = f.constraints.get("pattern")
    if isinstance(pattern, str):
        try:
            re.compile(pattern)
        except re.error as exc:
            out.append(at("pattern", "pattern", error=exc))
    for c in ("minimum", "maximum"):
        v = f.constraints.get(c)
        if (
            v is not None
            and f.type in ("integer", "number")
            and (isinstance(v, bool) or not isinstance(v, (int, float)))
        ):
            out.append(at("bound", c, constraint=c))
    return out


def _count(keys: Any) -> int:
    return 1 if isinstance(keys, str) else len(keys) if isinstance(keys, list) else 0


def run_frictionless(
    file: Path,
    descriptor: dict[str, Any],
    path: str,
    cap: int,
    schema: Schema | None = None,
    data: FileBytes | None = None,
) -> list[Problem]:
    """Frictionless' findings for a CSV: from the fast path when it can reproduce them
    exactly, else from Frictionless itself."""
    encoding = "utf-8-sig" if head(file, 3) == codecs.BOM_UTF8 else "utf-8"
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

    # a compressed file is read as a stream of its data (Frictionless knows gzip only)
    stream = open_data(file) if compression(file) else None
    where: dict[str, Any] = (
        {"source": stream} if stream else {"path": file.name, "basepath": str(file.parent)}
    )
    try:
        resource = frictionless.Resource(
            **where,
            schema=frictionless.Schema.from_descriptor(descriptor),
            encoding=encoding,
            format="csv",
            control=CsvControl(delimiter=","),  # published CSVs are comma-separated
        )
        report = resource.validate(limit_errors=LIMIT_ERRORS)
    except FrictionlessException as exc:
        err = exc.error
        return [
            problem(
                f"{err.type}:reported"
                if f"{err.type}:reported" in messages()
                else "source-error:reported",
                path,
                message=f"{file.name}: {err.note or err.message}",
            )
        ]
    finally:
        if stream:
            stream.close()
    errors = [_from_error(e) for task in report.tasks for e in task.errors] + [
        _from_error(e) for e in report.errors
    ]
    return _cap(errors, path, cap, schema, truncated=len(errors) >= LIMIT_ERRORS)


# Frictionless' message templates, for the findings the fast path reproduces
TEMPLATES = {
    "blank-row": 'Row at position "{row}" is completely blank',
    "primary-key": 'Row at position "{row}" violates the primary key: {note}',
    "unique-error": (
        'Row at position "{row}" has unique constraint violation in field "{field}" '
        'at position "{number}": {note}'
    ),
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
    kind: str = ""  # Frictionless' error family (cell, row, label, …) for codes we do not name


def _from_fast(f: Finding, names: list[str]) -> Found:
    number = names.index(f.field) + 1 if f.field in names else 0
    template = TEMPLATES.get(f.code, "")
    return Found(
        f.code,
        f.row,
        f.field or None,
        f.cell,
        f.note,
        template.format(row=f.row, field=f.field, number=number, note=f.note),
    )


def _from_error(e: Any) -> Found:
    field = getattr(e, "field_name", None) or getattr(e, "label", None) or None
    families = [c.__name__.removesuffix("Error").lower() for c in type(e).__mro__]
    kind = next((k for k in ("cell", "row", "label", "header") if k in families), "")
    return Found(
        e.type,
        getattr(e, "row_number", None),
        str(field) if field is not None else None,
        getattr(e, "cell", None),
        getattr(e, "note", "") or "",
        e.message,
        kind,
    )


def _cap(
    found: list[Found], path: str, cap: int, schema: Schema | None, *, truncated: bool
) -> list[Problem]:
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
            out.append(problem("more-problems", path, atleast=atleast, more=more, code=code))
    return out


def _problem_from(f: Found, path: str, schema: Schema | None) -> Problem:
    code, row, field, cell = f.code, f.row, f.field, f.cell
    if code == "type-error" and schema is not None and field:
        fld = schema.field_named(field)
        ftype = fld.type if fld else "the declared type"
        fmt = f" in format {fld.format!r}" if fld and fld.format and fld.format != "default" else ""
        example = TYPE_EXAMPLES.get(ftype, f"a valid {ftype}")
        return problem(
            "type-error",
            path,
            row=row,
            field=field,
            name=field,
            cell=cell,
            type=ftype,
            format=fmt,
            example=example,
        )
    if code == "constraint-error":
        return problem(
            "constraint-error", path, row=row, field=field, name=field, cell=cell, note=f.note
        )
    if code == "unpublishable-value":
        return problem(
            "unpublishable-value", path, row=row, field=field, name=field, cell=cell, reason=f.note
        )
    key = f"{code}:reported" if f"{code}:reported" in messages() else _category(f.kind)
    return problem(key, path, row=row, field=field, message=f.message)


def _category(kind: str) -> str:
    """A Frictionless error the registry does not name: its family's code."""
    return {
        "cell": "cell-error:reported",
        "row": "row-error:reported",
        "label": "label-error:reported",
        "header": "label-error:reported",
    }.get(kind, "source-error:reported")
