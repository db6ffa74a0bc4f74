"""Chart declarations: the resource and fields exist, types fit, nothing protected."""

from __future__ import annotations

from catalog.core.contract import NUMERIC, NUMERIC_AGGREGATES, TEMPORAL
from catalog.core.model import Chart, Dataset, Encoding, coordinate_fields
from catalog.core.names import did_you_mean
from catalog.core.problems import Problem, problem


def check_charts(ds: Dataset) -> list[Problem]:
    out: list[Problem] = []
    for chart in ds.charts:
        out.extend(_check(ds, chart))
    return out


def _check(ds: Dataset, chart: Chart) -> list[Problem]:
    i = chart.index

    def bad(message: str, hint: str, *key: str) -> Problem:
        return problem("invalid-chart", f"chart {chart.title!r}: {message}", ds.path, line=ds.lines.of(("charts", i, *key)), hint=hint)

    if not ds.is_public:
        return [bad(f"a {ds.access_level or 'non-public'} dataset has no charts", "Remove the chart: only public datasets publish charts.")]
    res = ds.resource_named(chart.resource)
    if res is None:
        names = [r.name for r in ds.resources]
        return [bad(f"resource {chart.resource!r} does not exist.{did_you_mean(chart.resource, names)}", "Name one of the dataset's resources: " + ", ".join(names) + ".", "resource")]
    out: list[Problem] = []
    if chart.mark == "map":
        lat, lon = coordinate_fields(res, chart)
        for role, f, declared in (("latitude", lat, chart.latitude), ("longitude", lon, chart.longitude)):
            if f is None:
                out.append(
                    bad(
                        f"a map needs a {role} field" + (f"; {declared!r} does not exist" if declared else ""),
                        f"Add `{role}: <field>` naming a numeric {role} field of {res.name!r}.",
                        role if declared else "mark",
                    )
                )
            elif f.protected:
                out.append(bad(f"field {f.name!r} is protected and cannot be charted", "Chart a field that is published.", role))
            elif f.type not in NUMERIC:
                out.append(bad(f"{role} field {f.name!r} is {f.type}, not a number", f"Declare {f.name!r} as type number in the schema.", role))
        if out:
            return out
    elif chart.x is None and chart.y is None:
        return [bad("needs an x or a y encoding", "Add `x: <field>` and `y: <field>` (or `y: {aggregate: count}`).", "mark")]
    elif chart.mark in ("line", "area") and chart.x is None:
        out.append(bad(f"a {chart.mark} chart needs an x encoding", "Add `x: <date field>`.", "mark"))
    for role in ("x", "y", "color"):
        enc: Encoding | None = getattr(chart, role)
        if enc is None or (not enc.field and enc.aggregate == "count"):
            continue
        f = res.schema.field_named(enc.field)
        if f is None:
            names = [g.name for g in res.schema.public_fields]
            out.append(bad(f"{role} field {enc.field!r} is not a field of {res.name!r}.{did_you_mean(enc.field, names)}", "Use one of: " + ", ".join(names) + ".", role))
            continue
        if f.protected:
            out.append(bad(f"{role} field {f.name!r} is protected and cannot be charted", "Chart a field that is published.", role))
            continue
        if enc.aggregate in NUMERIC_AGGREGATES and f.type not in NUMERIC:
            out.append(bad(f"{role}: aggregate {enc.aggregate!r} needs a numeric field; {f.name!r} is {f.type}", "Use `aggregate: count` or `distinct`, or a numeric field.", role))
        if enc.time_unit and f.type not in TEMPORAL:
            out.append(bad(f"{role}: timeUnit {enc.time_unit!r} needs a date field; {f.name!r} is {f.type}", "Remove timeUnit, or declare the field as date/datetime/year/yearmonth.", role))
    return out
