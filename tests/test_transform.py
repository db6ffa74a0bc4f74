"""Transform: typed conversion and the vectorised JSON writer."""

from __future__ import annotations

import datetime as dt
import json

import pyarrow as pa

from catalog.transform import json_records


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
