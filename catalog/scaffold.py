"""``catalog new``: scaffold a dataset folder from a CSV.

Copies the CSV (as UTF-8, header names made unique and non-blank), infers a Table Schema
with Frictionless over a large sample, loosens any field the whole file contradicts (so the
scaffold validates), and writes a ``dataset.yaml`` with every required key present and the
values to fill marked ``FILL IN``.
"""

from __future__ import annotations

import csv
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import frictionless
import yaml

from . import contract
from .checks.filebytes import FileBytes
from .checks.metadata import PLACEHOLDER_EMAIL, PLACEHOLDER_MARK
from .checks.tabular import run_frictionless
from .load import SLUG, slugify
from .yamlfile import read_yaml

MISSING_VALUES = ["", "NA", "N/A", "*"]
SAMPLE_ROWS = 20_000


class ScaffoldError(Exception):
    """The scaffold cannot be written; the message says why and what to do."""


@dataclass(frozen=True)
class Scaffolded:
    folder: Path
    files: tuple[Path, ...]
    notes: tuple[str, ...]


def new_dataset(root: Path, ident: str, source: Path, *, title: str | None = None) -> Scaffolded:
    agency, _, slug = ident.partition("/")
    if not slug or "/" in slug or not SLUG.match(agency) or not SLUG.match(slug):
        raise ScaffoldError(f"{ident!r} is not <agency>/<dataset> in lowercase slugs; try {slugify(agency) or 'agency'}/{slugify(slug) or 'dataset'}")
    if not source.is_file():
        raise ScaffoldError(f"{source} does not exist or is not a file")
    if source.stat().st_size == 0:
        raise ScaffoldError(f"{source} is empty (0 bytes); export the data again with a header row")
    agency_dir = root / "datasets" / agency
    folder = agency_dir / slug
    if folder.exists():
        raise ScaffoldError(f"{folder.relative_to(root)} already exists; choose another name or edit its dataset.yaml")
    notes: list[str] = []
    written: list[Path] = []
    staging = Path(tempfile.mkdtemp(prefix=".new-", dir=root))
    try:
        res_name = slugify(source.stem) or "data"
        csv_name = f"{res_name}.csv"
        notes += _copy_csv(source, staging / csv_name)
        schema = infer_schema(staging / csv_name)
        (staging / "dataset.yaml").write_text(_dataset_yaml(root, agency, slug, source, title, res_name, csv_name, schema), "utf-8")
        if not (agency_dir / "agency.yaml").is_file():
            agency_dir.mkdir(parents=True, exist_ok=True)
            (agency_dir / "agency.yaml").write_text(_agency_yaml(agency), "utf-8")
            written.append(agency_dir / "agency.yaml")
            notes.append(f"wrote {agency_dir.relative_to(root)}/agency.yaml: fill in the agency's details")
        agency_dir.mkdir(parents=True, exist_ok=True)
        staging.rename(folder)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    written += [folder / "dataset.yaml", folder / csv_name]
    return Scaffolded(folder, tuple(written), tuple(notes))


def _copy_csv(source: Path, target: Path) -> list[str]:
    """Copy as UTF-8 with a usable header; say what was changed."""
    notes: list[str] = []
    encoding = "utf-8-sig"
    if FileBytes(source).bad_utf8:
        encoding = "cp1252"
        notes.append(f"{source.name} is not UTF-8; converted from Windows-1252 — check accented characters")
    with source.open(encoding=encoding, errors="replace", newline="") as fh:
        sample = fh.read(65536)
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t|")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    if delimiter != ",":
        notes.append(f"{source.name} is delimited by {delimiter!r}; the copy uses commas")
    with source.open(encoding=encoding, errors="replace", newline="") as src, target.open("w", encoding="utf-8", newline="") as dst:
        reader = csv.reader(src, delimiter=delimiter)
        writer = csv.writer(dst, lineterminator="\n")
        header = next(reader, None)
        if not header or not any(h.strip() for h in header):
            raise ScaffoldError(f"{source.name} has no header row; add one naming each column")
        fixed = unique_labels(header)
        if fixed != header:
            notes.append(f"renamed blank or repeated column headers: {', '.join(h for h, o in zip(fixed, header, strict=True) if h != o)}")
        writer.writerow(fixed)
        blank = 0
        for row in reader:
            if not any(cell.strip() for cell in row):
                blank += 1
                continue
            writer.writerow(row)
        if blank:
            notes.append(f"dropped {blank} blank row(s)")
    return notes


def unique_labels(header: list[str]) -> list[str]:
    out: list[str] = []
    for i, h in enumerate(header, start=1):
        name = h.strip() or f"field{i}"
        base, n = name, 2
        while name in out:
            name = f"{base}{n}"
            n += 1
        out.append(name)
    return out


def infer_schema(file: Path) -> dict[str, Any]:
    """Infer a Table Schema and loosen it until the whole file validates."""
    detector = frictionless.Detector(sample_size=SAMPLE_ROWS, field_missing_values=MISSING_VALUES, field_confidence=1.0)
    resource = frictionless.Resource(path=file.name, basepath=str(file.parent), detector=detector, encoding="utf-8", format="csv")
    resource.infer()
    descriptor = resource.schema.to_descriptor()
    for field in descriptor["fields"]:
        field.pop("format", None) if field.get("format") == "default" else None
    for _ in range(5):
        problems = run_frictionless(file, descriptor, file.name, cap=1_000_000)
        loosen = {p.field for p in problems if p.code in ("type-error", "constraint-error") and p.field}
        if not loosen:
            break
        for field in descriptor["fields"]:
            if field["name"] in loosen:
                field["type"] = "string"
                field.pop("format", None)
    if descriptor.get("missingValues") == [""]:
        descriptor.pop("missingValues")
    return descriptor


def _dataset_yaml(root: Path, agency: str, slug: str, source: Path, title: str | None, res_name: str, csv_name: str, schema: dict[str, Any]) -> str:
    cfg, _ = read_yaml(root / "catalog.yaml", "catalog.yaml")
    categories = list((cfg.data.get("categories") if cfg else None) or contract.DEFAULT_CATEGORIES)
    officer: dict[str, Any] = {}
    agency_doc, _ = read_yaml(root / "datasets" / agency / "agency.yaml", "agency.yaml") if (root / "datasets" / agency / "agency.yaml").is_file() else (None, [])
    if agency_doc:
        officer = agency_doc.data.get("data_officer") or {}
    contact_name = officer.get("name") or f"{PLACEHOLDER_MARK}: a role, e.g. Agency Data Officer"
    contact_email = officer.get("email") or PLACEHOLDER_EMAIL
    names = [f["name"].lower() for f in schema["fields"]]
    geo = "Latitude/longitude" if any(n in ("latitude", "lat") for n in names) else None
    human = title or " ".join(source.stem.replace("_", " ").replace("-", " ").split()).title()

    def v(value: Any) -> str:
        return yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=10_000).strip().removesuffix("...").strip()

    lines = [
        "# yaml-language-server: $schema=../../../catalog/schemas/dataset.schema.json",
        f"# Scaffolded by `catalog new {agency}/{slug}`. Replace every {PLACEHOLDER_MARK}, then run `catalog validate`.",
        f"title: {v(human)}",
        "description: |",
        f"  {PLACEHOLDER_MARK}: what one row is, who collects the data, how and why, and what to",
        "  watch for when using it. At least 50 characters; Markdown is allowed.",
        f"category: {v(categories[0])}  # one of: {'; '.join(categories)}",
        "keywords:",
        f"  - {v(PLACEHOLDER_MARK)}",
        "update_frequency: As needed  # " + "; ".join(contract.UPDATE_FREQUENCIES),
        "access_level: public  # public | restricted public (add rights, exemptions, access_url) | non-public (add rights, exemptions; remove data files)",
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
    ]
    body = yaml.safe_dump(schema, sort_keys=False, allow_unicode=True, width=10_000)
    lines += ["      " + line for line in body.splitlines()]
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
            "  handle: '@fill-in'  # the code-host handle that reviews this agency's datasets (CODEOWNERS)",
            "",
        ]
    )
