"""Maps by area: checking and simplifying a large boundary file, rendering a 169-area
choropleth, and a real build of a catalog that maps on it.

    python benchmarks/bench_maps.py [--detail 650] [--renders 5]

The boundary file is generated (tests/areas.py): 169 areas over Connecticut's extent with
``detail`` points per shared border (650: about 10.8 MB of GeoJSON). Each step runs in a
fresh process so its peak memory is its own.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent / "tests"))


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def step_check(folder: Path) -> None:
    """Read and check the boundary file (what `catalog validate` does with it)."""
    from catalog.io.areas import read_areas

    t = time.perf_counter()
    areas = read_areas(folder, "towns.geojson", "geoid", "town", 50)
    took = time.perf_counter() - t
    assert areas.usable, areas.problems
    print(f"  check (parse, WGS84, validity, keys): {took:6.2f} s, peak {peak_mb():.0f} MB")


def step_simplify(folder: Path) -> None:
    """Topology + simplification to the map budget (what the build does once per file)."""
    from catalog.io.areas import read_areas
    from catalog.site.maps import topology

    areas = read_areas(folder, "towns.geojson", "geoid", "town", 50)
    t = time.perf_counter()
    topo = topology(areas)
    took = time.perf_counter() - t
    size = len(json.dumps(topo, separators=(",", ":")))
    arcs = len(topo["arcs"])
    print(
        f"  topology + simplification: {took:6.2f} s → {size / 1000:.0f} KB TopoJSON "
        f"({arcs} arcs), peak {peak_mb():.0f} MB"
    )


def step_render(folder: Path, renders: int) -> None:
    """A 169-area choropleth: spec, SVG, PNG (the topology already made)."""
    import vl_convert as vlc

    from catalog.io.areas import read_areas
    from catalog.site.charts import Drawn
    from catalog.site.maps import AreaValue, choropleth, rounded_paths, topology

    areas = read_areas(folder, "towns.geojson", "geoid", "town", 50)
    topo = topology(areas)
    values = [
        AreaValue(k, areas.label(i), None if i % 20 == 3 else i * 7, "value")
        if i % 20 != 3
        else AreaValue(k, areas.label(i), None, "Suppressed")
        for i, k in enumerate(areas.keys)
    ]
    vlc.vegalite_to_svg(  # the renderer's start-up, paid once per worker in a build
        Drawn(choropleth("warm", values, "Deaths", None, (640, 448)), "", [], [], topo).spec()
    )
    times: dict[str, list[float]] = {"spec": [], "svg": [], "png": []}
    spec: dict[str, object] = {}
    svg = ""
    png = b""
    for _ in range(renders):
        t = time.perf_counter()
        chart = choropleth("Deaths by town", values, "Deaths", None, (640, 448))
        spec = Drawn(chart, "", [], [], topo).spec()
        times["spec"].append(time.perf_counter() - t)
        t = time.perf_counter()
        svg = rounded_paths(vlc.vegalite_to_svg(spec))
        times["svg"].append(time.perf_counter() - t)
        t = time.perf_counter()
        png = vlc.svg_to_png(svg, scale=2)
        times["png"].append(time.perf_counter() - t)
    text = json.dumps(spec, sort_keys=True, ensure_ascii=False)
    print(f"  169-area choropleth, median of {renders}:")
    for k, v in times.items():
        print(f"    {k:4s}: {statistics.median(v) * 1000:7.1f} ms")
    print(
        f"    sizes: spec {len(text) / 1000:.0f} KB (limit 200), SVG {len(svg) / 1000:.0f} KB, "
        f"PNG {len(png) / 1000:.0f} KB"
    )


def step_build(folder: Path) -> None:
    """A real `catalog build` of a catalog with the boundary dataset and a town dataset."""
    import yaml
    from areas import town_names
    from conftest import AGENCY_YAML, CATALOG_YAML

    from catalog.site.build import build

    root = folder / "catalog"
    (root / "datasets/ctgis/towns").mkdir(parents=True)
    (root / "datasets/dph/deaths").mkdir(parents=True)
    (root / "catalog.yaml").write_text(yaml.safe_dump(CATALOG_YAML), "utf-8")
    for agency in ("ctgis", "dph"):
        (root / f"datasets/{agency}/agency.yaml").write_text(yaml.safe_dump(AGENCY_YAML), "utf-8")
    common = {
        "description": "A benchmark dataset with enough words to pass the fifty character rule.",
        "category": "Government",
        "keywords": ["bench"],
        "update_frequency": "Annually",
        "access_level": "public",
        "contact": {"name": "Data Officer", "email": "data@example.gov"},
        "geographic_unit": "Municipality",
    }
    (folder / "towns.geojson").rename(root / "datasets/ctgis/towns/towns.geojson")
    names = town_names(169)
    (root / "datasets/ctgis/towns/towns.csv").write_text(
        "geoid,town\n" + "".join(f"09{i + 1:05d},{n}\n" for i, n in enumerate(names)), "utf-8"
    )
    field = {"name": "town", "type": "string"}
    (root / "datasets/ctgis/towns/dataset.yaml").write_text(
        yaml.safe_dump(
            {
                **common,
                "title": "Towns",
                "row_label": "Town",
                "boundaries": {"path": "towns.geojson", "key": "geoid", "name": "town"},
                "resources": [
                    {
                        "name": "towns",
                        "path": "towns.csv",
                        "schema": {"fields": [{"name": "geoid", "type": "string"}, field]},
                    }
                ],
            }
        ),
        "utf-8",
    )
    rows = "".join(
        f"{y},{n},{(i * 13 + y) % 400}\n" for y in range(2015, 2024) for i, n in enumerate(names)
    )
    (root / "datasets/dph/deaths/data.csv").write_text("year,town,deaths\n" + rows, "utf-8")
    (root / "datasets/dph/deaths/dataset.yaml").write_text(
        yaml.safe_dump(
            {
                **common,
                "title": "Deaths by town",
                "resources": [
                    {
                        "name": "deaths",
                        "path": "data.csv",
                        "schema": {
                            "fields": [
                                {"name": "year", "type": "year"},
                                field,
                                {"name": "deaths", "type": "integer"},
                            ]
                        },
                    }
                ],
                "charts": [
                    {
                        "resource": "deaths",
                        "mark": "map",
                        "title": "Deaths by town",
                        "area": "town",
                        "boundaries": "ctgis/towns",
                        "filter": {"year": "latest"},
                        "color": {"field": "deaths", "title": "Deaths"},
                    }
                ],
            }
        ),
        "utf-8",
    )
    from catalog.site.build import BuildFailed

    t = time.perf_counter()
    try:
        build(root, folder / "site", search=False, jobs=1)
    except BuildFailed as exc:
        raise SystemExit("\n".join(p.message for p in exc.problems)) from None
    took = time.perf_counter() - t
    spec = next((folder / "site/datasets/dph/deaths/charts").glob("*.vl.json"))
    print(
        f"  catalog build (2 datasets, cold, one process): {took:6.2f} s, peak {peak_mb():.0f} MB; "
        f"map spec {spec.stat().st_size / 1000:.0f} KB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--detail", type=int, default=650, help="points per border")
    parser.add_argument("--renders", type=int, default=5)
    parser.add_argument("--step", help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        {
            "check": lambda: step_check(args.folder),
            "simplify": lambda: step_simplify(args.folder),
            "render": lambda: step_render(args.folder, args.renders),
            "build": lambda: step_build(args.folder),
        }[args.step]()
        return
    from areas import write_areas

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_areas(folder / "towns.geojson", detail=args.detail)
        size = (folder / "towns.geojson").stat().st_size
        print(f"boundary file: 169 areas, {args.detail} points per border, {size / 1e6:.1f} MB")
        for step in ("check", "simplify", "render", "build"):
            subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--step",
                    step,
                    "--folder",
                    str(folder),
                    "--renders",
                    str(args.renders),
                ],
                check=True,
            )


if __name__ == "__main__":
    main()
