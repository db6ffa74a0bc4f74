"""The catalog as pure data: frozen dataclasses, no I/O.

Later stages read these and never mutate them.  Paths are POSIX strings relative to the
catalog root (``datasets/dph/overdoses/deaths.csv``) so that the model is the same on every
machine.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from catalog.core.contract import LAT_NAMES, LON_NAMES, NUMERIC
from catalog.core.yamlfile import Lines


@dataclass(frozen=True)
class Limits:
    """catalog.yaml's limits: sizes the catalog accepts and builds."""

    max_file_mb: float = 2048.0
    preview_rows: int = 100
    max_problems_per_code: int = 20
    bulk_sqlite_rows: int = 2_000_000
    max_line_mb: float = 16.0
    max_columns: int = 1000
    max_field_name_length: int = 128
    max_output_mb: float = 8192.0
    compress_above_mb: float = 50.0
    json_max_rows: int = 50_000
    site_mb: float = 1024.0
    boundary_mb: float = 50.0


@dataclass(frozen=True)
class Person:
    """A contact: a role's name, its mailbox and code-host handle."""

    name: str
    email: str | None = None
    handle: str | None = None


@dataclass(frozen=True)
class Config:
    """catalog.yaml, with its defaults filled in."""

    title: str
    base_url: str
    files_url: str | None = None  # downloads on object storage (None: beside the pages)
    description: str = ""
    publisher: str = "State of Connecticut"
    language: str = "en"
    default_license: str = "CC0-1.0"
    licenses: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    cdo: Person | None = None
    repository: str = "public"
    repository_url: str | None = None
    list_non_public: bool = True
    keep_old_files: bool = False  # each public version's CSV stays at a permanent address
    map_outlines: str | None = None  # boundary dataset drawn behind point maps naming none
    limits: Limits = field(default_factory=Limits)
    bureau_code: str | None = None
    program_code: str | None = None
    path: str = "catalog.yaml"
    lines: Lines = field(default_factory=Lines)


@dataclass(frozen=True)
class Agency:
    """An agency.yaml."""

    slug: str
    name: str
    abbreviation: str
    website: str
    description: str
    data_officer: Person
    path: str  # the agency.yaml


@dataclass(frozen=True)
class Field:
    """A Table Schema field with the catalog's extensions (protected, min_cell, unit)."""

    name: str
    type: str = "any"
    format: str | None = None
    title: str | None = None
    description: str | None = None
    constraints: Mapping[str, Any] = field(default_factory=dict)
    protected: bool = False
    exemption: str | None = None
    min_cell: int | None = None
    unit: str | None = None
    descriptor: Mapping[str, Any] = field(default_factory=dict)  # as written, extensions included

    @property
    def label(self) -> str:
        return self.title or self.name


@dataclass(frozen=True)
class Schema:
    """A resource's Table Schema."""

    fields: tuple[Field, ...]
    primary_key: tuple[str, ...] = ()
    missing_values: tuple[str, ...] = ("",)
    descriptor: Mapping[str, Any] = field(default_factory=dict)
    path: str | None = None  # the schema file, when given by path
    key_path: tuple[str | int, ...] = ()  # where the schema starts in its YAML
    well_formed: bool = True  # False when loading already reported its structure problems

    def field_named(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)

    @property
    def public_fields(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if not f.protected)

    def frictionless_descriptor(self, present: tuple[str, ...] | None = None) -> dict[str, Any]:
        """A plain Table Schema for Frictionless: catalog extensions removed; protected
        fields absent from the file (``present``: the file's header) left out."""
        fields = []
        for f in self.fields:
            if f.protected and present is not None and f.name not in present:
                continue
            d = {
                k: v
                for k, v in f.descriptor.items()
                if k not in ("protected", "exemption", "min_cell", "unit")
            }
            fields.append(d)
        out: dict[str, Any] = {"fields": fields}
        names = {f["name"] for f in fields}
        if self.primary_key and all(k in names for k in self.primary_key):
            out["primaryKey"] = list(self.primary_key)
        if "missingValues" in self.descriptor:
            out["missingValues"] = list(self.missing_values)
        if "foreignKeys" in self.descriptor:
            out["foreignKeys"] = self.descriptor["foreignKeys"]
        return out


@dataclass(frozen=True)
class Resource:
    """A data file of a dataset, with its Table Schema."""

    name: str
    path: str  # relative to the catalog root
    file: str  # as written in dataset.yaml, relative to the dataset folder
    title: str
    description: str
    schema: Schema
    index: int  # position in dataset.yaml's resources


@dataclass(frozen=True)
class Encoding:
    """One channel (x, y or colour) of a chart declaration."""

    field: str
    aggregate: str | None = None
    time_unit: str | None = None
    type: str | None = None
    title: str | None = None
    sort: str | None = None


@dataclass(frozen=True)
class Chart:
    """A chart declared in dataset.yaml (or the default chart)."""

    resource: str
    mark: str
    title: str
    description: str = ""
    x: Encoding | None = None
    y: Encoding | None = None
    color: Encoding | None = None
    latitude: str | None = None
    longitude: str | None = None
    area: str | None = None  # the column holding each row's area (a key or name of boundaries)
    boundaries: str | None = None  # the boundary dataset's id (areas, or outlines behind points)
    filter: tuple[tuple[str, Any], ...] = ()  # (field, value or "latest"): rows the chart shows
    midpoint: float | None = None  # a diverging colour scale around this value
    others: tuple[str, ...] = ()  # values of the area column that are not areas (totals)
    index: int = 0
    slug: str = ""


@dataclass(frozen=True)
class Boundaries:
    """A boundary file of a dataset: the areas other datasets map their values on."""

    path: str  # relative to the catalog root
    file: str  # as written in dataset.yaml (relative to the dataset folder)
    key: str  # the property naming each area uniquely
    name: str | None = None  # the property holding each area's name
    aliases: tuple[str, ...] = ()  # other properties whose values name areas too


@dataclass(frozen=True)
class Exemption:
    """The legal basis for withholding a dataset."""

    authority: str
    category: str
    note: str = ""


@dataclass(frozen=True)
class Socrata:
    """Where an imported dataset lived on a Socrata portal (its old addresses keep working)."""

    id: str  # the 4×4 identifier
    path: str | None = None  # "<Category>/<Name>", the old page's path
    fields: Mapping[str, str] = field(default_factory=dict)  # column → the old API's field name


@dataclass(frozen=True)
class Link:
    """A download or access address of a harvested dataset's data, elsewhere."""

    title: str
    url: str
    media_type: str = ""
    kind: str = "download"  # download (the file) or access (a page or API)


@dataclass(frozen=True)
class Harvested:
    """A dataset whose data lives elsewhere: its entry came from another catalog."""

    source: str  # the catalog it came from (data.json address or file name)
    identifier: str  # its identifier there
    links: tuple[Link, ...] = ()


@dataclass(frozen=True)
class Dataset:
    """A dataset.yaml and its resources."""

    id: str  # "<agency>/<dataset>"
    agency: str
    slug: str
    folder: str  # datasets/<agency>/<dataset>
    path: str  # the dataset.yaml
    title: str
    description: str
    category: str
    keywords: tuple[str, ...]
    update_frequency: str
    access_level: str
    contact: Person
    rights: str | None = None
    exemptions: tuple[Exemption, ...] = ()
    access_url: str | None = None
    license: str | None = None
    attribution: str | None = None
    row_label: str | None = None
    geographic_unit: str | None = None
    temporal_coverage: Mapping[str, str | None] | None = None
    spatial: Any = None
    source_link: str | None = None
    references: tuple[str, ...] = ()
    issued: str | None = None
    status: str = "published"
    default_chart: bool = True
    resources: tuple[Resource, ...] = ()
    charts: tuple[Chart, ...] = ()
    lines: Lines = field(default_factory=Lines)
    data_files: tuple[str, ...] = ()  # every *.csv etc. in the folder, declared or not
    socrata: Socrata | None = None  # imported from a Socrata portal
    harvested: Harvested | None = None  # data elsewhere (catalog import dcat)
    boundaries: Boundaries | None = None  # a boundary file other datasets map on

    @property
    def is_public(self) -> bool:
        return self.access_level == "public"

    @property
    def archived(self) -> bool:
        return self.status == "archived"

    def resource_named(self, name: str) -> Resource | None:
        return next((r for r in self.resources if r.name == name), None)


@dataclass(frozen=True)
class Catalog:
    """The whole catalog: its settings, agencies and datasets."""

    root: str  # absolute path of the catalog root, for I/O by later stages
    config: Config
    agencies: tuple[Agency, ...]
    datasets: tuple[Dataset, ...]

    def agency(self, slug: str) -> Agency | None:
        return next((a for a in self.agencies if a.slug == slug), None)

    def license_of(self, ds: Dataset) -> str:
        """A dataset's licence (SPDX id): its own, or the catalog's default."""
        return ds.license or self.config.default_license

    def dataset(self, ident: str) -> Dataset | None:
        return next((d for d in self.datasets if d.id == ident), None)


def coordinate_fields(
    res: Resource, chart: Chart | None = None
) -> tuple[Field | None, Field | None]:
    """The latitude and longitude fields of a resource (declared, or found by name)."""
    s = res.schema

    def find(declared: str | None, names: tuple[str, ...]) -> Field | None:
        if declared:
            return s.field_named(declared)
        return next(
            (f for f in s.public_fields if f.name.lower() in names and f.type in NUMERIC), None
        )

    return find(chart.latitude if chart else None, LAT_NAMES), find(
        chart.longitude if chart else None, LON_NAMES
    )
