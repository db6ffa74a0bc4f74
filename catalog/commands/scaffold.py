"""``catalog new``: scaffold a dataset folder from a CSV.

The source is read honestly: its encoding (UTF-8, UTF-16 as Excel's "Unicode text" saves
it, Windows-1252 — a whole legacy file, or the few lines of a UTF-8 file that are not),
an Excel ``sep=`` line, its delimiter, title lines above the header, an unclosed quote.
Each is fixed in a way that loses nothing and said, or refused with its line and the fix.
A UTF-8, comma-separated file that needs no change is copied byte for byte.

The Table Schema is inferred from the whole file (``catalog.infer``), and a
``dataset.yaml`` is written with every required key present, the values to fill marked
``FILL IN``, and each inference decision the Agency Data Officer should check noted.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import shutil
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import yaml

from catalog.commands.infer import Decision, HeaderLooksLikeData, Inferred, infer
from catalog.core import contract
from catalog.core.contract import PLACEHOLDER_EMAIL, PLACEHOLDER_MARK
from catalog.core.errors import CatalogError
from catalog.core.model import Limits
from catalog.core.names import SLUG, slugify
from catalog.core.yamlfile import read_yaml
from catalog.io.datafile import compression, open_data, plain_name
from catalog.io.filebytes import FileBytes

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))

SNIFF_BYTES = 1 << 16
SEP_LINE = re.compile(r"^\s*sep=(.)\s*$")
CP1252_UNDEFINED = {0x81, 0x8D, 0x8F, 0x90, 0x9D}


class ScaffoldError(CatalogError):
    """The scaffold cannot be written; the message says why and what to do."""


@dataclass(frozen=True)
class Scaffolded:
    """What `catalog new` wrote, and what it has to say about it."""

    folder: Path
    files: tuple[Path, ...]
    notes: tuple[str, ...]


@dataclass(frozen=True)
class Source:
    """How a source file is to be read."""

    encoding: (
        str  # "utf-8", "utf-8-sig", "utf-16", "cp1252" or "mixed" (UTF-8, some lines Windows-1252)
    )
    delimiter: str
    skip_first_line: bool  # an Excel "sep=;" line
    bad_lines: tuple[int, ...] = ()  # lines of a mixed file read as Windows-1252

    @property
    def verbatim(self) -> bool:
        """The file is already what the catalog publishes: copy its bytes."""
        return (
            self.encoding in ("utf-8", "utf-8-sig")
            and self.delimiter == ","
            and not self.skip_first_line
        )


def new_dataset(root: Path, ident: str, source: Path, *, title: str | None = None) -> Scaffolded:
    """Scaffold ``datasets/<agency>/<dataset>/`` from ``source``; nothing is written on error."""
    agency, _, slug = ident.partition("/")
    if not slug or "/" in slug or not SLUG.match(agency) or not SLUG.match(slug):
        suggestion = f"{slugify(agency) or 'agency'}/{slugify(slug) or 'dataset'}"
        raise ScaffoldError(
            f"{ident!r} is not <agency>/<dataset> in lowercase slugs; try {suggestion}"
        )
    if not source.is_file():
        raise ScaffoldError(f"{source} does not exist or is not a file")
    if source.stat().st_size == 0:
        raise ScaffoldError(f"{source} is empty (0 bytes); export the data again with a header row")
    if is_boundary_file(source):
        return _new_boundaries(root, ident, source, title=title)
    agency_dir = root / "datasets" / agency
    folder = agency_dir / slug
    if folder.exists():
        raise ScaffoldError(
            f"{folder.relative_to(root)} already exists; choose another name or edit its "
            "dataset.yaml"
        )
    notes: list[str] = []
    written: list[Path] = []
    staging = Path(tempfile.mkdtemp(prefix=".new-", dir=root))
    try:
        res_name = slugify(Path(plain_name(source)).stem) or "data"
        csv_name = f"{res_name}.csv"
        target = staging / csv_name
        how = sniff(source)
        notes += copy_csv(source, target, how)
        inferred = _inferred(source, target, how)
        if inferred.blank_rows or not FileBytes(target).lines_match(inferred.rows + 1):
            dropped = _drop_blank_rows(target)  # blank lines, or lines of empty cells
            if dropped:
                notes.append(f"dropped {dropped:,} blank row(s)")
        for d in inferred.decisions:
            notes += _decision_notes(d)
        if compression(source) or target.stat().st_size > _compress_above(root) * MB:
            csv_name = f"{res_name}.csv.gz"
            notes.append(_compress(target, staging / csv_name))
        (staging / "dataset.yaml").write_text(
            _dataset_yaml(
                root, agency, slug, source, title, res_name, csv_name, inferred.decisions
            ),
            "utf-8",
        )
        if not (agency_dir / "agency.yaml").is_file():
            agency_dir.mkdir(parents=True, exist_ok=True)
            (agency_dir / "agency.yaml").write_text(_agency_yaml(agency), "utf-8")
            written.append(agency_dir / "agency.yaml")
            notes.append(
                f"wrote {agency_dir.relative_to(root)}/agency.yaml: fill in the agency's details"
            )
        agency_dir.mkdir(parents=True, exist_ok=True)
        staging.rename(folder)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    written += [folder / "dataset.yaml", folder / csv_name]
    return Scaffolded(folder, tuple(written), tuple(notes))


# --- a boundary file -------------------------------------------------------------------------

BOUNDARY_SUFFIXES = (".geojson", ".topojson")
KEY_NAMES = re.compile(r"geoid|fips|code|^id$|key|number|^gid", re.IGNORECASE)
NAME_NAMES = re.compile(r"name|town|region|county|city|municipal|label", re.IGNORECASE)


def is_boundary_file(source: Path) -> bool:
    """A GeoJSON or TopoJSON file (by its suffix, or a .json that starts like one)."""
    suffix = source.suffix.lower()
    if suffix in BOUNDARY_SUFFIXES:
        return True
    if suffix != ".json":
        return False
    with source.open("rb") as fh:
        head = fh.read(4096)
    return b'"FeatureCollection"' in head or b'"Topology"' in head


def _new_boundaries(root: Path, ident: str, source: Path, *, title: str | None) -> Scaffolded:
    """A boundary dataset: the file as given, a CSV listing its areas (their properties),
    and a dataset.yaml whose ``boundaries`` names the key and name properties found."""
    from catalog.io.areas import read_areas, read_features

    limit = _limit(root, "boundary_mb")
    features = read_features(source, limit)
    if not isinstance(features, list):
        where = f" (line {features.line})" if features.line else ""
        raise ScaffoldError(f"{source}{where}: {features.message}. {features.hint or ''}".strip())
    rows = [
        {k: v for k, v in (f.get("properties") or {}).items() if isinstance(v, (str, int, float))}
        for f in features
        if isinstance(f, dict)
    ]
    columns = list(dict.fromkeys(k for row in rows for k in row))
    key = _unique_property(rows, columns, KEY_NAMES)
    if key is None:
        raise ScaffoldError(
            f"{source}: no property names every area once (found: {', '.join(columns) or 'none'});"
            " add one, e.g. the Census GEOID, and run `catalog new` again"
        )
    name = _unique_property(rows, [c for c in columns if c != key], NAME_NAMES, text_only=True)
    checked = read_areas(source.parent, source.name, key, name, limit)
    refused = next((p for p in checked.problems if p.severity == "error"), None)
    if refused is not None:
        where = f" (line {refused.line})" if refused.line else ""
        raise ScaffoldError(f"{source}{where}: {refused.message}. {refused.hint or ''}".strip())
    human = title or " ".join(source.stem.replace("_", " ").replace("-", " ").split()).title()
    with tempfile.TemporaryDirectory() as tmp:
        listing = Path(tmp) / "areas.csv"
        with listing.open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(columns)
            w.writerows([[row.get(c, "") for c in columns] for row in rows])
        made = new_dataset(root, ident, listing, title=human)
    target = made.folder / source.name
    shutil.copyfile(source, target)
    meta = made.folder / "dataset.yaml"
    block = ["boundaries:", f"  path: {json.dumps(source.name)}", f"  key: {json.dumps(key)}"]
    if name:
        block.append(f"  name: {json.dumps(name)}")
    text = meta.read_text("utf-8").replace("resources:\n", "\n".join(block) + "\nresources:\n", 1)
    meta.write_text(text, "utf-8")
    notes = [
        f"{len(rows):,} areas; key {key!r}" + (f", names in {name!r}" if name else ", no names"),
        "areas.csv lists each area's properties (the boundary file is published as it is)",
        "set geographic_unit (e.g. Municipality) so datasets of that unit get maps by default",
        *made.notes,
    ]
    return Scaffolded(made.folder, (*made.files, target), tuple(notes))


def _unique_property(
    rows: list[dict[str, Any]],
    columns: list[str],
    preferred: re.Pattern[str],
    *,
    text_only: bool = False,
) -> str | None:
    """The first property (preferred names first) every area has, with a value of its own."""
    ordered = sorted(columns, key=lambda c: not preferred.search(c))
    for c in ordered:
        values = [row.get(c) for row in rows]
        if any(v in (None, "") for v in values) or (
            text_only and not all(isinstance(v, str) for v in values)
        ):
            continue
        if len({str(v).strip().casefold() for v in values}) == len(values):
            return c
    return None


# --- reading the source honestly -------------------------------------------------------------


MB = 1_048_576
GIT_HOST_LIMIT = 100 * 1_000_000  # GitHub refuses files over 100 MB


def _compress_above(root: Path) -> float:
    """catalog.yaml's limits.compress_above_mb, or its default."""
    return _limit(root, "compress_above_mb")


def _limit(root: Path, name: str) -> float:
    """A number of catalog.yaml's limits, or its default."""
    value: Any = None
    try:
        doc, _ = read_yaml(root / "catalog.yaml", "catalog.yaml")
        cfg = doc.data if doc else None
        if isinstance(cfg, dict) and isinstance(cfg.get("limits"), dict):
            value = cfg["limits"].get(name)
    except CatalogError:
        pass
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return float(getattr(Limits, name))


def _compress(target: Path, compressed: Path) -> str:
    """Write ``target`` gzip-compressed as ``compressed`` (streamed) and remove it."""
    with target.open("rb") as src, pa.output_stream(str(compressed), compression="gzip") as dst:
        while chunk := src.read(1 << 22):
            dst.write(chunk)
    plain, packed = target.stat().st_size, compressed.stat().st_size
    target.unlink()
    note = (
        f"wrote {compressed.name}, the data gzip-compressed ({plain / MB:,.1f} MB → "
        f"{packed / MB:,.1f} MB): validate and build read it as the CSV it holds"
    )
    if packed > GIT_HOST_LIMIT:
        return (
            f"{note}. It is still over GitHub's 100 MB limit: track it with Git LFS before "
            f'committing (`git lfs install`, then `git lfs track "{compressed.name}"` in the '
            'dataset\'s folder, and commit .gitattributes; CONTRIBUTING.md, "Large files")'
        )
    return f"{note}. GitHub refuses files over 100 MB; past that, use Git LFS (CONTRIBUTING.md)"


def sniff(source: Path) -> Source:
    """Encoding, delimiter and Excel's ``sep=`` line of a source file."""
    with open_data(source) as fh:
        head = fh.read(SNIFF_BYTES)
    encoding = _encoding(source, head)
    bad_lines: tuple[int, ...] = ()
    if encoding == "mixed":
        bad_lines = tuple(_non_utf8_lines(source))
    text = _decode_sample(head, encoding)
    lines = text.splitlines()
    skip = bool(lines) and SEP_LINE.match(lines[0]) is not None
    if skip:
        sep = SEP_LINE.match(lines[0])
        assert sep is not None
        return Source(encoding, sep.group(1), True, bad_lines)
    sample = "\n".join(lines[:200])
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        delimiter = ","
    if delimiter != "," and lines:
        first = next(csv.reader([lines[0]], delimiter=","), [])
        if len(first) > 1 and len(first) >= len(
            next(csv.reader([lines[0]], delimiter=delimiter), [])
        ):
            delimiter = ","  # the sniffer guessed from the data; the header says commas
    return Source(encoding, delimiter, False, bad_lines)


def _encoding(source: Path, head: bytes) -> str:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if head and head.count(b"\x00") > len(head) // 4:  # UTF-16 without its byte-order mark
        return "utf-16-le" if head[1:2] == b"\x00" else "utf-16-be"
    if b"\x00" in head:
        raise ScaffoldError(
            f"{source.name} is not a text file (it contains NUL bytes): export the data "
            "as CSV; spreadsheets and zip files are not accepted"
        )
    bad = FileBytes(source).bad_utf8
    if bad is None:
        return "utf-8-sig" if head.startswith(codecs.BOM_UTF8) else "utf-8"
    # UTF-8 with a few stray bytes, or a whole legacy file? A file with any valid
    # multi-byte UTF-8 character is UTF-8: only its other lines are read as Windows-1252.
    with open_data(source) as fh:
        for raw in fh:
            if not raw.isascii():
                try:
                    raw.decode("utf-8")
                    return "mixed"
                except UnicodeDecodeError:
                    continue
    return "cp1252"


def _non_utf8_lines(source: Path) -> Iterator[int]:
    with open_data(source) as fh:
        for n, raw in enumerate(fh, start=1):
            if not raw.isascii():
                try:
                    raw.decode("utf-8")
                except UnicodeDecodeError:
                    yield n


def _decode_sample(head: bytes, encoding: str) -> str:
    if encoding in ("utf-8", "utf-8-sig", "mixed"):
        return head.decode("utf-8-sig", errors="ignore")
    return head.decode(encoding, errors="ignore")


def _lines(source: Path, how: Source) -> Iterator[str]:
    """The source's text, line by line (line ends kept), decoded as sniffed. A byte that
    Windows-1252 leaves undefined is refused: no character would stand for it."""
    if how.encoding.startswith("utf-16"):
        with io.TextIOWrapper(open_data(source), encoding=how.encoding, newline="") as fh:
            yield from fh
        return
    with open_data(source) as fh:
        for n, raw in enumerate(fh, start=1):
            if n == 1 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[3:]
            if how.encoding == "cp1252" or (how.encoding == "mixed" and n in how.bad_lines):
                undefined = [b for b in raw if b in CP1252_UNDEFINED]
                if undefined:
                    raise ScaffoldError(
                        f"{source.name} line {n}: byte {undefined[0]:#04x} is neither UTF-8 "
                        "nor Windows-1252; save the file as 'CSV UTF-8' from the program that "
                        "made it, or correct that line"
                    )
                yield raw.decode("cp1252")
            else:
                yield raw.decode("utf-8")


def copy_csv(source: Path, target: Path, how: Source) -> list[str]:
    """Copy the source as UTF-8, comma-separated CSV with a usable header; say what changed."""
    notes = _encoding_notes(source, how)
    if how.skip_first_line:
        notes.append(
            f"{source.name} starts with Excel's 'sep={how.delimiter}' line: it was dropped"
        )
    if how.delimiter != ",":
        notes.append(f"{source.name} is delimited by {how.delimiter!r}; the copy uses commas")
    header = _read_header(source, how)
    if not header or not any(h.strip() for h in header):
        raise ScaffoldError(f"{source.name} has no header row; add one naming each column")
    _refuse_title_lines(source, how, header)
    fixed = unique_labels(header)
    if fixed != header:
        renamed = ", ".join(h for h, o in zip(fixed, header, strict=True) if h != o)
        notes.append(f"renamed blank or repeated column headers: {renamed}")
    data = FileBytes(source)
    if how.verbatim and fixed == header:
        if data.odd_quotes:
            _refuse_unclosed_quote(source, how)
        _copy_without_bom(source, target)
        return notes
    with target.open("w", encoding="utf-8", newline="") as dst:
        writer = csv.writer(dst, lineterminator="\n")
        reader = csv.reader(_lines_after_sep(source, how), delimiter=how.delimiter, strict=True)
        try:
            next(reader, None)
            writer.writerow(fixed)
            for row in reader:
                writer.writerow(row)
        except csv.Error as exc:
            raise _quote_error(source, reader.line_num, exc) from None
    return notes


def _encoding_notes(source: Path, how: Source) -> list[str]:
    if how.encoding.startswith("utf-16"):
        return [f"{source.name} is UTF-16 (Excel's 'Unicode text'); the copy is UTF-8"]
    if how.encoding == "cp1252":
        return [
            f"{source.name} is not UTF-8; converted from Windows-1252 — check accented characters"
        ]
    if how.encoding == "mixed":
        shown = ", ".join(map(str, how.bad_lines[:10])) + (" …" if len(how.bad_lines) > 10 else "")
        return [
            f"{source.name} is UTF-8 except {len(how.bad_lines)} line(s) ({shown}): those "
            "were read as Windows-1252 (a character typed in another program, usually) "
            "— check them in the copy"
        ]
    return []


def _lines_after_sep(source: Path, how: Source) -> Iterator[str]:
    lines = _lines(source, how)
    if how.skip_first_line:
        next(lines, None)
    return lines


def _read_header(source: Path, how: Source) -> list[str]:
    try:
        return next(csv.reader(_lines_after_sep(source, how), delimiter=how.delimiter), [])
    except csv.Error:
        return []


def _refuse_title_lines(source: Path, how: Source, header: list[str]) -> None:
    """Spreadsheet exports put titles and notes above the header: its first record is then
    narrower than the records below it."""
    widths: list[int] = []
    first_wide = 0
    try:
        reader = csv.reader(_lines_after_sep(source, how), delimiter=how.delimiter)
        for row in reader:
            widths.append(len(row))
            if len(widths) >= 200:
                break
    except csv.Error:
        return
    if len(widths) < 3:
        return
    common, _ = Counter(widths[1:]).most_common(1)[0]
    if len(header) >= common or common < 2:
        return
    first_wide = next(i for i, w in enumerate(widths, start=1) if w == common)
    skipped = 1 if how.skip_first_line else 0
    raise ScaffoldError(
        f"{source.name}: line {1 + skipped} has {len(header)} column(s) but most lines "
        f"have {common}: "
        f"the lines above line {first_wide + skipped} look like a title or notes, not a header. "
        "Delete them so that the first line names the columns, then run `catalog new` again"
    )


def _refuse_unclosed_quote(source: Path, how: Source) -> None:
    reader = csv.reader(_lines_after_sep(source, how), delimiter=how.delimiter, strict=True)
    try:
        for _ in reader:
            pass
    except csv.Error as exc:
        raise _quote_error(source, reader.line_num, exc) from None


def _inferred(source: Path, target: Path, how: Source) -> Inferred:
    """The schema inferred from the UTF-8 copy, or a ScaffoldError saying what to fix."""
    try:
        return infer(target, how.delimiter)
    except HeaderLooksLikeData as exc:
        raise ScaffoldError(
            f"the first line of {source.name} looks like data, not column names ({exc}): "
            "add a first line that names each column, then run `catalog new` again"
        ) from None
    except pa.ArrowInvalid:  # a record with more or fewer cells than the header
        raise _ragged(source, target) from None


def _ragged(source: Path, copy: Path) -> ScaffoldError:
    """The error for a file whose records do not all have the header's number of cells,
    naming the first such record's line (of the UTF-8 copy, which keeps the lines)."""
    with copy.open(newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        header = next(reader, [])
        start = reader.line_num + 1
        for row in reader:
            if len(row) != len(header):
                return ScaffoldError(
                    f"line {start} of {source.name} has {len(row)} cells where the header has "
                    f"{len(header)}: fix that record (a missing or extra comma, or a quote "
                    "left open), then run `catalog new` again"
                )
            start = reader.line_num + 1
    return ScaffoldError(f"{source.name} cannot be read as CSV: check its delimiter and quotes")


def _quote_error(source: Path, line: int, exc: csv.Error) -> ScaffoldError:
    if "unexpected end of data" in str(exc) or "EOF" in str(exc):
        start = _opening_quote_line(source)
        return ScaffoldError(
            f"{source.name} line {start}: a quoted value opened there is never closed, "
            "so the rest of the file would be read as one cell. "
            'Close the quote, or write a quote inside a quoted value as two quotes ("")'
        )
    return ScaffoldError(
        f"{source.name} line {line}: the CSV is malformed ({exc}); correct the quoting on that line"
    )


def _opening_quote_line(source: Path) -> int:
    """The line of the quote that is never closed: the last line where the count of quote
    characters so far becomes odd."""
    opened, line, start = False, 1, 1
    with open_data(source) as fh:
        for raw in fh:
            for _ in range(raw.count(b'"')):
                opened = not opened
                if opened:
                    start = line
            line += 1
    return start


def _copy_without_bom(source: Path, target: Path) -> None:
    with open_data(source) as src, target.open("wb") as dst:
        if src.read(3) != codecs.BOM_UTF8:
            src.seek(0)
        shutil.copyfileobj(src, dst, 1 << 20)


def _drop_blank_rows(target: Path) -> int:
    tmp = target.with_suffix(".tmp")
    dropped = 0
    with (
        target.open(encoding="utf-8", newline="") as src,
        tmp.open("w", encoding="utf-8", newline="") as dst,
    ):
        writer = csv.writer(dst, lineterminator="\n")
        for row in csv.reader(src):
            if any(cell.strip() for cell in row):
                writer.writerow(row)
            else:
                dropped += 1
    tmp.replace(target)
    return dropped


def unique_labels(header: list[str]) -> list[str]:
    """Blank headers named, repeated ones numbered; unique without regard to case (databases
    and R read 'Name' and 'name' as one column)."""
    out: list[str] = []
    taken: set[str] = set()
    for i, h in enumerate(header, start=1):
        name = h.strip() or f"field{i}"
        base, n = name, 2
        while name.casefold() in taken:
            name = f"{base}{n}"
            n += 1
        out.append(name)
        taken.add(name.casefold())
    return out


# --- what inference decided ------------------------------------------------------------------


def _decision_notes(d: Decision) -> list[str]:
    notes = list(d.notes)
    if d.exception_count:
        notes.append(_exceptions_text(d))
    return notes


def _exceptions_text(d: Decision) -> str:
    shown = ", ".join(f"row {row}: {value!r}" for row, value in d.exceptions)
    more = (
        f" and {d.exception_count - len(d.exceptions):,} more"
        if d.exception_count > len(d.exceptions)
        else ""
    )
    return (
        f"column {d.field['name']!r} is typed {d.label} but {d.exception_count:,} "
        f"value(s) do not read as that ({shown}{more}): "
        "correct them, list them in the field's missingValues if they mean 'no data', "
        "or make the field `type: string`"
    )


def _field_comment(d: Decision) -> list[str]:
    lines = []
    if d.field.get("type") == "number" and d.field.get("unit") == "percent":
        lines.append("# read as a number of percent: '95.5%' is 95.5")
    if d.field.get("missingValues"):
        lines.append(
            "# values that mean 'no data' here: "
            + ", ".join(repr(v) for v in d.field["missingValues"] if v)
        )
    if d.exception_count:
        lines.append(f"# {PLACEHOLDER_MARK}: " + _exceptions_text(d))
    return lines


def _dataset_yaml(
    root: Path,
    agency: str,
    slug: str,
    source: Path,
    title: str | None,
    res_name: str,
    csv_name: str,
    decisions: tuple[Decision, ...],
) -> str:
    cfg, _ = read_yaml(root / "catalog.yaml", "catalog.yaml")
    categories = list((cfg.data.get("categories") if cfg else None) or contract.DEFAULT_CATEGORIES)
    officer: dict[str, Any] = {}
    agency_doc, _ = (
        read_yaml(root / "datasets" / agency / "agency.yaml", "agency.yaml")
        if (root / "datasets" / agency / "agency.yaml").is_file()
        else (None, [])
    )
    if agency_doc:
        officer = agency_doc.data.get("data_officer") or {}
    contact_name = officer.get("name") or f"{PLACEHOLDER_MARK}: a role, e.g. Agency Data Officer"
    contact_email = officer.get("email") or PLACEHOLDER_EMAIL
    names = [d.field["name"].lower() for d in decisions]
    geo = "Latitude/longitude" if any(n in ("latitude", "lat") for n in names) else None
    human = title or " ".join(source.stem.replace("_", " ").replace("-", " ").split()).title()

    def v(value: Any) -> str:
        return (
            yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=10_000)
            .strip()
            .removesuffix("...")
            .strip()
        )

    lines = [
        "# yaml-language-server: $schema=../../../catalog/schemas/dataset.schema.json",
        f"# Scaffolded by `catalog new {agency}/{slug}`. Replace every {PLACEHOLDER_MARK}, "
        "then run `catalog validate`.",
        f"title: {v(human)}",
        "description: |",
        f"  {PLACEHOLDER_MARK}: what one row is, who collects the data, how and why, and what to",
        "  watch for when using it. At least 50 characters; Markdown is allowed.",
        f"category: {v(categories[0])}  # one of: {'; '.join(categories)}",
        "keywords:",
        f"  - {v(PLACEHOLDER_MARK)}",
        "update_frequency: As needed  # " + "; ".join(contract.UPDATE_FREQUENCIES),
        "access_level: public  # public | restricted public (add rights, exemptions, "
        "access_url) | non-public (add rights, exemptions; remove data files)",
        "contact:",
        f"  name: {v(contact_name)}",
        f"  email: {v(contact_email)}",
        f"# row_label: {PLACEHOLDER_MARK}  # what one row is, e.g. Inspection",
    ]
    if geo:
        lines.append(f"geographic_unit: {geo}")
    lines += [
        "resources:",
        f"  - name: {v(res_name)}",
        f"    path: {v(csv_name)}",
        f"    title: {v(human)}",
        "    schema:",
        "      fields:",
    ]
    for d in decisions:
        lines += ["        " + c for c in _field_comment(d)]
        body = yaml.safe_dump(
            [d.field], sort_keys=False, allow_unicode=True, width=10_000
        ).splitlines()
        lines += ["        " + line for line in body]
    return "\n".join(lines) + "\n"


def _agency_yaml(agency: str) -> str:
    return "\n".join(
        [
            "# yaml-language-server: $schema=../../catalog/schemas/agency.schema.json",
            f"name: '{PLACEHOLDER_MARK}: the agency''s full name'",
            f"abbreviation: {agency.upper()[:20]}",
            "website: https://example.invalid/fill-in",
            f"description: '{PLACEHOLDER_MARK}: what the agency does, in a sentence or two.'",
            "data_officer:",
            "  name: Agency Data Officer",
            "  handle: '@fill-in'  # the code-host handle that reviews this agency's "
            "datasets (CODEOWNERS)",
            "",
        ]
    )
