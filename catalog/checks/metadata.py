"""Metadata rules that need the catalog's configuration or calendar sense."""

from __future__ import annotations

import datetime as dt
import re

from catalog.core.contract import PLACEHOLDER_EMAIL, PLACEHOLDER_MARK
from catalog.core.model import Agency, Catalog, Dataset
from catalog.core.names import did_you_mean
from catalog.core.problems import Problem, problem


def check_config(catalog: Catalog) -> list[Problem]:
    cfg = catalog.config
    out: list[Problem] = []
    if cfg.default_license not in cfg.licenses:
        out.append(
            problem(
                "invalid-license",
                f"default_license {cfg.default_license!r} is not in licenses",
                cfg.path,
                line=cfg.lines.of(("default_license",)),
                hint="Add it to `licenses:` or choose one of: " + ", ".join(cfg.licenses) + ".",
            )
        )
    for dup in sorted({c for c in cfg.categories if cfg.categories.count(c) > 1}):
        out.append(problem("duplicate-identifier", f"category {dup!r} is listed twice", cfg.path, line=cfg.lines.of(("categories",)), hint="List each category once."))
    return out


def check_dataset(catalog: Catalog, ds: Dataset) -> list[Problem]:
    cfg = catalog.config
    out: list[Problem] = []
    line = ds.lines.of
    if ds.category and ds.category not in cfg.categories:
        out.append(
            problem(
                "invalid-category",
                f"category {ds.category!r} is not in the catalog's vocabulary.{did_you_mean(ds.category, cfg.categories)}",
                ds.path,
                line=line(("category",)),
                field="category",
                hint="Use one of: " + "; ".join(cfg.categories) + ".",
            )
        )
    if ds.license and ds.license not in cfg.licenses:
        out.append(
            problem(
                "invalid-license",
                f"license {ds.license!r} is not allowed in this catalog.{did_you_mean(ds.license, cfg.licenses)}",
                ds.path,
                line=line(("license",)),
                field="license",
                hint="Use an SPDX id from catalog.yaml's licenses: " + ", ".join(cfg.licenses) + ", or leave it out for the default.",
            )
        )
    dates: dict[str, dt.date] = {}
    for key, value in (("issued", ds.issued), ("temporal_coverage/start", (ds.temporal_coverage or {}).get("start")), ("temporal_coverage/end", (ds.temporal_coverage or {}).get("end"))):
        if value and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            try:
                dates[key] = dt.date.fromisoformat(value)
            except ValueError:
                out.append(problem("invalid-date", f"{key}: {value!r} is not a calendar date", ds.path, line=line(tuple(key.split("/"))), field=key.split("/")[-1], hint="Check the month and day."))
    if "temporal_coverage/start" in dates and "temporal_coverage/end" in dates and dates["temporal_coverage/end"] < dates["temporal_coverage/start"]:
        out.append(
            problem(
                "invalid-date", "temporal_coverage ends before it starts", ds.path, line=line(("temporal_coverage",)), field="temporal_coverage", hint="Swap start and end, or correct one of them."
            )
        )
    for dup in sorted({k for k in ds.keywords if ds.keywords.count(k) > 1}):
        out.append(problem("duplicate-identifier", f"keyword {dup!r} is listed twice", ds.path, line=line(("keywords",)), field="keywords", hint="List each keyword once."))
    out.extend(_placeholders(ds))
    return out


def _placeholders(ds: Dataset) -> list[Problem]:
    found: list[tuple[tuple[str | int, ...], str]] = []
    for key, value in (("title",), ds.title), (("description",), ds.description), (("contact", "name"), ds.contact.name), (("contact", "email"), ds.contact.email or ""):
        found.append((key, value))
    found += [(("keywords", i), k) for i, k in enumerate(ds.keywords)]
    for r in ds.resources:
        found.append((("resources", r.index, "title"), r.title))
        found.append((("resources", r.index, "description"), r.description))
        for i, f in enumerate(r.schema.fields):
            found.append(((*r.schema.key_path, "fields", i, "description"), f.description or ""))
    return [
        problem(
            "placeholder",
            f"{'/'.join(map(str, key))} still holds the placeholder written by `catalog new`",
            ds.path,
            line=ds.lines.of(key),
            field=next(str(k) for k in reversed(key) if isinstance(k, str)),
            hint="Replace the text marked FILL IN with the real value.",
        )
        for key, value in found
        if PLACEHOLDER_MARK in value or value == PLACEHOLDER_EMAIL
    ]


def check_agency(agency: Agency) -> list[Problem]:
    values = {"name": agency.name, "description": agency.description, "website": agency.website, "data_officer/handle": agency.data_officer.handle or ""}
    return [
        problem("placeholder", f"{key} still holds the placeholder written by `catalog new`", agency.path, field=key.split("/")[-1], hint="Replace it with the agency's real details.")
        for key, value in values.items()
        if PLACEHOLDER_MARK in value or "example.invalid" in value or value == "@fill-in"
    ]
