"""Charts: declared or default charts, aggregated at build time, rendered to SVG/PNG.

Each chart is aggregated with pyarrow from the published Parquet file, so the Vega-Lite
spec carries only the aggregated values (a bar per category, a point per month, a map
point per grid cell), never the raw rows.  Altair builds the spec; vl-convert renders it
offline to SVG and PNG.  The SVG is placed inline in pages (charts show without
JavaScript); the Vega runtime, served from the site itself, adds tooltips.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import altair as alt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from catalog.core.contract import NUMERIC, TEMPORAL
from catalog.core.errors import CatalogError
from catalog.core.model import (
    Catalog,
    Chart,
    Dataset,
    Encoding,
    Field,
    Resource,
    coordinate_fields,
)
from catalog.site import maps
from catalog.site.cache import Cache
from catalog.site.transform import ResourceOutput

RAW_LIMIT = 2_000  # above this many rows, charts aggregate instead of plotting rows
MAP_POINTS = 3_000  # map points after gridding
TABLE_ROWS = 1_000  # rows of the accessible data table
LABEL_LIMIT = 100  # characters of a category label
WIDTH, HEIGHT = 640, 300
NOT_MEASURES = ("latitude", "longitude", "lat", "lon", "lng", "id", "year")
UNIT_COLUMNS = {  # column names that hold areas of a geographic unit, besides the unit's
    "municipality": ("town", "city", "town_name", "municipality_name"),
    "planning region": ("region", "region_name", "planning_region_name"),
    "county": ("county_name",),
    "census tract": ("tract", "geoid"),
    "zip code": ("zip", "zipcode", "zcta"),
}
MAP_HEIGHT = 448
LABELLED_AREAS = 20  # an outline map names its areas when it has at most this many
FLOOR_UNITS = {
    "year": "year",
    "yearquarter": "quarter",
    "yearmonth": "month",
    "yearmonthdate": "day",
    "date": "day",
    "week": "week",
}
PART_UNITS = {
    "month": pc.month,
    "quarter": pc.quarter,
    "hours": pc.hour,
    "dayofyear": pc.day_of_year,
}


class ChartError(CatalogError):
    """A chart cannot be drawn from its declaration; the message says why."""

    pass


@dataclass(frozen=True)
class Axis:
    """One encoding channel of a chart: its field, type, title and sort."""

    field: str  # column name in the aggregated values
    title: str
    type: str  # Vega-Lite type
    time_unit: str | None = None
    sort: str | None = None


@dataclass(frozen=True)
class Plan:
    """A chart resolved against its resource: what to aggregate and how to draw it."""

    chart: Chart
    resource: Resource | None  # None: a boundary dataset's outlines, drawn without data
    declared: bool


def plans(catalog: Catalog, ds: Dataset, outputs: list[ResourceOutput]) -> list[Plan]:
    """The charts to draw for a public dataset: those declared, else a default one. Point
    maps naming no boundaries draw catalog.yaml's ``map_outlines`` behind their points."""
    if not ds.is_public:
        return []
    if ds.charts:
        found = [
            Plan(c, r, True) for c in ds.charts if (r := ds.resource_named(c.resource)) is not None
        ]
    elif ds.default_chart and ds.boundaries:
        outline = Chart(resource="", mark="map", title=ds.title, boundaries=ds.id, slug="default")
        found = [Plan(outline, None, False)]
    elif not ds.default_chart or not ds.resources:
        found = []
    else:
        res, out = ds.resources[0], outputs[0] if outputs else None
        default = default_area_map(catalog, ds, res) or default_chart(res, out)
        found = [Plan(default, res, False)] if default else []
    outlines = catalog.config.map_outlines
    return [
        Plan(replace(p.chart, boundaries=outlines), p.resource, p.declared)
        if outlines and p.chart.mark == "map" and not p.chart.boundaries and not p.chart.area
        else p
        for p in found
    ]


def default_area_map(catalog: Catalog, ds: Dataset, res: Resource) -> Chart | None:
    """A map by area when the data makes one obvious: the dataset's geographic unit is that
    of exactly one public boundary dataset, and one column is named for the areas (the
    unit, the boundaries' key or name property, or ``<something>_<key>``). Coloured by the
    first measure (summed; averaged when it is a rate), for the latest year if there are
    several."""
    unit = (ds.geographic_unit or "").lower()
    if not unit:
        return None
    matches = [
        d
        for d in catalog.datasets
        if d.boundaries
        and d.is_public
        and d.id != ds.id
        and (d.geographic_unit or "").lower() == unit
    ]
    if len(matches) != 1:
        return None
    other = matches[0]
    b = other.boundaries
    assert b is not None
    words = unit.replace("/", " ").split()
    names = {unit.replace(" ", "_"), words[-1], *UNIT_COLUMNS.get(unit, ())}
    names |= {p.lower() for p in (b.key, b.name) if p and p.lower() not in ("name", "id")}
    fields = res.schema.public_fields
    area = next(
        (
            f
            for f in fields
            if f.type in ("string", "integer")
            and (f.name.lower() in names or f.name.lower().endswith("_" + b.key.lower()))
        ),
        None,
    )
    if area is None:
        return None
    keys = set(res.schema.primary_key)
    measure = next(
        (
            f
            for f in fields
            if f.type in NUMERIC
            and f is not area
            and f.name not in keys
            and f.name.lower() not in NOT_MEASURES
        ),
        None,
    )
    years = [
        f for f in fields if f.type == "year" or (f.name.lower() == "year" and f.type in NUMERIC)
    ]
    rate = measure is not None and any(
        w in f"{measure.name} {measure.unit or ''}".lower()
        for w in ("rate", "per", "percent", "pct")
    )
    label = measure.label if measure else "Rows"
    label = label[:1].upper() + label[1:]
    return Chart(
        resource=res.name,
        mark="map",
        title=f"{label} by {maps.unit_of(other)}" + (" (latest year)" if years else ""),
        area=area.name,
        boundaries=other.id,
        filter=((years[0].name, "latest"),) if years else (),
        color=Encoding(measure.name, aggregate="mean" if rate else "sum")
        if measure
        else Encoding("", aggregate="count"),
        slug="default",
    )


def default_chart(res: Resource, out: ResourceOutput | None) -> Chart | None:
    """A sensible chart where one exists: a time series, a map, or counts by category."""
    fields = res.schema.public_fields
    profile = {p.name: p for p in out.profile} if out else {}
    keys = set(res.schema.primary_key)
    dates = [f for f in fields if f.type in ("date", "datetime")]
    numbers = [
        f
        for f in fields
        if f.type in NUMERIC and f.name not in keys and f.name.lower() not in NOT_MEASURES
    ]
    if dates and numbers:
        d, n = dates[0], numbers[0]
        many = profile.get(d.name) and profile[d.name].distinct > 400
        return Chart(
            resource=res.name,
            mark="line",
            title=f"{n.label} over time",
            x=Encoding(d.name, time_unit="yearmonth" if many else None, type="temporal"),
            y=Encoding(n.name, aggregate="sum"),
            slug="default",
        )
    lat, lon = coordinate_fields(res)
    if lat and lon:
        return Chart(
            resource=res.name,
            mark="map",
            title="Where the rows are",
            latitude=lat.name,
            longitude=lon.name,
            slug="default",
        )
    for f in fields:
        p = profile.get(f.name)
        if (
            f.type == "string"
            and p
            and 2 <= p.distinct <= 20
            and not p.distinct_capped
            and f.name not in keys
        ):
            return Chart(
                resource=res.name,
                mark="bar",
                title=f"Rows by {f.label.lower()}",
                x=Encoding(f.name, sort="-y"),
                y=Encoding("", aggregate="count"),
                slug="default",
            )
    return None


def _vl_type(f: Field, enc: Encoding) -> str:
    if enc.type:
        return enc.type
    if enc.time_unit in PART_UNITS:
        return "ordinal"
    if f.type in ("date", "datetime"):
        return "temporal"
    if f.type == "year":
        return "ordinal"
    if f.type in NUMERIC:
        return "quantitative"
    return "nominal"


def _column(table: pa.Table, f: Field, enc: Encoding) -> pa.Array:
    col = table.column(f.name).combine_chunks()
    unit = enc.time_unit
    if unit and f.type in TEMPORAL:
        if f.type in ("year",):
            return col
        if unit in FLOOR_UNITS:
            floored = pc.floor_temporal(col, unit=FLOOR_UNITS[unit])
            return (
                floored.cast(pa.date32())
                if pa.types.is_timestamp(floored.type) and unit != "hours"
                else floored
            )
        if unit in PART_UNITS:
            return PART_UNITS[unit](col)
    return col


def aggregate(parquet: Path, plan: Plan) -> tuple[list[dict[str, Any]], list[Axis], str]:
    """The chart's values, its axes (x, y[, color]) and the Vega-Lite mark."""
    assert plan.resource is not None
    c, schema = plan.chart, plan.resource.schema
    if c.mark == "map":
        lat, lon = coordinate_fields(plan.resource, c)
        if not lat or not lon:
            raise ChartError("no coordinates")
        return _grid(filtered(parquet, c, [lat.name, lon.name]), lat.name, lon.name)
    encs = [("x", c.x), ("y", c.y), ("color", c.color)]
    needed = sorted({e.field for _, e in encs if e and e.field})
    table = filtered(parquet, c, needed)
    cols: dict[str, pa.Array] = {}
    axes: dict[str, Axis] = {}
    measure: tuple[str, Encoding] | None = None
    for role, enc in encs:
        if enc is None:
            continue
        if enc.aggregate:
            measure = (role, enc)
            continue
        f = schema.field_named(enc.field)
        assert f is not None
        cols[role] = _short_labels(_column(table, f, enc))
        axes[role] = Axis(
            role,
            enc.title or f.label,
            _vl_type(f, enc),
            enc.time_unit if enc.time_unit in FLOOR_UNITS else None,
            enc.sort,
        )
    groups = [r for r in ("x", "color") if r in cols]
    if (
        measure is None
        and table.num_rows > RAW_LIMIT
        and "y" in cols
        and axes["y"].type == "quantitative"
        and groups
    ):
        # too many rows to draw one by one: sum by the other encodings
        y_enc = c.y
        assert y_enc is not None
        measure = ("y", Encoding(y_enc.field, aggregate="sum", title=y_enc.title))
        del cols["y"]
        del axes["y"]
    if measure is None:
        rows = pa.table(cols).slice(0, RAW_LIMIT)
        return _records(rows), [axes[r] for r in ("x", "y", "color") if r in axes], c.mark
    role, enc = measure
    agg = enc.aggregate or "count"
    if enc.field:
        cols["value"] = table.column(enc.field).combine_chunks()
    else:
        cols["value"] = pa.array([1] * table.num_rows, pa.int64())
        agg = "count"
    grouped = group_aggregate(pa.table(cols), groups, agg)
    grouped = grouped.rename_columns([*groups, role] if groups else [role])
    f = schema.field_named(enc.field) if enc.field else None
    label = enc.title or (f"{_agg_word(enc.aggregate)} of {f.label.lower()}" if f else "Rows")
    axes[role] = Axis(role, label, "quantitative")
    grouped = grouped.sort_by([(g, "ascending") for g in groups]) if groups else grouped
    return _records(grouped), [axes[r] for r in ("x", "y", "color") if r in axes], c.mark


def group_aggregate(table: pa.Table, groups: Sequence[str], agg: str) -> pa.Table:
    """``table``'s column ``value`` aggregated as Vega-Lite means ``agg`` (count: rows;
    valid and missing: non-null and null values; median exact), per group of ``groups``
    (one row when there are none): the groups' columns, then the value."""
    value = table.column("value")
    if not groups:
        return pa.table({"value": [_aggregate_all(value, agg)]})
    keys = list(groups)
    if agg == "median":  # pyarrow has no exact grouped median: each group's values, sorted
        lists = table.group_by(keys).aggregate([("value", "list")])
        medians = [_median(v) for v in lists.column("value_list").to_pylist()]
        return lists.drop_columns(["value_list"]).append_column("value", pa.array(medians))
    name, options = {
        "count": ("count", pc.CountOptions(mode="all")),
        "valid": ("count", pc.CountOptions(mode="only_valid")),
        "missing": ("count", pc.CountOptions(mode="only_null")),
        "distinct": ("count_distinct", None),
        "average": ("mean", None),
    }.get(agg, (agg, None))
    out = table.group_by(keys).aggregate([("value", name, options)])
    return out.rename_columns([*keys, "value"])


def _aggregate_all(value: pa.ChunkedArray, agg: str) -> Any:
    if agg == "count":
        return len(value)
    if agg == "valid":
        return len(value) - value.null_count
    if agg == "missing":
        return value.null_count
    if agg == "median":
        return _median(value.to_pylist())
    name = {"distinct": "count_distinct", "average": "mean"}.get(agg, agg)
    return pc.call_function(name, [value]).as_py()


def _median(values: list[Any]) -> Any:
    """The exact median of the non-null values (None when there are none)."""
    present = sorted(v for v in values if v is not None)
    if not present:
        return None
    mid = len(present) // 2
    return present[mid] if len(present) % 2 else (present[mid - 1] + present[mid]) / 2


_SVG_ID = re.compile(
    r'(?<=id=")(gradient_|clip|pattern_)(\d+)(?=")|(?<=url\(#)(gradient_|clip|pattern_)(\d+)(?=\))'
)


def stable_ids(svg: str) -> str:
    """An SVG whose gradient and clip ids count from 0 in it: Vega numbers them across
    every chart its process has drawn, so the same chart would get other ids in another
    build (or another worker) and the site would not be byte-identical."""
    seen: dict[str, str] = {}

    def renumber(m: re.Match[str]) -> str:
        kind = m.group(1) or m.group(3)
        key = m.group(0)
        if key not in seen:
            seen[key] = f"{kind}{sum(k.startswith(kind) for k in seen)}"
        return seen[key]

    return _SVG_ID.sub(renumber, svg)


_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def channel_title(title: str) -> str:
    """A title as an encoding channel can carry it. Vega-Lite writes channel titles into
    Vega expressions (tooltips, the marks' ARIA descriptions), escaping quotes but not
    backslashes: a title of one backslash does not parse, and ``a\\b`` becomes a
    backspace, which no SVG may hold. A backslash is drawn as '∖' (set minus), its look-alike."""
    return title.replace("\\", "\u2216")


def _without_controls(value: Any) -> Any:
    """A spec with control characters dropped from every text in it: they mean nothing in
    a chart, and vl-convert's renderer aborts the whole process on some of them."""
    if isinstance(value, str):
        return _CONTROL.sub("", value)
    if isinstance(value, list):
        return [_without_controls(v) for v in value]
    if isinstance(value, dict):
        return {_without_controls(k): _without_controls(v) for k, v in value.items()}
    return value


def _short_labels(col: pa.Array) -> pa.Array:
    """Text values cut to LABEL_LIMIT characters (with '…'), before grouping: a chart shows
    categories, not documents, and a label of megabytes would stall the renderer."""
    if not pa.types.is_string(col.type) and not pa.types.is_large_string(col.type):
        return col
    long = pc.fill_null(pc.greater(pc.utf8_length(col), LABEL_LIMIT), False)
    if not pc.any(long).as_py():
        return col
    cut = pc.binary_join_element_wise(pc.utf8_slice_codeunits(col, 0, LABEL_LIMIT - 1), "…", "")
    return pc.if_else(long, cut, col)


def _agg_word(agg: str | None) -> str:
    return {
        "sum": "Total",
        "mean": "Average",
        "average": "Average",
        "median": "Median",
        "min": "Minimum",
        "max": "Maximum",
        "count": "Count",
        "distinct": "Distinct values",
    }.get(agg or "", "Value")


def filtered(parquet: Path, chart: Chart, columns: list[str]) -> pa.Table:
    """``columns`` of the rows the chart's ``filter`` keeps (all rows without one)."""
    names = [k for k, _ in chart.filter]
    table = pq.read_table(parquet, columns=sorted({*columns, *names}))
    if names:
        table = table.filter(pa.array(filter_mask(table, chart)))
    return table.select(columns)


def filter_mask(table: pa.Table, chart: Chart) -> Any:
    """Rows the chart's ``filter`` keeps (a field equal to a value, or to its largest)."""
    import numpy as np

    keep = np.ones(table.num_rows, dtype=bool)
    for name, value in chart.filter:
        col = table.column(name).combine_chunks()
        if value == "latest":
            scalar = pc.max(col)
        else:
            try:
                scalar = pa.scalar(value).cast(col.type)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
                scalar = pa.scalar(str(value))
                col = pc.cast(col, pa.string())
        hit = pc.fill_null(pc.equal(col, scalar), False)
        keep &= hit.to_numpy(zero_copy_only=False)
    return keep


def _grid(table: pa.Table, lat: str, lon: str) -> tuple[list[dict[str, Any]], list[Axis], str]:
    table = table.drop_null()
    for digits in (4, 3, 2, 1, 0):
        t = pa.table(
            {
                "latitude": pc.round(table.column(lat), digits),
                "longitude": pc.round(table.column(lon), digits),
            }
        )
        grouped = (
            t.group_by(["latitude", "longitude"])
            .aggregate([([], "count_all")])
            .rename_columns(["latitude", "longitude", "count"])
        )
        if grouped.num_rows <= MAP_POINTS:
            break
    grouped = grouped.sort_by([("latitude", "ascending"), ("longitude", "ascending")])
    return (
        _records(grouped),
        [
            Axis("longitude", "Longitude", "quantitative"),
            Axis("latitude", "Latitude", "quantitative"),
            Axis("count", "Rows", "quantitative"),
        ],
        "map",
    )


def _records(table: pa.Table) -> list[dict[str, Any]]:
    out = []
    for row in table.to_pylist():
        out.append(
            {
                k: (
                    v.isoformat()
                    if hasattr(v, "isoformat")
                    else (round(v, 6) if isinstance(v, float) else v)
                )
                for k, v in row.items()
            }
        )
    return out


def altair_chart(
    plan: Plan, values: list[dict[str, Any]], axes: list[Axis], mark: str
) -> alt.TopLevelMixin:
    """The Altair chart of a plan over its aggregated values."""
    c = plan.chart
    data = alt.Data(values=values)
    title = alt.TitleParams(c.title, anchor="start")
    if mark == "map":
        return (
            points(data, values)
            .properties(title=title, width=WIDTH, height=MAP_HEIGHT)
            .project(type="mercator")
        )
    base = alt.Chart(data, title=title)
    marks = {
        "bar": base.mark_bar(color="#0b4f8a"),
        "line": base.mark_line(point=len(values) <= 60, color="#0b4f8a"),
        "area": base.mark_area(opacity=0.8, color="#0b4f8a"),
        "point": base.mark_point(color="#0b4f8a"),
    }
    chart = marks[mark]
    enc: dict[str, Any] = {}
    tooltip = []
    for a in axes:
        kwargs: dict[str, Any] = {"title": channel_title(a.title)}
        if a.time_unit:
            kwargs["timeUnit"] = a.time_unit
        if a.sort and a.field == "x":
            kwargs["sort"] = a.sort
        cls = {"x": alt.X, "y": alt.Y, "color": alt.Color}[a.field]
        enc[a.field] = cls(f"{a.field}:{a.type[0].upper()}", **kwargs)
        tip: dict[str, Any] = {"title": channel_title(a.title)}
        if a.time_unit:
            tip["timeUnit"] = a.time_unit
        tooltip.append(alt.Tooltip(f"{a.field}:{a.type[0].upper()}", **tip))
    if "color" in enc:
        chart = chart.mark_bar() if mark == "bar" else chart
    return chart.encode(**enc, tooltip=tooltip).properties(width=WIDTH, height=HEIGHT)


def points(data: alt.Data, values: list[dict[str, Any]]) -> alt.Chart:
    """A map's points (gridded rows), sized by how many rows each stands for."""
    many = any(v["count"] > 1 for v in values)
    return (
        alt.Chart(data)
        .mark_circle(opacity=0.6, color="#0b4f8a")
        .encode(
            longitude="longitude:Q",
            latitude="latitude:Q",
            size=alt.Size("count:Q", title="Rows", scale=alt.Scale(range=[12, 300]))
            if many
            else alt.value(18),
            tooltip=[
                alt.Tooltip("latitude:Q"),
                alt.Tooltip("longitude:Q"),
                alt.Tooltip("count:Q", title="Rows"),
            ],
        )
    )


def describe(plan: Plan, values: list[dict[str, Any]], axes: list[Axis], mark: str) -> str:
    """A text description of what the chart shows, for screen readers and the page."""
    if plan.chart.description:
        lead = plan.chart.description.rstrip(".") + ". "
    else:
        lead = ""
    if mark == "map":
        total = sum(v["count"] for v in values)
        return (
            lead + f"Map of {total:,} rows at {len(values):,} locations, sized by the number "
            "of rows at each."
        )
    by = {a.field: a for a in axes}
    kind = {
        "bar": "Bar chart",
        "line": "Line chart",
        "area": "Area chart",
        "point": "Scatter plot",
    }[mark]
    x, y = by.get("x"), by.get("y")
    text = (
        f"{kind} of {y.title.lower() if y else 'values'} by {x.title.lower() if x else 'category'}"
    )
    if "color" in by:
        text += f" and {by['color'].title.lower()}"
    text += f", {len(values):,} values"
    if x and y and values and y.type == "quantitative" and x.type != "quantitative":
        top = max(values, key=lambda v: v.get("y") or 0)
        text += f"; the highest is {_fmt(top.get('y'))} at {top.get('x')}"
        if x.type == "temporal":
            text += f"; from {values[0].get('x')} to {values[-1].get('x')}"
    return lead + text + "."


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:,.2f}".rstrip("0").rstrip(".")
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)


def render_charts(
    catalog: Catalog, ds: Dataset, outputs: list[ResourceOutput], folder: Path
) -> list[dict[str, Any]]:
    """Write ``charts/<slug>.svg|.png|.vl.json`` for each chart; return their summaries."""
    import vl_convert as vlc

    out = []
    for plan in plans(catalog, ds, outputs):
        drawn = _draw(catalog, ds, plan, outputs, folder)
        if drawn is None:
            continue
        spec = _without_controls(drawn.spec())
        columns, rows = drawn.columns, drawn.rows
        charts = folder / "charts"
        charts.mkdir(exist_ok=True)
        slug = plan.chart.slug
        svg = stable_ids(vlc.vegalite_to_svg(spec))
        if drawn.shapes is not None:
            svg = maps.rounded_paths(svg)
        (charts / f"{slug}.svg").write_text(svg, "utf-8")
        (charts / f"{slug}.png").write_bytes(
            vlc.svg_to_png(svg, scale=2)
        )  # from the SVG: twice as fast as rendering again
        text = json.dumps(spec, sort_keys=True, ensure_ascii=False)
        if drawn.shapes_url and len(text.encode()) > maps.SPEC_BYTES:
            # the shapes of hundreds of areas: linked (the page's runtime reads them from
            # the boundary dataset), while the SVG and PNG above were drawn with them inline;
            # past a thousand or so, the areas' values too (beside the spec)
            linked = maps.external(spec, drawn.shapes_url)
            text = json.dumps(linked, sort_keys=True, ensure_ascii=False)
            if len(text.encode()) > maps.SPEC_BYTES:
                linked, values = maps.values_apart(linked, f"{slug}.values.json")
                (charts / f"{slug}.values.json").write_text(
                    json.dumps(values, sort_keys=True, ensure_ascii=False), "utf-8"
                )
                text = json.dumps(linked, sort_keys=True, ensure_ascii=False)
        (charts / f"{slug}.vl.json").write_text(text, "utf-8")
        out.append(
            {
                "slug": slug,
                "title": plan.chart.title,
                "description": spec["description"],
                "mark": plan.chart.mark,
                "declared": plan.declared,
                "resource": plan.resource.name if plan.resource else None,
                "files": {
                    k: f"charts/{slug}.{ext}"
                    for k, ext in (("svg", "svg"), ("png", "png"), ("vegalite", "vl.json"))
                },
                "table": {"columns": columns, "rows": rows[:TABLE_ROWS], "total": len(rows)},
            }
        )
    return out


@dataclass
class Drawn:
    """A chart ready to render: its description, its data table and, for maps, the shapes
    (a TopoJSON topology) its spec names as the dataset ``areas``."""

    chart: alt.TopLevelMixin
    description: str
    columns: list[str]
    rows: list[list[Any]]
    shapes: dict[str, Any] | None = None
    shapes_url: str | None = None  # where the shapes are published, from the charts/ folder

    def spec(self) -> dict[str, Any]:
        """The Vega-Lite spec, the shapes added after Altair's validation (which costs
        seconds on a topology of 150 KB and has nothing to check in it)."""
        spec: dict[str, Any] = self.chart.to_dict()
        if self.shapes is not None:
            spec.setdefault("datasets", {})[maps.SHAPES] = self.shapes
        spec["description"] = self.description
        return spec


def _draw(
    catalog: Catalog, ds: Dataset, plan: Plan, outputs: list[ResourceOutput], folder: Path
) -> Drawn | None:
    """The chart, its description and its data table (columns, rows); None: nothing to draw."""
    c = plan.chart
    res_out = next(o for o in outputs if o.name == plan.resource.name) if plan.resource else None
    parquet = folder / res_out.files["parquet"]["path"] if res_out else None
    if c.mark == "map" and (c.area or c.boundaries):
        drawn = _draw_areas(catalog, ds, plan, parquet, folder, res_out)
        if drawn is not None or c.area or parquet is None:
            return drawn
        # outlines that cannot be drawn (validation says why): the points alone
    assert parquet is not None
    values, axes, mark = aggregate(parquet, plan)
    if not values:
        return None
    return Drawn(
        altair_chart(plan, values, axes, mark),
        describe(plan, values, axes, mark),
        [a.title for a in axes],
        [[v.get(a.field) for a in axes] for v in values],
    )


def _draw_areas(
    catalog: Catalog,
    ds: Dataset,
    plan: Plan,
    parquet: Path | None,
    folder: Path,
    res_out: ResourceOutput | None,
) -> Drawn | None:
    """A map on a boundary dataset's areas: coloured by value, points over the outlines,
    or the outlines alone."""
    from catalog.checks.areas import boundaries_of

    c = plan.chart
    assert c.boundaries
    areas = boundaries_of(catalog, c.boundaries)
    boundary_ds = catalog.dataset(c.boundaries)
    if areas is None or boundary_ds is None or not areas.usable:
        return None  # validation says why
    unit = maps.unit_of(boundary_ds)
    topo = maps.topology(areas)
    url = maps.shapes_url(ds, boundary_ds)
    size = (WIDTH, MAP_HEIGHT)
    lead = c.description.rstrip(".") + ". " if c.description else ""
    title = alt.TitleParams(c.title, anchor="start")
    if c.area and plan.resource and parquet and res_out:
        csv = folder / res_out.files["csv"]["path"]
        values, value_title = maps.area_values(parquet, csv, plan.resource, c, areas)
        rows: list[list[Any]] = [
            [v.label, v.value if v.status == "value" else v.status]
            for v in sorted(values, key=lambda v: v.label)
        ]
        return Drawn(
            maps.choropleth(c.title, values, value_title, c.midpoint, size),
            lead + maps.describe_areas(values, value_title, unit),
            [unit.capitalize(), value_title],
            rows,
            topo,
            url,
        )
    if plan.resource and parquet and all(coordinate_fields(plan.resource, c)):
        values_, axes, mark = aggregate(parquet, plan)
        layered: alt.TopLevelMixin = alt.layer(
            maps.outlines(filled=False), points(alt.Data(values=values_), values_)
        )
        text = describe(plan, values_, axes, mark).rstrip(".") + ", over the outlines of "
        text += f"{len(areas.keys):,} {maps.plural(unit)}."
        return Drawn(
            layered.properties(title=title, width=size[0], height=size[1]).project(type="mercator"),
            text,
            [a.title for a in axes],
            [[v.get(a.field) for a in axes] for v in values_],
            topo,
            url,
        )
    few = len(areas.keys) <= LABELLED_AREAS
    names = sorted(range(len(areas.keys)), key=areas.label)
    text = f"Map of the {len(areas.keys):,} {maps.plural(unit)} of {boundary_ds.title}"
    return Drawn(
        maps.outlines(filled=True, labels=maps.label_points(areas) if few else None)
        .properties(title=title, width=size[0], height=size[1])
        .project(type="mercator"),
        lead + text + (", each named." if few else "."),
        ["Key", "Name"],
        [[areas.keys[i], areas.names[i] or ""] for i in names],
        topo,
        url,
    )


def write_vega_runtime(static: Path, cache: Cache) -> None:
    """Vega, Vega-Lite and Vega-Embed as one script served from the site (vl-convert's
    offline bundle), kept in the build cache by vl-convert's version."""
    from importlib.metadata import version

    import vl_convert as vlc

    name = f"vega-{version('vl-convert-python')}.js"
    static.mkdir(parents=True, exist_ok=True)
    cached = cache.file(name)
    if cached is None:
        fresh = static / "vega.js"
        fresh.write_text(vlc.javascript_bundle(None), "utf-8")  # type: ignore[arg-type]  # None: the default snippet (window globals)
        cache.keep(name, fresh)
    else:
        shutil.copyfile(cached, static / "vega.js")
