"""Metadata rules that need the catalog's configuration or calendar sense."""

from __future__ import annotations

import datetime as dt
import re

from catalog.core import contract
from catalog.core.contract import PLACEHOLDER_EMAIL, PLACEHOLDER_MARK
from catalog.core.model import Agency, Catalog, Dataset, Limits, Schema
from catalog.core.names import did_you_mean, sqlite_table_name
from catalog.core.problems import Problem, problem


def check_config(catalog: Catalog) -> list[Problem]:
    """Problems of catalog.yaml beyond its JSON Schema."""
    cfg = catalog.config
    out: list[Problem] = []
    if cfg.default_license not in cfg.licenses:
        out.append(
            problem(
                "invalid-license:default",
                cfg.path,
                line=cfg.lines.of(("default_license",)),
                license=cfg.default_license,
                allowed=", ".join(cfg.licenses),
            )
        )
    if cfg.map_outlines:
        other = catalog.dataset(cfg.map_outlines)
        if other is None or other.boundaries is None or not other.is_public:
            ids = [d.id for d in catalog.datasets if d.boundaries and d.is_public]
            out.append(
                problem(
                    "invalid-map-outlines",
                    cfg.path,
                    line=cfg.lines.of(("map_outlines",)),
                    name=cfg.map_outlines,
                    suggestion=did_you_mean(cfg.map_outlines, ids),
                    known=", ".join(ids) or "none yet",
                )
            )
    for dup in sorted({c for c in cfg.categories if cfg.categories.count(c) > 1}):
        out.append(
            problem(
                "duplicate-identifier:category",
                cfg.path,
                line=cfg.lines.of(("categories",)),
                name=dup,
            )
        )
    return out


def check_dataset(catalog: Catalog, ds: Dataset) -> list[Problem]:
    """Vocabulary, calendar and placeholder problems of one dataset.yaml."""
    cfg = catalog.config
    out: list[Problem] = []
    line = ds.lines.of
    if ds.category and ds.category not in cfg.categories:
        out.append(
            problem(
                "invalid-category",
                ds.path,
                line=line(("category",)),
                field="category",
                category=ds.category,
                suggestion=did_you_mean(ds.category, cfg.categories),
                allowed="; ".join(cfg.categories),
            )
        )
    if ds.license and ds.license not in cfg.licenses:
        out.append(
            problem(
                "invalid-license",
                ds.path,
                line=line(("license",)),
                field="license",
                license=ds.license,
                suggestion=did_you_mean(ds.license, cfg.licenses),
                allowed=", ".join(cfg.licenses),
            )
        )
    dates: dict[str, dt.date] = {}
    for key, value in (
        ("issued", ds.issued),
        ("temporal_coverage/start", (ds.temporal_coverage or {}).get("start")),
        ("temporal_coverage/end", (ds.temporal_coverage or {}).get("end")),
    ):
        if value and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            try:
                dates[key] = dt.date.fromisoformat(value)
            except ValueError:
                out.append(
                    problem(
                        "invalid-date:calendar",
                        ds.path,
                        line=line(tuple(key.split("/"))),
                        field=key.split("/")[-1],
                        where=key,
                        value=value,
                    )
                )
    if (
        "temporal_coverage/start" in dates
        and "temporal_coverage/end" in dates
        and dates["temporal_coverage/end"] < dates["temporal_coverage/start"]
    ):
        out.append(
            problem(
                "invalid-date:coverage",
                ds.path,
                line=line(("temporal_coverage",)),
                field="temporal_coverage",
            )
        )
    for dup in sorted({k for k in ds.keywords if ds.keywords.count(k) > 1}):
        out.append(
            problem(
                "duplicate-identifier:keyword",
                ds.path,
                line=line(("keywords",)),
                field="keywords",
                name=dup,
            )
        )
    out.extend(_placeholders(ds))
    out.extend(_resource_limits(catalog, ds))
    return out


def _short(name: str) -> str:
    return name if len(name) <= 40 else name[:39] + "…"


def _resource_limits(catalog: Catalog, ds: Dataset) -> list[Problem]:
    """Reserved resource names, and the columns and field names of each table within
    catalog.yaml's limits."""
    limits = catalog.config.limits
    out: list[Problem] = []
    for r in ds.resources:
        if r.name in contract.RESERVED_RESOURCE_NAMES:
            out.append(
                problem(
                    "reserved-name",
                    ds.path,
                    line=ds.lines.of(("resources", r.index, "name")),
                    field="name",
                    name=r.name,
                    file=contract.RESERVED_RESOURCE_NAMES[r.name],
                )
            )
        out += table_limits(r.name, r.schema, ds, limits)
    return out


def table_limits(name: str, schema: Schema, ds: Dataset, limits: Limits) -> list[Problem]:
    """A table's columns and field names against catalog.yaml's limits."""
    where, lines = (schema.path, None) if schema.path else (ds.path, ds.lines)

    def line(*key: str | int) -> int | None:
        return lines.of((*schema.key_path, *key)) if lines else None

    out: list[Problem] = []
    if len(schema.fields) > limits.max_columns:
        out.append(
            problem(
                "over-limit:columns",
                where,
                line=line("fields"),
                where=f"resource {name!r}",
                count=len(schema.fields),
                limit=limits.max_columns,
            )
        )
    most = limits.max_field_name_length
    long_names = [(i, f.name) for i, f in enumerate(schema.fields) if len(f.name) > most]
    out += [
        problem(
            "over-limit:field-name",
            where,
            line=line("fields", i, "name"),
            field=_short(n),
            name=_short(n),
            length=len(n),
            limit=most,
        )
        for i, n in long_names[: limits.max_problems_per_code]
    ]
    return out


def check_tables(catalog: Catalog) -> list[Problem]:
    """Resources whose tables in bulk/catalog.sqlite.gz would have one name."""
    seen: dict[str, str] = {}
    out: list[Problem] = []
    for ds in catalog.datasets:
        if not ds.is_public:
            continue
        for r in ds.resources:
            table, name = sqlite_table_name(ds.id, r.name), f"{ds.id}/{r.name}"
            if table in seen:
                out.append(
                    problem(
                        "duplicate-identifier:table",
                        ds.path,
                        line=ds.lines.of(("resources", r.index, "name")),
                        field="name",
                        first=seen[table],
                        name=name,
                        table=table,
                    )
                )
            else:
                seen[table] = name
    return out


SITE_FOLDERS = {
    "datasets",
    "agencies",
    "categories",
    "search",
    "changes",
    "api",
    "static",
    "bulk",
    "pagefind",
    "resource",
    "d",
}


def check_former(catalog: Catalog) -> list[Problem]:
    """Old portal identifiers: each names one dataset, and its old page's path stays clear
    of the site's own folders (the site answers those addresses, see site/legacy.py)."""
    seen: dict[str, str] = {}
    out: list[Problem] = []
    for ds in catalog.datasets:
        s = ds.socrata
        if s is None:
            continue
        if s.id in seen:
            out.append(
                problem(
                    "duplicate-identifier:socrata",
                    ds.path,
                    line=ds.lines.of(("socrata", "id")),
                    field="id",
                    first=seen[s.id],
                    name=ds.id,
                    ident=s.id,
                )
            )
        else:
            seen[s.id] = ds.id
        top = (s.path or "").split("/", 1)[0]
        if top.lower() in SITE_FOLDERS:
            out.append(
                problem(
                    "reserved-name:socrata-path",
                    ds.path,
                    line=ds.lines.of(("socrata", "path")),
                    field="path",
                    path=s.path,
                    top=top,
                )
            )
    return out


def _placeholders(ds: Dataset) -> list[Problem]:
    found: list[tuple[tuple[str | int, ...], str]] = []
    for key, value in (
        (("title",), ds.title),
        (("description",), ds.description),
        (("contact", "name"), ds.contact.name),
        (("contact", "email"), ds.contact.email or ""),
    ):
        found.append((key, value))
    found += [(("keywords", i), k) for i, k in enumerate(ds.keywords)]
    found.append((("rights",), ds.rights or ""))
    found += [(("exemptions", i, "authority"), x.authority) for i, x in enumerate(ds.exemptions)]
    for r in ds.resources:
        found.append((("resources", r.index, "title"), r.title))
        found.append((("resources", r.index, "description"), r.description))
        for i, f in enumerate(r.schema.fields):
            found.append(((*r.schema.key_path, "fields", i, "description"), f.description or ""))
            found.append(((*r.schema.key_path, "fields", i, "exemption"), f.exemption or ""))
    return [
        problem(
            "placeholder",
            ds.path,
            line=ds.lines.of(key),
            field=next(str(k) for k in reversed(key) if isinstance(k, str)),
            key="/".join(map(str, key)),
        )
        for key, value in found
        if PLACEHOLDER_MARK in value or value == PLACEHOLDER_EMAIL
    ]


def check_agency(agency: Agency) -> list[Problem]:
    """Placeholders left in an agency.yaml."""
    values = {
        "name": agency.name,
        "description": agency.description,
        "website": agency.website,
        "data_officer/handle": agency.data_officer.handle or "",
    }
    return [
        problem("placeholder:agency", agency.path, field=key.split("/")[-1], key=key)
        for key, value in values.items()
        if PLACEHOLDER_MARK in value or "example.invalid" in value or value == "@fill-in"
    ]
