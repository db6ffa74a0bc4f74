"""Chart rendering speed (one process, many charts: start-up paid once) and the size of a
chart's embed page for a 1,000,000-row resource.

    python benchmarks/bench_charts.py [--charts 200] [--rows 1000000]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml


def per_chart(n: int) -> None:
    import altair as alt
    import vl_convert as vlc

    started = time.perf_counter()
    vlc.vegalite_to_svg(
        alt.Chart(alt.Data(values=[{"a": 1, "b": 2}]))
        .mark_point()
        .encode(x="a:Q", y="b:Q")
        .to_dict()
    )
    startup = time.perf_counter() - started
    times = {"svg": [], "png": [], "spec": []}
    for i in range(n):
        values = [{"x": f"2024-{1 + m % 12:02d}-01", "y": (m * 37 + i) % 500} for m in range(48)]
        t = time.perf_counter()
        spec = (
            alt.Chart(alt.Data(values=values), title=f"Chart {i}")
            .mark_line(point=True)
            .encode(x="x:T", y="y:Q")
            .properties(width=640, height=300)
            .to_dict()
        )
        times["spec"].append(time.perf_counter() - t)
        t = time.perf_counter()
        svg = vlc.vegalite_to_svg(spec)
        times["svg"].append(time.perf_counter() - t)
        t = time.perf_counter()
        vlc.svg_to_png(svg, scale=2)
        times["png"].append(time.perf_counter() - t)
    print(f"{n} line charts (48 points) in one process; start-up {startup * 1000:.0f} ms once")
    for k, v in times.items():
        print(f"  {k:4s}: median {statistics.median(v) * 1000:6.1f} ms per chart")
    total = sum(statistics.median(v) for v in times.values())
    print(f"  all : {total * 1000:6.1f} ms per chart (Altair spec + SVG + PNG)")


def embed_size(rows: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "catalog.yaml").write_text(
            yaml.safe_dump({"title": "Bench", "base_url": "https://data.example.gov/"})
        )
        (root / "datasets/dot/crashes").mkdir(parents=True)
        (root / "datasets/dot/agency.yaml").write_text(
            yaml.safe_dump(
                {
                    "name": "DOT",
                    "abbreviation": "DOT",
                    "website": "https://example.gov/",
                    "description": "x",
                    "data_officer": {"name": "ADO", "handle": "@dot"},
                }
            )
        )
        meta = {
            "title": "Crashes",
            "description": "A generated million-row resource for the chart benchmark. Sample data.",
            "category": "Transportation",
            "keywords": ["crashes"],
            "update_frequency": "Monthly",
            "access_level": "public",
            "contact": {"name": "ADO", "email": "ado@example.gov"},
            "resources": [
                {
                    "name": "crashes",
                    "path": "crashes.csv",
                    "schema": {
                        "fields": [
                            {"name": "day", "type": "date"},
                            {"name": "kind", "type": "string"},
                            {"name": "injuries", "type": "integer"},
                            {"name": "latitude", "type": "number"},
                            {"name": "longitude", "type": "number"},
                        ]
                    },
                }
            ],
            "charts": [
                {
                    "resource": "crashes",
                    "mark": "line",
                    "title": "Injuries by month",
                    "x": {"field": "day", "timeUnit": "yearmonth"},
                    "y": {"field": "injuries", "aggregate": "sum"},
                },
                {
                    "resource": "crashes",
                    "mark": "bar",
                    "title": "Crashes by kind",
                    "x": "kind",
                    "y": {"aggregate": "count"},
                },
                {
                    "resource": "crashes",
                    "mark": "map",
                    "title": "Where",
                    "latitude": "latitude",
                    "longitude": "longitude",
                },
            ],
        }
        (root / "datasets/dot/crashes/dataset.yaml").write_text(
            yaml.safe_dump(meta, sort_keys=False)
        )
        with (root / "datasets/dot/crashes/crashes.csv").open("w") as fh:
            fh.write("day,kind,injuries,latitude,longitude\n")
            for i in range(rows):
                day = f"20{15 + i % 10:02d}-{1 + i % 12:02d}-{1 + i % 28:02d}"
                lat, lon = 41 + (i % 9973) / 10000, -73 + (i % 9967) / 5000
                fh.write(f"{day},{'ABCDEF'[i % 6]},{i % 4},{lat:.4f},{lon:.4f}\n")
        started = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "catalog",
                "build",
                "--root",
                str(root),
                "--no-search",
                "-j",
                "1",
            ],
            check=True,
            capture_output=True,
        )
        took = time.perf_counter() - started
        print(f"\nbuild of one {rows:,}-row dataset with 3 charts: {took:.1f} s")
        folder = root / "site/datasets/dot/crashes/charts"
        for slug in ("injuries-by-month", "crashes-by-kind", "where"):
            page = folder / slug / "index.html"
            spec = folder / f"{slug}.vl.json"
            values = len(json.loads(spec.read_text())["data"]["values"])
            svg = (folder / f"{slug}.svg").stat().st_size / 1024
            page_kb, spec_kb = page.stat().st_size / 1024, spec.stat().st_size / 1024
            print(
                f"  {slug:18s} embed page {page_kb:6.1f} KB, spec {spec_kb:6.1f} KB "
                f"({values} aggregated values), SVG {svg:6.1f} KB"
            )
        runtime = (root / "site/static/vega.js").stat().st_size / 1024
        print(f"  shared Vega runtime (static/vega.js, cached by browsers): {runtime:.0f} KB")


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--charts", type=int, default=200)
    ap.add_argument("--rows", type=int, default=1_000_000)
    args = ap.parse_args()
    per_chart(args.charts)
    embed_size(args.rows)


if __name__ == "__main__":
    main()
