"""Machine-readable outputs: DCAT-US data.json, JSON-LD, sitemap, Atom feed, the static
API, catalog metadata as CSV/Parquet, and bulk downloads (zip and SQLite).

Every function is pure or writes into the staging folder it is given; JSON is written with
sorted keys so that two builds are byte-identical.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import math
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from catalog.core import contract
from catalog.core.escape import csv_metadata_cell, xml_text
from catalog.core.names import sqlite_table_name
from catalog.site.cache import Cache
from catalog.site.changes import write_changes
from catalog.site.entries import Entry, Site, category_slug
from catalog.site.files import stable_url
from catalog.site.package import PACKAGE_ZIP, write_zip
from catalog.site.text import plain_text

MEDIA = {"csv": "text/csv", "parquet": "application/vnd.apache.parquet", "json": "application/json"}


def dump(data: Any) -> str:
    """Compact JSON: without indentation Python's C encoder runs (several times faster),
    and the files are smaller; browsers and jq indent it for reading."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"


def license_url(spdx: str) -> str:
    """The address of a licence's text (SPDX id), or the SPDX page for unknown ids."""
    return contract.LICENSE_URLS.get(spdx, f"https://spdx.org/licenses/{spdx}.html")


def distributions(site: Site, e: Entry) -> list[dict[str, Any]]:
    """A public dataset's DCAT distributions: its downloads, or where a harvested entry's
    data lives (a file's ``downloadURL``, a page's or service's ``accessURL``)."""
    harvested = e.ds.harvested
    if harvested is not None and e.ds.is_public and not (e.output and e.output.resources):
        return [
            {
                "@type": "dcat:Distribution",
                "title": x.title,
                ("downloadURL" if x.kind == "download" else "accessURL"): x.url,
                **({"mediaType": x.media_type} if x.media_type else {}),
            }
            for x in harvested.links
        ]
    if e.output is None:
        return []
    out = []
    for r in e.output.resources:
        for fmt in ("csv", "parquet", "json"):
            f = r.files.get(fmt)
            if f is None:
                continue
            out.append(
                {
                    "@type": "dcat:Distribution",
                    "title": f"{r.title} ({fmt.upper() if fmt != 'parquet' else 'Parquet'})",
                    "downloadURL": site.download(e, f),
                    "mediaType": MEDIA[fmt],
                    "format": fmt.upper() if fmt != "parquet" else "Parquet",
                    "describedBy": site.absolute(e.url + "datapackage.json"),
                    "describedByType": "application/vnd.datapackage+json",
                }
            )
    for kind, title in (
        ("boundaries", "Boundaries"),
        ("boundaries_simplified", "Boundaries for maps"),
    ):
        f = e.output.files.get(kind)
        if f is not None:  # beside the pages (maps read them from there), never moved
            topo = f["topojson"]
            out.append(
                {
                    "@type": "dcat:Distribution",
                    "title": f"{title} ({'TopoJSON' if topo else 'GeoJSON'})",
                    "downloadURL": site.absolute(e.url + f["path"]),
                    "mediaType": "application/json" if topo else "application/geo+json",
                    "format": "TopoJSON" if topo else "GeoJSON",
                }
            )
    return out


def dcat_dataset(site: Site, e: Entry) -> dict[str, Any]:
    """A dataset's DCAT-US 1.1 record for data.json."""
    ds, cfg = e.ds, site.config
    d: dict[str, Any] = {
        "@type": "dcat:Dataset",
        "title": ds.title,
        "description": plain_text(ds.description),
        "keyword": list(ds.keywords),
        "modified": e.modified_date,
        "publisher": {
            "@type": "org:Organization",
            "name": e.agency.name,
            "subOrganizationOf": {"@type": "org:Organization", "name": cfg.publisher},
        },
        "contactPoint": {
            "@type": "vcard:Contact",
            "fn": ds.contact.name,
            "hasEmail": f"mailto:{ds.contact.email}",
        },
        "identifier": site.absolute(e.url),
        "accessLevel": ds.access_level,
        "landingPage": site.absolute(e.url),
        "accrualPeriodicity": e.periodicity,
        "issued": e.issued,
        "theme": [ds.category],
    }
    if cfg.bureau_code:
        d["bureauCode"] = [cfg.bureau_code]
    if cfg.program_code:
        d["programCode"] = [cfg.program_code]
    if ds.is_public:
        spdx = site.license_of(ds)
        d["license"] = license_url(spdx)
        d["distribution"] = distributions(site, e)
    else:
        d["rights"] = ds.rights or ""
        if ds.access_url:
            d["distribution"] = [
                {
                    "@type": "dcat:Distribution",
                    "accessURL": ds.access_url,
                    "title": "How to request access",
                    "format": "Web page",
                    "mediaType": "text/html",
                }
            ]
    if ds.temporal_coverage and ds.temporal_coverage.get("start"):
        # DCAT-US wants a closed interval: an open end is the data's last update
        d["temporal"] = (
            f"{ds.temporal_coverage['start']}/{ds.temporal_coverage.get('end') or e.modified_date}"
        )
    if isinstance(ds.spatial, str):
        d["spatial"] = ds.spatial
    elif isinstance(ds.spatial, list):
        d["spatial"] = ",".join(str(x) for x in ds.spatial)
    elif bbox := _boundary_box(e):  # a boundary dataset: its areas' bounding box
        d["spatial"] = ",".join(f"{v:g}" for v in bbox)
    if ds.references or ds.source_link:
        d["references"] = [*ds.references, *([ds.source_link] if ds.source_link else [])]
    return d


def data_json(site: Site) -> dict[str, Any]:
    """DCAT-US 1.1 (Project Open Data) catalog; non-public entries carry `rights`."""
    return {
        "@context": "https://project-open-data.cio.gov/v1.1/schema/catalog.jsonld",
        "@id": site.absolute("data.json"),
        "@type": "dcat:Catalog",
        "conformsTo": "https://project-open-data.cio.gov/v1.1/schema",
        "describedBy": "https://project-open-data.cio.gov/v1.1/schema/catalog.json",
        "dataset": [dcat_dataset(site, e) for e in site.entries],
    }


def json_ld(site: Site, e: Entry) -> dict[str, Any]:
    """schema.org Dataset for search engines (Google Dataset Search)."""
    ds = e.ds
    d: dict[str, Any] = {
        "@context": "https://schema.org/",
        "@type": "Dataset",
        "name": ds.title,
        "description": plain_text(ds.description),
        "url": site.absolute(e.url),
        "identifier": site.absolute(e.url),
        "keywords": list(ds.keywords),
        "dateModified": e.modified_date,
        "datePublished": e.issued,
        "creator": {
            "@type": "GovernmentOrganization",
            "name": e.agency.name,
            "url": e.agency.website or None,
        },
        "publisher": {"@type": "GovernmentOrganization", "name": site.config.publisher},
        "includedInDataCatalog": {
            "@type": "DataCatalog",
            "name": site.config.title,
            "url": site.config.base_url,
        },
        "isAccessibleForFree": True,
    }
    if ds.is_public:
        d["license"] = license_url(site.license_of(ds))
        d["distribution"] = [
            {
                "@type": "DataDownload",
                "encodingFormat": x.get("mediaType", ""),
                "contentUrl": x["downloadURL"],
                "name": x["title"],
            }
            for x in distributions(site, e)
            if "downloadURL" in x
        ]
        if e.output:
            d["variableMeasured"] = [
                {
                    "@type": "PropertyValue",
                    "name": f.name,
                    **({"description": f.description} if f.description else {}),
                    **({"unitText": f.unit} if f.unit else {}),
                }
                for r in ds.resources
                for f in r.schema.public_fields
            ]
    else:
        d["conditionsOfAccess"] = ds.rights or ""
    if ds.temporal_coverage and ds.temporal_coverage.get("start"):
        d["temporalCoverage"] = (
            f"{ds.temporal_coverage['start']}/{ds.temporal_coverage.get('end') or '..'}"
        )
    if isinstance(ds.spatial, str):
        d["spatialCoverage"] = {"@type": "Place", "name": ds.spatial}
    elif bbox := _boundary_box(e):  # schema.org's box: "south west north east"
        west, south, east, north = bbox
        d["spatialCoverage"] = {
            "@type": "Place",
            "geo": {"@type": "GeoShape", "box": f"{south:g} {west:g} {north:g} {east:g}"},
        }
    d["creator"] = {k: v for k, v in d["creator"].items() if v}
    return d


def _boundary_box(e: Entry) -> list[float] | None:
    """A boundary dataset's bounding box (west, south, east, north), if it has one."""
    f = e.output.files.get("boundaries") if e.output else None
    box = f.get("bbox") if f else None
    return [float(v) for v in box] if isinstance(box, list) and len(box) == 4 else None


def api_dataset(site: Site, e: Entry) -> dict[str, Any]:
    """The static API's record of one dataset: metadata, resources, files and schema."""
    ds = e.ds
    d: dict[str, Any] = {
        "id": ds.id,
        "url": site.absolute(e.url),
        "title": ds.title,
        "description": ds.description,
        "agency": {
            "id": e.agency.slug,
            "name": e.agency.name,
            "abbreviation": e.agency.abbreviation,
        },
        "category": ds.category,
        "keywords": list(ds.keywords),
        "update_frequency": ds.update_frequency,
        "access_level": ds.access_level,
        "status": ds.status,
        "modified": e.modified,
        "issued": e.issued,
        "contact": {"name": ds.contact.name, "email": ds.contact.email},
        "attribution": ds.attribution,
        "row_label": ds.row_label,
        "geographic_unit": ds.geographic_unit,
        "temporal_coverage": dict(ds.temporal_coverage) if ds.temporal_coverage else None,
    }
    if ds.is_public and e.output:
        d["license"] = site.license_of(ds)
        d["datapackage"] = site.absolute(e.url + "datapackage.json")
        d["resources"] = [
            {
                "name": r.name,
                "title": r.title,
                "rows": r.rows,
                "columns": r.columns,
                "files": {
                    fmt: {
                        "url": site.download(e, f),
                        "stable_url": stable_url(site.config, e.id, f),
                        "bytes": f["bytes"],
                    }
                    for fmt, f in r.files.items()
                },
            }
            for r in e.output.resources
        ]
    else:
        d["rights"] = ds.rights
        d["access_url"] = ds.access_url
    return d


def sitemap(site: Site, pages: list[tuple[str, str]]) -> str:
    """sitemap.xml: every page with its last modification."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
    ]
    for path, lastmod in sorted(pages):
        lines.append(
            "  "
            f"<url><loc>{xml_text(site.absolute(path))}</loc><lastmod>{lastmod[:10]}</lastmod></url>"
        )
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"


def atom(site: Site) -> str:
    """feed.xml: the most recently updated datasets, as Atom."""
    entries = site.recent(50)
    updated = max((e.modified for e in entries), default=site.built)
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom">',
        f"  <title>{xml_text(site.config.title)}: new and updated datasets</title>",
        f"  <id>{xml_text(site.absolute('feed.xml'))}</id>",
        f'  <link rel="self" href="{xml_text(site.absolute("feed.xml"))}"/>',
        f'  <link href="{xml_text(site.config.base_url)}"/>',
        f"  <updated>{_atom_time(updated)}</updated>",
        f"  <author><name>{xml_text(site.config.publisher)}</name></author>",
    ]
    for e in entries:
        out += [
            "  <entry>",
            f"    <title>{xml_text(e.ds.title)}</title>",
            f"    <id>{xml_text(site.absolute(e.url))}</id>",
            f'    <link href="{xml_text(site.absolute(e.url))}"/>',
            f"    <updated>{_atom_time(e.modified)}</updated>",
            f"    <published>{_atom_time(e.issued)}</published>",
            f"    <author><name>{xml_text(e.agency.name)}</name></author>",
            f'    <category term="{xml_text(e.ds.category)}"/>',
            f"    <summary>{xml_text(plain_text(e.ds.description)[:500])}</summary>",
            "  </entry>",
        ]
    out.append("</feed>")
    return "\n".join(out) + "\n"


def _atom_time(value: str) -> str:
    return value if "T" in value else value + "T00:00:00Z"


CATALOG_COLUMNS = [
    "id",
    "title",
    "agency",
    "category",
    "keywords",
    "access_level",
    "status",
    "update_frequency",
    "modified",
    "issued",
    "license",
    "rows",
    "url",
    "api_url",
]


def catalog_rows(site: Site) -> list[dict[str, Any]]:
    """One row per listed dataset for catalog.csv, catalog.parquet and the bulk database."""
    return [
        {
            "id": e.id,
            "title": e.ds.title,
            "agency": e.agency.name,
            "category": e.ds.category,
            "keywords": "; ".join(e.ds.keywords),
            "access_level": e.ds.access_level,
            "status": e.ds.status,
            "update_frequency": e.ds.update_frequency,
            "modified": e.modified_date,
            "issued": e.issued,
            "license": site.license_of(e.ds) if e.ds.is_public else "",
            "rows": e.output.rows if e.output else None,
            "url": site.absolute(e.url),
            "api_url": site.absolute(e.api_url),
        }
        for e in site.entries
    ]


def write_catalog_tables(site: Site, staging: Path) -> None:
    """catalog.csv (spreadsheet-safe cells) and catalog.parquet."""
    rows = catalog_rows(site)
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=CATALOG_COLUMNS, lineterminator="\n")
    w.writeheader()
    w.writerows(
        {k: csv_metadata_cell(v) if isinstance(v, str) else v for k, v in r.items()} for r in rows
    )
    (staging / "catalog.csv").write_text(buf.getvalue(), "utf-8")
    table = pa.Table.from_pylist(
        rows,
        schema=pa.schema(
            [pa.field(c, pa.int64() if c == "rows" else pa.string()) for c in CATALOG_COLUMNS]
        ),
    )
    pq.write_table(table, staging / "catalog.parquet", compression="zstd")


def write_bulk(site: Site, staging: Path, folders: dict[str, Path]) -> dict[str, int]:
    """All public data in bulk: one zip holding every dataset's Data Package zip (stored,
    not compressed again: cheap to rebuild), and — while the catalog is small enough
    (``limits.bulk_sqlite_rows``) — one SQLite database with a table per resource and a
    ``datasets`` table, gzip-compressed (a quarter of its size: SQLite stores text as
    written, so the plain database would be larger than all the CSVs)."""
    bulk = staging / "bulk"
    bulk.mkdir(parents=True, exist_ok=True)
    members: list[tuple[str, Path]] = []
    for e in site.public:
        assert e.output is not None
        members.append((f"{e.id}.zip", folders[e.id] / PACKAGE_ZIP))
    write_zip(bulk / "all-public-data.zip", members, compress=False)
    sizes = {"zip": (bulk / "all-public-data.zip").stat().st_size}
    rows = sum(e.output.rows for e in site.public if e.output)
    if rows <= site.config.limits.bulk_sqlite_rows:
        database = staging / ".catalog.sqlite"
        write_sqlite(site, staging, database)
        sizes["sqlite"] = _gzip(database, bulk / "catalog.sqlite.gz")
        database.unlink()
    return sizes


def _gzip(source: Path, target: Path) -> int:
    """``source`` gzip-compressed into ``target``, reproducibly (no name, no time); its size."""
    with (
        source.open("rb") as src,
        target.open("wb") as raw,
        gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=6, mtime=0, filename="") as dst,
    ):
        shutil.copyfileobj(src, dst, 1 << 20)
    return target.stat().st_size


def write_sqlite(site: Site, staging: Path, db_path: Path) -> int:
    """The bulk SQLite database: the catalog table and each public table; its size in bytes."""
    db = sqlite3.connect(db_path)
    try:
        db.execute("PRAGMA journal_mode=OFF")
        cols = ", ".join(f'"{c}" {"INTEGER" if c == "rows" else "TEXT"}' for c in CATALOG_COLUMNS)
        db.execute(f"CREATE TABLE datasets ({cols})")
        db.executemany(
            f"INSERT INTO datasets VALUES ({', '.join('?' * len(CATALOG_COLUMNS))})",
            [tuple(r[c] for c in CATALOG_COLUMNS) for r in catalog_rows(site)],
        )
        for e in site.public:
            assert e.output is not None
            for r in e.output.resources:
                _sqlite_table(
                    db,
                    sqlite_table_name(e.id, r.name),
                    staging / e.url / r.files["parquet"]["path"],
                )
        db.commit()
        db.execute("VACUUM")
    finally:
        db.close()
    return db_path.stat().st_size


def _sqlite_table(db: sqlite3.Connection, name: str, parquet: Path) -> None:
    """One table from a published Parquet file. SQLite keeps NaN as NULL, so a non-finite
    number is stored as the text 'NaN', 'Infinity' or '-Infinity' (as in the JSON); dates
    and times are ISO 8601 text, instants with a trailing Z."""
    pf = pq.ParquetFile(parquet)
    kinds = []
    for f in pf.schema_arrow:
        if pa.types.is_integer(f.type) or pa.types.is_boolean(f.type):
            kinds.append("INTEGER")
        elif pa.types.is_floating(f.type):
            kinds.append("REAL")
        else:
            kinds.append("TEXT")
    names = pf.schema_arrow.names
    db.execute(
        f'CREATE TABLE "{name}" ('
        + ", ".join(
            f'"{n.replace(chr(34), chr(34) * 2)}" {k}' for n, k in zip(names, kinds, strict=True)
        )
        + ")"
    )
    insert = f'INSERT INTO "{name}" VALUES ({", ".join("?" * len(names))})'
    for batch in pf.iter_batches(batch_size=50_000):
        columns = [_sqlite_values(c) for c in batch.columns]
        db.executemany(insert, zip(*columns, strict=True))


def _sqlite_values(col: pa.Array) -> list[Any]:
    from catalog.site.transform import NON_FINITE, iso_text

    t = col.type
    if pa.types.is_timestamp(t) or pa.types.is_date(t) or pa.types.is_time(t):
        text: list[Any] = iso_text(col).to_pylist()
        return text
    values: list[Any] = col.to_pylist()
    if pa.types.is_floating(t):
        return [
            NON_FINITE["nan" if v != v else ("inf" if v > 0 else "-inf")]
            if v is not None and (v != v or v in (math.inf, -math.inf))
            else v
            for v in values
        ]
    return values


def categories(site: Site) -> list[tuple[str, str, int]]:
    """(category, slug, count) for every category with at least one listed dataset."""
    counts: dict[str, int] = {}
    for e in site.entries:
        counts[e.ds.category] = counts.get(e.ds.category, 0) + 1
    return [(c, category_slug(c), counts[c]) for c in site.config.categories if c in counts]


def write_metadata(
    site: Site,
    staging: Path,
    listed: list[tuple[str, str]],
    inputs: str,
    folders: dict[str, Path],
    cache: Cache | None = None,
) -> None:
    """The catalog-wide files; ``folders`` holds each public dataset's built outputs (and
    ``cache`` the datasets' changes files)."""
    (staging / "data.json").write_text(dump(data_json(site)), "utf-8")
    api = staging / "api" / "datasets"
    records = []
    for e in site.entries:
        record = api_dataset(site, e)
        records.append(record)
        target = staging / e.api_url
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(dump(record), "utf-8")
    api.mkdir(parents=True, exist_ok=True)
    (staging / "api" / "datasets.json").write_text(dump(records), "utf-8")
    (staging / "sitemap.xml").write_text(sitemap(site, listed), "utf-8")
    (staging / "feed.xml").write_text(atom(site), "utf-8")
    write_changes(site, staging, dump, cache)
    write_catalog_tables(site, staging)
    write_bulk(site, staging, folders)
    (staging / ".nojekyll").write_text("", "utf-8")
    (staging / "build.json").write_text(
        json.dumps(
            {
                "built": site.built,
                "datasets": len(site.entries),
                "base_url": site.config.base_url,
                "inputs": inputs,
            },
            sort_keys=True,
        )
        + "\n",
        "utf-8",
    )
