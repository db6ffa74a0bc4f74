"""Infer a Table Schema from a whole CSV, knowing the formats real portals export.

Two passes over the file, both streamed in blocks:

1. **Shapes.** Each cell's *shape* is its text with every digit made ``9``
   (``$20,061.72`` → ``$99,999.99``, ``09/27/2012 03:48:18 PM`` → ``99/99/9999 99:99:99
   PM``). A typed column has few shapes, so each column keeps a histogram of them (with
   each shape's first row and an example), the exact counts of its values while they are
   few, and how many cells have a leading zero. A column with too many shapes is text.
2. **Proof.** The candidate chosen from the shapes — a type with the ``format``,
   ``groupChar``, ``decimalChar``, ``bareNumber`` and ``missingValues`` that read it — is
   run over the whole column with the catalog's own value parser (the one validation and
   conversion use), so the schema written is the schema that validates. Where an
   ambiguity remains (``03/04/2022``: March or April?) each reading is tried.

A column is typed when nearly all of it reads (at most ``EXCEPTIONS`` of its cells, then
listed for the Agency Data Officer to decide); values that mean "no data" (``NDA``,
``N/A``, ``--``, ``*``, ``(S)`` …) are proposed as the field's ``missingValues``; codes
with leading zeros and identifiers (ZIP, FIPS, GEOID, ID …) stay text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from catalog.core.errors import CatalogError
from catalog.core.values import FieldParser
from catalog.io.blocks import CsvBatches, as_written, read_ahead

SHAPE_CAP = 400  # distinct shapes beyond which a column is text
VALUE_CAP = 100  # distinct values counted exactly (a yes/no column has a handful)
EXCEPTIONS = 0.01  # share of a column's present cells that may fail its type (then listed)
MAX_EXCEPTION_CELLS = 1_000
MARKERS = {
    "na",
    "n/a",
    "n.a.",
    "nda",
    "null",
    "none",
    "nil",
    "-",
    "--",
    "---",
    "*",
    "**",
    "***",
    ".",
    "..",
    "...",
    "(s)",
    "(d)",
    "(x)",
    "(na)",
    "(z)",
    "x",
    "s",
    "#n/a",
    "not available",
    "suppressed",
    "redacted",
    "missing",
    "unknown",
    "n/r",
    "nr",
    "?",
}
CODE_NAMES = re.compile(
    r"(^|[^a-z])(id|ids|zip|zipcode|zip5|postal|postcode|fips|geoid|geo_id|tract|blockgroup|code|phone|fax|ein|npi|account|acct|ssn|isbn|upc)([^a-z]|$)",
    re.IGNORECASE,
)
SENTINELS = {"-9999", "-999", "-99999", "-99", "-1111"}  # values that often mean "suppressed"
MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
ABBREVIATIONS = [m[:3] for m in MONTHS]

_SENTINEL_SET = pa.array(sorted(SENTINELS), pa.string())
_N = r"9"  # a digit, in a shape
_INT = rf"[+-]?{_N}{{1,18}}"  # 18 digits always fit in 64 bits
_PLAIN = (
    rf"[+-]?({_N}+\.?{_N}*|\.{_N}+)([eE][+-]?{_N}{{1,2}})?"  # no exponent past a double's range
)
_UNSIGNED_GROUPED = rf"({_N}{{1,3}}(,{_N}{{3}})+|{_N}+)(\.{_N}+)?"
_GROUPED = rf"[+-]?{_UNSIGNED_GROUPED}"
_GROUPED_DOT = rf"[+-]?({_N}{{1,3}}(\.{_N}{{3}})+|{_N}+)(,{_N}+)?"
_SPACE = r"[ \t]*"


@dataclass(frozen=True)
class Candidate:
    """One way of reading a column: its Table Schema keys, and the shapes it accepts."""

    label: str
    keys: dict[str, Any]
    shape: re.Pattern[str]
    alternatives: tuple[
        dict[str, Any], ...
    ] = ()  # other readings of the same shapes (day-first dates)

    @property
    def exact(self) -> bool:
        """Does a cell of an accepted shape always read? For numbers, yes; a date may be
        well shaped and still not be one (Feb 30), so dates and times are proved."""
        return self.keys["type"] in ("integer", "number")


def _c(label: str, shape: str, keys: dict[str, Any], *alternatives: dict[str, Any]) -> Candidate:
    return Candidate(label, keys, re.compile(f"^(?:{shape})$", re.IGNORECASE), alternatives)


_MONTH_WORD = "(" + "|".join(MONTHS + ABBREVIATIONS) + r")\.?"
NUMBER_WORDS = {"nan", "inf", "-inf", "+inf", "infinity", "-infinity", "+infinity"}

CANDIDATES: list[Candidate] = [
    _c("integer", _SPACE + _INT + _SPACE, {"type": "integer"}),
    _c("number", _SPACE + _PLAIN + _SPACE, {"type": "number"}),
    _c(
        "number with thousands separators",
        _SPACE + _GROUPED + _SPACE,
        {"type": "number", "groupChar": ","},
    ),
    # "$-5" reads (Frictionless strips what precedes the sign), "-$5" does not
    _c(
        "money",
        _SPACE + rf"(\$ ?[+-]?{_UNSIGNED_GROUPED}|{_GROUPED})" + _SPACE,
        {"type": "number", "groupChar": ",", "bareNumber": False, "unit": "USD"},
    ),
    _c(
        "percent",
        _SPACE + rf"{_GROUPED}( ?%)?" + _SPACE,
        {"type": "number", "groupChar": ",", "bareNumber": False, "unit": "percent"},
    ),
    _c("date", r"9999-99-99", {"type": "date"}),
    _c(
        "US date",
        r"99?/99?/9999",
        {"type": "date", "format": "%m/%d/%Y"},
        {"type": "date", "format": "%d/%m/%Y"},
    ),
    _c(
        "US date, two-digit year",
        r"99?/99?/99",
        {"type": "date", "format": "%m/%d/%y"},
        {"type": "date", "format": "%d/%m/%y"},
    ),
    _c(
        "date with a month name",
        _MONTH_WORD + r" 99?,? 9999",
        {"type": "date", "format": "%B %d %Y"},
    ),
    _c(
        "day, month name, year",
        r"99? " + _MONTH_WORD + r",? 9999",
        {"type": "date", "format": "%d %B %Y"},
    ),
    _c(
        "ISO date-time",
        r"9999-99-99[T ]99:99:99(\.9{1,6})?(Z|[+-]99(:?99)?)?",
        {"type": "datetime"},
    ),
    _c(
        "ISO date-time without seconds",
        r"9999-99-99[T ]99:99",
        {"type": "datetime", "format": "%Y-%m-%dT%H:%M"},
        {"type": "datetime", "format": "%Y-%m-%d %H:%M"},
    ),
    _c(
        "US date-time, 12-hour clock",
        r"99?/99?/9999 99?:99(:99)? ?[AP]M",
        {"type": "datetime", "format": "%m/%d/%Y %I:%M:%S %p"},
    ),
    _c(
        "US date-time, 24-hour clock",
        r"99?/99?/9999 99?:99(:99)?",
        {"type": "datetime", "format": "%m/%d/%Y %H:%M:%S"},
    ),
    _c("time", r"99:99:99(\.9{1,6})?", {"type": "time"}),
    _c("time without seconds", r"99?:99", {"type": "time", "format": "%H:%M"}),
    _c("time, 12-hour clock", r"99?:99(:99)? ?[AP]M", {"type": "time", "format": "%I:%M:%S %p"}),
]
_NUMERIC = {"integer", "number", "number with thousands separators", "money", "percent"}


@dataclass
class Column:
    """What the shape pass learns of one column."""

    name: str
    shapes: dict[str, int] = field(default_factory=dict)
    first: dict[str, tuple[int, str]] = field(default_factory=dict)  # shape → (row, example)
    values: dict[str, int] | None = field(
        default_factory=dict
    )  # exact counts, None once past VALUE_CAP
    leading_zeros: int = 0
    sentinels: dict[str, int] = field(default_factory=dict)  # -9999 and the like
    text: bool = False  # too many shapes: a text column

    @property
    def present(self) -> int:
        return sum(n for s, n in self.shapes.items() if s != "")

    def observe(self, col: pa.Array, rows_before: int) -> None:
        """Fold one block of the column into what is known of it."""
        if self.values is not None:
            self._count_values(col)
        if self.text:
            return
        shapes = _shapes(col)
        counts = pc.value_counts(shapes)
        seen = counts.field("values").to_pylist()
        if (
            len(self.shapes) + len(seen) > SHAPE_CAP
            and len(set(self.shapes) | set(seen)) > SHAPE_CAP
        ):
            self.text, self.shapes, self.first = (
                True,
                {},
                {},
            )  # too many shapes: text, whatever follows
            return
        for s, k in zip(seen, counts.field("counts").to_pylist(), strict=True):
            if s not in self.shapes:
                at = pc.index(shapes, s).as_py()
                self.first[s] = (rows_before + at + 2, col[at].as_py())  # the header is row 1
            self.shapes[s] = self.shapes.get(s, 0) + k
        self.leading_zeros += _leading_zeros(col)
        for v in pc.filter(col, pc.is_in(col, value_set=_SENTINEL_SET)).to_pylist():
            self.sentinels[v] = self.sentinels.get(v, 0) + 1

    def _count_values(self, col: pa.Array) -> None:
        assert self.values is not None
        counts = pc.value_counts(col)
        for v, k in zip(
            counts.field("values").to_pylist(), counts.field("counts").to_pylist(), strict=True
        ):
            self.values[v] = self.values.get(v, 0) + k
        if len(self.values) > VALUE_CAP:
            self.values = None


@dataclass(frozen=True)
class Decision:
    """A column's inferred field, and what the ADO should know about it."""

    field: dict[str, Any]
    label: str
    exceptions: tuple[tuple[int, str], ...] = ()  # (row, value) of cells that do not read
    exception_count: int = 0
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Inferred:
    """A file's inferred Table Schema, each column's decision and what the file holds."""

    schema: dict[str, Any]
    decisions: tuple[Decision, ...]
    rows: int
    blank_rows: int  # rows whose every cell is empty


class HeaderLooksLikeData(CatalogError):
    """The first record reads like data: the file probably has no header row."""


def _reader(file: Path, columns: list[str] | None = None) -> Iterator[pa.RecordBatch]:
    header = _header(file)
    reader = CsvBatches(
        file,
        column_names=header,
        skip_rows=1,
        parse_options=pacsv.ParseOptions(newlines_in_values=True),
        convert_options=as_written(header, columns),
    )
    return read_ahead(reader)


def _header(file: Path) -> list[str]:
    import csv

    with file.open(encoding="utf-8-sig", newline="") as fh:
        return next(csv.reader(fh), [])


def _shapes(col: pa.Array) -> pa.Array:
    """Each cell with its digits made '9' (a copy of the column's bytes, through numpy)."""
    col = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
    validity, offsets, data = col.buffers()
    if data is None or not len(col):
        return col
    raw = np.frombuffer(data, dtype=np.uint8).copy()
    raw[(raw >= 0x30) & (raw <= 0x39)] = 0x39
    return pa.Array.from_buffers(
        pa.string(), len(col), [validity, offsets, pa.py_buffer(raw)], offset=col.offset
    )


def _leading_zeros(col: pa.Array) -> int:
    """Cells like '06103': a zero followed by another digit (read from the bytes)."""
    _, offsets_buf, data_buf = col.buffers()
    if data_buf is None or not len(col):
        return 0
    offsets = np.frombuffer(offsets_buf, dtype=np.int32, count=len(col) + 1, offset=col.offset * 4)
    data = np.frombuffer(data_buf, dtype=np.uint8)
    starts = offsets[:-1][np.diff(offsets) >= 2]
    if not len(starts):
        return 0
    second = data[starts + 1]
    return int(np.count_nonzero((data[starts] == 0x30) & (second >= 0x30) & (second <= 0x39)))


def shape_pass(file: Path) -> tuple[list[Column], int, int]:
    """(columns, rows, blank rows) of one pass over the file."""
    columns = [Column(n) for n in _header(file)]
    rows = blank_rows = 0
    for batch in _reader(file):
        if not batch.num_rows:
            continue
        blank = None
        for i, c in enumerate(columns):
            col = batch.column(i)
            empty = pc.equal(pc.binary_length(col), 0)
            blank = empty if blank is None else pc.and_(blank, empty)
            c.observe(col, rows)
        if blank is not None:
            blank_rows += int(pc.sum(blank).as_py() or 0)
        rows += batch.num_rows
    return columns, rows, blank_rows


def _marker(shape: str) -> bool:
    """A shape with no digit is a value; is it one that means 'no data'?"""
    text = shape.strip().lower()
    if "9" in text:
        return False
    if text in MARKERS or shape.isspace():
        return True
    return 0 < len(text) <= 4 and not any(ch.isalnum() for ch in text)


def _propose(c: Column, delimiter: str) -> list[tuple[Candidate, list[str]]]:
    """Candidates the shapes allow, most specific first, each with its missing markers."""
    if c.text or not c.present:
        return []
    markers = sorted(s for s in c.shapes if s and _marker(s))
    numbers_words = {s for s in c.shapes if s.strip().lower() in NUMBER_WORDS}
    present = sum(n for s, n in c.shapes.items() if s and s not in markers)
    if not present:
        return []
    out: list[tuple[Candidate, list[str]]] = []
    candidates = list(CANDIDATES)
    if delimiter in (";", "\t"):  # a European export: comma decimals, dot thousands
        candidates.insert(
            2,
            _c(
                "number with decimal commas",
                _SPACE + _GROUPED_DOT + _SPACE,
                {"type": "number", "decimalChar": ",", "groupChar": "."},
            ),
        )
    allowed = _allowance(present)
    for cand in candidates:
        words = numbers_words if cand.label in _NUMERIC and cand.keys["type"] == "number" else set()
        matched = sum(
            n
            for s, n in c.shapes.items()
            if s and s not in markers and (cand.shape.match(s) or s in words)
        )
        if matched and present - matched <= allowed:
            out.append((cand, markers))
    # money and percent only when the column has a $ or % (else plain numbers read it)
    out = [
        (cand, m)
        for cand, m in out
        if cand.label not in ("money", "percent")
        or any(("$" if cand.label == "money" else "%") in s for s in c.shapes)
    ]
    return out


def _allowance(present: int) -> float:
    """Cells of a column that may fail its type: 1 %, and one junk value in any column of
    twenty or more."""
    return max(EXCEPTIONS * present, 1.0 if present >= 20 else 0.0)


BOOLEAN_WORDS = (({"true"}, {"false"}), ({"yes", "y"}, {"no", "n"}))


def _boolean(c: Column) -> dict[str, Any] | None:
    """A yes/no column, from its exact values (case variants kept, as Frictionless matches
    exactly): all but a few values must be such words (or markers)."""
    if c.values is None:
        return None
    markers = {s for s in c.shapes if s and _marker(s)}
    counts = {v: n for v, n in c.values.items() if v != "" and v not in markers}
    present = sum(counts.values())
    for yes, no in BOOLEAN_WORDS:
        trues = sorted(v for v in counts if v.lower() in yes)
        falses = sorted(v for v in counts if v.lower() in no)
        matched = sum(counts[v] for v in trues + falses)
        if not matched or present - matched > _allowance(present):
            continue
        if set(trues) <= {"true", "True", "TRUE"} and set(falses) <= {"false", "False", "FALSE"}:
            return {"type": "boolean"}
        if not falses:
            falses = [
                (
                    t[:0]
                    + ("N" if t.isupper() else "n")
                    + ("o" if len(t) > 1 and t[1:].islower() else ("O" if len(t) > 1 else ""))
                )
                for t in trues[:1]
            ]
        if not trues:
            trues = [
                ("Y" if f.isupper() else "y")
                + ("es" if len(f) > 1 and f[1:].islower() else ("ES" if len(f) > 1 else ""))
                for f in falses[:1]
            ]
        return {"type": "boolean", "trueValues": trues, "falseValues": falses}
    return None


@dataclass
class _Plan:
    """The readings to prove for one column, by priority (each a candidate's readings)."""

    options: list[list[dict[str, Any]]]
    labels: list[str]
    notes: list[str]
    exact: Candidate | None = None  # shapes alone prove the first option


def decide(columns: list[Column], file: Path, delimiter: str = ",") -> list[Decision]:
    """Each column's field: the first candidate (or reading) that reads all but a few of
    its cells, proved over the whole file; text when none does."""
    plans: dict[int, _Plan] = {}
    chosen: dict[int, Decision] = {}
    for i, c in enumerate(columns):
        plan = _plan(c, delimiter)
        if isinstance(plan, Decision):
            chosen[i] = plan
        elif plan.exact is not None:  # its shapes prove it: no second pass
            found, count = _shape_exceptions(c, plan.exact)
            chosen[i] = Decision(
                _clean(plan.options[0][0]), plan.labels[0], found, count, tuple(plan.notes)
            )
        else:
            plans[i] = plan
    level = dict.fromkeys(plans, 0)  # the candidate each column is being proved with
    while level:
        proved = _prove(file, columns, {i: plans[i].options[k] for i, k in level.items()})
        for i in list(level):
            decision = _first_that_reads(plans[i], level[i], proved[i])
            if decision is not None:
                chosen[i] = decision
            if decision is not None or level[i] + 1 >= len(plans[i].options):
                del level[i]  # decided, or no candidate left: text
            else:
                level[i] += 1  # this reading failed on the whole file: prove the next one
    return [
        chosen.get(i) or Decision({"name": c.name, "type": "string"}, "text")
        for i, c in enumerate(columns)
    ]


def _plan(c: Column, delimiter: str) -> _Plan | Decision:
    """What to prove of a column, or its decision when nothing needs proving."""
    name = c.name
    proposals = _propose(c, delimiter)
    boolean = _boolean(c)
    if (
        proposals
        and proposals[0][0].label == "integer"
        and (c.leading_zeros or CODE_NAMES.search(name))
    ):
        why = (
            f"{c.leading_zeros:,} values have leading zeros"
            if c.leading_zeros
            else "its name says it is a code or identifier"
        )
        note = f"column {name!r} is kept as text: {why} (a number would lose them)"
        return Decision({"name": name, "type": "string"}, "text", notes=(note,))
    if not proposals and boolean is None:
        return Decision({"name": name, "type": "string"}, "text")
    plan = _Plan([], [], [])
    if boolean is not None:
        markers = sorted(sh for sh in c.shapes if sh and _marker(sh))
        plan.options.append(
            [{"name": name, **boolean, **({"missingValues": ["", *markers]} if markers else {})}]
        )
        plan.labels.append("yes/no")
    elif proposals[0][0].exact:
        plan.exact = proposals[0][0]
    for cand, markers in proposals:
        missing = {"missingValues": ["", *markers]} if markers else {}
        plan.options.append(
            [{"name": name, **keys, **missing} for keys in (cand.keys, *cand.alternatives)]
        )
        plan.labels.append(cand.label)
    if c.sentinels:
        found = ", ".join(f"{v!r} ({n:,} times)" for v, n in sorted(c.sentinels.items()))
        plan.notes.append(
            f"column {name!r} has {found}: if that means 'suppressed' or 'no data', "
            "add it to the field's missingValues"
        )
    return plan


def _first_that_reads(
    plan: _Plan, level: int, proved: list[tuple[list[tuple[int, str]], int]]
) -> Decision | None:
    """The first reading of the candidate at ``level`` that reads all but a few cells."""
    present = max(1, proved[-1][1])
    for j, d in enumerate(plan.options[level]):
        bad, count = proved[j]
        if count <= _allowance(present) and count <= MAX_EXCEPTION_CELLS:
            return Decision(_clean(d), plan.labels[level], tuple(bad), count, tuple(plan.notes))
    return None


def _shape_exceptions(c: Column, cand: Candidate) -> tuple[tuple[tuple[int, str], ...], int]:
    """The cells a candidate proved by shapes does not read: (first (row, value) of each odd
    shape, up to five), and how many cells."""
    odd = [
        s
        for s in c.shapes
        if s
        and not _marker(s)
        and not cand.shape.match(s)
        and s.strip().lower() not in NUMBER_WORDS
    ]
    found = sorted(c.first[s] for s in odd)[:5]
    return tuple(found), sum(c.shapes[s] for s in odd)


def _clean(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}


def _prove(
    file: Path, columns: list[Column], plans: dict[int, list[dict[str, Any]]]
) -> dict[int, list[tuple[list[tuple[int, str]], int]]]:
    """For each planned column and option: (first failing cells, failures); the last item
    holds (nothing, present cells)."""
    names = [columns[i].name for i in sorted(plans)]
    parsers = {i: [FieldParser(d, [""]) for d in plans[i]] for i in plans}
    failures: dict[int, list[list[tuple[int, str]]]] = {i: [[] for _ in plans[i]] for i in plans}
    counts: dict[int, list[int]] = {i: [0] * len(plans[i]) for i in plans}
    present: dict[int, int] = dict.fromkeys(plans, 0)
    alive: dict[int, list[bool]] = {i: [True] * len(plans[i]) for i in plans}
    rows = 0
    by_name = {columns[i].name: i for i in plans}
    for batch in _reader(file, names):
        for name in batch.schema.names:
            i = by_name[name]
            col = batch.column(name)
            present[i] += len(col) - int(pc.sum(pc.equal(pc.utf8_length(col), 0)).as_py() or 0)
            for j, parser in enumerate(parsers[i]):
                if not alive[i][j]:
                    continue
                parsed = parser.parse(col)
                bad = parsed.bad | parsed.unpublishable
                k = int(bad.sum())
                if k:
                    counts[i][j] += k
                    if len(failures[i][j]) < 5:
                        for at in np.flatnonzero(bad)[: 5 - len(failures[i][j])]:
                            failures[i][j].append((rows + int(at) + 2, col[int(at)].as_py()))
                    if counts[i][j] > MAX_EXCEPTION_CELLS:
                        alive[i][j] = False  # this reading has lost: stop paying for it
            if not any(alive[i]):
                parsers[i] = []
        rows += batch.num_rows
    return {
        i: [*((failures[i][j], counts[i][j]) for j in range(len(plans[i]))), ([], present[i])]
        for i in plans
    }


def infer(file: Path, delimiter: str = ",") -> Inferred:
    """The Table Schema of a UTF-8, comma-separated CSV file with a header row."""
    columns, rows, blank_rows = shape_pass(file)
    decisions = decide(columns, file, delimiter)
    _check_header(columns, decisions)
    fields = [d.field for d in decisions]
    return Inferred({"fields": fields}, tuple(decisions), rows, blank_rows)


def _check_header(columns: list[Column], decisions: list[Decision]) -> None:
    """A header whose names read as the typed values below them is a first data row."""
    typed = [
        (c, d)
        for c, d in zip(columns, decisions, strict=True)
        if d.field["type"] not in ("string", "boolean")
    ]
    if not typed:
        return
    like_data = []
    for c, d in typed:
        parsed = FieldParser(d.field, [""]).parse(pa.array([c.name], pa.string()))
        if not parsed.bad[0] and not parsed.missing[0]:
            like_data.append(c.name)
    if len(like_data) >= max(1, (len(typed) + 1) // 2) and len(like_data) == len(
        [c for c, _ in typed if c.name in like_data]
    ):
        raise HeaderLooksLikeData(", ".join(repr(n) for n in like_data[:5]))
