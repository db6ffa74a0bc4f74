"""A fast, bounded-memory validator that reproduces Frictionless' findings.

pyarrow reads the CSV in blocks as text; each column is checked with vectorised kernels
(RE2 regular expressions, casts, comparisons) instead of cell by cell in Python.  Unique
and primary-key checks keep one 64-bit hash per row, not the values.

Cells are read by the shared value parser (``catalog.values``), which reads every type
and format as Frictionless does. The fast path covers the common case exactly and refuses
the rest: ``validate_fast`` returns None — and the caller runs Frictionless — whenever it
cannot be sure to give Frictionless' own findings: foreign keys, a constraint it does not
model, a header that differs from the schema, blank lines or records spanning lines (row
numbers would shift), ragged rows, NaN beside a numeric constraint, and patterns RE2
can't read the way Python does.

Besides Frictionless' findings it reports ``unpublishable-value``: a value that validates
but that no typed download could carry (see ``catalog.values``).
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from catalog.core.errors import CatalogError
from catalog.core.values import FieldParser, Zones, arrow_type
from catalog.io.blocks import CsvBatches, as_written, read_ahead
from catalog.io.filebytes import FileBytes

LIMIT = 10_000  # findings kept, in row order (Frictionless stops at its limit_errors too)
CONSTRAINTS = {
    "required",
    "minimum",
    "maximum",
    "pattern",
    "enum",
    "minLength",
    "maxLength",
    "unique",
}
COMPARABLE = {"integer", "number", "year", "date", "datetime", "time"}
FIELD_KEYS = {
    "name",
    "type",
    "format",
    "title",
    "description",
    "constraints",
    "example",
    "rdfType",
    "unit",
    "trueValues",
    "falseValues",
    "groupChar",
    "decimalChar",
    "bareNumber",
    "missingValues",
}


class Unsupported(CatalogError):
    """The fast path cannot promise Frictionless' findings for this file."""


class Finding(NamedTuple):
    """One finding of the fast path, as Frictionless would report it."""

    row: int
    field: str
    code: str
    cell: str
    note: str


SPILL = 1 << 20  # (hash, row) pairs of a key held in memory before they go to disk
PARTS = 64  # spill files per key, by the hash's top six bits


@dataclass
class _Key:
    """Hashes of a unique field or of the primary key, one per row, for duplicate search.
    Past SPILL rows they are spilled to PARTS files by hash, so equal values meet in one
    file and the search reads one file at a time: memory stays bounded at any size."""

    fields: list[str]
    hashes: list[np.ndarray] = field(default_factory=list)
    rows: list[np.ndarray] = field(default_factory=list)
    held: int = 0
    spilled: tempfile.TemporaryDirectory[str] | None = None

    def add(self, hashes: np.ndarray, rows: np.ndarray) -> None:
        self.hashes.append(hashes)
        self.rows.append(rows)
        self.held += len(hashes)
        if self.held >= SPILL:
            self.spill()

    def take(self) -> tuple[np.ndarray, np.ndarray]:
        h = np.concatenate(self.hashes) if self.hashes else np.empty(0, np.uint64)
        r = np.concatenate(self.rows) if self.rows else np.empty(0, np.uint32)
        self.hashes, self.rows, self.held = [], [], 0
        return h, r

    def spill(self) -> None:
        if self.spilled is None:
            self.spilled = tempfile.TemporaryDirectory(prefix="catalog-keys-")
        h, r = self.take()
        part = (h >> np.uint64(58)).astype(np.uint8)
        order = np.argsort(part, kind="stable")  # rows stay in file order within a part
        h, r, part = h[order], r[order], part[order]
        bounds = np.searchsorted(part, np.arange(PARTS + 1))
        folder = Path(self.spilled.name)
        for p in range(PARTS):
            lo, hi = int(bounds[p]), int(bounds[p + 1])
            if lo < hi:
                with (folder / f"{p}.hash").open("ab") as fh:
                    h[lo:hi].tofile(fh)
                with (folder / f"{p}.row").open("ab") as fh:
                    r[lo:hi].tofile(fh)

    def parts(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """(hashes, rows) in row order, all of them at once or one spill file at a time."""
        if self.spilled is None:
            yield self.take()
            return
        self.spill()
        folder = Path(self.spilled.name)
        try:
            for p in range(PARTS):
                if (folder / f"{p}.hash").exists():
                    yield (
                        np.fromfile(folder / f"{p}.hash", dtype=np.uint64),
                        np.fromfile(folder / f"{p}.row", dtype=np.uint32),
                    )
        finally:
            self.spilled.cleanup()
            self.spilled = None


def supported(descriptor: dict[str, Any]) -> bool:
    """Can the fast path promise Frictionless' findings for this Table Schema?"""
    if descriptor.get("foreignKeys"):
        return False
    for f in descriptor["fields"]:
        if set(f) - FIELD_KEYS:
            return False
        if set(f.get("constraints", {})) - CONSTRAINTS:
            return False
    return True


def validate_fast(
    file: Path, descriptor: dict[str, Any], encoding: str, data: FileBytes | None = None
) -> list[Finding] | None:
    """Frictionless' findings (row, field, code, cell, note) for ``file``, or None."""
    if not supported(descriptor) or encoding not in ("utf-8", "utf-8-sig"):
        return None
    try:
        return _validate(file, descriptor, data or FileBytes(file))
    except (
        Unsupported,
        pa.ArrowInvalid,
        pa.ArrowNotImplementedError,
        pa.ArrowTypeError,
        UnicodeDecodeError,
    ):
        return None


def _validate(file: Path, descriptor: dict[str, Any], data: FileBytes) -> list[Finding]:
    fields = descriptor["fields"]
    names = [f["name"] for f in fields]
    missing = [str(m) for m in descriptor.get("missingValues", [""])]
    reader = CsvBatches(
        file,
        parse_options=pacsv.ParseOptions(newlines_in_values=False, ignore_empty_lines=False),
        convert_options=as_written(names),
    )
    if reader.schema.names != names:
        raise Unsupported("header differs from the schema")
    checks = [_FieldCheck(f, missing) for f in fields]
    pk = list(descriptor.get("primaryKey") or [])
    pk = [pk] if isinstance(pk, str) else pk
    keys = {f["name"]: _Key([f["name"]]) for f in fields if f.get("constraints", {}).get("unique")}
    primary = _Key(pk) if pk else None
    findings: list[Finding] = []
    start = 2  # the header is row 1
    for batch in read_ahead(reader):
        n = batch.num_rows
        if not n:
            continue
        rows = np.arange(start, start + n)
        values: dict[str, pa.Array] = {}
        nulls: list[np.ndarray] = []
        blanks: list[np.ndarray] = []
        for check in checks:
            col = batch.column(check.name)
            typed, is_null, is_missing = check.run(col, rows, findings)
            values[check.name] = typed
            nulls.append(is_null)
            blanks.append(is_missing)
        all_null = np.logical_and.reduce(blanks)
        if all_null.any():
            # a blank row: Frictionless keeps only the blank-row error for it
            blank = set(rows[all_null].tolist())
            findings[:] = [f for f in findings if f[0] not in blank]
            findings += [Finding(int(r), "", "blank-row", "", "") for r in rows[all_null]]
        for key in keys.values():
            _collect(key, values, nulls, names, rows, skip_null=True)
        if primary is not None:
            pk_null = np.logical_and.reduce([nulls[names.index(k)] for k in pk])
            findings += [
                Finding(
                    int(r), "", "primary-key", "", 'cells composing the primary keys are all "None"'
                )
                for r in rows[pk_null]
            ]
            _collect(primary, values, nulls, names, rows, skip_null=False, drop=pk_null)
        start += n
        if len(findings) > LIMIT:
            findings.sort(key=lambda f: f[0])
            del findings[LIMIT:]
    if not data.lines_match(start - 1):  # records read, header included
        raise Unsupported("blank lines or records spanning lines: row numbers would differ")
    for name, key in keys.items():
        findings += [
            Finding(r, name, "unique-error", "", f"the same as in the row at position {first}")
            for r, first in _duplicates(key)
        ]
    if primary is not None:
        findings += [
            Finding(r, "", "primary-key", "", f"the same as in the row at position {first}")
            for r, first in _duplicates(primary)
        ]
    return findings


def _collect(
    key: _Key,
    values: dict[str, pa.Array],
    nulls: list[np.ndarray],
    names: list[str],
    rows: np.ndarray,
    *,
    skip_null: bool,
    drop: np.ndarray | None = None,
) -> None:
    keep = np.ones(len(rows), dtype=bool)
    if skip_null:
        for k in key.fields:
            keep &= ~nulls[names.index(k)]
    if drop is not None:
        keep &= ~drop
    if not keep.any():
        return
    h = np.zeros(int(keep.sum()), dtype=np.uint64)
    for k in key.fields:
        arr = values[k].filter(pa.array(keep))
        h = h * np.uint64(1_000_003) ^ _hash(arr)
    key.add(h, rows[keep].astype(np.uint32))


_NULL_HASH = np.uint64(0x9E3779B97F4A7C15)
_BASE = np.uint64(0x100000001B3)  # odd multiplier of the polynomial string hash


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: every input bit moves every output bit."""
    with np.errstate(over="ignore"):
        x = x ^ (x >> np.uint64(30))
        x = x * np.uint64(0xBF58476D1CE4E5B9)
        x = x ^ (x >> np.uint64(27))
        x = x * np.uint64(0x94D049BB133111EB)
        mixed: np.ndarray = x ^ (x >> np.uint64(31))
        return mixed


def _hash(arr: pa.Array) -> np.ndarray:
    """A 64-bit hash per value (equal values, equal hashes), vectorised with numpy: a
    polynomial over a string's bytes, the bits of a number or date."""
    nulls = arr.is_null().to_numpy(zero_copy_only=False)
    if pa.types.is_string(arr.type):
        arr = pc.fill_null(arr, "")
        _, offsets_buf, data_buf = arr.buffers()
        offsets = np.frombuffer(
            offsets_buf, dtype=np.int32, count=len(arr) + 1, offset=arr.offset * 4
        ).astype(np.int64)
        starts, lengths = offsets[:-1] - offsets[0], np.diff(offsets)
        data = (
            np.frombuffer(data_buf, dtype=np.uint8)[offsets[0] : offsets[-1]]
            if data_buf is not None
            else np.empty(0, np.uint8)
        )
        sums = np.zeros(len(arr), dtype=np.uint64)
        if len(data):
            with np.errstate(over="ignore"):
                powers = np.cumprod(np.full(int(lengths.max()), _BASE, dtype=np.uint64))
                position = np.arange(len(data)) - np.repeat(starts, lengths)
                terms = (data.astype(np.uint64) + np.uint64(1)) * powers[position]
            filled = lengths > 0
            sums[filled] = np.add.reduceat(terms, starts[filled])
        h = _mix(sums ^ _mix(lengths.astype(np.uint64)))
    else:
        if pa.types.is_floating(arr.type):
            arr = pc.if_else(pc.equal(arr, 0.0), 0.0, arr)  # -0.0 == 0.0
            bits = pc.fill_null(arr, 0.0).to_numpy(zero_copy_only=False).view(np.uint64)
        elif pa.types.is_boolean(arr.type):
            bits = pc.fill_null(arr, False).to_numpy(zero_copy_only=False).astype(np.uint64)
        else:  # integers and dates
            bits = (
                pc.fill_null(arr.cast(pa.int64()), 0).to_numpy(zero_copy_only=False).view(np.uint64)
            )
        h = _mix(bits ^ np.uint64(0x2545F4914F6CDD1D))
    return np.where(nulls, _NULL_HASH, h)


def _duplicates(key: _Key) -> list[tuple[int, int]]:
    """(row, previous row with the same value) for every repeat, as Frictionless names them;
    only the first LIMIT by row, as findings are kept."""
    found: list[tuple[int, int]] = []
    for h, rows in key.parts():
        order = np.argsort(
            h, kind="stable"
        )  # rows arrive in order, so equal hashes stay in row order
        hs = h[order]
        del h
        rs = rows[order]
        del rows, order
        repeat = np.flatnonzero(hs[1:] == hs[:-1]) + 1
        del hs
        pairs = np.stack([rs[repeat], rs[repeat - 1]], axis=1)
        pairs = pairs[np.argsort(pairs[:, 0], kind="stable")][:LIMIT]
        found += [(int(a), int(b)) for a, b in pairs]
        if len(found) > 4 * LIMIT:
            found = sorted(found)[:LIMIT]
    return sorted(found)[:LIMIT]


class _FieldCheck:
    """One field's type and constraint checks over a block, with the shared value parser."""

    def __init__(self, f: dict[str, Any], missing: list[str]) -> None:
        self.name: str = f["name"]
        self.type: str = f.get("type", "any")
        self.parser = FieldParser(f, missing)
        self.constraints: dict[str, Any] = dict(f.get("constraints", {}))
        self.type_note = f'type is "{self.type}/{self.parser.format}"'
        self.tests: list[tuple[str, str, Callable[[pa.Array], pa.Array]]] = []
        self.zones = Zones()
        c = self.constraints
        for name in ("required", "minLength", "maxLength", "minimum", "maximum", "pattern", "enum"):
            if c.get(name) is None:
                continue
            note = f'constraint "{name}" is "{c[name]}"'
            self.tests.append((name, note, self._test(name, c[name])))

    def _test(self, name: str, value: Any) -> Callable[[pa.Array], pa.Array]:
        """A vectorised test of one constraint: True where a typed cell breaks it."""
        if name == "required":
            if value:
                return lambda typed: pc.is_null(typed)
            return lambda typed: pa.array(np.zeros(len(typed), dtype=bool))
        if name in ("minLength", "maxLength"):
            return self._length(name, value)
        if name in ("minimum", "maximum"):
            if self.type not in COMPARABLE:
                raise Unsupported(f"{name} on {self.type}")
            bound = self._bound(value)
            op = pc.less if name == "minimum" else pc.greater
            return lambda typed: pc.fill_null(op(typed, bound), False)
        if name == "pattern":
            return self._pattern(value)
        if name == "enum":
            return self._enum(value)
        raise Unsupported(name)

    def _length(self, name: str, value: Any) -> Callable[[pa.Array], pa.Array]:
        if self.type != "string":
            raise Unsupported("length constraint on a non-string")
        op = pc.less if name == "minLength" else pc.greater
        return lambda typed: pc.fill_null(op(pc.utf8_length(typed), int(value)), False)

    def _pattern(self, value: Any) -> Callable[[pa.Array], pa.Array]:
        if not isinstance(value, str) or re.search(r"\\[dDwWsSbB]|\(\?[=!<]|\\[1-9]", value):
            raise Unsupported("pattern uses classes or lookarounds RE2 reads differently")
        anchored = "^(?:^" + value + "$)"
        try:
            pc.match_substring_regex(pa.array(["x"]), anchored)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
            raise Unsupported("pattern not readable by RE2") from exc
        if self.type != "string":
            raise Unsupported("pattern on a non-string")
        return lambda typed: pc.fill_null(
            pc.invert(pc.match_substring_regex(typed, anchored)), False
        )

    def _enum(self, value: Any) -> Callable[[pa.Array], pa.Array]:
        if not isinstance(value, list):
            raise Unsupported("enum is not a list")
        if self.type not in COMPARABLE and self.type not in ("string", "boolean"):
            raise Unsupported(f"enum on {self.type}")
        allowed = [b for b in (self._bound(v) for v in value) if b is not None]
        value_set = pa.array(allowed, arrow_type({"type": self.type}))
        return lambda typed: pc.fill_null(pc.invert(pc.is_in(typed, value_set=value_set)), False)

    def _bound(self, value: Any) -> Any:
        """A constraint value read as Frictionless reads it (with the field's value reader)."""
        if self.type == "string":
            if not isinstance(value, str):
                raise Unsupported("non-string bound on a string")
            return value
        try:
            read = self.parser.reference(value)
        except (
            Exception
        ) as exc:  # Frictionless readers raise assorted types on odd bounds; the cause is kept
            raise Unsupported(f"constraint value {value!r}") from exc
        if read is None:
            return None
        if self.type == "number":
            if isinstance(read, Decimal) and not read.is_finite():
                raise Unsupported("non-finite bound")
            return float(read)
        if self.type == "datetime" and read.tzinfo is not None:
            raise Unsupported("a bound with a UTC offset")
        if self.type == "time" and read.tzinfo is not None:
            raise Unsupported("a bound with a UTC offset")
        return read

    def run(
        self, col: pa.Array, rows: np.ndarray, out: list[Finding]
    ) -> tuple[pa.Array, np.ndarray, np.ndarray]:
        """Check one column of a block; return its typed values, its null mask (missing or
        unreadable) and its missing-value mask."""
        parsed = self.parser.parse(col)
        typed = parsed.values
        bad = parsed.bad
        if bad.any():
            idx = np.flatnonzero(bad)
            cells = col.take(pa.array(idx)).to_pylist()
            out += [
                Finding(int(rows[i]), self.name, "type-error", cell, self.type_note)
                for i, cell in zip(idx, cells, strict=True)
            ]
        for i, reason in self.zones.unpublishable(parsed).items():
            out.append(
                Finding(int(rows[i]), self.name, "unpublishable-value", col[i].as_py(), reason)
            )
        if self.type == "number" and self.tests and pc.any(pc.is_nan(typed)).as_py():
            raise Unsupported("NaN: Frictionless compares it differently")
        readable = pa.array(~bad)
        for _name, note, test in self.tests:
            failed = pc.and_(
                test(typed), readable
            )  # Frictionless checks constraints only after a good cast
            if pc.any(failed).as_py():
                idx = np.flatnonzero(failed.to_numpy(zero_copy_only=False))
                cells = col.take(pa.array(idx)).to_pylist()
                out += [
                    Finding(int(rows[i]), self.name, "constraint-error", cell, note)
                    for i, cell in zip(idx, cells, strict=True)
                ]
        return typed, parsed.missing | bad, parsed.missing
