"""Cell text → typed values, exactly as Frictionless reads them, a block at a time.

One parser serves validation (the fast path's type checks) and conversion (the typed
downloads), so what validates is what is published: a value is either read — and then
published, equal to what the Table Schema says its text means — or it is a type error.

Each column is read in three steps:

1. cells of the shapes this module can prove it reads as Python does (``12``, ``+1``,
   ``2024-07-01``, ``2012-09-14T22:38:01.000-05:00``, ``09/27/2012 03:48:18 PM`` for a
   declared ``%m/%d/%Y %I:%M:%S %p`` …) are read by Arrow kernels and numpy;
2. every other cell is read by Frictionless' own value reader, once per distinct text;
3. a value that no typed format can carry — an integer beyond 64 bits, a finite number
   beyond a double's range, a time of day with a UTC offset — is marked *unpublishable*,
   so validation reports it with its row instead of the build dropping it.

Datetimes with a UTC offset are instants (kept in UTC); without one they are wall-clock
times. A column holds one kind or the other (see ``Parsed.aware``).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import time as _time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

TRUE_VALUES = ("true", "True", "TRUE", "1")
FALSE_VALUES = ("false", "False", "FALSE", "0")
CATALOG_KEYS = ("protected", "exemption", "min_cell", "unit")

NAIVE = pa.timestamp("us")
AWARE = pa.timestamp("us", tz="UTC")
ARROW_TYPES: dict[str, pa.DataType] = {
    "integer": pa.int64(),
    "number": pa.float64(),
    "boolean": pa.bool_(),
    "date": pa.date32(),
    "datetime": NAIVE,
    "time": pa.time64("us"),
    "year": pa.int32(),
}
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
_NULL_TEXT = pa.scalar(None, pa.string())
_US = 1_000_000
_DAY_US = 86_400 * _US
_MIN_US = -62_135_596_800 * _US  # 0001-01-01T00:00:00
_MAX_US = 253_402_300_799 * _US + 999_999  # 9999-12-31T23:59:59.999999


def arrow_type(field: Mapping[str, Any], aware: bool = False) -> pa.DataType:
    """The Arrow type a field is published as (text types stay text)."""
    kind = field.get("type", "string")
    if kind == "datetime" and aware:
        return AWARE
    return ARROW_TYPES.get(kind, pa.string())


@dataclass
class Parsed:
    """One block of a column read as its field's type."""

    values: pa.Array  # typed; null where missing, unreadable or unpublishable
    missing: np.ndarray  # a declared missing value
    bad: np.ndarray  # neither missing nor readable as the field's type: a type error
    unpublishable: np.ndarray  # readable, but no typed format can carry it
    aware: np.ndarray | None = None  # datetime: the value had a UTC offset
    reasons: dict[int, str] | None = None  # index → why a value is unpublishable


class Zones:
    """A datetime column holds instants (values with a UTC offset) or wall-clock times
    (without), never both: Parquet, and every reader after it, types a column one way.
    The column's first value decides; validation and conversion read it alike."""

    def __init__(self) -> None:
        self.aware: bool | None = None
        self.first: str = ""

    def unpublishable(self, parsed: Parsed) -> dict[int, str]:
        """Index → reason, for every cell of the block that no typed format can carry."""
        out = dict(parsed.reasons or {})
        if parsed.aware is None:
            return out
        read = ~parsed.missing & ~parsed.bad & ~parsed.unpublishable
        if not read.any():
            return out
        if self.aware is None:
            self.aware = bool(parsed.aware[int(np.argmax(read))])
        other = np.flatnonzero(read & (parsed.aware != self.aware))
        for i in other:
            out[int(i)] = (
                "has a UTC offset, but the column's first value has none: a column holds "
                "times with an offset or times without, not both"
                if not self.aware
                else "has no UTC offset, but the column's first value has one: a column holds "
                "times with an offset or times without, not both"
            )
        return out


def is_any(col: pa.Array, values: list[str] | tuple[str, ...]) -> pa.Array:
    """col in values, by equality tests (much faster than a hash lookup for a few values)."""
    if not values:
        return pa.array(np.zeros(len(col), dtype=bool))
    mask = None
    for v in values:
        test = pc.equal(pc.binary_length(col), 0) if v == "" else pc.equal(col, v)
        mask = test if mask is None else pc.or_(mask, test)
    return mask


def _ascii(col: pa.Array) -> np.ndarray:
    return _np(pc.string_is_ascii(col)) if len(col) else np.zeros(0, dtype=bool)


def _np(mask: pa.Array | pa.ChunkedArray) -> np.ndarray:
    return np.asarray(pc.fill_null(mask, False).to_numpy(zero_copy_only=False), dtype=bool)


class FieldParser:
    """Reads one field's cells. ``descriptor`` is the Table Schema field (catalog keys are
    ignored); ``missing`` the schema's missingValues (the field's own win)."""

    def __init__(
        self, descriptor: Mapping[str, Any], missing: list[str] | tuple[str, ...] = ("",)
    ) -> None:
        self.descriptor = {k: v for k, v in descriptor.items() if k not in CATALOG_KEYS}
        self.name = str(self.descriptor.get("name", ""))
        self.type = str(self.descriptor.get("type", "string"))
        self.format = str(self.descriptor.get("format") or "default")
        own = self.descriptor.get("missingValues")
        self.missing = [str(m) for m in own] if isinstance(own, list) else [str(m) for m in missing]
        self._reader: Callable[[str], Any] | None = None
        self._pattern = (
            _strptime_regex(self.format)
            if self.type in ("date", "datetime", "time") and self.format not in ("default", "any")
            else None
        )

    # --- the reference: Frictionless' own value reader -----------------------------------

    def reference(self, text: Any) -> Any:
        """What Frictionless reads ``text`` as (None: a type error)."""
        if self._reader is None:
            self._reader = native_reader(self.descriptor) or _frictionless_reader(self.descriptor)
        if not isinstance(text, str):  # a constraint's bound written as a YAML number
            return (
                _number_bound(self.type, text)
                if self.type in ("integer", "number", "year")
                else _frictionless_reader(self.descriptor)(text)
            )
        return self._reader(text)

    # --- one block ---------------------------------------------------------------------

    def parse(self, col: pa.Array) -> Parsed:
        if isinstance(col, pa.ChunkedArray):
            col = col.combine_chunks()
        n = len(col)
        missing_mask = is_any(col, self.missing)
        missing = _np(missing_mask)
        some_missing = bool(missing.any())
        present = pc.if_else(missing_mask, _NULL_TEXT, col) if some_missing else col
        kind = self.type
        if kind == "boolean":
            return self._booleans(present, missing)
        target = ARROW_TYPES.get(kind)
        if target is None:
            return self._text(present, missing)
        fast, done = self._fast(present, missing)
        # cells neither missing nor read by the fast route: Frictionless' reader decides
        todo = ~missing & ~done
        bad = np.zeros(n, dtype=bool)
        unpublishable = np.zeros(n, dtype=bool)
        aware = _np(fast.field("aware")) if kind == "datetime" else None
        values = fast.field("value")
        reasons: dict[int, str] = {}
        if todo.any():
            values, aware = self._slow(present, todo, values, aware, bad, unpublishable, reasons)
        if kind == "integer":
            values = values.cast(pa.int64())
        return Parsed(values, missing, bad, unpublishable, aware, reasons or None)

    def _text(self, present: pa.Array, missing: np.ndarray) -> Parsed:
        """Text types are published as written; Frictionless still checks their form
        (string formats, geopoint, yearmonth, JSON …)."""
        n = len(present)
        bad = np.zeros(n, dtype=bool)
        if self.type != "any" and (self.type != "string" or self.format != "default"):
            for value, cells in self._each_distinct(present, ~missing):
                if value is None:
                    bad |= cells
        return Parsed(present, missing, bad, np.zeros(n, dtype=bool))

    def _each_distinct(self, present: pa.Array, wanted: np.ndarray) -> list[tuple[Any, np.ndarray]]:
        """(reference value, cells with that text) for each distinct text among ``wanted``."""
        idx = np.flatnonzero(wanted)
        if not len(idx):
            return []
        cells = present.take(pa.array(idx))
        uniques = pc.unique(cells)
        positions = pc.index_in(cells, value_set=uniques).to_numpy(zero_copy_only=False)
        out = []
        for u, text in enumerate(uniques.to_pylist()):
            mask = np.zeros(len(present), dtype=bool)
            mask[idx[positions == u]] = True
            out.append((self.reference(text), mask))
        return out

    def _booleans(self, present: pa.Array, missing: np.ndarray) -> Parsed:
        trues = pa.array(
            [str(v) for v in self.descriptor.get("trueValues") or TRUE_VALUES], pa.string()
        )
        falses = pa.array(
            [str(v) for v in self.descriptor.get("falseValues") or FALSE_VALUES], pa.string()
        )
        t, f = _np(pc.is_in(present, value_set=trues)), _np(pc.is_in(present, value_set=falses))
        good = t | f
        values = pa.array(np.where(good, t, False), pa.bool_(), mask=~good)
        return Parsed(values, missing, ~missing & ~good, np.zeros(len(present), dtype=bool))

    # --- step 1: shapes read by kernels ------------------------------------------------

    def _fast(self, present: pa.Array, missing: np.ndarray) -> tuple[pa.StructArray, np.ndarray]:
        """(struct of value[, aware], cells done) for the cells of a shape read vectorised."""
        n = len(present)
        kind = self.type
        nothing = np.zeros(n, dtype=bool)
        quick = self._quick(present, missing)
        if quick is not None:
            values, done = quick
        elif kind in ("integer", "number"):
            values, done = self._numbers(present, _ascii(present))
        elif kind == "year":
            shaped = _np(pc.match_substring_regex(present, r"^[0-9]{4}$"))
            values = pc.cast(pc.if_else(pa.array(shaped), present, _NULL_TEXT), pa.int32())
            done = shaped
        elif kind == "date" and self.format == "default":
            values, done = _iso_dates(present)
            rest = ~missing & ~done
            if rest.any():  # unpadded months and days are dates to Python too
                rest &= _ascii(present)
                v2, d2 = _components(present, _strptime_regex("%Y-%m-%d"), rest, "date")
                values = pc.if_else(pa.array(d2), v2, values)
                done = done | d2
        elif kind == "datetime" and self.format == "default":
            return _iso_datetimes(present, _ascii(present))
        elif kind == "time" and self.format == "default":
            shaped = _ascii(present) & _np(
                pc.match_substring_regex(
                    present, r"^([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,6})?$"
                )
            )
            text = pc.if_else(pa.array(shaped), present, _NULL_TEXT)
            values = _time_of_day(text)
            done = shaped
        elif self._pattern is not None:
            values, done = _components(present, self._pattern, _ascii(present) & ~missing, kind)
        else:
            values, done = pa.nulls(n, ARROW_TYPES[kind]), nothing
        if kind == "datetime":
            return pa.StructArray.from_arrays(
                [values.cast(NAIVE), pa.array(np.zeros(n, dtype=bool))], names=["value", "aware"]
            ), done
        return pa.StructArray.from_arrays([values], names=["value"]), done

    def _quick(self, present: pa.Array, missing: np.ndarray) -> tuple[pa.Array, np.ndarray] | None:
        """The common block, whole: every present cell plain enough for one Arrow cast,
        which then reads each cell as Python does (or None: take the careful route)."""
        kind = self.type
        if kind not in ("integer", "number", "year") or any(
            k in self.descriptor for k in ("groupChar", "decimalChar", "bareNumber")
        ):
            return None
        target = ARROW_TYPES[kind]
        try:
            values = pc.cast(present, pa.int64() if kind == "year" else target)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            return None
        if kind == "year":  # four characters, 0 to 9999
            lengths = pc.binary_length(present)
            if not pc.all(
                pc.fill_null(pc.and_(pc.equal(lengths, 4), pc.greater_equal(values, 0)), True)
            ).as_py():
                return None
            return values.cast(pa.int32()), ~missing
        if kind == "number" and not pc.all(pc.fill_null(pc.is_finite(values), True)).as_py():
            return None  # NaN, infinity, or 1e400 (finite to Python): each read carefully
        return values, ~missing

    def _numbers(self, present: pa.Array, ascii_: np.ndarray) -> tuple[pa.Array, np.ndarray]:
        d = self.descriptor
        text = pc.utf8_trim_whitespace(present)  # Frictionless strips numbers
        defined = any(k in d for k in ("groupChar", "decimalChar", "bareNumber"))
        if (self.type == "integer" or defined) and d.get(
            "bareNumber"
        ) is False:  # leading and trailing non-digits go, as in Frictionless
            text = pc.replace_substring_regex(text, r"^[^-0-9]*", "")
            text = pc.replace_substring_regex(text, r"[^0-9]*$", "")
        if self.type == "number" and defined:
            group, decimal = str(d.get("groupChar", "")), str(d.get("decimalChar", "."))
            if group:
                text = pc.replace_substring(text, group, "")
            if decimal != ".":
                has_dot = _np(pc.match_substring(text, "."))
                text = pc.if_else(
                    pa.array(has_dot), _NULL_TEXT, pc.replace_substring(text, decimal, ".")
                )
        if self.type == "integer":
            shaped = ascii_ & _np(
                pc.match_substring_regex(text, r"^[+-]?[0-9]{1,18}$")
            )  # 18 digits always fit in 64 bits
            target: pa.DataType = pa.int64()
        else:
            shaped = ascii_ & _np(
                pc.match_substring_regex(
                    text, r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]{1,3})?$"
                )
            )
            target = pa.float64()
        if not shaped.any():
            return pa.nulls(len(present), target), shaped
        plain = pc.replace_substring_regex(
            pc.if_else(pa.array(shaped), text, _NULL_TEXT), r"^\+", ""
        )  # Arrow refuses "+4"
        values = pc.cast(plain, target)
        if target == pa.float64():  # 1e400 is a finite number to Python, infinity to a double
            finite = _np(pc.is_finite(values)) | ~shaped
            if not finite.all():
                shaped = shaped & finite
                values = pc.if_else(pa.array(shaped), values, pa.scalar(None, target))
        return values, shaped

    # --- step 2: Frictionless' reader, once per distinct text --------------------------

    def _slow(
        self,
        present: pa.Array,
        todo: np.ndarray,
        values: pa.Array,
        aware: np.ndarray | None,
        bad: np.ndarray,
        unpublishable: np.ndarray,
        reasons: dict[int, str],
    ) -> tuple[pa.Array, np.ndarray | None]:
        kind = self.type
        idx = np.flatnonzero(todo)
        cells = present.take(pa.array(idx))
        uniques = pc.unique(cells)
        positions = pc.index_in(cells, value_set=uniques).to_numpy(zero_copy_only=False)
        read: list[Any] = []
        for text in uniques.to_pylist():
            value = self.reference(text)
            read.append(None if value is None else _publishable(kind, value))
        results = [read[p] for p in positions]
        fill: list[Any] = []
        is_aware = np.zeros(len(idx), dtype=bool)
        for j, (i, r) in enumerate(zip(idx, results, strict=True)):
            if r is None:
                bad[i] = True
                fill.append(None)
            elif isinstance(r, _Unpublishable):
                unpublishable[i] = True
                reasons[int(i)] = r.reason
                fill.append(None)
            else:
                value, was_aware = r
                is_aware[j] = was_aware
                fill.append(value)
        base = values.type
        slow = pa.array(fill, type=base)
        merged = _scatter(values, idx, slow)
        if aware is not None:
            aware = aware.copy()
            aware[idx] = is_aware
        return merged, aware


def _number_bound(kind: str, value: Any) -> Any:
    """A bound written as a number, read as Frictionless' readers read numbers that are not
    text: integers stay, a whole float is an integer (not for number: its exact decimal)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if kind == "number":
        return Decimal(str(value)) if isinstance(value, float) else value
    if kind == "year":
        return value if isinstance(value, int) and 0 <= value <= 9999 else None
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    return value


def _frictionless_reader(descriptor: Mapping[str, Any]) -> Callable[[Any], Any]:
    import frictionless  # a tenth of a second and more to import: only when a cell needs it

    reader: Callable[[Any], Any] = frictionless.Field.from_descriptor(
        dict(descriptor)
    ).create_value_reader()
    return reader


_BARE = re.compile(r"((^[^-\d]*)|(\D*$))")  # Frictionless' own pattern for bareNumber: false


def native_reader(d: Mapping[str, Any]) -> Callable[[str], Any] | None:
    """Frictionless 5's value reader for a field, line for line, for the types and formats
    cells are read by most (importing Frictionless costs most of a small validation's
    time); None for the others. Tests prove each equal to Frictionless' own."""
    kind = str(d.get("type", "any"))
    fmt = str(d.get("format") or "default")
    if kind in ("date", "datetime", "time"):
        return _temporal_reader(kind, fmt)
    if kind == "string":
        return _text_reader if fmt == "default" else None
    make = _READERS.get(kind)
    return make(d) if make is not None else None


def _text_reader(cell: str) -> Any:
    return cell


def _integer_reader(d: Mapping[str, Any]) -> Callable[[str], Any]:
    bare = d.get("bareNumber", True) is not False

    def integer(cell: str) -> Any:
        cell = cell.strip()
        if not bare:
            cell = _BARE.sub("", cell)
        try:
            return int(cell)
        except Exception:  # noqa: BLE001 - int() raises ValueError and others on odd text, as in Frictionless
            return None

    return integer


def _number_reader(d: Mapping[str, Any]) -> Callable[[str], Any]:
    group, decimal = str(d.get("groupChar", "")), str(d.get("decimalChar", "."))
    bare = d.get("bareNumber", True) is not False
    processed = any(k in d for k in ("groupChar", "decimalChar", "bareNumber"))

    def number(cell: str) -> Any:
        cell = cell.strip()
        if processed:
            if not bare:
                cell = _BARE.sub("", cell)
            cell = cell.replace(group, "")
            if decimal != "." and "." in cell:
                return None
            cell = cell.replace(decimal, ".")
        try:
            return Decimal(cell)
        except Exception:  # noqa: BLE001
            return None

    return number


def _year_reader(d: Mapping[str, Any]) -> Callable[[str], Any]:
    def year(cell: str) -> Any:
        if len(cell) != 4:
            return None
        try:
            value = int(cell)
        except Exception:  # noqa: BLE001
            return None
        return None if value < 0 or value > 9999 else value

    return year


def _boolean_reader(d: Mapping[str, Any]) -> Callable[[str], Any]:
    trues = d.get("trueValues") or TRUE_VALUES
    falses = d.get("falseValues") or FALSE_VALUES
    return {**dict.fromkeys(trues, True), **dict.fromkeys(falses, False)}.get


_READERS: dict[str, Callable[[Mapping[str, Any]], Callable[[str], Any]]] = {
    "integer": _integer_reader,
    "number": _number_reader,
    "year": _year_reader,
    "boolean": _boolean_reader,
}


def _temporal_reader(kind: str, fmt: str) -> Callable[[str], Any]:
    """Frictionless' date, datetime and time readers: strptime for a declared format,
    dateutil for "default" (ISO, with Frictionless' own guards) and "any"."""
    import warnings

    from dateutil import parser as dateutil_parser

    if fmt == "any":
        parse_any = {
            "date": lambda c: dateutil_parser.parse(c).date(),
            "datetime": dateutil_parser.parse,
            "time": lambda c: dateutil_parser.parse(c).timetz(),
        }[kind]

        def read_any(cell: str) -> Any:
            with warnings.catch_warnings():  # dateutil warns of unknown zone names, and reads on
                warnings.simplefilter("ignore")
                return _or_none(parse_any, cell)

        return read_any
    if fmt != "default":
        by_format = {
            "date": lambda c: dt.datetime.strptime(c, fmt).date(),
            "datetime": lambda c: dt.datetime.strptime(c, fmt),
            "time": lambda c: dt.datetime.strptime(c, fmt).timetz(),
        }[kind]
        return lambda cell: _or_none(by_format, cell)
    if kind == "date":
        return lambda cell: _or_none(lambda c: dt.datetime.strptime(c, "%Y-%m-%d").date(), cell)
    if kind == "datetime":  # Frictionless guards against dateutil's shorter forms
        return lambda cell: (
            _or_none(dateutil_parser.isoparse, cell)
            if len(cell) >= 19 and cell[16] == ":"
            else None
        )
    return lambda cell: (
        _or_none(lambda c: dateutil_parser.isoparse(f"2000-01-01T{c}").timetz(), cell)
        if len(cell) >= 8 and cell[5] == ":"
        else None
    )


def _or_none(read: Callable[[str], Any], cell: str) -> Any:
    try:
        return read(cell)
    except Exception:  # noqa: BLE001 - strptime and dateutil raise assorted errors, all "not a value"
        return None


class _Unpublishable:
    def __init__(self, reason: str) -> None:
        self.reason = reason


def _publishable(kind: str, value: Any) -> tuple[Any, bool] | _Unpublishable:
    """(value as its Arrow type takes it, had a UTC offset) or why no format carries it."""
    check = _PUBLISHABLE.get(kind)
    return check(value) if check is not None else (value, False)


def _publishable_integer(value: Any) -> tuple[Any, bool] | _Unpublishable:
    if not INT64_MIN <= value <= INT64_MAX:
        return _Unpublishable(
            "is beyond the 64-bit integer range that Parquet, JSON readers and databases hold"
        )
    return value, False


def _publishable_number(value: Any) -> tuple[Any, bool] | _Unpublishable:
    if isinstance(value, Decimal) and value.is_snan():
        return _Unpublishable("is a signalling NaN, which no download format carries")
    number = float(value)
    if math.isinf(number) and not (isinstance(value, Decimal) and value.is_infinite()):
        return _Unpublishable("is beyond the range of a double-precision number")
    return number, False


def _publishable_datetime(value: Any) -> tuple[Any, bool] | _Unpublishable:
    try:
        if value.tzinfo is not None and value.utcoffset() is not None:
            return value.astimezone(dt.UTC).replace(tzinfo=None), True
    except (OverflowError, ValueError):  # out of range once in UTC, or an offset of a day or more
        return _Unpublishable(
            "cannot be converted to UTC (out of range, or an offset of a whole day or more)"
        )
    return value.replace(tzinfo=None), False


def _publishable_time(value: Any) -> tuple[Any, bool] | _Unpublishable:
    if value.tzinfo is not None:  # (even one whose offset cannot be computed)
        return _Unpublishable(
            "is a time of day with a UTC offset, which no download format carries; give "
            "times without an offset (or a datetime)"
        )
    return value, False


_PUBLISHABLE: dict[str, Callable[[Any], tuple[Any, bool] | _Unpublishable]] = {
    "integer": _publishable_integer,
    "number": _publishable_number,
    "datetime": _publishable_datetime,
    "time": _publishable_time,
}


def _scatter(values: pa.Array, idx: np.ndarray, new: pa.Array) -> pa.Array:
    """``values`` with the cells at ``idx`` replaced by ``new`` (in order)."""
    if not len(idx):
        return values
    n = len(values)
    where = np.zeros(n, dtype=bool)
    where[idx] = True
    source = np.full(n, -1, dtype=np.int64)
    source[idx] = np.arange(len(idx))
    spread = new.take(pa.array(np.where(where, source, 0)))
    return pc.if_else(pa.array(where), spread, values.cast(new.type))


# --- dates and times ----------------------------------------------------------------------


def _days_from_civil(y: np.ndarray, m: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm)."""
    y = y - (m <= 2)
    era = np.floor_divide(y, 400)
    yoe = y - era * 400
    mp = (m + 9) % 12
    doy = (153 * mp + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    days: np.ndarray = era * 146097 + doe - 719468
    return days


# lookup tables for years 0..9999: the day of 1 January, whether the year is leap; and by
# (leap, month) the days before the month and in it
_YEARS = np.arange(10_000)
_YEAR_START = _days_from_civil(
    _YEARS, np.ones(10_000, dtype=np.int64), np.ones(10_000, dtype=np.int64)
).astype(np.int64)
_LEAP = ((_YEARS % 4 == 0) & (_YEARS % 100 != 0)) | (_YEARS % 400 == 0)
_DAYS_IN_MONTH = np.array(
    [
        [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31],
        [0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31],
    ]
)
_BEFORE_MONTH = np.concatenate(
    [np.zeros((2, 1), dtype=np.int64), np.cumsum(_DAYS_IN_MONTH, axis=1)[:, :-1]], axis=1
)


def _civil(y: np.ndarray, m: np.ndarray, d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(days since 1970-01-01, is a real date between 0001-01-01 and 9999-12-31)."""
    valid = (y >= 1) & (y <= 9999) & (m >= 1) & (m <= 12) & (d >= 1)
    yy, mm = np.clip(y, 0, 9999), np.clip(m, 0, 12)
    leap = _LEAP[yy].astype(np.int64)
    valid &= d <= _DAYS_IN_MONTH[leap, mm]
    return _YEAR_START[yy] + _BEFORE_MONTH[leap, mm] + d - 1, valid


def _iso_dates(present: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """Zero-padded YYYY-MM-DD, read straight from the cells' bytes (numpy), checked as
    Python checks a date (Feb 30 is not one)."""
    n = len(present)
    fixed = _fixed_width(present, "dddd-dd-dd")
    if fixed is None:
        return pa.nulls(n, pa.date32()), np.zeros(n, dtype=bool)
    rows, m = fixed
    y = m[:, 0] * 1000 + m[:, 1] * 100 + m[:, 2] * 10 + m[:, 3]
    mo = m[:, 5] * 10 + m[:, 6]
    d = m[:, 8] * 10 + m[:, 9]
    found, ok = _civil(y, mo, d)
    if len(rows) == n and ok.all():  # the common block: every cell a date
        return pa.array(found.astype(np.int32), pa.date32()), ok
    done = np.zeros(n, dtype=bool)
    done[rows[ok]] = True
    days = np.zeros(n, dtype=np.int32)
    days[rows] = found
    return pa.array(days, pa.date32(), mask=~done), done


def _fixed_width(col: pa.Array, layout: str) -> tuple[np.ndarray, np.ndarray] | None:
    """For the cells exactly ``layout`` long whose bytes are ASCII digits where the layout
    has ``d`` and the layout's own character elsewhere: (their indices, their bytes as an
    (n, width) int32 matrix, digits already made numbers). None when no cell is."""
    validity, offsets_buf, data_buf = col.buffers()
    if data_buf is None or not len(col):
        return None
    n, width = len(col), len(layout)
    offsets = np.frombuffer(offsets_buf, dtype=np.int32, count=n + 1, offset=col.offset * 4)
    data = np.frombuffer(data_buf, dtype=np.uint8)
    if (
        validity is None
        and offsets[-1] - offsets[0] == n * width
        and np.all(np.diff(offsets) == width)
    ):
        rows = np.arange(n)
        matrix = data[offsets[0] : offsets[-1]].reshape(n, width)  # the common block: no gather
    else:
        valid = np.diff(offsets) == width
        if validity is not None:
            valid &= np.unpackbits(
                np.frombuffer(validity, dtype=np.uint8), bitorder="little", count=n + col.offset
            )[col.offset :].astype(bool)
        rows = np.flatnonzero(valid)
        if not len(rows):
            return None
        matrix = data[offsets[rows][:, None] + np.arange(width)]
    where = np.array([c == "d" for c in layout])
    shifted = matrix - np.uint8(0x30)  # wraps below '0': anything but a digit is then over 9
    literal = np.frombuffer(layout.replace("d", "0").encode(), dtype=np.uint8)
    good = np.all(shifted[:, where] <= 9, axis=1) & np.all(
        matrix[:, ~where] == literal[~where], axis=1
    )
    if not good.all():
        rows, shifted = rows[good], shifted[good]
    return rows, shifted.astype(np.int32)


_ISO_DATETIME = re.compile(
    r"^(?P<Y>[0-9]{4})-(?P<m>[0-9]{2})-(?P<d>[0-9]{2})"
    r"[T ](?P<H>[01][0-9]|2[0-3]):(?P<M>[0-5][0-9]):(?P<S>[0-5][0-9])"
    r"(?:\.(?P<f>[0-9]{1,6}))?(?P<z>Z|[+-](?:[01][0-9]|2[0-3])(?::?[0-5][0-9])?)?$"
).pattern


def _digits_at(digits: pa.Array, present: pa.Array, start: int) -> np.ndarray:
    """Two digits of each text from ``start`` as integers where ``present``, else 0."""
    picked = pc.if_else(present, pc.utf8_slice_codeunits(digits, start, start + 2), "0")
    values = pc.fill_null(pc.cast(picked, pa.int64()), 0)
    return np.asarray(values.to_numpy(zero_copy_only=False))


def _iso_datetimes(present: pa.Array, ascii_: np.ndarray) -> tuple[pa.StructArray, np.ndarray]:
    """ISO 8601 date-times as dateutil's isoparse reads them (Frictionless' default):
    fractions to the microsecond, ``Z`` or ``±HH[:MM]`` offsets (then an instant, in UTC)."""
    n = len(present)
    parts = pc.extract_regex(pc.if_else(pa.array(ascii_), present, _NULL_TEXT), _ISO_DATETIME)
    shaped = _np(pc.is_valid(parts))
    if not shaped.any():
        return pa.StructArray.from_arrays(
            [pa.nulls(n, NAIVE), pa.array(np.zeros(n, dtype=bool))], names=["value", "aware"]
        ), shaped

    def num(name: str) -> np.ndarray:
        return np.asarray(
            pc.fill_null(
                pc.cast(pc.if_else(pa.array(shaped), parts.field(name), "0"), pa.int64()), 0
            ).to_numpy(zero_copy_only=False),
            dtype=np.int64,
        )

    y, m, d = num("Y"), num("m"), num("d")
    days, real = _civil(y, m, d)
    valid = shaped & real
    us = days * _DAY_US + (num("H") * 3600 + num("M") * 60 + num("S")) * _US
    frac = pc.fill_null(pc.if_else(pa.array(shaped), parts.field("f"), ""), "")
    frac_us = np.asarray(
        pc.cast(
            pc.fill_null(pc.if_else(pc.equal(frac, ""), "0", pc.utf8_rpad(frac, 6, "0")), "0"),
            pa.int64(),
        ).to_numpy(zero_copy_only=False),
        dtype=np.int64,
    )
    zone = pc.fill_null(pc.if_else(pa.array(shaped), parts.field("z"), ""), "")
    aware = valid & _np(pc.not_equal(zone, ""))
    offset = np.zeros(n, dtype=np.int64)
    if aware.any():
        digits = pc.replace_substring(pc.utf8_slice_codeunits(zone, 1), ":", "")
        length = pc.utf8_length(digits)
        hours = _digits_at(digits, pc.greater_equal(length, 2), 0)  # "+05", "+0530"
        minutes = _digits_at(digits, pc.equal(length, 4), 2)
        sign = np.where(_np(pc.starts_with(zone, "-")), -1, 1)
        offset = np.where(
            aware & _np(pc.not_equal(zone, "Z")), sign * (hours * 3600 + minutes * 60) * _US, 0
        )
    instant = us + frac_us - offset
    valid &= (instant >= _MIN_US) & (
        instant <= _MAX_US
    )  # an offset can carry 0001-01-01 out of range
    stamps = pa.array(instant, NAIVE, mask=~valid)
    # a well-shaped text with an impossible date (month 13, Feb 30) is a type error, and
    # its reference reading says so: leave it to the reference
    done = valid
    return pa.StructArray.from_arrays([stamps, pa.array(aware)], names=["value", "aware"]), done


def _time_of_day(text: pa.Array) -> pa.Array:
    hms = pc.extract_regex(
        text, r"^(?P<H>[0-9]{2}):(?P<M>[0-9]{2}):(?P<S>[0-9]{2})(?:\.(?P<f>[0-9]{1,6}))?$"
    )
    ok = _np(pc.is_valid(hms))

    def num(name: str) -> np.ndarray:
        return np.asarray(
            pc.fill_null(
                pc.cast(pc.if_else(pa.array(ok), hms.field(name), "0"), pa.int64()), 0
            ).to_numpy(zero_copy_only=False),
            dtype=np.int64,
        )

    frac = pc.fill_null(pc.if_else(pa.array(ok), hms.field("f"), ""), "")
    frac_us = np.asarray(
        pc.cast(
            pc.if_else(pc.equal(frac, ""), "0", pc.utf8_rpad(frac, 6, "0")), pa.int64()
        ).to_numpy(zero_copy_only=False),
        dtype=np.int64,
    )
    us = (num("H") * 3600 + num("M") * 60 + num("S")) * _US + frac_us
    return pa.array(us, pa.time64("us"), mask=~ok)


# Python's strptime directives (CPython's _strptime.TimeRE), as RE2 reads them alike
_DIRECTIVES = {
    "d": r"(?P<d>3[0-1]|[1-2][0-9]|0[1-9]|[1-9]| [1-9])",
    "f": r"(?P<f>[0-9]{1,6})",
    "H": r"(?P<H>2[0-3]|[0-1][0-9]|[0-9])",
    "I": r"(?P<I>1[0-2]|0[1-9]|[1-9])",
    "m": r"(?P<m>1[0-2]|0[1-9]|[1-9])",
    "M": r"(?P<M>[0-5][0-9]|[0-9])",
    "S": r"(?P<S>6[0-1]|[0-5][0-9]|[0-9])",
    "y": r"(?P<y>[0-9][0-9])",
    "Y": r"(?P<Y>[0-9][0-9][0-9][0-9])",
}
_WHITESPACE = "[ \t\n\r\f\v]+"


@lru_cache(maxsize=64)
def _month_names() -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, str]] | None:
    """English month names and AM/PM, if that is what this process' strptime reads."""
    full = tuple(_time.strftime("%B", (2000, m, 1, 0, 0, 0, 0, 1, 0)).lower() for m in range(1, 13))
    short = tuple(
        _time.strftime("%b", (2000, m, 1, 0, 0, 0, 0, 1, 0)).lower() for m in range(1, 13)
    )
    ampm = (
        _time.strftime("%p", (2000, 1, 1, 1, 0, 0, 0, 1, 0)).lower(),
        _time.strftime("%p", (2000, 1, 1, 13, 0, 0, 0, 1, 0)).lower(),
    )
    if full[0] != "january" or ampm != ("am", "pm"):
        return None
    return full, short, ampm


@lru_cache(maxsize=64)
def _strptime_regex(fmt: str) -> str | None:
    """An RE2 pattern that matches, with the same groups, what ``datetime.strptime(cell,
    fmt)`` matches — for formats made of the directives above, %B, %b, %p and literal
    text; None for any other format (its cells are read by Python)."""
    out = ["(?i)^"]
    seen: set[str] = set()
    for token in re.findall(r"%.|\s+|.", fmt, re.DOTALL):
        if token.startswith("%") and token != "%%":
            code = token[1]
            piece = None if code in seen else _directive(code)  # repeated: Python refuses it
            seen.add(code)
        elif token == "%%":
            piece = "%"
        elif token.isspace():
            piece = _WHITESPACE
        else:
            piece = re.escape(token) if token.isascii() and token != "%" else None
        if piece is None:
            return None
        out.append(piece)
    if {"I", "H"} <= seen:
        return None
    out.append("$")
    return "".join(out)


def _directive(code: str) -> str | None:
    """The RE2 group of one strptime directive, as CPython's TimeRE defines it."""
    names = _month_names()
    if code in _DIRECTIVES:
        return _DIRECTIVES[code]
    if code in ("B", "b") and names:
        words = names[0] if code == "B" else names[1]
        return f"(?P<{code}>" + "|".join(sorted(words, key=len, reverse=True)) + ")"
    if code == "p" and names:
        return "(?P<p>am|pm)"
    return None


def _components(
    present: pa.Array, pattern: str | None, wanted: np.ndarray, kind: str
) -> tuple[pa.Array, np.ndarray]:
    """Values of the cells among ``wanted`` that ``pattern`` (from ``_strptime_regex``)
    matches, assembled from their parts as Python's strptime does; done: those read."""
    n = len(present)
    target = ARROW_TYPES[kind] if kind != "datetime" else NAIVE
    if pattern is None or not wanted.any():
        return pa.nulls(n, target), np.zeros(n, dtype=bool)
    parts = pc.extract_regex(pc.if_else(pa.array(wanted), present, _NULL_TEXT), pattern)
    shaped = _np(pc.is_valid(parts))
    if not shaped.any():
        return pa.nulls(n, target), shaped
    got = _Parts(parts, shaped)
    days, real = _civil(got.year(), got.month(), got.number("d", 1))
    second = got.number("S", 0)
    valid = shaped & real & (second <= 59)
    clock = (got.hour() * 3600 + got.number("M", 0) * 60 + second) * _US + got.fraction()
    if kind == "date":
        return pa.array(days.astype(np.int32), pa.date32(), mask=~valid), valid
    if kind == "time":
        return pa.array(clock, pa.time64("us"), mask=~valid), valid
    return pa.array(days * _DAY_US + clock, NAIVE, mask=~valid), valid


class _Parts:
    """The named groups of strptime-shaped cells, as numbers (Python's defaults where a
    format has no such directive: 1900-01-01 00:00:00)."""

    def __init__(self, parts: pa.StructArray, shaped: np.ndarray) -> None:
        self.parts, self.shaped, self.n = parts, pa.array(shaped), len(parts)
        self.names = {f.name for f in parts.type}

    def text(self, name: str, default: str) -> pa.Array:
        return pc.if_else(self.shaped, self.parts.field(name), default)

    def number(self, name: str, default: int) -> np.ndarray:
        if name not in self.names:
            return np.full(self.n, default, dtype=np.int64)
        read = pc.cast(pc.utf8_trim_whitespace(self.text(name, str(default))), pa.int64())
        return np.asarray(
            pc.fill_null(read, default).to_numpy(zero_copy_only=False), dtype=np.int64
        )

    def year(self) -> np.ndarray:
        if "y" in self.names:  # two digits: 69–99 are 1900s, 00–68 2000s (as Python)
            yy = self.number("y", 0)
            return np.where(yy <= 68, yy + 2000, yy + 1900)
        return self.number("Y", 1900)

    def month(self) -> np.ndarray:
        names = _month_names()
        for code, words in (("B", 0), ("b", 1)):
            if code in self.names and names:
                lowered = pc.utf8_lower(self.text(code, ""))
                found = pc.index_in(lowered, value_set=pa.array(list(names[words])))
                return (
                    np.asarray(
                        pc.fill_null(found, 0).to_numpy(zero_copy_only=False), dtype=np.int64
                    )
                    + 1
                )
        return self.number("m", 1)

    def hour(self) -> np.ndarray:
        if "I" not in self.names:
            return self.number("H", 0)
        hour = self.number("I", 0)
        if "p" not in self.names:
            return np.where(hour == 12, 0, hour)  # as Python: 12 without AM/PM is midnight
        pm = _np(pc.equal(pc.utf8_lower(self.text("p", "")), "pm"))
        return np.where(pm, np.where(hour == 12, 12, hour + 12), np.where(hour == 12, 0, hour))

    def fraction(self) -> np.ndarray:
        if "f" not in self.names:
            return np.zeros(self.n, dtype=np.int64)
        padded = pc.utf8_rpad(self.text("f", "0"), 6, "0")
        return np.asarray(
            pc.fill_null(pc.cast(padded, pa.int64()), 0).to_numpy(zero_copy_only=False),
            dtype=np.int64,
        )
