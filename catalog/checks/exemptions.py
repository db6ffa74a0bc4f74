"""Exemption rules: data protected by law, privacy or public safety is never published.

Metadata rules (access level, rights, exemptions, access_url), repository rules (a public
repository must not hold non-public data or protected columns), the small-cell rule and the
personal-data scan of unflagged columns.
"""

from __future__ import annotations

import csv
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from catalog.core.model import Catalog, Dataset, Resource
from catalog.core.problems import Problem, problem
from catalog.io.blocks import CsvBatches, as_written, read_ahead
from catalog.io.datafile import open_text
from catalog.io.filebytes import FileBytes

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))

# shapes of personal data, read alike by Python's re (row by row) and RE2 (vectorised)
SSN_SHAPE = r"^[0-9]{3}-[0-9]{2}-[0-9]{4}$"
EMAIL_SHAPE = r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$"
PHONE_SHAPE = r"^(\+?1[-. ]?)?\(?[0-9]{3}\)?[-. ]?[0-9]{3}[-. ][0-9]{4}$"
SSN, EMAIL, PHONE = (re.compile(p) for p in (SSN_SHAPE, EMAIL_SHAPE, PHONE_SHAPE))
PERSONAL_NAMES = re.compile(
    (
        r"(^|[^a-z])(ssn|social[ _-]?security|dob|date[ _-]?of[ _-]?birth|birth[ _-]?date|tax[ "
        r"_-]?id|itin|driver'?s?[ _-]?licen[cs]e|passport|medical[ _-]?record|mrn)([^a-z]|$)"
    ),
    re.IGNORECASE,
)


def check_metadata(catalog: Catalog, ds: Dataset) -> list[Problem]:
    """Access level, rights, exemptions and protected fields of one dataset."""
    out: list[Problem] = []
    line = ds.lines.of
    level = ds.access_level
    if level and level != "public":
        if not ds.rights:
            out.append(
                problem(
                    "rights-missing",
                    ds.path,
                    line=line(("access_level",)),
                    field="rights",
                    level=level,
                )
            )
        if not ds.exemptions:
            out.append(
                problem(
                    "exemptions-missing",
                    ds.path,
                    line=line(("access_level",)),
                    field="exemptions",
                    level=level,
                )
            )
    if level == "restricted public" and not ds.access_url:
        out.append(
            problem("access-url-missing", ds.path, line=line(("access_level",)), field="access_url")
        )
    if (
        level == "public"
        and not ds.resources
        and not _has_resource_key(ds)
        and ds.harvested is None
        and ds.boundaries is None
    ):
        out.append(
            problem("resources-missing", ds.path, line=line(("access_level",)), field="resources")
        )
    if level and level != "public" and catalog.config.repository == "public":
        for f in ds.data_files:
            out.append(problem("non-public-data-committed", f, file=f, level=level))
    for res in ds.resources:
        for i, fld in enumerate(res.schema.fields):
            if fld.protected and not fld.exemption:
                where = res.schema.path or ds.path
                ln = (
                    ds.lines.of((*res.schema.key_path, "fields", i))
                    if res.schema.path is None
                    else None
                )
                out.append(
                    problem(
                        "protected-without-exemption", where, line=ln, field=fld.name, name=fld.name
                    )
                )
    return out


def _has_resource_key(ds: Dataset) -> bool:
    return ("resources",) in ds.lines.by_path


@dataclass
class _ColumnScan:
    name: str
    index: int
    min_cell: int | None = None
    missing: frozenset[str] = frozenset()
    scan_personal: bool = True
    small: list[int] = field(default_factory=list)
    small_count: int = 0
    hits: dict[str, list[int]] = field(default_factory=dict)


def check_data(
    catalog: Catalog, ds: Dataset, res: Resource, data: FileBytes | None = None
) -> list[Problem]:
    """Scan one CSV for protected columns, small cells and personal data (one pass)."""
    file = Path(catalog.root) / res.path
    if not file.is_file():
        return []
    cap = catalog.config.limits.max_problems_per_code
    out: list[Problem] = []
    try:
        with open_text(file) as fh:
            reader = csv.reader(fh)
            header = next(reader, None)
            if header is None:
                return []
            scans = _plan(ds, res, header, out, public_repo=catalog.config.repository == "public")
            if not scans:
                return out
            if _scan_vectorised(file, header, scans, data or FileBytes(file)):
                return out + _report(scans, res, cap)
            for row_number, row in enumerate(reader, start=2):
                for s in scans:
                    if s.index >= len(row):
                        continue
                    cell = row[s.index]
                    if s.min_cell is not None and cell not in s.missing:
                        _small(s, cell, row_number)
                    if s.scan_personal and cell:
                        _personal(s, cell.strip(), row_number)
    except (UnicodeDecodeError, csv.Error, OSError):
        return out  # reported by the Frictionless check
    return out + _report(scans, res, cap)


def _report(scans: list[_ColumnScan], res: Resource, cap: int) -> list[Problem]:
    out: list[Problem] = []
    for s in scans:
        if s.small_count and s.min_cell is not None:
            for r in s.small[:cap]:
                out.append(
                    problem(
                        "small-cell",
                        res.path,
                        row=r,
                        field=s.name,
                        name=s.name,
                        largest=s.min_cell - 1,
                        min_cell=s.min_cell,
                    )
                )
            if s.small_count > cap:
                out.append(
                    problem(
                        "more-problems:small-cell",
                        res.path,
                        field=s.name,
                        more=s.small_count - cap,
                        name=s.name,
                    )
                )
        for kind, rows in sorted(s.hits.items()):
            code = "personal-data-ssn" if kind == "Social Security number" else "personal-data"
            out.append(
                problem(
                    code,
                    res.path,
                    row=rows[0],
                    field=s.name,
                    name=s.name,
                    kind=kind,
                    first=rows[0],
                    count=f"{len(rows)}{'+' if len(rows) >= 1000 else ''}",
                )
            )
    return out


def _scan_vectorised(
    file: Path, header: list[str], scans: list[_ColumnScan], data: FileBytes
) -> bool:
    """The same scan with pyarrow kernels, block by block; False (nothing recorded) when
    row numbers could differ from the record count (records spanning lines, ragged rows)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    from catalog.core.values import is_any

    if len(set(header)) != len(header):
        return False
    names = [s.name for s in scans]
    try:
        reader = CsvBatches(
            file,
            parse_options=pacsv.ParseOptions(newlines_in_values=False, ignore_empty_lines=False),
            convert_options=as_written(header, names),
        )
        found: dict[str, tuple[list[int], int, dict[str, list[int]]]] = {
            s.name: ([], 0, {}) for s in scans
        }
        start = 2
        for batch in read_ahead(reader):
            n = batch.num_rows
            for s in scans:
                col = batch.column(s.name)
                small, count, hits = found[s.name]
                if s.min_cell is not None:
                    present = pc.invert(is_any(col, sorted(s.missing)))
                    text = pc.replace_substring(pc.utf8_trim_whitespace(col), ",", "")
                    numeric = pc.and_(
                        present,
                        pc.match_substring_regex(
                            text, r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$"
                        ),
                    )
                    values = pc.cast(
                        pc.if_else(numeric, text, pa.scalar(None, pa.string())), pa.float64()
                    )
                    bad = pc.fill_null(
                        pc.and_(pc.greater(values, 0.0), pc.less(values, float(s.min_cell))), False
                    )
                    rows = pc.indices_nonzero(bad).to_numpy() + start
                    count += len(rows)
                    small += rows[: max(0, 1000 - len(small))].tolist()
                if s.scan_personal:
                    for kind, rows in _personal_rows(col):
                        got = hits.setdefault(kind, [])
                        got += (rows + start)[: max(0, 1000 - len(got))].tolist()
                found[s.name] = (small, count, hits)
            start += n
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError, UnicodeDecodeError):
        return False
    if not data.lines_match(start - 1):
        return False
    for s in scans:
        s.small, s.small_count, s.hits = found[s.name]
    return True


def _personal_rows(col: Any) -> list[tuple[str, Any]]:
    """(kind, row indices in the block) of the cells shaped like personal data. Each pattern
    only meets the cells that could match it — an SSN is 11 bytes, an email has an '@' and
    at most 40 characters, a phone number 11 to 17 bytes — so a long text column costs a
    length and a substring test, not three regular expressions per cell."""
    import numpy as np
    import pyarrow.compute as pc

    text = pc.utf8_trim_whitespace(col)
    size = pc.binary_length(text)
    found: list[tuple[str, Any]] = []
    taken = np.empty(0, dtype=np.int64)
    for kind, pattern, could in (
        ("Social Security number", SSN_SHAPE, pc.equal(size, 11)),
        (
            "email address",
            EMAIL_SHAPE,
            pc.and_(pc.less_equal(pc.utf8_length(text), 40), pc.match_substring(text, "@")),
        ),
        ("phone number", PHONE_SHAPE, pc.and_(pc.greater_equal(size, 11), pc.less_equal(size, 17))),
    ):
        where = pc.indices_nonzero(could)
        if not len(where):
            continue
        hit = pc.filter(where, pc.match_substring_regex(pc.take(text, where), pattern)).to_numpy()
        hit = hit[~np.isin(hit, taken)]  # a cell counts once, as the first kind it matches
        if len(hit):
            found.append((kind, hit))
            taken = np.concatenate([taken, hit])
    return found


def _plan(
    ds: Dataset, res: Resource, header: list[str], out: list[Problem], *, public_repo: bool
) -> list[_ColumnScan]:
    scans: list[_ColumnScan] = []
    missing = frozenset(res.schema.missing_values)
    for index, name in enumerate(header):
        f = res.schema.field_named(name)
        if f is not None and f.protected:
            if public_repo:
                out.append(
                    problem("protected-column-committed", res.path, row=1, field=name, name=name)
                )
            continue
        scan = _ColumnScan(
            name,
            index,
            missing=frozenset(f.descriptor.get("missingValues", missing)) if f else missing,
        )
        if f is not None and f.min_cell is not None:
            scan.min_cell = f.min_cell
        if f is not None and f.type not in ("string", "any"):
            scan.scan_personal = (
                False  # a valid number, date or boolean can't be an SSN, email or phone
            )
        if PERSONAL_NAMES.search(name):
            out.append(problem("personal-data:name", res.path, row=1, field=name, name=name))
            scan.scan_personal = False
        if scan.scan_personal or scan.min_cell is not None:
            scans.append(scan)
    return scans


def _small(s: _ColumnScan, cell: str, row: int) -> None:
    try:
        value = float(cell.strip().replace(",", ""))
    except ValueError:
        return
    if 0 < value < (s.min_cell or 0):
        s.small_count += 1
        if len(s.small) < 1000:
            s.small.append(row)


def _personal(s: _ColumnScan, cell: str, row: int) -> None:
    if len(cell) > 40:
        return
    kind = None
    if SSN.fullmatch(cell):
        kind = "Social Security number"
    elif "@" in cell and EMAIL.fullmatch(cell):
        kind = "email address"
    elif PHONE.fullmatch(cell):
        kind = "phone number"
    if kind:
        rows = s.hits.setdefault(kind, [])
        if len(rows) < 1000:
            rows.append(row)
