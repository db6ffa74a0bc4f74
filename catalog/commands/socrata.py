"""`catalog import socrata`: a Socrata dataset into a dataset folder, from the two files a
portal administrator can export — the view's metadata (``/api/views/<id>.json``) and its
rows (``/api/views/<id>/rows.csv``) — saved side by side as ``<id>.json`` and ``<id>.csv``.
A folder of such pairs is a batch.

The CSV goes through `catalog new` (the same reading, inference and checks as any new
dataset); the metadata then fills in the dataset.yaml: title, description (HTML made
Markdown text), category, tags, attribution, licence, update frequency and contact (from
the view's custom fields), row label, each column's description and Socrata's type (which
decides where it and the CSV disagree: a `text` column stays text), and the 4×4 identifier,
so that the site also answers the old portal's addresses. Columns hidden on the portal are
imported as protected (withheld) with their exemption to fill in — and their values left
out of the committed CSV when the repository is public. What could not be mapped is in the
report and marked FILL IN, so that `catalog validate` points at each decision.
"""

from __future__ import annotations

import csv
import gzip
import json
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from catalog.commands.importing import (
    Agencies,
    Imported,
    ImportFailed,
    Vocabulary,
    Writer,
    contact,
    date_of,
    frequency,
    long_enough,
    markdown_from_html,
    report,
    scaffold,
    unique,
    utf8,
    yaml_text,
)
from catalog.commands.scaffold import ScaffoldError
from catalog.core.contract import PLACEHOLDER_MARK

FOUR_BY_FOUR = re.compile(r"^[a-z0-9]{4}-[a-z0-9]{4}$")
TEXT_TYPES = {
    "text",
    "html",
    "email",
    "phone",
    "url",
    "point",
    "location",
    "multipoint",
    "line",
    "multiline",
    "polygon",
    "multipolygon",
    "blob",
    "photo",
    "document",
    "drop_down_list",
    "nested_table",
}
DATE_TYPES = {"calendar_date", "floating_timestamp", "fixed_timestamp", "date"}
NUMBER_TYPES = {"number", "money", "percent", "double"}


@dataclass(frozen=True)
class View:
    """A Socrata view: the parts the import reads."""

    id: str
    name: str
    data: dict[str, Any]
    used: set[str] = field(default_factory=set)  # the custom fields mapped

    @property
    def columns(self) -> list[dict[str, Any]]:
        """The table's columns, in position order (the system columns, ``:id`` and the
        like, left out: exports do not carry them)."""
        cols = [
            c
            for c in self.data.get("columns") or []
            if isinstance(c, dict) and isinstance(c.get("name"), str)
        ]
        cols = [
            c
            for c in cols
            if c.get("dataTypeName") != "meta_data"
            and not str(c.get("fieldName", "")).startswith(":")
        ]
        return sorted(cols, key=_position)

    def custom(self, *words: str) -> str | None:
        """A custom field's value, by words in its name (case aside), from any fieldset."""
        for _, key, value in self.custom_fields():
            if all(w in key.lower() for w in words):
                self.used.add(key)
                return value
        return None

    def custom_fields(self) -> list[tuple[str, str, str]]:
        """(fieldset, name, value) of every custom field with a value."""
        fields = (self.data.get("metadata") or {}).get("custom_fields") or {}
        out = []
        for fieldset, values in fields.items() if isinstance(fields, dict) else []:
            for key, value in values.items() if isinstance(values, dict) else []:
                if isinstance(value, str | int | float) and str(value).strip():
                    out.append((str(fieldset), str(key), " ".join(str(value).split())))
        return out


def _position(column: dict[str, Any]) -> int:
    position = column.get("position")
    return position if isinstance(position, int) else 0


def read_view(file: Path) -> View:
    """A view from its JSON (bare, or inside ``{"meta": {"view": …}}`` as ``rows.json``
    exports carry it); ImportFailed naming the file when it is not one."""
    try:
        data = utf8(json.loads(file.read_text("utf-8")))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ImportFailed(f"{file}: not readable JSON ({exc})") from None
    if (
        isinstance(data, dict)
        and isinstance(data.get("meta"), dict)
        and isinstance(data["meta"].get("view"), dict)
    ):
        data = data["meta"]["view"]
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("id"), str)
        or not FOUR_BY_FOUR.match(data["id"])
        or not isinstance(data.get("columns"), list)
    ):
        raise ImportFailed(
            f"{file}: not a Socrata view (expected the JSON of /api/views/<id>.json: an object "
            "with a 4×4 `id`, a `name` and `columns`)"
        )
    return View(data["id"], str(data.get("name") or data["id"]), data)


def not_a_table(view: View) -> str | None:
    """Why a view is not a table to import (a chart, a map, a filtered view...), or None."""
    asset = view.data.get("assetType")
    display = view.data.get("displayType")
    if (
        asset not in (None, "dataset")
        or display not in (None, "table", "fatrow", "page")
        or view.data.get("viewType") not in (None, "tabular")
    ):
        kind = asset if asset not in (None, "dataset") else display or view.data.get("viewType")
        return f"a {kind}, not a table: import the dataset it is built on"
    return None


def socrata_path(category: str | None, name: str) -> str:
    """The old portal's page path, ``<Category>/<Name>``, as Socrata writes it."""

    def part(text: str) -> str:
        return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")[:100] or "dataset"

    return f"{part(category) if category else 'dataset'}/{part(name)}"


def pairs(sources: list[Path]) -> list[tuple[Path, Path | None]]:
    """(view JSON, its CSV or None) for each source: a JSON file, or a folder of them."""
    out = []
    for source in sources:
        files = sorted(source.glob("*.json")) if source.is_dir() else [source]
        if source.is_dir() and not files:
            raise ImportFailed(f"{source}: no <id>.json view files in this folder")
        if not source.exists():
            raise ImportFailed(f"{source} does not exist")
        for f in files:
            csv_file = next(
                (c for c in (f.with_suffix(".csv"), f.with_suffix(".csv.gz")) if c.is_file()), None
            )
            out.append((f, csv_file))
    return out


def import_socrata(
    root: Path, sources: list[Path], agency: str | None = None, domain: str = ""
) -> tuple[list[Imported], str]:
    """Import each view (with its CSV) into ``root``'s datasets; return what became of
    each and the report (Markdown). One view's failure never stops the batch."""
    vocab = Vocabulary.of(root)
    agencies = Agencies(root)
    writer = Writer(root, f"socrata:{domain}" if domain else "socrata")
    private = vocab.repository == "private"
    items: list[Imported] = []
    seen: dict[str, str] = {}
    for view_file, csv_file in pairs(sources):
        item = Imported(str(view_file), view_file.stem, view_file.stem)
        items.append(item)
        try:
            view = read_view(view_file)
            item.identifier, item.title = view.id, view.name
            if view.id in seen:
                raise ImportFailed(f"{view.id} is also in {seen[view.id]}: imported once")
            seen[view.id] = str(view_file)
            why = not_a_table(view)
            if why:
                item.status = "skipped"
                item.notes.append(why)
                continue
            if csv_file is None:
                raise ImportFailed(
                    f"no CSV beside {view_file.name}: export "
                    f"/api/views/{view.id}/rows.csv?accessType=DOWNLOAD as {view_file.stem}.csv"
                )
            _import_one(root, view, csv_file, item, vocab, agencies, writer, agency, private)
        except (ImportFailed, ScaffoldError) as exc:
            item.status = "failed"
            item.notes.append(str(exc))
    writer.save()
    return items, report(items, agencies.started, "Import from Socrata")


def _import_one(
    root: Path,
    view: View,
    csv_file: Path,
    item: Imported,
    vocab: Vocabulary,
    agencies: Agencies,
    writer: Writer,
    agency: str | None,
    private: bool,
) -> None:
    notes = item.notes
    slug = agency or agencies.find(view.custom("agency") or view.data.get("attribution"), notes)
    folder = writer.folder_for(slug, view.name, view.id)
    item.folder = folder
    with tempfile.TemporaryDirectory(prefix="catalog-import-") as tmp:
        scaffolded, data_file = scaffold(root, Path(tmp), folder, csv_file, view.name, notes)
        resource = scaffolded["resources"][0]
        missing = list(resource["schema"].get("missingValues") or [""])
        fields, withheld = _fields(
            view, resource["schema"]["fields"], notes, _numbers(data_file, missing)
        )
        if withheld and not private:
            _drop_columns(data_file, withheld)
            notes.append(
                "left out of the committed CSV (a public repository holds no withheld values): "
                f"{', '.join(withheld)}"
            )
        resource["schema"]["fields"] = fields
        resource["title"] = view.name
        meta = _metadata(view, vocab, notes, scaffolded.get("contact") or {})
        api_names = {
            c["name"]: c["fieldName"] for c in view.columns if isinstance(c.get("fieldName"), str)
        }
        meta["socrata"]["fields"] = {
            f["name"]: api_names[f["name"]]
            for f in fields
            if f["name"] in api_names and not f.get("protected")
        }
        meta["resources"] = [resource]
        header = (
            f"Imported from Socrata view {view.id} by `catalog import socrata`.\nDecide what is "
            "marked FILL IN, then run `catalog validate`."
        )
        unmapped = [(s, k, v) for s, k, v in view.custom_fields() if k not in view.used]
        if unmapped:  # kept where the ADO sees them, and in the report
            header += "\nCustom fields of the portal with no place here:" + "".join(
                f"\n  {s} / {k}: {v[:200]}" for s, k, v in unmapped
            )
            notes.append(
                "custom fields not mapped: " + "; ".join(f"{s} / {k}" for s, k, _ in unmapped)
            )
        writer.write(
            item,
            {"dataset.yaml": yaml_text(header, meta), resource["path"]: data_file},
            str(view.data.get("rowsUpdatedAt") or view.data.get("viewLastModified") or ""),
        )


def _metadata(
    view: View, vocab: Vocabulary, notes: list[str], officer: dict[str, Any]
) -> dict[str, Any]:
    d = view.data
    description, short = long_enough(
        markdown_from_html(d.get("description") if isinstance(d.get("description"), str) else ""),
        view.name,
    )
    notes.extend(short)
    tags = unique(t for t in d.get("tags") or [] if isinstance(t, str))
    if not tags:
        notes.append("no tags: add keywords (marked FILL IN)")
    license_name = d.get("licenseId") or (
        (d.get("license") or {}).get("name") if isinstance(d.get("license"), dict) else None
    )
    meta: dict[str, Any] = {
        "title": view.name[:200],
        "description": description,
        "category": vocab.category(
            d.get("category") if isinstance(d.get("category"), str) else None, notes
        ),
        "keywords": [t[:100] for t in tags[:50]] or [PLACEHOLDER_MARK],
        "update_frequency": frequency(view.custom("frequency"), notes),
        "access_level": "public",
        "contact": contact(
            {
                "name": view.custom("contact", "name") or officer.get("name"),
                "email": view.custom("email") or officer.get("email"),
            },
            notes,
        ),
    }
    spdx = vocab.license(str(license_name) if license_name else None, notes)
    if spdx:
        meta["license"] = spdx
    for key, value in (
        ("attribution", d.get("attribution")),
        ("row_label", (d.get("metadata") or {}).get("rowLabel")),
    ):
        if isinstance(value, str) and value.strip() and value.strip() != "Row":
            meta[key] = value.strip()[: 300 if key == "attribution" else 100]
    link = d.get("attributionLink")
    if isinstance(link, str) and re.match(r"https?://\S+$", link.strip()):
        meta["source_link"] = link.strip()
    issued = date_of(d.get("publicationDate") or d.get("createdAt"))
    if issued:
        meta["issued"] = issued
    meta["socrata"] = {
        "id": view.id,
        "path": socrata_path(
            d.get("category") if isinstance(d.get("category"), str) else None, view.name
        ),
        "fields": {},
    }
    notes.append(
        "access_level set to public (the view was public on the old portal): confirm it, and mark "
        "any column that must be withheld"
    )
    return meta


def _fields(
    view: View,
    inferred: list[dict[str, Any]],
    notes: list[str],
    numbers: Callable[[str], str | None],
) -> tuple[list[dict[str, Any]], list[str]]:
    """The scaffold's fields with Socrata's descriptions and types; the hidden columns."""
    by_name = {c["name"]: c for c in view.columns}
    header = [f["name"] for f in inferred]
    missing = [n for n in by_name if n not in header]
    if missing:
        notes.append(f"in the metadata but not in the CSV: {', '.join(missing)}")
    extra = [n for n in header if n not in by_name]
    if extra:
        notes.append(
            f"in the CSV but not in the metadata (typed from the data): {', '.join(extra)}"
        )
    out, withheld = [], []
    for f in inferred:
        col = by_name.get(f["name"])
        if col is None:
            out.append(f)
            continue
        kind = str(col.get("dataTypeName") or "text")
        f = _typed(dict(f), kind, notes, numbers)
        said = (
            [markdown_from_html(col["description"])]
            if isinstance(col.get("description"), str)
            else []
        )
        described = " ".join(" ".join([*said, SHAPES.get(kind, "")]).split())
        if described:
            f["description"] = described[:5000]
        if "hidden" in (col.get("flags") or []):
            f["protected"] = True
            f["exemption"] = (
                f"{PLACEHOLDER_MARK}: the law or policy that withholds it, or remove protected"
            )
            withheld.append(f["name"])
            notes.append(
                f"column {f['name']!r} was hidden on the old portal: imported as protected "
                "(withheld); name its exemption or publish it"
            )
        out.append(f)
    return out, withheld


SHAPES = {  # how a column's kind on the portal is told in its description
    "point": "a point as the old portal exported it (WKT: POINT (longitude latitude))",
    "location": "a location as the old portal exported it (address, then (latitude, longitude))",
}
INTEGER = re.compile(r"-?[0-9]+\Z")
NUMBER = re.compile(r"-?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?\Z")


def _numbers(file: Path, missing: list[str]) -> Callable[[str], str | None]:
    """A reader of whether a column's values are all integers or numbers (a column the
    scaffold kept as text by its name, such as "Inspection ID", typed as the portal did)."""

    def read(name: str) -> str | None:
        kind = "integer"
        opener: Any = gzip.open if file.name.endswith(".gz") else open
        with opener(file, "rt", newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                value = row.get(name) or ""
                if value in missing or value == "":
                    continue
                if value[0] == "0" and len(value) > 1 and value[1] != ".":
                    return None  # leading zeros: a code
                if not INTEGER.match(value):
                    if not NUMBER.match(value):
                        return None
                    kind = "number"
        return kind

    return read


def _typed(
    f: dict[str, Any], kind: str, notes: list[str], numbers: Callable[[str], str | None]
) -> dict[str, Any]:
    """A field's type where Socrata's and the data's disagree: Socrata decides text, and
    numbers whose values all read as such; for dates the data's reading stands when it is
    one (with its format)."""
    inferred = f.get("type", "string")
    if kind in TEXT_TYPES:
        if inferred != "string":
            notes.append(
                f"column {f['name']!r} is {kind} on the old portal: kept as text (the data reads "
                f"as {inferred})"
            )
            f = {k: v for k, v in f.items() if k in ("name", "description", "missingValues")}
            f["type"] = "string"
        if kind == "url" and f.get("type") == "string":
            f["format"] = "uri"
        return f
    expected = {
        "checkbox": ("boolean",),
        "calendar_date": ("date", "datetime"),
        "floating_timestamp": ("datetime", "date"),
        "fixed_timestamp": ("datetime", "date"),
        "date": ("datetime", "date"),
    }.get(kind, ("integer", "number") if kind in NUMBER_TYPES else ())
    if kind in NUMBER_TYPES and inferred == "string" and (numeric := numbers(f["name"])):
        notes.append(
            f"column {f['name']!r} is {kind} on the old portal and its values read as {numeric}: "
            f"typed {numeric}"
        )
        return {k: v for k, v in f.items() if k in ("name", "description", "missingValues")} | {
            "type": numeric
        }
    if expected and inferred not in expected:
        notes.append(
            f"column {f['name']!r} is {kind} on the old portal but its values do not all read as "
            f"{' or '.join(expected)}: imported as {inferred}; check it"
        )
    elif not expected:
        notes.append(
            f"column {f['name']!r} has a Socrata type the import does not know ({kind}): typed "
            f"from the data as {inferred}"
        )
    return f


def _drop_columns(file: Path, names: list[str]) -> None:
    """Remove columns from a UTF-8 CSV (plain or gzip, as `catalog new` writes it), streaming."""
    tmp = file.with_name(file.name + ".tmp")
    opener: Any = gzip.open if file.name.endswith(".gz") else open
    with (
        opener(file, "rt", newline="", encoding="utf-8") as src,
        opener(tmp, "wt", newline="", encoding="utf-8") as dst,
    ):
        reader = csv.reader(src)
        header = next(reader, [])
        keep = [i for i, n in enumerate(header) if n not in names]
        writer = csv.writer(dst, lineterminator="\n")
        writer.writerow([header[i] for i in keep])
        for row in reader:
            writer.writerow([row[i] if i < len(row) else "" for i in keep])
    tmp.replace(file)
