"""Per-dataset outputs: transform each public resource, then ``datapackage.json`` (and the
zip the bulk download holds).

``build_dataset`` is what the build's cache stores: it writes every file of one dataset
into a folder and returns a JSON-able summary (rows, sizes, profiles, previews).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from catalog.core import contract
from catalog.core.model import Catalog, Dataset, Field, Resource
from catalog.site.files import download_url
from catalog.site.transform import ResourceOutput, UnpublishableData, transform_resource

ZIP_DATE = (1980, 1, 1, 0, 0, 0)
PACKAGE_ZIP = ".package.zip"  # a dot-file: kept in the cache, never published itself


@dataclass
class DatasetOutput:
    """A dataset's built outputs: each resource's files, profile and preview, its charts."""

    id: str
    resources: list[ResourceOutput]
    files: dict[str, dict[str, Any]]  # "datapackage" -> {"path", "bytes"}
    charts: list[dict[str, Any]]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "resources": [r.to_json() for r in self.resources],
            "files": self.files,
            "charts": self.charts,
        }

    @staticmethod
    def from_json(d: dict[str, Any]) -> DatasetOutput:
        return DatasetOutput(
            d["id"],
            [ResourceOutput.from_json(r) for r in d["resources"]],
            d["files"],
            d.get("charts", []),
        )

    @property
    def rows(self) -> int:
        return sum(r.rows for r in self.resources)


def public_field_descriptor(f: Field) -> dict[str, Any]:
    """A field as published: catalog-only keys removed, the unit kept as a custom key."""
    return {
        k: v for k, v in f.descriptor.items() if k not in ("protected", "exemption", "min_cell")
    }


def published_schema(res: Resource, columns: list[str]) -> dict[str, Any]:
    """A resource's Table Schema as published: withheld fields and absent columns left out."""
    fields = [public_field_descriptor(f) for f in res.schema.public_fields if f.name in columns]
    out: dict[str, Any] = {"fields": fields}
    if res.schema.primary_key and all(k in columns for k in res.schema.primary_key):
        out["primaryKey"] = list(res.schema.primary_key)
    if "missingValues" in res.schema.descriptor:
        out["missingValues"] = list(res.schema.missing_values)
    return out


def sha256(path: Path) -> str:
    """The SHA-256 of a file, hex."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def datapackage(catalog: Catalog, ds: Dataset, outputs: list[ResourceOutput]) -> dict[str, Any]:
    """A dataset's datapackage.json (Frictionless Data Package) for its published files."""
    spdx = catalog.license_of(ds)
    agency = catalog.agency(ds.agency)
    resources = []
    for res, out in zip(ds.resources, outputs, strict=True):
        csv = out.files["csv"]
        resources.append(
            {
                "name": res.name,
                # beside datapackage.json, or its address on object storage
                "path": download_url(catalog.config, ds.id, csv)
                if catalog.config.files_url
                else csv["path"],
                "title": res.title,
                **({"description": res.description} if res.description else {}),
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "bytes": csv["bytes"],
                "hash": "sha256:" + csv["digest"],
                "schema": published_schema(res, out.columns),
            }
        )
    return {
        "name": f"{ds.agency}-{ds.slug}",
        "id": f"{catalog.config.base_url}datasets/{ds.id}/",
        "title": ds.title,
        "description": ds.description,
        "homepage": f"{catalog.config.base_url}datasets/{ds.id}/",
        "keywords": list(ds.keywords),
        "licenses": [
            {
                "name": spdx,
                "path": contract.LICENSE_URLS.get(spdx, f"https://spdx.org/licenses/{spdx}.html"),
                "title": spdx,
            }
        ],
        "contributors": [{"title": agency.name if agency else ds.agency, "role": "publisher"}],
        "resources": resources,
    }


def write_zip(target: Path, members: list[tuple[str, Path]], *, compress: bool = True) -> None:
    """A reproducible zip: sorted members, fixed timestamps and permissions."""
    method = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    with zipfile.ZipFile(target, "w", compression=method, allowZip64=True) as zf:
        for arcname, path in sorted(members):
            info = zipfile.ZipInfo(arcname, date_time=ZIP_DATE)
            info.compress_type = method
            info.external_attr = 0o644 << 16
            with path.open("rb") as src, zf.open(info, "w") as dst:
                while chunk := src.read(1 << 20):
                    dst.write(chunk)


def boundary_files(catalog: Catalog, ds: Dataset, out_dir: Path) -> dict[str, dict[str, Any]]:
    """A boundary dataset's files: the file as committed and the simplified TopoJSON its
    maps draw (``key`` and ``name`` properties), each with its size and SHA-256."""
    import shapely

    from catalog.checks.areas import boundaries_of
    from catalog.site.maps import simplified_name, topology

    b = ds.boundaries
    areas = boundaries_of(catalog, ds.id) if b else None
    if b is None or areas is None or not areas.usable:
        return {}
    name = Path(b.file).name
    taken = {p.name for p in out_dir.iterdir()}
    name = name if name not in taken else f"boundaries-{name}"
    original = out_dir / name
    shutil.copyfile(Path(catalog.root) / b.path, original)
    simplified = out_dir / simplified_name(b)
    simplified.write_text(
        json.dumps(topology(areas), separators=(",", ":"), sort_keys=True) + "\n", "utf-8"
    )
    return {
        kind: {
            "path": p.name,
            "bytes": p.stat().st_size,
            "digest": sha256(p),
            "areas": len(areas.keys),
            "bbox": [round(float(v), 5) for v in shapely.total_bounds(areas.geometries)],
            "topojson": p == simplified or areas.topojson,
        }
        for kind, p in (("boundaries", original), ("boundaries_simplified", simplified))
    }


def build_dataset(catalog: Catalog, ds: Dataset, out_dir: Path) -> DatasetOutput:
    """All published files of one public dataset, written into ``out_dir``."""
    root = Path(catalog.root)
    outputs = []
    for res in ds.resources:
        try:
            limits = catalog.config.limits
            outputs.append(
                transform_resource(
                    root / res.path, res, out_dir, limits.preview_rows, limits.json_max_rows
                )
            )
        except UnpublishableData as exc:
            exc.path = res.path
            raise
    for out in outputs:  # each download's SHA-256: its address on object storage, its hash
        for f in out.files.values():  # in datapackage.json
            f["digest"] = sha256(out_dir / f["path"])
    shapes = boundary_files(catalog, ds, out_dir)
    package = datapackage(catalog, ds, outputs)
    if "boundaries" in shapes:  # the boundary file is part of the package, as it was committed
        b = shapes["boundaries"]
        geojson = not b["topojson"]
        package["resources"].append(
            {
                "name": "boundaries",
                "path": b["path"],
                "title": "Boundaries",
                "format": "geojson" if geojson else "topojson",
                "mediatype": "application/geo+json" if geojson else "application/json",
                "bytes": b["bytes"],
                "hash": "sha256:" + b["digest"],
            }
        )
    dp = out_dir / "datapackage.json"
    dp.write_text(json.dumps(package, indent=2, ensure_ascii=False, sort_keys=True) + "\n", "utf-8")
    # the Data Package as a zip, kept beside the outputs for the bulk download (which stores
    # it as it is) and not published on its own: the CSVs and datapackage.json are
    write_zip(
        out_dir / PACKAGE_ZIP,
        [("datapackage.json", dp)]
        + [(o.files["csv"]["path"], out_dir / o.files["csv"]["path"]) for o in outputs]
        + [(b["path"], out_dir / b["path"]) for k, b in shapes.items() if k == "boundaries"],
    )
    files = {"datapackage": {"path": "datapackage.json", "bytes": dp.stat().st_size}}
    files.update(shapes)
    from catalog.site.charts import render_charts

    return DatasetOutput(ds.id, outputs, files, render_charts(catalog, ds, outputs, out_dir))
