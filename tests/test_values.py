"""The shared value parser reads every cell as Frictionless does: the same values, the same
type errors — vectorised where it can prove it, by Frictionless' own reader elsewhere."""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any

import frictionless
import pyarrow as pa
import pytest

from catalog.core.values import FieldParser, _publishable, _Unpublishable, native_reader

CELLS = [
    "",
    "1",
    "+1",
    "-1",
    " 7 ",
    "01",
    "1_000",
    "١٢",
    "1.5",
    "1.",
    ".5",
    "1e5",
    "1e400",
    "NaN",
    "nan",
    "INF",
    "-Infinity",
    "sNaN",
    "12345678901234567890",
    "-9223372036854775808",
    "9223372036854775808",
    "$1,234.50",
    "-$5",
    "$-5",
    "95.5%",
    "1.234,5",
    "12,5",
    "(S)",
    "NDA",
    "*",
    "2024-07-01",
    "2024-7-1",
    "2024-07- 1",
    "2024-02-30",
    "2024-02-29",
    "2023-02-29",
    "0000-01-01",
    "2024-13-01",
    " 2024-07-01",
    "2012-09-14T22:38:01.000",
    "2012-09-14 22:38:01",
    "2012-09-14x22:38:01",
    "2023-01-05T15:02:37-05:00",
    "2023-01-05T15:02:37Z",
    "2023-01-05T15:02:37.1",
    "2023-01-05T15:02:37.123456",
    "2023-01-05T15:02:37.1234567",
    "2012-09-14T24:00:00",
    "2012-09-14T22:38:01+0530",
    "2012-09-14T22:38:01+05",
    "2012-09-14T22:38:01,5",
    "2012-02-30T22:38:01",
    "2012-09-14T22:38",
    "0001-01-01T00:00:00+01:00",
    "09/27/2012 03:48:18 PM",
    "9/7/2012 3:48:18 am",
    "12/27/2012 12:48:18 AM",
    "12/27/2012 12:48:18 pm",
    "02/30/2012 01:00:00 PM",
    "1/3/2022",
    "01/03/2022",
    "13/03/2022",
    "December 18 2015",
    "december  18 2015",
    "Dec 18 2015",
    "Sept 18 2015",
    "16:00",
    "16:00:00",
    "16:00:00.5",
    "24:00:00",
    "16:00:00Z",
    "16:00:61",
    "2024",
    "202",
    "+202",
    "-202",
    "2024-07",
    "2024-13",
    "true",
    "True",
    " true",
    "yes",
    "0",
    "41.7,-72.6",
    "POINT (-72.6 41.7)",
    "a@b.co",
    "not-an-email",
    '{"a":1}',
    "[1,2]",
    "P1Y2M",
    "x",
]

FIELDS = [
    {"type": "integer"},
    {"type": "integer", "bareNumber": False},
    {"type": "number"},
    {"type": "number", "groupChar": ","},
    {"type": "number", "bareNumber": False, "groupChar": ","},
    {"type": "number", "decimalChar": ",", "groupChar": "."},
    {"type": "boolean"},
    {"type": "boolean", "trueValues": ["yes"], "falseValues": ["no"]},
    {"type": "date"},
    {"type": "date", "format": "%m/%d/%Y"},
    {"type": "date", "format": "%B %d %Y"},
    {"type": "date", "format": "%b %d %Y"},
    {"type": "date", "format": "any"},
    {"type": "datetime"},
    {"type": "datetime", "format": "%m/%d/%Y %I:%M:%S %p"},
    {"type": "datetime", "format": "any"},
    {"type": "datetime", "format": "%Y-%m-%dT%H:%M:%S%z"},
    {"type": "time"},
    {"type": "time", "format": "%H:%M"},
    {"type": "year"},
    {"type": "yearmonth"},
    {"type": "geopoint"},
    {"type": "string", "format": "email"},
    {"type": "object"},
    {"type": "array"},
    {"type": "duration"},
    {"type": "string"},
    {"type": "any"},
]
TYPED = ("integer", "number", "date", "datetime", "time", "year", "boolean")


def _fuzz(kind: str, n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    if kind in ("integer", "number"):
        return [
            "".join(rng.choice("0123456789+-.,e$% _") for _ in range(rng.randint(0, 12)))
            for _ in range(n)
        ]
    parts = {
        "y": ["2024", "0000", "1999", "99", "202", "20245"],
        "m": ["1", "01", "12", "13", "00", "7", " 7"],
        "d": ["1", "01", "29", "30", "31", " 1", "32"],
        "H": ["0", "00", "12", "23", "24", "9"],
        "M": ["00", "59", "60", "5"],
        "S": ["00", "59", "60", "61", "5"],
        "f": ["", ".1", ".123456", ".1234567", ",5"],
        "z": ["", "Z", "+05:00", "-0530", "+05", "+24:00", "z"],
        "p": ["AM", "PM", "am", "pm", ""],
        "w": ["December", "dec", "Sept", "May", "MAY"],
    }
    shapes = [
        "{y}-{m}-{d}",
        "{y}-{m}-{d}T{H}:{M}:{S}{f}{z}",
        "{y}-{m}-{d} {H}:{M}:{S}{f}{z}",
        "{m}/{d}/{y}",
        "{m}/{d}/{y} {H}:{M}:{S} {p}",
        "{w} {d} {y}",
        "{H}:{M}:{S}{f}{z}",
        "{H}:{M}",
    ]
    out = []
    for _ in range(n):
        if rng.random() < 0.2:
            out.append(
                "".join(
                    rng.choice("0123456789 -/:.TZ+,APMapmJanDec") for _ in range(rng.randint(0, 24))
                )
            )
        else:
            out.append(rng.choice(shapes).format(**{k: rng.choice(v) for k, v in parts.items()}))
    return out


def _expected(kind: str, value: Any) -> Any:
    pub = _publishable(kind, value)
    return pub if isinstance(pub, _Unpublishable) else pub[0]


def _check(descriptor: dict[str, Any], cells: list[str]) -> None:
    fd = {"name": "f", **descriptor}
    reference = frictionless.Field.from_descriptor(fd).create_value_reader()
    got = FieldParser(fd, ["", "NA"]).parse(pa.array(cells, pa.string()))
    values = got.values.to_pylist()
    for i, cell in enumerate(cells):
        if cell in ("", "NA"):
            assert got.missing[i] and values[i] is None, cell
            continue
        want = reference(cell)
        if want is None:
            assert got.bad[i], (fd, cell, values[i])
            continue
        assert not got.bad[i], (fd, cell, want)
        if fd["type"] not in TYPED:
            assert values[i] == cell, (fd, cell)
            continue
        expected = _expected(fd["type"], want)
        if isinstance(expected, _Unpublishable):
            assert got.unpublishable[i], (fd, cell)
            continue
        same = expected == values[i] or (expected != expected and values[i] != values[i])
        assert same, (fd, cell, expected, values[i])


@pytest.mark.parametrize("descriptor", FIELDS, ids=lambda d: "-".join(str(v) for v in d.values()))
def test_edge_cells_read_as_frictionless_reads_them(descriptor: dict[str, Any]) -> None:
    _check(descriptor, CELLS * 2)


@pytest.mark.parametrize(
    "descriptor",
    [f for f in FIELDS if f["type"] in ("integer", "number", "date", "datetime", "time", "year")],
    ids=lambda d: "-".join(str(v) for v in d.values()),
)
def test_generated_cells_read_as_frictionless_reads_them(descriptor: dict[str, Any]) -> None:
    _check(descriptor, _fuzz(descriptor["type"], 4000, seed=len(str(descriptor))))


@pytest.mark.parametrize(
    "descriptor",
    [f for f in FIELDS if native_reader(f) is not None],
    ids=lambda d: "-".join(str(v) for v in d.values()),
)
def test_native_readers_are_frictionless_readers(descriptor: dict[str, Any]) -> None:
    fd = {"name": "f", **descriptor}
    ours, theirs = native_reader(fd), frictionless.Field.from_descriptor(fd).create_value_reader()
    assert ours is not None
    for cell in CELLS + _fuzz(fd["type"], 2000, seed=3):
        a, b = ours(cell), theirs(cell)
        if isinstance(a, Decimal) or isinstance(
            b, Decimal
        ):  # NaNs (and signalling ones) compare by their text
            assert (type(a), str(a)) == (type(b), str(b)), (fd, cell, a, b)
        else:
            assert a == b and type(a) is type(b), (fd, cell, a, b)


def test_a_whole_common_block_takes_one_cast() -> None:
    parsed = FieldParser({"name": "n", "type": "integer"}).parse(
        pa.array([str(i) for i in range(10_000)] + [""])
    )
    assert (
        parsed.values.to_pylist()[:3] == [0, 1, 2] and not parsed.bad.any() and parsed.missing[-1]
    )
