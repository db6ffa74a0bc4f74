"""Transform: typed conversion and the vectorised JSON and CSV writers."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pyarrow as pa
import pytest

from catalog.transform import _cast, csv_records, json_records


def test_json_records_escape_and_type_every_value() -> None:
    batch = pa.RecordBatch.from_arrays(
        [
            pa.array(['a "quoted" \\ path', "line\nbreak\ttab", None, "ctrl\x01char", "é ✓ \u2028"]),
            pa.array([1, None, -3, 0, 2**53], pa.int64()),
            pa.array([1.5, float("nan"), float("inf"), None, -0.25]),
            pa.array([True, False, None, True, False]),
            pa.array([dt.date(2024, 1, 2), None, dt.date(1999, 12, 31), dt.date(2024, 2, 29), dt.date(2000, 1, 1)]),
            pa.array([dt.datetime(2024, 1, 2, 3, 4, 5)] * 5, pa.timestamp("s")),
        ],
        names=["text", "n", "x", "flag", "day", "when"],
    )
    rows = json.loads("[" + bytes(json_records(batch)).decode()[1:] + "]")
    assert [r["text"] for r in rows] == ['a "quoted" \\ path', "line\nbreak\ttab", None, "ctrl\x01char", "é ✓ \u2028"]
    assert [r["n"] for r in rows] == [1, None, -3, 0, 2**53]
    assert [r["x"] for r in rows] == [1.5, None, None, None, -0.25]  # no NaN or Infinity in JSON
    assert [r["flag"] for r in rows] == [True, False, None, True, False]
    assert [r["day"] for r in rows] == ["2024-01-02", None, "1999-12-31", "2024-02-29", "2000-01-01"]
    assert rows[0]["when"] == "2024-01-02T03:04:05"


def test_json_records_fast_path_matches_json_dumps() -> None:
    batch = pa.RecordBatch.from_pydict({"s": ["plain", 'q"', "b\\s", "n\nl"], "i": [1, 2, 3, 4]})
    text = bytes(json_records(batch)).decode()
    assert text.startswith(",\n{") and text.count("\n") == 4  # one record per line, each after ",\n"
    assert json.loads("[" + text[1:] + "]") == batch.to_pylist()


TRICKY = ["plain", "comma, inside", 'say "hi"', "two\nlines", "cr\rhere", "", " lead and trail ", "é ✓", '"', ",", "\r\n"]


def _rfc4180(cell: str) -> str:
    return '"' + cell.replace('"', '""') + '"' if any(c in cell for c in ',"\r\n') else cell


@pytest.mark.parametrize("columns", [1, 3])
def test_csv_records_quote_only_where_needed_and_read_back(columns: int) -> None:
    data = {f"c{i}": TRICKY[i:] + TRICKY[:i] for i in range(columns)}
    batch = pa.RecordBatch.from_pydict(data)
    rows = list(zip(*data.values(), strict=True))
    written = bytes(csv_records(batch)).decode()
    assert written == "".join(",".join(_rfc4180(c) or ('""' if columns == 1 else "") for c in r) + "\n" for r in rows)
    assert list(csv.reader(io.StringIO(written, newline=""))) == [list(r) for r in rows]


def test_csv_records_keep_an_empty_single_column_row() -> None:
    written = bytes(csv_records(pa.RecordBatch.from_pydict({"only": ["a", "", "b"]}))).decode()
    assert list(csv.reader(io.StringIO(written))) == [["a"], [""], ["b"]]  # not a blank line that readers skip


def test_cast_turns_only_the_bad_cells_into_null() -> None:
    cells = [str(i) for i in range(10_000)]
    cells[17], cells[5000], cells[9999] = "17x", "", "n/a"
    out = _cast(pa.array(cells), pa.int64()).to_pylist()
    assert out[17] is None and out[5000] is None and out[9999] is None
    assert [v for i, v in enumerate(out) if i not in (17, 5000, 9999)] == [i for i in range(10_000) if i not in (17, 5000, 9999)]
