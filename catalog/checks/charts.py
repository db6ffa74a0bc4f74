"""Chart declarations: the resource and fields exist, types fit, nothing protected."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from catalog.checks.areas import check_area_charts, text_columns
from catalog.core.contract import NUMERIC, NUMERIC_AGGREGATES, TEMPORAL
from catalog.core.model import Catalog, Chart, Dataset, Encoding, Resource, coordinate_fields
from catalog.core.names import did_you_mean
from catalog.core.problems import Problem, problem


def check_charts(catalog: Catalog, ds: Dataset) -> list[Problem]:
    """Problems of the dataset's chart declarations."""
    out: list[Problem] = []
    for chart in ds.charts:
        out.extend(_check(catalog, ds, chart))
    return out


def _check(catalog: Catalog, ds: Dataset, chart: Chart) -> list[Problem]:
    bad = partial(_bad, ds, chart)
    found = _check_chart(catalog, ds, chart)
    res = ds.resource_named(chart.resource)
    if res is None or not ds.is_public:
        return found
    return found + _check_filter(catalog, res, chart, bad)


def _check_chart(catalog: Catalog, ds: Dataset, chart: Chart) -> list[Problem]:
    bad = partial(_bad, ds, chart)
    if not ds.is_public:
        return [bad("not-public", level=ds.access_level or "non-public")]
    res = ds.resource_named(chart.resource)
    if res is None:
        names = [r.name for r in ds.resources]
        suggestion = did_you_mean(chart.resource, names)
        return [
            bad(
                "resource",
                "resource",
                resource=chart.resource,
                suggestion=suggestion,
                names=", ".join(names),
            )
        ]
    if chart.mark == "map" and (chart.area or chart.boundaries):
        found = check_area_charts(catalog, ds, chart, res, bad)
        if found or chart.area:
            return found + _check_colour(res, chart, bad)
        if chart.latitude or chart.longitude:
            return _check_map(res, chart, bad)  # points drawn over the outlines
        return []  # the outlines alone
    if chart.mark == "map":
        found = _check_map(res, chart, bad)
        if found:
            return found
    elif chart.x is None and chart.y is None:
        return [bad("no-encoding", "mark")]
    out = (
        [bad("no-x", "mark", mark=chart.mark)]
        if chart.mark in ("line", "area") and chart.x is None
        else []
    )
    for role in ("x", "y", "color"):
        enc: Encoding | None = getattr(chart, role)
        if enc is not None and (enc.field or enc.aggregate != "count"):
            out += _check_encoding(res, role, enc, bad)
    return out


def _check_filter(
    catalog: Catalog, res: Resource, chart: Chart, bad: Callable[..., Problem]
) -> list[Problem]:
    """A chart's filter names published fields, and each value (but `latest`) occurs."""
    names = [f.name for f in res.schema.public_fields]
    out = []
    for name, _ in chart.filter:
        f = res.schema.field_named(name)
        if f is None:
            suggestion = did_you_mean(name, names)
            out.append(
                bad(
                    "filter",
                    "filter",
                    name=name,
                    resource=res.name,
                    suggestion=suggestion,
                    names=", ".join(names),
                )
            )
        elif f.protected:
            out.append(bad("protected", "filter", role="filter", name=f.name))
    wanted = [(k, v) for k, v in chart.filter if v != "latest"]
    if out or not wanted:
        return out
    batches = text_columns(Path(catalog.root) / res.path, [k for k, _ in wanted])
    if batches is None:
        return []  # the data's own checks report it
    found = dict.fromkeys((k for k, _ in wanted), False)
    try:
        for batch in batches:
            for k, v in wanted:
                found[k] = found[k] or _occurs(batch.column(k), v)
            if all(found.values()):
                break
    except (ValueError, OSError):  # pyarrow's errors are ValueErrors: reported elsewhere
        return []
    return [bad("filter-value", "filter", name=k, value=v) for k, v in wanted if not found[k]]


def _occurs(col: Any, value: Any) -> bool:
    """Whether a column of text holds ``value`` (numbers compared as numbers)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    text = pc.utf8_trim_whitespace(col)
    if isinstance(value, bool):
        truth = pa.array(["true", "yes", "1"] if value else ["false", "no", "0"])
        return bool(pc.any(pc.is_in(pc.utf8_lower(text), value_set=truth)).as_py())
    if isinstance(value, (int, float)):
        for candidate in pc.unique(text).to_pylist():
            try:
                if float(candidate) == float(value):
                    return True
            except ValueError:
                continue
        return False
    return bool(pc.any(pc.equal(text, str(value))).as_py())


def _check_colour(res: Resource, chart: Chart, bad: Callable[..., Problem]) -> list[Problem]:
    enc = chart.color
    if enc is None or not (enc.field or enc.aggregate != "count"):
        return []
    return _check_encoding(res, "color", enc, bad)


def _bad(ds: Dataset, chart: Chart, key: str, *at: str, **values: Any) -> Problem:
    line = ds.lines.of(("charts", chart.index, *at))
    return problem(f"invalid-chart:{key}", ds.path, line=line, title=chart.title, **values)


def _check_map(res: Resource, chart: Chart, bad: Callable[..., Problem]) -> list[Problem]:
    out = []
    lat, lon = coordinate_fields(res, chart)
    for role, f, declared in (
        ("latitude", lat, chart.latitude),
        ("longitude", lon, chart.longitude),
    ):
        if f is None:
            missing = f"; {declared!r} does not exist" if declared else ""
            out.append(
                bad(
                    "map-field",
                    role if declared else "mark",
                    role=role,
                    declared=missing,
                    resource=res.name,
                )
            )
        elif f.protected:
            out.append(bad("protected", role, role=role, name=f.name))
        elif f.type not in NUMERIC:
            out.append(bad("not-numeric", role, role=role, name=f.name, type=f.type))
    return out


def _check_encoding(
    res: Resource, role: str, enc: Encoding, bad: Callable[..., Problem]
) -> list[Problem]:
    f = res.schema.field_named(enc.field)
    if f is None:
        names = [g.name for g in res.schema.public_fields]
        suggestion = did_you_mean(enc.field, names)
        return [
            bad(
                "field",
                role,
                role=role,
                name=enc.field,
                resource=res.name,
                suggestion=suggestion,
                names=", ".join(names),
            )
        ]
    if f.protected:
        return [bad("protected", role, role=role, name=f.name)]
    out = []
    if enc.aggregate in NUMERIC_AGGREGATES and f.type not in NUMERIC:
        out.append(
            bad("aggregate", role, role=role, aggregate=enc.aggregate, name=f.name, type=f.type)
        )
    if enc.time_unit and f.type not in TEMPORAL:
        out.append(bad("time-unit", role, role=role, unit=enc.time_unit, name=f.name, type=f.type))
    return out
