"""Maps by area: boundary files simplified to TopoJSON, values joined to areas, and the
choropleth (or outlines) drawn with Altair.

A boundary file becomes a topology once per process and file version (shared borders kept
shared, coordinates quantised) and is simplified until it fits ``TOPOLOGY_BYTES``, so a
map's Vega-Lite spec, which carries it inline, stays under 200 KB (a map of hundreds of
areas links the boundary dataset's published TopoJSON instead). A chart's values are
aggregated per area with pyarrow from the published Parquet file; a cell written as a
missing-value marker other than the empty string (``*``: a suppressed small count) makes its
area *suppressed*, and an area with no value is *missing*: neither is drawn as zero.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import altair as alt

from catalog.core.model import Boundaries, Chart, Dataset, Resource
from catalog.io.areas import Areas, normal

SPEC_BYTES = 200_000  # a map's spec with its shapes inline, at most; else they are linked
SHAPES = "areas"  # the name of a map's shapes in its spec's datasets
TOPOLOGY_BYTES = 120_000  # the simplified topology in a map's spec (its values add the rest)
QUANTIZE = 100_000  # grid of the topology's coordinates (1e5: about 1 m across a state)
SIMPLIFY = (0.0, 1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2)  # tolerances × the extent
COLOURS = {"outline": "#6b7785", "fill": "#dde7f0"}
SUPPRESSED, MISSING = "Suppressed", "No data"
STATUS_FILL = {SUPPRESSED: "#8c8c8c", MISSING: "#ffffff"}


def topology(areas: Areas) -> dict[str, Any]:
    """The areas as a TopoJSON topology of one object, ``areas``, whose geometries carry
    ``key`` and ``name`` properties; simplified to fit ``TOPOLOGY_BYTES`` where needed.
    Made once per process and file version (a build's maps share it)."""
    memo = (areas.path, areas.version)
    if memo not in _TOPOLOGIES:
        if len(_TOPOLOGIES) >= 4:
            _TOPOLOGIES.clear()
        _TOPOLOGIES[memo] = _topology(areas)
    topo: dict[str, Any] = json.loads(_TOPOLOGIES[memo])
    return topo


_TOPOLOGIES: dict[tuple[str, tuple[int, int]], str] = {}


def simplified_name(b: Boundaries) -> str:
    """The file name of a boundary dataset's simplified TopoJSON, beside its page."""
    return Path(b.file).stem + ".simplified.topojson"


def shapes_url(ds: Dataset, boundary_ds: Dataset) -> str:
    """The simplified TopoJSON's address relative to ``ds``'s charts/ folder."""
    assert boundary_ds.boundaries is not None
    up = "../" if ds.id == boundary_ds.id else f"../../../{boundary_ds.id}/"
    return up + simplified_name(boundary_ds.boundaries)


def external(spec: dict[str, Any], url: str) -> dict[str, Any]:
    """A spec whose shapes are read from ``url`` instead of carried inline: for maps whose
    shapes would take the spec past ``SPEC_BYTES`` (hundreds of areas)."""
    out = dict(spec)
    datasets = dict(out.get("datasets", {}))
    datasets.pop(SHAPES, None)
    out["datasets"] = datasets

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            if node.get("name") == SHAPES and "format" in node:
                return {"url": url, "format": node["format"]}
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    return walk(out)


def values_apart(spec: dict[str, Any], url: str) -> tuple[dict[str, Any], list[Any]]:
    """A choropleth's spec whose lookup reads the areas' values from ``url`` (beside the
    spec), and those values."""
    found: list[Any] = []

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            if "lookup" in node and isinstance(node.get("from"), dict):
                data = node["from"].get("data", {})
                if "values" in data:
                    found[:] = data["values"]
                    return {**node, "from": {**node["from"], "data": {"url": url}}}
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    out = walk(spec)
    return out, found


def _topology(areas: Areas) -> str:
    import shapely
    import topojson

    features = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"key": k, "name": areas.label(i)},
                "geometry": shapely.geometry.mapping(_clockwise(g)),
            }
            for i, (k, g) in enumerate(zip(areas.keys, areas.geometries, strict=True))
        ],
    }
    topo = topojson.Topology(  # type: ignore[attr-defined]
        features, prequantize=QUANTIZE, topology=True, object_name="areas", presimplify=False
    )
    minx, miny, maxx, maxy = shapely.total_bounds(areas.geometries)
    extent = max(maxx - minx, maxy - miny) or 1.0
    text = ""
    for tolerance in SIMPLIFY:
        simpler = topo.toposimplify(tolerance * extent) if tolerance else topo
        text = _compact(simpler.to_dict())
        if len(text) <= TOPOLOGY_BYTES:
            break
    return text


def _clockwise(geom: Any) -> Any:
    """Outer rings clockwise, holes counter-clockwise: the winding d3-geo (Vega's maps)
    reads on the sphere. RFC 7946 GeoJSON winds the other way, which d3 draws as the
    whole globe except the area."""
    from shapely.geometry import MultiPolygon
    from shapely.geometry.polygon import orient

    if isinstance(geom, MultiPolygon):
        return MultiPolygon([orient(p, sign=-1.0) for p in geom.geoms])
    return orient(geom, sign=-1.0)


def _compact(topo: dict[str, Any]) -> str:
    """A topology as compact JSON: only what maps use (arcs, transform, each geometry's
    type, arcs and properties), sorted keys, so equal inputs give equal bytes."""
    objects = {}
    for name, obj in topo["objects"].items():
        objects[name] = {
            "type": "GeometryCollection",
            "geometries": [
                {"type": g["type"], "arcs": g["arcs"], "properties": g.get("properties", {})}
                for g in obj["geometries"]
            ],
        }
    out = {"type": "Topology", "objects": objects, "arcs": topo["arcs"]}
    if topo.get("transform"):
        out["transform"] = topo["transform"]
    if topo.get("bbox"):
        out["bbox"] = [round(v, 6) for v in topo["bbox"]]
    return json.dumps(out, separators=(",", ":"), sort_keys=True, ensure_ascii=False)


@dataclass(frozen=True)
class AreaValue:
    """One area's value on a map."""

    key: str
    label: str
    value: float | int | None
    status: str  # "value", SUPPRESSED or MISSING

    def record(self) -> dict[str, Any]:
        return {"key": self.key, "label": self.label, "value": self.value, "status": self.status}


def area_values(
    parquet: Path, published_csv: Path, res: Resource, chart: Chart, areas: Areas
) -> tuple[list[AreaValue], str]:
    """Each area's value (in the boundaries' order) and what the value is called."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from catalog.site.charts import _agg_word, filter_mask, group_aggregate

    assert chart.area
    enc = chart.color
    field = res.schema.field_named(enc.field) if enc and enc.field else None
    agg = (enc.aggregate if enc else None) or ("sum" if field else "count")
    filters = [k for k, _ in chart.filter]
    columns = sorted({chart.area, *filters, *([field.name] if field else [])})
    table = pq.read_table(parquet, columns=columns)
    keep = filter_mask(table, chart)
    suppressed = (
        _suppressed(published_csv, field.name, res.schema.missing_values, table.num_rows)
        if field
        else np.zeros(table.num_rows, dtype=bool)
    )
    lookup = areas.lookup()
    col = pc.cast(table.column(chart.area), pa.string()).combine_chunks()
    uniques = pc.unique(col)
    index_of = pa.array(
        [lookup.get(normal(v), -1) if v is not None else -1 for v in uniques.to_pylist()],
        pa.int64(),
    )
    area = pc.take(index_of, pc.index_in(col, value_set=uniques)).to_numpy(zero_copy_only=False)
    area = np.where(np.isnan(area.astype(float)), -1, area).astype(np.int64)
    mask = (area >= 0) & keep
    values = (
        table.column(field.name).combine_chunks() if field else pa.array(np.ones(table.num_rows))
    )
    if pa.types.is_decimal(values.type) or pa.types.is_integer(values.type):
        values = values.cast(pa.float64())
    rows = pa.table(
        {
            "area": pa.array(area[mask]),
            "value": pc.filter(values, pa.array(mask)),
            "suppressed": pa.array(suppressed[mask]),
        }
    )
    found = {row["area"]: row for row in group_aggregate(rows, ["area"], agg).to_pylist()}
    status = rows.group_by("area").aggregate([("value", "count"), ("suppressed", "any")])
    for row in status.rename_columns(["area", "count", "suppressed"]).to_pylist():
        found[row["area"]].update(count=row["count"], suppressed=row["suppressed"])
    out = []
    counts = agg in ("count", "distinct", "valid", "missing")  # a number even of no values
    integral = counts or (field is not None and field.type == "integer")
    for i, key in enumerate(areas.keys):
        row = found.get(i)
        label = areas.label(i)
        if row is None or (not row["suppressed"] and not row["count"] and not counts):
            out.append(AreaValue(key, label, None, MISSING))
        elif row["suppressed"]:
            out.append(AreaValue(key, label, None, SUPPRESSED))
        else:
            v = row["value"]
            v = int(v) if integral and v is not None and float(v).is_integer() else v
            out.append(AreaValue(key, label, round(v, 6) if isinstance(v, float) else v, "value"))
    if enc and enc.title:
        title = enc.title
    elif field:
        title = f"{_agg_word(agg)} of {field.label.lower()}"
        if field.unit and field.unit.lower() not in title.lower():
            title += f" ({field.unit})"
    else:
        title = "Rows"
    return out, title


def _suppressed(csv_file: Path, name: str, missing: tuple[str, ...], rows: int) -> Any:
    """Rows whose cell of ``name`` in the published CSV is a marker other than "" (``*``)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    from catalog.io.blocks import header_of, text_batches

    markers = sorted({m for m in missing if m.strip()})
    if not markers:
        return np.zeros(rows, dtype=bool)
    parts = []
    for batch in text_batches(csv_file, header_of(csv_file), [name]):
        cell = pc.utf8_trim_whitespace(batch.column(name))
        parts.append(pc.is_in(cell, value_set=pa.array(markers)).to_numpy(zero_copy_only=False))
    found = np.concatenate(parts) if parts else np.zeros(0, dtype=bool)
    return found if len(found) == rows else np.zeros(rows, dtype=bool)


def choropleth(
    title: str,
    values: list[AreaValue],
    value_title: str,
    midpoint: float | None,
    size: tuple[int, int],
) -> alt.TopLevelMixin:
    """Areas coloured by value; suppressed and missing areas in their own greys, with a
    legend of their own."""
    from catalog.site.charts import channel_title

    shapes = _shapes()
    lookup = alt.LookupData(
        alt.Data(values=[v.record() for v in values]),
        key="key",
        fields=["label", "value", "status"],
    )
    base = alt.Chart(shapes).transform_lookup(lookup="properties.key", from_=lookup)
    vtitle = channel_title(value_title)
    scale = (
        alt.Scale(scheme="blueorange", domainMid=midpoint)
        if midpoint is not None
        else alt.Scale(scheme=alt.SchemeParams("blues", extent=[0.15, 1.0]), zero=False)
    )
    valued = (
        base.transform_filter("datum.status === 'value'")
        .mark_geoshape(stroke="#ffffff", strokeWidth=0.6)
        .encode(
            color=alt.Color("value:Q", title=vtitle, scale=scale),
            tooltip=[alt.Tooltip("label:N", title="Area"), alt.Tooltip("value:Q", title=vtitle)],
        )
    )
    statuses = [s for s in (SUPPRESSED, MISSING) if any(v.status == s for v in values)]
    layers: list[Any] = [valued]
    if statuses:
        layers.append(
            base.transform_filter("datum.status !== 'value'")
            .mark_geoshape(stroke=COLOURS["outline"], strokeWidth=0.6)
            .encode(
                fill=alt.Fill(
                    "status:N",
                    title="Not shown",
                    scale=alt.Scale(domain=statuses, range=[STATUS_FILL[s] for s in statuses]),
                ),
                tooltip=[
                    alt.Tooltip("label:N", title="Area"),
                    alt.Tooltip("status:N", title=vtitle),
                ],
            )
        )
    chart = alt.layer(*layers, title=alt.TitleParams(title, anchor="start"))
    return chart.project(type="mercator").properties(width=size[0], height=size[1])


def outlines(filled: bool, labels: list[dict[str, Any]] | None = None) -> Any:
    """The areas' outlines (a boundary dataset's own map, or behind a map's points), with
    each area's name at a point inside it when ``labels`` are given."""
    shapes = _shapes()
    drawn = (
        alt.Chart(shapes)
        .mark_geoshape(
            fill=COLOURS["fill"] if filled else "#f7f7f7",
            stroke=COLOURS["outline"],
            strokeWidth=0.7,
        )
        .encode(tooltip=[alt.Tooltip("properties.name:N", title="Area")])
    )
    if not labels:
        return drawn
    text = (
        alt.Chart(alt.Data(values=labels))
        .mark_text(fontSize=11, color="#1f2d3d")
        .encode(longitude="longitude:Q", latitude="latitude:Q", text="name:N")
    )
    return alt.layer(drawn, text)


def _shapes() -> Any:
    """The areas, named: the spec's ``datasets`` holds them (see charts.Drawn.spec)."""
    return alt.NamedData(name=SHAPES, format=alt.DataFormat(type="topojson", feature="areas"))


_NUMBER = re.compile(r"-?\d+\.\d+")
_PATH = re.compile(r' d="([^"]*)"')


def rounded_paths(svg: str) -> str:
    """An SVG with its paths' coordinates rounded to a tenth of a pixel: a map's borders
    drawn at 640 pixels lose nothing visible, and the file loses about a quarter."""

    def path(m: re.Match[str]) -> str:
        return ' d="' + _NUMBER.sub(lambda n: _tenth(n.group()), m.group(1)) + '"'

    return _PATH.sub(path, svg)


def _tenth(number: str) -> str:
    text = f"{float(number):.1f}"
    text = text[:-2] if text.endswith(".0") else text
    return "0" if text == "-0" else text


def label_points(areas: Areas) -> list[dict[str, Any]]:
    """A point well inside each area (the pole of inaccessibility of its largest part: the
    point farthest from its edges), with its name."""
    from shapely.ops import polylabel

    out = []
    for i, g in enumerate(areas.geometries):
        largest = max(getattr(g, "geoms", [g]), key=lambda part: part.area)
        extent = max(largest.bounds[2] - largest.bounds[0], largest.bounds[3] - largest.bounds[1])
        p = polylabel(largest, tolerance=extent / 100 or 1e-6)
        out.append({"name": areas.label(i), "longitude": round(p.x, 5), "latitude": round(p.y, 5)})
    return out


def describe_areas(values: list[AreaValue], value_title: str, unit: str) -> str:
    """What a choropleth shows, in words: the highest and lowest areas, what is not shown."""
    from catalog.site.charts import _fmt

    shown = [v for v in values if v.status == "value" and v.value is not None]
    text = f"Map of {value_title.lower()} by {unit}, {len(values):,} {plural(unit)}"
    if shown:
        shown.sort(key=lambda v: v.label)
        top = max(shown, key=lambda v: v.value or 0)
        low = min(shown, key=lambda v: v.value or 0)
        text += f"; the highest is {top.label} ({_fmt(top.value)})"
        text += f", the lowest {low.label} ({_fmt(low.value)})"
    suppressed = sum(v.status == SUPPRESSED for v in values)
    missing = sum(v.status == MISSING for v in values)
    if suppressed:
        text += f"; {suppressed:,} suppressed (small counts withheld), shown in grey"
    if missing:
        text += f"; {missing:,} with no data, shown in white"
    return text + "."


def unit_of(ds: Any) -> str:
    """What one area of a boundary dataset is called: its row label, else "area"."""
    return str(ds.row_label or "area").lower()


def plural(word: str) -> str:
    """A unit's plural, naively (town → towns, county → counties)."""
    if word.endswith("y") and word[-2:-1] not in "aeiou":
        return word[:-1] + "ies"
    return word if word.endswith("s") else word + "s"
