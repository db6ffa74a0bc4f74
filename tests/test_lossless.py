"""No value lost: what validates is published, equal, in every typed download."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import CatalogMaker, dataset_yaml
from lossless import check_site

from catalog.site.build import BuildFailed, build

# the values the issue found lost: each validates, and each must reach every download
PORTAL_ROWS = [
    ["id", "socrata", "offset", "fraction", "plus", "ratio", "zip", "when", "clock", "sold"],
    [
        "1",
        "2012-09-14T22:38:01.000",
        "2023-01-05T15:02:37-05:00",
        "2023-01-05T15:02:37.1",
        "+1",
        "NaN",
        "06103",
        "09/27/2012 03:48:18 PM",
        "16:00",
        "$20,061.72",
    ],
    [
        "2",
        "2012-09-14T22:38:02.500",
        "2023-01-05T15:02:37Z",
        "2023-01-05T15:02:37.123456",
        "-2",
        "INF",
        "06104",
        "1/3/2022 12:00:00 AM",
        "09:05",
        "$5.00",
    ],
    [
        "3",
        "",
        "2023-01-05T15:02:37+05:30",
        "",
        "1_000",
        "-Infinity",
        "",
        "12/31/2022 11:59:59 pm",
        "",
        "NDA",
    ],
    [
        "4",
        "2012-09-14 22:38:03",
        "2023-01-05T15:02:37-0800",
        "2023-01-05T15:02:37.1234567",
        "٣",
        "1e-3",
        "00501",
        "",
        "23:59",
        "$1,463,350",
    ],
]
PORTAL_CSV = "".join(
    ",".join(f'"{c}"' if "," in c else c for c in row) + "\n" for row in PORTAL_ROWS
)
PORTAL_FIELDS = [
    {"name": "id", "type": "integer"},
    {"name": "socrata", "type": "datetime"},
    {"name": "offset", "type": "datetime"},
    {"name": "fraction", "type": "datetime"},
    {"name": "plus", "type": "integer"},
    {"name": "ratio", "type": "number"},
    {"name": "zip", "type": "string"},
    {"name": "when", "type": "datetime", "format": "%m/%d/%Y %I:%M:%S %p"},
    {"name": "clock", "type": "time", "format": "%H:%M"},
    {
        "name": "sold",
        "type": "number",
        "groupChar": ",",
        "bareNumber": False,
        "missingValues": ["", "NDA"],
    },
]


def _build(make: CatalogMaker, tmp_path: Path, csv: str, fields: list[dict[str, object]]) -> Path:
    resource = {"name": "data", "path": "data.csv", "schema": {"fields": fields}}
    make.dataset("dot/portal", csv=csv, resources=[resource], default_chart=False)
    assert [p for p in make.problems() if p.severity == "error"] == []
    out = tmp_path / "site"
    build(make.root, out, cache_dir=tmp_path / "cache", search=False)
    return out


def test_portal_values_reach_every_typed_download(make: CatalogMaker, tmp_path: Path) -> None:
    site = _build(make, tmp_path, PORTAL_CSV, PORTAL_FIELDS)
    assert check_site(site) == 4 * len(PORTAL_FIELDS)
    records = __import__("json").loads((site / "datasets/dot/portal/data.json").read_text())
    assert (
        records[0]["socrata"] == "2012-09-14T22:38:01"
        and records[1]["socrata"] == "2012-09-14T22:38:02.500000"
    )
    assert records[0]["offset"] == "2023-01-05T20:02:37Z"  # an instant, in UTC
    assert [r["plus"] for r in records] == [1, -2, 1000, 3]
    assert [r["ratio"] for r in records] == ["NaN", "Infinity", "-Infinity", 0.001]
    assert [r["zip"] for r in records] == ["06103", "06104", None, "00501"]
    assert [r["sold"] for r in records] == [20061.72, 5.0, None, 1463350.0]
    # and the page says where a format cannot carry a value as a number
    from bs4 import BeautifulSoup

    page = BeautifulSoup((site / "datasets/dot/portal/index.html").read_text(), "html.parser")
    note = " ".join(p.get_text(" ", strip=True) for p in page.select(".resource p.note"))
    assert (
        "ratio has 3 values that are not a finite number (NaN or infinity)" in note
        and '"Infinity"' in note
    )


def test_example_catalog_loses_no_value(example: Path) -> None:
    assert check_site(example) > 350_000  # every typed cell of the example datasets


@pytest.mark.parametrize(
    ("csv", "field", "code"),
    [
        (
            "id,n\n1,1\n2,99999999999999999999\n",
            {"name": "n", "type": "integer"},
            "unpublishable-value",
        ),
        (
            "id,t\n1,2023-01-05T15:02:37\n2,2023-01-05T15:02:37Z\n",
            {"name": "t", "type": "datetime"},
            "unpublishable-value",
        ),
        ("id,t\n1,16:00:00+01:00\n", {"name": "t", "type": "time"}, "unpublishable-value"),
    ],
)
def test_values_no_download_can_carry_stop_validation_and_build(
    make: CatalogMaker, tmp_path: Path, csv: str, field: dict[str, object], code: str
) -> None:
    make.dataset(
        "dot/odd",
        csv=csv,
        resources=[
            {
                "name": "data",
                "path": "data.csv",
                "schema": {"fields": [{"name": "id", "type": "integer"}, field]},
            }
        ],
    )
    found = [(p.path, p.row, p.field, p.code) for p in make.problems() if p.severity == "error"]
    assert found == [
        ("datasets/dot/odd/data.csv", 3 if "Z" in csv or "9999" in csv else 2, field["name"], code)
    ]
    with pytest.raises(BuildFailed):
        build(make.root, tmp_path / "site", cache_dir=tmp_path / "cache", search=False)
    assert not (tmp_path / "site").exists()


def test_a_conversion_that_meets_an_unreadable_cell_stops_with_a_problem(
    make: CatalogMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Should validation ever miss a value, the build names it rather than publish null."""
    import catalog.site.build as build_module

    make.dataset(
        "dot/test",
        csv="id,name,amount\n1,a,1.5\n2,b,oops\n",
        resources=[
            {"name": "data", "path": "data.csv", "schema": dataset_yaml()["resources"][0]["schema"]}
        ],
    )
    monkeypatch.setattr(build_module, "validate", lambda *a, **k: [])  # a validator that misses it
    with pytest.raises(BuildFailed) as caught:
        build(make.root, tmp_path / "site", cache_dir=tmp_path / "cache", search=False)
    assert [(p.path, p.row, p.field, p.code) for p in caught.value.problems] == [
        ("datasets/dot/test/data.csv", 3, "amount", "unpublishable-value")
    ]
    assert os.listdir(tmp_path) == ["cache"] or not (tmp_path / "site").exists()
