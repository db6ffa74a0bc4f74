"""Transform: one public resource's CSV into the published files and its summaries.

Streaming and bounded in memory: pyarrow reads the CSV in blocks as text; each block is
written to the published CSV as text (protected columns removed, every other cell as the
agency wrote it), converted to the Table Schema's types (declared missing values become
null) for Parquet and JSON, and folded into the column profile.  Only the preview's first
rows are kept whole.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from catalog.core.errors import CatalogError
from catalog.core.model import Field, Resource
from catalog.core.values import AWARE, FieldParser, Parsed, Zones, arrow_type
from catalog.io.blocks import header_of, text_batches
from catalog.io.datafile import compression, open_data
from catalog.site.csvtext import csv_records, string_bytes

ROW_GROUP = 1 << 15  # at least this many rows per Parquet row group (the last one excepted)
PAGES: dict[str, Any] = {"data_page_size": 32 << 10, "write_page_index": True}  # see _ParquetOut
DISTINCT_CAP = 10_000  # distinct values tracked per column for the profile
TOP = 5


class UnpublishableData(CatalogError):
    """A cell that validation should have refused, or that no typed download can carry:
    the build stops (with a Problem naming the file, row and field) rather than publish a
    null in its place."""

    def __init__(self, row: int, field: str, cell: str | None, reason: str, path: str = "") -> None:
        super().__init__(f"row {row}, field {field!r}: {cell!r} {reason}")
        self.row, self.field, self.cell, self.reason, self.path = row, field, cell, reason, path

    def __reduce__(self) -> tuple[Any, ...]:  # raised in worker processes, so it must pickle
        return (UnpublishableData, (self.row, self.field, self.cell, self.reason, self.path))


@dataclass
class ColumnProfile:
    """A column's summary for the data dictionary: counts, extremes, most frequent values."""

    name: str
    type: str
    count: int = 0  # non-missing cells
    missing: int = 0
    distinct: int = 0
    distinct_capped: bool = False
    min: str | None = None
    max: str | None = None
    top: list[tuple[str, int]] = field(default_factory=list)
    non_finite: int = 0  # NaN and infinities: numbers to Parquet, strings in JSON and SQLite


@dataclass
class ResourceOutput:
    """One resource's published files and summaries (rows, columns, profile, preview)."""

    name: str
    title: str
    rows: int
    columns: list[str]
    files: dict[
        str, dict[str, Any]
    ]  # format -> {"path": relative to the dataset folder, "bytes": n}
    profile: list[ColumnProfile]
    preview: list[list[str]]

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @staticmethod
    def from_json(d: dict[str, Any]) -> ResourceOutput:
        profile = [
            ColumnProfile(**{**p, "top": [tuple(t) for t in p["top"]]}) for p in d["profile"]
        ]
        return ResourceOutput(
            d["name"], d["title"], d["rows"], d["columns"], d["files"], profile, d["preview"]
        )


class _Profiler:
    """A column's counts, extremes and most frequent values. Block counts are kept as Arrow
    arrays and summed by a group-by now and then, never value by value in Python; a column
    with more than DISTINCT_CAP distinct values stops being counted ("10,000+")."""

    def __init__(self, f: Field) -> None:
        self.field = f
        self.count = 0
        self.missing = 0
        self.parts: list[pa.StructArray] = []  # value_counts of blocks not yet merged
        self.waiting = 0  # rows in those
        self.known: pa.Table | None = None  # merged counts: values, counts
        self.capped = False
        self.min: Any = None
        self.max: Any = None
        self.non_finite = 0

    def add(self, typed: pa.Array, text: pa.Array) -> None:
        nulls = typed.null_count
        self.missing += nulls
        self.count += len(typed) - nulls
        if pa.types.is_floating(typed.type) and len(typed) - nulls:
            finite = pc.is_finite(typed)
            if not pc.all(finite).as_py():
                self.non_finite += int(pc.sum(pc.invert(pc.fill_null(finite, True))).as_py() or 0)
                typed = pc.if_else(
                    pc.fill_null(finite, True), typed, pa.scalar(None, typed.type)
                )  # extremes of the finite values
        if (
            self.field.type in ("integer", "number", "date", "datetime", "time", "year")
            and len(typed) - nulls
        ):
            mm = pc.min_max(typed)
            lo, hi = mm["min"].as_py(), mm["max"].as_py()
            if lo is not None:
                self.min = lo if self.min is None else min(self.min, lo)
                self.max = hi if self.max is None else max(self.max, hi)
        if self.capped:
            return  # too many distinct values for "most frequent" to mean anything: stop counting
        counts = pc.value_counts(pc.if_else(pc.is_null(typed), NULL_TEXT, text) if nulls else text)
        self.parts.append(counts)
        self.waiting += len(counts)
        if self.waiting > 2 * DISTINCT_CAP:
            self._merge()

    def _merge(self) -> None:
        if not self.parts:
            return
        tables = [
            pa.Table.from_arrays([c.field("values"), c.field("counts")], names=["values", "counts"])
            for c in self.parts
        ]
        if self.known is not None:
            tables.append(self.known)
        if len(tables) == 1:  # one block's counts: already one row per value
            merged = tables[0]
        else:
            merged = (
                pa.concat_tables(tables)
                .group_by("values", use_threads=False)
                .aggregate([("counts", "sum")])
                .rename_columns(["values", "counts"])
            )
        merged = merged.filter(pc.is_valid(merged.column("values")))
        self.parts, self.waiting = [], 0
        if merged.num_rows > DISTINCT_CAP:
            self.capped = True
            merged = merged.slice(0, 0)  # counts of a capped column are not shown
        self.known = merged

    def result(self) -> ColumnProfile:
        self._merge()
        known = self.known
        values = known.column("values").to_pylist() if known is not None else []
        counts = known.column("counts").to_pylist() if known is not None else []
        top = sorted(zip(values, counts, strict=True), key=lambda kv: (-kv[1], kv[0]))[:TOP]
        return ColumnProfile(
            name=self.field.name,
            type=self.field.type,
            count=self.count,
            missing=self.missing,
            distinct=DISTINCT_CAP if self.capped else len(values),
            distinct_capped=self.capped,
            min=_text(self.min),
            max=_text(self.max),
            top=[(_shown(k, TOP_VALUE), v) for k, v in top if v > 1 or len(values) <= TOP],
            non_finite=self.non_finite,
        )


def _text(v: Any) -> str | None:
    if v is None:
        return None
    if hasattr(v, "isoformat"):
        return str(v.isoformat())
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


NULL_TEXT = pa.scalar(None, pa.string())


def convert(column: pa.Array, f: Field, missing: list[str]) -> pa.Array:
    """Text cells → the field's type, as validation reads them (missing values → null).
    A cell that does not read is an error here, never a null: see ``UnpublishableData``."""
    parsed = FieldParser(_descriptor(f), missing).parse(column)
    _refuse(parsed, f.name, column, 0, None)
    return typed_values(parsed)


def _descriptor(f: Field) -> dict[str, Any]:
    return {**f.descriptor, "name": f.name, "type": f.type}


def typed_values(parsed: Parsed) -> pa.Array:
    """The typed values of a block; a datetime block of instants is typed as such."""
    values = parsed.values
    if parsed.aware is not None and parsed.aware.any():
        values = values.cast(AWARE)
    return values


def _refuse(
    parsed: Parsed, name: str, column: pa.Array, first_row: int, zones: Zones | None
) -> None:
    """Raise for the first cell of the block that would be lost."""
    problems: dict[int, str] = (
        dict(zones.unpublishable(parsed)) if zones is not None else dict(parsed.reasons or {})
    )
    for i in np.flatnonzero(parsed.bad).tolist():
        problems.setdefault(
            i, f"is not a valid {parsed.values.type} value (validation should have refused it)"
        )
    if problems:
        i = min(problems)
        raise UnpublishableData(first_row + i, name, column[i].as_py(), problems[i])


NON_FINITE = {
    "nan": "NaN",
    "inf": "Infinity",
    "-inf": "-Infinity",
}  # JSON has no such numbers: they are written as these strings


def _json_default(v: Any) -> Any:
    if isinstance(v, dt.datetime) and v.tzinfo is not None:
        return v.astimezone(dt.UTC).replace(tzinfo=None).isoformat() + "Z"
    if hasattr(v, "isoformat"):
        return v.isoformat()
    raise TypeError(type(v).__name__)


_ESCAPES = [
    ("\\", "\\\\"),
    ('"', '\\"'),
    ("\n", "\\n"),
    ("\r", "\\r"),
    ("\t", "\\t"),
    ("\b", "\\b"),
    ("\f", "\\f"),
]


def _has_control(raw: np.ndarray, also_quote_backslash: bool) -> bool:
    bad = raw < 0x20
    if also_quote_backslash:
        bad |= (raw == 0x22) | (raw == 0x5C)
    return bool(bad.any())


JSON_NUMBER = r"^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$"


def _json_strings(col: pa.Array) -> tuple[pa.Array, bool] | None:
    """A string column as JSON text (see ``_json_values``)."""
    text = col
    if _has_control(string_bytes(col), also_quote_backslash=True):
        for a, b in _ESCAPES:
            text = pc.replace_substring(text, a, b)
        if _has_control(string_bytes(text), also_quote_backslash=False):
            return None
    if not text.null_count:
        return text, True
    return pc.fill_null(pc.binary_join_element_wise('"', text, '"', ""), "null"), False


def _json_floats(col: pa.Array) -> pa.Array:
    """A floating column as JSON numbers; NaN and infinities, which JSON has not, as the
    strings "NaN", "Infinity" and "-Infinity" (nulls stay null)."""
    text = pc.cast(col, pa.string())
    finite = pc.is_finite(col)
    if not pc.all(finite).as_py():
        words = pc.replace_substring(
            pc.replace_substring(pc.replace_substring(text, "-inf", '"-Infinity"'), "nan", '"NaN"'),
            "inf",
            '"Infinity"',
        )
        text = pc.if_else(pc.fill_null(finite, True), text, words)
    return text


def _json_values(col: pa.Array, source: pa.Array | None = None) -> tuple[pa.Array, bool] | None:
    """Each value of a column as JSON text, vectorised, and whether it still needs its
    quotes (then it has no nulls, and the quotes go into the literal text around it); null
    is ``null``. None if a value needs escaping this does not do (rare control characters).
    ``source`` is the column's text as written: numbers written as JSON writes them are
    used as they are (a check four times cheaper than printing the floats again)."""
    t = col.type
    if (
        source is not None
        and pa.types.is_floating(t)
        and not col.null_count
        and pc.all(pc.is_finite(col)).as_py()
        and pc.all(pc.match_substring_regex(source, JSON_NUMBER)).as_py()
    ):
        return source, False
    if pa.types.is_string(t):
        return _json_strings(col)
    if pa.types.is_boolean(t):
        text = pc.if_else(col, "true", "false")
    elif pa.types.is_floating(t):
        text = _json_floats(col)
    elif pa.types.is_integer(t):
        text = pc.cast(col, pa.string())
    elif pa.types.is_date(t) or pa.types.is_timestamp(t) or pa.types.is_time(t):
        text = iso_text(col)
        if not text.null_count:
            return text, True
        text = pc.binary_join_element_wise('"', text, '"', "")
    else:
        return None
    return (pc.fill_null(text, "null") if text.null_count else text), False


def json_records(batch: pa.RecordBatch, text: pa.RecordBatch | None = None) -> bytes | memoryview:
    """The rows of a batch as JSON objects, each preceded by ",\\n" (the caller drops the
    very first comma of the file). The fast path hands back Arrow's own buffer: no copy.
    ``text``, the same rows as written, lets numbers keep their written form."""
    parts: list[Any] = []
    literal = ""  # text between two columns' values: quotes, separators, keys
    for i, name in enumerate(batch.schema.names):
        found = _json_values(batch.column(i), text.column(i) if text is not None else None)
        if found is None:
            return "".join(
                ",\n" + json.dumps(r, ensure_ascii=False, default=_json_default, allow_nan=False)
                for r in _finite(batch.to_pylist())
            ).encode("utf-8")
        values, quoted = found
        literal += (
            (",\n{" if i == 0 else ",")
            + json.dumps(name, ensure_ascii=False)
            + ":"
            + ('"' if quoted else "")
        )
        parts += [literal, values]
        literal = '"' if quoted else ""
    parts.append(literal + "}")
    rows = pc.binary_join_element_wise(*parts, "")
    raw = string_bytes(rows)
    return raw.data if raw.size else b""


def iso_text(col: pa.Array) -> pa.Array:
    """Dates, times and date-times as ISO 8601 text: a fraction of a second only where a
    value has one, ``Z`` on instants (UTC)."""
    t = col.type
    text = pc.cast(col, pa.string())
    if pa.types.is_timestamp(t) or pa.types.is_time(t):
        text = pc.replace_substring_regex(text, r"\.0+(Z?)$", r"\1")
    if pa.types.is_timestamp(t):
        text = pc.replace_substring(text, " ", "T")
    return text


def _finite(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for r in records:
        for k, v in r.items():
            if isinstance(v, float) and (v != v or v in (float("inf"), float("-inf"))):
                r[k] = NON_FINITE["nan" if v != v else ("inf" if v > 0 else "-inf")]
    return records


class _ParquetOut:
    """Typed blocks gathered into row groups of at least ROW_GROUP rows (16,000-row groups make
    readers slow). Dictionary encoding only for columns that repeat in the first block:
    for the rest it costs time and, under zstd, even bytes. Pages of 32 KB with a page index
    let a reader over HTTP, such as the explorer, fetch and decode only the pages that hold
    the rows it shows (fifty scattered rows of a 1,000,000-row file: 1.6 s and 4.4 MB instead
    of 6.2 s and 16.6 MB), for about 6 % more bytes than 1 MB pages (BENCHMARKS.md).

    A datetime column's type (instants in UTC, or wall-clock times) is known from its first
    value. Until the first row group is handed out, a block's schema may still change; after
    it, blocks keep the file's schema and ``close`` rewrites the file row group by row group
    if the final schema differs (a column empty for its first row group, then instants)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.schema: pa.Schema | None = None  # of the blocks held or written
        self.final: pa.Schema | None = None
        self.writer: pq.ParquetWriter | None = None
        self.started = False  # a row group was handed to the writer: the file's schema is fixed
        self.group: list[pa.RecordBatch] = []
        self.size = 0

    def add(self, batch: pa.RecordBatch) -> pa.Table | None:
        """Keep a block; a whole row group when one is full (to write in order)."""
        self.final = batch.schema
        if self.schema is None or not self.started:
            if self.schema is not None and batch.schema != self.schema:
                self.group = [_retyped(b, batch.schema) for b in self.group]
            self.schema = batch.schema
        elif batch.schema != self.schema:
            batch = _retyped(batch, self.schema)
        self.group.append(batch)
        self.size += batch.num_rows
        return self._take() if self.size >= ROW_GROUP else None

    def _take(self) -> pa.Table:
        assert self.schema is not None
        self.started = True
        table = pa.Table.from_batches(self.group, schema=self.schema)
        self.group, self.size = [], 0
        return table

    def write(self, table: pa.Table) -> None:
        if self.writer is None:
            repeating = [
                n
                for n in table.column_names
                if pc.count_distinct(table.column(n)).as_py() <= max(1, table.num_rows // 10)
            ]
            self.writer = pq.ParquetWriter(
                self.path,
                table.schema,
                compression="zstd",
                use_dictionary=repeating or False,
                **PAGES,
            )
        self.writer.write_table(table, row_group_size=max(table.num_rows, 1))

    def close(self, empty_schema: pa.Schema) -> None:
        if self.schema is None:
            self.schema = self.final = empty_schema
        if self.group or self.writer is None:
            self.write(self._take())
        if self.writer is not None:
            self.writer.close()
        if self.final is not None and self.final != self.schema:
            self._rewrite(self.final)

    def _rewrite(self, schema: pa.Schema) -> None:
        source = pq.ParquetFile(self.path)
        tmp = self.path.with_suffix(".retyped")
        with pq.ParquetWriter(tmp, schema, compression="zstd", **PAGES) as out:
            for i in range(source.num_row_groups):
                out.write_table(
                    source.read_row_group(i).cast(schema),
                    row_group_size=max(source.metadata.row_group(i).num_rows, 1),
                )
        source.close()
        os.replace(tmp, self.path)


def _retyped(batch: pa.RecordBatch, schema: pa.Schema) -> pa.RecordBatch:
    return pa.RecordBatch.from_arrays(
        [c.cast(f.type) for c, f in zip(batch.columns, schema, strict=True)], schema=schema
    )


Prepared = tuple[pa.RecordBatch, list[Parsed], bytes | memoryview, bytes | memoryview]


class _Conversion:
    """One resource's CSV, block by block, into the published CSV, Parquet and JSON files,
    the column profile and the preview."""

    def __init__(
        self, csv_file: Path, res: Resource, out_dir: Path, preview_rows: int, json_max_rows: int
    ) -> None:
        self.res, self.preview_rows, self.json_max_rows = res, preview_rows, json_max_rows
        self.json_stopped = False  # more rows than limits.json_max_rows: no JSON download
        self.header = header_of(csv_file)
        self.public = [f for f in res.schema.public_fields if f.name in self.header]
        self.names = [f.name for f in self.public]
        self.parsers = [FieldParser(_descriptor(f), res.schema.missing_values) for f in self.public]
        self.zones = [Zones() for _ in self.public]
        self.text_schema = pa.schema([pa.field(n, pa.string()) for n in self.names])
        self.profilers = [_Profiler(f) for f in self.public]
        self.preview: list[list[str]] = []
        self.rows = 0
        self.csv_path, self.pq_path, self.json_path = (
            out_dir / f"{res.name}.{ext}" for ext in ("csv", "parquet", "json")
        )
        self.copy_verbatim = len(self.names) == len(
            self.header
        )  # nothing to remove: publish the agency's bytes
        self.parquet = _ParquetOut(self.pq_path)

    def prepare(self, batch: pa.RecordBatch) -> Prepared:
        """The CPU-heavy part of a block (pyarrow kernels release the GIL): run in threads."""
        text = pa.RecordBatch.from_arrays(
            [batch.column(n) for n in self.names], schema=self.text_schema
        )
        parsed = [p.parse(text.column(i)) for i, p in enumerate(self.parsers)]
        typed = pa.RecordBatch.from_arrays([typed_values(p) for p in parsed], names=self.names)
        records = b"" if self.json_stopped else json_records(typed, text)
        return text, parsed, records, b"" if self.copy_verbatim else csv_records(text)

    def typed_block(self, text: pa.RecordBatch, parsed: list[Parsed]) -> pa.RecordBatch:
        """The block's typed values, in order; a cell that would be lost stops the build."""
        columns = []
        for i, (p, zones) in enumerate(zip(parsed, self.zones, strict=True)):
            _refuse(p, self.names[i], text.column(i), self.rows + 2, zones)  # the header is row 1
            values = p.values
            if p.aware is not None and zones.aware:
                values = values.cast(AWARE)
            columns.append(values)
        return pa.RecordBatch.from_arrays(columns, names=self.names)

    def finish(
        self,
        prepared: Prepared,
        write: Callable[[bytes | memoryview, bytes | memoryview], None],
        write_parquet: Callable[[pa.Table], None],
    ) -> None:
        text, parsed, records, csv_text = prepared
        typed = self.typed_block(text, parsed)
        group = self.parquet.add(typed)
        if group is not None:
            write_parquet(group)
        if self.rows + text.num_rows > self.json_max_rows:
            self.json_stopped = True  # too many rows for a JSON download: stop writing it
        records = (
            b"" if self.json_stopped else records[1:] if self.rows == 0 else records
        )  # no comma before the first record
        write(csv_text, records)
        for i, p in enumerate(self.profilers):
            p.add(typed.column(i), text.column(i))
        if len(self.preview) < self.preview_rows:
            take = text.slice(0, self.preview_rows - len(self.preview)).to_pylist()
            self.preview += [[_shown(r[n]) for n in self.names] for r in take]
        self.rows += text.num_rows

    def empty_schema(self) -> pa.Schema:
        return pa.schema(
            [
                pa.field(f.name, arrow_type(_descriptor(f), bool(z.aware)))
                for f, z in zip(self.public, self.zones, strict=True)
            ]
        )


PREVIEW_CELL = 1_000  # characters of a cell shown in the preview (downloads have them all)
TOP_VALUE = 100  # characters of a most frequent value shown in the data dictionary


def _shown(cell: str, most: int = PREVIEW_CELL) -> str:
    return cell if len(cell) <= most else cell[: most - 1] + "…"


def transform_resource(
    csv_file: Path, res: Resource, out_dir: Path, preview_rows: int, json_max_rows: int = 50_000
) -> ResourceOutput:
    """Write ``<name>.csv``, ``.parquet`` and (up to ``json_max_rows`` rows) ``.json`` into
    ``out_dir``; return summaries."""
    out_dir.mkdir(parents=True, exist_ok=True)
    job = _Conversion(csv_file, res, out_dir, preview_rows, json_max_rows)
    read = text_batches(csv_file, job.header, job.names)
    # Threads, so that both cores stay busy: two prepare blocks; one writes Parquet and one
    # the CSV and JSON files (each in block order); one copies a CSV published as written
    # (in the kernel); this one reads the CSV and profiles. Every queue is short, so memory
    # stays bounded whatever the file's size. Each thread that allocates costs memory of its
    # own (allocator caches), so there are no more of them than that.
    with (
        open(os.devnull, "wb")
        if job.copy_verbatim
        else job.csv_path.open("wb") as csv_out,  # the copy writes csv_path
        job.json_path.open("wb") as json_out,
        ThreadPoolExecutor(max_workers=2) as pool,
        ThreadPoolExecutor(max_workers=1) as pq_thread,
        ThreadPoolExecutor(max_workers=1) as file_thread,
        ThreadPoolExecutor(max_workers=1) as side_thread,
    ):
        copied = (
            side_thread.submit(_copy_without_bom, csv_file, job.csv_path)
            if job.copy_verbatim
            else None
        )
        if not job.copy_verbatim:
            csv_out.write(
                csv_records(
                    pa.RecordBatch.from_arrays([pa.array([n]) for n in job.names], names=job.names)
                )
            )
        json_out.write(b"[")
        pending: deque[Future[Prepared]] = deque()
        writes: deque[Future[Any]] = deque()

        def write_files(csv_text: bytes | memoryview, records: bytes | memoryview) -> None:
            csv_out.write(csv_text)
            json_out.write(records)

        def finish(prepared: Prepared) -> None:
            job.finish(
                prepared,
                lambda c, r: writes.append(file_thread.submit(write_files, c, r)),
                lambda t: writes.append(pq_thread.submit(job.parquet.write, t)),
            )
            while len(writes) > 2:
                writes.popleft().result()

        try:
            for batch in read:
                if batch.num_rows:
                    pending.append(pool.submit(job.prepare, batch))
                while len(pending) > 2:  # blocks are finished in order; at most three in flight
                    finish(pending.popleft().result())
            while pending:
                finish(pending.popleft().result())
            writes.append(pq_thread.submit(job.parquet.close, job.empty_schema()))
            while writes:
                writes.popleft().result()
        except BaseException:
            _stop(pending, writes)
            raise
        json_out.write(b"\n]\n")
        if copied is not None:
            copied.result()
    return _output(job, res)


def _stop(pending: deque[Future[Prepared]], writes: deque[Future[Any]]) -> None:
    """Cancel what has not started; let a running writer finish before its file closes."""
    for future in (*pending, *writes):
        future.cancel()
    for future in writes:
        if not future.cancelled():
            future.exception()


def _output(job: _Conversion, res: Resource) -> ResourceOutput:
    """The summaries of a finished conversion (a JSON file over the row limit removed)."""
    formats = [("csv", job.csv_path), ("parquet", job.pq_path)]
    if job.json_stopped:
        job.json_path.unlink()
    else:
        formats.append(("json", job.json_path))
    files = {fmt: {"path": p.name, "bytes": p.stat().st_size} for fmt, p in formats}
    return ResourceOutput(
        res.name,
        res.title,
        job.rows,
        job.names,
        files,
        [p.result() for p in job.profilers],
        job.preview,
    )


def _copy_without_bom(source: Path, target: Path) -> None:
    """Copy a file's bytes, less a leading UTF-8 byte-order mark, inside the kernel where it
    can (copy_file_range: ten times faster than through Python on this machine)."""
    if compression(source):  # decompressed as a stream, a block at a time
        with open_data(source) as src, target.open("wb") as dst:
            first = src.read(3)
            dst.write(first.removeprefix(b"\xef\xbb\xbf"))
            shutil.copyfileobj(src, dst, 1 << 20)
        return
    with source.open("rb") as src, target.open("wb") as dst:
        start = 3 if src.read(3) == b"\xef\xbb\xbf" else 0
        size = os.fstat(src.fileno()).st_size - start
        done = 0
        try:
            while done < size:
                step = os.copy_file_range(src.fileno(), dst.fileno(), size - done, start + done)
                if step == 0:
                    break
                done += step
        except (AttributeError, OSError):  # not Linux, or a file system without it
            pass
        if done < size:
            src.seek(start + done)
            dst.seek(done)
            shutil.copyfileobj(src, dst, 1 << 20)
