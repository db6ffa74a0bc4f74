"""Chart declarations are validated at their line in dataset.yaml."""

from __future__ import annotations

import pytest
from conftest import CatalogMaker, dataset_yaml

DS = "datasets/dot/test/dataset.yaml"


def with_chart(**chart: object) -> dict[str, object]:
    meta = dataset_yaml()
    meta["resources"][0]["schema"]["fields"] += [
        {"name": "day", "type": "date"},
        {"name": "lat", "type": "number"},
        {"name": "lon", "type": "number"},
        {"name": "secret", "type": "string", "protected": True, "exemption": "CGS 1"},
    ]
    meta["charts"] = [{"resource": "data", "mark": "bar", "title": "A chart", **chart}]
    return meta


CSV = "id,name,amount,day,lat,lon\n1,a,1,2024-01-01,41.7,-72.6\n"


def chart_problems(make: CatalogMaker, **chart: object) -> list[tuple[str, str]]:
    make.dataset(meta=with_chart(**chart), csv=CSV)
    return [(p.code, p.message) for p in make.problems()]


def test_valid_charts(make: CatalogMaker) -> None:
    assert chart_problems(make, x="name", y={"field": "amount", "aggregate": "sum"}) == []
    assert (
        chart_problems(
            make, mark="line", x={"field": "day", "timeUnit": "yearmonth"}, y={"aggregate": "count"}
        )
        == []
    )
    assert chart_problems(make, mark="map") == []  # lat/lon found by name


@pytest.mark.parametrize(
    ("chart", "fragment"),
    [
        ({"x": "nmae"}, "x field 'nmae' is not a field of 'data'. Did you mean 'name'?"),
        (
            {"x": "name", "y": {"field": "name", "aggregate": "sum"}},
            "aggregate 'sum' needs a numeric field",
        ),
        ({"x": {"field": "amount", "timeUnit": "year"}}, "timeUnit 'year' needs a date field"),
        ({"x": "secret"}, "protected and cannot be charted"),
        ({"resource": "nope", "x": "name"}, "resource 'nope' does not exist"),
        (
            {"mark": "map", "latitude": "name", "longitude": "lon"},
            "latitude field 'name' is string, not a number",
        ),
        ({"mark": "line", "y": "amount"}, "a line chart needs an x encoding"),
        ({}, "needs an x or a y encoding"),
    ],
)
def test_invalid_charts(make: CatalogMaker, chart: dict[str, object], fragment: str) -> None:
    got = chart_problems(make, **chart)
    assert any(code == "invalid-chart" and fragment in msg for code, msg in got), got


def test_map_without_coordinates(make: CatalogMaker) -> None:
    meta = dataset_yaml(charts=[{"resource": "data", "mark": "map", "title": "M"}])
    make.dataset(meta=meta)
    ps = make.problems()
    assert [(p.code, p.line) for p in ps] == [
        ("invalid-chart", 29),
        ("invalid-chart", 29),
    ]  # the `mark: map` line
    assert "needs a latitude field" in ps[0].message or "needs a latitude field" in ps[1].message


def test_bad_mark_is_a_vocabulary_error(make: CatalogMaker) -> None:
    got = chart_problems(make, mark="pie", x="name")
    assert any(code == "invalid-value" and "'pie' is not allowed" in msg for code, msg in got)
