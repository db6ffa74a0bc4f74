"""No value lost: compare every published typed file with what Frictionless reads.

For each public resource of a built site, the published CSV is read by Frictionless with
the published Table Schema — the independent reference — and every column of the
Parquet file, the JSON file and the bulk SQLite table is compared with it, cell by cell.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import json
import math
import sqlite3
from decimal import Decimal
from pathlib import Path
from typing import Any

import frictionless
import pyarrow.parquet as pq
from frictionless.formats import CsvControl

from catalog.core.names import sqlite_table_name

NON_FINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def _canonical(kind: str, value: Any) -> Any:
    """A value of any output, as one comparable Python value (None for missing)."""
    if value is None:
        return None
    if kind in ("integer", "year"):
        return int(value)
    if kind == "number":
        if isinstance(value, str):
            return NON_FINITE[value]
        return float(value)
    if kind == "boolean":
        return bool(value)
    if kind == "date":
        return dt.date.fromisoformat(value) if isinstance(value, str) else value
    if kind == "datetime":
        if isinstance(value, str):
            value = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        if value.tzinfo is not None:
            return ("instant", value.astimezone(dt.UTC).replace(tzinfo=None))
        return ("local", value)
    if kind == "time":
        return dt.time.fromisoformat(value) if isinstance(value, str) else value
    return value


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return bool(a == b)


def check_resource(
    site_dataset: Path, dataset_id: str, resource: dict[str, Any], db: sqlite3.Connection | None
) -> int:
    """Compare one resource's typed outputs with the reference; return the cells compared."""
    schema = resource["schema"]
    csv_file = site_dataset / resource["path"]
    name = resource["name"]
    fields = schema["fields"]
    # the reference: Frictionless reading the published CSV, and the raw text for text types
    res = frictionless.Resource(
        path=csv_file.name,
        basepath=str(csv_file.parent),
        schema=frictionless.Schema.from_descriptor(schema),
        format="csv",
        encoding="utf-8",
        control=CsvControl(delimiter=","),
    )
    with res:
        ref_rows = [row.to_dict() for row in res.row_stream]
    with csv_file.open(encoding="utf-8", newline="") as fh:
        raw = list(csv.DictReader(fh))
    parquet = pq.read_table(site_dataset / f"{name}.parquet").to_pylist()
    json_file = site_dataset / f"{name}.json"  # only for tables up to limits.json_max_rows
    records = json.loads(json_file.read_text("utf-8")) if json_file.is_file() else None
    sql: list[dict[str, Any]] | None = None
    if db is not None:
        db.row_factory = sqlite3.Row
        sql = [
            dict(r) for r in db.execute(f'SELECT * FROM "{sqlite_table_name(dataset_id, name)}"')
        ]
    assert len(parquet) == len(ref_rows) == len(raw), (dataset_id, name)
    assert records is None or len(records) == len(ref_rows), (dataset_id, name)
    if sql is not None:
        assert len(sql) == len(ref_rows)
    missing = set(schema.get("missingValues", [""]))
    compared = 0
    for f in fields:
        kind, col = f.get("type", "string"), f["name"]
        own_missing = set(f.get("missingValues", missing))
        for i, ref_row in enumerate(ref_rows):
            if kind in ("integer", "number", "boolean", "date", "datetime", "time", "year"):
                value = ref_row[col]
                want = _canonical(kind, float(value) if isinstance(value, Decimal) else value)
            else:  # text types are published as written
                want = None if raw[i][col] in own_missing else raw[i][col]
            for source, got in (
                ("parquet", parquet[i][col]),
                *((("json", records[i][col]),) if records is not None else ()),
                *((("sqlite", sql[i][col]),) if sql is not None else ()),
            ):
                where = f"{dataset_id}/{name} row {i + 2} field {col!r} ({kind})"
                assert _same(_canonical(kind, got), want), (
                    f"{where}: {source} has {got!r}, the CSV means {want!r}"
                )
            compared += 1
    return compared


def check_site(site: Path) -> int:
    """Every public resource of a built site; the cells compared."""
    db_file = site / "bulk" / "catalog.sqlite.gz"
    db = open_bulk_database(db_file) if db_file.is_file() else None
    total = 0
    try:
        for package in sorted((site / "datasets").glob("*/*/datapackage.json")):
            dp = json.loads(package.read_text("utf-8"))
            dataset_id = package.parent.relative_to(site / "datasets").as_posix()
            for resource in dp["resources"]:
                if "schema" in resource:  # tables (a boundary file is a resource too)
                    total += check_resource(package.parent, dataset_id, resource, db)
    finally:
        if db is not None:
            db.close()
    return total


def open_bulk_database(path: Path) -> sqlite3.Connection:
    """The site's gzip-compressed bulk SQLite database, opened in memory."""
    db = sqlite3.connect(":memory:")
    db.deserialize(gzip.decompress(path.read_bytes()))
    return db
