"""Transform: typed conversion and the vectorised JSON and CSV writers."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pyarrow as pa
import pytest

import catalog.site.transform as transform
from catalog.core.model import Field
from catalog.site.transform import UnpublishableData, _Profiler, convert, csv_records, json_records


def test_json_records_escape_and_type_every_value() -> None:
    batch = pa.RecordBatch.from_arrays(
        [
            pa.array(
                ['a "quoted" \\ path', "line\nbreak\ttab", None, "ctrl\x01char", "é ✓ \u2028"]
            ),
            pa.array([1, None, -3, 0, 2**53], pa.int64()),
            pa.array([1.5, float("nan"), float("inf"), None, -0.25]),
            pa.array([True, False, None, True, False]),
            pa.array(
                [
                    dt.date(2024, 1, 2),
                    None,
                    dt.date(1999, 12, 31),
                    dt.date(2024, 2, 29),
                    dt.date(2000, 1, 1),
                ]
            ),
            pa.array([dt.datetime(2024, 1, 2, 3, 4, 5)] * 5, pa.timestamp("s")),
        ],
        names=["text", "n", "x", "flag", "day", "when"],
    )
    rows = json.loads("[" + bytes(json_records(batch)).decode()[1:] + "]")
    assert [r["text"] for r in rows] == [
        'a "quoted" \\ path',
        "line\nbreak\ttab",
        None,
        "ctrl\x01char",
        "é ✓ \u2028",
    ]
    assert [r["n"] for r in rows] == [1, None, -3, 0, 2**53]
    assert [r["x"] for r in rows] == [
        1.5,
        "NaN",
        "Infinity",
        None,
        -0.25,
    ]  # JSON has no NaN or Infinity numbers: strings say so
    assert [r["flag"] for r in rows] == [True, False, None, True, False]
    assert [r["day"] for r in rows] == [
        "2024-01-02",
        None,
        "1999-12-31",
        "2024-02-29",
        "2000-01-01",
    ]
    assert rows[0]["when"] == "2024-01-02T03:04:05"


def test_json_records_fast_path_matches_json_dumps() -> None:
    batch = pa.RecordBatch.from_pydict({"s": ["plain", 'q"', "b\\s", "n\nl"], "i": [1, 2, 3, 4]})
    text = bytes(json_records(batch)).decode()
    assert (
        text.startswith(",\n{") and text.count("\n") == 4
    )  # one record per line, each after ",\n"
    assert json.loads("[" + text[1:] + "]") == batch.to_pylist()


TRICKY = [
    "plain",
    "comma, inside",
    'say "hi"',
    "two\nlines",
    "cr\rhere",
    "",
    " lead and trail ",
    "é ✓",
    '"',
    ",",
    "\r\n",
]


def _rfc4180(cell: str) -> str:
    return '"' + cell.replace('"', '""') + '"' if any(c in cell for c in ',"\r\n') else cell


@pytest.mark.parametrize("columns", [1, 3])
def test_csv_records_quote_only_where_needed_and_read_back(columns: int) -> None:
    data = {f"c{i}": TRICKY[i:] + TRICKY[:i] for i in range(columns)}
    batch = pa.RecordBatch.from_pydict(data)
    rows = list(zip(*data.values(), strict=True))
    written = bytes(csv_records(batch)).decode()
    assert written == "".join(
        ",".join(_rfc4180(c) or ('""' if columns == 1 else "") for c in r) + "\n" for r in rows
    )
    assert list(csv.reader(io.StringIO(written, newline=""))) == [list(r) for r in rows]


def test_csv_records_keep_an_empty_single_column_row() -> None:
    written = bytes(csv_records(pa.RecordBatch.from_pydict({"only": ["a", "", "b"]}))).decode()
    assert list(csv.reader(io.StringIO(written))) == [
        ["a"],
        [""],
        ["b"],
    ]  # not a blank line that readers skip


def test_conversion_refuses_a_cell_it_cannot_read_instead_of_publishing_null() -> None:
    cells = [str(i) for i in range(10_000)]
    cells[5000], cells[9999] = "", "+9999"
    out = convert(pa.array(cells), Field("n", "integer"), [""]).to_pylist()
    assert out[5000] is None and out[9999] == 9999 and out[:3] == [0, 1, 2]
    cells[17] = "17x"
    with pytest.raises(UnpublishableData) as caught:
        convert(pa.array(cells), Field("n", "integer"), [""])
    assert (caught.value.row, caught.value.field, caught.value.cell) == (17, "n", "17x")


def _profile(cells: list[str], f: Field, block: int = 1000) -> transform.ColumnProfile:
    profiler = _Profiler(f)
    for start in range(0, len(cells), block):
        text = pa.array(cells[start : start + block], pa.string())
        profiler.add(convert(text, f, [""]), text)
    return profiler.result()


def test_profile_counts_like_a_counter_across_blocks() -> None:
    import random
    from collections import Counter

    rng = random.Random(3)
    cells = [
        rng.choice(["Hartford", "New Haven", "Stamford", "", "Norwalk", "Bristol"])
        for _ in range(25_000)
    ]
    got = _profile(cells, Field("town", "string"))
    counted = Counter(c for c in cells if c)
    assert (got.count, got.missing, got.distinct, got.distinct_capped) == (
        sum(counted.values()),
        cells.count(""),
        len(counted),
        False,
    )
    assert got.top == sorted(counted.items(), key=lambda kv: (-kv[1], kv[0]))[:5]


def test_profile_of_numbers_gives_extremes_and_caps_distinct_values(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(transform, "DISTINCT_CAP", 500)
    cells = [str(i) for i in range(3000)] + [" 7 ", ""]
    got = _profile(cells, Field("n", "integer"))
    assert (got.min, got.max, got.count, got.missing) == ("0", "2999", 3001, 1)
    assert got.distinct_capped and got.distinct == 500 and got.top == []


def test_json_numbers_keep_their_written_form_only_when_it_is_json() -> None:
    written = pa.array(["1.50", "-0.25", "1e3", "12"])
    typed = pa.RecordBatch.from_pydict({"x": pa.array([1.5, -0.25, 1000.0, 12.0])})
    out = bytes(json_records(typed, pa.RecordBatch.from_pydict({"x": written}))).decode()
    assert out == ',\n{"x":1.50},\n{"x":-0.25},\n{"x":1e3},\n{"x":12}'
    for odd in (
        ["007", "1", "2", "3"],
        [" 1.5", "1", "2", "3"],
        ["+1", "1", "2", "3"],
        ["1.", "1", "2", "3"],
    ):  # not JSON as written
        out = bytes(json_records(typed, pa.RecordBatch.from_pydict({"x": pa.array(odd)}))).decode()
        assert json.loads("[" + out[1:] + "]") == [
            {"x": 1.5},
            {"x": -0.25},
            {"x": 1000.0},
            {"x": 12.0},
        ]


def test_transform_round_trips_a_large_awkward_file(tmp_path: Path) -> None:
    """Multi-line quoted cells, padded numbers, missing values and a protected column, over
    many blocks and row groups: every output reads back to the same rows."""
    import pyarrow.parquet as pq

    from catalog.core.model import Resource, Schema
    from catalog.site.transform import ROW_GROUP, transform_resource

    rows = []
    for i in range(70_000):
        note = (
            f'line one\nline "two" {i}' if i % 1000 == 7 else ("" if i % 13 == 0 else f"note, {i}")
        )
        amount = "*" if i % 17 == 0 else (f" {i / 4} " if i % 19 == 0 else str(i / 4))
        rows.append(
            [
                str(i),
                note,
                amount,
                "true" if i % 2 else "false",
                f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}",
                f"SECRET-{i}",
            ]
        )
    source = tmp_path / "data.csv"
    with source.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow(["id", "note", "amount", "flag", "day", "ssn"])
        out.writerows(rows)
    schema = Schema(
        fields=(
            Field("id", "integer"),
            Field("note", "string"),
            Field("amount", "number"),
            Field("flag", "boolean"),
            Field("day", "date"),
            Field("ssn", "string", protected=True, exemption="privacy"),
        ),
        missing_values=("", "*"),
    )
    done = transform_resource(
        source,
        Resource("data", "data.csv", "data.csv", "Data", "", schema, 0),
        tmp_path / "out",
        5,
        json_max_rows=100_000,
    )
    assert done.rows == 70_000 and done.columns == ["id", "note", "amount", "flag", "day"]

    with (tmp_path / "out/data.csv").open(newline="", encoding="utf-8") as fh:
        published = list(csv.reader(fh))
    assert published == [["id", "note", "amount", "flag", "day"]] + [r[:5] for r in rows]
    assert b"SECRET" not in b"".join(p.read_bytes() for p in (tmp_path / "out").iterdir())

    table = pq.read_table(tmp_path / "out/data.parquet")
    meta = pq.read_metadata(tmp_path / "out/data.parquet")
    assert meta.num_row_groups > 1 and all(
        meta.row_group(g).num_rows >= ROW_GROUP for g in range(meta.num_row_groups - 1)
    )  # blocks gathered
    expected = [
        {
            "id": int(r[0]),
            "note": r[1] or None,
            "amount": None if r[2] == "*" else float(r[2]),
            "flag": r[3] == "true",
            "day": dt.date.fromisoformat(r[4]),
        }
        for r in rows
    ]
    assert table.to_pylist() == expected
    records = json.loads((tmp_path / "out/data.json").read_text(encoding="utf-8"))
    assert records == [{**e, "day": e["day"].isoformat()} for e in expected]
