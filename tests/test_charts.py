"""Charts: declared and default charts, aggregated at build time, accessible, embeddable."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import CatalogMaker, dataset_yaml

from catalog.site.build import build


def test_example_declared_charts_have_svg_png_and_spec(example: Path) -> None:
    folder = example / "datasets/dot/traffic-crashes-2023"
    page = BeautifulSoup((folder / "index.html").read_text(), "html.parser")
    figures = page.select("figure.chart")
    assert [f.figcaption.get_text() for f in figures] == [
        "Where crashes happened",
        "Crashes by kind of collision",
    ]
    for fig in figures:
        img = fig.select_one(".chart-view img")
        assert img["alt"] and (folder / img["src"]).read_text().startswith("<svg")
        links = [a["href"] for a in fig.select(".chart-downloads a")]
        assert [Path(h).suffix for h in links[:3]] == [".svg", ".png", ".json"]
        for href in links:
            assert (folder / href).exists() or (folder / href / "index.html").exists()
        assert "<iframe src=" in fig.select_one("details.embed code").get_text()


def test_table_alternative_matches_the_chart(example: Path) -> None:
    folder = example / "datasets/decd/business-assistance"
    spec = json.loads((folder / "charts/assistance-by-program.vl.json").read_text())
    values = spec["data"]["values"]
    page = BeautifulSoup((folder / "index.html").read_text(), "html.parser")
    rows = [
        [td.get_text() for td in tr.find_all("td")]
        for tr in page.select("#chart-assistance-by-program table.chart-table tbody tr")
    ]
    assert len(rows) == len(values) == 8  # tax-credit programs give only tax credits
    for row, v in zip(rows, values, strict=True):
        assert row[0] == v["x"] and row[2] == v["color"]
        assert float(row[1].replace(",", "")) == pytest.approx(v["y"])
    assert (
        "Bar chart of amount (usd) by program and kind of assistance, 8 values"
        in spec["description"]
    )


def test_embed_page_is_standalone(example: Path) -> None:
    page = (
        example
        / "datasets/dot/hourly-traffic-counts/charts/vehicles-per-month-all-stations/index.html"
    )
    doc = BeautifulSoup(page.read_text(), "html.parser")
    assert doc.title.get_text().startswith("Vehicles per month, all stations")
    source = doc.select_one(".embed-source")
    assert "Department of Transportation" in source.get_text() and "CC0-1.0" in source.get_text()
    assert (
        source.a["href"]
        == "https://example.github.io/open-data-catalog/datasets/dot/hourly-traffic-counts/"
        and source.a["target"] == "_top"
    )
    for script in doc.find_all("script"):
        assert (page.parent / script["src"]).resolve().is_file()
    assert not doc.select("header.site-header")  # sized for an iframe


def big_series(make: CatalogMaker, rows: int, **chart: object) -> None:
    meta = dataset_yaml(charts=[{"resource": "data", "title": "Big chart", **chart}])
    meta["resources"][0]["schema"] = {
        "fields": [
            {"name": "day", "type": "date"},
            {"name": "site", "type": "string"},
            {"name": "value", "type": "integer"},
            {"name": "lat", "type": "number"},
            {"name": "lon", "type": "number"},
        ]
    }
    lines = ["day,site,value,lat,lon"]
    for i in range(rows):
        lat, lon = 41 + (i % 997) / 1000, -73 + (i % 991) / 1000
        lines.append(
            f"2024-{i % 12 + 1:02d}-{i % 28 + 1:02d},S{i % 7},{i % 1000},{lat:.4f},{lon:.4f}"
        )
    make.dataset(meta=meta, csv="\n".join(lines) + "\n")


@pytest.mark.parametrize(
    ("chart", "most"),
    [
        (
            {
                "mark": "line",
                "x": {"field": "day", "timeUnit": "yearmonth"},
                "y": {"field": "value", "aggregate": "sum"},
            },
            12,
        ),
        ({"mark": "bar", "x": "site", "y": {"aggregate": "count"}}, 7),
        ({"mark": "line", "x": "day", "y": "value"}, 336),  # no aggregate declared: summed per day
        ({"mark": "map"}, 3_000),
    ],
)
def test_big_resources_chart_aggregates_not_rows(
    make: CatalogMaker, tmp_path: Path, chart: dict[str, object], most: int
) -> None:
    big_series(make, 60_000, **chart)
    build(make.root, tmp_path / "s", search=False)
    spec_file = tmp_path / "s/datasets/dot/test/charts/big-chart.vl.json"
    values = json.loads(spec_file.read_text())["data"]["values"]
    assert 0 < len(values) <= most
    assert spec_file.stat().st_size < 300_000
    if chart.get("y") == {"aggregate": "count"}:
        assert sum(v["y"] for v in values) == 60_000


def test_every_aggregate_validation_accepts_builds_as_vega_lite_means_it(
    make: CatalogMaker, tmp_path: Path
) -> None:
    """Each aggregate of the contract, per group: count counts rows, valid and missing the
    present and empty values, median is exact. (median, valid and missing stopped the build
    with an Arrow error before: pyarrow has no grouped form of them.)"""
    from catalog.core.contract import AGGREGATES

    csv = "id,name,amount\n1,a,3\n2,a,6\n3,b,\n4,a,7\n5,a,\n6,b,2\n"
    expected = {
        "count": (4, 2),
        "valid": (3, 1),
        "missing": (1, 1),
        "distinct": (3, 1),
        "sum": (16, 2),
        "mean": (16 / 3, 2),
        "average": (16 / 3, 2),
        "median": (6, 2),
        "min": (3, 2),
        "max": (7, 2),
    }
    assert set(expected) == set(AGGREGATES)
    charts = [
        {
            "resource": "data",
            "mark": "bar",
            "title": agg,
            "x": "name",
            "y": {"field": "amount", "aggregate": agg},
        }
        for agg in AGGREGATES
    ]
    make.dataset(csv=csv, charts=charts)
    assert [p for p in make.problems() if p.severity == "error"] == []
    build(make.root, tmp_path / "s", search=False)
    for agg, (a, b) in expected.items():
        spec = json.loads((tmp_path / f"s/datasets/dot/test/charts/{agg}.vl.json").read_text())
        got = {v["x"]: v["y"] for v in spec["data"]["values"]}
        assert got["a"] == pytest.approx(a) and got["b"] == pytest.approx(b), agg


def default_of(
    make: CatalogMaker, tmp_path: Path, fields: list[dict[str, object]], csv: str, **extra: object
) -> list[str]:
    meta = dataset_yaml(**extra)
    meta["resources"][0]["schema"] = {"fields": fields}
    make.dataset(meta=meta, csv=csv)
    build(make.root, tmp_path / "s", search=False)
    charts = tmp_path / "s/datasets/dot/test/charts"
    return (
        sorted(
            json.loads(p.read_text())["mark"]["type"]
            if isinstance(json.loads(p.read_text())["mark"], dict)
            else json.loads(p.read_text())["mark"]
            for p in charts.glob("*.vl.json")
        )
        if charts.exists()
        else []
    )


def test_default_time_series(make: CatalogMaker, tmp_path: Path) -> None:
    assert default_of(
        make,
        tmp_path,
        [{"name": "day", "type": "date"}, {"name": "n", "type": "integer"}],
        "day,n\n2024-01-01,3\n2024-01-02,4\n",
    ) == ["line"]


def test_default_map(make: CatalogMaker, tmp_path: Path) -> None:
    fields = [
        {"name": "name", "type": "string"},
        {"name": "latitude", "type": "number"},
        {"name": "longitude", "type": "number"},
    ]
    assert default_of(
        make, tmp_path, fields, "name,latitude,longitude\na,41.7,-72.6\nb,41.3,-72.9\n"
    ) == ["circle"]


def test_default_bar_of_counts(make: CatalogMaker, tmp_path: Path) -> None:
    fields = [{"name": "kind", "type": "string"}, {"name": "note", "type": "string"}]
    assert default_of(make, tmp_path, fields, "kind,note\na,x1\nb,x2\na,x3\n") == ["bar"]


def test_no_default_when_nothing_sensible_or_opted_out(make: CatalogMaker, tmp_path: Path) -> None:
    fields = [{"name": "note", "type": "string"}]
    assert (
        default_of(make, tmp_path, fields, "note\n" + "".join(f"n{i}\n" for i in range(50))) == []
    )
    fields = [{"name": "day", "type": "date"}, {"name": "n", "type": "integer"}]
    assert default_of(make, tmp_path, fields, "day,n\n2024-01-01,3\n", default_chart=False) == []


def test_chart_text_is_inert(make: CatalogMaker, tmp_path: Path) -> None:
    payload = '</title><script>alert(1)</script>" onload="alert(2)'
    meta = dataset_yaml(
        charts=[
            {
                "resource": "data",
                "mark": "bar",
                "title": "T " + payload,
                "description": payload,
                "x": "name",
                "y": {"field": "amount", "aggregate": "sum", "title": payload},
            }
        ]
    )
    make.dataset(meta=meta, csv="id,name,amount\n1,<b>x</b>,2\n2,y,3\n")
    build(make.root, tmp_path / "s", search=False)
    folder = tmp_path / "s/datasets/dot/test"
    for page in (folder / "index.html", next(folder.glob("charts/*/index.html"))):
        doc = BeautifulSoup(page.read_text(), "html.parser")
        assert all(
            s.get("src") or s.get("type") == "application/ld+json" for s in doc.find_all("script")
        )
    svg = next(folder.glob("charts/*.svg")).read_text()
    assert "<script" not in svg
    # the embed code people copy: one iframe whose title holds the whole title
    page = BeautifulSoup((folder / "index.html").read_text(), "html.parser")
    snippet = BeautifulSoup(page.select_one("details.embed code").get_text(), "html.parser")
    assert [t.name for t in snippet.find_all(True)] == ["iframe"]
    assert snippet.iframe["title"] == "T " + payload
    assert not [a for a in snippet.iframe.attrs if a.startswith("on")]


def test_backslashes_in_titles_are_drawn_not_parsed(make: CatalogMaker, tmp_path: Path) -> None:
    """Vega-Lite writes channel titles into expressions without escaping backslashes: a
    field named '\\' stopped the build (found by the property test)."""
    meta = dataset_yaml(
        charts=[{"resource": "data", "mark": "bar", "title": "Counts", "x": "name"}]
    )
    meta["resources"][0]["schema"]["fields"][1]["title"] = "a\\b"
    make.dataset(meta=meta, csv="id,name,amount\n1,x,2\n2,y,3\n")
    build(make.root, tmp_path / "s", search=False)
    folder = tmp_path / "s/datasets/dot/test"
    spec = json.loads(next(folder.glob("charts/*.vl.json")).read_text())
    assert spec["encoding"]["x"]["title"] == "a\u2216b"
    assert "a\u2216b" in next(folder.glob("charts/*.svg")).read_text()
    fields = [{"name": "\\", "type": "string"}, {"name": "a", "type": "string"}]
    resource = {**meta["resources"][0], "schema": {"fields": fields}}
    make.dataset(meta=dataset_yaml(resources=[resource]), csv="\\,a\n00,\n0,\n")
    build(make.root, tmp_path / "t", search=False)  # the property test's example
    assert list((tmp_path / "t/datasets/dot/test").glob("charts/*.svg"))


def test_a_chart_renders_the_same_bytes_however_many_came_before() -> None:
    """Vega numbers gradient ids across a process: the second render of the same chart got
    gradient_1. The build renumbers them within each SVG."""
    import altair as alt
    import vl_convert as vlc

    from catalog.site.charts import stable_ids

    spec = (
        alt.Chart(alt.Data(values=[{"a": i, "b": i * 2} for i in range(5)]))
        .mark_point()
        .encode(x="a:Q", y="b:Q", color="b:Q")
        .to_dict()
    )
    first, second = vlc.vegalite_to_svg(spec), vlc.vegalite_to_svg(spec)
    assert first != second  # the renderer's own counter
    assert stable_ids(first) == stable_ids(second)
    assert 'id="gradient_0"' in stable_ids(second) and "url(#gradient_0)" in stable_ids(second)


def test_a_filter_keeps_the_rows_it_names_in_any_chart(make: CatalogMaker, tmp_path: Path) -> None:
    """`filter` works for every chart, not only maps: `latest` keeps the largest year; a
    field that is not there, or a value no row has, is a problem at the chart's line."""
    csv = "id,year,kind,amount\n1,2022,a,5\n2,2023,a,7\n3,2023,b,11\n4,2022,b,13\n"
    fields = [
        {"name": "id", "type": "integer"},
        {"name": "year", "type": "year"},
        {"name": "kind", "type": "string"},
        {"name": "amount", "type": "integer"},
    ]
    bar = {
        "resource": "data",
        "mark": "bar",
        "title": "Latest",
        "x": "kind",
        "y": {"field": "amount", "aggregate": "sum"},
        "filter": {"year": "latest"},
    }
    fixed = {**json.loads(json.dumps(bar)), "title": "Old", "filter": {"year": 2022}}
    meta = dataset_yaml(charts=[bar, fixed])
    meta["resources"][0]["schema"] = {"fields": fields}
    make.dataset(meta=meta, csv=csv)
    assert [p for p in make.problems() if p.severity == "error"] == []
    build(make.root, tmp_path / "s", search=False)
    charts = tmp_path / "s/datasets/dot/test/charts"
    latest = json.loads((charts / "latest.vl.json").read_text())["data"]["values"]
    old = json.loads((charts / "old.vl.json").read_text())["data"]["values"]
    assert {v["x"]: v["y"] for v in latest} == {"a": 7, "b": 11}
    assert {v["x"]: v["y"] for v in old} == {"a": 5, "b": 13}
    for bad, said in (
        ({"yaer": 2022}, "filter field 'yaer' is not a field"),
        ({"year": 1999}, "no row has year = 1999"),
    ):
        meta["charts"] = [{**bar, "filter": bad}]
        make.dataset(meta=meta, csv=csv)
        (p,) = [p for p in make.problems() if p.severity == "error"]
        assert said in p.message and p.line is not None
