"""Maps by area: boundary datasets, choropleths drawn on them, and what goes wrong.

A generated boundary set of 169 areas (tests/areas.py: a grid over Connecticut's extent
with wiggly shared borders, ten real town names then "Town 011"…) stands in for a town
boundary dataset; values are written for it and compared with what the built map shows.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
from areas import grid_areas, town_names, write_areas
from conftest import CatalogMaker, dataset_yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_safety import leaks

from catalog.site.build import build

TOWNS = "ctgis/towns"  # the boundary dataset of these tests


def boundary_meta(path: str = "towns.geojson", key: str = "geoid", **more: Any) -> dict[str, Any]:
    """A public boundary dataset.yaml: the file, plus the list of areas as its CSV."""
    return dataset_yaml(
        title="Town boundaries (generated)",
        row_label="Town",
        geographic_unit="Municipality",
        boundaries={"path": path, "key": key, "name": "town", **more},
        resources=[
            {
                "name": "towns",
                "path": "towns.csv",
                "schema": {
                    "primaryKey": ["geoid"],
                    "fields": [
                        {"name": "geoid", "type": "string"},
                        {"name": "town", "type": "string"},
                    ],
                },
            }
        ],
    )


def add_towns(make: CatalogMaker, side: int = 13, **kwargs: Any) -> dict[str, Any]:
    """The boundary dataset ctgis/towns with ``side``² generated areas; returns them."""
    make.dataset(TOWNS, csv=None, meta=boundary_meta())
    fc = write_areas(make.root / "datasets" / TOWNS / "towns.geojson", side=side, **kwargs)
    rows = "".join(
        f"{f['properties']['geoid']},{f['properties']['town']}\n" for f in fc["features"]
    )
    make.write(f"datasets/{TOWNS}/towns.csv", "geoid,town\n" + rows)
    return fc


MAP = {
    "resource": "deaths",
    "mark": "map",
    "title": "Overdose deaths by town",
    "area": "town",
    "boundaries": TOWNS,
    "filter": {"year": "latest"},
    "color": {"field": "deaths", "aggregate": "sum", "title": "Deaths"},
}


def deaths_meta(**chart: Any) -> dict[str, Any]:
    """A dataset of deaths by town and year (1–5 suppressed as '*'), mapped by town."""
    return dataset_yaml(
        title="Overdose deaths by town",
        geographic_unit="Municipality",
        resources=[
            {
                "name": "deaths",
                "path": "data.csv",
                "schema": {
                    "missingValues": ["", "*"],
                    "primaryKey": ["year", "town"],
                    "fields": [
                        {"name": "year", "type": "year"},
                        {"name": "town", "type": "string"},
                        {"name": "deaths", "type": "integer", "min_cell": 6, "unit": "deaths"},
                    ],
                },
            }
        ],
        charts=[{**MAP, **chart}],
    )


def deaths_csv(values: dict[str, str], old: int = 999) -> str:
    """2022 rows (all ``old``, which the latest-year filter must drop) and 2023 rows."""
    rows = [f"2022,{t},{old}" for t in values] + [f"2023,{t},{v}" for t, v in values.items()]
    return "year,town,deaths\n" + "\n".join(rows) + "\n"


def town_values() -> dict[str, str]:
    """Values for 160 of the 169 towns: three suppressed, one written empty, nine absent."""
    names = town_names(169)
    values = {n: str(10 + 7 * i) for i, n in enumerate(names[:160])}
    values["Hartford"] = "1234"
    for n in ("New Haven", "Town 050", "Town 160"):
        values[n] = "*"
    values["Town 100"] = ""
    return values


def add_points(make: CatalogMaker, **meta: Any) -> None:
    """dot/points: two rows of coordinates (its map is a point map)."""
    fields = [{"name": "latitude", "type": "number"}, {"name": "longitude", "type": "number"}]
    resource = {"name": "data", "path": "data.csv", "schema": {"fields": fields}}
    csv = "latitude,longitude\n41.5,-72.7\n41.7,-72.9\n"
    make.dataset("dot/points", csv=csv, meta=dataset_yaml(resources=[resource], **meta))


def fc_keys(make: CatalogMaker) -> list[str]:
    """The keys of the generated town boundaries."""
    fc = json.loads((make.root / "datasets" / TOWNS / "towns.geojson").read_text())
    return [f["properties"]["geoid"] for f in fc["features"]]


def built(make: CatalogMaker, tmp_path: Path, name: str = "site") -> Path:
    out = tmp_path / name
    build(make.root, out, search=False)
    return out


def map_files(site: Path, ident: str = "dph/deaths") -> tuple[dict[str, Any], str, str]:
    """The (only) map chart of a dataset: its spec, SVG and page."""
    folder = site / "datasets" / ident
    (spec_file,) = [p for p in (folder / "charts").glob("*.vl.json") if "town" in p.name]
    svg = spec_file.with_name(spec_file.name.replace(".vl.json", ".svg")).read_text()
    return json.loads(spec_file.read_text()), svg, (folder / "index.html").read_text()


def lookup_values(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """The area values a choropleth spec joins to its shapes."""
    found = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if "lookup" in node and "from" in node:
                found.extend(node["from"]["data"].get("values", []))
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(spec)
    unique = {v["key"]: v for v in found}
    return list(unique.values())


# --- the map ------------------------------------------------------------------------------


def test_a_town_map_shows_each_value_suppressed_and_missing_areas(
    make: CatalogMaker, tmp_path: Path
) -> None:
    fc = add_towns(make)
    values = town_values()
    make.dataset("dph/deaths", csv=deaths_csv(values), meta=deaths_meta())
    assert [p for p in make.problems() if p.severity == "error"] == []
    site = built(make, tmp_path)
    spec, svg, page = map_files(site)

    # every area once, in the boundary file's order; values exactly those of 2023
    shown = {v["label"]: v for v in lookup_values(spec)}
    assert len(shown) == 169 == len(fc["features"])
    for name in town_names(169):
        v = shown[name]
        written = values.get(name)
        if written in ("*",):
            assert (v["status"], v["value"]) == ("Suppressed", None)
        elif written in (None, ""):
            assert (v["status"], v["value"]) == ("No data", None)
        else:
            assert (v["status"], v["value"]) == ("value", int(written))
    # not one suppressed or missing area is drawn as zero or in the value scale
    assert not any(v["value"] == 0 for v in shown.values())

    # the table alternative: every area, sorted, with its value or what it is instead
    table = re.search(r'<table class="chart-table">(.*?)</table>', page, re.S)
    assert table
    cells = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td></tr>", table.group(1))
    assert len(cells) == 169
    as_table = dict(cells)
    assert as_table["Hartford"] == "1,234" and as_table["New Haven"] == "Suppressed"
    assert as_table["Town 100"] == "No data" and as_table["Town 165"] == "No data"
    assert [c[0] for c in cells] == sorted(c[0] for c in cells)

    # the text description names the highest and lowest, and what is not shown
    desc = spec["description"]
    assert "the highest is Hartford (1,234)" in desc
    assert "3 suppressed" in desc and "10 with no data" in desc

    # the spec fits the budget and draws 169 shapes; the SVG holds them all
    size = len(json.dumps(spec))
    assert size <= 200_000, size
    assert svg.count('aria-roledescription="geoshape"') == 169
    assert leaks(site) == []


def test_spec_stays_under_budget_for_a_detailed_boundary_file(
    make: CatalogMaker, tmp_path: Path
) -> None:
    """About 4 MB of borders (400 points each) simplified until the map's spec fits, with
    shared borders still shared (each inner border one arc, used by both its areas)."""
    add_towns(make, detail=400)
    assert (make.root / "datasets" / TOWNS / "towns.geojson").stat().st_size > 3_000_000
    make.dataset("dph/deaths", csv=deaths_csv(town_values()), meta=deaths_meta())
    site = built(make, tmp_path)
    spec, _, _ = map_files(site)
    assert len(json.dumps(spec)) <= 200_000
    topo = json.loads((site / "datasets" / TOWNS / "towns.simplified.topojson").read_text("utf-8"))
    uses: dict[int, int] = {}
    for g in topo["objects"]["areas"]["geometries"]:
        for ring in g["arcs"]:
            for a in ring:
                uses[a if a >= 0 else ~a] = uses.get(a if a >= 0 else ~a, 0) + 1
    shared = sum(1 for n in uses.values() if n == 2)
    assert shared >= 12 * 13 * 2  # the 312 inner borders of a 13×13 grid, each shared once


def test_diverging_scale_around_a_midpoint(make: CatalogMaker, tmp_path: Path) -> None:
    add_towns(make, side=4)
    names = town_names(16)
    csv = "year,town,deaths\n" + "".join(f"2023,{n},{i * 3 - 20}\n" for i, n in enumerate(names))
    meta = deaths_meta(midpoint=0, title="Change in deaths by town")
    meta["resources"][0]["schema"]["fields"][2] = {"name": "deaths", "type": "integer"}
    make.dataset("dph/deaths", csv=csv, meta=meta)
    site = built(make, tmp_path)
    spec, _, _ = map_files(site)
    text = json.dumps(spec)
    assert '"domainMid": 0' in text and '"blueorange"' in text


def test_a_boundary_dataset_publishes_its_files_and_an_outline_map(
    make: CatalogMaker, tmp_path: Path
) -> None:
    add_towns(make, side=4)
    site = built(make, tmp_path)
    folder = site / "datasets" / TOWNS
    original = make.root / "datasets" / TOWNS / "towns.geojson"
    assert (folder / "towns.geojson").read_bytes() == original.read_bytes()
    topo = json.loads((folder / "towns.simplified.topojson").read_text())
    props = [g["properties"] for g in topo["objects"]["areas"]["geometries"]]
    assert props[0] == {"key": "0900001", "name": "Hartford"} and len(props) == 16
    page = (folder / "index.html").read_text()
    assert 'href="towns.geojson"' in page and 'href="towns.simplified.topojson"' in page
    assert "Map of the 16 towns of Town boundaries (generated), each named." in page
    svg = (folder / "charts" / "default.svg").read_text()
    assert svg.count('aria-roledescription="geoshape"') == 16 and "Hartford" in svg
    (entry,) = [
        d for d in json.loads((site / "data.json").read_text())["dataset"] if "Town" in d["title"]
    ]
    assert entry["spatial"] == "-73.73,40.98,-71.79,42.05"  # the areas' bounding box
    kinds = {x["format"] for x in entry["distribution"]}
    assert {"GeoJSON", "TopoJSON", "CSV"} <= kinds


def test_point_maps_draw_the_outlines_behind_the_points(make: CatalogMaker, tmp_path: Path) -> None:
    add_towns(make, side=3)
    add_points(
        make, charts=[{"resource": "data", "mark": "map", "title": "Where", "boundaries": TOWNS}]
    )
    assert [p for p in make.problems() if p.severity == "error"] == []
    site = built(make, tmp_path)
    svg = (site / "datasets/dot/points/charts/where.svg").read_text()
    assert svg.count('aria-roledescription="geoshape"') == 9
    assert svg.count('aria-roledescription="circle"') == 2
    assert "over the outlines of 9 towns" in (site / "datasets/dot/points/index.html").read_text()


def test_topojson_boundaries_with_the_key_in_id(make: CatalogMaker, tmp_path: Path) -> None:
    """A TopoJSON file (as us-atlas ships: the key in each geometry's ``id``) maps the same."""
    import topojson

    fc = grid_areas(side=3)
    for f in fc["features"]:
        f["id"] = f["properties"].pop("geoid")
    topo = topojson.Topology(fc, prequantize=1e6, object_name="towns").to_dict()
    for g, f in zip(topo["objects"]["towns"]["geometries"], fc["features"], strict=True):
        g["id"] = f["id"]
    make.dataset(TOWNS, csv=None, meta=boundary_meta("towns.topojson", key="id"))
    make.write(f"datasets/{TOWNS}/towns.topojson", json.dumps(topo))
    make.write(f"datasets/{TOWNS}/towns.csv", "geoid,town\n0900001,Hartford\n")
    csv = "year,town,deaths\n2023,0900001,40\n2023,900002,50\n2023,Bridgeport,60\n"
    make.dataset("dph/deaths", csv=csv, meta=deaths_meta())
    assert [p for p in make.problems() if p.severity == "error"] == []
    spec, _, _ = map_files(built(make, tmp_path))
    shown = {v["label"]: v["value"] for v in lookup_values(spec)}
    # a key, a key whose leading zero an integer column lost, and a name all match
    assert (shown["Hartford"], shown["New Haven"], shown["Bridgeport"]) == (40, 50, 60)


def test_a_change_to_the_boundaries_redraws_the_maps_on_them(
    make: CatalogMaker, tmp_path: Path
) -> None:
    add_towns(make, side=3)
    make.dataset("dph/deaths", csv=deaths_csv({"Hartford": "40"}), meta=deaths_meta())
    spec, _, _ = map_files(built(make, tmp_path, "one"))
    assert {v["label"] for v in lookup_values(spec)} >= {"Hartford", "West Hartford"}
    file = make.root / "datasets" / TOWNS / "towns.geojson"
    file.write_text(file.read_text().replace('"West Hartford"', '"Lyme"'))
    spec, _, _ = map_files(built(make, tmp_path, "two"))
    assert "Lyme" in {v["label"] for v in lookup_values(spec)}


# --- validation ---------------------------------------------------------------------------


def test_a_misspelt_area_is_reported_with_its_row_and_a_suggestion(make: CatalogMaker) -> None:
    add_towns(make)
    values = {"Hartford": "40", "Hartfrod": "12", "Connecticut": "99", "Atlantis": "7"}
    make.dataset("dph/deaths", csv=deaths_csv(values), meta=deaths_meta())
    found = [p for p in make.problems() if p.code == "unknown-area"]
    assert [(p.path, p.row, p.field) for p in found] == [
        ("datasets/dph/deaths/data.csv", 3, "town"),
        ("datasets/dph/deaths/data.csv", 4, "town"),
        ("datasets/dph/deaths/data.csv", 5, "town"),
    ]
    assert found[0].message == (
        "'Hartfrod' in column 'town' is not an area of ctgis/towns. Did you mean 'Hartford'?"
    )
    # a statewide total, listed as not an area, is no longer reported
    make.dataset("dph/deaths", csv=deaths_csv(values), meta=deaths_meta(others=["Connecticut"]))
    assert {p.message.split(" ")[0] for p in make.problems() if p.code == "unknown-area"} == {
        "'Hartfrod'",
        "'Atlantis'",
    }


def test_suggestions_ignore_case_and_skip_far_fetched_ones(make: CatalogMaker) -> None:
    add_towns(make, side=3)
    values = {"HARTFROD": "40", "new havn": "12", "Bronx": "7"}
    make.dataset("dph/deaths", csv=deaths_csv(values), meta=deaths_meta())
    said = [p.message for p in make.problems() if p.code == "unknown-area"]
    assert said == [
        "'HARTFROD' in column 'town' is not an area of ctgis/towns. Did you mean 'Hartford'?",
        "'new havn' in column 'town' is not an area of ctgis/towns. Did you mean 'New Haven'?",
        "'Bronx' in column 'town' is not an area of ctgis/towns.",
    ]


def chart_problem(make: CatalogMaker) -> list[tuple[int | None, str]]:
    return [
        (p.line, p.message)
        for p in make.problems()
        if p.path == "datasets/dph/deaths/dataset.yaml" and p.severity == "error"
    ]


def test_a_map_naming_a_missing_boundary_dataset_or_column(make: CatalogMaker) -> None:
    add_towns(make, side=3)
    make.dataset("dph/deaths", csv=deaths_csv({}), meta=deaths_meta(boundaries="ctgis/town"))
    ((line, message),) = chart_problem(make)
    text = (make.root / "datasets/dph/deaths/dataset.yaml").read_text().splitlines()
    assert text[line - 1].strip() == "boundaries: ctgis/town"
    assert "does not exist. Did you mean 'ctgis/towns'?" in message
    make.dataset("dph/deaths", csv=deaths_csv({}), meta=deaths_meta(boundaries="dph/deaths"))
    assert "dataset 'dph/deaths' has no boundary file" in chart_problem(make)[0][1]
    make.dataset("dph/deaths", csv=deaths_csv({}), meta=deaths_meta(area="twon"))
    ((line, message),) = chart_problem(make)
    assert "area column 'twon' is not a field" in message and "Did you mean 'town'?" in message
    make.dataset("dph/deaths", csv=deaths_csv({}), meta=deaths_meta(filter={"year": 1999}))
    assert "no row has year = 1999" in chart_problem(make)[0][1]


def test_a_map_on_a_non_public_boundary_dataset_is_refused(
    make: CatalogMaker, tmp_path: Path
) -> None:
    add_towns(make, side=3)
    meta = boundary_meta()
    meta.update(
        access_level="non-public",
        rights="Contains parcel owners",
        exemptions=[{"authority": "CGS 1-210(b)(2)", "category": "personal-privacy"}],
        resources=[],
    )
    make.dataset(TOWNS, csv=None, meta=meta)
    (make.root / "datasets" / TOWNS / "towns.csv").unlink()
    make.catalog(repository="private")
    make.dataset("dph/deaths", csv=deaths_csv({"Hartford": "40"}), meta=deaths_meta())
    assert any("is not public" in m for _, m in chart_problem(make))


def bad_boundaries(make: CatalogMaker, content: str | bytes, name: str = "towns.geojson") -> Any:
    make.dataset(TOWNS, csv=None, meta=boundary_meta(name))
    make.write(f"datasets/{TOWNS}/towns.csv", "geoid,town\n0900001,Hartford\n")
    make.write(f"datasets/{TOWNS}/{name}", content)
    return [
        (p.line, p.severity, p.message)
        for p in make.problems()
        if p.path == f"datasets/{TOWNS}/{name}"
    ]


def feature(geoid: str, ring: list[list[float]], **props: Any) -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": {"geoid": geoid, "town": "T", **props},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


SQUARE = [[-72.0, 41.0], [-71.9, 41.0], [-71.9, 41.1], [-72.0, 41.1], [-72.0, 41.0]]


def collection(*features: dict[str, Any]) -> str:
    lines = ",\n".join(json.dumps(f) for f in features)
    return '{"type": "FeatureCollection", "features": [\n' + lines + "\n]}\n"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('{"type": "FeatureCollection", "features": [\n{"type": }\n', (2, "not valid JSON")),
        ("geoid,town\n0900001,Hartford\n", (1, "not valid JSON")),
        ('{"type": "Feature", "geometry": null}', (1, "a JSON Feature, not a GeoJSON")),
        ("[1, 2]", (1, "a JSON list, not a GeoJSON")),
        ("[" * 100_000 + "]" * 100_000, (1, "arrays nested too deeply")),
        (
            collection(feature("a", [[-72, 41], [-71.9, 41], [-71.9, float("nan")], [-72, 41]])),
            (2, "NaN is not a number JSON allows"),
        ),
        (
            json.dumps(
                {
                    "type": "Topology",
                    "arcs": [],
                    "objects": {
                        "towns": {
                            "type": "GeometryCollection",
                            "geometries": [{"type": "Polygon", "arcs": [[5]], "id": "a"}],
                        }
                    },
                }
            ),
            (None, "the TopoJSON file cannot be decoded: IndexError"),
        ),
        (
            "version https://git-lfs.github.com/spec/v1\noid sha256:" + "a" * 64 + "\nsize 9\n",
            (1, "is a Git LFS pointer, not the data"),
        ),
        ('{"type": "FeatureCollection", "features": []}', (1, "holds no areas")),
        (
            collection(
                feature("a", SQUARE),
                feature(
                    "b",
                    [[500000, 4600000], [500100, 4600000], [500100, 4600100], [500000, 4600000]],
                ),
            ),
            (3, "not longitude/latitude (WGS84): area 'b' spans x 500000"),
        ),
        (
            collection(feature("a", SQUARE), feature("b", SQUARE), feature("a", SQUARE)),
            (4, "two areas have geoid = 'a' (the first at line 2)"),
        ),
        (
            collection(
                feature("a", SQUARE),
                {
                    "type": "Feature",
                    "properties": {"geoid": "p"},
                    "geometry": {"type": "Point", "coordinates": [-72, 41]},
                },
            ),
            (3, "area 'p' is a Point, not a Polygon or MultiPolygon"),
        ),
        (
            collection(
                feature("a", SQUARE),
                {
                    "type": "Feature",
                    "properties": {"GEOID": "b"},
                    "geometry": {"type": "Polygon", "coordinates": [SQUARE]},
                },
            ),
            (3, "area 2 has no 'geoid' property (found: GEOID)"),
        ),
        (
            json.dumps(
                {
                    "type": "FeatureCollection",
                    "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::2234"}},
                    "features": [],
                }
            ),
            (1, "its crs is urn:ogc:def:crs:EPSG::2234"),
        ),
    ],
)
def test_unusable_boundary_files_are_problems_at_their_line(
    make: CatalogMaker, content: str, expected: tuple[int, str]
) -> None:
    found = bad_boundaries(make, content)
    assert any(
        line == expected[0] and sev == "error" and expected[1] in msg for line, sev, msg in found
    ), found


def test_longitude_latitude_reference_systems_are_accepted(make: CatalogMaker) -> None:
    """A `crs` naming WGS84 or NAD83 (TIGER/Line files, as ogr2ogr writes them) is fine."""
    for name in ("urn:ogc:def:crs:OGC:1.3:CRS84", "urn:ogc:def:crs:EPSG::4269", "EPSG:4326"):
        doc = {**json.loads(collection(feature("a", SQUARE))), "crs": {"type": "name"}}
        doc["crs"]["properties"] = {"name": name}
        assert bad_boundaries(make, json.dumps(doc)) == [], name


def test_a_key_no_area_has_names_the_properties_there_are(make: CatalogMaker) -> None:
    make.dataset(TOWNS, csv=None, meta=boundary_meta(key="GEOID20"))
    write_areas(make.root / "datasets" / TOWNS / "towns.geojson", side=2)
    make.write(f"datasets/{TOWNS}/towns.csv", "geoid,town\n0900001,Hartford\n")
    (p,) = [p for p in make.problems() if p.path.endswith("towns.geojson")]
    assert p.message == "no area has the key property 'GEOID20'; properties found: geoid, town"


def test_a_self_intersecting_area_is_repaired_with_a_warning(
    make: CatalogMaker, tmp_path: Path
) -> None:
    bowtie = [[-72.0, 41.0], [-71.9, 41.1], [-71.9, 41.0], [-72.0, 41.1], [-72.0, 41.0]]
    found = bad_boundaries(make, collection(feature("a", SQUARE), feature("b", bowtie)))
    assert found == [
        (
            3,
            "warning",
            "area 'b' is not a valid polygon (Self-intersection[-71.95 41.05]); "
            "the build repairs it",
        )
    ]
    site = built(make, tmp_path)
    topo = json.loads((site / "datasets" / TOWNS / "towns.simplified.topojson").read_text())
    kinds = [g["type"] for g in topo["objects"]["areas"]["geometries"]]
    assert kinds == ["Polygon", "MultiPolygon"]  # the bow-tie as its two triangles


def test_a_boundary_file_over_the_limit_is_refused_unread(make: CatalogMaker) -> None:
    make.dataset(TOWNS, csv=None, meta=boundary_meta())
    make.write(f"datasets/{TOWNS}/towns.csv", "geoid,town\n0900001,Hartford\n")
    big = make.root / "datasets" / TOWNS / "towns.geojson"
    with big.open("wb") as fh:  # 200 MB, sparse: the size alone refuses it
        fh.truncate(200_000_000)
    (p,) = [p for p in make.problems() if p.path.endswith("towns.geojson")]
    assert p.message == "the boundary file is 200 MB, over limits.boundary_mb (50 MB)"
    assert p.severity == "error"


def test_a_map_on_unusable_boundaries_says_so_and_the_build_stops(
    make: CatalogMaker, tmp_path: Path
) -> None:
    bad_boundaries(make, "[1, 2]")
    make.dataset("dph/deaths", csv=deaths_csv({"Hartford": "40"}), meta=deaths_meta())
    assert any("the boundary file of 'ctgis/towns' has errors" in m for _, m in chart_problem(make))
    from catalog.site.build import BuildFailed

    with pytest.raises(BuildFailed):
        build(make.root, tmp_path / "site", search=False)
    assert not (tmp_path / "site").exists()


def test_a_protected_area_column_is_never_mapped(make: CatalogMaker) -> None:
    add_towns(make, side=3)
    meta = deaths_meta()
    fields = meta["resources"][0]["schema"]["fields"]
    fields[1] = {**fields[1], "protected": True, "exemption": "CGS 1-210(b)(2)"}
    make.dataset("dph/deaths", csv=deaths_csv({"Hartford": "40"}), meta=copy.deepcopy(meta))
    assert any("'town' is protected" in m for _, m in chart_problem(make))


# --- defaults -----------------------------------------------------------------------------


def test_a_dataset_by_town_gets_a_map_by_default(make: CatalogMaker, tmp_path: Path) -> None:
    """Geographic unit Municipality, one boundary dataset of that unit, a column named
    ``town``: the default chart is a map of the measure for the latest year."""
    add_towns(make, side=4)
    meta = deaths_meta()
    del meta["charts"]
    meta["resources"][0]["schema"]["fields"][2].pop("min_cell")
    values = {n: str(i + 1) for i, n in enumerate(town_names(16)) if i < 12}
    make.dataset("dph/deaths", csv=deaths_csv(values), meta=meta)
    site = built(make, tmp_path)
    spec = json.loads((site / "datasets/dph/deaths/charts/default.vl.json").read_text())
    shown = {v["label"]: v["value"] for v in lookup_values(spec)}
    assert shown["Hartford"] == 1 and shown["Town 012"] == 12 and shown["Town 013"] is None
    assert "Deaths by town (latest year)" in (site / "datasets/dph/deaths/index.html").read_text()
    # a second boundary dataset of the same unit: no longer obvious, no map
    make.dataset("ctgis/towns-2", csv=None, meta=boundary_meta())
    make.write("datasets/ctgis/towns-2/towns.geojson", json.dumps(grid_areas(side=2)))
    make.write("datasets/ctgis/towns-2/towns.csv", "geoid,town\n0900001,Hartford\n")
    site = built(make, tmp_path, "two")
    specs = (site / "datasets/dph/deaths").glob("charts/*.vl.json")
    assert not any("geoshape" in p.read_text() for p in specs)


def test_catalog_map_outlines_go_behind_every_point_map(make: CatalogMaker, tmp_path: Path) -> None:
    add_towns(make, side=3)
    make.catalog(map_outlines="ctgis/town")
    (p,) = [p for p in make.problems() if p.path == "catalog.yaml"]
    assert p.message == (
        "map_outlines 'ctgis/town' is not a public boundary dataset. Did you mean 'ctgis/towns'?"
    )
    make.catalog(map_outlines=TOWNS)
    add_points(make)
    assert [p for p in make.problems() if p.severity == "error"] == []
    site = built(make, tmp_path)
    svg = (site / "datasets/dot/points/charts/default.svg").read_text()
    assert svg.count('aria-roledescription="geoshape"') == 9
    assert svg.count('aria-roledescription="circle"') == 2


def test_validating_some_datasets_loads_and_checks_what_their_maps_tie_them_to(
    make: CatalogMaker,
) -> None:
    """`catalog validate <folder>` (or --changed-since) of a dataset with a map reads its
    boundary dataset; of a boundary dataset, also checks the maps drawn on it."""
    from catalog.checks.validate import validate
    from catalog.load.loader import load_catalog

    add_towns(make, side=3)
    make.catalog(map_outlines=TOWNS)
    make.dataset("dph/deaths", csv=deaths_csv({"Hartford": "40"}), meta=deaths_meta())
    assert validate(load_catalog(make.root, only=["dph/deaths"]), ["dph/deaths"]) == []
    file = make.root / "datasets" / TOWNS / "towns.geojson"
    file.write_text(file.read_text().replace('"Hartford"', '"Hartfort"'))
    found = validate(load_catalog(make.root, only=[TOWNS]), [TOWNS])
    assert [(p.code, p.path, p.row) for p in found] == [
        ("unknown-area", "datasets/dph/deaths/data.csv", 2)
    ]


def test_a_map_of_hundreds_of_areas_links_its_shapes(make: CatalogMaker, tmp_path: Path) -> None:
    """900 areas do not fit a 200 KB spec with their shapes inline: the Vega-Lite file links
    the boundary dataset's simplified TopoJSON (relative to the charts folder), while the SVG
    and PNG were drawn with every area."""
    add_towns(make, side=30, detail=8)
    values = {n: str(i + 10) for i, n in enumerate(town_names(900)) if i % 3}
    make.dataset("dph/deaths", csv=deaths_csv(values), meta=deaths_meta())
    site = built(make, tmp_path)
    (spec_file,) = (site / "datasets/dph/deaths/charts").glob("*.vl.json")
    assert spec_file.stat().st_size <= 200_000
    spec = json.loads(spec_file.read_text())
    assert "areas" not in spec.get("datasets", {})
    urls = {d["url"] for layer in spec["layer"] for d in [layer.get("data", {})] if "url" in d} | (
        {spec["data"]["url"]} if "url" in spec.get("data", {}) else set()
    )
    assert urls == {"../../../ctgis/towns/towns.simplified.topojson"}
    linked = (spec_file.parent / urls.pop()).resolve()
    assert linked == (site / "datasets/ctgis/towns/towns.simplified.topojson").resolve()
    assert len(json.loads(linked.read_text())["objects"]["areas"]["geometries"]) == 900
    svg = spec_file.with_name(spec_file.name.replace(".vl.json", ".svg")).read_text()
    assert svg.count('aria-roledescription="geoshape"') == 900
    assert len(lookup_values(spec)) == 900


def test_area_names_are_escaped_wherever_they_land(make: CatalogMaker, tmp_path: Path) -> None:
    """A name from a boundary file goes into the SVG, the spec, the page's description and
    table, and the boundary dataset's map labels: escaped for each."""
    from xml.etree import ElementTree

    hostile = '<script>alert(1)</script> & "Q\\\\" \u2028'
    add_towns(make, side=2)
    file = make.root / "datasets" / TOWNS / "towns.geojson"
    file.write_text(file.read_text().replace('"Hartford"', json.dumps(hostile)))
    values = {hostile: "40", "New Haven": "*", "Bridgeport": "12"}
    csv = "year,town,deaths\n" + "".join(
        f'2023,"{n.replace(chr(34), chr(34) * 2)}",{v}\n' for n, v in values.items()
    )
    make.dataset("dph/deaths", csv=csv, meta=deaths_meta())
    assert [p.message for p in make.problems() if p.severity == "error"] == []
    site = built(make, tmp_path)
    spec, svg, page = map_files(site)
    ElementTree.fromstring(svg)  # well-formed
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert hostile in {v["label"] for v in lookup_values(spec)}
    own = (site / "datasets" / TOWNS / "charts" / "default.svg").read_text()
    ElementTree.fromstring(own)
    assert "&lt;script&gt;" in own and "<script>" not in own
    assert leaks(site) == []


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**6), 10**6)
    | st.floats(allow_nan=False, allow_infinity=False, width=32)
    | st.sampled_from(["x", "Polygon", "MultiPolygon", "Feature", "k"]),
    lambda inner: (
        st.lists(inner, max_size=5)
        | st.dictionaries(
            st.sampled_from(["type", "coordinates", "arcs", "geometries", "properties", "id"]),
            inner,
            max_size=3,
        )
    ),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    kind=st.sampled_from(["FeatureCollection", "Topology"]),
    geometry=json_values,
    other=json_values,
    transform=json_values,
)
def test_any_json_shaped_like_boundaries_gives_problems_not_errors(
    tmp_path_factory: pytest.TempPathFactory, kind: str, geometry: Any, other: Any, transform: Any
) -> None:
    """Whatever a boundary file holds, reading it gives areas or problems, never an error."""
    from catalog.io.areas import read_areas

    root = tmp_path_factory.mktemp("fuzz")
    if kind == "FeatureCollection":
        feature = {"type": "Feature", "properties": {"k": "a"}, "geometry": geometry}
        doc: dict[str, Any] = {"type": kind, "features": [feature, other]}
    else:
        member = {"type": "Polygon", "arcs": geometry, "properties": {"k": "a"}}
        doc = {
            "type": kind,
            "arcs": other,
            "transform": transform,
            "objects": {"x": {"type": "GeometryCollection", "geometries": [member]}},
        }
    (root / "b.json").write_text(json.dumps(doc))
    areas = read_areas(root, "b.json", "k", None, 50)
    assert areas.usable or areas.problems


def test_maps_build_byte_identical_in_any_folder(
    make: CatalogMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Topology, simplification, label points and rendering are deterministic: the same
    catalog in another folder, built with two workers, gives the same bytes."""
    import shutil

    from test_build import tree

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    add_towns(make, side=6, detail=40)
    values = {n: str(i + 10) for i, n in enumerate(town_names(36)) if i % 4}
    make.dataset("dph/deaths", csv=deaths_csv(values), meta=deaths_meta())
    make.catalog(map_outlines=TOWNS)
    add_points(make)
    elsewhere = tmp_path / "another" / "clone"
    shutil.copytree(make.root, elsewhere)
    build(make.root, tmp_path / "a", cache_dir=tmp_path / "ca", search=False)
    build(elsewhere, tmp_path / "b", cache_dir=tmp_path / "cb", search=False, jobs=2)
    a, b = tree(tmp_path / "a"), tree(tmp_path / "b")
    assert any(name.endswith(".simplified.topojson") for name in a)
    assert a == b


def test_catalog_new_makes_a_boundary_dataset_of_a_geojson_file(
    make: CatalogMaker, tmp_path: Path, cli: Any
) -> None:
    make.catalog()
    make.agency("ctgis")
    source = tmp_path / "CT_Towns.geojson"
    fc = write_areas(source, side=3)
    code, out, _ = cli("new", "ctgis/towns", "--from", str(source), "--root", str(make.root))
    assert code == 0, out
    assert "9 areas; key 'geoid', names in 'town'" in out
    folder = make.root / "datasets/ctgis/towns"
    assert (folder / "CT_Towns.geojson").read_bytes() == source.read_bytes()
    listing = (folder / "areas.csv").read_text().splitlines()
    assert listing[0] == "geoid,town" and len(listing) == 10
    assert listing[1] == f"{fc['features'][0]['properties']['geoid']},Hartford"
    meta = (folder / "dataset.yaml").read_text()
    assert 'boundaries:\n  path: "CT_Towns.geojson"\n  key: "geoid"\n  name: "town"\n' in meta
    errors = [p for p in make.problems() if p.severity == "error"]
    assert errors == []
    # a projected file is refused with its line, and nothing is written
    bad = tmp_path / "projected.geojson"
    ring = [[500000, 4600000], [500100, 4600000], [500100, 4600100], [500000, 4600000]]
    bad.write_text(collection(feature("a", ring)))
    code, _, err = cli("new", "ctgis/other", "--from", str(bad), "--root", str(make.root))
    assert code == 2 and "projected.geojson (line 2): coordinates are not longitude/latitude" in err
    assert not (make.root / "datasets/ctgis/other").exists()


def test_a_map_of_thousands_of_areas_keeps_its_spec_under_the_budget(
    make: CatalogMaker, tmp_path: Path
) -> None:
    """2,025 areas: the shapes are linked and the spec stays under 200 KB; past that (the
    values alone over 200 KB) they would go beside the spec, which values_apart does."""
    from catalog.site.maps import values_apart

    add_towns(make, side=45, detail=4)
    values = {n: str(i + 10) for i, n in enumerate(town_names(2025))}
    make.dataset("dph/deaths", csv=deaths_csv(values), meta=deaths_meta())
    site = built(make, tmp_path)
    charts = site / "datasets/dph/deaths/charts"
    spec_file = charts / "overdose-deaths-by-town.vl.json"
    assert spec_file.stat().st_size <= 200_000
    spec = json.loads(spec_file.read_text())
    assert '"url": "../../../ctgis/towns/towns.simplified.topojson"' in json.dumps(spec)
    assert len(lookup_values(spec)) == 2025
    apart, moved = values_apart(spec, "x.values.json")
    assert len(moved) == 2025 and {v["key"] for v in moved} == set(fc_keys(make))
    assert lookup_values(apart) == [] and json.dumps(apart).count('"url": "x.values.json"') >= 1
    svg = (charts / "overdose-deaths-by-town.svg").read_text()
    assert svg.count('aria-roledescription="geoshape"') == 2025


# --- real data (the shared corpus) --------------------------------------------------------


def test_real_deaths_by_town_on_the_169_municipalities(
    make: CatalogMaker, tmp_path: Path, corpus: Path
) -> None:
    """data.ct.gov's accidental drug deaths (2012–2017, 'Residence City' in capitals, towns
    of other states among them) mapped by town on a generated boundary set named after the
    169 municipalities of OPM's fiscal indicators: every Connecticut town matches whatever
    its case, every other value is reported at its first row (computed here with the csv
    module), and once those are listed as `others` the map's counts equal a count by town."""
    import csv as csvmod
    import shutil

    real = corpus / "real"
    with (real / "ct-municipal-fiscal-indicators/FISCIN16.csv").open(encoding="utf-8-sig") as f:
        towns = [row["Municipality"].strip() for row in csvmod.DictReader(f)]
    towns = [t for t in towns if t and "(" not in t]  # not "GROTON (City of)", inside Groton
    assert len(towns) == 169
    fc = grid_areas(side=13)
    for f, town in zip(fc["features"], towns, strict=True):
        f["properties"]["town"] = town
    make.dataset(TOWNS, csv=None, meta=boundary_meta())
    make.write(f"datasets/{TOWNS}/towns.geojson", json.dumps(fc))
    make.write(f"datasets/{TOWNS}/towns.csv", "geoid,town\n0900001,Hartford\n")

    source = real / "ct-drug-deaths/Accidental_Drug_Related_Deaths__2012-2017.csv"
    with source.open(encoding="utf-8-sig", newline="") as f:
        reader = csvmod.reader(f)
        header = next(reader)
        rows = list(reader)
    column = header.index("Residence City")
    known = {t.casefold() for t in towns}
    first_rows: dict[str, int] = {}
    per_town: dict[str, int] = {}
    for n, row in enumerate(rows, start=2):
        value = " ".join(row[column].split()).casefold()  # "WEST  HAVEN" is West Haven
        if not value:
            continue
        if value in known:
            per_town[value] = per_town.get(value, 0) + 1
        else:
            first_rows.setdefault(value, n)
    assert per_town and first_rows  # both kinds are there

    make.agency("dph")
    folder = make.root / "datasets/dph/real-deaths"
    folder.mkdir(parents=True)
    shutil.copyfile(source, folder / "deaths.csv")
    fields = [{"name": h, "type": "string"} for h in header]
    chart = {
        "resource": "deaths",
        "mark": "map",
        "title": "Deaths by town of residence",
        "area": "Residence City",
        "boundaries": TOWNS,
    }
    meta = dataset_yaml(
        title="Accidental drug related deaths",
        resources=[{"name": "deaths", "path": "deaths.csv", "schema": {"fields": fields}}],
        charts=[chart],
    )
    make.write("datasets/dph/real-deaths/dataset.yaml", meta)
    found = [p for p in make.problems() if p.code == "unknown-area"]
    expected = sorted(first_rows.values())[:20]
    assert [p.row for p in found] == expected
    assert all(p.path == "datasets/dph/real-deaths/deaths.csv" for p in found)
    said = {p.message.split("'")[1].casefold(): p.message for p in found}
    for village in ("baltic", "bantam", "bronx", "allston"):  # no far-fetched "correction"
        assert "Did you mean" not in said.get(village, ""), said[village]
    more = [p for p in make.problems() if p.message.startswith(f"{len(first_rows) - 20} more")]
    assert len(first_rows) <= 20 or len(more) == 1

    others = sorted({rows[r - 2][column].strip() for r in first_rows.values()})
    make.write(
        "datasets/dph/real-deaths/dataset.yaml", {**meta, "charts": [{**chart, "others": others}]}
    )
    assert [p for p in make.problems() if p.code == "unknown-area"] == []
    site = built(make, tmp_path)
    (spec_file,) = (site / "datasets/dph/real-deaths/charts").glob("*.vl.json")
    shown = {
        v["label"].casefold(): v["value"] for v in lookup_values(json.loads(spec_file.read_text()))
    }
    assert {k: v for k, v in shown.items() if v is not None} == per_town
    assert leaks(site) == []


def test_aliases_name_areas_too(make: CatalogMaker, tmp_path: Path) -> None:
    """`aliases: [namelsad]`: data written 'Hartford town' (the Census full name) matches
    the area named Hartford, as 'New Haven' still does."""
    make.dataset(TOWNS, csv=None, meta=boundary_meta(aliases=["namelsad"]))
    fc = grid_areas(side=3)
    for f in fc["features"]:
        f["properties"]["namelsad"] = f["properties"]["town"] + " town"
    make.write(f"datasets/{TOWNS}/towns.geojson", json.dumps(fc))
    make.write(f"datasets/{TOWNS}/towns.csv", "geoid,town\n0900001,Hartford\n")
    values = {"Hartford town": "40", "New Haven": "12", "Bridgeport town": "7"}
    make.dataset("dph/deaths", csv=deaths_csv(values), meta=deaths_meta())
    assert [p.message for p in make.problems() if p.severity == "error"] == []
    spec, _, _ = map_files(built(make, tmp_path))
    shown = {v["label"]: v["value"] for v in lookup_values(spec)}
    assert (shown["Hartford"], shown["New Haven"], shown["Bridgeport"]) == (40, 12, 7)
